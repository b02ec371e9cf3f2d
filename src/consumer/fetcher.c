/*
 * consumer/fetcher.c: Fetch requests, one per leader broker at a time.
 *
 * A request's life crosses loops the way the work splits:
 *  - built on the control loop (kfk_fetcher_run), which owns the
 *    partitions' positions: a snapshot per partition (position, version,
 *    epochs) goes into the request, the partitions go FETCHING, and the
 *    bytes asked for (fetch.max.bytes, at most this leader's share of
 *    the room left under fetch.buffer.memory) are reserved;
 *  - encoded, answered and decoded on the broker's loop (fetch_done):
 *    the response frame is kept (net/frame.h) and each partition's record
 *    set becomes a set of messages pointing into it, so the heavy work
 *    (CRC, decompression, record parsing) runs on the broker's thread,
 *    beside its socket, in parallel across brokers;
 *  - applied on the control loop (fetch_apply): for each partition still
 *    FETCHING at the same version, positions and watermarks move and the
 *    set goes to the application's queue; errors are handled (leader
 *    changes, out of range, others reported); then the next round.
 * Each broker's requests form a fetch session (fetch_session.c, KIP-227)
 * where the broker keeps one: a request then names only the partitions
 * whose position changed.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "client/conf.h"
#include "consumer/consumer_int.h"
#include "consumer/fetcher.h"
#include "proto/api.h"
#include "proto/arena.h"
#include "proto/gen/api_keys.h"
#include "proto/gen/fetch.h"
#include "util/time.h"

/* v4: isolation level, aborted transactions, the oldest Kafka 4 serves;
 * v12 the newest that names topics (v13 uses topic ids). */
#define FETCH_MIN_VERSION 4
#define FETCH_MAX_VERSION 12

/* ---- building (control loop) -------------------------------------------- */

static bool fetchable(struct kfk_cpart *p, int64_t now)
{
	return p->state == KFK_CPART_ACTIVE && p->leader >= 0 &&
	       !atomic_load(&p->paused) && p->retry_at_us <= now;
}

static bool leader_busy(struct kfk_consumer *c, int32_t leader)
{
	for (int i = 0; i < c->fetching_cnt; i++)
		if (c->fetching[i]->leader == leader)
			return true;
	return false;
}

static int fp_cmp(const void *a, const void *b)
{
	return strcmp(((const struct fetch_part *)a)->part->topic,
	              ((const struct fetch_part *)b)->part->topic);
}

static kfk_err fetch_encode(struct kfk_req *req, kfk_wbuf *w,
                            int16_t version);
static void fetch_done(struct kfk_req *req, kfk_err err, kfk_rbuf *body,
                       int16_t version);

static void fetch_free(struct kfk_fetch_req *r)
{
	for (int i = 0; i < r->n; i++) {
		if (r->v[i].out.set)
			kfk_fset_discard(r->v[i].out.set);
		kfk_cpart_unref(r->v[i].part);
	}
	for (int i = 0; i < r->forgot_n; i++)
		kfk_cpart_unref(r->forgot[i]);
	free(r->forgot);
	free(r->v);
	free(r);
}

/* A request to leader with its fetchable partitions; NULL when none or
 * out of memory. */
static struct kfk_fetch_req *fetch_build(struct kfk_consumer *c,
                                         int32_t leader, int64_t now)
{
	struct kfk_fetch_req *r = calloc(1, sizeof(*r));
	int i;

	if (!r || !(r->v = calloc((size_t)c->part_cnt, sizeof(*r->v)))) {
		free(r);
		return NULL;
	}
	r->c = c;
	r->leader = leader;
	for (i = 0; i < c->part_cnt; i++) {
		struct kfk_cpart *p = c->parts[i];
		struct fetch_part *fp = &r->v[r->n];

		if (p->leader != leader || !fetchable(p, now))
			continue;
		fp->part = kfk_cpart_ref(p);
		fp->version = atomic_load(&p->version);
		fp->fetch_pos = p->fetch_pos;
		fp->cur_epoch = p->leader_epoch;
		fp->last_epoch = p->last_epoch;
		/* Unknown until the answer names the partition (a session's
		 * answer leaves out partitions with nothing new). */
		fp->hw = fp->lso = fp->log_start = -1;
		fp->div_epoch = -1;
		r->n++;
	}
	if (!r->n) {
		fetch_free(r);
		return NULL;
	}
	qsort(r->v, (size_t)r->n, sizeof(*r->v), fp_cmp);
	return r;
}

