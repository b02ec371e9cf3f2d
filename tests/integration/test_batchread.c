/*
 * test_batchread: the batch-level reader of tests (batchread.h) against
 * the mock cluster. Records written by kcat and by the kfk producer, plain
 * and lz4, are read back with exact offsets, keys, values, batch
 * boundaries and producer ids; the reader follows a moved leader, starts
 * at the log start when old data is gone, and fails with a reason for a
 * partition nobody has and within its time budget for a silent cluster.
 * A fake broker (tests/fakebroker.h) serves what the mock cannot: an
 * idempotent batch with known producer fields, a batch failing its CRC, a
 * response that does not decode, a batch that never arrives whole.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <kfk/kfk.h>

#include "../fakebroker.h"
#include "../kt.h"
#include "../mock.h"
#include "batchread.h"
#include "proto/gen/api_keys.h"
#include "proto/gen/fetch.h"
#include "proto/record_batch.h"

/* Bound of every read and every producer wait: generous for sanitizer
 * builds on a shared machine. */
#define WAIT_MS 30000

/* Record i of a run: key "k<i>", value "<tag>-<i>-" and pad x's (so that
 * lz4 has something to compress). */
static void rec_kv(int i, const char *tag, int pad, char *key, size_t klen,
                   char *val, size_t vlen)
{
	int n;

	snprintf(key, klen, "k%d", i);
	n = snprintf(val, vlen, "%s-%d-", tag, i);
	memset(val + n, 'x', (size_t)pad);
	val[n + pad] = '\0';
}

static struct kt_mock *mock_start(void)
{
	struct kt_mock *m = kt_mock_start(3, "br:2", "big:1", NULL);
	KT_ASSERT(m != NULL);
	return m;
}

static void read_ok(struct kt_mock *m, const char *topic, int32_t part,
                    struct br_log *l)
{
	char err[1024] = "";
	int rc = br_read_partition(kt_mock_bootstrap(m), topic, part, WAIT_MS, l,
	                           err, sizeof(err));
	KT_ASSERT_MSG(rc == 0, "br_read_partition(%s, %d): %s", topic,
	              (int)part, err);
}

/* Checks that l holds exactly records first..first+n-1 of a run (offset
 * o is record o), in batches that tile the offsets, with the codec and
 * producer id given; returns the number of batches. */
static int check_log(const struct br_log *l, int64_t first, int n,
                     const char *tag, int pad, int codec)
{
	char key[32], *val = malloc((size_t)pad + 64);
	int64_t next = first;
	int b, j, total = 0;

	KT_ASSERT(val != NULL);
	KT_ASSERT_INT_EQ(l->log_start, first);
	KT_ASSERT_INT_EQ(l->high_watermark, first + n);
	for (b = 0; b < l->n; b++) {
		const struct br_batch *bt = &l->v[b];
		KT_ASSERT_INT_EQ(bt->base_offset, next);
		KT_ASSERT(bt->count > 0);
		KT_ASSERT_INT_EQ(bt->last_offset_delta, bt->count - 1);
		KT_ASSERT_INT_EQ(bt->attributes & KFK_BATCH_ATTR_CODEC_MASK, codec);
		KT_ASSERT_INT_EQ(bt->producer_id, -1);
		KT_ASSERT_INT_EQ(bt->producer_epoch, -1);
		KT_ASSERT_INT_EQ(bt->base_sequence, -1);
		for (j = 0; j < bt->count; j++) {
			const struct br_record *r = &bt->recs[j];
			rec_kv((int)(next + j), tag, pad, key, sizeof(key), val,
			       (size_t)pad + 64);
			KT_ASSERT_INT_EQ(r->offset, next + j);
			KT_ASSERT(r->timestamp > 0);
			KT_ASSERT_MEM_EQ(r->key, (size_t)r->key_len, key, strlen(key));
			KT_ASSERT_MEM_EQ(r->value, (size_t)r->value_len, val,
			                 strlen(val));
			KT_ASSERT_INT_EQ(r->header_cnt, 0);
		}
		next += bt->count;
		total += bt->count;
	}
	KT_ASSERT_INT_EQ(total, n);
	free(val);
	return l->n;
}

/* ------------------------------------------------------------------ */
/* kcat                                                                */
/* ------------------------------------------------------------------ */

