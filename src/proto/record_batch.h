/*
 * proto/record_batch.h: record batch v2 (magic 2), written and read.
 *
 * A record set on the wire (the records of a ProduceRequest partition, of a
 * FetchResponse partition) is a sequence of entries, each
 *     base_offset int64, length int32, then `length` bytes
 * where byte 4 of those `length` bytes is the magic: 2 for a record batch,
 * 0 or 1 for a legacy message (proto/msgset_legacy.h). A v2 batch is
 *
 *   off  field                  covered by the CRC-32C
 *    0   base_offset int64
 *    8   batch_length int32     (bytes after this field)
 *   12   partition_leader_epoch int32
 *   16   magic int8 = 2
 *   17   crc uint32             CRC-32C of bytes 21..end
 *   21   attributes int16       yes: bits 0-2 codec, 3 LogAppendTime,
 *   23   last_offset_delta int32     4 transactional, 5 control
 *   27   first_timestamp int64  yes
 *   35   max_timestamp int64    yes
 *   43   producer_id int64      yes
 *   51   producer_epoch int16   yes
 *   53   base_sequence int32    yes
 *   57   record_count int32     yes
 *   61   records (compressed as one block when the codec is not none)
 *
 * and each record is
 *   length varint, attributes int8, timestamp_delta varlong,
 *   offset_delta varint, key_length varint (-1: null), key,
 *   value_length varint (-1: null), value, header_count varint,
 *   headers: key_length varint, key, value_length varint (-1: null), value.
 *
 * Writing: kfk_batch_writer encodes records in place, straight into a
 * caller's growable buffer, and closes the batch with its counts, lengths
 * and CRC; it allocates nothing per record (the buffer grows geometrically).
 * Reading: kfk_recset frames entries (telling a truncated tail apart from
 * an error), kfk_batch_parse checks a batch's header and CRC, and
 * kfk_record_iter yields records as views into the input (or into the one
 * decompressed copy of a compressed batch). Every length read from the wire
 * is checked before use; no input makes these functions read outside it.
 *
 * Compression is not done here (proto sits below codec): callers pass the
 * codec functions in, whose signatures match codec/codec.h's
 * kfk_codec_compress and kfk_codec_decompress.
 *
 * Nothing here takes a lock or blocks. A writer or iterator belongs to one
 * thread at a time; the parse functions are pure.
 *
 * Implemented in record_encode.c (writer, buffer) and record_decode.c.
 */
#ifndef KFK_PROTO_RECORD_BATCH_H
#define KFK_PROTO_RECORD_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include <kfk/errors.h>

/* Batch attributes. */
#define KFK_BATCH_ATTR_CODEC_MASK 0x07
#define KFK_BATCH_ATTR_LOG_APPEND_TIME 0x08
#define KFK_BATCH_ATTR_TRANSACTIONAL 0x10
#define KFK_BATCH_ATTR_CONTROL 0x20

/* Codec numbers as carried in the attributes (same as codec/codec.h). */
#define KFK_BATCH_CODEC_NONE 0
#define KFK_BATCH_CODEC_GZIP 1
#define KFK_BATCH_CODEC_SNAPPY 2
#define KFK_BATCH_CODEC_LZ4 3
#define KFK_BATCH_CODEC_ZSTD 4

/* Layout of the fixed part (see the table above). */
#define KFK_BATCH_LOG_OVERHEAD 12 /* base_offset + batch_length */
#define KFK_BATCH_MAGIC_OFFSET 16
#define KFK_BATCH_CRC_OFFSET 17
#define KFK_BATCH_ATTR_OFFSET 21
#define KFK_BATCH_HEADER_SIZE 61

/* Control record types (the int16 after the version in a control key). */
#define KFK_CONTROL_ABORT 0
#define KFK_CONTROL_COMMIT 1

/* Compression, with codec/codec.h's contract: *out is malloc'd (freed by
 * the caller with free()), codec is the attribute value, level -1 is the
 * codec's default. Pass kfk_codec_compress / kfk_codec_decompress. */
typedef kfk_err (*kfk_batch_compress_fn)(int codec, int level, const void *in,
                                         size_t inlen, void **out,
                                         size_t *outlen);
typedef kfk_err (*kfk_batch_decompress_fn)(int codec, const void *in,
                                           size_t inlen, size_t max_out,
                                           void **out, size_t *outlen);

/* ---------------------------------------------------------------- buffer */

