/*
 * consumer/fetch_decode.h: one partition's fetched record set into
 * messages (fetch_decode.c). Pure apart from allocating the messages and
 * decompressed buffers into the set; runs on the broker's loop thread.
 */
#ifndef KFK_CONSUMER_FETCH_DECODE_H
#define KFK_CONSUMER_FETCH_DECODE_H

#include "consumer/consumer_int.h"

struct kfk_fd_aborted {
	int64_t producer_id;
	int64_t first_offset;
};

struct kfk_fd_in {
	const uint8_t *records;   /* the partition's record set */
	size_t records_len;
	int64_t fetch_pos;        /* records before it are skipped */
	int32_t last_epoch;
	int8_t isolation;         /* 1: read_committed */
	bool check_crcs;
	int64_t max_decompressed; /* bound for one batch's records */
	struct kfk_fd_aborted *aborted; /* sorted here by first offset */
	int aborted_cnt;
};

struct kfk_fd_out {
	struct kfk_fset *set;     /* messages are added to it */
	int64_t next_pos;         /* after the last batch used */
	int32_t last_epoch;       /* of that batch */
	kfk_err err;              /* a batch that failed (CRC, codec, format) */
	int64_t err_offset;
	bool batch_too_large;     /* only a partial batch came */
};

void kfk_fetch_decode(struct kfk_fd_in *in, struct kfk_fd_out *out);

#endif /* KFK_CONSUMER_FETCH_DECODE_H */
