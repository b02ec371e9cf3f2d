/*
 * kfk perf produce / consume: the benchmarks, in the manner of
 * librdkafka's rdkafka_performance -P / -C and Kafka's perf tests. The
 * workload, the pacing and the measurements are perf_stats.c's, shared
 * with the librdkafka twin (bench/rdkafka_perf.c); this file only plugs
 * kfk's producer and consumer into them, through the public API like any
 * application.
 */
#include "config.h"

#include <stdint.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "perf_stats.h"

#define PERF_CMD "perf produce"
#define PERF_CONSUME_CMD "perf consume"
#define PERF_BATCH 1024 /* messages per poll of perf consume */

struct perf_kfk {
	kfk_producer *p;
	const char *topic;
};

static enum perf_produce_rc perf_kfk_produce(void *ctx, const void *key,
                                             size_t key_len,
                                             const void *value,
                                             size_t value_len, void *opaque,
                                             char *errstr, size_t errstr_size)
{
	struct perf_kfk *k = ctx;
	kfk_err err = kfk_produce(k->p, k->topic, KFK_PARTITION_ANY, key,
	                          key_len, value, value_len, opaque);

	if (err == KFK_ERR_NONE)
		return PERF_PRODUCED;
	if (err == KFK_ERR__QUEUE_FULL)
		return PERF_QUEUE_FULL;
	snprintf(errstr, errstr_size, "%s (%s)", kfk_err_str(err),
	         kfk_err_name(err));
	return PERF_FAILED;
}

static void perf_kfk_poll(void *ctx, int timeout_ms)
{
	struct perf_kfk *k = ctx;

	kfk_producer_poll(k->p, timeout_ms);
}

static void perf_kfk_flush(void *ctx, int timeout_ms)
{
	struct perf_kfk *k = ctx;

	(void)kfk_producer_flush(k->p, timeout_ms); /* the caller counts */
}

static void perf_kfk_delivery(kfk_producer *p, const kfk_delivery *d,
                              void *opaque)
{
	char why[256];

	if (d->err)
		snprintf(why, sizeof(why), "%s (%s)", kfk_err_str(d->err),
		         kfk_err_name(d->err));
	perf_report(opaque, d->opaque, d->err ? why : NULL);
}

/* Builds the conf from -b, then -X and -F in their order; NULL (message
 * printed as cmd's) when a property is refused. */
static kfk_conf *perf_kfk_conf(const struct perf_opts *o, const char *cmd)
{
	kfk_conf *conf = kfk_conf_new();
	size_t i;
	int rc;

	if (!conf)
		return NULL;
	if (cli_conf_set(conf, cmd, "bootstrap.servers", o->brokers))
		goto fail;
	for (i = 0; i < o->prop_cnt; i++) {
		const struct perf_prop *pr = &o->props[i];
		rc = pr->kind == 'F'
			? cli_conf_load(conf, cmd, pr->name)
			: cli_conf_set(conf, cmd, pr->name, pr->value);
		if (rc)
			goto fail;
	}
	return conf;
fail:
	kfk_conf_destroy(conf);
	return NULL;
}

/* Runs the benchmark with parsed options; returns the exit status. */
static int perf_produce(const struct perf_opts *o)
{
	struct perf_kfk k = {NULL, o->topic};
	struct perf_client c = {"kfk", kfk_version_str(), &k, perf_kfk_produce,
	                        perf_kfk_poll, perf_kfk_flush};
	kfk_conf *conf = perf_kfk_conf(o, PERF_CMD);
	struct perf_run *run;
	char err[512];
	int rc;

	if (!conf)
		return 2;
	kfk_conf_set_delivery_cb(conf, perf_kfk_delivery);
	run = perf_run_new(o, "kfk " PERF_CMD);
	if (!run) {
		kfk_conf_destroy(conf);
		return 2;
	}
	kfk_conf_set_opaque(conf, run);
	k.p = kfk_producer_new(conf, err, sizeof(err));
	kfk_conf_destroy(conf);
	if (!k.p) {
		cli_err(PERF_CMD, "%s", err);
		perf_run_destroy(run);
		return 2;
	}
	perf_run_drive(run, &c);
	if (kfk_producer_flush(k.p, -1) != KFK_ERR_NONE)
		cli_err(PERF_CMD, "flush did not complete");
	kfk_producer_destroy(k.p);
	rc = perf_run_finish(run, &c);
	perf_run_destroy(run);
	return rc;
}

/* ---- perf consume --------------------------------------------------------- */

/* The partitions' end, as far as perf consume is concerned: each counts
 * once, like kfk consume -e. */
struct perf_ends {
	unsigned char *seen;
	long n, ended;
};

