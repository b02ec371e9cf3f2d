/*
 * consumer/offsets.c: ListOffsets, for a partition's starting position
 * (a logical offset, auto.offset.reset) and for the blocking queries
 * (watermarks, offsets for times).
 *
 * Positions: partitions in NEED_OFFSET whose leader is known go in one
 * ListOffsets per leader, completed on the control loop (the request's
 * owner loop). An answer is applied only if the partition still waits
 * for it (same version, RESETTING): a seek meanwhile wins. A leader
 * error sends the partition back to NEED_OFFSET after retry.backoff.ms,
 * with a metadata refresh.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "client/metadata.h"
#include "consumer/consumer_int.h"
#include "proto/api.h"
#include "proto/arena.h"
#include "proto/gen/api_keys.h"
#include "proto/gen/list_offsets.h"
#include "util/time.h"

/* ListOffsets with topic names and the offset field: v1 and up. */
#define LO_MIN_VERSION 1

/* One partition of a request: what is asked and what came back. */
struct lo_entry {
	const char *topic;
	int32_t partition;
	int64_t ts;             /* -2 earliest, -1 latest, else a time */
	int32_t cur_epoch;      /* current leader epoch, -1 unknown */
	struct kfk_cpart *part; /* positions only (a reference) */
	unsigned version;
	kfk_err err;
	int64_t offset;
	int32_t epoch;
};

struct lo_req {
	struct kfk_req req;
	struct kfk_consumer *c;
	int8_t isolation;
	int n;
	struct lo_entry *v;
	/* Blocking queries: the caller waits for done. */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool done;
};

static int lo_cmp(const void *a, const void *b)
{
	return strcmp(((const struct lo_entry *)a)->topic,
	              ((const struct lo_entry *)b)->topic);
}

static kfk_err lo_encode(struct kfk_req *req, kfk_wbuf *w, int16_t version)
{
	struct lo_req *r = req->opaque;
	struct kfk_list_offsets_request m;
	struct kfk_list_offsets_request_topic *t;
	struct kfk_list_offsets_request_partition *pv;
	int i, nt = 0;
	kfk_err err;

	t = calloc((size_t)r->n, sizeof(*t));
	pv = calloc((size_t)r->n, sizeof(*pv));
	if (!t || !pv) {
		free(t);
		free(pv);
		return KFK_ERR__NO_MEMORY;
	}
	kfk_list_offsets_request_init(&m);
	m.replica_id = -1;
	m.isolation_level = r->isolation;
	for (i = 0; i < r->n; i++) {
		if (!nt || strcmp(r->v[i].topic, t[nt - 1].name.ptr) != 0) {
			kfk_list_offsets_request_topic_init(&t[nt]);
			t[nt].name = kfk_str_c(r->v[i].topic);
			t[nt].partitions = &pv[i];
			nt++;
		}
		kfk_list_offsets_request_partition_init(&pv[i]);
		pv[i].partition_index = r->v[i].partition;
		pv[i].current_leader_epoch = r->v[i].cur_epoch;
		pv[i].timestamp = r->v[i].ts;
		pv[i].max_num_offsets = 1;
		t[nt - 1].partitions_count++;
	}
	m.topics = t;
	m.topics_count = nt;
	err = (kfk_err)kfk_list_offsets_request_encode(w, version, &m);
	free(t);
	free(pv);
	return err;
}

static struct lo_entry *lo_find(struct lo_req *r, struct kfk_str topic,
                                int32_t partition)
{
	int i;

	for (i = 0; i < r->n; i++)
		if (r->v[i].partition == partition &&
		    kfk_str_eq(topic, kfk_str_c(r->v[i].topic)))
			return &r->v[i];
	return NULL;
}

