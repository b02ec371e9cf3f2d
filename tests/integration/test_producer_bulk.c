/*
 * test_producer_bulk: 100,000 records through the producer against the
 * mock cluster. Keyed records are read back by kcat exactly once, in
 * produce order per key, each in the partition the Java client chooses;
 * with injected NOT_LEADER_OR_FOLLOWER errors and a broker taken down and
 * up in the middle, every record still arrives and every report is a
 * success.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kfk/kfk.h>

#include "../kt.h"
#include "../mock.h"
#include "producer/hash.h"
#include "test_producer_util.h"

#define N 100000
#define KEYS 1000

/* The Java client's partition for some of the keys, out of 4 partitions
 * (../shared/test-vectors/murmur2-partitions.tsv, column p4). */
static const struct {
	const char *key;
	int32_t p4;
} java_p4[] = {
	{"user-0", 3}, {"user-7919", 2}, {"user-15838", 3}, {"user-23757", 3},
	{"user-31676", 3}, {"user-39595", 0}, {"user-47514", 2},
	{"user-55433", 2}, {"user-63352", 2}, {"user-71271", 2},
	{"user-79190", 3}, {"user-87109", 2}, {"user-95028", 1},
	{"user-102947", 2}, {"user-110866", 0}, {"user-118785", 2},
	{"user-126704", 1}, {"user-134623", 1}, {"user-142542", 1},
	{"user-150461", 0}, {"user-158380", 0}, {"user-166299", 2},
	{"user-174218", 3}, {"user-182137", 2}, {"user-190056", 0},
	{"user-197975", 1}, {"user-205894", 2}, {"user-213813", 0},
	{"user-221732", 3}, {"user-229651", 0}, {"user-237570", 0},
	{"user-245489", 0}, {"user-253408", 2}, {"user-261327", 3},
	{"user-269246", 2}, {"user-277165", 0}, {"user-285084", 2},
	{"user-293003", 1}, {"user-300922", 3}, {"user-308841", 3},
	{"user-316760", 2}, {"user-324679", 2}, {"user-332598", 0},
	{"user-340517", 0}, {"user-348436", 1}, {"user-356355", 0},
	{"user-364274", 0}, {"user-372193", 3}, {"user-380112", 1},
	{"user-388031", 2}, {"user-395950", 2}, {"user-403869", 0},
	{"user-411788", 3}, {"user-419707", 2}, {"user-427626", 0},
	{"user-435545", 1}, {"user-443464", 2}, {"user-451383", 3},
	{"user-459302", 2}, {"user-467221", 2},
};

static void key_of(int i, char *buf, size_t size)
{
	snprintf(buf, size, "user-%d", 7919 * (i % KEYS));
}

static int32_t java_partition(const char *key)
{
	size_t i;

	for (i = 0; i < sizeof(java_p4) / sizeof(java_p4[0]); i++)
		if (strcmp(java_p4[i].key, key) == 0)
			return java_p4[i].p4;
	return kfk_hash_to_positive(kfk_hash_murmur2(key, strlen(key))) % 4;
}

/* Produces record i, serving reports while the queue is full. */
static void produce_one(kfk_producer *p, const char *topic, int i)
{
	char key[32], val[32];
	int64_t deadline = kt_now_ms() + PT_WAIT_MS;
	kfk_err err;

	key_of(i, key, sizeof(key));
	snprintf(val, sizeof(val), "v-%d", i);
	while ((err = kfk_produce(p, topic, KFK_PARTITION_ANY, key, strlen(key),
	                          val, strlen(val), pt_id(i))) ==
	       KFK_ERR__QUEUE_FULL) {
		KT_ASSERT(kt_now_ms() < deadline);
		kfk_producer_poll(p, 10);
	}
	KT_ASSERT_INT_EQ(err, KFK_ERR_NONE);
}

static void check_all_delivered(const struct pt_reports *r)
{
	int i;

	KT_ASSERT_INT_EQ(r->total, N);
	KT_ASSERT_INT_EQ(r->bad_opaque, 0);
	for (i = 0; i < N; i++) {
		KT_ASSERT_INT_EQ(r->count[i], 1);
		KT_ASSERT_MSG(r->err[i] == KFK_ERR_NONE, "record %d: %s", i,
		              kfk_err_name(r->err[i]));
		KT_ASSERT(r->offset[i] >= 0);
	}
}

/* Checks what kcat read: each value's key and partition; *seen counts
 * each record's copies. When `order`, offsets grow with i per key. */
static void check_read_back(const struct pt_topic *t, int *seen, bool order)
{
	int64_t *last = malloc(KEYS * 4 * sizeof(int64_t));
	char key[32];
	int i, k;

	KT_ASSERT(last != NULL);
	for (k = 0; k < KEYS * 4; k++)
		last[k] = -1;
	for (i = 0; i < t->n; i++) {
		const struct pt_rec *rec = &t->v[i];
		int v;
		KT_ASSERT(rec->value && strncmp(rec->value, "v-", 2) == 0);
		v = atoi(rec->value + 2);
		KT_ASSERT(v >= 0 && v < N);
		seen[v]++;
		key_of(v, key, sizeof(key));
		KT_ASSERT(rec->key && strcmp(rec->key, key) == 0);
		KT_ASSERT_INT_EQ(rec->partition, java_partition(key));
		/* kcat prints each partition in offset order. */
		k = v % KEYS;
		if (order && seen[v] == 1) {
			KT_ASSERT_MSG(last[k] < v, "key %s: record %d after %lld",
			              key, v, (long long)last[k]);
			last[k] = v;
		}
	}
	free(last);
}

