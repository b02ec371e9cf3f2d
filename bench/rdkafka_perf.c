/*
 * bench/rdkafka_perf: the librdkafka twin of `kfk perf produce` and, as
 * `rdkafka_perf consume`, of `kfk perf consume`. Same options, same
 * payload, same pacing and polling, same progress line and JSON (all in
 * tools/cli/perf_stats.c); only the client is Debian's librdkafka, so
 * bench/compare-producer and bench/compare-consumer can run both on one
 * workload and compare them line by line.
 *
 * librdkafka is given its fastest ordinary path: a topic handle made once
 * and rd_kafka_produce() with RD_KAFKA_MSG_F_COPY (kfk copies as well),
 * reports through dr_msg_cb inside rd_kafka_poll(), rd_kafka_flush() at the
 * end. -X name=value goes to rd_kafka_conf_set(), which knows the Java
 * names (linger.ms, acks, compression.type, batch.size, ...) as aliases.
 *
 * The consumer reads as kfk's does, without a group: librdkafka's
 * rd_kafka_assign() needs a group.id (and would then look up a
 * coordinator), so the twin uses its group-less path, the one
 * rdkafka_performance -C uses: every partition started at
 * OFFSET_BEGINNING on one queue, served with rd_kafka_consume_batch_queue()
 * in batches of at most 1024 with a 100 ms timeout (kfk perf consume's
 * kfk_consumer_poll_batch() call). Per record it reads the key and value
 * lengths and nothing else, as kfk perf consume does.
 *
 * One step kfk's side does not have: the topic's metadata is asked for
 * before the partitions start. A partition started while its leader is
 * unknown waits for librdkafka's offset query timer (500 ms) before its
 * ListOffsets, which would be half of a 2M-record run; an application
 * that cares avoids it the same way. The clock starts before that
 * request, so the twin is not spared its round trip.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <librdkafka/rdkafka.h>

#include "perf_stats.h"

#define RP_PROG "rdkafka_perf"
#define RP_CONSUME_PROG "rdkafka_perf consume"
#define RP_BATCH 1024 /* messages per poll, as kfk perf consume */

struct rp_ctx {
	rd_kafka_t *rk;
	rd_kafka_topic_t *rkt;
};

static enum perf_produce_rc rp_produce(void *ctx, const void *key,
                                       size_t key_len, const void *value,
                                       size_t value_len, void *opaque,
                                       char *errstr, size_t errstr_size)
{
	struct rp_ctx *c = ctx;
	rd_kafka_resp_err_t err;

	if (rd_kafka_produce(c->rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY,
	                     (void *)value, value_len, key, key_len,
	                     opaque) == 0)
		return PERF_PRODUCED;
	err = rd_kafka_last_error();
	if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL)
		return PERF_QUEUE_FULL;
	snprintf(errstr, errstr_size, "%s (%s)", rd_kafka_err2str(err),
	         rd_kafka_err2name(err));
	return PERF_FAILED;
}

static void rp_poll(void *ctx, int timeout_ms)
{
	struct rp_ctx *c = ctx;

	rd_kafka_poll(c->rk, timeout_ms);
}

static void rp_flush(void *ctx, int timeout_ms)
{
	struct rp_ctx *c = ctx;

	(void)rd_kafka_flush(c->rk, timeout_ms); /* the caller counts */
}

static void rp_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m,
                        void *opaque)
{
	char why[256];

	if (m->err)
		snprintf(why, sizeof(why), "%s (%s)", rd_kafka_err2str(m->err),
		         rd_kafka_err2name(m->err));
	perf_report(opaque, m->_private, m->err ? why : NULL);
}

static int rp_set(void *ctx, const char *name, const char *value)
{
	char err[512];

	if (rd_kafka_conf_set(ctx, name, value, err, sizeof(err)) ==
	    RD_KAFKA_CONF_OK)
		return 0;
	fprintf(stderr, "%s: %s\n", RP_PROG, err);
	return -1;
}

/* The conf from -b, then -X and -F in their order; NULL (message printed)
 * when a property is refused. Used by both modes. */
