/* Record batch v2: the Java client's golden batches encoded byte for byte
 * and decoded record for record, and hostile input (flipped bytes, every
 * truncation, broken records) refused without reading outside it. Inputs
 * sit at the end of an exactly-sized malloc so ASan sees any over-read. */
#include "config.h"

#include "proto/record_batch.h"
#include "codec/codec.h"
#include "util/crc32c.h"
#include "util/varint.h"
#include "../kt.h"
#include "vectors_record_batches.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TS0 1700000000000LL
#define MAX_DECOMPRESSED (1 << 20)

/* The README's record i. */
struct want_rec {
	char key[16];
	int32_t key_len;
	char value[80];
	int32_t value_len;
	char hkey[16];
	char hval[16];
};

static void want_record(int i, struct want_rec *w)
{
	int n, x = (i * 7) % 50;

	w->key_len = -1;
	if (i % 3 != 2)
		w->key_len = snprintf(w->key, sizeof(w->key), "key-%d", i);
	w->value_len = -1;
	if (i % 5 != 4) {
		n = snprintf(w->value, sizeof(w->value), "value-%d-", i);
		memset(w->value + n, 'x', (size_t)x);
		w->value_len = n + x;
	}
	snprintf(w->hkey, sizeof(w->hkey), "h%d", i);
	snprintf(w->hval, sizeof(w->hval), "hv%d", i);
}

/* A copy of data ending exactly at the end of its allocation. */
static uint8_t *guarded(const void *data, size_t len)
{
	uint8_t *p = malloc(len ? len : 1);
	KT_ASSERT(p != NULL);
	if (len)
		memcpy(p, data, len);
	return p;
}

static const struct golden_batch *golden(const char *name)
{
	size_t i;
	for (i = 0; i < GOLDEN_BATCH_COUNT; i++)
		if (!strcmp(golden_batches[i].name, name))
			return &golden_batches[i];
	kt_fail(__FILE__, __LINE__, "no golden batch %s", name);
}

/* Appends the README's records 0..count-1. */
static void append_readme_records(struct kfk_batch_writer *w, int count,
                                  int headers)
{
	int i;
	for (i = 0; i < count; i++) {
		struct want_rec r;
		struct kfk_record_header h[2];
		want_record(i, &r);
		h[0] = (struct kfk_record_header){(const uint8_t *)r.hkey,
		                                  (int32_t)strlen(r.hkey),
		                                  (const uint8_t *)r.hval,
		                                  (int32_t)strlen(r.hval)};
		h[1] = (struct kfk_record_header){(const uint8_t *)"trace", 5, NULL,
		                                  -1};
		KT_ASSERT_INT_EQ(kfk_batch_writer_append(w, TS0 + 13 * i, r.key,
		                                         r.key_len, r.value,
		                                         r.value_len, h,
		                                         headers ? 2 : 0),
		                 KFK_ERR_NONE);
	}
}

static struct kfk_batch_opts golden_opts(const struct golden_batch *g)
{
	struct kfk_batch_opts o = {
	    .base_offset = 0,
	    .partition_leader_epoch = -1,
	    .attributes = (int16_t)(g->codec | (g->transactional
	                                            ? KFK_BATCH_ATTR_TRANSACTIONAL
	                                            : 0)),
	    .producer_id = g->producer_id,
	    .producer_epoch = g->producer_epoch,
	    .base_sequence = g->base_sequence};
	return o;
}

/* ------------------------------------------------------------- encoding */

static void encode_control_commit(struct kfk_batch_buf *out)
{
	/* The README gives offset, producer, epoch and coordinator epoch; the
	 * leader epoch 0 and the timestamp are what the vector's header holds. */
	struct kfk_batch_opts o = {
	    .base_offset = 100,
	    .partition_leader_epoch = 0,
	    .attributes = KFK_BATCH_ATTR_TRANSACTIONAL | KFK_BATCH_ATTR_CONTROL,
	    .producer_id = 77,
	    .producer_epoch = 1,
	    .base_sequence = -1};
	struct kfk_batch_writer w;
	KT_ASSERT_INT_EQ(kfk_batch_writer_begin(&w, out, &o), KFK_ERR_NONE);
	KT_ASSERT_INT_EQ(kfk_batch_writer_append_control(
	                     &w, TS0 + 500, KFK_CONTROL_COMMIT, 5),
	                 KFK_ERR_NONE);
	KT_ASSERT_INT_EQ(kfk_batch_writer_finish(&w, NULL, 0, NULL), KFK_ERR_NONE);
}

static void encode_golden_case(void *arg)
{
	const struct golden_batch *g = arg;
	struct kfk_batch_buf out = {0};
	struct kfk_batch_writer w;
	struct kfk_batch_opts o = golden_opts(g);
	size_t size = 0;

	if (!strcmp(g->name, "control_commit")) {
		encode_control_commit(&out);
		size = out.len;
	} else {
		KT_ASSERT_INT_EQ(kfk_batch_writer_begin(&w, &out, &o), KFK_ERR_NONE);
		append_readme_records(&w, g->record_count, g->headers);
		KT_ASSERT_INT_EQ(kfk_batch_writer_count(&w), g->record_count);
		KT_ASSERT_INT_EQ(kfk_batch_writer_finish(&w, NULL, 0, &size),
		                 KFK_ERR_NONE);
	}
	KT_ASSERT_INT_EQ(size, out.len);
	KT_ASSERT_MEM_EQ(out.data, out.len, g->bytes, g->len);
	kfk_batch_buf_free(&out);
}

KT_TEST(golden_uncompressed_batches_encode_byte_for_byte)
{
	size_t i;
	for (i = 0; i < GOLDEN_BATCH_COUNT; i++)
		if (golden_batches[i].codec == KFK_BATCH_CODEC_NONE)
			kt_subtest(encode_golden_case, (void *)&golden_batches[i],
			           "encode %s", golden_batches[i].name);
}

