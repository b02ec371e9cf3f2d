/*
 * admin/admin_group.c: consumer groups in the admin client.
 *
 * Listing asks every broker (ListGroups: each answers for the groups it
 * coordinates) and merges. Deleting runs FIND, then DeleteGroups to the
 * coordinator in the DESCRIBE stage. Describing runs a pipeline per group, all the
 * groups of an operation at once, on the control loop:
 *
 *   FIND      FindCoordinator (any broker)
 *   DESCRIBE  DescribeGroups, and with offsets OffsetFetch, to the
 *             coordinator (both out at once)
 *   LEADERS   with offsets: Metadata for the topics of the partitions
 *             committed or assigned, for their leaders
 *   ENDS      ListOffsets (latest) to each leader
 *   DONE
 *
 * A coordinator that moved or is loading sends the group back to FIND
 * after retry.backoff.ms; every other error ends the group with it. The
 * operation ends when every group has, at its deadline at the latest.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "admin/admin_int.h"
#include "consumer/assignor.h"
#include "proto/arena.h"
#include "proto/gen/api_keys.h"
#include "proto/gen/delete_groups.h"
#include "proto/gen/describe_groups.h"
#include "proto/gen/list_groups.h"
#include "proto/gen/list_offsets.h"
#include "proto/gen/metadata.h"
#include "proto/gen/offset_fetch.h"
#include "util/time.h"

enum { FIND, DESCRIBE, LEADERS, ENDS, DONE };

static char *str_dup(struct kfk_str s)
{
	return s.ptr && s.len >= 0 ? strndup(s.ptr, (size_t)s.len) : NULL;
}

static struct kfk_admin_group *group_of(struct kfk_admin_sub *s)
{
	return &s->o->res->groups[s->gi];
}

static void group_end(struct kfk_admin_group *g, kfk_err err,
                      struct kfk_str msg)
{
	g->err = err;
	free(g->errstr);
	g->errstr = err && msg.ptr && msg.len > 0 ? str_dup(msg) : NULL;
	g->stage = DONE;
	g->done = true;
}

/* The coordinator moved, is loading, or could not be reached: FIND again
 * after the backoff. */
static bool coordinator_error(kfk_err err)
{
	return err == KFK_ERR_NOT_COORDINATOR ||
	       err == KFK_ERR_COORDINATOR_NOT_AVAILABLE ||
	       err == KFK_ERR_COORDINATOR_LOAD_IN_PROGRESS ||
	       err == KFK_ERR__TRANSPORT || err == KFK_ERR__TIMED_OUT;
}

static void group_retry(struct kfk_admin_opx *o, struct kfk_admin_group *g)
{
	g->stage = FIND;
	g->retry = true;
	g->retry_at_us = kfk_now_us() + o->a->retry_backoff_us;
}

static void tick(struct kfk_timer *t, void *arg);

/* ---- FIND ------------------------------------------------------------------ */

/* The coordinator's host and port, from the client's metadata. */
static void coordinator_address(struct kfk_admin_opx *o,
                                struct kfk_admin_group *g)
{
	struct kfk_metadata *md = kfk_client_metadata(o->a->client);

	for (int i = 0; i < md->broker_cnt; i++)
		if (md->brokers[i].id == g->coordinator) {
			free(g->coord_host);
			g->coord_host = strdup(md->brokers[i].host);
			g->coord_port = md->brokers[i].port;
		}
	kfk_metadata_unref(md);
}

static void fc_done(struct kfk_admin_sub *s, kfk_err err, kfk_rbuf *body,
                    int16_t version)
{
	struct kfk_admin_group *g = group_of(s);
	char *msg;

	g->waits--;
	err = kfk_admin_fc_parse(err, body, version, &g->coordinator, &msg);
	if (!err) {
		g->stage = DESCRIBE;
		coordinator_address(s->o, g);
	}
	else if (coordinator_error(err))
		group_retry(s->o, g);
	else
		group_end(g, err, kfk_str_c(msg));
	free(msg);
	tick(NULL, s->o);
}

/* ---- DESCRIBE ------------------------------------------------------------------ */

