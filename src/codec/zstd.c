/*
 * codec/zstd.c: zstd through libzstd's stable API.
 *
 * We write one frame with its content size. Decompression takes one of
 * two paths:
 *   - a single frame that declares its size (what we and librdkafka write):
 *     one allocation of exactly that size, one ZSTD_decompressDCtx call;
 *   - anything else (the Java client's streaming encoder writes no content
 *     size; several frames; skippable frames): the streaming decoder into a
 *     growing buffer, with the window it may allocate capped.
 * A declared size above max_out, or above what the input could possibly
 * expand to, is an error before anything is allocated.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include <zstd.h>
#include <zstd_errors.h>

#include "codec/codec_impl.h"

/* A zstd block yields at most 128 KiB and costs at least four bytes (an RLE
 * block: 3-byte header and the byte), so no input expands more than this. */
#define ZSTD_MAX_RATIO 32768

/* Window always allowed to the streaming decoder: 8 MiB covers what zstd
 * picks for levels 1..19 when the content size is unknown. */
#define ZSTD_MIN_WINDOW_LOG 23

kfk_err kfk_codec_zstd_compress(int level, const void *in, size_t inlen,
                                void **out, size_t *outlen)
{
	size_t bound = ZSTD_compressBound(inlen), n;
	void *buf = malloc(bound);
	if (!buf)
		return KFK_ERR__NO_MEMORY;
	n = ZSTD_compress(buf, bound, in, inlen, level);
	if (ZSTD_isError(n)) {
		free(buf);
		return ZSTD_getErrorCode(n) == ZSTD_error_memory_allocation
		               ? KFK_ERR__NO_MEMORY
		               : KFK_ERR__FAIL;
	}
	*out = kfk_codec_shrink(buf, n);
	*outlen = n;
	return KFK_ERR_NONE;
}

static kfk_err zstd_err(size_t r)
{
	return ZSTD_getErrorCode(r) == ZSTD_error_memory_allocation
	               ? KFK_ERR__NO_MEMORY
	               : KFK_ERR__DECOMPRESS;
}

/* The window log the streaming decoder may use: enough for max_out, never
 * less than ZSTD_MIN_WINDOW_LOG, within what the library supports. */
static int window_log_max(size_t max_out)
{
	ZSTD_bounds b = ZSTD_dParam_getBounds(ZSTD_d_windowLogMax);
	int wlog = ZSTD_MIN_WINDOW_LOG;
	while (wlog < 62 && ((size_t)1 << wlog) < max_out)
		wlog++;
	if (ZSTD_isError(b.error))
		return ZSTD_MIN_WINDOW_LOG;
	return wlog > b.upperBound ? b.upperBound : wlog;
}

/* Decodes frames one after the other until the input is used up. */
static kfk_err zstd_stream(ZSTD_DCtx *dctx, const void *in, size_t inlen,
                           struct kfk_codec_obuf *ob)
{
	ZSTD_inBuffer ib = {in, inlen, 0};
	for (;;) {
		ZSTD_outBuffer obb;
		size_t r, before = ib.pos;
		uint8_t *dst;
		kfk_err err = kfk_codec_obuf_space(ob, &dst, &obb.size);
		if (err)
			return err;
		obb.dst = dst;
		obb.pos = 0;
		r = ZSTD_decompressStream(dctx, &obb, &ib);
		if (ZSTD_isError(r))
			return zstd_err(r);
		if ((err = kfk_codec_obuf_commit(ob, obb.pos)))
			return err;
		if (r == 0 && ib.pos == inlen)
			return KFK_ERR_NONE; /* last frame decoded and flushed */
		if (obb.pos == 0 && ib.pos == before)
			return KFK_ERR__DECOMPRESS; /* truncated */
	}
}

static kfk_err zstd_streaming(ZSTD_DCtx *dctx, const void *in, size_t inlen,
                              size_t max_out, size_t hint, void **out,
                              size_t *outlen)
{
	struct kfk_codec_obuf ob;
	kfk_err err;
	size_t r = ZSTD_DCtx_setParameter(dctx, ZSTD_d_windowLogMax,
	                                  window_log_max(max_out));
	if (ZSTD_isError(r))
		return KFK_ERR__FAIL;
	kfk_codec_obuf_init(&ob, max_out, hint);
	err = zstd_stream(dctx, in, inlen, &ob);
	if (!err)
		err = kfk_codec_obuf_finish(&ob, out, outlen);
	kfk_codec_obuf_free(&ob);
	return err;
}

/* One frame of known size: decode straight into a buffer of that size. */
static kfk_err zstd_single(ZSTD_DCtx *dctx, const void *in, size_t inlen,
                           size_t size, void **out, size_t *outlen)
{
	void *buf = malloc(size ? size : 1);
	size_t r;
	if (!buf)
		return KFK_ERR__NO_MEMORY;
	r = ZSTD_decompressDCtx(dctx, buf, size, in, inlen);
	if (ZSTD_isError(r) || r != size) {
		free(buf);
		return ZSTD_isError(r) ? zstd_err(r) : KFK_ERR__DECOMPRESS;
	}
	*out = buf;
	*outlen = size;
	return KFK_ERR_NONE;
}

kfk_err kfk_codec_zstd_decompress(const void *in, size_t inlen,
                                  size_t max_out, void **out, size_t *outlen)
{
	unsigned long long cs = ZSTD_getFrameContentSize(in, inlen);
	size_t flen, hint = inlen * 4;
	ZSTD_DCtx *dctx;
	kfk_err err;
	if (cs == ZSTD_CONTENTSIZE_ERROR)
		return KFK_ERR__DECOMPRESS; /* not a zstd frame, or too short */
	if (cs != ZSTD_CONTENTSIZE_UNKNOWN) {
		if (cs > max_out || cs / ZSTD_MAX_RATIO > inlen)
			return KFK_ERR__DECOMPRESS; /* a bomb or a lie */
		hint = (size_t)cs;
	}
	if (!(dctx = ZSTD_createDCtx()))
		return KFK_ERR__NO_MEMORY;
	flen = ZSTD_findFrameCompressedSize(in, inlen);
	if (cs != ZSTD_CONTENTSIZE_UNKNOWN && flen == inlen)
		err = zstd_single(dctx, in, inlen, (size_t)cs, out, outlen);
	else
		err = zstd_streaming(dctx, in, inlen, max_out, hint, out, outlen);
	ZSTD_freeDCtx(dctx);
	return err;
}
