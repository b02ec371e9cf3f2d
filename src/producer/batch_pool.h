/*
 * producer/batch_pool.h: batches kept for reuse, with their buffers.
 *
 * Why: with records spread over thousands of partitions a batch holds a
 * record or two, and each one cost a calloc for the struct, a malloc for
 * its buffer and another for its opaque array, freed again when its report
 * was served: a quarter of the producing thread's time went to malloc and
 * free (1M keyed records over 10,000 partitions). A released batch now
 * goes back here with its buffer and arrays, and the next batch of that
 * size takes it.
 *
 * Bounded: buffers are kept by capacity class (512 B, 1 KB, ... 16 KB, a
 * power of two each: the small batches of many partitions) up to
 * `max_bytes` in all (buffer.memory / 4: what the records may hold, the
 * pool adds at most a quarter). Larger buffers, and whatever does not
 * fit, are freed: a big batch's malloc is spread over many records, and
 * keeping them (up to 64 KB, or larger ones filed under 64 KB) cost the
 * compressed workloads of bench/compare-producer 8-20% (a buffer taken
 * for a batch that then grew it again, copying).
 *
 * Threads: any; one mutex, taken once per batch (not per record). Taken
 * under a partition's lock (pp->lock before the pool's lock).
 */
#ifndef KFK_PRODUCER_BATCH_POOL_H
#define KFK_PRODUCER_BATCH_POOL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

struct kfk_pbatch;

/* Classes 2^9 .. 2^14 bytes of buffer capacity. */
#define KFK_PBATCH_POOL_MIN_SHIFT 9
#define KFK_PBATCH_POOL_CLASSES 6

struct kfk_pbatch_pool {
	pthread_mutex_t lock;
	struct kfk_pbatch *free[KFK_PBATCH_POOL_CLASSES]; /* by b->next */
	size_t bytes;                 /* held: buffers and arrays */
	size_t max_bytes;
	uint64_t reused;              /* for tests: takes that found one */
};

void kfk_pbatch_pool_init(struct kfk_pbatch_pool *pool, size_t max_bytes);

/* Frees every batch the pool holds. */
void kfk_pbatch_pool_destroy(struct kfk_pbatch_pool *pool);

/* A released batch whose buffer holds at least `cap` bytes, or NULL.
 * Its fields are as kfk_pbatch_free left them apart from buf (len 0),
 * opaques, ts and arr_cap: the caller sets it up again. */
struct kfk_pbatch *kfk_pbatch_pool_take(struct kfk_pbatch_pool *pool,
                                        size_t cap);

/* Keeps b (no reference left) for a later take, or frees it. */
void kfk_pbatch_pool_give(struct kfk_pbatch_pool *pool, struct kfk_pbatch *b);

#endif /* KFK_PRODUCER_BATCH_POOL_H */
