/*
 * The record accumulator (accumulator.h): accounting, the produce path and
 * the sender's collect step. Pending records are in accumulator_pending.c.
 */
#include "config.h"
#include "producer/accumulator.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "producer/accumulator_int.h"
#include "util/time.h"

/* ------------------------------------------------------------------ */
/* Life                                                                */
/* ------------------------------------------------------------------ */

kfk_err kfk_accum_init(struct kfk_accum *acc,
                       const struct kfk_accum_config *cfg,
                       const struct kfk_partitioner *pt,
                       struct kfk_reports *reports,
                       const struct kfk_accum_hooks *hooks)
{
	pthread_condattr_t ca;

	memset(acc, 0, sizeof(*acc));
	if (kfk_topic_table_init(&acc->topics))
		return KFK_ERR__NO_MEMORY;
	acc->cfg = *cfg;
	acc->pt = *pt;
	kfk_pbatch_pool_init(&acc->pool, (size_t)(cfg->max_bytes / 4));
	acc->reports = reports;
	if (hooks)
		acc->hooks = *hooks;
	atomic_init(&acc->msgs, 0);
	atomic_init(&acc->bytes, 0);
	atomic_init(&acc->unfinished, 0);
	atomic_init(&acc->pending_topics, 0);
	atomic_init(&acc->space_waiters, 0);
	pthread_mutex_init(&acc->space_lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&acc->space_cond, &ca);
	pthread_condattr_destroy(&ca);
	return KFK_ERR_NONE;
}

static void free_batch(struct kfk_pbatch *b, void *arg)
{
	(void)arg;
	kfk_pbatch_free(b);
}

static void free_pending_list(struct kfk_pending *pd, void *arg)
{
	(void)arg;
	while (pd) {
		struct kfk_pending *next = pd->next;
		free(pd);
		pd = next;
	}
}

void kfk_accum_destroy(struct kfk_accum *acc)
{
	kfk_topic_table_destroy(&acc->topics, free_batch, free_pending_list,
	                        NULL);
	kfk_pbatch_pool_destroy(&acc->pool);
	pthread_cond_destroy(&acc->space_cond);
	pthread_mutex_destroy(&acc->space_lock);
}

/* ------------------------------------------------------------------ */
/* Accounting                                                          */
/* ------------------------------------------------------------------ */

/* Takes room for one record of `bytes`, or fails without taking any. A
 * record alone in an empty queue always fits, so a limit below one
 * record's size cannot block forever. */
static bool try_reserve(struct kfk_accum *acc, int64_t bytes)
{
	int64_t m = atomic_fetch_add(&acc->msgs, 1);
	int64_t b;

	if (m >= acc->cfg.max_msgs) {
		atomic_fetch_sub(&acc->msgs, 1);
		return false;
	}
	b = atomic_fetch_add(&acc->bytes, bytes);
	if (b > 0 && b + bytes > acc->cfg.max_bytes) {
		atomic_fetch_sub(&acc->bytes, bytes);
		atomic_fetch_sub(&acc->msgs, 1);
		return false;
	}
	return true;
}

static bool has_room(struct kfk_accum *acc, int64_t bytes)
{
	int64_t b = atomic_load(&acc->bytes);

	return atomic_load(&acc->msgs) < acc->cfg.max_msgs &&
	       (b == 0 || b + bytes <= acc->cfg.max_bytes);
}

static void timespec_at_ms(struct timespec *ts, int64_t ms)
{
	ts->tv_sec = (time_t)(ms / 1000);
	ts->tv_nsec = (long)(ms % 1000) * 1000000L;
}

/* Reserves, waiting up to max.block.ms for room when it is set. The
 * waiter registers before looking at the counters again, and a release
 * decrements before looking at the waiters: one of the two always sees
 * the other (both are sequentially consistent), so no wake-up is lost. */
