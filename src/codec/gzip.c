/*
 * codec/gzip.c: gzip through zlib.
 *
 * Writes one gzip member. Reads concatenated gzip members (as the Java
 * client's GZIPInputStream does), and also a zlib stream or raw deflate,
 * which some producers have sent as "gzip".
 */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>

#define ZLIB_CONST
#include <zlib.h>

#include "codec/codec_impl.h"

/* deflate can expand at most 1032 times (a 258-byte match per two bits);
 * a declared size above that, for the given input, is a lie. */
#define DEFLATE_MAX_RATIO 1032

#define GZIP_WBITS (15 + 16)
#define ZLIB_WBITS 15
#define RAW_WBITS (-15)

/* gzip members start with 1f 8b 08 (deflate is the only method). */
static int is_gzip(const uint8_t *p, size_t n)
{
	return n >= 3 && p[0] == 0x1f && p[1] == 0x8b && p[2] == 8;
}

/* A zlib header (RFC 1950): deflate method, window <= 32 KiB, check bits. */
static int is_zlib(const uint8_t *p, size_t n)
{
	return n >= 2 && (p[0] & 0x0f) == 8 && (p[0] >> 4) <= 7 &&
	       ((p[0] << 8) | p[1]) % 31 == 0;
}

kfk_err kfk_codec_gzip_compress(int level, const void *in, size_t inlen,
                                void **out, size_t *outlen)
{
	z_stream zs = {0};
	uint8_t *buf;
	uLong bound;
	int zr = deflateInit2(&zs, level, Z_DEFLATED, GZIP_WBITS, 8,
	                      Z_DEFAULT_STRATEGY);
	if (zr != Z_OK)
		return zr == Z_MEM_ERROR ? KFK_ERR__NO_MEMORY : KFK_ERR__FAIL;
	/* inlen <= INT32_MAX keeps the bound within uInt, so one call with
	 * Z_FINISH does all the work. */
	bound = deflateBound(&zs, (uLong)inlen);
	buf = malloc(bound);
	if (!buf) {
		deflateEnd(&zs);
		return KFK_ERR__NO_MEMORY;
	}
	zs.next_in = in;
	zs.avail_in = (uInt)inlen;
	zs.next_out = buf;
	zs.avail_out = (uInt)bound;
	zr = deflate(&zs, Z_FINISH);
	deflateEnd(&zs);
	if (zr != Z_STREAM_END) {
		free(buf);
		return KFK_ERR__FAIL;
	}
	*outlen = bound - zs.avail_out;
	*out = kfk_codec_shrink(buf, *outlen);
	return KFK_ERR_NONE;
}

/* The first allocation: a single gzip member ends with its size mod 2^32,
 * which is a good hint when it is plausible. */
static size_t gzip_hint(const uint8_t *in, size_t inlen, int wbits)
{
	size_t isize;
	if (wbits != GZIP_WBITS || inlen < 18)
		return inlen * 4;
	isize = (size_t)in[inlen - 4] | (size_t)in[inlen - 3] << 8 |
	        (size_t)in[inlen - 2] << 16 | (size_t)in[inlen - 1] << 24;
	if (isize / DEFLATE_MAX_RATIO > inlen)
		return inlen * 4;
	return isize;
}

/* Runs inflate over all of the input into ob. After a gzip member ends,
 * another one may follow; anything else after the end is an error. */
static kfk_err gzip_inflate(z_stream *zs, int wbits, struct kfk_codec_obuf *ob)
{
	for (;;) {
		uint8_t *dst;
		size_t avail;
		int zr;
		kfk_err err = kfk_codec_obuf_space(ob, &dst, &avail);
		if (err)
			return err;
		zs->next_out = dst;
		zs->avail_out = avail > UINT_MAX ? UINT_MAX : (uInt)avail;
		avail = zs->avail_out;
		zr = inflate(zs, Z_NO_FLUSH);
		err = kfk_codec_obuf_commit(ob, avail - zs->avail_out);
		if (err)
			return err;
		if (zr == Z_OK)
			continue;
		if (zr != Z_STREAM_END)
			return zr == Z_MEM_ERROR ? KFK_ERR__NO_MEMORY
			                         : KFK_ERR__DECOMPRESS;
		if (zs->avail_in == 0)
			return KFK_ERR_NONE;
		if (wbits != GZIP_WBITS || !is_gzip(zs->next_in, zs->avail_in))
			return KFK_ERR__DECOMPRESS;
		if (inflateReset(zs) != Z_OK)
			return KFK_ERR__DECOMPRESS;
	}
}

kfk_err kfk_codec_gzip_decompress(const void *in, size_t inlen,
                                  size_t max_out, void **out, size_t *outlen)
{
	const uint8_t *p = in;
	struct kfk_codec_obuf ob;
	z_stream zs = {0};
	kfk_err err;
	int wbits = is_gzip(p, inlen)   ? GZIP_WBITS
	            : is_zlib(p, inlen) ? ZLIB_WBITS
	                                : RAW_WBITS;
	int zr = inflateInit2(&zs, wbits);
	if (zr != Z_OK)
		return zr == Z_MEM_ERROR ? KFK_ERR__NO_MEMORY : KFK_ERR__FAIL;
	zs.next_in = p;
	zs.avail_in = (uInt)inlen;
	kfk_codec_obuf_init(&ob, max_out, gzip_hint(p, inlen, wbits));
	err = gzip_inflate(&zs, wbits, &ob);
	inflateEnd(&zs);
	if (!err)
		err = kfk_codec_obuf_finish(&ob, out, outlen);
	kfk_codec_obuf_free(&ob);
	return err;
}
