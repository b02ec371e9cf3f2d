/*
 * consumer/group_hb.c: the member's liveness: Heartbeat every
 * heartbeat.interval.ms on kfk's own timer (never on the application's
 * poll), the max.poll.interval.ms check, and LeaveGroup.
 *
 * Heartbeats tell the member when the group rebalances
 * (REBALANCE_IN_PROGRESS: join again) or has dropped it
 * (UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION: its partitions are lost). A
 * coordinator that answers no heartbeat for session.timeout.ms is taken
 * for dead and found again. An application that has not polled for
 * max.poll.interval.ms makes the member leave the group, as the Java
 * client does: its partitions go to the others, and its next poll tells
 * it they are lost and joins again.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "consumer/consumer_int.h"
#include "consumer/group.h"
#include "proto/api.h"
#include "proto/arena.h"
#include "proto/gen/api_keys.h"
#include "proto/gen/heartbeat.h"
#include "proto/gen/leave_group.h"
#include "util/time.h"
#include "util/waiter.h"

/* ---- Heartbeat ------------------------------------------------------------ */

struct hb_req {
	struct kfk_req req;
	struct kfk_cgrp *g;
	int32_t generation;
	char *member_id;        /* a copy: encoded on the broker's loop */
};

static kfk_err hb_encode(struct kfk_req *req, kfk_wbuf *w, int16_t version)
{
	struct hb_req *r = req->opaque;
	struct kfk_heartbeat_request m;

	kfk_heartbeat_request_init(&m);
	m.group_id = kfk_str_c(r->g->group_id);
	m.generation_id = r->generation;
	m.member_id = kfk_str_c(r->member_id);
	m.group_instance_id = kfk_str_c(r->g->instance_id);
	return (kfk_err)kfk_heartbeat_request_encode(w, version, &m);
}

static void hb_outcome(struct kfk_cgrp *g, kfk_err err)
{
	switch (err) {
	case KFK_ERR_NONE:
		g->hb_ok_us = kfk_now_us();
		break;
	case KFK_ERR_REBALANCE_IN_PROGRESS:
		if (g->state == KFK_CGRP_STABLE)
			kfk_cgrp_rejoin(g, "the group is rebalancing");
		break;
	case KFK_ERR_UNKNOWN_MEMBER_ID:
		kfk_cgrp_lost(g, "Heartbeat: unknown member id", true);
		break;
	case KFK_ERR_ILLEGAL_GENERATION:
		kfk_cgrp_lost(g, "Heartbeat: illegal generation", false);
		break;
	case KFK_ERR_FENCED_INSTANCE_ID:
		kfk_cgrp_set_state(g, KFK_CGRP_FATAL);
		kfk_cgrp_error(g, err,
		               "another member uses group.instance.id %s: this "
		               "one is fenced and stops consuming", g->instance_id);
		break;
	default:
		if (kfk_cgrp_coord_error(err))
			kfk_cgrp_coord_dead(g, kfk_err_name(err));
		else
			kfk_dbg(g->c->log, KFK_DBG_CGRP, "HEARTBEAT",
			        "group %s: Heartbeat: %s", g->group_id,
			        kfk_err_name(err));
	}
}

static void hb_done(struct kfk_req *req, kfk_err err, kfk_rbuf *body,
                    int16_t version)
{
	struct hb_req *r = req->opaque;
	struct kfk_cgrp *g = r->g;
	int32_t gen = r->generation;
	struct kfk_heartbeat_response m;
	kfk_arena a;

	free(r->member_id);
	free(r);
	if (g->closed)
		return;
	g->hb_in_flight = false;
	kfk_arena_init(&a);
	if (!err && kfk_heartbeat_response_decode(body, version, &a, &m))
		err = KFK_ERR__MALFORMED;
	if (!err)
		err = (kfk_err)m.error_code;
	kfk_arena_destroy(&a);
	if (gen != g->generation)
		return; /* an answer for a generation left since */
	kfk_dbg(g->c->log, KFK_DBG_CGRP, "HEARTBEAT",
	        "group %s: Heartbeat generation %d: %s", g->group_id, (int)gen,
	        kfk_err_name(err));
	hb_outcome(g, err);
	kfk_cgrp_run(g);
}

static void hb_send(struct kfk_cgrp *g)
{
	const struct kfk_proto_api *api =
		kfk_proto_api_get(KFK_APIKEY_HEARTBEAT);
	struct hb_req *r = calloc(1, sizeof(*r));

	if (!r || !(r->member_id = strdup(g->member_id))) {
		free(r);
		return;
	}
	r->g = g;
	r->generation = g->generation;
	r->req.api_key = KFK_APIKEY_HEARTBEAT;
	r->req.min_version = g->instance_id ? 3 : 0;
	r->req.max_version = api->max_stable;
	r->req.encode = hb_encode;
	r->req.done = hb_done;
	r->req.opaque = r;
	if (kfk_cgrp_send(g, &r->req)) {
		g->hb_in_flight = true;
	} else {
		free(r->member_id);
		free(r);
	}
}

