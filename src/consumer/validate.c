/*
 * consumer/validate.c: positions checked after a leader change (KIP-320),
 * and what a truncated log does to a partition.
 *
 * A position is good under the leader epoch it was fetched under
 * (checked_epoch). When metadata names a newer epoch, an unclean leader
 * election may have cut the log below it. A leader that answers Fetch v12
 * says so itself (a diverging epoch in the Fetch answer, fetcher.c); an
 * older one is asked first, as the Java client does: the partition waits
 * in VALIDATING while OffsetForLeaderEpoch (v3 and up, one request per
 * leader, on the control loop) asks where the epoch of the last record
 * fetched ends on the new leader. An end below the position is a
 * truncation: reported, and reading goes on from that end. A leader that
 * has no OffsetForLeaderEpoch v3 is taken as it is (nothing to ask).
 *
 * A committed offset that carries its leader epoch is checked the same
 * way before it is fetched from.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "client/metadata.h"
#include "consumer/consumer_int.h"
#include "proto/api.h"
#include "proto/arena.h"
#include "proto/gen/api_keys.h"
#include "proto/gen/offset_for_leader_epoch.h"
#include "util/time.h"

/* v3: replica id -1, a consumer's view (the end the consumer may read). */
#define OFLE_MIN_VERSION 3
/* The Fetch version that reports diverging epochs itself. */
#define FETCH_DIVERGING_VERSION 12

struct val_entry {
	struct kfk_cpart *part;   /* a reference */
	unsigned version;
	int32_t cur_epoch;        /* the leader's epoch, from metadata */
	int32_t epoch;            /* the epoch of the last record fetched */
	kfk_err err;
	int32_t end_epoch;
	int64_t end_offset;
};

struct val_req {
	struct kfk_req req;
	struct kfk_consumer *c;
	int n;
	struct val_entry *v;
};

/* ---- truncation ---------------------------------------------------------- */

void kfk_consumer_truncated(struct kfk_consumer *c, struct kfk_cpart *p,
                            int32_t epoch, int64_t end)
{
	int64_t app, to;

	if (end >= p->fetch_pos) {
		p->last_epoch = epoch; /* nothing we read is gone */
		return;
	}
	kfk_log(c->log, KFK_LOG_WARNING, "TRUNCATION",
	        "%s [%d]: log truncation detected: epoch %d ends at offset %lld "
	        "on the leader, below our position %lld", p->topic,
	        (int)p->partition, (int)epoch, (long long)end,
	        (long long)p->fetch_pos);
	atomic_fetch_add(&p->version, 1);
	kfk_consumer_error(c, p, KFK_ERR__LOG_TRUNCATION, end,
	                   "%s [%d]: log truncated after a leader change: the "
	                   "records fetched from offset %lld to %lld are no "
	                   "longer in the log%s", p->topic, (int)p->partition,
	                   (long long)end, (long long)p->fetch_pos - 1,
	                   c->reset == 2 ? "; seek to go on (auto.offset.reset "
	                                   "is none)" : "; going on from there");
	if (c->reset == 2) {
		kfk_cpart_set_state(c, p, KFK_CPART_FAILED);
		return;
	}
	/* The records before end the application has not polled yet are
	 * still good: from its position when that is lower. */
	app = atomic_load(&p->app_pos);
	to = app >= 0 && app < end ? app : end;
	p->fetch_pos = to;
	p->last_epoch = to == end ? epoch : -1;
	p->eof_told = false;
	p->retry_at_us = 0;
	atomic_store(&p->app_pos, to);
	kfk_cpart_set_state(c, p, KFK_CPART_ACTIVE);
}

/* ---- which positions wait ------------------------------------------------- */

