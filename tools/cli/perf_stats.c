/*
 * tools/cli/perf_stats.c: the producer benchmarks' shared workload and
 * measurements (see perf_stats.h): options, payload, keys, the latency
 * histogram, the produce loop with its pacing, the progress line and the
 * final summary or JSON line. Compiled into `kfk` and into the librdkafka
 * twin, so it uses neither library.
 */
#include "config.h"

#include "perf_stats.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define PERF_POOL_LEN (1u << 20)
#define PERF_ERRORS_SHOWN 5
#define PERF_DEFAULT_QUEUE 100000 /* both clients' queue.buffering.max.messages */

/* ---- options ---------------------------------------------------------- */

static const char perf_usage[] =
	" -b BROKERS -t TOPIC [options]\n"
	"Sends COUNT records as fast as the producer takes them (or at --rate)\n"
	"and measures throughput, CPU, memory and produce-to-report latency.\n"
	"  -b, --bootstrap-server LIST  brokers (host:port,...)\n"
	"  -t, --topic TOPIC            the topic\n"
	"  -c, --count N                records to send (default 1000000)\n"
	"  -s, --size BYTES             value size (default 100)\n"
	"  --payload random|fixed       text-like random values (default) or 'x's\n"
	"  -k, --keys N                 keys key-0..key-<N-1> (default: null keys)\n"
	"  --rate N                     at most N records/s (default: no limit)\n"
	"  -X NAME=VALUE                any producer property (repeatable)\n"
	"  -F FILE                      properties file\n"
	"  --json                       one JSON line on stdout instead of a summary\n"
	"  -q, --quiet                  no progress lines on stderr\n";

static const char perf_consume_usage[] =
	" -b BROKERS -t TOPIC --partitions N [options]\n"
	"Reads COUNT records from the beginning of the topic's partitions 0..N-1\n"
	"(or until each partition's end) and measures throughput, CPU and memory.\n"
	"  -b, --bootstrap-server LIST  brokers (host:port,...)\n"
	"  -t, --topic TOPIC            the topic\n"
	"  --partitions N               read partitions 0..N-1 (required)\n"
	"  -c, --count N                records to read (default 1000000)\n"
	"  --stall-ms N                 a slow application: wait N ms after\n"
	"                               assigning before the first poll (peak RSS\n"
	"                               then shows fetch.buffer.memory holding)\n"
	"  -X NAME=VALUE                any consumer property (repeatable)\n"
	"  -F FILE                      properties file\n"
	"  --json                       one JSON line on stdout instead of a summary\n"
	"  -q, --quiet                  no progress lines on stderr\n";

static void perf_usage_print(FILE *f, const char *prog, int consume)
{
	fprintf(f, "usage: %s%s", prog, consume ? perf_consume_usage : perf_usage);
}

