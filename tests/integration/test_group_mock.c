/*
 * test_group_mock: the group member against librdkafka's mock cluster,
 * whose coordinator can be made to fail: errors on FindCoordinator,
 * JoinGroup, SyncGroup, Heartbeat and OffsetCommit, and the coordinator's
 * broker going down (Heartbeat: REBALANCE_IN_PROGRESS, UNKNOWN_MEMBER_ID,
 * ILLEGAL_GENERATION, and FENCED_INSTANCE_ID for a static member, which
 * the application is told). The member must end up with the partitions
 * and the records, and report what Java reports.
 *
 * The mock's logs start at offset 0, and its ListOffsets answer for
 * several partitions does not parse (2.0.2), so each group first commits
 * offset 0 for every partition: members then start at committed offsets.
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
#include "test_producer_util.h"

#define WAIT_MS 30000
#define PARTS 4
#define RECORDS 400

/* Records first..first+n-1: value "v<i>" to partition i % PARTS. */
static void produce_from(const char *bootstrap, const char *topic, int first,
                         int n)
{
	struct pt_reports r;
	kfk_producer *p;
	int i;

	pt_reports_init(&r, n);
	p = pt_producer(bootstrap, &r, "linger.ms", "5", NULL);
	for (i = 0; i < n; i++) {
		kfk_record rec = KFK_RECORD_INIT;
		char val[16];

		snprintf(val, sizeof(val), "v%d", first + i);
		rec.topic = topic;
		rec.partition = (first + i) % PARTS;
		rec.value = val;
		rec.value_len = strlen(val);
		rec.opaque = pt_id(i);
		while (kfk_produce_record(p, &rec) == KFK_ERR__QUEUE_FULL)
			kfk_producer_poll(p, 10);
	}
	KT_ASSERT_INT_EQ(kfk_producer_flush(p, WAIT_MS), 0);
	KT_ASSERT_INT_EQ(r.total, n);
	kfk_producer_destroy(p);
	pt_reports_free(&r);
}

static void produce(const char *bootstrap, const char *topic, int n)
{
	produce_from(bootstrap, topic, 0, n);
}

/* Warnings and errors a member logged (any thread). */
struct warnings {
	pthread_mutex_t lock;
	char text[8192];
};

static void log_warnings(void *opaque, int level, const char *fac,
                         const char *msg)
{
	struct warnings *w = opaque;
	size_t n;

	if (getenv("KFK_TEST_DEBUG"))
		fprintf(stderr, "%s %s\n", fac, msg);
	if (level > 4)
		return;
	pthread_mutex_lock(&w->lock);
	n = strlen(w->text);
	snprintf(w->text + n, sizeof(w->text) - n, "%s %s\n", fac, msg);
	pthread_mutex_unlock(&w->lock);
}

/* A member of group with properties name, value, ..., NULL; its warnings
 * into w unless NULL. */
static kfk_consumer *vmember(const char *bootstrap, const char *group,
                             struct warnings *w, va_list ap)
{
	char err[512];
	kfk_conf *conf = kfk_conf_new();
	kfk_consumer *c;
	const char *name;

#define SET(k, v)                                                          \
	KT_ASSERT_MSG(kfk_conf_set(conf, k, v, err, sizeof(err)) == 0, "%s", err)
	SET("bootstrap.servers", bootstrap);
	SET("group.id", group);
	SET("session.timeout.ms", "6000");
	SET("heartbeat.interval.ms", "100");
	SET("retry.backoff.ms", "20");
	SET("enable.auto.commit", "false");
	if (getenv("KFK_TEST_DEBUG"))
		SET("debug", getenv("KFK_TEST_DEBUG"));
	while ((name = va_arg(ap, const char *))) {
		const char *value = va_arg(ap, const char *);
		SET(name, value);
	}
#undef SET
	if (w) {
		kfk_conf_set_log_cb(conf, log_warnings);
		kfk_conf_set_opaque(conf, w);
	}
	c = kfk_consumer_new(conf, err, sizeof(err));
	kfk_conf_destroy(conf);
	KT_ASSERT_MSG(c != NULL, "%s", err);
	return c;
}

