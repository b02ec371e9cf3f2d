/*
 * producer/accumulator: records encoded into their partition's open batch,
 * batches closed by size, count, linger and flush, the queue limits (and
 * waiting for room), message.max.bytes, pending records of topics whose
 * partition count is unknown (placed in order, failed by metadata or by
 * delivery.timeout.ms), sticky null keys, and many producing threads.
 * Metadata is a hand-made snapshot; no network.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../kt.h"
#include "codec/codec.h"
#include "producer/accumulator.h"
#include "producer/hash.h"
#include "util/time.h"

/* ---- a fake metadata snapshot: topics "t4" (4 partitions) and "gone" ---- */

static struct kfk_md_partition parts4[4] = {
	{ 0, 0, 1, 0, NULL, 0, NULL, 0 },
	{ 1, 0, 1, 0, NULL, 0, NULL, 0 },
	{ 2, 0, 1, 0, NULL, 0, NULL, 0 },
	{ 3, 0, 1, 0, NULL, 0, NULL, 0 },
};

static struct kfk_md_topic topics2[2] = {
	{ "gone", KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION, 0, NULL, 0, 0 },
	{ "t4", KFK_ERR_NONE, 0, parts4, 4, 0 },
};

static void md_init(struct kfk_metadata *md, uint64_t version)
{
	memset(md, 0, sizeof(*md));
	md->version = version;
	md->controller_id = -1;
	md->topics = topics2;
	md->topic_cnt = 2;
}

/* ---- the harness: an accumulator, its report queue, its hooks ---- */

struct h {
	struct kfk_accum acc;
	struct kfk_reports reports;
	atomic_int notified;  /* hooks run on the producing threads */
	atomic_int want_md;
	/* Of the last news (read by the single-thread tests); atomic because
	 * the threaded test's producers all write it. */
	_Atomic int64_t last_due;
};

static void on_notify(struct kfk_ppart *pp, int64_t due, void *arg)
{
	struct h *h = arg;
	(void)pp;
	atomic_fetch_add(&h->notified, 1);
	atomic_store_explicit(&h->last_due, due, memory_order_relaxed);
}

static void on_want_md(struct kfk_ptopic *tp, void *arg)
{
	struct h *h = arg;
	(void)tp;
	atomic_fetch_add(&h->want_md, 1);
}

static struct kfk_accum_config default_cfg(void)
{
	struct kfk_accum_config c = {
		.linger_us = 5000,
		.batch_size = 16384,
		.batch_num = 10000,
		.max_msgs = 100000,
		.max_bytes = 1 << 30,
		.max_block_ms = 0,
		.message_max = 1000000,
		.delivery_timeout_us = 120000000,
		.codec = KFK_CODEC_NONE,
	};
	return c;
}

static void h_init(struct h *h, const struct kfk_accum_config *cfg)
{
	struct kfk_partitioner pt = { KFK_PARTITIONER_MURMUR2_STICKY, NULL, NULL };
	struct kfk_accum_hooks hooks = { on_notify, on_want_md, NULL, h };

	memset(h, 0, sizeof(*h));
	KT_ASSERT_INT_EQ(kfk_reports_init(&h->reports, kfk_accum_dr_release,
	                                  &h->acc), 0);
	KT_ASSERT_INT_EQ(kfk_accum_init(&h->acc, cfg, &pt, &h->reports, &hooks),
	                 0);
}

static void h_destroy(struct h *h)
{
	kfk_reports_destroy(&h->reports);
	kfk_accum_destroy(&h->acc);
}

static void rec_init(struct kfk_precord *r, const char *topic,
                     const char *key, const char *value)
{
	memset(r, 0, sizeof(*r));
	r->topic = topic;
	r->partition = KFK_PARTITION_ANY;
	r->key = key;
	r->key_len = key ? (int32_t)strlen(key) : -1;
	r->value = value;
	r->value_len = value ? (int32_t)strlen(value) : -1;
	r->timestamp = 1700000000000;
}

static struct kfk_ptopic *known_topic(struct h *h, const char *name)
{
	struct kfk_metadata md;
	bool created;
	struct kfk_ptopic *tp = kfk_topic_get(&h->acc.topics, name, &created);

