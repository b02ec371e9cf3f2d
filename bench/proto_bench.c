/*
 * bench/proto_bench.c: micro-benchmark of the protocol hot paths.
 *
 *   proto_bench [-n records] [-s value bytes] [-b batch bytes] [-r reps]
 *               [-c codec records] [-w]
 *
 * Encodes n records (default 1,000,000; keys of 10 bytes, values of 100)
 * into record batches v2 of about 16 KiB with kfk's in-place writer,
 * decodes them back (framing, CRC-32C check, record iteration), times
 * CRC-32C alone (hardware and table versions), and compresses and
 * decompresses the records of those batches with each codec at its default
 * level. Every figure is the median of r repetitions (default 5), in
 * nanoseconds per record and in bytes per second, measured in the
 * thread's CPU time (-w: wall-clock time).
 *
 * A program, not a test: build it without sanitizers to measure, e.g.
 *   .../configure CFLAGS="-O2 -g" && make bench/proto_bench
 * Values are pseudo-text drawn from a small vocabulary, so that codecs see
 * data that compresses about as well as typical JSON or log lines.
 */
#include "config.h"

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <kfk/errors.h>

#include "codec/codec.h"
#include "proto/record_batch.h"
#include "util/crc32c.h"

#define MAX_REPS 51

struct params {
	long records;
	int value_size;
	size_t batch_bytes;
	int reps;
	long codec_records;
};

/* The records to write: keys and values in two flat arrays. */
struct dataset {
	long n;
	int key_size, value_size;
	char *keys;
	uint8_t *values;
};

/* The encoded batches: one record set, plus where each batch starts. */
struct batches {
	struct kfk_batch_buf buf;
	size_t *start;
	long count;
};

static volatile uint64_t sink; /* keeps measured work from being elided */

/* The clock: this thread's CPU time by default, so that a machine shared
 * with other work measures the code rather than the scheduler; -w for
 * wall-clock time. */
static clockid_t bench_clock = CLOCK_THREAD_CPUTIME_ID;

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(bench_clock, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "proto_bench: %s failed (%d)\n", what, err);
	exit(1);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* --------------------------------------------------------------- data */

static uint32_t rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(*s >> 33);
}

static void make_dataset(struct dataset *d, long n, int value_size)
{
	static const char *words[] = {
		"user", "order", "id", "status", "ok", "pending", "amount",
		"eur", "\"ts\":", "{\"k\":", "},", "true", "false", "null",
		"kafka", "topic", "partition", "42", "1337", "item",
	};
	uint64_t s = 1;

	d->n = n;
	d->key_size = 10;
	d->value_size = value_size;
	d->keys = malloc((size_t)n * 10 + 1);
	d->values = malloc((size_t)n * (size_t)value_size);
	if (!d->keys || !d->values)
		die("malloc", KFK_ERR__NO_MEMORY);
	for (long i = 0; i < n; i++)
		snprintf(d->keys + i * 10, 11, "key-%06ld", i % 1000000);
	for (long i = 0; i < n; i++) {
		uint8_t *v = d->values + i * value_size;
		int pos = 0;
		while (pos < value_size) {
			const char *w = words[rnd(&s) % 20];
			while (*w && pos < value_size)
				v[pos++] = (uint8_t)*w++;
			if (pos < value_size)
				v[pos++] = ' ';
		}
	}
}

/* ------------------------------------------------------------- encode */

static void batch_open(struct kfk_batch_writer *w, struct kfk_batch_buf *out)
{
	struct kfk_batch_opts o = { 0, -1, 0, -1, -1, -1, 0 };
	kfk_err err = kfk_batch_writer_begin(w, out, &o);
	if (err)
		die("kfk_batch_writer_begin", err);
}

static void batch_close(struct kfk_batch_writer *w, struct batches *b,
                        size_t start)
{
	kfk_err err = kfk_batch_writer_finish(w, NULL, -1, NULL);
	if (err)
		die("kfk_batch_writer_finish", err);
	b->start[b->count++] = start;
}

/* Encodes every record of d into b, closing a batch when the next record
 * would take it over batch_bytes. */
static void encode_all(const struct dataset *d, size_t batch_bytes,
                       struct batches *b)
{
	struct kfk_batch_writer w;
	int64_t ts = 1700000000000;
	size_t start = 0;

	b->buf.len = 0;
	b->count = 0;
	batch_open(&w, &b->buf);
	for (long i = 0; i < d->n; i++) {
		const char *key = d->keys + i * d->key_size;
		const uint8_t *value = d->values + i * d->value_size;
		size_t sz = kfk_batch_writer_record_size(&w, ts + i, d->key_size,
		                                         d->value_size, NULL, 0);
		kfk_err err;

		if (kfk_batch_writer_count(&w) > 0 &&
		    b->buf.len - start + sz > batch_bytes) {
			batch_close(&w, b, start);
			start = b->buf.len;
			batch_open(&w, &b->buf);
		}
		err = kfk_batch_writer_append(&w, ts + i, key, d->key_size, value,
		                              d->value_size, NULL, 0);
		if (err)
			die("kfk_batch_writer_append", err);
	}
	batch_close(&w, b, start);
}