static void perf_err(const char *prog, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void perf_err(const char *prog, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Keeps one -X (split at '=') or -F argument; -1 when malformed. */
static int perf_opts_add_prop(struct perf_opts *o, char kind, const char *arg)
{
	struct perf_prop *pr = &o->props[o->prop_cnt];
	char *eq;

	pr->own = strdup(arg);
	if (!pr->own)
		return -1;
	o->prop_cnt++;
	pr->kind = kind;
	pr->name = pr->own;
	pr->value = NULL;
	if (kind == 'F')
		return 0;
	eq = strchr(pr->own, '=');
	if (!eq || eq == pr->own)
		return -1;
	*eq = '\0';
	pr->value = eq + 1;
	return 0;
}

static int perf_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

enum { OPT_PAYLOAD = 256, OPT_RATE, OPT_JSON, OPT_PARTITIONS, OPT_STALL };

/* Whether option c belongs to the benchmark o is parsed for: the workload
 * options are the producer's, the partition count the consumer's. */
static int perf_opt_fits(const struct perf_opts *o, int c)
{
	int producer_only = c == 's' || c == 'k' || c == OPT_PAYLOAD ||
	                    c == OPT_RATE;

	return o->consume ? !producer_only
	                  : c != OPT_PARTITIONS && c != OPT_STALL;
}

/* Applies one option c; -1 on a bad value (message printed). */
static int perf_opt(struct perf_opts *o, const char *prog, int c,
                    const char *arg)
{
	long v;

	if (!perf_opt_fits(o, c))
		c = '?';
	switch (c) {
	case 'b': o->brokers = arg; return 0;
	case 't': o->topic = arg; return 0;
	case 'c':
		if (perf_long(arg, 1, LONG_MAX, &o->count))
			return perf_err(prog, "bad count '%s'", arg), -1;
		return 0;
	case 's':
		if (perf_long(arg, 0, PERF_POOL_LEN - 1, &v))
			return perf_err(prog, "bad size '%s' (0..1048575)", arg), -1;
		o->size = (size_t)v;
		return 0;
	case 'k':
		if (perf_long(arg, 1, LONG_MAX, &o->nkeys))
			return perf_err(prog, "bad key count '%s'", arg), -1;
		return 0;
	case OPT_RATE:
		if (perf_long(arg, 1, LONG_MAX, &o->rate))
			return perf_err(prog, "bad rate '%s'", arg), -1;
		return 0;
	case OPT_PAYLOAD:
		if (strcmp(arg, "random") && strcmp(arg, "fixed"))
			return perf_err(prog, "bad payload '%s' (random|fixed)", arg), -1;
		o->payload_random = !strcmp(arg, "random");
		return 0;
	case 'X':
	case 'F':
		if (perf_opts_add_prop(o, (char)c, arg))
			return perf_err(prog, "expected name=value, got '%s'", arg), -1;
		return 0;
	case OPT_PARTITIONS:
		if (perf_long(arg, 1, INT32_MAX, &o->partitions))
			return perf_err(prog, "bad partition count '%s'", arg), -1;
		return 0;
	case OPT_STALL:
		if (perf_long(arg, 0, 3600000, &o->stall_ms))
			return perf_err(prog, "bad stall '%s' (ms)", arg), -1;
		return 0;
	case OPT_JSON: o->json = 1; return 0;
	case 'q': o->quiet = 1; return 0;
	}
	perf_usage_print(stderr, prog, o->consume);
	return -1;
}

/* Parses for the producer (consume 0) or the consumer benchmark. */
static int perf_opts_parse_as(struct perf_opts *o, const char *prog,
                              int argc, char **argv, int consume)
{
	static const struct option longopts[] = {
		{"bootstrap-server", required_argument, NULL, 'b'},
		{"topic", required_argument, NULL, 't'},
		{"count", required_argument, NULL, 'c'},
		{"size", required_argument, NULL, 's'},
		{"keys", required_argument, NULL, 'k'},
		{"payload", required_argument, NULL, OPT_PAYLOAD},
		{"rate", required_argument, NULL, OPT_RATE},
		{"partitions", required_argument, NULL, OPT_PARTITIONS},
		{"stall-ms", required_argument, NULL, OPT_STALL},
		{"json", no_argument, NULL, OPT_JSON},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	int c;

	memset(o, 0, sizeof(*o));
	o->consume = consume;
	o->count = 1000000;
	o->size = 100;
	o->payload_random = 1;
	o->props = calloc((size_t)argc + 1, sizeof(*o->props));
	if (!o->props)
		return perf_err(prog, "%s", "out of memory"), -1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "b:t:c:s:k:X:F:qh", longopts,
	                        NULL)) != -1) {
		if (c == 'h') {
			perf_usage_print(stdout, prog, consume);
			return 1;
		}
		if (perf_opt(o, prog, c, optarg))
			return -1;
	}
	if (optind < argc)
		return perf_err(prog, "unexpected argument '%s'", argv[optind]), -1;
	if (!o->brokers || !o->topic)
		return perf_err(prog, "%s", "-b and -t are required"), -1;
	if (consume && !o->partitions)
		return perf_err(prog, "%s", "--partitions is required"), -1;
	return 0;
}

int perf_opts_parse(struct perf_opts *o, const char *prog, int argc,
                    char **argv)
{
	return perf_opts_parse_as(o, prog, argc, argv, 0);
}

int perf_opts_parse_consume(struct perf_opts *o, const char *prog, int argc,
                            char **argv)
{
	return perf_opts_parse_as(o, prog, argc, argv, 1);
}

