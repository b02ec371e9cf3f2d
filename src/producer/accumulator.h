/*
 * producer/accumulator.h: where produced records wait to be sent.
 *
 * kfk_accum_produce() runs on the application's thread: it checks the
 * record's size, reserves room in the queue (queue.buffering.max.messages
 * and .kbytes), finds the topic, asks the partitioner, and encodes the
 * record straight into its partition's open batch under that partition's
 * lock. No allocation per record (batch.h). A batch closes when the next
 * record would pass batch.size, at batch.num.messages, when linger.ms has
 * passed since its first record, or on flush; closed batches wait in their
 * partition for the sender, which is told through the notify hook.
 *
 * Records for a topic whose partition count is not known yet are copied
 * into the topic's pending list (the one path that allocates per record:
 * it is rare and short) and placed when metadata arrives, in produce
 * order, before any later record of the topic. They fail with the topic's
 * error when metadata says it does not exist, or with
 * KFK_ERR__MSG_TIMED_OUT when delivery.timeout.ms passes first.
 *
 * Accounting. A record counts against the queue limits from the moment it
 * is accepted until its batch is released (its reports were served):
 * `msgs` and `bytes`. `unfinished` counts the records that have no report
 * yet (flush waits for it to reach zero).
 *
 * Threads: produce, the pending resolution and the metadata updates from
 * any thread; the collect function from the sender (control loop). Locks
 * as topic.h says; the application's partitioner is called with the
 * topic's lock held when it places pending records, so it must not call
 * back into the producer.
 */
#ifndef KFK_PRODUCER_ACCUMULATOR_H
#define KFK_PRODUCER_ACCUMULATOR_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <kfk/errors.h>

#include "client/metadata.h"
#include "producer/batch.h"
#include "producer/batch_pool.h"
#include "producer/partitioner.h"
#include "producer/reports.h"
#include "producer/topic.h"

/* What the accumulator is configured with (from the producer's conf). */
struct kfk_accum_config {
	int64_t linger_us;           /* linger.ms */
	int64_t batch_size;          /* batch.size */
	int32_t batch_num;           /* batch.num.messages */
	int64_t max_msgs;            /* queue.buffering.max.messages */
	int64_t max_bytes;           /* buffer.memory */
	int64_t max_block_ms;        /* max.block.ms; 0: never wait */
	int64_t message_max;         /* message.max.bytes */
	int64_t delivery_timeout_us; /* delivery.timeout.ms */
	int64_t propagation_us;      /* topic.metadata.propagation.max.ms */
	int codec;                   /* compression.type (KFK_CODEC_*) */
};

/* What the accumulator tells its owner; each may be NULL. Called with no
 * lock of the accumulator held. */
struct kfk_accum_hooks {
	/* A partition has news for the sender: a batch closed (due 0: at
	 * once) or opened (due: the end of its linger, in kfk_now_us()
	 * time). Called for every piece of news; the sender queues pp once
	 * (part->queued) and wakes up only when it would not look before
	 * `due` on its own. */
	void (*notify)(struct kfk_ppart *pp, int64_t due, void *arg);
	/* A topic was seen for the first time, or still has no partition
	 * count: fetch metadata for it (kfk_accum_update_topic() with what
	 * is known now, and a refresh). */
	void (*want_md)(struct kfk_ptopic *tp, void *arg);
	/* The topic does not exist (metadata has said so for
	 * topic.metadata.propagation.max.ms): its records fail with
	 * KFK_ERR__UNKNOWN_TOPIC. Once per topic. */
	void (*topic_gone)(struct kfk_ptopic *tp, void *arg);
	void *arg;
};

/* One record as kfk_accum_produce() takes it; lengths -1 mean null. */
struct kfk_precord {
	const char *topic;
	int32_t partition;           /* KFK_PARTITION_ANY or a partition */
	const void *key;
	int32_t key_len;
	const void *value;
	int32_t value_len;
	const struct kfk_record_header *hdrs;
	size_t hdr_cnt;
	int64_t timestamp;           /* ms since the epoch, already set */
	void *opaque;
};

/* A record waiting for its topic's partition count: a copy of everything
 * (in data[]), and the report it gets if it fails there. */
struct kfk_pending {
	struct kfk_dr dr;            /* count 1; opaques -> &opaque */
	struct kfk_pending *next;
	int32_t partition;
	int64_t timestamp;
	int64_t deadline_us;         /* delivery.timeout.ms runs out */
	uint64_t md_version;         /* metadata current when produced */
	int64_t bytes;               /* accounted queue bytes */
	void *opaque;
	int32_t key_len, value_len;
	size_t hdr_cnt;
	const uint8_t *key, *value;
	struct kfk_record_header *hdrs;
	max_align_t data[];
};

/* kfk_dr.kind values of the reports the accumulator makes. */
#define KFK_DR_BATCH 1
#define KFK_DR_PENDING 2

struct kfk_accum {
	struct kfk_accum_config cfg;
	struct kfk_partitioner pt;
	struct kfk_topic_table topics;
	struct kfk_reports *reports;
	struct kfk_accum_hooks hooks;
	struct kfk_pbatch_pool pool;     /* released batches, for reuse */

	atomic_int_fast64_t msgs;        /* accepted, batch not released */
	atomic_int_fast64_t bytes;
	atomic_int_fast64_t unfinished;  /* accepted, no report yet */
	atomic_int pending_topics;       /* topics with pending records */

