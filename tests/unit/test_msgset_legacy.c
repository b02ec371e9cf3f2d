/* Legacy message sets (magic 0 and 1): hand-assembled messages, compressed
 * wrappers with absolute and relative inner offsets, damage and truncation.
 * Inputs sit at the end of exactly-sized mallocs so ASan sees over-reads. */
#include "config.h"

#include "proto/msgset_legacy.h"
#include "codec/codec.h"
#include "../kt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TS0 1700000000000LL
#define MAXD (1 << 20)

/* Assembled outside this code base (Python's struct and zlib.crc32):
 * offset 5, magic 0, key "k", value "hello"; then offset 6, magic 1,
 * timestamp 1700000000000, null key, value "world". */
static const uint8_t hand_v0[32] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00,
    0x14, 0xa4, 0xcd, 0xab, 0x3a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
    0x6b, 0x00, 0x00, 0x00, 0x05, 0x68, 0x65, 0x6c, 0x6c, 0x6f};
static const uint8_t hand_v1[39] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00,
    0x00, 0x1b, 0x82, 0x84, 0xbc, 0x7f, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00, 0xff, 0xff, 0xff, 0xff,
    0x00, 0x00, 0x00, 0x05, 0x77, 0x6f, 0x72, 0x6c, 0x64};

static uint8_t *guarded(const void *data, size_t len)
{
	uint8_t *p = malloc(len ? len : 1);
	KT_ASSERT(p != NULL);
	if (len)
		memcpy(p, data, len);
	return p;
}

static void assert_bytes(const uint8_t *p, int32_t len, const char *want)
{
	if (!want) {
		KT_ASSERT_INT_EQ(len, -1);
		KT_ASSERT(p == NULL);
	} else {
		KT_ASSERT_MEM_EQ(p, len, want, strlen(want));
	}
}

KT_TEST(encoder_matches_hand_assembled_messages)
{
	struct kfk_batch_buf out = {0};
	KT_ASSERT_INT_EQ(kfk_msgset_append(&out, 0, 5, 0, 12345, "k", 1, "hello", 5),
	                 KFK_ERR_NONE);
	KT_ASSERT_MEM_EQ(out.data, out.len, hand_v0, sizeof(hand_v0));
	out.len = 0;
	KT_ASSERT_INT_EQ(kfk_msgset_append(&out, 1, 6, 0, TS0, NULL, -1, "world", 5),
	                 KFK_ERR_NONE);
	KT_ASSERT_MEM_EQ(out.data, out.len, hand_v1, sizeof(hand_v1));
	KT_ASSERT_INT_EQ(kfk_msgset_append(&out, 2, 0, 0, 0, NULL, -1, NULL, -1),
	                 KFK_ERR__INVALID_ARG);
	KT_ASSERT_INT_EQ(kfk_msgset_append(&out, 1, 0, 0, 0, NULL, 2, NULL, -1),
	                 KFK_ERR__INVALID_ARG);
	kfk_batch_buf_free(&out);
}

KT_TEST(hand_assembled_messages_decode)
{
	size_t len = sizeof(hand_v0) + sizeof(hand_v1);
	uint8_t *in = malloc(len);
	struct kfk_msgset_iter it;
	struct kfk_msgset_msg m;

	KT_ASSERT(in != NULL);
	memcpy(in, hand_v0, sizeof(hand_v0));
	memcpy(in + sizeof(hand_v0), hand_v1, sizeof(hand_v1));
	kfk_msgset_iter_init(&it, in, len, 0, NULL, 0);
	KT_ASSERT_INT_EQ(kfk_msgset_iter_next(&it, &m), 1);
	KT_ASSERT_INT_EQ(m.offset, 5);
	KT_ASSERT_INT_EQ(m.magic, 0);
	KT_ASSERT_INT_EQ(m.timestamp, -1);
	KT_ASSERT_INT_EQ(m.crc, 0xa4cdab3a);
	assert_bytes(m.key, m.key_len, "k");
	assert_bytes(m.value, m.value_len, "hello");
	KT_ASSERT_INT_EQ(kfk_msgset_iter_next(&it, &m), 1);
	KT_ASSERT_INT_EQ(m.offset, 6);
	KT_ASSERT_INT_EQ(m.magic, 1);
	KT_ASSERT_INT_EQ(m.timestamp, TS0);
	KT_ASSERT_INT_EQ(m.log_append_time, 0);
	assert_bytes(m.key, m.key_len, NULL);
	assert_bytes(m.value, m.value_len, "world");
	KT_ASSERT_INT_EQ(kfk_msgset_iter_next(&it, &m), 0);
	KT_ASSERT_INT_EQ(kfk_msgset_iter_incomplete(&it), 0);
	kfk_msgset_iter_destroy(&it);
	free(in);
}