/* Fills each entry's outcome from the response (or err for all). */
static void lo_parse(struct lo_req *r, kfk_err err, kfk_rbuf *body,
                     int16_t version)
{
	struct kfk_list_offsets_response m;
	kfk_arena a;
	int i, t, p;

	for (i = 0; i < r->n; i++)
		r->v[i].err = err ? err : KFK_ERR__MALFORMED;
	if (err || !body)
		return;
	kfk_arena_init(&a);
	if (kfk_list_offsets_response_decode(body, version, &a, &m) == 0) {
		for (t = 0; t < m.topics_count; t++) {
			for (p = 0; p < m.topics[t].partitions_count; p++) {
				struct kfk_list_offsets_response_partition_response
					*pr = &m.topics[t].partitions[p];
				struct lo_entry *e = lo_find(r, m.topics[t].name,
				                             pr->partition_index);
				if (!e)
					continue;
				e->err = (kfk_err)pr->error_code;
				e->offset = pr->offset;
				e->epoch = pr->leader_epoch;
			}
		}
	}
	kfk_arena_destroy(&a);
}

static struct lo_req *lo_new(struct kfk_consumer *c, int n)
{
	struct lo_req *r = calloc(1, sizeof(*r));
	const struct kfk_proto_api *api =
		kfk_proto_api_get(KFK_APIKEY_LIST_OFFSETS);

	if (!r || !(r->v = calloc((size_t)n, sizeof(*r->v)))) {
		free(r);
		return NULL;
	}
	r->c = c;
	r->isolation = c->isolation;
	r->req.api_key = KFK_APIKEY_LIST_OFFSETS;
	r->req.min_version = LO_MIN_VERSION;
	r->req.max_version = api->max_stable;
	r->req.encode = lo_encode;
	r->req.opaque = r;
	return r;
}

static void lo_free(struct lo_req *r)
{
	int i;

	for (i = 0; i < r->n; i++)
		kfk_cpart_unref(r->v[i].part);
	free(r->v);
	free(r);
}

/* ---- positions (control loop) ------------------------------------------ */

/* One entry's answer applied to its partition. */
static void lo_apply(struct kfk_consumer *c, struct lo_entry *e, int64_t now)
{
	struct kfk_cpart *p = e->part;
	int64_t off = e->offset;

	if (p->state != KFK_CPART_RESETTING ||
	    atomic_load(&p->version) != e->version)
		return; /* moved meanwhile */
	if (e->err) {
		kfk_dbg(c->log, KFK_DBG_CONSUMER, "OFFSET",
		        "%s [%d]: ListOffsets: %s", p->topic, (int)p->partition,
		        kfk_err_name(e->err));
		kfk_cpart_set_state(c, p, KFK_CPART_NEED_OFFSET);
		p->retry_at_us = now + c->retry_backoff_us;
		kfk_consumer_arm(c, p->retry_at_us);
		if (kfk_consumer_leader_error(e->err))
			kfk_client_metadata_refresh(c->client, p->topic,
			                            kfk_err_name(e->err));
		else
			kfk_consumer_error(c, p, e->err, -1,
			                   "%s [%d]: ListOffsets failed: %s",
			                   p->topic, (int)p->partition,
			                   kfk_err_str(e->err));
		return;
	}
	if (p->want_offset <= KFK_OFFSET_TAIL_BASE) {
		off -= KFK_OFFSET_TAIL_BASE - p->want_offset;
		if (off < 0)
			off = 0;
	}
	kfk_dbg(c->log, KFK_DBG_CONSUMER, "OFFSET",
	        "%s [%d]: starts at offset %lld", p->topic, (int)p->partition,
	        (long long)off);
	p->fetch_pos = off;
	p->last_epoch = -1;
	p->checked_epoch = -1;
	atomic_store(&p->app_pos, off);
	kfk_cpart_set_state(c, p, KFK_CPART_ACTIVE);
}

static void lo_done_positions(struct kfk_req *req, kfk_err err,
                              kfk_rbuf *body, int16_t version)
{
	struct lo_req *r = req->opaque;
	struct kfk_consumer *c = r->c;
	int64_t now = kfk_now_us();
	int i;

	lo_parse(r, err, body, version);
	c->resets_in_flight--;
	if (!c->closed)
		for (i = 0; i < r->n; i++)
			lo_apply(c, &r->v[i], now);
	lo_free(r);
	if (!c->closed)
		kfk_consumer_kick(c);
}

