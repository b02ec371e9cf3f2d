/*
 * codec/lz4.c: the LZ4 frame format through liblz4's lz4frame.h.
 *
 * We write what the Java client's encoder writes: independent 64 KiB
 * blocks, no block or content checksum, no content size. We read any frame
 * lz4frame reads (every block size, linked blocks, checksums, content size,
 * skippable frames) and any number of frames in a row.
 *
 * Kafka before 0.10 (message format v0/v1) computed the frame header
 * checksum wrongly; record batches (v2) always carry correct frames, so
 * that variant is not accepted here.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <lz4frame.h>

#include "codec/codec_impl.h"

/* LZ4 expands at most about 255 times (255 length bytes per extension). */
#define LZ4_MAX_RATIO 256

kfk_err kfk_codec_lz4_compress(int level, const void *in, size_t inlen,
                               void **out, size_t *outlen)
{
	static const uint8_t nothing[1];
	LZ4F_preferences_t prefs;
	size_t bound, n;
	void *buf;
	memset(&prefs, 0, sizeof(prefs));
	prefs.frameInfo.blockSizeID = LZ4F_max64KB;
	prefs.frameInfo.blockMode = LZ4F_blockIndependent;
	prefs.compressionLevel = level; /* 0..2 fast, 3..12 HC */
	bound = LZ4F_compressFrameBound(inlen, &prefs);
	buf = malloc(bound);
	if (!buf)
		return KFK_ERR__NO_MEMORY;
	n = LZ4F_compressFrame(buf, bound, inlen ? in : nothing, inlen, &prefs);
	if (LZ4F_isError(n)) {
		free(buf);
		return KFK_ERR__FAIL;
	}
	*out = kfk_codec_shrink(buf, n);
	*outlen = n;
	return KFK_ERR_NONE;
}

/* The first allocation: the content size of the first frame when it has
 * one and it is plausible, else a guess. The frame header is magic (4),
 * FLG, BD, then the 8-byte little-endian content size when FLG bit 3 is
 * set. lz4frame checks the size itself; here it is only a hint. */
static size_t lz4_hint(const uint8_t *in, size_t inlen)
{
	uint64_t cs = 0;
	int i;
	if (inlen < 14 || in[0] != 0x04 || in[1] != 0x22 || in[2] != 0x4d ||
	    in[3] != 0x18 || !(in[4] & 0x08))
		return inlen * 4;
	for (i = 7; i >= 0; i--)
		cs = cs << 8 | in[6 + i];
	if (cs / LZ4_MAX_RATIO > inlen)
		return inlen * 4;
	return (size_t)cs;
}

/* Feeds all of the input through dctx into ob, frame after frame. */
static kfk_err lz4_run(LZ4F_dctx *dctx, const uint8_t *in, size_t inlen,
                       struct kfk_codec_obuf *ob)
{
	size_t pos = 0;
	for (;;) {
		uint8_t *dst;
		size_t dsize, ssize, r;
		kfk_err err = kfk_codec_obuf_space(ob, &dst, &dsize);
		if (err)
			return err;
		ssize = inlen - pos;
		r = LZ4F_decompress(dctx, dst, &dsize, in + pos, &ssize, NULL);
		if (LZ4F_isError(r))
			return KFK_ERR__DECOMPRESS;
		pos += ssize;
		if ((err = kfk_codec_obuf_commit(ob, dsize)))
			return err;
		if (r == 0 && pos == inlen)
			return KFK_ERR_NONE; /* last frame decoded and flushed */
		if (dsize == 0 && ssize == 0)
			return KFK_ERR__DECOMPRESS; /* truncated: needs more input */
	}
}

kfk_err kfk_codec_lz4_decompress(const void *in, size_t inlen, size_t max_out,
                                 void **out, size_t *outlen)
{
	static const uint8_t nothing[1];
	struct kfk_codec_obuf ob;
	LZ4F_dctx *dctx = NULL;
	kfk_err err;
	if (LZ4F_isError(LZ4F_createDecompressionContext(&dctx, LZ4F_VERSION)))
		return KFK_ERR__NO_MEMORY;
	kfk_codec_obuf_init(&ob, max_out, lz4_hint(in, inlen));
	err = lz4_run(dctx, inlen ? in : nothing, inlen, &ob);
	LZ4F_freeDecompressionContext(dctx);
	if (!err)
		err = kfk_codec_obuf_finish(&ob, out, outlen);
	kfk_codec_obuf_free(&ob);
	return err;
}