static int fetching_add(struct kfk_consumer *c, struct kfk_fetch_req *r)
{
	if (c->fetching_cnt == c->fetching_cap) {
		int cap = c->fetching_cap ? c->fetching_cap * 2 : 8;
		struct kfk_fetch_req **v =
			realloc(c->fetching, (size_t)cap * sizeof(*v));

		if (!v)
			return -1;
		c->fetching = v;
		c->fetching_cap = cap;
	}
	c->fetching[c->fetching_cnt++] = r;
	return 0;
}

static void fetching_remove(struct kfk_consumer *c, struct kfk_fetch_req *r)
{
	for (int i = 0; i < c->fetching_cnt; i++)
		if (c->fetching[i] == r) {
			c->fetching[i] = c->fetching[--c->fetching_cnt];
			return;
		}
}

/* Sends a Fetch to leader within room bytes; false when there was no room
 * (the memory bound wakes the consumer when some comes back). */
static bool fetch_send(struct kfk_consumer *c, int32_t leader, int64_t room,
                       int64_t now)
{
	struct kfk_broker *b = kfk_client_broker(c->client, leader);
	struct kfk_fetch_req *r = b ? fetch_build(c, leader, now) : NULL;
	struct kfk_fsess *sess = r ? kfk_fsess_get(c, leader) : NULL;

	if (!r || !sess || fetching_add(c, r)) {
		if (r)
			fetch_free(r);
		if (b)
			kfk_broker_unref(b);
		return true;
	}
	(void)kfk_fsess_plan(sess, r); /* on failure a full request */
	atomic_fetch_add(r->session_id ? &c->fetch_incremental : &c->fetch_full,
	                 1);
	r->max_bytes = (int32_t)(room < c->fetch_max_bytes ? room
	                                                   : c->fetch_max_bytes);
	/* Constant, so that a session does not resend every partition when
	 * the room changes; the request's max_bytes bounds the total. */
	r->part_max_bytes = c->partition_max_bytes;
	r->reserved = (int64_t)((double)r->max_bytes * c->expand);
	c->reserved += r->reserved;
	for (int i = 0; i < r->n; i++)
		kfk_cpart_set_state(c, r->v[i].part, KFK_CPART_FETCHING);
	r->req.api_key = KFK_APIKEY_FETCH;
	r->req.min_version = FETCH_MIN_VERSION;
	r->req.max_version = FETCH_MAX_VERSION;
	/* The broker may hold it fetch.max.wait.ms before answering. */
	r->req.timeout_ms = kfk_conf_get_int(kfk_client_conf(c->client),
	                                     "request.timeout.ms") +
	                    c->fetch_max_wait_ms;
	r->req.encode = fetch_encode;
	r->req.done = fetch_done;
	r->req.opaque = r;
	kfk_broker_send(b, &r->req);
	kfk_broker_unref(b);
	return true;
}

/* How many leaders a Fetch could go to now: fetchable partitions' leaders
 * with none in flight. Under c->lock. */
static int leaders_ready(struct kfk_consumer *c, int64_t now)
{
	int32_t *seen = malloc(((size_t)c->part_cnt + 1) * sizeof(*seen));
	int i, k, n = 0;

	if (!seen)
		return 1;
	for (i = 0; i < c->part_cnt; i++) {
		struct kfk_cpart *p = c->parts[i];

		if (!fetchable(p, now) || leader_busy(c, p->leader))
			continue;
		for (k = 0; k < n && seen[k] != p->leader; k++)
			;
		if (k == n)
			seen[n++] = p->leader;
	}
	free(seen);
	return n ? n : 1;
}

