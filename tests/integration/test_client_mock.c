/*
 * test_client_mock: the shared client (client/client.h) against the mock
 * cluster (tests/mockcluster): bootstrap, the first metadata, learned
 * brokers, leader changes, early refreshes and their backoff, thread
 * counts with 100 brokers, bounded destruction and bounded waits.
 *
 * Waits for states the client has no notification for (a broker reaching
 * UP) poll with a 1 ms pause, always bounded by a deadline.
 */
#include "config.h"

#include <dirent.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <kfk/conf.h>

#include "../kt.h"
#include "../mock.h"
#include "client/client.h"
#include "client/client_int.h"
#include "client/conf.h"
#include "client/metadata_backoff.h"
#include "proto/api.h"
#include "proto/gen/list_offsets.h"
#include "proto/gen/metadata.h"

/* How long anything that should happen may take before the test fails:
 * generous for sanitizer builds on a shared machine. */
#define WAIT_MS 15000

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

static void pause_1ms(void)
{
	struct timespec ts = { 0, 1000000 };
	nanosleep(&ts, NULL);
}

/* A client on bootstrap with extra properties (name, value, ..., NULL). */
static struct kfk_client *client_new(const char *bootstrap, ...)
{
	char err[512];
	kfk_conf *conf = kfk_conf_new();
	struct kfk_client *c;
	const char *k;
	va_list ap;

	KT_ASSERT(conf != NULL);
	KT_ASSERT_MSG(!kfk_conf_set(conf, "bootstrap.servers", bootstrap, err,
	                            sizeof(err)), "%s", err);
	if (getenv("KFK_TEST_DEBUG"))
		kfk_conf_set(conf, "debug", getenv("KFK_TEST_DEBUG"), err,
		             sizeof(err));
	va_start(ap, bootstrap);
	while ((k = va_arg(ap, const char *)) != NULL) {
		const char *v = va_arg(ap, const char *);
		KT_ASSERT_MSG(!kfk_conf_set(conf, k, v, err, sizeof(err)), "%s",
		              err);
	}
	va_end(ap);
	c = kfk_client_new(conf, KFK_CLIENT_PRODUCER, err, sizeof(err));
	kfk_conf_destroy(conf);
	KT_ASSERT_MSG(c != NULL, "kfk_client_new: %s", err);
	return c;
}

typedef bool md_pred(const struct kfk_metadata *md, const void *arg);

/* Waits (bounded) for a snapshot for which pred holds; returns it with a
 * reference, or fails the test. */
static struct kfk_metadata *wait_md(struct kfk_client *c, md_pred *pred,
                                    const void *arg, int timeout_ms)
{
	int64_t deadline = kt_now_ms() + timeout_ms;

	for (;;) {
		struct kfk_metadata *md = kfk_client_metadata(c);
		uint64_t v = md->version;
		int64_t left = deadline - kt_now_ms();
		if (pred(md, arg))
			return md;
		kfk_metadata_unref(md);
		KT_ASSERT_MSG(left > 0, "no matching metadata in %d ms (at v%llu)",
		              timeout_ms, (unsigned long long)v);
		(void)kfk_client_metadata_wait(c, v, (int)left);
	}
}

static bool md_has_topic(const struct kfk_metadata *md, const void *arg)
{
	const struct kfk_md_topic *t = kfk_metadata_topic(md, arg);
	return t && t->err == 0 && t->partition_cnt > 0;
}

/* Polls (bounded) until broker b is in state s. */
static bool wait_state(struct kfk_broker *b, enum kfk_broker_state s,
                       int timeout_ms)
{
	int64_t deadline = kt_now_ms() + timeout_ms;
	while (kfk_broker_state(b) != s) {
		if (kt_now_ms() > deadline)
			return false;
		pause_1ms();
	}
	return true;
}

