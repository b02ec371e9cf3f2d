/*
 * test_real_failover: the idempotent producer and the consumer on a real
 * 3-broker Kafka cluster (replication 3, min.insync.replicas 2, acks=all)
 * while the leader of a partition is killed with SIGKILL mid-stream and
 * started again: every record is delivered, and read back exactly once, in
 * produce order within each partition, by the Java consumer afterwards and
 * by kfk's consumer reading all along (it follows the leader to the broker
 * that takes over).
 */
#include "config.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <kfk/kfk.h>

#include "../kt.h"
#include "real.h"

#define PARTS 3
/* Production goes on, paced, until the killed broker is back: at most the
 * restart's own bound (kafka.sh: 120 s) at RATE_PER_MS, with room. */
#define MAX_RECORDS 1000000
#define RATE_PER_MS 4       /* records produced per millisecond, at most */
#define BEFORE_KILL 20000   /* records produced before the kill */
#define AFTER_RESTART 20000 /* and after the broker is back */

/* What the chaos thread did, for the main thread to log and assert: the
 * thread never calls kt_fail (it is not the test's thread). */
struct chaos {
	const char *dir, *bs, *topic;
	atomic_int produced;    /* records produced so far, by main */
	pthread_mutex_t lock;   /* with go: main says BEFORE_KILL are out */
	pthread_cond_t go;
	atomic_int done;        /* 1: the broker is back (or chaos failed) */
	int killed, new_leader; /* broker ids */
	char events[8][160];
	int nevents;
	int64_t t0;
	const char *failed;     /* NULL, or what went wrong */
};

__attribute__((format(printf, 2, 3))) static void
event(struct chaos *c, const char *fmt, ...)
{
	char msg[120];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->nevents < 8)
		snprintf(c->events[c->nevents++], sizeof(c->events[0]),
		         "%6.1f s: %s", (double)(kt_now_ms() - c->t0) / 1000.0, msg);
}

/* The leader of partition 0 as the Java admin client sees it, or -1. */
static int leader_of_p0(const struct chaos *c)
{
	char cmd[1024], line[256];
	int part, leader, found = -1;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "bash '%s/tests/kafka/kafka.sh' peer leaders "
	         "--bootstrap '%s' --topic '%s' --timeout-ms 10000",
	         getenv("KFK_SRCDIR") ? getenv("KFK_SRCDIR") : ".", c->bs,
	         c->topic);
	if (!(f = popen(cmd, "r")))
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%d %d", &part, &leader) == 2 && part == 0)
			found = leader;
	return pclose(f) == 0 ? found : -1;
}

/* Kills the leader of partition 0 once BEFORE_KILL records are produced,
 * waits (bounded) until another broker leads it, then restarts the killed
 * one and waits until it is back in the cluster. */
static void *chaos_main(void *arg)
{
	struct chaos *c = arg;
	struct timespec until;
	int64_t deadline;
	int l;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 120;
	pthread_mutex_lock(&c->lock);
	while (atomic_load(&c->produced) < BEFORE_KILL &&
	       pthread_cond_timedwait(&c->go, &c->lock, &until) == 0)
		;
	pthread_mutex_unlock(&c->lock);
	if (atomic_load(&c->produced) < BEFORE_KILL) {
		c->failed = "the first records took over 120 s";
		goto out;
	}
	if ((c->killed = leader_of_p0(c)) <= 0) {
		c->failed = "no leader for partition 0";
		goto out;
	}
	if (kr_kafka_status(c->dir, "kill %d", c->killed) != 0) {
		c->failed = "kafka.sh kill failed";
		goto out;
	}
	event(c, "killed broker %d (leader of partition 0) with SIGKILL after "
	      "%d records", c->killed, atomic_load(&c->produced));
	deadline = kt_now_ms() + 60000;
	while ((l = leader_of_p0(c)) <= 0 || l == c->killed)
		if (kt_now_ms() > deadline) {
			c->failed = "leadership of partition 0 did not move in 60 s";
			goto out;
		}
	c->new_leader = l;
	event(c, "leadership of partition 0 moved from broker %d to broker %d",
	      c->killed, l);
	if (kr_kafka_status(c->dir, "restart %d", c->killed) != 0) {
		c->failed = "kafka.sh restart failed";
		goto out;
	}
	event(c, "broker %d is back, %d records produced so far", c->killed,
	      atomic_load(&c->produced));
out:
	atomic_store(&c->done, 1);
	return NULL;
}

