/*
 * kfk topics: kafka-topics with kfk's admin client, accepting its flags
 * (--opt value and --opt=value) and printing what it prints:
 *   kfk topics -b HOST:PORT --create --topic T [--partitions N]
 *              [--replication-factor R] [--config k=v]... [--if-not-exists]
 *   kfk topics -b HOST:PORT --list [--topic REGEX] [--exclude-internal]
 *   kfk topics -b HOST:PORT --describe [--topic REGEX] [--exclude-internal]
 *   kfk topics -b HOST:PORT --alter --topic T --partitions N
 *   kfk topics -b HOST:PORT --delete --topic REGEX [--if-exists]
 * --topic is a name, or a regular expression (POSIX extended, matched
 * against the whole name) for everything but --create, as in Kafka.
 * Exit status: 0, 1 when an operation failed, 2 for a usage error.
 */
#include "config.h"

#include <getopt.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "java_hash.h"
#include "json_out.h"
#include "topics_fmt.h"

#define CMD "topics"
#define WAIT_MS 60000

enum action { NONE, CREATE, LIST, DESCRIBE, ALTER, DELETE };

struct opts {
	enum action action;
	const char *topic;
	int32_t partitions;
	int16_t rf;
	const char **cfgs;       /* name, value pairs */
	int cfg_cnt;
	bool if_not_exists, if_exists, exclude_internal, json;
};

static void usage(FILE *f)
{
	fprintf(f,
	"usage: kfk topics -b BROKERS ACTION [options]   (kafka-topics' flags)\n"
	"actions:\n"
	"  --create                     create --topic\n"
	"  --list                       the topics' names\n"
	"  --describe                   partitions, leaders, replicas, ISR,\n"
	"                               configs set on the topic\n"
	"  --alter                      grow --topic to --partitions\n"
	"  --delete                     delete the topics --topic matches\n"
	"options:\n"
	"  -b, --bootstrap-server LIST  brokers (host:port,...)\n"
	"  --topic NAME|REGEX           the topic (a regular expression but\n"
	"                               for --create)\n"
	"  --partitions N               (create, alter)\n"
	"  --replication-factor R       (create)\n"
	"  --config NAME=VALUE          a topic config (create; repeatable)\n"
	"  --if-not-exists, --if-exists no error when there is / is none\n"
	"  --exclude-internal           leave out internal topics\n"
	"  --json                       --list, --describe: one JSON document\n"
	"  -X, --command-property K=V   a client property\n"
	"  -F, --command-config FILE    client properties (Java's format)\n"
	"  -h, --help\n");
}

/* ---- the topics --topic names ------------------------------------------ */

static bool is_pattern(const char *s)
{
	return strpbrk(s, "*?+[](){}|^$\\") != NULL;
}

/* Every topic of the cluster the options select, described. */
static kfk_admin_result *matching(kfk_admin *a, const struct opts *o,
                                  bool need_one)
{
	const char *one[1] = { o->topic };
	bool exact = o->topic && !is_pattern(o->topic);
	kfk_admin_result *r;
	uint64_t id;

	if (kfk_admin_describe_topics(a, exact ? one : NULL, exact, NULL, &id))
		return NULL;
	r = kfk_admin_wait(a, id, WAIT_MS);
	if (!r) {
		cli_err(CMD, "no answer from the cluster in %d s", WAIT_MS / 1000);
		return NULL;
	}
	if (kfk_admin_result_err(r)) {
		cli_err(CMD, "describing topics: %s", kfk_admin_result_errstr(r));
		kfk_admin_result_destroy(r);
		return NULL;
	}
	(void)need_one;
	return r;
}

/* Whether topic t is one the options select. */
static bool selected(const struct opts *o, const kfk_admin_topic *t,
                     const regex_t *re)
{
	if (kfk_admin_topic_err(t))
		return false;
	if (o->exclude_internal && kfk_admin_topic_is_internal(t))
		return false;
	if (re) {
		regmatch_t m;

		return regexec(re, kfk_admin_topic_name(t), 1, &m, 0) == 0 &&
		       m.rm_so == 0 &&
		       m.rm_eo == (regoff_t)strlen(kfk_admin_topic_name(t));
	}
	return true;
}

