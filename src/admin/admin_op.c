/*
 * admin/admin_op.c: an admin operation's life on the control loop. It
 * picks its broker (the controller, or any), sends its request with what
 * is left of its time as the request's timeout, and on the answer either
 * finishes (its result pushed to the queue) or, for what may pass by
 * itself (the controller moved, a connection lost), waits
 * retry.backoff.ms and sends again the items not answered for good,
 * until its deadline.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "admin/admin_int.h"
#include "proto/api.h"
#include "util/sized.h"
#include "util/time.h"

bool kfk_admin_retriable(kfk_err err)
{
	switch (err) {
	case KFK_ERR_NOT_CONTROLLER:
	case KFK_ERR_LEADER_NOT_AVAILABLE:
	case KFK_ERR_NOT_COORDINATOR:
	case KFK_ERR_COORDINATOR_NOT_AVAILABLE:
	case KFK_ERR_COORDINATOR_LOAD_IN_PROGRESS:
	case KFK_ERR_THROTTLING_QUOTA_EXCEEDED:
	case KFK_ERR__TRANSPORT:
	case KFK_ERR__TIMED_OUT:
		return true;
	default:
		return false;
	}
}

void kfk_admin_item_set(struct kfk_admin_topic *t, kfk_err err,
                        struct kfk_str msg)
{
	t->err = err;
	free(t->errstr);
	t->errstr = err && msg.ptr && msg.len > 0
	                    ? strndup(msg.ptr, (size_t)msg.len) : NULL;
	t->done = !kfk_admin_retriable(err);
}

struct kfk_admin_topic *kfk_admin_item_find(struct kfk_admin_opx *o,
                                            struct kfk_str name)
{
	for (int i = 0; i < o->res->topic_cnt; i++) {
		struct kfk_admin_topic *t = &o->res->topics[i];

		if (!t->done && kfk_str_eq(name, kfk_str_c(t->name)))
			return t;
	}
	return NULL;
}

struct kfk_admin_opx *kfk_admin_op_new(struct kfk_admin *a,
                                       const struct kfk_admin_kind *kind,
                                       kfk_admin_op op, int n,
                                       const kfk_admin_options *opts)
{
	kfk_admin_options o = KFK_ADMIN_OPTIONS_INIT;
	struct kfk_admin_opx *x;

	if (opts && kfk_sized_in(&o, sizeof(o), opts,
	                         offsetof(kfk_admin_options, opaque)))
		return NULL;
	if (!(x = calloc(1, sizeof(*x))))
		return NULL;
	if (!(x->res = kfk_admin_result_new(op, n))) {
		free(x);
		return NULL;
	}
	x->a = a;
	x->kind = kind;
	x->validate_only = o.validate_only;
	x->timeout_ms = o.timeout_ms > 0 ? o.timeout_ms : a->api_timeout_ms;
	x->res->opaque = o.opaque;
	x->node = -1;
	x->res->id = atomic_fetch_add(&a->next_id, 1);
	return x;
}

kfk_err kfk_admin_names_in(struct kfk_admin_opx *o, const char *const *names,
                           int cnt)
{
	for (int i = 0; i < cnt; i++) {
		if (!names[i] || !*names[i])
			return KFK_ERR__INVALID_ARG;
		if (!(o->res->topics[i].name = strdup(names[i])))
			return KFK_ERR__NO_MEMORY;
	}
	return KFK_ERR_NONE;
}

kfk_err kfk_admin_op_go(struct kfk_admin_opx *o, kfk_err err, uint64_t *id)
{
	if (err) {
		kfk_admin_op_free(o);
		return err;
	}
	if (id)
		*id = o->res->id;
	kfk_admin_op_start(o);
	return KFK_ERR_NONE;
}

void kfk_admin_op_free(struct kfk_admin_opx *o)
{
	kfk_admin_result_destroy(o->res);
	free(o);
}

static void unlink_op(struct kfk_admin_opx *o)
{
	struct kfk_admin_opx **pp;

	for (pp = &o->a->ops; *pp && *pp != o; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = o->next;
}

/* The result goes to the application; items still open get the last
 * error seen (or the operation's). */
