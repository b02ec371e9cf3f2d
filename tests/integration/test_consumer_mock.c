/*
 * test_consumer_mock: the consumer against librdkafka's mock cluster, for
 * what needs faults injected: records kfk produced read back exactly (null
 * keys and values, headers, every partition in order); a leader moved in
 * the middle of a read and Fetch errors injected, with no record lost or
 * repeated; the memory bound holding while the application does not poll.
 * Threaded: also run under ThreadSanitizer.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <poll.h>
#include <string.h>

#include <kfk/kfk.h>

#include "../kt.h"
#include "../mock.h"
#include "consumer/consumer_int.h"
#include "test_producer_util.h"

#define WAIT_MS 30000

/* Record i: key "k<i%5>" (null for i%10 == 9), value "v<i>" (null for
 * i%13 == 12), one header "n"="<i>" on even i. Partition p gets records
 * i with i % parts == p. */
static void produce_n(const char *bootstrap, const char *topic, int n,
                      int parts)
{
	struct pt_reports r;
	kfk_producer *p;
	int i;

	pt_reports_init(&r, n);
	p = pt_producer(bootstrap, &r, "linger.ms", "5", NULL);

	for (i = 0; i < n; i++) {
		kfk_record rec = KFK_RECORD_INIT;
		char key[16], val[16], num[16];
		kfk_header h = { "n", num, 0 };

		snprintf(key, sizeof(key), "k%d", i % 5);
		snprintf(val, sizeof(val), "v%d", i);
		h.value_len = (size_t)snprintf(num, sizeof(num), "%d", i);
		rec.topic = topic;
		rec.partition = i % parts;
		rec.key = i % 10 == 9 ? NULL : key;
		rec.key_len = rec.key ? strlen(key) : 0;
		rec.value = i % 13 == 12 ? NULL : val;
		rec.value_len = rec.value ? strlen(val) : 0;
		rec.headers = i % 2 ? NULL : &h;
		rec.header_cnt = i % 2 ? 0 : 1;
		rec.opaque = pt_id(i);
		while (kfk_produce_record(p, &rec) == KFK_ERR__QUEUE_FULL)
			kfk_producer_poll(p, 10);
	}
	KT_ASSERT_INT_EQ(kfk_producer_flush(p, WAIT_MS), 0);
	KT_ASSERT_INT_EQ(r.total, n);
	kfk_producer_destroy(p);
	pt_reports_free(&r);
}

static kfk_consumer *consumer(const char *bootstrap, ...)
{
	char err[512];
	kfk_conf *conf = kfk_conf_new();
	kfk_consumer *c;
	const char *name;
	va_list ap;

	KT_ASSERT(kfk_conf_set(conf, "bootstrap.servers", bootstrap, err,
	                       sizeof(err)) == KFK_ERR_NONE);
	va_start(ap, bootstrap);
	while ((name = va_arg(ap, const char *))) {
		const char *value = va_arg(ap, const char *);
		KT_ASSERT_MSG(kfk_conf_set(conf, name, value, err, sizeof(err)) ==
		              KFK_ERR_NONE, "%s", err);
	}
	va_end(ap);
	if (getenv("KFK_TEST_DEBUG"))
		kfk_conf_set(conf, "debug", getenv("KFK_TEST_DEBUG"), err,
		             sizeof(err));
	c = kfk_consumer_new(conf, err, sizeof(err));
	kfk_conf_destroy(conf);
	KT_ASSERT_MSG(c != NULL, "%s", err);
	return c;
}

/* From offset 0, where the mock's logs start: the 2.0.2 mock writes a
 * ListOffsets v4+ response's leader epoch as an int64, so an answer for
 * several partitions does not parse (KFK_OFFSET_BEGINNING over several
 * partitions is tested against the real broker). */
static void assign_all(kfk_consumer *c, const char *topic, int parts)
{
	kfk_tplist *l = kfk_tplist_new(parts);

	for (int i = 0; i < parts; i++)
		kfk_tplist_add(l, topic, i, 0);
	KT_ASSERT_INT_EQ(kfk_consumer_assign(c, l), 0);
	kfk_tplist_destroy(l);
}