static rd_kafka_conf_t *rp_conf(const struct perf_opts *o)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	char err[512];
	size_t i;
	int rc;

	if (rp_set(conf, "bootstrap.servers", o->brokers))
		goto fail;
	for (i = 0; i < o->prop_cnt; i++) {
		const struct perf_prop *pr = &o->props[i];
		if (pr->kind == 'X') {
			rc = rp_set(conf, pr->name, pr->value);
		} else {
			err[0] = '\0';
			rc = perf_props_file(pr->name, rp_set, conf, err, sizeof(err));
			if (rc && err[0])
				fprintf(stderr, "%s: %s\n", RP_PROG, err);
		}
		if (rc)
			goto fail;
	}
	return conf;
fail:
	rd_kafka_conf_destroy(conf);
	return NULL;
}

/* Creates the producer or consumer (type) and its topic handle; -1
 * (message printed as prog's, nothing left to destroy). conf is consumed. */
static int rp_start(struct rp_ctx *c, rd_kafka_type_t type,
                    rd_kafka_conf_t *conf, const char *topic,
                    const char *prog)
{
	char err[512];

	c->rk = rd_kafka_new(type, conf, err, sizeof(err));
	if (!c->rk) {
		rd_kafka_conf_destroy(conf);
		fprintf(stderr, "%s: %s\n", prog, err);
		return -1;
	}
	c->rkt = rd_kafka_topic_new(c->rk, topic, NULL);
	if (!c->rkt) {
		fprintf(stderr, "%s: topic %s: %s\n", prog, topic,
		        rd_kafka_err2str(rd_kafka_last_error()));
		rd_kafka_destroy(c->rk);
		c->rk = NULL;
		return -1;
	}
	return 0;
}

static int rp_run(const struct perf_opts *o)
{
	struct rp_ctx ctx = {NULL, NULL};
	struct perf_client c = {"librdkafka", rd_kafka_version_str(), &ctx,
	                        rp_produce, rp_poll, rp_flush};
	rd_kafka_conf_t *conf = rp_conf(o);
	struct perf_run *run;
	int rc;

	if (!conf)
		return 2;
	rd_kafka_conf_set_dr_msg_cb(conf, rp_delivery);
	run = perf_run_new(o, RP_PROG);
	if (!run) {
		rd_kafka_conf_destroy(conf);
		return 2;
	}
	rd_kafka_conf_set_opaque(conf, run);
	if (rp_start(&ctx, RD_KAFKA_PRODUCER, conf, o->topic, RP_PROG)) {
		perf_run_destroy(run);
		return 2;
	}
	perf_run_drive(run, &c);
	if (rd_kafka_flush(ctx.rk, -1) != RD_KAFKA_RESP_ERR_NO_ERROR)
		fprintf(stderr, "%s: flush did not complete\n", RP_PROG);
	rd_kafka_topic_destroy(ctx.rkt);
	rd_kafka_destroy(ctx.rk);
	rc = perf_run_finish(run, &c);
	perf_run_destroy(run);
	return rc;
}

/* ---- rdkafka_perf consume ------------------------------------------- */

/* A consumer run: the handle, its topic, the one queue every partition
 * feeds, and which partitions have reported their end (each counts once,
 * as in kfk perf consume). */
struct rp_cons {
	struct rp_ctx h;
	rd_kafka_queue_t *q;
	unsigned char *seen;
	long n, started, ended;
};

static void rp_cons_msg(struct perf_meter *m, struct rp_cons *c,
                        const rd_kafka_message_t *msg)
{
	int32_t p = msg->partition;
	char what[512];

	if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
		if (p >= 0 && p < c->n && !c->seen[p]) {
			c->seen[p] = 1;
			c->ended++;
		}
	} else if (msg->err) {
		snprintf(what, sizeof(what), "%s [%d]: %s",
		         msg->rkt ? rd_kafka_topic_name(msg->rkt) : "", (int)p,
		         rd_kafka_message_errstr(msg));
		perf_meter_error(m, what);
	} else {
		perf_meter_record(m, msg->key_len + msg->len);
	}
}

/* Polls in batches until COUNT records or every partition's end. */
static void rp_cons_read(struct rp_cons *c, const struct perf_opts *o,
                         struct perf_meter *m)
{
	rd_kafka_message_t *msgs[RP_BATCH];
	uint64_t count = (uint64_t)o->count;
	ssize_t i, n;
	size_t max;

	while (m->records < count && c->ended < c->n) {
		max = count - m->records < RP_BATCH ? (size_t)(count - m->records)
		                                    : RP_BATCH;
		n = rd_kafka_consume_batch_queue(c->q, 100, msgs, max);
		for (i = 0; i < n; i++) {
			rp_cons_msg(m, c, msgs[i]);
			rd_kafka_message_destroy(msgs[i]);
		}
		perf_meter_tick(m);
	}
	if (m->records < count)
		fprintf(stderr, "%s: every partition ended after %llu records\n",
		        RP_CONSUME_PROG, (unsigned long long)m->records);
}