static void perf_consume_msg(struct perf_meter *m, struct perf_ends *e,
                             const kfk_message *msg)
{
	kfk_err err = kfk_message_err(msg);
	int32_t p = kfk_message_partition(msg);
	size_t klen = 0, vlen = 0;
	char what[512];

	if (err == KFK_ERR__PARTITION_EOF) {
		if (p >= 0 && p < e->n && !e->seen[p]) {
			e->seen[p] = 1;
			e->ended++;
		}
	} else if (err) {
		snprintf(what, sizeof(what), "%s [%d]: %s", kfk_message_topic(msg),
		         (int)p, kfk_message_errstr(msg));
		perf_meter_error(m, what);
	} else {
		kfk_message_key(msg, &klen);
		kfk_message_value(msg, &vlen);
		perf_meter_record(m, klen + vlen);
	}
}

/* Polls in batches until COUNT records or every partition's end. */
static void perf_consume_read(kfk_consumer *c, const struct perf_opts *o,
                              struct perf_meter *m, struct perf_ends *e)
{
	kfk_message *msgs[PERF_BATCH];
	uint64_t count = (uint64_t)o->count;
	int i, n, max;

	perf_meter_begin(m);
	while (m->records < count && e->ended < e->n) {
		max = count - m->records < PERF_BATCH ? (int)(count - m->records)
		                                      : PERF_BATCH;
		n = kfk_consumer_poll_batch(c, msgs, max, 100);
		for (i = 0; i < n; i++) {
			perf_consume_msg(m, e, msgs[i]);
			kfk_message_destroy(msgs[i]);
		}
		perf_meter_tick(m);
	}
	if (m->records < count)
		fprintf(stderr, "kfk " PERF_CONSUME_CMD ": every partition ended "
		        "after %llu records\n", (unsigned long long)m->records);
}

/* Assigns partitions 0..N-1 from the beginning; -1 (message printed). */
static int perf_consume_assign(kfk_consumer *c, const struct perf_opts *o)
{
	kfk_tplist *l = kfk_tplist_new((int)o->partitions);
	kfk_err err = KFK_ERR__INVALID_ARG;
	int32_t p;

	for (p = 0; l && p < o->partitions; p++)
		if (kfk_tplist_add(l, o->topic, p, KFK_OFFSET_BEGINNING) < 0)
			break;
	if (l && p == o->partitions)
		err = kfk_consumer_assign(c, l);
	if (l)
		kfk_tplist_destroy(l);
	if (err)
		cli_err(PERF_CONSUME_CMD, "assign: %s", kfk_err_str(err));
	return err ? -1 : 0;
}

static int perf_consume(const struct perf_opts *o)
{
	struct perf_ends e = {calloc((size_t)o->partitions, 1), o->partitions, 0};
	kfk_conf *conf = perf_kfk_conf(o, PERF_CONSUME_CMD);
	struct perf_meter m;
	kfk_consumer *c = NULL;
	char err[512];
	int rc = 2;

	if (!conf || !e.seen ||
	    cli_conf_set(conf, PERF_CONSUME_CMD, "enable.partition.eof", "true"))
		goto out;
	perf_meter_start(&m, o, "kfk " PERF_CONSUME_CMD);
	c = kfk_consumer_new(conf, err, sizeof(err));
	if (!c) {
		cli_err(PERF_CONSUME_CMD, "%s", err);
		goto out;
	}
	if (perf_consume_assign(c, o))
		goto out;
	if (o->stall_ms > 0)
		poll(NULL, 0, (int)o->stall_ms); /* a slow application */
	perf_consume_read(c, o, &m, &e);
	kfk_consumer_destroy(c);
	c = NULL;
	rc = perf_meter_finish(&m, "kfk", kfk_version_str());
out:
	if (c)
		kfk_consumer_destroy(c);
	if (conf)
		kfk_conf_destroy(conf);
	free(e.seen);
	return rc;
}

/* ---- the subcommand ----------------------------------------------------- */

static int perf_usage(int help)
{
	fprintf(help ? stdout : stderr,
	        "usage: kfk perf produce -b BROKERS -t TOPIC [options]\n"
	        "       kfk perf consume -b BROKERS -t TOPIC --partitions N [options]\n"
	        "(kfk perf produce --help, kfk perf consume --help show the options)\n");
	return help ? 0 : 2;
}

int cli_perf(int argc, char **argv)
{
	struct perf_opts o;
	int consume, rc;

	if (argc < 2)
		return perf_usage(0);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return perf_usage(1);
	consume = !strcmp(argv[1], "consume");
	if (!consume && strcmp(argv[1], "produce"))
		return perf_usage(0);
	rc = consume ? perf_opts_parse_consume(&o, "kfk " PERF_CONSUME_CMD,
	                                       argc - 1, argv + 1)
	             : perf_opts_parse(&o, "kfk " PERF_CMD, argc - 1, argv + 1);
	if (rc == 0)
		rc = consume ? perf_consume(&o) : perf_produce(&o);
	else
		rc = rc > 0 ? 0 : 2;
	perf_opts_free(&o);
	return rc;
}
