/*
 * test_producer_down: every broker of the mock cluster down with
 * delivery.timeout.ms=3000: every record gets exactly one
 * KFK_ERR__MSG_TIMED_OUT report within 4 s of being produced, whether its
 * topic's partitions were known or not, and destroying the producer stays
 * within its documented bound.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kfk/kfk.h>

#include "../kt.h"
#include "producer/sender.h"
#include "../mock.h"
#include "test_producer_util.h"

#define N 2000

static void expect_timed_out(struct pt_reports *r, int from, int to,
                             int64_t produced_ms)
{
	int64_t latest = 0;
	int i;

	for (i = from; i < to; i++) {
		if (r->at_ms[i] - produced_ms > latest)
			latest = r->at_ms[i] - produced_ms;
		KT_ASSERT_INT_EQ(r->count[i], 1);
		KT_ASSERT_MSG(r->err[i] == KFK_ERR__MSG_TIMED_OUT, "record %d: %s",
		              i, kfk_err_name(r->err[i]));
		KT_ASSERT_INT_EQ(r->offset[i], -1);
		KT_ASSERT_MSG(r->at_ms[i] - produced_ms < 4000,
		              "record %d reported after %lld ms", i,
		              (long long)(r->at_ms[i] - produced_ms));
		KT_ASSERT_MSG(r->at_ms[i] - produced_ms >= 2900,
		              "record %d reported after only %lld ms", i,
		              (long long)(r->at_ms[i] - produced_ms));
	}
	kt_log("records %d..%d: the last report came %lld ms after produce",
	       from, to - 1, (long long)latest);
}

KT_TEST(all_brokers_down_every_record_times_out_once)
{
	struct kt_mock *m = kt_mock_start(3, "known:3", NULL);
	struct pt_reports r;
	kfk_producer *p;
	int64_t t0, t1, dt;
	int i;

	KT_ASSERT(m != NULL);
	pt_reports_init(&r, N + 1);
	p = pt_producer(kt_mock_bootstrap(m), &r, "delivery.timeout.ms", "3000",
	                NULL);
	/* One record first: the topic and its leaders are known. */
	KT_ASSERT_INT_EQ(kfk_produce(p, "known", KFK_PARTITION_ANY, "k", 1, "v",
	                             1, pt_id(N)), 0);
	KT_ASSERT_INT_EQ(kfk_producer_flush(p, PT_WAIT_MS), 0);
	KT_ASSERT_INT_EQ(r.err[N], KFK_ERR_NONE);
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "down -1"), 0);
	t0 = kt_now_ms();
	for (i = 0; i < N / 2; i++)
		KT_ASSERT_INT_EQ(kfk_produce(p, "known", KFK_PARTITION_ANY, "k", 1,
		                             "v", 1, pt_id(i)), 0);
	/* A topic never seen: its records wait for metadata that cannot
	 * come. */
	t1 = kt_now_ms();
	for (; i < N; i++)
		KT_ASSERT_INT_EQ(kfk_produce(p, "unknown", KFK_PARTITION_ANY, NULL,
		                             0, "v", 1, pt_id(i)), 0);
	KT_ASSERT_INT_EQ(pt_wait_reports(p, &r, N + 1, 10000), N + 1);
	expect_timed_out(&r, 0, N / 2, t0);
	expect_timed_out(&r, N / 2, N, t1);
	KT_ASSERT_INT_EQ(r.bad_opaque, 0);
	KT_ASSERT_INT_EQ(kfk_producer_outstanding(p), 0);
	/* Nothing more comes. */
	kfk_producer_poll(p, 200);
	KT_ASSERT_INT_EQ(r.total, N + 1);
	t0 = kt_now_ms();
	kfk_producer_destroy(p);
	dt = kt_now_ms() - t0;
	kt_log("destroy took %lld ms", (long long)dt);
	KT_ASSERT_MSG(dt < 2000, "destroy took %lld ms", (long long)dt);
	pt_reports_free(&r);
	kt_mock_stop(m);
}

KT_TEST(destroy_is_bounded_with_records_outstanding)
{
	struct kt_mock *m = kt_mock_start(3, "t:3", NULL);
	struct pt_reports r;
	kfk_producer *p;
	int64_t t0, dt;
	int i;

	KT_ASSERT(m != NULL);
	pt_reports_init(&r, N);
	p = pt_producer(kt_mock_bootstrap(m), &r, NULL);
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "rtt -1 10000"), 0);
	for (i = 0; i < N; i++)
		KT_ASSERT_INT_EQ(kfk_produce(p, "t", KFK_PARTITION_ANY, "k", 1, "v",
		                             1, pt_id(i)), 0);
	kfk_producer_poll(p, 300); /* some are in flight, on a silent broker */
	t0 = kt_now_ms();
	kfk_producer_destroy(p);
	dt = kt_now_ms() - t0;
	kt_log("destroy took %lld ms", (long long)dt);
	KT_ASSERT_MSG(dt < 2000, "destroy took %lld ms", (long long)dt);
	pt_reports_free(&r);
	kt_mock_stop(m);
}

/* The sender never polls: with every broker down and a batch waiting for
 * one (3 s of delivery timeout), it runs a round when something happens
 * (the record, a broker coming up, new metadata, the deadline), not every
 * 50 ms as it did (some 60 rounds in those 3 s). */
KT_TEST(sender_waits_without_polling_while_brokers_are_down)
{
	struct kt_mock *m = kt_mock_start(3, "known:3", NULL);
	struct pt_reports r;
	kfk_producer *p;
	uint64_t rounds;

	KT_ASSERT(m != NULL);
	pt_reports_init(&r, 2);
	p = pt_producer(kt_mock_bootstrap(m), &r, "delivery.timeout.ms", "3000",
	                NULL);
	KT_ASSERT_INT_EQ(kfk_produce(p, "known", KFK_PARTITION_ANY, "k", 1, "v",
	                             1, pt_id(0)), 0);
	KT_ASSERT_INT_EQ(kfk_producer_flush(p, PT_WAIT_MS), 0);
	KT_ASSERT_INT_EQ(r.err[0], KFK_ERR_NONE);
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "down -1"), 0);
	rounds = kfk_producer_sender_rounds(p);
	KT_ASSERT_INT_EQ(kfk_produce(p, "known", KFK_PARTITION_ANY, "k", 1, "v",
	                             1, pt_id(1)), 0);
	KT_ASSERT_INT_EQ(pt_wait_reports(p, &r, 2, 10000), 2);
	KT_ASSERT_INT_EQ(r.err[1], KFK_ERR__MSG_TIMED_OUT);
	rounds = kfk_producer_sender_rounds(p) - rounds;
	kt_log("%llu sender rounds while the record waited 3 s",
	       (unsigned long long)rounds);
	KT_ASSERT_MSG(rounds <= 10, "%llu rounds", (unsigned long long)rounds);
	kfk_producer_destroy(p);
	pt_reports_free(&r);
	kt_mock_stop(m);
}