static int count_threads(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void count_broker(struct kfk_broker *b, void *arg)
{
	(void)b;
	(*(int *)arg)++;
}

static int broker_count(struct kfk_client *c)
{
	int n = 0;
	kfk_client_foreach_broker(c, count_broker, &n);
	return n;
}

/* ------------------------------------------------------------------ */
/* Requests of the test's own                                          */
/* ------------------------------------------------------------------ */

/* A request the test sends to one broker and waits for. */
struct probe {
	struct kfk_req req;
	const char *topic;  /* ListOffsets: the partition asked about */
	int32_t partition;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done;
	kfk_err err;        /* the request's outcome */
	int16_t part_err;   /* ListOffsets: the partition's error code */
	int16_t version;
};

static kfk_err probe_encode_lo(struct kfk_req *req, kfk_wbuf *w,
                               int16_t version)
{
	struct probe *p = req->opaque;
	struct kfk_list_offsets_request m;
	struct kfk_list_offsets_request_topic t;
	struct kfk_list_offsets_request_partition part;

	kfk_list_offsets_request_init(&m);
	kfk_list_offsets_request_topic_init(&t);
	kfk_list_offsets_request_partition_init(&part);
	part.partition_index = p->partition;
	part.timestamp = -1; /* the end of the log */
	t.name = kfk_str_c(p->topic);
	t.partitions = &part;
	t.partitions_count = 1;
	m.replica_id = -1;
	m.topics = &t;
	m.topics_count = 1;
	return (kfk_err)kfk_list_offsets_request_encode(w, version, &m);
}

static kfk_err probe_encode_md(struct kfk_req *req, kfk_wbuf *w,
                               int16_t version)
{
	struct kfk_metadata_request m;
	(void)req;
	kfk_metadata_request_init(&m);
	m.topics_count = 0; /* brokers only (v1+) */
	return (kfk_err)kfk_metadata_request_encode(w, version, &m);
}

static void probe_finish(struct probe *p, kfk_err err, int16_t part_err)
{
	pthread_mutex_lock(&p->lock);
	p->err = err;
	p->part_err = part_err;
	p->done = true;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

static void probe_done_lo(struct kfk_req *req, kfk_err err, kfk_rbuf *body,
                          int16_t version)
{
	struct probe *p = req->opaque;
	struct kfk_list_offsets_response r;
	int16_t perr = -1;
	kfk_arena a;

	p->version = version;
	kfk_arena_init(&a);
	if (!err && !kfk_list_offsets_response_decode(body, version, &a, &r) &&
	    r.topics_count == 1 && r.topics[0].partitions_count == 1)
		perr = r.topics[0].partitions[0].error_code;
	kfk_arena_destroy(&a);
	probe_finish(p, err, perr);
}

static void probe_done_md(struct kfk_req *req, kfk_err err, kfk_rbuf *body,
                          int16_t version)
{
	(void)body;
	((struct probe *)req->opaque)->version = version;
	probe_finish(req->opaque, err, 0);
}

static void probe_init(struct probe *p, int16_t api_key)
{
	memset(p, 0, sizeof(*p));
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	p->req.api_key = api_key;
	p->req.opaque = p;
	if (api_key == KFK_APIKEY_LIST_OFFSETS) {
		p->req.min_version = 1;
		p->req.max_version = 7;
		p->req.encode = probe_encode_lo;
		p->req.done = probe_done_lo;
	} else {
		p->req.min_version = 1;
		p->req.max_version =
			kfk_proto_api_get(KFK_APIKEY_METADATA)->max_stable;
		p->req.encode = probe_encode_md;
		p->req.done = probe_done_md;
	}
}

static void probe_fini(struct probe *p)
{
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->lock);
}

/* Waits (bounded) for the probe's outcome; false on a time-out. */
static bool probe_wait(struct probe *p, int timeout_ms)
{
	int64_t deadline = kt_now_ms() + timeout_ms;
	bool done;

	pthread_mutex_lock(&p->lock);
	while (!p->done && kt_now_ms() < deadline) {
		pthread_mutex_unlock(&p->lock);
		pause_1ms();
		pthread_mutex_lock(&p->lock);
	}
	done = p->done;
	pthread_mutex_unlock(&p->lock);
	return done;
}

static bool probe_is_done(struct probe *p)
{
	bool done;
	pthread_mutex_lock(&p->lock);
	done = p->done;
	pthread_mutex_unlock(&p->lock);
	return done;
}

/* ListOffsets for topic/partition sent to broker id; returns the
 * partition's error code (the mock answers NOT_LEADER_OR_FOLLOWER unless
 * id leads the partition). */
static int16_t list_offsets_via(struct kfk_client *c, int32_t id,
                                enum kfk_conn_purpose purpose,
                                const char *topic, int32_t partition)
{
	struct kfk_broker *b = kfk_client_broker_for(c, id, purpose);
	struct probe p;
	int16_t perr;

	KT_ASSERT_MSG(b != NULL, "no broker %d", id);
	probe_init(&p, KFK_APIKEY_LIST_OFFSETS);
	p.topic = topic;
	p.partition = partition;
	kfk_broker_send(b, &p.req);
	KT_ASSERT_MSG(probe_wait(&p, WAIT_MS), "ListOffsets to %d hangs", id);
	KT_ASSERT_INT_EQ(p.err, KFK_ERR_NONE);
	perr = p.part_err;
	probe_fini(&p);
	kfk_broker_unref(b);
	return perr;
}

static int16_t list_offsets_at(struct kfk_client *c, int32_t id,
                               const char *topic, int32_t partition)
{
	return list_offsets_via(c, id, KFK_CONN_MAIN, topic, partition);
}

/* ------------------------------------------------------------------ */
/* (a) bootstrap and the first metadata                                */
/* ------------------------------------------------------------------ */

/* Ports of "127.0.0.1:p1,127.0.0.1:p2,..." in order. */
static int parse_ports(const char *bootstrap, int *ports, int max)
{
	int n = 0;
	const char *s = bootstrap;

	while (s && *s && n < max) {
		const char *colon = strchr(s, ':');
		KT_ASSERT(colon != NULL);
		ports[n++] = atoi(colon + 1);
		s = strchr(colon, ',');
		if (s)
			s++;
	}
	return n;
}

/* Replicas of a 3-broker mock: 3 distinct brokers, the leader among them,
 * the ISR the same list. */
static void assert_replicas(const struct kfk_md_partition *p)
{
	bool has_leader = false;
	int seen = 0;

	KT_ASSERT_INT_EQ(p->replica_cnt, 3);
	KT_ASSERT_INT_EQ(p->isr_cnt, 3);
	for (int r = 0; r < 3; r++) {
		KT_ASSERT(p->replicas[r] >= 1 && p->replicas[r] <= 3);
		KT_ASSERT_INT_EQ(p->isr[r], p->replicas[r]);
		seen |= 1 << p->replicas[r];
		has_leader |= p->replicas[r] == p->leader;
	}
	KT_ASSERT_INT_EQ(seen, 0xe);
	KT_ASSERT(has_leader);
}

KT_TEST(first_metadata_lists_the_cluster_exactly)
{
	struct kt_mock *m = kt_mock_start(3, "t1:3:2", "t2:1:3", NULL);
	struct kfk_client *c;
	struct kfk_metadata *md;
	struct kfk_client_md_stats st;
	int ports[3], i;
	int64_t t0;

	KT_ASSERT(m != NULL);
	KT_ASSERT_INT_EQ(parse_ports(kt_mock_bootstrap(m), ports, 3), 3);
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "leader t1 0 2"), 0);
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "leader t1 1 3"), 0);
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "leader t1 2 1"), 0);
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "leader t2 0 3"), 0);
	/* The mock's Metadata handler goes up to v8 but it advertises v2
	 * by default: widen it to see the highest common version picked.
	 * (At v8 its answer to "every topic" lacks the authorized
	 * operations fields and does not decode; v7 is whole.) */
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "apiversion Metadata 0 7"), 0);

	t0 = kt_now_ms();
	c = client_new(kt_mock_bootstrap(m), NULL);
	KT_ASSERT_INT_EQ(broker_count(c), 3); /* the bootstrap brokers */
	KT_ASSERT_INT_EQ(kfk_client_metadata_wait(c, 0, WAIT_MS), 0);
	kt_log("time to first metadata: %lld ms", (long long)(kt_now_ms() - t0));
	md = kfk_client_metadata(c);
	KT_ASSERT_INT_EQ(md->version, 1);
	KT_ASSERT_INT_EQ(md->broker_cnt, 3);
	for (i = 0; i < 3; i++) {
		KT_ASSERT_INT_EQ(md->brokers[i].id, i + 1);
		KT_ASSERT_STR_EQ(md->brokers[i].host, "127.0.0.1");
		KT_ASSERT_INT_EQ(md->brokers[i].port, ports[i]);
	}
	/* librdkafka's mock never sets its controller id: it sends 0. What
	 * matters is that the v1+ field was read (v0 would give -1). */
	KT_ASSERT(md->controller_id >= 0 && md->controller_id <= 3);
	KT_ASSERT(md->cluster_id != NULL && md->cluster_id[0] != '\0');
	KT_ASSERT_INT_EQ(md->topic_cnt, 0); /* none asked about yet */
	kfk_metadata_unref(md);

	/* Learned brokers replaced the bootstrap ones. */
	KT_ASSERT_INT_EQ(broker_count(c), 3);
	for (i = 1; i <= 3; i++) {
		struct kfk_broker *b = kfk_client_broker(c, i);
		KT_ASSERT(b != NULL);
		KT_ASSERT_INT_EQ(kfk_broker_id(b), i);
		kfk_broker_unref(b);
	}
	KT_ASSERT(kfk_client_broker(c, 4) == NULL);
	KT_ASSERT(kfk_client_broker(c, -1) == NULL);

	/* Every topic of the cluster, exactly. */
	kfk_client_metadata_all_topics(c);
	md = wait_md(c, md_has_topic, "t2", WAIT_MS);
	KT_ASSERT_INT_EQ(md->topic_cnt, 2);
	KT_ASSERT_STR_EQ(md->topics[0].name, "t1");
	KT_ASSERT_INT_EQ(md->topics[0].partition_cnt, 3);
	KT_ASSERT_STR_EQ(md->topics[1].name, "t2");
	KT_ASSERT_INT_EQ(md->topics[1].partition_cnt, 1);
	KT_ASSERT_INT_EQ(kfk_metadata_leader(md, "t1", 0), 2);
	KT_ASSERT_INT_EQ(kfk_metadata_leader(md, "t1", 1), 3);
	KT_ASSERT_INT_EQ(kfk_metadata_leader(md, "t1", 2), 1);
	KT_ASSERT_INT_EQ(kfk_metadata_leader(md, "t2", 0), 3);
	/* librdkafka's mock gives every partition min(3, brokers) replicas
	 * whatever the topic asked, and reports ISR = replicas. */
	for (i = 0; i < md->topic_cnt; i++)
		for (int p = 0; p < md->topics[i].partition_cnt; p++)
			assert_replicas(&md->topics[i].partitions[p]);
	{
		/* The highest version both sides support: the mock's 7. (Its
		 * leader epochs are always -1; the epoch rules are proven in
		 * test_metadata.) */
		struct kfk_broker *b = kfk_client_broker(c, 1);
		kfk_broker_connect(b);
		KT_ASSERT(wait_state(b, KFK_BROKER_UP, WAIT_MS));
		KT_ASSERT_INT_EQ(kfk_broker_api_version(b, KFK_APIKEY_METADATA), 7);
		kfk_broker_unref(b);
	}
	kfk_metadata_unref(md);
	kfk_client_metadata_stats(c, &st);
	KT_ASSERT(st.requests >= 2 && st.responses >= 2);
	KT_ASSERT_INT_EQ(st.failures, 0);
	kfk_client_destroy(c);
	KT_ASSERT_INT_EQ(kt_mock_stop(m), 0);
}