void kfk_validate_check(struct kfk_consumer *c, struct kfk_cpart *p)
{
	if (p->state != KFK_CPART_ACTIVE || p->last_epoch < 0 ||
	    p->leader_epoch < 0 || p->leader_epoch <= p->checked_epoch)
		return;
	kfk_dbg(c->log, KFK_DBG_CONSUMER, "VALIDATE",
	        "%s [%d]: leader epoch %d (position %lld fetched under %d, last "
	        "record of epoch %d): checking the position", p->topic,
	        (int)p->partition, (int)p->leader_epoch,
	        (long long)p->fetch_pos, (int)p->checked_epoch,
	        (int)p->last_epoch);
	kfk_cpart_set_state(c, p, KFK_CPART_VALIDATING);
}

/* The position stands under the current leader epoch. */
static void accept(struct kfk_consumer *c, struct kfk_cpart *p, int32_t epoch,
                   const char *why)
{
	kfk_dbg(c->log, KFK_DBG_CONSUMER, "VALIDATE",
	        "%s [%d]: position %lld stands under leader epoch %d (%s)",
	        p->topic, (int)p->partition, (long long)p->fetch_pos,
	        (int)epoch, why);
	p->checked_epoch = epoch;
	p->retry_at_us = 0;
	kfk_cpart_set_state(c, p, KFK_CPART_ACTIVE);
}

/* ---- the request ----------------------------------------------------------- */

static int ve_cmp(const void *a, const void *b)
{
	return strcmp(((const struct val_entry *)a)->part->topic,
	              ((const struct val_entry *)b)->part->topic);
}

static kfk_err val_encode(struct kfk_req *req, kfk_wbuf *w, int16_t version)
{
	struct val_req *r = req->opaque;
	struct kfk_offset_for_leader_epoch_request m;
	struct kfk_offset_for_leader_epoch_request_offset_for_leader_topic *t;
	struct kfk_offset_for_leader_epoch_request_offset_for_leader_partition
		*pv;
	int i, nt = 0;
	kfk_err err;

	t = calloc((size_t)r->n, sizeof(*t));
	pv = calloc((size_t)r->n, sizeof(*pv));
	if (!t || !pv) {
		free(t);
		free(pv);
		return KFK_ERR__NO_MEMORY;
	}
	kfk_offset_for_leader_epoch_request_init(&m);
	m.replica_id = -1;
	for (i = 0; i < r->n; i++) {
		const char *topic = r->v[i].part->topic;

		if (!nt || strcmp(topic, t[nt - 1].topic.ptr) != 0) {
			kfk_offset_for_leader_epoch_request_offset_for_leader_topic_init(
				&t[nt]);
			t[nt].topic = kfk_str_c(topic);
			t[nt].partitions = &pv[i];
			nt++;
		}
		kfk_offset_for_leader_epoch_request_offset_for_leader_partition_init(
			&pv[i]);
		pv[i].partition = r->v[i].part->partition;
		pv[i].current_leader_epoch = r->v[i].cur_epoch;
		pv[i].leader_epoch = r->v[i].epoch;
		t[nt - 1].partitions_count++;
	}
	m.topics = t;
	m.topics_count = nt;
	err = (kfk_err)kfk_offset_for_leader_epoch_request_encode(w, version, &m);
	free(t);
	free(pv);
	return err;
}

static struct val_entry *val_find(struct val_req *r, struct kfk_str topic,
                                  int32_t partition)
{
	for (int i = 0; i < r->n; i++)
		if (r->v[i].part->partition == partition &&
		    kfk_str_eq(topic, kfk_str_c(r->v[i].part->topic)))
			return &r->v[i];
	return NULL;
}

/* Each entry's outcome from the response (or err for all). */
static void val_parse(struct val_req *r, kfk_err err, kfk_rbuf *body,
                      int16_t version)
{
	struct kfk_offset_for_leader_epoch_response m;
	kfk_arena a;
	int i, t, k;

	for (i = 0; i < r->n; i++)
		r->v[i].err = err ? err : KFK_ERR__MALFORMED;
	if (err || !body)
		return;
	kfk_arena_init(&a);
	if (kfk_offset_for_leader_epoch_response_decode(body, version, &a,
	                                                &m) == 0) {
		for (t = 0; t < m.topics_count; t++) {
			for (k = 0; k < m.topics[t].partitions_count; k++) {
				struct kfk_offset_for_leader_epoch_response_epoch_end_offset
					*eo = &m.topics[t].partitions[k];
				struct val_entry *e = val_find(
					r, m.topics[t].topic, eo->partition);

				if (!e)
					continue;
				e->err = (kfk_err)eo->error_code;
				e->end_epoch = eo->leader_epoch;
				e->end_offset = eo->end_offset;
			}
		}
	}
	kfk_arena_destroy(&a);
}

