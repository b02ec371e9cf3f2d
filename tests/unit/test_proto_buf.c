/*
 * The wire reader and writer (proto/buf.h) and the decode arena
 * (proto/arena.h): every primitive, every kind of length, and every way
 * input can lie about its size.
 */
#include <stdlib.h>
#include <string.h>

#include "proto/arena.h"
#include "proto/buf.h"
#include "../kt.h"

/* Copies bytes to the very end of a heap block, so that AddressSanitizer
 * reports any read past them. Free with free(). */
static const uint8_t *at_end(const void *bytes, size_t len, void **block)
{
	uint8_t *b = malloc(len ? len : 1);
	KT_ASSERT(b != NULL);
	if (len)
		memcpy(b, bytes, len);
	*block = b;
	return b;
}

KT_TEST(buf_read_integers_big_endian)
{
	static const uint8_t in[] = {
		0x80,                                           /* i8 -128 */
		0x12, 0x34,                                     /* i16 */
		0xff, 0xfe,                                     /* u16 65534 */
		0x89, 0xab, 0xcd, 0xef,                         /* i32 */
		0xfe, 0xdc, 0xba, 0x98,                         /* u32 */
		0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, /* i64 */
		0x3f, 0xf8, 0, 0, 0, 0, 0, 0,                   /* f64 1.5 */
		0x00, 0x02,                                     /* bool f, t */
	};
	kfk_rbuf r;
	kfk_rbuf_init(&r, in, sizeof in);
	KT_ASSERT_INT_EQ(kfk_rbuf_read_i8(&r), -128);
	KT_ASSERT_INT_EQ(kfk_rbuf_read_i16(&r), 0x1234);
	KT_ASSERT_INT_EQ(kfk_rbuf_read_u16(&r), 65534);
	KT_ASSERT_INT_EQ(kfk_rbuf_read_i32(&r), (int32_t)0x89abcdefu);
	KT_ASSERT_INT_EQ(kfk_rbuf_read_u32(&r), 0xfedcba98u);
	KT_ASSERT_INT_EQ(kfk_rbuf_read_i64(&r), 0x0123456789abcdefLL);
	KT_ASSERT(kfk_rbuf_read_f64(&r) == 1.5);
	KT_ASSERT_INT_EQ(kfk_rbuf_read_bool(&r), 0);
	KT_ASSERT_INT_EQ(kfk_rbuf_read_bool(&r), 1);
	KT_ASSERT_INT_EQ(kfk_rbuf_remaining(&r), 0);
	KT_ASSERT_INT_EQ(r.err, 0);
	KT_ASSERT_INT_EQ(kfk_rbuf_offset(&r), sizeof in);
}

KT_TEST(buf_read_past_end_is_sticky)
{
	static const uint8_t in[] = { 0x01, 0x02, 0x03 };
	void *blk;
	const uint8_t *p = at_end(in, sizeof in, &blk);
	kfk_rbuf r;
	kfk_rbuf_init(&r, p, sizeof in);
	KT_ASSERT_INT_EQ(kfk_rbuf_read_i32(&r), 0); /* 3 bytes only */
	KT_ASSERT_INT_EQ(r.err, KFK_ERR__MALFORMED);
	/* Sticky: even a read that would fit returns zero now. */
	KT_ASSERT_INT_EQ(kfk_rbuf_read_i8(&r), 0);
	KT_ASSERT_INT_EQ(kfk_rbuf_remaining(&r), 0);
	KT_ASSERT_INT_EQ(r.err, KFK_ERR__MALFORMED);
	free(blk);
}

KT_TEST(buf_read_uuid_and_varints)
{
	static const uint8_t in[] = {
		0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, /* uuid */
		0xac, 0x02,                   /* uvarint 300 */
		0x03,                         /* varint zigzag 3 = -2 */
		0xfe, 0xff, 0xff, 0xff, 0x0f, /* uvarint 0xfffffffe */
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
		                              /* varint64 INT64_MIN */
	};
	struct kfk_uuid u;
	kfk_rbuf r;
	kfk_rbuf_init(&r, in, sizeof in);
	u = kfk_rbuf_read_uuid(&r);
	KT_ASSERT_INT_EQ(u.b[0], 0);
	KT_ASSERT_INT_EQ(u.b[15], 15);
	KT_ASSERT_INT_EQ(kfk_rbuf_read_uvarint32(&r), 300);
	KT_ASSERT_INT_EQ(kfk_rbuf_read_varint32(&r), -2);
	KT_ASSERT_INT_EQ(kfk_rbuf_read_uvarint32(&r), 0xfffffffeu);
	KT_ASSERT(kfk_rbuf_read_varint64(&r) == INT64_MIN);
	KT_ASSERT_INT_EQ(r.err, 0);
	KT_ASSERT_INT_EQ(kfk_rbuf_remaining(&r), 0);
}

