/*
 * admin/admin_offsets.c: the two pipelines of operations on a list of
 * partitions, and the requests of two of them: partitions' offsets (by
 * time, earliest, latest) and a group's committed offsets set by the admin
 * client (what kafka-consumer-groups --reset-offsets runs on).
 *
 * By leader (list_offsets, delete_records): Metadata for the partitions'
 * leaders, then one request per leader, all out at once; a leader that
 * moved (NOT_LEADER, a lost connection) makes the operation ask Metadata
 * again after the backoff, for the partitions still open, until the
 * deadline.
 * By coordinator (alter_group_offsets, delete_group_offsets):
 * FindCoordinator, then the request to it (OffsetCommit with no member,
 * generation -1, as the Java admin client does); a coordinator that moved
 * or is loading sends it back to FindCoordinator.
 * Delete records and delete group offsets have their requests in
 * admin_offsets_del.c.
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

#define OPEN KFK_ADMIN_OPEN

bool kfk_admin_offsets_passes(kfk_err err)
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

static bool passes(kfk_err err)
{
	return kfk_admin_offsets_passes(err);
}

int kfk_admin_offsets_find(const kfk_tplist *l, struct kfk_str topic,
                           int32_t partition)
{
	for (int i = 0; i < l->cnt; i++)
		if (l->v[i].partition == partition &&
		    kfk_str_eq(topic, kfk_str_c(l->v[i].topic)))
			return i;
	return -1;
}

int kfk_admin_offsets_answer(kfk_tplist *l, struct kfk_str topic,
                             int32_t partition, int16_t code, bool *again)
{
	int i = kfk_admin_offsets_find(l, topic, partition);

	if (i < 0 || l->v[i].err != OPEN)
		return -1;
	if (passes((kfk_err)code)) {
		*again = true;
		return -1;
	}
	l->v[i].err = (kfk_err)code;
	return i;
}

/* Whether entry i is what a request of s (to its leader, or to the group's
 * coordinator: every entry open) is about. */
static bool concerns(const struct kfk_admin_sub *s, int i)
{
	const struct kfk_admin_result *r = s->o->res;

	return r->offsets->v[i].err == OPEN &&
	       (!r->leaders || r->leaders[i] == s->node);
}

kfk_err kfk_admin_offsets_asked(const struct kfk_admin_sub *s,
                                struct kfk_admin_asked *a, size_t tsize,
                                size_t psize)
{
	const kfk_tplist *l = s->o->res->offsets;

	a->n = a->nt = 0;
	a->idx = malloc((size_t)(l->cnt + 1) * sizeof(*a->idx));
	a->start = malloc((size_t)(l->cnt + 1) * sizeof(*a->start));
	a->topics = calloc((size_t)l->cnt + 1, tsize);
	a->parts = calloc((size_t)l->cnt + 1, psize);
	if (!a->idx || !a->start || !a->topics || !a->parts) {
		kfk_admin_asked_free(a);
		return KFK_ERR__NO_MEMORY;
	}
	for (int i = 0; i < l->cnt; i++) { /* l is sorted by topic */
		if (!concerns(s, i))
			continue;
		if (!a->n || strcmp(l->v[a->idx[a->n - 1]].topic, l->v[i].topic))
			a->start[a->nt++] = a->n;
		a->idx[a->n++] = i;
	}
	a->start[a->nt] = a->n;
	return KFK_ERR_NONE;
}

