/*
 * client/events.h: the event queue towards the application.
 *
 * Every handle has one: the producer's delivery reports ride it now; the
 * consumer's messages and rebalances, the admin client's results and
 * errors for the error callback will. An event is a struct kfk_ev embedded
 * in whatever its owner needs to carry (a batch, a fetched record set, a
 * result), pushed by any thread and handed to the application by its own
 * poll call. An event carries `items` (>= 1) things the application sees
 * one by one (the records of a batch, the messages of a fetch): so
 * completing a batch of 1,000 records costs one push, and the poll expands
 * it.
 *
 * Properties the handles build on:
 *  - a file descriptor (kfk_evq_fd, an eventfd) readable exactly while
 *    items wait, for epoll, libuv, Go and Python loops; nobody but the
 *    queue reads it;
 *  - a poll with timeout 0 that finds nothing takes no lock and makes no
 *    system call (an atomic item count and an "eventfd written" flag are
 *    checked first), so an application may poll after every call;
 *  - waits with a timeout on a condition variable on the monotonic clock,
 *    ended early by a kick (a state change the queue cannot see).
 *
 * Threads:
 *  - kfk_evq_push(), kfk_evq_kick(), kfk_evq_wake(): any thread, kfk's
 *    I/O threads included; never block (the lock is taken only to wake a
 *    waiter when the queue was empty, or for a kick).
 *  - kfk_evq_take(), kfk_evq_serve(), kfk_evq_wait(): application threads,
 *    several at once; one lock serialises the popping. The copy function
 *    of take runs under that lock and must only copy; the serve function
 *    and the release function run with no lock of the queue held, so
 *    application callbacks may run from them and may poll again.
 *  - kfk_evq_init() and kfk_evq_destroy(): before and after every other
 *    use, on one thread.
 */
#ifndef KFK_CLIENT_EVENTS_H
#define KFK_CLIENT_EVENTS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <kfk/errors.h>

#include "util/mpsc.h"

/* What an event carries; its owner reads the rest of its struct by it. */
enum kfk_ev_type {
	KFK_EV_DELIVERY = 1, /* producer: the reports of one batch */
	KFK_EV_MESSAGES = 2, /* consumer: one partition's fetched messages */
	KFK_EV_REBALANCE = 3, /* consumer group: partitions assigned,
	                       * revoked or lost */
	KFK_EV_COMMIT = 4,   /* consumer group: an asynchronous commit's
	                      * outcome */
	KFK_EV_ADMIN_RESULT = 5, /* admin: an operation's result */
	/* next: KFK_EV_ERROR */
};

/* An event, embedded in its owner's struct. The queue owns the fields
 * below from push until it calls release(). */
struct kfk_ev {
	struct kfk_mpsc_node node;
	enum kfk_ev_type type;   /* set by the owner before the push */
	int32_t items;           /* set by kfk_evq_push() */
};

/* Called once per event when its last item has been taken or served (or
 * by kfk_evq_destroy() for events never served), with the queue's
 * release_arg. No lock of the queue held. */
typedef void kfk_ev_release_fn(struct kfk_ev *ev, void *arg);

/* take's copy: items [first, first + n) of ev into the caller's output
 * from index out. Runs under the queue's lock: copy, nothing else. */
typedef void kfk_ev_copy_fn(void *arg, const struct kfk_ev *ev,
                            int32_t first, int n, int out);

/* serve's function: items [first, ev->items) of ev, which the caller now
 * holds whole (released after it returns). No lock held. */
typedef void kfk_ev_serve_fn(void *arg, struct kfk_ev *ev, int32_t first);

struct kfk_evq {
	struct kfk_mpsc q;          /* pushed by anyone, popped under lock */
	/* Items pushed (or being pushed) and not yet taken. A pusher adds
	 * before it pushes, so the consumer never takes more than counted. */
	atomic_int_fast64_t pending;
	atomic_uint kicks;          /* bumped by kfk_evq_kick/wake() */
	atomic_int waiters;         /* threads in a wait (push signals them) */
	int efd;                    /* readable while pending > 0 */
	/* Set after each write to efd, cleared before draining it: a poll
	 * that finds nothing pending and this clear makes no system call. */
	atomic_bool efd_set;
	pthread_mutex_t lock;       /* the consumer side, cur, the waits */
	pthread_cond_t cond;        /* pending became > 0, or a kick */
	struct kfk_ev *cur;         /* an event partly taken (take()) */
	int32_t cur_next;           /* its next item */
	kfk_ev_release_fn *release;
	void *release_arg;
};

/* Sets up an empty queue. KFK_ERR__IO when no eventfd can be had
 * (nothing to undo then). */
kfk_err kfk_evq_init(struct kfk_evq *q, kfk_ev_release_fn *release,
                     void *release_arg);

/* Releases every event still queued, closes the eventfd. No other thread
 * may use the queue any more. */
void kfk_evq_destroy(struct kfk_evq *q);

/* Queues ev, which carries items (>= 1) items; ev->type must be set. Any
 * thread; never blocks. The queue owns ev until it calls release(). */
void kfk_evq_push(struct kfk_evq *q, struct kfk_ev *ev, int32_t items);

/* Moves up to max items out through copy(arg, ...), waiting up to
 * timeout_ms (-1: forever) for the first; a kick ends the wait early. An
 * event may be taken over several calls. Returns the number of items. */
int kfk_evq_take(struct kfk_evq *q, int max, int timeout_ms,
                 kfk_ev_copy_fn *copy, void *arg);

/* Hands waiting events to serve(arg, ev, first) one at a time (the rest
 * of each), waiting up to timeout_ms (-1: forever) for the first; a kick
 * ends the wait early. Serves what waits when it starts and what arrives
 * meanwhile, up to max_events events (<= 0: no limit) so that a steady
 * stream cannot keep the caller here forever. Returns the number of items
 * served. */
int kfk_evq_serve(struct kfk_evq *q, int timeout_ms, int max_events,
                  kfk_ev_serve_fn *serve, void *arg);

/* Waits up to timeout_ms (-1: forever) until a kick or done(arg) (checked
 * before waiting and after every wake-up, which a push into an empty
 * queue also causes). Events that wait do not end it. Returns true when
 * done() holds. */
bool kfk_evq_wait(struct kfk_evq *q, int timeout_ms, bool (*done)(void *arg),
                  void *arg);

/* Wakes every waiter of take/serve/wait, for a state change the queue
 * cannot see, and makes the fd readable once so an event loop notices (a
 * poll that finds nothing then clears it). Any thread. */
void kfk_evq_kick(struct kfk_evq *q);

/* The same without touching the fd: for waiters inside kfk calls only. */
void kfk_evq_wake(struct kfk_evq *q);

/* The eventfd: readable while items wait. Owned by the queue. */
static inline int kfk_evq_fd(const struct kfk_evq *q)
{
	return q->efd;
}

/* Items waiting to be taken (a snapshot). Any thread. */
static inline int64_t kfk_evq_pending(struct kfk_evq *q)
{
	return atomic_load(&q->pending);
}

#endif /* KFK_CLIENT_EVENTS_H */
