/*
 * codec/snappy.c: snappy through Debian's libsnappy C API.
 *
 * The Java client wraps snappy in snappy-java's stream framing ("xerial"):
 *
 *   82 53 4e 41 50 50 59 00   magic: 0x82 "SNAPPY" 0x00
 *   00 00 00 01               version, int32 big-endian
 *   00 00 00 01               oldest compatible version, int32 big-endian
 *   then per block: [int32 BE compressed length][raw snappy block]
 *
 * We write that with blocks of up to 32 KiB of input (snappy-java's
 * default). We read it, ignoring the two version fields, or a single raw
 * snappy block when the input does not start with the magic (older and
 * non-Java producers send raw blocks; librdkafka reads both the same way).
 *
 * Decompression first walks every block's header and the length each
 * block declares, so the output is allocated once, at its exact size, and
 * only once the total is known to fit in max_out.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <snappy-c.h>

#include "codec/codec_impl.h"

static const uint8_t xerial_magic[8] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};

#define XERIAL_HDR_LEN 16
#define XERIAL_VERSION 1
#define XERIAL_COMPAT 1
#define XERIAL_BLOCK 32768

/* A raw snappy block expands at most 64/3 times (a 64-byte copy costs three
 * bytes); a declared length above this is corrupt, whatever max_out is. */
#define SNAPPY_MAX_RATIO 22

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

kfk_err kfk_codec_snappy_compress(const void *in, size_t inlen, void **out,
                                  size_t *outlen)
{
	const char *src = in;
	size_t nblocks = (inlen + XERIAL_BLOCK - 1) / XERIAL_BLOCK;
	size_t cap = XERIAL_HDR_LEN +
	             nblocks * (4 + snappy_max_compressed_length(XERIAL_BLOCK));
	size_t pos = XERIAL_HDR_LEN, off;
	uint8_t *buf = malloc(cap);
	if (!buf)
		return KFK_ERR__NO_MEMORY;
	memcpy(buf, xerial_magic, sizeof(xerial_magic));
	put_be32(buf + 8, XERIAL_VERSION);
	put_be32(buf + 12, XERIAL_COMPAT);
	for (off = 0; off < inlen; off += XERIAL_BLOCK) {
		size_t n = inlen - off < XERIAL_BLOCK ? inlen - off : XERIAL_BLOCK;
		size_t clen = cap - pos - 4;
		if (snappy_compress(src + off, n, (char *)buf + pos + 4, &clen) !=
		    SNAPPY_OK) {
			free(buf);
			return KFK_ERR__FAIL;
		}
		put_be32(buf + pos, (uint32_t)clen);
		pos += 4 + clen;
	}
	*out = kfk_codec_shrink(buf, pos);
	*outlen = pos;
	return KFK_ERR_NONE;
}

/* The uncompressed length a raw block declares, checked for plausibility. */
static kfk_err block_len(const uint8_t *blk, size_t clen, size_t *ulen)
{
	if (snappy_uncompressed_length((const char *)blk, clen, ulen) !=
	    SNAPPY_OK)
		return KFK_ERR__DECOMPRESS;
	if (*ulen / SNAPPY_MAX_RATIO > clen)
		return KFK_ERR__DECOMPRESS;
	return KFK_ERR_NONE;
}

/* Decompresses one raw block of exactly ulen bytes into dst. */
static kfk_err block_uncompress(const uint8_t *blk, size_t clen, uint8_t *dst,
                                size_t ulen)
{
	size_t n = ulen;
	if (snappy_uncompress((const char *)blk, clen, (char *)dst, &n) !=
	        SNAPPY_OK ||
	    n != ulen)
		return KFK_ERR__DECOMPRESS;
	return KFK_ERR_NONE;
}

/* Walks the xerial blocks after the header. With dst NULL it only checks
 * the framing and sums the declared lengths into *total (failing beyond
 * max_out); with dst it decompresses the blocks into it. */
static kfk_err xerial_walk(const uint8_t *in, size_t inlen, size_t max_out,
                           uint8_t *dst, size_t *total)
{
	size_t pos = XERIAL_HDR_LEN, sum = 0;
	while (pos < inlen) {
		size_t clen, ulen;
		kfk_err err;
		if (inlen - pos < 4)
			return KFK_ERR__DECOMPRESS;
		clen = get_be32(in + pos);
		pos += 4;
		if (clen == 0 || clen > inlen - pos)
			return KFK_ERR__DECOMPRESS;
		if ((err = block_len(in + pos, clen, &ulen)))
			return err;
		if (ulen > max_out - sum)
			return KFK_ERR__DECOMPRESS;
		if (dst && (err = block_uncompress(in + pos, clen, dst + sum, ulen)))
			return err;
		sum += ulen;
		pos += clen;
	}
	*total = sum;
	return KFK_ERR_NONE;
}

static kfk_err xerial_decompress(const uint8_t *in, size_t inlen,
                                 size_t max_out, void **out, size_t *outlen)
{
	size_t total;
	uint8_t *buf;
	kfk_err err = xerial_walk(in, inlen, max_out, NULL, &total);
	if (err)
		return err;
	buf = malloc(total ? total : 1);
	if (!buf)
		return KFK_ERR__NO_MEMORY;
	err = xerial_walk(in, inlen, total, buf, &total);
	if (err) {
		free(buf);
		return err;
	}
	*out = buf;
	*outlen = total;
	return KFK_ERR_NONE;
}

static kfk_err raw_decompress(const uint8_t *in, size_t inlen, size_t max_out,
                              void **out, size_t *outlen)
{
	size_t ulen;
	uint8_t *buf;
	kfk_err err = block_len(in, inlen, &ulen);
	if (err)
		return err;
	if (ulen > max_out)
		return KFK_ERR__DECOMPRESS;
	buf = malloc(ulen ? ulen : 1);
	if (!buf)
		return KFK_ERR__NO_MEMORY;
	if ((err = block_uncompress(in, inlen, buf, ulen))) {
		free(buf);
		return err;
	}
	*out = buf;
	*outlen = ulen;
	return KFK_ERR_NONE;
}

kfk_err kfk_codec_snappy_decompress(const void *in, size_t inlen,
                                    size_t max_out, void **out,
                                    size_t *outlen)
{
	const uint8_t *p = in;
	if (inlen >= XERIAL_HDR_LEN && !memcmp(p, xerial_magic, sizeof(xerial_magic)))
		return xerial_decompress(p, inlen, max_out, out, outlen);
	if (inlen == 0)
		return KFK_ERR__DECOMPRESS;
	return raw_decompress(p, inlen, max_out, out, outlen);
}
