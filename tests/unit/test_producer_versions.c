/*
 * The ProduceRequest version against what a broker lists in ApiVersions
 * (librdkafka's mock cluster, its Produce versions set with `apiversion`):
 * a zstd batch needs Produce v7 (KIP-110; brokers refuse zstd below it), so
 * against a broker that lists Produce v3..v6 it fails at once with
 * KFK_ERR__UNSUPPORTED_FEATURE and nothing is sent, while other codecs go
 * at v6 and zstd goes where v7 is listed.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <kfk/producer.h>

#include "../kt.h"
#include "../mock.h"

#define TOPIC "kt.versions"

/* Produces one record with codec to the mock, after limiting its Produce
 * versions to lo..hi (lo < 0: the mock's own), and returns its report's
 * error (KFK_ERR__TIMED_OUT when no report came). */
static kfk_err produce_one(const char *codec, int lo, int hi)
{
	struct kt_mock *m = kt_mock_start(1, TOPIC ":1:1", NULL);
	char err[256];
	kfk_conf *conf;
	kfk_producer *p;
	kfk_delivery d = KFK_DELIVERY_INIT;
	kfk_err res = KFK_ERR__TIMED_OUT;
	int n;

	KT_ASSERT_MSG(m != NULL, "mockcluster did not start");
	if (lo >= 0)
		KT_ASSERT_MSG(kt_mock_cmd(m, "apiversion Produce %d %d", lo, hi) == 0,
		              "apiversion: %s", kt_mock_reply(m));
	conf = kfk_conf_new();
	KT_ASSERT(conf != NULL);
	KT_ASSERT_INT_EQ(kfk_conf_set(conf, "bootstrap.servers",
	                              kt_mock_bootstrap(m), err, sizeof(err)), 0);
	KT_ASSERT_INT_EQ(kfk_conf_set(conf, "compression.type", codec, err,
	                              sizeof(err)), 0);
	KT_ASSERT_INT_EQ(kfk_conf_set(conf, "linger.ms", "0", err, sizeof(err)),
	                 0);
	KT_ASSERT_INT_EQ(kfk_conf_set(conf, "delivery.timeout.ms", "10000", err,
	                              sizeof(err)), 0);
	p = kfk_producer_new(conf, err, sizeof(err));
	kfk_conf_destroy(conf);
	KT_ASSERT_MSG(p != NULL, "kfk_producer_new: %s", err);
	KT_ASSERT_INT_EQ(kfk_produce(p, TOPIC, 0, "k", 1, "compressible value, "
	                             "compressible value, compressible value",
	                             58, NULL), 0);
	n = kfk_producer_poll_reports(p, &d, 1, 15000);
	if (n == 1)
		res = d.err;
	kt_log("compression.type=%s, broker Produce v%d..v%d: %d report(s), %s",
	       codec, lo, hi, n, n == 1 ? kfk_err_name(d.err) : "none");
	kfk_producer_destroy(p);
	KT_ASSERT_INT_EQ(kt_mock_stop(m), 0);
	return res;
}

KT_TEST(producer_zstd_without_produce_v7_fails_unsent)
{
	KT_ASSERT_INT_EQ(produce_one("zstd", 3, 6), KFK_ERR__UNSUPPORTED_FEATURE);
}

KT_TEST(producer_other_codecs_below_produce_v7_are_sent)
{
	KT_ASSERT_INT_EQ(produce_one("lz4", 3, 6), KFK_ERR_NONE);
	KT_ASSERT_INT_EQ(produce_one("none", 3, 6), KFK_ERR_NONE);
}

KT_TEST(producer_zstd_with_produce_v7_is_sent)
{
	KT_ASSERT_INT_EQ(produce_one("zstd", 3, 7), KFK_ERR_NONE);
}