kfk_err kfk_accum_reserve(struct kfk_accum *acc, int64_t bytes)
{
	int64_t deadline;
	struct timespec ts;

	if (try_reserve(acc, bytes))
		return KFK_ERR_NONE;
	if (acc->cfg.max_block_ms <= 0)
		return KFK_ERR__QUEUE_FULL;
	deadline = kfk_now_ms() + acc->cfg.max_block_ms;
	timespec_at_ms(&ts, deadline);
	pthread_mutex_lock(&acc->space_lock);
	atomic_fetch_add(&acc->space_waiters, 1);
	while (!try_reserve(acc, bytes)) {
		if (kfk_now_ms() >= deadline) {
			atomic_fetch_sub(&acc->space_waiters, 1);
			pthread_mutex_unlock(&acc->space_lock);
			return KFK_ERR__QUEUE_FULL;
		}
		if (!has_room(acc, bytes))
			pthread_cond_timedwait(&acc->space_cond,
			                       &acc->space_lock, &ts);
	}
	atomic_fetch_sub(&acc->space_waiters, 1);
	pthread_mutex_unlock(&acc->space_lock);
	return KFK_ERR_NONE;
}

void kfk_accum_unreserve(struct kfk_accum *acc, int64_t msgs, int64_t bytes)
{
	atomic_fetch_sub(&acc->bytes, bytes);
	atomic_fetch_sub(&acc->msgs, msgs);
	if (atomic_load(&acc->space_waiters) > 0) {
		pthread_mutex_lock(&acc->space_lock);
		pthread_cond_broadcast(&acc->space_cond);
		pthread_mutex_unlock(&acc->space_lock);
	}
}

void kfk_accum_batch_unref(struct kfk_accum *acc, struct kfk_pbatch *b)
{
	if (!kfk_pbatch_unref(b))
		return;
	kfk_accum_unreserve(acc, b->dr.count, b->bytes);
	kfk_pbatch_pool_give(&acc->pool, b);
}

/* One report is queued for n records: flush may be waiting for the last. */
void kfk_accum_finished(struct kfk_accum *acc, int64_t n)
{
	if (atomic_fetch_sub(&acc->unfinished, n) == n)
		kfk_reports_wake(acc->reports);
}

void kfk_accum_report(struct kfk_accum *acc, struct kfk_pbatch *b,
                      kfk_err err, int64_t base_offset,
                      int64_t log_append_time)
{
	int32_t n = b->dr.count;

	kfk_pbatch_set_outcome(b, err, base_offset, log_append_time);
	b->dr.kind = KFK_DR_BATCH;
	/* After the push the batch may be served and freed at once. */
	kfk_reports_push(acc->reports, &b->dr);
	kfk_accum_finished(acc, n);
}

void kfk_accum_dr_release(struct kfk_dr *dr, void *arg)
{
	struct kfk_accum *acc = arg;

	if (dr->kind == KFK_DR_PENDING) {
		struct kfk_pending *pd = (struct kfk_pending *)dr;
		kfk_accum_unreserve(acc, 1, pd->bytes);
		free(pd);
		return;
	}
	kfk_accum_batch_unref(acc, (struct kfk_pbatch *)dr);
}

/* ------------------------------------------------------------------ */
/* Appending to a partition                                            */
/* ------------------------------------------------------------------ */

/* Under pp->lock: moves the open batch to the closed list, remembering
 * how much it held for the next one's first buffer. */
static void close_open_locked(struct kfk_ppart *pp)
{
	struct kfk_pbatch *b = pp->open;

	pp->last_batch_bytes = (int32_t)kfk_pbatch_size(b);
	pp->open = NULL;
	kfk_topic_hint_open(pp, NULL);
	b->next = NULL;
	if (pp->closed_tail)
		pp->closed_tail->next = b;
	else
		pp->closed_head = b;
	pp->closed_tail = b;
}

static bool batch_full(const struct kfk_accum *acc, const struct kfk_pbatch *b)
{
	return kfk_pbatch_count(b) >= acc->cfg.batch_num ||
	       (int64_t)kfk_pbatch_size(b) >= acc->cfg.batch_size;
}