static kfk_err dg_encode(struct kfk_req *req, kfk_wbuf *w, int16_t version)
{
	struct kfk_admin_sub *s = req->opaque;
	struct kfk_describe_groups_request m;
	struct kfk_str name = kfk_str_c(group_of(s)->name);

	kfk_describe_groups_request_init(&m);
	m.groups = &name;
	m.groups_count = 1;
	return (kfk_err)kfk_describe_groups_request_encode(w, version, &m);
}

/* A member's assignment bytes (consumer protocol) into its list. */
static void member_assignment(struct kfk_admin_member *mb,
                              const struct kfk_bytes *b)
{
	struct kfk_asg_tps tps = { 0 };
	kfk_arena ar;

	kfk_arena_init(&ar);
	if (b->len > 0 &&
	    !kfk_asg_assignment_decode(b->ptr, (size_t)b->len, &ar, &tps) &&
	    tps.cnt > 0 &&
	    (mb->assigned = calloc((size_t)tps.cnt, sizeof(*mb->assigned)))) {
		for (int i = 0; i < tps.cnt; i++) {
			mb->assigned[i].topic = strdup(tps.v[i].topic);
			mb->assigned[i].partition = tps.v[i].partition;
			mb->assigned[i].member = -1;
			mb->assigned_cnt++;
		}
	}
	kfk_asg_tps_free(&tps);
	kfk_arena_destroy(&ar);
}

static void dg_fill(struct kfk_admin_group *g,
                    const struct kfk_describe_groups_response_described_group *d)
{
	int n = d->members_count > 0 ? d->members_count : 0;
	bool consumer = d->protocol_type.len == 8 &&
	                !memcmp(d->protocol_type.ptr, "consumer", 8);

	g->state = str_dup(d->group_state);
	g->protocol_type = str_dup(d->protocol_type);
	g->protocol = str_dup(d->protocol_data);
	g->members = calloc((size_t)(n ? n : 1), sizeof(*g->members));
	for (int i = 0; g->members && i < n; i++) {
		const struct kfk_describe_groups_response_described_group_member
			*m = &d->members[i];
		struct kfk_admin_member *mb = &g->members[g->member_cnt++];

		mb->id = str_dup(m->member_id);
		mb->client_id = str_dup(m->client_id);
		mb->host = str_dup(m->client_host);
		mb->instance_id = str_dup(m->group_instance_id);
		if (consumer)
			member_assignment(mb, &m->member_assignment);
	}
}

static void after_describe(struct kfk_admin_opx *o, struct kfk_admin_group *g);

static void dg_done(struct kfk_admin_sub *s, kfk_err err, kfk_rbuf *body,
                    int16_t version)
{
	struct kfk_admin_group *g = group_of(s);
	struct kfk_describe_groups_response m;
	kfk_arena ar;

	g->waits--;
	kfk_arena_init(&ar);
	if (!err && (kfk_describe_groups_response_decode(body, version, &ar,
	                                                 &m) ||
	             m.groups_count != 1))
		err = KFK_ERR__MALFORMED;
	if (!err)
		err = (kfk_err)m.groups[0].error_code;
	if (g->done) {
		/* ended meanwhile (the offsets' answer) */
	} else if (coordinator_error(err)) {
		group_retry(s->o, g);
	} else if (err) {
		group_end(g, err, KFK_STR_NULL);
	} else if (!g->state) {
		dg_fill(g, &m.groups[0]);
	}
	kfk_arena_destroy(&ar);
	after_describe(s->o, g);
}

static kfk_err of_encode(struct kfk_req *req, kfk_wbuf *w, int16_t version)
{
	struct kfk_admin_sub *s = req->opaque;
	struct kfk_offset_fetch_request m;
	struct kfk_offset_fetch_request_group grp;

	kfk_offset_fetch_request_init(&m);
	if (version >= 8) {
		kfk_offset_fetch_request_group_init(&grp);
		grp.group_id = kfk_str_c(group_of(s)->name);
		grp.topics_count = -1; /* every partition committed */
		m.groups = &grp;
		m.groups_count = 1;
	} else {
		m.group_id = kfk_str_c(group_of(s)->name);
		m.topics_count = -1;
	}
	return (kfk_err)kfk_offset_fetch_request_encode(w, version, &m);
}