/* ------------------------------------------------------------- decode */

/* Frames, parses (with CRC check unless flags say not) and iterates every
 * record of the record set; returns the number of records. */
static long decode_all(const struct batches *b, unsigned flags)
{
	struct kfk_recset rs;
	struct kfk_recset_entry e;
	uint64_t acc = 0;
	long n = 0;
	int rc;

	kfk_recset_init(&rs, b->buf.data, b->buf.len);
	while ((rc = kfk_recset_next(&rs, &e)) == 1) {
		struct kfk_batch batch;
		struct kfk_record_iter it;
		struct kfk_record r;
		kfk_err err = kfk_batch_parse(e.data, e.size, flags, &batch);

		if (err)
			die("kfk_batch_parse", err);
		if ((err = kfk_record_iter_init(&it, &batch, NULL, 0)))
			die("kfk_record_iter_init", err);
		while ((rc = kfk_record_iter_next(&it, &r)) == 1) {
			acc += (uint64_t)r.offset + (uint64_t)r.value_len +
			       r.value[0] + (uint64_t)r.key_len;
			n++;
		}
		if (rc < 0)
			die("kfk_record_iter_next", rc);
		kfk_record_iter_destroy(&it);
	}
	if (rc < 0)
		die("kfk_recset_next", rc);
	sink += acc;
	return n;
}

/* ---------------------------------------------------------- reporting */

static void header(void)
{
	printf("%-34s %12s %12s\n", "", "ns/record", "throughput");
}

/* One line: the median of t[] (ns for `records` records of `bytes`). */
static void report(const char *what, double *t, int reps, long records,
                   double bytes)
{
	double ns = median(t, reps);
	double rate = bytes / ns; /* bytes per ns = GB/s */
	if (rate >= 1)
		printf("%-34s %12.1f %9.2f GB/s\n", what, ns / (double)records,
		       rate);
	else
		printf("%-34s %12.1f %9.1f MB/s\n", what, ns / (double)records,
		       rate * 1000);
}

/* --------------------------------------------------------------- runs */

static void bench_codec_path(const struct params *p, const struct dataset *d,
                             struct batches *b)
{
	double t_enc[MAX_REPS], t_dec[MAX_REPS], t_dec_nocrc[MAX_REPS];
	double bytes = (double)d->n * (d->key_size + d->value_size);

	for (int r = 0; r < p->reps; r++) {
		double t0 = now_ns();
		encode_all(d, p->batch_bytes, b);
		t_enc[r] = now_ns() - t0;
		t0 = now_ns();
		if (decode_all(b, 0) != d->n)
			die("decode count", KFK_ERR__FAIL);
		t_dec[r] = now_ns() - t0;
		t0 = now_ns();
		decode_all(b, KFK_BATCH_PARSE_NO_CRC);
		t_dec_nocrc[r] = now_ns() - t0;
	}
	printf("%ld records, key %d B, value %d B: %ld batches, %.1f MiB "
	       "(%.1f B/record on the wire)\n\n",
	       d->n, d->key_size, d->value_size, b->count,
	       (double)b->buf.len / 1048576, (double)b->buf.len / (double)d->n);
	header();
	report("encode (batch writer)", t_enc, p->reps, d->n, bytes);
	report("decode (frame+CRC+iterate)", t_dec, p->reps, d->n, bytes);
	report("decode without CRC check", t_dec_nocrc, p->reps, d->n, bytes);
}

typedef uint32_t (*crc_fn)(uint32_t, const void *, size_t);

/* CRC over the values one 100-byte record at a time, and over whole
 * batches. */
static void bench_crc(const struct params *p, const struct dataset *d,
                      const struct batches *b, const char *name, crc_fn fn)
{
	double t_small[MAX_REPS], t_block[MAX_REPS];
	char what[64];
	uint32_t acc = 0;

	for (int r = 0; r < p->reps; r++) {
		double t0 = now_ns();
		for (long i = 0; i < d->n; i++)
			acc ^= fn(0, d->values + i * d->value_size,
			          (size_t)d->value_size);
		t_small[r] = now_ns() - t0;
		t0 = now_ns();
		acc ^= fn(0, b->buf.data, b->buf.len);
		t_block[r] = now_ns() - t0;
	}
	sink += acc;
	snprintf(what, sizeof what, "crc32c %s, %d B calls", name,
	         d->value_size);
	report(what, t_small, p->reps, d->n, (double)d->n * d->value_size);
	snprintf(what, sizeof what, "crc32c %s, whole batches", name);
	/* per record: the batch bytes one record takes */
	report(what, t_block, p->reps, d->n, (double)b->buf.len);
}

