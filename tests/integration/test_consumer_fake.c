/*
 * test_consumer_fake: the consumer against the in-test fake broker, for
 * what neither the real broker (on demand) nor the mock produces: a log
 * truncated under the consumer after an unclean leader election, which a
 * Fetch v12 answer reports as a diverging epoch (KIP-320). The consumer
 * reports it, then reads on from where the leader's log diverged (or,
 * with auto.offset.reset=none, waits for a seek).
 *
 * The fake's log for partition 0 of "t": offsets 0-9 written in leader
 * epoch 4 ("old-0".."old-9"); then the leader changes, epoch 4 turns out
 * to end at offset 6 on the new leader, which wrote "new-6".."new-8" in
 * epoch 5. The consumer fetches ahead of the application, so the
 * truncation may come while some of the old records wait unpolled: those
 * below 6 are still good and must be read again, none may be lost.
 *
 * The same with a broker that has Fetch up to v11 only (Kafka 2.1-2.6),
 * which reports no diverging epoch: the consumer learns of the new leader
 * epoch (the fetch at offset 10 is refused FENCED_LEADER_EPOCH, metadata
 * then says 5) and asks OffsetForLeaderEpoch where epoch 4 ends before it
 * fetches again.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kfk/kfk.h>

#include "../fakebroker.h"
#include "../kt.h"
#include "proto/arena.h"
#include "proto/gen/api_keys.h"
#include "proto/gen/fetch.h"
#include "proto/gen/list_offsets.h"
#include "proto/gen/metadata.h"
#include "proto/gen/offset_for_leader_epoch.h"
#include "proto/record_batch.h"

#define WAIT_MS 20000

static struct {
	pthread_mutex_t mu;
	int port;
	int diverged;      /* the divergence was answered */
	int64_t fetched_at[64];
	int32_t last_epoch[64];
	int fetches;
	/* The Fetch v11 broker. */
	bool old;
	int32_t epoch;     /* the leader epoch metadata names */
	int asked;         /* OffsetForLeaderEpoch requests */
	int32_t asked_epoch, asked_cur;
	int64_t fetch_after_change; /* first fetch offset under epoch 5 */
} fk = { .mu = PTHREAD_MUTEX_INITIALIZER };

static void answer_metadata(struct fb_conn *c, const struct fb_req *r)
{
	struct kfk_metadata_response resp;
	struct kfk_metadata_response_broker b;
	struct kfk_metadata_response_topic t;
	struct kfk_metadata_response_partition p;
	int32_t one = 1;
	kfk_wbuf w;

	kfk_metadata_response_init(&resp);
	kfk_metadata_response_broker_init(&b);
	kfk_metadata_response_topic_init(&t);
	kfk_metadata_response_partition_init(&p);
	b.node_id = 1;
	b.host = kfk_str_c("127.0.0.1");
	b.port = fk.port;
	p.partition_index = 0;
	p.leader_id = 1;
	pthread_mutex_lock(&fk.mu);
	p.leader_epoch = fk.old ? fk.epoch : 5;
	pthread_mutex_unlock(&fk.mu);
	p.replica_nodes = p.isr_nodes = &one;
	p.replica_nodes_count = p.isr_nodes_count = 1;
	t.name = kfk_str_c("t");
	t.partitions = &p;
	t.partitions_count = 1;
	resp.brokers = &b;
	resp.brokers_count = 1;
	resp.topics = &t;
	resp.topics_count = 1;
	kfk_wbuf_init(&w);
	KT_ASSERT(kfk_metadata_response_encode(&w, r->api_version, &resp) == 0);
	fb_respond(c, r, r->corrid, w.buf, w.len);
	kfk_wbuf_free(&w);
}

