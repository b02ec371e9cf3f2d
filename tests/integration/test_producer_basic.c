/*
 * test_producer_basic: the producer against the mock cluster, read back by
 * clients nobody here wrote (python3-kafka, kcat): acks 0/1/all, every
 * compression codec, headers and timestamps, a record over
 * message.max.bytes failing alone, flush and purge, the report fd waking
 * an epoll waiter, null keys filling one partition at a time.
 */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <kfk/kfk.h>

#include "../kt.h"
#include "../mock.h"
#include "producer/hash.h"
#include "producer/sender.h"
#include "test_producer_util.h"

/* Produces n keyed records "k<i%7>" = "<prefix>-<i>" to topic. */
static void produce_n(kfk_producer *p, const char *topic, int n,
                      const char *prefix)
{
	char key[16], val[64];
	int i;

	for (i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "k%d", i % 7);
		snprintf(val, sizeof(val), "%s-%d", prefix, i);
		KT_ASSERT_INT_EQ(kfk_produce(p, topic, KFK_PARTITION_ANY, key,
		                             strlen(key), val, strlen(val),
		                             pt_id(i)), 0);
	}
}

/* Every record of topic read back exactly once, values "<prefix>-<i>". */
static void check_values(const struct pt_topic *t, int n, const char *prefix)
{
	char *seen = calloc((size_t)n, 1);
	int i, plen = (int)strlen(prefix);

	KT_ASSERT(seen != NULL);
	KT_ASSERT_INT_EQ(t->n, n);
	for (i = 0; i < t->n; i++) {
		const struct pt_rec *r = &t->v[i];
		int v;
		KT_ASSERT(r->value && r->value_len > plen + 1);
		KT_ASSERT(strncmp(r->value, prefix, (size_t)plen) == 0);
		v = atoi(r->value + plen + 1);
		KT_ASSERT(v >= 0 && v < n);
		KT_ASSERT_MSG(!seen[v], "record %d read twice", v);
		seen[v] = 1;
	}
	free(seen);
}

static struct kt_mock *mock_start(void)
{
	struct kt_mock *m = kt_mock_start(3, "acks0:3", "acks1:3", "acksall:3",
	                                  "hdr:1", "big:2", "flush:2",
	                                  "purge:2", "fd:1", "sticky:4",
	                                  "c-none:2", "c-gzip:2", "c-snappy:2",
	                                  "c-lz4:2", "c-zstd:2", "nonretry:1", NULL);
	KT_ASSERT(m != NULL);
	return m;
}

/* ------------------------------------------------------------------ */

static void acks_case(void *arg)
{
	const char **a = arg;
	struct kt_mock *m = mock_start();
	struct pt_reports r;
	struct pt_topic t;
	kfk_producer *p;
	int i, n = 300;

	pt_reports_init(&r, n);
	p = pt_producer(kt_mock_bootstrap(m), &r, "acks", a[0], NULL);
	produce_n(p, a[1], n, "a");
	KT_ASSERT_INT_EQ(kfk_producer_flush(p, PT_WAIT_MS), 0);
	KT_ASSERT_INT_EQ(r.total, n);
	KT_ASSERT_INT_EQ(r.bad_opaque, 0);
	KT_ASSERT_INT_EQ(kfk_producer_outstanding(p), 0);
	for (i = 0; i < n; i++) {
		KT_ASSERT_INT_EQ(r.count[i], 1);
		KT_ASSERT_INT_EQ(r.err[i], KFK_ERR_NONE);
		KT_ASSERT(r.partition[i] >= 0 && r.partition[i] < 3);
		if (strcmp(a[0], "0") == 0)
			KT_ASSERT_INT_EQ(r.offset[i], -1);
		else
			KT_ASSERT(r.offset[i] >= 0);
	}
	kfk_producer_destroy(p);
	KT_ASSERT_INT_EQ(pt_readback_kcat(kt_mock_bootstrap(m), a[1], &t), 0);
	check_values(&t, n, "a");
	pt_topic_free(&t);
	pt_reports_free(&r);
	kt_mock_stop(m);
}

