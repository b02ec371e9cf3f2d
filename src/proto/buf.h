/*
 * proto/buf.h: the primitive reader and writer of the Kafka wire protocol.
 *
 * kfk_rbuf reads caller-owned bytes. Its error is sticky: once a read runs
 * past the end or meets a malformed length, every later read returns zeros
 * and consumes nothing, so a decoder can read a whole structure and check
 * r->err once at the end. Strings and bytes are returned as views into the
 * input (no copy), valid as long as the caller keeps the input alive.
 *
 * kfk_wbuf writes into a growable heap buffer or a fixed caller buffer. Its
 * error is sticky too: a failed allocation, a full fixed buffer or a value
 * that cannot be encoded (a null where the version has no null, a classic
 * string longer than 32767 bytes) sets w->err and later puts write nothing.
 *
 * Everything here is a pure function of its arguments: no locks, no I/O,
 * no blocking; a buffer belongs to one thread at a time.
 *
 * Wire kinds, for reference (the protocol guide's names):
 *   STRING           int16 length, then bytes; NULLABLE_STRING adds -1 = null
 *   COMPACT_STRING   unsigned varint length+1 (0 = null), then bytes
 *   BYTES            int32 length (-1 = null for NULLABLE_BYTES), bytes
 *   COMPACT_BYTES    unsigned varint length+1 (0 = null), bytes
 *   ARRAY            int32 count (-1 = null); COMPACT_ARRAY uvarint count+1
 *   TAGGED_FIELDS    uvarint count, then per field uvarint tag, uvarint
 *                    size and size bytes of payload
 */
#ifndef KFK_PROTO_BUF_H
#define KFK_PROTO_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <kfk/errors.h>

#include "util/varint.h"

/* A string view: ptr/len into someone else's bytes; len -1 = null.
 * Not NUL-terminated. */
struct kfk_str {
	const char *ptr;
	int32_t len;
};

/* A byte-string view, same rules as kfk_str. */
struct kfk_bytes {
	const uint8_t *ptr;
	int32_t len;
};

/* A UUID in wire order (the 16 bytes as they travel). */
struct kfk_uuid {
	uint8_t b[16];
};

#define KFK_STR_NULL ((struct kfk_str){ NULL, -1 })
#define KFK_BYTES_NULL ((struct kfk_bytes){ NULL, -1 })

/* A view of a NUL-terminated C string (NULL gives the null string). */
static inline struct kfk_str kfk_str_c(const char *s)
{
	struct kfk_str r = { s, s ? (int32_t)strlen(s) : -1 };
	return r;
}

/* 1 when a and b are both null or hold the same bytes. */
static inline int kfk_str_eq(struct kfk_str a, struct kfk_str b)
{
	if (a.len != b.len)
		return 0;
	return a.len <= 0 || memcmp(a.ptr, b.ptr, (size_t)a.len) == 0;
}

static inline int kfk_bytes_eq(struct kfk_bytes a, struct kfk_bytes b)
{
	if (a.len != b.len)
		return 0;
	return a.len <= 0 || memcmp(a.ptr, b.ptr, (size_t)a.len) == 0;
}

static inline int kfk_uuid_is_zero(const struct kfk_uuid *u)
{
	static const struct kfk_uuid zero;
	return memcmp(u->b, zero.b, sizeof zero.b) == 0;
}

/* ------------------------------------------------------------------ */
/* Reader                                                              */
/* ------------------------------------------------------------------ */

typedef struct kfk_rbuf {
	const uint8_t *start; /* first byte, for offsets in diagnostics */
	const uint8_t *p;     /* next byte to read */
	const uint8_t *end;   /* one past the last byte */
	int err;              /* 0, or the first kfk_err met (sticky) */
} kfk_rbuf;

/* Points r at [buf, buf+len); the bytes stay the caller's. */
static inline void kfk_rbuf_init(kfk_rbuf *r, const void *buf, size_t len)
{
	r->start = (const uint8_t *)buf;
	r->p = r->start;
	r->end = r->start ? r->start + len : r->start;
	r->err = 0;
}

