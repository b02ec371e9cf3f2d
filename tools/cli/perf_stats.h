/*
 * tools/cli/perf_stats.h: the workload and the measurements of the producer
 * benchmarks, shared by `kfk perf produce` (tools/cli/perf.c) and its
 * librdkafka twin (bench/rdkafka_perf.c), so that both programs send the
 * same bytes, pace and poll the same way, and report numbers computed by
 * the same code.
 *
 * Nothing here knows a client library: a program describes its producer
 * with a struct perf_client (produce and poll functions), hands it to
 * perf_run_drive(), and forwards each delivery report to perf_report().
 * Everything runs on the application's one thread: the delivery callbacks
 * of both clients are called inside their poll functions, on the caller's
 * thread, so no lock is needed.
 */
#ifndef KFK_PERF_STATS_H
#define KFK_PERF_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>

/* ---- options ---------------------------------------------------------- */

/* One -X name=value (name and value split) or -F file, in command-line
 * order, for the program to apply to its client's configuration. */
struct perf_prop {
	char kind;          /* 'X' or 'F' */
	const char *name;   /* 'X': the property; 'F': the file path */
	const char *value;  /* 'X' only */
	char *own;          /* the storage of name and value */
};

struct perf_opts {
	const char *brokers;   /* -b (required) */
	const char *topic;     /* -t (required) */
	long count;            /* -c: records to send */
	size_t size;           /* -s: value bytes per record */
	int payload_random;    /* --payload random (1) or fixed (0) */
	long nkeys;            /* -k: keys "key-<i % nkeys>"; 0: null keys */
	long rate;             /* --rate: records/s at most; 0: unlimited */
	long stall_ms;         /* --stall-ms (consumer): wait before polling */
	int consume;           /* parsed for perf consume */
	long partitions;       /* --partitions (perf consume): 0..N-1 */
	int json, quiet;       /* --json, -q */
	struct perf_prop *props; /* prop_cnt entries; owned by the opts */
	size_t prop_cnt;
};

/* Parses `PROG [options]` (argv[0] is the subcommand's or program's name)
 * into o. prog names the program in messages ("kfk perf produce").
 * Returns 0, 1 when --help was printed (exit 0), or -1 on a usage error
 * (message printed; exit 2). Free o with perf_opts_free() in every case. */
int perf_opts_parse(struct perf_opts *o, const char *prog, int argc,
                    char **argv);
/* The same for the consumer benchmark: -b, -t, --partitions (required),
 * -c, -X, -F, --json, -q; the producer's workload options are refused. */
int perf_opts_parse_consume(struct perf_opts *o, const char *prog, int argc,
                            char **argv);
void perf_opts_free(struct perf_opts *o);

/* Reads a Java-style .properties file (name=value or name: value lines,
 * '#' and '!' comments) and calls set for each; stops at the first
 * non-zero return of set and returns it, or -1 (message in err) when the
 * file cannot be read or a line is malformed. For clients without a
 * loader of their own. */
int perf_props_file(const char *path,
                    int (*set)(void *ctx, const char *name, const char *value),
                    void *ctx, char *err, size_t err_size);

/* ---- payload ---------------------------------------------------------- */

/* The values: `random` is a 1 MiB pool of text-like bytes ('a'..'z' from
 * xorshift64* seeded with 42, so it compresses like real data) and record
 * i's value starts at pool + (i * 7919) % (pool_len - size); `fixed` is
 * size bytes of 'x' for every record. */
struct perf_payload {
	char *pool;
	size_t pool_len, size;
	int random;
};

/* Builds the pool; -1 when out of memory or size does not fit the pool. */
int perf_payload_init(struct perf_payload *pl, int random, size_t size);
void perf_payload_free(struct perf_payload *pl);

/* Record i's value (size bytes; not NUL-terminated). */
const char *perf_payload_value(const struct perf_payload *pl, uint64_t i);

/* Writes record i's key "key-<i % nkeys>" into buf (at least 32 bytes) and
 * returns its length (no NUL). */
size_t perf_key(char *buf, uint64_t i, long nkeys);

/* ---- latency histogram ------------------------------------------------ */

/* Log-linear over microseconds: exact below 128 us, then 64 buckets per
 * power of two (relative width 0.8-1.6%), up to PERF_HIST_MAX_US; larger
 * values land in the last bucket. avg and max are exact. */
#define PERF_HIST_MAX_US 120000000ULL
/* 128 exact ones, then 64 per power of two from 2^7 to 2^27 us (134 s) */
#define PERF_HIST_BUCKETS (128 + 20 * 64)