KT_TEST(bootstrap_ipv6_entry_and_failover)
{
	/* The first entry is an IPv6 address nobody listens on: the first
	 * request goes there, fails, and the next one goes to the mock. */
	struct kt_mock *m = kt_mock_start(1, NULL);
	struct kfk_client *c;
	struct kfk_broker *b;
	char bs[600];

	KT_ASSERT(m != NULL);
	snprintf(bs, sizeof(bs), "[::1]:1,%s", kt_mock_bootstrap(m));
	/* The mock answers late, so that the bootstrap brokers are still
	 * there to be looked at: [::1]:1 refuses at once, and the mock's
	 * first answer drops them (ThreadSanitizer's CI run lost that
	 * race). */
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "rtt 1 2000"), 0);
	c = client_new(bs, "socket.connection.setup.timeout.ms", "1000", NULL);
	b = kfk_client_broker(c, -1);
	KT_ASSERT(b != NULL);
	KT_ASSERT_STR_EQ(kfk_broker_name(b), "[::1]:1/bootstrap");
	kfk_broker_unref(b);
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "rtt 1 0"), 0);
	KT_ASSERT_INT_EQ(kfk_client_metadata_wait(c, 0, WAIT_MS), 0);
	KT_ASSERT(kfk_client_broker(c, -1) == NULL);
	b = kfk_client_broker(c, 1);
	KT_ASSERT(b != NULL);
	kfk_broker_unref(b);
	kfk_client_destroy(c);
	KT_ASSERT_INT_EQ(kt_mock_stop(m), 0);
}

static void bad_bootstrap_case(void *arg)
{
	const char *const *v = arg;
	char err[256] = "x";
	kfk_conf *conf = kfk_conf_new();
	struct kfk_client *c;

	if (v[0])
		KT_ASSERT_INT_EQ(kfk_conf_set(conf, "bootstrap.servers", v[0], err,
		                              sizeof(err)), 0);
	c = kfk_client_new(conf, KFK_CLIENT_ADMIN, err, sizeof(err));
	kfk_conf_destroy(conf);
	if (c)
		kfk_client_destroy(c);
	KT_ASSERT(c == NULL);
	KT_ASSERT_MSG(strstr(err, v[1]) != NULL, "message \"%s\" lacks \"%s\"",
	              err, v[1]);
}