KT_TEST(acks_0_1_all_each_deliver)
{
	static const char *cases[3][2] = {
		{ "0", "acks0" }, { "1", "acks1" }, { "all", "acksall" } };
	int i;

	for (i = 0; i < 3; i++)
		kt_subtest(acks_case, (void *)cases[i], "acks=%s", cases[i][0]);
}

/* ------------------------------------------------------------------ */

struct codec_case {
	const char *codec;
	const char *topic;
	const char *pymodule; /* what python3-kafka needs for it, or NULL */
};

static void codec_case(void *arg)
{
	const struct codec_case *c = arg;
	struct kt_mock *m = mock_start();
	struct pt_reports r;
	struct pt_topic t;
	kfk_producer *p;
	int i, n = 2000;

	pt_reports_init(&r, n);
	p = pt_producer(kt_mock_bootstrap(m), &r, "compression.type", c->codec,
	                "linger.ms", "50", NULL);
	produce_n(p, c->topic, n, "compressible-compressible-value");
	KT_ASSERT_INT_EQ(kfk_producer_flush(p, PT_WAIT_MS), 0);
	for (i = 0; i < n; i++)
		KT_ASSERT_INT_EQ(r.err[i], KFK_ERR_NONE);
	KT_ASSERT_INT_EQ(r.total, n);
	kfk_producer_destroy(p);

	KT_ASSERT_INT_EQ(pt_readback_kcat(kt_mock_bootstrap(m), c->topic, &t), 0);
	check_values(&t, n, "compressible-compressible-value");
	pt_topic_free(&t);
	if (!c->pymodule || pt_python_has(c->pymodule)) {
		KT_ASSERT_INT_EQ(pt_readback_python(kt_mock_bootstrap(m),
		                                    c->topic, 2, &t), 0);
		check_values(&t, n, "compressible-compressible-value");
		pt_topic_free(&t);
	} else {
		kt_log("python3-kafka cannot read %s without python's %s "
		       "(Debian python3-%s): checked with kcat only", c->codec,
		       c->pymodule, c->pymodule);
	}
	pt_reports_free(&r);
	kt_mock_stop(m);
}