	pthread_mutex_t space_lock;      /* waits for room (max.block.ms) */
	pthread_cond_t space_cond;
	atomic_int space_waiters;
};

/* Sets acc up. cfg, pt and hooks are copied; reports is where failed
 * pending records are reported (and later batches, by the sender); it
 * must outlive acc. Returns KFK_ERR__NO_MEMORY. */
kfk_err kfk_accum_init(struct kfk_accum *acc,
                       const struct kfk_accum_config *cfg,
                       const struct kfk_partitioner *pt,
                       struct kfk_reports *reports,
                       const struct kfk_accum_hooks *hooks);

/* Frees every topic, partition, batch and pending record acc still holds
 * (without reports). No other thread may use acc any more; reports that
 * reference acc's batches must have been destroyed first. */
void kfk_accum_destroy(struct kfk_accum *acc);

/* Accepts one record (see the top of this file). Returns KFK_ERR_NONE
 * (exactly one report will follow), KFK_ERR__MSG_SIZE_TOO_LARGE,
 * KFK_ERR__QUEUE_FULL (after waiting up to max.block.ms when that is
 * set), KFK_ERR__UNKNOWN_PARTITION (partition out of the known range),
 * KFK_ERR__INVALID_ARG, KFK_ERR__NO_MEMORY. Application threads; blocks
 * only while waiting for room. */
kfk_err kfk_accum_produce(struct kfk_accum *acc, const struct kfk_precord *r);

/* Brings topic tp up to date with md: its partition count and which
 * partitions have a leader, or its error. Any thread; takes tp->lock. */
void kfk_accum_update_topic(struct kfk_accum *acc, struct kfk_ptopic *tp,
                            const struct kfk_metadata *md);

/* kfk_accum_update_topic() for every topic. */
void kfk_accum_update_all(struct kfk_accum *acc,
                          const struct kfk_metadata *md);

/* Moves pending records on: places those whose topic's partitions are now
 * known (only when `may_place`: on an application thread, or when there is
 * no application partitioner), fails those whose topic metadata newer than
 * the record says is missing, and those past their delivery timeout.
 * Returns the number of records still pending. Any thread; takes each
 * pending topic's lock. */
int64_t kfk_accum_pending_run(struct kfk_accum *acc,
                              const struct kfk_metadata *md, int64_t now_us,
                              bool may_place);

/* 1 when a record of a pending topic could be placed now but needs an
 * application thread (an application partitioner is set). */
bool kfk_accum_pending_placeable(struct kfk_accum *acc);

/* The earliest delivery deadline among pending records (INT64_MAX: none).
 * Any thread. */
int64_t kfk_accum_pending_deadline(struct kfk_accum *acc);

/*
 * The sender's step for one partition, under its lock: closes the open
 * batch when `flush` or its linger has passed at now_us, and moves every
 * closed batch to the end of the partition's ready deque. Sets
 * pp->open_deadline_us (INT64_MAX when no batch is open). Returns the
 * number of batches moved. Tells the topic's sticky partitioner about a
 * batch it closed. Control loop only (the ready deque is the sender's).
 */
int kfk_accum_collect(struct kfk_accum *acc, struct kfk_ppart *pp,
                      int64_t now_us, bool flush);

/* Reports batch b (no longer owned by any partition or request list) with
 * its outcome: sets the report (kfk_pbatch_set_outcome), counts its
 * records as finished and queues the report. Any thread. */
void kfk_accum_report(struct kfk_accum *acc, struct kfk_pbatch *b,
                      kfk_err err, int64_t base_offset,
                      int64_t log_append_time);

/* Drops a reference to b; the last gives its queue accounting back (and
 * wakes a produce waiting for room) and frees it. Any thread. */
void kfk_accum_batch_unref(struct kfk_accum *acc, struct kfk_pbatch *b);

/* The release function for the report queue (kfk_reports_init's release,
 * with acc as its arg): frees what a served report belongs to. */
void kfk_accum_dr_release(struct kfk_dr *dr, void *acc);

/* Purge (the sender's, on the control loop): reports the open batch and
 * the closed batches of pp with err (KFK_ERR__PURGED, or KFK_ERR__FATAL
 * once the producer cannot go on); returns their records. */
int64_t kfk_accum_purge_part(struct kfk_accum *acc, struct kfk_ppart *pp,
                             kfk_err err);

/* Reports every pending record with err; returns how many. */
int64_t kfk_accum_purge_pending(struct kfk_accum *acc, kfk_err err);

/* Calls fn for every partition object of every topic (under each topic's
 * lock: fn must not take a topic lock). */
void kfk_accum_foreach_part(struct kfk_accum *acc,
                            void (*fn)(struct kfk_ppart *pp, void *arg),
                            void *arg);

/* Records accepted and not yet released (kfk_producer_outstanding), and
 * those without a report yet. Any thread. */
static inline int64_t kfk_accum_outstanding(struct kfk_accum *acc)
{
	return atomic_load(&acc->msgs);
}

static inline int64_t kfk_accum_unfinished(struct kfk_accum *acc)
{
	return atomic_load(&acc->unfinished);
}

#endif /* KFK_PRODUCER_ACCUMULATOR_H */
