/*
 * net/broker_req.c: the request pipeline of a broker (see broker.h).
 *
 * A request travels: posted task -> `waiting` (its deadline armed) ->
 * framed and handed to the connection -> `inflight` (or `writing` for
 * requests without a response) -> done(). Kafka answers in order on a
 * connection, so the response to arrive must be for the head of
 * `inflight`; anything else means the byte stream can no longer be
 * trusted and the connection goes.
 *
 * Every function here runs on the broker's loop thread.
 */
#include "config.h"

#include "net/broker_int.h"

#include <stdlib.h>

#include "proto/api.h"
#include "proto/header.h"
#include "util/time.h"

/* ---- lists ---------------------------------------------------------------- */

void kfk_reqq_push(struct kfk_reqq *q, struct kfk_req *r, uint8_t where)
{
	r->next = NULL;
	r->prev = q->tail;
	if (q->tail)
		q->tail->next = r;
	else
		q->head = r;
	q->tail = r;
	q->n++;
	r->where = where;
}

void kfk_reqq_unlink(struct kfk_reqq *q, struct kfk_req *r)
{
	if (r->prev)
		r->prev->next = r->next;
	else
		q->head = r->next;
	if (r->next)
		r->next->prev = r->prev;
	else
		q->tail = r->prev;
	r->next = r->prev = NULL;
	r->where = KFK_REQ_NOWHERE;
	q->n--;
}

struct kfk_req *kfk_reqq_pop(struct kfk_reqq *q)
{
	struct kfk_req *r = q->head;

	if (r)
		kfk_reqq_unlink(q, r);
	return r;
}

static struct kfk_reqq *kfk_broker_list(struct kfk_broker *b, uint8_t where)
{
	switch (where) {
	case KFK_REQ_WAITING:
		return &b->waiting;
	case KFK_REQ_WRITING:
		return &b->writing;
	case KFK_REQ_INFLIGHT:
		return &b->inflight;
	default:
		return NULL;
	}
}

/* Takes req off its list and keeps the counters in step. */
static void kfk_broker_req_detach(struct kfk_broker *b, struct kfk_req *req)
{
	struct kfk_reqq *q = kfk_broker_list(b, req->where);

	if (!q)
		return;
	if (req->where == KFK_REQ_WAITING)
		atomic_fetch_sub_explicit(&b->st_queued, 1, memory_order_relaxed);
	else if (req != &b->av_req)
		atomic_fetch_sub_explicit(&b->st_in_flight, 1,
		                          memory_order_relaxed);
	kfk_reqq_unlink(q, req);
}

/* On the owner's loop: the outcome the broker posted. */
static void kfk_req_deliver(void *arg)
{
	struct kfk_req *req = arg;
	struct kfk_frame *f = req->frame;
	kfk_rbuf body;

	if (!f) {
		req->done(req, req->err, NULL, req->version);
		return;
	}
	kfk_rbuf_init(&body, f->p, f->len);
	body.p += req->body_off;
	req->fp = f->p;
	req->flen = f->len;
	req->done(req, KFK_ERR_NONE, &body, req->version);
	/* done() may have freed req: only the frame is left to drop. */
	kfk_frame_unref(f);
}

/* Hands the outcome to the owner's loop, keeping the frame for it. */
static void kfk_req_post_outcome(struct kfk_req *req, kfk_err err,
                                 kfk_rbuf *body)
{
	req->frame = NULL;
	req->err = err;
	if (!err && body) {
		req->frame = kfk_conn_keep(&req->broker->conn, req->fp,
		                           req->flen);
		req->body_off = (size_t)(body->p - body->start);
		if (!req->frame)
			req->err = KFK_ERR__NO_MEMORY;
	}
	req->task.fn = kfk_req_deliver;
	req->task.arg = req;
	kfk_loop_post_task(req->owner, &req->task);
}

struct kfk_frame *kfk_req_keep_frame(struct kfk_req *req, const kfk_rbuf *body,
                                     kfk_rbuf *out)
{
	struct kfk_frame *f = req->frame
	        ? kfk_frame_ref(req->frame)
	        : kfk_conn_keep(&req->broker->conn, req->fp, req->flen);

	if (!f)
		return NULL;
	out->start = f->p;
	out->p = f->p + (body->p - req->fp);
	out->end = f->p + (body->end - req->fp);
	out->err = body->err;
	return f;
}

void kfk_broker_req_done(struct kfk_broker *b, struct kfk_req *req,
                         kfk_err err, kfk_rbuf *body)
{
	kfk_broker_req_detach(b, req);
	kfk_loop_timer_cancel(b->loop, &req->timer);
	if (err == KFK_ERR__TIMED_OUT)
		atomic_fetch_add_explicit(&b->st_timeouts, 1, memory_order_relaxed);
	/* From here on req is its owner's: not one more touch. */
	if (req->owner && req->owner != b->loop) {
		kfk_req_post_outcome(req, err, body);
		return;
	}
	req->frame = NULL;
	req->done(req, err, body, req->version);
}