/* Checks message m is record i of produce_n exactly. */
static void expect_record(const kfk_message *m, int i, int parts)
{
	char key[16], val[16], num[16];
	const void *k, *v, *hv;
	const char *hk;
	size_t klen, vlen, hklen, hvlen;

	KT_ASSERT_INT_EQ(kfk_message_partition(m), i % parts);
	KT_ASSERT_INT_EQ(kfk_message_offset(m), i / parts);
	snprintf(key, sizeof(key), "k%d", i % 5);
	snprintf(val, sizeof(val), "v%d", i);
	k = kfk_message_key(m, &klen);
	v = kfk_message_value(m, &vlen);
	if (i % 10 == 9)
		KT_ASSERT(k == NULL);
	else
		KT_ASSERT_MEM_EQ(k, klen, key, strlen(key));
	if (i % 13 == 12)
		KT_ASSERT(v == NULL);
	else
		KT_ASSERT_MEM_EQ(v, vlen, val, strlen(val));
	KT_ASSERT_INT_EQ(kfk_message_header_count(m), i % 2 ? 0 : 1);
	if (i % 2 == 0) {
		snprintf(num, sizeof(num), "%d", i);
		KT_ASSERT_INT_EQ(kfk_message_header(m, 0, &hk, &hklen, &hv,
		                                    &hvlen), 0);
		KT_ASSERT_MEM_EQ(hk, hklen, "n", 1);
		KT_ASSERT_MEM_EQ(hv, hvlen, num, strlen(num));
	}
	KT_ASSERT_INT_EQ(kfk_message_header(m, 1, &hk, &hklen, &hv, &hvlen),
	                 KFK_ERR__NOENT);
}

/* Reads n records of produce_n, each exactly once and in order per
 * partition, with batch polls; non-fatal error messages are counted. */
static int read_all(kfk_consumer *c, int n, int parts)
{
	int64_t end = kt_now_ms() + WAIT_MS;
	int64_t *next = calloc((size_t)parts, sizeof(*next));
	int got = 0, errors = 0;
	kfk_message *v[64];

	while (got < n) {
		int k = kfk_consumer_poll_batch(c, v, 64, 100);

		KT_ASSERT_MSG(kt_now_ms() < end, "%d of %d records in %d ms", got,
		              n, WAIT_MS);
		for (int j = 0; j < k; j++) {
			kfk_message *m = v[j];
			int32_t p = kfk_message_partition(m);

			if (kfk_message_err(m)) {
				errors++;
				kfk_message_destroy(m);
				continue;
			}
			KT_ASSERT_MSG(kfk_message_offset(m) == next[p],
			              "partition %d: offset %lld, expected %lld",
			              (int)p, (long long)kfk_message_offset(m),
			              (long long)next[p]);
			expect_record(m, (int)(next[p] * parts + p), parts);
			next[p]++;
			got++;
			kfk_message_destroy(m);
		}
	}
	free(next);
	return errors;
}

KT_TEST(reads_what_kfk_produced_exactly)
{
	struct kt_mock *m = kt_mock_start(1, "t:4:1", NULL);
	kfk_consumer *c;

	KT_ASSERT(m != NULL);
	produce_n(kt_mock_bootstrap(m), "t", 20000, 4);
	c = consumer(kt_mock_bootstrap(m), NULL);
	assign_all(c, "t", 4);
	KT_ASSERT_INT_EQ(read_all(c, 20000, 4), 0);
	/* Nothing more: the next poll times out empty. */
	KT_ASSERT(kfk_consumer_poll(c, 200) == NULL);
	KT_ASSERT_INT_EQ(kfk_consumer_lag(c, "t", 0), 0);
	kfk_consumer_destroy(c);
	KT_ASSERT_INT_EQ(kt_mock_stop(m), 0);
}

