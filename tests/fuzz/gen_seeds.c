/*
 * tests/fuzz/gen_seeds.c: writes the seed corpus of every fuzz target.
 *
 *   gen_seeds DIR      (run by `make fuzz-seeds`, into tests/fuzz/corpus)
 *
 * Seeds are valid inputs: for each response API and version a default
 * message and a filled one (every field the version carries set, one
 * element per array: tests/fuzz/gen_fill.py writes that code from the
 * generated headers), whole response frames, headers, the Java client's
 * golden record batches plus batches and legacy message sets written by
 * our own writers with every codec, and small compressed inputs in each
 * format variant the decompressors accept. The fuzzers mutate from there.
 * Everything is deterministic, so running it again changes no file unless
 * the codecs changed.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lz4frame.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include <kfk/errors.h>

#include "codec/codec.h"
#include "proto/api.h"
#include "proto/arena.h"
#include "proto/buf.h"
#include "proto/gen/messages.h"
#include "proto/header.h"
#include "proto/msgset_legacy.h"
#include "proto/record_batch.h"

#include "../unit/vectors_record_batches.h"
#include "fuzz_fetch.h"

static const char *out_dir;
static int n_written;

static void die(const char *what)
{
	fprintf(stderr, "gen_seeds: %s\n", what);
	exit(1);
}

/* Writes p[0..n) as DIR/target/name. */
static void seed(const char *target, const char *name, const void *p,
                 size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", out_dir, target);
	if (mkdir(path, 0777) && errno != EEXIST)
		die(path);
	snprintf(path, sizeof path, "%s/%s/%s", out_dir, target, name);
	if (!(f = fopen(path, "wb")) || fwrite(p, 1, n, f) != n || fclose(f))
		die(path);
	n_written++;
}

/* Same, with one byte in front (the version or selector byte). */
static void seed1(const char *target, const char *name, uint8_t first,
                  const void *p, size_t n)
{
	uint8_t *buf = malloc(n + 1);
	if (!buf)
		die("out of memory");
	buf[0] = first;
	if (n)
		memcpy(buf + 1, p, n);
	seed(target, name, buf, n + 1);
	free(buf);
}

/* ------------------------------------------------------------ messages */

struct seed_msg {
	const char *name;
	int key; /* API key, -1 for the consumer protocol */
	int (*encode)(kfk_wbuf *w, int16_t v, kfk_arena *a, int filled);
};

/* Bytes for a filled bytes field: a golden batch for "records", so that
 * fetch seeds carry real record sets. */
static struct kfk_bytes fill_bytes(int records)
{
	static const uint8_t some[] = { 1, 2, 3 };
	struct kfk_bytes b = { some, sizeof some };
	if (records) {
		b.ptr = golden_ten_headers_bytes;
		b.len = sizeof golden_ten_headers_bytes;
	}
	return b;
}

static struct kfk_uuid fill_uuid(void)
{
	struct kfk_uuid u;
	for (int i = 0; i < 16; i++)
		u.b[i] = (uint8_t)(i + 1);
	return u;
}

#include "fuzz_fill.c"

/* Encodes message m at v (filled or default) into w; 0 or the error. */
static int encode_msg(const struct seed_msg *m, int16_t v, int filled,
                      kfk_wbuf *w)
{
	kfk_arena a;
	int err;

	kfk_arena_init(&a);
	kfk_wbuf_init(w);
	err = m->encode(w, v, &a, filled);
	kfk_arena_destroy(&a);
	return err;
}

/* A response frame as fuzz_response.c reads it. */
static void response_frame(const struct seed_msg *m, int16_t v,
                           const kfk_wbuf *body)
{
	int hver = kfk_proto_resp_header_version((int16_t)m->key, v);
	char name[64];
	kfk_wbuf w;
	size_t off;

	kfk_wbuf_init(&w);
	kfk_wbuf_put_i16(&w, (int16_t)m->key);
	kfk_wbuf_put_i16(&w, v);
	off = w.len;
	kfk_wbuf_put_i32(&w, 0);
	kfk_proto_resp_header_encode(&w, hver, 7);
	kfk_wbuf_put_raw(&w, body->buf, body->len);
	if (w.err)
		die("response frame");
	kfk_be32_put(w.buf + off, (uint32_t)(w.len - off - 4));
	snprintf(name, sizeof name, "%s-v%d", m->name, v);
	seed("response", name, w.buf, w.len);
	kfk_wbuf_free(&w);
}

