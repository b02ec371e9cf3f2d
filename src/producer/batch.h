/*
 * producer/batch.h: one producer batch, from its first record to its
 * delivery report.
 *
 * Records are encoded into the batch's own buffer as they are produced
 * (proto/record_batch.h's writer), so the batch IS the bytes that travel:
 * finishing it (counts, CRC, compression) happens once, on the I/O thread
 * that first sends it, and a retry sends the same bytes again.
 *
 * Per record the batch keeps only what the delivery report needs and the
 * wire bytes do not give back cheaply: the opaque pointer and the
 * timestamp, each in an array grown geometrically, and each allocated only
 * once a record needs it (a non-NULL opaque, a timestamp different from the
 * first record's). So appending allocates nothing per record.
 *
 * Life: open (records appended under its partition's lock) -> closed
 * (immutable records, waiting for the sender) -> in requests (finished on
 * the I/O thread) -> reported (its embedded struct kfk_dr in the report
 * queue) -> released. A reference count covers the one case where two
 * owners overlap: a batch purged while a request still holds it.
 *
 * Thread rules are those of its owner at each step; nothing here locks.
 */
#ifndef KFK_PRODUCER_BATCH_H
#define KFK_PRODUCER_BATCH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <kfk/errors.h>

#include "producer/reports.h"
#include "proto/record_batch.h"

struct kfk_ppart;
struct kfk_pbatch_pool;

struct kfk_pbatch {
	struct kfk_dr dr;            /* the report; dr.count = records */
	struct kfk_ppart *part;
	struct kfk_batch_buf buf;    /* the batch bytes (buf.data[0..len)) */
	struct kfk_batch_writer w;
	void **opaques;              /* NULL until a non-NULL opaque */
	int64_t *ts;                 /* NULL while all equal the first */
	int32_t arr_cap;             /* entries allocated in each array */
	int64_t bytes;               /* accounted queue bytes */
	int64_t created_us;          /* monotonic: linger.ms counts from here */
	int64_t deadline_us;         /* delivery.timeout.ms runs out */
	uint64_t seq;                /* order within the partition */
	atomic_int refs;

	/* The sender's (control loop), and the request's while in one. */
	struct kfk_pbatch *next;     /* ready deque link */
	int64_t retry_at_us;         /* not sent again before (backoff) */
	int32_t attempts;            /* requests it was sent in */
	bool finished;               /* closed with its CRC (and compressed) */
	atomic_bool purged;          /* reported PURGED while in a request */
	kfk_err res_err;             /* the outcome its request brought */
	int64_t res_offset;
	int64_t res_log_append_time;

	/* Idempotence (the sender's; read by the I/O thread that encodes):
	 * the producer state the batch is sent with. Set when it is first
	 * sent, kept for its retries, set anew only after the epoch changed
	 * (idem_gen names the producer id and epoch; 0: not idempotent). */
	int64_t pid;
	int16_t epoch;
	int32_t base_seq;
	uint32_t idem_gen;
	uint32_t stamped_gen;        /* the state its bytes carry (I/O) */
};

/* A batch for part, with the writer opened for codec (KFK_CODEC_*;
 * compression happens at finish), taken from pool when it holds one with
 * a buffer of size_hint (pool may be NULL). deadline_us is created_us +
 * delivery.timeout.ms. Returns NULL when out of memory. One reference,
 * the caller's. */
struct kfk_pbatch *kfk_pbatch_new(struct kfk_pbatch_pool *pool,
                                  struct kfk_ppart *part, const char *topic,
                                  int32_t partition, int codec,
                                  int64_t now_us, int64_t deadline_us,
                                  size_t size_hint);

/* Appends one record (see kfk_batch_writer_append for the lengths; -1 is
 * null) with its opaque and its queue accounting. Allocates only when the
 * buffer or an array must grow. Returns KFK_ERR_NONE, KFK_ERR__NO_MEMORY
 * or the writer's error; on error the batch is unchanged. */
kfk_err kfk_pbatch_append(struct kfk_pbatch *b, int64_t timestamp,
                          const void *key, int32_t key_len, const void *value,
                          int32_t value_len,
                          const struct kfk_record_header *hdrs,
                          size_t hdr_cnt, void *opaque, int64_t bytes);

/* Bytes the batch holds before compression. */
static inline size_t kfk_pbatch_size(const struct kfk_pbatch *b)
{
	return b->buf.len;
}

static inline int32_t kfk_pbatch_count(const struct kfk_pbatch *b)
{
	return b->w.count;
}

/* Closes the records of a batch for good: compresses them (with the codec
 * it was opened with, at level) and writes counts and CRC, with the
 * producer state of b->pid, epoch, base_seq when b->idem_gen is set. Once
 * finished, it only rewrites that state (and the CRC) when idem_gen
 * changed since. Returns the writer's error (the batch is then unchanged).
 * Runs on the I/O thread that sends it. */
kfk_err kfk_pbatch_finish(struct kfk_pbatch *b, int level);

/* Sets the batch's report for err (offsets unknown) or for success at
 * base_offset with the broker's log_append_time (-1: CreateTime). */
void kfk_pbatch_set_outcome(struct kfk_pbatch *b, kfk_err err,
                            int64_t base_offset, int64_t log_append_time);

/* Takes a reference; any thread. */
static inline void kfk_pbatch_ref(struct kfk_pbatch *b)
{
	atomic_fetch_add(&b->refs, 1);
}

/* Drops a reference; returns true when it was the last: the caller then
 * gives the batch's queue accounting back and frees it with
 * kfk_pbatch_free() (accumulator.h's kfk_accum_batch_unref does both). */
static inline bool kfk_pbatch_unref(struct kfk_pbatch *b)
{
	return atomic_fetch_sub(&b->refs, 1) == 1;
}

/* Frees the batch and everything it holds. */
void kfk_pbatch_free(struct kfk_pbatch *b);

#endif /* KFK_PRODUCER_BATCH_H */