static void val_free(struct val_req *r)
{
	for (int i = 0; i < r->n; i++)
		kfk_cpart_unref(r->v[i].part);
	free(r->v);
	free(r);
}

/* ---- answers (control loop) ------------------------------------------------ */

/* An error: the leader moved or is not ready (metadata, then again), the
 * broker cannot answer (taken as it is), or anything else (reported,
 * then again). */
static void val_error(struct kfk_consumer *c, struct val_entry *e,
                      int64_t now)
{
	struct kfk_cpart *p = e->part;

	if (e->err == KFK_ERR__UNSUPPORTED_FEATURE ||
	    e->err == KFK_ERR_UNSUPPORTED_VERSION) {
		accept(c, p, e->cur_epoch, "the leader has no "
		                           "OffsetForLeaderEpoch v3");
		return;
	}
	kfk_dbg(c->log, KFK_DBG_CONSUMER, "VALIDATE",
	        "%s [%d]: OffsetForLeaderEpoch: %s", p->topic, (int)p->partition,
	        kfk_err_name(e->err));
	p->retry_at_us = now + c->retry_backoff_us;
	kfk_consumer_arm(c, p->retry_at_us);
	if (kfk_consumer_leader_error(e->err))
		kfk_client_metadata_refresh(c->client, p->topic,
		                            kfk_err_name(e->err));
	else
		kfk_consumer_error(c, p, e->err, p->fetch_pos,
		                   "%s [%d]: checking offset %lld after a leader "
		                   "change failed: %s", p->topic, (int)p->partition,
		                   (long long)p->fetch_pos, kfk_err_str(e->err));
}

static void val_apply(struct kfk_consumer *c, struct val_entry *e, int64_t now)
{
	struct kfk_cpart *p = e->part;

	if (p->state != KFK_CPART_VALIDATING ||
	    atomic_load(&p->version) != e->version)
		return; /* moved meanwhile */
	if (e->err) {
		val_error(c, e, now);
		return;
	}
	if (e->end_offset < 0 || e->end_epoch < 0) {
		/* The leader has no epoch at or below ours: where our
		 * records went is unknown, so the position is reset. */
		kfk_consumer_error(c, p, KFK_ERR__LOG_TRUNCATION, p->fetch_pos,
		                   "%s [%d]: log truncated after a leader change: "
		                   "the leader has nothing of epoch %d or before",
		                   p->topic, (int)p->partition, (int)e->epoch);
		kfk_offsets_reset(c, p, "log truncated");
		return;
	}
	p->checked_epoch = e->cur_epoch;
	if (e->end_offset < p->fetch_pos) {
		kfk_consumer_truncated(c, p, e->end_epoch, e->end_offset);
		return;
	}
	accept(c, p, e->cur_epoch, "checked with OffsetForLeaderEpoch");
}

static void val_done(struct kfk_req *req, kfk_err err, kfk_rbuf *body,
                     int16_t version)
{
	struct val_req *r = req->opaque;
	struct kfk_consumer *c = r->c;
	int64_t now = kfk_now_us();

	val_parse(r, err, body, version);
	if (!c->closed) {
		/* As a Fetch's outcome: application threads read the
		 * partitions under the lock. */
		pthread_mutex_lock(&c->lock);
		for (int i = 0; i < r->n; i++)
			val_apply(c, &r->v[i], now);
		pthread_mutex_unlock(&c->lock);
	}
	val_free(r);
	if (!c->closed)
		kfk_consumer_kick(c);
}