/* Produces record i ("k<i % 7>" = "<i>"), serving reports when the queue is
 * full, and never faster than RATE_PER_MS. */
static void produce_paced(kfk_producer *p, const char *topic, int i,
                          int64_t t0)
{
	char key[16], val[16];
	int64_t deadline = kt_now_ms() + PT_WAIT_MS;
	kfk_err err;

	while (i > (kt_now_ms() - t0) * RATE_PER_MS)
		kfk_producer_poll(p, 1);
	snprintf(key, sizeof(key), "k%d", i % 7);
	snprintf(val, sizeof(val), "%d", i);
	while ((err = kfk_produce(p, topic, KFK_PARTITION_ANY, key, strlen(key),
	                          val, strlen(val), pt_id(i))) ==
	           KFK_ERR__QUEUE_FULL &&
	       kt_now_ms() < deadline)
		kfk_producer_poll(p, 10);
	KT_ASSERT_MSG(err == KFK_ERR_NONE, "produce %d: %s", i,
	              kfk_err_name(err));
}

/* Every record once, each partition in produce order, where the reports
 * said. */
static void check_read_back(const struct pt_topic *t,
                            const struct pt_reports *r, int n)
{
	int last[PARTS] = {-1, -1, -1}, i;
	char *seen = calloc((size_t)n, 1);

	KT_ASSERT(seen != NULL);
	KT_ASSERT_INT_EQ(t->n, n);
	for (i = 0; i < t->n; i++) {
		const struct pt_rec *rec = &t->v[i];
		char *end;
		long v = strtol(rec->value ? rec->value : "x", &end, 10);
		KT_ASSERT_MSG(*end == 0 && v >= 0 && v < n, "bad value");
		KT_ASSERT_MSG(!seen[v], "record %ld read twice", v);
		seen[v] = 1;
		KT_ASSERT(rec->partition >= 0 && rec->partition < PARTS);
		KT_ASSERT_MSG(last[rec->partition] < v, "partition %d: %ld after %d",
		              rec->partition, v, last[rec->partition]);
		last[rec->partition] = (int)v;
		KT_ASSERT_INT_EQ(r->partition[v], rec->partition);
		KT_ASSERT_INT_EQ(r->offset[v], rec->offset);
	}
	free(seen);
}

/* kfk's consumer, reading while the producer writes and the leader
 * dies: the records into `got`, until `want` (set by the main thread once
 * production ended) are in or the deadline passes. Never asserts (not
 * the test's thread): `failed` says what went wrong. */
struct reader {
	const char *bs, *topic;
	atomic_int want;         /* -1 until known */
	struct pt_topic got;
	int cap;
	int errors;              /* error messages (leader moves are silent) */
	const char *failed;
	char first_error[256];
};

static kfk_consumer *reader_consumer(struct reader *rd)
{
	char err[256];
	kfk_conf *conf = kfk_conf_new();
	kfk_tplist *l = kfk_tplist_new(PARTS);
	kfk_consumer *c;

	kfk_conf_set(conf, "bootstrap.servers", rd->bs, err, sizeof(err));
	c = kfk_consumer_new(conf, err, sizeof(err));
	kfk_conf_destroy(conf);
	for (int i = 0; c && i < PARTS; i++)
		kfk_tplist_add(l, rd->topic, i, KFK_OFFSET_BEGINNING);
	if (c && kfk_consumer_assign(c, l)) {
		kfk_consumer_destroy(c);
		c = NULL;
	}
	kfk_tplist_destroy(l);
	return c;
}

static void reader_take(struct reader *rd, const kfk_message *m)
{
	struct pt_rec *rec;
	size_t len;
	const char *v = kfk_message_value(m, &len);

	if (rd->got.n == rd->cap) {
		rd->cap = rd->cap ? rd->cap * 2 : 65536;
		rd->got.v = realloc(rd->got.v, (size_t)rd->cap * sizeof(*rec));
	}
	rec = &rd->got.v[rd->got.n++];
	memset(rec, 0, sizeof(*rec));
	rec->partition = kfk_message_partition(m);
	rec->offset = kfk_message_offset(m);
	rec->value = strndup(v ? v : "x", v ? len : 1);
}

