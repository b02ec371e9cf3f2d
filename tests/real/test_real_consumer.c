/*
 * test_real_consumer: the consumer against a real Apache Kafka 4.x broker,
 * reading what the Java producer (tests/interop/KfkPeer.java) wrote: every
 * codec, with keys, headers and timestamps, at the partitions and offsets
 * Java was told; read_committed and read_uncommitted over committed and
 * aborted transactions; starting offsets, seeks, watermarks, offsets for
 * times, an out-of-range position reset by auto.offset.reset (and an
 * error with none); pause and resume of one partition.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kfk/kfk.h>

#include "../kt.h"
#include "consumer/consumer_int.h"
#include "real.h"

#define BASE_TS 1700000000000LL /* KfkPeer's first timestamp */

/* What Java reported for each record i: partition and offset. */
struct sent {
	int n;
	int32_t *part;
	int64_t *off;
};

/* Runs `KfkPeer produce` and parses its "i<TAB>partition<TAB>offset". */
static void java_produce(const char *topic, int n, const char *args,
                         struct sent *s)
{
	char *out = kr_kafka_out(NULL, "peer produce --bootstrap '%s' "
	                         "--topic '%s' --count %d --timeout-ms %d %s",
	                         kr_bootstrap(), topic, n, PT_WAIT_MS,
	                         args ? args : "");
	char *p = out;
	int i;

	s->n = n;
	s->part = calloc((size_t)n, sizeof(*s->part));
	s->off = calloc((size_t)n, sizeof(*s->off));
	KT_ASSERT(s->part && s->off);
	for (i = 0; i < n; i++) {
		long idx = strtol(p, &p, 10);
		KT_ASSERT_INT_EQ(idx, i);
		s->part[i] = (int32_t)strtol(p, &p, 10);
		s->off[i] = strtoll(p, &p, 10);
	}
	free(out);
}

static void sent_free(struct sent *s)
{
	free(s->part);
	free(s->off);
}

static kfk_consumer *consumer(const char *extra_name, const char *extra_val)
{
	char err[512];
	kfk_conf *conf = kfk_conf_new();
	kfk_consumer *c;

	KT_ASSERT(kfk_conf_set(conf, "bootstrap.servers", kr_bootstrap(), err,
	                       sizeof(err)) == KFK_ERR_NONE);
	KT_ASSERT(kfk_conf_set(conf, "enable.partition.eof", "true", err,
	                       sizeof(err)) == KFK_ERR_NONE);
	if (extra_name)
		KT_ASSERT_MSG(kfk_conf_set(conf, extra_name, extra_val, err,
		                           sizeof(err)) == KFK_ERR_NONE, "%s", err);
	c = kfk_consumer_new(conf, err, sizeof(err));
	kfk_conf_destroy(conf);
	KT_ASSERT_MSG(c != NULL, "%s", err);
	return c;
}

static void assign_all(kfk_consumer *c, const char *topic, int parts,
                       int64_t offset)
{
	kfk_tplist *l = kfk_tplist_new(parts);
	int i;

	for (i = 0; i < parts; i++)
		KT_ASSERT(kfk_tplist_add(l, topic, i, offset) == i);
	KT_ASSERT_INT_EQ(kfk_consumer_assign(c, l), 0);
	kfk_tplist_destroy(l);
}

/* The next record (skipping end-of-partition messages), or NULL when
 * none comes before the deadline. */
static kfk_message *next_record(kfk_consumer *c, int64_t end_ms)
{
	while (kt_now_ms() < end_ms) {
		kfk_message *m = kfk_consumer_poll(c, 100);

		if (!m)
			continue;
		if (kfk_message_err(m) == KFK_ERR__PARTITION_EOF) {
			kfk_message_destroy(m);
			continue;
		}
		KT_ASSERT_MSG(!kfk_message_err(m), "%s",
		              kfk_message_errstr(m));
		return m;
	}
	return NULL;
}

static void expect_header(const kfk_message *m, size_t idx, const char *key,
                          const char *value)
{
	const char *k;
	const void *v;
	size_t klen, vlen;

	KT_ASSERT_INT_EQ(kfk_message_header(m, idx, &k, &klen, &v, &vlen), 0);
	KT_ASSERT_MEM_EQ(k, klen, key, strlen(key));
	KT_ASSERT_MEM_EQ(v, vlen, value, strlen(value));
}