/* Inner set of n messages: offsets first..first+n-1 (relative offsets
 * when first is 0), key "k<i>" (null for i == 1), value "v<i>" (null for
 * i == 2), timestamps TS0 + i. */
static void inner_set(struct kfk_batch_buf *b, int8_t magic, int64_t first,
                      int n)
{
	int i;
	for (i = 0; i < n; i++) {
		char k[8], v[8];
		snprintf(k, sizeof(k), "k%d", i);
		snprintf(v, sizeof(v), "v%d", i);
		KT_ASSERT_INT_EQ(kfk_msgset_append(b, magic, first + i, 0, TS0 + i,
		                                   i == 1 ? NULL : k, i == 1 ? -1 : 2,
		                                   i == 2 ? NULL : v, i == 2 ? -1 : 2),
		                 KFK_ERR_NONE);
	}
}

static void check_inner(struct kfk_msgset_iter *it, int8_t magic,
                        int64_t first, int n, int64_t lat)
{
	struct kfk_msgset_msg m;
	int i;
	for (i = 0; i < n; i++) {
		char k[8], v[8];
		snprintf(k, sizeof(k), "k%d", i);
		snprintf(v, sizeof(v), "v%d", i);
		KT_ASSERT_INT_EQ(kfk_msgset_iter_next(it, &m), 1);
		KT_ASSERT_INT_EQ(m.magic, magic);
		KT_ASSERT_INT_EQ(m.offset, first + i);
		KT_ASSERT_INT_EQ(m.attributes, 0);
		KT_ASSERT_INT_EQ(m.timestamp,
		                 magic == 0 ? -1 : (lat >= 0 ? lat : TS0 + i));
		KT_ASSERT_INT_EQ(m.log_append_time, lat >= 0);
		assert_bytes(m.key, m.key_len, i == 1 ? NULL : k);
		assert_bytes(m.value, m.value_len, i == 2 ? NULL : v);
	}
}

struct wrap_case {
	int codec;
	int8_t magic;
	int log_append_time;
};

/* plain message, wrapper of 5, plain message: offsets 99, 100..104, 105 */
static void wrapper_case(void *arg)
{
	const struct wrap_case *c = arg;
	struct kfk_batch_buf inner = {0}, set = {0};
	struct kfk_msgset_iter it;
	struct kfk_msgset_msg m;
	int64_t lat = c->log_append_time ? TS0 + 777 : -1;
	uint8_t *in;

	/* Magic 1 inner offsets are relative; magic 0 ones absolute. */
	inner_set(&inner, c->magic, c->magic ? 0 : 100, 5);
	KT_ASSERT_INT_EQ(kfk_msgset_append(&set, c->magic, 99, 0, TS0, "a", 1,
	                                   "b", 1),
	                 KFK_ERR_NONE);
	KT_ASSERT_INT_EQ(kfk_msgset_append_wrapper(
	                     &set, c->magic, 104, c->codec, TS0 + 777,
	                     c->log_append_time, inner.data, inner.len,
	                     kfk_codec_compress, KFK_CODEC_LEVEL_DEFAULT),
	                 KFK_ERR_NONE);
	KT_ASSERT_INT_EQ(kfk_msgset_append(&set, c->magic, 105, 0, TS0, NULL, -1,
	                                   "z", 1),
	                 KFK_ERR_NONE);
	in = guarded(set.data, set.len);
	kfk_msgset_iter_init(&it, in, set.len, 0, kfk_codec_decompress, MAXD);
	KT_ASSERT_INT_EQ(kfk_msgset_iter_next(&it, &m), 1);
	KT_ASSERT_INT_EQ(m.offset, 99);
	check_inner(&it, c->magic, 100, 5, c->magic ? lat : -1);
	KT_ASSERT_INT_EQ(kfk_msgset_iter_next(&it, &m), 1);
	KT_ASSERT_INT_EQ(m.offset, 105);
	assert_bytes(m.value, m.value_len, "z");
	KT_ASSERT_INT_EQ(kfk_msgset_iter_next(&it, &m), 0);
	kfk_msgset_iter_destroy(&it);
	free(in);
	kfk_batch_buf_free(&inner);
	kfk_batch_buf_free(&set);
}