	md_init(&md, 1);
	kfk_accum_update_topic(&h->acc, tp, &md);
	return tp;
}

/* Finishes b and checks it parses; returns its record count. */
static int32_t parse_count(struct kfk_pbatch *b)
{
	struct kfk_batch pb;

	KT_ASSERT_INT_EQ(kfk_pbatch_finish(b, -1), 0);
	KT_ASSERT_INT_EQ(kfk_batch_parse(b->buf.data, b->buf.len, 0, &pb), 0);
	return pb.record_count;
}

/* ------------------------------------------------------------------ */

KT_TEST(keyed_records_land_in_the_murmur2_partition_in_order)
{
	struct h h;
	struct kfk_accum_config cfg = default_cfg();
	struct kfk_precord r;
	struct kfk_ptopic *tp;
	struct kfk_pparts *parts;
	struct kfk_batch pb;
	struct kfk_record_iter it;
	struct kfk_record rec;
	char key[16], val[16];
	int i, n[4] = { 0 };

	h_init(&h, &cfg);
	tp = known_topic(&h, "t4");
	for (i = 0; i < 200; i++) {
		snprintf(key, sizeof(key), "key-%d", i % 10);
		snprintf(val, sizeof(val), "v%d", i);
		rec_init(&r, "t4", key, val);
		KT_ASSERT_INT_EQ(kfk_accum_produce(&h.acc, &r), 0);
	}
	KT_ASSERT_INT_EQ(kfk_accum_outstanding(&h.acc), 200);
	KT_ASSERT_INT_EQ(kfk_accum_unfinished(&h.acc), 200);
	parts = kfk_topic_parts(tp);
	KT_ASSERT_INT_EQ(parts->cnt, 4);
	for (i = 0; i < 4; i++) {
		struct kfk_pbatch *b = parts->v[i]->open;
		if (!b)
			continue;
		KT_ASSERT_INT_EQ(kfk_pbatch_finish(b, -1), 0);
		KT_ASSERT_INT_EQ(kfk_batch_parse(b->buf.data, b->buf.len, 0, &pb), 0);
		KT_ASSERT_INT_EQ(kfk_record_iter_init(&it, &pb, NULL, 0), 0);
		while (kfk_record_iter_next(&it, &rec) == 1) {
			int32_t want = kfk_hash_to_positive(kfk_hash_murmur2(
				rec.key, (size_t)rec.key_len)) % 4;
			KT_ASSERT_INT_EQ(want, i);
			/* Within one key, values ascend (produce order). */
			n[i]++;
		}
		kfk_record_iter_destroy(&it);
		/* All opaques were NULL and timestamps equal: no arrays. */
		KT_ASSERT(b->opaques == NULL);
		KT_ASSERT(b->ts == NULL);
	}
	KT_ASSERT_INT_EQ(n[0] + n[1] + n[2] + n[3], 200);
	h_destroy(&h);
}

KT_TEST(batch_closes_at_batch_size_and_count)
{
	struct h h;
	struct kfk_accum_config cfg = default_cfg();
	struct kfk_precord r;
	struct kfk_ptopic *tp;
	struct kfk_ppart *pp;
	char val[100];
	int i;

	cfg.batch_size = 1000;
	cfg.batch_num = 1000;
	h_init(&h, &cfg);
	tp = known_topic(&h, "t4");
	memset(val, 'x', sizeof(val) - 1);
	val[sizeof(val) - 1] = 0;
	for (i = 0; i < 30; i++) {
		rec_init(&r, "t4", NULL, val);
		r.partition = 2;
		KT_ASSERT_INT_EQ(kfk_accum_produce(&h.acc, &r), 0);
	}
	pp = kfk_topic_parts(tp)->v[2];
	KT_ASSERT(pp->closed_head != NULL);
	for (struct kfk_pbatch *b = pp->closed_head; b; b = b->next) {
		KT_ASSERT((int64_t)kfk_pbatch_size(b) <= 1000);
		KT_ASSERT(kfk_pbatch_count(b) >= 8);
	}
	KT_ASSERT(atomic_load(&h.notified) >= 3);
	h_destroy(&h);

	cfg = default_cfg();
	cfg.batch_num = 5;
	h_init(&h, &cfg);
	tp = known_topic(&h, "t4");
	for (i = 0; i < 12; i++) {
		rec_init(&r, "t4", "k", "v");
		r.partition = 1;
		KT_ASSERT_INT_EQ(kfk_accum_produce(&h.acc, &r), 0);
	}
	pp = kfk_topic_parts(tp)->v[1];
	KT_ASSERT_INT_EQ(kfk_pbatch_count(pp->closed_head), 5);
	KT_ASSERT_INT_EQ(kfk_pbatch_count(pp->closed_head->next), 5);
	KT_ASSERT(pp->closed_head->next->next == NULL);
	KT_ASSERT_INT_EQ(kfk_pbatch_count(pp->open), 2);
	KT_ASSERT_INT_EQ(parse_count(pp->closed_head), 5);
	h_destroy(&h);
}