static void *reader_main(void *arg)
{
	struct reader *rd = arg;
	kfk_consumer *c = reader_consumer(rd);
	int64_t deadline = kt_now_ms() + 15 * 60 * 1000;
	kfk_message *v[256];

	if (!c) {
		rd->failed = "no consumer";
		return NULL;
	}
	while (atomic_load(&rd->want) < 0 || rd->got.n < atomic_load(&rd->want)) {
		int n = kfk_consumer_poll_batch(c, v, 256, 100);

		if (kt_now_ms() > deadline) {
			rd->failed = "the consumer did not read everything in time";
			break;
		}
		for (int i = 0; i < n; i++) {
			if (kfk_message_err(v[i])) {
				if (!rd->errors++)
					snprintf(rd->first_error, sizeof(rd->first_error),
					         "%s", kfk_message_errstr(v[i]));
			} else {
				reader_take(rd, v[i]);
			}
			kfk_message_destroy(v[i]);
		}
	}
	kfk_consumer_destroy(c);
	return NULL;
}

static void run_failover(const char *dir)
{
	struct chaos c = {.dir = dir, .topic = "failover",
	                  .lock = PTHREAD_MUTEX_INITIALIZER,
	                  .go = PTHREAD_COND_INITIALIZER};
	struct pt_reports r;
	struct pt_topic t;
	struct reader rd = {.topic = "failover"};
	kfk_producer *p;
	pthread_t th, reader_th;
	int n = 0, i, after = -1;

	c.bs = kr_bootstrap_of(dir);
	kr_topic(dir, c.topic, PARTS, 3, "min.insync.replicas=2");
	rd.bs = c.bs;
	atomic_init(&rd.want, -1);
	KT_ASSERT(pthread_create(&reader_th, NULL, reader_main, &rd) == 0);
	pt_reports_init(&r, MAX_RECORDS);
	p = pt_producer(c.bs, &r, "acks", "all", "enable.idempotence", "true",
	                NULL);
	c.t0 = kt_now_ms();
	KT_ASSERT(pthread_create(&th, NULL, chaos_main, &c) == 0);
	while (n < MAX_RECORDS && (after < 0 || n < after + AFTER_RESTART)) {
		produce_paced(p, c.topic, n, c.t0);
		atomic_store(&c.produced, ++n);
		if (n == BEFORE_KILL) {
			pthread_mutex_lock(&c.lock);
			pthread_cond_broadcast(&c.go);
			pthread_mutex_unlock(&c.lock);
		}
		if (after < 0 && atomic_load(&c.done))
			after = n;
	}
	pthread_join(th, NULL);
	for (i = 0; i < c.nevents; i++)
		kt_log("%s", c.events[i]);
	KT_ASSERT_MSG(c.failed == NULL, "%s", c.failed);
	KT_ASSERT_MSG(after >= 0, "the broker was not back within %d records",
	              MAX_RECORDS);
	KT_ASSERT_INT_EQ(kfk_producer_flush(p, 2 * PT_WAIT_MS), 0);
	kt_log("%d records produced, %d reported", n, r.total);
	KT_ASSERT_INT_EQ(r.total, n);
	for (i = 0; i < n; i++) {
		KT_ASSERT_INT_EQ(r.count[i], 1);
		KT_ASSERT_MSG(r.err[i] == KFK_ERR_NONE, "record %d: %s", i,
		              kfk_err_name(r.err[i]));
	}
	kfk_producer_destroy(p);
	kr_java_consume(c.bs, c.topic, "", &t);
	check_read_back(&t, &r, n);
	kt_log("read back by the Java consumer: %d records, each once, in order "
	       "per partition", t.n);
	pt_topic_free(&t);
	atomic_store(&rd.want, n);
	pthread_join(reader_th, NULL);
	kt_log("kfk's consumer, reading throughout: %d records, %d error "
	       "messages%s%s", rd.got.n, rd.errors, rd.errors ? "; first: " : "",
	       rd.first_error);
	KT_ASSERT_MSG(rd.failed == NULL, "%s", rd.failed);
	check_read_back(&rd.got, &r, n);
	pt_topic_free(&rd.got);
	pt_reports_free(&r);
	free((char *)c.bs);
}

KT_TEST(idempotent_producer_survives_a_leader_killed_mid_stream)
{
	char *dir;

	kr_bootstrap(); /* skipped with the rest of the real-broker tests */
	dir = kr_cluster_start(3);
	kt_log("3-broker cluster in %s", dir);
	/* Keep the logs unless the whole run below passes. */
	run_failover(dir);
	kr_cluster_stop(dir, 0);
}
