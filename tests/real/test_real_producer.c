/*
 * test_real_producer: the producer against a real Apache Kafka 4.x broker,
 * read back by the Java client (kafka-clients, tests/interop/KfkPeer.java):
 * keyed records in the partition the Java producer chooses for the same key,
 * each once and in order per key; every codec with headers and timestamps
 * (and the batches really compressed with it); acks 0, 1 and all, acks=0
 * without an error logged; a record over the topic's max.message.bytes
 * failing alone with the broker's error.
 */
#include "config.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kfk/kfk.h>

#include "../integration/batchread.h"
#include "../kt.h"
#include "real.h"

/* Produces rec, serving reports while the producer's queue is full. */
static void produce(kfk_producer *p, const kfk_record *rec)
{
	int64_t deadline = kt_now_ms() + PT_WAIT_MS;
	kfk_err err;

	while ((err = kfk_produce_record(p, rec)) == KFK_ERR__QUEUE_FULL &&
	       kt_now_ms() < deadline)
		kfk_producer_poll(p, 10);
	KT_ASSERT_MSG(err == KFK_ERR_NONE, "produce: %s", kfk_err_name(err));
}

/* Produces record i: key (NULL: a null key) and value. */
static void produce_kv(kfk_producer *p, const char *topic, const char *key,
                       const void *value, size_t value_len, int i)
{
	kfk_record rec = KFK_RECORD_INIT;

	rec.topic = topic;
	rec.key = key;
	rec.key_len = key ? strlen(key) : 0;
	rec.value = value;
	rec.value_len = value_len;
	rec.opaque = pt_id(i);
	produce(p, &rec);
}

/* Flushes and checks that records 0..n-1 each got one successful report. */
static void expect_delivered(kfk_producer *p, struct pt_reports *r, int n)
{
	int i;

	KT_ASSERT_INT_EQ(kfk_producer_flush(p, PT_WAIT_MS), 0);
	KT_ASSERT_INT_EQ(r->total, n);
	KT_ASSERT_INT_EQ(r->bad_opaque, 0);
	for (i = 0; i < n; i++) {
		KT_ASSERT_INT_EQ(r->count[i], 1);
		KT_ASSERT_MSG(r->err[i] == KFK_ERR_NONE, "record %d: %s", i,
		              kfk_err_name(r->err[i]));
	}
}

/* The value of record i is its decimal number. */
static int value_index(const struct pt_rec *rec, int n)
{
	char *end;
	long v;

	KT_ASSERT(rec->value != NULL);
	v = strtol(rec->value, &end, 10);
	KT_ASSERT_MSG(*end == 0 && v >= 0 && v < n, "unexpected value %.40s",
	              rec->value);
	return (int)v;
}

/* ------------------------------------------------------------------ */

#define KEYED_N 100000
#define KEYED_KEYS 1000
#define KEYED_PARTS 4

/* Checks one record read back against what was produced: key, the Java
 * partition for that key, the report's partition and offset, and that the
 * key's records arrive in produce order. */
static void check_keyed(const struct pt_rec *rec, const struct pt_reports *r,
                        const int32_t *java_part, int *last, char *seen)
{
	char key[32];
	int i = value_index(rec, KEYED_N), k = i % KEYED_KEYS;

	KT_ASSERT_MSG(!seen[i], "record %d read twice", i);
	seen[i] = 1;
	snprintf(key, sizeof(key), "key-%d", k);
	KT_ASSERT_STR_EQ(rec->key, key);
	KT_ASSERT_MSG(rec->partition == java_part[k],
	              "key %s in partition %d, the Java producer chooses %d", key,
	              rec->partition, java_part[k]);
	KT_ASSERT_INT_EQ(r->partition[i], rec->partition);
	KT_ASSERT_INT_EQ(r->offset[i], rec->offset);
	KT_ASSERT_MSG(last[k] < i, "key %s: record %d after %d", key, i, last[k]);
	last[k] = i;
}