/* ---- arrival and deadlines -------------------------------------------- */

void kfk_broker_req_timeout(struct kfk_timer *t, void *arg)
{
	struct kfk_req *req = arg;
	struct kfk_broker *b = req->broker;

	(void)t;
	if (req->where == KFK_REQ_WAITING) {
		kfk_broker_req_done(b, req, KFK_ERR__TIMED_OUT, NULL);
		return;
	}
	/* Written: its answer may still come, and every answer after it would
	 * then be taken for the wrong request. The connection must go. */
	kfk_broker_fail(b, KFK_ERR__TIMED_OUT,
	                "%s request (correlation id %d) timed out after %lld ms",
	                kfk_proto_api_name(req->api_key), (int)req->corrid,
	                (long long)((kfk_now_us() - req->enqueued_us) / 1000));
}

void kfk_broker_req_arrive(void *arg)
{
	struct kfk_req *req = arg;
	struct kfk_broker *b = req->broker;
	int32_t ms = req->timeout_ms > 0 ? req->timeout_ms
	                                 : b->cfg.request_timeout_ms;

	req->deadline_us = req->enqueued_us + ms * 1000LL;
	req->version = -1;
	kfk_timer_init(&req->timer, kfk_broker_req_timeout, req);
	kfk_reqq_push(&b->waiting, req, KFK_REQ_WAITING);
	if (b->destroyed) {
		kfk_broker_req_done(b, req, KFK_ERR__DESTROY, NULL);
	} else {
		kfk_loop_timer_arm(b->loop, &req->timer, req->deadline_us);
		kfk_broker_req_queued(b);
	}
	/* The reference kfk_broker_send() took for the trip. */
	kfk_broker_unref(b);
}

/* ---- writing ---------------------------------------------------------- */

/* The version to send req with: the highest in both its range and the
 * broker's, or -1 when they do not meet. */
static int16_t kfk_broker_pick_version(struct kfk_broker *b,
                                       const struct kfk_req *req)
{
	int32_t v;
	int16_t lo, hi;

	if (req->api_key < 0 || req->api_key >= KFK_APIKEY__COUNT)
		return -1;
	v = atomic_load_explicit(&b->versions[req->api_key],
	                         memory_order_relaxed);
	if (v < 0)
		return -1;
	lo = (int16_t)(v >> 16);
	hi = (int16_t)(v & 0xffff);
	if (hi > req->max_version)
		hi = req->max_version;
	if (lo < req->min_version)
		lo = req->min_version;
	return hi >= lo ? hi : -1;
}

kfk_err kfk_broker_write_req(struct kfk_broker *b, struct kfk_req *req)
{
	struct kfk_proto_req_header h = {
		.api_key = req->api_key,
		.api_version = req->version,
		.correlation_id = b->corrid,
		.client_id = kfk_str_c(b->client_id),
	};
	kfk_wbuf w;
	size_t off, len;
	uint8_t *frame;
	kfk_err err;

	kfk_wbuf_init(&w);
	off = kfk_proto_request_begin(&w, &h);
	err = w.err ? (kfk_err)w.err : req->encode(req, &w, req->version);
	if (!err)
		err = (kfk_err)kfk_proto_frame_end(&w, off);
	frame = err ? NULL : kfk_wbuf_steal(&w, &len);
	kfk_wbuf_free(&w);
	if (err || !frame)
		return err ? err : KFK_ERR__NO_MEMORY;
	req->corrid = b->corrid;
	/* Correlation ids wrap, but stay non-negative for readable logs. */
	b->corrid = (b->corrid + 1) & INT32_MAX;
	if (req->flags & KFK_REQ_NO_RESPONSE) {
		b->noresp[b->noresp_n++ % KFK_BROKER_NORESP_RING] = req->corrid;
		kfk_reqq_push(&b->writing, req, KFK_REQ_WRITING);
		kfk_conn_write(&b->conn, frame, len, req);
	} else {
		kfk_reqq_push(&b->inflight, req, KFK_REQ_INFLIGHT);
		kfk_conn_write(&b->conn, frame, len, NULL);
	}
	b->last_io_us = kfk_now_us();
	atomic_fetch_add_explicit(&b->st_sent, 1, memory_order_relaxed);
	return KFK_ERR_NONE;
}

/* Frames and writes the head of the waiting queue, or fails it. */
static void kfk_broker_send_one(struct kfk_broker *b)
{
	struct kfk_req *req = b->waiting.head;
	kfk_err err;

	req->version = kfk_broker_pick_version(b, req);
	if (req->version < 0) {
		kfk_broker_req_done(b, req, KFK_ERR__UNSUPPORTED_FEATURE, NULL);
		return;
	}
	kfk_broker_req_detach(b, req);
	err = kfk_broker_write_req(b, req);
	if (err) {
		kfk_broker_req_done(b, req, err, NULL);
		return;
	}
	atomic_fetch_add_explicit(&b->st_in_flight, 1, memory_order_relaxed);
}

