/*
 * The partitioners' key hashes (see hash.h). Arithmetic is unsigned 32-bit
 * throughout: Java's int and librdkafka's int32_t wrap on overflow, which in
 * C is defined only for unsigned types.
 */
#include "config.h"
#include "producer/hash.h"

#include <limits.h>
#include <zlib.h>

#define MURMUR2_SEED 0x9747b28cu
#define MURMUR2_M 0x5bd1e995u
#define MURMUR2_R 24

/* Four bytes, little-endian whatever the host: Java assembles the block
 * byte by byte. Compilers turn this into one load on little-endian hosts. */
static inline uint32_t load_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

int32_t kfk_hash_murmur2(const void *key, size_t len)
{
	const unsigned char *p = key; /* NULL only when len is 0 */
	size_t body = len & ~(size_t)3, i;
	uint32_t h = MURMUR2_SEED ^ (uint32_t)len;

	for (i = 0; i < body; i += 4) {
		uint32_t k = load_le32(p + i);
		k *= MURMUR2_M;
		k ^= k >> MURMUR2_R;
		k *= MURMUR2_M;
		h = h * MURMUR2_M ^ k;
	}
	/* The tail: Java's switch falls through from 3 to 1, and only
	 * multiplies when there was a tail at all. */
	switch (len & 3) {
	case 3: h ^= (uint32_t)p[body + 2] << 16; /* fall through */
	case 2: h ^= (uint32_t)p[body + 1] << 8;  /* fall through */
	case 1:
		h ^= p[body];
		h *= MURMUR2_M;
	}
	h ^= h >> 13;
	h *= MURMUR2_M;
	h ^= h >> 15;
	return (int32_t)h; /* two's complement: the bits Java's int holds */
}

uint32_t kfk_hash_crc32(const void *key, size_t len)
{
	const Bytef *p = key;
	uLong crc = crc32(0L, Z_NULL, 0);

	/* zlib takes uInt lengths; keys never come near, but stay correct. */
	while (len > UINT_MAX) {
		crc = crc32(crc, p, UINT_MAX);
		p += UINT_MAX;
		len -= UINT_MAX;
	}
	if (len > 0)
		crc = crc32(crc, p, (uInt)len);
	return (uint32_t)crc;
}

uint32_t kfk_hash_fnv1a(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint32_t h = 0x811c9dc5u;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x01000193u;
	}
	/* librdkafka negates negative results (to match Sarama); unsigned
	 * negation is the same two's complement operation, without the
	 * overflow that -INT32_MIN would be. */
	if (h & 0x80000000u)
		h = 0u - h;
	return h;
}