/* Records first..last as one batch in epoch, values "<prefix>-<offset>". */
static void batch(struct kfk_batch_buf *out, int64_t first, int64_t last,
                  int32_t epoch, const char *prefix)
{
	struct kfk_batch_opts o = { .base_offset = first,
		                        .partition_leader_epoch = epoch,
		                        .producer_id = -1, .producer_epoch = -1,
		                        .base_sequence = -1 };
	struct kfk_batch_writer bw;
	char v[32];

	KT_ASSERT(kfk_batch_writer_begin(&bw, out, &o) == 0);
	for (int64_t i = first; i <= last; i++) {
		int n = snprintf(v, sizeof(v), "%s-%lld", prefix, (long long)i);
		KT_ASSERT(kfk_batch_writer_append(&bw, 1000 + i, NULL, -1, v, n,
		                                  NULL, 0) == 0);
	}
	KT_ASSERT(kfk_batch_writer_finish(&bw, NULL, -1, NULL) == 0);
}

/* The log as the fetch position and last fetched epoch find it. */
static void fetch_answer(struct kfk_fetch_response_partition_data *pd,
                         struct kfk_batch_buf *recs, int64_t pos,
                         int32_t last_epoch)
{
	pd->high_watermark = 9;
	pd->log_start_offset = 0;
	pd->last_stable_offset = 9;
	if (last_epoch == 4 && pos > 6) {
		/* Epoch 4 ends at 6 here: what was read past it is gone. */
		pd->diverging_epoch.epoch = 4;
		pd->diverging_epoch.end_offset = 6;
		pthread_mutex_lock(&fk.mu);
		fk.diverged++;
		pthread_mutex_unlock(&fk.mu);
		return;
	}
	if (!fk.diverged && pos < 10) {
		pd->high_watermark = 10;
		batch(recs, pos, 9, 4, "old");
	} else if (fk.diverged) {
		if (pos < 6)
			batch(recs, pos, 5, 4, "old");
		if (pos < 9)
			batch(recs, pos > 6 ? pos : 6, 8, 5, "new");
	}
	pd->records.ptr = recs->data;
	pd->records.len = (int32_t)recs->len;
}

/* The Fetch v11 broker's log: epoch 4 until the consumer read all of it
 * (a fetch at 10), then the leader changes: epoch 5, where epoch 4 ends
 * at 6. A fetch under an older epoch than the leader's is refused. */
static int16_t old_fetch_answer(struct kfk_fetch_response_partition_data *pd,
                                struct kfk_batch_buf *recs, int64_t pos,
                                int32_t cur_epoch)
{
	int16_t err = 0;

	pthread_mutex_lock(&fk.mu);
	if (fk.epoch == 4 && pos >= 10)
		fk.epoch = 5;
	if (cur_epoch < fk.epoch) {
		err = KFK_ERR_FENCED_LEADER_EPOCH;
	} else if (fk.epoch == 4) {
		pd->high_watermark = pd->last_stable_offset = 10;
		batch(recs, pos, 9, 4, "old");
	} else {
		if (fk.fetch_after_change < 0)
			fk.fetch_after_change = pos;
		pd->high_watermark = pd->last_stable_offset = 9;
		if (pos > 9)
			err = KFK_ERR_OFFSET_OUT_OF_RANGE;
		if (pos < 6)
			batch(recs, pos, 5, 4, "old");
		if (pos < 9 && !err)
			batch(recs, pos > 6 ? pos : 6, 8, 5, "new");
	}
	pthread_mutex_unlock(&fk.mu);
	pd->log_start_offset = 0;
	pd->records.ptr = recs->data;
	pd->records.len = (int32_t)recs->len;
	return err;
}