/* Writes records 0..n-1 to topic/part with kcat (extra: more options). */
static void kcat_produce(struct kt_mock *m, const char *topic, int part,
                         int n, const char *tag, int pad, const char *extra)
{
	char cmd[1024], key[32], val[256];
	FILE *f;
	int i, st;

	if (system("command -v kcat >/dev/null 2>&1") != 0)
		kt_skip("kcat missing (Debian kcat)");
	snprintf(cmd, sizeof(cmd),
	         "timeout %d kcat -P -b '%s' -t '%s' -p %d -K: %s",
	         WAIT_MS / 1000, kt_mock_bootstrap(m), topic, part, extra);
	f = popen(cmd, "w");
	KT_ASSERT(f != NULL);
	for (i = 0; i < n; i++) {
		rec_kv(i, tag, pad, key, sizeof(key), val, sizeof(val));
		fprintf(f, "%s:%s\n", key, val);
	}
	st = pclose(f);
	KT_ASSERT_MSG(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	              "kcat failed (status %d)", st);
}

KT_TEST(kcat_records_read_back_exactly_and_after_a_leader_move)
{
	struct kt_mock *m = mock_start();
	struct br_log l = { 0 }, again = { 0 };
	int nb;

	kcat_produce(m, "br", 0, 50, "plain", 10, "");
	read_ok(m, "br", 0, &l);
	nb = check_log(&l, 0, 50, "plain", 10, KFK_BATCH_CODEC_NONE);
	kt_log("kcat wrote 50 records in %d batches", nb);

	/* Brokers 1 and 2 now answer NOT_LEADER_OR_FOLLOWER. */
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "leader br 0 3"), 0);
	read_ok(m, "br", 0, &again);
	KT_ASSERT_INT_EQ(check_log(&again, 0, 50, "plain", 10,
	                           KFK_BATCH_CODEC_NONE), nb);
	br_log_free(&again);
	br_log_free(&l);
	KT_ASSERT_INT_EQ(l.n, 0);
	KT_ASSERT(l.v == NULL);
	kt_mock_stop(m);
}

KT_TEST(kcat_lz4_batches_are_decompressed)
{
	struct kt_mock *m = mock_start();
	struct br_log l = { 0 };

	kcat_produce(m, "br", 1, 40, "lz4", 120, "-z lz4");
	read_ok(m, "br", 1, &l);
	check_log(&l, 0, 40, "lz4", 120, KFK_BATCH_CODEC_LZ4);
	br_log_free(&l);
	kt_mock_stop(m);
}

/* ------------------------------------------------------------------ */
/* The kfk producer                                                    */
/* ------------------------------------------------------------------ */

/* A non-idempotent producer (acks 1) on m with one more property. */
static kfk_producer *producer(struct kt_mock *m, const char *name,
                              const char *value)
{
	char err[512];
	kfk_conf *conf = kfk_conf_new();
	kfk_producer *p;

	KT_ASSERT(conf != NULL);
	KT_ASSERT_MSG(!kfk_conf_set(conf, "bootstrap.servers",
	                            kt_mock_bootstrap(m), err, sizeof(err)),
	              "%s", err);
	KT_ASSERT_MSG(!kfk_conf_set(conf, "acks", "1", err, sizeof(err)), "%s",
	              err);
	/* Off where it exists: the batches must carry producer id -1. */
	if (kfk_conf_set(conf, "enable.idempotence", "false", err, sizeof(err)))
		kt_log("enable.idempotence: %s", err);
	KT_ASSERT_MSG(!kfk_conf_set(conf, "linger.ms", "60000", err,
	                            sizeof(err)), "%s", err);
	if (name)
		KT_ASSERT_MSG(!kfk_conf_set(conf, name, value, err, sizeof(err)),
		              "%s", err);
	p = kfk_producer_new(conf, err, sizeof(err));
	kfk_conf_destroy(conf);
	KT_ASSERT_MSG(p != NULL, "kfk_producer_new: %s", err);
	return p;
}

/* Produces records from..to-1 to topic/part, flushes, and checks that
 * every one was delivered. */
