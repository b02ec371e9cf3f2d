/*
 * consumer/group_commit.c: the group's offsets on its coordinator:
 * OffsetCommit (synchronous, asynchronous, automatic) and OffsetFetch
 * (committed(), and the committed offsets assigned partitions start from).
 *
 * Each is a job on the control loop: queued until the coordinator is
 * known, then one request. A synchronous job retries what may pass
 * (coordinator moved or loading, time-outs, UNSTABLE_OFFSET_COMMIT) until
 * its deadline, as the Java client's commitSync does; an asynchronous
 * commit is not retried (a later commit supersedes it) and its outcome
 * goes to poll. A commit refused because the member is no longer in the
 * generation (UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION) also makes the member
 * rejoin.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "consumer/consumer_int.h"
#include "consumer/group.h"
#include "consumer/tplist.h"
#include "proto/api.h"
#include "proto/arena.h"
#include "proto/gen/api_keys.h"
#include "proto/gen/offset_commit.h"
#include "proto/gen/offset_fetch.h"
#include "util/time.h"
#include "util/waiter.h"

enum job_kind { JOB_COMMIT, JOB_FETCH };

struct kfk_cjob {
	struct kfk_cjob *next;        /* the waiting list, or in flight */
	unsigned attempt;             /* +1 per request sent: an answer to
	                               * an older one is dropped */
	bool in_flight;
	struct kfk_cgrp *g;
	enum job_kind kind;
	kfk_tplist *l;            /* offsets to commit / partitions to fetch,
	                           * sorted by topic; outcomes written in */
	int64_t deadline_us;
	int64_t retry_at_us;
	bool retry;               /* retry what may pass until the deadline */
	bool require_stable;
	kfk_err err;              /* the request's own error */
	void (*complete)(struct kfk_cjob *j);
	/* synchronous: the waiter and the job are freed by the last of
	 * the two */
	atomic_int refs;
	struct kfk_waiter wait;
	kfk_commit_cb *cb;        /* asynchronous commit */
	void *opaque;
	/* snapshot of the membership at send */
	char *member_id;
	int32_t generation;
};

static void job_free(struct kfk_cjob *j)
{
	kfk_tplist_destroy(j->l);
	free(j->member_id);
	free(j);
}

static void job_unref(struct kfk_cjob *j)
{
	if (atomic_fetch_sub(&j->refs, 1) != 1)
		return;
	kfk_waiter_destroy(&j->wait);
	job_free(j);
}

static int tp_cmp(const void *a, const void *b)
{
	const struct kfk_tp *x = a, *y = b;
	int c = strcmp(x->topic, y->topic);

	return c ? c : (x->partition > y->partition) -
	               (x->partition < y->partition);
}

static struct kfk_cjob *job_new(struct kfk_cgrp *g, enum job_kind kind,
                                kfk_tplist *l, int timeout_ms)
{
	struct kfk_cjob *j = calloc(1, sizeof(*j));

	if (!j) {
		kfk_tplist_destroy(l);
		return NULL;
	}
	j->g = g;
	j->kind = kind;
	j->l = l;
	j->deadline_us = kfk_now_us() + (int64_t)timeout_ms * 1000;
	j->generation = -1;
	atomic_init(&j->refs, 1);
	kfk_waiter_init(&j->wait);
	if (l->cnt > 1)
		qsort(l->v, (size_t)l->cnt, sizeof(*l->v), tp_cmp);
	return j;
}

/* ---- requests ----------------------------------------------------------- */

struct job_req {
	struct kfk_req req;
	struct kfk_cjob *j;           /* a reference */
	unsigned attempt;
};

/* Topics of the (sorted) list: the first index of each, and how many. */
static int topic_runs(const kfk_tplist *l, int *first, int *cnt)
{
	int i, n = 0;

	for (i = 0; i < l->cnt; i++) {
		if (!n || strcmp(l->v[i].topic, l->v[first[n - 1]].topic)) {
			first[n] = i;
			cnt[n++] = 0;
		}
		cnt[n - 1]++;
	}
	return n;
}

