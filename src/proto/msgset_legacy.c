/*
 * proto/msgset_legacy.c: reading and writing message sets v0 and v1.
 *
 * The iterator flattens compressed wrappers: it decompresses a wrapper's
 * value once, frames the inner set in full first (a magic 1 wrapper's
 * inner offsets are relative to the last inner message, so the last one
 * must be known before the first is handed out), then yields the inner
 * messages as views into that decompressed copy.
 */
#include "config.h"

#include "proto/msgset_legacy.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* CRC-32 of the bytes from the magic to the end of the message. */
static uint32_t msg_crc(const uint8_t *entry, size_t size)
{
	return (uint32_t)crc32(0L, entry + 16, (uInt)(size - 16));
}

/* An int32 length and that many bytes (-1: null) from [*pp, end). */
static int get_bytes(const uint8_t **pp, const uint8_t *end,
                     const uint8_t **data, int32_t *len)
{
	const uint8_t *p = *pp;

	if (end - p < 4)
		return 0;
	*len = (int32_t)kfk_rb_get32(p);
	p += 4;
	if (*len < 0) {
		*data = NULL;
		*pp = p;
		return *len == -1;
	}
	if ((size_t)*len > (size_t)(end - p))
		return 0;
	*data = p;
	*pp = p + *len;
	return 1;
}

kfk_err kfk_msgset_msg_parse(const void *data, size_t size, unsigned flags,
                             struct kfk_msgset_msg *m)
{
	const uint8_t *p = data, *end = p + size, *q;
	size_t hdr;

	if (size < KFK_MSG_V0_HEADER + 8 ||
	    kfk_rb_get32(p + 8) != size - KFK_BATCH_LOG_OVERHEAD)
		return KFK_ERR__MALFORMED;
	/* The CRC first: it covers the magic, so damage anywhere after the
	 * size field reads as what it is. */
	m->crc = kfk_rb_get32(p + 12);
	if (!(flags & KFK_BATCH_PARSE_NO_CRC) && msg_crc(p, size) != m->crc)
		return KFK_ERR__CRC;
	m->magic = (int8_t)p[16];
	if (m->magic != 0 && m->magic != 1)
		return KFK_ERR__MALFORMED;
	hdr = m->magic ? KFK_MSG_V1_HEADER : KFK_MSG_V0_HEADER;
	if (size < hdr + 8)
		return KFK_ERR__MALFORMED;
	m->offset = (int64_t)kfk_rb_get64(p);
	m->attributes = (int8_t)p[17];
	m->timestamp = m->magic ? (int64_t)kfk_rb_get64(p + 18) : -1;
	m->log_append_time =
	    m->magic && (m->attributes & KFK_MSG_ATTR_LOG_APPEND_TIME);
	q = p + hdr;
	if (!get_bytes(&q, end, &m->key, &m->key_len) ||
	    !get_bytes(&q, end, &m->value, &m->value_len) || q != end)
		return KFK_ERR__MALFORMED;
	return KFK_ERR_NONE;
}

void kfk_msgset_iter_init(struct kfk_msgset_iter *it, const void *buf,
                          size_t len, unsigned flags,
                          kfk_batch_decompress_fn decompress,
                          size_t max_decompressed)
{
	memset(it, 0, sizeof(*it));
	kfk_recset_init(&it->outer, buf, len);
	it->flags = flags;
	it->decompress = decompress;
	it->max_decompressed = max_decompressed;
}

void kfk_msgset_iter_destroy(struct kfk_msgset_iter *it)
{
	free(it->owned);
	it->owned = NULL;
	it->in_wrapper = 0;
}

/* Frames the whole inner set: complete entries of the wrapper's magic,
 * at least one. Sets the offset adjustment from the last inner offset. */
static kfk_err scan_inner(struct kfk_msgset_iter *it, const uint8_t *p,
                          size_t len)
{
	struct kfk_recset rs;
	struct kfk_recset_entry e;
	int64_t last = 0;
	int n = 0, r;

	kfk_recset_init(&rs, p, len);
	while ((r = kfk_recset_next(&rs, &e)) == 1) {
		if (e.magic != it->wrapper.magic)
			return KFK_ERR__MALFORMED;
		last = e.base_offset;
		n++;
	}
	if (r < 0 || kfk_recset_incomplete(&rs) || n == 0)
		return KFK_ERR__MALFORMED;
	it->offset_adjust =
	    it->wrapper.magic == 0
	        ? 0
	        : (int64_t)((uint64_t)it->wrapper.offset - (uint64_t)last);
	kfk_recset_init(&it->inner, p, len);
	return KFK_ERR_NONE;
}

static kfk_err enter_wrapper(struct kfk_msgset_iter *it,
                             const struct kfk_msgset_msg *w)
{
	int codec = w->attributes & KFK_MSG_ATTR_CODEC_MASK;
	size_t outlen = 0;
	void *out = NULL;
	kfk_err err;

	/* zstd (4) came with magic 2 and is refused in older formats. */
	if (codec > KFK_BATCH_CODEC_LZ4 || !it->decompress)
		return KFK_ERR__UNSUPPORTED_FEATURE;
	if (w->value_len < 0)
		return KFK_ERR__MALFORMED;
	err = it->decompress(codec, w->value, (size_t)w->value_len,
	                     it->max_decompressed, &out, &outlen);
	if (!err && outlen > it->max_decompressed)
		err = KFK_ERR__DECOMPRESS;
	if (err) {
		free(out);
		return err;
	}
	free(it->owned);
	it->owned = out;
	it->wrapper = *w;
	if ((err = scan_inner(it, out, outlen)))
		return err;
	it->in_wrapper = 1;
	return KFK_ERR_NONE;
}

