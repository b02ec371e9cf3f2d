/*
 * test_producer_idem: the idempotent producer against the mock cluster.
 *
 * The mock stores every batch it is sent: it checks and de-duplicates
 * sequence numbers only for transactional producers. So these tests read
 * each partition back batch by batch (batchread.h) and check what the
 * producer stamped: per producer id and epoch, base sequences start at 0
 * and continue without a gap; a batch the mock stored again (a request that
 * timed out or lost its connection after the mock had written it) must be
 * an exact re-send (same epoch, base sequence and records), which is what
 * a real broker drops. After dropping those, the records must be exactly
 * the records produced, each once, in produce order per partition.
 */
#include "config.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kfk/kfk.h>

#include "../kt.h"
#include "../mock.h"
#include "batchread.h"
#include "test_producer_util.h"

/* Kafka protocol error codes the tests inject. */
#define E_NOT_LEADER 6
#define E_REQUEST_TIMED_OUT 7
#define E_NETWORK_EXCEPTION 13
#define E_OUT_OF_ORDER 45
#define E_DUPLICATE_SEQ 46
#define E_INVALID_EPOCH 47
#define E_UNKNOWN_PRODUCER_ID 59
#define E_PRODUCER_FENCED 90

/* What a test's producer tells it: reports (first: the delivery callback
 * takes the conf's opaque as a struct pt_reports), the log, the error
 * callback. */
struct ictx {
	struct pt_reports r;
	pthread_mutex_t lock;
	char *log;
	size_t log_len, log_cap;
	int fatal_calls;
	kfk_err fatal_cb_err;
	char fatal_reason[512];
};

static void ictx_init(struct ictx *c, int n)
{
	memset(c, 0, sizeof(*c));
	pt_reports_init(&c->r, n);
	pthread_mutex_init(&c->lock, NULL);
}

static void ictx_free(struct ictx *c)
{
	pt_reports_free(&c->r);
	pthread_mutex_destroy(&c->lock);
	free(c->log);
}

/* Keeps every log line (up to 16 MB): the tests look for what the eos and
 * producer debug contexts said. Any thread. */
static void log_cb(void *opaque, int level, const char *fac, const char *msg)
{
	struct ictx *c = opaque;
	size_t n = strlen(fac) + strlen(msg) + 3;

	(void)level;
	if (getenv("KFK_TEST_VERBOSE"))
		fprintf(stderr, "%s %s\n", fac, msg);
	pthread_mutex_lock(&c->lock);
	if (c->log_len + n + 1 > c->log_cap && c->log_cap < (16u << 20)) {
		size_t cap = c->log_cap ? c->log_cap * 2 : 65536;
		char *p = realloc(c->log, cap);
		if (p) {
			c->log = p;
			c->log_cap = cap;
		}
	}
	if (c->log_len + n + 1 <= c->log_cap)
		c->log_len += (size_t)snprintf(c->log + c->log_len,
		                               c->log_cap - c->log_len,
		                               "%s %s\n", fac, msg);
	pthread_mutex_unlock(&c->lock);
}

static bool logged(struct ictx *c, const char *needle)
{
	bool found;

	pthread_mutex_lock(&c->lock);
	found = c->log && strstr(c->log, needle) != NULL;
	pthread_mutex_unlock(&c->lock);
	return found;
}

static void error_cb(void *opaque, const kfk_error *error)
{
	struct ictx *c = opaque;

	c->fatal_calls += kfk_error_is_fatal(error);
	c->fatal_cb_err = kfk_error_code(error);
	snprintf(c->fatal_reason, sizeof(c->fatal_reason), "%s",
	         kfk_error_string(error));
}

/* A producer with properties name, value, ..., NULL; NULL with the
 * library's message in err when it refuses them. */
static kfk_producer *vnew(const char *bs, struct ictx *c, char *err,
                          size_t errlen, va_list ap)
{
	kfk_conf *conf = kfk_conf_new();
	kfk_producer *p;
	const char *k;

	KT_ASSERT(conf != NULL);
	KT_ASSERT(!kfk_conf_set(conf, "bootstrap.servers", bs, err, errlen));
	KT_ASSERT(!kfk_conf_set(conf, "debug", "eos,producer,broker", err,
	                        errlen));
	while ((k = va_arg(ap, const char *)) != NULL) {
		const char *v = va_arg(ap, const char *);
		KT_ASSERT_MSG(!kfk_conf_set(conf, k, v, err, errlen), "%s", err);
	}
	kfk_conf_set_delivery_cb(conf, pt_delivery_cb);
	kfk_conf_set_error_cb(conf, error_cb);
	kfk_conf_set_log_cb(conf, log_cb);
	kfk_conf_set_opaque(conf, c);
	p = kfk_producer_new(conf, err, errlen);
	kfk_conf_destroy(conf);
	return p;
}

static kfk_producer *try_new(const char *bs, struct ictx *c, char *err,
                             size_t errlen, ...) __attribute__((sentinel));
static kfk_producer *try_new(const char *bs, struct ictx *c, char *err,
                             size_t errlen, ...)
{
	kfk_producer *p;
	va_list ap;

	va_start(ap, errlen);
	p = vnew(bs, c, err, errlen, ap);
	va_end(ap);
	return p;
}