/* The names selected, into names (malloc'd array of borrowed strings). */
static int select_names(const struct opts *o, const kfk_admin_result *r,
                        const char ***names)
{
	regex_t re;
	bool use_re = o->topic && is_pattern(o->topic);
	int n = 0, cnt = kfk_admin_result_topic_count(r);

	*names = calloc((size_t)(cnt ? cnt : 1), sizeof(**names));
	if (!*names)
		return -1;
	if (use_re && regcomp(&re, o->topic, REG_EXTENDED)) {
		cli_err(CMD, "--topic %s: not a regular expression", o->topic);
		return -1;
	}
	for (int i = 0; i < cnt; i++) {
		const kfk_admin_topic *t = kfk_admin_result_topic(r, i);

		if (selected(o, t, use_re ? &re : NULL))
			(*names)[n++] = kfk_admin_topic_name(t);
	}
	if (use_re)
		regfree(&re);
	return n;
}

/* ---- actions ------------------------------------------------------------- */

/* Waits for id; 0 when it and its one topic succeeded (or failed with
 * ok_err), else says why ("cannot <what> 'T': ...") and returns 1. */
static int wait_item(kfk_admin *a, uint64_t id, kfk_err ok_err,
                     const char *what)
{
	kfk_admin_result *r = kfk_admin_wait(a, id, WAIT_MS);
	int rc = 0;

	if (!r) {
		cli_err(CMD, "no answer from the cluster in %d s", WAIT_MS / 1000);
		return 1;
	}
	for (int i = 0; i < kfk_admin_result_topic_count(r); i++) {
		const kfk_admin_topic *t = kfk_admin_result_topic(r, i);
		kfk_err e = kfk_admin_topic_err(t);

		if (!e || e == ok_err)
			continue;
		cli_err(CMD, "cannot %s '%s': %s (%s)", what,
		        kfk_admin_topic_name(t), kfk_admin_topic_errstr(t),
		        kfk_err_name(e));
		rc = 1;
	}
	if (!kfk_admin_result_topic_count(r) && kfk_admin_result_err(r)) {
		cli_err(CMD, "%s", kfk_admin_result_errstr(r));
		rc = 1;
	}
	kfk_admin_result_destroy(r);
	return rc;
}

static int do_create(kfk_admin *a, const struct opts *o)
{
	kfk_new_topic t = KFK_NEW_TOPIC_INIT;
	uint64_t id;
	int rc;

	t.name = o->topic;
	t.partitions = o->partitions;
	t.replication_factor = o->rf;
	t.configs = o->cfgs;
	t.config_cnt = o->cfg_cnt;
	if (kfk_admin_create_topics(a, &t, 1, NULL, &id)) {
		cli_err(CMD, "--topic '%s': not a topic name", o->topic);
		return 2;
	}
	rc = wait_item(a, id, o->if_not_exists ? KFK_ERR_TOPIC_ALREADY_EXISTS
	                                      : KFK_ERR_NONE,
	               "create topic");
	if (!rc)
		printf("Created topic %s.\n", o->topic);
	return rc;
}

static int do_list(kfk_admin *a, const struct opts *o)
{
	kfk_admin_result *r = matching(a, o, false);
	const char **names;
	int n;

	if (!r)
		return 1;
	n = select_names(o, r, &names);
	if (o->json && n >= 0) {
		cJSON *j = cJSON_CreateArray();

		for (int i = 0; i < n; i++)
			cJSON_AddItemToArray(j, cJSON_CreateString(names[i]));
		n = json_print(j, CMD) ? -1 : n;
	}
	for (int i = 0; !o->json && i < n; i++)
		printf("%s\n", names[i]);
	free(names);
	kfk_admin_result_destroy(r);
	return n < 0;
}

/* Not found: Kafka's words, exit 1 (unless --if-exists). */
static int none_found(const struct opts *o)
{
	if (o->if_exists)
		return 0;
	cli_err(CMD, "Topic '%s' does not exist as expected", o->topic);
	return 1;
}