void kfk_fetcher_run(struct kfk_consumer *c, int64_t now)
{
	int i, left;

	if (c->closed)
		return;
	pthread_mutex_lock(&c->lock);
	left = leaders_ready(c, now);
	for (i = 0; i < c->part_cnt; i++) {
		struct kfk_cpart *p = c->parts[i];
		int64_t room;

		if (p->state == KFK_CPART_ACTIVE && p->retry_at_us > now)
			kfk_consumer_arm(c, p->retry_at_us);
		if (!fetchable(p, now) || leader_busy(c, p->leader))
			continue;
		/* Say "full" before looking, so that bytes freed meanwhile
		 * are not missed (an extra wake-up at worst). */
		atomic_store(&c->mem->full, true);
		/* The room is in memory; a Fetch asks in wire bytes, which
		 * grow by the messages (and decompression) they become. Each
		 * leader ready now gets an equal share: one request taking
		 * all the room would leave the others none for as long as it
		 * waits at the end of its log (fetch.max.wait.ms), and the
		 * next round would give that leader all of it again. */
		room = (int64_t)((double)kfk_cmem_room(c->mem, c->reserved) /
		                 c->expand) / (left > 1 ? left : 1);
		if (room <= 0)
			break;
		atomic_store(&c->mem->full, false);
		fetch_send(c, p->leader, room, now);
		left--;
	}
	pthread_mutex_unlock(&c->lock);
}

void kfk_fetcher_forget(struct kfk_consumer *c, struct kfk_cpart *p)
{
	/* The request keeps its snapshot; its outcome is dropped when
	 * applied, because p's version or state will have changed. */
	(void)c;
	(void)p;
}

/* ---- the broker's loop ------------------------------------------------------- */

/* The forgotten partitions, grouped by topic (the partition indexes
 * point into r->forgot's order); -1 on ENOMEM. */
static int encode_forgotten(struct kfk_fetch_req *r,
                            struct kfk_fetch_request *m)
{
	struct kfk_fetch_request_forgotten_topic *ft;
	int32_t *idx;
	int i, nt = 0;

	m->forgotten_topics_data = NULL;
	m->forgotten_topics_data_count = 0;
	if (!r->forgot_n)
		return 0;
	ft = calloc((size_t)r->forgot_n, sizeof(*ft) + sizeof(*idx));
	if (!ft)
		return -1;
	idx = (int32_t *)(ft + r->forgot_n);
	for (i = 0; i < r->forgot_n; i++) {
		const char *topic = r->forgot[i]->topic;

		if (!nt || strcmp(topic, ft[nt - 1].topic.ptr) != 0) {
			kfk_fetch_request_forgotten_topic_init(&ft[nt]);
			ft[nt].topic = kfk_str_c(topic);
			ft[nt].partitions = &idx[i];
			ft[nt].partitions_count = 0;
			nt++;
		}
		idx[i] = r->forgot[i]->partition;
		ft[nt - 1].partitions_count++;
	}
	m->forgotten_topics_data = ft;
	m->forgotten_topics_data_count = nt;
	return 0;
}