/* g's entry for topic / partition, or NULL. */
static struct kfk_admin_gpart *gpart_find(struct kfk_admin_group *g,
                                          struct kfk_str topic,
                                          int32_t partition)
{
	for (int i = 0; i < g->offset_cnt; i++)
		if (g->offsets[i].partition == partition &&
		    kfk_str_eq(topic, kfk_str_c(g->offsets[i].topic)))
			return &g->offsets[i];
	return NULL;
}

static int gpart_add(struct kfk_admin_group *g, struct kfk_str topic,
                     int32_t partition, int64_t committed)
{
	struct kfk_admin_gpart *v;

	v = realloc(g->offsets, (size_t)(g->offset_cnt + 1) * sizeof(*v));
	if (!v)
		return -1;
	g->offsets = v;
	v += g->offset_cnt;
	memset(v, 0, sizeof(*v));
	if (!(v->topic = str_dup(topic)))
		return -1;
	v->partition = partition;
	v->committed = committed;
	v->end = -1;
	v->member = -1;
	v->leader = -1;
	g->offset_cnt++;
	return 0;
}

/* The committed offsets of an answer into g: v8 nests them in groups, in
 * types of its own, hence two loops. */
static kfk_err of_topics_v8(struct kfk_admin_group *g,
                            const struct kfk_offset_fetch_response_topics *t,
                            int n)
{
	for (int i = 0; i < n; i++)
		for (int k = 0; k < t[i].partitions_count; k++)
			if (t[i].partitions[k].committed_offset >= 0 &&
			    gpart_add(g, t[i].name,
			              t[i].partitions[k].partition_index,
			              t[i].partitions[k].committed_offset))
				return KFK_ERR__NO_MEMORY;
	return KFK_ERR_NONE;
}

static kfk_err of_topics_v0(struct kfk_admin_group *g,
                            const struct kfk_offset_fetch_response_topic *t,
                            int n)
{
	for (int i = 0; i < n; i++)
		for (int k = 0; k < t[i].partitions_count; k++)
			if (t[i].partitions[k].committed_offset >= 0 &&
			    gpart_add(g, t[i].name,
			              t[i].partitions[k].partition_index,
			              t[i].partitions[k].committed_offset))
				return KFK_ERR__NO_MEMORY;
	return KFK_ERR_NONE;
}

static void of_done(struct kfk_admin_sub *s, kfk_err err, kfk_rbuf *body,
                    int16_t version)
{
	struct kfk_admin_group *g = group_of(s);
	struct kfk_offset_fetch_response m;
	kfk_arena ar;

	g->waits--;
	kfk_arena_init(&ar);
	if (!err && kfk_offset_fetch_response_decode(body, version, &ar, &m))
		err = KFK_ERR__MALFORMED;
	if (!err && version >= 8)
		err = m.groups_count == 1 ? (kfk_err)m.groups[0].error_code
		                          : KFK_ERR__MALFORMED;
	else if (!err)
		err = (kfk_err)m.error_code;
	if (g->done) {
		/* ended meanwhile */
	} else if (coordinator_error(err)) {
		group_retry(s->o, g);
	} else if (err) {
		group_end(g, err, KFK_STR_NULL);
	} else if (!g->offset_cnt) {
		err = version >= 8
		              ? of_topics_v8(g, m.groups[0].topics,
		                             m.groups[0].topics_count)
		              : of_topics_v0(g, m.topics, m.topics_count);
		if (err)
			group_end(g, err, KFK_STR_NULL);
	}
	kfk_arena_destroy(&ar);
	after_describe(s->o, g);
}

static int gp_cmp(const void *a, const void *b)
{
	const struct kfk_admin_gpart *x = a, *y = b;
	int c = strcmp(x->topic, y->topic);

	return c ? c : (x->partition > y->partition) -
	               (x->partition < y->partition);
}

/* The partitions assigned but never committed join the offsets; each
 * offset learns its member. */
static void merge_assigned(struct kfk_admin_group *g)
{
	for (int m = 0; m < g->member_cnt; m++)
		for (int j = 0; j < g->members[m].assigned_cnt; j++) {
			struct kfk_admin_gpart *a = &g->members[m].assigned[j];
			struct kfk_admin_gpart *gp =
				gpart_find(g, kfk_str_c(a->topic), a->partition);

			if (!gp) {
				if (gpart_add(g, kfk_str_c(a->topic), a->partition,
				              -1))
					return;
				gp = &g->offsets[g->offset_cnt - 1];
			}
			gp->member = m;
		}
	if (g->offset_cnt > 1)
		qsort(g->offsets, (size_t)g->offset_cnt, sizeof(*g->offsets),
		      gp_cmp);
}