KT_TEST(collect_closes_on_linger_and_flush)
{
	struct h h;
	struct kfk_accum_config cfg = default_cfg();
	struct kfk_precord r;
	struct kfk_ppart *pp;
	int64_t created;

	cfg.linger_us = 100000;
	h_init(&h, &cfg);
	pp = kfk_topic_parts(known_topic(&h, "t4"))->v[0];
	rec_init(&r, "t4", "k", "v");
	r.partition = 0;
	KT_ASSERT_INT_EQ(kfk_accum_produce(&h.acc, &r), 0);
	created = pp->open->created_us;
	KT_ASSERT_INT_EQ(kfk_accum_collect(&h.acc, pp, created + 99999, false), 0);
	KT_ASSERT_INT_EQ(pp->open_deadline_us, created + 100000);
	KT_ASSERT(pp->open != NULL);
	KT_ASSERT_INT_EQ(kfk_accum_collect(&h.acc, pp, created + 100000, false), 1);
	KT_ASSERT(pp->open == NULL);
	KT_ASSERT_INT_EQ(pp->ready_cnt, 1);
	KT_ASSERT_INT_EQ(pp->open_deadline_us, INT64_MAX);
	KT_ASSERT_INT_EQ(kfk_accum_produce(&h.acc, &r), 0);
	KT_ASSERT_INT_EQ(kfk_accum_collect(&h.acc, pp, kfk_now_us(), true), 1);
	KT_ASSERT_INT_EQ(pp->ready_cnt, 2);
	KT_ASSERT(pp->ready_head->seq < pp->ready_tail->seq);
	h_destroy(&h);
}

/* The sender is told when it must look: an opened batch by the end of its
 * linger (so a running sender need not be woken), a closed one at once. */
KT_TEST(news_of_an_opened_batch_is_due_at_its_linger_a_closed_one_at_once)
{
	struct h h;
	struct kfk_accum_config cfg = default_cfg();
	struct kfk_precord r;
	struct kfk_ppart *pp;
	int i;

	cfg.linger_us = 100000;
	cfg.batch_num = 3;
	h_init(&h, &cfg);
	pp = kfk_topic_parts(known_topic(&h, "t4"))->v[0];
	rec_init(&r, "t4", "k", "v");
	r.partition = 0;
	KT_ASSERT_INT_EQ(kfk_accum_produce(&h.acc, &r), 0);
	KT_ASSERT_INT_EQ(atomic_load(&h.notified), 1);
	KT_ASSERT_INT_EQ(atomic_load(&h.last_due), pp->open->created_us + 100000);
	/* Appending to the open batch is no news. */
	KT_ASSERT_INT_EQ(kfk_accum_produce(&h.acc, &r), 0);
	KT_ASSERT_INT_EQ(atomic_load(&h.notified), 1);
	/* The third record fills it (batch.num.messages 3): due now. */
	KT_ASSERT_INT_EQ(kfk_accum_produce(&h.acc, &r), 0);
	KT_ASSERT_INT_EQ(atomic_load(&h.notified), 2);
	KT_ASSERT_INT_EQ(atomic_load(&h.last_due), 0);
	KT_ASSERT(pp->open == NULL);
	for (i = 0; i < 2; i++)
		KT_ASSERT_INT_EQ(kfk_accum_produce(&h.acc, &r), 0);
	KT_ASSERT_INT_EQ(atomic_load(&h.notified), 3);
	KT_ASSERT_INT_EQ(atomic_load(&h.last_due), pp->open->created_us + 100000);
	h_destroy(&h);
}

