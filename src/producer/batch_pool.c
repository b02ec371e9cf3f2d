/*
 * Batches kept for reuse (batch_pool.h).
 */
#include "config.h"
#include "producer/batch_pool.h"

#include "producer/batch.h"

void kfk_pbatch_pool_init(struct kfk_pbatch_pool *pool, size_t max_bytes)
{
	int i;

	pthread_mutex_init(&pool->lock, NULL);
	for (i = 0; i < KFK_PBATCH_POOL_CLASSES; i++)
		pool->free[i] = NULL;
	pool->bytes = 0;
	pool->max_bytes = max_bytes;
	pool->reused = 0;
}

void kfk_pbatch_pool_destroy(struct kfk_pbatch_pool *pool)
{
	struct kfk_pbatch *b;
	int i;

	for (i = 0; i < KFK_PBATCH_POOL_CLASSES; i++) {
		while ((b = pool->free[i])) {
			pool->free[i] = b->next;
			kfk_pbatch_free(b);
		}
	}
	pthread_mutex_destroy(&pool->lock);
}

/* The class whose buffers all hold `cap` (rounding up), or -1. */
static int class_for_take(size_t cap)
{
	int c = 0;

	while (((size_t)1 << (c + KFK_PBATCH_POOL_MIN_SHIFT)) < cap)
		c++;
	return c < KFK_PBATCH_POOL_CLASSES ? c : -1;
}

/* The class a buffer of `cap` serves (rounding down), or -1: below the
 * first class, or too big for the last (it would stand in for a 64 KB
 * buffer holding ten times that). */
static int class_for_give(size_t cap)
{
	int c = -1;

	if (cap >= (size_t)1 << (KFK_PBATCH_POOL_CLASSES +
	                         KFK_PBATCH_POOL_MIN_SHIFT))
		return -1;

	while (c + 1 < KFK_PBATCH_POOL_CLASSES &&
	       ((size_t)1 << (c + 1 + KFK_PBATCH_POOL_MIN_SHIFT)) <= cap)
		c++;
	return c;
}

/* What a kept batch holds besides its struct. */
static size_t held_bytes(const struct kfk_pbatch *b)
{
	size_t n = sizeof(*b) + b->buf.cap;

	if (b->opaques)
		n += (size_t)b->arr_cap * sizeof(void *);
	if (b->ts)
		n += (size_t)b->arr_cap * sizeof(int64_t);
	return n;
}

struct kfk_pbatch *kfk_pbatch_pool_take(struct kfk_pbatch_pool *pool,
                                        size_t cap)
{
	int c = class_for_take(cap), last;
	struct kfk_pbatch *b = NULL;

	if (c < 0)
		return NULL;
	/* A buffer up to four times the size asked for will do: batches
	 * grow, and what they grew to comes back here. */
	last = c + 2 < KFK_PBATCH_POOL_CLASSES ? c + 2
	                                       : KFK_PBATCH_POOL_CLASSES - 1;
	pthread_mutex_lock(&pool->lock);
	for (; c <= last && !b; c++) {
		if ((b = pool->free[c])) {
			pool->free[c] = b->next;
			pool->bytes -= held_bytes(b);
			pool->reused++;
		}
	}
	pthread_mutex_unlock(&pool->lock);
	return b;
}

void kfk_pbatch_pool_give(struct kfk_pbatch_pool *pool, struct kfk_pbatch *b)
{
	int c = class_for_give(b->buf.cap);
	size_t n = held_bytes(b);

	if (c >= 0) {
		pthread_mutex_lock(&pool->lock);
		if (pool->bytes + n <= pool->max_bytes) {
			b->next = pool->free[c];
			pool->free[c] = b;
			pool->bytes += n;
			b = NULL;
		}
		pthread_mutex_unlock(&pool->lock);
	}
	kfk_pbatch_free(b);
}