/* Both answers in (or one failed): the next stage. */
static void after_describe(struct kfk_admin_opx *o, struct kfk_admin_group *g)
{
	if (!g->waits && !g->done && !g->retry) {
		if (o->res->with_offsets) {
			merge_assigned(g);
			g->stage = g->offset_cnt ? LEADERS : DONE;
			g->done = !g->offset_cnt;
		} else {
			g->stage = DONE;
			g->done = true;
		}
	}
	tick(NULL, o);
}

/* ---- DeleteGroups (in the DESCRIBE stage of a deletion) ------------------- */

static kfk_err del_encode(struct kfk_req *req, kfk_wbuf *w, int16_t version)
{
	struct kfk_admin_sub *s = req->opaque;
	struct kfk_delete_groups_request m;
	struct kfk_str name = kfk_str_c(group_of(s)->name);

	kfk_delete_groups_request_init(&m);
	m.groups_names = &name;
	m.groups_names_count = 1;
	return (kfk_err)kfk_delete_groups_request_encode(w, version, &m);
}

static void del_done(struct kfk_admin_sub *s, kfk_err err, kfk_rbuf *body,
                     int16_t version)
{
	struct kfk_admin_group *g = group_of(s);
	struct kfk_delete_groups_response m;
	kfk_arena ar;

	g->waits--;
	kfk_arena_init(&ar);
	if (!err && (kfk_delete_groups_response_decode(body, version, &ar, &m) ||
	             m.results_count != 1))
		err = KFK_ERR__MALFORMED;
	if (!err)
		err = (kfk_err)m.results[0].error_code;
	if (coordinator_error(err))
		group_retry(s->o, g);
	else
		group_end(g, err, KFK_STR_NULL);
	kfk_arena_destroy(&ar);
	tick(NULL, s->o);
}

/* ---- LEADERS, ENDS ---------------------------------------------------------------- */

static kfk_err md_encode(struct kfk_req *req, kfk_wbuf *w, int16_t version)
{
	struct kfk_admin_sub *s = req->opaque;
	struct kfk_admin_group *g = group_of(s);
	struct kfk_metadata_request m;
	struct kfk_metadata_request_topic *t;
	int n = 0;
	kfk_err err;

	if (!(t = calloc((size_t)g->offset_cnt, sizeof(*t))))
		return KFK_ERR__NO_MEMORY;
	kfk_metadata_request_init(&m);
	for (int i = 0; i < g->offset_cnt; i++) {
		if (n && !strcmp(t[n - 1].name.ptr, g->offsets[i].topic))
			continue; /* sorted: a topic's partitions are together */
		kfk_metadata_request_topic_init(&t[n]);
		t[n++].name = kfk_str_c(g->offsets[i].topic);
	}
	m.topics = t;
	m.topics_count = n;
	m.allow_auto_topic_creation = false;
	err = (kfk_err)kfk_metadata_request_encode(w, version, &m);
	free(t);
	return err;
}

static void md_done(struct kfk_admin_sub *s, kfk_err err, kfk_rbuf *body,
                    int16_t version)
{
	struct kfk_admin_group *g = group_of(s);
	struct kfk_metadata_response m;
	kfk_arena ar;

	g->waits--;
	kfk_arena_init(&ar);
	if (!err && kfk_metadata_response_decode(body, version, &ar, &m))
		err = KFK_ERR__MALFORMED;
	for (int t = 0; !err && t < m.topics_count; t++)
		for (int p = 0; p < m.topics[t].partitions_count; p++) {
			struct kfk_admin_gpart *gp = gpart_find(
				g, m.topics[t].name,
				m.topics[t].partitions[p].partition_index);

			if (gp)
				gp->leader = m.topics[t].partitions[p].leader_id;
		}
	kfk_arena_destroy(&ar);
	if (err && (err == KFK_ERR__TRANSPORT || err == KFK_ERR__TIMED_OUT)) {
		g->retry = true; /* LEADERS again after the backoff */
		g->retry_at_us = kfk_now_us() + s->o->a->retry_backoff_us;
	} else {
		g->stage = ENDS; /* without leaders: ends unknown (-1) */
	}
	tick(NULL, s->o);
}

