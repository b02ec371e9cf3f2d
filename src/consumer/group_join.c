/*
 * consumer/group_join.c: JoinGroup, the leader's assignment, SyncGroup.
 *
 * JoinGroup offers every assignor of partition.assignment.strategy with
 * this member's subscription (ConsumerProtocol, as the Java client writes
 * it: topics, owned partitions, generation, rack). A first join without a
 * member id is answered MEMBER_ID_REQUIRED with one (KIP-394), and the
 * member joins again with it at once. The coordinator picks one member as
 * leader and gives it every member's subscription: the leader makes sure
 * metadata knows each subscribed topic (waiting up to request.timeout.ms
 * for topics it has not seen), runs the chosen assignor and sends every
 * member's share in its SyncGroup; the others send an empty one and
 * receive theirs in the answer.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "client/conf.h"
#include "client/metadata.h"
#include "consumer/consumer_int.h"
#include "consumer/group.h"
#include "consumer/tplist.h"
#include "proto/api.h"
#include "proto/arena.h"
#include "proto/gen/api_keys.h"
#include "proto/gen/join_group.h"
#include "proto/gen/sync_group.h"
#include "util/time.h"

#define PROTOCOL_TYPE "consumer"

/* The leader's view of the group, kept while it waits for metadata. */
struct kfk_join_state {
	kfk_arena arena;
	struct kfk_asg_member *members;
	int member_cnt;
	const struct kfk_assignor *assignor;
};

void kfk_cgrp_join_state_free(struct kfk_join_state *js)
{
	int i;

	if (!js)
		return;
	for (i = 0; i < js->member_cnt; i++) {
		kfk_asg_tps_free(&js->members[i].owned);
		kfk_asg_tps_free(&js->members[i].assigned);
	}
	free(js->members);
	kfk_arena_destroy(&js->arena);
	free(js);
}

/* The owned partitions as the assignor's list (strings stay g's). */
static int owned_tps(struct kfk_cgrp *g, struct kfk_asg_tps *out)
{
	int i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < g->owned->cnt; i++)
		if (kfk_asg_tps_add(out, g->owned->v[i].topic,
		                    g->owned->v[i].partition))
			return -1;
	return 0;
}

/* Retries the join after the backoff. */
static void join_later(struct kfk_cgrp *g, kfk_err err)
{
	int64_t at = kfk_now_us() +
	             kfk_backoff_us(&g->backoff, ++g->join_failures);

	g->retry_at_us = at;
	kfk_cgrp_set_state(g, KFK_CGRP_UNJOINED);
	kfk_dbg(g->c->log, KFK_DBG_CGRP, "JOIN",
	        "group %s: join again in %lld ms after %s", g->group_id,
	        (long long)(at - kfk_now_us()) / 1000, kfk_err_name(err));
	kfk_cgrp_arm(g, at);
}

/* What every group request's failure means for the member; true when it
 * was one of these (handled). */
static bool common_error(struct kfk_cgrp *g, kfk_err err, const char *what)
{
	if (kfk_cgrp_coord_error(err)) {
		kfk_cgrp_coord_dead(g, kfk_err_name(err));
		kfk_cgrp_set_state(g, KFK_CGRP_UNJOINED);
		return true;
	}
	switch (err) {
	case KFK_ERR_COORDINATOR_LOAD_IN_PROGRESS:
	case KFK_ERR_REBALANCE_IN_PROGRESS:
		join_later(g, err);
		return true;
	case KFK_ERR_UNKNOWN_MEMBER_ID:
		kfk_cgrp_lost(g, what, true);
		return true;
	case KFK_ERR_ILLEGAL_GENERATION:
		kfk_cgrp_lost(g, what, false);
		return true;
	case KFK_ERR_FENCED_INSTANCE_ID:
		kfk_cgrp_set_state(g, KFK_CGRP_FATAL);
		kfk_cgrp_error(g, err,
		               "another member uses group.instance.id %s: this "
		               "one is fenced and stops consuming",
		               g->instance_id ? g->instance_id : "");
		return true;
	default:
		return false;
	}
}

/* ---- JoinGroup ----------------------------------------------------------- */

struct join_req {
	struct kfk_req req;
	struct kfk_cgrp *g;
	unsigned seq;
	/* What the encoder reads, copied: it runs on the coordinator
	 * broker's loop, the member changes on the control loop. */
	char *member_id;
	const char *why;
	int n;
	struct kfk_join_group_request_protocol protocols[4];
	uint8_t *meta[4];
};