struct perf_hist {
	uint64_t count, sum_us, max_us;
	uint64_t b[PERF_HIST_BUCKETS];
};

void perf_hist_reset(struct perf_hist *h);
void perf_hist_add(struct perf_hist *h, uint64_t us);
/* The p-th quantile (0 < p <= 1) in us: the middle of the bucket holding
 * the ceil(p * count)-th value, never above max; 0 when empty. */
double perf_hist_quantile(const struct perf_hist *h, double p);
double perf_hist_avg(const struct perf_hist *h);

/* The bucket of us and the value a bucket stands for (its middle). */
unsigned perf_hist_index(uint64_t us);
double perf_hist_value(unsigned idx);

/* ---- a run ------------------------------------------------------------ */

/* What a program's produce function returns. */
enum perf_produce_rc {
	PERF_PRODUCED = 0, /* accepted: one report will follow */
	PERF_QUEUE_FULL,   /* the client's queue is full: poll, try again */
	PERF_FAILED        /* refused for good (errstr says why); no report */
};

/* A producer as the driver sees it. opaque must come back, untouched, in
 * the record's delivery report (passed on to perf_report()). */
struct perf_client {
	const char *name;      /* "kfk", "librdkafka" (in the JSON) */
	const char *version;
	void *ctx;
	enum perf_produce_rc (*produce)(void *ctx, const void *key,
	                                size_t key_len, const void *value,
	                                size_t value_len, void *opaque,
	                                char *errstr, size_t errstr_size);
	/* Serves delivery reports, waiting up to timeout_ms for the first. */
	void (*poll)(void *ctx, int timeout_ms);
	/* Sends what lingers and serves reports, for up to timeout_ms: the
	 * end of a run, once every record is produced (as the Java client's
	 * ProducerPerformance closes its producer), so the last batches do
	 * not wait out linger.ms inside the measured time. */
	void (*flush)(void *ctx, int timeout_ms);
};

struct perf_run; /* opaque */

/* Prepares a run of o (payload pool, send-time ring, histograms) and
 * takes the CPU reading the results are measured from: create the
 * producer right after. prog names the program in messages. NULL when
 * out of memory (message printed). */
struct perf_run *perf_run_new(const struct perf_opts *o, const char *prog);
void perf_run_destroy(struct perf_run *r);

/* Sends o->count records through c (pacing at o->rate, polling after each
 * record and on a full queue), prints a progress line a second on stderr
 * unless quiet, and returns once every accepted record has been reported.
 * The caller then flushes and destroys its producer. */
void perf_run_drive(struct perf_run *r, const struct perf_client *c);

/* One delivery report, from the client's delivery callback: opaque is the
 * record's, errstr NULL when it was delivered, else why it failed. */
void perf_report(struct perf_run *r, void *opaque, const char *errstr);

/* Takes the final CPU and RSS reading (call it after destroying the
 * producer) and prints the summary, or the JSON line with o->json, on
 * stdout. Returns the exit status: 1 when any record failed, else 0. */
int perf_run_finish(struct perf_run *r, const struct perf_client *c);

/* ---- a consumer run ---------------------------------------------------- */

/* The consumer benchmark's measurements: the program polls its consumer
 * and tells the meter of each record; the meter prints the progress lines
 * and the result in the producer benchmark's style (without latency, with
 * us_per_record in the JSON). Single-threaded, like the rest. */
struct perf_meter {
	const struct perf_opts *o;
	const char *prog;
	uint64_t records, bytes, errors, tick_records, tick_bytes, records_seen;
	int64_t t_first, t_last, t_tick, t_next_tick;
	struct rusage ru0;
};

/* Takes the CPU reading the results are measured from: create the
 * consumer right after. */
void perf_meter_start(struct perf_meter *m, const struct perf_opts *o,
                      const char *prog);
/* Starts the clock: call it just before the first poll. */
void perf_meter_begin(struct perf_meter *m);
/* One record of bytes (key and value) / one error (shown up to a few). */
void perf_meter_record(struct perf_meter *m, size_t bytes);
void perf_meter_error(struct perf_meter *m, const char *what);
/* After each poll: notes the time of the last record and prints the
 * progress line once a second unless quiet. */
void perf_meter_tick(struct perf_meter *m);
/* Takes the final CPU and RSS reading (call it after destroying the
 * consumer), prints the summary or the JSON line; returns the exit
 * status: 1 when any error came, else 0. */
int perf_meter_finish(struct perf_meter *m, const char *client,
                      const char *version);

#endif /* KFK_PERF_STATS_H */
