/*
 * util/timerheap.h: a binary min-heap of intrusive timers.
 *
 * Each event loop keeps its timeouts here (request timeouts, reconnect
 * backoff, linger, metadata refresh). The timer lives in the caller's
 * object; the heap stores pointers to timers and every timer knows its slot,
 * so cancel and re-arm are O(log n) without a search.
 *
 * Order: by deadline, then by the order in which timers were armed, so
 * timers with the same deadline fire first-armed-first (deterministic, and
 * what a sequence of "do this in 0 ms" calls expects).
 *
 * Thread rules: none inside. A heap belongs to one thread (its event loop);
 * every function below must be called by that thread only. Nothing blocks.
 * The heap never calls timer callbacks; its owner does (see net/loop.h).
 */
#ifndef KFK_UTIL_TIMERHEAP_H
#define KFK_UTIL_TIMERHEAP_H

#include <stddef.h>
#include <stdint.h>

#include <kfk/errors.h>

struct kfk_timer;

/* Called by the heap's owner when the timer expired; the timer is already
 * out of the heap, so the callback may re-arm it or free it. */
typedef void kfk_timer_cb(struct kfk_timer *t, void *opaque);

/* The index of a timer that is not in any heap. */
#define KFK_TIMER_IDLE ((size_t)-1)

/* Embed in the owning object; kfk_timer_init() before first use. */
struct kfk_timer {
	int64_t deadline;  /* when it expires, monotonic microseconds */
	uint64_t seq;      /* arming order, breaks ties between deadlines */
	kfk_timer_cb *cb;  /* called by the heap's owner on expiry */
	void *opaque;      /* passed to cb */
	size_t index;      /* slot in the heap, KFK_TIMER_IDLE when idle */
};

struct kfk_timerheap {
	struct kfk_timer **v;  /* v[0] is the earliest timer */
	size_t n;              /* armed timers */
	size_t cap;            /* slots allocated in v */
	uint64_t seq;          /* next arming number */
};

/* Makes t an idle timer that will call cb(t, opaque). */
void kfk_timer_init(struct kfk_timer *t, kfk_timer_cb *cb, void *opaque);

/* 1 when t is in a heap. */
static inline int kfk_timer_armed(const struct kfk_timer *t)
{
	return t->index != KFK_TIMER_IDLE;
}

/* An empty heap; allocates nothing until the first add. */
void kfk_timerheap_init(struct kfk_timerheap *h);

/* Frees the heap's array. Timers still in it are marked idle (their memory
 * belongs to their owners and is not touched otherwise). */
void kfk_timerheap_destroy(struct kfk_timerheap *h);

/* Arms idle timer t to expire at deadline (monotonic us). May grow the
 * array: KFK_ERR__NO_MEMORY (t stays idle); KFK_ERR__STATE if t is armed. */
kfk_err kfk_timerheap_add(struct kfk_timerheap *h, struct kfk_timer *t,
                          int64_t deadline);

/* Moves t to a new deadline, armed or not; it then fires after the timers
 * already armed for the same deadline. Only an idle t can need memory:
 * KFK_ERR__NO_MEMORY then, as for add. */
kfk_err kfk_timerheap_rearm(struct kfk_timerheap *h, struct kfk_timer *t,
                            int64_t deadline);

/* Takes t out of the heap. Returns 1 if it was armed, 0 if it was idle. */
int kfk_timerheap_cancel(struct kfk_timerheap *h, struct kfk_timer *t);

/* Removes and returns the earliest timer if its deadline is <= now, else
 * NULL. The caller runs the callback. */
struct kfk_timer *kfk_timerheap_pop_expired(struct kfk_timerheap *h,
                                            int64_t now);

/* The earliest deadline, or INT64_MAX when the heap is empty. */
static inline int64_t kfk_timerheap_next(const struct kfk_timerheap *h)
{
	return h->n ? h->v[0]->deadline : INT64_MAX;
}

/* Number of armed timers. */
static inline size_t kfk_timerheap_count(const struct kfk_timerheap *h)
{
	return h->n;
}

#endif /* KFK_UTIL_TIMERHEAP_H */