KT_TEST(each_codec_is_read_back_by_kcat_and_python)
{
	static const struct codec_case cases[] = {
		{ "none", "c-none", NULL },
		{ "gzip", "c-gzip", NULL },
		{ "snappy", "c-snappy", "snappy" },
		{ "lz4", "c-lz4", "lz4" },
		{ "zstd", "c-zstd", "zstandard" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		kt_subtest(codec_case, (void *)&cases[i], "compression.type=%s",
		           cases[i].codec);
}

KT_TEST(headers_and_timestamps_survive)
{
	struct kt_mock *m = mock_start();
	struct pt_reports r;
	struct pt_topic t;
	kfk_producer *p;
	kfk_header h[3] = {
		{ "h1", "one", 3 },
		{ "empty", "", 0 },
		{ "nullv", NULL, 0 },
	};
	kfk_record rec = KFK_RECORD_INIT;
	int i;

	if (!pt_python_has("kafka"))
		kt_skip("python3-kafka missing (Debian python3-kafka)");
	pt_reports_init(&r, 3);
	p = pt_producer(kt_mock_bootstrap(m), &r, NULL);
	for (i = 0; i < 3; i++) {
		rec.topic = "hdr";
		rec.partition = 0;
		rec.key = i == 2 ? NULL : "key";
		rec.key_len = i == 2 ? 0 : 3;
		rec.value = i == 1 ? NULL : "val";
		rec.value_len = i == 1 ? 0 : 3;
		rec.headers = i == 0 ? h : NULL;
		rec.header_cnt = i == 0 ? 3 : 0;
		rec.timestamp = 1600000000000LL + i * 1111;
		rec.opaque = pt_id(i);
		KT_ASSERT_INT_EQ(kfk_produce_record(p, &rec), 0);
	}
	KT_ASSERT_INT_EQ(kfk_producer_flush(p, PT_WAIT_MS), 0);
	for (i = 0; i < 3; i++) {
		KT_ASSERT_INT_EQ(r.err[i], 0);
		KT_ASSERT_INT_EQ(r.offset[i], i);
		/* librdkafka's mock answers every Produce with LogAppendTime
		 * 1234 (a real broker sends -1 for a CreateTime topic), and a
		 * report carries the log append time when there is one. */
		KT_ASSERT_INT_EQ(r.timestamp[i], 1234);
	}
	kfk_producer_destroy(p);
	KT_ASSERT_INT_EQ(pt_readback_python(kt_mock_bootstrap(m), "hdr", 1, &t), 0);
	KT_ASSERT_INT_EQ(t.n, 3);
	/* h1:one, empty:"" (readback.py writes '=' for empty), nullv:null */
	KT_ASSERT_STR_EQ(t.v[0].headers, "6831:6f6e65,656d707479:=,6e756c6c76:-");
	KT_ASSERT_STR_EQ(t.v[1].headers, "-");
	for (i = 0; i < 3; i++)
		KT_ASSERT_INT_EQ(t.v[i].timestamp, 1600000000000LL + i * 1111);
	KT_ASSERT_INT_EQ(t.v[0].key_len, 3);
	KT_ASSERT_STR_EQ(t.v[0].value, "val");
	KT_ASSERT(t.v[1].value == NULL);        /* a tombstone */
	KT_ASSERT(t.v[2].key == NULL);          /* a null key */
	pt_topic_free(&t);
	pt_reports_free(&r);
	kt_mock_stop(m);
}

KT_TEST(record_over_message_max_bytes_fails_alone)
{
	struct kt_mock *m = mock_start();
	struct pt_reports r;
	struct pt_topic t;
	kfk_producer *p;
	static char big[20000];
	char val[32];
	int i, n = 20;

	pt_reports_init(&r, n);
	p = pt_producer(kt_mock_bootstrap(m), &r, "message.max.bytes", "10000",
	                NULL);
	memset(big, 'B', sizeof(big));
	for (i = 0; i < n; i++) {
		snprintf(val, sizeof(val), "ok-%d", i);
		KT_ASSERT_INT_EQ(kfk_produce(p, "big", KFK_PARTITION_ANY, NULL, 0,
		                             val, strlen(val), pt_id(i)), 0);
		if (i == 10)
			KT_ASSERT_INT_EQ(kfk_produce(p, "big", KFK_PARTITION_ANY,
			                             NULL, 0, big, sizeof(big),
			                             NULL),
			                 KFK_ERR__MSG_SIZE_TOO_LARGE);
	}
	KT_ASSERT_INT_EQ(kfk_producer_flush(p, PT_WAIT_MS), 0);
	KT_ASSERT_INT_EQ(r.total, n);
	for (i = 0; i < n; i++)
		KT_ASSERT_INT_EQ(r.err[i], KFK_ERR_NONE);
	kfk_producer_destroy(p);
	KT_ASSERT_INT_EQ(pt_readback_kcat(kt_mock_bootstrap(m), "big", &t), 0);
	check_values(&t, n, "ok");
	pt_topic_free(&t);
	pt_reports_free(&r);
	kt_mock_stop(m);
}

KT_TEST(flush_sends_without_waiting_for_linger)
{
	struct kt_mock *m = mock_start();
	struct pt_reports r;
	kfk_producer *p;
	int64_t t0;
	int n = 50;

	pt_reports_init(&r, n);
	/* A linger far beyond the test's patience: only flush sends. */
	p = pt_producer(kt_mock_bootstrap(m), &r, "linger.ms", "600000", NULL);
	produce_n(p, "flush", n, "f");
	KT_ASSERT_INT_EQ(kfk_producer_outstanding(p), n);
	KT_ASSERT_INT_EQ(kfk_producer_poll(p, 300), 0); /* lingering */
	t0 = kt_now_ms();
	KT_ASSERT_INT_EQ(kfk_producer_flush(p, PT_WAIT_MS), 0);
	KT_ASSERT(kt_now_ms() - t0 < PT_WAIT_MS);
	KT_ASSERT_INT_EQ(r.total, n);
	KT_ASSERT_INT_EQ(kfk_producer_outstanding(p), 0);
	/* A flush with nothing outstanding returns at once. */
	KT_ASSERT_INT_EQ(kfk_producer_flush(p, 0), 0);
	kfk_producer_destroy(p);
	pt_reports_free(&r);
	kt_mock_stop(m);
}

/* A batch that opens tells the sender when its linger ends; a sender that
 * will run by then anyway is not woken for it. 1,000 records to 1,000
 * partitions used to wake the control loop for a round per batch (one
 * round per record here: 300 to 1,000 of them); now the first batch's
 * linger timer carries the rest. Every record still goes when its linger
 * ends, not later. */
KT_TEST(opening_batches_does_not_wake_the_sender_for_each)
{
	struct kt_mock *m = kt_mock_start(1, "wide:1000", NULL);
	struct pt_reports r;
	kfk_producer *p;
	uint64_t rounds;
	int64_t t0, dt;
	int i, n = 1000;

	KT_ASSERT(m != NULL);
	pt_reports_init(&r, n + 1);
	p = pt_producer(kt_mock_bootstrap(m), &r, "linger.ms", "500", NULL);
	/* Metadata known first. */
	KT_ASSERT_INT_EQ(kfk_produce(p, "wide", 0, NULL, 0, "v", 1, pt_id(n)),
	                 0);
	KT_ASSERT_INT_EQ(kfk_producer_flush(p, PT_WAIT_MS), 0);
	KT_ASSERT_INT_EQ(r.err[n], KFK_ERR_NONE);
	rounds = kfk_producer_sender_rounds(p);
	t0 = kt_now_ms();
	for (i = 0; i < n; i++)
		KT_ASSERT_INT_EQ(kfk_produce(p, "wide", i, NULL, 0, "v", 1,
		                             pt_id(i)), 0);
	rounds = kfk_producer_sender_rounds(p) - rounds;
	KT_ASSERT_INT_EQ(pt_wait_reports(p, &r, n + 1, PT_WAIT_MS), n + 1);
	dt = kt_now_ms() - t0;
	kt_log("%llu sender rounds for %d batches opened; all delivered in "
	       "%lld ms", (unsigned long long)rounds, n, (long long)dt);
	KT_ASSERT_MSG(rounds <= 20, "%llu rounds", (unsigned long long)rounds);
	KT_ASSERT_MSG(dt >= 450, "delivered after %lld ms", (long long)dt);
	KT_ASSERT_MSG(dt < 500 + 2000, "delivered after %lld ms",
	              (long long)dt);
	for (i = 0; i < n; i++) {
		KT_ASSERT_INT_EQ(r.err[i], KFK_ERR_NONE);
		KT_ASSERT_INT_EQ(r.partition[i], i);
	}
	kfk_producer_destroy(p);
	pt_reports_free(&r);
	kt_mock_stop(m);
}

KT_TEST(flush_times_out_while_records_cannot_go)
{
	struct kt_mock *m = mock_start();
	struct pt_reports r;
	kfk_producer *p;
	int64_t t0, dt;
	int n = 10;

	pt_reports_init(&r, n);
	p = pt_producer(kt_mock_bootstrap(m), &r, NULL);
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "down -1"), 0);
	produce_n(p, "flush", n, "x");
	t0 = kt_now_ms();
	KT_ASSERT_INT_EQ(kfk_producer_flush(p, 300), KFK_ERR__TIMED_OUT);
	dt = kt_now_ms() - t0;
	KT_ASSERT_MSG(dt >= 299 && dt < 5000, "flush took %lld ms", (long long)dt);
	KT_ASSERT_INT_EQ(kfk_producer_outstanding(p), n);
	kfk_producer_destroy(p); /* drops them, bounded */
	pt_reports_free(&r);
	kt_mock_stop(m);
}

