/*
 * The partitioners (see partitioner.h): the hash-based ones as the Java
 * client and librdkafka compute them, random placement, and the sticky
 * partition of null-key records.
 *
 * Hashes are taken modulo partition_cnt as unsigned 32-bit values, which is
 * what both reference clients do (Java on toPositive(), librdkafka on its
 * uint32_t hash), so every result is in [0, partition_cnt).
 */
#include "config.h"
#include "producer/partitioner.h"

#include <stdbool.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "producer/hash.h"

/* The property values, indexed by kind. */
static const char *const kind_names[KFK_PARTITIONER_KIND_COUNT] = {
	[KFK_PARTITIONER_MURMUR2_STICKY] = "murmur2_sticky",
	[KFK_PARTITIONER_CONSISTENT_RANDOM] = "consistent_random",
	[KFK_PARTITIONER_CONSISTENT] = "consistent",
	[KFK_PARTITIONER_RANDOM] = "random",
	[KFK_PARTITIONER_MURMUR2] = "murmur2",
	[KFK_PARTITIONER_MURMUR2_RANDOM] = "murmur2_random",
	[KFK_PARTITIONER_FNV1A] = "fnv1a",
	[KFK_PARTITIONER_FNV1A_RANDOM] = "fnv1a_random",
};

int kfk_partitioner_by_name(const char *name)
{
	int k;
	for (k = 0; name && k < KFK_PARTITIONER_KIND_COUNT; k++)
		if (strcasecmp(name, kind_names[k]) == 0)
			return k;
	return -1;
}

const char *kfk_partitioner_name(enum kfk_partitioner_kind kind)
{
	if ((unsigned)kind >= KFK_PARTITIONER_KIND_COUNT)
		return "?";
	return kind_names[kind];
}

/*
 * The per-thread generator. Random placement runs once per record on the
 * application's threads, so it must be cheap and must not contend: rand()
 * takes a lock in glibc and rand_r() is poor. xorshift64* is a few
 * instructions, and its state lives in thread-local storage.
 */
static _Thread_local uint64_t rng_state; /* 0: not seeded yet */
static atomic_uint_fast64_t rng_threads; /* threads seeded so far */

/* splitmix64: turns any seed, 0 and neighbouring values included, into a
 * well-mixed nonzero state (xorshift must never hold 0). */