static kfk_consumer *member(const char *bootstrap, const char *group, ...)
{
	kfk_consumer *c;
	va_list ap;

	va_start(ap, group);
	c = vmember(bootstrap, group, NULL, ap);
	va_end(ap);
	return c;
}

static kfk_consumer *logged_member(const char *bootstrap, const char *group,
                                   struct warnings *w, ...)
{
	kfk_consumer *c;
	va_list ap;

	va_start(ap, w);
	c = vmember(bootstrap, group, w, ap);
	va_end(ap);
	return c;
}

/* Commits offset 0 for every partition (no subscription needed). */
static void commit_zero(kfk_consumer *c, const char *topic)
{
	kfk_tplist *l = kfk_tplist_new(PARTS);
	int i;

	for (i = 0; i < PARTS; i++)
		kfk_tplist_add(l, topic, i, 0);
	KT_ASSERT_INT_EQ(kfk_consumer_commit(c, l, WAIT_MS), 0);
	kfk_tplist_destroy(l);
}

struct events {
	int assigned, revoked, lost;
};

static void on_rebalance(kfk_consumer *c, kfk_rebalance_type type,
                         const kfk_tplist *parts, void *opaque)
{
	struct events *e = opaque;

	(void)c;
	(void)parts;
	if (type == KFK_REBALANCE_ASSIGNED)
		e->assigned++;
	else if (type == KFK_REBALANCE_REVOKED)
		e->revoked++;
	else
		e->lost++;
}

static void subscribe(kfk_consumer *c, const char *topic, struct events *e)
{
	const char *topics[1] = { topic };

	KT_ASSERT_INT_EQ(kfk_consumer_subscribe(c, topics, 1, on_rebalance, e),
	                 0);
}

/* Reads n records: each (partition, offset) exactly once, in order per
 * partition, value "v<i>" as produced. */
static void read_exactly(kfk_consumer *c, int from, int n)
{
	int64_t next[PARTS], end = kt_now_ms() + WAIT_MS;
	int got = 0, p;

	for (p = 0; p < PARTS; p++)
		next[p] = from / PARTS;
	while (got < n) {
		kfk_message *m = kfk_consumer_poll(c, 100);
		char val[16];
		const void *v;
		size_t vlen;
		int64_t i;

		KT_ASSERT_MSG(kt_now_ms() < end, "%d of %d records", got, n);
		if (!m)
			continue;
		KT_ASSERT_MSG(!kfk_message_err(m), "%s", kfk_message_errstr(m));
		p = kfk_message_partition(m);
		KT_ASSERT_INT_EQ(kfk_message_offset(m), next[p]);
		i = next[p]++ * PARTS + p;
		snprintf(val, sizeof(val), "v%lld", (long long)i);
		v = kfk_message_value(m, &vlen);
		KT_ASSERT_MEM_EQ(v, vlen, val, strlen(val));
		kfk_message_destroy(m);
		got++;
	}
}

/* A cluster with a topic of RECORDS records, and a group at offset 0. */
static struct kt_mock *setup(const char *topic, const char *group, int brokers)
{
	struct kt_mock *m = kt_mock_start(brokers, NULL);
	kfk_consumer *c;

	KT_ASSERT(m != NULL);
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "create %s %d 1", topic, PARTS), 0);
	produce(kt_mock_bootstrap(m), topic, RECORDS);
	c = member(kt_mock_bootstrap(m), group, NULL);
	commit_zero(c, topic);
	kfk_consumer_destroy(c);
	return m;
}