static kfk_err lo_encode(struct kfk_req *req, kfk_wbuf *w, int16_t version)
{
	struct kfk_admin_sub *s = req->opaque;
	struct kfk_admin_group *g = group_of(s);
	struct kfk_list_offsets_request m;
	struct kfk_list_offsets_request_topic *t;
	struct kfk_list_offsets_request_partition *pv;
	int nt = 0, np = 0;
	kfk_err err;

	t = calloc((size_t)g->offset_cnt, sizeof(*t));
	pv = calloc((size_t)g->offset_cnt, sizeof(*pv));
	if (!t || !pv) {
		free(t);
		free(pv);
		return KFK_ERR__NO_MEMORY;
	}
	kfk_list_offsets_request_init(&m);
	m.replica_id = -1;
	for (int i = 0; i < g->offset_cnt; i++) {
		if (g->offsets[i].leader != s->node)
			continue;
		if (!nt || strcmp(t[nt - 1].name.ptr, g->offsets[i].topic)) {
			kfk_list_offsets_request_topic_init(&t[nt]);
			t[nt].name = kfk_str_c(g->offsets[i].topic);
			t[nt].partitions = &pv[np];
			nt++;
		}
		kfk_list_offsets_request_partition_init(&pv[np]);
		pv[np].partition_index = g->offsets[i].partition;
		pv[np].timestamp = -1; /* latest */
		pv[np].max_num_offsets = 1;
		np++;
		t[nt - 1].partitions_count++;
	}
	m.topics = t;
	m.topics_count = nt;
	err = (kfk_err)kfk_list_offsets_request_encode(w, version, &m);
	free(t);
	free(pv);
	return err;
}

static void lo_done(struct kfk_admin_sub *s, kfk_err err, kfk_rbuf *body,
                    int16_t version)
{
	struct kfk_admin_group *g = group_of(s);
	struct kfk_list_offsets_response m;
	kfk_arena ar;

	g->waits--;
	kfk_arena_init(&ar);
	if (!err && kfk_list_offsets_response_decode(body, version, &ar, &m))
		err = KFK_ERR__MALFORMED;
	for (int t = 0; !err && t < m.topics_count; t++)
		for (int p = 0; p < m.topics[t].partitions_count; p++) {
			const struct kfk_list_offsets_response_partition_response
				*pr = &m.topics[t].partitions[p];
			struct kfk_admin_gpart *gp = gpart_find(
				g, m.topics[t].name, pr->partition_index);

			if (gp && !pr->error_code)
				gp->end = pr->offset;
		}
	kfk_arena_destroy(&ar);
	if (!g->waits) {
		g->stage = DONE;
		g->done = true;
	}
	tick(NULL, s->o);
}

/* One ListOffsets per leader of g's partitions. */
static void send_ends(struct kfk_admin_opx *o, int gi)
{
	struct kfk_admin_group *g = &o->res->groups[gi];

	for (int i = 0; i < g->offset_cnt; i++) {
		int32_t leader = g->offsets[i].leader;
		bool seen = leader < 0;

		for (int k = 0; k < i && !seen; k++)
			seen = g->offsets[k].leader == leader;
		if (!seen && kfk_admin_sub_send(o, leader,
		                                KFK_APIKEY_LIST_OFFSETS, 1,
		                                lo_encode, lo_done, gi, NULL))
			g->waits++;
	}
	if (!g->waits) {
		g->stage = DONE;
		g->done = true;
	}
}

/* ---- driving ------------------------------------------------------------------------- */

/* Sends what group gi's stage needs; false when no broker could be had
 * (then again after the backoff). */