/* One record to each of partitions 1 and 2 of t (not 0). */
static void produce_to_1_and_2(const char *bootstrap)
{
	struct pt_reports r;
	kfk_producer *p;

	pt_reports_init(&r, 2);
	p = pt_producer(bootstrap, &r, NULL);
	for (int i = 1; i <= 2; i++) {
		kfk_record rec = KFK_RECORD_INIT;

		rec.topic = "t";
		rec.partition = i;
		rec.value = "v";
		rec.value_len = 1;
		rec.opaque = pt_id(i);
		KT_ASSERT_INT_EQ(kfk_produce_record(p, &rec), 0);
	}
	KT_ASSERT_INT_EQ(kfk_producer_flush(p, WAIT_MS), 0);
	kfk_producer_destroy(p);
	pt_reports_free(&r);
}

/* Partitions on three leaders, records only on the second and third: the
 * first leader's Fetch waits at the end of its log (fetch.max.wait.ms,
 * 10 s here) and must not take all the room under fetch.buffer.memory
 * meanwhile (it did: the others were not fetched until it came back, and
 * then it took the room again). */
KT_TEST(an_idle_leader_does_not_starve_the_others)
{
	struct kt_mock *m = kt_mock_start(3, "t:3:1", NULL);
	kfk_consumer *c;
	int64_t end;
	int got = 0;

	KT_ASSERT(m != NULL);
	produce_to_1_and_2(kt_mock_bootstrap(m));
	c = consumer(kt_mock_bootstrap(m), "fetch.max.wait.ms", "10000", NULL);
	assign_all(c, "t", 3);
	/* Well within one wait of the idle leader. */
	end = kt_now_ms() + 5000;
	while (got < 2) {
		kfk_message *msg;

		KT_ASSERT_MSG(kt_now_ms() < end, "%d of 2 records in 5 s", got);
		if (!(msg = kfk_consumer_poll(c, 100)))
			continue;
		KT_ASSERT_INT_EQ(kfk_message_err(msg), 0);
		KT_ASSERT(kfk_message_partition(msg) != 0);
		got++;
		kfk_message_destroy(msg);
	}
	kfk_consumer_destroy(c);
	KT_ASSERT_INT_EQ(kt_mock_stop(m), 0);
}

KT_TEST(leader_moves_mid_read_nothing_lost_or_repeated)
{
	struct kt_mock *m = kt_mock_start(3, "lm:1:3", NULL);
	kfk_consumer *c;
	kfk_message *v[64];
	int got = 0, n = 30000;

	KT_ASSERT(m != NULL);
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "leader lm 0 1"), 0);
	produce_n(kt_mock_bootstrap(m), "lm", n, 1);
	c = consumer(kt_mock_bootstrap(m), "max.partition.fetch.bytes", "20000",
	             NULL);
	assign_all(c, "lm", 1);
	/* Some records from broker 1, then the leader moves to 2. */
	while (got < 1000) {
		int k = kfk_consumer_poll_batch(c, v, 64, 1000);

		KT_ASSERT(k > 0);
		for (int j = 0; j < k; j++) {
			KT_ASSERT_INT_EQ(kfk_message_err(v[j]), 0);
			KT_ASSERT_INT_EQ(kfk_message_offset(v[j]), got);
			got++;
			kfk_message_destroy(v[j]);
		}
	}
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "leader lm 0 2"), 0);
	/* Broker 1 answers NOT_LEADER_OR_FOLLOWER from now on: the fetch
	 * moves to 2 at the position reached. The rest, by hand (read_all
	 * starts at offset 0). */
	{
		int64_t end = kt_now_ms() + WAIT_MS;

		while (got < n) {
			int k = kfk_consumer_poll_batch(c, v, 64, 100);

			KT_ASSERT_MSG(kt_now_ms() < end, "%d of %d", got, n);
			for (int j = 0; j < k; j++) {
				if (!kfk_message_err(v[j])) {
					KT_ASSERT_INT_EQ(kfk_message_offset(v[j]), got);
					expect_record(v[j], got, 1);
					got++;
				}
				kfk_message_destroy(v[j]);
			}
		}
	}
	KT_ASSERT(kfk_consumer_poll(c, 200) == NULL);
	kfk_consumer_destroy(c);
	KT_ASSERT_INT_EQ(kt_mock_stop(m), 0);
}