/* A growable byte buffer the caller owns: data is malloc'd (free it with
 * kfk_batch_buf_free or free()), len bytes are used out of cap. Start from
 * all zeroes. */
struct kfk_batch_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
};

/* Grows b so that `more` bytes fit after len (capacity at least doubles, so
 * appends are amortised O(1)). Returns KFK_ERR__NO_MEMORY on failure, with
 * b unchanged. */
kfk_err kfk_batch_buf_grow(struct kfk_batch_buf *b, size_t more);

static inline kfk_err kfk_batch_buf_reserve(struct kfk_batch_buf *b,
                                            size_t more)
{
	if (b->cap - b->len >= more)
		return KFK_ERR_NONE;
	return kfk_batch_buf_grow(b, more);
}

/* Frees b's memory and zeroes it. */
void kfk_batch_buf_free(struct kfk_batch_buf *b);

/* ---------------------------------------------------------------- writer */

/* A record header. key_len >= 0 (header keys are never null); value_len
 * -1 means a null value (value is then ignored). Used to append headers
 * and, as a view into the batch, to read them. */
struct kfk_record_header {
	const uint8_t *key;
	int32_t key_len;
	const uint8_t *value;
	int32_t value_len;
};

/* What a batch is opened with. */
struct kfk_batch_opts {
	int64_t base_offset;            /* 0 from a producer */
	int32_t partition_leader_epoch; /* -1 from a producer */
	int16_t attributes;             /* codec | KFK_BATCH_ATTR_* */
	int64_t producer_id;            /* -1, -1, -1 when not idempotent */
	int16_t producer_epoch;
	int32_t base_sequence;
	int64_t log_append_time;        /* max_timestamp with LOG_APPEND_TIME */
};

/* An open batch being written into out. Fields are private to
 * record_encode.c; it holds offsets into out, never pointers, so the buffer
 * may move as it grows. */
struct kfk_batch_writer {
	struct kfk_batch_buf *out;
	size_t start;           /* where this batch begins in out */
	int16_t attributes;
	int64_t log_append_time;
	int64_t first_timestamp; /* of record 0 */
	int64_t max_timestamp;
	int32_t count;
};

/* Opens a batch at the end of out (which may already hold other data, such
 * as earlier batches) by appending its 61-byte header. out must outlive the
 * writer. Returns KFK_ERR__INVALID_ARG for a codec number above 4,
 * KFK_ERR__NO_MEMORY. */
kfk_err kfk_batch_writer_begin(struct kfk_batch_writer *w,
                               struct kfk_batch_buf *out,
                               const struct kfk_batch_opts *opts);

/* Bytes kfk_batch_writer_append() would add for such a record (before
 * compression): for deciding whether a record still fits a batch. */
size_t kfk_batch_writer_record_size(const struct kfk_batch_writer *w,
                                    int64_t timestamp, int32_t key_len,
                                    int32_t value_len,
                                    const struct kfk_record_header *headers,
                                    size_t header_count);

/* Appends one record: offset delta = records so far, timestamp delta from
 * the first record's timestamp. key_len/value_len -1 mean null (the pointer
 * is then ignored). Nothing is kept of the pointers after the call. Only
 * allocates when out must grow. Returns KFK_ERR__INVALID_ARG for a length
 * below -1 or a NULL pointer with a positive length,
 * KFK_ERR__MSG_SIZE_TOO_LARGE when the batch would pass INT32_MAX bytes,
 * KFK_ERR__NO_MEMORY; on error the batch is unchanged. */
kfk_err kfk_batch_writer_append(struct kfk_batch_writer *w, int64_t timestamp,
                                const void *key, int32_t key_len,
                                const void *value, int32_t value_len,
                                const struct kfk_record_header *headers,
                                size_t header_count);

/* Appends the control record of a transaction marker (type
 * KFK_CONTROL_ABORT or KFK_CONTROL_COMMIT, key and value version 0) to a
 * batch opened with KFK_BATCH_ATTR_CONTROL (else KFK_ERR__INVALID_ARG). */
kfk_err kfk_batch_writer_append_control(struct kfk_batch_writer *w,
                                        int64_t timestamp, int16_t type,
                                        int32_t coordinator_epoch);

/* Records appended so far. */
static inline int32_t kfk_batch_writer_count(const struct kfk_batch_writer *w)
{
	return w->count;
}

