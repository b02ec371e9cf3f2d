/*
 * producer/sender.h: from closed batches to ProduceRequests and back.
 *
 * The sender's state machine runs on the client's control loop (one
 * thread, so its state needs no lock). It wakes when a partition has news
 * (kfk_sender_notify: a batch opened or closed), when a request finished,
 * on its timer (linger, retry backoff, delivery timeouts, waiting for
 * metadata) and on flush and purge. Each round (a "drain"):
 *   1. takes in the partitions with news and the finished requests;
 *   2. applies new metadata (partition counts, leaders) and moves pending
 *      records on;
 *   3. collects batches whose linger passed (all of them while a flush is
 *      in progress) into each partition's ready deque, and fails those
 *      past delivery.timeout.ms with KFK_ERR__MSG_TIMED_OUT;
 *   4. for each leader, packs the head batch of each of its ready
 *      partitions into a ProduceRequest, up to max.request.size, while it
 *      has fewer than max.in.flight.requests.per.connection requests out
 *      (with 1, also one batch per partition, so order holds across
 *      retries and leader moves);
 *   5. arms its timer for the next thing that will happen.
 * A request's batches are finished (compressed, CRC) by its encode
 * function on the broker's I/O thread; its outcome comes back to the
 * control loop (the request's owner loop, net/broker.h), where the
 * response is decoded and each batch is reported, or put back in front of its partition's deque to be retried
 * after retry.backoff.ms (doubling per attempt up to retry.backoff.max.ms,
 * +-20% jitter) while delivery.timeout.ms and `retries` allow; errors that
 * mean stale metadata ask for a refresh.
 *
 * Threads: kfk_sender_notify, _wake, _flush_* from any thread;
 * kfk_sender_purge and _stop from application threads (they wait for one
 * control-loop round); init/destroy from the producer's creating and
 * destroying thread.
 */
#ifndef KFK_PRODUCER_SENDER_H
#define KFK_PRODUCER_SENDER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "client/client.h"
#include "net/loop.h"
#include "producer/accumulator.h"
#include "producer/idempotence.h"
#include "util/backoff.h"
#include "util/mpsc.h"
#include "util/timerheap.h"

struct kfk_preq;

struct kfk_sender_config {
	int16_t acks;                 /* 0, 1 or -1 */
	int32_t max_in_flight;        /* per broker */
	int64_t max_request_size;     /* bytes of batches per request */
	int32_t request_timeout_ms;
	int64_t retry_backoff_us;
	int64_t retry_backoff_max_us;
	int64_t retries;              /* extra attempts per batch */
	int compression_level;        /* -1: the codec's default */
	bool idempotence;             /* enable.idempotence (after checks) */
};

/* A broker the sender has requests with. */
struct kfk_sender_node {
	int32_t id;
	int32_t in_flight;            /* requests */
};

struct kfk_sender {
	struct kfk_sender_config cfg;
	struct kfk_client *client;
	struct kfk_accum *acc;
	struct kfk_loop *loop;        /* the control loop */
	const struct kfk_logger *log;

	/* Any thread to the control loop. */
	struct kfk_mpsc parts_q;      /* partitions with news (pp->node) */
	struct kfk_loop_task task;
	atomic_bool posted;           /* task is queued */
	atomic_int flushing;          /* flushes in progress */
	atomic_bool stopped;
	atomic_bool dirty;            /* something may have become sendable */
	atomic_int_fast64_t wake_at;  /* the next round the sender will run
	                               * on its own (its timer), for notify */

	/* Control loop only. */
	struct kfk_ppart *active;     /* partitions with ready batches (or
	                               * that may have: pruned each round) */
	struct kfk_timerheap lingering; /* open batches by linger deadline
	                               * (pp->s_linger) */
	struct kfk_timer timer;
	struct kfk_notify_sub notify;  /* metadata and broker changes */
	int64_t timer_at;
	int64_t expire_at;            /* earliest ready batch deadline */
	struct kfk_sender_node *nodes;
	int node_cnt, node_cap;
	struct kfk_preq *reqs;        /* requests out, for purge */
	uint64_t md_version;
	struct kfk_sender_cand *cand; /* scratch for a round */
	int cand_cap;
	struct kfk_pid_mgr pid;       /* producer id and epoch (pid.h) */
	struct kfk_backoff retry_backoff; /* retry.backoff.ms: batches and
	                               * InitProducerId (KIP-580 jitter) */