KT_TEST(buf_read_varint_malformed)
{
	/* Six bytes with the continuation bit: longer than any 32-bit varint. */
	static const uint8_t longv[] = { 0x80, 0x80, 0x80, 0x80, 0x80, 0x00 };
	/* Five bytes whose value needs 33 bits. */
	static const uint8_t big[] = { 0xff, 0xff, 0xff, 0xff, 0x1f };
	/* Truncated: the continuation bit on the last byte. */
	static const uint8_t cut[] = { 0x80, 0x80 };
	kfk_rbuf r;
	kfk_rbuf_init(&r, longv, sizeof longv);
	kfk_rbuf_read_uvarint32(&r);
	KT_ASSERT_INT_EQ(r.err, KFK_ERR__MALFORMED);
	kfk_rbuf_init(&r, big, sizeof big);
	kfk_rbuf_read_uvarint32(&r);
	KT_ASSERT_INT_EQ(r.err, KFK_ERR__MALFORMED);
	kfk_rbuf_init(&r, cut, sizeof cut);
	kfk_rbuf_read_varint64(&r);
	KT_ASSERT_INT_EQ(r.err, KFK_ERR__MALFORMED);
}

KT_TEST(buf_read_strings_all_kinds)
{
	static const uint8_t in[] = {
		0x00, 0x02, 'h', 'i',         /* STRING "hi" */
		0xff, 0xff,                   /* NULLABLE_STRING null */
		0x00, 0x00,                   /* STRING "" */
		0x03, 'y', 'o',               /* COMPACT_STRING "yo" */
		0x00,                         /* COMPACT_NULLABLE_STRING null */
		0x01,                         /* COMPACT_STRING "" */
	};
	struct kfk_str s;
	kfk_rbuf r;
	kfk_rbuf_init(&r, in, sizeof in);
	s = kfk_rbuf_read_str(&r, 0, 0);
	KT_ASSERT_INT_EQ(s.len, 2);
	KT_ASSERT(s.ptr == (const char *)in + 2); /* a view, no copy */
	KT_ASSERT_INT_EQ(kfk_rbuf_read_str(&r, 0, 1).len, -1);
	KT_ASSERT_INT_EQ(kfk_rbuf_read_str(&r, 0, 0).len, 0);
	s = kfk_rbuf_read_str(&r, 1, 0);
	KT_ASSERT(kfk_str_eq(s, kfk_str_c("yo")));
	KT_ASSERT_INT_EQ(kfk_rbuf_read_str(&r, 1, 1).len, -1);
	KT_ASSERT_INT_EQ(kfk_rbuf_read_str(&r, 1, 0).len, 0);
	KT_ASSERT_INT_EQ(r.err, 0);
	KT_ASSERT_INT_EQ(kfk_rbuf_remaining(&r), 0);
}

KT_TEST(buf_read_bytes_all_kinds)
{
	static const uint8_t in[] = {
		0x00, 0x00, 0x00, 0x02, 0xaa, 0xbb, /* BYTES */
		0xff, 0xff, 0xff, 0xff,             /* NULLABLE_BYTES null */
		0x02, 0xcc,                         /* COMPACT_BYTES 1 byte */
		0x00,                               /* COMPACT null */
	};
	struct kfk_bytes b;
	kfk_rbuf r;
	kfk_rbuf_init(&r, in, sizeof in);
	b = kfk_rbuf_read_bytes(&r, 0, 0);
	KT_ASSERT_INT_EQ(b.len, 2);
	KT_ASSERT_INT_EQ(b.ptr[1], 0xbb);
	KT_ASSERT_INT_EQ(kfk_rbuf_read_bytes(&r, 0, 1).len, -1);
	b = kfk_rbuf_read_bytes(&r, 1, 0);
	KT_ASSERT_INT_EQ(b.len, 1);
	KT_ASSERT_INT_EQ(b.ptr[0], 0xcc);
	KT_ASSERT_INT_EQ(kfk_rbuf_read_bytes(&r, 1, 1).len, -1);
	KT_ASSERT_INT_EQ(r.err, 0);
}