static bool group_step(struct kfk_admin_opx *o, int gi)
{
	struct kfk_admin_group *g = &o->res->groups[gi];
	bool ok = true;

	g->retry = false;
	switch (g->stage) {
	case FIND:
		ok = kfk_admin_sub_send(o, -1, KFK_APIKEY_FIND_COORDINATOR, 1,
		                        kfk_admin_fc_encode, fc_done, gi,
		                        g->name);
		g->waits += ok;
		break;
	case DESCRIBE:
		if (o->res->op == KFK_ADMIN_DELETE_GROUPS) {
			ok = kfk_admin_sub_send(o, g->coordinator,
			                        KFK_APIKEY_DELETE_GROUPS, 0,
			                        del_encode, del_done, gi, NULL);
			g->waits += ok;
			break;
		}
		ok = kfk_admin_sub_send(o, g->coordinator,
		                        KFK_APIKEY_DESCRIBE_GROUPS, 0, dg_encode,
		                        dg_done, gi, NULL);
		g->waits += ok;
		if (ok && o->res->with_offsets) {
			ok = kfk_admin_sub_send(o, g->coordinator,
			                        KFK_APIKEY_OFFSET_FETCH, 2,
			                        of_encode, of_done, gi, NULL);
			g->waits += ok;
		}
		break;
	case LEADERS:
		ok = kfk_admin_sub_send(o, -1, KFK_APIKEY_METADATA, 4,
		                        md_encode, md_done, gi, NULL);
		g->waits += ok;
		break;
	case ENDS:
		send_ends(o, gi);
		break;
	default:
		break;
	}
	return ok;
}

/* Moves every group on; ends the operation once all are done. Called on
 * the retry timer and after every answer. */
static void tick(struct kfk_timer *t, void *arg)
{
	struct kfk_admin_opx *o = arg;
	int64_t now = kfk_now_us(), next = o->deadline_us;
	bool all = true;

	(void)t;
	for (int i = 0; i < o->res->group_cnt; i++) {
		struct kfk_admin_group *g = &o->res->groups[i];

		if (g->done || g->waits)
			goto next;
		if (now >= o->deadline_us) {
			group_end(g, KFK_ERR__TIMED_OUT, KFK_STR_NULL);
			goto next;
		}
		if (g->retry && g->retry_at_us > now) {
			next = g->retry_at_us < next ? g->retry_at_us : next;
		} else if (!group_step(o, i)) {
			g->retry = true;
			g->retry_at_us = now + o->a->retry_backoff_us;
			next = g->retry_at_us < next ? g->retry_at_us : next;
		}
next:
		all = all && g->done;
	}
	if (all && !o->subs_out) {
		kfk_loop_timer_cancel(o->a->ctrl, &o->retry);
		kfk_admin_finish(o, KFK_ERR_NONE);
		return;
	}
	kfk_loop_timer_arm(o->a->ctrl, &o->retry, next);
}

static void describe_start(struct kfk_admin_opx *o)
{
	tick(NULL, o);
}

const struct kfk_admin_kind kfk_admin_describe_groups_kind = {
	KFK_APIKEY_DESCRIBE_GROUPS, 0, false, NULL, NULL, describe_start, tick
};

/* An operation on groups names[0..cnt): describe or delete. */
static kfk_err groups_op(kfk_admin *a, kfk_admin_op op,
                         const char *const *names, int cnt, bool offsets,
                         const kfk_admin_options *opts, uint64_t *id)
{
	struct kfk_admin_opx *o;
	kfk_err err = KFK_ERR_NONE;

	if (!a || !names || cnt <= 0)
		return KFK_ERR__INVALID_ARG;
	if (!(o = kfk_admin_op_new(a, &kfk_admin_describe_groups_kind, op, 0,
	                           opts)))
		return KFK_ERR__INVALID_ARG;
	o->res->with_offsets = offsets;
	if (!(o->res->groups = calloc((size_t)cnt, sizeof(*o->res->groups))))
		err = KFK_ERR__NO_MEMORY;
	for (int i = 0; !err && i < cnt; i++) {
		struct kfk_admin_group *g = &o->res->groups[o->res->group_cnt++];

		g->coordinator = -1;
		if (!names[i] || !*names[i])
			err = KFK_ERR__INVALID_ARG;
		else if (!(g->name = strdup(names[i])))
			err = KFK_ERR__NO_MEMORY;
	}
	return kfk_admin_op_go(o, err, id);
}

KFK_API kfk_err kfk_admin_describe_groups(kfk_admin *a,
                                          const char *const *names, int cnt,
                                          bool offsets,
                                          const kfk_admin_options *opts,
                                          uint64_t *id)
{
	return groups_op(a, KFK_ADMIN_DESCRIBE_GROUPS, names, cnt, offsets,
	                 opts, id);
}

