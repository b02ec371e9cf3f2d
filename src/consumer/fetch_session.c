/*
 * consumer/fetch_session.c: incremental fetch sessions (KIP-227).
 *
 * A consumer fetching many partitions from a broker repeats the same list
 * in every Fetch. With a session the broker keeps the list: the first
 * request (session id 0, epoch 0) is full and the broker answers with a
 * session id; each later one (that id, the next epoch) names only the
 * partitions whose position or epochs changed, and those to forget; the
 * broker answers only for partitions with data or errors. The session's
 * table here is what the broker was last told. Anything that leaves the
 * two sides unsure (a failed request, FETCH_SESSION_ID_NOT_FOUND,
 * INVALID_FETCH_SESSION_EPOCH) starts over with a full request. A broker
 * that answers a full request with id 0 keeps no session: every request
 * stays full. Control loop only.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "consumer/fetcher.h"

struct kfk_fsess *kfk_fsess_get(struct kfk_consumer *c, int32_t leader)
{
	struct kfk_fsess **v;

	for (int i = 0; i < c->session_cnt; i++)
		if (c->sessions[i]->leader == leader)
			return c->sessions[i];
	v = realloc(c->sessions, (size_t)(c->session_cnt + 1) * sizeof(*v));
	if (!v)
		return NULL;
	c->sessions = v;
	v[c->session_cnt] = calloc(1, sizeof(**v));
	if (!v[c->session_cnt])
		return NULL;
	v[c->session_cnt]->leader = leader;
	return v[c->session_cnt++];
}

static void fsess_clear(struct kfk_fsess *s)
{
	for (int i = 0; i < s->n; i++)
		kfk_cpart_unref(s->v[i].part);
	s->n = 0;
}

static void fsess_reset(struct kfk_fsess *s)
{
	fsess_clear(s);
	s->id = 0;
	s->epoch = 0;
}

void kfk_fsess_free_all(struct kfk_consumer *c)
{
	for (int i = 0; i < c->session_cnt; i++) {
		fsess_clear(c->sessions[i]);
		free(c->sessions[i]->v);
		free(c->sessions[i]);
	}
	free(c->sessions);
	c->sessions = NULL;
	c->session_cnt = 0;
}

static struct kfk_fsess_part *fsess_find(struct kfk_fsess *s,
                                         const struct kfk_cpart *p)
{
	for (int i = 0; i < s->n; i++)
		if (s->v[i].part == p)
			return &s->v[i];
	return NULL;
}

/* Whether r fetches p's topic partition: by name, not by object, since a
 * partition unassigned and assigned again between two requests is a new
 * object for the same partition, and forgetting it there would drop it
 * from the broker's session (which applies what a request fetches
 * before what it forgets), so the broker would never send it again. */
static bool in_request(const struct kfk_fetch_req *r,
                       const struct kfk_cpart *p)
{
	for (int i = 0; i < r->n; i++)
		if (r->v[i].part->partition == p->partition &&
		    strcmp(r->v[i].part->topic, p->topic) == 0)
			return true;
	return false;
}

/* The session's table becomes r's partitions. */
static int fsess_take(struct kfk_fsess *s, const struct kfk_fetch_req *r)
{
	if (r->n > s->cap) {
		struct kfk_fsess_part *v = realloc(s->v, (size_t)r->n * sizeof(*v));

		if (!v)
			return -1;
		s->v = v;
		s->cap = r->n;
	}
	fsess_clear(s);
	for (int i = 0; i < r->n; i++) {
		s->v[i].part = kfk_cpart_ref(r->v[i].part);
		s->v[i].fetch_pos = r->v[i].fetch_pos;
		s->v[i].cur_epoch = r->v[i].cur_epoch;
		s->v[i].last_epoch = r->v[i].last_epoch;
	}
	s->n = r->n;
	return 0;
}

/* The session's partitions r lacks, to forget. */
static int fsess_forget(struct kfk_fsess *s, struct kfk_fetch_req *r)
{
	int n = 0;

	for (int i = 0; i < s->n; i++)
		n += !in_request(r, s->v[i].part);
	if (!n)
		return 0;
	r->forgot = calloc((size_t)n, sizeof(*r->forgot));
	if (!r->forgot)
		return -1;
	for (int i = 0; i < s->n; i++)
		if (!in_request(r, s->v[i].part))
			r->forgot[r->forgot_n++] = kfk_cpart_ref(s->v[i].part);
	return 0;
}

static int forgot_cmp(const void *a, const void *b)
{
	return strcmp((*(struct kfk_cpart *const *)a)->topic,
	              (*(struct kfk_cpart *const *)b)->topic);
}

int kfk_fsess_plan(struct kfk_fsess *s, struct kfk_fetch_req *r)
{
	int i;

	r->session_id = s->id;
	r->session_epoch = s->epoch;
	for (i = 0; i < r->n; i++) {
		const struct kfk_fsess_part *sp =
			s->id ? fsess_find(s, r->v[i].part) : NULL;

		r->v[i].send = !sp || sp->fetch_pos != r->v[i].fetch_pos ||
		               sp->cur_epoch != r->v[i].cur_epoch ||
		               sp->last_epoch != r->v[i].last_epoch;
	}
	if ((s->id && fsess_forget(s, r)) || fsess_take(s, r)) {
		/* Out of memory: a full request, the session starts over. */
		fsess_reset(s);
		r->session_id = 0;
		r->session_epoch = 0;
		for (i = 0; i < r->n; i++)
			r->v[i].send = true;
		return -1;
	}
	if (r->forgot_n > 1)
		qsort(r->forgot, (size_t)r->forgot_n, sizeof(*r->forgot),
		      forgot_cmp);
	return 0;
}

void kfk_fsess_outcome(struct kfk_fsess *s, const struct kfk_fetch_req *r)
{
	if (r->err) {
		/* Unsure what the broker holds now: start over. */
		fsess_reset(s);
		return;
	}
	if (r->session_id == 0) {
		s->id = r->resp_session_id;
		s->epoch = s->id ? 1 : 0;
		if (!s->id)
			fsess_clear(s);
		return;
	}
	s->epoch = s->epoch == INT32_MAX ? 1 : s->epoch + 1;
}