KT_TEST(reports_release_the_queue_room)
{
	struct h h;
	struct kfk_accum_config cfg = default_cfg();
	struct kfk_precord r;
	struct kfk_ppart *pp;
	struct kfk_pbatch *b;
	kfk_delivery d[8];
	int i;

	cfg.max_msgs = 5;
	h_init(&h, &cfg);
	pp = kfk_topic_parts(known_topic(&h, "t4"))->v[3];
	for (i = 0; i < 5; i++) {
		rec_init(&r, "t4", "k", "v");
		r.partition = 3;
		r.opaque = (void *)(intptr_t)(i + 1);
		r.timestamp = 1000 + i;
		KT_ASSERT_INT_EQ(kfk_accum_produce(&h.acc, &r), 0);
	}
	KT_ASSERT_INT_EQ(kfk_accum_produce(&h.acc, &r), KFK_ERR__QUEUE_FULL);
	kfk_accum_collect(&h.acc, pp, kfk_now_us(), true);
	b = pp->ready_head;
	pp->ready_head = pp->ready_tail = NULL;
	pp->ready_cnt = 0;
	kfk_accum_report(&h.acc, b, KFK_ERR_NONE, 70, -1);
	KT_ASSERT_INT_EQ(kfk_accum_unfinished(&h.acc), 0);
	/* Still counted until served. */
	KT_ASSERT_INT_EQ(kfk_accum_produce(&h.acc, &r), KFK_ERR__QUEUE_FULL);
	KT_ASSERT_INT_EQ(kfk_reports_take(&h.reports, d, 8, 0), 5);
	for (i = 0; i < 5; i++) {
		KT_ASSERT_INT_EQ(d[i].offset, 70 + i);
		KT_ASSERT_INT_EQ(d[i].partition, 3);
		KT_ASSERT_INT_EQ(d[i].timestamp, 1000 + i);
		KT_ASSERT(d[i].opaque == (void *)(intptr_t)(i + 1));
	}
	KT_ASSERT_INT_EQ(kfk_accum_outstanding(&h.acc), 0);
	KT_ASSERT_INT_EQ(atomic_load(&h.acc.bytes), 0);
	KT_ASSERT_INT_EQ(kfk_accum_produce(&h.acc, &r), 0);
	h_destroy(&h);
}

KT_TEST(kbytes_limit_and_message_max_bytes)
{
	struct h h;
	struct kfk_accum_config cfg = default_cfg();
	struct kfk_precord r;
	static char big[3000];
	int i, ok = 0;

	cfg.max_bytes = 10000;
	cfg.message_max = 2000;
	h_init(&h, &cfg);
	known_topic(&h, "t4");
	memset(big, 'b', sizeof(big) - 1);
	rec_init(&r, "t4", "k", big);
	KT_ASSERT_INT_EQ(kfk_accum_produce(&h.acc, &r), KFK_ERR__MSG_SIZE_TOO_LARGE);
	KT_ASSERT_INT_EQ(kfk_accum_outstanding(&h.acc), 0);
	KT_ASSERT_INT_EQ(kfk_accum_unfinished(&h.acc), 0);
	big[1000] = 0;
	rec_init(&r, "t4", "k", big);
	for (i = 0; i < 20; i++)
		ok += kfk_accum_produce(&h.acc, &r) == KFK_ERR_NONE;
	/* Each takes a little over 1,000 bytes: nine fit in 10,000. */
	KT_ASSERT_INT_EQ(ok, 9);
	KT_ASSERT(atomic_load(&h.acc.bytes) <= 10000);
	h_destroy(&h);
}

/* ---- waiting for room ---- */

struct waiter {
	struct h *h;
	kfk_err err;
	int64_t waited_ms;
};