KFK_API kfk_err kfk_admin_delete_groups(kfk_admin *a, const char *const *names,
                                        int cnt, const kfk_admin_options *opts,
                                        uint64_t *id)
{
	return groups_op(a, KFK_ADMIN_DELETE_GROUPS, names, cnt, false, opts,
	                 id);
}

/* ---- ListGroups ------------------------------------------------------------------------ */

static kfk_err lg_encode(struct kfk_req *req, kfk_wbuf *w, int16_t version)
{
	struct kfk_list_groups_request m;

	(void)req;
	kfk_list_groups_request_init(&m);
	return (kfk_err)kfk_list_groups_request_encode(w, version, &m);
}

static bool listed(const struct kfk_admin_result *r, struct kfk_str name)
{
	for (int i = 0; i < r->group_cnt; i++)
		if (kfk_str_eq(name, kfk_str_c(r->groups[i].name)))
			return true;
	return false;
}

static int lg_cmp(const void *a, const void *b)
{
	return strcmp(((const struct kfk_admin_group *)a)->name,
	              ((const struct kfk_admin_group *)b)->name);
}

static void lg_tick(struct kfk_timer *t, void *arg)
{
	struct kfk_admin_opx *o = arg;
	struct kfk_admin_result *r = o->res;

	(void)t;
	if (o->subs_out)
		return;
	if (r->group_cnt > 1)
		qsort(r->groups, (size_t)r->group_cnt, sizeof(*r->groups), lg_cmp);
	kfk_loop_timer_cancel(o->a->ctrl, &o->retry);
	kfk_admin_finish(o, r->err);
}

static void lg_done(struct kfk_admin_sub *s, kfk_err err, kfk_rbuf *body,
                    int16_t version)
{
	struct kfk_admin_result *r = s->o->res;
	struct kfk_list_groups_response m;
	kfk_arena ar;

	kfk_arena_init(&ar);
	if (!err && kfk_list_groups_response_decode(body, version, &ar, &m))
		err = KFK_ERR__MALFORMED;
	if (!err)
		err = (kfk_err)m.error_code;
	for (int i = 0; !err && i < m.groups_count; i++) {
		struct kfk_admin_group *v, *g;

		if (listed(r, m.groups[i].group_id))
			continue;
		v = realloc(r->groups, (size_t)(r->group_cnt + 1) * sizeof(*v));
		if (!v)
			break;
		r->groups = v;
		g = &v[r->group_cnt++];
		memset(g, 0, sizeof(*g));
		g->name = str_dup(m.groups[i].group_id);
		g->protocol_type = str_dup(m.groups[i].protocol_type);
		g->state = str_dup(m.groups[i].group_state);
		g->coordinator = s->node;
		g->done = true;
	}
	/* A broker that cannot answer makes the list incomplete: said. */
	if (err && !r->err)
		r->err = err;
	kfk_arena_destroy(&ar);
	lg_tick(NULL, s->o);
}

static void lg_start(struct kfk_admin_opx *o)
{
	struct kfk_metadata *md = kfk_client_metadata(o->a->client);

	for (int i = 0; i < md->broker_cnt; i++)
		if (!kfk_admin_sub_send(o, md->brokers[i].id,
		                        KFK_APIKEY_LIST_GROUPS, 0, lg_encode,
		                        lg_done, 0, NULL))
			o->res->err = KFK_ERR__TRANSPORT;
	kfk_metadata_unref(md);
	lg_tick(NULL, o);
}

static void lg_tick_cb(struct kfk_timer *t, void *arg)
{
	lg_tick(t, arg);
}

const struct kfk_admin_kind kfk_admin_list_groups_kind = {
	KFK_APIKEY_LIST_GROUPS, 0, false, NULL, NULL, lg_start, lg_tick_cb
};

KFK_API kfk_err kfk_admin_list_groups(kfk_admin *a,
                                      const kfk_admin_options *opts,
                                      uint64_t *id)
{
	struct kfk_admin_opx *o;

	if (!a)
		return KFK_ERR__INVALID_ARG;
	if (!(o = kfk_admin_op_new(a, &kfk_admin_list_groups_kind,
	                           KFK_ADMIN_LIST_GROUPS, 0, opts)))
		return KFK_ERR__INVALID_ARG;
	return kfk_admin_op_go(o, KFK_ERR_NONE, id);
}
