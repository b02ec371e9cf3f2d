/*
 * codec/codec_impl.h: what the codec files share (private to src/codec).
 *
 * codec.c checks arguments and dispatches to one compress/decompress pair
 * per codec; those may assume in is non-NULL or inlen 0, out and outlen are
 * non-NULL, inlen <= INT32_MAX and level is -1 or in range. They set *out
 * and *outlen only on success.
 *
 * struct kfk_codec_obuf is the bounded, growing output of the streaming
 * decoders (gzip, lz4, zstd): it never grows past max, and once it is full
 * it hands out a one-byte scratch instead, so the decoder can tell "the
 * stream ends exactly here" from "there is more" without the buffer ever
 * holding more than max bytes.
 */
#ifndef KFK_CODEC_CODEC_IMPL_H
#define KFK_CODEC_CODEC_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include <kfk/errors.h>

kfk_err kfk_codec_gzip_compress(int level, const void *in, size_t inlen,
                                void **out, size_t *outlen);
kfk_err kfk_codec_gzip_decompress(const void *in, size_t inlen,
                                  size_t max_out, void **out, size_t *outlen);
kfk_err kfk_codec_snappy_compress(const void *in, size_t inlen, void **out,
                                  size_t *outlen);
kfk_err kfk_codec_snappy_decompress(const void *in, size_t inlen,
                                    size_t max_out, void **out,
                                    size_t *outlen);
kfk_err kfk_codec_lz4_compress(int level, const void *in, size_t inlen,
                               void **out, size_t *outlen);
kfk_err kfk_codec_lz4_decompress(const void *in, size_t inlen, size_t max_out,
                                 void **out, size_t *outlen);
kfk_err kfk_codec_zstd_compress(int level, const void *in, size_t inlen,
                                void **out, size_t *outlen);
kfk_err kfk_codec_zstd_decompress(const void *in, size_t inlen,
                                  size_t max_out, void **out, size_t *outlen);

/* Bounded growing output buffer; zero-initialise, then kfk_codec_obuf_init. */
struct kfk_codec_obuf {
	uint8_t *p;         /* malloc'd storage, NULL until the first grow */
	size_t len;         /* bytes produced so far */
	size_t cap;         /* allocated bytes, <= max */
	size_t max;         /* hard limit (the caller's max_out) */
	uint8_t scratch[1]; /* where a full buffer lets the decoder write */
	int probing;        /* the last space handed out was scratch */
};

/* Starts an empty buffer that will hold at most max bytes; hint is the
 * expected output size (clamped to max), used for the first allocation. */
void kfk_codec_obuf_init(struct kfk_codec_obuf *ob, size_t max, size_t hint);

/* Room for the decoder's next write: sets *ptr and *avail (> 0) to free
 * space, growing the buffer (doubling, up to max) when it is full. When the
 * buffer is full at max, hands out the one-byte scratch. Returns
 * KFK_ERR_NONE or KFK_ERR__NO_MEMORY. */
kfk_err kfk_codec_obuf_space(struct kfk_codec_obuf *ob, uint8_t **ptr,
                             size_t *avail);

/* Records that the decoder wrote n bytes into the space last handed out.
 * Returns KFK_ERR__DECOMPRESS when those bytes went to the scratch (the
 * output exceeds max), else KFK_ERR_NONE. */
kfk_err kfk_codec_obuf_commit(struct kfk_codec_obuf *ob, size_t n);

/* Hands the result to the caller: *out (trimmed to size, never NULL) and
 * *outlen; the buffer is left empty. Returns KFK_ERR_NONE or
 * KFK_ERR__NO_MEMORY (then the buffer is freed). */
kfk_err kfk_codec_obuf_finish(struct kfk_codec_obuf *ob, void **out,
                              size_t *outlen);

/* Frees the buffer's storage (after an error). */
void kfk_codec_obuf_free(struct kfk_codec_obuf *ob);

/* Shrinks a malloc'd compression result of len bytes out of a larger
 * allocation; keeps the original when realloc fails. Never NULL for a
 * non-NULL p. */
void *kfk_codec_shrink(void *p, size_t len);

#endif /* KFK_CODEC_CODEC_IMPL_H */