void perf_opts_free(struct perf_opts *o)
{
	size_t i;

	for (i = 0; i < o->prop_cnt; i++)
		free(o->props[i].own);
	free(o->props);
	o->props = NULL;
	o->prop_cnt = 0;
}

static char *perf_trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Splits one properties line; 1 for a blank or comment line, -1 when it
 * has no separator. */
static int perf_props_line(char *line, char **name, char **value)
{
	char *s = perf_trim(line), *sep;

	if (!*s || *s == '#' || *s == '!')
		return 1;
	sep = s + strcspn(s, "=:");
	if (!*sep || sep == s)
		return -1;
	*sep = '\0';
	*name = perf_trim(s);
	*value = perf_trim(sep + 1);
	return 0;
}

int perf_props_file(const char *path,
                    int (*set)(void *ctx, const char *name, const char *value),
                    void *ctx, char *err, size_t err_size)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, *name, *value;
	size_t cap = 0;
	int rc = 0, lineno = 0, r;

	if (!f) {
		snprintf(err, err_size, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (!rc && getline(&line, &cap, f) >= 0) {
		lineno++;
		r = perf_props_line(line, &name, &value);
		if (r < 0) {
			snprintf(err, err_size, "%s:%d: expected name=value", path,
			         lineno);
			rc = -1;
		} else if (r == 0) {
			rc = set(ctx, name, value);
		}
	}
	free(line);
	fclose(f);
	return rc;
}

/* ---- payload and keys ------------------------------------------------- */

int perf_payload_init(struct perf_payload *pl, int random, size_t size)
{
	uint64_t x = 42;
	size_t i;

	memset(pl, 0, sizeof(*pl));
	pl->random = random;
	pl->size = size;
	pl->pool_len = random ? PERF_POOL_LEN : size;
	if (random && size >= pl->pool_len)
		return -1;
	pl->pool = malloc(pl->pool_len ? pl->pool_len : 1);
	if (!pl->pool)
		return -1;
	if (!random) {
		memset(pl->pool, 'x', size);
		return 0;
	}
	for (i = 0; i < pl->pool_len; i++) {
		/* xorshift64* */
		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		pl->pool[i] = (char)('a' + (x * 0x2545F4914F6CDD1DULL) % 26);
	}
	return 0;
}

void perf_payload_free(struct perf_payload *pl)
{
	free(pl->pool);
	pl->pool = NULL;
}

const char *perf_payload_value(const struct perf_payload *pl, uint64_t i)
{
	if (!pl->random)
		return pl->pool;
	return pl->pool + (i * 7919) % (pl->pool_len - pl->size);
}

size_t perf_key(char *buf, uint64_t i, long nkeys)
{
	char digits[24];
	uint64_t k = i % (uint64_t)nkeys;
	size_t n = 0, len;

	do {
		digits[n++] = (char)('0' + k % 10);
		k /= 10;
	} while (k);
	memcpy(buf, "key-", 4);
	for (len = 4; n; len++)
		buf[len] = digits[--n];
	return len;
}

/* The length of record i's key, without writing it. */
static size_t perf_key_len(uint64_t i, long nkeys)
{
	uint64_t k;
	size_t len = 5;

	if (!nkeys)
		return 0;
	for (k = i % (uint64_t)nkeys; k >= 10; k /= 10)
		len++;
	return len;
}

/* ---- latency histogram ------------------------------------------------ */

/* Below 128 us one bucket per us; above, 64 buckets per power of two. */
#define PERF_HIST_LINEAR 128
#define PERF_HIST_SUB_BITS 6

unsigned perf_hist_index(uint64_t us)
{
	unsigned msb, shift;

	if (us > PERF_HIST_MAX_US)
		us = PERF_HIST_MAX_US;
	if (us < PERF_HIST_LINEAR)
		return (unsigned)us;
	msb = 63u - (unsigned)__builtin_clzll(us);
	shift = msb - PERF_HIST_SUB_BITS;
	return PERF_HIST_LINEAR + (msb - 7) * (1u << PERF_HIST_SUB_BITS) +
	       (unsigned)((us >> shift) - (1u << PERF_HIST_SUB_BITS));
}

double perf_hist_value(unsigned idx)
{
	unsigned k, msb, sub;
	double lo, width;

	if (idx < PERF_HIST_LINEAR)
		return idx;
	k = idx - PERF_HIST_LINEAR;
	msb = 7 + (k >> PERF_HIST_SUB_BITS);
	sub = (k & ((1u << PERF_HIST_SUB_BITS) - 1)) + (1u << PERF_HIST_SUB_BITS);
	width = (double)(1ULL << (msb - PERF_HIST_SUB_BITS));
	lo = sub * width;
	return lo + (width - 1) / 2;
}

void perf_hist_reset(struct perf_hist *h)
{
	memset(h, 0, sizeof(*h));
}

void perf_hist_add(struct perf_hist *h, uint64_t us)
{
	h->b[perf_hist_index(us)]++;
	h->count++;
	h->sum_us += us;
	if (us > h->max_us)
		h->max_us = us;
}

double perf_hist_quantile(const struct perf_hist *h, double p)
{
	uint64_t rank, seen = 0;
	unsigned i;
	double v;

	if (!h->count)
		return 0;
	rank = (uint64_t)ceil(p * (double)h->count);
	if (rank < 1)
		rank = 1;
	for (i = 0; i < PERF_HIST_BUCKETS; i++) {
		seen += h->b[i];
		if (seen >= rank)
			break;
	}
	v = perf_hist_value(i < PERF_HIST_BUCKETS ? i : PERF_HIST_BUCKETS - 1);
	return v > (double)h->max_us ? (double)h->max_us : v;
}

double perf_hist_avg(const struct perf_hist *h)
{
	return h->count ? (double)h->sum_us / (double)h->count : 0;
}

/* ---- a run ------------------------------------------------------------ */

struct perf_run {
	const struct perf_opts *o;
	const char *prog;
	struct perf_payload pl;
	int64_t *sent_ns;        /* send time of record i at [i & ring_mask]; 0: free */
	uint64_t ring_mask;
	struct perf_hist lat, tick_lat; /* whole run; the current second */
	/* failed counts refusals by produce and failed reports */
	uint64_t produced, reported, delivered, failed, bytes;
	uint64_t tick_delivered, tick_bytes;
	int64_t t_first, t_last, t_tick, t_next_tick;
	int errors_shown;
	struct rusage ru0;
};

static int64_t perf_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The send-time ring holds every record between its produce call and its
 * report, so it needs at least the client's queue limit; twice that (from
 * -X queue.buffering.max.messages, else both clients' default) keeps the
 * driver from ever waiting on it while reports come out of order
 * across partitions. A busy slot makes the driver poll, as a full queue
 * does. */
static uint64_t perf_ring_size(const struct perf_opts *o)
{
	long limit = PERF_DEFAULT_QUEUE, v;
	uint64_t n = 1024;
	size_t i;

	for (i = 0; i < o->prop_cnt; i++)
		if (o->props[i].kind == 'X' &&
		    !strcmp(o->props[i].name, "queue.buffering.max.messages") &&
		    !perf_long(o->props[i].value, 1, 1L << 30, &v))
			limit = v;
	while (n < 2 * (uint64_t)limit && n < (uint64_t)o->count)
		n <<= 1;
	return n;
}

struct perf_run *perf_run_new(const struct perf_opts *o, const char *prog)
{
	struct perf_run *r = calloc(1, sizeof(*r));
	uint64_t n = perf_ring_size(o);

	if (!r)
		goto oom;
	r->o = o;
	r->prog = prog;
	r->ring_mask = n - 1;
	r->sent_ns = calloc(n, sizeof(*r->sent_ns));
	if (!r->sent_ns || perf_payload_init(&r->pl, o->payload_random, o->size))
		goto oom;
	getrusage(RUSAGE_SELF, &r->ru0);
	return r;
oom:
	perf_err(prog, "%s", "out of memory");
	perf_run_destroy(r);
	return NULL;
}

void perf_run_destroy(struct perf_run *r)
{
	if (!r)
		return;
	perf_payload_free(&r->pl);
	free(r->sent_ns);
	free(r);
}

static void perf_note_failure(struct perf_run *r, uint64_t i, const char *why)
{
	r->failed++;
	if (r->errors_shown > PERF_ERRORS_SHOWN)
		return;
	if (r->errors_shown++ == PERF_ERRORS_SHOWN)
		fprintf(stderr, "%s: further failures not shown\n", r->prog);
	else
		fprintf(stderr, "%s: record %llu failed: %s\n", r->prog,
		        (unsigned long long)i, why);
}

void perf_report(struct perf_run *r, void *opaque, const char *errstr)
{
	uint64_t i = (uint64_t)(uintptr_t)opaque;
	int64_t *slot = &r->sent_ns[i & r->ring_mask];
	int64_t now = perf_now_ns();
	uint64_t us, b;

	us = *slot && now > *slot ? (uint64_t)(now - *slot) / 1000 : 0;
	*slot = 0;
	r->t_last = now;
	r->reported++;
	if (errstr) {
		perf_note_failure(r, i, errstr);
		return;
	}
	b = r->o->size + perf_key_len(i, r->o->nkeys);
	r->delivered++;
	r->bytes += b;
	r->tick_delivered++;
	r->tick_bytes += b;
	perf_hist_add(&r->lat, us);
	perf_hist_add(&r->tick_lat, us);
}

/* Moves the progress clock past a line printed at now: the lines stay on
 * whole seconds unless the loop fell far behind. */
static void perf_next_tick(int64_t *t_tick, int64_t *t_next_tick, int64_t now)
{
	*t_tick = now;
	*t_next_tick += 1000000000;
	if (*t_next_tick <= now)
		*t_next_tick = now + 1000000000;
}

/* The progress line, once a second, with rates over that second. */
static void perf_tick(struct perf_run *r, int64_t now)
{
	double secs;

	if (now < r->t_next_tick)
		return;
	secs = (double)(now - r->t_tick) / 1e9;
	if (!r->o->quiet)
		fprintf(stderr,
		        "%6.1fs %8llu rec %8.0f rec/s %6.1f MB/s  in-flight %6llu  "
		        "lat avg %.1f p50 %.1f p99 %.1f ms  errors %llu\n",
		        (double)(now - r->t_first) / 1e9,
		        (unsigned long long)r->delivered, r->tick_delivered / secs,
		        r->tick_bytes / secs / 1048576.0,
		        (unsigned long long)(r->produced - r->reported),
		        perf_hist_avg(&r->tick_lat) / 1e3,
		        perf_hist_quantile(&r->tick_lat, 0.50) / 1e3,
		        perf_hist_quantile(&r->tick_lat, 0.99) / 1e3,
		        (unsigned long long)r->failed);
	perf_next_tick(&r->t_tick, &r->t_next_tick, now);
	r->tick_delivered = r->tick_bytes = 0;
	perf_hist_reset(&r->tick_lat);
}

/* With --rate: how long until record i is due (0: now), in whole ms, at
 * least 1 when it is not due yet. */
static int perf_wait_ms(const struct perf_run *r, uint64_t i, int64_t t0,
                        int64_t now)
{
	double due;

	if (!r->o->rate)
		return 0;
	due = (double)t0 + (double)i * 1e9 / (double)r->o->rate;
	if ((double)now >= due)
		return 0;
	return (int)ceil((due - (double)now) / 1e6);
}

/* Sends record i; returns 1 when it was taken (accepted or failed for
 * good), 0 when the client's queue was full. */
static int perf_send(struct perf_run *r, const struct perf_client *c,
                     uint64_t i, int64_t now)
{
	char key[32], why[512];
	size_t key_len = r->o->nkeys ? perf_key(key, i, r->o->nkeys) : 0;
	int64_t *slot = &r->sent_ns[i & r->ring_mask];
	enum perf_produce_rc rc;

	*slot = now;
	why[0] = '\0';
	rc = c->produce(c->ctx, key_len ? key : NULL, key_len,
	                perf_payload_value(&r->pl, i), r->o->size,
	                (void *)(uintptr_t)i, why, sizeof(why));
	if (rc == PERF_PRODUCED) {
		r->produced++;
		return 1;
	}
	*slot = 0;
	if (rc == PERF_QUEUE_FULL)
		return 0;
	perf_note_failure(r, i, why);
	return 1;
}

void perf_run_drive(struct perf_run *r, const struct perf_client *c)
{
	uint64_t i = 0, count = (uint64_t)r->o->count;
	int64_t t0 = perf_now_ns(), now;
	int ms;

	r->t_first = r->t_tick = t0;
	r->t_next_tick = t0 + 1000000000;
	while (i < count) {
		now = perf_now_ns();
		perf_tick(r, now);
		if ((ms = perf_wait_ms(r, i, t0, now)) > 0) {
			c->poll(c->ctx, ms);
		} else if (r->sent_ns[i & r->ring_mask]) {
			c->poll(c->ctx, 10); /* its slot's record is still out */
		} else if (perf_send(r, c, i, now)) {
			i++;
			c->poll(c->ctx, 0);
		} else {
			c->poll(c->ctx, 10); /* queue full */
		}
	}
	while (r->reported < r->produced) {
		c->flush(c->ctx, 100);
		perf_tick(r, perf_now_ns());
	}
}

/* ---- results ---------------------------------------------------------- */

struct perf_result {
	const char *client, *version, *verb; /* verb: "delivered", "consumed" */
	uint64_t records, errors, bytes;
	double elapsed_s, rec_s, mb_s, cpu_user_s, cpu_sys_s;
	long max_rss_kb;
	int has_lat; /* the producer's: produce-to-report latency */
	double lat_avg_ms, lat_p50_ms, lat_p99_ms, lat_max_ms;
};

static double perf_tv_s(const struct timeval *a, const struct timeval *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	       (double)(b->tv_usec - a->tv_usec) / 1e6;
}

/* What both benchmarks measure: counts, rates over [t_first, t_last], CPU
 * since ru0 and the peak RSS. */
static void perf_result_base(struct perf_result *res, const struct rusage *ru0,
                             int64_t t_first, int64_t t_last)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	if (t_last > t_first)
		res->elapsed_s = (double)(t_last - t_first) / 1e9;
	if (res->elapsed_s > 0) {
		res->rec_s = (double)res->records / res->elapsed_s;
		res->mb_s = (double)res->bytes / 1048576.0 / res->elapsed_s;
	}
	res->cpu_user_s = perf_tv_s(&ru0->ru_utime, &ru.ru_utime);
	res->cpu_sys_s = perf_tv_s(&ru0->ru_stime, &ru.ru_stime);
	res->max_rss_kb = ru.ru_maxrss;
}

