/*
 * producer/partitioner.h: which partition a record goes to.
 *
 * kfk_produce() calls kfk_partitioner_choose() on the application's thread
 * for every record produced with KFK_PARTITION_ANY, once the topic's
 * partition count is known. Several application threads do so at once for
 * the same topic: nothing here takes a lock. The only shared mutable state
 * is the topic's struct kfk_sticky, a single atomic.
 *
 * The kinds are the values of the `partitioner` property (client/props.c
 * lists the same names and numbers; tests/unit/test_partitioner.c checks
 * that they agree). Keyed records always go where the hash sends them,
 * whether or not that partition has a leader right now: moving a key
 * elsewhere would break its ordering, so such records wait for the leader.
 * Records placed by chance (null keys) only go to available partitions
 * (those with a known leader) while at least one is available.
 *
 * Null keys and empty keys differ: a NULL key pointer is a null key; a
 * non-NULL pointer with length 0 is an empty key, which is hashed like any
 * other key, except by consistent_random (see below).
 *
 * The librdkafka kinds behave as librdkafka's partitioner functions
 * (rd_kafka_msg_partitioner_*; checked against librdkafka 2.0.2 on random
 * keys). librdkafka's produce path additionally diverts null-key records of
 * every kind but `random` to its own time-based sticky partition
 * (sticky.partitioning.linger.ms); kfk does not: batching of null-key
 * records is what the default murmur2_sticky is for.
 */
#ifndef KFK_PRODUCER_PARTITIONER_H
#define KFK_PRODUCER_PARTITIONER_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <kfk/producer.h>

/* Keyed records / null-key records (h(key) means hash % partition_cnt). */
enum kfk_partitioner_kind {
	/* The default, the Java client's: toPositive(murmur2(key)); null keys
	 * sticky (KIP-480, struct kfk_sticky below). */
	KFK_PARTITIONER_MURMUR2_STICKY = 0,
	/* librdkafka's default: crc32(key); null AND empty keys random. */
	KFK_PARTITIONER_CONSISTENT_RANDOM = 1,
	/* crc32(key); null keys hashed as empty: all go to partition 0. */
	KFK_PARTITIONER_CONSISTENT = 2,
	/* Every record random, key or not. */
	KFK_PARTITIONER_RANDOM = 3,
	/* toPositive(murmur2(key)); null keys hashed as empty: all go to
	 * toPositive(murmur2("")) % partition_cnt (275646681 % cnt). */
	KFK_PARTITIONER_MURMUR2 = 4,
	/* toPositive(murmur2(key)); null keys random. */
	KFK_PARTITIONER_MURMUR2_RANDOM = 5,
	/* librdkafka's fnv1a(key); null keys hashed as empty: all go to
	 * 0x7ee3623b % partition_cnt. */
	KFK_PARTITIONER_FNV1A = 6,
	/* librdkafka's fnv1a(key); null keys random. */
	KFK_PARTITIONER_FNV1A_RANDOM = 7
};

#define KFK_PARTITIONER_KIND_COUNT 8

/* The kind the `partitioner` property's value names (any case), or -1 when
 * it names none. Pure; any thread. */
int kfk_partitioner_by_name(const char *name);

/* The property value naming kind ("murmur2_sticky", ...), or "?" for a
 * value outside the enum. Static string; any thread. */
const char *kfk_partitioner_name(enum kfk_partitioner_kind kind);

/* A producer's partitioner: the configured kind and the application's
 * callback (kfk_conf_set_partitioner_cb(); NULL when none) with the conf's
 * opaque. Filled once when the producer is created, read-only afterwards,
 * so any number of threads may use it at once. */
struct kfk_partitioner {
	enum kfk_partitioner_kind kind;
	kfk_partitioner_cb *cb;
	void *opaque;
};

/* One topic's sticky partition for null-key records (KIP-480): the
 * partition whose open batch they all join, so that null-key traffic makes
 * few full batches instead of one small batch per partition. It moves,
 * to a different available partition chosen at random, when that batch is
 * closed (kfk_sticky_batch_closed()). Lives in the producer's per-topic
 * state; initialise with kfk_sticky_init() or KFK_STICKY_INIT. */