KT_TEST(purge_fails_queued_and_in_flight_records)
{
	struct kt_mock *m = mock_start();
	struct pt_reports r;
	kfk_producer *p;
	int i, n = 41;

	pt_reports_init(&r, n);
	p = pt_producer(kt_mock_bootstrap(m), &r, "linger.ms", "600000", NULL);
	/* Record 0 goes first, so that metadata and the leader's connection
	 * are there before the broker slows down. */
	KT_ASSERT_INT_EQ(kfk_produce(p, "purge", 0, "k", 1, "v", 1, pt_id(0)), 0);
	KT_ASSERT_INT_EQ(kfk_producer_flush(p, PT_WAIT_MS), 0);
	KT_ASSERT_INT_EQ(r.err[0], KFK_ERR_NONE);
	/* Queued: records 1..20 linger in open batches. */
	for (i = 1; i <= 20; i++)
		KT_ASSERT_INT_EQ(kfk_produce(p, "purge", i % 2, "k", 1, "v", 1,
		                             pt_id(i)), 0);
	KT_ASSERT_INT_EQ(kfk_producer_purge(p, KFK_PURGE_INFLIGHT), 0);
	KT_ASSERT_INT_EQ(kfk_producer_purge(p, KFK_PURGE_QUEUED), 20);
	KT_ASSERT_INT_EQ(pt_wait_reports(p, &r, 21, PT_WAIT_MS), 21);
	for (i = 1; i <= 20; i++) {
		KT_ASSERT_INT_EQ(r.count[i], 1);
		KT_ASSERT_INT_EQ(r.err[i], KFK_ERR__PURGED);
		KT_ASSERT_INT_EQ(r.offset[i], -1);
	}
	KT_ASSERT_INT_EQ(kfk_producer_outstanding(p), 0);
	/* In flight: every response delayed by 5 s. */
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "rtt -1 5000"), 0);
	for (i = 21; i < n; i++)
		KT_ASSERT_INT_EQ(kfk_produce(p, "purge", 0, "k", 1, "v", 1,
		                             pt_id(i)), 0);
	/* flush would wait 5 s: a short one sends them and times out. */
	KT_ASSERT_INT_EQ(kfk_producer_flush(p, 200), KFK_ERR__TIMED_OUT);
	KT_ASSERT_INT_EQ(kfk_producer_purge(p, KFK_PURGE_QUEUED), 0);
	KT_ASSERT_INT_EQ(kfk_producer_purge(p, KFK_PURGE_INFLIGHT), 20);
	KT_ASSERT_INT_EQ(pt_wait_reports(p, &r, n, PT_WAIT_MS), n);
	for (i = 21; i < n; i++) {
		KT_ASSERT_INT_EQ(r.count[i], 1);
		KT_ASSERT_INT_EQ(r.err[i], KFK_ERR__PURGED);
	}
	/* The late response changes nothing. */
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "rtt -1 0"), 0);
	KT_ASSERT_INT_EQ(kfk_producer_flush(p, PT_WAIT_MS), 0);
	KT_ASSERT_INT_EQ(r.total, n);
	for (i = 0; i < n; i++)
		KT_ASSERT_INT_EQ(r.count[i], 1);
	kfk_producer_destroy(p);
	pt_reports_free(&r);
	kt_mock_stop(m);
}

