/* Compression codecs: round trips at several levels, inputs written by the
 * reference tools, the output bound (decompression bombs), and truncated,
 * bit-flipped and random input, which must fail cleanly. Inputs handed to
 * the decoder are malloc'd at their exact size so that AddressSanitizer
 * catches any read past the end. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <snappy-c.h>

#include "codec/codec.h"
#include "../kt.h"

#define KIB 1024u
#define MIB (1024u * 1024u)

/* ---- Reference vectors -------------------------------------------------
 * Made once on a Debian machine with the command-line tools gzip 1.12,
 * lz4 1.9.4, zstd 1.5.4 and Python's zlib, from golden_text():
 *   small.txt = golden_text(200)  (13,000 bytes)
 *   big.txt   = golden_text(2000) (130,000 bytes)
 * Python that writes the same text:
 *   b"".join(b"kfk golden line %03d: the quick brown fox jumps over the"
 *            b" lazy dog\n" % (i % 50) for i in range(n))
 */

/* gzip -9 -n small.txt (293 bytes) */
static const char gold_gzip[] =
	"1f8b0800000000000203edd7396e02511444d1dcab784be8378087ddd8d04cddf4b7196d"
	"568f444a78234b159754d149eeb01a6cddc6653fd9b89d7aebbaeec34e9bde7ecedbc560"
	"5f87769d6cd57e6d77de7f1fad5dfac3631e3f6f7fb66ceb97e1e9c0e941d083a407450f"
	"66f4604e0f5ee9c11b3d7887074e253a95e854a253894e253a95e854a253894e253a9518"
	"546250894125069518546250894125069518546250894925269598546252894925269598"
	"546252894925269558546251894525169558546251894525169558546251892a16158b8a"
	"45c5a26251b1a858542c2a16158b8a45c5a26251b1a858542c2a16158b8a45c5a26251b1"
	"a858542c2a16158b8a45c5a26251b1a858542c2a16158b8a45c5a262f9c7c57207c822fa"
	"49c8320000";

/* two gzip -n members: the first 6500 bytes, then the rest (486 bytes) */
static const char gold_gzip_multi[] =
	"1f8b0800000000000003edd73712c2501004d19c53ec11b4067b1b8c0442421fef4e4f15"
	"296127041b4fd5442fe9aee9645bfa4d3d48df0eb55455b590ebae96d3ad5d77b23a97c7"
	"204d79cafe76385ea4dcebf377ee97ef976cca76d4fd1c283d307ae0f420e8c1981e4ce8"
	"c1941ecce8c11c1e2895a854a252894a252a95a854a252894a252a95a854a2518946251a"
	"956854a2518946251a956854a2518946253a95e854a253894e253a95e854a253894e253a"
	"95e854625089412506951854625089412506951854625089412566b164b164b164b164b1"
	"64b164b164b164b164b164b164b1fc4db17c009a4ae71d641900001f8b08000000000000"
	"03edd73712c2501004d19c53ec11b4067b1b8c0442421fef4e4f15296127041b4fd5442f"
	"e9aee9645bfa4d3d48df0eb55455b590ebae96d3ad5d77b23a97c7204d79cafe76385ea4"
	"dcebf377ee97ef976cca76d4fd1c283d307ae0f420e8c1981e4ce8c1941ecce8c11c1e28"
	"95a854a252894a252a95a854a252894a252a95a854a2518946251a956854a2518946251a"
	"956854a2518946253a95e854a253894e253a95e854a253894e253a95e854625089412506"
	"951854625089412506951854625089412566b164b164b164b164b164b164b164b164b164"
	"b164b164b1fc4db17c009a4ae71d64190000";

/* Python zlib.compress(text, 9): a zlib stream (281 bytes) */
static const char gold_zlib[] =
	"78daedd7396e02511444d1dcab784be8378087ddd8d04cddf4b7196d568f444a78234b15"
	"9754d149eeb01a6cddc6653fd9b89d7aebbaeec34e9bde7ecedbc5605f87769d6cd57e6d"
	"77de7f1fad5dfac3631e3f6f7fb66ceb97e1e9c0e941d083a407450f66f4604e0f5ee9c1"
	"1b3d7887074e253a95e854a253894e253a95e854a253894e253a95185462508941250695"
	"185462508941250695185462508949252695985462528949252695985462528949252695"
	"58546251894525169558546251894525169558546251892a16158b8a45c5a26251b1a858"
	"542c2a16158b8a45c5a26251b1a858542c2a16158b8a45c5a26251b1a858542c2a16158b"
	"8a45c5a26251b1a858542c2a16158b8a45c5a262f9c7c572079d2abae4";

/* Python zlib.compressobj(9, zlib.DEFLATED, -15): raw deflate (275 bytes) */
static const char gold_deflate[] =
	"edd7396e02511444d1dcab784be8378087ddd8d04cddf4b7196d568f444a78234b159754"
	"d149eeb01a6cddc6653fd9b89d7aebbaeec34e9bde7ecedbc5605f87769d6cd57e6d77de"
	"7f1fad5dfac3631e3f6f7fb66ceb97e1e9c0e941d083a407450f66f4604e0f5ee9c11b3d"
	"7887074e253a95e854a253894e253a95e854a253894e253a951854625089412506951854"
	"625089412506951854625089492526959854625289492526959854625289492526955854"
	"6251894525169558546251894525169558546251892a16158b8a45c5a26251b1a858542c"
	"2a16158b8a45c5a26251b1a858542c2a16158b8a45c5a26251b1a858542c2a16158b8a45"
	"c5a26251b1a858542c2a16158b8a45c5a262f9c7c57207";

/* lz4 small.txt: 64 KiB independent blocks, content checksum (379 bytes) */
static const char gold_lz4[] =
	"04224d186440a768010000f1246b666b20676f6c64656e206c696e65203030303a207468"
	"6520717569636b2062726f776e20666f78206a756d7073206f7665721f009e6c617a7920"
	"646f670a41001f3141002d1f3241002d1f3341002d1f3441002d1f3541002d1f3641002d"
	"1f3741002d1f3841002d1f3941002c1f318a022d1f318a022d1f318a022d1f318a022d1f"
	"318a022d1f318a022d1f318a022d1f318a022d1f318a022d1f318a022d1f328a022d1f32"
	"8a022d1f328a022d1f328a022d1f328a022d1f328a022d1f328a022d1f328a022d1f328a"
	"022d1f328a022d1f338a022d1f338a022d1f338a022d1f338a022d1f338a022d1f338a02"
	"2d1f338a022d1f338a022d1f338a022d1f338a022d1f348a022d1f348a022d1f348a022d"
	"1f348a022d1f348a022d1f348a022d1f348a022d1f348a022d1f348a022d1f348a022d0f"
	"b20cffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
	"ffffffff135020646f670a000000007b27e779";