KT_TEST(fetch_errors_are_retried_without_loss)
{
	struct kt_mock *m = kt_mock_start(1, "fe:2:1", NULL);
	kfk_consumer *c;
	int errors;

	KT_ASSERT(m != NULL);
	produce_n(kt_mock_bootstrap(m), "fe", 4000, 2);
	/* Leader errors are silent retries; an unknown error is reported
	 * once and retried too. */
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "err Fetch 6 3"), 0);
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "err Fetch -1 1"), 0);
	/* A broker that lost our fetch session: a full request next. */
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "err Fetch 70 1"), 0);
	c = consumer(kt_mock_bootstrap(m), "retry.backoff.ms", "10", NULL);
	assign_all(c, "fe", 2);
	errors = read_all(c, 4000, 2);
	/* The mock fails a whole request: both partitions report it. */
	KT_ASSERT(errors >= 1 && errors <= 2);
	kfk_consumer_destroy(c);
	KT_ASSERT_INT_EQ(kt_mock_stop(m), 0);
}

KT_TEST(memory_bound_holds_while_the_application_does_not_poll)
{
	struct kt_mock *m = kt_mock_start(1, "mb:4:1", NULL);
	int64_t bound = 256 * 1024, most = 0, end;
	kfk_consumer *c;

	KT_ASSERT(m != NULL);
	produce_n(kt_mock_bootstrap(m), "mb", 40000, 4); /* ~4 MB on the wire */
	c = consumer(kt_mock_bootstrap(m), "fetch.buffer.memory", "262144",
	             "max.partition.fetch.bytes", "65536", NULL);
	assign_all(c, "mb", 4);
	/* Watch for a second while nobody polls: fetching stops at the
	 * bound (plus at most one batch a partition, KIP-74, counted in
	 * memory: a 16 KB batch of ~100-byte records takes up to twice
	 * that once its messages are decoded; CI saw 69,701 bytes over,
	 * more than 4 x 16 KB, under load). */
	end = kt_now_ms() + 1000;
	while (kt_now_ms() < end) {
		int64_t held = kfk_consumer_held_bytes(c);

		if (held > most)
			most = held;
		poll(NULL, 0, 10); /* sampling, not waiting for anything */
	}
	printf("# held at most %lld bytes with a bound of %lld\n", (long long)most,
	        (long long)bound);
	KT_ASSERT(most > bound / 2);
	KT_ASSERT(most <= bound + 4 * 2 * 16384);
	/* Polling frees room: everything arrives, exactly. */
	KT_ASSERT_INT_EQ(read_all(c, 40000, 4), 0);
	kfk_consumer_destroy(c);
	KT_ASSERT_INT_EQ(kt_mock_stop(m), 0);
}