/* ------------------------------------------------------------- decoding */

static void check_readme_record(const struct kfk_record *r, int i,
                                int headers)
{
	struct want_rec w;
	struct kfk_header_iter hi;
	struct kfk_record_header h;

	want_record(i, &w);
	KT_ASSERT_INT_EQ(r->offset, i);
	KT_ASSERT_INT_EQ(r->timestamp, TS0 + 13 * i);
	KT_ASSERT_INT_EQ(r->attributes, 0);
	KT_ASSERT_INT_EQ(r->key_len, w.key_len);
	if (w.key_len < 0)
		KT_ASSERT(r->key == NULL);
	else
		KT_ASSERT_MEM_EQ(r->key, r->key_len, w.key, w.key_len);
	KT_ASSERT_INT_EQ(r->value_len, w.value_len);
	if (w.value_len < 0)
		KT_ASSERT(r->value == NULL);
	else
		KT_ASSERT_MEM_EQ(r->value, r->value_len, w.value, w.value_len);
	KT_ASSERT_INT_EQ(r->header_count, headers ? 2 : 0);
	kfk_header_iter_init(&hi, r);
	if (headers) {
		KT_ASSERT_INT_EQ(kfk_header_iter_next(&hi, &h), 1);
		KT_ASSERT_MEM_EQ(h.key, h.key_len, w.hkey, strlen(w.hkey));
		KT_ASSERT_MEM_EQ(h.value, h.value_len, w.hval, strlen(w.hval));
		KT_ASSERT_INT_EQ(kfk_header_iter_next(&hi, &h), 1);
		KT_ASSERT_MEM_EQ(h.key, h.key_len, "trace", 5);
		KT_ASSERT_INT_EQ(h.value_len, -1);
		KT_ASSERT(h.value == NULL);
	}
	KT_ASSERT_INT_EQ(kfk_header_iter_next(&hi, &h), 0);
}

static void check_control_commit(const struct kfk_batch *b,
                                 struct kfk_record_iter *it)
{
	struct kfk_record r;
	struct kfk_control_record c;

	KT_ASSERT(kfk_batch_is_control(b));
	KT_ASSERT_INT_EQ(b->base_offset, 100);
	KT_ASSERT_INT_EQ(kfk_record_iter_next(it, &r), 1);
	KT_ASSERT_INT_EQ(r.offset, 100);
	KT_ASSERT_INT_EQ(kfk_control_record_parse(&r, &c), KFK_ERR_NONE);
	KT_ASSERT_INT_EQ(c.version, 0);
	KT_ASSERT_INT_EQ(c.type, KFK_CONTROL_COMMIT);
	KT_ASSERT_INT_EQ(c.coordinator_epoch, 5);
	KT_ASSERT_INT_EQ(kfk_record_iter_next(it, &r), 0);
}

/* Frames, parses and iterates the golden batch g from guarded memory. */
static void decode_golden_case(void *arg)
{
	const struct golden_batch *g = arg;
	uint8_t *in = guarded(g->bytes, g->len);
	struct kfk_recset rs;
	struct kfk_recset_entry e;
	struct kfk_batch b;
	struct kfk_record_iter it;
	struct kfk_record r;
	int i;

	kfk_recset_init(&rs, in, g->len);
	KT_ASSERT_INT_EQ(kfk_recset_next(&rs, &e), 1);
	KT_ASSERT_INT_EQ(e.magic, 2);
	KT_ASSERT_INT_EQ(e.size, g->len);
	KT_ASSERT_INT_EQ(kfk_batch_parse(e.data, e.size, 0, &b), KFK_ERR_NONE);
	KT_ASSERT_INT_EQ(b.record_count, g->record_count);
	KT_ASSERT_INT_EQ(b.last_offset_delta, g->record_count - 1);
	KT_ASSERT_INT_EQ(kfk_batch_codec(&b), g->codec);
	KT_ASSERT_INT_EQ(kfk_batch_is_transactional(&b), g->transactional);
	KT_ASSERT_INT_EQ(b.producer_id, g->producer_id);
	KT_ASSERT_INT_EQ(b.producer_epoch, g->producer_epoch);
	KT_ASSERT_INT_EQ(b.base_sequence, g->base_sequence);
	KT_ASSERT_INT_EQ(kfk_batch_is_log_append_time(&b), 0);
	KT_ASSERT_INT_EQ(kfk_record_iter_init(&it, &b, kfk_codec_decompress,
	                                      MAX_DECOMPRESSED),
	                 KFK_ERR_NONE);
	if (kfk_batch_is_control(&b)) {
		check_control_commit(&b, &it);
	} else {
		KT_ASSERT_INT_EQ(b.partition_leader_epoch, -1);
		KT_ASSERT_INT_EQ(b.first_timestamp, TS0);
		KT_ASSERT_INT_EQ(b.max_timestamp, TS0 + 13 * (g->record_count - 1));
		for (i = 0; i < g->record_count; i++) {
			KT_ASSERT_INT_EQ(kfk_record_iter_next(&it, &r), 1);
			check_readme_record(&r, i, g->headers);
		}
		KT_ASSERT_INT_EQ(kfk_record_iter_next(&it, &r), 0);
	}
	kfk_record_iter_destroy(&it);
	KT_ASSERT_INT_EQ(kfk_recset_next(&rs, &e), 0);
	KT_ASSERT_INT_EQ(kfk_recset_incomplete(&rs), 0);
	free(in);
}

KT_TEST(golden_batches_decode_to_the_listed_records)
{
	size_t i;
	for (i = 0; i < GOLDEN_BATCH_COUNT; i++)
		kt_subtest(decode_golden_case, (void *)&golden_batches[i],
		           "decode %s", golden_batches[i].name);
}

/* Our own compressed batches, decoded by our own decoder; the bytes differ
 * from Java's (see the vectors' README), the records must not. */