KT_TEST(compressed_wrappers_expand_in_place)
{
	static const struct wrap_case cases[] = {
	    {KFK_CODEC_GZIP, 0, 0},   {KFK_CODEC_SNAPPY, 0, 0},
	    {KFK_CODEC_LZ4, 0, 0},    {KFK_CODEC_GZIP, 1, 0},
	    {KFK_CODEC_SNAPPY, 1, 0}, {KFK_CODEC_LZ4, 1, 0},
	    {KFK_CODEC_GZIP, 1, 1},   {KFK_CODEC_LZ4, 1, 1},
	};
	size_t i;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		kt_subtest(wrapper_case, (void *)&cases[i], "wrapper %s magic %d%s",
		           kfk_codec_name(cases[i].codec), cases[i].magic,
		           cases[i].log_append_time ? " LogAppendTime" : "");
}

/* A set of: v1 plain, v1 gzip wrapper of 3, v0 plain. */
static void sample_set(struct kfk_batch_buf *set)
{
	struct kfk_batch_buf inner = {0};
	inner_set(&inner, 1, 0, 3);
	KT_ASSERT_INT_EQ(kfk_msgset_append(set, 1, 10, 0, TS0, "a", 1, "b", 1),
	                 KFK_ERR_NONE);
	KT_ASSERT_INT_EQ(kfk_msgset_append_wrapper(set, 1, 13, KFK_CODEC_GZIP, TS0,
	                                           0, inner.data, inner.len,
	                                           kfk_codec_compress, -1),
	                 KFK_ERR_NONE);
	KT_ASSERT_INT_EQ(kfk_msgset_append(set, 0, 14, 0, 0, NULL, -1, "c", 1),
	                 KFK_ERR_NONE);
	kfk_batch_buf_free(&inner);
}

/* 0 when all messages read, 1 when the set ended incomplete, or the error;
 * *n counts messages. */
static int read_all(const uint8_t *p, size_t len, int *n)
{
	struct kfk_msgset_iter it;
	struct kfk_msgset_msg m;
	int rc;

	*n = 0;
	kfk_msgset_iter_init(&it, p, len, 0, kfk_codec_decompress, MAXD);
	while ((rc = kfk_msgset_iter_next(&it, &m)) == 1)
		(*n)++;
	if (rc == 0 && kfk_msgset_iter_incomplete(&it))
		rc = 1;
	kfk_msgset_iter_destroy(&it);
	return rc;
}

KT_TEST(every_truncated_prefix_is_incomplete)
{
	struct kfk_batch_buf set = {0};
	size_t n, first, second;
	int count, rc;

	sample_set(&set);
	KT_ASSERT_INT_EQ(read_all(set.data, set.len, &count), 0);
	KT_ASSERT_INT_EQ(count, 5);
	first = 12 + kfk_rb_get32(set.data + 8);
	second = first + 12 + kfk_rb_get32(set.data + first + 8);
	for (n = 0; n < set.len; n++) {
		uint8_t *in = guarded(set.data, n);
		rc = read_all(in, n, &count);
		KT_ASSERT_MSG(rc == (n == 0 || n == first || n == second ? 0 : 1),
		              "prefix %zu: rc %d", n, rc);
		KT_ASSERT_INT_EQ(count, n < first ? 0 : n < second ? 1 : 4);
		free(in);
	}
	kfk_batch_buf_free(&set);
}