static kfk_producer *new_producer(const char *bs, struct ictx *c, ...)
	__attribute__((sentinel));
static kfk_producer *new_producer(const char *bs, struct ictx *c, ...)
{
	char err[512];
	kfk_producer *p;
	va_list ap;

	va_start(ap, c);
	p = vnew(bs, c, err, sizeof(err), ap);
	va_end(ap);
	KT_ASSERT_MSG(p != NULL, "kfk_producer_new: %s", err);
	return p;
}

/* Record i: key "k<i % 1000>", value "v-<i>". */
static kfk_err produce_i(kfk_producer *p, const char *topic, int32_t part,
                         int i)
{
	char key[32], val[32];

	snprintf(key, sizeof(key), "k%d", i % 1000);
	snprintf(val, sizeof(val), "v-%d", i);
	return kfk_produce(p, topic, part, key, strlen(key), val, strlen(val),
	                   pt_id(i));
}

/* Produces record i, serving reports while the queue is full. */
static void produce_ok(kfk_producer *p, const char *topic, int32_t part,
                       int i)
{
	int64_t deadline = kt_now_ms() + PT_WAIT_MS;
	kfk_err err;

	while ((err = produce_i(p, topic, part, i)) == KFK_ERR__QUEUE_FULL) {
		KT_ASSERT(kt_now_ms() < deadline);
		kfk_producer_poll(p, 10);
	}
	KT_ASSERT_INT_EQ(err, KFK_ERR_NONE);
}

/* Polls until the log says needle (bounded). */
static void wait_logged(kfk_producer *p, struct ictx *c, const char *needle)
{
	int64_t deadline = kt_now_ms() + PT_WAIT_MS;

	while (!logged(c, needle)) {
		KT_ASSERT_MSG(kt_now_ms() < deadline, "never logged \"%s\"",
		              needle);
		kfk_producer_poll(p, 20);
	}
}

/* ------------------------------------------------------------------ */
/* Reading back with the broker's de-duplication applied               */
/* ------------------------------------------------------------------ */

/* A batch kept (not a re-send), to recognise its re-sends. */
struct kept {
	int16_t epoch;
	int32_t base_seq, count;
	const struct br_batch *b;
};

struct dedup {
	int *vals;          /* record values (indexes), log order, kept only */
	int64_t *offs;      /* their offsets */
	int n, cap;
	int resent;         /* batches the mock stored again */
	int64_t pid;
	int16_t first_epoch, last_epoch;
	int32_t first_seq;  /* base sequence of the partition's first batch */
};

static int value_index(const struct br_record *r)
{
	char buf[32];

	KT_ASSERT(r->value && r->value_len > 2 && r->value_len < 31);
	memcpy(buf, r->value, (size_t)r->value_len);
	buf[r->value_len] = '\0';
	KT_ASSERT_MSG(strncmp(buf, "v-", 2) == 0, "value %s", buf);
	return atoi(buf + 2);
}

static bool same_records(const struct br_batch *a, const struct br_batch *b)
{
	int i;

	if (a->count != b->count)
		return false;
	for (i = 0; i < a->count; i++)
		if (a->recs[i].value_len != b->recs[i].value_len ||
		    memcmp(a->recs[i].value, b->recs[i].value,
		           (size_t)a->recs[i].value_len) != 0)
			return false;
	return true;
}

static const struct kept *find_kept(const struct kept *k, int n, int16_t epoch,
                                    int32_t seq)
{
	int i;

	for (i = n - 1; i >= 0; i--)
		if (k[i].epoch == epoch && k[i].base_seq == seq)
			return &k[i];
	return NULL;
}

static void keep_records(struct dedup *d, const struct br_batch *b)
{
	int i;

	if (d->n + b->count > d->cap) {
		d->cap = (d->n + b->count) * 2;
		d->vals = realloc(d->vals, (size_t)d->cap * sizeof(int));
		d->offs = realloc(d->offs, (size_t)d->cap * sizeof(int64_t));
		KT_ASSERT(d->vals && d->offs);
	}
	for (i = 0; i < b->count; i++) {
		d->vals[d->n] = value_index(&b->recs[i]);
		d->offs[d->n++] = b->recs[i].offset;
	}
}

/* Checks one batch against the sequence so far: it continues it, starts a
 * new epoch at 0, or re-sends a kept batch exactly. */