static uint64_t mix64(uint64_t z)
{
	z += 0x9e3779b97f4a7c15u;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

void kfk_partitioner_seed(uint64_t seed)
{
	uint64_t s = mix64(seed);
	rng_state = s ? s : 0x9e3779b97f4a7c15u;
}

/* Different for every thread of every process: the wall clock, the pid,
 * the thread's own state address and a counter of seeded threads. */
static void rng_seed_thread(void)
{
	struct timespec ts;
	uint64_t n = atomic_fetch_add_explicit(&rng_threads, 1,
	                                       memory_order_relaxed);
	uint64_t who = (uint64_t)getpid() << 32 | (n & 0xffffffffu);

	clock_gettime(CLOCK_REALTIME, &ts);
	kfk_partitioner_seed(((uint64_t)ts.tv_sec << 32) ^ (uint64_t)ts.tv_nsec ^
	                     mix64(who) ^ (uint64_t)(uintptr_t)&rng_state);
}

static uint32_t rng_next(void)
{
	uint64_t x = rng_state;
	if (x == 0) {
		rng_seed_thread();
		x = rng_state;
	}
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return (uint32_t)((x * 0x2545f4914f6cdd1du) >> 32);
}

/* Uniform in [0, n) for n >= 1, by multiply-and-shift (Lemire): no
 * division, bias below n / 2^32, far too small to matter here. */
static uint32_t rng_below(uint32_t n)
{
	return (uint32_t)(((uint64_t)rng_next() * n) >> 32);
}

static inline bool is_available(const uint8_t *available, int32_t p)
{
	return available == NULL || available[p] != 0;
}

static inline bool is_candidate(const uint8_t *available, int32_t p,
                                int32_t exclude)
{
	return p != exclude && is_available(available, p);
}

/*
 * A partition chosen uniformly among the available ones other than
 * exclude (-1: none excluded); -1 when there is no such partition. A few
 * plain draws first: with most partitions available one of them hits, at
 * no cost in O(partition_cnt). Otherwise count the candidates and take one
 * at random. Both stages are uniform over the candidates, so the whole is.
 */
static int32_t pick_candidate(int32_t cnt, const uint8_t *available,
                              int32_t exclude)
{
	int32_t p, n = 0;
	int tries;

	for (tries = 0; tries < 4; tries++) {
		p = (int32_t)rng_below((uint32_t)cnt);
		if (is_candidate(available, p, exclude))
			return p;
	}
	for (p = 0; p < cnt; p++)
		n += is_candidate(available, p, exclude);
	if (n == 0)
		return -1;
	n = (int32_t)rng_below((uint32_t)n);
	for (p = 0;; p++)
		if (is_candidate(available, p, exclude) && n-- == 0)
			return p;
}

int32_t kfk_partitioner_random(int32_t partition_cnt, const uint8_t *available)
{
	int32_t p;

	if (partition_cnt < 1)
		return -1;
	p = pick_candidate(partition_cnt, available, -1);
	if (p < 0) /* none available: the record waits for a leader anywhere */
		p = (int32_t)rng_below((uint32_t)partition_cnt);
	return p;
}

/* The next sticky partition after prev (-1 or out of range: none):
 * available and not prev; else prev when it is the only available one;
 * else, nothing being available, any partition but prev. */
static int32_t sticky_next(int32_t cnt, const uint8_t *available, int32_t prev)
{
	bool prev_valid = prev >= 0 && prev < cnt;
	int32_t p = pick_candidate(cnt, available, prev);

	if (p < 0 && prev_valid && is_available(available, prev))
		return prev;
	if (p < 0)
		p = pick_candidate(cnt, NULL, prev);
	return p < 0 ? 0 : p; /* a single partition, and it is prev */
}

/* Whether cur may stay the sticky partition: in range, and available
 * unless no partition is (then nothing better exists). */
static bool sticky_usable(int32_t cur, int32_t cnt, const uint8_t *available)
{
	int32_t p;

	if (cur < 0 || cur >= cnt)
		return false;
	if (is_available(available, cur))
		return true;
	for (p = 0; p < cnt; p++)
		if (available[p])
			return false;
	return true;
}

void kfk_sticky_init(struct kfk_sticky *s)
{
	atomic_init(&s->partition, -1);
}

/* The sticky partition is a value on its own: it publishes no other data,
 * so relaxed atomics suffice; the CAS only decides whose choice wins. */
int32_t kfk_sticky_get(struct kfk_sticky *s, int32_t partition_cnt,
                       const uint8_t *available)
{
	int32_t cur, next = -1;
	int round;

	if (partition_cnt < 1)
		return -1;
	cur = atomic_load_explicit(&s->partition, memory_order_relaxed);
	/* Each failed CAS means another thread just stored its own fresh
	 * choice, which the next round almost always accepts; the bound only
	 * guards against pathological churn. */
	for (round = 0; round < 8; round++) {
		if (sticky_usable(cur, partition_cnt, available))
			return cur;
		next = sticky_next(partition_cnt, available, cur);
		if (atomic_compare_exchange_strong_explicit(
		        &s->partition, &cur, next, memory_order_relaxed,
		        memory_order_relaxed))
			return next;
	}
	return next;
}

void kfk_sticky_batch_closed(struct kfk_sticky *s, int32_t partition,
                             int32_t partition_cnt, const uint8_t *available)
{
	int32_t cur, next;

	if (partition < 0 || partition_cnt < 1)
		return;
	cur = atomic_load_explicit(&s->partition, memory_order_relaxed);
	if (cur != partition)
		return; /* not the sticky one, or another thread moved it */
	next = sticky_next(partition_cnt, available, partition);
	/* On failure someone else moved it since the load: keep theirs. */
	atomic_compare_exchange_strong_explicit(&s->partition, &cur, next,
	                                        memory_order_relaxed,
	                                        memory_order_relaxed);
}

static int32_t by_murmur2(const void *key, size_t len, int32_t cnt)
{
	uint32_t h = (uint32_t)kfk_hash_to_positive(kfk_hash_murmur2(key, len));
	return (int32_t)(h % (uint32_t)cnt);
}

static int32_t by_crc32(const void *key, size_t len, int32_t cnt)
{
	return (int32_t)(kfk_hash_crc32(key, len) % (uint32_t)cnt);
}

static int32_t by_fnv1a(const void *key, size_t len, int32_t cnt)
{
	return (int32_t)(kfk_hash_fnv1a(key, len) % (uint32_t)cnt);
}

int32_t kfk_partitioner_choose_kind(enum kfk_partitioner_kind kind,
                                    const void *key, size_t keylen,
                                    int32_t partition_cnt,
                                    struct kfk_sticky *sticky,
                                    const uint8_t *available)
{
	int32_t cnt = partition_cnt;

	if (cnt < 1)
		return -1;
	if (key == NULL)
		keylen = 0; /* a null key hashes as the empty key */
	switch (kind) {
	case KFK_PARTITIONER_CONSISTENT_RANDOM:
		/* librdkafka tests the length: empty keys are random too. */
		if (keylen == 0)
			return kfk_partitioner_random(cnt, available);
		return by_crc32(key, keylen, cnt);
	case KFK_PARTITIONER_CONSISTENT:
		return by_crc32(key, keylen, cnt);
	case KFK_PARTITIONER_RANDOM:
		return kfk_partitioner_random(cnt, available);
	case KFK_PARTITIONER_MURMUR2:
		return by_murmur2(key, keylen, cnt);
	case KFK_PARTITIONER_MURMUR2_RANDOM:
		if (key == NULL)
			return kfk_partitioner_random(cnt, available);
		return by_murmur2(key, keylen, cnt);
	case KFK_PARTITIONER_FNV1A:
		return by_fnv1a(key, keylen, cnt);
	case KFK_PARTITIONER_FNV1A_RANDOM:
		if (key == NULL)
			return kfk_partitioner_random(cnt, available);
		return by_fnv1a(key, keylen, cnt);
	case KFK_PARTITIONER_MURMUR2_STICKY:
	default: /* not a kind: the property's default */
		if (key != NULL)
			return by_murmur2(key, keylen, cnt);
		if (sticky == NULL)
			return kfk_partitioner_random(cnt, available);
		return kfk_sticky_get(sticky, cnt, available);
	}
}

int32_t kfk_partitioner_choose(const struct kfk_partitioner *pt,
                               const char *topic, const void *key,
                               size_t keylen, int32_t partition_cnt,
                               struct kfk_sticky *sticky,
                               const uint8_t *available)
{
	if (partition_cnt < 1)
		return -1;
	if (pt->cb != NULL) {
		int32_t p = pt->cb(topic, key, key ? keylen : 0, partition_cnt,
		                   pt->opaque);
		if (p >= 0 && p < partition_cnt)
			return p;
	}
	return kfk_partitioner_choose_kind(pt->kind, key, keylen, partition_cnt,
	                                   sticky, available);
}