void kfk_admin_asked_free(struct kfk_admin_asked *a)
{
	free(a->idx);
	free(a->start);
	free(a->topics);
	free(a->parts);
	a->idx = a->start = NULL;
	a->topics = a->parts = NULL;
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
	const kfk_tplist *l = s->o->res->offsets;
	struct kfk_list_offsets_request m;
	struct kfk_list_offsets_request_topic *t;
	struct kfk_list_offsets_request_partition *pv;
	struct kfk_admin_asked a;
	kfk_err err;

	if ((err = kfk_admin_offsets_asked(s, &a, sizeof(*t), sizeof(*pv))))
		return err;
	t = a.topics;
	pv = a.parts;
	kfk_list_offsets_request_init(&m);
	m.replica_id = -1;
	for (int k = 0; k < a.nt; k++) {
		kfk_list_offsets_request_topic_init(&t[k]);
		t[k].name = kfk_str_c(l->v[a.idx[a.start[k]]].topic);
		t[k].partitions = &pv[a.start[k]];
		t[k].partitions_count = a.start[k + 1] - a.start[k];
		for (int j = a.start[k]; j < a.start[k + 1]; j++) {
			kfk_list_offsets_request_partition_init(&pv[j]);
			pv[j].partition_index = l->v[a.idx[j]].partition;
			pv[j].timestamp = s->o->res->asks[a.idx[j]];
			pv[j].max_num_offsets = 1;
		}
	}
	m.topics = t;
	m.topics_count = a.nt;
	err = (kfk_err)kfk_list_offsets_request_encode(w, version, &m);
	kfk_admin_asked_free(&a);
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
			int i = kfk_admin_offsets_answer(l, m.topics[t].name,
			                                 pr->partition_index,
			                                 pr->error_code, &again);

			if (i < 0)
				continue;
			l->v[i].offset = pr->error_code ? -1 : pr->offset;
			l->v[i].leader_epoch = pr->leader_epoch;
		}
	kfk_arena_destroy(&ar);
	kfk_admin_offsets_settle(s, err, again);
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
	const kfk_tplist *l = s->o->res->offsets;
	struct kfk_offset_commit_request m;
	struct kfk_offset_commit_request_topic *t;
	struct kfk_offset_commit_request_partition *pv;
	struct kfk_admin_asked a;
	kfk_err err;

	if ((err = kfk_admin_offsets_asked(s, &a, sizeof(*t), sizeof(*pv))))
		return err;
	t = a.topics;
	pv = a.parts;
	kfk_offset_commit_request_init(&m);
	m.group_id = kfk_str_c(s->o->res->group);
	m.generation_id_or_member_epoch = -1; /* no member: the admin's */
	m.member_id = kfk_str_c("");
	for (int k = 0; k < a.nt; k++) {
		kfk_offset_commit_request_topic_init(&t[k]);
		t[k].name = kfk_str_c(l->v[a.idx[a.start[k]]].topic);
		t[k].partitions = &pv[a.start[k]];
		t[k].partitions_count = a.start[k + 1] - a.start[k];
		for (int j = a.start[k]; j < a.start[k + 1]; j++) {
			const struct kfk_tp *e = &l->v[a.idx[j]];

			kfk_offset_commit_request_partition_init(&pv[j]);
			pv[j].partition_index = e->partition;
			pv[j].committed_offset = e->offset;
			pv[j].committed_leader_epoch = e->leader_epoch;
			pv[j].committed_metadata =
				kfk_str_c(e->metadata ? e->metadata : "");
		}
	}
	m.topics = t;
	m.topics_count = a.nt;
	err = (kfk_err)kfk_offset_commit_request_encode(w, version, &m);
	kfk_admin_asked_free(&a);
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
		for (int p = 0; p < m.topics[t].partitions_count; p++)
			(void)kfk_admin_offsets_answer(
				l, m.topics[t].name,
				m.topics[t].partitions[p].partition_index,
				m.topics[t].partitions[p].error_code, &again);
	kfk_arena_destroy(&ar);
	kfk_admin_offsets_settle(s, err, again);
}

/* ---- driving ----------------------------------------------------------------------- */

void kfk_admin_offsets_settle(struct kfk_admin_sub *s, kfk_err err, bool again)
{
	struct kfk_admin_opx *o = s->o;
	kfk_tplist *l = o->res->offsets;

	for (int i = 0; !err && i < l->cnt; i++) /* left out: ask again */
		again = again || concerns(s, i);
	if (err && !passes(err)) {
		for (int i = 0; i < l->cnt; i++)
			if (concerns(s, i))
				l->v[i].err = err;
	} else if (err || again) {
		later(o, o->res->leaders ? META : FIND);
	}
	tick(NULL, o);
}

/* The request an operation sends to each leader (by_leader) or to the
 * group's coordinator. */
