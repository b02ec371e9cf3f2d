/*
 * proto/buf.c: the out-of-line parts of the wire reader and writer:
 * varints, the length-prefixed kinds and the writer's growth.
 */
#include "config.h"

#include <stdlib.h>

#include "proto/buf.h"

/* The first heap allocation of a growable writer. */
#define KFK_WBUF_MIN_ALLOC 256

/* ------------------------------------------------------------------ */
/* Reader                                                              */
/* ------------------------------------------------------------------ */

uint32_t kfk_rbuf_read_uvarint32_slow(kfk_rbuf *r)
{
	uint32_t v = 0;
	size_t n = kfk_uvarint32_get(r->p, r->end, &v);
	if (!n) {
		kfk_rbuf_fail(r, KFK_ERR__MALFORMED);
		return 0;
	}
	r->p += n;
	return v;
}

int32_t kfk_rbuf_read_varint32(kfk_rbuf *r)
{
	int32_t v = 0;
	size_t n = kfk_varint32_get(r->p, r->end, &v);
	if (!n) {
		kfk_rbuf_fail(r, KFK_ERR__MALFORMED);
		return 0;
	}
	r->p += n;
	return v;
}

int64_t kfk_rbuf_read_varint64(kfk_rbuf *r)
{
	int64_t v = 0;
	size_t n = kfk_varint64_get(r->p, r->end, &v);
	if (!n) {
		kfk_rbuf_fail(r, KFK_ERR__MALFORMED);
		return 0;
	}
	r->p += n;
	return v;
}

/* Reads the length prefix of a string or bytes field: returns the length,
 * -1 for null, or -2 after an error. The length is checked against what
 * remains, so the caller may take that many bytes. A null marker where the
 * field is not nullable reads as empty (see kfk_rbuf_read_str()). */
static int64_t read_len(kfk_rbuf *r, int compact, int wide, int nullable)
{
	int64_t len;
	if (compact) {
		uint32_t u = kfk_rbuf_read_uvarint32(r);
		len = (int64_t)u - 1;
	} else if (wide) {
		len = kfk_rbuf_read_i32(r);
	} else {
		len = kfk_rbuf_read_i16(r);
	}
	if (r->err)
		return -2;
	if (len == -1)
		return nullable ? -1 : 0;
	if (len < 0 || len > INT32_MAX ||
	    (uint64_t)len > kfk_rbuf_remaining(r)) {
		kfk_rbuf_fail(r, KFK_ERR__MALFORMED);
		return -2;
	}
	return len;
}

struct kfk_str kfk_rbuf_read_str(kfk_rbuf *r, int compact, int nullable)
{
	struct kfk_str s = { "", 0 };
	int64_t len = read_len(r, compact, 0, nullable);
	if (len == -1)
		return KFK_STR_NULL;
	if (len > 0) {
		s.ptr = (const char *)r->p;
		s.len = (int32_t)len;
		r->p += len;
	}
	return s;
}

struct kfk_bytes kfk_rbuf_read_bytes(kfk_rbuf *r, int compact, int nullable)
{
	static const uint8_t empty[1];
	struct kfk_bytes b = { empty, 0 };
	int64_t len = read_len(r, compact, 1, nullable);
	if (len == -1)
		return KFK_BYTES_NULL;
	if (len > 0) {
		b.ptr = r->p;
		b.len = (int32_t)len;
		r->p += len;
	}
	return b;
}

int32_t kfk_rbuf_read_array_len(kfk_rbuf *r, int compact, int nullable,
                                size_t min_elem_size)
{
	int64_t n;
	if (compact)
		n = (int64_t)kfk_rbuf_read_uvarint32(r) - 1;
	else
		n = kfk_rbuf_read_i32(r);
	if (r->err)
		return 0;
	if (n == -1)
		return nullable ? -1 : 0;
	if (min_elem_size < 1)
		min_elem_size = 1;
	/* n * min_elem_size <= remaining, without overflow: n < 2^32. */
	if (n < 0 || n > INT32_MAX ||
	    (uint64_t)n > kfk_rbuf_remaining(r) / min_elem_size) {
		kfk_rbuf_fail(r, KFK_ERR__MALFORMED);
		return 0;
	}
	return (int32_t)n;
}

int kfk_rbuf_read_tag(kfk_rbuf *r, uint32_t *tag, kfk_rbuf *sub)
{
	uint32_t size;
	const uint8_t *p;
	*tag = kfk_rbuf_read_uvarint32(r);
	size = kfk_rbuf_read_uvarint32(r);
	if (r->err)
		return 0;
	p = r->p;
	kfk_rbuf_skip(r, size);
	if (r->err)
		return 0;
	sub->start = p;
	sub->p = p;
	sub->end = p + size;
	sub->err = 0;
	return 1;
}

void kfk_rbuf_skip_tags_slow(kfk_rbuf *r)
{
	uint32_t n = kfk_rbuf_read_uvarint32(r);
	uint32_t tag;
	kfk_rbuf sub;
	while (n-- > 0 && kfk_rbuf_read_tag(r, &tag, &sub))
		;
}

