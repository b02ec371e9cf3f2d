/*
 * bench/rdkafka_perf: the librdkafka twin of `kfk perf produce`. Same
 * options, same payload, same pacing and polling, same progress line and
 * JSON (all in tools/cli/perf_stats.c); only the producer is Debian's
 * librdkafka, so bench/compare-producer can run both on one workload and
 * compare them line by line.
 *
 * librdkafka is given its fastest ordinary path: a topic handle made once
 * and rd_kafka_produce() with RD_KAFKA_MSG_F_COPY (kfk copies as well),
 * reports through dr_msg_cb inside rd_kafka_poll(), rd_kafka_flush() at the
 * end. -X name=value goes to rd_kafka_conf_set(), which knows the Java
 * names (linger.ms, acks, compression.type, batch.size, ...) as aliases.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "perf_stats.h"

#define RP_PROG "rdkafka_perf"

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
 * when a property is refused. */
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
	rd_kafka_conf_set_dr_msg_cb(conf, rp_delivery);
	return conf;
fail:
	rd_kafka_conf_destroy(conf);
	return NULL;
}

/* Creates the producer and its topic handle; -1 (message printed). */
static int rp_start(struct rp_ctx *c, rd_kafka_conf_t *conf, const char *topic)
{
	char err[512];

	c->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
	if (!c->rk) {
		rd_kafka_conf_destroy(conf);
		fprintf(stderr, "%s: %s\n", RP_PROG, err);
		return -1;
	}
	c->rkt = rd_kafka_topic_new(c->rk, topic, NULL);
	if (!c->rkt) {
		fprintf(stderr, "%s: topic %s: %s\n", RP_PROG, topic,
		        rd_kafka_err2str(rd_kafka_last_error()));
		rd_kafka_destroy(c->rk);
		return -1;
	}
	return 0;
}

static int rp_run(const struct perf_opts *o)
{
	struct rp_ctx ctx = {NULL, NULL};
	struct perf_client c = {"librdkafka", rd_kafka_version_str(), &ctx,
	                        rp_produce, rp_poll};
	rd_kafka_conf_t *conf = rp_conf(o);
	struct perf_run *run;
	int rc;

	if (!conf)
		return 2;
	run = perf_run_new(o, RP_PROG);
	if (!run) {
		rd_kafka_conf_destroy(conf);
		return 2;
	}
	rd_kafka_conf_set_opaque(conf, run);
	if (rp_start(&ctx, conf, o->topic)) {
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

int main(int argc, char **argv)
{
	struct perf_opts o;
	int rc = perf_opts_parse(&o, RP_PROG, argc, argv);

	if (rc == 0)
		rc = rp_run(&o);
	else
		rc = rc > 0 ? 0 : 2;
	perf_opts_free(&o);
	return rc;
}