/* Decodes in[0..len) (placed at the end of a heap block) with one string
 * or bytes read and returns the reader's error. */
static int read_one(const uint8_t *in, size_t len, int bytes, int compact,
                    int nullable)
{
	void *blk;
	const uint8_t *p = at_end(in, len, &blk);
	kfk_rbuf r;
	kfk_rbuf_init(&r, p, len);
	if (bytes)
		kfk_rbuf_read_bytes(&r, compact, nullable);
	else
		kfk_rbuf_read_str(&r, compact, nullable);
	free(blk);
	return r.err;
}

KT_TEST(buf_read_lengths_refused)
{
	static const uint8_t past[] = { 0x00, 0x05, 'a', 'b' };
	static const uint8_t neg2[] = { 0xff, 0xfe, 'a' };
	static const uint8_t null_str[] = { 0xff, 0xff };
	static const uint8_t bneg[] = { 0xff, 0xff, 0xff, 0xfb, 1, 2 };
	static const uint8_t bpast[] = { 0x7f, 0xff, 0xff, 0xff, 1 };
	static const uint8_t cpast[] = { 0x05, 'a' };
	/* compact length 2^32-1 -> 4294967294 bytes claimed */
	static const uint8_t chuge[] = { 0xff, 0xff, 0xff, 0xff, 0x0f, 'a' };
	static const uint8_t cnull[] = { 0x00 };

	KT_ASSERT_INT_EQ(read_one(past, sizeof past, 0, 0, 1),
	                 KFK_ERR__MALFORMED);
	KT_ASSERT_INT_EQ(read_one(past, 3, 0, 0, 1), KFK_ERR__MALFORMED);
	KT_ASSERT_INT_EQ(read_one(past, 1, 0, 0, 1), KFK_ERR__MALFORMED);
	KT_ASSERT_INT_EQ(read_one(neg2, sizeof neg2, 0, 0, 1),
	                 KFK_ERR__MALFORMED);
	KT_ASSERT_INT_EQ(read_one(null_str, 1, 0, 0, 1), KFK_ERR__MALFORMED);
	KT_ASSERT_INT_EQ(read_one(bneg, sizeof bneg, 1, 0, 1),
	                 KFK_ERR__MALFORMED);
	KT_ASSERT_INT_EQ(read_one(bpast, sizeof bpast, 1, 0, 0),
	                 KFK_ERR__MALFORMED);
	KT_ASSERT_INT_EQ(read_one(cpast, sizeof cpast, 0, 1, 0),
	                 KFK_ERR__MALFORMED);
	KT_ASSERT_INT_EQ(read_one(cpast, sizeof cpast, 1, 1, 1),
	                 KFK_ERR__MALFORMED);
	KT_ASSERT_INT_EQ(read_one(chuge, sizeof chuge, 0, 1, 1),
	                 KFK_ERR__MALFORMED);
	KT_ASSERT_INT_EQ(read_one(chuge, sizeof chuge, 1, 1, 1),
	                 KFK_ERR__MALFORMED);
	KT_ASSERT_INT_EQ(read_one(cnull, 0, 1, 1, 1), KFK_ERR__MALFORMED);
}

/* A null marker where the field is not nullable reads as empty (the
 * librdkafka mock sends such nulls); where it is nullable, as null. */