static void compressed_round_trip_case(void *arg)
{
	const struct golden_batch *g = arg;
	struct kfk_batch_buf out = {0};
	struct kfk_batch_writer w;
	struct kfk_batch_opts o = golden_opts(g);
	struct kfk_batch b;
	struct kfk_record_iter it;
	struct kfk_record r;
	uint8_t *in;
	int i;

	KT_ASSERT_INT_EQ(kfk_batch_writer_begin(&w, &out, &o), KFK_ERR_NONE);
	append_readme_records(&w, g->record_count, g->headers);
	KT_ASSERT_INT_EQ(kfk_batch_writer_finish(&w, kfk_codec_compress,
	                                         KFK_CODEC_LEVEL_DEFAULT, NULL),
	                 KFK_ERR_NONE);
	in = guarded(out.data, out.len);
	KT_ASSERT_INT_EQ(kfk_batch_parse(in, out.len, 0, &b), KFK_ERR_NONE);
	/* Same header as Java's up to the length and CRC. */
	KT_ASSERT_MEM_EQ(in + KFK_BATCH_ATTR_OFFSET,
	                 KFK_BATCH_HEADER_SIZE - KFK_BATCH_ATTR_OFFSET,
	                 g->bytes + KFK_BATCH_ATTR_OFFSET,
	                 KFK_BATCH_HEADER_SIZE - KFK_BATCH_ATTR_OFFSET);
	KT_ASSERT_INT_EQ(kfk_record_iter_init(&it, &b, kfk_codec_decompress,
	                                      MAX_DECOMPRESSED),
	                 KFK_ERR_NONE);
	for (i = 0; i < g->record_count; i++) {
		KT_ASSERT_INT_EQ(kfk_record_iter_next(&it, &r), 1);
		check_readme_record(&r, i, g->headers);
	}
	KT_ASSERT_INT_EQ(kfk_record_iter_next(&it, &r), 0);
	kfk_record_iter_destroy(&it);
	free(in);
	kfk_batch_buf_free(&out);
}

KT_TEST(compressed_batches_round_trip)
{
	size_t i;
	for (i = 0; i < GOLDEN_BATCH_COUNT; i++)
		if (golden_batches[i].codec != KFK_BATCH_CODEC_NONE)
			kt_subtest(compressed_round_trip_case, (void *)&golden_batches[i],
			           "round trip %s", golden_batches[i].name);
}

KT_TEST(decompression_is_bounded)
{
	const struct golden_batch *g = golden("compressed_zstd");
	struct kfk_batch b;
	struct kfk_record_iter it;
	struct kfk_record r;

	KT_ASSERT_INT_EQ(kfk_batch_parse(g->bytes, g->len, 0, &b), KFK_ERR_NONE);
	KT_ASSERT_INT_EQ(
	    kfk_record_iter_init(&it, &b, kfk_codec_decompress, 100),
	    KFK_ERR__DECOMPRESS);
	KT_ASSERT_INT_EQ(kfk_record_iter_next(&it, &r), KFK_ERR__DECOMPRESS);
	kfk_record_iter_destroy(&it);
	KT_ASSERT_INT_EQ(kfk_record_iter_init(&it, &b, NULL, MAX_DECOMPRESSED),
	                 KFK_ERR__UNSUPPORTED_FEATURE);
	kfk_record_iter_destroy(&it);
}

/* ---------------------------------------------------- damaged input */

/* Decodes a whole record set: 0 when every batch and record read well,
 * 1 when the set ended in an incomplete batch, or the first error. */
static int decode_all(const uint8_t *p, size_t len, unsigned flags,
                      int *records)
{
	struct kfk_recset rs;
	struct kfk_recset_entry e;
	struct kfk_batch b;
	struct kfk_record_iter it;
	struct kfk_record r;
	int rc;

	*records = 0;
	kfk_recset_init(&rs, p, len);
	while ((rc = kfk_recset_next(&rs, &e)) == 1) {
		if ((rc = kfk_batch_parse(e.data, e.size, flags, &b)))
			return rc;
		rc = kfk_record_iter_init(&it, &b, kfk_codec_decompress,
		                          MAX_DECOMPRESSED);
		while (!rc && (rc = kfk_record_iter_next(&it, &r)) == 1) {
			(*records)++;
			rc = 0;
		}
		kfk_record_iter_destroy(&it);
		if (rc)
			return rc;
	}
	if (rc)
		return rc;
	return kfk_recset_incomplete(&rs) ? 1 : 0;
}

static void flipped_byte_case(void *arg)
{
	const struct golden_batch *g = arg;
	size_t i;
	int records, rc;

	for (i = 0; i < g->len; i++) {
		uint8_t *in = guarded(g->bytes, g->len);
		in[i] ^= 0x5a;
		rc = decode_all(in, g->len, 0, &records);
		if (i < 8 || (i >= 12 && i < 16)) {
			/* Base offset and leader epoch are outside the CRC on
			 * purpose (brokers rewrite them): they decode. */
			KT_ASSERT_MSG(rc == 0 && records == g->record_count,
			              "byte %zu: rc %d", i, rc);
		} else if (i < 12) {
			/* The length: a longer batch is incomplete, a shorter
			 * one fails its CRC or framing. */
			KT_ASSERT_MSG(rc == 1 || rc == KFK_ERR__CRC ||
			                  rc == KFK_ERR__MALFORMED,
			              "byte %zu: rc %d", i, rc);
		} else if (i == KFK_BATCH_MAGIC_OFFSET) {
			KT_ASSERT_INT_EQ(rc, KFK_ERR__UNSUPPORTED_FEATURE);
		} else {
			KT_ASSERT_MSG(rc == KFK_ERR__CRC, "byte %zu: rc %d", i, rc);
		}
		free(in);
	}
}

KT_TEST(flipped_bytes_fail_the_crc)
{
	size_t i;
	for (i = 0; i < GOLDEN_BATCH_COUNT; i++)
		kt_subtest(flipped_byte_case, (void *)&golden_batches[i],
		           "flipped bytes %s", golden_batches[i].name);
}

