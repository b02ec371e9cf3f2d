/*
 * consumer/group_coord.c: finding the group's coordinator
 * (FindCoordinator), and sending the group's requests to it over its own
 * connection (KFK_CONN_COORDINATOR).
 *
 * Any broker answers FindCoordinator. Until the answer names a broker the
 * metadata knows, the member waits (with backoff) and asks again; a
 * coordinator that stops being one (NOT_COORDINATOR, its connection
 * lost, no heartbeat answered for session.timeout.ms) is forgotten and
 * found again, keeping the membership: the next heartbeat or join goes to
 * the new one.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "consumer/consumer_int.h"
#include "consumer/group.h"
#include "proto/api.h"
#include "proto/arena.h"
#include "proto/gen/api_keys.h"
#include "proto/gen/find_coordinator.h"
#include "util/time.h"

struct fc_req {
	struct kfk_req req;
	struct kfk_cgrp *g;
};

bool kfk_cgrp_coord_error(kfk_err err)
{
	switch (err) {
	case KFK_ERR_COORDINATOR_NOT_AVAILABLE:
	case KFK_ERR_NOT_COORDINATOR:
	case KFK_ERR__TRANSPORT:
	case KFK_ERR__TIMED_OUT:
	case KFK_ERR_REQUEST_TIMED_OUT:
		return true;
	default:
		return false;
	}
}

static kfk_err fc_encode(struct kfk_req *req, kfk_wbuf *w, int16_t version)
{
	struct fc_req *r = req->opaque;
	struct kfk_find_coordinator_request m;
	struct kfk_str key = kfk_str_c(r->g->group_id);

	kfk_find_coordinator_request_init(&m);
	m.key_type = 0; /* a group */
	if (version >= 4) {
		m.coordinator_keys = &key;
		m.coordinator_keys_count = 1;
	} else {
		m.key = key;
	}
	return (kfk_err)kfk_find_coordinator_request_encode(w, version, &m);
}

/* The coordinator's node id from a response, or the error. */
static kfk_err fc_parse(kfk_rbuf *body, int16_t version, int32_t *node)
{
	struct kfk_find_coordinator_response m;
	kfk_arena a;
	kfk_err err = KFK_ERR__MALFORMED;

	kfk_arena_init(&a);
	if (kfk_find_coordinator_response_decode(body, version, &a, &m) == 0) {
		if (version >= 4 && m.coordinators_count >= 1) {
			err = (kfk_err)m.coordinators[0].error_code;
			*node = m.coordinators[0].node_id;
		} else if (version < 4) {
			err = (kfk_err)m.error_code;
			*node = m.node_id;
		}
	}
	kfk_arena_destroy(&a);
	return err;
}

/* Tries again after a backoff. */
static void fc_retry(struct kfk_cgrp *g, kfk_err err)
{
	int64_t at = kfk_now_us() +
	             kfk_backoff_us(&g->backoff, ++g->coord_failures);

	kfk_dbg(g->c->log, KFK_DBG_CGRP, "COORD",
	        "group %s: no coordinator yet: %s", g->group_id,
	        kfk_err_name(err));
	if (err == KFK_ERR_GROUP_AUTHORIZATION_FAILED)
		kfk_cgrp_error(g, err, "not authorized to use the group");
	g->retry_at_us = at > g->retry_at_us ? at : g->retry_at_us;
	kfk_cgrp_arm(g, at);
}

static void fc_found(struct kfk_cgrp *g, int32_t node)
{
	struct kfk_broker *b = kfk_client_broker_for(g->c->client, node,
	                                             KFK_CONN_COORDINATOR);

	if (!b) { /* metadata has not seen that broker yet */
		kfk_client_metadata_refresh(g->c->client, NULL,
		                            "coordinator not in metadata");
		fc_retry(g, KFK_ERR_COORDINATOR_NOT_AVAILABLE);
		return;
	}
	kfk_dbg(g->c->log, KFK_DBG_CGRP, "COORD",
	        "group %s: coordinator is broker %d", g->group_id, (int)node);
	g->coord_id = node;
	g->coord = b;
	g->coord_failures = 0;
	g->retry_at_us = 0;
	g->hb_ok_us = kfk_now_us();
	kfk_cgrp_run(g);
}

static void fc_done(struct kfk_req *req, kfk_err err, kfk_rbuf *body,
                    int16_t version)
{
	struct fc_req *r = req->opaque;
	struct kfk_cgrp *g = r->g;
	int32_t node = -1;

	free(r);
	g->finding = false;
	if (g->closed)
		return;
	if (!err)
		err = fc_parse(body, version, &node);
	if (err)
		fc_retry(g, err);
	else
		fc_found(g, node);
}

void kfk_cgrp_find_coordinator(struct kfk_cgrp *g)
{
	const struct kfk_proto_api *api =
		kfk_proto_api_get(KFK_APIKEY_FIND_COORDINATOR);
	int64_t now = kfk_now_us();
	struct kfk_broker *b;
	struct fc_req *r;

	if (g->finding || g->coord_id >= 0)
		return;
	if (g->coord_failures && g->retry_at_us > now) {
		kfk_cgrp_arm(g, g->retry_at_us);
		return;
	}
	b = kfk_client_any_broker(g->c->client);
	r = b ? calloc(1, sizeof(*r)) : NULL;
	if (!r) {
		if (b)
			kfk_broker_unref(b);
		fc_retry(g, KFK_ERR__TRANSPORT);
		return;
	}
	r->g = g;
	r->req.api_key = KFK_APIKEY_FIND_COORDINATOR;
	r->req.min_version = 0;
	r->req.max_version = api->max_stable;
	r->req.encode = fc_encode;
	r->req.done = fc_done;
	r->req.opaque = r;
	r->req.owner = g->c->ctrl;
	g->finding = true;
	kfk_broker_send(b, &r->req);
	kfk_broker_unref(b);
}

void kfk_cgrp_coord_dead(struct kfk_cgrp *g, const char *why)
{
	if (g->coord_id < 0)
		return;
	kfk_log(g->c->log, KFK_LOG_INFO, "COORD",
	        "group %s: coordinator %d lost: %s; finding it again",
	        g->group_id, (int)g->coord_id, why);
	g->coord_id = -1;
	if (g->coord)
		kfk_broker_unref(g->coord);
	g->coord = NULL;
	g->hb_in_flight = false;
	/* What was sent there may wait on a dead connection until its
	 * request times out: send it again to the next coordinator. */
	kfk_cgrp_jobs_abandon(g);
	if (g->state == KFK_CGRP_JOINING || g->state == KFK_CGRP_SYNCING) {
		g->join_seq++;
		kfk_cgrp_set_state(g, KFK_CGRP_UNJOINED);
	}
	kfk_cgrp_kick(g);
}

void kfk_cgrp_coord_check(struct kfk_cgrp *g)
{
	if (g->coord && kfk_broker_state(g->coord) == KFK_BROKER_DOWN)
		kfk_cgrp_coord_dead(g, "its connection is down");
}

bool kfk_cgrp_send(struct kfk_cgrp *g, struct kfk_req *r)
{
	/* A request queued on a broker that is down would wait for it to
	 * come back; the group looks for its coordinator elsewhere. */
	kfk_cgrp_coord_check(g);
	if (!g->coord)
		return false;
	r->owner = g->c->ctrl;
	kfk_broker_send(g->coord, r);
	return true;
}