/* The record's number, from its header "i" (the value may be null). */
static int header_index(const kfk_message *m, int n)
{
	const char *k;
	const void *v;
	size_t klen, vlen;
	char buf[16];
	char *end;
	long i;

	KT_ASSERT_INT_EQ(kfk_message_header(m, 0, &k, &klen, &v, &vlen), 0);
	KT_ASSERT(v != NULL && vlen < sizeof(buf));
	memcpy(buf, v, vlen);
	buf[vlen] = 0;
	i = strtol(buf, &end, 10);
	KT_ASSERT_MSG(*end == 0 && i >= 0 && i < n, "header i=%s", buf);
	return (int)i;
}

/* Record i exactly as KfkPeer wrote it (--keys 7; with nulls, a null key
 * when i % 10 == 9 and a null value when i % 13 == 12). */
static void expect_java_record(const kfk_message *m, int i,
                               const struct sent *s, bool nulls)
{
	char key[16], num[16], val[16];
	const void *k, *v;
	size_t klen, vlen;
	enum kfk_timestamp_type tt;

	KT_ASSERT_INT_EQ(kfk_message_partition(m), s->part[i]);
	KT_ASSERT_INT_EQ(kfk_message_offset(m), s->off[i]);
	snprintf(key, sizeof(key), "k%d", i % 7);
	snprintf(val, sizeof(val), "v-%d", i);
	k = kfk_message_key(m, &klen);
	v = kfk_message_value(m, &vlen);
	if (nulls && i % 10 == 9)
		KT_ASSERT(k == NULL);
	else
		KT_ASSERT_MEM_EQ(k, klen, key, strlen(key));
	if (nulls && i % 13 == 12)
		KT_ASSERT(v == NULL);
	else
		KT_ASSERT_MEM_EQ(v, vlen, val, strlen(val));
	KT_ASSERT_INT_EQ(kfk_message_timestamp(m, &tt), BASE_TS + i);
	KT_ASSERT_INT_EQ(tt, KFK_TIMESTAMP_CREATE_TIME);
	KT_ASSERT_INT_EQ(kfk_message_header_count(m), 2);
	snprintf(num, sizeof(num), "%d", i);
	expect_header(m, 0, "i", num);
	expect_header(m, 1, "peer", "java");
}

static void check_java_records(const char *name, const char *extra)
{
	char topic[128], args[128];
	struct sent s;
	kfk_consumer *c;
	int n = 3000, got = 0, i;
	char *seen = calloc((size_t)n, 1);
	int64_t end = kt_now_ms() + PT_WAIT_MS;

	kr_topic_name(topic, sizeof(topic), name);
	kr_topic(NULL, topic, 3, 1, "");
	snprintf(args, sizeof(args), "--keys 7 %s", extra);
	java_produce(topic, n, args, &s);
	c = consumer(NULL, NULL);
	assign_all(c, topic, 3, KFK_OFFSET_BEGINNING);
	while (got < n) {
		kfk_message *m = next_record(c, end);

		KT_ASSERT_MSG(m != NULL, "%d of %d records read", got, n);
		i = header_index(m, n);
		KT_ASSERT_MSG(!seen[i], "record %d twice", i);
		seen[i] = 1;
		expect_java_record(m, i, &s, strstr(extra, "--nulls") != NULL);
		kfk_message_destroy(m);
		got++;
	}
	{
		uint64_t full, incr;

		/* The broker keeps a fetch session: after the first full
		 * request, incremental ones (KIP-227). The records may all
		 * come in the first answer, so this waits (bounded) for the
		 * next request, a long poll at the end of the log. */
		kfk_consumer_fetch_counts(c, &full, &incr);
		while (incr == 0 && kt_now_ms() < end) {
			kfk_message *m = kfk_consumer_poll(c, 100);

			/* The end of a partition may be told after its last
			 * record was read (enable.partition.eof): CI saw it. */
			if (m && kfk_message_err(m) == KFK_ERR__PARTITION_EOF) {
				kfk_message_destroy(m);
				m = NULL;
			}
			KT_ASSERT_MSG(m == NULL, "a record past the %d: %s", n,
			              kfk_message_err(m)
			                      ? kfk_message_errstr(m)
			                      : "a record");
			kfk_consumer_fetch_counts(c, &full, &incr);
		}
		kt_log("%llu full and %llu incremental Fetch requests",
		       (unsigned long long)full, (unsigned long long)incr);
		KT_ASSERT(full >= 1);
		KT_ASSERT(incr >= 1);
	}
	kfk_consumer_destroy(c);
	sent_free(&s);
	free(seen);
}