KT_TEST(join_survives_coordinator_errors)
{
	struct kt_mock *m = setup("t", "g", 1);
	struct events e = { 0 };
	kfk_consumer *c;

	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "err FindCoordinator "
	                             "COORDINATOR_NOT_AVAILABLE 2"), 0);
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "err JoinGroup "
	                             "COORDINATOR_LOAD_IN_PROGRESS 1"), 0);
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "err JoinGroup NOT_COORDINATOR 1"), 0);
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "err SyncGroup "
	                             "REBALANCE_IN_PROGRESS 1"), 0);
	c = member(kt_mock_bootstrap(m), "g", NULL);
	subscribe(c, "t", &e);
	read_exactly(c, 0, RECORDS);
	KT_ASSERT_INT_EQ(e.assigned, 1);
	KT_ASSERT_INT_EQ(e.lost, 0);
	kfk_consumer_destroy(c);
	KT_ASSERT_INT_EQ(kt_mock_stop(m), 0);
}

/* Polls until the callback has been told of `want` assignments. */
static void wait_assigned(kfk_consumer *c, struct events *e, int want)
{
	int64_t end = kt_now_ms() + WAIT_MS;

	while (e->assigned < want) {
		kfk_message *msg = kfk_consumer_poll(c, 50);

		KT_ASSERT_MSG(kt_now_ms() < end, "assigned %d times, not %d",
		              e->assigned, want);
		if (msg)
			kfk_message_destroy(msg);
	}
}

KT_TEST(heartbeat_errors_rejoin_or_lose_the_partitions)
{
	struct kt_mock *m = setup("t", "g", 1);
	struct events e = { 0 };
	kfk_consumer *c = member(kt_mock_bootstrap(m), "g",
	                         "partition.assignment.strategy", "range",
	                         NULL);

	subscribe(c, "t", &e);
	wait_assigned(c, &e, 1);
	/* The group rebalances: eager, so revoke all, then assign again. */
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "err Heartbeat REBALANCE_IN_PROGRESS"),
	                 0);
	wait_assigned(c, &e, 2);
	KT_ASSERT_INT_EQ(e.revoked, 1);
	KT_ASSERT_INT_EQ(e.lost, 0);
	/* The coordinator forgot the member: its partitions are lost. */
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "err Heartbeat UNKNOWN_MEMBER_ID"), 0);
	wait_assigned(c, &e, 3);
	KT_ASSERT_INT_EQ(e.lost, 1);
	KT_ASSERT_INT_EQ(e.revoked, 1);
	/* A generation the coordinator has moved past: lost too, and the
	 * member joins again with its id. */
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "err Heartbeat ILLEGAL_GENERATION"), 0);
	wait_assigned(c, &e, 4);
	KT_ASSERT_INT_EQ(e.lost, 2);
	KT_ASSERT_INT_EQ(e.revoked, 1);
	/* Records polled while waiting moved the positions: back to 0. */
	for (int p = 0; p < PARTS; p++)
		KT_ASSERT_INT_EQ(kfk_consumer_seek(c, "t", p, 0), 0);
	read_exactly(c, 0, RECORDS);
	kfk_consumer_destroy(c);
	KT_ASSERT_INT_EQ(kt_mock_stop(m), 0);
}

KT_TEST(a_fenced_static_member_reports_it)
{
	struct kt_mock *m = setup("t", "g", 1);
	struct events e = { 0 };
	kfk_consumer *c = member(kt_mock_bootstrap(m), "g",
	                         "group.instance.id", "fixed-1", NULL);
	int64_t end = kt_now_ms() + WAIT_MS;
	kfk_err got = KFK_ERR_NONE;

	subscribe(c, "t", &e);
	wait_assigned(c, &e, 1);
	/* Another member took this instance id: fatal for this one. */
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "err Heartbeat FENCED_INSTANCE_ID"), 0);
	while (got != KFK_ERR_FENCED_INSTANCE_ID) {
		kfk_message *msg = kfk_consumer_poll(c, 50);

		KT_ASSERT_MSG(kt_now_ms() < end, "no FENCED_INSTANCE_ID error");
		if (msg) {
			got = kfk_message_err(msg);
			kfk_message_destroy(msg);
		}
	}
	kfk_consumer_destroy(c);
	KT_ASSERT_INT_EQ(kt_mock_stop(m), 0);
}