KT_TEST(buf_read_null_marker_non_nullable)
{
	static const uint8_t in[] = {
		0xff, 0xff,                   /* STRING null */
		0x00,                         /* COMPACT_STRING null */
		0xff, 0xff, 0xff, 0xff,       /* BYTES null */
		0x00,                         /* COMPACT_BYTES null */
		0xff, 0xff, 0xff, 0xff,       /* ARRAY null */
		0x00,                         /* COMPACT_ARRAY null */
	};
	struct kfk_str s;
	struct kfk_bytes b;
	kfk_rbuf r;
	kfk_rbuf_init(&r, in, sizeof in);
	s = kfk_rbuf_read_str(&r, 0, 0);
	KT_ASSERT_INT_EQ(s.len, 0);
	KT_ASSERT(s.ptr != NULL);
	KT_ASSERT_INT_EQ(kfk_rbuf_read_str(&r, 1, 0).len, 0);
	b = kfk_rbuf_read_bytes(&r, 0, 0);
	KT_ASSERT_INT_EQ(b.len, 0);
	KT_ASSERT(b.ptr != NULL);
	KT_ASSERT_INT_EQ(kfk_rbuf_read_bytes(&r, 1, 0).len, 0);
	KT_ASSERT_INT_EQ(kfk_rbuf_read_array_len(&r, 0, 0, 1), 0);
	KT_ASSERT_INT_EQ(kfk_rbuf_read_array_len(&r, 1, 0, 1), 0);
	KT_ASSERT_INT_EQ(r.err, 0);
	KT_ASSERT_INT_EQ(kfk_rbuf_remaining(&r), 0);
	kfk_rbuf_init(&r, in, sizeof in);
	KT_ASSERT_INT_EQ(kfk_rbuf_read_str(&r, 0, 1).len, -1);
	KT_ASSERT_INT_EQ(kfk_rbuf_read_str(&r, 1, 1).len, -1);
	KT_ASSERT_INT_EQ(kfk_rbuf_read_bytes(&r, 0, 1).len, -1);
	KT_ASSERT_INT_EQ(kfk_rbuf_read_bytes(&r, 1, 1).len, -1);
	KT_ASSERT_INT_EQ(kfk_rbuf_read_array_len(&r, 0, 1, 1), -1);
	KT_ASSERT_INT_EQ(kfk_rbuf_read_array_len(&r, 1, 1, 1), -1);
	KT_ASSERT_INT_EQ(r.err, 0);
}

KT_TEST(buf_read_array_lengths)
{
	/* An array claiming 0x7fffffff elements in a 10-byte input. */
	static const uint8_t huge[10] = { 0x7f, 0xff, 0xff, 0xff };
	static const uint8_t null_arr[] = { 0xff, 0xff, 0xff, 0xff };
	static const uint8_t neg2[] = { 0xff, 0xff, 0xff, 0xfe, 0, 0 };
	static const uint8_t three[] = { 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 2 };
	static const uint8_t cthree[] = { 0x04, 1, 2, 3 };
	static const uint8_t chuge[] = { 0xff, 0xff, 0xff, 0xff, 0x07, 0 };
	kfk_rbuf r;

	kfk_rbuf_init(&r, huge, sizeof huge);
	KT_ASSERT_INT_EQ(kfk_rbuf_read_array_len(&r, 0, 1, 1), 0);
	KT_ASSERT_INT_EQ(r.err, KFK_ERR__MALFORMED);

	kfk_rbuf_init(&r, null_arr, sizeof null_arr);
	KT_ASSERT_INT_EQ(kfk_rbuf_read_array_len(&r, 0, 1, 1), -1);
	KT_ASSERT_INT_EQ(r.err, 0);
	kfk_rbuf_init(&r, neg2, sizeof neg2);
	kfk_rbuf_read_array_len(&r, 0, 1, 1);
	KT_ASSERT_INT_EQ(r.err, KFK_ERR__MALFORMED);

	/* 3 int32 elements need 12 bytes; only 8 follow the count. */
	kfk_rbuf_init(&r, three, sizeof three);
	kfk_rbuf_read_array_len(&r, 0, 0, 4);
	KT_ASSERT_INT_EQ(r.err, KFK_ERR__MALFORMED);
	/* ... but 3 one-byte elements fit. */
	kfk_rbuf_init(&r, three, sizeof three);
	KT_ASSERT_INT_EQ(kfk_rbuf_read_array_len(&r, 0, 0, 1), 3);

	kfk_rbuf_init(&r, cthree, sizeof cthree);
	KT_ASSERT_INT_EQ(kfk_rbuf_read_array_len(&r, 1, 0, 1), 3);
	kfk_rbuf_init(&r, cthree, 1);
	kfk_rbuf_read_array_len(&r, 1, 0, 1);
	KT_ASSERT_INT_EQ(r.err, KFK_ERR__MALFORMED);
	kfk_rbuf_init(&r, chuge, sizeof chuge);
	kfk_rbuf_read_array_len(&r, 1, 1, 1);
	KT_ASSERT_INT_EQ(r.err, KFK_ERR__MALFORMED);
}