static kfk_err fetch_encode(struct kfk_req *req, kfk_wbuf *w, int16_t version)
{
	struct kfk_fetch_req *r = req->opaque;
	struct kfk_consumer *c = r->c;
	struct kfk_fetch_request m;
	struct kfk_fetch_request_topic *t = calloc((size_t)r->n, sizeof(*t));
	struct kfk_fetch_request_partition *pv = calloc((size_t)r->n,
	                                                sizeof(*pv));
	int i, nt = 0, np = 0;
	kfk_err err;

	if (!t || !pv) {
		free(t);
		free(pv);
		return KFK_ERR__NO_MEMORY;
	}
	kfk_fetch_request_init(&m);
	m.replica_id = -1;
	m.max_wait_ms = c->fetch_max_wait_ms;
	m.min_bytes = c->fetch_min_bytes;
	m.max_bytes = r->max_bytes;
	m.isolation_level = c->isolation;
	m.session_id = r->session_id;
	m.session_epoch = r->session_epoch;
	for (i = 0; i < r->n; i++) {
		struct fetch_part *fp = &r->v[i];
		struct kfk_fetch_request_partition *q;

		if (!fp->send)
			continue;
		q = &pv[np++]; /* a topic's partitions stay contiguous */
		if (!nt || strcmp(fp->part->topic, t[nt - 1].topic.ptr) != 0) {
			kfk_fetch_request_topic_init(&t[nt]);
			t[nt].topic = kfk_str_c(fp->part->topic);
			t[nt].partitions = q;
			nt++;
		}
		kfk_fetch_request_partition_init(q);
		q->partition = fp->part->partition;
		q->current_leader_epoch = fp->cur_epoch;
		q->fetch_offset = fp->fetch_pos;
		/* Only v12 has it, and an encoder refuses a value a
		 * version cannot carry: a broker before Kafka 2.7 (Fetch
		 * v11) failed every fetch after the first records with an
		 * epoch. Such a leader's log is checked with
		 * OffsetForLeaderEpoch instead (validate.c). */
		q->last_fetched_epoch = version >= 12 ? fp->last_epoch : -1;
		q->log_start_offset = -1;
		q->partition_max_bytes = r->part_max_bytes;
		t[nt - 1].partitions_count++;
	}
	m.topics = t;
	m.topics_count = nt;
	if (encode_forgotten(r, &m)) {
		free(t);
		free(pv);
		return KFK_ERR__NO_MEMORY;
	}
	err = (kfk_err)kfk_fetch_request_encode(w, version, &m);
	free(m.forgotten_topics_data);
	free(t);
	free(pv);
	return err;
}

static struct fetch_part *fetch_find(struct kfk_fetch_req *r,
                                     struct kfk_str topic, int32_t partition)
{
	for (int i = 0; i < r->n; i++)
		if (r->v[i].part->partition == partition &&
		    kfk_str_eq(topic, kfk_str_c(r->v[i].part->topic)))
			return &r->v[i];
	return NULL;
}

/* One partition's answer: watermarks, and its records into a set. */
static void fetch_part_decode(struct kfk_fetch_req *r, struct fetch_part *fp,
                              struct kfk_fetch_response_partition_data *pd,
                              struct kfk_frame *frame)
{
	struct kfk_consumer *c = r->c;
	struct kfk_fd_in in = {
		.records = pd->records.ptr,
		.records_len = pd->records.len > 0 ? (size_t)pd->records.len : 0,
		.fetch_pos = fp->fetch_pos,
		.last_epoch = fp->last_epoch,
		.isolation = c->isolation,
		.check_crcs = c->check_crcs,
		.max_decompressed = INT32_MAX,
		.aborted_cnt = pd->aborted_transactions_count > 0
		                       ? pd->aborted_transactions_count : 0,
	};

	fp->err = (kfk_err)pd->error_code;
	fp->hw = pd->high_watermark;
	fp->lso = pd->last_stable_offset;
	fp->log_start = pd->log_start_offset;
	if (pd->diverging_epoch.epoch >= 0) {
		fp->div_epoch = pd->diverging_epoch.epoch;
		fp->div_end = pd->diverging_epoch.end_offset;
		return; /* no records come with a divergence */
	}
	if (fp->err || !in.records_len)
		return;
	fp->out.set = kfk_fset_new(c->mem, fp->part, fp->version, 64);
	if (in.aborted_cnt)
		in.aborted = calloc((size_t)in.aborted_cnt, sizeof(*in.aborted));
	if (!fp->out.set || (in.aborted_cnt && !in.aborted)) {
		fp->err = KFK_ERR__NO_MEMORY;
		free(in.aborted);
		return;
	}
	for (int i = 0; i < in.aborted_cnt; i++) {
		in.aborted[i].producer_id = pd->aborted_transactions[i].producer_id;
		in.aborted[i].first_offset =
			pd->aborted_transactions[i].first_offset;
	}
	kfk_fetch_decode(&in, &fp->out);
	kfk_fset_trim(fp->out.set);
	free(in.aborted);
	if (fp->out.set->cnt)
		fp->out.set->frame = kfk_frame_ref(frame);
	fp->out.set->bytes += (int64_t)in.records_len;
	fp->wire = (int64_t)in.records_len;
}