/* lz4 -BD -B4 big.txt: linked 64 KiB blocks (862 bytes) */
static const char gold_lz4_linked[] =
	"04224d1844405e36020000f1246b666b20676f6c64656e206c696e65203030303a207468"
	"6520717569636b2062726f776e20666f78206a756d7073206f7665721f009e6c617a7920"
	"646f670a41001f3141002d1f3241002d1f3341002d1f3441002d1f3541002d1f3641002d"
	"1f3741002d1f3841002d1f3941002c1f318a022d1f318a022d1f318a022d1f318a022d1f"
	"318a022d1f318a022d1f318a022d1f318a022d1f318a022d1f318a022d1f328a022d1f32"
	"8a022d1f328a022d1f328a022d1f328a022d1f328a022d1f328a022d1f328a022d1f328a"
	"022d1f328a022d1f338a022d1f338a022d1f338a022d1f338a022d1f338a022d1f338a02"
	"2d1f338a022d1f338a022d1f338a022d1f338a022d1f348a022d1f348a022d1f348a022d"
	"1f348a022d1f348a022d1f348a022d1f348a022d1f348a022d1f348a022d1f348a022d0f"
	"b20cffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
	"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
	"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
	"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
	"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
	"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
	"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff19506c696e65"
	"20110100002f3030c0f32d1f30c0f32d0fe8fdffffffffffffffffffffffffffffffffff"
	"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
	"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
	"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
	"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
	"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
	"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
	"ffffffffffffffffffffffffffffffffffffff315020646f670a000000002a63b4ef";

/* lz4 --content-size -BX big.txt: content size, block checksums, 256 KiB blocks (849 bytes) */
static const char gold_lz4_cs[] =
	"04224d187c50d0fb010000000000b732030000f1246b666b20676f6c64656e206c696e65"
	"203030303a2074686520717569636b2062726f776e20666f78206a756d7073206f766572"
	"1f009e6c617a7920646f670a41001f3141002d1f3241002d1f3341002d1f3441002d1f35"
	"41002d1f3641002d1f3741002d1f3841002d1f3941002c1f318a022d1f318a022d1f318a"
	"022d1f318a022d1f318a022d1f318a022d1f318a022d1f318a022d1f318a022d1f318a02"
	"2d1f328a022d1f328a022d1f328a022d1f328a022d1f328a022d1f328a022d1f328a022d"
	"1f328a022d1f328a022d1f328a022d1f338a022d1f338a022d1f338a022d1f338a022d1f"
	"338a022d1f338a022d1f338a022d1f338a022d1f338a022d1f338a022d1f348a022d1f34"
	"8a022d1f348a022d1f348a022d1f348a022d1f348a022d1f348a022d1f348a022d1f348a"
	"022d1f348a022d0fb20cffffffffffffffffffffffffffffffffffffffffffffffffffff"
	"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
	"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
	"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
	"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
	"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
	"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
	"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
	"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
	"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
	"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
	"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
	"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
	"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
	"ffffe55020646f670a04720d4f000000002a63b4ef";

/* zstd small.txt: content size in the header (215 bytes) */
static const char gold_zstd[] =
	"28b52ffd64c8314d06001287181b704bdb40227dbfb6830d369aadc3c0ffffa02612d97d"
	"e04aff15442aa1d3bc9ac82aa1d3bc9ab82aa1d3bc9aa82aa1d3bc9a982aa1d3bc9a80e5"
	"25874404ad598d7705e2c030fcf1943bc76b0667048691f82a2c1e40c42fc7b4bb95b4b7"
	"9c292c3420e035da0c02a6963c50ba4aac929474955825a974955825510929b196a4d255"
	"6295a4d2556295a4a45b0929b14a52e92ab14a52e94a6295a4d2ad84945825a97425b14a"
	"52e92ab14a52e956424aac24a974955825a974955825a9962e21fd8c683714092472fe";

/* zstd --check < big.txt: no content size, 2 MiB window (214 bytes) */
static const char gold_zstd_stream[] =
	"28b52ffd04584d06001287181b704bdb40227dbfb6830d369aadc3c0ffffa02612d97de0"
	"4aff15442aa1d3bc9ac82aa1d3bc9ab82aa1d3bc9aa82aa1d3bc9a982aa1d3bc9a80e525"
	"874404ad598d7705e2c030fcf1943bc76b0667048691f82a2c1e40c42fc7b4bb95b4b79c"
	"292c3420e035da0c0aefb5cc81d2556295a4a4abc42a49a5abc42a894a4889b52495ae12"
	"ab2495ae12ab2425dd4a488955924a578955924a5712ab24956e25a4c42a49a52b895592"
	"4a578955924ab71252622549a5abc42a49a5abc42a49b57409e96744bba1b79f3455";

/* two zstd frames: the first 6500 bytes, then the rest (428 bytes) */
static const char gold_zstd_multi[] =
	"28b52ffd04584d06001287181b704bdb40227dbfb6830d369aadc3c0ffffa02612d97de0"
	"4aff15442aa1d3bc9ac82aa1d3bc9ab82aa1d3bc9aa82aa1d3bc9a982aa1d3bc9a80e525"
	"874404ad598d7705e2c030fcf1943bc76b0667048691f82a2c1e40c42fc7b4bb95b4b79c"
	"292c3420e035da0c9eaca50f94ae12ab24255d2556492a5d25564954424aac25a9749558"
	"25a97495582529e956424aac9254ba4aac9254ba925825a9742b212556492a5d49ac9254"
	"ba4aac9254ba9590122b492a5d2556492a5d255649aaa54b483f23da0d05bf04cad728b5"
	"2ffd04584d06001287181b704bdb40227dbfb6830d369aadc3c0ffffa02612d97de04aff"
	"15442aa1d3bc9ac82aa1d3bc9ab82aa1d3bc9aa82aa1d3bc9a982aa1d3bc9a80e5258744"
	"04ad598d7705e2c030fcf1943bc76b0667048691f82a2c1e40c42fc7b4bb95b4b79c292c"
	"3420e035da0c9eaca50f94ae12ab24255d2556492a5d25564954424aac25a974955825a9"
	"7495582529e956424aac9254ba4aac9254ba925825a9742b212556492a5d49ac9254ba4a"
	"ac9254ba9590122b492a5d2556492a5d255649aaa54b483f23da0d05bf04cad7";