/* With a group, KFK_OFFSET_STORED is the committed offset, asked of the
 * coordinator (consumer/group_commit.c), not of the leader. */
static bool waits_for_group(struct kfk_consumer *c, struct kfk_cpart *p)
{
	return c->group && p->want_offset == KFK_OFFSET_STORED;
}

/* The timestamp to ask for p's logical offset; false when there is none
 * to ask (auto.offset.reset=none: the partition fails). */
static bool want_ts(struct kfk_consumer *c, struct kfk_cpart *p, int64_t *ts)
{
	int64_t w = p->want_offset;

	if (w == KFK_OFFSET_STORED) {
		if (c->reset == 2)
			return false;
		w = c->reset == 0 ? KFK_OFFSET_BEGINNING : KFK_OFFSET_END;
		p->want_offset = w;
	}
	*ts = w == KFK_OFFSET_BEGINNING ? -2 : -1; /* END and TAIL: latest */
	return true;
}

static void fail_no_offset(struct kfk_consumer *c, struct kfk_cpart *p)
{
	kfk_cpart_set_state(c, p, KFK_CPART_FAILED);
	kfk_consumer_error(c, p, KFK_ERR__AUTO_OFFSET_RESET, -1,
	                   "%s [%d]: no offset to start from and "
	                   "auto.offset.reset is none: seek to an offset",
	                   p->topic, (int)p->partition);
}

/* Sends one request for the NEED_OFFSET partitions led by leader. */
static void send_for_leader(struct kfk_consumer *c, int32_t leader,
                            int64_t now)
{
	struct kfk_broker *b = kfk_client_broker(c->client, leader);
	struct lo_req *r = b ? lo_new(c, c->part_cnt) : NULL;
	int i;

	for (i = 0; r && i < c->part_cnt; i++) {
		struct kfk_cpart *p = c->parts[i];
		struct lo_entry *e = &r->v[r->n];

		if (p->state != KFK_CPART_NEED_OFFSET || p->leader != leader ||
		    p->retry_at_us > now || waits_for_group(c, p))
			continue;
		if (!want_ts(c, p, &e->ts)) {
			fail_no_offset(c, p);
			continue;
		}
		e->topic = p->topic;
		e->partition = p->partition;
		e->cur_epoch = p->leader_epoch;
		e->part = kfk_cpart_ref(p);
		e->version = atomic_load(&p->version);
		r->n++;
		kfk_cpart_set_state(c, p, KFK_CPART_RESETTING);
	}
	if (r && r->n) {
		qsort(r->v, (size_t)r->n, sizeof(*r->v), lo_cmp);
		r->req.done = lo_done_positions;
		r->req.owner = c->ctrl;
		c->resets_in_flight++;
		kfk_broker_send(b, &r->req);
	} else if (r) {
		lo_free(r);
	}
	if (b)
		kfk_broker_unref(b);
}

void kfk_offsets_run(struct kfk_consumer *c, int64_t now)
{
	int i, j;

	pthread_mutex_lock(&c->lock);
	for (i = 0; i < c->part_cnt; i++) {
		struct kfk_cpart *p = c->parts[i];
		bool seen = false;

		if (p->state != KFK_CPART_NEED_OFFSET || p->leader < 0 ||
		    waits_for_group(c, p))
			continue;
		if (p->retry_at_us > now) {
			kfk_consumer_arm(c, p->retry_at_us);
			continue;
		}
		for (j = 0; j < i && !seen; j++)
			seen = c->parts[j]->leader == p->leader &&
			       c->parts[j]->state == KFK_CPART_RESETTING;
		if (!seen)
			send_for_leader(c, p->leader, now);
	}
	pthread_mutex_unlock(&c->lock);
}

void kfk_offsets_no_committed(struct kfk_consumer *c, struct kfk_cpart *p)
{
	kfk_dbg(c->log, KFK_DBG_CONSUMER, "OFFSET",
	        "%s [%d]: no committed offset: auto.offset.reset", p->topic,
	        (int)p->partition);
	if (c->reset == 2) {
		fail_no_offset(c, p);
		return;
	}
	p->want_offset = c->reset == 0 ? KFK_OFFSET_BEGINNING : KFK_OFFSET_END;
	kfk_cpart_set_state(c, p, KFK_CPART_NEED_OFFSET);
}