static void dedup_batch(struct dedup *d, struct kept *k, int *kn,
                        int32_t *next_seq, const struct br_batch *b,
                        const char *where)
{
	const struct kept *prev;

	KT_ASSERT_MSG(b->producer_id >= 0, "%s: batch at %lld not idempotent",
	              where, (long long)b->base_offset);
	if (*kn == 0) {
		d->pid = b->producer_id;
		d->first_epoch = d->last_epoch = b->producer_epoch;
		d->first_seq = b->base_sequence;
		*next_seq = b->base_sequence;
	}
	KT_ASSERT_MSG(b->producer_id == d->pid, "%s: producer id changed",
	              where);
	if ((prev = find_kept(k, *kn, b->producer_epoch, b->base_sequence))) {
		KT_ASSERT_MSG(same_records(prev->b, b),
		              "%s: epoch %d seq %d stored twice with different "
		              "records", where, b->producer_epoch,
		              b->base_sequence);
		d->resent++;
		return;
	}
	if (b->producer_epoch > d->last_epoch) {
		KT_ASSERT_MSG(b->base_sequence == 0,
		              "%s: epoch %d starts at sequence %d", where,
		              b->producer_epoch, b->base_sequence);
		d->last_epoch = b->producer_epoch;
		*next_seq = 0;
	}
	KT_ASSERT_MSG(b->producer_epoch == d->last_epoch &&
	              b->base_sequence == *next_seq,
	              "%s: batch at offset %lld has epoch %d seq %d, expected "
	              "epoch %d seq %d", where, (long long)b->base_offset,
	              b->producer_epoch, b->base_sequence, d->last_epoch,
	              *next_seq);
	*next_seq += b->count;
	k[*kn].epoch = b->producer_epoch;
	k[*kn].base_seq = b->base_sequence;
	k[*kn].count = b->count;
	k[*kn].b = b;
	(*kn)++;
	keep_records(d, b);
}

/* Reads topic/partition and applies the broker's rule to it. */
static void read_dedup(const char *bs, const char *topic, int32_t part,
                       struct dedup *d)
{
	struct br_log log;
	char err[512], where[128];
	struct kept *k;
	int kn = 0, i;
	int32_t next_seq = 0;

	memset(d, 0, sizeof(*d));
	memset(&log, 0, sizeof(log));
	KT_ASSERT_MSG(br_read_partition(bs, topic, part, 30000, &log, err,
	                                sizeof(err)) == 0, "%s", err);
	KT_ASSERT_INT_EQ(log.log_start, 0);
	k = calloc((size_t)log.n + 1, sizeof(*k));
	KT_ASSERT(k != NULL);
	snprintf(where, sizeof(where), "%s [%d]", topic, (int)part);
	for (i = 0; i < log.n; i++)
		dedup_batch(d, k, &kn, &next_seq, &log.v[i], where);
	free(k);
	br_log_free(&log);
}

static void dedup_free(struct dedup *d)
{
	free(d->vals);
	free(d->offs);
}

/* ------------------------------------------------------------------ */
/* The acceptance run                                                  */
/* ------------------------------------------------------------------ */

#define N 100000
#define PARTS 4

/* Per partition: values in produce order; each record once, where its
 * report says, at an offset its report names (the mock may have stored
 * it twice: the report may name the second copy). */
static void check_exactly_once(struct ictx *c, struct dedup *d, int *resent)
{
	int *seen = calloc(N, sizeof(int)), p, i;

	KT_ASSERT(seen != NULL);
	*resent = 0;
	for (p = 0; p < PARTS; p++) {
		int last = -1;
		*resent += d[p].resent;
		for (i = 0; i < d[p].n; i++) {
			int v = d[p].vals[i];
			KT_ASSERT(v >= 0 && v < N);
			KT_ASSERT_MSG(v > last, "partition %d: record %d after %d",
			              p, v, last);
			last = v;
			seen[v]++;
			KT_ASSERT_INT_EQ(c->r.partition[v], p);
		}
	}
	for (i = 0; i < N; i++) {
		KT_ASSERT_MSG(seen[i] == 1, "record %d read %d times", i,
		              seen[i]);
		KT_ASSERT_INT_EQ(c->r.count[i], 1);
		KT_ASSERT_MSG(c->r.err[i] == KFK_ERR_NONE, "record %d: %s", i,
		              kfk_err_name(c->r.err[i]));
	}
	free(seen);
}