static void *produce_blocking(void *arg)
{
	struct waiter *w = arg;
	struct kfk_precord r;
	int64_t t0 = kt_now_ms();

	rec_init(&r, "t4", "k", "v");
	r.partition = 0;
	w->err = kfk_accum_produce(&w->h->acc, &r);
	w->waited_ms = kt_now_ms() - t0;
	return NULL;
}

KT_TEST(max_block_ms_waits_for_room_then_gives_up)
{
	struct h h;
	struct kfk_accum_config cfg = default_cfg();
	struct kfk_precord r;
	struct kfk_ppart *pp;
	struct kfk_pbatch *b;
	struct waiter w;
	pthread_t th;
	kfk_delivery d[4];
	int64_t t0;

	cfg.max_msgs = 1;
	cfg.max_block_ms = 20000;
	h_init(&h, &cfg);
	pp = kfk_topic_parts(known_topic(&h, "t4"))->v[0];
	rec_init(&r, "t4", "k", "v");
	r.partition = 0;
	KT_ASSERT_INT_EQ(kfk_accum_produce(&h.acc, &r), 0);
	w.h = &h;
	KT_ASSERT_INT_EQ(pthread_create(&th, NULL, produce_blocking, &w), 0);
	/* Free the room: the waiting produce goes through. */
	kfk_accum_collect(&h.acc, pp, kfk_now_us(), true);
	b = pp->ready_head;
	pp->ready_head = pp->ready_tail = NULL;
	kfk_accum_report(&h.acc, b, KFK_ERR_NONE, 0, -1);
	KT_ASSERT_INT_EQ(kfk_reports_take(&h.reports, d, 4, 0), 1);
	pthread_join(th, NULL);
	KT_ASSERT_INT_EQ(w.err, 0);
	KT_ASSERT(w.waited_ms < 20000);
	h_destroy(&h);

	cfg.max_block_ms = 60;
	h_init(&h, &cfg);
	known_topic(&h, "t4");
	KT_ASSERT_INT_EQ(kfk_accum_produce(&h.acc, &r), 0);
	t0 = kt_now_ms();
	KT_ASSERT_INT_EQ(kfk_accum_produce(&h.acc, &r), KFK_ERR__QUEUE_FULL);
	KT_ASSERT(kt_now_ms() - t0 >= 59 && kt_now_ms() - t0 < 10000);
	h_destroy(&h);
}

/* ---- pending records ---- */

KT_TEST(pending_records_are_placed_in_order_when_metadata_arrives)
{
	struct h h;
	struct kfk_accum_config cfg = default_cfg();
	struct kfk_precord r;
	struct kfk_metadata md;
	struct kfk_record_header hdr = { (const uint8_t *)"h", 1,
	                                 (const uint8_t *)"hv", 2 };
	struct kfk_ptopic *tp;
	struct kfk_pbatch *b;
	struct kfk_batch pb;
	struct kfk_record_iter it;
	struct kfk_record rec;
	char val[16];
	int i;

	h_init(&h, &cfg);
	for (i = 0; i < 3; i++) {
		snprintf(val, sizeof(val), "p%d", i);
		rec_init(&r, "t4", NULL, val);
		r.partition = 1;
		r.hdrs = &hdr;
		r.hdr_cnt = 1;
		KT_ASSERT_INT_EQ(kfk_accum_produce(&h.acc, &r), 0);
	}
	tp = kfk_topic_find(&h.acc.topics, "t4");
	KT_ASSERT(tp != NULL);
	KT_ASSERT(kfk_topic_parts(tp) == NULL);
	KT_ASSERT_INT_EQ(atomic_load(&tp->pend_cnt), 3);
	KT_ASSERT(atomic_load(&h.want_md) >= 1);
	md_init(&md, 2);
	kfk_accum_update_topic(&h.acc, tp, &md);
	/* A new record goes after the pending ones. */
	rec_init(&r, "t4", NULL, "p3");
	r.partition = 1;
	KT_ASSERT_INT_EQ(kfk_accum_produce(&h.acc, &r), 0);
	KT_ASSERT_INT_EQ(atomic_load(&tp->pend_cnt), 0);
	b = kfk_topic_parts(tp)->v[1]->open;
	KT_ASSERT_INT_EQ(kfk_pbatch_finish(b, -1), 0);
	KT_ASSERT_INT_EQ(kfk_batch_parse(b->buf.data, b->buf.len, 0, &pb), 0);
	KT_ASSERT_INT_EQ(kfk_record_iter_init(&it, &pb, NULL, 0), 0);
	for (i = 0; i < 4; i++) {
		KT_ASSERT_INT_EQ(kfk_record_iter_next(&it, &rec), 1);
		snprintf(val, sizeof(val), "p%d", i);
		KT_ASSERT_MEM_EQ(rec.value, (size_t)rec.value_len, val, strlen(val));
		KT_ASSERT_INT_EQ(rec.header_count, i < 3 ? 1 : 0);
	}
	kfk_record_iter_destroy(&it);
	h_destroy(&h);
}