/* With the CRC check off, damage reaches the record parser (and the
 * decompressors): any outcome but a crash or over-read is acceptable, and
 * a success must still yield exactly the declared records. */
static void flipped_no_crc_case(void *arg)
{
	const struct golden_batch *g = arg;
	size_t i;
	int records, rc, errors = 0;
	static const uint8_t masks[] = {0x01, 0x80, 0xff};
	size_t m;

	for (m = 0; m < sizeof(masks); m++) {
		for (i = KFK_BATCH_ATTR_OFFSET; i < g->len; i++) {
			uint8_t *in = guarded(g->bytes, g->len);
			struct kfk_batch b;
			in[i] ^= masks[m];
			rc = decode_all(in, g->len, KFK_BATCH_PARSE_NO_CRC, &records);
			if (rc == 0) {
				KT_ASSERT_INT_EQ(kfk_batch_parse(in, g->len,
				                                 KFK_BATCH_PARSE_NO_CRC, &b),
				                 KFK_ERR_NONE);
				KT_ASSERT_INT_EQ(records, b.record_count);
			} else {
				errors++;
			}
			free(in);
		}
	}
	/* Most single-byte damage in the records must be caught. */
	KT_ASSERT(errors > 0);
}

KT_TEST(flipped_bytes_without_crc_check_never_overread)
{
	size_t i;
	for (i = 0; i < GOLDEN_BATCH_COUNT; i++)
		kt_subtest(flipped_no_crc_case, (void *)&golden_batches[i],
		           "no-crc flips %s", golden_batches[i].name);
}

static void truncated_case(void *arg)
{
	const struct golden_batch *g = arg;
	struct kfk_recset rs;
	struct kfk_recset_entry e;
	struct kfk_batch b;
	size_t n;

	for (n = 0; n < g->len; n++) {
		uint8_t *in = guarded(g->bytes, n);
		kfk_recset_init(&rs, in, n);
		KT_ASSERT_INT_EQ(kfk_recset_next(&rs, &e), 0);
		KT_ASSERT_INT_EQ(kfk_recset_incomplete(&rs), n);
		KT_ASSERT_INT_EQ(kfk_batch_parse(in, n, 0, &b), KFK_ERR__MALFORMED);
		free(in);
	}
}

KT_TEST(every_truncated_prefix_is_incomplete)
{
	size_t i;
	for (i = 0; i < GOLDEN_BATCH_COUNT; i++)
		kt_subtest(truncated_case, (void *)&golden_batches[i],
		           "truncated %s", golden_batches[i].name);
}

/* A fetch response's records: batches back to back, the last cut short. */
KT_TEST(concatenated_batches_with_partial_tail)
{
	const struct golden_batch *a = golden("ten_headers");
	const struct golden_batch *b = golden("compressed_lz4");
	const struct golden_batch *c = golden("idempotent");
	size_t cut, len;
	int records;

	for (cut = 0; cut < c->len; cut += 7) {
		uint8_t *buf = malloc(a->len + b->len + cut);
		KT_ASSERT(buf != NULL);
		memcpy(buf, a->bytes, a->len);
		memcpy(buf + a->len, b->bytes, b->len);
		memcpy(buf + a->len + b->len, c->bytes, cut);
		len = a->len + b->len + cut;
		KT_ASSERT_INT_EQ(decode_all(buf, len, 0, &records), cut ? 1 : 0);
		KT_ASSERT_INT_EQ(records, a->record_count + b->record_count);
		free(buf);
	}
	{
		uint8_t *buf = malloc(a->len + c->len);
		KT_ASSERT(buf != NULL);
		memcpy(buf, a->bytes, a->len);
		memcpy(buf + a->len, c->bytes, c->len);
		KT_ASSERT_INT_EQ(decode_all(buf, a->len + c->len, 0, &records), 0);
		KT_ASSERT_INT_EQ(records, a->record_count + c->record_count);
		free(buf);
	}
}

/* ------------------------------------------------ hand-made malformed */

/* One uncompressed batch of three plain records into out. */
static void three_records(struct kfk_batch_buf *out)
{
	struct kfk_batch_opts o = {.partition_leader_epoch = -1,
	                           .producer_id = -1,
	                           .producer_epoch = -1,
	                           .base_sequence = -1};
	struct kfk_batch_writer w;
	KT_ASSERT_INT_EQ(kfk_batch_writer_begin(&w, out, &o), KFK_ERR_NONE);
	append_readme_records(&w, 3, 1);
	KT_ASSERT_INT_EQ(kfk_batch_writer_finish(&w, NULL, 0, NULL), KFK_ERR_NONE);
}

/* Rewrites the length field and CRC after surgery on a batch. */
static void reseal(uint8_t *p, size_t len)
{
	kfk_rb_put32(p + 8, (uint32_t)(len - KFK_BATCH_LOG_OVERHEAD));
	kfk_rb_put32(p + KFK_BATCH_CRC_OFFSET,
	             kfk_crc32c(0, p + KFK_BATCH_ATTR_OFFSET,
	                        len - KFK_BATCH_ATTR_OFFSET));
}

static int decode_sealed(const uint8_t *p, size_t len)
{
	int records;
	uint8_t *in = guarded(p, len);
	int rc;
	reseal(in, len);
	rc = decode_all(in, len, 0, &records);
	free(in);
	return rc;
}

KT_TEST(record_count_must_match_the_records)
{
	struct kfk_batch_buf out = {0};
	three_records(&out);
	KT_ASSERT_INT_EQ(decode_sealed(out.data, out.len), 0);
	kfk_rb_put32(out.data + 57, 4); /* one more than there is */
	KT_ASSERT_INT_EQ(decode_sealed(out.data, out.len), KFK_ERR__MALFORMED);
	kfk_rb_put32(out.data + 57, 2); /* bytes left after the last */
	KT_ASSERT_INT_EQ(decode_sealed(out.data, out.len), KFK_ERR__MALFORMED);
	kfk_rb_put32(out.data + 57, (uint32_t)-1);
	KT_ASSERT_INT_EQ(decode_sealed(out.data, out.len), KFK_ERR__MALFORMED);
	kfk_batch_buf_free(&out);
}