void kfk_admin_finish(struct kfk_admin_opx *o, kfk_err err)
{
	struct kfk_admin_result *r = o->res;

	unlink_op(o);
	r->err = err;
	for (int i = 0; i < r->topic_cnt; i++)
		if (!r->topics[i].done && !r->topics[i].err)
			r->topics[i].err = err ? err : KFK_ERR__TIMED_OUT;
	kfk_dbg(o->a->log, KFK_DBG_ADMIN, "ADMIN",
	        "operation %llu (%s) done: %s", (unsigned long long)r->id,
	        kfk_proto_api_name(o->kind->api_key), kfk_err_name(err));
	o->res = NULL;
	kfk_admin_push(o->a, r);
	free(o);
}

static void send_op(struct kfk_admin_opx *o);

static void on_retry(struct kfk_timer *t, void *arg)
{
	(void)t;
	send_op(arg);
}

/* The deadline came while waiting for the first metadata. */
static void on_no_metadata(struct kfk_timer *t, void *arg)
{
	(void)t;
	kfk_admin_finish(arg, KFK_ERR__TIMED_OUT);
}

/* Sends o (its first request, or the kind's own start); from now on its
 * timer is its retries' (the kind's own tick for kinds that drive
 * themselves). */
static void go(struct kfk_admin_opx *o)
{
	kfk_timer_init(&o->retry, o->kind->tick ? o->kind->tick : on_retry, o);
	if (o->kind->start)
		o->kind->start(o);
	else
		send_op(o);
}

/* Again after retry.backoff.ms if the deadline allows; else finish. */
static void again(struct kfk_admin_opx *o, kfk_err err)
{
	int64_t at = kfk_now_us() + o->a->retry_backoff_us;

	if (at >= o->deadline_us) {
		kfk_admin_finish(o, err);
		return;
	}
	if (err == KFK_ERR_NOT_CONTROLLER || err == KFK_ERR__TRANSPORT)
		kfk_client_metadata_refresh(o->a->client, NULL,
		                            kfk_err_name(err));
	kfk_dbg(o->a->log, KFK_DBG_ADMIN, "ADMIN",
	        "operation %llu (%s): %s: trying again",
	        (unsigned long long)o->res->id,
	        kfk_proto_api_name(o->kind->api_key), kfk_err_name(err));
	kfk_loop_timer_arm(o->a->ctrl, &o->retry, at);
}

static void on_done(struct kfk_req *req, kfk_err err, kfk_rbuf *body,
                    int16_t version)
{
	struct kfk_admin_opx *o = req->opaque;
	kfk_err retry_err = KFK_ERR_NONE;

	if (o->a->closed) {
		unlink_op(o);
		kfk_admin_op_free(o);
		return;
	}
	if (!err)
		err = o->kind->parse(o, body, version);
	if (err) {
		/* _DESTROY with the handle open: a bootstrap broker went
		 * away once metadata named the real ones. */
		if (kfk_admin_retriable(err) || err == KFK_ERR__DESTROY)
			again(o, err == KFK_ERR__DESTROY ? KFK_ERR__TRANSPORT
			                                 : err);
		else
			kfk_admin_finish(o, err);
		return;
	}
	for (int i = 0; i < o->res->topic_cnt; i++)
		if (!o->res->topics[i].done)
			retry_err = o->res->topics[i].err
			                    ? o->res->topics[i].err
			                    : KFK_ERR__TIMED_OUT;
	if (retry_err)
		again(o, retry_err);
	else
		kfk_admin_finish(o, KFK_ERR_NONE);
}

/* The broker to ask: the controller when the kind needs it and metadata
 * names one, else any. With a reference; NULL when none is known. */
static struct kfk_broker *pick(struct kfk_admin_opx *o)
{
	struct kfk_broker *b = NULL;

	if (o->node >= 0)
		return kfk_client_broker(o->a->client, o->node);
	if (o->kind->to_controller) {
		struct kfk_metadata *md = kfk_client_metadata(o->a->client);
		int32_t id = md->controller_id;

		kfk_metadata_unref(md);
		if (id >= 0)
			b = kfk_client_broker(o->a->client, id);
	}
	return b ? b : kfk_client_any_broker(o->a->client);
}