KT_TEST(pending_records_fail_for_a_missing_topic_or_timeout)
{
	struct h h;
	struct kfk_accum_config cfg = default_cfg();
	struct kfk_precord r;
	struct kfk_metadata md;
	kfk_delivery d[4];
	int x = 0;

	cfg.propagation_us = 30000000;
	h_init(&h, &cfg);
	rec_init(&r, "gone", "k", "v");
	r.opaque = &x;
	KT_ASSERT_INT_EQ(kfk_accum_produce(&h.acc, &r), 0);
	md_init(&md, 3);
	/* "Unknown" is believed after topic.metadata.propagation.max.ms:
	 * the topic may be being created. */
	KT_ASSERT_INT_EQ(kfk_accum_pending_run(&h.acc, &md, kfk_now_us(), false), 1);
	KT_ASSERT_INT_EQ(kfk_reports_take(&h.reports, d, 4, 0), 0);
	KT_ASSERT(kfk_accum_pending_deadline(&h.acc) <=
	          kfk_now_us() + cfg.propagation_us);
	KT_ASSERT_INT_EQ(kfk_accum_pending_run(&h.acc, &md,
	                                       kfk_accum_pending_deadline(&h.acc),
	                                       false), 0);
	KT_ASSERT_INT_EQ(kfk_reports_take(&h.reports, d, 4, 0), 1);
	KT_ASSERT_INT_EQ(d[0].err, KFK_ERR__UNKNOWN_TOPIC);
	KT_ASSERT_STR_EQ(d[0].topic, "gone");
	KT_ASSERT(d[0].opaque == &x);
	KT_ASSERT_INT_EQ(kfk_accum_outstanding(&h.acc), 0);

	/* A topic metadata never mentions: delivery.timeout.ms ends it. */
	rec_init(&r, "nowhere", "k", "v");
	KT_ASSERT_INT_EQ(kfk_accum_produce(&h.acc, &r), 0);
	KT_ASSERT_INT_EQ(kfk_accum_pending_run(&h.acc, &md, kfk_now_us(), false), 1);
	KT_ASSERT(kfk_accum_pending_deadline(&h.acc) < INT64_MAX);
	KT_ASSERT_INT_EQ(kfk_accum_pending_run(&h.acc, &md,
	                                       kfk_accum_pending_deadline(&h.acc),
	                                       false), 0);
	KT_ASSERT_INT_EQ(kfk_reports_take(&h.reports, d, 4, 0), 1);
	KT_ASSERT_INT_EQ(d[0].err, KFK_ERR__MSG_TIMED_OUT);
	KT_ASSERT_INT_EQ(kfk_accum_unfinished(&h.acc), 0);
	h_destroy(&h);
}

KT_TEST(explicit_partition_out_of_range)
{
	struct h h;
	struct kfk_accum_config cfg = default_cfg();
	struct kfk_precord r;

	h_init(&h, &cfg);
	known_topic(&h, "t4");
	rec_init(&r, "t4", "k", "v");
	r.partition = 4;
	KT_ASSERT_INT_EQ(kfk_accum_produce(&h.acc, &r), KFK_ERR__UNKNOWN_PARTITION);
	KT_ASSERT_INT_EQ(kfk_accum_outstanding(&h.acc), 0);
	h_destroy(&h);
}

