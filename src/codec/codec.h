/*
 * codec/codec.h: compression of record batch payloads.
 *
 * A v2 record batch compresses everything after its header (the records)
 * with the codec named by the low three bits of its attributes. This module
 * turns such a payload into its compressed form and back, nothing more: it
 * knows no record, no socket and no configuration. Every function here is a
 * pure function over caller-owned input; none blocks (beyond CPU work),
 * takes a lock, logs or keeps state between calls, so all are safe to call
 * from any thread at once.
 *
 * Formats written, chosen to be what the Java client writes and reads:
 *   gzip    RFC 1952 gzip member (zlib, windowBits 15+16).
 *   snappy  xerial snappy-java framing: 8-byte magic 82 'SNAPPY' 00, int32 BE
 *           version 1, int32 BE compatible version 1, then blocks of
 *           [int32 BE compressed length][raw snappy block], each block
 *           compressing up to 32 KiB of input.
 *   lz4     LZ4 frame (magic 04 22 4d 18), independent 64 KiB blocks, no
 *           checksums, no content size (as the Java client's encoder).
 *   zstd    one zstd frame with its content size.
 *
 * Formats read (decompression is bounded and safe for arbitrary bytes):
 *   gzip    one or more concatenated gzip members; also a zlib stream
 *           (RFC 1950) or raw deflate (RFC 1951), told apart by their
 *           first two bytes.
 *   snappy  xerial framing (any number of blocks) or one raw snappy block.
 *   lz4     one or more LZ4 frames, any block size, linked or independent
 *           blocks, with or without checksums and content size.
 *   zstd    one or more zstd frames (and skippable frames), with or without
 *           content size or checksum.
 * Anything after the last complete frame or member is an error.
 *
 * Implemented in codec.c (dispatch, names, levels), gzip.c, snappy.c, lz4.c
 * and zstd.c.
 */
#ifndef KFK_CODEC_CODEC_H
#define KFK_CODEC_CODEC_H

#include <stddef.h>

#include <kfk/errors.h>

/* Codec numbers: the values of the compression bits (attributes & 0x7) of a
 * record batch. Values 5..7 are unassigned by the protocol. */
enum kfk_codec {
	KFK_CODEC_NONE = 0,
	KFK_CODEC_GZIP = 1,
	KFK_CODEC_SNAPPY = 2,
	KFK_CODEC_LZ4 = 3,
	KFK_CODEC_ZSTD = 4
};

/* Mask of the codec bits in a record batch's attributes. */
#define KFK_CODEC_ATTR_MASK 0x7

/* The level that asks for the codec's own default. */
#define KFK_CODEC_LEVEL_DEFAULT (-1)

/*
 * Compresses in[0..inlen) with codec at level.
 *
 * level is KFK_CODEC_LEVEL_DEFAULT (-1) or a level in the codec's range
 * (see kfk_codec_level_range): gzip 0..9 (0 stores, default 6), lz4 0..12
 * (0..2 the fast compressor, 3..12 LZ4 HC, default 0), zstd 1..22 (default
 * 3). none and snappy have no levels and ignore level.
 *
 * On success *out is a malloc'd buffer the caller frees with free(), holding
 * *outlen bytes; *out is non-NULL even when *outlen is 0 (codec none, empty
 * input). On error *out is NULL and *outlen 0.
 *
 * Returns KFK_ERR_NONE; KFK_ERR__UNSUPPORTED_FEATURE for a codec number that
 * is not in enum kfk_codec; KFK_ERR__INVALID_ARG for NULL pointers (in may
 * be NULL only when inlen is 0), a level out of range, or inlen above
 * INT32_MAX (no record batch can hold more); KFK_ERR__NO_MEMORY;
 * KFK_ERR__FAIL when the compression library fails unexpectedly.
 */
kfk_err kfk_codec_compress(int codec, int level, const void *in, size_t inlen,
                           void **out, size_t *outlen);

/*
 * Decompresses in[0..inlen), compressed with codec, into at most max_out
 * bytes.
 *
 * Reads nothing outside in[0..inlen) whatever the bytes are. Output that
 * would exceed max_out is an error, detected as it is produced: the output
 * buffer grows progressively and a size declared inside the input is only
 * trusted up to max_out (and to what the format can expand that input to),
 * so a small input never causes a large allocation. The decoders themselves
 * may allocate bounded working memory: up to about 8 MiB for an lz4 frame
 * with 4 MiB blocks; for a zstd frame without content size, a window of at
 * most 8 MiB or max_out rounded up to a power of two, whichever is larger
 * (a frame that declares a larger window is an error).
 *
 * On success *out is a malloc'd buffer the caller frees with free(), holding
 * *outlen <= max_out bytes (non-NULL even when *outlen is 0). On error *out
 * is NULL and *outlen 0.
 *
 * Returns KFK_ERR_NONE; KFK_ERR__DECOMPRESS for corrupt, truncated or
 * trailing-garbage input and for output larger than max_out;
 * KFK_ERR__UNSUPPORTED_FEATURE for a codec number not in enum kfk_codec;
 * KFK_ERR__INVALID_ARG for NULL pointers (in may be NULL only when inlen is
 * 0) or inlen above INT32_MAX; KFK_ERR__NO_MEMORY.
 */
kfk_err kfk_codec_decompress(int codec, const void *in, size_t inlen,
                             size_t max_out, void **out, size_t *outlen);

/* The codec's name as in the Java client's compression.type values: "none",
 * "gzip", "snappy", "lz4", "zstd"; "unknown" for any other number. The
 * string is static. */
const char *kfk_codec_name(int codec);

/* The codec number (enum kfk_codec) of a name as kfk_codec_name gives it
 * (exact, lower case), or -1 for NULL or any other string. */
int kfk_codec_by_name(const char *name);

/*
 * The levels codec accepts, for the configuration layer: *minp..*maxp is
 * the valid range (KFK_CODEC_LEVEL_DEFAULT is valid too) and *defp the level
 * that KFK_CODEC_LEVEL_DEFAULT stands for. Codecs without levels (none,
 * snappy) report 0, 0, 0 and have *has_levels 0. Any pointer may be NULL.
 * Returns KFK_ERR_NONE or KFK_ERR__UNSUPPORTED_FEATURE for an unknown codec.
 */
kfk_err kfk_codec_level_range(int codec, int *has_levels, int *minp,
                              int *maxp, int *defp);

/* 1 when kfk_codec_compress accepts level for codec (always for none and
 * snappy, which ignore it), else 0 (also for an unknown codec). */
int kfk_codec_level_valid(int codec, int level);

#endif /* KFK_CODEC_CODEC_H */