KT_TEST(buf_tagged_fields)
{
	static const uint8_t in[] = {
		0x02,                         /* two tagged fields */
		0x00, 0x01, 0xaa,             /* tag 0, 1 byte */
		0x05, 0x02, 0xbb, 0xcc,       /* tag 5, 2 bytes */
		0x7e,                         /* what follows the section */
	};
	static const uint8_t bad[] = {
		0x01, 0x03, 0x04, 0xaa,       /* tag 3 claims 4 bytes, has 1 */
	};
	uint32_t n, tag;
	kfk_rbuf r, sub;

	kfk_rbuf_init(&r, in, sizeof in);
	kfk_rbuf_skip_tags(&r);
	KT_ASSERT_INT_EQ(r.err, 0);
	KT_ASSERT_INT_EQ(kfk_rbuf_read_i8(&r), 0x7e);

	kfk_rbuf_init(&r, in, sizeof in);
	n = kfk_rbuf_read_uvarint32(&r);
	KT_ASSERT_INT_EQ(n, 2);
	KT_ASSERT(kfk_rbuf_read_tag(&r, &tag, &sub));
	KT_ASSERT_INT_EQ(tag, 0);
	KT_ASSERT_INT_EQ(kfk_rbuf_remaining(&sub), 1);
	/* A sub-reader stops at the payload's end. */
	KT_ASSERT_INT_EQ(kfk_rbuf_read_i16(&sub), 0);
	KT_ASSERT_INT_EQ(sub.err, KFK_ERR__MALFORMED);
	KT_ASSERT_INT_EQ(r.err, 0);
	KT_ASSERT(kfk_rbuf_read_tag(&r, &tag, &sub));
	KT_ASSERT_INT_EQ(tag, 5);
	KT_ASSERT_INT_EQ(kfk_rbuf_read_i16(&sub), (int16_t)0xbbcc);
	KT_ASSERT_INT_EQ(kfk_rbuf_read_i8(&r), 0x7e);

	kfk_rbuf_init(&r, bad, sizeof bad);
	kfk_rbuf_skip_tags(&r);
	KT_ASSERT_INT_EQ(r.err, KFK_ERR__MALFORMED);
	kfk_rbuf_init(&r, in, 2); /* cut inside the first field's header */
	kfk_rbuf_skip_tags(&r);
	KT_ASSERT_INT_EQ(r.err, KFK_ERR__MALFORMED);
}

KT_TEST(buf_write_primitives)
{
	static const uint8_t want[] = {
		0x80, 0x12, 0x34, 0xff, 0xfe, 0x89, 0xab, 0xcd, 0xef,
		0xfe, 0xdc, 0xba, 0x98,
		0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
		0x3f, 0xf8, 0, 0, 0, 0, 0, 0,
		0x01, 0x00,
		0xac, 0x02, 0x03,
		9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9,
	};
	struct kfk_uuid u;
	kfk_wbuf w;
	memset(u.b, 9, sizeof u.b);
	kfk_wbuf_init(&w);
	kfk_wbuf_put_i8(&w, -128);
	kfk_wbuf_put_i16(&w, 0x1234);
	kfk_wbuf_put_u16(&w, 65534);
	kfk_wbuf_put_i32(&w, (int32_t)0x89abcdefu);
	kfk_wbuf_put_u32(&w, 0xfedcba98u);
	kfk_wbuf_put_i64(&w, 0x0123456789abcdefLL);
	kfk_wbuf_put_f64(&w, 1.5);
	kfk_wbuf_put_bool(&w, true);
	kfk_wbuf_put_bool(&w, false);
	kfk_wbuf_put_uvarint(&w, 300);
	kfk_wbuf_put_varint(&w, -2);
	kfk_wbuf_put_uuid(&w, u);
	KT_ASSERT_INT_EQ(w.err, 0);
	KT_ASSERT_MEM_EQ(w.buf, w.len, want, sizeof want);
	kfk_wbuf_free(&w);
	KT_ASSERT(w.buf == NULL);
	KT_ASSERT_INT_EQ(w.len, 0);
}