static void api_seeds(const struct seed_msg *m)
{
	const struct kfk_proto_api *api = kfk_proto_api_get((int16_t)m->key);
	char target[64], name[64];
	uint8_t *prev = NULL;
	size_t prev_len = 0;
	kfk_wbuf w;

	if (!api || !api->has_codec)
		die(m->name);
	snprintf(target, sizeof target, "resp_%s", m->name);
	for (int16_t v = api->min_version; v <= api->max_version; v++) {
		/* Defaults and frames only at the versions where the
		 * encoding changes most: the first, the first flexible, the
		 * last; a filled message only when its bytes differ from the
		 * previous version's. */
		int edge = v == api->min_version || v == api->first_flexible ||
		           v == api->max_version;
		for (int filled = !edge; filled <= 1; filled++) {
			if (encode_msg(m, v, filled, &w))
				die(m->name);
			snprintf(name, sizeof name, "v%d-%s", v,
			         filled ? "filled" : "default");
			if (!filled || edge || w.len != prev_len ||
			    memcmp(w.buf, prev, prev_len) != 0)
				seed1(target, name,
				      (uint8_t)(v - api->min_version), w.buf,
				      w.len);
			if (filled && edge)
				response_frame(m, v, &w);
			if (filled) {
				free(prev);
				prev = kfk_wbuf_steal(&w, &prev_len);
			}
			kfk_wbuf_free(&w);
		}
	}
	free(prev);
}

/* Consumer protocol: byte 0 is the message (bit 7) and the index of the
 * version among those that encode, as fuzz_consumer_protocol.c reads it. */
static void consumer_protocol_seeds(const struct seed_msg *m, int which)
{
	char name[64];
	int idx = 0;
	kfk_wbuf w;

	for (int16_t v = 0; v < 64; v++) {
		if (encode_msg(m, v, 0, &w)) {
			kfk_wbuf_free(&w);
			continue;
		}
		for (int filled = 0; filled <= 1; filled++) {
			if (filled && encode_msg(m, v, 1, &w))
				die(m->name);
			snprintf(name, sizeof name, "%s-v%d-%s", m->name + 18, v,
			         filled ? "filled" : "default");
			seed1("consumer_protocol", name,
			      (uint8_t)(which << 7 | idx), w.buf, w.len);
			kfk_wbuf_free(&w);
		}
		idx++;
	}
}

static void message_seeds(void)
{
	size_t n = sizeof seed_msgs / sizeof seed_msgs[0];
	for (size_t i = 0; i < n; i++) {
		const struct seed_msg *m = &seed_msgs[i];
		if (m->key >= 0)
			api_seeds(m);
		else
			consumer_protocol_seeds(m, strstr(m->name, "assignment") != NULL);
	}
}

/* ------------------------------------------------------------- headers */

static void header_seeds(void)
{
	static const uint8_t tags[] = { 1, 0, 2, 0xab, 0xcd }; /* tag 0, 2 B */
	struct kfk_proto_req_header h = { KFK_APIKEY_METADATA, 12, 42,
	                                  { "kfk", 3 } };
	char name[32];
	kfk_wbuf w;

	for (int hver = 0; hver <= 1; hver++) {
		kfk_wbuf_init(&w);
		kfk_proto_resp_header_encode(&w, hver, 42);
		snprintf(name, sizeof name, "resp-v%d", hver);
		seed1("header", name, (uint8_t)(hver << 1), w.buf, w.len);
		if (hver == 1) { /* with a tagged field instead of none */
			w.len--;
			kfk_wbuf_put_raw(&w, tags, sizeof tags);
			seed1("header", "resp-v1-tagged", 2, w.buf, w.len);
		}
		kfk_wbuf_free(&w);
	}
	for (int hver = 0; hver <= 2; hver++) {
		kfk_wbuf_init(&w);
		kfk_proto_req_header_encode(&w, hver, &h);
		snprintf(name, sizeof name, "req-v%d", hver);
		seed1("header", name, (uint8_t)(hver << 1 | 1), w.buf, w.len);
		kfk_wbuf_free(&w);
	}
}

/* ------------------------------------------------------- record batches */

