/*
 * tests/fuzz/fuzz_record_batch.c: record sets and record batch v2
 * (proto/record_batch.h), with the real decompressors.
 *
 * The input is a record set as a FetchResponse carries it. Every entry
 * kfk_recset_next frames is parsed: a v2 batch with kfk_batch_parse (once
 * checking the CRC, once not, so that the fuzzer gets past the checksum),
 * its records iterated with every key, value and header read, control
 * records parsed; a legacy entry with kfk_msgset_msg_parse. A batch that
 * parses also gets its producer state rewritten on a copy, after which its
 * CRC must check.
 *
 * Compiled with -DFUZZ_RECORDS it is the "records" target instead (see
 * the end of the file), which fuzzes one batch's records directly.
 */
#include "config.h"

#include <string.h>

#include <kfk/errors.h>

#include "codec/codec.h"
#include "fuzz_common.h"
#include "proto/msgset_legacy.h"
#include "proto/record_batch.h"
#include "util/crc32c.h"

static void fuzz_headers(const struct kfk_record *rec)
{
	struct kfk_header_iter hi;
	struct kfk_record_header h;
	int32_t n = 0;

	kfk_header_iter_init(&hi, rec);
	while (kfk_header_iter_next(&hi, &h)) {
		FUZZ_CHECK(h.key_len >= 0 && h.value_len >= -1);
		fuzz_touch(h.key, h.key_len);
		fuzz_touch(h.value, h.value_len);
		n++;
	}
	/* The record's headers were validated when it was read. */
	FUZZ_CHECK(n == rec->header_count);
}

/* Checks one record; for an uncompressed batch its views must lie in the
 * batch itself. */
static void fuzz_record(const struct kfk_batch *b, const struct kfk_record *rec)
{
	struct kfk_control_record c;

	FUZZ_CHECK(rec->key_len >= -1 && rec->value_len >= -1);
	FUZZ_CHECK(rec->key_len >= 0 || rec->key == NULL);
	FUZZ_CHECK(rec->value_len >= 0 || rec->value == NULL);
	FUZZ_CHECK(rec->header_count >= 0);
	fuzz_touch(rec->key, rec->key_len);
	fuzz_touch(rec->value, rec->value_len);
	if (kfk_batch_codec(b) == KFK_BATCH_CODEC_NONE) {
		if (rec->key_len > 0)
			FUZZ_CHECK(fuzz_within(rec->key, (size_t)rec->key_len,
			                       b->data, b->size));
		if (rec->value_len > 0)
			FUZZ_CHECK(fuzz_within(rec->value, (size_t)rec->value_len,
			                       b->data, b->size));
	}
	fuzz_headers(rec);
	if (kfk_batch_is_control(b)) {
		kfk_err err = kfk_control_record_parse(rec, &c);
		FUZZ_CHECK(err == KFK_ERR_NONE || err == KFK_ERR__MALFORMED);
	}
}

static void fuzz_records(const struct kfk_batch *b)
{
	struct kfk_record_iter it;
	struct kfk_record rec;
	int32_t n = 0;
	kfk_err err;
	int rc;

	err = kfk_record_iter_init(&it, b, kfk_codec_decompress, FUZZ_MAX_OUT);
	if (err) {
		FUZZ_CHECK(err == KFK_ERR__DECOMPRESS ||
		           err == KFK_ERR__UNSUPPORTED_FEATURE ||
		           err == KFK_ERR__NO_MEMORY);
		FUZZ_CHECK(kfk_record_iter_next(&it, &rec) == err);
		kfk_record_iter_destroy(&it);
		return;
	}
	while ((rc = kfk_record_iter_next(&it, &rec)) == 1) {
		fuzz_record(b, &rec);
		n++;
	}
	if (rc == 0)
		FUZZ_CHECK(n == b->record_count);
	else
		FUZZ_CHECK(rc == KFK_ERR__MALFORMED);
	/* The end and errors are sticky. */
	FUZZ_CHECK(kfk_record_iter_next(&it, &rec) == rc);
	kfk_record_iter_destroy(&it);
}

/* Rewrites the producer state of a copy of a batch that parsed: the
 * result must be a batch whose CRC checks and that carries the new state. */
static void fuzz_producer_state(const struct kfk_batch *b)
{
	uint8_t *copy = malloc(b->size);
	struct kfk_batch b2;

	FUZZ_CHECK(copy != NULL);
	memcpy(copy, b->data, b->size);
	FUZZ_CHECK(kfk_batch_set_producer_state(copy, b->size, 4242, 7, 99) ==
	           KFK_ERR_NONE);
	FUZZ_CHECK(kfk_batch_parse(copy, b->size, 0, &b2) == KFK_ERR_NONE);
	FUZZ_CHECK(b2.producer_id == 4242 && b2.producer_epoch == 7 &&
	           b2.base_sequence == 99);
	FUZZ_CHECK(b2.record_count == b->record_count);
	free(copy);
}

