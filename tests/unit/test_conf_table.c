/* The property table is consistent: every entry is documented, its default
 * parses under its own type, names are unique; and the properties this
 * wave's layers honour are there with the defaults they were given. */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "client/conf.h"
#include "client/props.h"
#include "../kt.h"

static void check_name(const char *name)
{
	const char *s;
	KT_ASSERT(name && *name);
	for (s = name; *s; s++)
		KT_ASSERT_MSG((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		                  *s == '.' || *s == '_',
		              "bad character '%c' in %s", *s, name);
}

static void check_entry(void *arg)
{
	const struct kfk_prop *p = arg;
	struct kfk_prop_value v;
	char err[256] = "";
	size_t len = p->doc ? strlen(p->doc) : 0;
	size_t a;

	check_name(p->name);
	for (a = 0; a < KFK_PROP_MAX_ALIASES && p->aliases[a]; a++)
		check_name(p->aliases[a]);
	KT_ASSERT_MSG(len > 20, "%s: doc text missing or too short", p->name);
	KT_ASSERT_MSG(p->doc[len - 1] == '.', "%s: doc must end with '.'", p->name);
	KT_ASSERT(p->def != NULL);
	KT_ASSERT(p->clients != 0 && (p->clients & ~(unsigned)KFK_PROP_ALL) == 0);
	KT_ASSERT(p->importance <= KFK_PROP_LOW);
	if (p->type == KFK_PROP_INT || p->type == KFK_PROP_DURATION ||
	    p->type == KFK_PROP_SIZE)
		KT_ASSERT(p->min <= p->max);
	if (p->type == KFK_PROP_DURATION || p->type == KFK_PROP_SIZE)
		KT_ASSERT_MSG(p->min >= 0, "%s: durations and sizes are >= 0",
		              p->name);
	if (p->type == KFK_PROP_ENUM)
		KT_ASSERT(p->choices && p->choices[0].name);
	/* The default parses under its own type and is already canonical. */
	KT_ASSERT_MSG(kfk_prop_parse(p, p->name, p->def, &v, err, sizeof(err)) ==
	                  KFK_ERR_NONE,
	              "default of %s: %s", p->name, err);
	KT_ASSERT_STR_EQ(v.str, p->def);
	free(v.str);
	KT_ASSERT(kfk_prop_find(p->name) == p);
	for (a = 0; a < KFK_PROP_MAX_ALIASES && p->aliases[a]; a++)
		KT_ASSERT(kfk_prop_find(p->aliases[a]) == p);
}

KT_TEST(table_entries_are_complete)
{
	size_t i;
	KT_ASSERT(kfk_props_count > 0);
	for (i = 0; i < kfk_props_count; i++)
		kt_subtest(check_entry, (void *)&kfk_props[i], "entry %s",
		           kfk_props[i].name);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

KT_TEST(table_names_and_aliases_are_unique)
{
	const char **all = calloc(kfk_props_count * (1 + KFK_PROP_MAX_ALIASES),
	                          sizeof(*all));
	size_t i, a, n = 0;
	KT_ASSERT(all != NULL);
	for (i = 0; i < kfk_props_count; i++) {
		all[n++] = kfk_props[i].name;
		for (a = 0; a < KFK_PROP_MAX_ALIASES && kfk_props[i].aliases[a]; a++)
			all[n++] = kfk_props[i].aliases[a];
	}
	qsort(all, n, sizeof(*all), cmp_str);
	for (i = 1; i < n; i++)
		if (strcmp(all[i - 1], all[i]) == 0) {
			kt_log("duplicate name %s", all[i]);
			free(all);
			KT_ASSERT(!"names and aliases are unique");
		}
	free(all);
}

KT_TEST(table_choices_are_unique)
{
	size_t i;
	const struct kfk_prop_choice *c, *d;
	for (i = 0; i < kfk_props_count; i++) {
		if (!kfk_props[i].choices)
			continue;
		for (c = kfk_props[i].choices; c->name; c++)
			for (d = c + 1; d->name; d++)
				KT_ASSERT_MSG(strcasecmp(c->name, d->name) != 0,
				              "%s: choice %s twice", kfk_props[i].name,
				              c->name);
	}
}

/* The properties of the foundation and connection layers, as the issue
 * specified them: type, default and range. */
struct want {
	const char *name;
	enum kfk_prop_type type;
	const char *def;
	int64_t min, max; /* checked when min < max */
};

static void check_want(void *arg)
{
	const struct want *w = arg;
	const struct kfk_prop *p = kfk_prop_find(w->name);
	KT_ASSERT_MSG(p != NULL, "%s is missing", w->name);
	KT_ASSERT_STR_EQ(p->name, w->name);
	KT_ASSERT_STR_EQ(kfk_prop_type_name(p->type), kfk_prop_type_name(w->type));
	KT_ASSERT_STR_EQ(p->def, w->def);
	if (w->min < w->max) {
		KT_ASSERT_INT_EQ(p->min, w->min);
		KT_ASSERT_INT_EQ(p->max, w->max);
	}
}

KT_TEST(table_has_the_connection_layer_properties)
{
	static const struct want t[] = {
	    {"bootstrap.servers", KFK_PROP_LIST, "", 0, 0},
	    {"client.id", KFK_PROP_STRING, "kfk", 0, 0},
	    {"socket.send.buffer.bytes", KFK_PROP_SIZE, "0", 0, 100000000},
	    {"socket.receive.buffer.bytes", KFK_PROP_SIZE, "0", 0, 100000000},
	    {"socket.keepalive.enable", KFK_PROP_BOOL, "false", 0, 0},
	    {"socket.nagle.disable", KFK_PROP_BOOL, "true", 0, 0},
	    {"socket.connection.setup.timeout.ms", KFK_PROP_DURATION, "30000",
	     1000, INT32_MAX},
	    {"reconnect.backoff.ms", KFK_PROP_DURATION, "100", 0, 3600000},
	    {"reconnect.backoff.max.ms", KFK_PROP_DURATION, "10000", 0, 3600000},
	    {"request.timeout.ms", KFK_PROP_DURATION, "30000", 1, INT32_MAX},
	    {"metadata.max.age.ms", KFK_PROP_DURATION, "300000", 0, INT32_MAX},
	    {"topic.metadata.refresh.interval.ms", KFK_PROP_DURATION, "300000", 0,
	     3600000},
	    {"io.threads", KFK_PROP_INT, "0", 0, 256},
	    {"debug", KFK_PROP_LIST, "", 0, 0},
	    {"log_level", KFK_PROP_INT, "6", 0, 7},
	    {"api.version.request.timeout.ms", KFK_PROP_DURATION, "10000", 1,
	     300000},
	    {"connections.max.idle.ms", KFK_PROP_DURATION, "540000", 0, INT32_MAX},
	    {"receive.message.max.bytes", KFK_PROP_SIZE, "100000000", 1000,
	     INT32_MAX},
	    {"allow.auto.create.topics", KFK_PROP_BOOL, "true", 0, 0},
	};
	size_t i;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		kt_subtest(check_want, (void *)&t[i], "property %s", t[i].name);
	KT_ASSERT(kfk_prop_find("metadata.broker.list") ==
	          kfk_prop_find("bootstrap.servers"));
}
