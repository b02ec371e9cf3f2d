/*
 * batchread: reads a partition back at the record-batch level, for tests.
 *
 * The idempotent producer stamps each batch with a producer id, an epoch
 * and a base sequence. librdkafka's mock cluster keeps every batch it is
 * sent without checking those for non-transactional producers, and kcat
 * and python3-kafka do not show them, so tests read the log back here, one
 * batch at a time with its header, and check the sequences themselves.
 *
 * It speaks the protocol directly with the library's own codecs (Fetch v5,
 * non-flexible, isolation level 0: read uncommitted) over blocking sockets,
 * one connection at a time. It is a test helper, not part of the library:
 * it links against libkfk_core for its internal headers.
 *
 * Nothing here is shared between threads; one struct br_log belongs to one
 * thread.
 */
#ifndef KFK_TESTS_BATCHREAD_H
#define KFK_TESTS_BATCHREAD_H

#include <stddef.h>
#include <stdint.h>

/* One record of a batch. key and value point into memory the br_log owns;
 * they are NULL with length -1 when null. */
struct br_record {
	int64_t offset, timestamp;
	const uint8_t *key;
	int32_t key_len;   /* -1: null */
	const uint8_t *value;
	int32_t value_len; /* -1: null */
	int32_t header_cnt;
};

/* One record batch as the broker stored it (header fields verbatim). */
struct br_batch {
	int64_t base_offset;
	int32_t count;          /* records, as the header says and as read */
	int16_t attributes;     /* codec bits (KFK_BATCH_ATTR_CODEC_MASK) etc. */
	int64_t producer_id;    /* -1 when not idempotent */
	int16_t producer_epoch;
	int32_t base_sequence;
	int32_t last_offset_delta;
	struct br_record *recs; /* count records, decompressed */
};

/* One partition, in offset order. Zero it before br_read_partition; free
 * it with br_log_free. */
struct br_log {
	struct br_batch *v;
	int n;
	int cap;                /* allocated elements of v */
	int64_t high_watermark; /* as the first fetch reported it */
	int64_t log_start;      /* the offset reading started at: 0, or the
	                         * log start offset the broker reported when
	                         * offset 0 was out of range (old data dropped) */
};

/*
 * Reads every batch of topic/partition from its first offset up to the
 * high watermark reported by the first fetch, from whichever broker of
 * bootstrap ("host:port,host:port,...", as kt_mock_bootstrap() gives)
 * answers for it: each is tried in turn, and one that answers with a
 * partition error (NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION, ...)
 * or cannot be reached is skipped. Every wait (connect, send, receive) is
 * bounded by timeout_ms in total.
 *
 * Returns 0 with out filled (any earlier content is freed first), or -1
 * with the reason in err (if err is not NULL): no broker serves the
 * partition, a time-out, a malformed response, a batch failing its CRC or
 * not decoding, a legacy (v0/v1) message set. Blocks.
 */
int br_read_partition(const char *bootstrap, const char *topic,
                      int32_t partition, int timeout_ms, struct br_log *out,
                      char *err, size_t errlen);

/* Frees what l owns (every batch and record view) and zeroes it. */
void br_log_free(struct br_log *l);

#endif /* KFK_TESTS_BATCHREAD_H */