static void check_codec(void *arg)
{
	char extra[64];

	snprintf(extra, sizeof(extra), "--compression %s", (const char *)arg);
	check_java_records(arg, extra);
}

static void check_idempotent(void *arg)
{
	(void)arg;
	check_java_records("idem", "--mode idempotent --compression lz4");
}

static void check_nulls(void *arg)
{
	(void)arg;
	check_java_records("nulls", "--nulls yes --compression zstd");
}

KT_TEST(reads_what_java_wrote_with_every_codec)
{
	static const char *const codecs[] = { "none", "gzip", "snappy", "lz4",
		                                  "zstd" };

	for (size_t i = 0; i < sizeof(codecs) / sizeof(codecs[0]); i++)
		kt_subtest(check_codec, (void *)codecs[i], "codec %s", codecs[i]);
	kt_subtest(check_idempotent, NULL, "idempotent batches");
	kt_subtest(check_nulls, NULL, "null keys and values");
}

/* Reads one partition to its end: values in order into out (a string of
 * "prefix-i," items); returns the end offset. */
static int64_t read_to_end(kfk_consumer *c, char *out, size_t cap)
{
	int64_t end = kt_now_ms() + PT_WAIT_MS;
	size_t len = 0;

	out[0] = 0;
	while (kt_now_ms() < end) {
		kfk_message *m = kfk_consumer_poll(c, 100);
		size_t vlen;
		const char *v;
		int64_t eof;

		if (!m)
			continue;
		if (kfk_message_err(m) == KFK_ERR__PARTITION_EOF) {
			eof = kfk_message_offset(m);
			kfk_message_destroy(m);
			return eof;
		}
		KT_ASSERT_MSG(!kfk_message_err(m), "%s", kfk_message_errstr(m));
		v = kfk_message_value(m, &vlen);
		KT_ASSERT(len + vlen + 2 < cap);
		memcpy(out + len, v, vlen);
		len += vlen;
		out[len++] = ',';
		out[len] = 0;
		kfk_message_destroy(m);
	}
	KT_ASSERT_MSG(0, "no end of partition after %d ms", PT_WAIT_MS);
	return -1;
}

static char *expected_values(const char *const *prefixes, const int *counts,
                             int groups)
{
	char *s = malloc(65536);
	size_t len = 0;

	for (int g = 0; g < groups; g++)
		for (int i = 0; i < counts[g]; i++)
			len += (size_t)snprintf(s + len, 65536 - len, "%s-%d,",
			                        prefixes[g], i);
	return s;
}