static void fetch_decode_response(struct kfk_fetch_req *r, kfk_rbuf *body,
                                  int16_t version, struct kfk_frame *frame)
{
	struct kfk_fetch_response m;
	kfk_arena a;

	kfk_arena_init(&a);
	if (kfk_fetch_response_decode(body, version, &a, &m) != 0) {
		r->err = KFK_ERR__MALFORMED;
	} else if (m.error_code) {
		r->err = (kfk_err)m.error_code;
	} else {
		r->resp_session_id = m.session_id;
		for (int t = 0; t < m.responses_count; t++) {
			struct kfk_fetch_response_fetchable_topic_response *tr =
				&m.responses[t];
			for (int p = 0; p < tr->partitions_count; p++) {
				struct fetch_part *fp = fetch_find(
					r, tr->topic, tr->partitions[p].partition_index);
				if (fp)
					fetch_part_decode(r, fp, &tr->partitions[p],
					                  frame);
			}
		}
	}
	kfk_arena_destroy(&a);
}

static void fetch_apply(void *arg);

static void fetch_done(struct kfk_req *req, kfk_err err, kfk_rbuf *body,
                       int16_t version)
{
	struct kfk_fetch_req *r = req->opaque;
	struct kfk_frame *frame = NULL;
	kfk_rbuf kept;

	/* A partition the answer does not name had nothing new (a session
	 * answers only for partitions with data or errors). */
	r->err = err;
	if (!err && body) {
		frame = kfk_req_keep_frame(req, body, &kept);
		if (!frame)
			r->err = KFK_ERR__NO_MEMORY;
		else
			fetch_decode_response(r, &kept, version, frame);
		kfk_frame_unref(frame); /* the sets hold their own */
	}
	req->task.fn = fetch_apply;
	req->task.arg = r;
	kfk_loop_post_task(r->c->ctrl, &req->task);
}

/* ---- applying (control loop) -------------------------------------------- */

/* How much memory a wire byte of fetched data takes once decoded (its
 * share of a message of 80 bytes, decompressed copies), learned from each
 * set: a Fetch asks for the room left divided by it, so the bound holds
 * for small records and compressed topics too. It starts pessimistic (the
 * first Fetch asks for little) and follows the data. */
static void learn_expansion(struct kfk_consumer *c, int64_t bytes,
                            int64_t wire)
{
	double x;

	if (wire <= 0)
		return;
	x = (double)bytes / (double)wire;
	c->expand = 0.7 * c->expand + 0.3 * (x < 1 ? 1 : x > 64 ? 64 : x);
}

/* The records: positions, the queue, end of partition. */
static void apply_records(struct kfk_consumer *c, struct fetch_part *fp)
{
	struct kfk_cpart *p = fp->part;
	struct kfk_fset *s = fp->out.set;
	int64_t end = c->isolation ? fp->lso : fp->hw;

	fp->out.set = NULL;
	if (s && s->cnt) {
		kfk_fset_charge(s, 0);
		learn_expansion(c, s->bytes, fp->wire);
		kfk_evq_push(&c->q, &s->ev, s->cnt);
		p->eof_told = false;
	} else if (s) {
		kfk_fset_discard(s);
	}
	if (fp->out.next_pos > p->fetch_pos) {
		p->fetch_pos = fp->out.next_pos;
		p->last_epoch = fp->out.last_epoch;
		p->eof_told = false;
	}
	if (fp->out.err) {
		kfk_consumer_error(c, p, fp->out.err, fp->out.err_offset,
		                   "%s [%d]: record batch at offset %lld: %s",
		                   p->topic, (int)p->partition,
		                   (long long)fp->out.err_offset,
		                   kfk_err_str(fp->out.err));
		if (p->fetch_pos <= fp->out.err_offset) {
			p->retry_at_us = kfk_now_us() + c->retry_backoff_us;
			kfk_consumer_arm(c, p->retry_at_us);
		}
	}
	if (c->partition_eof && !p->eof_told && end >= 0 &&
	    p->fetch_pos >= end) {
		p->eof_told = true;
		kfk_consumer_error(c, p, KFK_ERR__PARTITION_EOF, p->fetch_pos,
		                   "%s [%d]: end of partition at offset %lld",
		                   p->topic, (int)p->partition,
		                   (long long)p->fetch_pos);
	}
}