/* Closes the batch, once: compresses the records when the attributes name
 * a codec (with compress, at level), then fills in counts, timestamps,
 * length and CRC. An empty batch gets timestamps -1. The batch is then out->data[w->start .. out->len) and *sizep (if
 * not NULL) its size. Returns KFK_ERR__INVALID_ARG when a codec is set but
 * compress is NULL, the compressor's error, KFK_ERR__MSG_SIZE_TOO_LARGE,
 * KFK_ERR__NO_MEMORY; on error the open batch is left as it was. */
kfk_err kfk_batch_writer_finish(struct kfk_batch_writer *w,
                                kfk_batch_compress_fn compress, int level,
                                size_t *sizep);

/* Drops the open batch: out->len goes back to where begin found it. */
void kfk_batch_writer_abort(struct kfk_batch_writer *w);

/* Sets the producer id, epoch and base sequence of a batch still open
 * (finish then covers them with the CRC): the idempotent producer learns
 * them only when the batch is first sent. */
void kfk_batch_writer_set_producer(struct kfk_batch_writer *w,
                                   int64_t producer_id,
                                   int16_t producer_epoch,
                                   int32_t base_sequence);

/* Rewrites the producer id, epoch and base sequence of a finished batch
 * (data[0..size)) and its CRC: for a batch written before the producer id
 * was known, or re-sequenced after an epoch bump. Returns
 * KFK_ERR__MALFORMED when data is not a whole v2 batch. */
kfk_err kfk_batch_set_producer_state(uint8_t *data, size_t size,
                                     int64_t producer_id,
                                     int16_t producer_epoch,
                                     int32_t base_sequence);

/* ---------------------------------------------------------------- framing */

/* An iterator over the entries of a record set. */
struct kfk_recset {
	const uint8_t *p, *end;
	size_t incomplete; /* bytes of a truncated last entry, once at the end */
	kfk_err err;       /* sticky framing error */
};

/* One entry: a v2 batch (magic 2) or a legacy message (magic 0, 1). */
struct kfk_recset_entry {
	const uint8_t *data; /* from base_offset on */
	size_t size;         /* 12 + length */
	int64_t base_offset;
	int8_t magic;
};

/* Starts iterating buf[0..len), which must stay valid. */
void kfk_recset_init(struct kfk_recset *rs, const void *buf, size_t len);

/* Frames the next entry. Returns 1 with *e filled; 0 at the end, where
 * kfk_recset_incomplete() tells how many trailing bytes were a truncated
 * entry (brokers cut the last batch of a fetch at the size limit: not an
 * error); or a negative kfk_err (KFK_ERR__MALFORMED for a length too short
 * to hold a magic, KFK_ERR__UNSUPPORTED_FEATURE for a magic above 2), after
 * which every call returns that error. Checks no CRC. */
int kfk_recset_next(struct kfk_recset *rs, struct kfk_recset_entry *e);

static inline size_t kfk_recset_incomplete(const struct kfk_recset *rs)
{
	return rs->incomplete;
}

/* ---------------------------------------------------------------- reading */

/* A parsed batch header; data and records point into the input. */
struct kfk_batch {
	const uint8_t *data; /* the whole batch, size bytes */
	size_t size;
	int64_t base_offset;
	int32_t batch_length;
	int32_t partition_leader_epoch;
	int8_t magic;
	uint32_t crc;
	int16_t attributes;
	int32_t last_offset_delta;
	int64_t first_timestamp;
	int64_t max_timestamp;
	int64_t producer_id;
	int16_t producer_epoch;
	int32_t base_sequence;
	int32_t record_count;
	const uint8_t *records; /* as on the wire: compressed with the codec */
	size_t records_len;
};

/* Flags of kfk_batch_parse. */
#define KFK_BATCH_PARSE_NO_CRC 0x1 /* check.crcs=false */

/* Parses the v2 batch that is exactly data[0..size) (an entry as
 * kfk_recset_next frames it) and checks its CRC-32C. Returns KFK_ERR_NONE,
 * KFK_ERR__CRC on a checksum mismatch, KFK_ERR__MALFORMED when size
 * disagrees with batch_length, the header is short, the magic is not 2 or
 * the record count is negative. */
kfk_err kfk_batch_parse(const void *data, size_t size, unsigned flags,
                        struct kfk_batch *b);

static inline int kfk_batch_codec(const struct kfk_batch *b)
{
	return b->attributes & KFK_BATCH_ATTR_CODEC_MASK;
}