/* Byte surgery on the first record (key "key-0", value "value-0-",
 * headers h0=hv0, trace=null); offsets relative to byte 61. */
KT_TEST(malformed_record_fields_are_errors)
{
	struct kfk_batch_buf out = {0};
	uint8_t *rec;
	static const struct {
		size_t at;
		uint8_t byte;
		const char *what;
	} cuts[] = {
	    {0, 0x7e, "record length longer than its fields"},
	    {0, 0x7f, "record length -64"},
	    {0, 0x01, "record length -1"},
	    {0, 0x00, "record length 0"},
	    {4, 0x03, "key length -2"},
	    {4, 0x7e, "key length past the record"},
	    {4, 0x01, "null key leaves bytes unread"},
	    {10, 0x03, "value length -2"},
	    {19, 0x01, "header count -1"},
	    {19, 0x7e, "header count past the record"},
	    {20, 0x01, "null header key"},
	    {3, 0x80, "offset delta varint runs into the key"},
	};
	size_t i;

	three_records(&out);
	rec = out.data + KFK_BATCH_HEADER_SIZE;
	/* The layout the offsets above assume. */
	KT_ASSERT_INT_EQ(rec[4], 10); /* key length 5, zigzag */
	KT_ASSERT_INT_EQ(rec[10], 16); /* value length 8 */
	KT_ASSERT_INT_EQ(rec[19], 4);  /* two headers */
	KT_ASSERT_INT_EQ(rec[20], 4);  /* "h0" */
	for (i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		uint8_t *copy = guarded(out.data, out.len);
		copy[KFK_BATCH_HEADER_SIZE + cuts[i].at] = cuts[i].byte;
		KT_ASSERT_MSG(decode_sealed(copy, out.len) == KFK_ERR__MALFORMED,
		              "%s", cuts[i].what);
		free(copy);
	}
	kfk_batch_buf_free(&out);
}

KT_TEST(last_record_past_the_batch_is_an_error)
{
	struct kfk_batch_buf out = {0};
	three_records(&out);
	out.len--; /* the last record's last byte */
	KT_ASSERT_INT_EQ(decode_sealed(out.data, out.len), KFK_ERR__MALFORMED);
	kfk_batch_buf_free(&out);
}

KT_TEST(overlong_varint_is_an_error)
{
	struct kfk_batch_buf out = {0};
	size_t i;
	three_records(&out);
	/* Record length as a 6-byte varint (over the 5 of an int32). */
	KT_ASSERT_INT_EQ(kfk_batch_buf_reserve(&out, 5), KFK_ERR_NONE);
	memmove(out.data + KFK_BATCH_HEADER_SIZE + 5,
	        out.data + KFK_BATCH_HEADER_SIZE,
	        out.len - KFK_BATCH_HEADER_SIZE);
	out.len += 5;
	for (i = 0; i < 5; i++)
		out.data[KFK_BATCH_HEADER_SIZE + i] = 0x80;
	KT_ASSERT_INT_EQ(decode_sealed(out.data, out.len), KFK_ERR__MALFORMED);
	kfk_batch_buf_free(&out);
}

KT_TEST(framing_errors)
{
	uint8_t buf[32] = {0};
	struct kfk_recset rs;
	struct kfk_recset_entry e;
	struct kfk_batch b;

	kfk_rb_put32(buf + 8, 4); /* too short to hold a magic */
	kfk_recset_init(&rs, buf, sizeof(buf));
	KT_ASSERT_INT_EQ(kfk_recset_next(&rs, &e), KFK_ERR__MALFORMED);
	KT_ASSERT_INT_EQ(kfk_recset_next(&rs, &e), KFK_ERR__MALFORMED); /* sticky */
	kfk_rb_put32(buf + 8, (uint32_t)-5);
	kfk_recset_init(&rs, buf, sizeof(buf));
	KT_ASSERT_INT_EQ(kfk_recset_next(&rs, &e), KFK_ERR__MALFORMED);
	kfk_rb_put32(buf + 8, 20);
	buf[16] = 3;
	kfk_recset_init(&rs, buf, sizeof(buf));
	KT_ASSERT_INT_EQ(kfk_recset_next(&rs, &e), KFK_ERR__UNSUPPORTED_FEATURE);
	/* A legacy entry is framed, but is no v2 batch. */
	buf[16] = 1;
	kfk_recset_init(&rs, buf, sizeof(buf));
	KT_ASSERT_INT_EQ(kfk_recset_next(&rs, &e), 1);
	KT_ASSERT_INT_EQ(e.magic, 1);
	KT_ASSERT_INT_EQ(e.size, 32);
	KT_ASSERT_INT_EQ(kfk_batch_parse(e.data, e.size, 0, &b),
	                 KFK_ERR__MALFORMED);
	KT_ASSERT_INT_EQ(kfk_recset_next(&rs, &e), 0);
	KT_ASSERT_INT_EQ(kfk_recset_incomplete(&rs), 0);
}

/* ------------------------------------------------------------- encoder */