/* Compresses the records section of each batch (as the writer would) and
 * decompresses it again. */
static void bench_codec(const struct params *p, const struct batches *b,
                        long nbatches, long nrecords, int codec)
{
	double t_c[MAX_REPS], t_d[MAX_REPS], in_bytes = 0, out_bytes = 0;
	char what[64];

	for (int r = 0; r < p->reps; r++) {
		double tc = 0, td = 0;
		in_bytes = out_bytes = 0;
		for (long i = 0; i < nbatches; i++) {
			const uint8_t *recs = b->buf.data + b->start[i] +
			                      KFK_BATCH_HEADER_SIZE;
			size_t end = i + 1 < b->count ? b->start[i + 1] : b->buf.len;
			size_t len = end - b->start[i] - KFK_BATCH_HEADER_SIZE;
			void *z, *back;
			size_t zlen, blen;
			double t0 = now_ns();
			kfk_err err = kfk_codec_compress(codec, -1, recs, len, &z,
			                                 &zlen);
			double t1 = now_ns();
			if (err)
				die("kfk_codec_compress", err);
			err = kfk_codec_decompress(codec, z, zlen, len, &back, &blen);
			td += now_ns() - t1;
			tc += t1 - t0;
			if (err || blen != len)
				die("kfk_codec_decompress", err);
			in_bytes += (double)len;
			out_bytes += (double)zlen;
			free(z);
			free(back);
		}
		t_c[r] = tc;
		t_d[r] = td;
	}
	snprintf(what, sizeof what, "%s compress (ratio %.2f)",
	         kfk_codec_name(codec), in_bytes / out_bytes);
	report(what, t_c, p->reps, nrecords, in_bytes);
	snprintf(what, sizeof what, "%s decompress", kfk_codec_name(codec));
	report(what, t_d, p->reps, nrecords, in_bytes);
}

static void usage(void)
{
	fprintf(stderr, "usage: proto_bench [-n records] [-s value bytes] "
	                "[-b batch bytes] [-r reps] [-c codec records] [-w]\n");
	exit(2);
}

static void parse_args(int argc, char **argv, struct params *p)
{
	int c;

	while ((c = getopt(argc, argv, "n:s:b:r:c:w")) != -1) {
		switch (c) {
		case 'n': p->records = atol(optarg); break;
		case 's': p->value_size = atoi(optarg); break;
		case 'b': p->batch_bytes = (size_t)atol(optarg); break;
		case 'r': p->reps = atoi(optarg); break;
		case 'c': p->codec_records = atol(optarg); break;
		case 'w': bench_clock = CLOCK_MONOTONIC; break;
		default: usage();
		}
	}
	if (p->records < 1 || p->value_size < 1 || p->batch_bytes < 256 ||
	    p->reps < 1 || p->reps > MAX_REPS || p->codec_records < 1)
		usage();
}

int main(int argc, char **argv)
{
	struct params p = { 1000000, 100, 16384, 5, 200000 };
	struct dataset d;
	struct batches b = { { 0 }, NULL, 0 };
	long nb = 0, nr = 0;

	parse_args(argc, argv, &p);
	make_dataset(&d, p.records, p.value_size);
	b.start = malloc(sizeof *b.start * (size_t)(p.records + 1));
	if (!b.start)
		die("malloc", KFK_ERR__NO_MEMORY);
	printf("proto_bench: median of %d runs, %s time\n", p.reps,
	       bench_clock == CLOCK_MONOTONIC ? "wall-clock" : "CPU");
	bench_codec_path(&p, &d, &b);
	if (kfk_crc32c_hw_available())
		bench_crc(&p, &d, &b, "hardware", kfk_crc32c_hw);
	else
		printf("crc32c hardware: not available on this CPU\n");
	bench_crc(&p, &d, &b, "table", kfk_crc32c_sw);
	/* Codecs on the first batches that hold codec_records records. */
	while (nb < b.count && nr < p.codec_records) {
		struct kfk_batch batch;
		size_t end = nb + 1 < b.count ? b.start[nb + 1] : b.buf.len;
		if (kfk_batch_parse(b.buf.data + b.start[nb], end - b.start[nb],
		                    0, &batch))
			die("kfk_batch_parse", KFK_ERR__FAIL);
		nr += batch.record_count;
		nb++;
	}
	printf("\ncodecs at their default level, on the records of %ld "
	       "batches (%ld records):\n", nb, nr);
	for (int codec = KFK_CODEC_GZIP; codec <= KFK_CODEC_ZSTD; codec++)
		bench_codec(&p, &b, nb, nr, codec);
	kfk_batch_buf_free(&b.buf);
	free(b.start);
	free(d.keys);
	free(d.values);
	return sink == 42 ? 1 : 0;
}
