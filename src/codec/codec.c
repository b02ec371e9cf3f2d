/*
 * codec/codec.c: argument checks, dispatch by codec number, names, levels,
 * the "none" codec, and the bounded output buffer the decoders share.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec/codec.h"
#include "codec/codec_impl.h"

/* Names and levels, indexed by codec number. */
static const struct {
	const char *name;
	int has_levels;
	int min, max, def;
} codec_info[] = {
	[KFK_CODEC_NONE] = {"none", 0, 0, 0, 0},
	[KFK_CODEC_GZIP] = {"gzip", 1, 0, 9, 6},
	[KFK_CODEC_SNAPPY] = {"snappy", 0, 0, 0, 0},
	[KFK_CODEC_LZ4] = {"lz4", 1, 0, 12, 0},
	[KFK_CODEC_ZSTD] = {"zstd", 1, 1, 22, 3},
};

#define CODEC_COUNT ((int)(sizeof(codec_info) / sizeof(codec_info[0])))

/* The first allocation of an output buffer without a useful hint. */
#define OBUF_MIN_CAP 1024

static int codec_known(int codec)
{
	return codec >= 0 && codec < CODEC_COUNT;
}

const char *kfk_codec_name(int codec)
{
	return codec_known(codec) ? codec_info[codec].name : "unknown";
}

int kfk_codec_by_name(const char *name)
{
	int i;
	if (!name)
		return -1;
	for (i = 0; i < CODEC_COUNT; i++)
		if (!strcmp(name, codec_info[i].name))
			return i;
	return -1;
}

kfk_err kfk_codec_level_range(int codec, int *has_levels, int *minp,
                              int *maxp, int *defp)
{
	if (!codec_known(codec))
		return KFK_ERR__UNSUPPORTED_FEATURE;
	if (has_levels)
		*has_levels = codec_info[codec].has_levels;
	if (minp)
		*minp = codec_info[codec].min;
	if (maxp)
		*maxp = codec_info[codec].max;
	if (defp)
		*defp = codec_info[codec].def;
	return KFK_ERR_NONE;
}

int kfk_codec_level_valid(int codec, int level)
{
	if (!codec_known(codec))
		return 0;
	if (!codec_info[codec].has_levels || level == KFK_CODEC_LEVEL_DEFAULT)
		return 1;
	return level >= codec_info[codec].min && level <= codec_info[codec].max;
}

/* Codec none: a copy, so that every codec hands out a buffer to free(). */
static kfk_err copy_out(const void *in, size_t inlen, void **out,
                        size_t *outlen)
{
	void *p = malloc(inlen ? inlen : 1);
	if (!p)
		return KFK_ERR__NO_MEMORY;
	if (inlen)
		memcpy(p, in, inlen);
	*out = p;
	*outlen = inlen;
	return KFK_ERR_NONE;
}

/* The checks both directions share. */
static kfk_err check_args(int codec, const void *in, size_t inlen, void **out,
                          size_t *outlen)
{
	if (!out || !outlen)
		return KFK_ERR__INVALID_ARG;
	*out = NULL;
	*outlen = 0;
	if (!codec_known(codec))
		return KFK_ERR__UNSUPPORTED_FEATURE;
	if ((!in && inlen) || inlen > INT32_MAX)
		return KFK_ERR__INVALID_ARG;
	return KFK_ERR_NONE;
}

kfk_err kfk_codec_compress(int codec, int level, const void *in, size_t inlen,
                           void **out, size_t *outlen)
{
	kfk_err err = check_args(codec, in, inlen, out, outlen);
	if (err)
		return err;
	if (!kfk_codec_level_valid(codec, level))
		return KFK_ERR__INVALID_ARG;
	if (level == KFK_CODEC_LEVEL_DEFAULT)
		level = codec_info[codec].def;
	switch (codec) {
	case KFK_CODEC_GZIP:
		return kfk_codec_gzip_compress(level, in, inlen, out, outlen);
	case KFK_CODEC_SNAPPY:
		return kfk_codec_snappy_compress(in, inlen, out, outlen);
	case KFK_CODEC_LZ4:
		return kfk_codec_lz4_compress(level, in, inlen, out, outlen);
	case KFK_CODEC_ZSTD:
		return kfk_codec_zstd_compress(level, in, inlen, out, outlen);
	default:
		return copy_out(in, inlen, out, outlen);
	}
}