/* zstd --no-content-size < 10 MiB of zeros (346 bytes) */
static const char gold_zstd_bomb[] =
	"28b52ffd04585400001000000100fbff39c0020200100002001000020010000200100002"
	"001000020010000200100002001000020010000200100002001000020010000200100002"
	"001000020010000200100002001000020010000200100002001000020010000200100002"
	"001000020010000200100002001000020010000200100002001000020010000200100002"
	"001000020010000200100002001000020010000200100002001000020010000200100002"
	"001000020010000200100002001000020010000200100002001000020010000200100002"
	"001000020010000200100002001000020010000200100002001000020010000200100002"
	"00100002001000020010000200100002001000440000000100fdffcd0b10020010000200"
	"100002001000020010000200100002001000020010000200100002001000020010000200"
	"100002001000020010000200100003001000709b3851";

/* echo 'kfk window test' | zstd --ultra -22: 128 MiB window (29 bytes) */
static const char gold_zstd_win27[] =
	"28b52ffd04888100006b666b2077696e646f7720746573740a43b78fbb";


/* ---- Helpers ------------------------------------------------------------ */

/* A malloc'd copy of exactly n bytes (NULL for n == 0), so that an over-read
 * by the decoder lands outside the allocation. */
static uint8_t *exact_copy(const void *p, size_t n)
{
	uint8_t *c;
	if (n == 0)
		return NULL;
	c = malloc(n);
	KT_ASSERT(c != NULL);
	memcpy(c, p, n);
	return c;
}

static int hexval(char c)
{
	return c <= '9' ? c - '0' : c - 'a' + 10;
}

/* Decodes a lower-case hex string into an exact-size allocation. */
static uint8_t *unhex(const char *hex, size_t *len)
{
	size_t n = strlen(hex) / 2, i;
	uint8_t *p = malloc(n);
	KT_ASSERT(p != NULL);
	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(hexval(hex[2 * i]) << 4 | hexval(hex[2 * i + 1]));
	*len = n;
	return p;
}

/* The text the reference vectors were made from (see above). */
static uint8_t *golden_text(int lines, size_t *len)
{
	static const char fmt[] =
		"kfk golden line %03d: the quick brown fox jumps over the lazy dog\n";
	size_t cap = (size_t)lines * 80, n = 0;
	char *p = malloc(cap);
	int i;
	KT_ASSERT(p != NULL);
	for (i = 0; i < lines; i++)
		n += (size_t)snprintf(p + n, cap - n, fmt, i % 50);
	*len = n;
	return (uint8_t *)p;
}

/* n bytes of JSON-like records, as a producer batches them: repetitive
 * keys, varying numbers. */
static uint8_t *make_json(size_t n)
{
	uint8_t *p = malloc(n + 256);
	size_t pos = 0;
	long i = 0;
	KT_ASSERT(p != NULL);
	while (pos < n) {
		pos += (size_t)snprintf(
			(char *)p + pos, 256,
			"{\"seq\":%ld,\"user\":\"user-%ld\",\"event\":\"page_view\","
			"\"path\":\"/products/%ld\",\"ts\":%ld,\"ok\":true}\n",
			i, i % 1000, i % 97, 1700000000000L + i * 7);
		i++;
	}
	return p;
}

/* Deterministic incompressible bytes (xorshift32). */
static uint32_t rnd_next(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static uint8_t *make_random(size_t n, uint32_t seed)
{
	uint8_t *p = malloc(n ? n : 1);
	size_t i;
	KT_ASSERT(p != NULL);
	for (i = 0; i < n; i++)
		p[i] = (uint8_t)rnd_next(&seed);
	return p;
}

static const uint8_t xerial_hdr[16] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0,
                                       0,    0,   0,   1,   0,   0,   0,   1};

/* Compresses and checks the call succeeded; returns the buffer. */
static void *compress_ok(int codec, int level, const void *in, size_t inlen,
                         size_t *outlen)
{
	void *out = NULL;
	KT_ASSERT_INT_EQ(kfk_codec_compress(codec, level, in, inlen, &out, outlen),
	                 KFK_ERR_NONE);
	KT_ASSERT(out != NULL);
	return out;
}

/* Decompresses an exact-size copy of in; returns the error, and the output
 * in *out (freed by the caller) on success. Checks the error contract. */
static kfk_err decompress_copy(int codec, const void *in, size_t inlen,
                               size_t max_out, void **out, size_t *outlen)
{
	uint8_t *c = exact_copy(in, inlen);
	kfk_err err;
	*out = (void *)1;
	*outlen = 12345;
	err = kfk_codec_decompress(codec, c, inlen, max_out, out, outlen);
	free(c);
	if (err) {
		KT_ASSERT(*out == NULL);
		KT_ASSERT_INT_EQ(*outlen, 0);
	} else {
		KT_ASSERT(*out != NULL);
		KT_ASSERT(*outlen <= max_out);
	}
	return err;
}

/* Asserts that in decompresses to exactly want, and that one byte less of
 * room is an error. */
static void expect_decompress(int codec, const void *in, size_t inlen,
                              const void *want, size_t wantlen)
{
	void *out;
	size_t outlen;
	KT_ASSERT_INT_EQ(decompress_copy(codec, in, inlen, wantlen, &out, &outlen),
	                 KFK_ERR_NONE);
	KT_ASSERT_MEM_EQ(out, outlen, want, wantlen);
	free(out);
	if (wantlen > 0)
		KT_ASSERT_INT_EQ(decompress_copy(codec, in, inlen, wantlen - 1, &out,
		                                 &outlen),
		                 KFK_ERR__DECOMPRESS);
}

/* Checks the header of what each codec writes. */
static void check_format(int codec, const uint8_t *p, size_t n)
{
	switch (codec) {
	case KFK_CODEC_GZIP: /* magic, deflate, then 7 more header bytes */
		KT_ASSERT(n >= 18);
		KT_ASSERT(p[0] == 0x1f && p[1] == 0x8b && p[2] == 8);
		break;
	case KFK_CODEC_SNAPPY:
		KT_ASSERT(n >= 16);
		KT_ASSERT_MEM_EQ(p, 16, xerial_hdr, 16);
		break;
	case KFK_CODEC_LZ4: /* FLG 0x60: v01, independent blocks; BD 64 KiB */
		KT_ASSERT(n >= 11);
		KT_ASSERT(p[0] == 0x04 && p[1] == 0x22 && p[2] == 0x4d && p[3] == 0x18);
		KT_ASSERT_INT_EQ(p[4], 0x60);
		KT_ASSERT_INT_EQ(p[5], 0x40);
		break;
	case KFK_CODEC_ZSTD:
		KT_ASSERT(n >= 9);
		KT_ASSERT(p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd);
		break;
	default:
		break;
	}
}