static kfk_err oc_encode(struct kfk_req *req, kfk_wbuf *w, int16_t version)
{
	struct kfk_cjob *j = ((struct job_req *)req->opaque)->j;
	struct kfk_cgrp *g = j->g;
	const kfk_tplist *l = j->l;
	struct kfk_offset_commit_request m;
	struct kfk_offset_commit_request_topic *t = calloc((size_t)l->cnt + 1,
	                                                   sizeof(*t));
	struct kfk_offset_commit_request_partition *p =
		calloc((size_t)l->cnt + 1, sizeof(*p));
	int *first = calloc((size_t)l->cnt + 1, sizeof(int) * 2);
	int i, k, n;
	kfk_err err = KFK_ERR__NO_MEMORY;

	if (t && p && first) {
		n = topic_runs(l, first, first + l->cnt);
		kfk_offset_commit_request_init(&m);
		m.group_id = kfk_str_c(g->group_id);
		m.generation_id_or_member_epoch = j->generation;
		m.member_id = kfk_str_c(j->member_id);
		m.group_instance_id = kfk_str_c(g->instance_id);
		for (i = 0; i < l->cnt; i++) {
			kfk_offset_commit_request_partition_init(&p[i]);
			p[i].partition_index = l->v[i].partition;
			p[i].committed_offset = l->v[i].offset;
			if (version >= 6)
				p[i].committed_leader_epoch = l->v[i].leader_epoch;
			p[i].committed_metadata = kfk_str_c(l->v[i].metadata
			                                    ? l->v[i].metadata : "");
		}
		for (k = 0; k < n; k++) {
			kfk_offset_commit_request_topic_init(&t[k]);
			t[k].name = kfk_str_c(l->v[first[k]].topic);
			t[k].partitions = &p[first[k]];
			t[k].partitions_count = first[l->cnt + k];
		}
		m.topics = t;
		m.topics_count = n;
		err = (kfk_err)kfk_offset_commit_request_encode(w, version, &m);
	}
	free(t);
	free(p);
	free(first);
	return err;
}

static kfk_err of_encode(struct kfk_req *req, kfk_wbuf *w, int16_t version)
{
	struct kfk_cjob *j = ((struct job_req *)req->opaque)->j;
	const kfk_tplist *l = j->l;
	struct kfk_offset_fetch_request m;
	struct kfk_offset_fetch_request_group grp;
	struct kfk_offset_fetch_request_topic *t = calloc((size_t)l->cnt + 1,
	                                                  sizeof(*t));
	struct kfk_offset_fetch_request_topics *t8 =
		calloc((size_t)l->cnt + 1, sizeof(*t8));
	int32_t *parts = calloc((size_t)l->cnt + 1, sizeof(*parts));
	int *first = calloc((size_t)l->cnt + 1, sizeof(int) * 2);
	int i, k, n;
	kfk_err err = KFK_ERR__NO_MEMORY;

	if (t && t8 && parts && first) {
		n = topic_runs(l, first, first + l->cnt);
		for (i = 0; i < l->cnt; i++)
			parts[i] = l->v[i].partition;
		kfk_offset_fetch_request_init(&m);
		kfk_offset_fetch_request_group_init(&grp);
		for (k = 0; k < n; k++) {
			kfk_offset_fetch_request_topic_init(&t[k]);
			kfk_offset_fetch_request_topics_init(&t8[k]);
			t[k].name = t8[k].name = kfk_str_c(l->v[first[k]].topic);
			t[k].partition_indexes = t8[k].partition_indexes =
				&parts[first[k]];
			t[k].partition_indexes_count =
				t8[k].partition_indexes_count = first[l->cnt + k];
		}
		m.require_stable = version >= 7 && j->require_stable;
		if (version >= 8) {
			grp.group_id = kfk_str_c(j->g->group_id);
			grp.topics = t8;
			grp.topics_count = n;
			m.groups = &grp;
			m.groups_count = 1;
		} else {
			m.group_id = kfk_str_c(j->g->group_id);
			m.topics = t;
			m.topics_count = n;
		}
		err = (kfk_err)kfk_offset_fetch_request_encode(w, version, &m);
	}
	free(t);
	free(t8);
	free(parts);
	free(first);
	return err;
}

static struct kfk_tp *find_tp(kfk_tplist *l, struct kfk_str topic,
                              int32_t partition)
{
	int i;

	for (i = 0; i < l->cnt; i++)
		if (l->v[i].partition == partition &&
		    kfk_str_eq(topic, kfk_str_c(l->v[i].topic)))
			return &l->v[i];
	return NULL;
}

