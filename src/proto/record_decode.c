/*
 * proto/record_decode.c: framing record sets, reading record batch v2.
 *
 * Every read goes through a cursor that knows its end; a field that does
 * not fit is an error, never a read past the input. Records are returned as
 * views, so iterating a batch copies nothing (a compressed batch is
 * decompressed once, into memory the iterator owns).
 */
#include "config.h"

#include "proto/record_batch.h"

#include <stdlib.h>

#include "util/crc32c.h"
#include "util/varint.h"

void kfk_recset_init(struct kfk_recset *rs, const void *buf, size_t len)
{
	rs->p = buf;
	rs->end = rs->p + len;
	rs->incomplete = 0;
	rs->err = KFK_ERR_NONE;
}

int kfk_recset_next(struct kfk_recset *rs, struct kfk_recset_entry *e)
{
	size_t avail = (size_t)(rs->end - rs->p);
	int32_t length;

	if (rs->err)
		return rs->err;
	/* Not even the length: a truncated tail, unless nothing is left. */
	if (avail < KFK_BATCH_LOG_OVERHEAD) {
		rs->incomplete = avail;
		rs->p = rs->end;
		return 0;
	}
	length = (int32_t)kfk_rb_get32(rs->p + 8);
	if (length < KFK_BATCH_MAGIC_OFFSET + 1 - KFK_BATCH_LOG_OVERHEAD)
		return rs->err = KFK_ERR__MALFORMED;
	if ((size_t)length > avail - KFK_BATCH_LOG_OVERHEAD) {
		rs->incomplete = avail;
		rs->p = rs->end;
		return 0;
	}
	if (rs->p[KFK_BATCH_MAGIC_OFFSET] > 2)
		return rs->err = KFK_ERR__UNSUPPORTED_FEATURE;
	e->data = rs->p;
	e->size = (size_t)length + KFK_BATCH_LOG_OVERHEAD;
	e->base_offset = (int64_t)kfk_rb_get64(rs->p);
	e->magic = (int8_t)rs->p[KFK_BATCH_MAGIC_OFFSET];
	rs->p += e->size;
	return 1;
}

static void parse_header_fields(const uint8_t *p, struct kfk_batch *b)
{
	b->base_offset = (int64_t)kfk_rb_get64(p);
	b->batch_length = (int32_t)kfk_rb_get32(p + 8);
	b->partition_leader_epoch = (int32_t)kfk_rb_get32(p + 12);
	b->magic = (int8_t)p[KFK_BATCH_MAGIC_OFFSET];
	b->crc = kfk_rb_get32(p + KFK_BATCH_CRC_OFFSET);
	b->attributes = (int16_t)kfk_rb_get16(p + 21);
	b->last_offset_delta = (int32_t)kfk_rb_get32(p + 23);
	b->first_timestamp = (int64_t)kfk_rb_get64(p + 27);
	b->max_timestamp = (int64_t)kfk_rb_get64(p + 35);
	b->producer_id = (int64_t)kfk_rb_get64(p + 43);
	b->producer_epoch = (int16_t)kfk_rb_get16(p + 51);
	b->base_sequence = (int32_t)kfk_rb_get32(p + 53);
	b->record_count = (int32_t)kfk_rb_get32(p + 57);
}

kfk_err kfk_batch_parse(const void *data, size_t size, unsigned flags,
                        struct kfk_batch *b)
{
	const uint8_t *p = data;

	if (size < KFK_BATCH_HEADER_SIZE)
		return KFK_ERR__MALFORMED;
	parse_header_fields(p, b);
	if (b->magic != 2 || b->batch_length < 0 ||
	    (size_t)b->batch_length != size - KFK_BATCH_LOG_OVERHEAD)
		return KFK_ERR__MALFORMED;
	if (!(flags & KFK_BATCH_PARSE_NO_CRC) &&
	    kfk_crc32c(0, p + KFK_BATCH_ATTR_OFFSET,
	               size - KFK_BATCH_ATTR_OFFSET) != b->crc)
		return KFK_ERR__CRC;
	if (b->record_count < 0)
		return KFK_ERR__MALFORMED;
	b->data = p;
	b->size = size;
	b->records = p + KFK_BATCH_HEADER_SIZE;
	b->records_len = size - KFK_BATCH_HEADER_SIZE;
	return KFK_ERR_NONE;
}

kfk_err kfk_record_iter_init(struct kfk_record_iter *it,
                             const struct kfk_batch *b,
                             kfk_batch_decompress_fn decompress,
                             size_t max_decompressed)
{
	int codec = kfk_batch_codec(b);
	size_t outlen = 0;
	void *out = NULL;
	kfk_err err;

	it->p = b->records;
	it->end = b->records + b->records_len;
	it->left = b->record_count;
	it->base_offset = b->base_offset;
	it->first_timestamp = b->first_timestamp;
	it->max_timestamp = b->max_timestamp;
	it->log_append_time = kfk_batch_is_log_append_time(b);
	it->owned = NULL;
	it->err = KFK_ERR_NONE;
	if (codec == KFK_BATCH_CODEC_NONE)
		return KFK_ERR_NONE;

	if (codec > KFK_BATCH_CODEC_ZSTD || !decompress)
		err = KFK_ERR__UNSUPPORTED_FEATURE;
	else
		err = decompress(codec, b->records, b->records_len,
		                 max_decompressed, &out, &outlen);
	if (!err && outlen > max_decompressed)
		err = KFK_ERR__DECOMPRESS; /* a compressor that ignored the bound */
	if (err) {
		free(out);
		it->p = it->end = NULL;
		it->left = 0;
		return it->err = err;
	}
	it->owned = out;
	it->p = out;
	it->end = it->p + outlen;
	return KFK_ERR_NONE;
}