static kfk_err jg_encode(struct kfk_req *req, kfk_wbuf *w, int16_t version)
{
	struct join_req *r = req->opaque;
	struct kfk_cgrp *g = r->g;
	struct kfk_join_group_request m;

	kfk_join_group_request_init(&m);
	m.group_id = kfk_str_c(g->group_id);
	m.session_timeout_ms = g->session_ms;
	m.rebalance_timeout_ms = g->poll_interval_ms;
	m.member_id = kfk_str_c(r->member_id);
	m.group_instance_id = kfk_str_c(g->instance_id);
	m.protocol_type = kfk_str_c(PROTOCOL_TYPE);
	m.protocols = r->protocols;
	m.protocols_count = r->n;
	m.reason = kfk_str_c(r->why);
	return (kfk_err)kfk_join_group_request_encode(w, version, &m);
}

static void join_req_free(struct join_req *r)
{
	int i;

	for (i = 0; i < r->n; i++)
		free(r->meta[i]);
	free(r->member_id);
	free(r);
}

static struct kfk_join_state *keep_members(struct kfk_cgrp *g,
                                           struct kfk_join_group_response *m);
static void sync_send(struct kfk_cgrp *g, struct kfk_bytes *assignments,
                      const char **members, int n);

static void jg_success(struct kfk_cgrp *g, struct kfk_join_group_response *m)
{
	char *mid = strndup(m->member_id.ptr ? m->member_id.ptr : "",
	                    (size_t)(m->member_id.len > 0 ? m->member_id.len : 0));
	char *proto = m->protocol_name.len > 0
	                      ? strndup(m->protocol_name.ptr,
	                                (size_t)m->protocol_name.len)
	                      : NULL;

	free(g->member_id);
	free(g->protocol);
	g->member_id = mid ? mid : strdup("");
	g->protocol = proto;
	g->generation = m->generation_id;
	g->join_failures = 0;
	g->leader = kfk_str_eq(m->leader, kfk_str_c(g->member_id));
	kfk_dbg(g->c->log, KFK_DBG_CGRP, "JOIN",
	        "group %s: joined generation %d as %s%s (%s)", g->group_id,
	        (int)g->generation, g->member_id, g->leader ? ", leader" : "",
	        g->protocol ? g->protocol : "?");
	if (g->leader && !m->skip_assignment) {
		kfk_cgrp_join_state_free(g->join);
		g->join = keep_members(g, m);
		if (!g->join) {
			join_later(g, KFK_ERR__NO_MEMORY);
			return;
		}
		g->assign_deadline_us =
			kfk_now_us() +
			kfk_conf_get_int(kfk_client_conf(g->c->client),
			                 "request.timeout.ms") * 1000;
		kfk_cgrp_set_state(g, KFK_CGRP_ASSIGNING);
		kfk_cgrp_assign_retry(g);
		return;
	}
	sync_send(g, NULL, NULL, 0);
}

static void jg_done(struct kfk_req *req, kfk_err err, kfk_rbuf *body,
                    int16_t version)
{
	struct join_req *r = req->opaque;
	struct kfk_cgrp *g = r->g;
	bool stale = r->seq != g->join_seq;
	struct kfk_join_group_response m;
	kfk_arena a;

	join_req_free(r);
	if (g->closed || stale || g->state != KFK_CGRP_JOINING)
		return;
	kfk_arena_init(&a);
	if (!err && kfk_join_group_response_decode(body, version, &a, &m))
		err = KFK_ERR__MALFORMED;
	if (!err)
		err = (kfk_err)m.error_code;
	if (err == KFK_ERR_MEMBER_ID_REQUIRED) {
		/* KIP-394: join again at once with the id given. */
		free(g->member_id);
		g->member_id = strndup(m.member_id.ptr ? m.member_id.ptr : "",
		                       (size_t)(m.member_id.len > 0
		                                        ? m.member_id.len : 0));
		kfk_cgrp_set_state(g, KFK_CGRP_UNJOINED);
	} else if (err == KFK_ERR_UNKNOWN_MEMBER_ID) {
		free(g->member_id);
		g->member_id = strdup("");
		kfk_cgrp_set_state(g, KFK_CGRP_UNJOINED);
	} else if (err && !common_error(g, err, "JoinGroup")) {
		kfk_cgrp_error(g, err, "JoinGroup failed: %s", kfk_err_str(err));
		join_later(g, err);
	} else if (!err) {
		jg_success(g, &m);
	}
	kfk_arena_destroy(&a);
	kfk_cgrp_run(g);
}

