/*
 * producer/reports.h: the delivery-report queue.
 *
 * Every record a producer accepted gets exactly one report. Reports travel
 * by batch: when a batch's outcome is known (on an I/O thread or the
 * control loop) its one struct kfk_dr is pushed here, and the application's
 * poll expands it into one struct kfk_delivery per record (its partition,
 * base_offset + i, its timestamp and its opaque). So completing a batch of
 * 1,000 records costs one push, not 1,000.
 *
 * Threads: kfk_reports_push() and kfk_reports_kick() from any thread, never
 * blocking (they take the queue's lock only to wake a waiter when the queue
 * was empty). The consumer side (take, serve) may be called from several
 * application threads at once: one lock serialises the popping, and the
 * delivery callback always runs with no lock held, so it may call any
 * producer function, poll included.
 *
 * The file descriptor (kfk_reports_fd) is an eventfd that is readable
 * exactly while records wait to be taken; pollers must not read it. Waits
 * (the timeout of poll) sleep on a condition variable on the monotonic
 * clock.
 */
#ifndef KFK_PRODUCER_REPORTS_H
#define KFK_PRODUCER_REPORTS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <kfk/producer.h>

#include "util/mpsc.h"

struct kfk_dr;

/* Called once per kfk_dr when its last record has been taken or served
 * (or by kfk_reports_destroy() for reports never served), with the queue's
 * release_arg. Runs on the application's thread that polled, with no lock
 * of the queue held. */
typedef void kfk_dr_release_fn(struct kfk_dr *dr, void *arg);

/*
 * The outcome of `count` records of one batch, usually embedded in the
 * batch. Everything it points to must stay valid until it is released.
 * Record i is reported with:
 *   offset     base_offset + i, or -1 when base_offset is -1;
 *   timestamp  log_append_time when >= 0, else timestamps[i] when
 *              timestamps is not NULL, else first_timestamp;
 *   opaque     opaques[i] when opaques is not NULL, else NULL.
 */
struct kfk_dr {
	struct kfk_mpsc_node node;  /* private to the queue */
	const char *topic;          /* outlives the producer's reports */
	int32_t partition;          /* -1 when the record never got one */
	kfk_err err;
	int64_t base_offset;
	int64_t log_append_time;
	int64_t first_timestamp;
	const int64_t *timestamps;
	void *const *opaques;
	int32_t count;              /* >= 1 */
	int kind;                   /* the owner's: what embeds this report */
};

struct kfk_reports {
	struct kfk_mpsc q;          /* pushed by anyone, popped under lock */
	/* Records pushed (or being pushed) and not yet taken. A pusher adds
	 * before it pushes, so the consumer never takes more than counted. */
	atomic_int_fast64_t pending;
	atomic_uint kicks;          /* bumped by kfk_reports_kick() */
	int efd;                    /* readable while pending > 0 */
	/* Set after each write to efd, cleared before draining it: a poll
	 * that finds nothing pending and this clear makes no system call. */
	atomic_bool efd_set;
	pthread_mutex_t lock;       /* the consumer side, cur, the waits */
	pthread_cond_t cond;        /* pending became > 0, or a kick */
	struct kfk_dr *cur;         /* a report partly taken (take()) */
	int32_t cur_next;           /* its next record */
	kfk_dr_release_fn *release;
	void *release_arg;
};

/* Sets up an empty queue. Returns KFK_ERR__IO when no eventfd can be had
 * (nothing to undo then). Not thread-safe: before the queue is shared. */
kfk_err kfk_reports_init(struct kfk_reports *r, kfk_dr_release_fn *release,
                         void *release_arg);

/* Releases every report still queued (release() is called for each),
 * closes the eventfd. No other thread may use the queue any more. */
void kfk_reports_destroy(struct kfk_reports *r);

/* Queues dr (dr->count >= 1 records). Any thread; never blocks. The queue
 * owns dr until it calls release(). */
void kfk_reports_push(struct kfk_reports *r, struct kfk_dr *dr);

/* Moves up to max reports into out[], waiting up to timeout_ms (-1:
 * forever) for the first one; a kick ends the wait early. Returns the
 * number moved. Any thread. Blocks only in that wait. */
int kfk_reports_take(struct kfk_reports *r, kfk_delivery *out, int max,
                     int timeout_ms);

/* Calls cb(p, &d, opaque) once per waiting report, waiting up to
 * timeout_ms (-1: forever) for the first; a kick ends the wait early.
 * Serves what waits when it starts, one batch at a time, and the batches
 * that arrive meanwhile, up to max_batches batches (<= 0: no limit) so that
 * a steady stream cannot keep the caller here forever. Returns the number
 * of reports served. cb runs on the calling thread with no lock held. */
int kfk_reports_serve(struct kfk_reports *r, kfk_delivery_cb *cb,
                      kfk_producer *p, void *opaque, int timeout_ms,
                      int max_batches);

/* Waits up to timeout_ms (-1: forever) until a kick happens or done(arg)
 * returns true (checked before waiting and after every wake-up, which a
 * push into an empty queue also causes). Reports that wait do not end it.
 * Returns true when done() holds. Any thread. */
bool kfk_reports_wait(struct kfk_reports *r, int timeout_ms,
                      bool (*done)(void *arg), void *arg);

/* Wakes every thread waiting in take/serve/wait, for a state change the
 * queue cannot see (the last record of a flush completed, a purge, records
 * waiting to be partitioned by the application's thread). Also makes the
 * fd readable once, so an event loop notices: a poll that finds no report
 * then clears it. Any thread; never blocks for long. */
void kfk_reports_kick(struct kfk_reports *r);

/* The same without touching the fd: for waiters inside kfk calls only
 * (flush waiting for its last record). */
void kfk_reports_wake(struct kfk_reports *r);

/* The eventfd: readable while reports wait. Owned by the queue. */
static inline int kfk_reports_fd(const struct kfk_reports *r)
{
	return r->efd;
}

/* Records waiting to be taken (a snapshot). Any thread. */
static inline int64_t kfk_reports_pending(struct kfk_reports *r)
{
	return atomic_load(&r->pending);
}

#endif /* KFK_PRODUCER_REPORTS_H */