static void oc_parse(struct kfk_cjob *j, kfk_rbuf *body, int16_t version)
{
	struct kfk_offset_commit_response m;
	kfk_arena a;
	int t, p;

	kfk_arena_init(&a);
	if (kfk_offset_commit_response_decode(body, version, &a, &m)) {
		j->err = KFK_ERR__MALFORMED;
	} else {
		for (t = 0; t < m.topics_count; t++)
			for (p = 0; p < m.topics[t].partitions_count; p++) {
				struct kfk_offset_commit_response_partition *r =
					&m.topics[t].partitions[p];
				struct kfk_tp *e = find_tp(j->l, m.topics[t].name,
				                           r->partition_index);
				if (e)
					e->err = (kfk_err)r->error_code;
			}
	}
	kfk_arena_destroy(&a);
}

/* One partition's OffsetFetch answer into its entry. */
static void of_entry(struct kfk_tp *e, int64_t off, int32_t epoch,
                     struct kfk_str md, kfk_err err)
{
	e->err = err;
	e->offset = off >= 0 ? off : KFK_OFFSET_INVALID;
	e->leader_epoch = epoch;
	free(e->metadata);
	e->metadata = md.len > 0 ? strndup(md.ptr, (size_t)md.len) : NULL;
}

static void of_parse(struct kfk_cjob *j, kfk_rbuf *body, int16_t version)
{
	struct kfk_offset_fetch_response m;
	kfk_arena a;
	int t, p;

	kfk_arena_init(&a);
	if (kfk_offset_fetch_response_decode(body, version, &a, &m)) {
		j->err = KFK_ERR__MALFORMED;
	} else if (version >= 8) {
		struct kfk_offset_fetch_response_group *g =
			m.groups_count > 0 ? &m.groups[0] : NULL;

		j->err = g ? (kfk_err)g->error_code : KFK_ERR__MALFORMED;
		for (t = 0; g && t < g->topics_count; t++)
			for (p = 0; p < g->topics[t].partitions_count; p++) {
				struct kfk_offset_fetch_response_partitions *r =
					&g->topics[t].partitions[p];
				struct kfk_tp *e = find_tp(j->l, g->topics[t].name,
				                           r->partition_index);
				if (e)
					of_entry(e, r->committed_offset,
					         r->committed_leader_epoch,
					         r->metadata, (kfk_err)r->error_code);
			}
	} else {
		j->err = (kfk_err)m.error_code;
		for (t = 0; t < m.topics_count; t++)
			for (p = 0; p < m.topics[t].partitions_count; p++) {
				struct kfk_offset_fetch_response_partition *r =
					&m.topics[t].partitions[p];
				struct kfk_tp *e = find_tp(j->l, m.topics[t].name,
				                           r->partition_index);
				if (e)
					of_entry(e, r->committed_offset,
					         r->committed_leader_epoch,
					         r->metadata, (kfk_err)r->error_code);
			}
	}
	kfk_arena_destroy(&a);
}

/* ---- the job's life (control loop) ------------------------------------ */

static bool retriable(kfk_err err)
{
	return kfk_cgrp_coord_error(err) ||
	       err == KFK_ERR_COORDINATOR_LOAD_IN_PROGRESS ||
	       err == KFK_ERR_UNSTABLE_OFFSET_COMMIT;
}

/* The first error of the job: its own, or an entry's. */
static kfk_err job_error(const struct kfk_cjob *j)
{
	int i;

	if (j->err)
		return j->err;
	for (i = 0; i < j->l->cnt; i++)
		if (j->l->v[i].err)
			return j->l->v[i].err;
	return KFK_ERR_NONE;
}

static void job_queue(struct kfk_cgrp *g, struct kfk_cjob *j)
{
	struct kfk_cjob **pp = &g->jobs;

	while (*pp)
		pp = &(*pp)->next;
	j->next = NULL;
	*pp = j;
	kfk_cgrp_arm(g, j->deadline_us);
}