/* The subscription bytes for each assignor. */
static int jg_protocols(struct kfk_cgrp *g, struct join_req *r)
{
	struct kfk_asg_tps owned;
	int i, rc = 0;

	if (owned_tps(g, &owned))
		rc = -1;
	for (i = 0; !rc && i < g->assignor_cnt; i++) {
		size_t len = 0;

		r->meta[i] = kfk_asg_subscription_encode(
			g->assignors[i], (const char *const *)g->matched,
			g->matched_cnt, &owned, g->generation, g->rack, &len);
		if (!r->meta[i]) {
			rc = -1;
			break;
		}
		r->n++;
		r->protocols[i].name = kfk_str_c(g->assignors[i]->name);
		r->protocols[i].metadata.ptr = r->meta[i];
		r->protocols[i].metadata.len = (int32_t)len;
	}
	kfk_asg_tps_free(&owned);
	return rc;
}

void kfk_cgrp_join(struct kfk_cgrp *g)
{
	const struct kfk_proto_api *api =
		kfk_proto_api_get(KFK_APIKEY_JOIN_GROUP);
	struct join_req *r = calloc(1, sizeof(*r));

	if (!r || jg_protocols(g, r) || !(r->member_id = strdup(g->member_id))) {
		if (r)
			join_req_free(r);
		join_later(g, KFK_ERR__NO_MEMORY);
		return;
	}
	r->g = g;
	r->seq = ++g->join_seq;
	r->why = g->rejoin_why;
	r->req.api_key = KFK_APIKEY_JOIN_GROUP;
	/* v5 carries group.instance.id (static membership). */
	r->req.min_version = g->instance_id ? 5 : 1;
	r->req.max_version = api->max_stable;
	/* The coordinator holds a JoinGroup until every member has joined,
	 * up to the rebalance timeout. */
	r->req.timeout_ms = g->poll_interval_ms + 5000;
	r->req.encode = jg_encode;
	r->req.done = jg_done;
	r->req.opaque = r;
	kfk_cgrp_set_state(g, KFK_CGRP_JOINING);
	if (!kfk_cgrp_send(g, &r->req)) {
		join_req_free(r);
		kfk_cgrp_set_state(g, KFK_CGRP_UNJOINED);
	}
}

/* ---- the leader ------------------------------------------------------------ */

/* Copies a wire string into the arena as a C string. */
static const char *arena_str(kfk_arena *a, struct kfk_str s)
{
	char *p;

	if (s.len < 0)
		return NULL;
	p = kfk_arena_alloc(a, (size_t)s.len + 1);
	if (p) {
		memcpy(p, s.ptr, (size_t)s.len);
		p[s.len] = '\0';
	}
	return p;
}

/* The members and their subscriptions, kept in js's arena. */
static struct kfk_join_state *keep_members(struct kfk_cgrp *g,
                                           struct kfk_join_group_response *m)
{
	struct kfk_join_state *js = calloc(1, sizeof(*js));
	int i, n = m->members_count > 0 ? m->members_count : 0;