struct part_req {
	int16_t api, min_version;
	kfk_req_encode_fn *encode;
	kfk_admin_sub_fn *done;
};

static struct part_req part_req(const struct kfk_admin_opx *o)
{
	switch (o->res->op) {
	case KFK_ADMIN_DELETE_RECORDS:
		return (struct part_req){ KFK_APIKEY_DELETE_RECORDS, 0,
		                          kfk_admin_dr_encode, kfk_admin_dr_done };
	case KFK_ADMIN_DESCRIBE_PRODUCERS:
		return (struct part_req){ KFK_APIKEY_DESCRIBE_PRODUCERS, 0,
		                          kfk_admin_dp_encode, kfk_admin_dp_done };
	case KFK_ADMIN_DELETE_GROUP_OFFSETS:
		return (struct part_req){ KFK_APIKEY_OFFSET_DELETE, 0,
		                          kfk_admin_od_encode, kfk_admin_od_done };
	case KFK_ADMIN_ALTER_GROUP_OFFSETS:
		return (struct part_req){ KFK_APIKEY_OFFSET_COMMIT, 2,
		                          oc_encode, oc_done };
	default:
		return (struct part_req){ KFK_APIKEY_LIST_OFFSETS, 1,
		                          lo_encode, lo_done };
	}
}

