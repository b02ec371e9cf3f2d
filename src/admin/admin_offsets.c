/*
 * admin/admin_offsets.c: partitions' offsets (by time, earliest, latest)
 * and a group's committed offsets set by the admin client (what
 * kafka-consumer-groups --reset-offsets runs on).
 *
 * list_offsets: Metadata for the partitions' leaders, then one ListOffsets
 * per leader, all out at once; a leader that moved (NOT_LEADER, a lost
 * connection) makes the operation ask Metadata again after the backoff,
 * for the partitions still open, until the deadline.
 * alter_group_offsets: FindCoordinator, then OffsetCommit with no
 * member (generation -1), as the Java admin client does; a coordinator
 * that moved or is loading sends it back to FindCoordinator.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "admin/admin_int.h"
#include "consumer/tplist.h"
#include "proto/arena.h"
#include "proto/gen/api_keys.h"
#include "proto/gen/list_offsets.h"
#include "proto/gen/metadata.h"
#include "proto/gen/offset_commit.h"
#include "util/time.h"

enum { META, LIST, FIND, COMMIT, DONE };

/* An entry still open: no answer yet; what it says if none comes. */
#define OPEN KFK_ERR__TIMED_OUT

static bool passes(kfk_err err)
{
	return err == KFK_ERR_NOT_LEADER_OR_FOLLOWER ||
	       err == KFK_ERR_LEADER_NOT_AVAILABLE ||
	       err == KFK_ERR_FENCED_LEADER_EPOCH ||
	       err == KFK_ERR_UNKNOWN_LEADER_EPOCH ||
	       err == KFK_ERR_NOT_COORDINATOR ||
	       err == KFK_ERR_COORDINATOR_NOT_AVAILABLE ||
	       err == KFK_ERR_COORDINATOR_LOAD_IN_PROGRESS ||
	       err == KFK_ERR__TRANSPORT || err == KFK_ERR__TIMED_OUT;
}

static int tp_cmp(const void *a, const void *b)
{
	const struct kfk_tp *x = a, *y = b;
	int c = strcmp(x->topic, y->topic);

	return c ? c : (x->partition > y->partition) -
	               (x->partition < y->partition);
}

static void tick(struct kfk_timer *t, void *arg);

/* The entry of l for topic / partition (the answer's names are not
 * NUL-terminated), or -1. */
static int find_entry(const kfk_tplist *l, struct kfk_str topic,
                      int32_t partition)
{
	for (int i = 0; i < l->cnt; i++)
		if (l->v[i].partition == partition &&
		    kfk_str_eq(topic, kfk_str_c(l->v[i].topic)))
			return i;
	return -1;
}

/* Again after the backoff (from Metadata or FindCoordinator). */
static void later(struct kfk_admin_opx *o, int stage)
{
	o->res->stage = stage;
	kfk_loop_timer_arm(o->a->ctrl, &o->retry,
	                   kfk_now_us() + o->a->retry_backoff_us);
}

/* Every entry answered, or time is up: the result goes. */
static void maybe_finish(struct kfk_admin_opx *o)
{
	kfk_tplist *l = o->res->offsets;
	bool open = false;

	if (o->subs_out)
		return;
	for (int i = 0; i < l->cnt; i++)
		open = open || l->v[i].err == OPEN;
	if (open && kfk_now_us() < o->deadline_us) {
		/* Nothing out for them: at the deadline at the latest. */
		if (!kfk_timer_armed(&o->retry))
			kfk_loop_timer_arm(o->a->ctrl, &o->retry, o->deadline_us);
		return;
	}
	kfk_loop_timer_cancel(o->a->ctrl, &o->retry);
	kfk_admin_finish(o, KFK_ERR_NONE);
}

/* ---- list_offsets ------------------------------------------------------------ */