static void produce_range(kfk_producer *p, const char *topic, int part,
                          int from, int to, const char *tag, int pad)
{
	char key[32], *val = malloc((size_t)pad + 64);
	kfk_delivery d[64] = {KFK_DELIVERY_INIT};
	int i, got = 0;

	KT_ASSERT(val != NULL);
	for (i = from; i < to; i++) {
		rec_kv(i, tag, pad, key, sizeof(key), val, (size_t)pad + 64);
		KT_ASSERT_INT_EQ(kfk_produce(p, topic, part, key, strlen(key), val,
		                             strlen(val), NULL), KFK_ERR_NONE);
	}
	free(val);
	KT_ASSERT_INT_EQ(kfk_producer_flush(p, WAIT_MS), KFK_ERR_NONE);
	while (got < to - from) {
		int n = kfk_producer_poll_reports(p, d, 64, 0), k;
		KT_ASSERT_MSG(n > 0, "%d reports of %d", got, to - from);
		for (k = 0; k < n; k++)
			KT_ASSERT_MSG(d[k].err == KFK_ERR_NONE, "report: %s",
			              kfk_err_name(d[k].err));
		got += n;
	}
}

/* One flush, one batch: the boundaries are known exactly. */
static void producer_case(void *arg)
{
	const char *codec = arg;
	int lz4 = strcmp(codec, "lz4") == 0;
	struct kt_mock *m = mock_start();
	kfk_producer *p = producer(m, "compression.type", codec);
	struct br_log l = { 0 };

	read_ok(m, "br", 0, &l); /* empty: nothing, but no error */
	KT_ASSERT_INT_EQ(l.n, 0);
	KT_ASSERT_INT_EQ(l.high_watermark, 0);
	produce_range(p, "br", 0, 0, 10, codec, 100);
	produce_range(p, "br", 0, 10, 15, codec, 100);
	kfk_producer_destroy(p);
	read_ok(m, "br", 0, &l);
	KT_ASSERT_INT_EQ(check_log(&l, 0, 15, codec, 100,
	                           lz4 ? KFK_BATCH_CODEC_LZ4 :
	                                 KFK_BATCH_CODEC_NONE), 2);
	KT_ASSERT_INT_EQ(l.v[0].count, 10);
	KT_ASSERT_INT_EQ(l.v[1].base_offset, 10);
	KT_ASSERT_INT_EQ(l.v[1].count, 5);
	br_log_free(&l);
	kt_mock_stop(m);
}

KT_TEST(kfk_producer_batches_read_back_with_their_boundaries)
{
	kt_subtest(producer_case, "none", "compression.type=none");
	kt_subtest(producer_case, "lz4", "compression.type=lz4");
}

/* The mock keeps 5 MB per partition: 8 MB in 200 KB records drops the
 * oldest, so offset 0 is out of range and reading starts at the log
 * start the broker reports. */
KT_TEST(dropped_data_starts_at_the_log_start)
{
	struct kt_mock *m = mock_start();
	kfk_producer *p = producer(m, NULL, NULL);
	struct br_log l = { 0 };
	int64_t start;

	produce_range(p, "big", 0, 0, 40, "big", 200 * 1024);
	kfk_producer_destroy(p);
	read_ok(m, "big", 0, &l);
	start = l.log_start;
	kt_log("log start %lld, %d batches", (long long)start, l.n);
	KT_ASSERT(start > 0 && start < 40);
	check_log(&l, start, (int)(40 - start), "big", 200 * 1024,
	          KFK_BATCH_CODEC_NONE);
	br_log_free(&l);
	kt_mock_stop(m);
}

/* ------------------------------------------------------------------ */
/* Failures                                                            */
/* ------------------------------------------------------------------ */

static void expect_failure(struct kt_mock *m, const char *topic,
                           int32_t part, int timeout_ms, const char *why)
{
	struct br_log l = { 0 };
	char err[1024] = "";

	KT_ASSERT_INT_EQ(br_read_partition(kt_mock_bootstrap(m), topic, part,
	                                   timeout_ms, &l, err, sizeof(err)),
	                 -1);
	kt_log("%s", err);
	KT_ASSERT_MSG(strstr(err, why) != NULL, "\"%s\" lacks \"%s\"", err,
	              why);
	KT_ASSERT_INT_EQ(l.n, 0);
	KT_ASSERT(l.v == NULL);
}