struct commit_seen {
	int calls;
	kfk_err err;
};

static void on_commit(kfk_consumer *c, kfk_err err, const kfk_tplist *l,
                      void *opaque)
{
	struct commit_seen *s = opaque;

	(void)c;
	(void)l;
	s->calls++;
	s->err = err;
}

KT_TEST(commits_retry_what_java_retries)
{
	struct kt_mock *m = setup("t", "g", 1);
	struct events e = { 0 };
	struct commit_seen cs = { 0 };
	kfk_consumer *c = member(kt_mock_bootstrap(m), "g", NULL);
	kfk_tplist *l = kfk_tplist_new(1);
	int64_t end = kt_now_ms() + WAIT_MS;

	subscribe(c, "t", &e);
	read_exactly(c, 0, RECORDS);
	/* Synchronous: NOT_COORDINATOR is retried (the coordinator found
	 * again), the commit succeeds. */
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "err OffsetCommit NOT_COORDINATOR 2"),
	                 0);
	KT_ASSERT_INT_EQ(kfk_consumer_commit(c, NULL, WAIT_MS), 0);
	kfk_tplist_add(l, "t", 1, KFK_OFFSET_INVALID);
	KT_ASSERT_INT_EQ(kfk_consumer_committed(c, l, WAIT_MS), 0);
	KT_ASSERT_INT_EQ(kfk_tplist_offset(l, 0), RECORDS / PARTS);
	/* REBALANCE_IN_PROGRESS is the caller's to handle (Java throws). */
	kfk_tplist_set_offset(l, 0, 7);
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "err OffsetCommit "
	                             "REBALANCE_IN_PROGRESS 1"), 0);
	KT_ASSERT_INT_EQ(kfk_consumer_commit(c, l, WAIT_MS),
	                 KFK_ERR_REBALANCE_IN_PROGRESS);
	/* Asynchronous: not retried, the outcome told in poll. */
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "err OffsetCommit NOT_COORDINATOR 1"),
	                 0);
	KT_ASSERT_INT_EQ(kfk_consumer_commit_async(c, l, on_commit, &cs), 0);
	while (!cs.calls) {
		kfk_message *msg = kfk_consumer_poll(c, 50);

		KT_ASSERT(kt_now_ms() < end);
		if (msg)
			kfk_message_destroy(msg);
	}
	KT_ASSERT_INT_EQ(cs.err, KFK_ERR_NOT_COORDINATOR);
	KT_ASSERT_INT_EQ(kfk_consumer_commit_async(c, l, on_commit, &cs), 0);
	while (cs.calls < 2) {
		kfk_message *msg = kfk_consumer_poll(c, 50);

		KT_ASSERT(kt_now_ms() < end);
		if (msg)
			kfk_message_destroy(msg);
	}
	KT_ASSERT_INT_EQ(cs.err, 0);
	KT_ASSERT_INT_EQ(kfk_consumer_committed(c, l, WAIT_MS), 0);
	KT_ASSERT_INT_EQ(kfk_tplist_offset(l, 0), 7);
	kfk_tplist_destroy(l);
	kfk_consumer_destroy(c);
	KT_ASSERT_INT_EQ(kt_mock_stop(m), 0);
}

/* Committed offsets of every partition, read by c. */
static bool committed_all(kfk_consumer *c, const char *topic, int64_t want)
{
	kfk_tplist *l = kfk_tplist_new(PARTS);
	bool ok = true;
	int i;

	for (i = 0; i < PARTS; i++)
		kfk_tplist_add(l, topic, i, KFK_OFFSET_INVALID);
	KT_ASSERT_INT_EQ(kfk_consumer_committed(c, l, WAIT_MS), 0);
	for (i = 0; i < PARTS; i++)
		ok = ok && kfk_tplist_offset(l, i) == want;
	if (!ok)
		kt_log("committed %lld %lld %lld %lld",
		       (long long)kfk_tplist_offset(l, 0),
		       (long long)kfk_tplist_offset(l, 1),
		       (long long)kfk_tplist_offset(l, 2),
		       (long long)kfk_tplist_offset(l, 3));
	kfk_tplist_destroy(l);
	return ok;
}

