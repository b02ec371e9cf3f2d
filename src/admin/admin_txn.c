/*
 * admin/admin_txn.c: transactions described by transactional id (what
 * kafka-transactions describe shows). Each id runs its own small
 * pipeline, all at once: FindCoordinator (key type 1), then
 * DescribeTransactions to that coordinator; a coordinator that moved or
 * is loading, or a lost connection, sends the id back to FindCoordinator
 * after the backoff, until the operation's deadline.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "admin/admin_int.h"
#include "consumer/tplist.h"
#include "proto/arena.h"
#include "proto/gen/api_keys.h"
#include "proto/gen/describe_transactions.h"
#include "util/time.h"

enum { T_FIND, T_DESCRIBE, T_DONE };

static void tick(struct kfk_timer *t, void *arg);

static bool passes(kfk_err err)
{
	return err == KFK_ERR_NOT_COORDINATOR ||
	       err == KFK_ERR_COORDINATOR_NOT_AVAILABLE ||
	       err == KFK_ERR_COORDINATOR_LOAD_IN_PROGRESS ||
	       err == KFK_ERR__TRANSPORT || err == KFK_ERR__TIMED_OUT;
}

/* t's answer was err: final, or FindCoordinator again after the
 * backoff. */
static void settle(struct kfk_admin_opx *o, struct kfk_admin_txn *t,
                   kfk_err err, char *msg)
{
	t->err = err;
	free(t->errstr);
	t->errstr = msg;
	if (err && passes(err)) {
		t->stage = T_FIND;
		t->retry_at_us = kfk_now_us() + o->a->retry_backoff_us;
	} else if (err) {
		t->stage = T_DONE;
	}
}

static void fc_done(struct kfk_admin_sub *s, kfk_err err, kfk_rbuf *body,
                    int16_t version)
{
	struct kfk_admin_txn *t = &s->o->res->txns[s->gi];
	char *msg = NULL;

	t->out = false;
	err = kfk_admin_fc_parse(err, body, version, &t->coordinator, &msg);
	if (!err) {
		free(msg);
		t->stage = T_DESCRIBE;
	} else {
		settle(s->o, t, err, msg);
	}
	tick(NULL, s->o);
}

static kfk_err dt_encode(struct kfk_req *req, kfk_wbuf *w, int16_t version)
{
	struct kfk_admin_sub *s = req->opaque;
	struct kfk_describe_transactions_request m;
	struct kfk_str id = kfk_str_c(s->arg);

	kfk_describe_transactions_request_init(&m);
	m.transactional_ids = &id;
	m.transactional_ids_count = 1;
	return (kfk_err)kfk_describe_transactions_request_encode(w, version, &m);
}

/* t from its state in the answer. */
static kfk_err txn_set(struct kfk_admin_txn *t,
                       const struct kfk_describe_transactions_response_transaction_state
                               *st)
{
	t->err = KFK_ERR_NONE;
	t->state = strndup(st->transaction_state.ptr,
	                   (size_t)(st->transaction_state.len > 0
	                                    ? st->transaction_state.len : 0));
	t->producer_id = st->producer_id;
	t->epoch = st->producer_epoch;
	t->timeout_ms = st->transaction_timeout_ms;
	t->start_ms = st->transaction_start_time_ms;
	if (!t->state || !(t->parts = kfk_tplist_new(4)))
		return KFK_ERR__NO_MEMORY;
	for (int i = 0; i < st->topics_count; i++) {
		char *topic = strndup(st->topics[i].topic.ptr,
		                      (size_t)st->topics[i].topic.len);

		for (int p = 0; topic && p < st->topics[i].partitions_count; p++)
			kfk_tplist_add(t->parts, topic, st->topics[i].partitions[p],
			               -1);
		free(topic);
	}
	return KFK_ERR_NONE;
}

static void dt_done(struct kfk_admin_sub *s, kfk_err err, kfk_rbuf *body,
                    int16_t version)
{
	struct kfk_admin_txn *t = &s->o->res->txns[s->gi];
	struct kfk_describe_transactions_response m;
	kfk_arena ar;

	t->out = false;
	kfk_arena_init(&ar);
	if (!err && (kfk_describe_transactions_response_decode(body, version,
	                                                       &ar, &m) ||
	             m.transaction_states_count != 1))
		err = KFK_ERR__MALFORMED;
	if (!err)
		err = (kfk_err)m.transaction_states[0].error_code;
	if (!err) {
		err = txn_set(t, &m.transaction_states[0]);
		t->stage = T_DONE;
	}
	if (err)
		settle(s->o, t, err, NULL);
	kfk_arena_destroy(&ar);
	tick(NULL, s->o);
}

/* Sends what each transaction is ready for; returns the earliest retry
 * among those waiting out a backoff (INT64_MAX: none). */