KT_TEST(bad_bootstrap_is_refused_with_a_message)
{
	static const char *const cases[][2] = {
		{ NULL, "bootstrap.servers is not set" },
		{ "::1:9092", "bracket" },
		{ "127.0.0.1:70000", "70000" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		kt_subtest(bad_bootstrap_case, (void *)cases[i], "bootstrap \"%s\"",
		           cases[i][0] ? cases[i][0] : "(unset)");
}

/* ------------------------------------------------------------------ */
/* Metadata versions and allow.auto.create.topics                      */
/* ------------------------------------------------------------------ */

static bool md_topic_known(const struct kfk_metadata *md, const void *arg)
{
	return kfk_metadata_topic(md, arg) != NULL;
}

static void auto_create_case(int max_version, const char *allow,
                             bool want_created)
{
	struct kt_mock *m = kt_mock_start(1, NULL);
	struct kfk_client *c;
	struct kfk_metadata *md;
	struct kfk_broker *b;

	KT_ASSERT(m != NULL);
	if (max_version >= 0)
		KT_ASSERT_INT_EQ(kt_mock_cmd(m, "apiversion Metadata 0 %d",
		                             max_version), 0);
	c = client_new(kt_mock_bootstrap(m), "allow.auto.create.topics", allow,
	               NULL);
	KT_ASSERT_INT_EQ(kfk_client_metadata_wait(c, 0, WAIT_MS), 0);
	b = kfk_client_broker(c, 1);
	KT_ASSERT(b != NULL);
	kfk_client_metadata_refresh(c, "fresh", "test");
	md = wait_md(c, want_created ? md_has_topic : md_topic_known, "fresh",
	             WAIT_MS);
	if (max_version >= 0)
		KT_ASSERT_INT_EQ(kfk_broker_api_version(b, KFK_APIKEY_METADATA),
		                 max_version);
	if (want_created) {
		KT_ASSERT_INT_EQ(kfk_metadata_topic(md, "fresh")->err, 0);
	} else {
		KT_ASSERT_INT_EQ(kfk_metadata_topic(md, "fresh")->err,
		                 KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION);
		KT_ASSERT_INT_EQ(kfk_metadata_topic(md, "fresh")->partition_cnt, 0);
	}
	if (max_version >= 0 && max_version < 7 && want_created)
		KT_ASSERT_INT_EQ(kfk_metadata_topic(md, "fresh")
		                     ->partitions[0].leader_epoch, -1);
	if (max_version >= 0 && max_version < 2)
		KT_ASSERT(md->cluster_id == NULL);
	kfk_metadata_unref(md);
	kfk_broker_unref(b);
	kfk_client_destroy(c);
	KT_ASSERT_INT_EQ(kt_mock_stop(m), 0);
}

KT_TEST(auto_create_false_is_sent_at_v8)
{
	auto_create_case(8, "false", false);
}

KT_TEST(auto_create_true_creates_at_v8)
{
	auto_create_case(8, "true", true);
}

KT_TEST(auto_create_false_at_v4)
{
	auto_create_case(4, "false", false);
}

KT_TEST(auto_create_at_v3_cannot_be_refused)
{
	/* Before v4 the field does not exist: the request still encodes and
	 * the broker creates the topic, as Kafka does. */
	auto_create_case(3, "false", true);
}

KT_TEST(metadata_v1_has_no_cluster_id)
{
	auto_create_case(1, "true", true);
}

/* ------------------------------------------------------------------ */
/* (b) leader changes                                                  */
/* ------------------------------------------------------------------ */

struct leader_is {
	const char *topic;
	int32_t partition, leader;
};

static bool md_leader_is(const struct kfk_metadata *md, const void *arg)
{
	const struct leader_is *l = arg;
	return kfk_metadata_leader(md, l->topic, l->partition) == l->leader;
}

KT_TEST(leader_change_is_followed_and_requests_reach_the_leader)
{
	struct kt_mock *m = kt_mock_start(3, "lt:2:3", NULL);
	struct kfk_client *c;
	struct kfk_metadata *md;
	struct leader_is want = { "lt", 0, 1 };
	int32_t epoch;

	KT_ASSERT(m != NULL);
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "leader lt 0 1"), 0);
	c = client_new(kt_mock_bootstrap(m), NULL);
	kfk_client_metadata_refresh(c, "lt", "test");
	md = wait_md(c, md_leader_is, &want, WAIT_MS);
	epoch = kfk_metadata_partition(md, "lt", 0)->leader_epoch;
	kfk_metadata_unref(md);
	KT_ASSERT_INT_EQ(list_offsets_at(c, 1, "lt", 0), 0);
	KT_ASSERT_INT_EQ(list_offsets_at(c, 3, "lt", 0),
	                 KFK_ERR_NOT_LEADER_OR_FOLLOWER);

	/* The leader moves to 3: a refresh shows it, and
	 * a request sent to the broker the snapshot names is answered by
	 * the leader. */
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "leader lt 0 3"), 0);
	kfk_client_metadata_refresh(c, "lt", "NOT_LEADER_OR_FOLLOWER");
	want.leader = 3;
	md = wait_md(c, md_leader_is, &want, WAIT_MS);
	/* Never backwards (the mock sends no epochs: -1 both times). */
	KT_ASSERT(kfk_metadata_partition(md, "lt", 0)->leader_epoch >= epoch);
	KT_ASSERT_INT_EQ(list_offsets_at(c, kfk_metadata_leader(md, "lt", 0), "lt",
	                                 0), 0);
	KT_ASSERT_INT_EQ(list_offsets_at(c, 1, "lt", 0),
	                 KFK_ERR_NOT_LEADER_OR_FOLLOWER);
	kfk_metadata_unref(md);
	kfk_client_destroy(c);
	KT_ASSERT_INT_EQ(kt_mock_stop(m), 0);
}

/* A coordinator connection is a second TCP connection to the same node,
 * with its own ApiVersions and requests. */
KT_TEST(coordinator_connection_is_its_own)
{
	struct kt_mock *m = kt_mock_start(1, "ct:1:1", NULL);
	struct kfk_broker_stats main_st, coord_st;
	struct kfk_broker *b, *cb;
	struct kfk_client *c;
	struct kfk_metadata *md;
	struct leader_is want = { "ct", 0, 1 };

	KT_ASSERT(m != NULL);
	c = client_new(kt_mock_bootstrap(m), NULL);
	kfk_client_metadata_refresh(c, "ct", "test");
	md = wait_md(c, md_leader_is, &want, WAIT_MS);
	kfk_metadata_unref(md);
	KT_ASSERT_INT_EQ(list_offsets_via(c, 1, KFK_CONN_COORDINATOR, "ct", 0),
	                 0);
	KT_ASSERT_INT_EQ(list_offsets_via(c, 1, KFK_CONN_COORDINATOR, "ct", 0),
	                 0);
	KT_ASSERT_INT_EQ(list_offsets_at(c, 1, "ct", 0), 0);
	b = kfk_client_broker(c, 1);
	cb = kfk_client_broker_for(c, 1, KFK_CONN_COORDINATOR);
	KT_ASSERT(b && cb && b != cb);
	kfk_broker_stats(b, &main_st);
	kfk_broker_stats(cb, &coord_st);
	KT_ASSERT_INT_EQ(coord_st.connects, 1);
	/* ApiVersions (maybe stepping down) and two ListOffsets on the
	 * coordinator's connection, all answered. */
	KT_ASSERT(coord_st.reqs_sent >= 3);
	KT_ASSERT_INT_EQ(coord_st.resps_received, coord_st.reqs_sent);
	KT_ASSERT_INT_EQ(kfk_broker_state(cb), KFK_BROKER_UP);
	KT_ASSERT(main_st.connects >= 1);
	KT_ASSERT(kfk_broker_api_version(cb, KFK_APIKEY_LIST_OFFSETS) >= 0);
	kfk_broker_unref(b);
	kfk_broker_unref(cb);
	kfk_client_destroy(c);
	KT_ASSERT_INT_EQ(kt_mock_stop(m), 0);
}