/* ------------------------------------------------------------------ */
/* Writer                                                              */
/* ------------------------------------------------------------------ */

void kfk_wbuf_init(kfk_wbuf *w)
{
	memset(w, 0, sizeof *w);
}

void kfk_wbuf_init_fixed(kfk_wbuf *w, void *buf, size_t cap)
{
	w->buf = buf;
	w->len = 0;
	w->cap = buf ? cap : 0;
	w->alloc = w->cap;
	w->err = 0;
	w->fixed = 1;
}

void kfk_wbuf_free(kfk_wbuf *w)
{
	if (!w->fixed)
		free(w->buf);
	kfk_wbuf_init(w);
}

void kfk_wbuf_reset(kfk_wbuf *w)
{
	w->len = 0;
	w->cap = w->alloc;
	w->err = 0;
}

void kfk_wbuf_fail(kfk_wbuf *w, int err)
{
	if (!w->err)
		w->err = err;
	w->cap = w->len;
}

/* Grows a heap buffer so that need more bytes fit. */
static int wbuf_grow(kfk_wbuf *w, size_t need)
{
	size_t want = w->alloc ? w->alloc : KFK_WBUF_MIN_ALLOC;
	uint8_t *nb;
	if (need > SIZE_MAX / 2 - w->len)
		return KFK_ERR__NO_MEMORY;
	while (want - w->len < need)
		want *= 2;
	nb = realloc(w->buf, want);
	if (!nb)
		return KFK_ERR__NO_MEMORY;
	w->buf = nb;
	w->alloc = want;
	w->cap = want;
	return 0;
}

int kfk_wbuf_reserve(kfk_wbuf *w, size_t n)
{
	int err;
	if (w->err)
		return w->err;
	if (w->cap - w->len >= n)
		return 0;
	if (w->fixed)
		err = KFK_ERR__MSG_SIZE_TOO_LARGE;
	else
		err = wbuf_grow(w, n);
	if (err)
		kfk_wbuf_fail(w, err);
	return err;
}

uint8_t *kfk_wbuf_room_slow(kfk_wbuf *w, size_t n)
{
	uint8_t *p;
	if (w->err || kfk_wbuf_reserve(w, n) || n == 0)
		return NULL;
	p = w->buf + w->len;
	w->len += n;
	return p;
}

uint8_t *kfk_wbuf_steal(kfk_wbuf *w, size_t *len)
{
	uint8_t *b = NULL;
	*len = 0;
	if (w->fixed || w->err || !w->len)
		return NULL;
	b = w->buf;
	*len = w->len;
	kfk_wbuf_init(w);
	return b;
}

/* Writes a length prefix of any kind; 0 after an invalid one. */
static int put_len(kfk_wbuf *w, int compact, int wide, int nullable,
                   int32_t len)
{
	if (len < -1 || (len == -1 && !nullable) ||
	    (!compact && !wide && len > INT16_MAX)) {
		kfk_wbuf_fail(w, KFK_ERR__INVALID_ARG);
		return 0;
	}
	if (compact)
		kfk_wbuf_put_uvarint(w, (uint64_t)((int64_t)len + 1));
	else if (wide)
		kfk_wbuf_put_i32(w, len);
	else
		kfk_wbuf_put_i16(w, (int16_t)len);
	return 1;
}

void kfk_wbuf_put_str(kfk_wbuf *w, int compact, int nullable,
                      struct kfk_str s)
{
	if (s.len > 0 && !s.ptr) {
		kfk_wbuf_fail(w, KFK_ERR__INVALID_ARG);
		return;
	}
	if (put_len(w, compact, 0, nullable, s.len) && s.len > 0)
		kfk_wbuf_put_raw(w, s.ptr, (size_t)s.len);
}

void kfk_wbuf_put_bytes(kfk_wbuf *w, int compact, int nullable,
                        struct kfk_bytes b)
{
	if (b.len > 0 && !b.ptr) {
		kfk_wbuf_fail(w, KFK_ERR__INVALID_ARG);
		return;
	}
	if (put_len(w, compact, 1, nullable, b.len) && b.len > 0)
		kfk_wbuf_put_raw(w, b.ptr, (size_t)b.len);
}

int32_t kfk_wbuf_put_array_len(kfk_wbuf *w, int compact, int nullable,
                               int32_t count, const void *elems)
{
	if (count > 0 && !elems) {
		kfk_wbuf_fail(w, KFK_ERR__INVALID_ARG);
		return 0;
	}
	if (!put_len(w, compact, 1, nullable, count) || w->err)
		return 0;
	return count < 0 ? 0 : count;
}

size_t kfk_wbuf_reserve_i32(kfk_wbuf *w)
{
	size_t off = w->len;
	kfk_wbuf_put_i32(w, 0);
	return off;
}

void kfk_wbuf_patch_i32(kfk_wbuf *w, size_t off, int32_t v)
{
	if (w->err || off > w->len || w->len - off < 4) {
		kfk_wbuf_fail(w, KFK_ERR__INVALID_ARG);
		return;
	}
	kfk_be32_put(w->buf + off, (uint32_t)v);
}