/* Appends n records with keys, values and (with_headers) headers. */
static void add_records(struct kfk_batch_writer *bw, int n, int with_headers)
{
	char key[16], value[64];
	struct kfk_record_header hdr[2] = {
		{ (const uint8_t *)"trace", 5, (const uint8_t *)"abc", 3 },
		{ (const uint8_t *)"empty", 5, NULL, -1 },
	};

	for (int i = 0; i < n; i++) {
		snprintf(key, sizeof key, "key-%d", i);
		snprintf(value, sizeof value, "value-%d-%.*s", i, i % 30,
		         "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
		if (kfk_batch_writer_append(bw, 1700000000000 + i, key,
		                            i % 4 == 3 ? -1 : (int32_t)strlen(key),
		                            value, (int32_t)strlen(value), hdr,
		                            with_headers ? 2 : 0))
			die("append");
	}
}

/* One batch written by kfk's writer at base offset base, appended to
 * out. */
static void write_batch_at(struct kfk_batch_buf *out, int64_t base, int codec,
                           int attrs, int n, int with_headers)
{
	struct kfk_batch_opts o = { base, -1, (int16_t)(codec | attrs), -1, -1,
	                            -1, 0 };
	struct kfk_batch_writer bw;

	if (attrs & KFK_BATCH_ATTR_TRANSACTIONAL) {
		o.producer_id = 1000;
		o.producer_epoch = 2;
		o.base_sequence = 0;
	}
	if (kfk_batch_writer_begin(&bw, out, &o))
		die("batch begin");
	if (attrs & KFK_BATCH_ATTR_CONTROL) {
		if (kfk_batch_writer_append_control(&bw, 1700000000000,
		                                    KFK_CONTROL_ABORT, 3))
			die("control");
	} else {
		add_records(&bw, n, with_headers);
	}
	if (kfk_batch_writer_finish(&bw, kfk_codec_compress, -1, NULL))
		die("batch finish");
}

static void write_batch(struct kfk_batch_buf *out, int codec, int attrs,
                        int n, int with_headers)
{
	write_batch_at(out, 0, codec, attrs, n, with_headers);
}

/* The same batch as the "records" target reads it: attributes, record
 * count, records section. */
static void records_seed(const char *name, const uint8_t *batch, size_t n)
{
	struct kfk_batch b;
	uint8_t *buf;

	if (kfk_batch_parse(batch, n, 0, &b) || b.record_count > 255)
		die(name);
	buf = malloc(2 + b.records_len);
	if (!buf)
		die("out of memory");
	buf[0] = (uint8_t)(b.attributes & 0x3f);
	buf[1] = (uint8_t)b.record_count;
	memcpy(buf + 2, b.records, b.records_len);
	seed("records", name, buf, 2 + b.records_len);
	free(buf);
}

static void record_batch_seeds(void)
{
	size_t n = sizeof golden_batches / sizeof golden_batches[0];
	struct kfk_batch_buf all = { 0 }, b;
	char name[64];

	for (size_t i = 0; i < n; i++) {
		snprintf(name, sizeof name, "golden-%s", golden_batches[i].name);
		seed("record_batch", name, golden_batches[i].bytes,
		     golden_batches[i].len);
		records_seed(name, golden_batches[i].bytes,
		             golden_batches[i].len);
	}
	for (int codec = 0; codec <= 4; codec++) {
		memset(&b, 0, sizeof b);
		write_batch(&b, codec, 0, 12, 1);
		snprintf(name, sizeof name, "kfk-%s", kfk_codec_name(codec));
		seed("record_batch", name, b.data, b.len);
		records_seed(name, b.data, b.len);
		kfk_batch_buf_free(&b);
	}
	/* A fetch-like record set: a transactional batch, its abort marker,
	 * a legacy message, an empty batch, and a truncated tail. */
	write_batch(&all, 0, KFK_BATCH_ATTR_TRANSACTIONAL, 3, 0);
	write_batch(&all, 0, KFK_BATCH_ATTR_TRANSACTIONAL | KFK_BATCH_ATTR_CONTROL,
	            0, 0);
	if (kfk_msgset_append(&all, 1, 5, 0, 1700000000000, "k", 1, "v", 1))
		die("msgset");
	write_batch(&all, KFK_BATCH_CODEC_LZ4, KFK_BATCH_ATTR_LOG_APPEND_TIME,
	            0, 0);
	seed("record_batch", "recordset-mixed", all.data, all.len);
	memset(&b, 0, sizeof b);
	write_batch(&b, 0, 0, 2, 0);
	if (kfk_batch_buf_reserve(&all, b.len))
		die("out of memory");
	memcpy(all.data + all.len, b.data, b.len / 2);
	seed("record_batch", "recordset-truncated", all.data,
	     all.len + b.len / 2);
	kfk_batch_buf_free(&b);
	kfk_batch_buf_free(&all);
}

/* ------------------------------------------------- legacy message sets */

static void legacy_set(struct kfk_batch_buf *out, int8_t magic, int n,
                       int64_t first)
{
	char key[16], value[32];
	for (int i = 0; i < n; i++) {
		snprintf(key, sizeof key, "k%d", i);
		snprintf(value, sizeof value, "value %d", i);
		if (kfk_msgset_append(out, magic, first + i, 0, 1600000000000 + i,
		                      key, i == 1 ? -1 : (int32_t)strlen(key),
		                      value, (int32_t)strlen(value)))
			die("msgset append");
	}
}

static void msgset_seeds(void)
{
	struct kfk_batch_buf set = { 0 }, inner = { 0 };
	char name[64];

	for (int8_t magic = 0; magic <= 1; magic++) {
		memset(&set, 0, sizeof set);
		legacy_set(&set, magic, 4, 100);
		snprintf(name, sizeof name, "plain-v%d", magic);
		seed("msgset_legacy", name, set.data, set.len);
		kfk_batch_buf_free(&set);
		for (int codec = 1; codec <= 3; codec++) {
			memset(&inner, 0, sizeof inner);
			memset(&set, 0, sizeof set);
			/* magic 1 wrappers hold relative offsets */
			legacy_set(&inner, magic, 3, magic ? 0 : 200);
			if (kfk_msgset_append_wrapper(&set, magic, 202, codec,
			                              1600000000000, codec == 2,
			                              inner.data, inner.len,
			                              kfk_codec_compress, -1))
				die("wrapper");
			legacy_set(&set, magic, 1, 203);
			snprintf(name, sizeof name, "wrapper-v%d-%s", magic,
			         kfk_codec_name(codec));
			seed("msgset_legacy", name, set.data, set.len);
			kfk_batch_buf_free(&set);
			kfk_batch_buf_free(&inner);
		}
	}
}

/* ------------------------------------------------ fetched record sets */

/* A seed of the fetch_decode target (fuzz_fetch.h): the record set behind
 * check.crcs, the fetch position and n entries of the aborted list, each
 * (producer id, first offset). */
static void fetch_seed(const char *name, int64_t fetch_pos,
                       const int64_t (*aborted)[2], int n, const void *set,
                       size_t len)
{
	uint8_t *buf = calloc(1, FUZZ_FETCH_PREFIX + len);

	if (!buf || n > FUZZ_FETCH_ABORTED_MAX)
		die("fetch seed");
	buf[0] = (uint8_t)(1 | n << 1);
	kfk_rb_put64(buf + FUZZ_FETCH_POS, (uint64_t)fetch_pos);
	for (int i = 0; i < n; i++) {
		uint8_t *p = buf + FUZZ_FETCH_ABORTED + 16 * i;

		kfk_rb_put64(p, (uint64_t)aborted[i][0]);
		kfk_rb_put64(p + 8, (uint64_t)aborted[i][1]);
	}
	if (len)
		memcpy(buf + FUZZ_FETCH_PREFIX, set, len);
	seed("fetch_decode", name, buf, FUZZ_FETCH_PREFIX + len);
	free(buf);
}

/* Transactions of producer 1000 (write_batch's): offsets 0-2 aborted
 * (their ABORT marker at 3), 4-5 committed, with a plain batch at 6-7
 * between them and the COMMIT marker (the Java client's, at its own
 * offset 0). */
static void fetch_txn_seeds(void)
{
	static const int64_t aborted[][2] = { { 1000, 0 }, { 77, 5 } };
	size_t n = sizeof golden_batches / sizeof golden_batches[0];
	struct kfk_batch_buf set = { 0 };

	write_batch_at(&set, 0, 0, KFK_BATCH_ATTR_TRANSACTIONAL, 3, 1);
	write_batch_at(&set, 3, 0,
	               KFK_BATCH_ATTR_TRANSACTIONAL | KFK_BATCH_ATTR_CONTROL,
	               0, 0);
	write_batch_at(&set, 4, KFK_BATCH_CODEC_ZSTD,
	               KFK_BATCH_ATTR_TRANSACTIONAL, 2, 0);
	write_batch_at(&set, 6, 0, 0, 2, 1);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(golden_batches[i].name, "control_commit"))
			continue;
		if (kfk_batch_buf_reserve(&set, golden_batches[i].len))
			die("out of memory");
		memcpy(set.data + set.len, golden_batches[i].bytes,
		       golden_batches[i].len);
		set.len += golden_batches[i].len;
	}
	fetch_seed("txn-abort", 0, aborted, 2, set.data, set.len);
	fetch_seed("txn-abort-from-2", 2, aborted, 2, set.data, set.len);
	kfk_batch_buf_free(&set);
}