/* The first buffer of a batch lies between these; it doubles from there
 * as records come, up to batch.size. */
#define BATCH_FIRST_MIN 512
#define BATCH_FIRST_MAX 65536

/* The first buffer for pp's next batch: what its previous batch held, a
 * quarter more, rounded up to a power of two. A partition that sends a
 * record now and then (10,000 of them, keyed) costs hundreds of bytes per
 * batch, not 64 KB; a busy one starts at the size it will reach. */
static size_t first_alloc(const struct kfk_accum *acc,
                          const struct kfk_ppart *pp, int64_t rec_bytes)
{
	int64_t want = pp->last_batch_bytes + pp->last_batch_bytes / 4;
	int64_t cap = acc->cfg.batch_size < BATCH_FIRST_MAX
	                      ? acc->cfg.batch_size
	                      : BATCH_FIRST_MAX;
	size_t size = BATCH_FIRST_MIN;

	if (want > cap)
		want = cap;
	while ((int64_t)size < want)
		size *= 2;
	if (rec_bytes + KFK_BATCH_HEADER_SIZE > (int64_t)size)
		size = (size_t)(rec_bytes + KFK_BATCH_HEADER_SIZE);
	return size;
}

/* Under pp->lock: opens a batch. */
static kfk_err open_locked(struct kfk_accum *acc, struct kfk_ppart *pp,
                           int64_t rec_bytes)
{
	int64_t now = kfk_now_us();
	size_t hint = first_alloc(acc, pp, rec_bytes);
	struct kfk_pbatch *b = kfk_pbatch_new(
		&acc->pool, pp, pp->topic->name, pp->id, acc->cfg.codec, now,
		now + acc->cfg.delivery_timeout_us, hint);

	if (!b)
		return KFK_ERR__NO_MEMORY;
	b->seq = pp->next_seq++;
	pp->open = b;
	kfk_topic_hint_open(pp, b);
	return KFK_ERR_NONE;
}

/* Results of append_locked beyond kfk_err values. */
#define APPEND_NEW_STICKY 1 /* closed a full batch: ask the partitioner */

/* Under pp->lock: appends r, closing the open batch first when r does not
 * fit it. *duep is lowered to when the sender must see the news: at once
 * for a closed batch, by the end of its linger for an opened one. With
 * `sticky_retry`, a full batch is closed and the record is not appended:
 * the caller picks a new sticky partition first (KIP-480). */
static int append_locked(struct kfk_accum *acc, struct kfk_ppart *pp,
                         const struct kfk_precord *r, int64_t bytes,
                         bool sticky_retry, int64_t *duep)
{
	struct kfk_pbatch *b = pp->open;
	kfk_err err;

	if (b && kfk_pbatch_count(b) > 0 &&
	    (int64_t)(kfk_pbatch_size(b) + kfk_batch_writer_record_size(
	             &b->w, r->timestamp, r->key_len, r->value_len, r->hdrs,
	             r->hdr_cnt)) > acc->cfg.batch_size) {
		close_open_locked(pp);
		*duep = 0;
		if (sticky_retry)
			return APPEND_NEW_STICKY;
	}
	if (!pp->open) {
		if ((err = open_locked(acc, pp, bytes)))
			return err;
		kfk_min_at(duep, pp->open->created_us + acc->cfg.linger_us);
	}
	b = pp->open;
	err = kfk_pbatch_append(b, r->timestamp, r->key, r->key_len, r->value,
	                        r->value_len, r->hdrs, r->hdr_cnt, r->opaque,
	                        bytes);
	if (err)
		return err;
	if (batch_full(acc, b)) {
		close_open_locked(pp);
		*duep = 0;
	} else {
		kfk_topic_hint_open(pp, b);
	}
	return KFK_ERR_NONE;
}

static void notify(struct kfk_accum *acc, struct kfk_ppart *pp, int64_t due)
{
	if (acc->hooks.notify)
		acc->hooks.notify(pp, due, acc->hooks.arg);
}