static inline size_t kfk_rbuf_remaining(const kfk_rbuf *r)
{
	return (size_t)(r->end - r->p);
}

/* Bytes consumed since kfk_rbuf_init(). */
static inline size_t kfk_rbuf_offset(const kfk_rbuf *r)
{
	return (size_t)(r->p - r->start);
}

/* Records err (the first error wins) and stops all further reads. */
static inline void kfk_rbuf_fail(kfk_rbuf *r, int err)
{
	if (!r->err)
		r->err = err;
	r->p = r->end;
}

/* Returns a pointer to the next n bytes and consumes them, or NULL (and
 * KFK_ERR__MALFORMED) when fewer than n remain. */
static inline const uint8_t *kfk_rbuf_take(kfk_rbuf *r, size_t n)
{
	const uint8_t *p = r->p;
	if ((size_t)(r->end - p) < n) {
		kfk_rbuf_fail(r, KFK_ERR__MALFORMED);
		return NULL;
	}
	r->p = p + n;
	return p;
}

static inline void kfk_rbuf_skip(kfk_rbuf *r, size_t n)
{
	(void)kfk_rbuf_take(r, n);
}

static inline int8_t kfk_rbuf_read_i8(kfk_rbuf *r)
{
	const uint8_t *p = kfk_rbuf_take(r, 1);
	return p ? (int8_t)p[0] : 0;
}

static inline uint16_t kfk_rbuf_read_u16(kfk_rbuf *r)
{
	const uint8_t *p = kfk_rbuf_take(r, 2);
	return p ? (uint16_t)((p[0] << 8) | p[1]) : 0;
}

