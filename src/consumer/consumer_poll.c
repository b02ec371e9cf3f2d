/*
 * consumer/consumer_poll.c: what the application calls while consuming:
 * poll, seek, positions, pause and resume, watermarks and lag.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "client/metadata.h"
#include "consumer/consumer_int.h"
#include "consumer/group.h"
#include "consumer/tplist.h"
#include "util/time.h"

/* ---- poll ----------------------------------------------------------------- */

/* Adds p to the handed list once (handed_lock held). Without memory it
 * is left out: its stored offset then stays at its last message's own,
 * the cautious side. */
static void handed_add(struct kfk_consumer *c, struct kfk_cpart *p)
{
	if (p->handed)
		return;
	if (c->handed_cnt == c->handed_cap) {
		int cap = c->handed_cap ? c->handed_cap * 2 : 16;
		struct kfk_cpart **v =
			realloc(c->handed, (size_t)cap * sizeof(*v));

		if (!v)
			return;
		c->handed = v;
		c->handed_cap = cap;
	}
	p->handed = true;
	c->handed[c->handed_cnt++] = kfk_cpart_ref(p);
}

/* A poll begins: the application has processed what the polls before
 * returned (the Java client's rule: its auto commit, at the next poll,
 * commits the positions), so each partition handed messages since stores
 * its position. Without this the last message of a partition that went
 * quiet stayed uncommitted (lag 1 for good, read again after a restart). */
static void handed_store(struct kfk_consumer *c)
{
	int i;

	pthread_mutex_lock(&c->handed_lock);
	for (i = 0; i < c->handed_cnt; i++) {
		struct kfk_cpart *p = c->handed[i];
		int64_t pos = atomic_load(&p->app_pos);

		if (pos >= 0) {
			atomic_store(&p->stored_epoch,
			             atomic_load(&p->app_epoch));
			atomic_store(&p->stored, pos);
		}
		p->handed = false;
		kfk_cpart_unref(p);
	}
	c->handed_cnt = 0;
	pthread_mutex_unlock(&c->handed_lock);
}

void kfk_consumer_handed_clear(struct kfk_consumer *c)
{
	int i;

	for (i = 0; i < c->handed_cnt; i++)
		kfk_cpart_unref(c->handed[i]);
	free(c->handed);
	c->handed = NULL;
	c->handed_cnt = c->handed_cap = 0;
}

/* Keeps the messages of out[0..n) still current (a seek since they were
 * fetched makes them stale: destroyed) and advances the positions past
 * them; with enable.auto.offset.store, stores each message's own offset
 * (the ones before it are processed; the message itself counts as
 * processed at the next poll, handed_store). Returns how many are kept,
 * packed at the front. */
static int poll_filter(struct kfk_consumer *c, kfk_message **out, int n)
{
	int i, kept = 0;

	if (c->auto_store && n > 0)
		pthread_mutex_lock(&c->handed_lock);
	for (i = 0; i < n; i++) {
		kfk_message *m = out[i];
		struct kfk_cpart *p = m->set->part;

		if (m->set->version != atomic_load(&p->version)) {
			kfk_message_destroy(m);
			continue;
		}
		if (!m->err) {
			if (c->auto_store) {
				atomic_store(&p->stored, m->offset);
				atomic_store(&p->stored_epoch, m->leader_epoch);
				handed_add(c, p);
			}
			atomic_store(&p->app_pos, m->offset + 1);
			atomic_store(&p->app_epoch, m->leader_epoch);
		}
		out[kept++] = m;
	}
	if (c->auto_store && n > 0)
		pthread_mutex_unlock(&c->handed_lock);
	return kept;
}