/* What the outcome means for the member, then retry or complete. */
static void job_outcome(struct kfk_cgrp *g, struct kfk_cjob *j)
{
	kfk_err err = job_error(j);
	int64_t now = kfk_now_us();
	int i;

	if (kfk_cgrp_coord_error(err))
		kfk_cgrp_coord_dead(g, kfk_err_name(err));
	if ((err == KFK_ERR_UNKNOWN_MEMBER_ID ||
	     err == KFK_ERR_ILLEGAL_GENERATION) &&
	    j->generation == g->generation && g->state == KFK_CGRP_STABLE)
		kfk_cgrp_lost(g, "OffsetCommit: no longer in the generation",
		              err == KFK_ERR_UNKNOWN_MEMBER_ID);
	if (retriable(err) && j->retry && now < j->deadline_us && !g->closed) {
		j->err = KFK_ERR_NONE;
		for (i = 0; i < j->l->cnt; i++)
			j->l->v[i].err = KFK_ERR_NONE;
		j->retry_at_us = now + g->c->retry_backoff_us;
		job_queue(g, j);
		kfk_cgrp_arm(g, j->retry_at_us);
		return;
	}
	j->complete(j);
}

/* Takes j off the in-flight list. */
static void inflight_remove(struct kfk_cgrp *g, struct kfk_cjob *j)
{
	struct kfk_cjob **pp = &g->jobs_out;

	while (*pp && *pp != j)
		pp = &(*pp)->next;
	if (*pp)
		*pp = j->next;
	j->next = NULL;
	j->in_flight = false;
}

void kfk_cgrp_jobs_abandon(struct kfk_cgrp *g)
{
	struct kfk_cjob *j;

	while ((j = g->jobs_out)) {
		inflight_remove(g, j);
		j->attempt++; /* its answer, if any, is dropped */
		job_queue(g, j);
	}
}

static void job_done(struct kfk_req *req, kfk_err err, kfk_rbuf *body,
                     int16_t version)
{
	struct job_req *r = req->opaque;
	struct kfk_cjob *j = r->j;
	struct kfk_cgrp *g = j->g;
	bool stale = r->attempt != j->attempt;

	free(r);
	if (stale) { /* sent again to a new coordinator meanwhile */
		job_unref(j);
		return;
	}
	inflight_remove(g, j);
	j->err = err;
	if (!err && j->kind == JOB_COMMIT)
		oc_parse(j, body, version);
	else if (!err)
		of_parse(j, body, version);
	kfk_dbg(g->c->log, KFK_DBG_CGRP, "OFFSETS", "group %s: %s of %d: %s",
	        g->group_id, j->kind == JOB_COMMIT ? "OffsetCommit"
	                                           : "OffsetFetch",
	        j->l->cnt, kfk_err_name(job_error(j)));
	if (g->closed) {
		j->err = j->err ? j->err : KFK_ERR__DESTROY;
		j->complete(j);
		job_unref(j);
		return;
	}
	job_outcome(g, j);
	job_unref(j);
	kfk_cgrp_run(g);
}

static bool job_send(struct kfk_cgrp *g, struct kfk_cjob *j)
{
	int16_t key = j->kind == JOB_COMMIT ? KFK_APIKEY_OFFSET_COMMIT
	                                    : KFK_APIKEY_OFFSET_FETCH;
	const struct kfk_proto_api *api = kfk_proto_api_get(key);
	struct job_req *r = calloc(1, sizeof(*r));

	free(j->member_id);
	j->member_id = strdup(g->member_id);
	j->generation = g->generation;
	if (!r || !j->member_id) {
		free(r);
		return false;
	}
	r->j = j;
	r->attempt = ++j->attempt;
	r->req.api_key = key;
	/* OffsetCommit v1: generation and member; OffsetFetch v1: offsets
	 * kept by the group coordinator (not ZooKeeper). */
	r->req.min_version = 1;
	r->req.max_version = api->max_stable;
	r->req.encode = j->kind == JOB_COMMIT ? oc_encode : of_encode;
	r->req.done = job_done;
	r->req.opaque = r;
	atomic_fetch_add(&j->refs, 1); /* the request's */
	j->in_flight = true;
	j->next = g->jobs_out;
	g->jobs_out = j;
	if (kfk_cgrp_send(g, &r->req))
		return true;
	inflight_remove(g, j);
	atomic_fetch_sub(&j->refs, 1);
	free(r);
	return false;
}

void kfk_cgrp_jobs_run(struct kfk_cgrp *g, kfk_err fail)
{
	struct kfk_cjob *j = g->jobs, *keep = NULL, **tail = &keep, *next;
	int64_t now = kfk_now_us();

	g->jobs = NULL;
	for (; j; j = next) {
		next = j->next;
		j->next = NULL;
		if (fail || now >= j->deadline_us) {
			j->err = fail ? fail : KFK_ERR__TIMED_OUT;
			j->complete(j);
		} else if (j->retry_at_us > now || !job_send(g, j)) {
			kfk_cgrp_arm(g, j->retry_at_us > now ? j->retry_at_us
			                                     : j->deadline_us);
			*tail = j;
			tail = &j->next;
		}
	}
	*tail = g->jobs; /* queued meanwhile */
	g->jobs = keep;
}