KT_TEST(log_append_time_uses_max_timestamp)
{
	struct kfk_batch_buf out = {0};
	struct kfk_batch_opts o = {.base_offset = 1000,
	                           .partition_leader_epoch = 7,
	                           .attributes = KFK_BATCH_ATTR_LOG_APPEND_TIME,
	                           .producer_id = -1,
	                           .producer_epoch = -1,
	                           .base_sequence = -1,
	                           .log_append_time = TS0 + 99999};
	struct kfk_batch_writer w;
	struct kfk_batch b;
	struct kfk_record_iter it;
	struct kfk_record r;
	int i;

	KT_ASSERT_INT_EQ(kfk_batch_writer_begin(&w, &out, &o), KFK_ERR_NONE);
	append_readme_records(&w, 4, 0);
	KT_ASSERT_INT_EQ(kfk_batch_writer_finish(&w, NULL, 0, NULL), KFK_ERR_NONE);
	KT_ASSERT_INT_EQ(kfk_batch_parse(out.data, out.len, 0, &b), KFK_ERR_NONE);
	KT_ASSERT_INT_EQ(b.partition_leader_epoch, 7);
	KT_ASSERT_INT_EQ(b.first_timestamp, TS0);
	KT_ASSERT_INT_EQ(b.max_timestamp, TS0 + 99999);
	KT_ASSERT_INT_EQ(kfk_record_iter_init(&it, &b, NULL, 0), KFK_ERR_NONE);
	for (i = 0; i < 4; i++) {
		KT_ASSERT_INT_EQ(kfk_record_iter_next(&it, &r), 1);
		KT_ASSERT_INT_EQ(r.offset, 1000 + i);
		KT_ASSERT_INT_EQ(r.timestamp, TS0 + 99999);
	}
	KT_ASSERT_INT_EQ(kfk_record_iter_next(&it, &r), 0);
	kfk_record_iter_destroy(&it);
	kfk_batch_buf_free(&out);
}

KT_TEST(timestamps_out_of_order_and_empty_fields)
{
	struct kfk_batch_buf out = {0};
	struct kfk_batch_opts o = {.partition_leader_epoch = -1,
	                           .producer_id = -1,
	                           .producer_epoch = -1,
	                           .base_sequence = -1};
	struct kfk_batch_writer w;
	struct kfk_batch b;
	struct kfk_record_iter it;
	struct kfk_record r;
	struct kfk_record_header h = {(const uint8_t *)"", 0,
	                              (const uint8_t *)"", 0};

	KT_ASSERT_INT_EQ(kfk_batch_writer_begin(&w, &out, &o), KFK_ERR_NONE);
	KT_ASSERT_INT_EQ(kfk_batch_writer_append(&w, 5000, "", 0, NULL, -1, &h, 1),
	                 KFK_ERR_NONE);
	KT_ASSERT_INT_EQ(kfk_batch_writer_append(&w, 10, NULL, -1, "", 0, NULL, 0),
	                 KFK_ERR_NONE);
	KT_ASSERT_INT_EQ(kfk_batch_writer_finish(&w, NULL, 0, NULL), KFK_ERR_NONE);
	KT_ASSERT_INT_EQ(kfk_batch_parse(out.data, out.len, 0, &b), KFK_ERR_NONE);
	KT_ASSERT_INT_EQ(b.first_timestamp, 5000);
	KT_ASSERT_INT_EQ(b.max_timestamp, 5000);
	KT_ASSERT_INT_EQ(kfk_record_iter_init(&it, &b, NULL, 0), KFK_ERR_NONE);
	KT_ASSERT_INT_EQ(kfk_record_iter_next(&it, &r), 1);
	KT_ASSERT_INT_EQ(r.timestamp, 5000);
	KT_ASSERT_INT_EQ(r.key_len, 0); /* empty, not null */
	KT_ASSERT(r.key != NULL);
	KT_ASSERT_INT_EQ(r.value_len, -1);
	KT_ASSERT_INT_EQ(r.header_count, 1);
	KT_ASSERT_INT_EQ(kfk_record_iter_next(&it, &r), 1);
	KT_ASSERT_INT_EQ(r.timestamp, 10); /* negative delta */
	KT_ASSERT_INT_EQ(r.key_len, -1);
	KT_ASSERT_INT_EQ(r.value_len, 0);
	KT_ASSERT_INT_EQ(kfk_record_iter_next(&it, &r), 0);
	kfk_record_iter_destroy(&it);
	kfk_batch_buf_free(&out);
}

KT_TEST(append_refuses_bad_arguments_and_leaves_the_batch)
{
	struct kfk_batch_buf out = {0};
	struct kfk_batch_opts o = {.producer_id = -1};
	struct kfk_batch_writer w;
	struct kfk_record_header bad_key = {NULL, -1, NULL, -1};
	size_t len;

	KT_ASSERT_INT_EQ(kfk_batch_writer_begin(&w, &out, &o), KFK_ERR_NONE);
	len = out.len;
	KT_ASSERT_INT_EQ(kfk_batch_writer_append(&w, 0, "k", -2, NULL, -1, NULL, 0),
	                 KFK_ERR__INVALID_ARG);
	KT_ASSERT_INT_EQ(kfk_batch_writer_append(&w, 0, NULL, 3, NULL, -1, NULL, 0),
	                 KFK_ERR__INVALID_ARG);
	KT_ASSERT_INT_EQ(kfk_batch_writer_append(&w, 0, NULL, -1, NULL, -1,
	                                         &bad_key, 1),
	                 KFK_ERR__INVALID_ARG);
	KT_ASSERT_INT_EQ(kfk_batch_writer_append(&w, 0, NULL, -1, NULL, -1, NULL, 1),
	                 KFK_ERR__INVALID_ARG);
	KT_ASSERT_INT_EQ(kfk_batch_writer_append_control(&w, 0, 1, 0),
	                 KFK_ERR__INVALID_ARG); /* not a control batch */
	KT_ASSERT_INT_EQ(out.len, len);
	KT_ASSERT_INT_EQ(kfk_batch_writer_count(&w), 0);
	/* A codec without a compressor cannot finish. */
	kfk_batch_writer_abort(&w);
	KT_ASSERT_INT_EQ(out.len, 0);
	o.attributes = KFK_BATCH_CODEC_GZIP;
	KT_ASSERT_INT_EQ(kfk_batch_writer_begin(&w, &out, &o), KFK_ERR_NONE);
	KT_ASSERT_INT_EQ(kfk_batch_writer_finish(&w, NULL, 0, NULL),
	                 KFK_ERR__INVALID_ARG);
	o.attributes = 5;
	KT_ASSERT_INT_EQ(kfk_batch_writer_begin(&w, &out, &o),
	                 KFK_ERR__INVALID_ARG);
	kfk_batch_buf_free(&out);
}