static void perf_result(const struct perf_run *r, const struct perf_client *c,
                        struct perf_result *res)
{
	memset(res, 0, sizeof(*res));
	res->client = c->name;
	res->version = c->version;
	res->verb = "delivered";
	res->records = r->delivered;
	res->errors = r->failed;
	res->bytes = r->bytes;
	perf_result_base(res, &r->ru0, r->t_first, r->t_last);
	res->has_lat = 1;
	res->lat_avg_ms = perf_hist_avg(&r->lat) / 1e3;
	res->lat_p50_ms = perf_hist_quantile(&r->lat, 0.50) / 1e3;
	res->lat_p99_ms = perf_hist_quantile(&r->lat, 0.99) / 1e3;
	res->lat_max_ms = (double)r->lat.max_us / 1e3;
}

/* Writes s as a JSON string body (quotes and backslashes escaped, control
 * characters dropped). */
static void perf_json_str(const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		if ((unsigned char)*s >= 0x20)
			putchar(*s);
	}
}

static double perf_us_per_record(const struct perf_result *res)
{
	return res->records ? (res->cpu_user_s + res->cpu_sys_s) * 1e6 /
	                      (double)res->records
	                    : 0.0;
}

static void perf_print_json(const struct perf_result *res)
{
	fputs("{\"client\":\"", stdout);
	perf_json_str(res->client);
	fputs("\",\"version\":\"", stdout);
	perf_json_str(res->version);
	printf("\",\"records\":%llu,\"errors\":%llu,\"bytes\":%llu,"
	       "\"elapsed_s\":%.3f,\"records_per_s\":%.1f,\"mb_per_s\":%.2f,"
	       "\"cpu_user_s\":%.3f,\"cpu_sys_s\":%.3f,\"max_rss_kb\":%ld",
	       (unsigned long long)res->records, (unsigned long long)res->errors,
	       (unsigned long long)res->bytes, res->elapsed_s, res->rec_s,
	       res->mb_s, res->cpu_user_s, res->cpu_sys_s, res->max_rss_kb);
	if (res->has_lat)
		printf(",\"lat_avg_ms\":%.3f,\"lat_p50_ms\":%.3f,"
		       "\"lat_p99_ms\":%.3f,\"lat_max_ms\":%.3f",
		       res->lat_avg_ms, res->lat_p50_ms, res->lat_p99_ms,
		       res->lat_max_ms);
	else
		printf(",\"us_per_record\":%.3f", perf_us_per_record(res));
	fputs("}\n", stdout);
}