KT_TEST(hundred_thousand_through_faults_exactly_once_in_order)
{
	struct kt_mock *m = kt_mock_start(3, "idem:4", NULL);
	struct dedup d[PARTS];
	struct ictx c;
	kfk_producer *p;
	int i, resent;
	int64_t t0 = kt_now_ms();

	KT_ASSERT(m != NULL);
	ictx_init(&c, N);
	/* Broker 1 leads 0 and 3 (taken down), broker 2 leads 1 (slowed). */
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "leader idem 0 1"), 0);
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "leader idem 1 2"), 0);
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "leader idem 2 3"), 0);
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "leader idem 3 1"), 0);
	p = new_producer(kt_mock_bootstrap(m), &c, "request.timeout.ms", "1000",
	                 "retry.backoff.ms", "50", "reconnect.backoff.max.ms",
	                 "1000", "batch.size", "4000", NULL);
	for (i = 0; i < N; i++) {
		if (i == 10000)
			KT_ASSERT_INT_EQ(kt_mock_cmd(m, "err Produce %d 5",
			                             E_NOT_LEADER), 0);
		if (i == 25000)
			KT_ASSERT_INT_EQ(kt_mock_cmd(m, "err Produce %d 5",
			                             E_REQUEST_TIMED_OUT), 0);
		if (i == 40000)
			KT_ASSERT_INT_EQ(kt_mock_cmd(m, "err Produce %d 5",
			                             E_NETWORK_EXCEPTION), 0);
		if (i == 55000)
			KT_ASSERT_INT_EQ(kt_mock_cmd(m, "down 1"), 0);
		if (i == 65000) {
			/* Down, noticed, with 10,000 records produced since
			 * (some for its partitions). */
			wait_logged(p, &c, "/1: UP -> DOWN");
			KT_ASSERT_INT_EQ(kt_mock_cmd(m, "up 1"), 0);
		}
		if (i == 80000)
			KT_ASSERT_INT_EQ(kt_mock_cmd(m, "rtt 2 2000"), 0);
		if (i == 90000) {
			/* Requests to broker 2 outlive request.timeout.ms. */
			wait_logged(p, &c, "to node 2 failed: _TIMED_OUT");
			KT_ASSERT_INT_EQ(kt_mock_cmd(m, "rtt 2 0"), 0);
		}
		produce_ok(p, "idem", KFK_PARTITION_ANY, i);
	}
	KT_ASSERT_INT_EQ(kfk_producer_flush(p, PT_WAIT_MS), 0);
	kt_log("100,000 records through the faults in %lld ms",
	       (long long)(kt_now_ms() - t0));
	KT_ASSERT_INT_EQ(c.r.total, N);
	KT_ASSERT_INT_EQ(c.r.bad_opaque, 0);
	KT_ASSERT(kfk_producer_fatal_error(p) == NULL);
	KT_ASSERT_INT_EQ(c.fatal_calls, 0);
	kfk_producer_destroy(p);
	for (i = 0; i < PARTS; i++) {
		read_dedup(kt_mock_bootstrap(m), "idem", i, &d[i]);
		KT_ASSERT_INT_EQ(d[i].first_seq, 0);
		/* Nothing here needed a bump: retries kept their sequence. */
		KT_ASSERT_INT_EQ(d[i].last_epoch, d[i].first_epoch);
	}
	check_exactly_once(&c, d, &resent);
	/* The mock's added idempotence checks (tests/mock_idem.c) dropped
	 * every re-send, as a broker does. */
	KT_ASSERT_INT_EQ(resent, 0);
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "idem"), 0);
	kt_log("broker side: %s", kt_mock_reply(m));
	for (i = 0; i < PARTS; i++)
		dedup_free(&d[i]);
	ictx_free(&c);
	kt_mock_stop(m);
}

/* ------------------------------------------------------------------ */
/* One error at a time                                                 */
/* ------------------------------------------------------------------ */

/* Produces records [from, to) to partition 0 of topic and flushes. */
static void produce_range(kfk_producer *p, const char *topic, int from, int to)
{
	int i;

	for (i = from; i < to; i++)
		produce_ok(p, topic, 0, i);
	KT_ASSERT_INT_EQ(kfk_producer_flush(p, PT_WAIT_MS), 0);
}

/* Reads partition 0 of topic: expects the records `want` (n of them) in
 * this order, once each after de-duplication, and returns the log's
 * first and last epochs. */
static void expect_log(struct kt_mock *m, const char *topic, const int *want,
                       int n, struct dedup *d)
{
	int i;

	read_dedup(kt_mock_bootstrap(m), topic, 0, d);
	KT_ASSERT_INT_EQ(d->n, n);
	for (i = 0; i < n; i++)
		KT_ASSERT_INT_EQ(d->vals[i], want[i]);
}

static void expect_delivered(struct ictx *c, int from, int to)
{
	int i;

	for (i = from; i < to; i++) {
		KT_ASSERT_INT_EQ(c->r.count[i], 1);
		KT_ASSERT_MSG(c->r.err[i] == KFK_ERR_NONE, "record %d: %s", i,
		              kfk_err_name(c->r.err[i]));
	}
}

static int *range(int from, int to)
{
	int *v = malloc((size_t)(to - from + 1) * sizeof(int)), i;

	KT_ASSERT(v != NULL);
	for (i = from; i < to; i++)
		v[i - from] = i;
	return v;
}

KT_TEST(duplicate_sequence_number_is_a_success)
{
	struct kt_mock *m = kt_mock_start(1, "dup:1", NULL);
	struct ictx c;
	struct dedup d;
	kfk_producer *p;
	int *want = range(10, 20), i;

	KT_ASSERT(m != NULL);
	ictx_init(&c, 20);
	p = new_producer(kt_mock_bootstrap(m), &c, "linger.ms", "1000", NULL);
	/* The broker answers the first batch: "already have it" (the mock
	 * does not store it). */
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "err Produce %d 1", E_DUPLICATE_SEQ),
	                 0);
	produce_range(p, "dup", 0, 10);
	expect_delivered(&c, 0, 10);
	for (i = 0; i < 10; i++)
		KT_ASSERT_INT_EQ(c.r.offset[i], -1); /* not given */
	KT_ASSERT(logged(&c, "is a duplicate: delivered before"));
	produce_range(p, "dup", 10, 20);
	expect_delivered(&c, 10, 20);
	KT_ASSERT_INT_EQ(c.r.offset[10], 0);
	kfk_producer_destroy(p);
	/* Not sent again: the log has only 10..19, as sequence 10 of epoch
	 * 0, which this broker (it never had 0..9, so no state for the
	 * producer) took as Kafka does: any sequence starts an unknown
	 * producer. */
	expect_log(m, "dup", want, 10, &d);
	KT_ASSERT(!logged(&c, "epoch bump"));
	KT_ASSERT_INT_EQ(d.first_epoch, 0);
	KT_ASSERT_INT_EQ(d.first_seq, 10);
	dedup_free(&d);
	free(want);
	ictx_free(&c);
	kt_mock_stop(m);
}