KT_TEST(keyed_100k_read_back_once_in_order_in_the_java_partition)
{
	struct kt_mock *m = kt_mock_start(3, "bulk:4", NULL);
	struct pt_reports r;
	struct pt_topic t;
	kfk_producer *p;
	int *seen = calloc(N, sizeof(int)), i;
	int64_t t0;

	KT_ASSERT(m != NULL && seen != NULL);
	pt_reports_init(&r, N);
	p = pt_producer(kt_mock_bootstrap(m), &r, NULL);
	t0 = kt_now_ms();
	for (i = 0; i < N; i++)
		produce_one(p, "bulk", i);
	KT_ASSERT_INT_EQ(kfk_producer_flush(p, PT_WAIT_MS), 0);
	kt_log("100,000 records produced and reported in %lld ms",
	       (long long)(kt_now_ms() - t0));
	check_all_delivered(&r);
	for (i = 0; i < N; i++) {
		char key[32];
		key_of(i, key, sizeof(key));
		KT_ASSERT_INT_EQ(r.partition[i], java_partition(key));
	}
	kfk_producer_destroy(p);
	KT_ASSERT_INT_EQ(pt_readback_kcat(kt_mock_bootstrap(m), "bulk", &t), 0);
	KT_ASSERT_INT_EQ(t.n, N);
	check_read_back(&t, seen, true);
	for (i = 0; i < N; i++)
		KT_ASSERT_MSG(seen[i] == 1, "record %d read %d times", i, seen[i]);
	pt_topic_free(&t);
	pt_reports_free(&r);
	free(seen);
	kt_mock_stop(m);
}

KT_TEST(errors_and_a_broker_down_and_up_lose_nothing)
{
	struct kt_mock *m = kt_mock_start(3, "rough:4", NULL);
	struct pt_reports r;
	struct pt_topic t;
	kfk_producer *p;
	int *seen = calloc(N, sizeof(int)), i, dups = 0;
	int64_t t0;

	KT_ASSERT(m != NULL && seen != NULL);
	pt_reports_init(&r, N);
	p = pt_producer(kt_mock_bootstrap(m), &r, "retry.backoff.ms", "50",
	                "reconnect.backoff.max.ms", "1000", NULL);
	/* Broker 1 leads partition 0, the one taken down below. */
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "leader rough 0 1"), 0);
	for (i = 0; i < N; i++) {
		if (i == 20000)
			KT_ASSERT_INT_EQ(kt_mock_cmd(m, "err Produce 6 3"), 0);
		if (i == 40000)
			KT_ASSERT_INT_EQ(kt_mock_cmd(m, "down 1"), 0);
		if (i == 70000) {
			/* Let the sender notice while it is down. */
			t0 = kt_now_ms();
			while (kt_now_ms() - t0 < 500)
				kfk_producer_poll(p, 50);
			KT_ASSERT_INT_EQ(kt_mock_cmd(m, "up 1"), 0);
		}
		produce_one(p, "rough", i);
	}
	KT_ASSERT_INT_EQ(kfk_producer_flush(p, PT_WAIT_MS), 0);
	check_all_delivered(&r);
	kfk_producer_destroy(p);
	KT_ASSERT_INT_EQ(pt_readback_kcat(kt_mock_bootstrap(m), "rough", &t), 0);
	check_read_back(&t, seen, false);
	for (i = 0; i < N; i++) {
		KT_ASSERT_MSG(seen[i] >= 1, "record %d lost", i);
		dups += seen[i] - 1;
	}
	/* Without idempotence a request whose response was lost with the
	 * connection is sent again and may be stored twice. */
	kt_log("%d records read back, %d of them duplicates", t.n, dups);
	pt_topic_free(&t);
	pt_reports_free(&r);
	free(seen);
	kt_mock_stop(m);
}

KT_TEST(one_in_flight_keeps_order_across_retries)
{
	struct kt_mock *m = kt_mock_start(3, "order:4", NULL);
	struct pt_reports r;
	struct pt_topic t;
	kfk_producer *p;
	int *seen = calloc(N, sizeof(int)), i, n = 30000;

	KT_ASSERT(m != NULL && seen != NULL);
	pt_reports_init(&r, N);
	p = pt_producer(kt_mock_bootstrap(m), &r,
	                "max.in.flight.requests.per.connection", "1",
	                "retry.backoff.ms", "20", "batch.size", "2000", NULL);
	for (i = 0; i < n; i++) {
		/* Failures at several points: each time the failed batches
		 * must go again before the ones produced after them. */
		if (i % 7000 == 3000)
			KT_ASSERT_INT_EQ(kt_mock_cmd(m, "err Produce 6 3"), 0);
		produce_one(p, "order", i);
	}
	KT_ASSERT_INT_EQ(kfk_producer_flush(p, PT_WAIT_MS), 0);
	KT_ASSERT_INT_EQ(r.total, n);
	for (i = 0; i < n; i++)
		KT_ASSERT_INT_EQ(r.err[i], KFK_ERR_NONE);
	kfk_producer_destroy(p);
	KT_ASSERT_INT_EQ(pt_readback_kcat(kt_mock_bootstrap(m), "order", &t), 0);
	KT_ASSERT_INT_EQ(t.n, n);
	check_read_back(&t, seen, true);
	for (i = 0; i < n; i++)
		KT_ASSERT_INT_EQ(seen[i], 1);
	pt_topic_free(&t);
	pt_reports_free(&r);
	free(seen);
	kt_mock_stop(m);
}