static void answer_fetch(struct fb_conn *c, const struct fb_req *r)
{
	struct kfk_fetch_request req;
	struct kfk_fetch_response resp;
	struct kfk_fetch_response_fetchable_topic_response tr;
	struct kfk_fetch_response_partition_data pd;
	struct kfk_batch_buf recs = { 0 };
	kfk_arena a;
	kfk_rbuf rb;
	kfk_wbuf w;

	kfk_arena_init(&a);
	kfk_rbuf_init(&rb, r->body, r->body_len);
	KT_ASSERT(kfk_fetch_request_decode(&rb, r->api_version, &a, &req) == 0);
	kfk_fetch_response_init(&resp);
	kfk_fetch_response_fetchable_topic_response_init(&tr);
	kfk_fetch_response_partition_data_init(&pd);
	tr.topic = kfk_str_c("t");
	tr.partitions = &pd;
	tr.partitions_count = 1;
	resp.responses = &tr;
	resp.responses_count = 1;
	if (req.topics_count == 1 && req.topics[0].partitions_count == 1) {
		struct kfk_fetch_request_partition *rp = &req.topics[0].partitions[0];

		pthread_mutex_lock(&fk.mu);
		if (fk.fetches < 64) {
			fk.fetched_at[fk.fetches] = rp->fetch_offset;
			fk.last_epoch[fk.fetches++] = rp->last_fetched_epoch;
		}
		pthread_mutex_unlock(&fk.mu);
		if (fk.old)
			pd.error_code = old_fetch_answer(
				&pd, &recs, rp->fetch_offset,
				rp->current_leader_epoch);
		else
			fetch_answer(&pd, &recs, rp->fetch_offset,
			             rp->last_fetched_epoch);
	} else {
		resp.responses_count = 0; /* a session's "nothing new" */
	}
	kfk_wbuf_init(&w);
	KT_ASSERT(kfk_fetch_response_encode(&w, r->api_version, &resp) == 0);
	fb_respond(c, r, r->corrid, w.buf, w.len);
	kfk_wbuf_free(&w);
	kfk_batch_buf_free(&recs);
	kfk_arena_destroy(&a);
}

/* Where an epoch ends on the leader: epoch 4 at 6, any later one at 9. */
static void answer_epoch_end(struct fb_conn *c, const struct fb_req *r)
{
	struct kfk_offset_for_leader_epoch_request req;
	struct kfk_offset_for_leader_epoch_response resp;
	struct kfk_offset_for_leader_epoch_response_offset_for_leader_topic_result tr;
	struct kfk_offset_for_leader_epoch_response_epoch_end_offset eo;
	kfk_arena a;
	kfk_rbuf rb;
	kfk_wbuf w;

	kfk_arena_init(&a);
	kfk_rbuf_init(&rb, r->body, r->body_len);
	KT_ASSERT(kfk_offset_for_leader_epoch_request_decode(
		          &rb, r->api_version, &a, &req) == 0);
	KT_ASSERT(req.topics_count == 1 &&
	          req.topics[0].partitions_count == 1);
	kfk_offset_for_leader_epoch_response_init(&resp);
	kfk_offset_for_leader_epoch_response_offset_for_leader_topic_result_init(
		&tr);
	kfk_offset_for_leader_epoch_response_epoch_end_offset_init(&eo);
	pthread_mutex_lock(&fk.mu);
	fk.asked++;
	fk.asked_epoch = req.topics[0].partitions[0].leader_epoch;
	fk.asked_cur = req.topics[0].partitions[0].current_leader_epoch;
	eo.leader_epoch = fk.asked_epoch <= 4 ? 4 : fk.epoch;
	eo.end_offset = fk.asked_epoch <= 4 ? 6 : 9;
	pthread_mutex_unlock(&fk.mu);
	tr.topic = kfk_str_c("t");
	tr.partitions = &eo;
	tr.partitions_count = 1;
	resp.topics = &tr;
	resp.topics_count = 1;
	kfk_wbuf_init(&w);
	KT_ASSERT(kfk_offset_for_leader_epoch_response_encode(&w, r->api_version,
	                                                      &resp) == 0);
	fb_respond(c, r, r->corrid, w.buf, w.len);
	kfk_wbuf_free(&w);
	kfk_arena_destroy(&a);
}