KT_TEST(read_committed_returns_exactly_the_committed_records)
{
	char topic[128], *got = malloc(65536), *want;
	static const char *const all[] = { "c", "a", "d" };
	static const int all_n[] = { 50, 30, 20 };
	static const char *const committed[] = { "c", "d" };
	static const int committed_n[] = { 50, 20 };
	struct sent s1, s2, s3;
	kfk_consumer *c;
	int64_t eof, low, high;

	kr_topic_name(topic, sizeof(topic), "txn");
	kr_topic(NULL, topic, 1, 1, "");
	java_produce(topic, 50, "--mode transactional --txn commit "
	             "--value-prefix c", &s1);
	java_produce(topic, 30, "--mode transactional --txn abort "
	             "--value-prefix a", &s2);
	java_produce(topic, 20, "--mode transactional --txn commit "
	             "--value-prefix d", &s3);

	c = consumer("isolation.level", "read_committed");
	assign_all(c, topic, 1, KFK_OFFSET_BEGINNING);
	eof = read_to_end(c, got, 65536);
	want = expected_values(committed, committed_n, 2);
	KT_ASSERT_STR_EQ(got, want);
	free(want);
	/* 100 records and 3 markers: the end is past all of them. */
	KT_ASSERT_INT_EQ(eof, 103);
	KT_ASSERT_INT_EQ(kfk_consumer_get_watermarks(c, topic, 0, &low, &high),
	                 0);
	KT_ASSERT_INT_EQ(high, 103);
	kfk_consumer_destroy(c);

	c = consumer("isolation.level", "read_uncommitted");
	assign_all(c, topic, 1, KFK_OFFSET_BEGINNING);
	eof = read_to_end(c, got, 65536);
	want = expected_values(all, all_n, 3);
	KT_ASSERT_STR_EQ(got, want);
	free(want);
	KT_ASSERT_INT_EQ(eof, 103);
	kfk_consumer_destroy(c);
	sent_free(&s1);
	sent_free(&s2);
	sent_free(&s3);
	free(got);
}

/* The offset of the next record polled. */
static int64_t next_offset(kfk_consumer *c)
{
	kfk_message *m = next_record(c, kt_now_ms() + PT_WAIT_MS);
	int64_t off;

	KT_ASSERT(m != NULL);
	off = kfk_message_offset(m);
	kfk_message_destroy(m);
	return off;
}

KT_TEST(start_offsets_seek_watermarks_and_times)
{
	char topic[128];
	struct sent s;
	kfk_consumer *c;
	kfk_tplist *l;
	int64_t low, high;

	kr_topic_name(topic, sizeof(topic), "offsets");
	kr_topic(NULL, topic, 1, 1, "");
	java_produce(topic, 100, NULL, &s);
	c = consumer(NULL, NULL);
	assign_all(c, topic, 1, 10);
	KT_ASSERT_INT_EQ(next_offset(c), 10);
	KT_ASSERT_INT_EQ(next_offset(c), 11);
	/* Forward, back, from the end. */
	KT_ASSERT_INT_EQ(kfk_consumer_seek(c, topic, 0, 90), 0);
	KT_ASSERT_INT_EQ(next_offset(c), 90);
	KT_ASSERT_INT_EQ(kfk_consumer_seek(c, topic, 0, 3), 0);
	KT_ASSERT_INT_EQ(next_offset(c), 3);
	KT_ASSERT_INT_EQ(next_offset(c), 4);
	KT_ASSERT_INT_EQ(kfk_consumer_seek(c, topic, 0, KFK_OFFSET_TAIL(5)), 0);
	KT_ASSERT_INT_EQ(next_offset(c), 95);
	l = kfk_tplist_new(1);
	kfk_tplist_add(l, topic, 0, 0);
	KT_ASSERT_INT_EQ(kfk_consumer_position(c, l), 0);
	KT_ASSERT_INT_EQ(kfk_tplist_offset(l, 0), 96);
	KT_ASSERT_INT_EQ(kfk_consumer_seek(c, "nope", 0, 1),
	                 KFK_ERR__UNKNOWN_PARTITION);
	/* Watermarks asked of the leader, offsets for times. */
	KT_ASSERT_INT_EQ(kfk_consumer_query_watermarks(c, topic, 0, &low, &high,
	                                               PT_WAIT_MS), 0);
	KT_ASSERT_INT_EQ(low, 0);
	KT_ASSERT_INT_EQ(high, 100);
	kfk_tplist_set_offset(l, 0, BASE_TS + 42);
	KT_ASSERT_INT_EQ(kfk_consumer_offsets_for_times(c, l, PT_WAIT_MS), 0);
	KT_ASSERT_INT_EQ(kfk_tplist_offset(l, 0), 42);
	kfk_tplist_destroy(l);
	kfk_consumer_destroy(c);

	/* Past the end: out of range, reset to earliest. */
	c = consumer("auto.offset.reset", "earliest");
	assign_all(c, topic, 1, 5000);
	KT_ASSERT_INT_EQ(next_offset(c), 0);
	kfk_consumer_destroy(c);
	/* With none: an error message, no record. */
	c = consumer("auto.offset.reset", "none");
	assign_all(c, topic, 1, 5000);
	{
		kfk_message *m = kfk_consumer_poll(c, PT_WAIT_MS);

		KT_ASSERT(m != NULL);
		KT_ASSERT_INT_EQ(kfk_message_err(m), KFK_ERR__AUTO_OFFSET_RESET);
		KT_ASSERT_STR_EQ(kfk_message_topic(m), topic);
		kfk_message_destroy(m);
	}
	/* A seek brings it back. */
	KT_ASSERT_INT_EQ(kfk_consumer_seek(c, topic, 0, 7), 0);
	KT_ASSERT_INT_EQ(next_offset(c), 7);
	kfk_consumer_destroy(c);
	sent_free(&s);
}