	/* Counters for tests (atomic: read from any thread). */
	atomic_uint_fast64_t requests, retries, batches_sent, rounds;
};

/* For tests: the rounds p's sender has run so far (any thread). */
uint64_t kfk_producer_sender_rounds(kfk_producer *p);

/* Sets s up (no thread involved yet). client and acc must outlive it. */
void kfk_sender_init(struct kfk_sender *s, const struct kfk_sender_config *cfg,
                     struct kfk_client *client, struct kfk_accum *acc);

/* Frees what the sender still holds (requests that came back after the
 * stop). The client must have been destroyed (every request done). */
void kfk_sender_destroy(struct kfk_sender *s);

/* The accumulator's notify hook (arg: the sender): queues pp for the next
 * round, and wakes the control loop unless a round comes by `due` anyway.
 * Any thread; never blocks. */
void kfk_sender_notify(struct kfk_ppart *pp, int64_t due, void *arg);

/* Asks for a round soon. Any thread; never blocks; coalesced. */
void kfk_sender_wake(struct kfk_sender *s);

/* While a flush is in progress every open batch is closed and sent at
 * once (linger.ms is ignored). Any thread. */
void kfk_sender_flush_begin(struct kfk_sender *s);
void kfk_sender_flush_end(struct kfk_sender *s);

/* Fails the records flags selects (KFK_PURGE_QUEUED, _INFLIGHT) with
 * KFK_ERR__PURGED reports. Runs on the control loop and waits for it (one
 * loop round). Returns the number of records purged. Not from an I/O
 * thread. */
int kfk_sender_purge(struct kfk_sender *s, int flags);

/* Stops the sender: after it returns no request is sent, no timer runs,
 * and requests that finish are freed where they finish. Waits for one
 * control-loop round. Not from an I/O thread. */
void kfk_sender_stop(struct kfk_sender *s);

/* Reports every record not yet sent (open, closed and ready batches,
 * pending records) with err. Control loop. */
void kfk_sender_fail_queued(struct kfk_sender *s, kfk_err err);

/* ---- sender_req.c: requests (internal to the sender) ---- */

/* One ProduceRequest: its batches, sorted by topic, and the outcome. */
struct kfk_preq {
	struct kfk_req req;
	struct kfk_sender *s;
	struct kfk_preq *next, *prev; /* s->reqs */
	int32_t node_id;
	kfk_err err;                  /* the request's own error */
	int32_t batch_cnt;
	int32_t topic_cnt;
	struct kfk_pbatch **batches;
	/* Scratch for encode: one entry per topic / per batch. */
	struct kfk_produce_request_topic_produce_data *tdata;
	struct kfk_produce_request_partition_produce_data *pdata;
};

/* Builds a request of the n batches (sorted by topic; the request takes
 * over the sender's reference to each). NULL when out of memory. */
struct kfk_preq *kfk_preq_new(struct kfk_sender *s, int32_t node_id,
                              struct kfk_pbatch **batches, int32_t n);

/* Drops the request's reference to each of its batches and frees it. */
void kfk_preq_free(struct kfk_preq *pr);

/* The control loop's part of a finished request (its done() runs there,
 * the request's owner loop): per batch, report, retry or fail. */
void kfk_sender_complete(struct kfk_sender *s, struct kfk_preq *pr,
                         int64_t now_us);

/* b failed with err and may be tried again: re-queues it after its
 * backoff, or reports it (err, or KFK_ERR__MSG_TIMED_OUT past its delivery
 * timeout) when `retries` or delivery.timeout.ms forbid. Control loop. */
void kfk_sender_retry(struct kfk_sender *s, struct kfk_pbatch *b, kfk_err err,
                      int64_t now_us);

/* Puts b back in its partition's ready deque, in sequence order (before
 * the batches produced after it). Control loop only. */
void kfk_sender_requeue(struct kfk_sender *s, struct kfk_pbatch *b);

/* Makes pp one of the partitions the rounds look at. Control loop. */
void kfk_sender_activate(struct kfk_sender *s, struct kfk_ppart *pp);

#endif /* KFK_PRODUCER_SENDER_H */