static void fetch_seeds(void)
{
	size_t n = sizeof golden_batches / sizeof golden_batches[0];
	struct kfk_batch_buf b, inner;
	char name[64];

	for (size_t i = 0; i < n; i++) {
		snprintf(name, sizeof name, "golden-%s", golden_batches[i].name);
		fetch_seed(name, 0, NULL, 0, golden_batches[i].bytes,
		           golden_batches[i].len);
	}
	for (int codec = 0; codec <= 4; codec++) {
		memset(&b, 0, sizeof b);
		write_batch_at(&b, 100, codec, 0, 12, 1);
		snprintf(name, sizeof name, "kfk-%s", kfk_codec_name(codec));
		fetch_seed(name, 100, NULL, 0, b.data, b.len);
		/* The broker sends the whole batch holding the position. */
		snprintf(name, sizeof name, "kfk-%s-from-105",
		         kfk_codec_name(codec));
		fetch_seed(name, 105, NULL, 0, b.data, b.len);
		if (codec == 0) /* only part of a batch: too large */
			fetch_seed("partial", 100, NULL, 0, b.data, b.len / 2);
		kfk_batch_buf_free(&b);
	}
	fetch_txn_seeds();
	/* Legacy entries: messages at 10-12, then a compressed wrapper of
	 * 13-15 (relative offsets inside, the last one's outside). */
	memset(&b, 0, sizeof b);
	memset(&inner, 0, sizeof inner);
	legacy_set(&b, 1, 3, 10);
	legacy_set(&inner, 1, 3, 0);
	if (kfk_msgset_append_wrapper(&b, 1, 15, KFK_BATCH_CODEC_GZIP,
	                              1600000000000, 0, inner.data, inner.len,
	                              kfk_codec_compress, -1))
		die("wrapper");
	fetch_seed("legacy", 11, NULL, 0, b.data, b.len);
	kfk_batch_buf_free(&inner);
	kfk_batch_buf_free(&b);
}