/* ------------------------------------------------------------------ */
/* Early refreshes                                                     */
/* ------------------------------------------------------------------ */

/* Early refreshes in a row within t_ms by the backoff's rule: the n-th
 * goes at the earliest min * (2^(n-1) - 1) ms after the first. */
static int backoff_bound(int64_t t_ms)
{
	int n = 1;
	while ((int64_t)KFK_MD_BACKOFF_MIN_MS * ((1LL << n) - 1) <= t_ms)
		n++;
	return n;
}

KT_TEST(flapping_broker_causes_no_request_storm)
{
	struct kt_mock *m = kt_mock_start(3, NULL);
	struct kfk_client *c;
	struct kfk_client_md_stats s0, s1;
	struct kfk_broker *b;
	int64_t t0, elapsed;
	int flaps = 0, bound;

	KT_ASSERT(m != NULL);
	/* Quick reconnects, so the broker can flap many times a second. */
	c = client_new(kt_mock_bootstrap(m), "reconnect.backoff.ms", "5",
	               "reconnect.backoff.max.ms", "20", NULL);
	KT_ASSERT_INT_EQ(kfk_client_metadata_wait(c, 0, WAIT_MS), 0);
	b = kfk_client_broker(c, 1);
	KT_ASSERT(b != NULL);
	kfk_broker_connect(b);
	KT_ASSERT(wait_state(b, KFK_BROKER_UP, WAIT_MS));
	kfk_client_metadata_stats(c, &s0);
	t0 = kt_now_ms();
	while (kt_now_ms() - t0 < 3000) {
		KT_ASSERT_INT_EQ(kt_mock_cmd(m, "down 1"), 0);
		KT_ASSERT_MSG(wait_state(b, KFK_BROKER_DOWN, WAIT_MS),
		              "broker 1 did not go down");
		KT_ASSERT_INT_EQ(kt_mock_cmd(m, "up 1"), 0);
		kfk_broker_connect(b);
		KT_ASSERT_MSG(wait_state(b, KFK_BROKER_UP, WAIT_MS),
		              "broker 1 did not come back");
		flaps++;
	}
	kfk_client_metadata_stats(c, &s1);
	elapsed = kt_now_ms() - t0;
	bound = backoff_bound(elapsed);
	kt_log("%d flaps in %lld ms: %llu Metadata requests (%llu early), "
	       "bound %d", flaps, (long long)elapsed,
	       (unsigned long long)(s1.requests - s0.requests),
	       (unsigned long long)(s1.early - s0.early), bound);
	KT_ASSERT_MSG(flaps >= 10, "only %d flaps: the test proves nothing",
	              flaps);
	/* Every request in the window is early: no periodic refresh within
	 * the default 5 minutes. */
	KT_ASSERT_INT_EQ(s1.requests - s0.requests, s1.early - s0.early);
	KT_ASSERT(s1.early - s0.early >= 2); /* DOWN does trigger refreshes */
	KT_ASSERT((int)(s1.early - s0.early) <= bound);
	kfk_broker_unref(b);
	kfk_client_destroy(c);
	KT_ASSERT_INT_EQ(kt_mock_stop(m), 0);
}

struct hammer {
	struct kfk_client *c;
	int n;
	int id;
};

static void *hammer_run(void *arg)
{
	struct hammer *h = arg;
	char topic[32];

	snprintf(topic, sizeof(topic), "auto-%d", h->id);
	for (int i = 0; i < h->n; i++)
		kfk_client_metadata_refresh(h->c, i % 2 ? topic : NULL, "hammer");
	return NULL;
}

KT_TEST(refresh_requests_from_many_threads_are_merged)
{
	struct kt_mock *m = kt_mock_start(1, NULL);
	struct kfk_client *c;
	struct kfk_client_md_stats s0, s1;
	struct kfk_metadata *md;
	struct hammer h[4];
	pthread_t th[4];
	int64_t t0, elapsed;
	int i;

	KT_ASSERT(m != NULL);
	c = client_new(kt_mock_bootstrap(m), NULL);
	KT_ASSERT_INT_EQ(kfk_client_metadata_wait(c, 0, WAIT_MS), 0);
	kfk_client_metadata_stats(c, &s0);
	t0 = kt_now_ms();
	for (i = 0; i < 4; i++) {
		h[i] = (struct hammer){ c, 5000, i };
		KT_ASSERT_INT_EQ(pthread_create(&th[i], NULL, hammer_run, &h[i]), 0);
	}
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	/* Every topic asked about is learned: none was lost in merging. */
	for (i = 0; i < 4; i++) {
		char topic[32];
		snprintf(topic, sizeof(topic), "auto-%d", i);
		md = wait_md(c, md_has_topic, topic, WAIT_MS);
		kfk_metadata_unref(md);
	}
	kfk_client_metadata_stats(c, &s1);
	elapsed = kt_now_ms() - t0;
	kt_log("20000 refresh calls: %llu requests in %lld ms",
	       (unsigned long long)(s1.requests - s0.requests),
	       (long long)elapsed);
	KT_ASSERT(s1.requests > s0.requests);
	KT_ASSERT((int)(s1.early - s0.early) <= backoff_bound(elapsed));
	kfk_client_destroy(c);
	KT_ASSERT_INT_EQ(kt_mock_stop(m), 0);
}