KT_TEST(buf_write_strings_and_sizes)
{
	static const uint8_t want[] = {
		0x00, 0x02, 'h', 'i',         /* STRING */
		0xff, 0xff,                   /* NULLABLE_STRING null */
		0x03, 'h', 'i',               /* COMPACT_STRING */
		0x00,                         /* COMPACT_NULLABLE_STRING null */
		0x00, 0x00, 0x00, 0x01, 0x07, /* BYTES */
		0xff, 0xff, 0xff, 0xff,       /* NULLABLE_BYTES null */
		0x02, 0x07,                   /* COMPACT_BYTES */
		0x00, 0x00, 0x00, 0x02,       /* ARRAY count 2 */
		0x03,                         /* COMPACT_ARRAY count 2 */
		0xff, 0xff, 0xff, 0xff,       /* ARRAY null */
		0x00,                         /* COMPACT_ARRAY null */
	};
	static const uint8_t seven = 7;
	struct kfk_str hi = kfk_str_c("hi");
	struct kfk_bytes b = { &seven, 1 };
	int elems[2];
	kfk_wbuf w;
	size_t sz = 0;

	kfk_wbuf_init(&w);
	kfk_wbuf_put_str(&w, 0, 0, hi);
	kfk_wbuf_put_str(&w, 0, 1, KFK_STR_NULL);
	kfk_wbuf_put_str(&w, 1, 0, hi);
	kfk_wbuf_put_str(&w, 1, 1, KFK_STR_NULL);
	kfk_wbuf_put_bytes(&w, 0, 0, b);
	kfk_wbuf_put_bytes(&w, 0, 1, KFK_BYTES_NULL);
	kfk_wbuf_put_bytes(&w, 1, 0, b);
	KT_ASSERT_INT_EQ(kfk_wbuf_put_array_len(&w, 0, 0, 2, elems), 2);
	KT_ASSERT_INT_EQ(kfk_wbuf_put_array_len(&w, 1, 0, 2, elems), 2);
	KT_ASSERT_INT_EQ(kfk_wbuf_put_array_len(&w, 0, 1, -1, NULL), 0);
	KT_ASSERT_INT_EQ(kfk_wbuf_put_array_len(&w, 1, 1, -1, NULL), 0);
	KT_ASSERT_INT_EQ(w.err, 0);
	KT_ASSERT_MEM_EQ(w.buf, w.len, want, sizeof want);

	sz += kfk_wsize_str(0, hi) + kfk_wsize_str(0, KFK_STR_NULL);
	sz += kfk_wsize_str(1, hi) + kfk_wsize_str(1, KFK_STR_NULL);
	sz += kfk_wsize_bytes(0, b) + kfk_wsize_bytes(0, KFK_BYTES_NULL);
	sz += kfk_wsize_bytes(1, b);
	sz += kfk_wsize_array_len(0, 2) + kfk_wsize_array_len(1, 2);
	sz += kfk_wsize_array_len(0, -1) + kfk_wsize_array_len(1, -1);
	KT_ASSERT_INT_EQ(sz, sizeof want);
	kfk_wbuf_free(&w);
}

/* A compact string of 127 bytes has a 1-byte length (128), of 128 bytes a
 * 2-byte one: sizes and bytes agree across the varint boundary. */
KT_TEST(buf_write_compact_length_boundary)
{
	static char text[300];
	int32_t lens[] = { 0, 126, 127, 128, 300 };
	size_t i;
	kfk_wbuf w;
	memset(text, 'x', sizeof text);
	kfk_wbuf_init(&w);
	for (i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		struct kfk_str s = { text, lens[i] };
		kfk_rbuf r;
		kfk_wbuf_reset(&w);
		kfk_wbuf_put_str(&w, 1, 0, s);
		KT_ASSERT_INT_EQ(w.len, kfk_wsize_str(1, s));
		KT_ASSERT_INT_EQ(w.len, (size_t)lens[i] + (lens[i] >= 127 ? 2 : 1));
		kfk_rbuf_init(&r, w.buf, w.len);
		KT_ASSERT(kfk_str_eq(kfk_rbuf_read_str(&r, 1, 0), s));
		KT_ASSERT_INT_EQ(kfk_rbuf_remaining(&r), 0);
	}
	kfk_wbuf_free(&w);
}