/* -------------------------------------------------------- compression */

/* The plain inputs every codec gets. */
static const char *plain_name[] = { "empty", "text", "repeat", "mixed" };

static size_t plain(int which, uint8_t *buf)
{
	static const char text[] = "hello kafka, hello kfk";
	uint32_t x = 12345;

	switch (which) {
	case 0:
		return 0;
	case 1:
		memcpy(buf, text, sizeof text - 1);
		return sizeof text - 1;
	case 2:
		for (int i = 0; i < 4096; i++)
			buf[i] = (uint8_t)"abcd"[i % 4];
		return 4096;
	default:
		for (int i = 0; i < 600; i++) {
			x = x * 1103515245 + 12345;
			buf[i] = i < 300 ? (uint8_t)(x >> 24) : (uint8_t)(i % 7);
		}
		return 600;
	}
}

static void codec_seed(int codec, const char *name, const void *p, size_t n)
{
	char target[64];
	snprintf(target, sizeof target, "decompress_%s", kfk_codec_name(codec));
	seed(target, name, p, n);
}

/* gzip also reads zlib streams and raw deflate; two members in a row. */
static void gzip_variants(const uint8_t *in, size_t n)
{
	static const int bits[] = { 15, -15 };
	static const char *names[] = { "zlib", "deflate" };
	uint8_t out[8192];
	void *z;
	size_t zlen;

	for (int i = 0; i < 2; i++) {
		z_stream s;
		memset(&s, 0, sizeof s);
		if (deflateInit2(&s, 6, Z_DEFLATED, bits[i], 8,
		                 Z_DEFAULT_STRATEGY) != Z_OK)
			die("deflateInit2");
		s.next_in = (Bytef *)in;
		s.avail_in = (uInt)n;
		s.next_out = out;
		s.avail_out = sizeof out;
		if (deflate(&s, Z_FINISH) != Z_STREAM_END)
			die("deflate");
		codec_seed(KFK_CODEC_GZIP, names[i], out, s.total_out);
		deflateEnd(&s);
	}
	if (kfk_codec_compress(KFK_CODEC_GZIP, 1, in, n, &z, &zlen) ||
	    2 * zlen > sizeof out)
		die("gzip");
	memcpy(out, z, zlen);
	memcpy(out + zlen, z, zlen);
	codec_seed(KFK_CODEC_GZIP, "two-members", out, 2 * zlen);
	free(z);
}