static inline uint32_t kfk_rbuf_read_u32(kfk_rbuf *r)
{
	const uint8_t *p = kfk_rbuf_take(r, 4);
	if (!p)
		return 0;
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static inline uint64_t kfk_rbuf_read_u64(kfk_rbuf *r)
{
	const uint8_t *p = kfk_rbuf_take(r, 8);
	uint64_t v = 0;
	int i;
	if (!p)
		return 0;
	for (i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

static inline int16_t kfk_rbuf_read_i16(kfk_rbuf *r)
{
	return (int16_t)kfk_rbuf_read_u16(r);
}

static inline int32_t kfk_rbuf_read_i32(kfk_rbuf *r)
{
	return (int32_t)kfk_rbuf_read_u32(r);
}

static inline int64_t kfk_rbuf_read_i64(kfk_rbuf *r)
{
	return (int64_t)kfk_rbuf_read_u64(r);
}

static inline double kfk_rbuf_read_f64(kfk_rbuf *r)
{
	uint64_t u = kfk_rbuf_read_u64(r);
	double d;
	memcpy(&d, &u, sizeof d);
	return d;
}

/* Any non-zero byte is true, as the Java client reads it. */
static inline bool kfk_rbuf_read_bool(kfk_rbuf *r)
{
	return kfk_rbuf_read_i8(r) != 0;
}

static inline struct kfk_uuid kfk_rbuf_read_uuid(kfk_rbuf *r)
{
	struct kfk_uuid u;
	const uint8_t *p = kfk_rbuf_take(r, sizeof u.b);
	if (p)
		memcpy(u.b, p, sizeof u.b);
	else
		memset(u.b, 0, sizeof u.b);
	return u;
}

/* Reads n big-endian int32 / int64 into dst in one bounds check (an array
 * body whose count came from kfk_rbuf_read_array_len()). */
static inline void kfk_rbuf_read_i32s(kfk_rbuf *r, int32_t *dst, int32_t n)
{
	const uint8_t *p;
	int32_t i;
	if (n <= 0 || !(p = kfk_rbuf_take(r, (size_t)n * 4)))
		return;
	for (i = 0; i < n; i++, p += 4)
		dst[i] = (int32_t)(((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
		                   ((uint32_t)p[2] << 8) | (uint32_t)p[3]);
}

static inline void kfk_rbuf_read_i64s(kfk_rbuf *r, int64_t *dst, int32_t n)
{
	const uint8_t *p;
	int32_t i, k;
	if (n <= 0 || !(p = kfk_rbuf_take(r, (size_t)n * 8)))
		return;
	for (i = 0; i < n; i++) {
		uint64_t v = 0;
		for (k = 0; k < 8; k++)
			v = (v << 8) | *p++;
		dst[i] = (int64_t)v;
	}
}

/* Slow path of kfk_rbuf_read_uvarint32(). */
uint32_t kfk_rbuf_read_uvarint32_slow(kfk_rbuf *r);

/* Unsigned varint of at most 5 bytes and 32 bits. Flexible messages are
 * full of one-byte varints (lengths, empty tag sections): inline those. */
static inline uint32_t kfk_rbuf_read_uvarint32(kfk_rbuf *r)
{
	if (r->p < r->end && *r->p < 0x80)
		return *r->p++;
	return kfk_rbuf_read_uvarint32_slow(r);
}

/* Zigzag signed varints of 32 and 64 bits. */
int32_t kfk_rbuf_read_varint32(kfk_rbuf *r);
int64_t kfk_rbuf_read_varint64(kfk_rbuf *r);

/* Reads a string of one of the four kinds: compact selects COMPACT_STRING
 * over STRING, nullable allows the null marker. Returns a view into the
 * input; on error an empty string.
 *
 * A null marker where the field is not nullable reads as the empty string:
 * Java brokers never send one, but librdkafka's mock broker does in error
 * responses (JoinGroup, SyncGroup), and callers may rely on a non-nullable
 * field never being null. Any other negative length is malformed. */
struct kfk_str kfk_rbuf_read_str(kfk_rbuf *r, int compact, int nullable);

/* Same for BYTES / COMPACT_BYTES (and records, which are nullable bytes). */
struct kfk_bytes kfk_rbuf_read_bytes(kfk_rbuf *r, int compact, int nullable);

/* Reads an array count (classic int32 or compact uvarint) and returns it,
 * -1 for a null array when nullable (an empty array otherwise, as for
 * strings), or 0 with r->err set. Refuses
 * counts whose elements could not fit in what remains, given that each
 * element takes at least min_elem_size bytes (>= 1), so a forged count
 * never makes a decoder allocate more than the input justifies. */
int32_t kfk_rbuf_read_array_len(kfk_rbuf *r, int compact, int nullable,
                                size_t min_elem_size);

/* Slow path of kfk_rbuf_skip_tags(). */
void kfk_rbuf_skip_tags_slow(kfk_rbuf *r);

/* Skips a whole tagged-field section (usually the single byte 0). */
static inline void kfk_rbuf_skip_tags(kfk_rbuf *r)
{
	if (r->p < r->end && *r->p == 0)
		r->p++;
	else
		kfk_rbuf_skip_tags_slow(r);
}

/* Iterates over a tagged-field section:
 *     uint32_t n = kfk_rbuf_read_uvarint32(r);
 *     while (n-- && kfk_rbuf_read_tag(r, &tag, &sub)) { read from &sub }
 * Each call reads one field header and hands its payload as a sub-reader
 * over exactly the field's bytes (already consumed from r). A decoder that
 * fails inside the payload must pass sub.err on with kfk_rbuf_fail().
 * Returns 0 (r->err set) when the header or payload is truncated. */
int kfk_rbuf_read_tag(kfk_rbuf *r, uint32_t *tag, kfk_rbuf *sub);

/* ------------------------------------------------------------------ */
/* Writer                                                              */
/* ------------------------------------------------------------------ */

typedef struct kfk_wbuf {
	uint8_t *buf; /* the bytes written so far start here */
	size_t len;   /* bytes written */
	size_t cap;   /* room the fast path may fill; == len after an error */
	size_t alloc; /* size of buf */
	int err;      /* 0, or the first kfk_err met (sticky) */
	int fixed;    /* buf is the caller's and never grows */
} kfk_wbuf;

/* An empty growable buffer; the first put allocates. Free with
 * kfk_wbuf_free() (or take the bytes with kfk_wbuf_steal()). */
void kfk_wbuf_init(kfk_wbuf *w);

/* A writer over the caller's buf[0..cap); never allocates. Running out of
 * room sets KFK_ERR__MSG_SIZE_TOO_LARGE. */
void kfk_wbuf_init_fixed(kfk_wbuf *w, void *buf, size_t cap);

/* Frees a growable buffer's memory (a fixed buffer is left alone) and
 * leaves w empty and reusable. */
void kfk_wbuf_free(kfk_wbuf *w);

/* Forgets the bytes written and the error, keeping the memory. */
void kfk_wbuf_reset(kfk_wbuf *w);

/* Makes sure n more bytes fit without another allocation. Returns 0 or
 * the (sticky) error. */
int kfk_wbuf_reserve(kfk_wbuf *w, size_t n);

/* Hands the heap bytes over to the caller (free() them) and leaves w empty.
 * Returns NULL for a fixed buffer, after an error, or when nothing was
 * written; *len gets the length. */
uint8_t *kfk_wbuf_steal(kfk_wbuf *w, size_t *len);

/* Records err (the first error wins); later puts write nothing. */
void kfk_wbuf_fail(kfk_wbuf *w, int err);

/* Slow path of kfk_wbuf_room(): grows the buffer or fails. */
uint8_t *kfk_wbuf_room_slow(kfk_wbuf *w, size_t n);

/* Claims the next n bytes and returns where to write them, or NULL after
 * an error. */
static inline uint8_t *kfk_wbuf_room(kfk_wbuf *w, size_t n)
{
	if (__builtin_expect(w->cap - w->len >= n && n > 0, 1)) {
		uint8_t *p = w->buf + w->len;
		w->len += n;
		return p;
	}
	return kfk_wbuf_room_slow(w, n);
}

static inline void kfk_wbuf_put_raw(kfk_wbuf *w, const void *src, size_t n)
{
	uint8_t *p;
	if (n == 0)
		return;
	p = kfk_wbuf_room(w, n);
	if (p)
		memcpy(p, src, n);
}

static inline void kfk_wbuf_put_i8(kfk_wbuf *w, int8_t v)
{
	uint8_t *p = kfk_wbuf_room(w, 1);
	if (p)
		p[0] = (uint8_t)v;
}

static inline void kfk_be16_put(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void kfk_be32_put(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline void kfk_wbuf_put_u16(kfk_wbuf *w, uint16_t v)
{
	uint8_t *p = kfk_wbuf_room(w, 2);
	if (p)
		kfk_be16_put(p, v);
}

static inline void kfk_wbuf_put_u32(kfk_wbuf *w, uint32_t v)
{
	uint8_t *p = kfk_wbuf_room(w, 4);
	if (p)
		kfk_be32_put(p, v);
}

static inline void kfk_wbuf_put_u64(kfk_wbuf *w, uint64_t v)
{
	uint8_t *p = kfk_wbuf_room(w, 8);
	if (p) {
		kfk_be32_put(p, (uint32_t)(v >> 32));
		kfk_be32_put(p + 4, (uint32_t)v);
	}
}

static inline void kfk_wbuf_put_i16(kfk_wbuf *w, int16_t v)
{
	kfk_wbuf_put_u16(w, (uint16_t)v);
}

static inline void kfk_wbuf_put_i32(kfk_wbuf *w, int32_t v)
{
	kfk_wbuf_put_u32(w, (uint32_t)v);
}

static inline void kfk_wbuf_put_i64(kfk_wbuf *w, int64_t v)
{
	kfk_wbuf_put_u64(w, (uint64_t)v);
}

static inline void kfk_wbuf_put_f64(kfk_wbuf *w, double d)
{
	uint64_t u;
	memcpy(&u, &d, sizeof u);
	kfk_wbuf_put_u64(w, u);
}

static inline void kfk_wbuf_put_bool(kfk_wbuf *w, bool v)
{
	kfk_wbuf_put_i8(w, v ? 1 : 0);
}

static inline void kfk_wbuf_put_uuid(kfk_wbuf *w, struct kfk_uuid u)
{
	kfk_wbuf_put_raw(w, u.b, sizeof u.b);
}

/* Writes n int32 / int64 big-endian with one capacity check. */
static inline void kfk_wbuf_put_i32s(kfk_wbuf *w, const int32_t *v, int32_t n)
{
	uint8_t *p;
	int32_t i;
	if (n <= 0 || !(p = kfk_wbuf_room(w, (size_t)n * 4)))
		return;
	for (i = 0; i < n; i++, p += 4)
		kfk_be32_put(p, (uint32_t)v[i]);
}

static inline void kfk_wbuf_put_i64s(kfk_wbuf *w, const int64_t *v, int32_t n)
{
	uint8_t *p;
	int32_t i;
	if (n <= 0 || !(p = kfk_wbuf_room(w, (size_t)n * 8)))
		return;
	for (i = 0; i < n; i++, p += 8) {
		kfk_be32_put(p, (uint32_t)((uint64_t)v[i] >> 32));
		kfk_be32_put(p + 4, (uint32_t)v[i]);
	}
}

static inline void kfk_wbuf_put_uvarint(kfk_wbuf *w, uint64_t v)
{
	uint8_t tmp[KFK_VARINT64_MAX];
	if (v < 0x80)
		kfk_wbuf_put_i8(w, (int8_t)v);
	else
		kfk_wbuf_put_raw(w, tmp, kfk_uvarint_put(tmp, v));
}

static inline void kfk_wbuf_put_varint(kfk_wbuf *w, int64_t v)
{
	kfk_wbuf_put_uvarint(w, kfk_zigzag64(v));
}

/* Writes s as one of the four string kinds (see kfk_rbuf_read_str). A null
 * when !nullable, a negative length other than -1, or a classic string
 * over 32767 bytes is KFK_ERR__INVALID_ARG. */
void kfk_wbuf_put_str(kfk_wbuf *w, int compact, int nullable,
                      struct kfk_str s);

/* Writes b as BYTES / COMPACT_BYTES, nullable or not. */
void kfk_wbuf_put_bytes(kfk_wbuf *w, int compact, int nullable,
                        struct kfk_bytes b);

/* Writes an array count (-1 = null). Returns how many elements the caller
 * must now write: count, or 0 for a null array or after an error (a null
 * when !nullable, count < -1, or count > 0 with a NULL elems). */
int32_t kfk_wbuf_put_array_len(kfk_wbuf *w, int compact, int nullable,
                               int32_t count, const void *elems);

/* Reserves a 4-byte slot (for a frame size) and returns its offset. */
size_t kfk_wbuf_reserve_i32(kfk_wbuf *w);

/* Writes v into the slot at off, reserved earlier. */
void kfk_wbuf_patch_i32(kfk_wbuf *w, size_t off, int32_t v);

/* Patches the slot at off with the number of bytes written after it:
 * the size prefix of a Kafka frame. */
static inline void kfk_wbuf_patch_len(kfk_wbuf *w, size_t off)
{
	kfk_wbuf_patch_i32(w, off, (int32_t)(w->len - off - 4));
}

/* ------------------------------------------------------------------ */
/* Encoded sizes (what the puts above write, for valid input)          */
/* ------------------------------------------------------------------ */

static inline size_t kfk_wsize_uvarint(uint64_t v)
{
	return kfk_uvarint_size(v);
}

static inline size_t kfk_wsize_str(int compact, struct kfk_str s)
{
	size_t n = s.len > 0 ? (size_t)s.len : 0;
	if (compact)
		return kfk_uvarint_size(s.len < 0 ? 0 : (uint64_t)s.len + 1) + n;
	return 2 + n;
}

static inline size_t kfk_wsize_bytes(int compact, struct kfk_bytes b)
{
	size_t n = b.len > 0 ? (size_t)b.len : 0;
	if (compact)
		return kfk_uvarint_size(b.len < 0 ? 0 : (uint64_t)b.len + 1) + n;
	return 4 + n;
}

static inline size_t kfk_wsize_array_len(int compact, int32_t count)
{
	if (compact)
		return kfk_uvarint_size(count < 0 ? 0 : (uint64_t)count + 1);
	return 4;
}

#endif /* KFK_PROTO_BUF_H */