KT_TEST(report_fd_wakes_an_epoll_waiter)
{
	struct kt_mock *m = mock_start();
	struct epoll_event ev = { .events = EPOLLIN }, got;
	kfk_delivery d[4] = {KFK_DELIVERY_INIT};
	kfk_producer *p;
	kfk_conf *conf = kfk_conf_new();
	char err[256];
	int ep, fd;

	KT_ASSERT_INT_EQ(kfk_conf_set(conf, "bootstrap.servers",
	                              kt_mock_bootstrap(m), err, sizeof(err)), 0);
	p = kfk_producer_new(conf, err, sizeof(err)); /* no callback: pull */
	kfk_conf_destroy(conf);
	KT_ASSERT(p != NULL);
	fd = kfk_producer_fd(p);
	KT_ASSERT(fd >= 0);
	ep = epoll_create1(EPOLL_CLOEXEC);
	KT_ASSERT_INT_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev), 0);
	KT_ASSERT_INT_EQ(epoll_wait(ep, &got, 1, 0), 0);
	KT_ASSERT_INT_EQ(kfk_produce(p, "fd", 0, "k", 1, "v", 1, pt_id(7)), 0);
	KT_ASSERT_INT_EQ(epoll_wait(ep, &got, 1, PT_WAIT_MS), 1);
	KT_ASSERT_INT_EQ(kfk_producer_poll_reports(p, d, 4, 0), 1);
	KT_ASSERT_INT_EQ(d[0].err, 0);
	KT_ASSERT_STR_EQ(d[0].topic, "fd");
	KT_ASSERT_INT_EQ(d[0].partition, 0);
	KT_ASSERT_INT_EQ(d[0].offset, 0);
	KT_ASSERT(d[0].opaque == pt_id(7));
	KT_ASSERT_INT_EQ(epoll_wait(ep, &got, 1, 0), 0);
	close(ep);
	kfk_producer_destroy(p);
	kt_mock_stop(m);
}