static void perf_print_summary(const struct perf_result *res)
{
	printf("%s %s: %llu records %s, %llu errors, %.1f MB in %.3f s\n",
	       res->client, res->version, (unsigned long long)res->records,
	       res->verb, (unsigned long long)res->errors,
	       (double)res->bytes / 1048576.0, res->elapsed_s);
	printf("  throughput  %.0f rec/s  %.1f MB/s\n", res->rec_s, res->mb_s);
	printf("  cpu         user %.3f s  sys %.3f s  (%.2f us/record)\n",
	       res->cpu_user_s, res->cpu_sys_s, perf_us_per_record(res));
	printf("  memory      max rss %.1f MB\n", res->max_rss_kb / 1024.0);
	if (res->has_lat)
		printf("  latency     avg %.3f  p50 %.3f  p99 %.3f  max %.3f ms\n",
		       res->lat_avg_ms, res->lat_p50_ms, res->lat_p99_ms,
		       res->lat_max_ms);
}

static void perf_print(const struct perf_opts *o, const struct perf_result *res)
{
	if (o->json)
		perf_print_json(res);
	else
		perf_print_summary(res);
	fflush(stdout);
}

int perf_run_finish(struct perf_run *r, const struct perf_client *c)
{
	struct perf_result res;

	perf_result(r, c, &res);
	perf_print(r->o, &res);
	return r->failed ? 1 : 0;
}

