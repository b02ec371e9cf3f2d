/*
 * client/events.c: the event queue towards the application (events.h).
 *
 * The eventfd protocol. `pending` counts items pushed and not yet taken;
 * a pusher adds before it pushes and writes the eventfd when it moved
 * pending from 0. The consumer, under the lock, subtracts what it took and,
 * whenever pending is 0 at the end of a take, drains the eventfd and then
 * looks at pending again: a push that raced with the drain has either
 * written after it (the fd stays readable) or is seen by the second look,
 * which writes the eventfd again. So the fd is never left unreadable while
 * items wait, and is only briefly readable (until the next poll) when
 * none do.
 */
#include "config.h"
#include "client/events.h"

#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "util/time.h"

static void efd_signal(struct kfk_evq *q)
{
	uint64_t one = 1;
	ssize_t n;

	/* EAGAIN only when the counter is about to overflow: it is readable
	 * then anyway. */
	do
		n = write(q->efd, &one, sizeof(one));
	while (n < 0 && errno == EINTR);
	/* After the write: a drain that finds it clear skipped nothing that
	 * this write left (it happened after the flag was read). */
	atomic_store(&q->efd_set, true);
}

static void efd_drain(struct kfk_evq *q)
{
	uint64_t v;
	ssize_t n;

	do
		n = read(q->efd, &v, sizeof(v));
	while (n < 0 && errno == EINTR);
}

/* Under the lock: leaves the fd readable iff items wait. */
static void efd_sync(struct kfk_evq *q)
{
	if (atomic_load(&q->pending) > 0)
		return;
	if (!atomic_exchange(&q->efd_set, false))
		return; /* nothing written since the last drain */
	efd_drain(q);
	if (atomic_load(&q->pending) > 0)
		efd_signal(q);
}

kfk_err kfk_evq_init(struct kfk_evq *q, kfk_ev_release_fn *release,
                     void *release_arg)
{
	pthread_condattr_t ca;

	q->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (q->efd < 0)
		return KFK_ERR__IO;
	kfk_mpsc_init(&q->q);
	atomic_init(&q->pending, 0);
	atomic_init(&q->kicks, 0);
	atomic_init(&q->waiters, 0);
	atomic_init(&q->efd_set, false);
	pthread_mutex_init(&q->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&q->cond, &ca);
	pthread_condattr_destroy(&ca);
	q->cur = NULL;
	q->cur_next = 0;
	q->release = release;
	q->release_arg = release_arg;
	return KFK_ERR_NONE;
}

static struct kfk_ev *pop(struct kfk_evq *q)
{
	struct kfk_mpsc_node *n = kfk_mpsc_pop(&q->q);
	return n ? KFK_MPSC_ENTRY(n, struct kfk_ev, node) : NULL;
}

void kfk_evq_destroy(struct kfk_evq *q)
{
	struct kfk_ev *ev;

	if (q->cur)
		q->release(q->cur, q->release_arg);
	q->cur = NULL;
	while ((ev = pop(q)))
		q->release(ev, q->release_arg);
	close(q->efd);
	q->efd = -1;
	pthread_cond_destroy(&q->cond);
	pthread_mutex_destroy(&q->lock);
}

void kfk_evq_push(struct kfk_evq *q, struct kfk_ev *ev, int32_t items)
{
	ev->items = items;
	if (atomic_fetch_add(&q->pending, items) == 0) {
		efd_signal(q);
		kfk_mpsc_push(&q->q, &ev->node);
		/* Only when someone sleeps: an application that polls with
		 * timeout 0 leaves the lock to its own thread. Under the
		 * lock, so that a waiter that saw pending == 0 is already
		 * inside its wait and gets the signal; a waiter counted after
		 * our load sees our add (both seq_cst) and does not sleep. */
		if (atomic_load(&q->waiters) > 0) {
			pthread_mutex_lock(&q->lock);
			pthread_cond_broadcast(&q->cond);
			pthread_mutex_unlock(&q->lock);
		}
		return;
	}
	kfk_mpsc_push(&q->q, &ev->node);
}

static void wake(struct kfk_evq *q, bool fd)
{
	pthread_mutex_lock(&q->lock);
	atomic_fetch_add(&q->kicks, 1);
	if (fd)
		efd_signal(q);
	pthread_cond_broadcast(&q->cond);
	pthread_mutex_unlock(&q->lock);
}

void kfk_evq_kick(struct kfk_evq *q)
{
	wake(q, true);
}

