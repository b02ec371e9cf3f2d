/*
 * kfk perf produce: the producer benchmark, in the manner of librdkafka's
 * rdkafka_performance -P and Kafka's producer perf test. The workload, the
 * pacing and the measurements are perf_stats.c's, shared with the
 * librdkafka twin (bench/rdkafka_perf.c); this file only plugs kfk's
 * producer into them, through the public API like any application.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "perf_stats.h"

#define PERF_CMD "perf produce"

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
 * printed) when a property is refused. */
static kfk_conf *perf_kfk_conf(const struct perf_opts *o)
{
	kfk_conf *conf = kfk_conf_new();
	size_t i;
	int rc;

	if (!conf)
		return NULL;
	if (cli_conf_set(conf, PERF_CMD, "bootstrap.servers", o->brokers))
		goto fail;
	for (i = 0; i < o->prop_cnt; i++) {
		const struct perf_prop *pr = &o->props[i];
		rc = pr->kind == 'F'
			? cli_conf_load(conf, PERF_CMD, pr->name)
			: cli_conf_set(conf, PERF_CMD, pr->name, pr->value);
		if (rc)
			goto fail;
	}
	kfk_conf_set_delivery_cb(conf, perf_kfk_delivery);
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
	                        perf_kfk_poll};
	kfk_conf *conf = perf_kfk_conf(o);
	struct perf_run *run;
	char err[512];
	int rc;

	if (!conf)
		return 2;
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

int cli_perf(int argc, char **argv)
{
	struct perf_opts o;
	int rc;

	if (argc < 2 || strcmp(argv[1], "produce")) {
		int help = argc >= 2 && (!strcmp(argv[1], "--help") ||
		                         !strcmp(argv[1], "-h"));
		fprintf(help ? stdout : stderr,
		        "usage: kfk perf produce -b BROKERS -t TOPIC [options]\n"
		        "(kfk perf produce --help shows the options)\n");
		return help ? 0 : 2;
	}
	rc = perf_opts_parse(&o, "kfk " PERF_CMD, argc - 1, argv + 1);
	if (rc == 0)
		rc = perf_produce(&o);
	else
		rc = rc > 0 ? 0 : 2;
	perf_opts_free(&o);
	return rc;
}