KT_TEST(topic_error_in_response_triggers_early_refreshes)
{
	struct kt_mock *m = kt_mock_start(1, "bad:1", NULL);
	struct kfk_client *c;
	struct kfk_client_md_stats s0, s1;
	struct kfk_metadata *md;
	int64_t deadline;
	uint64_t v;

	KT_ASSERT(m != NULL);
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "topicerr bad LEADER_NOT_AVAILABLE"), 0);
	c = client_new(kt_mock_bootstrap(m), NULL);
	KT_ASSERT_INT_EQ(kfk_client_metadata_wait(c, 0, WAIT_MS), 0);
	kfk_client_metadata_stats(c, &s0);
	kfk_client_metadata_refresh(c, "bad", "test");
	/* Nobody asks again, yet the client keeps asking, spaced by the
	 * backoff (at +0, +100, +300 ms, ...). */
	deadline = kt_now_ms() + WAIT_MS;
	do {
		pause_1ms();
		kfk_client_metadata_stats(c, &s1);
	} while (s1.early - s0.early < 4 && kt_now_ms() < deadline);
	KT_ASSERT(s1.early - s0.early >= 4);
	md = kfk_client_metadata(c);
	KT_ASSERT_INT_EQ(kfk_metadata_topic(md, "bad")->err,
	                 KFK_ERR_LEADER_NOT_AVAILABLE);
	kfk_metadata_unref(md);
	/* The error clears: the next refresh sees the topic, then the
	 * client calms down (no new snapshot for 500 ms). */
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "topicerr bad 0"), 0);
	md = wait_md(c, md_has_topic, "bad", WAIT_MS);
	v = md->version;
	kfk_metadata_unref(md);
	KT_ASSERT_INT_EQ(kfk_client_metadata_wait(c, v, 500), KFK_ERR__TIMED_OUT);
	kfk_client_destroy(c);
	KT_ASSERT_INT_EQ(kt_mock_stop(m), 0);
}

/* ------------------------------------------------------------------ */
/* The registry following metadata (addresses, decommissions)          */
/* ------------------------------------------------------------------ */

struct inject {
	struct kfk_client *c;
	struct kfk_metadata *md;
};

/* On the control loop, as a response would. */
static void inject_run(void *arg)
{
	struct inject *in = arg;
	kfk_reg_update(in->c, in->md);
}

static void inject(struct kfk_client *c, const char *const *hosts,
                   const int32_t *ids, const int *ports, int n)
{
	struct kfk_metadata_response r;
	struct kfk_metadata_response_broker b[8];
	struct kfk_metadata *md = NULL;
	struct inject in;

	kfk_metadata_response_init(&r);
	for (int i = 0; i < n; i++) {
		kfk_metadata_response_broker_init(&b[i]);
		b[i].node_id = ids[i];
		b[i].host = kfk_str_c(hosts[i]);
		b[i].port = ports[i];
	}
	r.brokers = b;
	r.brokers_count = n;
	KT_ASSERT_INT_EQ(kfk_metadata_build(NULL, &r, false, 1, 1, &md, NULL), 0);
	in = (struct inject){ c, md };
	kfk_client_run_sync(kfk_client_control_loop(c), inject_run, &in);
	kfk_metadata_unref(md);
}

static bool wait_name(struct kfk_broker *b, const char *name)
{
	int64_t deadline = kt_now_ms() + WAIT_MS;
	while (strcmp(kfk_broker_name(b), name) != 0) {
		if (kt_now_ms() > deadline)
			return false;
		pause_1ms();
	}
	return true;
}

KT_TEST(registry_follows_addresses_and_decommissions)
{
	/* Nothing listens on port 1 of 127.0.0.1: the first metadata never
	 * comes, so only injected snapshots move the registry. */
	struct kfk_client *c = client_new("127.0.0.1:1", NULL);
	static const char *const h1[] = { "127.0.0.1", "127.0.0.1", "127.0.0.1" };
	static const int32_t id1[] = { 1, 2, 3 };
	static const int p1[] = { 1, 2, 3 };
	static const char *const h2[] = { "127.0.0.2", "127.0.0.1", "127.0.0.1" };
	static const int32_t id2[] = { 1, 3, 4 };
	static const int p2[] = { 1, 33, 4 };
	struct kfk_broker *b1, *b2, *b3, *c1, *c2, *x;
	struct probe p;

	KT_ASSERT_INT_EQ(broker_count(c), 1);
	inject(c, h1, id1, p1, 3);
	KT_ASSERT_INT_EQ(broker_count(c), 3); /* bootstrap dropped */
	KT_ASSERT(kfk_client_broker(c, -1) == NULL);
	b1 = kfk_client_broker(c, 1);
	b2 = kfk_client_broker(c, 2);
	b3 = kfk_client_broker(c, 3);
	KT_ASSERT(b1 && b2 && b3);
	KT_ASSERT_STR_EQ(kfk_broker_name(b1), "127.0.0.1:1/1");
	KT_ASSERT_STR_EQ(kfk_broker_name(b3), "127.0.0.1:3/3");
	/* Coordinator connections: objects of their own, made once. */
	c1 = kfk_client_broker_for(c, 1, KFK_CONN_COORDINATOR);
	c2 = kfk_client_broker_for(c, 2, KFK_CONN_COORDINATOR);
	KT_ASSERT(c1 && c2 && c1 != b1 && c2 != b2);
	KT_ASSERT_STR_EQ(kfk_broker_name(c1), "127.0.0.1:1/1/coordinator");
	KT_ASSERT_INT_EQ(kfk_broker_id(c1), 1);
	x = kfk_client_broker_for(c, 1, KFK_CONN_COORDINATOR);
	KT_ASSERT(x == c1);
	kfk_broker_unref(x);
	x = kfk_client_broker_for(c, 1, KFK_CONN_MAIN);
	KT_ASSERT(x == b1);
	kfk_broker_unref(x);
	KT_ASSERT(kfk_client_broker_for(c, 9, KFK_CONN_COORDINATOR) == NULL);

	/* 1 moves host, 3 moves port, 2 is decommissioned, 4 is new. */
	inject(c, h2, id2, p2, 3);
	KT_ASSERT_INT_EQ(broker_count(c), 3);
	x = kfk_client_broker(c, 1);
	KT_ASSERT(x == b1); /* the same object, moved */
	kfk_broker_unref(x);
	x = kfk_client_broker(c, 3);
	KT_ASSERT(x == b3);
	kfk_broker_unref(x);
	KT_ASSERT(wait_name(b1, "127.0.0.2:1/1"));
	KT_ASSERT(wait_name(b3, "127.0.0.1:33/3"));
	KT_ASSERT(wait_name(c1, "127.0.0.2:1/1/coordinator"));
	x = kfk_client_broker_for(c, 1, KFK_CONN_COORDINATOR);
	KT_ASSERT(x == c1); /* moved, not remade */
	kfk_broker_unref(x);
	KT_ASSERT(kfk_client_broker(c, 2) == NULL);
	x = kfk_client_broker(c, 4);
	KT_ASSERT(x != NULL);
	KT_ASSERT_STR_EQ(kfk_broker_name(x), "127.0.0.1:4/4");
	kfk_broker_unref(x);
	/* The decommissioned broker was destroyed: it refuses work. */
	probe_init(&p, KFK_APIKEY_METADATA);
	kfk_broker_send(b2, &p.req);
	KT_ASSERT(probe_wait(&p, WAIT_MS));
	KT_ASSERT_INT_EQ(p.err, KFK_ERR__DESTROY);
	probe_fini(&p);
	/* And so was its coordinator connection. */
	probe_init(&p, KFK_APIKEY_METADATA);
	kfk_broker_send(c2, &p.req);
	KT_ASSERT(probe_wait(&p, WAIT_MS));
	KT_ASSERT_INT_EQ(p.err, KFK_ERR__DESTROY);
	probe_fini(&p);
	kfk_broker_unref(c1);
	kfk_broker_unref(c2);
	kfk_broker_unref(b1);
	kfk_broker_unref(b2);
	kfk_broker_unref(b3);
	kfk_client_destroy(c);
}