KT_TEST(pause_stops_only_that_partition)
{
	char topic[128];
	struct sent s;
	kfk_consumer *c;
	kfk_tplist *p0 = kfk_tplist_new(1);
	int from0 = 0, from1 = 0, n = 200;
	int64_t end;

	kr_topic_name(topic, sizeof(topic), "pause");
	kr_topic(NULL, topic, 2, 1, "");
	java_produce(topic, n, "--keys 7", &s);
	for (int i = 0; i < n; i++)
		s.part[i] ? from1++ : from0++;
	KT_ASSERT(from0 > 0 && from1 > 0);
	c = consumer(NULL, NULL);
	kfk_tplist_add(p0, topic, 0, 0);
	assign_all(c, topic, 2, KFK_OFFSET_BEGINNING);
	KT_ASSERT_INT_EQ(kfk_consumer_pause(c, p0), 0);
	/* A fetch may have left before the pause: the seek drops it. */
	KT_ASSERT_INT_EQ(kfk_consumer_seek(c, topic, 0, 0), 0);
	/* Only partition 1 arrives, to its end. */
	end = kt_now_ms() + PT_WAIT_MS;
	for (int got = 0; got < from1;) {
		kfk_message *m = kfk_consumer_poll(c, 100);

		KT_ASSERT(kt_now_ms() < end);
		if (!m)
			continue;
		KT_ASSERT_INT_EQ(kfk_message_partition(m), 1);
		got += kfk_message_err(m) == KFK_ERR_NONE;
		kfk_message_destroy(m);
	}
	KT_ASSERT_INT_EQ(kfk_consumer_resume(c, p0), 0);
	for (int got = 0; got < from0;) {
		kfk_message *m = next_record(c, end);

		KT_ASSERT(m != NULL);
		KT_ASSERT_INT_EQ(kfk_message_partition(m), 0);
		got++;
		kfk_message_destroy(m);
	}
	kfk_tplist_destroy(p0);
	kfk_consumer_destroy(c);
	sent_free(&s);
}

/* With small fetch sizes the broker leaves partitions out of a session's
 * answer for want of room: that is not their end. Every end-of-partition
 * message must come at the partition's real end, after its last record
 * (a partition left out was once taken for one at offset 0). */