static void old_handler(struct fb_conn *c, const struct fb_req *r, void *arg)
{
	static const struct fb_api_range v11[] = {
		{ KFK_APIKEY_API_VERSIONS, 0, 3 },
		{ KFK_APIKEY_FETCH, 4, 11 },
		{ KFK_APIKEY_OFFSET_FOR_LEADER_EPOCH, 0, 3 },
	};

	(void)arg;
	switch (r->api_key) {
	case KFK_APIKEY_API_VERSIONS:
		fb_api_versions_ranges(c, r, v11, 3);
		break;
	case KFK_APIKEY_METADATA:
		answer_metadata(c, r);
		break;
	case KFK_APIKEY_FETCH:
		KT_ASSERT(r->api_version <= 11);
		answer_fetch(c, r);
		break;
	case KFK_APIKEY_OFFSET_FOR_LEADER_EPOCH:
		answer_epoch_end(c, r);
		break;
	default:
		fb_hangup(c);
	}
}

static void handler(struct fb_conn *c, const struct fb_req *r, void *arg)
{
	(void)arg;
	switch (r->api_key) {
	case KFK_APIKEY_API_VERSIONS:
		fb_api_versions(c, r, 3);
		break;
	case KFK_APIKEY_METADATA:
		answer_metadata(c, r);
		break;
	case KFK_APIKEY_FETCH:
		answer_fetch(c, r);
		break;
	default:
		fb_hangup(c);
	}
}

static kfk_consumer *consumer(struct fb *fb, const char *reset)
{
	char bs[64], err[256];
	kfk_conf *conf = kfk_conf_new();
	kfk_tplist *l = kfk_tplist_new(1);
	kfk_consumer *c;

	snprintf(bs, sizeof(bs), "127.0.0.1:%d", fb_port(fb));
	KT_ASSERT(kfk_conf_set(conf, "bootstrap.servers", bs, err,
	                       sizeof(err)) == 0);
	KT_ASSERT(kfk_conf_set(conf, "auto.offset.reset", reset, err,
	                       sizeof(err)) == 0);
	KT_ASSERT(kfk_conf_set(conf, "fetch.max.wait.ms", "20", err,
	                       sizeof(err)) == 0);
	if (getenv("KFK_TEST_DEBUG"))
		KT_ASSERT(kfk_conf_set(conf, "debug", getenv("KFK_TEST_DEBUG"),
		                       err, sizeof(err)) == 0);
	c = kfk_consumer_new(conf, err, sizeof(err));
	kfk_conf_destroy(conf);
	KT_ASSERT_MSG(c != NULL, "%s", err);
	kfk_tplist_add(l, "t", 0, 0);
	KT_ASSERT_INT_EQ(kfk_consumer_assign(c, l), 0);
	kfk_tplist_destroy(l);
	return c;
}

/* The next message, whatever it is. */
static kfk_message *next(kfk_consumer *c)
{
	kfk_message *m = kfk_consumer_poll(c, WAIT_MS);

	KT_ASSERT_MSG(m != NULL, "nothing in %d ms", WAIT_MS);
	return m;
}

static void expect_value(kfk_consumer *c, int64_t offset, const char *prefix)
{
	kfk_message *m = next(c);
	char want[32];
	size_t len;
	const void *v;

	KT_ASSERT_MSG(!kfk_message_err(m), "%s", kfk_message_errstr(m));
	KT_ASSERT_INT_EQ(kfk_message_offset(m), offset);
	snprintf(want, sizeof(want), "%s-%lld", prefix, (long long)offset);
	v = kfk_message_value(m, &len);
	KT_ASSERT_MEM_EQ(v, len, want, strlen(want));
	kfk_message_destroy(m);
}

static struct fb *start_as(bool old)
{
	struct fb *fb;

	pthread_mutex_lock(&fk.mu);
	fk.diverged = fk.fetches = fk.asked = 0;
	fk.old = old;
	fk.epoch = 4;
	fk.fetch_after_change = -1;
	pthread_mutex_unlock(&fk.mu);
	fb = fb_start(old ? old_handler : handler, NULL);
	KT_ASSERT(fb != NULL);
	fk.port = fb_port(fb);
	return fb;
}

