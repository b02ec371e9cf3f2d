/*
 * kfk configs: kafka-configs for topics and brokers, with its flags and
 * output:
 *   kfk configs -b HOST:PORT --entity-type topics --entity-name T --describe
 *   kfk configs -b HOST:PORT --topic T --alter --add-config k=v,k2=[a,b]
 *   kfk configs -b HOST:PORT --broker 1 --alter --delete-config k,k2
 * --describe lists the configs set on the entity (dynamic ones; --all:
 * every one) with their synonyms, sorted by name.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json_out.h"

#define CMD "configs"
#define WAIT_MS 60000

struct cfg_opts {
	kfk_admin_resource type;
	const char *name;
	bool describe, alter, all, json;
	char **set;             /* name, value pairs (owned) */
	int set_cnt;
	char **del;             /* owned */
	int del_cnt;
};

static void usage(FILE *f)
{
	fprintf(f,
	"usage: kfk configs -b BROKERS ENTITY (--describe [--all] | --alter\n"
	"       [--add-config K=V,...] [--delete-config K,...])\n"
	"       (kafka-configs' flags)\n"
	"entity:\n"
	"  --entity-type topics|brokers --entity-name NAME, or --topic T, or\n"
	"  --broker ID\n"
	"options:\n"
	"  -b, --bootstrap-server LIST  brokers (host:port,...)\n"
	"  --add-config K=V,...         set these (a value with commas in\n"
	"                               [brackets])\n"
	"  --delete-config K,...        remove these (back to the default)\n"
	"  --all                        describe every config, not only the\n"
	"                               ones set on the entity\n"
	"  --json                       --describe: every entry, with its\n"
	"                               source, as one JSON document\n"
	"  -X, --command-property K=V   a client property\n"
	"  -F, --command-config FILE    client properties (Java's format)\n"
	"  -h, --help\n");
}

static const char *source_name(int source)
{
	static const char *const names[] = {
		"UNKNOWN", "DYNAMIC_TOPIC_CONFIG", "DYNAMIC_BROKER_CONFIG",
		"DYNAMIC_DEFAULT_BROKER_CONFIG", "STATIC_BROKER_CONFIG",
		"DEFAULT_CONFIG", "DYNAMIC_BROKER_LOGGER_CONFIG",
		"CLIENT_METRICS_CONFIG", "GROUP_CONFIG",
	};

	return source >= 0 && source < (int)(sizeof(names) / sizeof(names[0]))
	               ? names[source] : "UNKNOWN";
}

/* Set on the entity itself, as kafka-configs lists it: a topic's own
 * (DYNAMIC_TOPIC_CONFIG), a broker's own (DYNAMIC_BROKER_CONFIG; the
 * cluster-wide default belongs to --entity-default). */
static bool dynamic(kfk_admin_resource type, int source)
{
	return source == (type == KFK_ADMIN_RESOURCE_TOPIC ? 1 : 2);
}

static const kfk_admin_topic *sort_t; /* for cfg_cmp */

static int cfg_cmp(const void *a, const void *b)
{
	return strcmp(kfk_admin_topic_config(sort_t, *(const int *)a, NULL, NULL,
	                                     NULL, NULL),
	              kfk_admin_topic_config(sort_t, *(const int *)b, NULL, NULL,
	                                     NULL, NULL));
}

static void print_entry(const kfk_admin_topic *t, int i)
{
	const char *value;
	bool sensitive;
	const char *name = kfk_admin_topic_config(t, i, &value, NULL, NULL,
	                                          &sensitive);
	int n = kfk_admin_topic_config_synonym_count(t, i);

	printf("  %s=%s sensitive=%s synonyms={", name, value ? value : "null",
	       sensitive ? "true" : "false");
	for (int j = 0; j < n; j++) {
		const char *sv;
		int src;
		const char *sn = kfk_admin_topic_config_synonym(t, i, j, &sv, &src);

		printf("%s%s:%s=%s", j ? ", " : "", source_name(src), sn,
		       sv ? sv : "null");
	}
	printf("}\n");
}

/* The result of operation id on the entity; NULL after saying what
 * failed ("<doing> topic T: <why> (<code>)"). */