	if (!js)
		return NULL;
	kfk_arena_init(&js->arena);
	js->assignor = kfk_assignor_find(g->protocol ? g->protocol : "");
	js->members = calloc((size_t)n + 1, sizeof(*js->members));
	if (!js->assignor || !js->members)
		goto fail;
	for (i = 0; i < n; i++) {
		struct kfk_join_group_response_member *jm = &m->members[i];
		struct kfk_asg_member *am = &js->members[js->member_cnt];
		struct kfk_asg_subscription sub;

		if (kfk_asg_subscription_decode(jm->metadata.ptr,
		                                (size_t)jm->metadata.len,
		                                &js->arena, &sub)) {
			kfk_log(g->c->log, KFK_LOG_WARNING, "JOIN",
			        "group %s: member %.*s's subscription does not "
			        "decode: it gets nothing", g->group_id,
			        (int)jm->member_id.len, jm->member_id.ptr);
			memset(&sub, 0, sizeof(sub));
			sub.generation = -1;
		}
		am->member_id = arena_str(&js->arena, jm->member_id);
		am->instance_id = arena_str(&js->arena, jm->group_instance_id);
		am->rack = sub.rack;
		am->topics = sub.topics;
		am->topic_cnt = sub.topic_cnt;
		am->owned = sub.owned;
		am->generation = sub.generation;
		if (!am->member_id)
			goto fail;
		js->member_cnt++;
	}
	return js;
fail:
	kfk_cgrp_join_state_free(js);
	return NULL;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Every member's topics, sorted and unique, into g->group_topics. */
static int collect_topics(struct kfk_cgrp *g, struct kfk_join_state *js)
{
	int i, j, n = 0, cap = 0;
	char **v;

	for (i = 0; i < js->member_cnt; i++)
		cap += js->members[i].topic_cnt;
	v = calloc((size_t)cap + 1, sizeof(*v));
	if (!v)
		return -1;
	for (i = 0; i < js->member_cnt; i++)
		for (j = 0; j < js->members[i].topic_cnt; j++)
			if (!(v[n++] = strdup(js->members[i].topics[j])))
				n--;
	qsort(v, (size_t)n, sizeof(*v), str_cmp);
	for (i = j = 0; i < n; i++) {
		if (j && strcmp(v[j - 1], v[i]) == 0)
			free(v[i]);
		else
			v[j++] = v[i];
	}
	for (i = 0; i < g->group_topic_cnt; i++)
		free(g->group_topics[i]);
	free(g->group_topics);
	g->group_topics = v;
	g->group_topic_cnt = j;
	return 0;
}

/* The partition counts of the group's topics; false while metadata lacks
 * one (it is asked for). */
static bool topic_counts(struct kfk_cgrp *g, const struct kfk_metadata *md,
                         struct kfk_asg_topic *out, int *n)
{
	bool all = true;
	int i;

	*n = 0;
	for (i = 0; i < g->group_topic_cnt; i++) {
		const struct kfk_md_topic *t =
			kfk_metadata_topic(md, g->group_topics[i]);

		if (!t) {
			kfk_client_metadata_new_topic(g->c->client,
			                              g->group_topics[i]);
			all = false;
		} else if (!t->err && t->partition_cnt > 0) {
			out[*n].name = g->group_topics[i];
			out[(*n)++].partitions = t->partition_cnt;
		}
	}
	return all;
}

/* Runs the assignor and sends SyncGroup with every member's share. */
static void leader_assign(struct kfk_cgrp *g, struct kfk_join_state *js,
                          struct kfk_asg_topic *topics, int topic_cnt)
{
	struct kfk_asg_input in = { topics, topic_cnt, js->members,
	                            js->member_cnt };
	struct kfk_bytes *bytes = calloc((size_t)js->member_cnt + 1,
	                                 sizeof(*bytes));
	const char **ids = calloc((size_t)js->member_cnt + 1, sizeof(*ids));
	kfk_err err = bytes && ids ? js->assignor->assign(&in)
	                           : KFK_ERR__NO_MEMORY;
	int i;