static void job_post_task(void *arg)
{
	struct kfk_cjob *j = arg;
	struct kfk_cgrp *g = j->g;

	if (g->closed) {
		j->err = KFK_ERR__DESTROY;
		j->complete(j);
		return;
	}
	job_queue(g, j);
	kfk_cgrp_run(g);
}

/* Hands j to the control loop. Any thread but the control loop. */
static void job_post(struct kfk_cjob *j)
{
	if (kfk_loop_post(j->g->c->ctrl, job_post_task, j)) {
		j->err = KFK_ERR__NO_MEMORY;
		j->complete(j);
	}
}

/* ---- completions ---------------------------------------------------------- */

/* Successful commits become the partitions' committed offsets. (ctrl) */
static void note_committed(struct kfk_cgrp *g, struct kfk_cjob *j)
{
	struct kfk_consumer *c = g->c;
	int i;

	if (j->err)
		return;
	pthread_mutex_lock(&c->lock);
	for (i = 0; i < j->l->cnt; i++) {
		struct kfk_cpart *p = j->l->v[i].err ? NULL
		        : kfk_consumer_find(c, j->l->v[i].topic,
		                            j->l->v[i].partition);
		if (p)
			atomic_store(&p->committed, j->l->v[i].offset);
	}
	pthread_mutex_unlock(&c->lock);
}

static void complete_sync(struct kfk_cjob *j)
{
	if (j->kind == JOB_COMMIT)
		note_committed(j->g, j);
	kfk_waiter_done(&j->wait);
	job_unref(j);
}

static void complete_async(struct kfk_cjob *j)
{
	kfk_err err = job_error(j);

	note_committed(j->g, j);
	if (err)
		kfk_log(j->g->c->log, KFK_LOG_WARNING, "COMMIT",
		        "group %s: commit of %d offsets failed: %s",
		        j->g->group_id, j->l->cnt, kfk_err_str(err));
	if (j->cb) {
		kfk_cgrp_push_commit_result(j->g, j->cb, j->opaque, err, j->l);
		j->l = NULL;
	}
	job_unref(j);
}

/* An automatic commit: one that may pass later (the coordinator moved,
 * is loading, or the request timed out) is no failure to warn of; it is
 * tried again after retry.backoff.ms, as the Java client does. */
static void complete_auto(struct kfk_cjob *j)
{
	struct kfk_cgrp *g = j->g;
	kfk_err err = job_error(j);

	g->auto_commit_out = false;
	if (!err || g->closed || !retriable(err)) {
		complete_async(j);
		return;
	}
	kfk_dbg(g->c->log, KFK_DBG_CGRP, "COMMIT",
	        "group %s: automatic commit of %d offsets: %s; again soon",
	        g->group_id, j->l->cnt, kfk_err_name(err));
	note_committed(g, j);
	g->commit_at_us = kfk_now_us() + g->c->retry_backoff_us;
	kfk_cgrp_arm(g, g->commit_at_us);
	job_unref(j);
}

/* Waits for a synchronous job; the outcome into out (same order as the
 * caller's list when out is it). */
static kfk_err job_wait(struct kfk_cjob *j, int timeout_ms)
{
	kfk_err err;

	atomic_fetch_add(&j->refs, 1);
	job_post(j);
	/* The job's own deadline completes it; the margin only guards. */
	if (!kfk_waiter_wait(&j->wait, timeout_ms + 2000))
		return KFK_ERR__TIMED_OUT; /* still out: read nothing of it */
	err = job_error(j);
	return err;
}

/* Copies each entry's outcome back into the caller's list. */
static void copy_back(const kfk_tplist *from, kfk_tplist *to, bool offsets)
{
	int i, k;

	for (i = 0; to && i < to->cnt; i++) {
		k = kfk_tplist_find(from, to->v[i].topic, to->v[i].partition);
		if (k < 0)
			continue;
		to->v[i].err = from->v[k].err;
		if (!offsets)
			continue;
		to->v[i].offset = from->v[k].offset;
		to->v[i].leader_epoch = from->v[k].leader_epoch;
		(void)kfk_tplist_set_metadata(to, i, from->v[k].metadata);
	}
}