/* ------------------------------------------------------------------ */
/* (c) threads with 100 brokers                                        */
/* ------------------------------------------------------------------ */

static bool md_brokers(const struct kfk_metadata *md, const void *arg)
{
	return md->broker_cnt == *(const int *)arg;
}

KT_TEST(hundred_brokers_few_threads)
{
	enum { IO_THREADS = 4 };
	int nb = 100, base, after, i, up = 0;
	struct kt_mock *m;
	struct kfk_client *c;
	struct kfk_metadata *md;
	struct probe *p;
	char iot[8];

	m = kt_mock_start(nb, NULL);
	if (!m) {
		/* The mock cluster helper caps its size (MC_MAX_BROKERS). */
		nb = 64;
		kt_log("a 100-broker mock cluster did not start; using %d", nb);
		m = kt_mock_start(nb, NULL);
	}
	KT_ASSERT(m != NULL);
	/* Threads of earlier tests linger in /proc a moment after they were
	 * joined: let them go (bounded) so that base is this process at
	 * rest, its main thread. */
	for (int64_t end = kt_now_ms() + 5000;
	     count_threads() > 1 && kt_now_ms() < end;)
		pause_1ms();
	base = count_threads();
	snprintf(iot, sizeof(iot), "%d", IO_THREADS);
	c = client_new(kt_mock_bootstrap(m), "io.threads", iot, NULL);
	md = wait_md(c, md_brokers, &nb, WAIT_MS);
	kfk_metadata_unref(md);
	KT_ASSERT_INT_EQ(broker_count(c), nb);

	/* A request to every broker: each connects and answers. */
	p = calloc((size_t)nb, sizeof(*p));
	KT_ASSERT(p != NULL);
	for (i = 0; i < nb; i++) {
		struct kfk_broker *b = kfk_client_broker(c, i + 1);
		KT_ASSERT(b != NULL);
		probe_init(&p[i], KFK_APIKEY_METADATA);
		kfk_broker_send(b, &p[i].req);
		kfk_broker_unref(b);
	}
	for (i = 0; i < nb; i++) {
		struct kfk_broker *b = kfk_client_broker(c, i + 1);
		KT_ASSERT(probe_wait(&p[i], WAIT_MS));
		KT_ASSERT_INT_EQ(p[i].err, 0);
		up += kfk_broker_state(b) == KFK_BROKER_UP;
		kfk_broker_unref(b);
		probe_fini(&p[i]);
	}
	free(p);
	KT_ASSERT_INT_EQ(up, nb);
	after = count_threads();
	kt_log("%d brokers UP: %d threads before the client, %d with it "
	       "(io.threads=%d)", nb, base, after, IO_THREADS);
	/* The client adds its I/O threads, plus at most the resolver's. */
	KT_ASSERT(after - base <= IO_THREADS + 1);
	KT_ASSERT(after - base >= IO_THREADS);
	kfk_client_destroy(c);
	KT_ASSERT_INT_EQ(kt_mock_stop(m), 0);
}

/* I/O threads of this process: named "kfk-io-<i>" by the pool. */
static int count_io_threads(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	char path[300], name[32];
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		FILE *f;
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm", e->d_name);
		if (!(f = fopen(path, "r")))
			continue;
		n += fgets(name, sizeof(name), f) && !strncmp(name, "kfk-io-", 7);
		fclose(f);
	}
	closedir(d);
	return n;
}

/* One bootstrap address may stand for a whole cluster: the pool is sized
 * by io.threads, not by the bootstrap list (it was min(io.threads, 1)). */
KT_TEST(one_bootstrap_address_runs_io_threads_threads)
{
	struct kt_mock *m = kt_mock_start(3, NULL);
	struct kfk_client *c;
	char first[64];

	KT_ASSERT(m != NULL);
	snprintf(first, sizeof(first), "%s", kt_mock_bootstrap(m));
	first[strcspn(first, ",")] = 0;
	/* Threads of earlier tests' clients linger in /proc a moment after
	 * they were joined: wait (bounded) until none is left. */
	for (int64_t end = kt_now_ms() + WAIT_MS;
	     count_io_threads() > 0 && kt_now_ms() < end;)
		pause_1ms();
	KT_ASSERT_INT_EQ(count_io_threads(), 0);
	c = client_new(first, "io.threads", "4", NULL);
	KT_ASSERT_INT_EQ(count_io_threads(), 4);
	kfk_client_destroy(c);
	KT_ASSERT_INT_EQ(kt_mock_stop(m), 0);
}

/* ------------------------------------------------------------------ */
/* (d) destruction is bounded                                          */
/* ------------------------------------------------------------------ */

static int64_t timed_destroy(struct kfk_client *c)
{
	int64_t t0 = kt_now_ms(), ms;
	kfk_client_destroy(c);
	ms = kt_now_ms() - t0;
	KT_ASSERT_MSG(ms < KFK_CLIENT_DESTROY_BOUND_MS,
	              "destroy took %lld ms", (long long)ms);
	return ms;
}