static kfk_err md_encode(struct kfk_req *req, kfk_wbuf *w, int16_t version)
{
	struct kfk_admin_sub *s = req->opaque;
	kfk_tplist *l = s->o->res->offsets;
	struct kfk_metadata_request m;
	struct kfk_metadata_request_topic *t = calloc((size_t)l->cnt, sizeof(*t));
	int n = 0;
	kfk_err err;

	if (!t)
		return KFK_ERR__NO_MEMORY;
	kfk_metadata_request_init(&m);
	for (int i = 0; i < l->cnt; i++) {
		if (l->v[i].err != OPEN ||
		    (n && !strcmp(t[n - 1].name.ptr, l->v[i].topic)))
			continue;
		kfk_metadata_request_topic_init(&t[n]);
		t[n++].name = kfk_str_c(l->v[i].topic);
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
	struct kfk_admin_opx *o = s->o;
	kfk_tplist *l = o->res->offsets;
	struct kfk_metadata_response m;
	kfk_arena ar;

	kfk_arena_init(&ar);
	if (!err && kfk_metadata_response_decode(body, version, &ar, &m))
		err = KFK_ERR__MALFORMED;
	for (int i = 0; i < l->cnt; i++)
		o->res->leaders[i] = -1;
	for (int t = 0; !err && t < m.topics_count; t++) {
		const struct kfk_metadata_response_topic *mt = &m.topics[t];

		for (int i = 0; i < l->cnt; i++) {
			if (l->v[i].err != OPEN ||
			    !kfk_str_eq(mt->name, kfk_str_c(l->v[i].topic)))
				continue;
			if (mt->error_code && !passes((kfk_err)mt->error_code))
				l->v[i].err = (kfk_err)mt->error_code;
			for (int p = 0; p < mt->partitions_count; p++)
				if (mt->partitions[p].partition_index ==
				    l->v[i].partition)
					o->res->leaders[i] =
						mt->partitions[p].leader_id;
		}
	}
	kfk_arena_destroy(&ar);
	/* What metadata does not know (and says no more): no such
	 * partition. */
	for (int i = 0; !err && i < l->cnt; i++)
		if (l->v[i].err == OPEN && o->res->leaders[i] < 0)
			l->v[i].err = KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION;
	if (err)
		later(o, META);
	else
		o->res->stage = LIST;
	tick(NULL, o);
}

static kfk_err lo_encode(struct kfk_req *req, kfk_wbuf *w, int16_t version)
{
	struct kfk_admin_sub *s = req->opaque;
	kfk_tplist *l = s->o->res->offsets;
	struct kfk_list_offsets_request m;
	struct kfk_list_offsets_request_topic *t = calloc((size_t)l->cnt,
	                                                  sizeof(*t));
	struct kfk_list_offsets_request_partition *pv = calloc((size_t)l->cnt,
	                                                       sizeof(*pv));
	int nt = 0, np = 0;
	kfk_err err;

	if (!t || !pv) {
		free(t);
		free(pv);
		return KFK_ERR__NO_MEMORY;
	}
	kfk_list_offsets_request_init(&m);
	m.replica_id = -1;
	for (int i = 0; i < l->cnt; i++) {
		if (l->v[i].err != OPEN || s->o->res->leaders[i] != s->node)
			continue;
		if (!nt || strcmp(t[nt - 1].name.ptr, l->v[i].topic)) {
			kfk_list_offsets_request_topic_init(&t[nt]);
			t[nt].name = kfk_str_c(l->v[i].topic);
			t[nt].partitions = &pv[np];
			nt++;
		}
		kfk_list_offsets_request_partition_init(&pv[np]);
		pv[np].partition_index = l->v[i].partition;
		pv[np].timestamp = s->o->res->asks[i];
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
	struct kfk_admin_opx *o = s->o;
	kfk_tplist *l = o->res->offsets;
	struct kfk_list_offsets_response m;
	bool again = false;
	kfk_arena ar;

	kfk_arena_init(&ar);
	if (!err && kfk_list_offsets_response_decode(body, version, &ar, &m))
		err = KFK_ERR__MALFORMED;
	for (int t = 0; !err && t < m.topics_count; t++)
		for (int p = 0; p < m.topics[t].partitions_count; p++) {
			const struct kfk_list_offsets_response_partition_response
				*pr = &m.topics[t].partitions[p];
			int i = find_entry(l, m.topics[t].name,
			                   pr->partition_index);

			if (i < 0 || l->v[i].err != OPEN)
				continue;
			if (passes((kfk_err)pr->error_code)) {
				again = true;
				continue;
			}
			l->v[i].err = (kfk_err)pr->error_code;
			l->v[i].offset = pr->error_code ? -1 : pr->offset;
			l->v[i].leader_epoch = pr->leader_epoch;
		}
	kfk_arena_destroy(&ar);
	for (int i = 0; !err && i < l->cnt; i++) /* left out: ask again */
		again = again || (l->v[i].err == OPEN &&
		                  o->res->leaders[i] == s->node);
	if (err && !passes(err)) {
		for (int i = 0; i < l->cnt; i++)
			if (l->v[i].err == OPEN && o->res->leaders[i] == s->node)
				l->v[i].err = err;
	} else if (err || again) {
		later(o, META);
	}
	tick(NULL, o);
}

/* ---- alter_group_offsets --------------------------------------------------------- */

static void fc_done(struct kfk_admin_sub *s, kfk_err err, kfk_rbuf *body,
                    int16_t version)
{
	struct kfk_admin_opx *o = s->o;
	char *msg;

	err = kfk_admin_fc_parse(err, body, version, &o->res->coordinator,
	                         &msg);
	free(msg);
	if (!err) {
		o->res->stage = COMMIT;
	} else if (passes(err)) {
		later(o, FIND);
	} else {
		o->res->stage = DONE;
		for (int i = 0; i < o->res->offsets->cnt; i++)
			o->res->offsets->v[i].err = err;
	}
	tick(NULL, o);
}

static kfk_err oc_encode(struct kfk_req *req, kfk_wbuf *w, int16_t version)
{
	struct kfk_admin_sub *s = req->opaque;
	kfk_tplist *l = s->o->res->offsets;
	struct kfk_offset_commit_request m;
	struct kfk_offset_commit_request_topic *t = calloc((size_t)l->cnt,
	                                                   sizeof(*t));
	struct kfk_offset_commit_request_partition *pv =
		calloc((size_t)l->cnt, sizeof(*pv));
	int nt = 0, np = 0;
	kfk_err err;

	if (!t || !pv) {
		free(t);
		free(pv);
		return KFK_ERR__NO_MEMORY;
	}
	kfk_offset_commit_request_init(&m);
	m.group_id = kfk_str_c(s->o->res->group);
	m.generation_id_or_member_epoch = -1; /* no member: the admin's */
	m.member_id = kfk_str_c("");
	for (int i = 0; i < l->cnt; i++) {
		if (l->v[i].err != OPEN)
			continue;
		if (!nt || strcmp(t[nt - 1].name.ptr, l->v[i].topic)) {
			kfk_offset_commit_request_topic_init(&t[nt]);
			t[nt].name = kfk_str_c(l->v[i].topic);
			t[nt].partitions = &pv[np];
			nt++;
		}
		kfk_offset_commit_request_partition_init(&pv[np]);
		pv[np].partition_index = l->v[i].partition;
		pv[np].committed_offset = l->v[i].offset;
		pv[np].committed_leader_epoch = l->v[i].leader_epoch;
		pv[np].committed_metadata = kfk_str_c(l->v[i].metadata
		                                              ? l->v[i].metadata
		                                              : "");
		np++;
		t[nt - 1].partitions_count++;
	}
	m.topics = t;
	m.topics_count = nt;
	err = (kfk_err)kfk_offset_commit_request_encode(w, version, &m);
	free(t);
	free(pv);
	return err;
}

static void oc_done(struct kfk_admin_sub *s, kfk_err err, kfk_rbuf *body,
                    int16_t version)
{
	struct kfk_admin_opx *o = s->o;
	kfk_tplist *l = o->res->offsets;
	struct kfk_offset_commit_response m;
	bool again = false;
	kfk_arena ar;

	kfk_arena_init(&ar);
	if (!err && kfk_offset_commit_response_decode(body, version, &ar, &m))
		err = KFK_ERR__MALFORMED;
	for (int t = 0; !err && t < m.topics_count; t++)
		for (int p = 0; p < m.topics[t].partitions_count; p++) {
			int16_t e = m.topics[t].partitions[p].error_code;
			int i = find_entry(
				l, m.topics[t].name,
				m.topics[t].partitions[p].partition_index);

			if (i < 0 || l->v[i].err != OPEN)
				continue;
			if (passes((kfk_err)e))
				again = true;
			else
				l->v[i].err = (kfk_err)e;
		}
	kfk_arena_destroy(&ar);
	for (int i = 0; !err && i < l->cnt; i++) /* left out: again */
		again = again || l->v[i].err == OPEN;
	if (err && !passes(err)) {
		for (int i = 0; i < l->cnt; i++)
			if (l->v[i].err == OPEN)
				l->v[i].err = err;
	} else if (err || again) {
		later(o, FIND);
	}
	tick(NULL, o);
}

/* ---- driving ----------------------------------------------------------------------- */

/* One ListOffsets per leader of the entries open. */
static void send_lists(struct kfk_admin_opx *o)
{
	kfk_tplist *l = o->res->offsets;

	for (int i = 0; i < l->cnt; i++) {
		int32_t leader = o->res->leaders[i];
		bool seen = l->v[i].err != OPEN || leader < 0;

		for (int k = 0; k < i && !seen; k++)
			seen = l->v[k].err == OPEN && o->res->leaders[k] == leader;
		if (!seen && !kfk_admin_sub_send(o, leader,
		                                 KFK_APIKEY_LIST_OFFSETS, 1,
		                                 lo_encode, lo_done, 0, NULL)) {
			later(o, META);
			return;
		}
	}
}

static void tick(struct kfk_timer *t, void *arg)
{
	struct kfk_admin_opx *o = arg;
	struct kfk_admin_result *r = o->res;
	bool sent = true;

	if (o->subs_out || (!t && kfk_timer_armed(&o->retry))) {
		maybe_finish(o);
		return; /* answers to come, or waiting out a backoff */
	}
	if (kfk_now_us() < o->deadline_us) {
		switch (r->stage) {
		case META:
			sent = kfk_admin_sub_send(o, -1, KFK_APIKEY_METADATA, 4,
			                          md_encode, md_done, 0, NULL);
			break;
		case LIST:
			r->stage = DONE;
			send_lists(o);
			break;
		case FIND:
			sent = kfk_admin_sub_send(o, -1,
			                          KFK_APIKEY_FIND_COORDINATOR, 1,
			                          kfk_admin_fc_encode, fc_done, 0,
			                          r->group);
			break;
		case COMMIT:
			r->stage = DONE;
			sent = kfk_admin_sub_send(o, r->coordinator,
			                          KFK_APIKEY_OFFSET_COMMIT, 2,
			                          oc_encode, oc_done, 0, NULL);
			if (!sent)
				r->stage = FIND;
			break;
		default:
			break;
		}
	}
	if (!sent)
		later(o, r->stage);
	if (!o->subs_out && !kfk_timer_armed(&o->retry))
		maybe_finish(o);
	else if (!o->subs_out)
		kfk_loop_timer_arm(o->a->ctrl, &o->retry,
		                   kfk_now_us() + o->a->retry_backoff_us <
		                                   o->deadline_us
		                           ? kfk_now_us() + o->a->retry_backoff_us
		                           : o->deadline_us);
}

static void start(struct kfk_admin_opx *o)
{
	tick(&o->retry, o);
}

const struct kfk_admin_kind kfk_admin_list_offsets_kind = {
	KFK_APIKEY_LIST_OFFSETS, 1, false, NULL, NULL, start, tick
};

const struct kfk_admin_kind kfk_admin_alter_offsets_kind = {
	KFK_APIKEY_OFFSET_COMMIT, 2, false, NULL, NULL, start, tick
};

/* The operation's copy of l, entries open and sorted by topic (requests
 * name a topic's partitions together). */
static kfk_err take_list(struct kfk_admin_opx *o, const kfk_tplist *l)
{
	kfk_tplist *c = kfk_tplist_copy(l);

	if (!c)
		return KFK_ERR__NO_MEMORY;
	o->res->offsets = c;
	if (c->cnt > 1)
		qsort(c->v, (size_t)c->cnt, sizeof(*c->v), tp_cmp);
	for (int i = 0; i < c->cnt; i++)
		if (!c->v[i].topic || !*c->v[i].topic || c->v[i].partition < 0)
			return KFK_ERR__INVALID_ARG;
	return KFK_ERR_NONE;
}

KFK_API kfk_err kfk_admin_list_offsets(kfk_admin *a, const kfk_tplist *l,
                                       const kfk_admin_options *opts,
                                       uint64_t *id)
{
	struct kfk_admin_opx *o;
	kfk_err err;

	if (!a || !l || kfk_tplist_count(l) <= 0)
		return KFK_ERR__INVALID_ARG;
	if (!(o = kfk_admin_op_new(a, &kfk_admin_list_offsets_kind,
	                           KFK_ADMIN_LIST_OFFSETS, 0, opts)))
		return KFK_ERR__INVALID_ARG;
	err = take_list(o, l);
	if (!err && (!(o->res->leaders = calloc((size_t)l->cnt,
	                                         sizeof(*o->res->leaders))) ||
	             !(o->res->asks = calloc((size_t)l->cnt,
	                                      sizeof(*o->res->asks)))))
		err = KFK_ERR__NO_MEMORY;
	for (int i = 0; !err && i < o->res->offsets->cnt; i++) {
		struct kfk_tp *e = &o->res->offsets->v[i];

		if (e->offset < KFK_OFFSET_BEGINNING)
			err = KFK_ERR__INVALID_ARG;
		o->res->asks[i] = e->offset; /* -2, -1 or a time */
		e->offset = -1;
		e->err = OPEN;
	}
	o->res->stage = META;
	return kfk_admin_op_go(o, err, id);
}

KFK_API kfk_err kfk_admin_alter_group_offsets(kfk_admin *a, const char *group,
                                              const kfk_tplist *l,
                                              const kfk_admin_options *opts,
                                              uint64_t *id)
{
	struct kfk_admin_opx *o;
	kfk_err err;

	if (!a || !group || !*group || !l || kfk_tplist_count(l) <= 0)
		return KFK_ERR__INVALID_ARG;
	if (!(o = kfk_admin_op_new(a, &kfk_admin_alter_offsets_kind,
	                           KFK_ADMIN_ALTER_GROUP_OFFSETS, 0, opts)))
		return KFK_ERR__INVALID_ARG;
	err = take_list(o, l);
	if (!err && !(o->res->group = strdup(group)))
		err = KFK_ERR__NO_MEMORY;
	for (int i = 0; !err && i < o->res->offsets->cnt; i++) {
		if (o->res->offsets->v[i].offset < 0)
			err = KFK_ERR__INVALID_ARG;
		o->res->offsets->v[i].err = OPEN;
	}
	o->res->stage = FIND;
	o->res->coordinator = -1;
	return kfk_admin_op_go(o, err, id);
}