void kfk_record_iter_destroy(struct kfk_record_iter *it)
{
	free(it->owned);
	it->owned = NULL;
	it->p = it->end = NULL;
	it->left = 0;
}

/* A bounded cursor: each getter returns 0 when the field does not fit. */
struct rd {
	const uint8_t *p, *end;
};

/* Record varints are mostly one or two bytes (deltas, counts, lengths of
 * short keys and values): those skip the general loop. */
static inline int rd_uvarint(struct rd *r, size_t max_bytes, uint64_t *v)
{
	const uint8_t *p = r->p;
	size_t n;

	if (r->end - p >= 2 && !(p[0] & 0x80 & p[1])) {
		if (!(p[0] & 0x80)) {
			*v = p[0];
			r->p = p + 1;
		} else {
			*v = (uint64_t)(p[0] & 0x7f) | (uint64_t)p[1] << 7;
			r->p = p + 2;
		}
		return 1;
	}
	n = kfk_uvarint_get(p, r->end, max_bytes, v);
	r->p += n;
	return n != 0;
}

static inline int rd_varint32(struct rd *r, int32_t *v)
{
	uint64_t u;

	if (!rd_uvarint(r, KFK_VARINT32_MAX, &u) || u > UINT32_MAX)
		return 0;
	*v = kfk_unzigzag32((uint32_t)u);
	return 1;
}

static inline int rd_varint64(struct rd *r, int64_t *v)
{
	uint64_t u;

	if (!rd_uvarint(r, KFK_VARINT64_MAX, &u))
		return 0;
	*v = kfk_unzigzag64(u);
	return 1;
}

/* A varint length and that many bytes; -1 (null) only when nullable. */
static int rd_bytes(struct rd *r, int nullable, const uint8_t **data,
                    int32_t *len)
{
	if (!rd_varint32(r, len))
		return 0;
	if (*len < 0) {
		*data = NULL;
		return *len == -1 && nullable;
	}
	if ((size_t)*len > (size_t)(r->end - r->p))
		return 0;
	*data = r->p;
	r->p += *len;
	return 1;
}

static int rd_headers(struct rd *r, int32_t count)
{
	struct kfk_record_header h;

	if (count < 0 || (size_t)count > (size_t)(r->end - r->p) / 2)
		return 0; /* every header takes at least two bytes */
	while (count--) {
		if (!rd_bytes(r, 0, &h.key, &h.key_len) ||
		    !rd_bytes(r, 1, &h.value, &h.value_len))
			return 0;
	}
	return 1;
}

/* Parses the record body [r->p, r->end), which must be used exactly. */
static int parse_record(struct kfk_record_iter *it, struct rd *r,
                        struct kfk_record *rec)
{
	int64_t ts_delta;
	int32_t off_delta;

	if (r->p == r->end)
		return 0;
	rec->attributes = (int8_t)*r->p++;
	if (!rd_varint64(r, &ts_delta) || !rd_varint32(r, &off_delta) ||
	    !rd_bytes(r, 1, &rec->key, &rec->key_len) ||
	    !rd_bytes(r, 1, &rec->value, &rec->value_len) ||
	    !rd_varint32(r, &rec->header_count))
		return 0;
	rec->headers = r->p;
	if (!rd_headers(r, rec->header_count) || r->p != r->end)
		return 0;
	rec->headers_end = r->p;
	/* Unsigned sums: hostile deltas wrap instead of overflowing. */
	rec->offset = (int64_t)((uint64_t)it->base_offset + (uint64_t)off_delta);
	rec->timestamp = it->log_append_time
	                     ? it->max_timestamp
	                     : (int64_t)((uint64_t)it->first_timestamp +
	                                 (uint64_t)ts_delta);
	return 1;
}

int kfk_record_iter_next(struct kfk_record_iter *it, struct kfk_record *rec)
{
	struct rd r = {it->p, it->end};
	int32_t len;

	if (it->err)
		return it->err;
	if (it->left == 0) {
		if (it->p != it->end)
			return it->err = KFK_ERR__MALFORMED; /* bytes after the last */
		return 0;
	}
	if (!rd_varint32(&r, &len) || len < 0 ||
	    (size_t)len > (size_t)(r.end - r.p))
		return it->err = KFK_ERR__MALFORMED;
	r.end = r.p + len;
	if (!parse_record(it, &r, rec))
		return it->err = KFK_ERR__MALFORMED;
	it->p = r.end;
	it->left--;
	return 1;
}

int kfk_header_iter_next(struct kfk_header_iter *hi,
                         struct kfk_record_header *h)
{
	struct rd r = {hi->p, hi->end};

	if (hi->left <= 0)
		return 0;
	/* Validated when the record was read; checked again all the same. */
	if (!rd_bytes(&r, 0, &h->key, &h->key_len) ||
	    !rd_bytes(&r, 1, &h->value, &h->value_len)) {
		hi->left = 0;
		return 0;
	}
	hi->p = r.p;
	hi->left--;
	return 1;
}

kfk_err kfk_control_record_parse(const struct kfk_record *r,
                                 struct kfk_control_record *c)
{
	if (r->key_len < 4)
		return KFK_ERR__MALFORMED;
	c->version = (int16_t)kfk_rb_get16(r->key);
	c->type = (int16_t)kfk_rb_get16(r->key + 2);
	c->coordinator_epoch = -1;
	if (c->type != KFK_CONTROL_ABORT && c->type != KFK_CONTROL_COMMIT)
		return KFK_ERR_NONE;
	if (r->value_len < 6)
		return KFK_ERR__MALFORMED;
	c->coordinator_epoch = (int32_t)kfk_rb_get32(r->value + 2);
	return KFK_ERR_NONE;
}