/* ---- sending (control loop, under c->lock) -------------------------------- */

/* Whether b must be asked: false when its Fetch reports divergence itself
 * or it has no OffsetForLeaderEpoch v3 (both known once connected). */
static bool must_ask(struct kfk_broker *b, const char **why)
{
	int16_t fetch = kfk_broker_api_version(b, KFK_APIKEY_FETCH);
	int16_t ofle = kfk_broker_api_version(
		b, KFK_APIKEY_OFFSET_FOR_LEADER_EPOCH);

	if (fetch >= FETCH_DIVERGING_VERSION) {
		*why = "its Fetch reports divergence";
		return false;
	}
	if (fetch >= 0 && ofle < OFLE_MIN_VERSION) {
		*why = "the leader has no OffsetForLeaderEpoch v3";
		return false;
	}
	return true;
}

static struct val_req *val_new(struct kfk_consumer *c)
{
	const struct kfk_proto_api *api =
		kfk_proto_api_get(KFK_APIKEY_OFFSET_FOR_LEADER_EPOCH);
	struct val_req *r = calloc(1, sizeof(*r));

	if (!r || !(r->v = calloc((size_t)c->part_cnt, sizeof(*r->v)))) {
		free(r);
		return NULL;
	}
	r->c = c;
	r->req.api_key = KFK_APIKEY_OFFSET_FOR_LEADER_EPOCH;
	r->req.min_version = OFLE_MIN_VERSION;
	r->req.max_version = api->max_stable;
	r->req.encode = val_encode;
	r->req.done = val_done;
	r->req.opaque = r;
	r->req.owner = c->ctrl;
	return r;
}

static bool waiting(const struct kfk_cpart *p, int32_t leader, int64_t now)
{
	return p->state == KFK_CPART_VALIDATING && p->leader == leader &&
	       p->retry_at_us <= now;
}

/* One request for leader's partitions waiting in VALIDATING (or none
 * needed: all accepted). */
static void send_for_leader(struct kfk_consumer *c, int32_t leader,
                            int64_t now)
{
	struct kfk_broker *b = kfk_client_broker(c->client, leader);
	struct val_req *r;
	const char *why;
	int i;

	if (!b)
		return;
	if (!must_ask(b, &why)) {
		for (i = 0; i < c->part_cnt; i++)
			if (waiting(c->parts[i], leader, now))
				accept(c, c->parts[i], c->parts[i]->leader_epoch,
				       why);
		kfk_broker_unref(b);
		return;
	}
	r = val_new(c);
	for (i = 0; r && i < c->part_cnt; i++) {
		struct kfk_cpart *p = c->parts[i];
		struct val_entry *e = &r->v[r->n];

		if (!waiting(p, leader, now))
			continue;
		e->part = kfk_cpart_ref(p);
		e->version = atomic_load(&p->version);
		e->cur_epoch = p->leader_epoch;
		e->epoch = p->last_epoch;
		/* Not asked again while this one is out. */
		p->retry_at_us = INT64_MAX;
		r->n++;
	}
	if (r && r->n) {
		qsort(r->v, (size_t)r->n, sizeof(*r->v), ve_cmp);
		kfk_broker_send(b, &r->req);
	} else if (r) {
		val_free(r);
	}
	kfk_broker_unref(b);
}

void kfk_validate_run(struct kfk_consumer *c, int64_t now)
{
	pthread_mutex_lock(&c->lock);
	for (int i = 0; i < c->part_cnt; i++) {
		struct kfk_cpart *p = c->parts[i];

		if (p->state != KFK_CPART_VALIDATING || p->leader < 0)
			continue;
		if (p->retry_at_us <= now)
			/* All of its leader's go (or are accepted) at once:
			 * later ones of the same leader no longer wait. */
			send_for_leader(c, p->leader, now);
		else if (p->retry_at_us != INT64_MAX) /* not in flight */
			kfk_consumer_arm(c, p->retry_at_us);
	}
	pthread_mutex_unlock(&c->lock);
}
