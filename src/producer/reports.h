/*
 * producer/reports.h: the delivery reports on the producer's event queue.
 *
 * Every record a producer accepted gets exactly one report. Reports travel
 * by batch: when a batch's outcome is known (on an I/O thread or the
 * control loop) its one struct kfk_dr is pushed as one event of the
 * producer's queue (client/events.h), and the application's poll expands
 * it into one struct kfk_delivery per record (its partition, base_offset
 * + i, its timestamp and its opaque). So completing a batch of 1,000
 * records costs one push, not 1,000.
 *
 * This is the producer-specific layer: what a report carries and how one
 * becomes kfk_delivery structs. The queue itself (the fd, the fast empty
 * poll, the waits, which thread may call what) is client/events.h:
 * push, kick and wake from any thread without blocking; take, serve and
 * wait from application threads, several at once; the delivery callback
 * always runs with no lock held, so it may call any producer function,
 * poll included.
 */
#ifndef KFK_PRODUCER_REPORTS_H
#define KFK_PRODUCER_REPORTS_H

#include <stdbool.h>
#include <stdint.h>

#include <kfk/producer.h>

#include "client/events.h"

struct kfk_dr;

/* Called once per kfk_dr when its last record has been taken or served
 * (or by kfk_reports_destroy() for reports never served), with the
 * release_arg given to kfk_reports_init(). Runs on the application's
 * thread that polled, with no lock of the queue held. */
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
	struct kfk_ev ev;           /* private to the queue */
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
	struct kfk_evq q;
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

/* Moves up to max reports into out[] (this library's kfk_delivery),
 * waiting up to timeout_ms (-1: forever) for the first one; a kick ends
 * the wait early. Returns the number moved. Blocks only in that wait. */
int kfk_reports_take(struct kfk_reports *r, kfk_delivery *out, int max,
                     int timeout_ms);

/* Calls cb(p, &d, opaque) once per waiting report, waiting up to
 * timeout_ms (-1: forever) for the first; a kick ends the wait early.
 * Serves up to max_batches batches (<= 0: no limit), see kfk_evq_serve().
 * Returns the number of reports served. cb runs on the calling thread
 * with no lock held. */
int kfk_reports_serve(struct kfk_reports *r, kfk_delivery_cb *cb,
                      kfk_producer *p, void *opaque, int timeout_ms,
                      int max_batches);

/* kfk_evq_wait(): until a kick or done(arg); reports do not end it. */
static inline bool kfk_reports_wait(struct kfk_reports *r, int timeout_ms,
                                    bool (*done)(void *arg), void *arg)
{
	return kfk_evq_wait(&r->q, timeout_ms, done, arg);
}

/* Wakes every waiter for a state change the queue cannot see (the last
 * record of a flush completed, a purge, records waiting to be partitioned
 * by the application's thread); also makes the fd readable once. Any
 * thread. */
static inline void kfk_reports_kick(struct kfk_reports *r)
{
	kfk_evq_kick(&r->q);
}

/* The same without touching the fd: for waiters inside kfk calls only
 * (flush waiting for its last record). */
static inline void kfk_reports_wake(struct kfk_reports *r)
{
	kfk_evq_wake(&r->q);
}

/* The eventfd: readable while reports wait. Owned by the queue. */
static inline int kfk_reports_fd(const struct kfk_reports *r)
{
	return kfk_evq_fd(&r->q);
}

/* Records waiting to be taken (a snapshot). Any thread. */
static inline int64_t kfk_reports_pending(struct kfk_reports *r)
{
	return kfk_evq_pending(&r->q);
}

#endif /* KFK_PRODUCER_REPORTS_H */