KT_TEST(keyed_records_land_where_the_java_producer_puts_them)
{
	const char *bs = kr_bootstrap();
	char topic[96], key[32], val[16], *keys[KEYED_KEYS];
	int32_t java_part[KEYED_KEYS];
	int last[KEYED_KEYS], i;
	char *seen = calloc(KEYED_N, 1);
	struct pt_reports r;
	struct pt_topic t;
	kfk_producer *p;

	KT_ASSERT(seen != NULL);
	kr_topic(NULL, kr_topic_name(topic, sizeof(topic), "keyed"), KEYED_PARTS,
	         1, "");
	for (i = 0; i < KEYED_KEYS; i++) {
		snprintf(key, sizeof(key), "key-%d", i);
		keys[i] = strdup(key);
		last[i] = -1;
	}
	kr_java_partitions(keys, KEYED_KEYS, KEYED_PARTS, java_part);
	pt_reports_init(&r, KEYED_N);
	p = pt_producer(bs, &r, NULL);
	for (i = 0; i < KEYED_N; i++) {
		snprintf(val, sizeof(val), "%d", i);
		produce_kv(p, topic, keys[i % KEYED_KEYS], val, strlen(val), i);
	}
	expect_delivered(p, &r, KEYED_N);
	kfk_producer_destroy(p);
	kr_java_consume(bs, topic, "", &t);
	KT_ASSERT_INT_EQ(t.n, KEYED_N);
	for (i = 0; i < t.n; i++)
		check_keyed(&t.v[i], &r, java_part, last, seen);
	kt_log("%d records, %d keys over %d partitions: each once, in order per "
	       "key, in the Java producer's partition", t.n, KEYED_KEYS,
	       KEYED_PARTS);
	pt_topic_free(&t);
	pt_reports_free(&r);
	for (i = 0; i < KEYED_KEYS; i++)
		free(keys[i]);
	free(seen);
}

/* ------------------------------------------------------------------ */

#define CODEC_N 3000
#define CODEC_TS 1600000000000LL

/* The headers record i carries, and how the Java peer prints them: "i" =
 * its number, "empty" = "", "null" = null. */
static void codec_headers(int i, char *num, size_t cap, kfk_header h[3])
{
	snprintf(num, cap, "%d", i);
	h[0] = (kfk_header){"i", num, strlen(num)};
	h[1] = (kfk_header){"empty", "", 0};
	h[2] = (kfk_header){"null", NULL, 0};
}

static void hex(char *out, const char *s)
{
	for (; *s; s++, out += 2)
		sprintf(out, "%02x", (unsigned char)*s);
	*out = 0;
}

static void check_codec_record(const struct pt_rec *rec, const char *pad)
{
	char num[16], want[128], numhex[40];
	int i = (int)strtol(rec->key ? rec->key : "-1", NULL, 10);

	KT_ASSERT_MSG(i >= 0 && i < CODEC_N, "bad key");
	snprintf(num, sizeof(num), "%d", i);
	KT_ASSERT_STR_EQ(rec->key, num);
	KT_ASSERT_INT_EQ(rec->value_len, (int)strlen(pad) + (int)strlen(num));
	KT_ASSERT(strncmp(rec->value, pad, strlen(pad)) == 0);
	KT_ASSERT_STR_EQ(rec->value + strlen(pad), num);
	KT_ASSERT_INT_EQ(rec->timestamp, CODEC_TS + i);
	hex(numhex, num);
	/* hex("i"), hex("empty") with an empty value, hex("null") with null */
	snprintf(want, sizeof(want), "69:%s,656d707479:=,6e756c6c:-", numhex);
	KT_ASSERT_STR_EQ(rec->headers, want);
}

/* Every batch of the topic's partition is compressed with codec. */
static void check_batches_codec(const char *bs, const char *topic, int codec)
{
	struct br_log log;
	char err[256];
	int i, recs = 0;

	memset(&log, 0, sizeof(log));
	KT_ASSERT_MSG(br_read_partition(bs, topic, 0, PT_WAIT_MS, &log, err,
	                                sizeof(err)) == 0, "batchread: %s", err);
	for (i = 0; i < log.n; i++) {
		KT_ASSERT_INT_EQ(log.v[i].attributes & 7, codec);
		recs += log.v[i].count;
	}
	KT_ASSERT_INT_EQ(recs, CODEC_N);
	kt_log("%d batches, each with codec %d", log.n, codec);
	br_log_free(&log);
}

struct codec_case {
	const char *name;
	int id; /* the batch attributes' codec bits */
};