KT_TEST(destroy_with_every_broker_down_is_bounded)
{
	struct kt_mock *m = kt_mock_start(3, "d:3:1", NULL);
	struct kfk_client *c;
	struct kfk_broker *b[3];
	struct probe queued;
	int i;

	KT_ASSERT(m != NULL);
	c = client_new(kt_mock_bootstrap(m), "reconnect.backoff.ms", "5000",
	               "reconnect.backoff.max.ms", "10000", NULL);
	KT_ASSERT_INT_EQ(kfk_client_metadata_wait(c, 0, WAIT_MS), 0);
	for (i = 0; i < 3; i++) {
		b[i] = kfk_client_broker(c, i + 1);
		kfk_broker_connect(b[i]);
		KT_ASSERT(wait_state(b[i], KFK_BROKER_UP, WAIT_MS));
	}
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "down -1"), 0);
	for (i = 0; i < 3; i++)
		KT_ASSERT(wait_state(b[i], KFK_BROKER_DOWN, WAIT_MS));
	/* A request waits for broker 1 to come back (5 s backoff). */
	probe_init(&queued, KFK_APIKEY_METADATA);
	kfk_broker_send(b[0], &queued.req);
	for (i = 0; i < 3; i++)
		kfk_broker_unref(b[i]);
	kt_log("destroy with every broker down: %lld ms",
	       (long long)timed_destroy(c));
	KT_ASSERT(probe_is_done(&queued));
	KT_ASSERT_INT_EQ(queued.err, KFK_ERR__DESTROY);
	probe_fini(&queued);
	KT_ASSERT_INT_EQ(kt_mock_stop(m), 0);
}

KT_TEST(destroy_with_silent_brokers_is_bounded)
{
	struct kt_mock *m = kt_mock_start(3, NULL);
	struct kfk_client *c;
	struct kfk_broker *b;
	struct probe inflight;

	KT_ASSERT(m != NULL);
	c = client_new(kt_mock_bootstrap(m), NULL);
	KT_ASSERT_INT_EQ(kfk_client_metadata_wait(c, 0, WAIT_MS), 0);
	b = kfk_client_broker(c, 2);
	kfk_broker_connect(b);
	KT_ASSERT(wait_state(b, KFK_BROKER_UP, WAIT_MS));
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "rtt -1 20000"), 0);
	probe_init(&inflight, KFK_APIKEY_METADATA);
	kfk_broker_send(b, &inflight.req);
	kfk_broker_unref(b);
	kt_log("destroy with a request in flight to a silent broker: %lld ms",
	       (long long)timed_destroy(c));
	KT_ASSERT(probe_is_done(&inflight));
	KT_ASSERT_INT_EQ(inflight.err, KFK_ERR__DESTROY);
	probe_fini(&inflight);
	KT_ASSERT_INT_EQ(kt_mock_stop(m), 0);
}

KT_TEST(destroy_while_bootstrap_unreachable_is_bounded)
{
	struct kt_mock *m = kt_mock_start(3, NULL);
	struct kfk_client *c;
	struct kfk_broker *b;

	KT_ASSERT(m != NULL);
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "down -1"), 0);
	/* At once, with the first connections on their way. */
	c = client_new(kt_mock_bootstrap(m), NULL);
	timed_destroy(c);
	/* And once the first attempt has failed. */
	c = client_new(kt_mock_bootstrap(m), NULL);
	b = kfk_client_broker(c, -1);
	KT_ASSERT(wait_state(b, KFK_BROKER_DOWN, WAIT_MS));
	kfk_broker_unref(b);
	timed_destroy(c);
	KT_ASSERT_INT_EQ(kt_mock_stop(m), 0);
}

/* ------------------------------------------------------------------ */
/* (e) kfk_client_metadata_wait                                        */
/* ------------------------------------------------------------------ */

KT_TEST(metadata_wait_is_bounded)
{
	struct kt_mock *m = kt_mock_start(1, NULL);
	struct kfk_client *c;
	struct kfk_metadata *md;
	int64_t t0, ms;
	uint64_t v;

	KT_ASSERT(m != NULL);
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "down -1"), 0);
	c = client_new(kt_mock_bootstrap(m), NULL);
	/* No broker answers: the wait ends at its time-out, not before,
	 * not much after. */
	t0 = kt_now_ms();
	KT_ASSERT_INT_EQ(kfk_client_metadata_wait(c, 0, 300), KFK_ERR__TIMED_OUT);
	ms = kt_now_ms() - t0;
	kt_log("wait(300 ms) with the cluster down returned after %lld ms",
	       (long long)ms);
	KT_ASSERT(ms >= 300 && ms < 300 + 500);
	KT_ASSERT_INT_EQ(kfk_client_metadata_wait(c, 0, 0), KFK_ERR__TIMED_OUT);
	md = kfk_client_metadata(c);
	KT_ASSERT_INT_EQ(md->version, 0);
	KT_ASSERT_INT_EQ(md->broker_cnt, 0);
	kfk_metadata_unref(md);

	/* The cluster comes back: the client finds it by itself. */
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "up -1"), 0);
	t0 = kt_now_ms();
	KT_ASSERT_INT_EQ(kfk_client_metadata_wait(c, 0, WAIT_MS), 0);
	kt_log("first metadata %lld ms after the cluster came up",
	       (long long)(kt_now_ms() - t0));

	/* Nothing changes: waiting for a newer snapshot times out; asking
	 * for one ends the wait. */
	md = kfk_client_metadata(c);
	v = md->version;
	kfk_metadata_unref(md);
	KT_ASSERT_INT_EQ(kfk_client_metadata_wait(c, v, 200), KFK_ERR__TIMED_OUT);
	kfk_client_metadata_refresh(c, NULL, "test");
	KT_ASSERT_INT_EQ(kfk_client_metadata_wait(c, v, WAIT_MS), 0);
	md = kfk_client_metadata(c);
	KT_ASSERT_INT_EQ(md->version, v + 1);
	kfk_metadata_unref(md);
	kfk_client_destroy(c);
	KT_ASSERT_INT_EQ(kt_mock_stop(m), 0);
}

KT_TEST(periodic_refresh_follows_the_interval)
{
	struct kt_mock *m = kt_mock_start(1, NULL);
	struct kfk_client *c;
	struct kfk_client_md_stats st;
	int64_t t0;

	KT_ASSERT(m != NULL);
	c = client_new(kt_mock_bootstrap(m), "topic.metadata.refresh.interval.ms",
	               "100", NULL);
	KT_ASSERT_INT_EQ(kfk_client_metadata_wait(c, 0, WAIT_MS), 0);
	t0 = kt_now_ms();
	/* Three more snapshots come by themselves, about 100 ms apart. */
	KT_ASSERT_INT_EQ(kfk_client_metadata_wait(c, 3, WAIT_MS), 0);
	kt_log("3 periodic refreshes in %lld ms", (long long)(kt_now_ms() - t0));
	KT_ASSERT(kt_now_ms() - t0 >= 190);
	kfk_client_metadata_stats(c, &st);
	KT_ASSERT_INT_EQ(st.early, 0);
	kfk_client_destroy(c);
	KT_ASSERT_INT_EQ(kt_mock_stop(m), 0);
}