KT_TEST(buf_write_refusals)
{
	static char big[40000];
	struct kfk_str s = { big, (int32_t)sizeof big };
	struct kfk_str bad = { "x", -2 };
	kfk_wbuf w;

	kfk_wbuf_init(&w);
	kfk_wbuf_put_str(&w, 0, 0, KFK_STR_NULL); /* null, not nullable */
	KT_ASSERT_INT_EQ(w.err, KFK_ERR__INVALID_ARG);
	kfk_wbuf_put_i32(&w, 1); /* sticky: writes nothing */
	KT_ASSERT_INT_EQ(w.len, 0);

	kfk_wbuf_reset(&w);
	kfk_wbuf_put_str(&w, 0, 1, s); /* a STRING over 32767 bytes */
	KT_ASSERT_INT_EQ(w.err, KFK_ERR__INVALID_ARG);
	kfk_wbuf_reset(&w);
	kfk_wbuf_put_str(&w, 1, 1, s); /* fine as COMPACT_STRING */
	KT_ASSERT_INT_EQ(w.err, 0);
	KT_ASSERT_INT_EQ(w.len, sizeof big + 3);

	kfk_wbuf_reset(&w);
	kfk_wbuf_put_str(&w, 1, 1, bad);
	KT_ASSERT_INT_EQ(w.err, KFK_ERR__INVALID_ARG);
	kfk_wbuf_reset(&w);
	KT_ASSERT_INT_EQ(kfk_wbuf_put_array_len(&w, 0, 0, 3, NULL), 0);
	KT_ASSERT_INT_EQ(w.err, KFK_ERR__INVALID_ARG);
	kfk_wbuf_reset(&w);
	KT_ASSERT_INT_EQ(kfk_wbuf_put_array_len(&w, 1, 0, -1, NULL), 0);
	KT_ASSERT_INT_EQ(w.err, KFK_ERR__INVALID_ARG);
	kfk_wbuf_free(&w);
}

KT_TEST(buf_write_fixed_buffer)
{
	uint8_t mem[6];
	kfk_wbuf w;
	kfk_wbuf_init_fixed(&w, mem, sizeof mem);
	kfk_wbuf_put_i32(&w, 0x01020304);
	kfk_wbuf_put_i16(&w, 0x0506);
	KT_ASSERT_INT_EQ(w.err, 0);
	KT_ASSERT_INT_EQ(w.len, 6);
	KT_ASSERT_INT_EQ(mem[5], 6);
	kfk_wbuf_put_i8(&w, 7); /* no room */
	KT_ASSERT_INT_EQ(w.err, KFK_ERR__MSG_SIZE_TOO_LARGE);
	KT_ASSERT_INT_EQ(w.len, 6);
	{
		size_t len;
		KT_ASSERT(kfk_wbuf_steal(&w, &len) == NULL);
	}
	kfk_wbuf_free(&w); /* leaves the caller's memory alone */
}

KT_TEST(buf_write_growth_patch_steal)
{
	kfk_wbuf w;
	size_t off, len, i;
	uint8_t *b;
	kfk_rbuf r;

	kfk_wbuf_init(&w);
	off = kfk_wbuf_reserve_i32(&w);
	for (i = 0; i < 10000; i++)
		kfk_wbuf_put_i32(&w, (int32_t)i);
	kfk_wbuf_patch_len(&w, off);
	KT_ASSERT_INT_EQ(w.err, 0);
	KT_ASSERT_INT_EQ(w.len, 40004);
	kfk_rbuf_init(&r, w.buf, w.len);
	KT_ASSERT_INT_EQ(kfk_rbuf_read_i32(&r), 40000);
	for (i = 0; i < 10000; i++)
		KT_ASSERT_INT_EQ(kfk_rbuf_read_i32(&r), (int32_t)i);
	kfk_wbuf_patch_i32(&w, w.len - 2, 1); /* slot past the end */
	KT_ASSERT_INT_EQ(w.err, KFK_ERR__INVALID_ARG);
	KT_ASSERT(kfk_wbuf_steal(&w, &len) == NULL); /* not after an error */

	kfk_wbuf_reset(&w);
	KT_ASSERT_INT_EQ(kfk_wbuf_reserve(&w, 100000), 0);
	KT_ASSERT(w.alloc >= 100000);
	kfk_wbuf_put_i16(&w, 0x4142);
	b = kfk_wbuf_steal(&w, &len);
	KT_ASSERT(b != NULL);
	KT_ASSERT_INT_EQ(len, 2);
	KT_ASSERT_INT_EQ(b[1], 0x42);
	KT_ASSERT(w.buf == NULL);
	free(b);
	kfk_wbuf_free(&w);
}