KT_TEST(flipped_bytes_fail_the_crc)
{
	size_t i;
	int count, rc;

	for (i = 0; i < sizeof(hand_v1); i++) {
		uint8_t *in = guarded(hand_v1, sizeof(hand_v1));
		in[i] ^= 0x5a;
		rc = read_all(in, sizeof(hand_v1), &count);
		if (i < 8) /* the offset is not covered */
			KT_ASSERT_MSG(rc == 0 && count == 1, "byte %zu: %d", i, rc);
		else if (i < 12) /* the size: longer is incomplete */
			KT_ASSERT_MSG(rc == 1 || rc == KFK_ERR__MALFORMED ||
			                  rc == KFK_ERR__CRC,
			              "byte %zu: %d", i, rc);
		else if (i == 16) /* magic 0x5b: not a format at all */
			KT_ASSERT_INT_EQ(rc, KFK_ERR__UNSUPPORTED_FEATURE);
		else
			KT_ASSERT_MSG(rc == KFK_ERR__CRC, "byte %zu: %d", i, rc);
		free(in);
	}
}

/* With CRCs off, damage inside a wrapper reaches the decompressor and the
 * inner parser: anything but a crash or an over-read. */
KT_TEST(flipped_bytes_without_crc_never_overread)
{
	struct kfk_batch_buf set = {0};
	struct kfk_msgset_iter it;
	struct kfk_msgset_msg m;
	size_t i;
	int errors = 0, rc;

	sample_set(&set);
	for (i = 0; i < set.len; i++) {
		uint8_t *in = guarded(set.data, set.len);
		in[i] ^= 0xff;
		kfk_msgset_iter_init(&it, in, set.len, KFK_BATCH_PARSE_NO_CRC,
		                     kfk_codec_decompress, MAXD);
		while ((rc = kfk_msgset_iter_next(&it, &m)) == 1)
			;
		errors += rc != 0;
		kfk_msgset_iter_destroy(&it);
		free(in);
	}
	KT_ASSERT(errors > 0);
	kfk_batch_buf_free(&set);
}

/* A set holding one gzip wrapper around `inner`, and how reading it ends. */
static int read_wrapped(int8_t magic, const void *inner, size_t inner_len,
                        kfk_batch_decompress_fn dec, size_t maxd)
{
	struct kfk_batch_buf set = {0};
	struct kfk_msgset_iter it;
	struct kfk_msgset_msg m;
	int rc;

	KT_ASSERT_INT_EQ(kfk_msgset_append_wrapper(&set, magic, 0, KFK_CODEC_GZIP,
	                                           TS0, 0, inner, inner_len,
	                                           kfk_codec_compress, -1),
	                 KFK_ERR_NONE);
	kfk_msgset_iter_init(&it, set.data, set.len, 0, dec, maxd);
	while ((rc = kfk_msgset_iter_next(&it, &m)) == 1)
		;
	KT_ASSERT_INT_EQ(kfk_msgset_iter_next(&it, &m), rc); /* sticky */
	kfk_msgset_iter_destroy(&it);
	kfk_batch_buf_free(&set);
	return rc;
}

KT_TEST(bad_wrappers_are_errors)
{
	struct kfk_batch_buf inner = {0}, nested = {0};

	inner_set(&inner, 1, 0, 3);
	KT_ASSERT_INT_EQ(read_wrapped(1, inner.data, inner.len,
	                              kfk_codec_decompress, MAXD),
	                 0);
	KT_ASSERT_INT_EQ(read_wrapped(1, inner.data, inner.len - 1,
	                              kfk_codec_decompress, MAXD),
	                 KFK_ERR__MALFORMED); /* truncated inner set */
	KT_ASSERT_INT_EQ(read_wrapped(0, inner.data, inner.len,
	                              kfk_codec_decompress, MAXD),
	                 KFK_ERR__MALFORMED); /* inner magic 1 in a magic 0 */
	KT_ASSERT_INT_EQ(read_wrapped(1, "", 0, kfk_codec_decompress, MAXD),
	                 KFK_ERR__MALFORMED); /* empty */
	KT_ASSERT_INT_EQ(read_wrapped(1, inner.data, inner.len, NULL, MAXD),
	                 KFK_ERR__UNSUPPORTED_FEATURE);
	KT_ASSERT_INT_EQ(read_wrapped(1, inner.data, inner.len,
	                              kfk_codec_decompress, inner.len - 1),
	                 KFK_ERR__DECOMPRESS);
	KT_ASSERT_INT_EQ(kfk_msgset_append_wrapper(&nested, 1, 2, KFK_CODEC_LZ4,
	                                           TS0, 0, inner.data, inner.len,
	                                           kfk_codec_compress, -1),
	                 KFK_ERR_NONE);
	KT_ASSERT_INT_EQ(read_wrapped(1, nested.data, nested.len,
	                              kfk_codec_decompress, MAXD),
	                 KFK_ERR__MALFORMED); /* wrappers do not nest */
	kfk_batch_buf_free(&inner);
	kfk_batch_buf_free(&nested);
}