/* ---- Names and levels --------------------------------------------------- */

KT_TEST(codec_names)
{
	static const char *names[] = {"none", "gzip", "snappy", "lz4", "zstd"};
	int i;
	KT_ASSERT_INT_EQ(KFK_CODEC_NONE, 0);
	KT_ASSERT_INT_EQ(KFK_CODEC_GZIP, 1);
	KT_ASSERT_INT_EQ(KFK_CODEC_SNAPPY, 2);
	KT_ASSERT_INT_EQ(KFK_CODEC_LZ4, 3);
	KT_ASSERT_INT_EQ(KFK_CODEC_ZSTD, 4);
	for (i = 0; i < 5; i++) {
		KT_ASSERT_STR_EQ(kfk_codec_name(i), names[i]);
		KT_ASSERT_INT_EQ(kfk_codec_by_name(names[i]), i);
	}
	KT_ASSERT_STR_EQ(kfk_codec_name(5), "unknown");
	KT_ASSERT_STR_EQ(kfk_codec_name(-1), "unknown");
	KT_ASSERT_INT_EQ(kfk_codec_by_name("GZIP"), -1);
	KT_ASSERT_INT_EQ(kfk_codec_by_name("lz4 "), -1);
	KT_ASSERT_INT_EQ(kfk_codec_by_name(""), -1);
	KT_ASSERT_INT_EQ(kfk_codec_by_name("unknown"), -1);
	KT_ASSERT_INT_EQ(kfk_codec_by_name(NULL), -1);
}

KT_TEST(codec_level_ranges)
{
	static const struct {
		int codec, has, min, max, def;
	} want[] = {
		{KFK_CODEC_NONE, 0, 0, 0, 0},  {KFK_CODEC_GZIP, 1, 0, 9, 6},
		{KFK_CODEC_SNAPPY, 0, 0, 0, 0}, {KFK_CODEC_LZ4, 1, 0, 12, 0},
		{KFK_CODEC_ZSTD, 1, 1, 22, 3},
	};
	size_t i;
	int has, min, max, def;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		KT_ASSERT_INT_EQ(kfk_codec_level_range(want[i].codec, &has, &min,
		                                       &max, &def),
		                 KFK_ERR_NONE);
		KT_ASSERT_INT_EQ(has, want[i].has);
		KT_ASSERT_INT_EQ(min, want[i].min);
		KT_ASSERT_INT_EQ(max, want[i].max);
		KT_ASSERT_INT_EQ(def, want[i].def);
	}
	KT_ASSERT_INT_EQ(kfk_codec_level_range(5, &has, NULL, NULL, NULL),
	                 KFK_ERR__UNSUPPORTED_FEATURE);
	KT_ASSERT_INT_EQ(kfk_codec_level_range(KFK_CODEC_ZSTD, NULL, NULL, NULL,
	                                       NULL),
	                 KFK_ERR_NONE);
}

KT_TEST(codec_level_valid)
{
	KT_ASSERT_INT_EQ(kfk_codec_level_valid(KFK_CODEC_GZIP, -1), 1);
	KT_ASSERT_INT_EQ(kfk_codec_level_valid(KFK_CODEC_GZIP, 0), 1);
	KT_ASSERT_INT_EQ(kfk_codec_level_valid(KFK_CODEC_GZIP, 9), 1);
	KT_ASSERT_INT_EQ(kfk_codec_level_valid(KFK_CODEC_GZIP, 10), 0);
	KT_ASSERT_INT_EQ(kfk_codec_level_valid(KFK_CODEC_GZIP, -2), 0);
	KT_ASSERT_INT_EQ(kfk_codec_level_valid(KFK_CODEC_LZ4, 12), 1);
	KT_ASSERT_INT_EQ(kfk_codec_level_valid(KFK_CODEC_LZ4, 13), 0);
	KT_ASSERT_INT_EQ(kfk_codec_level_valid(KFK_CODEC_ZSTD, 0), 0);
	KT_ASSERT_INT_EQ(kfk_codec_level_valid(KFK_CODEC_ZSTD, 22), 1);
	KT_ASSERT_INT_EQ(kfk_codec_level_valid(KFK_CODEC_ZSTD, 23), 0);
	KT_ASSERT_INT_EQ(kfk_codec_level_valid(KFK_CODEC_SNAPPY, 99), 1);
	KT_ASSERT_INT_EQ(kfk_codec_level_valid(KFK_CODEC_NONE, -7), 1);
	KT_ASSERT_INT_EQ(kfk_codec_level_valid(5, -1), 0);
}

KT_TEST(codec_bad_levels_are_rejected)
{
	static const struct {
		int codec, level;
	} bad[] = {{KFK_CODEC_GZIP, 10}, {KFK_CODEC_GZIP, -2},
	           {KFK_CODEC_LZ4, 13},  {KFK_CODEC_ZSTD, 0},
	           {KFK_CODEC_ZSTD, 23}};
	size_t i, outlen = 1;
	void *out = (void *)1;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		KT_ASSERT_INT_EQ(kfk_codec_compress(bad[i].codec, bad[i].level, "ab",
		                                    2, &out, &outlen),
		                 KFK_ERR__INVALID_ARG);
		KT_ASSERT(out == NULL);
		KT_ASSERT_INT_EQ(outlen, 0);
	}
	/* snappy has no levels and ignores any. */
	out = compress_ok(KFK_CODEC_SNAPPY, 42, "ab", 2, &outlen);
	free(out);
}

KT_TEST(codec_unknown_codec_is_unsupported)
{
	static const int codecs[] = {5, 6, 7, 8, -1, 100};
	size_t i, outlen;
	void *out;
	for (i = 0; i < sizeof(codecs) / sizeof(codecs[0]); i++) {
		KT_ASSERT_INT_EQ(kfk_codec_compress(codecs[i], -1, "abc", 3, &out,
		                                    &outlen),
		                 KFK_ERR__UNSUPPORTED_FEATURE);
		KT_ASSERT(out == NULL);
		KT_ASSERT_INT_EQ(kfk_codec_decompress(codecs[i], "abc", 3, 100, &out,
		                                      &outlen),
		                 KFK_ERR__UNSUPPORTED_FEATURE);
		KT_ASSERT(out == NULL);
	}
}