KT_TEST(null_keys_fill_one_partition_at_a_time)
{
	struct h h;
	struct kfk_accum_config cfg = default_cfg();
	struct kfk_precord r;
	struct kfk_pparts *parts;
	char val[200];
	int i, used = 0, with_open = 0;

	cfg.batch_size = 2000;
	h_init(&h, &cfg);
	parts = kfk_topic_parts(known_topic(&h, "t4"));
	memset(val, 'n', sizeof(val) - 1);
	val[sizeof(val) - 1] = 0;
	for (i = 0; i < 400; i++) {
		rec_init(&r, "t4", NULL, val);
		KT_ASSERT_INT_EQ(kfk_accum_produce(&h.acc, &r), 0);
	}
	for (i = 0; i < 4; i++) {
		used += parts->v[i]->closed_head != NULL;
		with_open += parts->v[i]->open != NULL;
		/* Every closed batch was filled (it closed because the next
		 * record did not fit). */
		for (struct kfk_pbatch *b = parts->v[i]->closed_head; b; b = b->next)
			KT_ASSERT(kfk_pbatch_size(b) > 2000 - 260);
	}
	/* 400 records of ~210 bytes make ~45 batches: all partitions get
	 * some, and only the current sticky partition has an open batch. */
	KT_ASSERT_INT_EQ(used, 4);
	KT_ASSERT_INT_EQ(with_open, 1);
	h_destroy(&h);
}

/* ---- many producing threads ---- */

#define THREADS 4
#define PER_THREAD 5000

static void *produce_many(void *arg)
{
	struct h *h = arg;
	struct kfk_precord r;
	char key[16];
	int i;

	for (i = 0; i < PER_THREAD; i++) {
		snprintf(key, sizeof(key), "k%d", i % 97);
		rec_init(&r, i % 2 ? "t4" : "late", key, "value");
		if (kfk_accum_produce(&h->acc, &r) != KFK_ERR_NONE)
			abort();
	}
	return NULL;
}

static int count_records(struct kfk_ptopic *tp)
{
	struct kfk_pparts *parts = kfk_topic_parts(tp);
	int i, n = 0;

	for (i = 0; parts && i < parts->cnt; i++) {
		struct kfk_ppart *pp = parts->v[i];
		struct kfk_pbatch *b;
		if (pp->open)
			n += parse_count(pp->open);
		for (b = pp->closed_head; b; b = b->next)
			n += parse_count(b);
	}
	return n;
}