KFK_API int kfk_consumer_poll_batch(kfk_consumer *c, kfk_message **out,
                                    int max, int timeout_ms)
{
	int64_t end = timeout_ms < 0 ? INT64_MAX
	                             : kfk_now_ms() + (int64_t)timeout_ms;

	if (!c || !out || max <= 0)
		return 0;
	if (c->auto_store)
		handed_store(c);
	for (;;) {
		int64_t left = timeout_ms < 0 ? -1 : end - kfk_now_ms();
		int n, kept;

		if (atomic_load(&c->closing))
			return 0;
		kfk_client_serve_notices(c->client);
		if (c->group)
			kfk_cgrp_serve(c->group);
		n = kfk_evq_take(&c->q, max, left < 0 && timeout_ms >= 0
		                                 ? 0 : (int)left,
		                 kfk_fset_copy, out);
		kept = poll_filter(c, out, n);
		/* n == 0 before the end: a kick (a rebalance to serve, or
		 * close): look again. */
		if (kept || (timeout_ms >= 0 && kfk_now_ms() >= end))
			return kept;
	}
}

KFK_API kfk_message *kfk_consumer_poll(kfk_consumer *c, int timeout_ms)
{
	kfk_message *m = NULL;

	return kfk_consumer_poll_batch(c, &m, 1, timeout_ms) == 1 ? m : NULL;
}

KFK_API int kfk_consumer_fd(kfk_consumer *c)
{
	return kfk_evq_fd(&c->q);
}

/* ---- seek, pause, resume ---------------------------------------------- */

struct seek_op {
	struct kfk_consumer *c;
	const char *topic;
	int32_t partition;
	int64_t offset;
	kfk_err err;
};

static void seek_task(void *arg)
{
	struct seek_op *op = arg;
	struct kfk_cpart *p;

	pthread_mutex_lock(&op->c->lock);
	p = kfk_consumer_find(op->c, op->topic, op->partition);
	if (!p)
		op->err = KFK_ERR__UNKNOWN_PARTITION;
	else
		kfk_cpart_move(op->c, p, op->offset);
	pthread_mutex_unlock(&op->c->lock);
	kfk_consumer_kick(op->c);
}

KFK_API kfk_err kfk_consumer_seek(kfk_consumer *c, const char *topic,
                                  int32_t partition, int64_t offset)
{
	struct seek_op op = { c, topic, partition, offset, KFK_ERR_NONE };

	if (!topic || (offset < 0 && offset != KFK_OFFSET_BEGINNING &&
	               offset != KFK_OFFSET_END &&
	               offset > KFK_OFFSET_TAIL_BASE))
		return KFK_ERR__INVALID_ARG;
	if (atomic_load(&c->closing))
		return KFK_ERR__STATE;
	kfk_client_run_sync(c->ctrl, seek_task, &op);
	return op.err;
}

/* Calls fn for each entry of l that is assigned, setting the others'
 * errors; under c->lock. */
static kfk_err for_each_entry(kfk_consumer *c, kfk_tplist *l,
                              void (*fn)(struct kfk_cpart *p,
                                         struct kfk_tp *e))
{
	kfk_err first = KFK_ERR_NONE;
	int i;

	pthread_mutex_lock(&c->lock);
	for (i = 0; l && i < l->cnt; i++) {
		struct kfk_cpart *p = kfk_consumer_find(c, l->v[i].topic,
		                                        l->v[i].partition);
		l->v[i].err = p ? KFK_ERR_NONE : KFK_ERR__UNKNOWN_PARTITION;
		if (p)
			fn(p, &l->v[i]);
		else if (!first)
			first = KFK_ERR__UNKNOWN_PARTITION;
	}
	pthread_mutex_unlock(&c->lock);
	return first;
}

static void get_position(struct kfk_cpart *p, struct kfk_tp *e)
{
	e->offset = atomic_load(&p->app_pos);
}

static void set_paused(struct kfk_cpart *p, struct kfk_tp *e)
{
	(void)e;
	atomic_store(&p->paused, true);
}

static void set_resumed(struct kfk_cpart *p, struct kfk_tp *e)
{
	(void)e;
	atomic_store(&p->paused, false);
}

KFK_API kfk_err kfk_consumer_position(kfk_consumer *c, kfk_tplist *l)
{
	return for_each_entry(c, l, get_position);
}

KFK_API kfk_err kfk_consumer_pause(kfk_consumer *c, kfk_tplist *l)
{
	return for_each_entry(c, l, set_paused);
}

