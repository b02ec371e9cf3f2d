/*
 * util/crc32c.c: CRC-32C, hardware and slicing-by-8.
 *
 * The tables are built once on first use (pthread_once, so concurrent first
 * calls are safe) rather than written out as 2,048 constants: building them
 * costs a few microseconds, once per process.
 */
#include "config.h"

#include "util/crc32c.h"

#include <pthread.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#define KFK_CRC32C_X86 1
#include <nmmintrin.h>
#endif

/* The reflected Castagnoli polynomial. */
#define CRC32C_POLY 0x82F63B78u

static pthread_once_t crc32c_once = PTHREAD_ONCE_INIT;
static uint32_t crc32c_table[8][256];
static int crc32c_have_hw;

static void crc32c_init(void)
{
	uint32_t i, k, c;

	for (i = 0; i < 256; i++) {
		c = i;
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (CRC32C_POLY & (0u - (c & 1)));
		crc32c_table[0][i] = c;
	}
	/* table[k][i]: the CRC of byte i followed by k zero bytes, so eight
	 * bytes can be folded in with eight independent lookups. */
	for (i = 0; i < 256; i++) {
		c = crc32c_table[0][i];
		for (k = 1; k < 8; k++) {
			c = (c >> 8) ^ crc32c_table[0][c & 0xff];
			crc32c_table[k][i] = c;
		}
	}
#ifdef KFK_CRC32C_X86
	__builtin_cpu_init();
	crc32c_have_hw = __builtin_cpu_supports("sse4.2") ? 1 : 0;
#endif
}

/* Little-endian loads assembled from bytes: correct on any host, and
 * compiled to one load on little-endian ones. */
static inline uint32_t load_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint32_t crc32c_sw_run(uint32_t c, const uint8_t *p, size_t len)
{
	const uint32_t(*t)[256] = (const uint32_t(*)[256])crc32c_table;

	while (len >= 8) {
		uint32_t lo = c ^ load_le32(p);
		uint32_t hi = load_le32(p + 4);
		c = t[7][lo & 0xff] ^ t[6][(lo >> 8) & 0xff] ^
		    t[5][(lo >> 16) & 0xff] ^ t[4][lo >> 24] ^ t[3][hi & 0xff] ^
		    t[2][(hi >> 8) & 0xff] ^ t[1][(hi >> 16) & 0xff] ^ t[0][hi >> 24];
		p += 8;
		len -= 8;
	}
	while (len--)
		c = (c >> 8) ^ t[0][(c ^ *p++) & 0xff];
	return c;
}

uint32_t kfk_crc32c_sw(uint32_t crc, const void *buf, size_t len)
{
	pthread_once(&crc32c_once, crc32c_init);
	return ~crc32c_sw_run(~crc, buf, len);
}

int kfk_crc32c_hw_available(void)
{
	pthread_once(&crc32c_once, crc32c_init);
	return crc32c_have_hw;
}

#ifdef KFK_CRC32C_X86
__attribute__((target("sse4.2"))) uint32_t
kfk_crc32c_hw(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint64_t c = ~crc;

	/* x86 loads need no alignment; memcpy keeps the load well-defined. */
	while (len >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		c = _mm_crc32_u64(c, w);
		p += 8;
		len -= 8;
	}
	while (len--)
		c = _mm_crc32_u8((uint32_t)c, *p++);
	return ~(uint32_t)c;
}
#else
uint32_t kfk_crc32c_hw(uint32_t crc, const void *buf, size_t len)
{
	return kfk_crc32c_sw(crc, buf, len);
}
#endif

uint32_t kfk_crc32c(uint32_t crc, const void *buf, size_t len)
{
	pthread_once(&crc32c_once, crc32c_init);
	if (crc32c_have_hw)
		return kfk_crc32c_hw(crc, buf, len);
	return ~crc32c_sw_run(~crc, buf, len);
}