KT_TEST(codec_invalid_arguments)
{
	size_t outlen;
	void *out;
	int c;
	for (c = 0; c <= 4; c++) {
		KT_ASSERT_INT_EQ(kfk_codec_compress(c, -1, NULL, 1, &out, &outlen),
		                 KFK_ERR__INVALID_ARG);
		KT_ASSERT_INT_EQ(kfk_codec_compress(c, -1, "a", 1, NULL, &outlen),
		                 KFK_ERR__INVALID_ARG);
		KT_ASSERT_INT_EQ(kfk_codec_compress(c, -1, "a", 1, &out, NULL),
		                 KFK_ERR__INVALID_ARG);
		KT_ASSERT_INT_EQ(kfk_codec_decompress(c, NULL, 1, 10, &out, &outlen),
		                 KFK_ERR__INVALID_ARG);
		KT_ASSERT_INT_EQ(kfk_codec_decompress(c, "a", 1, 10, NULL, &outlen),
		                 KFK_ERR__INVALID_ARG);
		/* Beyond any record batch: rejected before the input is read. */
		KT_ASSERT_INT_EQ(kfk_codec_decompress(c, "a", (size_t)INT32_MAX + 1,
		                                      10, &out, &outlen),
		                 KFK_ERR__INVALID_ARG);
		KT_ASSERT_INT_EQ(kfk_codec_compress(c, -1, "a", (size_t)INT32_MAX + 1,
		                                    &out, &outlen),
		                 KFK_ERR__INVALID_ARG);
	}
}

/* ---- Round trips --------------------------------------------------------- */

struct rt_input {
	const char *name;
	const uint8_t *data;
	size_t len;
	int compressible; /* at least 64 KiB of records */
};

struct rt_case {
	int codec, level;
	const struct rt_input *in;
};

static void rt_run(void *arg)
{
	const struct rt_case *tc = arg;
	const struct rt_input *in = tc->in;
	size_t clen;
	uint8_t *c = compress_ok(tc->codec, tc->level, in->data, in->len, &clen);
	check_format(tc->codec, c, clen);
	if (tc->codec == KFK_CODEC_NONE)
		KT_ASSERT_MEM_EQ(c, clen, in->data, in->len);
	else if (in->compressible && !(tc->codec == KFK_CODEC_GZIP && tc->level == 0))
		KT_ASSERT_MSG(clen < in->len / 2, "%zu -> %zu", in->len, clen);
	/* Incompressible data grows only by framing overhead. */
	KT_ASSERT_MSG(clen <= in->len + in->len / 64 + 64, "%zu -> %zu", in->len,
	              clen);
	expect_decompress(tc->codec, c, clen, in->data, in->len);
	free(c);
}

KT_TEST(codec_round_trips)
{
	static const struct {
		int codec, level;
	} levels[] = {
		{KFK_CODEC_NONE, -1}, {KFK_CODEC_GZIP, -1}, {KFK_CODEC_GZIP, 0},
		{KFK_CODEC_GZIP, 1},  {KFK_CODEC_GZIP, 9},  {KFK_CODEC_SNAPPY, -1},
		{KFK_CODEC_LZ4, -1},  {KFK_CODEC_LZ4, 1},   {KFK_CODEC_LZ4, 3},
		{KFK_CODEC_LZ4, 9},   {KFK_CODEC_LZ4, 12},  {KFK_CODEC_ZSTD, -1},
		{KFK_CODEC_ZSTD, 1},  {KFK_CODEC_ZSTD, 9},  {KFK_CODEC_ZSTD, 19},
		{KFK_CODEC_ZSTD, 22},
	};
	uint8_t *rnd = make_random(100000, 12345), *json = make_json(64 * KIB),
	        *big = make_json(MIB);
	struct rt_input inputs[] = {
		{"empty", NULL, 0, 0},
		{"1 byte", (const uint8_t *)"x", 1, 0},
		{"random 100000", rnd, 100000, 0},
		{"records 64 KiB", json, 64 * KIB, 1},
		{"records 1 MiB", big, MIB, 1},
	};
	size_t i, j, passed = 0, n = 0;
	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		for (j = 0; j < sizeof(inputs) / sizeof(inputs[0]); j++) {
			struct rt_case tc = {levels[i].codec, levels[i].level, &inputs[j]};
			n++;
			passed += (size_t)kt_subtest(rt_run, &tc, "round trip %s level %d %s",
			                             kfk_codec_name(tc.codec), tc.level,
			                             inputs[j].name);
		}
	}
	free(rnd);
	free(json);
	free(big);
	KT_ASSERT_INT_EQ(passed, n);
}

KT_TEST(codec_default_level_is_the_documented_one)
{
	static const int codecs[] = {KFK_CODEC_GZIP, KFK_CODEC_LZ4, KFK_CODEC_ZSTD};
	uint8_t *json = make_json(64 * KIB);
	size_t i;
	for (i = 0; i < 3; i++) {
		int def;
		size_t alen, blen;
		void *a, *b;
		KT_ASSERT_INT_EQ(kfk_codec_level_range(codecs[i], NULL, NULL, NULL,
		                                       &def),
		                 KFK_ERR_NONE);
		a = compress_ok(codecs[i], -1, json, 64 * KIB, &alen);
		b = compress_ok(codecs[i], def, json, 64 * KIB, &blen);
		KT_ASSERT_MEM_EQ(a, alen, b, blen);
		free(a);
		free(b);
	}
	free(json);
}

KT_TEST(codec_higher_levels_compress_better)
{
	static const struct {
		int codec, lo, hi;
	} pairs[] = {{KFK_CODEC_GZIP, 1, 9},
	             {KFK_CODEC_LZ4, 0, 9},
	             {KFK_CODEC_ZSTD, 1, 19}};
	uint8_t *json = make_json(256 * KIB);
	size_t i;
	for (i = 0; i < 3; i++) {
		size_t lolen, hilen;
		void *lo = compress_ok(pairs[i].codec, pairs[i].lo, json, 256 * KIB,
		                       &lolen);
		void *hi = compress_ok(pairs[i].codec, pairs[i].hi, json, 256 * KIB,
		                       &hilen);
		kt_log("%s level %d: %zu bytes, level %d: %zu bytes",
		       kfk_codec_name(pairs[i].codec), pairs[i].lo, lolen, pairs[i].hi,
		       hilen);
		KT_ASSERT(hilen < lolen);
		free(lo);
		free(hi);
	}
	free(json);
}

KT_TEST(codec_zero_max_out)
{
	int c;
	for (c = 0; c <= 4; c++) {
		size_t clen, outlen;
		void *out;
		uint8_t *z = compress_ok(c, -1, NULL, 0, &clen);
		KT_ASSERT_INT_EQ(decompress_copy(c, z, clen, 0, &out, &outlen),
		                 KFK_ERR_NONE);
		KT_ASSERT_INT_EQ(outlen, 0);
		free(out);
		free(z);
		z = compress_ok(c, -1, "k", 1, &clen);
		KT_ASSERT_INT_EQ(decompress_copy(c, z, clen, 0, &out, &outlen),
		                 KFK_ERR__DECOMPRESS);
		free(z);
	}
}

