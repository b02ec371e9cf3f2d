/*
 * The delivery-report queue (reports.h).
 *
 * The eventfd protocol. `pending` counts records pushed and not yet taken;
 * a pusher adds before it pushes and writes the eventfd when it moved
 * pending from 0. The consumer, under the lock, subtracts what it took and,
 * whenever pending is 0 at the end of a take, drains the eventfd and then
 * looks at pending again: a push that raced with the drain has either
 * written after it (the fd stays readable) or is seen by the second look,
 * which writes the eventfd again. So the fd is never left unreadable while
 * records wait, and is only briefly readable (until the next poll) when
 * none do.
 */
#include "config.h"
#include "producer/reports.h"

#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "util/time.h"

static void efd_signal(struct kfk_reports *r)
{
	uint64_t one = 1;
	ssize_t n;

	/* EAGAIN only when the counter is about to overflow: it is readable
	 * then anyway. */
	do
		n = write(r->efd, &one, sizeof(one));
	while (n < 0 && errno == EINTR);
	/* After the write: a drain that finds it clear skipped nothing that
	 * this write left (it happened after the flag was read). */
	atomic_store(&r->efd_set, true);
}

static void efd_drain(struct kfk_reports *r)
{
	uint64_t v;
	ssize_t n;

	do
		n = read(r->efd, &v, sizeof(v));
	while (n < 0 && errno == EINTR);
}

/* Under the lock: leaves the fd readable iff records wait. */
static void efd_sync(struct kfk_reports *r)
{
	if (atomic_load(&r->pending) > 0)
		return;
	if (!atomic_exchange(&r->efd_set, false))
		return; /* nothing written since the last drain */
	efd_drain(r);
	if (atomic_load(&r->pending) > 0)
		efd_signal(r);
}

kfk_err kfk_reports_init(struct kfk_reports *r, kfk_dr_release_fn *release,
                         void *release_arg)
{
	pthread_condattr_t ca;

	r->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (r->efd < 0)
		return KFK_ERR__IO;
	kfk_mpsc_init(&r->q);
	atomic_init(&r->pending, 0);
	atomic_init(&r->kicks, 0);
	atomic_init(&r->efd_set, false);
	pthread_mutex_init(&r->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&r->cond, &ca);
	pthread_condattr_destroy(&ca);
	r->cur = NULL;
	r->cur_next = 0;
	r->release = release;
	r->release_arg = release_arg;
	return KFK_ERR_NONE;
}

static struct kfk_dr *pop(struct kfk_reports *r)
{
	struct kfk_mpsc_node *n = kfk_mpsc_pop(&r->q);
	return n ? KFK_MPSC_ENTRY(n, struct kfk_dr, node) : NULL;
}

void kfk_reports_destroy(struct kfk_reports *r)
{
	struct kfk_dr *dr;

	if (r->cur)
		r->release(r->cur, r->release_arg);
	r->cur = NULL;
	while ((dr = pop(r)))
		r->release(dr, r->release_arg);
	close(r->efd);
	r->efd = -1;
	pthread_cond_destroy(&r->cond);
	pthread_mutex_destroy(&r->lock);
}

void kfk_reports_push(struct kfk_reports *r, struct kfk_dr *dr)
{
	if (atomic_fetch_add(&r->pending, dr->count) == 0) {
		efd_signal(r);
		kfk_mpsc_push(&r->q, &dr->node);
		/* Under the lock, so that a waiter that saw pending == 0 is
		 * already inside its wait and gets the signal. */
		pthread_mutex_lock(&r->lock);
		pthread_cond_broadcast(&r->cond);
		pthread_mutex_unlock(&r->lock);
		return;
	}
	kfk_mpsc_push(&r->q, &dr->node);
}

static void wake(struct kfk_reports *r, bool fd)
{
	pthread_mutex_lock(&r->lock);
	atomic_fetch_add(&r->kicks, 1);
	if (fd)
		efd_signal(r);
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
}

void kfk_reports_kick(struct kfk_reports *r)
{
	wake(r, true);
}

void kfk_reports_wake(struct kfk_reports *r)
{
	wake(r, false);
}

/* ------------------------------------------------------------------ */
/* Waiting                                                             */
/* ------------------------------------------------------------------ */

static bool ts_passed(const struct timespec *ts)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > ts->tv_sec ||
	       (now.tv_sec == ts->tv_sec && now.tv_nsec >= ts->tv_nsec);
}

/* Under the lock: sleeps until records wait (when `on_reports`), a kick
 * newer than `kicks`, done() or the deadline (NULL: none). Returns true
 * when reports wait or done() holds. */
static bool wait_locked(struct kfk_reports *r, const struct timespec *dl,
                        unsigned kicks, bool on_reports,
                        bool (*done)(void *), void *arg)
{
	for (;;) {
		if (on_reports && (atomic_load(&r->pending) > 0 || r->cur))
			return true;
		if (done && done(arg))
			return true;
		if (atomic_load(&r->kicks) != kicks)
			return false;
		if (dl && ts_passed(dl))
			return false;
		if (dl)
			pthread_cond_timedwait(&r->cond, &r->lock, dl);
		else
			pthread_cond_wait(&r->cond, &r->lock);
	}
}

bool kfk_reports_wait(struct kfk_reports *r, int timeout_ms,
                      bool (*done)(void *arg), void *arg)
{
	struct timespec dl;
	bool ok;
	unsigned kicks;

	if (timeout_ms >= 0)
		kfk_deadline_ts(&dl, timeout_ms);
	pthread_mutex_lock(&r->lock);
	kicks = atomic_load(&r->kicks);
	ok = wait_locked(r, timeout_ms >= 0 ? &dl : NULL, kicks, false, done,
	                 arg);
	pthread_mutex_unlock(&r->lock);
	return ok;
}