/* Starts loading what an append to partition pid touches first: the
 * partition's lock and its open batch's writer (topic.h, open_hint). */
static void prefetch_append(const struct kfk_pparts *parts, int32_t pid)
{
	struct kfk_open_hint *h = &parts->open_hint[pid];
	struct kfk_pbatch *b = atomic_load_explicit(&h->batch,
	                                            memory_order_relaxed);
	uint8_t *tail = atomic_load_explicit(&h->tail, memory_order_relaxed);

	__builtin_prefetch(parts->v[pid], 1);
	if (b)
		__builtin_prefetch(&b->w, 1);
	if (tail) {
		__builtin_prefetch(tail, 1);
		__builtin_prefetch(tail + 64, 1);
		__builtin_prefetch(tail + 128, 1);
	}
}

static int32_t choose(struct kfk_accum *acc, struct kfk_ptopic *tp,
                      const struct kfk_pparts *parts,
                      const struct kfk_precord *r)
{
	return kfk_partitioner_choose(&acc->pt, tp->name,
	                              r->key_len >= 0 ? r->key : NULL,
	                              r->key_len >= 0 ? (size_t)r->key_len : 0,
	                              parts->cnt, &tp->sticky,
	                              parts->available);
}

kfk_err kfk_accum_append_known(struct kfk_accum *acc, struct kfk_ptopic *tp,
                               const struct kfk_pparts *parts,
                               const struct kfk_precord *r, int64_t bytes)
{
	bool sticky = r->partition == KFK_PARTITION_ANY && r->key_len < 0 &&
	              acc->pt.kind == KFK_PARTITIONER_MURMUR2_STICKY;
	int32_t pid = r->partition;
	int rc;

	if (pid == KFK_PARTITION_ANY)
		pid = choose(acc, tp, parts, r);
	if (pid < 0 || pid >= parts->cnt)
		return KFK_ERR__UNKNOWN_PARTITION;
	for (;;) {
		struct kfk_ppart *pp = parts->v[pid];
		int64_t due = INT64_MAX;

		prefetch_append(parts, pid);
		kfk_spin_lock(&pp->lock);
		rc = append_locked(acc, pp, r, bytes, sticky, &due);
		kfk_spin_unlock(&pp->lock);
		if (due != INT64_MAX)
			notify(acc, pp, due);
		if (rc != APPEND_NEW_STICKY)
			return (kfk_err)rc;
		kfk_sticky_batch_closed(&tp->sticky, pid, parts->cnt,
		                        parts->available);
		pid = choose(acc, tp, parts, r);
		sticky = false;
	}
}

/* ------------------------------------------------------------------ */
/* Producing                                                           */
/* ------------------------------------------------------------------ */

/* The queue bytes a record takes: its encoded size in a batch of its
 * own, which is also what message.max.bytes limits. */
static int64_t record_bytes(const struct kfk_precord *r)
{
	struct kfk_batch_writer w;

	memset(&w, 0, sizeof(w));
	w.first_timestamp = r->timestamp;
	return KFK_BATCH_HEADER_SIZE +
	       (int64_t)kfk_batch_writer_record_size(&w, r->timestamp,
	                                             r->key_len, r->value_len,
	                                             r->hdrs, r->hdr_cnt);
}

static kfk_err produce_topic(struct kfk_accum *acc, struct kfk_ptopic *tp,
                             const struct kfk_precord *r, int64_t bytes)
{
	struct kfk_pparts *parts = kfk_topic_parts(tp);

	if (parts && atomic_load(&tp->pend_cnt) == 0)
		return kfk_accum_append_known(acc, tp, parts, r, bytes);
	return kfk_accum_produce_slow(acc, tp, r, bytes);
}