/* ---- Reference vectors ----------------------------------------------------- */

struct gold_case {
	const char *name;
	int codec;
	const char *hex;
	int lines; /* of golden_text() */
};

static void gold_run(void *arg)
{
	const struct gold_case *g = arg;
	size_t len, tlen, outlen;
	uint8_t *in = unhex(g->hex, &len), *want = golden_text(g->lines, &tlen);
	uint8_t *longer = malloc(len + 1);
	void *out;
	KT_ASSERT(longer != NULL);
	expect_decompress(g->codec, in, len, want, tlen);
	/* One byte missing, or one byte too many, is an error. */
	KT_ASSERT_INT_EQ(decompress_copy(g->codec, in, len - 1, tlen, &out,
	                                 &outlen),
	                 KFK_ERR__DECOMPRESS);
	memcpy(longer, in, len);
	longer[len] = 0;
	KT_ASSERT_INT_EQ(decompress_copy(g->codec, longer, len + 1, tlen, &out,
	                                 &outlen),
	                 KFK_ERR__DECOMPRESS);
	free(longer);
	free(in);
	free(want);
}

KT_TEST(codec_reference_vectors)
{
	static const struct gold_case gold[] = {
		{"gzip", KFK_CODEC_GZIP, gold_gzip, 200},
		{"gzip two members", KFK_CODEC_GZIP, gold_gzip_multi, 200},
		{"zlib stream", KFK_CODEC_GZIP, gold_zlib, 200},
		{"raw deflate", KFK_CODEC_GZIP, gold_deflate, 200},
		{"lz4", KFK_CODEC_LZ4, gold_lz4, 200},
		{"lz4 linked blocks", KFK_CODEC_LZ4, gold_lz4_linked, 2000},
		{"lz4 content size", KFK_CODEC_LZ4, gold_lz4_cs, 2000},
		{"zstd", KFK_CODEC_ZSTD, gold_zstd, 200},
		{"zstd no content size", KFK_CODEC_ZSTD, gold_zstd_stream, 2000},
		{"zstd two frames", KFK_CODEC_ZSTD, gold_zstd_multi, 200},
	};
	size_t i, passed = 0, n = sizeof(gold) / sizeof(gold[0]);
	for (i = 0; i < n; i++)
		passed += (size_t)kt_subtest(gold_run, (void *)&gold[i],
		                             "reference vector %s", gold[i].name);
	KT_ASSERT_INT_EQ(passed, n);
}

/* Snappy vectors built by hand from the format description, as no snappy
 * tool is installed here. The raw block decodes to
 * "Hello, Hello, Hello, Hello, kfk!" (32 bytes):
 *   20                      uncompressed length 32 (varint)
 *   18 "Hello, "            literal, tag (7-1)<<2
 *   1d 07                   copy, 1-byte offset: len 11 ((11-4)<<2|1), off 7
 *   26 07 00                copy, 2-byte offset: len 10 ((10-1)<<2|2), off 7
 *   0c "kfk!"               literal, tag (4-1)<<2
 * A second block " bye": 04 (length 4), 0c " bye". */
#define XERIAL_HDR_HEX "82534e41505059000000000100000001"
static const char snappy_raw1[] =
	"2018" "48656c6c6f2c20" "1d07" "260700" "0c6b666b21";
#define SNAPPY_RAW2 "040c" "20627965"
static const char snappy_text1[] = "Hello, Hello, Hello, Hello, kfk!";
static const char snappy_text2[] = "Hello, Hello, Hello, Hello, kfk! bye";

KT_TEST(codec_snappy_hand_built_vectors)
{
	char hex[256];
	size_t len, outlen;
	uint8_t *in;
	void *out;
	/* A raw block, without framing. */
	in = unhex(snappy_raw1, &len);
	KT_ASSERT_INT_EQ(len, 19);
	expect_decompress(KFK_CODEC_SNAPPY, in, len, snappy_text1, 32);
	free(in);
	/* xerial: magic, version 1, compatible 1, [00000013][block]. */
	snprintf(hex, sizeof(hex), "%s%s", XERIAL_HDR_HEX "00000013",
	         snappy_raw1);
	in = unhex(hex, &len);
	KT_ASSERT_INT_EQ(len, 16 + 4 + 19);
	expect_decompress(KFK_CODEC_SNAPPY, in, len, snappy_text1, 32);
	free(in);
	/* xerial, two blocks. */
	snprintf(hex, sizeof(hex), "%s%s%s", XERIAL_HDR_HEX "00000013",
	         snappy_raw1, "00000006" SNAPPY_RAW2);
	in = unhex(hex, &len);
	expect_decompress(KFK_CODEC_SNAPPY, in, len, snappy_text2, 36);
	/* A block length past the end, or zero, is an error. */
	in[16 + 4 + 19 + 3] = 7;
	KT_ASSERT_INT_EQ(decompress_copy(KFK_CODEC_SNAPPY, in, len, 100, &out,
	                                 &outlen),
	                 KFK_ERR__DECOMPRESS);
	in[16 + 4 + 19 + 3] = 0;
	KT_ASSERT_INT_EQ(decompress_copy(KFK_CODEC_SNAPPY, in, len, 100, &out,
	                                 &outlen),
	                 KFK_ERR__DECOMPRESS);
	free(in);
	/* The header alone is an empty stream. */
	KT_ASSERT_INT_EQ(decompress_copy(KFK_CODEC_SNAPPY, xerial_hdr, 16, 0, &out,
	                                 &outlen),
	                 KFK_ERR_NONE);
	KT_ASSERT_INT_EQ(outlen, 0);
	free(out);
}

/* What we write is what snappy-java reads: the header, then per 32 KiB of
 * input one block with its big-endian length. */