kfk_err kfk_codec_decompress(int codec, const void *in, size_t inlen,
                             size_t max_out, void **out, size_t *outlen)
{
	kfk_err err = check_args(codec, in, inlen, out, outlen);
	if (err)
		return err;
	switch (codec) {
	case KFK_CODEC_GZIP:
		return kfk_codec_gzip_decompress(in, inlen, max_out, out, outlen);
	case KFK_CODEC_SNAPPY:
		return kfk_codec_snappy_decompress(in, inlen, max_out, out, outlen);
	case KFK_CODEC_LZ4:
		return kfk_codec_lz4_decompress(in, inlen, max_out, out, outlen);
	case KFK_CODEC_ZSTD:
		return kfk_codec_zstd_decompress(in, inlen, max_out, out, outlen);
	default:
		if (inlen > max_out)
			return KFK_ERR__DECOMPRESS;
		return copy_out(in, inlen, out, outlen);
	}
}

void kfk_codec_obuf_init(struct kfk_codec_obuf *ob, size_t max, size_t hint)
{
	memset(ob, 0, sizeof(*ob));
	ob->max = max;
	/* cap doubles as the size of the first allocation until one is made. */
	ob->cap = hint < OBUF_MIN_CAP ? OBUF_MIN_CAP : hint;
	if (ob->cap > max)
		ob->cap = max;
}

/* Grows a full buffer: the first allocation takes the hint, then doubling
 * keeps the copying linear in the output size. */
static kfk_err obuf_grow(struct kfk_codec_obuf *ob)
{
	size_t ncap;
	uint8_t *np;
	if (!ob->p)
		ncap = ob->cap;
	else
		ncap = ob->cap > ob->max / 2 ? ob->max : ob->cap * 2;
	np = realloc(ob->p, ncap);
	if (!np)
		return KFK_ERR__NO_MEMORY;
	ob->p = np;
	ob->cap = ncap;
	return KFK_ERR_NONE;
}

kfk_err kfk_codec_obuf_space(struct kfk_codec_obuf *ob, uint8_t **ptr,
                             size_t *avail)
{
	ob->probing = 0;
	if ((!ob->p && ob->cap > 0) || (ob->len == ob->cap && ob->cap < ob->max)) {
		kfk_err err = obuf_grow(ob);
		if (err)
			return err;
	}
	if (ob->p && ob->len < ob->cap) {
		*ptr = ob->p + ob->len;
		*avail = ob->cap - ob->len;
		return KFK_ERR_NONE;
	}
	/* Full at max: any byte the decoder still writes proves the output is
	 * larger than allowed. */
	ob->probing = 1;
	*ptr = ob->scratch;
	*avail = sizeof(ob->scratch);
	return KFK_ERR_NONE;
}

kfk_err kfk_codec_obuf_commit(struct kfk_codec_obuf *ob, size_t n)
{
	if (ob->probing)
		return n ? KFK_ERR__DECOMPRESS : KFK_ERR_NONE;
	ob->len += n;
	return KFK_ERR_NONE;
}

kfk_err kfk_codec_obuf_finish(struct kfk_codec_obuf *ob, void **out,
                              size_t *outlen)
{
	void *p = ob->p;
	if (!p) {
		p = malloc(1);
		if (!p)
			return KFK_ERR__NO_MEMORY;
	} else if (ob->len < ob->cap) {
		p = kfk_codec_shrink(p, ob->len);
	}
	*out = p;
	*outlen = ob->len;
	memset(ob, 0, sizeof(*ob));
	return KFK_ERR_NONE;
}

void kfk_codec_obuf_free(struct kfk_codec_obuf *ob)
{
	free(ob->p);
	memset(ob, 0, sizeof(*ob));
}

void *kfk_codec_shrink(void *p, size_t len)
{
	void *np = realloc(p, len ? len : 1);
	return np ? np : p;
}