static struct fb *start(void)
{
	return start_as(false);
}

/* Old records from offset 0 until the truncation error (at least up to
 * 6, since nothing diverged before a fetch past it); returns the offset
 * after the last one. */
static int64_t read_until_truncation(kfk_consumer *c)
{
	int64_t next_off = 0;

	for (;;) {
		kfk_message *m = next(c);

		if (kfk_message_err(m)) {
			KT_ASSERT_MSG(kfk_message_err(m) ==
			                      KFK_ERR__LOG_TRUNCATION,
			              "%s", kfk_message_errstr(m));
			KT_ASSERT_INT_EQ(kfk_message_offset(m), 6);
			KT_ASSERT_STR_EQ(kfk_message_errstr(m),
			                 "t [0]: log truncated after a leader change: "
			                 "the records fetched from offset 6 to 9 are "
			                 "no longer in the log; going on from there");
			kfk_message_destroy(m);
			return next_off;
		}
		kfk_message_destroy(m);
		next_off++;
		KT_ASSERT(next_off <= 10);
	}
}

KT_TEST(log_truncation_is_reported_and_reading_goes_on_from_it)
{
	struct fb *fb = start();
	kfk_consumer *c = consumer(fb, "earliest");
	int64_t polled, i;
	bool found = false;

	polled = read_until_truncation(c);
	/* What had not been polled below 6 comes again; then the new. */
	for (i = polled; i < 6; i++)
		expect_value(c, i, "old");
	for (i = 6; i < 9; i++)
		expect_value(c, i, "new");
	KT_ASSERT(kfk_consumer_poll(c, 200) == NULL);
	/* The fetch that found the divergence sent the last fetched
	 * epoch (4) at position 10. */
	pthread_mutex_lock(&fk.mu);
	for (int k = 0; k < fk.fetches; k++)
		found |= fk.fetched_at[k] == 10 && fk.last_epoch[k] == 4;
	pthread_mutex_unlock(&fk.mu);
	KT_ASSERT(found);
	kfk_consumer_destroy(c);
	fb_stop(fb);
}

KT_TEST(log_truncation_with_reset_none_waits_for_a_seek)
{
	struct fb *fb = start();
	kfk_consumer *c = consumer(fb, "none");
	kfk_message *m;

	for (;;) {
		m = next(c);
		if (kfk_message_err(m))
			break;
		kfk_message_destroy(m);
	}
	KT_ASSERT_INT_EQ(kfk_message_err(m), KFK_ERR__LOG_TRUNCATION);
	kfk_message_destroy(m);
	KT_ASSERT(kfk_consumer_poll(c, 300) == NULL); /* waits */
	KT_ASSERT_INT_EQ(kfk_consumer_seek(c, "t", 0, 7), 0);
	expect_value(c, 7, "new");
	kfk_consumer_destroy(c);
	fb_stop(fb);
}

KT_TEST(an_older_broker_is_asked_where_the_epoch_ends_after_a_leader_change)
{
	struct fb *fb = start_as(true);
	kfk_consumer *c = consumer(fb, "earliest");
	int64_t polled, i;

	polled = read_until_truncation(c);
	for (i = polled; i < 6; i++)
		expect_value(c, i, "old");
	for (i = 6; i < 9; i++)
		expect_value(c, i, "new");
	KT_ASSERT(kfk_consumer_poll(c, 200) == NULL);
	/* Asked once, for epoch 4 under the new leader epoch, before any
	 * fetch under it; the first of those was at or below 6. */
	pthread_mutex_lock(&fk.mu);
	KT_ASSERT_INT_EQ(fk.asked, 1);
	KT_ASSERT_INT_EQ(fk.asked_epoch, 4);
	KT_ASSERT_INT_EQ(fk.asked_cur, 5);
	KT_ASSERT(fk.fetch_after_change >= 0 && fk.fetch_after_change <= 6);
	pthread_mutex_unlock(&fk.mu);
	kfk_consumer_destroy(c);
	fb_stop(fb);
}