KT_TEST(null_keys_fill_one_partition_at_a_time)
{
	struct kt_mock *m = mock_start();
	struct pt_reports r;
	kfk_producer *p;
	char val[100];
	int i, n = 20000, switches = 0, used[4] = { 0 };

	pt_reports_init(&r, n);
	p = pt_producer(kt_mock_bootstrap(m), &r, NULL);
	memset(val, 'v', sizeof(val));
	for (i = 0; i < n; i++) {
		while (kfk_produce(p, "sticky", KFK_PARTITION_ANY, NULL, 0, val,
		                   sizeof(val), pt_id(i)) == KFK_ERR__QUEUE_FULL)
			kfk_producer_poll(p, 10);
	}
	KT_ASSERT_INT_EQ(kfk_producer_flush(p, PT_WAIT_MS), 0);
	KT_ASSERT_INT_EQ(r.total, n);
	for (i = 0; i < n; i++) {
		KT_ASSERT_INT_EQ(r.err[i], 0);
		used[r.partition[i]]++;
		switches += i > 0 && r.partition[i] != r.partition[i - 1];
	}
	/* ~130-byte records: a 16 KiB batch holds over 100 of them, so the
	 * partition changes at most once per ~100 records. */
	kt_log("partition changes: %d; records per partition %d %d %d %d",
	       switches, used[0], used[1], used[2], used[3]);
	KT_ASSERT(switches <= n / 100);
	for (i = 0; i < 4; i++)
		KT_ASSERT(used[i] > 0);
	kfk_producer_destroy(p);
	pt_reports_free(&r);
	kt_mock_stop(m);
}

/* ---- the application's partitioner ---- */

struct part_calls {
	pthread_t app;      /* the only thread it may be called on */
	int calls;
	int wrong_thread;
};

static struct part_calls part_calls;

static int32_t last_partition(const char *topic, const void *key,
                              size_t key_len, int32_t partition_cnt,
                              void *opaque)
{
	(void)topic;
	(void)opaque;
	part_calls.calls++;
	if (!pthread_equal(pthread_self(), part_calls.app))
		part_calls.wrong_thread++;
	/* Key "fallback": the configured partitioner decides. */
	if (key && key_len == 8 && memcmp(key, "fallback", 8) == 0)
		return -1;
	return partition_cnt - 1;
}

KT_TEST(application_partitioner_runs_on_the_application_thread)
{
	struct kt_mock *m = mock_start();
	struct pt_reports r;
	kfk_producer *p;
	kfk_conf *conf = kfk_conf_new();
	char err[256];
	int i, n = 100;

	pt_reports_init(&r, n);
	part_calls.app = pthread_self();
	KT_ASSERT_INT_EQ(kfk_conf_set(conf, "bootstrap.servers",
	                              kt_mock_bootstrap(m), err, sizeof(err)), 0);
	kfk_conf_set_delivery_cb(conf, pt_delivery_cb);
	kfk_conf_set_partitioner_cb(conf, last_partition);
	kfk_conf_set_opaque(conf, &r);
	p = kfk_producer_new(conf, err, sizeof(err));
	kfk_conf_destroy(conf);
	KT_ASSERT(p != NULL);
	/* The topic's partition count is not known yet: the records wait and
	 * are placed by the application's own poll or flush. */
	for (i = 0; i < n; i++) {
		const char *key = i % 10 == 0 ? "fallback" : "any";
		KT_ASSERT_INT_EQ(kfk_produce(p, "sticky", KFK_PARTITION_ANY, key,
		                             strlen(key), "v", 1, pt_id(i)), 0);
	}
	KT_ASSERT_INT_EQ(kfk_producer_flush(p, PT_WAIT_MS), 0);
	KT_ASSERT_INT_EQ(r.total, n);
	KT_ASSERT_INT_EQ(part_calls.calls, n);
	KT_ASSERT_INT_EQ(part_calls.wrong_thread, 0);
	for (i = 0; i < n; i++) {
		KT_ASSERT_INT_EQ(r.err[i], 0);
		/* murmur2("fallback") % 4 as the Java client computes it. */
		KT_ASSERT_INT_EQ(r.partition[i],
		                 i % 10 == 0 ? kfk_hash_to_positive(kfk_hash_murmur2(
		                                       "fallback", 8)) % 4
		                             : 3);
	}
	kfk_producer_destroy(p);
	pt_reports_free(&r);
	kt_mock_stop(m);
}

