/*
 * kfk metadata: the cluster's brokers, controller, topics and partitions,
 * in kcat -L's layout:
 *   kfk metadata -b HOST:PORT [-t TOPIC]... [-J]
 * Topics come sorted by name (kcat lists them in the broker's order).
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json_out.h"

#define CMD "metadata"
#define WAIT_MS 60000

struct md_opts {
	const char **topics;
	int topic_cnt;
	bool json;
};

static void usage(FILE *f)
{
	fprintf(f,
	"usage: kfk metadata -b BROKERS [-t TOPIC]...   (kcat -L)\n"
	"  -b, --bootstrap-server LIST  brokers (host:port,...)\n"
	"  -t, --topic TOPIC            only this topic (repeatable)\n"
	"  -J, --json                   one JSON document (as kcat -J -L)\n"
	"  -X, --command-property K=V   a client property\n"
	"  -F, --command-config FILE    client properties (Java's format)\n"
	"  -h, --help\n");
}

static void print_ids(const int32_t *ids, int n)
{
	for (int i = 0; i < n; i++)
		printf("%s%d", i ? "," : "", (int)ids[i]);
}

static void print_topic(const kfk_admin_topic *t)
{
	int n = kfk_admin_topic_partition_count(t);

	if (kfk_admin_topic_err(t)) {
		printf("  topic \"%s\" with 0 partitions: Broker: %s\n",
		       kfk_admin_topic_name(t), kfk_admin_topic_errstr(t));
		return;
	}
	printf("  topic \"%s\" with %d partitions:\n", kfk_admin_topic_name(t), n);
	for (int p = 0; p < n; p++) {
		const int32_t *ids;
		int cnt;

		printf("    partition %d, leader %d, replicas: ", p,
		       (int)kfk_admin_topic_partition_leader(t, p));
		cnt = kfk_admin_topic_partition_replicas(t, p, &ids);
		print_ids(ids, cnt);
		printf(", isrs: ");
		cnt = kfk_admin_topic_partition_isr(t, p, &ids);
		print_ids(ids, cnt);
		printf("\n");
	}
}

static void print_metadata(const kfk_admin_result *r, const struct md_opts *o)
{
	int nb = kfk_admin_result_broker_count(r);
	int nt = kfk_admin_result_topic_count(r);

	if (o->topic_cnt == 1)
		printf("Metadata for %s:\n", o->topics[0]);
	else
		printf("Metadata for %s:\n", o->topic_cnt ? "the topics given"
		                                          : "all topics");
	printf(" %d brokers:\n", nb);
	for (int i = 0; i < nb; i++) {
		const char *host;
		int32_t port;
		int32_t id = kfk_admin_result_broker(r, i, &host, &port, NULL);

		printf("  broker %d at %s:%d%s\n", (int)id, host, (int)port,
		       id == kfk_admin_result_controller(r) ? " (controller)" : "");
	}
	printf(" %d topics:\n", nt);
	for (int i = 0; i < nt; i++)
		print_topic(kfk_admin_result_topic(r, i));
}

/* -J: {"cluster_id", "controller", "brokers", "topics"}, as kcat -J -L
 * gives a script the same in one document. */
static int print_json(const kfk_admin_result *r)
{
	cJSON *j = json_cluster(r), *t = cJSON_CreateArray();

	for (int i = 0; i < kfk_admin_result_topic_count(r); i++)
		cJSON_AddItemToArray(t, json_topic(kfk_admin_result_topic(r, i),
		                                   NULL));
	cJSON_AddItemToObject(j, "topics", t);
	return json_print(j, CMD);
}

static int option(int c, char *arg, void *ctx)
{
	struct md_opts *o = ctx;
	const char **v;

	if (c == 'J') {
		o->json = true;
		return 0;
	}
	if (c != 't')
		return -1;
	v = realloc(o->topics, (size_t)(o->topic_cnt + 1) * sizeof(*v));
	if (!v)
		return -1;
	v[o->topic_cnt++] = arg;
	o->topics = v;
	return 0;
}

int cli_metadata(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"bootstrap-server", required_argument, NULL, 'b'},
		{"command-property", required_argument, NULL, 'X'},
		{"command-config", required_argument, NULL, 'F'},
		{"help", no_argument, NULL, 'h'},
		{"topic", required_argument, NULL, 't'},
		{"json", no_argument, NULL, 'J'},
		{NULL, 0, NULL, 0},
	};
	struct md_opts o = { 0 };
	kfk_conf *conf = kfk_conf_new();
	kfk_admin_result *r;
	kfk_admin *a;
	uint64_t id;
	int rc = cli_admin_options(CMD, argc, argv, ":b:X:F:ht:J", longopts,
	                           conf, option, &o);

	if (rc) {
		usage(rc > 0 ? stdout : stderr);
		kfk_conf_destroy(conf);
		free(o.topics);
		return rc > 0 ? 0 : 2;
	}
	a = cli_admin_open(CMD, conf);
	if (!a) {
		free(o.topics);
		return 2;
	}
	rc = 1;
	if (kfk_admin_describe_topics(a, o.topics, o.topic_cnt, NULL, &id))
		cli_err(CMD, "-t: not a topic name");
	else if (!(r = kfk_admin_wait(a, id, WAIT_MS)))
		cli_err(CMD, "no answer from the cluster in %d s", WAIT_MS / 1000);
	else {
		if (kfk_admin_result_err(r))
			cli_err(CMD, "%s", kfk_admin_result_errstr(r));
		else if (o.json) {
			rc = print_json(r);
		} else {
			print_metadata(r, &o);
			rc = 0;
		}
		kfk_admin_result_destroy(r);
	}
	kfk_admin_destroy(a);
	free(o.topics);
	return rc;
}