static void apply_error(struct kfk_consumer *c, struct fetch_part *fp,
                        int64_t now)
{
	struct kfk_cpart *p = fp->part;

	if (fp->err == KFK_ERR_OFFSET_OUT_OF_RANGE) {
		kfk_offsets_reset(c, p, "offset out of range");
		return;
	}
	p->retry_at_us = now + c->retry_backoff_us;
	kfk_consumer_arm(c, p->retry_at_us);
	if (kfk_consumer_leader_error(fp->err)) {
		kfk_dbg(c->log, KFK_DBG_CONSUMER, "FETCH",
		        "%s [%d]: %s: refreshing its leader", p->topic,
		        (int)p->partition, kfk_err_name(fp->err));
		kfk_client_metadata_refresh(c->client, p->topic,
		                            kfk_err_name(fp->err));
		return;
	}
	kfk_consumer_error(c, p, fp->err, p->fetch_pos,
	                   "%s [%d]: fetch at offset %lld failed: %s", p->topic,
	                   (int)p->partition, (long long)p->fetch_pos,
	                   kfk_err_str(fp->err));
}

static void apply_part(struct kfk_consumer *c, struct fetch_part *fp,
                       int64_t now)
{
	struct kfk_cpart *p = fp->part;

	if (c->closed || p->state != KFK_CPART_FETCHING ||
	    atomic_load(&p->version) != fp->version)
		return; /* moved or gone meanwhile: the set is dropped */
	kfk_cpart_set_state(c, p, KFK_CPART_ACTIVE);
	if (fp->err) {
		apply_error(c, fp, now);
		return;
	}
	if (fp->div_epoch >= 0) {
		/* The leader's log diverged from what we fetched
		 * (KIP-320, an unclean leader election). */
		kfk_consumer_truncated(c, p, fp->div_epoch, fp->div_end);
		return;
	}
	p->checked_epoch = fp->cur_epoch;
	if (fp->hw >= 0)
		atomic_store(&p->hw, fp->hw);
	if (fp->lso >= 0)
		atomic_store(&p->lso, fp->lso);
	if (fp->log_start >= 0)
		atomic_store(&p->log_start, fp->log_start);
	apply_records(c, fp);
}

static void fetch_apply(void *arg)
{
	struct kfk_fetch_req *r = arg;
	struct kfk_consumer *c = r->c;
	int64_t now = kfk_now_us();

	struct kfk_fsess *sess = kfk_fsess_get(c, r->leader);

	fetching_remove(c, r);
	c->reserved -= r->reserved;
	if (sess)
		kfk_fsess_outcome(sess, r);
	if (kfk_fsess_err(r->err)) {
		/* Not the partitions' fault: a full request next round. */
		kfk_dbg(c->log, KFK_DBG_CONSUMER, "FETCH",
		        "fetch session %d with broker %d: %s: starting over",
		        (int)r->session_id, (int)r->leader, kfk_err_name(r->err));
		r->err = KFK_ERR_NONE;
	}
	pthread_mutex_lock(&c->lock);
	for (int i = 0; i < r->n; i++) {
		if (r->err)
			r->v[i].err = r->err;
		apply_part(c, &r->v[i], now);
	}
	pthread_mutex_unlock(&c->lock);
	fetch_free(r);
	if (!c->closed)
		kfk_consumer_kick(c);
}