/* ------------------------------------------------------------------ */

/* A non-retriable error fails the record at once; the injected error is
 * used up by the first request, so a retry would have succeeded and the
 * report would say NONE. A retriable one on the same path is retried. */
KT_TEST(non_retriable_error_is_reported_at_once)
{
	struct kt_mock *m = mock_start();
	struct pt_reports r;
	kfk_producer *p;
	int64_t t0;

	pt_reports_init(&r, 2);
	p = pt_producer(kt_mock_bootstrap(m), &r, "linger.ms", "0", NULL);
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "err Produce 29 1"), 0);
	t0 = kt_now_ms();
	produce_n(p, "nonretry", 1, "n");
	KT_ASSERT_INT_EQ(kfk_producer_flush(p, PT_WAIT_MS), 0);
	kt_log("TOPIC_AUTHORIZATION_FAILED reported after %lld ms",
	       (long long)(kt_now_ms() - t0));
	KT_ASSERT_INT_EQ(r.count[0], 1);
	KT_ASSERT_INT_EQ(r.err[0], KFK_ERR_TOPIC_AUTHORIZATION_FAILED);
	KT_ASSERT_INT_EQ(r.offset[0], -1);
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "err Produce 6 1"), 0);
	KT_ASSERT_INT_EQ(kfk_produce(p, "nonretry", KFK_PARTITION_ANY, "k", 1,
	                             "v", 1, pt_id(1)), 0);
	KT_ASSERT_INT_EQ(kfk_producer_flush(p, PT_WAIT_MS), 0);
	KT_ASSERT_INT_EQ(r.count[1], 1);
	KT_ASSERT_INT_EQ(r.err[1], KFK_ERR_NONE);
	kfk_producer_destroy(p);
	pt_reports_free(&r);
	kt_mock_stop(m);
}

/* A batch waiting out its retry backoff is sent when the backoff ends,
 * even when a round in between (a record opening a batch elsewhere, which
 * makes nothing sendable) has a later deadline of its own to wake for: such
 * a round used to move the sender's timer to that later deadline (record A
 * went at B's linger deadline, 2.1 s, instead of after its backoff). */
KT_TEST(retry_backoff_is_not_pushed_back_by_a_quiet_round)
{
	struct kt_mock *m = mock_start();
	struct pt_reports r;
	kfk_producer *p;
	int64_t t0;

	pt_reports_init(&r, 3);
	p = pt_producer(kt_mock_bootstrap(m), &r, "linger.ms", "1000",
	                "retry.backoff.ms", "400", "retry.backoff.max.ms", "400",
	                NULL);
	/* Topics and connections known first. */
	KT_ASSERT_INT_EQ(kfk_produce(p, "nonretry", 0, "w", 1, "w", 1,
	                             pt_id(2)), 0);
	KT_ASSERT_INT_EQ(kfk_produce(p, "sticky", 1, "w", 1, "w", 1, pt_id(2)),
	                 0);
	KT_ASSERT_INT_EQ(kfk_producer_flush(p, PT_WAIT_MS), 0);
	KT_ASSERT_INT_EQ(r.total, 2);
	/* A goes at its linger (1 s), is refused once (retriable), and waits
	 * 320..480 ms; B opens a batch meanwhile, lingering until 2.1 s. */
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "err Produce 19 1"), 0);
	t0 = kt_now_ms();
	KT_ASSERT_INT_EQ(kfk_produce(p, "nonretry", 0, "a", 1, "a", 1, pt_id(0)),
	                 0);
	while (kt_now_ms() < t0 + 1100)
		kfk_producer_poll(p, 10);
	KT_ASSERT_INT_EQ(kfk_produce(p, "sticky", 1, "b", 1, "b", 1, pt_id(1)),
	                 0);
	KT_ASSERT_INT_EQ(pt_wait_reports(p, &r, 4, PT_WAIT_MS), 4);
	kt_log("A delivered after %lld ms, B after %lld ms",
	       (long long)(r.at_ms[0] - t0), (long long)(r.at_ms[1] - t0));
	KT_ASSERT_INT_EQ(r.err[0], KFK_ERR_NONE);
	KT_ASSERT_MSG(r.at_ms[0] - t0 < 1900, "A waited for B's linger");
	kfk_producer_destroy(p);
	pt_reports_free(&r);
	kt_mock_stop(m);
}