KT_TEST(codec_and_value_edges)
{
	struct kfk_batch_buf set = {0};
	int n;

	/* zstd arrived with magic 2: refused in a legacy wrapper. */
	KT_ASSERT_INT_EQ(kfk_msgset_append(&set, 1, 0, KFK_CODEC_ZSTD, TS0, NULL,
	                                   -1, "x", 1),
	                 KFK_ERR_NONE);
	KT_ASSERT_INT_EQ(read_all(set.data, set.len, &n),
	                 KFK_ERR__UNSUPPORTED_FEATURE);
	/* A wrapper with a null value. */
	set.len = 0;
	KT_ASSERT_INT_EQ(kfk_msgset_append(&set, 1, 0, KFK_CODEC_GZIP, TS0, NULL,
	                                   -1, NULL, -1),
	                 KFK_ERR_NONE);
	KT_ASSERT_INT_EQ(read_all(set.data, set.len, &n), KFK_ERR__MALFORMED);
	/* A v2 batch header where a legacy message was expected. */
	set.len = 0;
	KT_ASSERT_INT_EQ(kfk_msgset_append(&set, 1, 0, 0, TS0, NULL, -1, "x", 1),
	                 KFK_ERR_NONE);
	set.data[16] = 2;
	KT_ASSERT_INT_EQ(read_all(set.data, set.len, &n), KFK_ERR__INVALID_ARG);
	kfk_batch_buf_free(&set);
}

KT_TEST(size_field_must_match_the_fields)
{
	struct kfk_msgset_msg m;
	uint8_t buf[sizeof(hand_v0) + 1];

	KT_ASSERT_INT_EQ(kfk_msgset_msg_parse(hand_v0, sizeof(hand_v0), 0, &m),
	                 KFK_ERR_NONE);
	KT_ASSERT_INT_EQ(kfk_msgset_msg_parse(hand_v0, sizeof(hand_v0) - 1, 0, &m),
	                 KFK_ERR__MALFORMED);
	/* One stray byte after the value, size and CRC made consistent. */
	memcpy(buf, hand_v0, sizeof(hand_v0));
	buf[sizeof(hand_v0)] = 0;
	kfk_rb_put32(buf + 8, sizeof(buf) - 12);
	KT_ASSERT_INT_EQ(kfk_msgset_msg_parse(buf, sizeof(buf),
	                                      KFK_BATCH_PARSE_NO_CRC, &m),
	                 KFK_ERR__MALFORMED);
	/* A value length past the end. */
	memcpy(buf, hand_v0, sizeof(hand_v0));
	buf[26] = 6;
	KT_ASSERT_INT_EQ(kfk_msgset_msg_parse(buf, sizeof(hand_v0),
	                                      KFK_BATCH_PARSE_NO_CRC, &m),
	                 KFK_ERR__MALFORMED);
	/* Magic 1 needs the 8-byte timestamp: too short for it. */
	memcpy(buf, hand_v0, sizeof(hand_v0));
	buf[16] = 1;
	KT_ASSERT_INT_EQ(kfk_msgset_msg_parse(buf, sizeof(hand_v0),
	                                      KFK_BATCH_PARSE_NO_CRC, &m),
	                 KFK_ERR__MALFORMED);
}