static int timeout_or_default(struct kfk_cgrp *g, int timeout_ms)
{
	return timeout_ms < 0 ? g->api_timeout_ms : timeout_ms;
}

kfk_err kfk_cgrp_commit_sync(struct kfk_cgrp *g, kfk_tplist *offsets,
                             int timeout_ms)
{
	kfk_tplist *l = offsets ? kfk_tplist_copy(offsets)
	                        : kfk_cgrp_stored(g, NULL, true);
	struct kfk_cjob *j;
	kfk_err err;

	if (!l)
		return KFK_ERR__NO_MEMORY;
	if (!l->cnt) {
		kfk_tplist_destroy(l);
		return KFK_ERR_NONE; /* nothing to commit (as Java) */
	}
	timeout_ms = timeout_or_default(g, timeout_ms);
	j = job_new(g, JOB_COMMIT, l, timeout_ms);
	if (!j)
		return KFK_ERR__NO_MEMORY;
	j->retry = true;
	j->complete = complete_sync;
	err = job_wait(j, timeout_ms);
	if (err != KFK_ERR__TIMED_OUT)
		copy_back(j->l, offsets, false);
	job_unref(j);
	return err;
}

kfk_err kfk_cgrp_commit_async(struct kfk_cgrp *g, const kfk_tplist *offsets,
                              kfk_commit_cb *cb, void *opaque)
{
	kfk_tplist *l = offsets ? kfk_tplist_copy(offsets)
	                        : kfk_cgrp_stored(g, NULL, true);
	struct kfk_cjob *j;

	if (!l)
		return KFK_ERR__NO_MEMORY;
	j = job_new(g, JOB_COMMIT, l, g->api_timeout_ms);
	if (!j)
		return KFK_ERR__NO_MEMORY;
	j->cb = cb;
	j->opaque = opaque;
	j->complete = complete_async;
	if (!l->cnt) { /* nothing to commit: told at once */
		j->complete(j);
		return KFK_ERR_NONE;
	}
	job_post(j);
	return KFK_ERR_NONE;
}

kfk_err kfk_cgrp_committed(struct kfk_cgrp *g, kfk_tplist *l, int timeout_ms)
{
	kfk_tplist *q = kfk_tplist_copy(l);
	struct kfk_cjob *j;
	kfk_err err;

	if (!q)
		return KFK_ERR__NO_MEMORY;
	timeout_ms = timeout_or_default(g, timeout_ms);
	j = job_new(g, JOB_FETCH, q, timeout_ms);
	if (!j)
		return KFK_ERR__NO_MEMORY;
	j->retry = true;
	j->require_stable = g->c->isolation == 1;
	j->complete = complete_sync;
	err = job_wait(j, timeout_ms);
	if (err != KFK_ERR__TIMED_OUT)
		copy_back(j->l, l, true);
	job_unref(j);
	return err;
}

/* ---- the stored offsets and the automatic commit --------------------- */

/* The offset to commit for p: its position (everything poll returned is
 * processed: a revocation, close, commit of positions), or what was
 * stored (the automatic commit; explicit stores). */
static int64_t to_commit(struct kfk_cgrp *g, struct kfk_cpart *p,
                         bool positions, int32_t *epoch)
{
	if (positions && g->auto_store) {
		*epoch = atomic_load(&p->app_epoch);
		return atomic_load(&p->app_pos);
	}
	*epoch = atomic_load(&p->stored_epoch);
	return atomic_load(&p->stored);
}

kfk_tplist *kfk_cgrp_stored(struct kfk_cgrp *g, const kfk_tplist *only,
                            bool positions)
{
	struct kfk_consumer *c = g->c;
	kfk_tplist *l;
	int i;

	pthread_mutex_lock(&c->lock);
	l = kfk_tplist_new(c->part_cnt);
	for (i = 0; l && i < c->part_cnt; i++) {
		struct kfk_cpart *p = c->parts[i];
		int32_t epoch;
		int64_t off = to_commit(g, p, positions, &epoch);
		int k;

		if (off < 0 || off == atomic_load(&p->committed) ||
		    (only && kfk_tplist_find(only, p->topic, p->partition) < 0))
			continue;
		k = kfk_tplist_add(l, p->topic, p->partition, off);
		if (k < 0) {
			kfk_tplist_destroy(l);
			l = NULL;
		} else {
			l->v[k].leader_epoch = epoch;
		}
	}
	pthread_mutex_unlock(&c->lock);
	return l;
}