/* ------------------------------------------------------------------ */

/* The reports first (pt_delivery_cb takes the opaque as a pt_reports), then
 * when the last Metadata request went out and its answer was applied, from
 * the `metadata` debug log. */
struct md_timing {
	struct pt_reports r;
	_Atomic int64_t sent_ms, applied_ms;
};

static void md_timing_log(void *opaque, int level, const char *fac,
                          const char *msg)
{
	struct md_timing *t = opaque;

	(void)level;
	(void)fac;
	if (strncmp(msg, "requesting metadata", 19) == 0)
		atomic_store(&t->sent_ms, kt_now_ms());
	else if (strncmp(msg, "metadata v", 10) == 0)
		atomic_store(&t->applied_ms, kt_now_ms());
}

/* A topic seen for the first time is not stale metadata: its refresh is
 * not backed off. Five new topics one after another each get their first
 * record delivered within the Metadata round trip plus 20 ms (they took
 * 50, 201, 402, 803 and 1,606 ms when the refresh was early and the sender
 * polled every 50 ms). */
KT_TEST(first_record_to_each_new_topic_is_not_backed_off)
{
	struct kt_mock *m = mock_start();
	struct md_timing t;
	kfk_producer *p;
	char topic[32];
	int i;

	memset(&t, 0, sizeof(t));
	pt_reports_init(&t.r, 6);
	p = pt_producer_logged(kt_mock_bootstrap(m), &t.r, md_timing_log,
	                       "linger.ms", "0", "debug", "metadata", NULL);
	/* Warm up: connections and ApiVersions are not what is measured. */
	KT_ASSERT_INT_EQ(kfk_produce(p, "acks1", KFK_PARTITION_ANY, NULL, 0, "w",
	                             1, pt_id(0)), 0);
	KT_ASSERT_INT_EQ(pt_wait_reports(p, &t.r, 1, PT_WAIT_MS), 1);
	for (i = 1; i <= 5; i++) {
		int64_t t0, dt, rtt;
		snprintf(topic, sizeof(topic), "new-topic-%d", i);
		t0 = kt_now_ms();
		KT_ASSERT_INT_EQ(kfk_produce(p, topic, KFK_PARTITION_ANY, NULL, 0,
		                             "v", 1, pt_id(i)), 0);
		KT_ASSERT_INT_EQ(pt_wait_reports(p, &t.r, i + 1, PT_WAIT_MS), i + 1);
		dt = kt_now_ms() - t0;
		KT_ASSERT_INT_EQ(t.r.err[i], KFK_ERR_NONE);
		rtt = atomic_load(&t.applied_ms) - atomic_load(&t.sent_ms);
		kt_log("%s: delivered after %lld ms (Metadata round trip %lld ms)",
		       topic, (long long)dt, (long long)rtt);
		KT_ASSERT_MSG(rtt >= 0 && dt <= rtt + 20,
		              "%s: %lld ms > round trip %lld ms + 20 ms", topic,
		              (long long)dt, (long long)rtt);
	}
	kfk_producer_destroy(p);
	pt_reports_free(&t.r);
	kt_mock_stop(m);
}