static void snappy_variants(const uint8_t *in, size_t n)
{
	char out[8192];
	size_t olen = sizeof out;
	if (snappy_compress((const char *)in, n, out, &olen) != SNAPPY_OK)
		die("snappy");
	codec_seed(KFK_CODEC_SNAPPY, "raw-block", out, olen);
}

/* lz4: content size and both checksums; linked blocks. */
static void lz4_variants(const uint8_t *in, size_t n)
{
	uint8_t out[8192];
	LZ4F_preferences_t p;
	size_t r;

	memset(&p, 0, sizeof p);
	p.frameInfo.contentSize = n;
	p.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
	p.frameInfo.blockChecksumFlag = LZ4F_blockChecksumEnabled;
	r = LZ4F_compressFrame(out, sizeof out, in, n, &p);
	if (LZ4F_isError(r))
		die("lz4");
	codec_seed(KFK_CODEC_LZ4, "checksums", out, r);
	memset(&p, 0, sizeof p);
	p.frameInfo.blockMode = LZ4F_blockLinked;
	p.frameInfo.blockSizeID = LZ4F_max4MB;
	r = LZ4F_compressFrame(out, sizeof out, in, n, &p);
	if (LZ4F_isError(r))
		die("lz4");
	codec_seed(KFK_CODEC_LZ4, "linked-4mb", out, r);
}

/* zstd: a checksum and no content size; a skippable frame first. */
static void zstd_variants(const uint8_t *in, size_t n)
{
	uint8_t out[8192];
	ZSTD_CCtx *c = ZSTD_createCCtx();
	ZSTD_inBuffer ib = { in, n, 0 };
	ZSTD_outBuffer ob = { out + 12, sizeof out - 12, 0 };
	static const uint8_t skip[12] = { 0x50, 0x2a, 0x4d, 0x18, 4, 0, 0, 0,
	                                  1, 2, 3, 4 };

	if (!c)
		die("zstd");
	ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
	ZSTD_CCtx_setParameter(c, ZSTD_c_contentSizeFlag, 0);
	if (ZSTD_compressStream2(c, &ob, &ib, ZSTD_e_end) != 0)
		die("zstd stream");
	ZSTD_freeCCtx(c);
	codec_seed(KFK_CODEC_ZSTD, "checksum-no-size", out + 12, ob.pos);
	memcpy(out, skip, sizeof skip);
	codec_seed(KFK_CODEC_ZSTD, "skippable-first", out, ob.pos + 12);
}

static void codec_seeds(void)
{
	static uint8_t buf[4096];
	void *z;
	size_t zlen;
	char name[64];

	for (int codec = 1; codec <= 4; codec++) {
		for (int i = 0; i < 4; i++) {
			size_t n = plain(i, buf);
			if (kfk_codec_compress(codec, -1, buf, n, &z, &zlen))
				die("compress");
			snprintf(name, sizeof name, "%s", plain_name[i]);
			codec_seed(codec, name, z, zlen);
			free(z);
		}
	}
	gzip_variants(buf, plain(1, buf));
	snappy_variants(buf, plain(3, buf));
	lz4_variants(buf, plain(2, buf));
	zstd_variants(buf, plain(3, buf));
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: gen_seeds DIR\n");
		return 2;
	}
	out_dir = argv[1];
	if (mkdir(out_dir, 0777) && errno != EEXIST)
		die(out_dir);
	message_seeds();
	header_seeds();
	record_batch_seeds();
	msgset_seeds();
	fetch_seeds();
	codec_seeds();
	printf("gen_seeds: %d seeds written to %s\n", n_written, out_dir);
	return 0;
}