static void codec_case(void *arg)
{
	const struct codec_case *c = arg;
	const char *bs = kr_bootstrap();
	const char *pad = "compressible compressible compressible ";
	char topic[96], num[16], key[16], val[128];
	struct pt_reports r;
	struct pt_topic t;
	kfk_header h[3];
	kfk_producer *p;
	int i;

	kr_topic(NULL, kr_topic_name(topic, sizeof(topic), c->name), 1, 1, "");
	pt_reports_init(&r, CODEC_N);
	p = pt_producer(bs, &r, "compression.type", c->name, NULL);
	for (i = 0; i < CODEC_N; i++) {
		kfk_record rec = KFK_RECORD_INIT;
		codec_headers(i, num, sizeof(num), h);
		snprintf(key, sizeof(key), "%d", i);
		snprintf(val, sizeof(val), "%s%d", pad, i);
		rec.topic = topic;
		rec.key = key;
		rec.key_len = strlen(key);
		rec.value = val;
		rec.value_len = strlen(val);
		rec.headers = h;
		rec.header_cnt = 3;
		rec.timestamp = CODEC_TS + i;
		rec.opaque = pt_id(i);
		produce(p, &rec);
	}
	expect_delivered(p, &r, CODEC_N);
	for (i = 0; i < CODEC_N; i++)
		KT_ASSERT_INT_EQ(r.timestamp[i], CODEC_TS + i);
	kfk_producer_destroy(p);
	kr_java_consume(bs, topic, "", &t);
	KT_ASSERT_INT_EQ(t.n, CODEC_N);
	for (i = 0; i < t.n; i++) {
		KT_ASSERT_INT_EQ(t.v[i].offset, i);
		check_codec_record(&t.v[i], pad);
	}
	check_batches_codec(bs, topic, c->id);
	pt_topic_free(&t);
	pt_reports_free(&r);
}

KT_TEST(every_codec_with_headers_and_timestamps)
{
	static struct codec_case cases[] = {
		{"gzip", 1}, {"snappy", 2}, {"lz4", 3}, {"zstd", 4}, {"none", 0},
	};
	size_t i;

	kr_bootstrap();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		kt_subtest(codec_case, &cases[i], "codec %s: %d records read back "
		           "by Java", cases[i].name, CODEC_N);
}

/* ------------------------------------------------------------------ */

#define ACKS_N 5000

/* The reports first (pt_delivery_cb takes the opaque as a pt_reports), then
 * what the log callback saw. */
struct acks_ctx {
	struct pt_reports r;
	atomic_int errors;     /* log lines at warning or worse */
	char first[512];       /* the first of them */
	atomic_flag have_first;
};

static void acks_log_cb(void *opaque, int level, const char *fac,
                        const char *msg)
{
	struct acks_ctx *c = opaque;

	if (level > 4)
		return;
	if (!atomic_flag_test_and_set(&c->have_first))
		snprintf(c->first, sizeof(c->first), "%s %s", fac, msg);
	atomic_fetch_add(&c->errors, 1);
}

static void acks_case(void *arg)
{
	const char *acks = arg, *bs = kr_bootstrap();
	char topic[96], val[16];
	struct acks_ctx c;
	struct pt_topic t;
	kfk_producer *p;
	int i;

	memset(&c, 0, sizeof(c));
	atomic_flag_clear(&c.have_first);
	kr_topic(NULL, kr_topic_name(topic, sizeof(topic), "acks"), 2, 1, "");
	pt_reports_init(&c.r, ACKS_N);
	/* acks other than all need the idempotent producer off (as in Java). */
	p = pt_producer_logged(bs, &c.r, acks_log_cb, "acks", acks,
	                       "enable.idempotence",
	                       strcmp(acks, "all") ? "false" : "true", NULL);
	for (i = 0; i < ACKS_N; i++) {
		snprintf(val, sizeof(val), "%d", i);
		produce_kv(p, topic, NULL, val, strlen(val), i);
	}
	expect_delivered(p, &c.r, ACKS_N);
	for (i = 0; i < ACKS_N; i++)
		KT_ASSERT(strcmp(acks, "0") == 0 ? c.r.offset[i] == -1
		                                 : c.r.offset[i] >= 0);
	kfk_producer_destroy(p);
	KT_ASSERT_MSG(atomic_load(&c.errors) == 0, "%d lines logged, first: %s",
	              atomic_load(&c.errors), c.first);
	kr_java_consume(bs, topic, "", &t);
	KT_ASSERT_INT_EQ(t.n, ACKS_N);
	{
		char *seen = calloc(ACKS_N, 1);
		KT_ASSERT(seen != NULL);
		for (i = 0; i < t.n; i++) {
			int v = value_index(&t.v[i], ACKS_N);
			KT_ASSERT_MSG(!seen[v], "record %d read twice", v);
			seen[v] = 1;
		}
		free(seen);
	}
	pt_topic_free(&t);
	pt_reports_free(&c.r);
}

KT_TEST(acks_0_1_all_deliver_every_record_and_log_nothing)
{
	kr_bootstrap();
	kt_subtest(acks_case, "0", "acks=0: no response expected, none logged");
	kt_subtest(acks_case, "1", "acks=1");
	kt_subtest(acks_case, "all", "acks=all");
}

/* ------------------------------------------------------------------ */