/* --describe --json: one array of the topics, in name order. */
static int json_topics(const kfk_admin_result *r, const kfk_admin_result *cr,
                       const char **names, int n)
{
	cJSON *j = cJSON_CreateArray();

	for (int i = 0; i < n; i++) {
		const kfk_admin_topic *t = kfk_topics_find(r, names[i]);

		if (t)
			cJSON_AddItemToArray(j, json_topic(
				t, kfk_topics_find(cr, names[i])));
	}
	return json_print(j, CMD);
}

static int do_describe(kfk_admin *a, const struct opts *o)
{
	kfk_admin_result *r = matching(a, o, true), *cr = NULL;
	const char **names;
	int32_t *hashes;
	int *order;
	uint64_t id;
	int n, rc = 0;

	if (!r)
		return 1;
	n = select_names(o, r, &names);
	if (n == 0 && o->topic)
		rc = none_found(o);
	if (n > 0 && !kfk_admin_describe_topic_configs(a, names, n, NULL, &id))
		cr = kfk_admin_wait(a, id, WAIT_MS);
	if (o->json) {
		rc = json_topics(r, cr, names, n) ? 1 : rc;
		n = n < 0 ? n : 0; /* printed */
	}
	/* kafka-topics describes the topics from a HashMap of them sized
	 * for their number, filled in name order: the same order, as its
	 * lines are compared (two topics: a table of 4). */
	order = calloc((size_t)(n > 0 ? n : 1), sizeof(*order));
	hashes = calloc((size_t)(n > 0 ? n : 1), sizeof(*hashes));
	if (order && hashes) {
		for (int i = 0; i < n; i++)
			hashes[i] = java_string_hash(names[i]);
		java_hashmap_order_presized(hashes, n, n, order);
		for (int i = 0; i < n; i++)
			kfk_topics_print(stdout, r, names[order[i]], cr);
	} else if (n > 0) {
		rc = 1;
	}
	free(order);
	free(hashes);
	kfk_admin_result_destroy(cr);
	free(names);
	kfk_admin_result_destroy(r);
	return n < 0 ? 1 : rc;
}

static int do_alter(kfk_admin *a, const struct opts *o)
{
	const char *names[1] = { o->topic };
	uint64_t id;

	if (o->partitions <= 0) {
		cli_err(CMD, "--alter needs --partitions N (more than now)");
		return 2;
	}
	if (kfk_admin_create_partitions(a, names, &o->partitions, 1, NULL,
	                                &id))
		return 2;
	return wait_item(a, id, KFK_ERR_NONE,
	                 "add partitions to");
}

static int do_delete(kfk_admin *a, const struct opts *o)
{
	kfk_admin_result *r = matching(a, o, true);
	const char **names;
	uint64_t id;
	int n, rc;

	if (!r)
		return 1;
	n = select_names(o, r, &names);
	if (n <= 0) {
		rc = n < 0 ? 1 : none_found(o);
	} else if (kfk_admin_delete_topics(a, names, n, NULL, &id)) {
		rc = 1;
	} else {
		rc = wait_item(a, id, KFK_ERR_NONE,
		               "delete topic");
	}
	free(names);
	kfk_admin_result_destroy(r);
	return rc;
}

/* ---- options --------------------------------------------------------------- */

enum { O_CREATE = 256, O_LIST, O_DESCRIBE, O_ALTER, O_DELETE, O_TOPIC,
       O_PARTS, O_RF, O_CONFIG, O_INE, O_IE, O_EXCL, O_JSON };

static int add_config(struct opts *o, char *kv)
{
	char *eq = strchr(kv, '=');
	const char **v;

	if (!eq || eq == kv) {
		cli_err(CMD, "--config %s: expected NAME=VALUE", kv);
		return -1;
	}
	v = realloc(o->cfgs, (size_t)(o->cfg_cnt + 1) * 2 * sizeof(*v));
	if (!v)
		return -1;
	*eq = '\0';
	v[2 * o->cfg_cnt] = kv;
	v[2 * o->cfg_cnt + 1] = eq + 1;
	o->cfgs = v;
	o->cfg_cnt++;
	return 0;
}

