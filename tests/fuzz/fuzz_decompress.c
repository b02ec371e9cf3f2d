/*
 * tests/fuzz/fuzz_decompress.c: one decompressor of codec/codec.h.
 *
 * Compiled once per codec with -DFUZZ_CODEC=gzip|snappy|lz4|zstd. The
 * input is decompressed with a bound of 1 MiB; output that comes back
 * must respect the bound, and compressing it again at the default level
 * and decompressing that must give the same bytes.
 */
#include "config.h"

#include <string.h>

#include <kfk/errors.h>

#include "codec/codec.h"
#include "fuzz_common.h"

#define FUZZ_STR(x) #x
#define FUZZ_XSTR(x) FUZZ_STR(x)

static int codec_number(void)
{
	static int codec = -2;
	if (codec == -2) {
		codec = kfk_codec_by_name(FUZZ_XSTR(FUZZ_CODEC));
		FUZZ_CHECK(codec > 0);
	}
	return codec;
}

static void recompress(int codec, const void *plain, size_t len)
{
	void *z = NULL, *back = NULL;
	size_t zlen = 0, backlen = 0;

	FUZZ_CHECK(kfk_codec_compress(codec, KFK_CODEC_LEVEL_DEFAULT, plain,
	                              len, &z, &zlen) == KFK_ERR_NONE);
	FUZZ_CHECK(kfk_codec_decompress(codec, z, zlen, FUZZ_MAX_OUT, &back,
	                                &backlen) == KFK_ERR_NONE);
	FUZZ_CHECK(backlen == len);
	FUZZ_CHECK(len == 0 || memcmp(back, plain, len) == 0);
	free(z);
	free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int codec = codec_number();
	void *out = NULL;
	size_t outlen = 12345;
	kfk_err err;

	err = kfk_codec_decompress(codec, data, size, FUZZ_MAX_OUT, &out,
	                           &outlen);
	if (err) {
		FUZZ_CHECK(err == KFK_ERR__DECOMPRESS || err == KFK_ERR__NO_MEMORY);
		FUZZ_CHECK(out == NULL && outlen == 0);
		return 0;
	}
	FUZZ_CHECK(out != NULL && outlen <= FUZZ_MAX_OUT);
	fuzz_touch(out, (int64_t)outlen);
	recompress(codec, out, outlen);
	free(out);
	return 0;
}