static void fuzz_v2(const struct kfk_recset_entry *e)
{
	struct kfk_batch b;
	kfk_err with_crc, err;

	with_crc = kfk_batch_parse(e->data, e->size, 0, &b);
	err = kfk_batch_parse(e->data, e->size, KFK_BATCH_PARSE_NO_CRC, &b);
	FUZZ_CHECK(with_crc == err || with_crc == KFK_ERR__CRC);
	if (err) {
		FUZZ_CHECK(err == KFK_ERR__MALFORMED);
		return;
	}
	FUZZ_CHECK(b.data == e->data && b.size == e->size);
	FUZZ_CHECK(b.base_offset == e->base_offset && b.magic == 2);
	FUZZ_CHECK(fuzz_within(b.records, b.records_len, e->data, e->size));
	fuzz_records(&b);
	fuzz_producer_state(&b);
}

#ifndef FUZZ_RECORDS
static void fuzz_legacy(const struct kfk_recset_entry *e)
{
	struct kfk_msgset_msg m;
	kfk_err err;

	err = kfk_msgset_msg_parse(e->data, e->size, KFK_BATCH_PARSE_NO_CRC, &m);
	if (err) {
		FUZZ_CHECK(err == KFK_ERR__MALFORMED);
		return;
	}
	FUZZ_CHECK(m.magic == e->magic);
	if (m.key_len > 0)
		FUZZ_CHECK(fuzz_within(m.key, (size_t)m.key_len, e->data, e->size));
	if (m.value_len > 0)
		FUZZ_CHECK(fuzz_within(m.value, (size_t)m.value_len, e->data,
		                       e->size));
	fuzz_touch(m.key, m.key_len);
	fuzz_touch(m.value, m.value_len);
	err = kfk_msgset_msg_parse(e->data, e->size, 0, &m);
	FUZZ_CHECK(err == KFK_ERR_NONE || err == KFK_ERR__CRC);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kfk_recset rs;
	struct kfk_recset_entry e;
	const uint8_t *prev_end = data;
	int rc;

	kfk_recset_init(&rs, data, size);
	while ((rc = kfk_recset_next(&rs, &e)) == 1) {
		/* Entries follow each other, without gaps, inside the input. */
		FUZZ_CHECK(e.data == prev_end);
		FUZZ_CHECK(fuzz_within(e.data, e.size, data, size));
		FUZZ_CHECK(e.magic >= 0 && e.magic <= 2);
		prev_end = e.data + e.size;
		if (e.magic == 2)
			fuzz_v2(&e);
		else
			fuzz_legacy(&e);
	}
	if (rc == 0)
		FUZZ_CHECK(prev_end + kfk_recset_incomplete(&rs) == data + size);
	else
		FUZZ_CHECK(rc == KFK_ERR__MALFORMED ||
		           rc == KFK_ERR__UNSUPPORTED_FEATURE);
	FUZZ_CHECK(kfk_recset_next(&rs, &e) == rc);
	return 0;
}
#else
/* The "records" target: byte 0 is the batch attributes (codec, control,
 * LogAppendTime, transactional), byte 1 the record count, the rest the
 * records section, compressed or not. The target wraps them in a correct
 * header (lengths, CRC), so that every mutation reaches the record parser
 * instead of breaking the framing first. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kfk_recset_entry e;
	uint8_t *batch;
	size_t n;

	if (size < 2 || size - 2 > INT32_MAX - KFK_BATCH_HEADER_SIZE)
		return 0;
	n = KFK_BATCH_HEADER_SIZE + size - 2;
	batch = calloc(1, n);
	FUZZ_CHECK(batch != NULL);
	kfk_rb_put64(batch, 1000);
	kfk_rb_put32(batch + 8, (uint32_t)(n - KFK_BATCH_LOG_OVERHEAD));
	batch[KFK_BATCH_MAGIC_OFFSET] = 2;
	kfk_rb_put16(batch + KFK_BATCH_ATTR_OFFSET, data[0] & 0x3f);
	kfk_rb_put64(batch + 27, 1700000000000);
	kfk_rb_put64(batch + 35, 1700000000999);
	kfk_rb_put64(batch + 43, (uint64_t)-1);
	kfk_rb_put32(batch + 57, data[1]);
	memcpy(batch + KFK_BATCH_HEADER_SIZE, data + 2, size - 2);
	kfk_rb_put32(batch + KFK_BATCH_CRC_OFFSET,
	             kfk_crc32c(0, batch + KFK_BATCH_ATTR_OFFSET,
	                        n - KFK_BATCH_ATTR_OFFSET));
	e.data = batch;
	e.size = n;
	e.base_offset = 1000;
	e.magic = 2;
	fuzz_v2(&e);
	free(batch);
	return 0;
}
#endif