KT_TEST(arena_alloc_align_chunks_reset)
{
	kfk_arena a;
	void *p[2000];
	size_t i;
	kfk_arena_init(&a);
	for (i = 0; i < 2000; i++) {
		p[i] = kfk_arena_alloc(&a, 1 + i % 37);
		KT_ASSERT(p[i] != NULL);
		KT_ASSERT_INT_EQ((uintptr_t)p[i] % KFK_ARENA_ALIGN, 0);
		memset(p[i], (int)i, 1 + i % 37);
	}
	for (i = 0; i < 2000; i++) /* nothing overlapped */
		KT_ASSERT_INT_EQ(((uint8_t *)p[i])[i % 37], (uint8_t)i);
	/* A large block gets a chunk of its own. */
	p[0] = kfk_arena_alloc(&a, 5 * 1024 * 1024);
	KT_ASSERT(p[0] != NULL);
	memset(p[0], 1, 5 * 1024 * 1024);
	kfk_arena_reset(&a);
	KT_ASSERT_INT_EQ(a.used, 0);
	KT_ASSERT(kfk_arena_alloc(&a, 64) != NULL);
	kfk_arena_destroy(&a);
	KT_ASSERT(a.chunks == NULL);
}

KT_TEST(arena_caller_buffer_first)
{
	_Alignas(16) uint8_t mem[256];
	kfk_arena a;
	uint8_t *p;
	kfk_arena_init_buf(&a, mem, sizeof mem);
	p = kfk_arena_alloc(&a, 100);
	KT_ASSERT(p >= mem && p + 100 <= mem + sizeof mem);
	KT_ASSERT(a.chunks == NULL);
	p = kfk_arena_alloc(&a, 200); /* does not fit: heap */
	KT_ASSERT(p != NULL);
	KT_ASSERT(!(p >= mem && p < mem + sizeof mem));
	KT_ASSERT(a.chunks != NULL);
	kfk_arena_destroy(&a);
}

KT_TEST(arena_overflow_and_decode_array)
{
	kfk_arena a;
	kfk_rbuf r;
	static const uint8_t in[4];
	kfk_arena_init(&a);
	KT_ASSERT(kfk_arena_alloc_array(&a, SIZE_MAX / 2, 4) == NULL);
	KT_ASSERT(kfk_arena_alloc(&a, SIZE_MAX - 3) == NULL);
	kfk_rbuf_init(&r, in, sizeof in);
	KT_ASSERT(kfk_arena_decode_array(&a, &r, 0, 8) == NULL);
	KT_ASSERT(kfk_arena_decode_array(&a, &r, -1, 8) == NULL);
	KT_ASSERT_INT_EQ(r.err, 0);
	KT_ASSERT(kfk_arena_decode_array(&a, &r, 3, 8) != NULL);
	KT_ASSERT_INT_EQ(r.err, 0);
	kfk_arena_destroy(&a);
}

KT_TEST(buf_bulk_integer_arrays)
{
	static const int32_t v32[] = { 0, -1, INT32_MIN, 0x01020304 };
	static const int64_t v64[] = { INT64_MIN, 0x0102030405060708LL };
	static const uint8_t want[] = {
		0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x80, 0, 0, 0, 1, 2, 3, 4,
		0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8,
	};
	int32_t got32[4] = { 9, 9, 9, 9 };
	int64_t got64[2];
	kfk_wbuf w;
	kfk_rbuf r;
	void *blk;
	const uint8_t *p;

	kfk_wbuf_init(&w);
	kfk_wbuf_put_i32s(&w, v32, 4);
	kfk_wbuf_put_i64s(&w, v64, 2);
	kfk_wbuf_put_i32s(&w, NULL, 0);
	KT_ASSERT_MEM_EQ(w.buf, w.len, want, sizeof want);
	kfk_wbuf_free(&w);

	kfk_rbuf_init(&r, want, sizeof want);
	kfk_rbuf_read_i32s(&r, got32, 4);
	kfk_rbuf_read_i64s(&r, got64, 2);
	KT_ASSERT_INT_EQ(r.err, 0);
	KT_ASSERT_MEM_EQ(got32, sizeof got32, v32, sizeof v32);
	KT_ASSERT_MEM_EQ(got64, sizeof got64, v64, sizeof v64);

	/* Short input: nothing written to dst, reader failed. */
	memset(got32, 9, sizeof got32);
	p = at_end(want, 15, &blk);
	kfk_rbuf_init(&r, p, 15);
	kfk_rbuf_read_i32s(&r, got32, 4);
	KT_ASSERT_INT_EQ(r.err, KFK_ERR__MALFORMED);
	KT_ASSERT_INT_EQ(got32[0], 0x09090909);
	free(blk);
}
