/*
 * util/crc32c.c: CRC-32C, hardware and slicing-by-8.
 *
 * The tables are built once on first use (pthread_once, so concurrent first
 * calls are safe) rather than written out as 2,048 constants: building them
 * costs a few microseconds, once per process.
 *
 * The crc32 instruction has a latency of three cycles but can start one per
 * cycle, so the hardware version runs three independent CRCs over three
 * adjacent blocks and joins them. Joining uses linearity: the raw CRC state
 * after A||B is shift(state after A, |B|) ^ (raw CRC of B from zero), where
 * shift() runs |B| zero bytes through the register; for a fixed |B| it is a
 * linear map of 32 bits, applied with four table lookups. This makes the
 * CRC of a batch about three times faster than one chain.
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

/* Bytes per stream in the three-way hardware loop. */
#define CRC32C_BLOCK 256

static pthread_once_t crc32c_once = PTHREAD_ONCE_INIT;
static uint32_t crc32c_table[8][256];
static uint32_t crc32c_shift_table[4][256]; /* CRC32C_BLOCK zero bytes */
static int crc32c_have_hw;

/* Runs n zero bytes through a raw (uninverted) CRC register. */
static uint32_t crc32c_zeros(uint32_t c, size_t n)
{
	while (n--)
		c = (c >> 8) ^ crc32c_table[0][c & 0xff];
	return c;
}

/* The shift by CRC32C_BLOCK zero bytes, tabulated per byte of the state:
 * built from the images of the 32 single-bit states, by linearity. */
static void crc32c_init_shift(void)
{
	uint32_t basis[32], x;
	int bit, k, v, b;

	for (bit = 0; bit < 32; bit++)
		basis[bit] = crc32c_zeros(1u << bit, CRC32C_BLOCK);
	for (k = 0; k < 4; k++) {
		for (v = 0; v < 256; v++) {
			x = 0;
			for (b = 0; b < 8; b++)
				if (v & (1 << b))
					x ^= basis[8 * k + b];
			crc32c_shift_table[k][v] = x;
		}
	}
}

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
	crc32c_init_shift();
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
static inline uint32_t crc32c_shift(uint32_t c)
{
	return crc32c_shift_table[0][c & 0xff] ^
	       crc32c_shift_table[1][(c >> 8) & 0xff] ^
	       crc32c_shift_table[2][(c >> 16) & 0xff] ^
	       crc32c_shift_table[3][c >> 24];
}

__attribute__((target("sse4.2"))) static inline uint64_t
crc32c_hw_load(uint64_t c, const uint8_t *p)
{
	uint64_t w;
	/* x86 loads need no alignment; memcpy keeps the load well-defined. */
	memcpy(&w, p, 8);
	return _mm_crc32_u64(c, w);
}

/* The raw register over p[0..len); the tables must be built. */
__attribute__((target("sse4.2"))) static uint32_t
crc32c_hw_run(uint32_t crc, const uint8_t *p, size_t len)
{
	uint64_t c = crc, c1, c2;
	size_t i;

	while (len >= 3 * CRC32C_BLOCK) {
		c1 = c2 = 0;
		for (i = 0; i < CRC32C_BLOCK; i += 8) {
			c = crc32c_hw_load(c, p + i);
			c1 = crc32c_hw_load(c1, p + CRC32C_BLOCK + i);
			c2 = crc32c_hw_load(c2, p + 2 * CRC32C_BLOCK + i);
		}
		c = crc32c_shift((uint32_t)c) ^ (uint32_t)c1;
		c = crc32c_shift((uint32_t)c) ^ (uint32_t)c2;
		p += 3 * CRC32C_BLOCK;
		len -= 3 * CRC32C_BLOCK;
	}
	for (; len >= 8; p += 8, len -= 8)
		c = crc32c_hw_load(c, p);
	while (len--)
		c = _mm_crc32_u8((uint32_t)c, *p++);
	return (uint32_t)c;
}

uint32_t kfk_crc32c_hw(uint32_t crc, const void *buf, size_t len)
{
	pthread_once(&crc32c_once, crc32c_init);
	return ~crc32c_hw_run(~crc, buf, len);
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
#ifdef KFK_CRC32C_X86
	if (crc32c_have_hw)
		return ~crc32c_hw_run(~crc, buf, len);
#endif
	return ~crc32c_sw_run(~crc, buf, len);
}