KT_TEST(codec_snappy_xerial_framing_written)
{
	static const size_t want_ulen[] = {32768, 32768, 70000 - 65536};
	uint8_t *json = make_json(70000), *c;
	size_t clen, pos = 16, nblocks = 0, total = 0;
	c = compress_ok(KFK_CODEC_SNAPPY, -1, json, 70000, &clen);
	KT_ASSERT_MEM_EQ(c, 16, xerial_hdr, 16);
	while (pos < clen) {
		size_t blen, ulen;
		KT_ASSERT(pos + 4 <= clen);
		blen = (size_t)c[pos] << 24 | (size_t)c[pos + 1] << 16 |
		       (size_t)c[pos + 2] << 8 | c[pos + 3];
		pos += 4;
		KT_ASSERT(blen > 0 && blen <= clen - pos);
		KT_ASSERT(nblocks < 3);
		/* Each block is a raw snappy block, as libsnappy reads it. */
		KT_ASSERT_INT_EQ(snappy_uncompressed_length((const char *)c + pos, blen,
		                                            &ulen),
		                 SNAPPY_OK);
		KT_ASSERT_INT_EQ(ulen, want_ulen[nblocks]);
		pos += blen;
		total += ulen;
		nblocks++;
	}
	KT_ASSERT_INT_EQ(pos, clen);
	KT_ASSERT_INT_EQ(nblocks, 3);
	KT_ASSERT_INT_EQ(total, 70000);
	/* Empty input: the header alone. */
	free(c);
	c = compress_ok(KFK_CODEC_SNAPPY, -1, NULL, 0, &clen);
	KT_ASSERT_MEM_EQ(c, clen, xerial_hdr, 16);
	free(c);
	free(json);
}

/* ---- Bounds ------------------------------------------------------------------ */

static void bomb_run(void *arg)
{
	int codec = *(const int *)arg;
	uint8_t *zeros = calloc(10 * MIB, 1);
	size_t clen, outlen;
	uint8_t *c;
	void *out;
	KT_ASSERT(zeros != NULL);
	c = compress_ok(codec, -1, zeros, 10 * MIB, &clen);
	kt_log("%s: 10 MiB of zeros -> %zu bytes", kfk_codec_name(codec), clen);
	KT_ASSERT_INT_EQ(decompress_copy(codec, c, clen, MIB, &out, &outlen),
	                 KFK_ERR__DECOMPRESS);
	KT_ASSERT_INT_EQ(decompress_copy(codec, c, clen, 10 * MIB - 1, &out,
	                                 &outlen),
	                 KFK_ERR__DECOMPRESS);
	KT_ASSERT_INT_EQ(decompress_copy(codec, c, clen, 10 * MIB, &out, &outlen),
	                 KFK_ERR_NONE);
	KT_ASSERT_MEM_EQ(out, outlen, zeros, 10 * MIB);
	free(out);
	free(c);
	free(zeros);
}

KT_TEST(codec_decompression_bombs)
{
	static const int codecs[] = {KFK_CODEC_GZIP, KFK_CODEC_SNAPPY,
	                             KFK_CODEC_LZ4, KFK_CODEC_ZSTD};
	size_t i, passed = 0;
	for (i = 0; i < 4; i++)
		passed += (size_t)kt_subtest(bomb_run, (void *)&codecs[i],
		                             "decompression bomb %s",
		                             kfk_codec_name(codecs[i]));
	KT_ASSERT_INT_EQ(passed, 4);
}

/* The paths our own compressors do not reach: a zstd frame without content
 * size (the streaming decoder) and a raw snappy block. */
KT_TEST(codec_bombs_other_paths)
{
	size_t len, clen, outlen;
	uint8_t *in = unhex(gold_zstd_bomb, &len), *zeros = calloc(10 * MIB, 1);
	char *raw;
	void *out;
	KT_ASSERT(zeros != NULL);
	KT_ASSERT_INT_EQ(decompress_copy(KFK_CODEC_ZSTD, in, len, MIB, &out,
	                                 &outlen),
	                 KFK_ERR__DECOMPRESS);
	expect_decompress(KFK_CODEC_ZSTD, in, len, zeros, 10 * MIB);
	free(in);
	clen = snappy_max_compressed_length(10 * MIB);
	raw = malloc(clen);
	KT_ASSERT(raw != NULL);
	KT_ASSERT_INT_EQ(snappy_compress((const char *)zeros, 10 * MIB, raw,
	                                 &clen),
	                 SNAPPY_OK);
	KT_ASSERT_INT_EQ(decompress_copy(KFK_CODEC_SNAPPY, raw, clen, MIB, &out,
	                                 &outlen),
	                 KFK_ERR__DECOMPRESS);
	expect_decompress(KFK_CODEC_SNAPPY, raw, clen, zeros, 10 * MIB);
	free(raw);
	free(zeros);
}

/* Sizes declared in a header that the input could never expand to are
 * refused before any allocation, even with no limit on the output (an
 * attempt to allocate 2^50 bytes would abort under AddressSanitizer). */
KT_TEST(codec_declared_sizes_are_not_trusted)
{
	static const struct {
		int codec;
		const char *hex;
	} lies[] = {
		/* zstd: single segment, 8-byte content size 2^50, an RLE block */
		{KFK_CODEC_ZSTD, "28b52ffd" "e0" "0000000000000400" "1b0000" "61"},
		/* lz4: FLG with content size 2^50, BD 64 KiB, then junk */
		{KFK_CODEC_LZ4, "04224d18" "68" "40" "0000000000000400" "00" "00000000"},
		/* raw snappy: uncompressed length 2^31 (varint), one literal */
		{KFK_CODEC_SNAPPY, "8080808008" "0061"},
		/* gzip: an empty fixed-Huffman block; ISIZE claims 4 GiB - 1 */
		{KFK_CODEC_GZIP, "1f8b0800000000000003" "0300" "00000000" "ffffffff"},
	};
	size_t i;
	for (i = 0; i < sizeof(lies) / sizeof(lies[0]); i++) {
		size_t len, outlen;
		uint8_t *in = unhex(lies[i].hex, &len);
		void *out;
		KT_ASSERT_INT_EQ(decompress_copy(lies[i].codec, in, len, SIZE_MAX,
		                                 &out, &outlen),
		                 KFK_ERR__DECOMPRESS);
		free(in);
	}
}

/* A zstd window larger than both 8 MiB and max_out is refused: decoding it
 * would allocate the window. The frame holds 16 bytes in a 128 MiB window. */
KT_TEST(codec_zstd_window_is_bounded)
{
	size_t len, outlen;
	uint8_t *in = unhex(gold_zstd_win27, &len);
	void *out;
	KT_ASSERT_INT_EQ(decompress_copy(KFK_CODEC_ZSTD, in, len, MIB, &out,
	                                 &outlen),
	                 KFK_ERR__DECOMPRESS);
	KT_ASSERT_INT_EQ(decompress_copy(KFK_CODEC_ZSTD, in, len, 128 * MIB, &out,
	                                 &outlen),
	                 KFK_ERR_NONE);
	KT_ASSERT_MEM_EQ(out, outlen, "kfk window test\n", 16);
	free(out);
	free(in);
}