kfk_err kfk_accum_produce(struct kfk_accum *acc, const struct kfk_precord *r)
{
	int64_t bytes = record_bytes(r);
	struct kfk_ptopic *tp;
	bool created;
	kfk_err err;

	if (bytes > acc->cfg.message_max)
		return KFK_ERR__MSG_SIZE_TOO_LARGE;
	if ((err = kfk_accum_reserve(acc, bytes)))
		return err;
	tp = kfk_topic_get(&acc->topics, r->topic, &created);
	if (!tp) {
		kfk_accum_unreserve(acc, 1, bytes);
		return KFK_ERR__NO_MEMORY;
	}
	if (created && acc->hooks.want_md)
		acc->hooks.want_md(tp, acc->hooks.arg);
	/* Counted before the record can be reported. */
	atomic_fetch_add(&acc->unfinished, 1);
	err = produce_topic(acc, tp, r, bytes);
	if (err) {
		atomic_fetch_sub(&acc->unfinished, 1);
		kfk_accum_unreserve(acc, 1, bytes);
	}
	return err;
}

/* ------------------------------------------------------------------ */
/* The sender's step                                                   */
/* ------------------------------------------------------------------ */

/* Appends the closed list to the ready deque (both under pp->lock here;
 * the deque is the sender's, who is the caller). */
static int move_closed_locked(struct kfk_ppart *pp)
{
	struct kfk_pbatch *b;
	int n = 0;

	if (!pp->closed_head)
		return 0;
	for (b = pp->closed_head; b; b = b->next)
		n++;
	if (pp->ready_tail)
		pp->ready_tail->next = pp->closed_head;
	else
		pp->ready_head = pp->closed_head;
	pp->ready_tail = pp->closed_tail;
	pp->ready_cnt += n;
	pp->closed_head = pp->closed_tail = NULL;
	return n;
}

int kfk_accum_collect(struct kfk_accum *acc, struct kfk_ppart *pp,
                      int64_t now_us, bool flush)
{
	bool closed = false;
	int n;

	kfk_spin_lock(&pp->lock);
	if (pp->open && (flush || now_us >= pp->open->created_us +
	                                    acc->cfg.linger_us)) {
		close_open_locked(pp);
		closed = true;
	}
	pp->open_deadline_us = pp->open ? pp->open->created_us +
	                                          acc->cfg.linger_us
	                                : INT64_MAX;
	n = move_closed_locked(pp);
	kfk_spin_unlock(&pp->lock);
	if (closed) {
		struct kfk_pparts *parts = kfk_topic_parts(pp->topic);
		if (parts)
			kfk_sticky_batch_closed(&pp->topic->sticky, pp->id,
			                        parts->cnt, parts->available);
	}
	return n;
}

/* ------------------------------------------------------------------ */
/* Purge                                                               */
/* ------------------------------------------------------------------ */

int64_t kfk_accum_purge_part(struct kfk_accum *acc, struct kfk_ppart *pp,
                             kfk_err err)
{
	struct kfk_pbatch *b, *list;
	int64_t n = 0;

	kfk_spin_lock(&pp->lock);
	if (pp->open)
		close_open_locked(pp);
	list = pp->closed_head;
	pp->closed_head = pp->closed_tail = NULL;
	kfk_spin_unlock(&pp->lock);
	while ((b = list)) {
		list = b->next;
		b->next = NULL;
		n += b->dr.count;
		kfk_accum_report(acc, b, err, -1, -1);
	}
	return n;
}

struct part_walk {
	void (*fn)(struct kfk_ppart *pp, void *arg);
	void *arg;
};

static void walk_topic(struct kfk_ptopic *tp, void *arg)
{
	struct part_walk *pw = arg;
	int32_t i;

	pthread_mutex_lock(&tp->lock);
	for (i = 0; i < tp->all_cnt; i++)
		pw->fn(tp->all[i], pw->arg);
	pthread_mutex_unlock(&tp->lock);
}

void kfk_accum_foreach_part(struct kfk_accum *acc,
                            void (*fn)(struct kfk_ppart *pp, void *arg),
                            void *arg)
{
	struct part_walk pw = { fn, arg };
	kfk_topic_foreach(&acc->topics, walk_topic, &pw);
}