KT_TEST(record_size_predicts_append)
{
	struct kfk_batch_buf out = {0};
	struct kfk_batch_opts o = {.producer_id = -1};
	struct kfk_batch_writer w;
	struct kfk_record_header h = {(const uint8_t *)"h", 1, NULL, -1};
	static char big[300];
	int i;

	KT_ASSERT_INT_EQ(kfk_batch_writer_begin(&w, &out, &o), KFK_ERR_NONE);
	for (i = 0; i < 40; i++) {
		int32_t klen = i % 4 == 0 ? -1 : i * 7;
		int64_t ts = TS0 + (i % 2 ? -i * 1000000LL : i);
		size_t before = out.len;
		size_t want = kfk_batch_writer_record_size(&w, ts, klen, 250, &h,
		                                           (size_t)(i % 2));
		KT_ASSERT_INT_EQ(kfk_batch_writer_append(&w, ts, big, klen, big, 250,
		                                         &h, (size_t)(i % 2)),
		                 KFK_ERR_NONE);
		KT_ASSERT_INT_EQ(out.len - before, want);
	}
	kfk_batch_buf_free(&out);
}

/* Varints of every width: big values, far-off timestamps, many headers. */
KT_TEST(wide_varints_round_trip)
{
	static const int64_t ts[] = {TS0, INT64_MIN / 2, INT64_MAX / 2, TS0 + 1,
	                             0, TS0 - 300000};
	static const int32_t vlen[] = {0, 63, 64, 8191, 8192, 70000};
	struct kfk_batch_buf out = {0};
	struct kfk_batch_opts o = {.base_offset = INT64_MAX - 100,
	                           .producer_id = -1};
	struct kfk_record_header h[70];
	struct kfk_batch_writer w;
	struct kfk_batch b;
	struct kfk_record_iter it;
	struct kfk_record r;
	struct kfk_header_iter hi;
	struct kfk_record_header got;
	uint8_t *value = malloc(70000);
	int i, j;

	KT_ASSERT(value != NULL);
	for (i = 0; i < 70000; i++)
		value[i] = (uint8_t)(i * 31);
	for (i = 0; i < 70; i++)
		h[i] = (struct kfk_record_header){value, i, value + 1, i - 1};
	KT_ASSERT_INT_EQ(kfk_batch_writer_begin(&w, &out, &o), KFK_ERR_NONE);
	for (i = 0; i < 6; i++)
		KT_ASSERT_INT_EQ(kfk_batch_writer_append(&w, ts[i], value, vlen[5 - i],
		                                         value, vlen[i], h, 70),
		                 KFK_ERR_NONE);
	KT_ASSERT_INT_EQ(kfk_batch_writer_finish(&w, NULL, 0, NULL), KFK_ERR_NONE);
	KT_ASSERT_INT_EQ(kfk_batch_parse(out.data, out.len, 0, &b), KFK_ERR_NONE);
	KT_ASSERT_INT_EQ(b.max_timestamp, INT64_MAX / 2);
	KT_ASSERT_INT_EQ(kfk_record_iter_init(&it, &b, NULL, 0), KFK_ERR_NONE);
	for (i = 0; i < 6; i++) {
		KT_ASSERT_INT_EQ(kfk_record_iter_next(&it, &r), 1);
		KT_ASSERT_INT_EQ(r.offset, INT64_MAX - 100 + i);
		KT_ASSERT_INT_EQ(r.timestamp, ts[i]);
		KT_ASSERT_MEM_EQ(r.key, r.key_len, value, vlen[5 - i]);
		KT_ASSERT_MEM_EQ(r.value, r.value_len, value, vlen[i]);
		KT_ASSERT_INT_EQ(r.header_count, 70);
		kfk_header_iter_init(&hi, &r);
		for (j = 0; j < 70; j++) {
			KT_ASSERT_INT_EQ(kfk_header_iter_next(&hi, &got), 1);
			KT_ASSERT_MEM_EQ(got.key, got.key_len, value, j);
			KT_ASSERT_INT_EQ(got.value_len, j - 1);
			if (j > 0)
				KT_ASSERT_MEM_EQ(got.value, got.value_len, value + 1, j - 1);
		}
		KT_ASSERT_INT_EQ(kfk_header_iter_next(&hi, &got), 0);
	}
	KT_ASSERT_INT_EQ(kfk_record_iter_next(&it, &r), 0);
	kfk_record_iter_destroy(&it);
	kfk_batch_buf_free(&out);
	free(value);
}

/* The hot path allocates nothing once the buffer is big enough. */
KT_TEST(append_does_not_reallocate_a_roomy_buffer)
{
	struct kfk_batch_buf out = {0};
	struct kfk_batch_opts o = {.producer_id = -1};
	struct kfk_batch_writer w;
	uint8_t *data;
	size_t cap;
	char value[100];
	int i;

	memset(value, 'v', sizeof(value));
	KT_ASSERT_INT_EQ(kfk_batch_buf_reserve(&out, 64 * 1024), KFK_ERR_NONE);
	data = out.data;
	cap = out.cap;
	KT_ASSERT_INT_EQ(kfk_batch_writer_begin(&w, &out, &o), KFK_ERR_NONE);
	for (i = 0; i < 400; i++)
		KT_ASSERT_INT_EQ(kfk_batch_writer_append(&w, TS0 + i, "key", 3, value,
		                                         100, NULL, 0),
		                 KFK_ERR_NONE);
	KT_ASSERT_INT_EQ(kfk_batch_writer_finish(&w, NULL, 0, NULL), KFK_ERR_NONE);
	KT_ASSERT(out.data == data);
	KT_ASSERT_INT_EQ(out.cap, cap);
	KT_ASSERT(out.len < cap);
	kfk_batch_buf_free(&out);
}