struct kfk_sticky {
	_Atomic int32_t partition; /* -1: none chosen yet */
};

#define KFK_STICKY_INIT {-1}

/* Sets s to "no partition chosen yet". Not thread-safe: call before the
 * state is shared. */
void kfk_sticky_init(struct kfk_sticky *s);

/*
 * The topic's current sticky partition. Chooses one (random among the
 * available ones) when none is chosen yet, or when the current one is out
 * of range (>= partition_cnt) or no longer available while another is.
 * When several threads choose at the same moment, one choice wins (atomic
 * compare-and-swap) and all of them return it.
 *
 * available[i] is nonzero when partition i has a known leader; NULL means
 * all are available. When none is, the choice is among all partitions.
 * Returns a partition in [0, partition_cnt), or -1 when partition_cnt < 1.
 * Lock-free, never blocks; any thread.
 */
int32_t kfk_sticky_get(struct kfk_sticky *s, int32_t partition_cnt,
                       const uint8_t *available);

/*
 * Tells the sticky state that the batch of `partition` has been closed
 * (full, lingered out or flushed): if partition is the sticky one, a new
 * sticky partition is chosen at random among the available partitions
 * other than it (when there is such a one), so the next null-key record
 * starts a batch elsewhere. Does nothing when partition is not the sticky
 * one, so the accumulator may call it for every batch of the topic it
 * closes, and when two threads report the same close only one moves it.
 *
 * As in the Java client, the natural moment is when a null-key record
 * finds its sticky partition's batch full: report the close, call
 * kfk_partitioner_choose() again, and append to the partition it returns.
 * Lock-free, never blocks; any thread.
 */
void kfk_sticky_batch_closed(struct kfk_sticky *s, int32_t partition,
                             int32_t partition_cnt, const uint8_t *available);

/*
 * Chooses the partition of one record of topic.
 *
 * key NULL is a null key; keylen is then ignored. partition_cnt is the
 * topic's partition count. sticky is the topic's sticky state, used by
 * murmur2_sticky for null keys; NULL makes those records random instead.
 * available as for kfk_sticky_get().
 *
 * The application's callback, when set, is asked first, whatever the
 * kind. A result in [0, partition_cnt) is taken as it is (even an
 * unavailable partition: the application decides). When it returns -1, or
 * anything outside that range, the record is placed by the configured
 * kind instead, as if there were no callback.
 *
 * Returns a partition in [0, partition_cnt), or -1 when partition_cnt < 1
 * (the callback is not called then). Lock-free; calls the application's
 * callback on the calling thread, with no lock held. Any thread.
 */
int32_t kfk_partitioner_choose(const struct kfk_partitioner *pt,
                               const char *topic, const void *key,
                               size_t keylen, int32_t partition_cnt,
                               struct kfk_sticky *sticky,
                               const uint8_t *available);

/* The configured kind's choice alone, without the callback (what
 * kfk_partitioner_choose() falls back to). Same contract. */
int32_t kfk_partitioner_choose_kind(enum kfk_partitioner_kind kind,
                                    const void *key, size_t keylen,
                                    int32_t partition_cnt,
                                    struct kfk_sticky *sticky,
                                    const uint8_t *available);

/* A random partition in [0, partition_cnt), uniform among the available
 * ones (among all when none is, or available is NULL); -1 when
 * partition_cnt < 1. Uses the calling thread's generator. */
int32_t kfk_partitioner_random(int32_t partition_cnt, const uint8_t *available);

/*
 * Random choices use a small per-thread generator (xorshift64*), seeded
 * on a thread's first use from the clock, the thread and a process-wide
 * counter, so threads neither share state nor draw the same sequence.
 * This seeds the calling thread's generator explicitly, for tests that
 * need a reproducible sequence. Any thread; affects only the caller.
 */
void kfk_partitioner_seed(uint64_t seed);

#endif /* KFK_PRODUCER_PARTITIONER_H */