static void send_op(struct kfk_admin_opx *o)
{
	const struct kfk_proto_api *api =
		kfk_proto_api_get(o->kind->api_key);
	int64_t left = (o->deadline_us - kfk_now_us()) / 1000;
	struct kfk_broker *b;

	if (left <= 0) {
		kfk_admin_finish(o, KFK_ERR__TIMED_OUT);
		return;
	}
	if (!(b = pick(o))) {
		again(o, KFK_ERR__TRANSPORT);
		return;
	}
	memset(&o->req, 0, sizeof(o->req));
	o->req.api_key = o->kind->api_key;
	o->req.min_version = o->kind->min_version;
	o->req.max_version = api->max_stable;
	o->req.timeout_ms = (int32_t)left;
	o->req.encode = o->kind->encode;
	o->req.done = on_done;
	o->req.opaque = o;
	o->req.owner = o->a->ctrl;
	kfk_broker_send(b, &o->req);
	kfk_broker_unref(b);
}

static void start_task(void *arg)
{
	struct kfk_admin_opx *o = arg;

	if (o->a->closed) {
		kfk_admin_op_free(o);
		return;
	}
	o->next = o->a->ops;
	o->a->ops = o;
	o->deadline_us = kfk_now_us() + (int64_t)o->timeout_ms * 1000;
	if (!o->a->md_known) {
		o->waits_md = true;
		kfk_timer_init(&o->retry, on_no_metadata, o);
		kfk_loop_timer_arm(o->a->ctrl, &o->retry, o->deadline_us);
		return;
	}
	go(o);
}

/* ---- operations of several requests ------------------------------------------ */

static void sub_done(struct kfk_req *req, kfk_err err, kfk_rbuf *body,
                     int16_t version)
{
	struct kfk_admin_sub *s = req->opaque;
	struct kfk_admin_opx *o = s->o;

	o->subs_out--;
	/* Closing: the operation is freed by kfk_admin_destroy(). */
	if (!o->a->closed)
		s->done(s, err == KFK_ERR__DESTROY ? KFK_ERR__TRANSPORT : err,
		        body, version);
	free(s);
}

bool kfk_admin_sub_send(struct kfk_admin_opx *o, int32_t node, int16_t api,
                        int16_t min_version, kfk_req_encode_fn *enc,
                        kfk_admin_sub_fn *done, int gi, void *arg)
{
	int64_t left = (o->deadline_us - kfk_now_us()) / 1000;
	struct kfk_broker *b = node >= 0 ? kfk_client_broker(o->a->client, node)
	                                 : kfk_client_any_broker(o->a->client);
	struct kfk_admin_sub *s;

	if (!b)
		return false;
	if (left < 1 || !(s = calloc(1, sizeof(*s)))) {
		kfk_broker_unref(b);
		return false;
	}
	s->o = o;
	s->done = done;
	s->gi = gi;
	s->node = node;
	s->arg = arg;
	s->req.api_key = api;
	s->req.min_version = min_version;
	s->req.max_version = kfk_proto_api_get(api)->max_stable;
	s->req.timeout_ms = (int32_t)left;
	s->req.encode = enc;
	s->req.done = sub_done;
	s->req.opaque = s;
	s->req.owner = o->a->ctrl;
	o->subs_out++;
	kfk_broker_send(b, &s->req);
	kfk_broker_unref(b);
	return true;
}

void kfk_admin_on_metadata(void *arg, unsigned events)
{
	struct kfk_admin *a = arg;
	struct kfk_metadata *md = kfk_client_metadata(a->client);
	struct kfk_admin_opx *o, *next;

	(void)events;
	a->md_known = md->version > 0;
	kfk_metadata_unref(md);
	if (!a->md_known || a->closed)
		return;
	for (o = a->ops; o; o = next) {
		next = o->next; /* send_op may finish (unlink) o */
		if (o->waits_md) {
			o->waits_md = false;
			kfk_loop_timer_cancel(a->ctrl, &o->retry);
			go(o);
		}
	}
}

void kfk_admin_op_start(struct kfk_admin_opx *o)
{
	o->start.fn = start_task;
	o->start.arg = o;
	kfk_loop_post_task(o->a->ctrl, &o->start);
}
