/*
 * producer/batch_pool: a released batch comes back to the next batch that
 * fits its buffer (its buffer and arrays kept, the rest as new), never to
 * one it is too small for, and the pool holds no more than its bound.
 */
#include "config.h"

#include <string.h>

#include "../kt.h"
#include "codec/codec.h"
#include "producer/batch.h"
#include "producer/batch_pool.h"

static struct kfk_pbatch *new_batch(struct kfk_pbatch_pool *pool,
                                    size_t hint)
{
	struct kfk_pbatch *b = kfk_pbatch_new(pool, NULL, "t", 3,
	                                      KFK_CODEC_NONE, 1000, 2000, hint);

	KT_ASSERT(b != NULL);
	return b;
}

static void append(struct kfk_pbatch *b, int n, void *opaque)
{
	char v[200];
	int i;

	memset(v, 'v', sizeof(v));
	for (i = 0; i < n; i++)
		KT_ASSERT_INT_EQ(kfk_pbatch_append(b, 5 + i, "k", 1, v,
		                                   (int32_t)sizeof(v), NULL, 0,
		                                   opaque, 100), 0);
}

KT_TEST(a_released_batch_is_reused_as_new)
{
	struct kfk_pbatch_pool pool;
	struct kfk_pbatch *b, *c;
	uint8_t *data;
	int x;

	kfk_pbatch_pool_init(&pool, 1 << 20);
	b = new_batch(&pool, 512);
	append(b, 20, &x); /* grows its buffer, opaques and timestamps */
	KT_ASSERT(b->buf.cap >= 4096);
	KT_ASSERT(b->opaques != NULL && b->ts != NULL);
	data = b->buf.data;
	b->attempts = 3;
	b->finished = true;
	kfk_pbatch_pool_give(&pool, b);
	KT_ASSERT(pool.bytes > 0);
	/* A 2 KB batch takes the 4 KB buffer (up to four times as big). */
	c = new_batch(&pool, 2048);
	KT_ASSERT(c == b);
	KT_ASSERT_INT_EQ(pool.reused, 1);
	KT_ASSERT_INT_EQ(pool.bytes, 0);
	KT_ASSERT(c->buf.data == data);
	KT_ASSERT_INT_EQ(kfk_pbatch_count(c), 0);
	KT_ASSERT_INT_EQ(c->attempts, 0);
	KT_ASSERT(!c->finished);
	KT_ASSERT_INT_EQ(c->dr.partition, 3);
	KT_ASSERT_INT_EQ(c->created_us, 1000);
	/* Its records are its own: one appended, one counted. */
	append(c, 1, NULL);
	KT_ASSERT_INT_EQ(kfk_pbatch_count(c), 1);
	KT_ASSERT_INT_EQ(c->dr.count, 1);
	KT_ASSERT(c->opaques[0] == NULL);
	KT_ASSERT_INT_EQ(c->bytes, 100);
	kfk_pbatch_free(c);
	kfk_pbatch_pool_destroy(&pool);
}

KT_TEST(a_batch_never_gets_a_buffer_too_small)
{
	struct kfk_pbatch_pool pool;
	struct kfk_pbatch *b, *c;

	kfk_pbatch_pool_init(&pool, 1 << 20);
	b = new_batch(&pool, 512);
	kfk_pbatch_pool_give(&pool, b);
	c = new_batch(&pool, 4096);
	KT_ASSERT(c != b);
	KT_ASSERT(c->buf.cap >= 4096);
	KT_ASSERT_INT_EQ(pool.reused, 0);
	kfk_pbatch_free(c);
	/* Nor one far too big: 512 B does not take a 64 KB buffer. */
	c = new_batch(&pool, 65536);
	kfk_pbatch_pool_give(&pool, c);
	b = new_batch(&pool, 512);
	KT_ASSERT(b != c);
	KT_ASSERT_INT_EQ(pool.reused, 1); /* the first 512 B one */
	kfk_pbatch_free(b);
	kfk_pbatch_pool_destroy(&pool);
}

KT_TEST(the_pool_holds_no_more_than_its_bound)
{
	struct kfk_pbatch_pool pool;
	struct kfk_pbatch *v[64];
	int i;

	kfk_pbatch_pool_init(&pool, 16384);
	for (i = 0; i < 64; i++)
		v[i] = new_batch(&pool, 1024);
	for (i = 0; i < 64; i++)
		kfk_pbatch_pool_give(&pool, v[i]);
	KT_ASSERT(pool.bytes <= 16384);
	KT_ASSERT(pool.bytes >= 16384 - (1024 + sizeof(struct kfk_pbatch)));
	/* Buffers above the largest class are never kept. */
	v[0] = new_batch(&pool, (size_t)4 << 20);
	i = (int)pool.bytes;
	kfk_pbatch_pool_give(&pool, v[0]);
	KT_ASSERT_INT_EQ((int)pool.bytes, i);
	kfk_pbatch_pool_destroy(&pool);
}

/* Room or not, a buffer bigger than the last class is freed: it used to be
 * filed under the last class, and a small batch then took (and grew, and
 * copied) a trimmed 256 KB buffer, 8-20% of the compressed workloads. */
KT_TEST(a_big_buffer_is_never_kept)
{
	struct kfk_pbatch_pool pool;
	struct kfk_pbatch *b;

	kfk_pbatch_pool_init(&pool, (size_t)64 << 20);
	b = new_batch(&pool, (size_t)256 << 10);
	kfk_pbatch_pool_give(&pool, b);
	KT_ASSERT_INT_EQ((int)pool.bytes, 0);
	/* The largest class is kept. */
	b = new_batch(&pool, (size_t)1 << (KFK_PBATCH_POOL_MIN_SHIFT +
	                                   KFK_PBATCH_POOL_CLASSES - 1));
	kfk_pbatch_pool_give(&pool, b);
	KT_ASSERT(pool.bytes > 0);
	kfk_pbatch_pool_destroy(&pool);
}