KT_TEST(batches_append_after_other_data)
{
	const struct golden_batch *g = golden("ten_headers");
	struct kfk_batch_buf out = {0};
	struct kfk_batch_opts o = golden_opts(g);
	struct kfk_batch_writer w;
	int records;

	/* A prefix (as a request would have), then two batches. */
	KT_ASSERT_INT_EQ(kfk_batch_buf_reserve(&out, 3), KFK_ERR_NONE);
	memcpy(out.data, "abc", 3);
	out.len = 3;
	KT_ASSERT_INT_EQ(kfk_batch_writer_begin(&w, &out, &o), KFK_ERR_NONE);
	append_readme_records(&w, g->record_count, 1);
	KT_ASSERT_INT_EQ(kfk_batch_writer_finish(&w, NULL, 0, NULL), KFK_ERR_NONE);
	KT_ASSERT_INT_EQ(kfk_batch_writer_begin(&w, &out, &o), KFK_ERR_NONE);
	append_readme_records(&w, g->record_count, 1);
	KT_ASSERT_INT_EQ(kfk_batch_writer_finish(&w, NULL, 0, NULL), KFK_ERR_NONE);
	KT_ASSERT_INT_EQ(out.len, 3 + 2 * g->len);
	KT_ASSERT_MEM_EQ(out.data + 3, g->len, g->bytes, g->len);
	KT_ASSERT_MEM_EQ(out.data + 3 + g->len, g->len, g->bytes, g->len);
	KT_ASSERT_INT_EQ(decode_all(out.data + 3, out.len - 3, 0, &records), 0);
	KT_ASSERT_INT_EQ(records, 2 * g->record_count);
	kfk_batch_buf_free(&out);
}

KT_TEST(set_producer_state_restamps_a_finished_batch)
{
	const struct golden_batch *plain = golden("ten_plain");
	const struct golden_batch *idem = golden("idempotent");
	struct kfk_batch_buf out = {0};
	struct kfk_batch_opts o = golden_opts(plain);
	struct kfk_batch_writer w;
	size_t size;

	/* Written without a producer id, stamped afterwards: the bytes Java
	 * writes for an idempotent producer. */
	KT_ASSERT_INT_EQ(kfk_batch_writer_begin(&w, &out, &o), KFK_ERR_NONE);
	append_readme_records(&w, idem->record_count, 0);
	KT_ASSERT_INT_EQ(kfk_batch_writer_finish(&w, NULL, 0, &size), KFK_ERR_NONE);
	KT_ASSERT_INT_EQ(kfk_batch_set_producer_state(out.data, size, 4242, 3, 17),
	                 KFK_ERR_NONE);
	KT_ASSERT_MEM_EQ(out.data, out.len, idem->bytes, idem->len);
	KT_ASSERT_INT_EQ(kfk_batch_set_producer_state(out.data, size - 1, 1, 1, 1),
	                 KFK_ERR__MALFORMED);
	kfk_batch_buf_free(&out);
}

KT_TEST(control_record_parse_edges)
{
	struct kfk_record r = {0};
	struct kfk_control_record c;
	static const uint8_t abort_key[4] = {0, 0, 0, 0};
	static const uint8_t unknown_key[4] = {0, 0, 0, 9};
	static const uint8_t value[6] = {0, 0, 0xff, 0xff, 0xff, 0xfe};

	r.key = abort_key;
	r.key_len = 3;
	KT_ASSERT_INT_EQ(kfk_control_record_parse(&r, &c), KFK_ERR__MALFORMED);
	r.key_len = 4;
	r.value = value;
	r.value_len = 5;
	KT_ASSERT_INT_EQ(kfk_control_record_parse(&r, &c), KFK_ERR__MALFORMED);
	r.value_len = 6;
	KT_ASSERT_INT_EQ(kfk_control_record_parse(&r, &c), KFK_ERR_NONE);
	KT_ASSERT_INT_EQ(c.type, KFK_CONTROL_ABORT);
	KT_ASSERT_INT_EQ(c.coordinator_epoch, -2);
	r.key = unknown_key;
	r.value = NULL;
	r.value_len = -1;
	KT_ASSERT_INT_EQ(kfk_control_record_parse(&r, &c), KFK_ERR_NONE);
	KT_ASSERT_INT_EQ(c.type, 9);
	KT_ASSERT_INT_EQ(c.coordinator_epoch, -1);
}

/* After compression a batch keeps only its compressed size: it may wait
 * for a response and retries holding it. */
KT_TEST(compressed_batch_gives_back_the_raw_buffer)
{
	static const char value[] = "compressible-compressible-compressible";
	struct kfk_batch_buf out = { 0 };
	struct kfk_batch_writer w;
	struct kfk_batch_opts o = { 0, -1, KFK_CODEC_LZ4, -1, -1, -1, 0 };
	size_t raw, size;
	int i;

	KT_ASSERT_INT_EQ(kfk_batch_writer_begin(&w, &out, &o), 0);
	for (i = 0; i < 5000; i++)
		KT_ASSERT_INT_EQ(kfk_batch_writer_append(&w, 1000 + i, NULL, -1,
		                                         value, sizeof(value) - 1,
		                                         NULL, 0), 0);
	raw = out.len;
	KT_ASSERT_INT_EQ(kfk_batch_writer_finish(&w, kfk_codec_compress, -1,
	                                         &size), 0);
	kt_log("raw %zu bytes (capacity before %s), compressed %zu, capacity "
	       "after %zu", raw, "doubling", size, out.cap);
	KT_ASSERT(size < raw / 4);
	KT_ASSERT_INT_EQ(out.cap, out.len);
	kfk_batch_buf_free(&out);
}