KT_TEST(codec_none_is_a_bounded_copy)
{
	size_t outlen;
	void *out;
	expect_decompress(KFK_CODEC_NONE, "kfk", 3, "kfk", 3);
	KT_ASSERT_INT_EQ(decompress_copy(KFK_CODEC_NONE, "kfk", 3, 2, &out,
	                                 &outlen),
	                 KFK_ERR__DECOMPRESS);
}

/* ---- Corrupt input ------------------------------------------------------------ */

/* Snappy's xerial framing has no end marker: a cut between blocks is a
 * shorter valid stream. Anywhere else a cut must be an error. */
static void truncation_run(void *arg)
{
	int codec = *(const int *)arg;
	size_t n = codec == KFK_CODEC_SNAPPY ? 70000 : 4096, clen, k, ok = 0;
	uint8_t *json = make_json(n);
	uint8_t *c = compress_ok(codec, -1, json, n, &clen);
	for (k = 0; k < clen; k++) {
		size_t outlen;
		void *out;
		kfk_err err = decompress_copy(codec, c, k, n, &out, &outlen);
		if (err == KFK_ERR__DECOMPRESS)
			continue;
		KT_ASSERT_MSG(codec == KFK_CODEC_SNAPPY, "prefix %zu of %zu: %d", k,
		              clen, err);
		KT_ASSERT_INT_EQ(err, KFK_ERR_NONE);
		KT_ASSERT_INT_EQ(outlen % 32768, 0);
		KT_ASSERT_MEM_EQ(out, outlen, json, outlen);
		free(out);
		ok++;
	}
	/* Snappy: the header alone, and after the first and second block. */
	KT_ASSERT_INT_EQ(ok, codec == KFK_CODEC_SNAPPY ? 3 : 0);
	free(c);
	free(json);
}

KT_TEST(codec_truncated_input)
{
	static const int codecs[] = {KFK_CODEC_GZIP, KFK_CODEC_SNAPPY,
	                             KFK_CODEC_LZ4, KFK_CODEC_ZSTD};
	size_t i, passed = 0;
	for (i = 0; i < 4; i++)
		passed += (size_t)kt_subtest(truncation_run, (void *)&codecs[i],
		                             "truncated %s", kfk_codec_name(codecs[i]));
	KT_ASSERT_INT_EQ(passed, 4);
}

/* Every single-bit flip: an error or some bounded output, never a crash or
 * an over-read. gzip's CRC-32 and length catch every flip that changes the
 * data; only the unchecked header fields (time, flags, OS) and the padding
 * bits of the last deflate byte may change unnoticed. */
static void bitflip_run(void *arg)
{
	int codec = *(const int *)arg;
	size_t n = 4096, clen, pos, errors = 0, flips = 0;
	uint8_t *json = make_json(n);
	uint8_t *c = compress_ok(codec, -1, json, n, &clen);
	for (pos = 0; pos < clen; pos++) {
		int bit;
		for (bit = 0; bit < 8; bit++) {
			size_t outlen;
			void *out;
			kfk_err err;
			c[pos] ^= (uint8_t)(1u << bit);
			err = decompress_copy(codec, c, clen, 2 * n, &out, &outlen);
			c[pos] ^= (uint8_t)(1u << bit);
			flips++;
			if (err == KFK_ERR__DECOMPRESS) {
				errors++;
				continue;
			}
			KT_ASSERT_INT_EQ(err, KFK_ERR_NONE);
			if (codec == KFK_CODEC_GZIP) {
				KT_ASSERT_MSG(pos < 10 || pos == clen - 9,
				              "gzip flip at %zu bit %d accepted", pos, bit);
				KT_ASSERT_MEM_EQ(out, outlen, json, n);
			}
			free(out);
		}
	}
	kt_log("%s: %zu of %zu flips detected", kfk_codec_name(codec), errors,
	       flips);
	KT_ASSERT(errors > 0);
	free(c);
	free(json);
}

KT_TEST(codec_bit_flips)
{
	static const int codecs[] = {KFK_CODEC_GZIP, KFK_CODEC_SNAPPY,
	                             KFK_CODEC_LZ4, KFK_CODEC_ZSTD};
	size_t i, passed = 0;
	for (i = 0; i < 4; i++)
		passed += (size_t)kt_subtest(bitflip_run, (void *)&codecs[i],
		                             "bit flips %s", kfk_codec_name(codecs[i]));
	KT_ASSERT_INT_EQ(passed, 4);
}

/* Random bytes, half of them behind the codec's own magic so the decoder
 * gets past its first check. */
static void garbage_run(void *arg)
{
	static const uint8_t magic_gzip[] = {0x1f, 0x8b, 0x08, 0x00};
	static const uint8_t magic_lz4[] = {0x04, 0x22, 0x4d, 0x18, 0x60, 0x40};
	static const uint8_t magic_zstd[] = {0x28, 0xb5, 0x2f, 0xfd};
	int codec = *(const int *)arg, i;
	const uint8_t *magic = codec == KFK_CODEC_GZIP   ? magic_gzip
	                       : codec == KFK_CODEC_LZ4  ? magic_lz4
	                       : codec == KFK_CODEC_ZSTD ? magic_zstd
	                                                 : xerial_hdr;
	size_t mlen = codec == KFK_CODEC_GZIP   ? sizeof(magic_gzip)
	              : codec == KFK_CODEC_LZ4  ? sizeof(magic_lz4)
	              : codec == KFK_CODEC_ZSTD ? sizeof(magic_zstd)
	                                        : sizeof(xerial_hdr);
	uint32_t seed = 0x9e3779b9u + (uint32_t)codec;
	for (i = 0; i < 3000; i++) {
		size_t len = rnd_next(&seed) % 600, outlen;
		uint8_t *buf = make_random(len + mlen, rnd_next(&seed));
		size_t skip = (i & 1) ? 0 : mlen;
		void *out;
		kfk_err err;
		if (!skip)
			memcpy(buf, magic, mlen);
		err = decompress_copy(codec, buf + skip, len + mlen - skip, 64 * KIB,
		                      &out, &outlen);
		KT_ASSERT_MSG(err == KFK_ERR_NONE || err == KFK_ERR__DECOMPRESS,
		              "input %d: %d", i, err);
		if (!err)
			free(out);
		free(buf);
	}
}

KT_TEST(codec_random_input)
{
	static const int codecs[] = {KFK_CODEC_GZIP, KFK_CODEC_SNAPPY,
	                             KFK_CODEC_LZ4, KFK_CODEC_ZSTD};
	size_t i, passed = 0;
	for (i = 0; i < 4; i++)
		passed += (size_t)kt_subtest(garbage_run, (void *)&codecs[i],
		                             "random input %s",
		                             kfk_codec_name(codecs[i]));
	KT_ASSERT_INT_EQ(passed, 4);
}