KFK_API kfk_err kfk_consumer_resume(kfk_consumer *c, kfk_tplist *l)
{
	kfk_err err = for_each_entry(c, l, set_resumed);

	kfk_consumer_kick(c);
	return err;
}

/* ---- watermarks, lag, offsets for times -------------------------------- */

KFK_API kfk_err kfk_consumer_get_watermarks(kfk_consumer *c,
                                            const char *topic,
                                            int32_t partition, int64_t *low,
                                            int64_t *high)
{
	struct kfk_cpart *p;

	pthread_mutex_lock(&c->lock);
	p = kfk_consumer_find(c, topic, partition);
	if (p) {
		*low = atomic_load(&p->log_start);
		*high = atomic_load(&p->hw);
	}
	pthread_mutex_unlock(&c->lock);
	return p ? KFK_ERR_NONE : KFK_ERR__UNKNOWN_PARTITION;
}

KFK_API int64_t kfk_consumer_lag(kfk_consumer *c, const char *topic,
                                 int32_t partition)
{
	struct kfk_cpart *p;
	int64_t lag = -1;

	pthread_mutex_lock(&c->lock);
	p = kfk_consumer_find(c, topic, partition);
	if (p) {
		int64_t hw = atomic_load(&p->hw), pos = atomic_load(&p->app_pos);

		if (hw >= 0 && pos >= 0)
			lag = hw > pos ? hw - pos : 0;
	}
	pthread_mutex_unlock(&c->lock);
	return lag;
}

KFK_API kfk_err kfk_consumer_query_watermarks(kfk_consumer *c,
                                              const char *topic,
                                              int32_t partition, int64_t *low,
                                              int64_t *high, int timeout_ms)
{
	int64_t end = kfk_now_ms() + timeout_ms;
	kfk_err err;

	err = kfk_offsets_query(c, topic, partition, KFK_OFFSET_BEGINNING,
	                        timeout_ms, low, NULL);
	if (!err)
		err = kfk_offsets_query(c, topic, partition, KFK_OFFSET_END,
		                        (int)(end > kfk_now_ms()
		                                  ? end - kfk_now_ms() : 0),
		                        high, NULL);
	return err;
}

KFK_API kfk_err kfk_consumer_offsets_for_times(kfk_consumer *c, kfk_tplist *l,
                                               int timeout_ms)
{
	int64_t end = kfk_now_ms() + timeout_ms;
	kfk_err first = KFK_ERR_NONE;
	int i;

	for (i = 0; l && i < l->cnt; i++) {
		int64_t left = end - kfk_now_ms();
		struct kfk_tp *e = &l->v[i];

		e->err = kfk_offsets_query(c, e->topic, e->partition, e->offset,
		                           left > 0 ? (int)left : 0, &e->offset,
		                           &e->leader_epoch);
		if (e->err && !first)
			first = e->err;
	}
	return first;
}

KFK_API kfk_err kfk_consumer_partition_count(kfk_consumer *c,
                                             const char *topic,
                                             int32_t *count, int timeout_ms)
{
	int64_t end = kfk_now_ms() + (timeout_ms < 0 ? 3600000 : timeout_ms);

	if (!topic || !count)
		return KFK_ERR__INVALID_ARG;
	for (;;) {
		struct kfk_metadata *md = kfk_client_metadata(c->client);
		const struct kfk_md_topic *mt = kfk_metadata_topic(md, topic);
		uint64_t v = md->version;
		kfk_err err = mt ? mt->err : KFK_ERR__TIMED_OUT;
		int64_t left = end - kfk_now_ms();
		bool final = mt && (!mt->err ||
		                    mt->err == KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION);

		if (mt && !mt->err)
			*count = mt->partition_cnt;
		kfk_metadata_unref(md);
		if (final)
			return err;
		if (left <= 0)
			return KFK_ERR__TIMED_OUT;
		kfk_client_metadata_new_topic(c->client, topic);
		/* In slices, telling the error callback what happens (all
		 * brokers down, a refused certificate) while we wait. */
		kfk_client_serve_notices(c->client);
		(void)kfk_client_metadata_wait(c->client, v,
		                               left < 500 ? (int)left : 500);
	}
}