KT_TEST(a_partition_nobody_has_fails_with_a_reason)
{
	struct kt_mock *m = mock_start();

	expect_failure(m, "br", 7, WAIT_MS, "UNKNOWN_TOPIC_OR_PART");
	expect_failure(m, "nosuchtopic", 0, WAIT_MS, "UNKNOWN_TOPIC_OR_PART");
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "down -1"), 0);
	expect_failure(m, "br", 0, WAIT_MS, "no broker of");
	kt_mock_stop(m);
}

KT_TEST(a_silent_cluster_fails_within_the_time_budget)
{
	struct kt_mock *m = mock_start();
	int64_t t0;

	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "rtt -1 5000"), 0);
	t0 = kt_now_ms();
	expect_failure(m, "br", 0, 300, "timed out");
	KT_ASSERT_MSG(kt_now_ms() - t0 < 2000, "took %lld ms",
	              (long long)(kt_now_ms() - t0));
	kt_mock_stop(m);
}

/* ------------------------------------------------------------------ */
/* A fake broker: what the mock cannot serve                           */
/* ------------------------------------------------------------------ */

enum fake_mode { FAKE_GOOD, FAKE_BAD_CRC, FAKE_GARBAGE, FAKE_TRUNCATED };

/* An idempotent batch of 3 records ("a", "b", null) at offset 0: producer
 * id 1234, epoch 5, base sequence 42. */
static void fake_batch(struct kfk_batch_buf *buf)
{
	struct kfk_batch_opts o = { 0, -1, 0, 1234, 5, 42, 0 };
	struct kfk_batch_writer w;

	KT_ASSERT_INT_EQ(kfk_batch_writer_begin(&w, buf, &o), KFK_ERR_NONE);
	KT_ASSERT_INT_EQ(kfk_batch_writer_append(&w, 1000, "k", 1, "a", 1, NULL,
	                                         0), KFK_ERR_NONE);
	KT_ASSERT_INT_EQ(kfk_batch_writer_append(&w, 1001, NULL, -1, "b", 1,
	                                         NULL, 0), KFK_ERR_NONE);
	KT_ASSERT_INT_EQ(kfk_batch_writer_append(&w, 1002, "k", 1, NULL, -1,
	                                         NULL, 0), KFK_ERR_NONE);
	KT_ASSERT_INT_EQ(kfk_batch_writer_finish(&w, NULL, 0, NULL),
	                 KFK_ERR_NONE);
}

/* A Fetch v5 body for topic "fk" partition 0 holding records. */
static void fake_fetch_body(kfk_wbuf *w, const uint8_t *records, size_t len)
{
	struct kfk_fetch_response m;
	struct kfk_fetch_response_fetchable_topic_response t;
	struct kfk_fetch_response_partition_data pd;

	kfk_fetch_response_init(&m);
	kfk_fetch_response_fetchable_topic_response_init(&t);
	kfk_fetch_response_partition_data_init(&pd);
	pd.partition_index = 0;
	pd.high_watermark = 3;
	pd.last_stable_offset = 3;
	pd.log_start_offset = 0;
	pd.aborted_transactions_count = 0;
	pd.records.ptr = records;
	pd.records.len = (int32_t)len;
	t.topic = kfk_str_c("fk");
	t.partitions = &pd;
	t.partitions_count = 1;
	m.responses = &t;
	m.responses_count = 1;
	kfk_wbuf_init(w);
	KT_ASSERT_INT_EQ(kfk_fetch_response_encode(w, 5, &m), 0);
}

/* The Fetch body the fake serves in each mode. */
static void fake_body(enum fake_mode mode, kfk_wbuf *w)
{
	struct kfk_batch_buf buf = { NULL, 0, 0 };

	if (mode == FAKE_GARBAGE) {
		kfk_wbuf_init(w);
		kfk_wbuf_put_raw(w, "\xff\xff\xff\xff\xff\xff\xff", 7);
		return;
	}
	fake_batch(&buf);
	if (mode == FAKE_BAD_CRC)
		buf.data[buf.len - 1] ^= 1; /* in the records: the CRC covers it */
	else if (mode == FAKE_TRUNCATED)
		buf.len--; /* never whole, however often it is fetched */
	fake_fetch_body(w, buf.data, buf.len);
	kfk_batch_buf_free(&buf);
}