/* 1 with the next inner message, 0 when the wrapper is used up, or an
 * error. */
static int next_inner(struct kfk_msgset_iter *it, struct kfk_msgset_msg *m)
{
	struct kfk_recset_entry e;
	kfk_err err;
	int r = kfk_recset_next(&it->inner, &e);

	if (r <= 0)
		return r; /* scan_inner saw it complete: 0 is the end */
	if ((err = kfk_msgset_msg_parse(e.data, e.size, it->flags, m)))
		return err;
	if (m->magic != it->wrapper.magic ||
	    (m->attributes & KFK_MSG_ATTR_CODEC_MASK))
		return KFK_ERR__MALFORMED; /* mixed magic or nested wrapper */
	m->offset = (int64_t)((uint64_t)m->offset + (uint64_t)it->offset_adjust);
	if (it->wrapper.log_append_time) {
		m->timestamp = it->wrapper.timestamp;
		m->log_append_time = 1;
	}
	return 1;
}

static int iter_fail(struct kfk_msgset_iter *it, kfk_err err)
{
	it->err = err;
	return err;
}

int kfk_msgset_iter_next(struct kfk_msgset_iter *it, struct kfk_msgset_msg *m)
{
	struct kfk_recset_entry e;
	kfk_err err;
	int r;

	if (it->err)
		return it->err;
	for (;;) {
		if (it->in_wrapper) {
			if ((r = next_inner(it, m)) != 0)
				return r < 0 ? iter_fail(it, r) : 1;
			it->in_wrapper = 0;
		}
		if ((r = kfk_recset_next(&it->outer, &e)) <= 0)
			return r < 0 ? iter_fail(it, r) : 0;
		if (e.magic == 2)
			return iter_fail(it, KFK_ERR__INVALID_ARG);
		if ((err = kfk_msgset_msg_parse(e.data, e.size, it->flags, m)))
			return iter_fail(it, err);
		if (!(m->attributes & KFK_MSG_ATTR_CODEC_MASK))
			return 1;
		if ((err = enter_wrapper(it, m)))
			return iter_fail(it, err);
	}
}

static int bad_bytes(const void *p, int32_t len)
{
	return len < -1 || (len > 0 && !p);
}

static uint8_t *put_bytes(uint8_t *p, const void *data, int32_t len)
{
	kfk_rb_put32(p, (uint32_t)len);
	if (len > 0)
		memcpy(p + 4, data, (size_t)len);
	return p + 4 + (len > 0 ? len : 0);
}

kfk_err kfk_msgset_append(struct kfk_batch_buf *out, int8_t magic,
                          int64_t offset, int8_t attributes, int64_t timestamp,
                          const void *key, int32_t key_len, const void *value,
                          int32_t value_len)
{
	size_t hdr = magic ? KFK_MSG_V1_HEADER : KFK_MSG_V0_HEADER, size;
	uint8_t *p, *q;

	if ((magic != 0 && magic != 1) || bad_bytes(key, key_len) ||
	    bad_bytes(value, value_len))
		return KFK_ERR__INVALID_ARG;
	size = hdr + 8 + (key_len > 0 ? (size_t)key_len : 0) +
	       (value_len > 0 ? (size_t)value_len : 0);
	if (size - KFK_BATCH_LOG_OVERHEAD > INT32_MAX)
		return KFK_ERR__INVALID_ARG;
	if (kfk_batch_buf_reserve(out, size))
		return KFK_ERR__NO_MEMORY;
	p = out->data + out->len;
	kfk_rb_put64(p, (uint64_t)offset);
	kfk_rb_put32(p + 8, (uint32_t)(size - KFK_BATCH_LOG_OVERHEAD));
	p[16] = (uint8_t)magic;
	p[17] = (uint8_t)attributes;
	if (magic)
		kfk_rb_put64(p + 18, (uint64_t)timestamp);
	q = put_bytes(p + hdr, key, key_len);
	put_bytes(q, value, value_len);
	kfk_rb_put32(p + 12, msg_crc(p, size));
	out->len += size;
	return KFK_ERR_NONE;
}

kfk_err kfk_msgset_append_wrapper(struct kfk_batch_buf *out, int8_t magic,
                                  int64_t offset, int codec, int64_t timestamp,
                                  int log_append_time, const void *inner,
                                  size_t inner_len,
                                  kfk_batch_compress_fn compress, int level)
{
	int8_t attrs = (int8_t)(codec & KFK_MSG_ATTR_CODEC_MASK);
	size_t zlen = 0;
	void *z = NULL;
	kfk_err err;

	if (!compress || codec < 1 || codec > KFK_BATCH_CODEC_LZ4)
		return KFK_ERR__INVALID_ARG;
	if (magic == 1 && log_append_time)
		attrs |= KFK_MSG_ATTR_LOG_APPEND_TIME;
	if ((err = compress(codec, level, inner, inner_len, &z, &zlen)))
		return err;
	if (zlen > INT32_MAX)
		err = KFK_ERR__INVALID_ARG;
	else
		err = kfk_msgset_append(out, magic, offset, attrs, timestamp, NULL,
		                        -1, z, (int32_t)zlen);
	free(z);
	return err;
}
