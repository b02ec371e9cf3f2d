/*
 * consumer/fetch_decode: a partition's fetched record set into messages.
 * Legacy message sets (magic 0, magic 1, a gzip wrapper) mixed with v2
 * batches, from a fetch position inside the set; read_committed against
 * an aborted transaction and its ABORT marker, read_uncommitted; a batch
 * whose CRC does not check is reported and stepped over.
 */
#include "config.h"

#include <string.h>

#include "../kt.h"
#include "codec/codec.h"
#include "consumer/consumer_int.h"
#include "consumer/fetch_decode.h"
#include "proto/msgset_legacy.h"
#include "proto/record_batch.h"

struct fx {
	struct kfk_cmem *mem;
	struct kfk_cpart *part;
	struct kfk_fd_out out;
};

static void fx_init(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	f->mem = kfk_cmem_new(1 << 20);
	f->part = kfk_cpart_new("t", 0);
	KT_ASSERT(f->mem && f->part);
	f->out.set = kfk_fset_new(f->mem, f->part, 1, 4);
	KT_ASSERT(f->out.set != NULL);
}

static void fx_fini(struct fx *f)
{
	kfk_fset_discard(f->out.set);
	kfk_cpart_unref(f->part);
	kfk_cmem_unref(f->mem);
}

static void decode(struct fx *f, const struct kfk_batch_buf *b, int64_t pos,
                   int8_t isolation, struct kfk_fd_aborted *ab, int nab)
{
	struct kfk_fd_in in = {
		.records = b->data, .records_len = b->len, .fetch_pos = pos,
		.last_epoch = -1, .isolation = isolation, .check_crcs = true,
		.max_decompressed = 1 << 20, .aborted = ab, .aborted_cnt = nab,
	};

	kfk_fetch_decode(&in, &f->out);
}

/* Message i of the set: offset, value (NUL-terminated text) and
 * timestamp type. */
static void expect(struct fx *f, int i, int64_t offset, const char *value,
                   enum kfk_timestamp_type tt)
{
	const kfk_message *m = &f->out.set->msgs[i];
	enum kfk_timestamp_type got;
	size_t len;
	const void *v = kfk_message_value(m, &len);

	KT_ASSERT(i < f->out.set->cnt);
	KT_ASSERT_INT_EQ(kfk_message_offset(m), offset);
	KT_ASSERT_MEM_EQ(v, len, value, strlen(value));
	kfk_message_timestamp(m, &got);
	KT_ASSERT_INT_EQ(got, tt);
}

/* A v2 batch at base with values vals[0..n). */
static void v2_batch(struct kfk_batch_buf *b, int64_t base, int16_t attrs,
                     int64_t pid, const char *const *vals, int n)
{
	struct kfk_batch_opts o = { .base_offset = base,
		                        .partition_leader_epoch = 3,
		                        .attributes = attrs, .producer_id = pid,
		                        .producer_epoch = pid >= 0 ? 0 : -1,
		                        .base_sequence = pid >= 0 ? 0 : -1 };
	struct kfk_batch_writer w;

	KT_ASSERT_INT_EQ(kfk_batch_writer_begin(&w, b, &o), 0);
	for (int i = 0; i < n; i++)
		KT_ASSERT_INT_EQ(kfk_batch_writer_append(&w, 5000 + i, NULL, -1,
		                                         vals[i],
		                                         (int32_t)strlen(vals[i]),
		                                         NULL, 0), 0);
	KT_ASSERT_INT_EQ(kfk_batch_writer_finish(&w, NULL, -1, NULL), 0);
}

static void marker(struct kfk_batch_buf *b, int64_t offset, int64_t pid,
                   int16_t type)
{
	struct kfk_batch_opts o = { .base_offset = offset,
		                        .partition_leader_epoch = 3,
		                        .attributes = KFK_BATCH_ATTR_CONTROL |
		                                      KFK_BATCH_ATTR_TRANSACTIONAL,
		                        .producer_id = pid, .producer_epoch = 0,
		                        .base_sequence = -1 };
	struct kfk_batch_writer w;

	KT_ASSERT_INT_EQ(kfk_batch_writer_begin(&w, b, &o), 0);
	KT_ASSERT_INT_EQ(kfk_batch_writer_append_control(&w, 6000, type, 0), 0);
	KT_ASSERT_INT_EQ(kfk_batch_writer_finish(&w, NULL, -1, NULL), 0);
}

