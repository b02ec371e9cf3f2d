/*
 * Helpers shared by the producer's integration tests (test_producer_*.c):
 * a producer on a mock cluster, delivery reports collected per record, and
 * reading a topic back with a client nobody here wrote (python3-kafka
 * through tests/integration/readback.py, or kcat).
 */
#ifndef KFK_TESTS_PRODUCER_UTIL_H
#define KFK_TESTS_PRODUCER_UTIL_H

#include <stdbool.h>
#include <stdint.h>

#include <kfk/kfk.h>

/* How long anything that should happen may take before a test fails:
 * generous for sanitizer builds on a shared machine. */
#define PT_WAIT_MS 60000

/* Reports of records 0..n-1, produced with opaque = pt_id(i). */
struct pt_reports {
	int n;
	int *count;        /* reports per record: must end at exactly 1 */
	kfk_err *err;
	int32_t *partition;
	int64_t *offset;
	int64_t *timestamp;
	int64_t *at_ms;    /* when the report was served (kt_now_ms) */
	int total;
	int bad_opaque;    /* reports whose opaque names no record */
};

static inline void *pt_id(int i)
{
	return (void *)(intptr_t)(i + 1);
}

/* Allocates reports for n records (the test fails when out of memory). */
void pt_reports_init(struct pt_reports *r, int n);
void pt_reports_free(struct pt_reports *r);

/* The delivery callback; its opaque (the conf's) is a struct pt_reports. */
void pt_delivery_cb(kfk_producer *p, const kfk_delivery *d, void *opaque);

/* A producer on bootstrap with the delivery callback filling r, and
 * properties given as name, value, ..., NULL. KFK_TEST_DEBUG in the
 * environment sets `debug`. */
kfk_producer *pt_producer(const char *bootstrap, struct pt_reports *r, ...)
	__attribute__((sentinel));

/* The same with a log callback, which gets r as its opaque too: a test
 * that watches the log embeds r first in a struct of its own. */
kfk_producer *pt_producer_logged(const char *bootstrap, struct pt_reports *r,
                                 kfk_log_cb *log_cb, ...)
	__attribute__((sentinel));

/* Serves reports until r->total reaches want or timeout_ms passes;
 * returns r->total. */
int pt_wait_reports(kfk_producer *p, struct pt_reports *r, int want,
                    int timeout_ms);

/* One record read back. */
struct pt_rec {
	int32_t partition;
	int64_t offset;
	int64_t timestamp;
	char *key;      /* NULL for a null key; decoded bytes, NUL added */
	int key_len;
	char *value;
	int value_len;
	char *headers;  /* readback.py's header field, as printed */
};

struct pt_topic {
	struct pt_rec *v;
	int n;
};

/* Reads topic (partitions 0..nparts-1) with python3-kafka. Returns 0, or
 * -1 when python3-kafka is missing (the caller skips), or fails the test
 * when the reader fails or times out. */
int pt_readback_python(const char *bootstrap, const char *topic, int nparts,
                       struct pt_topic *out);

/* The same with kcat (-C -e), all partitions; ends the running test with
 * kt_skip() when kcat is missing. Headers are not read back this way. */
int pt_readback_kcat(const char *bootstrap, const char *topic,
                     struct pt_topic *out);

void pt_topic_free(struct pt_topic *t);

/* Runs the shell command cmd and reads every line it prints in
 * readback.py's format (also the Java peer's, tests/interop, with tabs)
 * into out; fails the test on a malformed line. Returns cmd's exit status
 * (128 + the signal when one ended it). */
int pt_readback_cmd(const char *cmd, struct pt_topic *out);

/* 1 when python can import module (e.g. "lz4", "snappy", "zstandard"). */
bool pt_python_has(const char *module);

#endif /* KFK_TESTS_PRODUCER_UTIL_H */