/* Creates the consumer, its topic handle and queue; -1 (message
 * printed). conf is consumed. */
static int rp_cons_new(struct rp_cons *c, rd_kafka_conf_t *conf,
                       const char *topic)
{
	if (rp_start(&c->h, RD_KAFKA_CONSUMER, conf, topic, RP_CONSUME_PROG))
		return -1;
	c->q = rd_kafka_queue_new(c->h.rk);
	if (c->q)
		return 0;
	fprintf(stderr, "%s: no queue\n", RP_CONSUME_PROG);
	return -1;
}

/* Learns the partitions' leaders (see the top of the file for why), then
 * starts partitions 0..N-1 at the beginning; -1 (message printed). */
static int rp_cons_start(struct rp_cons *c, const char *topic)
{
	const struct rd_kafka_metadata *md = NULL;
	rd_kafka_resp_err_t err;

	err = rd_kafka_metadata(c->h.rk, 0, c->h.rkt, &md, 10000);
	if (md)
		rd_kafka_metadata_destroy(md);
	if (err)
		goto fail;
	for (; c->started < c->n; c->started++)
		if (rd_kafka_consume_start_queue(c->h.rkt, (int32_t)c->started,
		                                 RD_KAFKA_OFFSET_BEGINNING, c->q)) {
			err = rd_kafka_last_error();
			goto fail;
		}
	return 0;
fail:
	fprintf(stderr, "%s: %s: %s\n", RP_CONSUME_PROG, topic,
	        rd_kafka_err2str(err));
	return -1;
}

/* Stops what rp_cons_start() started and destroys the consumer (which
 * waits for its threads, so their CPU is all counted after). */
static void rp_cons_stop(struct rp_cons *c)
{
	long p;

	for (p = 0; p < c->started; p++)
		rd_kafka_consume_stop(c->h.rkt, (int32_t)p);
	if (c->q)
		rd_kafka_queue_destroy(c->q);
	if (c->h.rkt)
		rd_kafka_topic_destroy(c->h.rkt);
	if (c->h.rk)
		rd_kafka_destroy(c->h.rk);
}

/* Measures from before the consumer is created (CPU) and before the
 * metadata request (the clock) until it is destroyed. conf is consumed. */
static int rp_cons_run(struct rp_cons *c, rd_kafka_conf_t *conf,
                       const struct perf_opts *o)
{
	struct perf_meter m;
	int ok;

	perf_meter_start(&m, o, RP_CONSUME_PROG);
	ok = rp_cons_new(c, conf, o->topic) == 0;
	if (ok) {
		perf_meter_begin(&m);
		ok = rp_cons_start(c, o->topic) == 0;
	}
	if (ok)
		rp_cons_read(c, o, &m);
	rp_cons_stop(c);
	return ok ? perf_meter_finish(&m, "librdkafka", rd_kafka_version_str())
	          : 2;
}

static int rp_consume(const struct perf_opts *o)
{
	struct rp_cons c = {{NULL, NULL}, NULL, NULL, o->partitions, 0, 0};
	rd_kafka_conf_t *conf = rp_conf(o);
	int rc = 2;

	c.seen = calloc((size_t)o->partitions, 1);
	if (conf && c.seen && rp_set(conf, "enable.partition.eof", "true") == 0)
		rc = rp_cons_run(&c, conf, o);
	else if (conf)
		rd_kafka_conf_destroy(conf);
	free(c.seen);
	return rc;
}

/* `rdkafka_perf [options]` produces (as ever), `rdkafka_perf consume
 * [options]` consumes. */
int main(int argc, char **argv)
{
	int consume = argc > 1 && !strcmp(argv[1], "consume");
	struct perf_opts o;
	int rc;

	rc = consume ? perf_opts_parse_consume(&o, RP_CONSUME_PROG, argc - 1,
	                                       argv + 1)
	             : perf_opts_parse(&o, RP_PROG, argc, argv);
	if (rc == 0)
		rc = consume ? rp_consume(&o) : rp_run(&o);
	else
		rc = rc > 0 ? 0 : 2;
	perf_opts_free(&o);
	return rc;
}