/* The topic allows 10,000 bytes per batch; the producer (message.max.bytes
 * 1 MB) sends a 20,000-byte record among small ones: the broker refuses it
 * with MESSAGE_TOO_LARGE and every other record is delivered. */
KT_TEST(record_over_the_topics_max_message_bytes_fails_alone)
{
	const char *bs = kr_bootstrap();
	static char big[20000];
	char topic[96], val[16];
	struct pt_reports r;
	struct pt_topic t;
	kfk_producer *p;
	int i, n = 41, bad = 20;

	kr_topic(NULL, kr_topic_name(topic, sizeof(topic), "big"), 1, 1,
	         "max.message.bytes=10000");
	memset(big, 'B', sizeof(big));
	pt_reports_init(&r, n);
	p = pt_producer(bs, &r, NULL);
	for (i = 0; i < n; i++) {
		snprintf(val, sizeof(val), "%d", i);
		if (i == bad)
			produce_kv(p, topic, NULL, big, sizeof(big), i);
		else
			produce_kv(p, topic, NULL, val, strlen(val), i);
	}
	KT_ASSERT_INT_EQ(kfk_producer_flush(p, PT_WAIT_MS), 0);
	KT_ASSERT_INT_EQ(r.total, n);
	for (i = 0; i < n; i++)
		KT_ASSERT_MSG(r.err[i] == (i == bad ? KFK_ERR_MESSAGE_TOO_LARGE
		                                    : KFK_ERR_NONE),
		              "record %d: %s", i, kfk_err_name(r.err[i]));
	kfk_producer_destroy(p);
	kr_java_consume(bs, topic, "", &t);
	KT_ASSERT_INT_EQ(t.n, n - 1);
	for (i = 0; i < t.n; i++) {
		int v = value_index(&t.v[i], n);
		KT_ASSERT_INT_EQ(v, i < bad ? i : i + 1);
	}
	pt_topic_free(&t);
	pt_reports_free(&r);
}

/* A topic the broker creates on first use (auto.create.topics.enable):
 * Kafka 4 answers the metadata request that makes it create the topic
 * with UNKNOWN_TOPIC_OR_PARTITION, and every record failed with
 * _UNKNOWN_TOPIC at once. They wait topic.metadata.propagation.max.ms
 * now: delivered, in order, read back by the Java client. A topic that
 * is not created (auto-creation off) still fails, after that wait. */
KT_TEST(records_to_a_topic_the_broker_creates_on_first_use_are_delivered)
{
	const char *bs = kr_bootstrap();
	char topic[96], val[16];
	struct pt_reports r;
	struct pt_topic t;
	kfk_producer *p;
	int i, n = 5;
	int64_t t0;

	kr_topic_name(topic, sizeof(topic), "autocreated");
	pt_reports_init(&r, n);
	p = pt_producer(bs, &r, NULL);
	for (i = 0; i < n; i++) {
		snprintf(val, sizeof(val), "%d", i);
		produce_kv(p, topic, NULL, val, strlen(val), i);
	}
	KT_ASSERT_INT_EQ(kfk_producer_flush(p, PT_WAIT_MS), 0);
	KT_ASSERT_INT_EQ(r.total, n);
	for (i = 0; i < n; i++) {
		KT_ASSERT_MSG(r.err[i] == KFK_ERR_NONE, "record %d: %s", i,
		              kfk_err_name(r.err[i]));
		KT_ASSERT_INT_EQ(r.offset[i], i);
	}
	kfk_producer_destroy(p);
	kr_java_consume(bs, topic, "", &t);
	KT_ASSERT_INT_EQ(t.n, n);
	for (i = 0; i < n; i++)
		KT_ASSERT_INT_EQ(value_index(&t.v[i], n), i);
	pt_topic_free(&t);
	pt_reports_free(&r);

	kr_topic_name(topic, sizeof(topic), "notcreated");
	pt_reports_init(&r, 1);
	p = pt_producer(bs, &r, "allow.auto.create.topics", "false",
	                "topic.metadata.propagation.max.ms", "1000", NULL);
	t0 = kt_now_ms();
	produce_kv(p, topic, NULL, "x", 1, 0);
	KT_ASSERT_INT_EQ(pt_wait_reports(p, &r, 1, PT_WAIT_MS), 1);
	kt_log("not created: %s after %lld ms", kfk_err_name(r.err[0]),
	       (long long)(kt_now_ms() - t0));
	KT_ASSERT_INT_EQ(r.err[0], KFK_ERR__UNKNOWN_TOPIC);
	KT_ASSERT(kt_now_ms() - t0 >= 900);
	kfk_producer_destroy(p);
	pt_reports_free(&r);
}