KT_TEST(legacy_message_sets_and_v2_batches_from_a_position)
{
	struct kfk_batch_buf b = { 0 }, inner = { 0 };
	static const char *const v2[] = { "v5", "v6" };
	struct fx f;

	fx_init(&f);
	KT_ASSERT_INT_EQ(kfk_msgset_append(&b, 0, 0, 0, 0, "k", 1, "v0", 2), 0);
	KT_ASSERT_INT_EQ(kfk_msgset_append(&b, 1, 1, 0, 1000, NULL, -1, "v1",
	                                   2), 0);
	/* A gzip wrapper of three magic 1 messages: inner offsets 0..2,
	 * the wrapper's offset the last absolute one, 4. */
	KT_ASSERT_INT_EQ(kfk_msgset_append(&inner, 1, 0, 0, 2000, NULL, -1,
	                                   "v2", 2), 0);
	KT_ASSERT_INT_EQ(kfk_msgset_append(&inner, 1, 1, 0, 2001, NULL, -1,
	                                   "v3", 2), 0);
	KT_ASSERT_INT_EQ(kfk_msgset_append(&inner, 1, 2, 0, 2002, NULL, -1,
	                                   "v4", 2), 0);
	KT_ASSERT_INT_EQ(kfk_msgset_append_wrapper(&b, 1, 4, KFK_BATCH_CODEC_GZIP,
	                                           2002, 0, inner.data,
	                                           inner.len,
	                                           kfk_codec_compress, -1), 0);
	v2_batch(&b, 5, 0, -1, v2, 2);
	decode(&f, &b, 1, 0, NULL, 0);
	KT_ASSERT_INT_EQ(f.out.err, 0);
	KT_ASSERT_INT_EQ(f.out.set->cnt, 6);
	expect(&f, 0, 1, "v1", KFK_TIMESTAMP_CREATE_TIME);
	expect(&f, 1, 2, "v2", KFK_TIMESTAMP_CREATE_TIME);
	expect(&f, 3, 4, "v4", KFK_TIMESTAMP_CREATE_TIME);
	expect(&f, 4, 5, "v5", KFK_TIMESTAMP_CREATE_TIME);
	expect(&f, 5, 6, "v6", KFK_TIMESTAMP_CREATE_TIME);
	KT_ASSERT_INT_EQ(kfk_message_timestamp(&f.out.set->msgs[2], NULL), 2001);
	KT_ASSERT_INT_EQ(kfk_message_leader_epoch(&f.out.set->msgs[5]), 3);
	/* The decompressed wrapper belongs to the set. */
	KT_ASSERT_INT_EQ(f.out.set->owned_cnt, 1);
	KT_ASSERT_INT_EQ(f.out.next_pos, 7);
	fx_fini(&f);
	/* Magic 0 from the start: no timestamp. */
	fx_init(&f);
	decode(&f, &b, 0, 0, NULL, 0);
	KT_ASSERT_INT_EQ(f.out.set->cnt, 7);
	expect(&f, 0, 0, "v0", KFK_TIMESTAMP_NONE);
	KT_ASSERT_INT_EQ(kfk_message_timestamp(&f.out.set->msgs[0], NULL), -1);
	fx_fini(&f);
	kfk_batch_buf_free(&b);
	kfk_batch_buf_free(&inner);
}

/* Offsets 0-1: producer 7's transaction, aborted by the marker at 2;
 * 3: not transactional; 4-5: producer 8's, committed at 6. */
static void txn_log(struct kfk_batch_buf *b)
{
	static const char *const a[] = { "a0", "a1" }, *const n[] = { "n3" },
	                         *const c[] = { "c4", "c5" };

	v2_batch(b, 0, KFK_BATCH_ATTR_TRANSACTIONAL, 7, a, 2);
	marker(b, 2, 7, KFK_CONTROL_ABORT);
	v2_batch(b, 3, 0, -1, n, 1);
	v2_batch(b, 4, KFK_BATCH_ATTR_TRANSACTIONAL, 8, c, 2);
	marker(b, 6, 8, KFK_CONTROL_COMMIT);
}

KT_TEST(read_committed_drops_the_aborted_transaction_and_markers)
{
	struct kfk_batch_buf b = { 0 };
	struct kfk_fd_aborted ab[] = { { 7, 0 } };
	struct fx f;

	txn_log(&b);
	fx_init(&f);
	decode(&f, &b, 0, 1, ab, 1);
	KT_ASSERT_INT_EQ(f.out.err, 0);
	KT_ASSERT_INT_EQ(f.out.set->cnt, 3);
	expect(&f, 0, 3, "n3", KFK_TIMESTAMP_CREATE_TIME);
	expect(&f, 1, 4, "c4", KFK_TIMESTAMP_CREATE_TIME);
	expect(&f, 2, 5, "c5", KFK_TIMESTAMP_CREATE_TIME);
	KT_ASSERT_INT_EQ(f.out.next_pos, 7); /* past the last marker */
	fx_fini(&f);

	fx_init(&f);
	decode(&f, &b, 0, 0, ab, 1);
	KT_ASSERT_INT_EQ(f.out.set->cnt, 5); /* every data record */
	expect(&f, 0, 0, "a0", KFK_TIMESTAMP_CREATE_TIME);
	expect(&f, 2, 3, "n3", KFK_TIMESTAMP_CREATE_TIME);
	fx_fini(&f);
	kfk_batch_buf_free(&b);
}

KT_TEST(a_batch_failing_its_crc_is_reported_and_stepped_over)
{
	struct kfk_batch_buf b = { 0 };
	static const char *const one[] = { "x0", "x1" }, *const two[] = { "y2" };
	struct fx f;

	v2_batch(&b, 0, 0, -1, one, 2);
	v2_batch(&b, 2, 0, -1, two, 1);
	b.data[b.len - 1] ^= 0x40; /* a byte of the second batch's record */
	fx_init(&f);
	decode(&f, &b, 0, 0, NULL, 0);
	KT_ASSERT_INT_EQ(f.out.err, KFK_ERR__CRC);
	KT_ASSERT_INT_EQ(f.out.err_offset, 2);
	KT_ASSERT_INT_EQ(f.out.set->cnt, 2); /* the first batch's records */
	KT_ASSERT_INT_EQ(f.out.next_pos, 3); /* past the bad batch */
	fx_fini(&f);
	kfk_batch_buf_free(&b);
}