KT_TEST(end_of_partition_only_at_the_end_with_small_fetches)
{
	char topic[128];
	struct sent s;
	kfk_consumer *c;
	int64_t end_of[4] = { 0, 0, 0, 0 }, seen_end[4] = { -1, -1, -1, -1 };
	int n = 8000, got = 0, ends = 0;
	int64_t deadline = kt_now_ms() + PT_WAIT_MS;
	char err[256];
	kfk_conf *conf = kfk_conf_new();

	kr_topic_name(topic, sizeof(topic), "smallfetch");
	kr_topic(NULL, topic, 4, 1, "");
	java_produce(topic, n, "--keys 13", &s);
	for (int i = 0; i < n; i++)
		if (s.off[i] + 1 > end_of[s.part[i]])
			end_of[s.part[i]] = s.off[i] + 1;
	kfk_conf_set(conf, "bootstrap.servers", kr_bootstrap(), err, sizeof(err));
	kfk_conf_set(conf, "enable.partition.eof", "true", err, sizeof(err));
	kfk_conf_set(conf, "fetch.max.bytes", "20000", err, sizeof(err));
	kfk_conf_set(conf, "max.partition.fetch.bytes", "20000", err,
	             sizeof(err));
	c = kfk_consumer_new(conf, err, sizeof(err));
	kfk_conf_destroy(conf);
	KT_ASSERT(c != NULL);
	assign_all(c, topic, 4, KFK_OFFSET_BEGINNING);
	while (got < n || ends < 4) {
		kfk_message *m = kfk_consumer_poll(c, 100);
		int32_t p;

		KT_ASSERT_MSG(kt_now_ms() < deadline, "%d records, %d ends", got,
		              ends);
		if (!m)
			continue;
		p = kfk_message_partition(m);
		if (kfk_message_err(m) == KFK_ERR__PARTITION_EOF) {
			KT_ASSERT_MSG(kfk_message_offset(m) == end_of[p],
			              "partition %d: end reported at %lld, its end "
			              "is %lld", (int)p,
			              (long long)kfk_message_offset(m),
			              (long long)end_of[p]);
			KT_ASSERT_INT_EQ(seen_end[p], -1);
			seen_end[p] = kfk_message_offset(m);
			ends++;
		} else {
			KT_ASSERT_INT_EQ(kfk_message_err(m), 0);
			KT_ASSERT_INT_EQ(seen_end[p], -1);
			got++;
		}
		kfk_message_destroy(m);
	}
	KT_ASSERT_INT_EQ(got, n);
	kfk_consumer_destroy(c);
	sent_free(&s);
}

/* Records deleted below the position (DeleteRecords, as retention does):
 * the fetch is out of range, and auto.offset.reset decides. */
static void after_delete(const char *topic, const char *reset, int64_t want)
{
	kfk_consumer *c = consumer("auto.offset.reset", reset);
	kfk_message *m;

	assign_all(c, topic, 1, 10);
	if (want >= 0) {
		KT_ASSERT_INT_EQ(next_offset(c), want);
	} else {
		m = kfk_consumer_poll(c, PT_WAIT_MS);
		KT_ASSERT(m != NULL);
		KT_ASSERT_INT_EQ(kfk_message_err(m), KFK_ERR__AUTO_OFFSET_RESET);
		kfk_message_destroy(m);
	}
	kfk_consumer_destroy(c);
}

KT_TEST(reset_after_records_are_deleted)
{
	char topic[128], *low;
	struct sent s, s2;

	kr_topic_name(topic, sizeof(topic), "deleted");
	kr_topic(NULL, topic, 1, 1, "");
	java_produce(topic, 100, NULL, &s);
	low = kr_kafka_out(NULL, "peer delete-records --bootstrap '%s' "
	                   "--topic '%s' --partition 0 --before 50 "
	                   "--timeout-ms %d", kr_bootstrap(), topic, PT_WAIT_MS);
	KT_ASSERT_INT_EQ(strtol(low, NULL, 10), 50);
	free(low);
	/* Offset 10 is gone: earliest gives 50, none an error. */
	after_delete(topic, "earliest", 50);
	after_delete(topic, "none", -1);
	/* latest: the next record written, offset 100. */
	{
		kfk_consumer *c = consumer("auto.offset.reset", "latest");
		kfk_tplist *l = kfk_tplist_new(1);
		int64_t end = kt_now_ms() + PT_WAIT_MS;

		assign_all(c, topic, 1, 10);
		kfk_tplist_add(l, topic, 0, 0);
		/* Wait (bounded) until the reset resolved the position. */
		for (;;) {
			kfk_message *m;

			KT_ASSERT(kt_now_ms() < end);
			KT_ASSERT_INT_EQ(kfk_consumer_position(c, l), 0);
			if (kfk_tplist_offset(l, 0) == 100)
				break;
			if ((m = kfk_consumer_poll(c, 50)))
				kfk_message_destroy(m); /* the end of the partition */
		}
		KT_ASSERT_INT_EQ(kfk_tplist_offset(l, 0), 100);
		java_produce(topic, 1, "--value-prefix late", &s2);
		KT_ASSERT_INT_EQ(next_offset(c), 100);
		kfk_tplist_destroy(l);
		kfk_consumer_destroy(c);
		sent_free(&s2);
	}
	sent_free(&s);
}
