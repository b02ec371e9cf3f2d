/* CRC-32C: published check values, and the hardware and table versions
 * against a bit-at-a-time reference on every alignment and short length. */
#include "config.h"

#include "util/crc32c.h"
#include "../kt.h"

#include <string.h>

/* The definition itself, one bit at a time: slow, obviously right. */
static uint32_t crc32c_bitwise(uint32_t crc, const uint8_t *p, size_t len)
{
	crc = ~crc;
	while (len--) {
		int k;
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = (crc & 1) ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
	}
	return ~crc;
}

typedef uint32_t (*crc_fn)(uint32_t, const void *, size_t);

struct known {
	const char *name;
	uint8_t data[48];
	size_t len;
	uint32_t crc;
};

static struct known known_vectors[6];

static void fill_known(void)
{
	size_t i;
	known_vectors[0] = (struct known){.name = "check_123456789", .len = 9,
	                                  .crc = 0xE3069283u};
	memcpy(known_vectors[0].data, "123456789", 9);
	/* RFC 3720 appendix B.4. */
	known_vectors[1] = (struct known){.name = "rfc3720_zeros", .len = 32,
	                                  .crc = 0x8A9136AAu};
	known_vectors[2] = (struct known){.name = "rfc3720_ones", .len = 32,
	                                  .crc = 0x62A8AB43u};
	memset(known_vectors[2].data, 0xff, 32);
	known_vectors[3] = (struct known){.name = "rfc3720_incrementing",
	                                  .len = 32, .crc = 0x46DD794Eu};
	known_vectors[4] = (struct known){.name = "rfc3720_decrementing",
	                                  .len = 32, .crc = 0x113FDB5Cu};
	for (i = 0; i < 32; i++) {
		known_vectors[3].data[i] = (uint8_t)i;
		known_vectors[4].data[i] = (uint8_t)(31 - i);
	}
	static const uint8_t pdu[48] = {
	    0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	    0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00,
	    0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18, 0x28, 0x00, 0x00, 0x00,
	    0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
	known_vectors[5] = (struct known){.name = "rfc3720_iscsi_read_pdu",
	                                  .len = 48, .crc = 0xD9963A56u};
	memcpy(known_vectors[5].data, pdu, 48);
}

static void check_known(crc_fn fn)
{
	size_t i, cut;
	fill_known();
	for (i = 0; i < sizeof(known_vectors) / sizeof(known_vectors[0]); i++) {
		const struct known *k = &known_vectors[i];
		KT_ASSERT_MSG(fn(0, k->data, k->len) == k->crc, "%s: %08x != %08x",
		              k->name, fn(0, k->data, k->len), k->crc);
		KT_ASSERT_INT_EQ(crc32c_bitwise(0, k->data, k->len), k->crc);
		/* Incremental: any split gives the same value. */
		for (cut = 0; cut <= k->len; cut++) {
			uint32_t c = fn(fn(0, k->data, cut), k->data + cut, k->len - cut);
			KT_ASSERT_INT_EQ(c, k->crc);
		}
	}
	KT_ASSERT_INT_EQ(fn(0, "", 0), 0);
	KT_ASSERT_INT_EQ(fn(0x12345678u, NULL, 0), 0x12345678u);
}

KT_TEST(crc32c_known_values_sw)
{
	check_known(kfk_crc32c_sw);
}

KT_TEST(crc32c_known_values_hw)
{
	if (!kfk_crc32c_hw_available())
		kt_skip("CPU without SSE4.2");
	check_known(kfk_crc32c_hw);
}

KT_TEST(crc32c_known_values_dispatch)
{
	check_known(kfk_crc32c);
}

/* xorshift: reproducible pseudo-random bytes without libc's rand(). */
static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

KT_TEST(crc32c_implementations_agree_all_alignments_and_lengths)
{
	static uint8_t buf[16 + 300];
	uint64_t seed = 0x9E3779B97F4A7C15ull;
	size_t i, align, len;
	int hw = kfk_crc32c_hw_available();

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)rng_next(&seed);
	for (align = 0; align < 16; align++) {
		for (len = 0; len <= 300; len++) {
			const uint8_t *p = buf + align;
			uint32_t seed_crc = (uint32_t)rng_next(&seed);
			uint32_t want = crc32c_bitwise(seed_crc, p, len);
			KT_ASSERT_MSG(kfk_crc32c_sw(seed_crc, p, len) == want,
			              "sw: align %zu len %zu", align, len);
			KT_ASSERT_MSG(kfk_crc32c(seed_crc, p, len) == want,
			              "dispatch: align %zu len %zu", align, len);
			if (hw)
				KT_ASSERT_MSG(kfk_crc32c_hw(seed_crc, p, len) == want,
				              "hw: align %zu len %zu", align, len);
		}
	}
}

/* The hardware version runs three streams over 3 x 256-byte blocks: every
 * length around those block edges, against the table version. */
KT_TEST(crc32c_three_way_block_edges)
{
	static uint8_t buf[8 + 2400];
	uint64_t seed = 7;
	size_t i, align, len;

	if (!kfk_crc32c_hw_available())
		kt_skip("CPU without SSE4.2");
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)rng_next(&seed);
	for (align = 0; align < 8; align += 3) {
		for (len = 0; len <= 2400; len++) {
			uint32_t sw = kfk_crc32c_sw(0x5555u, buf + align, len);
			KT_ASSERT_MSG(kfk_crc32c_hw(0x5555u, buf + align, len) == sw,
			              "hw: align %zu len %zu", align, len);
			KT_ASSERT_MSG(kfk_crc32c(0x5555u, buf + align, len) == sw,
			              "dispatch: align %zu len %zu", align, len);
		}
	}
}

KT_TEST(crc32c_large_buffer_sw_equals_hw)
{
	size_t n = 1 << 20, i;
	static uint8_t big[1 << 20];
	uint64_t seed = 42;
	for (i = 0; i < n; i++)
		big[i] = (uint8_t)rng_next(&seed);
	uint32_t sw = kfk_crc32c_sw(0, big, n);
	KT_ASSERT_INT_EQ(sw, crc32c_bitwise(0, big, n));
	KT_ASSERT_INT_EQ(kfk_crc32c(0, big, n), sw);
	if (kfk_crc32c_hw_available())
		KT_ASSERT_INT_EQ(kfk_crc32c_hw(0, big, n), sw);
}