static int set_action(struct opts *o, enum action a)
{
	if (o->action != NONE && o->action != a) {
		cli_err(CMD, "only one of --create, --list, --describe, --alter "
		             "and --delete");
		return -1;
	}
	o->action = a;
	return 0;
}

/* One option; 0, -1 usage error, 1 --help. */
static int option(int c, char *arg, void *ctx)
{
	struct opts *o = ctx;
	long v;

	switch (c) {
	case O_CREATE: return set_action(o, CREATE);
	case O_LIST: return set_action(o, LIST);
	case O_DESCRIBE: return set_action(o, DESCRIBE);
	case O_ALTER: return set_action(o, ALTER);
	case O_DELETE: return set_action(o, DELETE);
	case O_TOPIC: o->topic = arg; return 0;
	case O_PARTS:
	case O_RF:
		if (cli_parse_long(arg, 1, c == O_RF ? 32767 : 1000000, &v)) {
			cli_err(CMD, "--%s %s: expected a positive number",
			        c == O_RF ? "replication-factor" : "partitions",
			        arg);
			return -1;
		}
		if (c == O_RF)
			o->rf = (int16_t)v;
		else
			o->partitions = (int32_t)v;
		return 0;
	case O_CONFIG: return add_config(o, arg);
	case O_INE: o->if_not_exists = true; return 0;
	case O_IE: o->if_exists = true; return 0;
	case O_EXCL: o->exclude_internal = true; return 0;
	case O_JSON: o->json = true; return 0;
	default: return -1;
	}
}

static int parse(int argc, char **argv, struct opts *o, kfk_conf *conf)
{
	static const struct option longopts[] = {
		{"bootstrap-server", required_argument, NULL, 'b'},
		{"command-property", required_argument, NULL, 'X'},
		{"command-config", required_argument, NULL, 'F'},
		{"help", no_argument, NULL, 'h'},
		{"create", no_argument, NULL, O_CREATE},
		{"list", no_argument, NULL, O_LIST},
		{"describe", no_argument, NULL, O_DESCRIBE},
		{"alter", no_argument, NULL, O_ALTER},
		{"delete", no_argument, NULL, O_DELETE},
		{"topic", required_argument, NULL, O_TOPIC},
		{"partitions", required_argument, NULL, O_PARTS},
		{"replication-factor", required_argument, NULL, O_RF},
		{"config", required_argument, NULL, O_CONFIG},
		{"if-not-exists", no_argument, NULL, O_INE},
		{"if-exists", no_argument, NULL, O_IE},
		{"exclude-internal", no_argument, NULL, O_EXCL},
		{"json", no_argument, NULL, O_JSON},
		{NULL, 0, NULL, 0},
	};
	int rc = cli_admin_options(CMD, argc, argv, ":b:X:F:h", longopts,
	                           conf, option, o);

	if (rc)
		return rc;
	if (o->action == NONE) {
		cli_err(CMD, "one of --create, --list, --describe, --alter or "
		             "--delete is needed");
		return -1;
	}
	if (!o->topic && (o->action == CREATE || o->action == ALTER ||
	                  o->action == DELETE)) {
		cli_err(CMD, "--topic is needed");
		return -1;
	}
	return 0;
}

int cli_topics(int argc, char **argv)
{
	struct opts o = { .partitions = -1, .rf = -1 };
	kfk_conf *conf = kfk_conf_new();
	kfk_admin *a;
	int rc;

	rc = parse(argc, argv, &o, conf);
	if (rc) {
		usage(rc > 0 ? stdout : stderr);
		kfk_conf_destroy(conf);
		free(o.cfgs);
		return rc > 0 ? 0 : 2;
	}
	a = cli_admin_open(CMD, conf);
	if (!a) {
		free(o.cfgs);
		return 2;
	}
	switch (o.action) {
	case CREATE: rc = do_create(a, &o); break;
	case LIST: rc = do_list(a, &o); break;
	case DESCRIBE: rc = do_describe(a, &o); break;
	case ALTER: rc = do_alter(a, &o); break;
	default: rc = do_delete(a, &o); break;
	}
	kfk_admin_destroy(a);
	free(o.cfgs);
	return rc;
}