/* max.poll.interval.ms: true when the member has just left for it. */
static bool poll_interval_check(struct kfk_cgrp *g, int64_t now)
{
	int64_t due = (atomic_load(&g->last_poll_ms) +
	               (int64_t)g->poll_interval_ms) * 1000;

	if (g->poll_expired || g->generation < 0)
		return false;
	if (now < due) {
		kfk_cgrp_arm(g, due);
		return false;
	}
	kfk_log(g->c->log, KFK_LOG_WARNING, "CGRP",
	        "group %s: the application did not poll for %d ms "
	        "(max.poll.interval.ms): leaving the group; the next poll "
	        "joins again", g->group_id, (int)g->poll_interval_ms);
	kfk_cgrp_leave(g, "max.poll.interval.ms exceeded");
	kfk_cgrp_leave_drop(g); /* nobody waits for it */
	g->poll_expired = true;
	/* Always a LOST, even empty: serving it is what rejoins. */
	{
		kfk_tplist *all = g->owned;

		g->owned = kfk_tplist_new(0);
		g->generation = -1;
		if (!g->instance_id) {
			free(g->member_id);
			g->member_id = strdup("");
		}
		g->wait_seq = kfk_cgrp_push_rebalance(g, KFK_REBALANCE_LOST, all);
		kfk_cgrp_set_state(g, KFK_CGRP_REVOKING);
	}
	return true;
}

void kfk_cgrp_heartbeat_run(struct kfk_cgrp *g, int64_t now)
{
	bool member = g->generation >= 0 && (g->state == KFK_CGRP_STABLE ||
	                                     g->state == KFK_CGRP_REVOKING);

	if (poll_interval_check(g, now) || !member || !g->hb_at_us)
		return;
	if (now - g->hb_ok_us > (int64_t)g->session_ms * 1000) {
		g->hb_ok_us = now;
		kfk_cgrp_coord_dead(g, "no heartbeat answered within "
		                       "session.timeout.ms");
		return;
	}
	if (!g->hb_in_flight && g->hb_at_us <= now) {
		hb_send(g);
		g->hb_at_us = now + (int64_t)g->heartbeat_ms * 1000;
	}
	kfk_cgrp_arm(g, g->hb_at_us);
}

/* ---- LeaveGroup ------------------------------------------------------------- */

/* A LeaveGroup the application's thread may wait for: freed by the last
 * of the waiter and done(). */
struct leave_req {
	struct kfk_req req;
	struct kfk_cgrp *g;
	char *member_id;
	const char *why;
	atomic_int refs;
	struct kfk_waiter wait;
};

static void leave_unref(struct leave_req *r)
{
	if (atomic_fetch_sub(&r->refs, 1) != 1)
		return;
	kfk_waiter_destroy(&r->wait);
	free(r->member_id);
	free(r);
}

static kfk_err lg_encode(struct kfk_req *req, kfk_wbuf *w, int16_t version)
{
	struct leave_req *r = req->opaque;
	struct kfk_leave_group_request m;
	struct kfk_leave_group_request_member_identity mi;

	kfk_leave_group_request_init(&m);
	kfk_leave_group_request_member_identity_init(&mi);
	m.group_id = kfk_str_c(r->g->group_id);
	if (version >= 3) { /* a batch of members from v3 on */
		mi.member_id = kfk_str_c(r->member_id);
		mi.reason = kfk_str_c(r->why);
		m.members = &mi;
		m.members_count = 1;
	} else {
		m.member_id = kfk_str_c(r->member_id);
	}
	return (kfk_err)kfk_leave_group_request_encode(w, version, &m);
}

static void lg_done(struct kfk_req *req, kfk_err err, kfk_rbuf *body,
                    int16_t version)
{
	struct leave_req *r = req->opaque;

	(void)body;
	(void)version;
	kfk_dbg(r->g->c->log, KFK_DBG_CGRP, "LEAVE",
	        "group %s: LeaveGroup: %s", r->g->group_id, kfk_err_name(err));
	kfk_waiter_done(&r->wait);
	leave_unref(r);
}

void kfk_cgrp_leave(struct kfk_cgrp *g, const char *why)
{
	const struct kfk_proto_api *api =
		kfk_proto_api_get(KFK_APIKEY_LEAVE_GROUP);
	struct leave_req *r;

	if (g->instance_id || !g->member_id[0] || !g->coord || g->leave)
		return; /* a static member stays for session.timeout.ms */
	r = calloc(1, sizeof(*r));
	if (!r || !(r->member_id = strdup(g->member_id))) {
		free(r);
		return;
	}
	kfk_dbg(g->c->log, KFK_DBG_CGRP, "LEAVE", "group %s: leaving: %s",
	        g->group_id, why);
	r->g = g;
	r->why = why;
	atomic_init(&r->refs, 2);
	kfk_waiter_init(&r->wait);
	r->req.api_key = KFK_APIKEY_LEAVE_GROUP;
	r->req.min_version = 0;
	r->req.max_version = api->max_stable;
	r->req.encode = lg_encode;
	r->req.done = lg_done;
	r->req.opaque = r;
	r->req.owner = NULL; /* done on the broker's loop: nothing of g */
	kfk_broker_send(g->coord, &r->req);
	g->leave = r;
}

void kfk_cgrp_leave_drop(struct kfk_cgrp *g)
{
	if (g->leave)
		leave_unref(g->leave);
	g->leave = NULL;
}

static void take_leave(void *arg)
{
	void **a = arg;
	struct kfk_cgrp *g = a[0];

	a[1] = g->leave;
	g->leave = NULL;
}

void kfk_cgrp_leave_wait(struct kfk_cgrp *g, bool closing)
{
	void *a[2] = { g, NULL };
	struct leave_req *r;

	kfk_client_run_sync(g->c->ctrl, take_leave, a);
	r = a[1];
	if (!r)
		return;
	(void)kfk_waiter_wait(&r->wait, closing && g->api_timeout_ms > 5000
	                                        ? 5000 : g->api_timeout_ms);
	leave_unref(r);
}