static kfk_admin_result *entity_result(kfk_admin *a, uint64_t id,
                                       const struct cfg_opts *o,
                                       const char *doing)
{
	kfk_admin_result *r = kfk_admin_wait(a, id, WAIT_MS);
	const kfk_admin_topic *t;
	kfk_err err;

	if (!r) {
		cli_err(CMD, "no answer from the cluster in %d s", WAIT_MS / 1000);
		return NULL;
	}
	t = kfk_admin_result_topic(r, 0);
	err = kfk_admin_result_err(r) ? kfk_admin_result_err(r)
	                              : kfk_admin_topic_err(t);
	if (!err)
		return r;
	cli_err(CMD, "%s%s %s: %s (%s)", doing,
	        o->type == KFK_ADMIN_RESOURCE_TOPIC ? "topic" : "broker", o->name,
	        kfk_admin_result_err(r) ? kfk_admin_result_errstr(r)
	                                : kfk_admin_topic_errstr(t),
	        kfk_err_name(err));
	kfk_admin_result_destroy(r);
	return NULL;
}

static int do_describe(kfk_admin *a, const struct cfg_opts *o)
{
	const char *names[1] = { o->name };
	const kfk_admin_topic *t;
	kfk_admin_result *r;
	uint64_t id;
	int n, *idx, rc = 0;

	if (kfk_admin_describe_configs(a, o->type, names, 1, NULL, &id)) {
		cli_err(CMD, "--entity-name %s: not a %s", o->name,
		        o->type == KFK_ADMIN_RESOURCE_TOPIC ? "topic name"
		                                            : "broker id");
		return 2;
	}
	if (!(r = entity_result(a, id, o, "")))
		return 1;
	t = kfk_admin_result_topic(r, 0);
	if (o->json) {
		/* Every entry, with its source: the script picks. */
		cJSON *j = cJSON_CreateObject();

		cJSON_AddStringToObject(j, "entity_type",
		                        o->type == KFK_ADMIN_RESOURCE_TOPIC
		                                ? "topics" : "brokers");
		cJSON_AddStringToObject(j, "entity_name", o->name);
		cJSON_AddItemToObject(j, "configs", json_configs(t));
		rc = json_print(j, CMD);
		kfk_admin_result_destroy(r);
		return rc;
	}
	printf("%s configs for %s %s are:\n", o->all ? "All" : "Dynamic",
	       o->type == KFK_ADMIN_RESOURCE_TOPIC ? "topic" : "broker",
	       o->name);
	n = kfk_admin_topic_config_count(t);
	idx = calloc((size_t)(n ? n : 1), sizeof(*idx));
	if (!idx)
		rc = 1;
	for (int i = 0; idx && i < n; i++)
		idx[i] = i;
	sort_t = t;
	if (idx && n > 1)
		qsort(idx, (size_t)n, sizeof(*idx), cfg_cmp);
	for (int i = 0; idx && i < n; i++) {
		int src;

		kfk_admin_topic_config(t, idx[i], NULL, &src, NULL, NULL);
		if (o->all || dynamic(o->type, src))
			print_entry(t, idx[i]);
	}
	free(idx);
	kfk_admin_result_destroy(r);
	return rc;
}

static int do_alter(kfk_admin *a, const struct cfg_opts *o)
{
	const char *what = o->type == KFK_ADMIN_RESOURCE_TOPIC ? "topic"
	                                                      : "broker";
	kfk_admin_result *r;
	uint64_t id;

	if (kfk_admin_alter_configs(a, o->type, o->name,
	                            (const char *const *)o->set, o->set_cnt,
	                            (const char *const *)o->del, o->del_cnt,
	                            NULL, &id)) {
		cli_err(CMD, "--alter needs --add-config or --delete-config");
		return 2;
	}
	if (!(r = entity_result(a, id, o, "cannot update config for ")))
		return 1;
	printf("Completed updating config for %s %s.\n", what, o->name);
	kfk_admin_result_destroy(r);
	return 0;
}

/* ---- options --------------------------------------------------------------- */

/* Splits a,b,c on commas outside [brackets] (brackets dropped) into *v. */
static int split(const char *arg, char ***v, int *n)
{
	const char *p = arg;

	while (*p) {
		char *item = malloc(strlen(p) + 1), **w;
		int depth = 0, k = 0;

		if (!item)
			return -1;
		for (; *p && (depth || *p != ','); p++) {
			if (*p == '[' || *p == ']') {
				depth += *p == '[' ? 1 : -1;
				continue;
			}
			item[k++] = *p;
		}
		item[k] = '\0';
		if (*p == ',')
			p++;
		if (!(w = realloc(*v, (size_t)(*n + 1) * sizeof(*w)))) {
			free(item);
			return -1;
		}
		w[(*n)++] = item;
		*v = w;
	}
	return 0;
}