/* One ListOffsets per leader of the entries open. */
static void send_lists(struct kfk_admin_opx *o)
{
	kfk_tplist *l = o->res->offsets;
	struct part_req pr = part_req(o);

	for (int i = 0; i < l->cnt; i++) {
		int32_t leader = o->res->leaders[i];
		bool seen = l->v[i].err != OPEN || leader < 0;

		for (int k = 0; k < i && !seen; k++)
			seen = l->v[k].err == OPEN && o->res->leaders[k] == leader;
		if (!seen && !kfk_admin_sub_send(o, leader, pr.api,
		                                 pr.min_version, pr.encode,
		                                 pr.done, 0, NULL)) {
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
			                          part_req(o).api,
			                          part_req(o).min_version,
			                          part_req(o).encode,
			                          part_req(o).done, 0, NULL);
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

kfk_err kfk_admin_offsets_take(struct kfk_admin_opx *o, const kfk_tplist *l)
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

/* A by-leader operation (list_offsets, delete_records) on l, each entry
 * open and asking what its offset says; NULL out of memory. */
static kfk_err by_leader_new(kfk_admin *a, kfk_admin_op op,
                             const kfk_tplist *l,
                             const kfk_admin_options *opts,
                             struct kfk_admin_opx **op_out)
{
	struct kfk_admin_opx *o;
	kfk_err err;

	if (!(o = kfk_admin_op_new(a, &kfk_admin_list_offsets_kind, op, 0,
	                           opts)))
		return KFK_ERR__INVALID_ARG;
	*op_out = o;
	err = kfk_admin_offsets_take(o, l);
	if (!err && (!(o->res->leaders = calloc((size_t)l->cnt,
	                                         sizeof(*o->res->leaders))) ||
	             !(o->res->asks = calloc((size_t)l->cnt,
	                                      sizeof(*o->res->asks)))))
		return KFK_ERR__NO_MEMORY;
	for (int i = 0; !err && i < o->res->offsets->cnt; i++) {
		struct kfk_tp *e = &o->res->offsets->v[i];

		o->res->asks[i] = e->offset;
		e->offset = -1;
		e->err = OPEN;
	}
	o->res->stage = META;
	return err;
}

KFK_API kfk_err kfk_admin_list_offsets(kfk_admin *a, const kfk_tplist *l,
                                       const kfk_admin_options *opts,
                                       uint64_t *id)
{
	struct kfk_admin_opx *o = NULL;
	kfk_err err;

	if (!a || !l || kfk_tplist_count(l) <= 0)
		return KFK_ERR__INVALID_ARG;
	err = by_leader_new(a, KFK_ADMIN_LIST_OFFSETS, l, opts, &o);
	if (!o)
		return err;
	for (int i = 0; !err && i < o->res->offsets->cnt; i++)
		if (o->res->asks[i] < KFK_OFFSET_BEGINNING) /* -2, -1, a time */
			err = KFK_ERR__INVALID_ARG;
	return kfk_admin_op_go(o, err, id);
}

KFK_API kfk_err kfk_admin_delete_records(kfk_admin *a, const kfk_tplist *l,
                                         const kfk_admin_options *opts,
                                         uint64_t *id)
{
	struct kfk_admin_opx *o = NULL;
	kfk_err err;

	if (!a || !l || kfk_tplist_count(l) <= 0)
		return KFK_ERR__INVALID_ARG;
	err = by_leader_new(a, KFK_ADMIN_DELETE_RECORDS, l, opts, &o);
	if (!o)
		return err;
	for (int i = 0; !err && i < o->res->offsets->cnt; i++)
		if (o->res->asks[i] < KFK_OFFSET_END) /* -1: the end */
			err = KFK_ERR__INVALID_ARG;
	return kfk_admin_op_go(o, err, id);
}

KFK_API kfk_err kfk_admin_describe_producers(kfk_admin *a,
                                             const kfk_tplist *l,
                                             const kfk_admin_options *opts,
                                             uint64_t *id)
{
	struct kfk_admin_opx *o = NULL;
	kfk_err err;

	if (!a || !l || kfk_tplist_count(l) <= 0)
		return KFK_ERR__INVALID_ARG;
	err = by_leader_new(a, KFK_ADMIN_DESCRIBE_PRODUCERS, l, opts, &o);
	return o ? kfk_admin_op_go(o, err, id) : err;
}

/* A by-coordinator operation on group's entries of l. */
static kfk_err by_coordinator_new(kfk_admin *a, kfk_admin_op op,
                                  const char *group, const kfk_tplist *l,
                                  const kfk_admin_options *opts,
                                  struct kfk_admin_opx **op_out)
{
	struct kfk_admin_opx *o;
	kfk_err err;

	if (!(o = kfk_admin_op_new(a, &kfk_admin_alter_offsets_kind, op, 0,
	                           opts)))
		return KFK_ERR__INVALID_ARG;
	*op_out = o;
	err = kfk_admin_offsets_take(o, l);
	if (!err && !(o->res->group = strdup(group)))
		err = KFK_ERR__NO_MEMORY;
	for (int i = 0; !err && i < o->res->offsets->cnt; i++) {
		struct kfk_tp *e = &o->res->offsets->v[i];

		/* A commit needs an offset; a delete ignores it. */
		if (op == KFK_ADMIN_ALTER_GROUP_OFFSETS && e->offset < 0)
			err = KFK_ERR__INVALID_ARG;
		if (op == KFK_ADMIN_DELETE_GROUP_OFFSETS)
			e->offset = -1;
		e->err = OPEN;
	}
	o->res->stage = FIND;
	o->res->coordinator = -1;
	return err;
}

KFK_API kfk_err kfk_admin_alter_group_offsets(kfk_admin *a, const char *group,
                                              const kfk_tplist *l,
                                              const kfk_admin_options *opts,
                                              uint64_t *id)
{
	struct kfk_admin_opx *o = NULL;
	kfk_err err;

	if (!a || !group || !*group || !l || kfk_tplist_count(l) <= 0)
		return KFK_ERR__INVALID_ARG;
	err = by_coordinator_new(a, KFK_ADMIN_ALTER_GROUP_OFFSETS, group, l,
	                         opts, &o);
	return o ? kfk_admin_op_go(o, err, id) : err;
}

KFK_API kfk_err kfk_admin_delete_group_offsets(kfk_admin *a,
                                               const char *group,
                                               const kfk_tplist *l,
                                               const kfk_admin_options *opts,
                                               uint64_t *id)
{
	struct kfk_admin_opx *o = NULL;
	kfk_err err;

	if (!a || !group || !*group || !l || kfk_tplist_count(l) <= 0)
		return KFK_ERR__INVALID_ARG;
	err = by_coordinator_new(a, KFK_ADMIN_DELETE_GROUP_OFFSETS, group, l,
	                         opts, &o);
	return o ? kfk_admin_op_go(o, err, id) : err;
}