/* err, injected on the first Produce request, makes the producer bump its
 * epoch and send the batch again from sequence 0. */
static void bump_recovers(const char *topic, int code, const char *log_says)
{
	struct kt_mock *m = kt_mock_start(1, topic, NULL);
	const char *name = strchr(topic, ':');
	char tname[32];
	struct ictx c;
	struct dedup d;
	kfk_producer *p;
	int *want = range(0, 20);

	KT_ASSERT(m != NULL);
	snprintf(tname, sizeof(tname), "%.*s", (int)(name - topic), topic);
	ictx_init(&c, 20);
	p = new_producer(kt_mock_bootstrap(m), &c, "linger.ms", "1000", NULL);
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "err Produce %d 1", code), 0);
	produce_range(p, tname, 0, 10);
	expect_delivered(&c, 0, 10);
	KT_ASSERT(logged(&c, log_says));
	KT_ASSERT(logged(&c, "epoch bumped to 1"));
	produce_range(p, tname, 10, 20);
	expect_delivered(&c, 10, 20);
	KT_ASSERT_INT_EQ(c.fatal_calls, 0);
	kfk_producer_destroy(p);
	/* The refused batch went again under epoch 1 from sequence 0; the
	 * mock never stored the refused attempt. */
	expect_log(m, tname, want, 20, &d);
	KT_ASSERT_INT_EQ(d.first_epoch, 1);
	KT_ASSERT_INT_EQ(d.first_seq, 0);
	dedup_free(&d);
	free(want);
	ictx_free(&c);
	kt_mock_stop(m);
}

KT_TEST(unknown_producer_id_bumps_the_epoch_and_retries)
{
	bump_recovers("upid:1", E_UNKNOWN_PRODUCER_ID, "UNKNOWN_PRODUCER_ID");
}

KT_TEST(out_of_order_for_the_next_expected_bumps_and_retries)
{
	bump_recovers("ooo:1", E_OUT_OF_ORDER, "the next the broker should");
}

/* Two batches of one partition in flight: the first is refused
 * (NOT_LEADER_OR_FOLLOWER), so the broker refuses the second as out of
 * order. That is no gap of the broker's: both go again, in order, with
 * their sequences, and no bump. */
KT_TEST(out_of_order_behind_a_failed_batch_is_retried_in_order)
{
	struct kt_mock *m = kt_mock_start(1, "ooo2:1", NULL);
	struct ictx c;
	struct dedup d;
	kfk_producer *p;
	int *want = range(0, 21), i;

	KT_ASSERT(m != NULL);
	ictx_init(&c, 21);
	/* Batches close at 10 records (linger is long). */
	p = new_producer(kt_mock_bootstrap(m), &c, "linger.ms", "5000",
	                 "batch.num.messages", "10", NULL);
	/* Record 0 first (sequence 0), so that the producer id is there and
	 * the two batches below leave at once: 1..10 and 11..20. */
	produce_range(p, "ooo2", 0, 1);
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "rtt 1 300"), 0);
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "err Produce %d 1", E_NOT_LEADER), 0);
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "err Produce %d 1", E_OUT_OF_ORDER), 0);
	for (i = 1; i < 21; i++)
		produce_ok(p, "ooo2", 0, i);
	wait_logged(p, &c, "sequence 11 out of order while 1 is not "
	                   "acknowledged yet");
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "rtt 1 0"), 0);
	KT_ASSERT_INT_EQ(kfk_producer_flush(p, PT_WAIT_MS), 0);
	expect_delivered(&c, 0, 21);
	KT_ASSERT(!logged(&c, "epoch bump"));
	kfk_producer_destroy(p);
	expect_log(m, "ooo2", want, 21, &d);
	KT_ASSERT_INT_EQ(d.first_seq, 0);
	KT_ASSERT_INT_EQ(d.last_epoch, d.first_epoch);
	dedup_free(&d);
	free(want);
	ictx_free(&c);
	kt_mock_stop(m);
}

/* A broker with no state for the producer on a partition (a new
 * producer, a topic just created) takes any sequence. Two batches in
 * flight there, the first refused (NOT_LEADER_OR_FOLLOWER), the second
 * written: the first could never follow (found on a real Kafka: a topic
 * just created, 1 run in 10). So the second waits for the first's answer;
 * all go in order, under one epoch. */
KT_TEST(a_partition_new_to_the_producer_takes_one_batch_until_acknowledged)
{
	struct kt_mock *m = kt_mock_start(1, "new1:1", NULL);
	struct ictx c;
	struct dedup d;
	kfk_producer *p;
	int *want = range(0, 20), i;

	KT_ASSERT(m != NULL);
	ictx_init(&c, 20);
	/* Batches close at 10 records; a lost batch fails within 10 s. */
	p = new_producer(kt_mock_bootstrap(m), &c, "linger.ms", "5000",
	                 "batch.num.messages", "10", "delivery.timeout.ms",
	                 "10000", NULL);
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "rtt 1 300"), 0);
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "err Produce %d 1", E_NOT_LEADER), 0);
	for (i = 0; i < 20; i++)
		produce_ok(p, "new1", 0, i);
	KT_ASSERT_INT_EQ(kfk_producer_flush(p, PT_WAIT_MS), 0);
	expect_delivered(&c, 0, 20);
	KT_ASSERT(!logged(&c, "epoch bump"));
	kfk_producer_destroy(p);
	expect_log(m, "new1", want, 20, &d);
	KT_ASSERT_INT_EQ(d.first_seq, 0);
	KT_ASSERT_INT_EQ(d.last_epoch, d.first_epoch);
	dedup_free(&d);
	free(want);
	ictx_free(&c);
	kt_mock_stop(m);
}