void kfk_cgrp_auto_commit(struct kfk_cgrp *g, int64_t now)
{
	kfk_tplist *l;
	struct kfk_cjob *j;

	if (!g->auto_commit_ms || !g->commit_at_us ||
	    g->state != KFK_CGRP_STABLE)
		return;
	if (now < g->commit_at_us) {
		kfk_cgrp_arm(g, g->commit_at_us);
		return;
	}
	g->commit_at_us = now + (int64_t)g->auto_commit_ms * 1000;
	kfk_cgrp_arm(g, g->commit_at_us);
	if (g->auto_commit_out)
		return; /* the next tick after its answer commits the latest */
	l = kfk_cgrp_stored(g, NULL, false);
	if (!l || !l->cnt) {
		kfk_tplist_destroy(l);
		return;
	}
	/* Bounded like any request, not by the interval: a commit waiting
	 * for a coordinator being looked up again is not a failure. */
	j = job_new(g, JOB_COMMIT, l,
	            g->request_timeout_ms > g->auto_commit_ms
	                    ? g->request_timeout_ms
	                    : g->auto_commit_ms);
	if (!j)
		return;
	j->complete = complete_auto;
	g->auto_commit_out = true;
	job_queue(g, j);
}

/* ---- where assigned partitions start ---------------------------------- */

/* One partition's committed offset applied, if it still waits for it. */
static void position_apply(struct kfk_consumer *c, const struct kfk_tp *e,
                           kfk_err err, int64_t now)
{
	struct kfk_cpart *p = kfk_consumer_find(c, e->topic, e->partition);

	if (!p || p->state != KFK_CPART_RESETTING ||
	    p->want_offset != KFK_OFFSET_STORED)
		return; /* moved meanwhile */
	if (err) {
		kfk_cpart_set_state(c, p, KFK_CPART_NEED_OFFSET);
		p->retry_at_us = now + c->retry_backoff_us;
		kfk_consumer_arm(c, p->retry_at_us);
		if (!retriable(err) && err != KFK_ERR__DESTROY)
			kfk_consumer_error(c, p, err, -1,
			                   "%s [%d]: committed offset: %s", p->topic,
			                   (int)p->partition, kfk_err_str(err));
		return;
	}
	if (e->offset < 0) { /* none committed: auto.offset.reset */
		kfk_offsets_no_committed(c, p);
		return;
	}
	kfk_dbg(c->log, KFK_DBG_CGRP, "OFFSET",
	        "%s [%d]: starts at committed offset %lld (epoch %d)", p->topic,
	        (int)p->partition, (long long)e->offset, (int)e->leader_epoch);
	atomic_store(&p->committed, e->offset);
	p->fetch_pos = e->offset;
	/* With its epoch, the offset is checked before it is fetched from
	 * (validate.c): the log may have been cut below it since. */
	p->last_epoch = e->leader_epoch;
	p->checked_epoch = -1;
	atomic_store(&p->app_pos, e->offset);
	kfk_cpart_set_state(c, p, KFK_CPART_ACTIVE);
}

static void complete_positions(struct kfk_cjob *j)
{
	struct kfk_consumer *c = j->g->c;
	int64_t now = kfk_now_us();
	int i;

	if (!j->g->closed) {
		pthread_mutex_lock(&c->lock);
		for (i = 0; i < j->l->cnt; i++)
			position_apply(c, &j->l->v[i],
			               j->err ? j->err : j->l->v[i].err, now);
		pthread_mutex_unlock(&c->lock);
		kfk_consumer_kick(c);
	}
	job_unref(j);
}

static void positions_mark(struct kfk_consumer *c, const kfk_tplist *l)
{
	int i;

	pthread_mutex_lock(&c->lock);
	for (i = 0; i < l->cnt; i++) {
		struct kfk_cpart *p = kfk_consumer_find(c, l->v[i].topic,
		                                        l->v[i].partition);
		if (p)
			kfk_cpart_set_state(c, p, KFK_CPART_RESETTING);
	}
	pthread_mutex_unlock(&c->lock);
}