/* ---- a consumer run --------------------------------------------------- */

void perf_meter_start(struct perf_meter *m, const struct perf_opts *o,
                      const char *prog)
{
	memset(m, 0, sizeof(*m));
	m->o = o;
	m->prog = prog;
	getrusage(RUSAGE_SELF, &m->ru0);
}

void perf_meter_begin(struct perf_meter *m)
{
	m->t_first = m->t_last = m->t_tick = perf_now_ns();
	m->t_next_tick = m->t_first + 1000000000;
}

void perf_meter_record(struct perf_meter *m, size_t bytes)
{
	m->records++;
	m->bytes += bytes;
	m->tick_records++;
	m->tick_bytes += bytes;
}

void perf_meter_error(struct perf_meter *m, const char *what)
{
	m->errors++;
	if (m->errors <= PERF_ERRORS_SHOWN)
		fprintf(stderr, "%s: %s\n", m->prog, what);
}

void perf_meter_tick(struct perf_meter *m)
{
	int64_t now = perf_now_ns();
	double secs;

	if (m->records != m->records_seen) { /* the end is the last record's batch */
		m->t_last = now;
		m->records_seen = m->records;
	}
	if (now < m->t_next_tick)
		return;
	secs = (double)(now - m->t_tick) / 1e9;
	if (!m->o->quiet)
		fprintf(stderr, "%6.1fs %8llu rec %8.0f rec/s %6.1f MB/s  errors %llu\n",
		        (double)(now - m->t_first) / 1e9,
		        (unsigned long long)m->records, m->tick_records / secs,
		        m->tick_bytes / secs / 1048576.0,
		        (unsigned long long)m->errors);
	perf_next_tick(&m->t_tick, &m->t_next_tick, now);
	m->tick_records = m->tick_bytes = 0;
}

int perf_meter_finish(struct perf_meter *m, const char *client,
                      const char *version)
{
	struct perf_result res;

	memset(&res, 0, sizeof(res));
	res.client = client;
	res.version = version;
	res.verb = "consumed";
	res.records = m->records;
	res.errors = m->errors;
	res.bytes = m->bytes;
	perf_result_base(&res, &m->ru0, m->t_first, m->t_last);
	perf_print(m->o, &res);
	return m->errors ? 1 : 0;
}