/* The same gap on a broker that forgot the producer (Kafka does after
 * producer.id.expiration.ms): batches 1..10 and 11..20 in flight, the
 * first refused, the second taken at sequence 11. The refused batch can
 * no longer go under this epoch: it goes under the next, from sequence 0,
 * after 11..20; delivered, not lost. */
KT_TEST(a_batch_refused_behind_acknowledged_ones_goes_under_a_new_epoch)
{
	struct kt_mock *m = kt_mock_start(1, "forgot:1", NULL);
	static const int want[] = { 0,  11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
	                            1,  2,  3,  4,  5,  6,  7,  8,  9,  10 };
	struct br_log log;
	struct ictx c;
	char err[512];
	kfk_producer *p;
	int i, k = 0;

	KT_ASSERT(m != NULL);
	ictx_init(&c, 21);
	p = new_producer(kt_mock_bootstrap(m), &c, "linger.ms", "5000",
	                 "batch.num.messages", "10", "delivery.timeout.ms",
	                 "10000", NULL);
	produce_range(p, "forgot", 0, 1);
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "idem forget"), 0);
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "rtt 1 300"), 0);
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "err Produce %d 1", E_NOT_LEADER), 0);
	for (i = 1; i < 21; i++)
		produce_ok(p, "forgot", 0, i);
	KT_ASSERT_INT_EQ(kfk_producer_flush(p, PT_WAIT_MS), 0);
	expect_delivered(&c, 0, 21);
	KT_ASSERT(logged(&c, "after the broker acknowledged up to 21 without "
	                     "it"));
	KT_ASSERT(logged(&c, "epoch bumped to 1"));
	kfk_producer_destroy(p);
	memset(&log, 0, sizeof(log));
	KT_ASSERT_MSG(!br_read_partition(kt_mock_bootstrap(m), "forgot", 0,
	                                 30000, &log, err, sizeof(err)),
	              "%s", err);
	KT_ASSERT_INT_EQ(log.n, 3);
	KT_ASSERT_INT_EQ(log.v[1].producer_epoch, 0);
	KT_ASSERT_INT_EQ(log.v[1].base_sequence, 11);
	KT_ASSERT_INT_EQ(log.v[2].producer_epoch, 1);
	KT_ASSERT_INT_EQ(log.v[2].base_sequence, 0);
	for (i = 0; i < log.n; i++) {
		int j;

		for (j = 0; j < log.v[i].count; j++, k++) {
			KT_ASSERT(k < 21);
			KT_ASSERT_INT_EQ(value_index(&log.v[i].recs[j]),
			                 want[k]);
		}
	}
	KT_ASSERT_INT_EQ(k, 21);
	br_log_free(&log);
	ictx_free(&c);
	kt_mock_stop(m);
}

/* A batch whose outcome stays unknown until its delivery timeout: its
 * sequence may or may not be on the broker, so the next batch starts a
 * new epoch at 0. */
KT_TEST(timed_out_batch_bumps_the_epoch)
{
	struct kt_mock *m = kt_mock_start(1, "tmo:1", NULL);
	struct ictx c;
	struct dedup d;
	kfk_producer *p;
	int i;

	KT_ASSERT(m != NULL);
	ictx_init(&c, 21);
	p = new_producer(kt_mock_bootstrap(m), &c, "linger.ms", "0",
	                 "request.timeout.ms", "500", "delivery.timeout.ms",
	                 "1500", NULL);
	produce_range(p, "tmo", 0, 1);
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "rtt 1 5000"), 0);
	for (i = 1; i < 11; i++)
		produce_ok(p, "tmo", 0, i);
	KT_ASSERT_INT_EQ(kfk_producer_flush(p, PT_WAIT_MS), 0);
	for (i = 1; i < 11; i++)
		KT_ASSERT_INT_EQ(c.r.err[i], KFK_ERR__MSG_TIMED_OUT);
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "rtt 1 0"), 0);
	for (i = 11; i < 21; i++)
		produce_ok(p, "tmo", 0, i);
	KT_ASSERT_INT_EQ(kfk_producer_flush(p, PT_WAIT_MS), 0);
	expect_delivered(&c, 11, 21);
	KT_ASSERT(logged(&c, "failed with _MSG_TIMED_OUT"));
	KT_ASSERT(logged(&c, "epoch bumped to 1"));
	kfk_producer_destroy(p);
	/* Of the timed-out records, the broker may have written those whose
	 * request reached it (their outcome was only unknown to the
	 * producer): each at most once, in order. The later records follow
	 * once, under epoch 1 from sequence 0 (read_dedup checks that a new
	 * epoch starts at 0). */
	read_dedup(kt_mock_bootstrap(m), "tmo", 0, &d);
	kt_log("%d of the 10 timed-out records were written", d.n - 11);
	KT_ASSERT(d.n >= 11 && d.n <= 21);
	KT_ASSERT_INT_EQ(d.vals[0], 0);
	for (i = 1; i < d.n - 10; i++)
		KT_ASSERT(d.vals[i] > d.vals[i - 1] && d.vals[i] <= 10);
	for (i = 0; i < 10; i++)
		KT_ASSERT_INT_EQ(d.vals[d.n - 10 + i], 11 + i);
	KT_ASSERT_INT_EQ(d.first_epoch, 0);
	KT_ASSERT_INT_EQ(d.last_epoch, 1);
	KT_ASSERT_INT_EQ(d.resent, 0);
	dedup_free(&d);
	ictx_free(&c);
	kt_mock_stop(m);
}