/* Under the lock: the report to take from next, or NULL when none waits.
 * Spins (yielding) over the few instructions between a pusher's add and
 * its push, so pending > 0 always ends in a report. */
static struct kfk_dr *next_locked(struct kfk_reports *r)
{
	struct kfk_dr *dr;

	if (r->cur)
		return r->cur;
	while (!(dr = pop(r))) {
		if (atomic_load(&r->pending) == 0)
			return NULL;
		sched_yield();
	}
	r->cur = dr;
	r->cur_next = 0;
	return dr;
}

/* ------------------------------------------------------------------ */
/* Taking                                                              */
/* ------------------------------------------------------------------ */

static void fill(kfk_delivery *d, const struct kfk_dr *dr, int32_t i)
{
	d->size = sizeof(*d);
	d->err = dr->err;
	d->topic = dr->topic;
	d->partition = dr->partition;
	d->offset = dr->base_offset >= 0 ? dr->base_offset + i : -1;
	if (dr->log_append_time >= 0)
		d->timestamp = dr->log_append_time;
	else if (dr->timestamps)
		d->timestamp = dr->timestamps[i];
	else
		d->timestamp = dr->first_timestamp;
	d->opaque = dr->opaques ? dr->opaques[i] : NULL;
}

/* Under the lock: copies up to max records; fully taken reports are put
 * on *done (linked through node.next) for release outside the lock. */
static int take_locked(struct kfk_reports *r, kfk_delivery *out, int max,
                       struct kfk_dr **donep)
{
	struct kfk_dr *dr;
	int n = 0;

	while (n < max && (dr = next_locked(r))) {
		int k = 0;
		while (n + k < max && r->cur_next < dr->count)
			fill(&out[n + k++], dr, r->cur_next++);
		/* Before looking for the next report: pending must not count
		 * these any more (next_locked waits while pending > 0). */
		atomic_fetch_sub(&r->pending, k);
		n += k;
		if (r->cur_next == dr->count) {
			r->cur = NULL;
			atomic_store_explicit(&dr->node.next,
			                      (struct kfk_mpsc_node *)*donep,
			                      memory_order_relaxed);
			*donep = dr;
		}
	}
	return n;
}

static void release_list(struct kfk_reports *r, struct kfk_dr *dr)
{
	while (dr) {
		struct kfk_dr *next = (struct kfk_dr *)(void *)atomic_load_explicit(
			&dr->node.next, memory_order_relaxed);
		r->release(dr, r->release_arg);
		dr = next;
	}
}

/* What take and serve do first: false, with nothing locked, for the
 * common poll(0) that finds nothing (no lock, no system call); else takes
 * the lock, having waited up to timeout_ms (-1: forever) for a report or a
 * kick. */
static bool lock_for_reports(struct kfk_reports *r, int timeout_ms)
{
	struct timespec dl;

	if (timeout_ms == 0 && atomic_load(&r->pending) == 0 &&
	    !atomic_load(&r->efd_set))
		return false;
	if (timeout_ms > 0)
		kfk_deadline_ts(&dl, timeout_ms);
	pthread_mutex_lock(&r->lock);
	if (timeout_ms != 0)
		wait_locked(r, timeout_ms > 0 ? &dl : NULL,
		            atomic_load(&r->kicks), true, NULL, NULL);
	return true;
}

int kfk_reports_take(struct kfk_reports *r, kfk_delivery *out, int max,
                     int timeout_ms)
{
	struct kfk_dr *done = NULL;
	int n = 0;

	if (max <= 0)
		return 0;
	if (!lock_for_reports(r, timeout_ms))
		return 0;
	n = take_locked(r, out, max, &done);
	efd_sync(r);
	pthread_mutex_unlock(&r->lock);
	release_list(r, done);
	return n;
}

/* ------------------------------------------------------------------ */
/* Serving to the callback                                             */
/* ------------------------------------------------------------------ */

/* Under the lock: takes the rest of the next report whole; sets *firstp to
 * its first record not yet taken. NULL when none waits. */
static struct kfk_dr *take_whole_locked(struct kfk_reports *r,
                                        int32_t *firstp)
{
	struct kfk_dr *dr = next_locked(r);

	if (!dr)
		return NULL;
	*firstp = r->cur_next;
	atomic_fetch_sub(&r->pending, dr->count - r->cur_next);
	r->cur = NULL;
	return dr;
}

static int serve_one(struct kfk_reports *r, struct kfk_dr *dr, int32_t first,
                     kfk_delivery_cb *cb, kfk_producer *p, void *opaque)
{
	kfk_delivery d;
	int32_t i, n = dr->count;

	for (i = first; i < n; i++) {
		fill(&d, dr, i);
		cb(p, &d, opaque);
	}
	r->release(dr, r->release_arg);
	return (int)(n - first);
}

int kfk_reports_serve(struct kfk_reports *r, kfk_delivery_cb *cb,
                      kfk_producer *p, void *opaque, int timeout_ms,
                      int max_batches)
{
	int served = 0, batches = 0;

	if (!lock_for_reports(r, timeout_ms))
		return 0;
	for (;;) {
		struct kfk_dr *dr = NULL;
		int32_t first = 0;

		if (max_batches <= 0 || batches < max_batches)
			dr = take_whole_locked(r, &first);
		efd_sync(r);
		pthread_mutex_unlock(&r->lock);
		if (!dr)
			return served;
		served += serve_one(r, dr, first, cb, p, opaque);
		batches++;
		pthread_mutex_lock(&r->lock);
	}
}
