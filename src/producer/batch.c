/*
 * A producer batch (batch.h).
 */
#include "config.h"
#include "producer/batch.h"

#include <stdlib.h>
#include <string.h>

#include "codec/codec.h"
#include "producer/batch_pool.h"

/* A zeroed batch with a buffer of at least size_hint: a released one from
 * the pool (keeping its buffer and arrays) or a new one. */
static struct kfk_pbatch *batch_get(struct kfk_pbatch_pool *pool,
                                    size_t size_hint)
{
	struct kfk_pbatch *b = pool ? kfk_pbatch_pool_take(pool, size_hint)
	                            : NULL;
	struct kfk_batch_buf buf;
	void **opaques;
	int64_t *ts;
	int32_t arr_cap;

	if (!b) {
		if (!(b = calloc(1, sizeof(*b))))
			return NULL;
		if (size_hint && kfk_batch_buf_grow(&b->buf, size_hint)) {
			free(b);
			return NULL;
		}
		return b;
	}
	buf = b->buf;
	opaques = b->opaques;
	ts = b->ts;
	arr_cap = b->arr_cap;
	memset(b, 0, sizeof(*b));
	buf.len = 0;
	b->buf = buf;
	b->opaques = opaques;
	b->ts = ts;
	b->arr_cap = arr_cap;
	return b;
}

struct kfk_pbatch *kfk_pbatch_new(struct kfk_pbatch_pool *pool,
                                  struct kfk_ppart *part, const char *topic,
                                  int32_t partition, int codec,
                                  int64_t now_us, int64_t deadline_us,
                                  size_t size_hint)
{
	struct kfk_pbatch *b = batch_get(pool, size_hint);
	struct kfk_batch_opts o = {
		.base_offset = 0,
		.partition_leader_epoch = -1,
		.attributes = (int16_t)codec,
		.producer_id = -1,
		.producer_epoch = -1,
		.base_sequence = -1,
	};

	if (!b)
		return NULL;
	if (kfk_batch_writer_begin(&b->w, &b->buf, &o)) {
		kfk_pbatch_free(b);
		return NULL;
	}
	b->part = part;
	b->dr.topic = topic;
	b->dr.partition = partition;
	b->dr.base_offset = -1;
	b->dr.log_append_time = -1;
	b->created_us = now_us;
	b->deadline_us = deadline_us;
	b->res_offset = -1;
	b->res_log_append_time = -1;
	atomic_init(&b->refs, 1);
	atomic_init(&b->purged, false);
	return b;
}

void kfk_pbatch_free(struct kfk_pbatch *b)
{
	if (!b)
		return;
	kfk_batch_buf_free(&b->buf);
	free(b->opaques);
	free(b->ts);
	free(b);
}

/* Grows both per-record arrays (those that exist) to hold `need`. */
static kfk_err arrays_grow(struct kfk_pbatch *b, int32_t need)
{
	int32_t cap = b->arr_cap ? b->arr_cap : 16;
	void *p;

	while (cap < need)
		cap *= 2;
	if (b->opaques) {
		if (!(p = realloc(b->opaques, (size_t)cap * sizeof(void *))))
			return KFK_ERR__NO_MEMORY;
		b->opaques = p;
	}
	if (b->ts) {
		if (!(p = realloc(b->ts, (size_t)cap * sizeof(int64_t))))
			return KFK_ERR__NO_MEMORY;
		b->ts = p;
	}
	b->arr_cap = cap;
	return KFK_ERR_NONE;
}

/* Creates the opaque array, all NULL so far, with room for record n. */
static kfk_err opaques_start(struct kfk_pbatch *b, int32_t n)
{
	int32_t cap = b->arr_cap > n ? b->arr_cap : 16;

	while (cap <= n)
		cap *= 2;
	b->opaques = calloc((size_t)cap, sizeof(void *));
	if (!b->opaques)
		return KFK_ERR__NO_MEMORY;
	if (cap != b->arr_cap && arrays_grow(b, cap)) {
		free(b->opaques);
		b->opaques = NULL;
		return KFK_ERR__NO_MEMORY;
	}
	return KFK_ERR_NONE;
}

/* Creates the timestamp array, every earlier record at the first's. */
static kfk_err ts_start(struct kfk_pbatch *b, int32_t n)
{
	int32_t cap = b->arr_cap > n ? b->arr_cap : 16, i;

	while (cap <= n)
		cap *= 2;
	b->ts = malloc((size_t)cap * sizeof(int64_t));
	if (!b->ts)
		return KFK_ERR__NO_MEMORY;
	if (cap != b->arr_cap && arrays_grow(b, cap)) {
		free(b->ts);
		b->ts = NULL;
		return KFK_ERR__NO_MEMORY;
	}
	for (i = 0; i < n; i++)
		b->ts[i] = b->dr.first_timestamp;
	return KFK_ERR_NONE;
}

/* Makes room in the arrays for record n (the one being appended). */
static kfk_err arrays_prepare(struct kfk_pbatch *b, int32_t n, void *opaque,
                              int64_t timestamp)
{
	kfk_err err;

	if ((b->opaques || b->ts) && n >= b->arr_cap &&
	    (err = arrays_grow(b, n + 1)))
		return err;
	if (opaque && !b->opaques && (err = opaques_start(b, n)))
		return err;
	if (n > 0 && timestamp != b->dr.first_timestamp && !b->ts &&
	    (err = ts_start(b, n)))
		return err;
	return KFK_ERR_NONE;
}

kfk_err kfk_pbatch_append(struct kfk_pbatch *b, int64_t timestamp,
                          const void *key, int32_t key_len, const void *value,
                          int32_t value_len,
                          const struct kfk_record_header *hdrs,
                          size_t hdr_cnt, void *opaque, int64_t bytes)
{
	int32_t n = b->w.count;
	kfk_err err = arrays_prepare(b, n, opaque, timestamp);

	if (err)
		return err;
	err = kfk_batch_writer_append(&b->w, timestamp, key, key_len, value,
	                              value_len, hdrs, hdr_cnt);
	if (err)
		return err;
	if (n == 0)
		b->dr.first_timestamp = timestamp;
	if (b->opaques)
		b->opaques[n] = opaque;
	if (b->ts)
		b->ts[n] = timestamp;
	b->bytes += bytes;
	b->dr.count = n + 1;
	return KFK_ERR_NONE;
}

kfk_err kfk_pbatch_finish(struct kfk_pbatch *b, int level)
{
	kfk_err err;

	if (b->finished) {
		if (b->stamped_gen == b->idem_gen)
			return KFK_ERR_NONE;
		/* Re-sequenced after an epoch bump: same records, new state. */
		err = kfk_batch_set_producer_state(b->buf.data, b->buf.len,
		                                   b->pid, b->epoch,
		                                   b->base_seq);
		if (!err)
			b->stamped_gen = b->idem_gen;
		return err;
	}
	if (b->idem_gen)
		kfk_batch_writer_set_producer(&b->w, b->pid, b->epoch,
		                              b->base_seq);
	err = kfk_batch_writer_finish(&b->w, kfk_codec_compress, level, NULL);
	if (err)
		return err;
	b->finished = true;
	b->stamped_gen = b->idem_gen;
	return KFK_ERR_NONE;
}

void kfk_pbatch_set_outcome(struct kfk_pbatch *b, kfk_err err,
                            int64_t base_offset, int64_t log_append_time)
{
	b->dr.err = err;
	b->dr.base_offset = err ? -1 : base_offset;
	b->dr.log_append_time = err ? -1 : log_append_time;
	b->dr.opaques = b->opaques;
	b->dr.timestamps = b->ts;
}