/* ------------------------------------------------------------------ */
/* Fatal errors                                                        */
/* ------------------------------------------------------------------ */

/* After a fatal error: the callback was told once, fatal_error() names
 * the cause, and produce refuses. */
static void expect_fatal(kfk_producer *p, struct ictx *c, kfk_err cause)
{
	kfk_error *e;

	KT_ASSERT_INT_EQ(c->fatal_calls, 1);
	KT_ASSERT_INT_EQ(c->fatal_cb_err, cause);
	KT_ASSERT_MSG(strstr(c->fatal_reason, kfk_err_name(cause)) != NULL,
	              "reason: %s", c->fatal_reason);
	e = kfk_producer_fatal_error(p);
	KT_ASSERT(e != NULL);
	KT_ASSERT_INT_EQ(kfk_error_code(e), cause);
	KT_ASSERT(kfk_error_is_fatal(e) && !kfk_error_is_retriable(e));
	KT_ASSERT_STR_EQ(kfk_error_string(e), c->fatal_reason);
	KT_ASSERT_INT_EQ(produce_i(p, "any", 0, 0), KFK_ERR__FATAL);
	kfk_producer_poll(p, 0);
	KT_ASSERT_INT_EQ(c->fatal_calls, 1);
	kt_log("fatal: %s", kfk_error_string(e));
	kfk_error_destroy(e);
}

/* Without KIP-360 (InitProducerId below v3) the sequence cannot restart
 * safely: what would bump the epoch is fatal instead. The refused batch
 * and everything queued are reported failed; nothing was stored. */
static void bump_impossible(const char *topic, int code)
{
	struct kt_mock *m = kt_mock_start(1, topic, NULL);
	const char *colon = strchr(topic, ':');
	char tname[32];
	struct ictx c;
	struct br_log log;
	char err[256];
	kfk_producer *p;
	int i;

	KT_ASSERT(m != NULL);
	snprintf(tname, sizeof(tname), "%.*s", (int)(colon - topic), topic);
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "apiversion InitProducerId 0 2"), 0);
	ictx_init(&c, 10);
	p = new_producer(kt_mock_bootstrap(m), &c, "linger.ms", "1000", NULL);
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "err Produce %d 1", code), 0);
	for (i = 0; i < 10; i++)
		produce_ok(p, tname, 0, i);
	KT_ASSERT_INT_EQ(kfk_producer_flush(p, PT_WAIT_MS), 0);
	for (i = 0; i < 10; i++) {
		KT_ASSERT_INT_EQ(c.r.count[i], 1);
		KT_ASSERT_INT_EQ(c.r.err[i], KFK_ERR__FATAL);
	}
	KT_ASSERT(logged(&c, "InitProducerId v2"));
	expect_fatal(p, &c, (kfk_err)code);
	kfk_producer_destroy(p);
	memset(&log, 0, sizeof(log));
	KT_ASSERT_MSG(br_read_partition(kt_mock_bootstrap(m), tname, 0, 30000,
	                                &log, err, sizeof(err)) == 0, "%s", err);
	KT_ASSERT_INT_EQ(log.n, 0);
	br_log_free(&log);
	ictx_free(&c);
	kt_mock_stop(m);
}

KT_TEST(out_of_order_without_kip360_is_fatal)
{
	bump_impossible("ooof:1", E_OUT_OF_ORDER);
}

KT_TEST(unknown_producer_id_without_kip360_is_fatal)
{
	bump_impossible("upidf:1", E_UNKNOWN_PRODUCER_ID);
}

/* Another producer took this producer id's epoch (INVALID_PRODUCER_EPOCH),
 * or fenced it (PRODUCER_FENCED): nothing can go on. */
static void fenced(const char *topic, int code)
{
	struct kt_mock *m = kt_mock_start(1, topic, NULL);
	const char *colon = strchr(topic, ':');
	char tname[32];
	struct ictx c;
	kfk_producer *p;
	int i;

	KT_ASSERT(m != NULL);
	snprintf(tname, sizeof(tname), "%.*s", (int)(colon - topic), topic);
	ictx_init(&c, 20);
	p = new_producer(kt_mock_bootstrap(m), &c, "linger.ms", "1000", NULL);
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "err Produce %d 1", code), 0);
	for (i = 0; i < 10; i++)
		produce_ok(p, tname, 0, i);
	KT_ASSERT_INT_EQ(kfk_producer_flush(p, PT_WAIT_MS), 0);
	for (i = 0; i < 10; i++)
		KT_ASSERT_INT_EQ(c.r.err[i], (kfk_err)code);
	expect_fatal(p, &c, (kfk_err)code);
	kfk_producer_destroy(p);
	ictx_free(&c);
	kt_mock_stop(m);
}

