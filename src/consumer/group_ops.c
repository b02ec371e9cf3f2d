/*
 * consumer/group_ops.c: what the group hands to the application's poll:
 * rebalances and asynchronous commit outcomes, on a queue of their own
 * (`ops`, a struct kfk_evq) that poll serves before it takes messages.
 *
 * Why through poll: the Java client calls its rebalance listener inside
 * poll, and applications rely on it: the callback runs on their thread,
 * may commit what it has processed of a partition being revoked, and no
 * message of a revoked partition is returned after it. So the member, on
 * the control loop, queues "revoke these" and waits (REVOKING) until poll
 * has served it: the commit (enable.auto.commit), the callback, then the
 * partitions unassigned; and "assign these": the partitions assigned
 * (starting at their committed offsets), then the callback.
 *
 * A push kicks the consumer's message queue, so a poll waiting there (or
 * an event loop watching its fd) wakes up and serves it.
 */
#include "config.h"

#include <stdlib.h>

#include "consumer/consumer_int.h"
#include "consumer/group.h"
#include "consumer/tplist.h"
#include "util/time.h"

struct cgrp_op {
	struct kfk_ev ev;
	struct kfk_cgrp *g;
	unsigned seq;
	kfk_rebalance_type rtype;
	kfk_tplist *parts;
	kfk_commit_cb *cb;
	void *opaque;
	kfk_err err;
};

struct served {
	struct kfk_cgrp *g;
	unsigned seq;
};

void kfk_cgrp_op_release(struct kfk_ev *ev, void *arg)
{
	struct cgrp_op *op = (struct cgrp_op *)ev;

	(void)arg;
	kfk_tplist_destroy(op->parts);
	free(op);
}

static void push(struct kfk_cgrp *g, struct cgrp_op *op)
{
	kfk_evq_push(&g->ops, &op->ev, 1);
	kfk_evq_kick(&g->c->q);
}

unsigned kfk_cgrp_push_rebalance(struct kfk_cgrp *g, kfk_rebalance_type t,
                                 kfk_tplist *parts)
{
	struct cgrp_op *op = calloc(1, sizeof(*op));
	unsigned seq = ++g->op_seq;

	if (!op) { /* the callback is not told; the assignment still is */
		kfk_log(g->c->log, KFK_LOG_ERR, "CGRP",
		        "group %s: out of memory for a rebalance event",
		        g->group_id);
		kfk_tplist_destroy(parts);
		return seq;
	}
	op->ev.type = KFK_EV_REBALANCE;
	op->g = g;
	op->seq = seq;
	op->rtype = t;
	op->parts = parts;
	push(g, op);
	return seq;
}

void kfk_cgrp_push_commit_result(struct kfk_cgrp *g, kfk_commit_cb *cb,
                                 void *opaque, kfk_err err,
                                 kfk_tplist *offsets)
{
	struct cgrp_op *op = cb ? calloc(1, sizeof(*op)) : NULL;

	if (!op) {
		kfk_tplist_destroy(offsets);
		return;
	}
	op->ev.type = KFK_EV_COMMIT;
	op->g = g;
	op->cb = cb;
	op->opaque = opaque;
	op->err = err;
	op->parts = offsets;
	push(g, op);
}

/* ---- serving (the application's thread) ---------------------------------- */

static void served_task(void *arg)
{
	struct served *s = arg;
	struct kfk_cgrp *g = s->g;

	if (!g->closed && s->seq == g->wait_seq) {
		if (g->state == KFK_CGRP_REVOKING) {
			g->poll_expired = false;
			kfk_cgrp_set_state(g, KFK_CGRP_UNJOINED);
		} else if (g->rejoin_after_serve) {
			g->rejoin_after_serve = false;
			kfk_cgrp_rejoin(g, "partitions revoked must be given out");
		}
		kfk_cgrp_run(g);
	}
	free(s);
}

static void tell_served(struct kfk_cgrp *g, unsigned seq)
{
	struct served *s = malloc(sizeof(*s));

	if (!s)
		return;
	s->g = g;
	s->seq = seq;
	if (kfk_loop_post(g->c->ctrl, served_task, s))
		free(s);
}

static void serve_rebalance(struct kfk_cgrp *g, struct cgrp_op *op)
{
	struct kfk_consumer *c = g->c;
	bool some = kfk_tplist_count(op->parts) > 0;

	switch (op->rtype) {
	case KFK_REBALANCE_REVOKED:
		if (some && g->auto_commit_ms) {
			kfk_tplist *l = kfk_cgrp_stored(g, op->parts, true);

			if (kfk_tplist_count(l) > 0)
				(void)kfk_cgrp_commit_sync(g, l, g->api_timeout_ms);
			kfk_tplist_destroy(l);
		}
		/* fall through */
	case KFK_REBALANCE_LOST:
		if (some && g->cb)
			g->cb(c, op->rtype, op->parts, g->cb_opaque);
		(void)kfk_consumer_group_assign(c, op->parts, false);
		break;
	case KFK_REBALANCE_ASSIGNED:
		(void)kfk_consumer_group_assign(c, op->parts, true);
		if (g->cb)
			g->cb(c, op->rtype, op->parts, g->cb_opaque);
		break;
	}
	tell_served(g, op->seq);
}

static void serve_op(void *arg, struct kfk_ev *ev, int32_t first)
{
	struct cgrp_op *op = (struct cgrp_op *)ev;

	(void)arg;
	(void)first;
	if (ev->type == KFK_EV_REBALANCE)
		serve_rebalance(op->g, op);
	else if (op->cb)
		op->cb(op->g->c, op->err, op->parts, op->opaque);
}

void kfk_cgrp_serve(struct kfk_cgrp *g)
{
	atomic_store(&g->last_poll_ms, kfk_now_ms());
	(void)kfk_evq_serve(&g->ops, 0, 0, serve_op, g);
}
