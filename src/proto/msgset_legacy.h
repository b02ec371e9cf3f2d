/*
 * proto/msgset_legacy.h: legacy message sets (magic 0 and 1).
 *
 * Brokers before 0.11, and topics whose older segments predate record
 * batch v2, hand out messages in the old format. Each entry of such a set is
 *
 *   offset int64, message_size int32,
 *   crc uint32          CRC-32 (IEEE, zlib's) of magic..end
 *   magic int8          0 or 1
 *   attributes int8     bits 0-2 codec (gzip 1, snappy 2, lz4 3);
 *                       bit 3 LogAppendTime (magic 1)
 *   timestamp int64     magic 1 only
 *   key bytes, value bytes   int32 length, -1 for null
 *
 * A compressed message is a wrapper: its value is a whole message set,
 * compressed. Inside a magic 1 wrapper the inner offsets are relative
 * (0, 1, ...) and the wrapper carries the offset of the last inner message;
 * inside a magic 0 wrapper they are absolute. Wrappers do not nest.
 *
 * Framing (entry lengths, a truncated tail) is kfk_recset's, shared with
 * v2; a record set that mixes formats is framed with kfk_recset and its
 * magic 0/1 entries handed to this iterator one by one.
 *
 * Nothing here takes a lock or blocks; an iterator belongs to one thread at
 * a time. Implemented in msgset_legacy.c.
 */
#ifndef KFK_PROTO_MSGSET_LEGACY_H
#define KFK_PROTO_MSGSET_LEGACY_H

#include <stddef.h>
#include <stdint.h>

#include <kfk/errors.h>

#include "proto/record_batch.h"

#define KFK_MSG_ATTR_CODEC_MASK 0x07
#define KFK_MSG_ATTR_LOG_APPEND_TIME 0x08

/* Bytes of a message entry before the key, by magic: offset, size, crc,
 * magic, attributes (and timestamp). */
#define KFK_MSG_V0_HEADER 18
#define KFK_MSG_V1_HEADER 26

/* One message, as views into the input (or into the decompressed inner
 * set of a wrapper): key/value NULL with length -1 when null. */
struct kfk_msgset_msg {
	int64_t offset;    /* absolute */
	int64_t timestamp; /* -1 for magic 0 */
	int8_t magic;
	int8_t attributes; /* of the message itself (an inner one has no codec) */
	int log_append_time; /* timestamp is the broker's (the wrapper's) */
	uint32_t crc;
	const uint8_t *key;
	int32_t key_len;
	const uint8_t *value;
	int32_t value_len;
};

/* Parses the single message entry that is exactly data[0..size) and
 * checks its CRC-32 (unless flags has KFK_BATCH_PARSE_NO_CRC). Does not
 * look inside a wrapper: m->value is then the compressed inner set.
 * Returns KFK_ERR__CRC, or KFK_ERR__MALFORMED for a size mismatch, a
 * magic other than 0 or 1, or lengths that do not fit. */
kfk_err kfk_msgset_msg_parse(const void *data, size_t size, unsigned flags,
                             struct kfk_msgset_msg *m);

/* Iterates the messages of a legacy set, expanding compressed wrappers in
 * place. Private fields. */
struct kfk_msgset_iter {
	struct kfk_recset outer;
	struct kfk_recset inner;  /* the expanded wrapper, when in_wrapper */
	int in_wrapper;
	void *owned;              /* its decompressed bytes */
	int64_t offset_adjust;    /* absolute = inner offset + adjust */
	struct kfk_msgset_msg wrapper;
	unsigned flags;
	kfk_batch_decompress_fn decompress;
	size_t max_decompressed;
	kfk_err err;              /* sticky */
};

/* Starts iterating buf[0..len) (which must stay valid while views are in
 * use). decompress (codec/codec.h's kfk_codec_decompress) may be NULL when
 * no wrapper is expected; each wrapper is decompressed into at most
 * max_decompressed bytes. flags: KFK_BATCH_PARSE_NO_CRC. */
void kfk_msgset_iter_init(struct kfk_msgset_iter *it, const void *buf,
                          size_t len, unsigned flags,
                          kfk_batch_decompress_fn decompress,
                          size_t max_decompressed);

/* Returns 1 with the next message in *m (views valid until the next call
 * that moves to another wrapper, or until destroy); 0 at the end, where
 * kfk_msgset_iter_incomplete() counts the bytes of a truncated last entry;
 * or a negative kfk_err, sticky: KFK_ERR__CRC, KFK_ERR__MALFORMED (also for
 * a truncated, nested or mismatched inner set), KFK_ERR__DECOMPRESS,
 * KFK_ERR__UNSUPPORTED_FEATURE (codec unknown or no decompress given),
 * KFK_ERR__INVALID_ARG for a magic 2 entry (see kfk_batch_parse). */
int kfk_msgset_iter_next(struct kfk_msgset_iter *it, struct kfk_msgset_msg *m);

static inline size_t kfk_msgset_iter_incomplete(const struct kfk_msgset_iter *it)
{
	return kfk_recset_incomplete(&it->outer);
}

/* Frees the decompressed inner set, if any. */
void kfk_msgset_iter_destroy(struct kfk_msgset_iter *it);

/* Appends one message entry (with its CRC) to out. magic 0 or 1 (the
 * timestamp is ignored for 0); key_len/value_len -1 for null. Returns
 * KFK_ERR__INVALID_ARG, KFK_ERR__NO_MEMORY. */
kfk_err kfk_msgset_append(struct kfk_batch_buf *out, int8_t magic,
                          int64_t offset, int8_t attributes, int64_t timestamp,
                          const void *key, int32_t key_len, const void *value,
                          int32_t value_len);

/* Appends a wrapper holding inner[0..inner_len) (a message set) compressed
 * with codec by compress at level: offset is the wrapper's (the last inner
 * absolute offset). Returns the compressor's error or as kfk_msgset_append. */
kfk_err kfk_msgset_append_wrapper(struct kfk_batch_buf *out, int8_t magic,
                                  int64_t offset, int codec, int64_t timestamp,
                                  int log_append_time, const void *inner,
                                  size_t inner_len,
                                  kfk_batch_compress_fn compress, int level);

#endif /* KFK_PROTO_MSGSET_LEGACY_H */