KT_TEST(invalid_producer_epoch_is_fatal)
{
	fenced("fence:1", E_INVALID_EPOCH);
}

KT_TEST(producer_fenced_is_fatal)
{
	fenced("fenced:1", E_PRODUCER_FENCED);
}

/* ------------------------------------------------------------------ */
/* Settings                                                            */
/* ------------------------------------------------------------------ */

struct conflict {
	const char *name, *value;
};

static void conflict_case(void *arg)
{
	const struct conflict *cf = arg;
	struct ictx c;
	char err[512];
	kfk_producer *p;

	ictx_init(&c, 1);
	p = try_new("127.0.0.1:9", &c, err, sizeof(err), "enable.idempotence",
	            "true", cf->name, cf->value, NULL);
	KT_ASSERT(p == NULL);
	kt_log("%s=%s: %s", cf->name, cf->value, err);
	KT_ASSERT_MSG(strstr(err, "enable.idempotence") &&
	              strstr(err, cf->name), "message: %s", err);
	/* Left at its default, idempotence gives way instead. */
	p = try_new("127.0.0.1:9", &c, err, sizeof(err), cf->name, cf->value,
	            NULL);
	KT_ASSERT_MSG(p != NULL, "%s", err);
	kfk_producer_destroy(p);
	ictx_free(&c);
}

KT_TEST(contradicting_settings_are_refused_naming_both)
{
	static const struct conflict cases[] = {
		{ "acks", "1" },
		{ "acks", "0" },
		{ "max.in.flight.requests.per.connection", "6" },
		{ "retries", "0" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		kt_subtest(conflict_case, (void *)&cases[i], "%s=%s",
		           cases[i].name, cases[i].value);
}

/* What idempotence allows is accepted; the default producer and one whose
 * idempotence gave way to acks=1 stamp (or not) their batches. */
KT_TEST(default_is_idempotent_and_acks_1_turns_it_off)
{
	struct kt_mock *m = kt_mock_start(1, "on:1", "off:1", NULL);
	struct ictx c;
	struct br_log log;
	char err[512];
	kfk_producer *p;

	KT_ASSERT(m != NULL);
	ictx_init(&c, 10);
	p = try_new(kt_mock_bootstrap(m), &c, err, sizeof(err),
	            "enable.idempotence", "true",
	            "max.in.flight.requests.per.connection", "5", "retries", "3",
	            NULL);
	KT_ASSERT_MSG(p != NULL, "%s", err);
	kfk_producer_destroy(p);

	p = new_producer(kt_mock_bootstrap(m), &c, NULL);
	produce_range(p, "on", 0, 5);
	kfk_producer_destroy(p);
	p = new_producer(kt_mock_bootstrap(m), &c, "acks", "1", NULL);
	produce_range(p, "off", 5, 10);
	kfk_producer_destroy(p);
	expect_delivered(&c, 0, 10);

	memset(&log, 0, sizeof(log));
	KT_ASSERT(!br_read_partition(kt_mock_bootstrap(m), "on", 0, 30000, &log,
	                             err, sizeof(err)));
	KT_ASSERT_INT_EQ(log.n, 1);
	KT_ASSERT(log.v[0].producer_id >= 0);
	KT_ASSERT_INT_EQ(log.v[0].producer_epoch, 0);
	KT_ASSERT_INT_EQ(log.v[0].base_sequence, 0);
	KT_ASSERT(!br_read_partition(kt_mock_bootstrap(m), "off", 0, 30000,
	                             &log, err, sizeof(err)));
	KT_ASSERT_INT_EQ(log.n, 1);
	KT_ASSERT_INT_EQ(log.v[0].producer_id, -1);
	KT_ASSERT_INT_EQ(log.v[0].base_sequence, -1);
	br_log_free(&log);
	ictx_free(&c);
	kt_mock_stop(m);
}

/* At start the producer id is asked of the bootstrap broker, which goes
 * away as soon as metadata names the brokers: that is no failure to back
 * off from (it cost the first records 100 ms). */
KT_TEST(bootstrap_handover_does_not_delay_the_producer_id)
{
	struct kt_mock *m = kt_mock_start(1, "start:1", NULL);
	struct ictx c;
	kfk_producer *p;

	KT_ASSERT(m != NULL);
	ictx_init(&c, 1);
	p = new_producer(kt_mock_bootstrap(m), &c, NULL);
	produce_range(p, "start", 0, 1);
	expect_delivered(&c, 0, 1);
	KT_ASSERT(logged(&c, "producer id "));
	KT_ASSERT_MSG(!logged(&c, "trying again in"),
	              "InitProducerId backed off:\n%s", c.log);
	kfk_producer_destroy(p);
	ictx_free(&c);
	kt_mock_stop(m);
}
