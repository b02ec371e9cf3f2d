/*
 * proto/record_encode.c: writing record batch v2 in place.
 *
 * A record's length prefix comes before the record, so each append first
 * adds up the record's size (a handful of varint sizes), makes room once,
 * then writes every field straight into its final place: no scratch copy,
 * no memmove, no allocation unless the buffer must grow.
 */
#include "config.h"

#include "proto/record_batch.h"

#include <stdlib.h>
#include <string.h>

#include "util/crc32c.h"
#include "util/varint.h"

kfk_err kfk_batch_buf_grow(struct kfk_batch_buf *b, size_t more)
{
	size_t need, cap;
	uint8_t *p;

	if (more > SIZE_MAX - b->len)
		return KFK_ERR__NO_MEMORY;
	need = b->len + more;
	if (need <= b->cap)
		return KFK_ERR_NONE;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = realloc(b->data, cap);
	if (!p)
		return KFK_ERR__NO_MEMORY;
	b->data = p;
	b->cap = cap;
	return KFK_ERR_NONE;
}

void kfk_batch_buf_free(struct kfk_batch_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

kfk_err kfk_batch_writer_begin(struct kfk_batch_writer *w,
                               struct kfk_batch_buf *out,
                               const struct kfk_batch_opts *o)
{
	uint8_t *h;

	if ((o->attributes & KFK_BATCH_ATTR_CODEC_MASK) > KFK_BATCH_CODEC_ZSTD)
		return KFK_ERR__INVALID_ARG;
	if (kfk_batch_buf_reserve(out, KFK_BATCH_HEADER_SIZE))
		return KFK_ERR__NO_MEMORY;
	memset(w, 0, sizeof(*w));
	w->out = out;
	w->start = out->len;
	w->attributes = o->attributes;
	w->log_append_time = o->log_append_time;
	w->first_timestamp = -1;
	w->max_timestamp = -1;

	/* Counts, timestamps, length and CRC are filled in by finish. */
	h = out->data + out->len;
	memset(h, 0, KFK_BATCH_HEADER_SIZE);
	kfk_rb_put64(h, (uint64_t)o->base_offset);
	kfk_rb_put32(h + 12, (uint32_t)o->partition_leader_epoch);
	h[KFK_BATCH_MAGIC_OFFSET] = 2;
	kfk_rb_put16(h + 21, (uint16_t)o->attributes);
	kfk_rb_put64(h + 43, (uint64_t)o->producer_id);
	kfk_rb_put16(h + 51, (uint16_t)o->producer_epoch);
	kfk_rb_put32(h + 53, (uint32_t)o->base_sequence);
	out->len += KFK_BATCH_HEADER_SIZE;
	return KFK_ERR_NONE;
}

/* kfk_varint_size without the loop: this runs several times per record. */
static inline size_t vsize(int64_t v)
{
	uint64_t z = kfk_zigzag64(v);
	if (z < 0x80)
		return 1; /* most deltas, counts and short lengths */
	return (size_t)(64 - __builtin_clzll(z) + 6) / 7;
}

static inline size_t bytes_size(int32_t len)
{
	return vsize(len) + (len > 0 ? (size_t)len : 0);
}

/* Size of a record without its length prefix; the inputs are valid. */
static inline size_t record_body_size(int64_t ts_delta, int32_t offset_delta,
                               int32_t key_len, int32_t value_len,
                               const struct kfk_record_header *hdrs, size_t n)
{
	size_t size = 1 + vsize(ts_delta) + vsize(offset_delta) +
	              bytes_size(key_len) + bytes_size(value_len) +
	              vsize((int64_t)n);
	size_t i;

	for (i = 0; i < n; i++)
		size += bytes_size(hdrs[i].key_len) + bytes_size(hdrs[i].value_len);
	return size;
}

/* first + delta without signed overflow (timestamps come from users). */
static int64_t ts_delta_of(const struct kfk_batch_writer *w, int64_t ts)
{
	if (w->count == 0)
		return 0;
	return (int64_t)((uint64_t)ts - (uint64_t)w->first_timestamp);
}

size_t kfk_batch_writer_record_size(const struct kfk_batch_writer *w,
                                    int64_t timestamp, int32_t key_len,
                                    int32_t value_len,
                                    const struct kfk_record_header *headers,
                                    size_t header_count)
{
	size_t body =
	    record_body_size(ts_delta_of(w, timestamp), w->count, key_len,
	                     value_len, headers, header_count);
	return vsize((int64_t)body) + body;
}

static int bad_bytes(const void *p, int32_t len)
{
	return len < -1 || (len > 0 && !p);
}

static kfk_err check_record(const struct kfk_batch_writer *w, const void *key,
                            int32_t key_len, const void *value,
                            int32_t value_len,
                            const struct kfk_record_header *hdrs, size_t n)
{
	size_t i;

	if (bad_bytes(key, key_len) || bad_bytes(value, value_len) ||
	    (n && !hdrs) || n > INT32_MAX)
		return KFK_ERR__INVALID_ARG;
	for (i = 0; i < n; i++)
		if (hdrs[i].key_len < 0 || bad_bytes(hdrs[i].key, hdrs[i].key_len) ||
		    bad_bytes(hdrs[i].value, hdrs[i].value_len))
			return KFK_ERR__INVALID_ARG;
	if (w->count == INT32_MAX)
		return KFK_ERR__MSG_SIZE_TOO_LARGE;
	return KFK_ERR_NONE;
}

static inline uint8_t *put_bytes(uint8_t *p, const void *data, int32_t len)
{
	p += kfk_varint_put(p, len);
	if (len > 0) {
		memcpy(p, data, (size_t)len);
		p += len;
	}
	return p;
}

kfk_err kfk_batch_writer_append(struct kfk_batch_writer *w, int64_t timestamp,
                                const void *key, int32_t key_len,
                                const void *value, int32_t value_len,
                                const struct kfk_record_header *hdrs, size_t n)
{
	int64_t ts_delta = ts_delta_of(w, timestamp);
	size_t body, total, i;
	uint8_t *p;
	kfk_err err;

	if ((err = check_record(w, key, key_len, value, value_len, hdrs, n)))
		return err;
	body = record_body_size(ts_delta, w->count, key_len, value_len, hdrs, n);
	total = vsize((int64_t)body) + body;
	/* batch_length counts from byte 12 and is an int32. */
	if (w->out->len - w->start - KFK_BATCH_LOG_OVERHEAD + total > INT32_MAX)
		return KFK_ERR__MSG_SIZE_TOO_LARGE;
	if (kfk_batch_buf_reserve(w->out, total))
		return KFK_ERR__NO_MEMORY;

	p = w->out->data + w->out->len;
	p += kfk_varint_put(p, (int64_t)body);
	*p++ = 0; /* record attributes: none defined */
	p += kfk_varint_put(p, ts_delta);
	p += kfk_varint_put(p, w->count);
	p = put_bytes(p, key, key_len);
	p = put_bytes(p, value, value_len);
	p += kfk_varint_put(p, (int64_t)n);
	for (i = 0; i < n; i++) {
		p = put_bytes(p, hdrs[i].key, hdrs[i].key_len);
		p = put_bytes(p, hdrs[i].value, hdrs[i].value_len);
	}
	w->out->len += total;

	if (w->count == 0)
		w->first_timestamp = w->max_timestamp = timestamp;
	else if (timestamp > w->max_timestamp)
		w->max_timestamp = timestamp;
	w->count++;
	return KFK_ERR_NONE;
}

kfk_err kfk_batch_writer_append_control(struct kfk_batch_writer *w,
                                        int64_t timestamp, int16_t type,
                                        int32_t coordinator_epoch)
{
	uint8_t key[4], value[6];

	if (!(w->attributes & KFK_BATCH_ATTR_CONTROL))
		return KFK_ERR__INVALID_ARG;
	kfk_rb_put16(key, 0); /* key version */
	kfk_rb_put16(key + 2, (uint16_t)type);
	kfk_rb_put16(value, 0); /* value version */
	kfk_rb_put32(value + 2, (uint32_t)coordinator_epoch);
	return kfk_batch_writer_append(w, timestamp, key, sizeof(key), value,
	                               sizeof(value), NULL, 0);
}

/* Gives back what compression freed when it is worth a call: a batch
 * waits for its response (and retries) holding only its compressed size. */
static void trim(struct kfk_batch_buf *b)
{
	uint8_t *p;

	if (b->cap - b->len < 16384 || b->cap - b->len < b->len / 4)
		return;
	if ((p = realloc(b->data, b->len ? b->len : 1))) {
		b->data = p;
		b->cap = b->len;
	}
}

/* Replaces the records section (from `at` on) by its compressed form. */
static kfk_err compress_records(struct kfk_batch_writer *w,
                                kfk_batch_compress_fn compress, int level)
{
	struct kfk_batch_buf *out = w->out;
	size_t at = w->start + KFK_BATCH_HEADER_SIZE, zlen = 0;
	void *z = NULL;
	kfk_err err;

	if (!compress)
		return KFK_ERR__INVALID_ARG;
	err = compress(w->attributes & KFK_BATCH_ATTR_CODEC_MASK, level,
	               out->data + at, out->len - at, &z, &zlen);
	if (err)
		return err;
	if (at - w->start - KFK_BATCH_LOG_OVERHEAD + zlen > INT32_MAX)
		err = KFK_ERR__MSG_SIZE_TOO_LARGE;
	else if (zlen > out->len - at)
		err = kfk_batch_buf_reserve(out, zlen - (out->len - at));
	if (!err) {
		memcpy(out->data + at, z, zlen);
		out->len = at + zlen;
		trim(out);
	}
	free(z);
	return err;
}

/* The CRC covers attributes to the end: everything a broker does not
 * rewrite (it assigns base offset and leader epoch without re-checksumming). */
static void put_crc(uint8_t *batch, size_t size)
{
	uint32_t crc = kfk_crc32c(0, batch + KFK_BATCH_ATTR_OFFSET,
	                          size - KFK_BATCH_ATTR_OFFSET);
	kfk_rb_put32(batch + KFK_BATCH_CRC_OFFSET, crc);
}

kfk_err kfk_batch_writer_finish(struct kfk_batch_writer *w,
                                kfk_batch_compress_fn compress, int level,
                                size_t *sizep)
{
	int64_t max_ts = w->max_timestamp;
	size_t size;
	uint8_t *h;
	kfk_err err;

	if (w->attributes & KFK_BATCH_ATTR_CODEC_MASK) {
		if ((err = compress_records(w, compress, level)))
			return err;
	}
	if (w->attributes & KFK_BATCH_ATTR_LOG_APPEND_TIME)
		max_ts = w->log_append_time;
	h = w->out->data + w->start;
	size = w->out->len - w->start;
	kfk_rb_put32(h + 8, (uint32_t)(size - KFK_BATCH_LOG_OVERHEAD));
	kfk_rb_put32(h + 23, (uint32_t)(w->count ? w->count - 1 : 0));
	kfk_rb_put64(h + 27, (uint64_t)w->first_timestamp);
	kfk_rb_put64(h + 35, (uint64_t)max_ts);
	kfk_rb_put32(h + 57, (uint32_t)w->count);
	put_crc(h, size);
	if (sizep)
		*sizep = size;
	return KFK_ERR_NONE;
}

void kfk_batch_writer_abort(struct kfk_batch_writer *w)
{
	w->out->len = w->start;
	w->count = 0;
}

void kfk_batch_writer_set_producer(struct kfk_batch_writer *w,
                                   int64_t producer_id,
                                   int16_t producer_epoch,
                                   int32_t base_sequence)
{
	uint8_t *h = w->out->data + w->start;

	kfk_rb_put64(h + 43, (uint64_t)producer_id);
	kfk_rb_put16(h + 51, (uint16_t)producer_epoch);
	kfk_rb_put32(h + 53, (uint32_t)base_sequence);
}

kfk_err kfk_batch_set_producer_state(uint8_t *data, size_t size,
                                     int64_t producer_id,
                                     int16_t producer_epoch,
                                     int32_t base_sequence)
{
	if (size < KFK_BATCH_HEADER_SIZE ||
	    data[KFK_BATCH_MAGIC_OFFSET] != 2 ||
	    kfk_rb_get32(data + 8) != size - KFK_BATCH_LOG_OVERHEAD)
		return KFK_ERR__MALFORMED;
	kfk_rb_put64(data + 43, (uint64_t)producer_id);
	kfk_rb_put16(data + 51, (uint16_t)producer_epoch);
	kfk_rb_put32(data + 53, (uint32_t)base_sequence);
	put_crc(data, size);
	return KFK_ERR_NONE;
}
