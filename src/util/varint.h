/*
 * util/varint.h: the variable-length integers of the Kafka protocol.
 *
 * Unsigned varints (LEB128, 7 bits a byte, low group first) carry compact
 * lengths and tagged fields; signed varints are zigzag-encoded first and
 * carry the record fields of record batch v2. Pure functions over
 * caller-owned buffers; decoders never read past `end`.
 */
#ifndef KFK_UTIL_VARINT_H
#define KFK_UTIL_VARINT_H

#include <stddef.h>
#include <stdint.h>

/* The longest encodings: 5 bytes for 32 bits, 10 for 64. */
#define KFK_VARINT32_MAX 5
#define KFK_VARINT64_MAX 10

static inline uint32_t kfk_zigzag32(int32_t v)
{
	return ((uint32_t)v << 1) ^ (uint32_t)(v >> 31);
}

static inline uint64_t kfk_zigzag64(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static inline int32_t kfk_unzigzag32(uint32_t v)
{
	return (int32_t)((v >> 1) ^ (~(v & 1) + 1));
}

static inline int64_t kfk_unzigzag64(uint64_t v)
{
	return (int64_t)((v >> 1) ^ (~(v & 1) + 1));
}

/* Writes v to out (room for KFK_VARINT64_MAX bytes); returns bytes written. */
static inline size_t kfk_uvarint_put(uint8_t *out, uint64_t v)
{
	size_t n = 0;
	while (v >= 0x80) {
		out[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	out[n++] = (uint8_t)v;
	return n;
}

static inline size_t kfk_varint_put(uint8_t *out, int64_t v)
{
	return kfk_uvarint_put(out, kfk_zigzag64(v));
}

/* Bytes kfk_uvarint_put() would write. */
static inline size_t kfk_uvarint_size(uint64_t v)
{
	size_t n = 1;
	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

static inline size_t kfk_varint_size(int64_t v)
{
	return kfk_uvarint_size(kfk_zigzag64(v));
}

/* Reads an unsigned varint of at most max_bytes bytes from [p, end).
 * Returns the bytes consumed, or 0 when the input is truncated or the
 * encoding is longer than max_bytes (malformed). */
static inline size_t kfk_uvarint_get(const uint8_t *p, const uint8_t *end,
                                     size_t max_bytes, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;
	for (i = 0; i < max_bytes && p + i < end; i++) {
		v |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		if (!(p[i] & 0x80)) {
			*out = v;
			return i + 1;
		}
	}
	return 0;
}

/* 32-bit unsigned varint; also refuses values above UINT32_MAX. */
static inline size_t kfk_uvarint32_get(const uint8_t *p, const uint8_t *end,
                                       uint32_t *out)
{
	uint64_t v;
	size_t n = kfk_uvarint_get(p, end, KFK_VARINT32_MAX, &v);
	if (!n || v > UINT32_MAX)
		return 0;
	*out = (uint32_t)v;
	return n;
}

static inline size_t kfk_varint32_get(const uint8_t *p, const uint8_t *end,
                                      int32_t *out)
{
	uint32_t u;
	size_t n = kfk_uvarint32_get(p, end, &u);
	if (n)
		*out = kfk_unzigzag32(u);
	return n;
}

static inline size_t kfk_varint64_get(const uint8_t *p, const uint8_t *end,
                                      int64_t *out)
{
	uint64_t u;
	size_t n = kfk_uvarint_get(p, end, KFK_VARINT64_MAX, &u);
	if (n)
		*out = kfk_unzigzag64(u);
	return n;
}

#endif /* KFK_UTIL_VARINT_H */