void kfk_evq_wake(struct kfk_evq *q)
{
	wake(q, false);
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

/* Under the lock: sleeps until items wait (when `on_items`), a kick
 * newer than `kicks`, done() or the deadline (NULL: none). Returns true
 * when items wait or done() holds. */
static bool wait_locked_counted(struct kfk_evq *q, const struct timespec *dl,
                                unsigned kicks, bool on_items,
                                bool (*done)(void *), void *arg)
{
	for (;;) {
		if (on_items && (atomic_load(&q->pending) > 0 || q->cur))
			return true;
		if (done && done(arg))
			return true;
		if (atomic_load(&q->kicks) != kicks)
			return false;
		if (dl && ts_passed(dl))
			return false;
		if (dl)
			pthread_cond_timedwait(&q->cond, &q->lock, dl);
		else
			pthread_cond_wait(&q->cond, &q->lock);
	}
}

/* The same, counted in q->waiters (before its first look at pending) so
 * that kfk_evq_push() knows whether to signal. */
static bool wait_locked(struct kfk_evq *q, const struct timespec *dl,
                        unsigned kicks, bool on_items,
                        bool (*done)(void *), void *arg)
{
	bool ok;

	atomic_fetch_add(&q->waiters, 1);
	ok = wait_locked_counted(q, dl, kicks, on_items, done, arg);
	atomic_fetch_sub(&q->waiters, 1);
	return ok;
}

bool kfk_evq_wait(struct kfk_evq *q, int timeout_ms, bool (*done)(void *arg),
                  void *arg)
{
	struct timespec dl;
	bool ok;
	unsigned kicks;

	if (timeout_ms >= 0)
		kfk_deadline_ts(&dl, timeout_ms);
	pthread_mutex_lock(&q->lock);
	kicks = atomic_load(&q->kicks);
	ok = wait_locked(q, timeout_ms >= 0 ? &dl : NULL, kicks, false, done,
	                 arg);
	pthread_mutex_unlock(&q->lock);
	return ok;
}

/* Under the lock: the event to take from next, or NULL when none waits.
 * Spins (yielding) over the few instructions between a pusher's add and
 * its push, so pending > 0 always ends in an event. */
static struct kfk_ev *next_locked(struct kfk_evq *q)
{
	struct kfk_ev *ev;

	if (q->cur)
		return q->cur;
	while (!(ev = pop(q))) {
		if (atomic_load(&q->pending) == 0)
			return NULL;
		sched_yield();
	}
	q->cur = ev;
	q->cur_next = 0;
	return ev;
}

/* What take and serve do first: false, with nothing locked, for the
 * common poll(0) that finds nothing (no lock, no system call); else takes
 * the lock, having waited up to timeout_ms (-1: forever) for an item or a
 * kick. */
static bool lock_for_items(struct kfk_evq *q, int timeout_ms)
{
	struct timespec dl;

	if (timeout_ms == 0 && atomic_load(&q->pending) == 0 &&
	    !atomic_load(&q->efd_set))
		return false;
	if (timeout_ms > 0)
		kfk_deadline_ts(&dl, timeout_ms);
	pthread_mutex_lock(&q->lock);
	if (timeout_ms != 0)
		wait_locked(q, timeout_ms > 0 ? &dl : NULL,
		            atomic_load(&q->kicks), true, NULL, NULL);
	return true;
}

/* ------------------------------------------------------------------ */
/* Taking                                                              */
/* ------------------------------------------------------------------ */

/* Under the lock: copies out up to max items; fully taken events are put
 * on *donep (linked through node.next) for release outside the lock. */
static int take_locked(struct kfk_evq *q, int max, kfk_ev_copy_fn *copy,
                       void *arg, struct kfk_ev **donep)
{
	struct kfk_ev *ev;
	int n = 0;

	while (n < max && (ev = next_locked(q))) {
		int k = ev->items - q->cur_next;
		if (k > max - n)
			k = max - n;
		copy(arg, ev, q->cur_next, k, n);
		q->cur_next += k;
		/* Before looking for the next event: pending must not count
		 * these any more (next_locked waits while pending > 0). */
		atomic_fetch_sub(&q->pending, k);
		n += k;
		if (q->cur_next == ev->items) {
			q->cur = NULL;
			atomic_store_explicit(&ev->node.next,
			                      (struct kfk_mpsc_node *)*donep,
			                      memory_order_relaxed);
			*donep = ev;
		}
	}
	return n;
}

static void release_list(struct kfk_evq *q, struct kfk_ev *ev)
{
	while (ev) {
		struct kfk_ev *next = (struct kfk_ev *)(void *)atomic_load_explicit(
			&ev->node.next, memory_order_relaxed);
		q->release(ev, q->release_arg);
		ev = next;
	}
}

int kfk_evq_take(struct kfk_evq *q, int max, int timeout_ms,
                 kfk_ev_copy_fn *copy, void *arg)
{
	struct kfk_ev *done = NULL;
	int n;

	if (max <= 0)
		return 0;
	if (!lock_for_items(q, timeout_ms))
		return 0;
	n = take_locked(q, max, copy, arg, &done);
	efd_sync(q);
	pthread_mutex_unlock(&q->lock);
	release_list(q, done);
	return n;
}

/* ------------------------------------------------------------------ */
/* Serving                                                             */
/* ------------------------------------------------------------------ */

/* Under the lock: takes the rest of the next event whole; sets *firstp to
 * its first item not yet taken. NULL when none waits. */
static struct kfk_ev *take_whole_locked(struct kfk_evq *q, int32_t *firstp)
{
	struct kfk_ev *ev = next_locked(q);

	if (!ev)
		return NULL;
	*firstp = q->cur_next;
	atomic_fetch_sub(&q->pending, ev->items - q->cur_next);
	q->cur = NULL;
	return ev;
}

int kfk_evq_serve(struct kfk_evq *q, int timeout_ms, int max_events,
                  kfk_ev_serve_fn *serve, void *arg)
{
	int served = 0, events = 0;

	if (!lock_for_items(q, timeout_ms))
		return 0;
	for (;;) {
		struct kfk_ev *ev = NULL;
		int32_t first = 0;

		if (max_events <= 0 || events < max_events)
			ev = take_whole_locked(q, &first);
		efd_sync(q);
		pthread_mutex_unlock(&q->lock);
		if (!ev)
			return served;
		served += ev->items - first;
		serve(arg, ev, first);
		q->release(ev, q->release_arg);
		events++;
		pthread_mutex_lock(&q->lock);
	}
}