enum { O_TYPE = 256, O_NAME, O_TOPIC, O_BROKER, O_DESCRIBE, O_ALTER, O_ADD,
       O_DEL, O_ALL, O_JSON };

/* --add-config's items into name, value pairs. */
static int add_configs(struct cfg_opts *o, const char *arg)
{
	char **items = NULL;
	int n = 0, rc = split(arg, &items, &n);

	for (int i = 0; !rc && i < n; i++) {
		char *eq = strchr(items[i], '='), **w;

		if (!eq || eq == items[i]) {
			cli_err(CMD, "--add-config %s: expected NAME=VALUE", items[i]);
			rc = -1;
			break;
		}
		if (!(w = realloc(o->set, (size_t)(o->set_cnt + 1) * 2 *
		                                  sizeof(*w)))) {
			rc = -1;
			break;
		}
		o->set = w;
		*eq = '\0';
		w[2 * o->set_cnt] = strdup(items[i]);
		w[2 * o->set_cnt + 1] = strdup(eq + 1);
		o->set_cnt++;
	}
	for (int i = 0; i < n; i++)
		free(items[i]);
	free(items);
	return rc;
}

static int option(int c, char *arg, void *ctx)
{
	struct cfg_opts *o = ctx;

	switch (c) {
	case O_TYPE:
		if (!strcmp(arg, "topics"))
			o->type = KFK_ADMIN_RESOURCE_TOPIC;
		else if (!strcmp(arg, "brokers"))
			o->type = KFK_ADMIN_RESOURCE_BROKER;
		else {
			cli_err(CMD, "--entity-type %s: topics or brokers (kfk "
			             "does not do the others yet)", arg);
			return -1;
		}
		return 0;
	case O_NAME: o->name = arg; return 0;
	case O_TOPIC: o->type = KFK_ADMIN_RESOURCE_TOPIC; o->name = arg; return 0;
	case O_BROKER:
		o->type = KFK_ADMIN_RESOURCE_BROKER;
		o->name = arg;
		return 0;
	case O_DESCRIBE: o->describe = true; return 0;
	case O_ALTER: o->alter = true; return 0;
	case O_ALL: o->all = true; return 0;
	case O_JSON: o->json = true; return 0;
	case O_ADD: return add_configs(o, arg);
	case O_DEL: return split(arg, &o->del, &o->del_cnt);
	default: return -1;
	}
}

static void free_opts(struct cfg_opts *o)
{
	for (int i = 0; i < 2 * o->set_cnt; i++)
		free(o->set[i]);
	free(o->set);
	for (int i = 0; i < o->del_cnt; i++)
		free(o->del[i]);
	free(o->del);
}

int cli_configs(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"bootstrap-server", required_argument, NULL, 'b'},
		{"command-property", required_argument, NULL, 'X'},
		{"command-config", required_argument, NULL, 'F'},
		{"help", no_argument, NULL, 'h'},
		{"entity-type", required_argument, NULL, O_TYPE},
		{"entity-name", required_argument, NULL, O_NAME},
		{"topic", required_argument, NULL, O_TOPIC},
		{"broker", required_argument, NULL, O_BROKER},
		{"describe", no_argument, NULL, O_DESCRIBE},
		{"alter", no_argument, NULL, O_ALTER},
		{"add-config", required_argument, NULL, O_ADD},
		{"delete-config", required_argument, NULL, O_DEL},
		{"all", no_argument, NULL, O_ALL},
		{"json", no_argument, NULL, O_JSON},
		{NULL, 0, NULL, 0},
	};
	struct cfg_opts o = { 0 };
	kfk_conf *conf = kfk_conf_new();
	kfk_admin *a;
	int rc = cli_admin_options(CMD, argc, argv, ":b:X:F:h", longopts, conf,
	                           option, &o);

	if (!rc && (o.describe == o.alter || !o.type || !o.name)) {
		cli_err(CMD, "one of --describe or --alter is needed, and the "
		             "entity (--entity-type and --entity-name, --topic or "
		             "--broker)");
		rc = -1;
	}
	if (rc) {
		usage(rc > 0 ? stdout : stderr);
		kfk_conf_destroy(conf);
		free_opts(&o);
		return rc > 0 ? 0 : 2;
	}
	if (!(a = cli_admin_open(CMD, conf))) {
		free_opts(&o);
		return 2;
	}
	rc = o.describe ? do_describe(a, &o) : do_alter(a, &o);
	kfk_admin_destroy(a);
	free_opts(&o);
	return rc;
}