static inline int kfk_batch_is_transactional(const struct kfk_batch *b)
{
	return (b->attributes & KFK_BATCH_ATTR_TRANSACTIONAL) != 0;
}

static inline int kfk_batch_is_control(const struct kfk_batch *b)
{
	return (b->attributes & KFK_BATCH_ATTR_CONTROL) != 0;
}

static inline int kfk_batch_is_log_append_time(const struct kfk_batch *b)
{
	return (b->attributes & KFK_BATCH_ATTR_LOG_APPEND_TIME) != 0;
}

/* One record, as views: key/value are NULL with length -1 when null. The
 * headers are already validated; walk them with kfk_header_iter. */
struct kfk_record {
	int64_t offset;    /* absolute: base_offset + offset_delta */
	int64_t timestamp; /* first_timestamp + delta, or max_timestamp
	                      for LogAppendTime */
	int8_t attributes;
	const uint8_t *key;
	int32_t key_len;
	const uint8_t *value;
	int32_t value_len;
	int32_t header_count;
	const uint8_t *headers, *headers_end;
};

/* Iterates the records of one batch. Private fields. */
struct kfk_record_iter {
	const uint8_t *p, *end;
	int32_t left; /* records still to read */
	int64_t base_offset;
	int64_t first_timestamp;
	int64_t max_timestamp;
	int log_append_time;
	void *owned; /* the decompressed records, if any */
	kfk_err err; /* sticky */
};

/* Prepares to iterate b's records. For a compressed batch, decompresses
 * the records once, with decompress, into at most max_decompressed bytes
 * that the iterator owns (views stay valid until kfk_record_iter_destroy);
 * for an uncompressed one, views point into b's input. Returns
 * KFK_ERR__UNSUPPORTED_FEATURE for a codec above 4 or when decompress is
 * NULL and needed, or decompress's error (KFK_ERR__DECOMPRESS for corrupt
 * data or output above max_decompressed). Call kfk_record_iter_destroy
 * whatever it returns. */
kfk_err kfk_record_iter_init(struct kfk_record_iter *it,
                             const struct kfk_batch *b,
                             kfk_batch_decompress_fn decompress,
                             size_t max_decompressed);

/* Reads the next record into *r. Returns 1; 0 after the last one (the
 * records section then must have been used exactly); or
 * KFK_ERR__MALFORMED (sticky) for a record that does not parse or does not
 * fit. */
int kfk_record_iter_next(struct kfk_record_iter *it, struct kfk_record *r);

/* Frees what the iterator owns; views into it end here. */
void kfk_record_iter_destroy(struct kfk_record_iter *it);

/* Walks a record's headers (validated when the record was read). */
struct kfk_header_iter {
	const uint8_t *p, *end;
	int32_t left;
};

static inline void kfk_header_iter_init(struct kfk_header_iter *hi,
                                        const struct kfk_record *r)
{
	hi->p = r->headers;
	hi->end = r->headers_end;
	hi->left = r->header_count;
}

/* Returns 1 with *h filled (views into the record), 0 after the last. */
int kfk_header_iter_next(struct kfk_header_iter *hi,
                         struct kfk_record_header *h);

/* The content of a control record (key: version, type; value: version,
 * coordinator epoch). */
struct kfk_control_record {
	int16_t version;
	int16_t type; /* KFK_CONTROL_ABORT, KFK_CONTROL_COMMIT, or unknown */
	int32_t coordinator_epoch; /* -1 for types without a known value */
};

/* Decodes the record of a control batch. Returns KFK_ERR__MALFORMED when
 * the key is shorter than 4 bytes, or a commit/abort value is shorter than
 * 6; unknown types are returned as they are, for the caller to skip. */
kfk_err kfk_control_record_parse(const struct kfk_record *r,
                                 struct kfk_control_record *c);

/* ------------------------------------------------- big-endian, shared with
 * msgset_legacy.c; callers check the bounds. */
static inline uint16_t kfk_rb_get16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static inline uint32_t kfk_rb_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t kfk_rb_get64(const uint8_t *p)
{
	return (uint64_t)kfk_rb_get32(p) << 32 | kfk_rb_get32(p + 4);
}

static inline void kfk_rb_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void kfk_rb_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline void kfk_rb_put64(uint8_t *p, uint64_t v)
{
	kfk_rb_put32(p, (uint32_t)(v >> 32));
	kfk_rb_put32(p + 4, (uint32_t)v);
}

#endif /* KFK_PROTO_RECORD_BATCH_H */