void kfk_offsets_reset(struct kfk_consumer *c, struct kfk_cpart *p,
                       const char *why)
{
	kfk_log(c->log, KFK_LOG_INFO, "OFFSET",
	        "%s [%d]: %s at offset %lld: resetting to %s (auto.offset.reset)",
	        p->topic, (int)p->partition, why, (long long)p->fetch_pos,
	        c->reset == 0 ? "earliest" : c->reset == 1 ? "latest" : "none");
	if (c->reset == 2) {
		atomic_fetch_add(&p->version, 1);
		fail_no_offset(c, p);
		return;
	}
	kfk_cpart_move(c, p, KFK_OFFSET_STORED);
}

/* ---- blocking queries (application threads) ------------------------------ */

static void lo_done_query(struct kfk_req *req, kfk_err err, kfk_rbuf *body,
                          int16_t version)
{
	struct lo_req *r = req->opaque;

	lo_parse(r, err, body, version);
	pthread_mutex_lock(&r->mu);
	r->done = true;
	pthread_cond_signal(&r->cv);
	pthread_mutex_unlock(&r->mu);
}

/* The leader of topic/partition, waiting for metadata up to end_ms. */
static struct kfk_broker *query_leader(struct kfk_consumer *c,
                                       const char *topic, int32_t partition,
                                       int64_t end_ms, int32_t *epoch)
{
	for (;;) {
		struct kfk_metadata *md = kfk_client_metadata(c->client);
		const struct kfk_md_partition *mp =
			kfk_metadata_partition(md, topic, partition);
		uint64_t v = md->version;
		int32_t leader = mp && !mp->err ? mp->leader : -1;
		int64_t left = end_ms - kfk_now_ms();

		*epoch = mp ? mp->leader_epoch : -1;
		kfk_metadata_unref(md);
		if (leader >= 0)
			return kfk_client_broker(c->client, leader);
		if (left <= 0)
			return NULL;
		kfk_client_metadata_new_topic(c->client, topic);
		(void)kfk_client_metadata_wait(c->client, v, (int)left);
	}
}

kfk_err kfk_offsets_query(struct kfk_consumer *c, const char *topic,
                          int32_t partition, int64_t ts, int timeout_ms,
                          int64_t *offset, int32_t *leader_epoch)
{
	int64_t end = kfk_now_ms() + (timeout_ms < 0 ? 3600000 : timeout_ms);
	struct lo_req *r;
	struct kfk_broker *b;
	int32_t epoch;
	kfk_err err;

	if (!topic || partition < 0)
		return KFK_ERR__INVALID_ARG;
	b = query_leader(c, topic, partition, end, &epoch);
	if (!b)
		return KFK_ERR__TIMED_OUT;
	r = lo_new(c, 1);
	if (!r) {
		kfk_broker_unref(b);
		return KFK_ERR__NO_MEMORY;
	}
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cv, NULL);
	r->n = 1;
	r->v[0] = (struct lo_entry){ .topic = topic, .partition = partition,
		                         .ts = ts, .cur_epoch = epoch };
	r->req.done = lo_done_query;
	r->req.timeout_ms = (int32_t)(end - kfk_now_ms() > 1 ? end - kfk_now_ms()
	                                                     : 1);
	kfk_broker_send(b, &r->req);
	kfk_broker_unref(b);
	pthread_mutex_lock(&r->mu);
	while (!r->done) /* bounded: the request's own timeout */
		pthread_cond_wait(&r->cv, &r->mu);
	pthread_mutex_unlock(&r->mu);
	err = r->v[0].err;
	if (!err) {
		*offset = r->v[0].offset;
		if (leader_epoch)
			*leader_epoch = r->v[0].epoch;
	}
	pthread_mutex_destroy(&r->mu);
	pthread_cond_destroy(&r->cv);
	lo_free(r);
	return err;
}