	for (i = 0; !err && i < js->member_cnt; i++) {
		size_t len = 0;

		bytes[i].ptr = kfk_asg_assignment_encode(&js->members[i].assigned,
		                                         &len);
		bytes[i].len = (int32_t)len;
		ids[i] = js->members[i].member_id;
		if (!bytes[i].ptr)
			err = KFK_ERR__NO_MEMORY;
	}
	if (err)
		join_later(g, err);
	else
		sync_send(g, bytes, ids, js->member_cnt);
	for (i = 0; bytes && i < js->member_cnt; i++)
		free((void *)bytes[i].ptr);
	free(bytes);
	free(ids);
}

void kfk_cgrp_assign_retry(struct kfk_cgrp *g)
{
	struct kfk_join_state *js = g->join;
	struct kfk_metadata *md;
	struct kfk_asg_topic *topics;
	int n = 0;
	bool all;

	if (!js || collect_topics(g, js) ||
	    !(topics = calloc((size_t)g->group_topic_cnt + 1, sizeof(*topics)))) {
		join_later(g, KFK_ERR__NO_MEMORY);
		return;
	}
	md = kfk_client_metadata(g->c->client);
	all = topic_counts(g, md, topics, &n);
	if (all || kfk_now_us() >= g->assign_deadline_us) {
		g->md_sig = kfk_cgrp_md_signature(g, md);
		g->join = NULL;
		leader_assign(g, js, topics, n);
		kfk_cgrp_join_state_free(js);
	} else {
		kfk_cgrp_arm(g, g->assign_deadline_us);
	}
	kfk_metadata_unref(md);
	free(topics);
}

/* ---- SyncGroup ------------------------------------------------------------ */

struct sync_req {
	struct kfk_req req;
	struct kfk_cgrp *g;
	unsigned seq;
	int32_t generation;
	char *member_id, *protocol; /* copies: the encoder runs elsewhere */
	int n;                 /* entries of v, ids and bufs filled */
	struct kfk_sync_group_request_assignment *v;
	char **ids;
	uint8_t **bufs;
};

static void sync_req_free(struct sync_req *r)
{
	int i;

	for (i = 0; i < r->n; i++) {
		free(r->ids[i]);
		free(r->bufs[i]);
	}
	free(r->ids);
	free(r->bufs);
	free(r->v);
	free(r->member_id);
	free(r->protocol);
	free(r);
}

static kfk_err sg_encode(struct kfk_req *req, kfk_wbuf *w, int16_t version)
{
	struct sync_req *r = req->opaque;
	struct kfk_cgrp *g = r->g;
	struct kfk_sync_group_request m;

	kfk_sync_group_request_init(&m);
	m.group_id = kfk_str_c(g->group_id);
	m.generation_id = r->generation;
	m.member_id = kfk_str_c(r->member_id);
	m.group_instance_id = kfk_str_c(g->instance_id);
	m.protocol_type = kfk_str_c(PROTOCOL_TYPE);
	m.protocol_name = kfk_str_c(r->protocol);
	m.assignments = r->v;
	m.assignments_count = r->n;
	return (kfk_err)kfk_sync_group_request_encode(w, version, &m);
}

/* Copies the members' ids and assignments into r. */
static int sync_fill(struct sync_req *r, struct kfk_bytes *a,
                     const char **members, int n)
{
	int i;

	r->v = calloc((size_t)n + 1, sizeof(*r->v));
	r->ids = calloc((size_t)n + 1, sizeof(*r->ids));
	r->bufs = calloc((size_t)n + 1, sizeof(*r->bufs));
	if (!r->v || !r->ids || !r->bufs)
		return -1;
	for (i = 0; i < n; i++) {
		r->ids[i] = strdup(members[i]);
		r->bufs[i] = malloc((size_t)a[i].len + 1);
		r->n++;
		if (!r->ids[i] || !r->bufs[i])
			return -1;
		memcpy(r->bufs[i], a[i].ptr, (size_t)a[i].len);
		r->v[i].member_id = kfk_str_c(r->ids[i]);
		r->v[i].assignment.ptr = r->bufs[i];
		r->v[i].assignment.len = a[i].len;
	}
	return 0;
}

static void sg_done(struct kfk_req *req, kfk_err err, kfk_rbuf *body,
                    int16_t version);

static void sync_send(struct kfk_cgrp *g, struct kfk_bytes *assignments,
                      const char **members, int n)
{
	const struct kfk_proto_api *api =
		kfk_proto_api_get(KFK_APIKEY_SYNC_GROUP);
	struct sync_req *r = calloc(1, sizeof(*r));

	if (!r || sync_fill(r, assignments, members, n) ||
	    !(r->member_id = strdup(g->member_id)) ||
	    (g->protocol && !(r->protocol = strdup(g->protocol)))) {
		if (r)
			sync_req_free(r);
		join_later(g, KFK_ERR__NO_MEMORY);
		return;
	}
	r->g = g;
	r->seq = ++g->join_seq;
	r->generation = g->generation;
	r->req.api_key = KFK_APIKEY_SYNC_GROUP;
	r->req.min_version = g->instance_id ? 3 : 0;
	r->req.max_version = api->max_stable;
	r->req.timeout_ms = g->poll_interval_ms + 5000;
	r->req.encode = sg_encode;
	r->req.done = sg_done;
	r->req.opaque = r;
	kfk_cgrp_set_state(g, KFK_CGRP_SYNCING);
	if (!kfk_cgrp_send(g, &r->req)) {
		sync_req_free(r);
		kfk_cgrp_set_state(g, KFK_CGRP_UNJOINED);
	}
}

/* Entries of a not in b, as a new list; NULL on ENOMEM. */
static kfk_tplist *tplist_minus(const kfk_tplist *a, const kfk_tplist *b)
{
	kfk_tplist *out = kfk_tplist_new(a->cnt);
	int i;

	for (i = 0; out && i < a->cnt; i++)
		if (kfk_tplist_find(b, a->v[i].topic, a->v[i].partition) < 0 &&
		    kfk_tplist_add(out, a->v[i].topic, a->v[i].partition,
		                   KFK_OFFSET_INVALID) < 0) {
			kfk_tplist_destroy(out);
			return NULL;
		}
	return out;
}

/* The assignment received: revoke what was lost (cooperative), assign
 * what is new, through poll. */
static void apply_assignment(struct kfk_cgrp *g, kfk_tplist *now)
{
	kfk_tplist *revoked = tplist_minus(g->owned, now);
	kfk_tplist *added = tplist_minus(now, g->owned);
	int64_t t = kfk_now_us();

	if (!revoked || !added) {
		kfk_tplist_destroy(revoked);
		kfk_tplist_destroy(added);
		kfk_tplist_destroy(now);
		join_later(g, KFK_ERR__NO_MEMORY);
		return;
	}
	kfk_dbg(g->c->log, KFK_DBG_CGRP, "ASSIGN",
	        "group %s: generation %d: %d partitions (%d new, %d revoked)",
	        g->group_id, (int)g->generation, now->cnt, added->cnt,
	        revoked->cnt);
	kfk_tplist_destroy(g->owned);
	g->owned = now;
	kfk_cgrp_set_state(g, KFK_CGRP_STABLE);
	g->hb_at_us = t + (int64_t)g->heartbeat_ms * 1000;
	g->hb_ok_us = t;
	if (g->auto_commit_ms && !g->commit_at_us)
		g->commit_at_us = t + (int64_t)g->auto_commit_ms * 1000;
	if (revoked->cnt) {
		/* KIP-429: join again once the revocation is served, so
		 * the group can give those partitions out. */
		g->wait_seq = kfk_cgrp_push_rebalance(g, KFK_REBALANCE_REVOKED,
		                                      revoked);
		g->rejoin_after_serve = true;
	} else {
		kfk_tplist_destroy(revoked);
	}
	kfk_cgrp_push_rebalance(g, KFK_REBALANCE_ASSIGNED, added);
	kfk_cgrp_arm(g, g->hb_at_us);
}

/* The assignment bytes as a list. */
static kfk_tplist *decode_assignment(struct kfk_bytes b)
{
	struct kfk_asg_tps tps = { 0 };
	kfk_tplist *l = NULL;
	kfk_arena a;
	int i;

	kfk_arena_init(&a);
	if (kfk_asg_assignment_decode(b.ptr, b.len > 0 ? (size_t)b.len : 0, &a,
	                              &tps) == 0)
		l = kfk_tplist_new(tps.cnt);
	for (i = 0; l && i < tps.cnt; i++)
		if (kfk_tplist_add(l, tps.v[i].topic, tps.v[i].partition,
		                   KFK_OFFSET_INVALID) < 0) {
			kfk_tplist_destroy(l);
			l = NULL;
		}
	kfk_asg_tps_free(&tps);
	kfk_arena_destroy(&a);
	return l;
}

static void sg_done(struct kfk_req *req, kfk_err err, kfk_rbuf *body,
                    int16_t version)
{
	struct sync_req *r = req->opaque;
	struct kfk_cgrp *g = r->g;
	bool stale = r->seq != g->join_seq;
	struct kfk_sync_group_response m;
	kfk_tplist *now = NULL;
	kfk_arena a;

	sync_req_free(r);
	if (g->closed || stale || g->state != KFK_CGRP_SYNCING)
		return;
	kfk_arena_init(&a);
	if (!err && kfk_sync_group_response_decode(body, version, &a, &m))
		err = KFK_ERR__MALFORMED;
	if (!err)
		err = (kfk_err)m.error_code;
	if (!err && !(now = decode_assignment(m.assignment))) {
		kfk_cgrp_error(g, KFK_ERR__MALFORMED,
		               "the assignment received does not decode");
		err = KFK_ERR__MALFORMED;
	}
	if (!err)
		apply_assignment(g, now);
	else if (!common_error(g, err, "SyncGroup"))
		join_later(g, err);
	kfk_arena_destroy(&a);
	kfk_cgrp_run(g);
}