KT_TEST(threads_produce_concurrently_without_loss)
{
	struct h h;
	struct kfk_accum_config cfg = default_cfg();
	struct kfk_metadata md;
	struct kfk_md_topic late_topics[3];
	pthread_t th[THREADS];
	int i;

	cfg.batch_size = 4096;
	h_init(&h, &cfg);
	known_topic(&h, "t4");
	for (i = 0; i < THREADS; i++)
		pthread_create(&th[i], NULL, produce_many, &h);
	for (i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	/* "late" was unknown all along: its records wait, then go. */
	late_topics[0] = topics2[0];
	late_topics[1] = (struct kfk_md_topic){ "late", 0, 0, parts4, 4, 0 };
	late_topics[2] = topics2[1];
	md_init(&md, 9);
	md.topics = late_topics;
	md.topic_cnt = 3;
	KT_ASSERT_INT_EQ(kfk_accum_pending_run(&h.acc, &md, kfk_now_us(), true), 0);
	KT_ASSERT_INT_EQ(count_records(kfk_topic_find(&h.acc.topics, "t4")),
	                 THREADS * PER_THREAD / 2);
	KT_ASSERT_INT_EQ(count_records(kfk_topic_find(&h.acc.topics, "late")),
	                 THREADS * PER_THREAD / 2);
	KT_ASSERT_INT_EQ(kfk_accum_outstanding(&h.acc), THREADS * PER_THREAD);
	h_destroy(&h);
}

KT_TEST(batches_are_compressed_once_with_the_codec)
{
	static const int codecs[] = { KFK_CODEC_GZIP, KFK_CODEC_SNAPPY,
	                              KFK_CODEC_LZ4, KFK_CODEC_ZSTD };
	size_t c;

	for (c = 0; c < sizeof(codecs) / sizeof(codecs[0]); c++) {
		struct h h;
		struct kfk_accum_config cfg = default_cfg();
		struct kfk_precord r;
		struct kfk_pbatch *b;
		struct kfk_batch pb;
		struct kfk_record_iter it;
		struct kfk_record rec;
		size_t raw, len;
		int i, n = 0;

		cfg.codec = codecs[c];
		h_init(&h, &cfg);
		known_topic(&h, "t4");
		for (i = 0; i < 100; i++) {
			rec_init(&r, "t4", "same-key", "a value that compresses well");
			r.partition = 0;
			KT_ASSERT_INT_EQ(kfk_accum_produce(&h.acc, &r), 0);
		}
		b = kfk_topic_parts(kfk_topic_find(&h.acc.topics, "t4"))->v[0]->open;
		raw = kfk_pbatch_size(b);
		KT_ASSERT_INT_EQ(kfk_pbatch_finish(b, -1), 0);
		len = b->buf.len;
		KT_ASSERT_INT_EQ(kfk_pbatch_finish(b, -1), 0); /* once */
		KT_ASSERT_INT_EQ(b->buf.len, len);
		KT_ASSERT_MSG(len < raw / 2, "codec %d: %zu of %zu bytes",
		              codecs[c], len, raw);
		KT_ASSERT_INT_EQ(kfk_batch_parse(b->buf.data, len, 0, &pb), 0);
		KT_ASSERT_INT_EQ(kfk_batch_codec(&pb), codecs[c]);
		KT_ASSERT_INT_EQ(kfk_record_iter_init(&it, &pb, kfk_codec_decompress,
		                                      1 << 20), 0);
		while (kfk_record_iter_next(&it, &rec) == 1)
			n++;
		kfk_record_iter_destroy(&it);
		KT_ASSERT_INT_EQ(n, 100);
		h_destroy(&h);
	}
}

/* A batch's first buffer is what its partition's last batch held (a
 * quarter more, a power of two, 512 B at least, batch.size at most), not
 * 64 KB: 10,000 partitions with a record now and then cost hundreds of
 * bytes each (they held 64 KB each, 1 GB of RSS for 1M keyed records). */
KT_TEST(batch_buffer_starts_at_what_the_partition_needs)
{
	struct h h;
	struct kfk_accum_config cfg = default_cfg();
	struct kfk_precord r;
	struct kfk_ppart *pp;
	char val[100];

	h_init(&h, &cfg);
	pp = kfk_topic_parts(known_topic(&h, "t4"))->v[1];
	memset(val, 'v', sizeof(val) - 1);
	val[sizeof(val) - 1] = 0;
	rec_init(&r, "t4", "k", val);
	r.partition = 1;
	KT_ASSERT_INT_EQ(kfk_accum_produce(&h.acc, &r), 0);
	KT_ASSERT(pp->open->buf.cap <= 1024);
	/* A busy partition: its batches fill batch.size ... */
	while (!pp->closed_head)
		KT_ASSERT_INT_EQ(kfk_accum_produce(&h.acc, &r), 0);
	KT_ASSERT(pp->last_batch_bytes > 16000);
	/* ... and the next one started at that size at once. */
	KT_ASSERT(pp->open->buf.cap >= 16384);
	KT_ASSERT(pp->open->buf.cap <= 16384 + 1024);
	/* Quiet again: a one-record batch, and the next starts small. */
	KT_ASSERT_INT_EQ(kfk_accum_collect(&h.acc, pp, kfk_now_us(), true), 2);
	KT_ASSERT_INT_EQ(kfk_accum_produce(&h.acc, &r), 0);
	KT_ASSERT_INT_EQ(kfk_accum_collect(&h.acc, pp, kfk_now_us(), true), 1);
	KT_ASSERT_INT_EQ(kfk_accum_produce(&h.acc, &r), 0);
	KT_ASSERT(pp->open->buf.cap <= 1024);
	h_destroy(&h);
}