void kfk_cgrp_fetch_positions(struct kfk_cgrp *g, int64_t now)
{
	struct kfk_consumer *c = g->c;
	kfk_tplist *l = kfk_tplist_new(0);
	struct kfk_cjob *j;
	int i;

	pthread_mutex_lock(&c->lock);
	for (i = 0; l && i < c->part_cnt; i++) {
		struct kfk_cpart *p = c->parts[i];

		if (p->state != KFK_CPART_NEED_OFFSET ||
		    p->want_offset != KFK_OFFSET_STORED)
			continue;
		if (p->retry_at_us > now)
			kfk_consumer_arm(c, p->retry_at_us);
		else
			(void)kfk_tplist_add(l, p->topic, p->partition,
			                     KFK_OFFSET_INVALID);
	}
	pthread_mutex_unlock(&c->lock);
	if (!l || !l->cnt) {
		kfk_tplist_destroy(l);
		return;
	}
	j = job_new(g, JOB_FETCH, l, g->api_timeout_ms);
	if (!j)
		return; /* asked again at the next round */
	positions_mark(c, j->l);
	j->retry = true;
	j->require_stable = c->isolation == 1;
	j->complete = complete_positions;
	job_queue(g, j);
	kfk_cgrp_run(g);
}

/* ---- the public calls ------------------------------------------------------- */

static kfk_err group_of(kfk_consumer *c, struct kfk_cgrp **g)
{
	if (!c)
		return KFK_ERR__INVALID_ARG;
	if (!c->group)
		return KFK_ERR__INVALID_ARG; /* no group.id */
	if (atomic_load(&c->closing))
		return KFK_ERR__STATE;
	*g = c->group;
	return KFK_ERR_NONE;
}

KFK_API kfk_err kfk_consumer_commit(kfk_consumer *c, kfk_tplist *offsets,
                                    int timeout_ms)
{
	struct kfk_cgrp *g;
	kfk_err err = group_of(c, &g);

	return err ? err : kfk_cgrp_commit_sync(g, offsets, timeout_ms);
}

KFK_API kfk_err kfk_consumer_commit_async(kfk_consumer *c,
                                          const kfk_tplist *offsets,
                                          kfk_commit_cb *cb, void *opaque)
{
	struct kfk_cgrp *g;
	kfk_err err = group_of(c, &g);

	return err ? err : kfk_cgrp_commit_async(g, offsets, cb, opaque);
}

KFK_API kfk_err kfk_consumer_committed(kfk_consumer *c, kfk_tplist *l,
                                       int timeout_ms)
{
	struct kfk_cgrp *g;
	kfk_err err = group_of(c, &g);

	if (!err && !l)
		err = KFK_ERR__INVALID_ARG;
	return err ? err : kfk_cgrp_committed(g, l, timeout_ms);
}

KFK_API kfk_err kfk_consumer_store_offsets(kfk_consumer *c, kfk_tplist *l)
{
	kfk_err first = KFK_ERR_NONE;
	int i;

	if (!c || !l)
		return KFK_ERR__INVALID_ARG;
	pthread_mutex_lock(&c->lock);
	for (i = 0; i < l->cnt; i++) {
		struct kfk_cpart *p = kfk_consumer_find(c, l->v[i].topic,
		                                        l->v[i].partition);
		l->v[i].err = p ? KFK_ERR_NONE : KFK_ERR__UNKNOWN_PARTITION;
		if (!p) {
			first = first ? first : l->v[i].err;
			continue;
		}
		atomic_store(&p->stored, l->v[i].offset);
		atomic_store(&p->stored_epoch, l->v[i].leader_epoch);
	}
	pthread_mutex_unlock(&c->lock);
	return first;
}

KFK_API kfk_err kfk_consumer_store_message(kfk_consumer *c,
                                           const kfk_message *m)
{
	kfk_tplist *l;
	kfk_err err;

	if (!c || !m || kfk_message_err(m))
		return KFK_ERR__INVALID_ARG;
	l = kfk_tplist_new(1);
	if (!l || kfk_tplist_add(l, kfk_message_topic(m),
	                         kfk_message_partition(m),
	                         kfk_message_offset(m) + 1) < 0) {
		kfk_tplist_destroy(l);
		return KFK_ERR__NO_MEMORY;
	}
	kfk_tplist_set_leader_epoch(l, 0, kfk_message_leader_epoch(m));
	err = kfk_consumer_store_offsets(c, l);
	kfk_tplist_destroy(l);
	return err;
}