static int64_t send_ready(struct kfk_admin_opx *o, int64_t now)
{
	struct kfk_admin_result *r = o->res;
	int64_t next = INT64_MAX;

	for (int i = 0; i < r->txn_cnt; i++) {
		struct kfk_admin_txn *t = &r->txns[i];
		bool sent = true;

		if (t->out || t->stage == T_DONE)
			continue;
		if (t->retry_at_us > now) {
			kfk_min_at(&next, t->retry_at_us);
			continue;
		}
		if (t->stage == T_FIND)
			sent = kfk_admin_sub_send(o, -1, KFK_APIKEY_FIND_COORDINATOR,
			                          1, kfk_admin_fc_txn_encode,
			                          fc_done, i, t->id);
		else
			sent = kfk_admin_sub_send(
				o, t->coordinator, KFK_APIKEY_DESCRIBE_TRANSACTIONS,
				0, dt_encode, dt_done, i, t->id);
		if (sent) {
			t->out = true;
		} else {
			settle(o, t, KFK_ERR__TRANSPORT, NULL);
			kfk_min_at(&next, t->retry_at_us);
		}
	}
	return next;
}

static void tick(struct kfk_timer *timer, void *arg)
{
	struct kfk_admin_opx *o = arg;
	int64_t now = kfk_now_us(), next = INT64_MAX;
	bool open = false;

	(void)timer;
	if (now < o->deadline_us)
		next = send_ready(o, now);
	for (int i = 0; i < o->res->txn_cnt; i++)
		open = open || o->res->txns[i].stage != T_DONE;
	if (o->subs_out)
		return; /* their answers tick again */
	if (!open || now >= o->deadline_us) {
		for (int i = 0; i < o->res->txn_cnt; i++)
			if (o->res->txns[i].stage != T_DONE &&
			    !o->res->txns[i].err)
				o->res->txns[i].err = KFK_ERR__TIMED_OUT;
		kfk_loop_timer_cancel(o->a->ctrl, &o->retry);
		kfk_admin_finish(o, KFK_ERR_NONE);
		return;
	}
	kfk_loop_timer_arm(o->a->ctrl, &o->retry,
	                   next < o->deadline_us ? next : o->deadline_us);
}

static void start(struct kfk_admin_opx *o)
{
	tick(NULL, o);
}

static const struct kfk_admin_kind describe_txns_kind = {
	KFK_APIKEY_DESCRIBE_TRANSACTIONS, 0, false, NULL, NULL, start, tick
};

KFK_API kfk_err kfk_admin_describe_transactions(kfk_admin *a,
                                                const char *const *ids,
                                                int cnt,
                                                const kfk_admin_options *opts,
                                                uint64_t *id)
{
	struct kfk_admin_opx *o;
	struct kfk_admin_result *r;
	kfk_err err = KFK_ERR_NONE;

	if (!a || !ids || cnt <= 0)
		return KFK_ERR__INVALID_ARG;
	if (!(o = kfk_admin_op_new(a, &describe_txns_kind,
	                           KFK_ADMIN_DESCRIBE_TRANSACTIONS, 0, opts)))
		return KFK_ERR__INVALID_ARG;
	r = o->res;
	if (!(r->txns = calloc((size_t)cnt, sizeof(*r->txns))))
		return kfk_admin_op_go(o, KFK_ERR__NO_MEMORY, id);
	for (int i = 0; !err && i < cnt; i++, r->txn_cnt++) {
		r->txns[i].coordinator = -1;
		r->txns[i].producer_id = -1;
		r->txns[i].start_ms = -1;
		if (!ids[i] || !*ids[i])
			err = KFK_ERR__INVALID_ARG;
		else if (!(r->txns[i].id = strdup(ids[i])))
			err = KFK_ERR__NO_MEMORY;
	}
	return kfk_admin_op_go(o, err, id);
}

/* ---- results ------------------------------------------------------------- */

void kfk_admin_txn_clear(struct kfk_admin_txn *t)
{
	free(t->id);
	free(t->errstr);
	free(t->state);
	kfk_tplist_destroy(t->parts);
}

KFK_API int kfk_admin_result_txn_count(const kfk_admin_result *r)
{
	return r ? r->txn_cnt : 0;
}

KFK_API const kfk_admin_txn *kfk_admin_result_txn(const kfk_admin_result *r,
                                                  int i)
{
	return r && i >= 0 && i < r->txn_cnt ? &r->txns[i] : NULL;
}

KFK_API const char *kfk_admin_txn_id(const kfk_admin_txn *t)
{
	return t->id;
}

KFK_API kfk_err kfk_admin_txn_err(const kfk_admin_txn *t)
{
	return t->err;
}

KFK_API const char *kfk_admin_txn_errstr(const kfk_admin_txn *t)
{
	return t->errstr ? t->errstr : t->err ? kfk_err_str(t->err) : "";
}

KFK_API const char *kfk_admin_txn_state(const kfk_admin_txn *t)
{
	return t->state ? t->state : "";
}

KFK_API int64_t kfk_admin_txn_producer(const kfk_admin_txn *t, int16_t *epoch,
                                       int32_t *timeout_ms,
                                       int64_t *start_ms)
{
	if (epoch)
		*epoch = t->epoch;
	if (timeout_ms)
		*timeout_ms = t->timeout_ms;
	if (start_ms)
		*start_ms = t->start_ms;
	return t->producer_id;
}

KFK_API int32_t kfk_admin_txn_coordinator(const kfk_admin_txn *t)
{
	return t->coordinator;
}

KFK_API const kfk_tplist *kfk_admin_txn_partitions(const kfk_admin_txn *t)
{
	return t->parts;
}