KT_TEST(partition_count_and_a_partition_the_topic_lacks)
{
	struct kt_mock *m = kt_mock_start(1, "pc:2:1", NULL);
	kfk_consumer *c;
	kfk_tplist *l = kfk_tplist_new(2);
	kfk_message *msg;
	int32_t n = -1;
	int unknown = 0;
	int64_t end;

	KT_ASSERT(m != NULL);
	produce_n(kt_mock_bootstrap(m), "pc", 10, 2);
	c = consumer(kt_mock_bootstrap(m), NULL);
	KT_ASSERT_INT_EQ(kfk_consumer_partition_count(c, "pc", &n, WAIT_MS), 0);
	KT_ASSERT_INT_EQ(n, 2);
	kfk_tplist_add(l, "pc", 5, 0);
	kfk_tplist_add(l, "pc", 0, 0);
	KT_ASSERT_INT_EQ(kfk_consumer_assign(c, l), 0);
	/* Partition 0's five records, and one error for partition 5. */
	end = kt_now_ms() + WAIT_MS;
	for (int got = 0; got < 5 || !unknown;) {
		KT_ASSERT(kt_now_ms() < end);
		if (!(msg = kfk_consumer_poll(c, 100)))
			continue;
		if (kfk_message_err(msg)) {
			KT_ASSERT_INT_EQ(kfk_message_err(msg),
			                 KFK_ERR__UNKNOWN_PARTITION);
			KT_ASSERT_INT_EQ(kfk_message_partition(msg), 5);
			KT_ASSERT_STR_EQ(kfk_message_errstr(msg),
			                 "pc [5]: topic pc has 2 partitions");
			unknown++;
		} else {
			expect_record(msg, got * 2, 2);
			got++;
		}
		kfk_message_destroy(msg);
	}
	/* Once only. */
	KT_ASSERT(kfk_consumer_poll(c, 300) == NULL);
	KT_ASSERT_INT_EQ(unknown, 1);
	kfk_tplist_destroy(l);
	kfk_consumer_destroy(c);
	KT_ASSERT_INT_EQ(kt_mock_stop(m), 0);
}

KT_TEST(fd_readable_while_messages_wait)
{
	struct kt_mock *m = kt_mock_start(1, "fd:1:1", NULL);
	kfk_consumer *c;
	kfk_message *msg;
	int64_t end;

	KT_ASSERT(m != NULL);
	produce_n(kt_mock_bootstrap(m), "fd", 3, 1);
	c = consumer(kt_mock_bootstrap(m), NULL);
	KT_ASSERT(kfk_consumer_fd(c) >= 0);
	KT_ASSERT(!kt_fd_readable(kfk_consumer_fd(c)));
	/* A poll that finds nothing returns at once. */
	KT_ASSERT(kfk_consumer_poll(c, 0) == NULL);
	assign_all(c, "fd", 1);
	end = kt_now_ms() + WAIT_MS;
	while (!kt_fd_readable(kfk_consumer_fd(c)))
		KT_ASSERT_MSG(kt_now_ms() < end, "fd never readable");
	for (int i = 0; i < 3; i++) {
		msg = kfk_consumer_poll(c, WAIT_MS);
		KT_ASSERT(msg != NULL);
		expect_record(msg, i, 1);
		kfk_message_destroy(msg);
	}
	/* Drained: an empty poll clears the fd. */
	KT_ASSERT(kfk_consumer_poll(c, 0) == NULL);
	KT_ASSERT(!kt_fd_readable(kfk_consumer_fd(c)));
	kfk_consumer_destroy(c);
	KT_ASSERT_INT_EQ(kt_mock_stop(m), 0);
}

KT_TEST(destroy_is_bounded_with_the_broker_down)
{
	struct kt_mock *m = kt_mock_start(1, "dn:2:1", NULL);
	kfk_consumer *c;
	kfk_message *held;
	int64_t t0;

	KT_ASSERT(m != NULL);
	produce_n(kt_mock_bootstrap(m), "dn", 4, 2);
	c = consumer(kt_mock_bootstrap(m), NULL);
	assign_all(c, "dn", 2);
	held = kfk_consumer_poll(c, WAIT_MS);
	KT_ASSERT(held != NULL);
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "down -1"), 0);
	t0 = kt_now_ms();
	KT_ASSERT_INT_EQ(kfk_consumer_close(c), 0);
	KT_ASSERT(kfk_consumer_poll(c, 100) == NULL); /* closed */
	kfk_consumer_destroy(c);
	printf("# close and destroy with the broker down: %lld ms\n",
	       (long long)(kt_now_ms() - t0));
	KT_ASSERT(kt_now_ms() - t0 < 2000);
	/* A message outlives its consumer. */
	KT_ASSERT_INT_EQ(kfk_message_partition(held) >= 0, 1);
	KT_ASSERT(kfk_message_value(held, NULL) != NULL);
	kfk_message_destroy(held);
	KT_ASSERT_INT_EQ(kt_mock_stop(m), 0);
}