struct fake {
	const uint8_t *body;
	size_t len;
};

/* Answers every Fetch with the same body (on the fake's thread). */
static void fake_handler(struct fb_conn *c, const struct fb_req *r,
                         void *arg)
{
	const struct fake *f = arg;

	if (r->api_key == KFK_APIKEY_FETCH)
		fb_respond(c, r, r->corrid, f->body, f->len);
}

/* br_read_partition of "fk" [0] on a fake serving mode. */
static int fake_read(enum fake_mode mode, struct br_log *l, char *err,
                     size_t errlen)
{
	struct fake f;
	struct fb *fb;
	char boot[64];
	kfk_wbuf w;
	int rc;

	fake_body(mode, &w);
	KT_ASSERT_INT_EQ(w.err, 0);
	f.body = w.buf;
	f.len = w.len;
	fb = fb_start(fake_handler, &f);
	KT_ASSERT(fb != NULL);
	snprintf(boot, sizeof(boot), "127.0.0.1:%d", fb_port(fb));
	rc = br_read_partition(boot, "fk", 0, WAIT_MS, l, err, errlen);
	fb_stop(fb);
	kfk_wbuf_free(&w);
	return rc;
}

static void assert_rec(const struct br_record *r, int64_t offset,
                       int64_t ts, const char *key, const char *value)
{
	KT_ASSERT_INT_EQ(r->offset, offset);
	KT_ASSERT_INT_EQ(r->timestamp, ts);
	if (key)
		KT_ASSERT_MEM_EQ(r->key, (size_t)r->key_len, key, strlen(key));
	else
		KT_ASSERT(r->key == NULL && r->key_len == -1);
	if (value)
		KT_ASSERT_MEM_EQ(r->value, (size_t)r->value_len, value,
		                 strlen(value));
	else
		KT_ASSERT(r->value == NULL && r->value_len == -1);
}

KT_TEST(idempotent_batch_fields_are_read_exactly)
{
	struct br_log l = { 0 };
	char err[1024] = "";
	const struct br_batch *b;

	KT_ASSERT_MSG(fake_read(FAKE_GOOD, &l, err, sizeof(err)) == 0, "%s",
	              err);
	KT_ASSERT_INT_EQ(l.n, 1);
	KT_ASSERT_INT_EQ(l.high_watermark, 3);
	KT_ASSERT_INT_EQ(l.log_start, 0);
	b = &l.v[0];
	KT_ASSERT_INT_EQ(b->base_offset, 0);
	KT_ASSERT_INT_EQ(b->count, 3);
	KT_ASSERT_INT_EQ(b->last_offset_delta, 2);
	KT_ASSERT_INT_EQ(b->attributes, 0);
	KT_ASSERT_INT_EQ(b->producer_id, 1234);
	KT_ASSERT_INT_EQ(b->producer_epoch, 5);
	KT_ASSERT_INT_EQ(b->base_sequence, 42);
	assert_rec(&b->recs[0], 0, 1000, "k", "a");
	assert_rec(&b->recs[1], 1, 1001, NULL, "b");
	assert_rec(&b->recs[2], 2, 1002, "k", NULL);
	br_log_free(&l);
}

struct bad_case {
	enum fake_mode mode;
	const char *why;
};

static void bad_case(void *arg)
{
	const struct bad_case *bc = arg;
	struct br_log l = { 0 };
	char err[1024] = "";

	KT_ASSERT_INT_EQ(fake_read(bc->mode, &l, err, sizeof(err)), -1);
	kt_log("%s", err);
	KT_ASSERT_MSG(strstr(err, bc->why) != NULL, "\"%s\" lacks \"%s\"",
	              err, bc->why);
	KT_ASSERT_INT_EQ(l.n, 0);
}

KT_TEST(a_corrupt_answer_is_an_error_never_skipped)
{
	static const struct bad_case cases[] = {
		{ FAKE_BAD_CRC, "batch at offset 0: _CRC" },
		{ FAKE_GARBAGE, "malformed Fetch response" },
		{ FAKE_TRUNCATED, "no batch at offset 0" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		kt_subtest(bad_case, (void *)&cases[i], "%s", cases[i].why);
}