/* Auto commits every 100 ms while the coordinator moves (NOT_COORDINATOR)
 * and is looked up again for some 300 ms (FindCoordinator refused 4
 * times): they wait for it, bounded by request.timeout.ms, not by the
 * interval (they failed with "Local: Timed out" before), and one refused
 * for a reason that passes is tried again, as Java does, not reported
 * failed (a warning before). Once it is back the offsets read meanwhile
 * are committed, the last record of each partition's too: the next poll
 * stores its offset + 1 (the commit stopped one short before, lag 1 for
 * good). */
KT_TEST(auto_commits_wait_for_a_coordinator_looked_up_again)
{
	struct kt_mock *m = setup("t", "g", 1);
	struct events e = { 0 };
	struct warnings w = { .lock = PTHREAD_MUTEX_INITIALIZER };
	kfk_consumer *c = logged_member(kt_mock_bootstrap(m), "g", &w,
	                                "enable.auto.commit", "true",
	                                "auto.commit.interval.ms", "100",
	                                "session.timeout.ms", "30000", NULL);
	int64_t end;

	subscribe(c, "t", &e);
	read_exactly(c, 0, RECORDS);
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "err OffsetCommit NOT_COORDINATOR 1"),
	                 0);
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "err FindCoordinator "
	                             "COORDINATOR_NOT_AVAILABLE 4"), 0);
	produce_from(kt_mock_bootstrap(m), "t", RECORDS, RECORDS);
	read_exactly(c, RECORDS, RECORDS);
	end = kt_now_ms() + WAIT_MS;
	while (!committed_all(c, "t", 2 * RECORDS / PARTS)) {
		kfk_message *msg = kfk_consumer_poll(c, 100);

		KT_ASSERT(kt_now_ms() < end);
		KT_ASSERT_MSG(msg == NULL, "[%d] %lld: %s",
		              (int)kfk_message_partition(msg),
		              (long long)kfk_message_offset(msg),
		              kfk_message_errstr(msg));
	}
	KT_ASSERT_MSG(!strstr(w.text, "COMMIT"), "warnings:\n%s", w.text);
	kt_log("warnings: %s", w.text[0] ? w.text : "none");
	kfk_consumer_destroy(c);
	KT_ASSERT_INT_EQ(kt_mock_stop(m), 0);
}

KT_TEST(coordinator_broker_down_the_member_moves_on)
{
	struct kt_mock *m = setup("t", "g", 3);
	struct events e = { 0 };
	kfk_consumer *c;

	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "coordinator group g 1"), 0);
	c = member(kt_mock_bootstrap(m), "g", NULL);
	subscribe(c, "t", &e);
	read_exactly(c, 0, RECORDS / 2);
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "coordinator group g 2"), 0);
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "down 1"), 0);
	/* The member finds broker 2, rejoins if it must, and commits there. */
	{
		kfk_tplist *l = kfk_tplist_new(1);

		kfk_tplist_add(l, "t", 0, 5);
		KT_ASSERT_INT_EQ(kfk_consumer_commit(c, l, WAIT_MS), 0);
		kfk_tplist_set_offset(l, 0, KFK_OFFSET_INVALID);
		KT_ASSERT_INT_EQ(kfk_consumer_committed(c, l, WAIT_MS), 0);
		KT_ASSERT_INT_EQ(kfk_tplist_offset(l, 0), 5);
		kfk_tplist_destroy(l);
	}
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "up 1"), 0);
	kfk_consumer_destroy(c);
	KT_ASSERT_INT_EQ(kt_mock_stop(m), 0);
}