void kfk_broker_send_waiting(struct kfk_broker *b)
{
	if (b->cfg.sasl && kfk_broker_sasl_hold(b))
		return;
	while (b->waiting.head &&
	       b->inflight.n + b->writing.n < b->cfg.max_in_flight &&
	       kfk_broker_state_get(b) == KFK_BROKER_UP)
		kfk_broker_send_one(b);
}

/* ---- responses ------------------------------------------------------- */

static int32_t kfk_broker_be32(const uint8_t *p)
{
	return (int32_t)(((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	                 ((uint32_t)p[2] << 8) | (uint32_t)p[3]);
}

/* Whether corrid is one of the last no-response requests written. */
static bool kfk_broker_noresp_seen(const struct kfk_broker *b, int32_t corrid)
{
	int i;

	for (i = 0; i < KFK_BROKER_NORESP_RING; i++)
		if (b->noresp[i] == corrid && corrid >= 0)
			return true;
	return false;
}

void kfk_broker_on_frame(struct kfk_conn *c, const uint8_t *p, size_t len,
                         void *arg)
{
	struct kfk_broker *b = arg;
	struct kfk_req *req = b->inflight.head;
	int32_t corrid = kfk_broker_be32(p); /* conn ensures len >= 4 */
	kfk_rbuf r;

	(void)c;
	b->last_io_us = kfk_now_us();
	atomic_fetch_add_explicit(&b->st_received, 1, memory_order_relaxed);
	/* The backoff resets on a connection that answers past ApiVersions,
	 * not on one that merely reaches UP: a listener that hangs up on
	 * every first request must not be redialled without backoff. */
	if (++b->conn_resps > 1 && kfk_broker_state_get(b) == KFK_BROKER_UP)
		b->failures = 0;
	if ((!req || req->corrid != corrid) && kfk_broker_noresp_seen(b, corrid)) {
		kfk_dbg(b->cfg.log, KFK_DBG_PROTOCOL, "RECV",
		        "%s: dropped an answer (correlation id %d) to a request "
		        "that expects none (acks=0): the peer is not a real broker",
		        b->name, (int)corrid);
		return;
	}
	if (!req || req->corrid != corrid) {
		kfk_broker_fail(b, KFK_ERR__MALFORMED,
		                "response with correlation id %d where %s%d "
		                "was expected (%zu bytes)",
		                (int)corrid, req ? "" : "none; at most ",
		                req ? (int)req->corrid : (int)b->corrid - 1, len);
		return;
	}
	kfk_rbuf_init(&r, p, len);
	req->fp = p;
	req->flen = len;
	if (kfk_proto_resp_header_decode(
	        &r, kfk_proto_resp_header_version(req->api_key, req->version),
	        &corrid)) {
		kfk_broker_fail(b, KFK_ERR__MALFORMED,
		                "malformed %s response header (%zu bytes)",
		                kfk_proto_api_name(req->api_key), len);
		return;
	}
	kfk_broker_req_done(b, req, KFK_ERR_NONE, &r);
	kfk_broker_send_waiting(b);
}

void kfk_broker_on_sent(struct kfk_conn *c, void *tag, void *arg)
{
	struct kfk_broker *b = arg;

	(void)c;
	kfk_broker_req_done(b, tag, KFK_ERR_NONE, NULL);
	kfk_broker_send_waiting(b);
}

/* ---- failing in bulk ----------------------------------------------- */

static void kfk_broker_fail_list(struct kfk_broker *b, struct kfk_reqq *q,
                                 kfk_err err)
{
	int64_t now = kfk_now_us();
	struct kfk_req *req;

	while ((req = q->head)) {
		kfk_err e = err;

		if (err == KFK_ERR__TIMED_OUT && req->deadline_us > now)
			e = KFK_ERR__TRANSPORT; /* lost with the connection */
		if (req == &b->av_req) {
			kfk_broker_req_detach(b, req);
			kfk_loop_timer_cancel(b->loop, &req->timer);
		} else
			kfk_broker_req_done(b, req, e, NULL);
	}
}

void kfk_broker_fail_sent(struct kfk_broker *b, kfk_err err)
{
	if (err != KFK_ERR__TIMED_OUT && err != KFK_ERR__DESTROY)
		err = KFK_ERR__TRANSPORT;
	kfk_broker_fail_list(b, &b->inflight, err);
	kfk_broker_fail_list(b, &b->writing, err);
}

void kfk_broker_fail_all(struct kfk_broker *b, kfk_err err)
{
	kfk_broker_fail_sent(b, err);
	kfk_broker_fail_list(b, &b->waiting, err);
}
