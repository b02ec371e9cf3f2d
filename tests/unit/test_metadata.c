/*
 * test_metadata: metadata snapshots built from decoded Metadata responses
 * (client/metadata.h) and the early-refresh backoff (client/metadata_backoff.h),
 * without any network.
 *
 * Responses are written as small tables (struct tb_*), turned into the
 * generated kfk_metadata_response; some go through the generated encoder
 * and decoder at each version, to check what each version carries.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "client/metadata.h"
#include "client/metadata_backoff.h"
#include "proto/arena.h"
#include "proto/gen/metadata.h"
#include "../kt.h"

/* ------------------------------------------------------------------ */
/* Responses from tables                                               */
/* ------------------------------------------------------------------ */

#define TB_MAX 8

struct tb_part {
	int32_t id;
	int16_t err;
	int32_t leader;
	int32_t epoch;
	int32_t replicas[TB_MAX]; /* ends at the first 0 */
	int32_t isr[TB_MAX];
};

struct tb_topic {
	const char *name; /* NULL ends the list */
	int16_t err;
	bool internal;
	struct tb_part parts[TB_MAX];
	int nparts;
};

struct tb_broker {
	int32_t id;
	const char *host;
	int32_t port;
	const char *rack;
};

/* Storage for one response built from tables. */
struct tb_resp {
	struct kfk_metadata_response r;
	struct kfk_metadata_response_broker b[TB_MAX];
	struct kfk_metadata_response_topic t[TB_MAX];
	struct kfk_metadata_response_partition p[TB_MAX][TB_MAX];
};

static int32_t count_ids(const int32_t *v)
{
	int32_t n = 0;
	while (n < TB_MAX && v[n])
		n++;
	return n;
}

static void tb_fill_topic(struct tb_resp *s, int i, const struct tb_topic *tt)
{
	struct kfk_metadata_response_topic *t = &s->t[i];
	int j;

	kfk_metadata_response_topic_init(t);
	t->name = kfk_str_c(tt->name);
	t->error_code = tt->err;
	t->is_internal = tt->internal;
	t->partitions = s->p[i];
	t->partitions_count = tt->nparts;
	for (j = 0; j < tt->nparts; j++) {
		struct kfk_metadata_response_partition *p = &s->p[i][j];
		const struct tb_part *tp = &tt->parts[j];
		kfk_metadata_response_partition_init(p);
		p->partition_index = tp->id;
		p->error_code = tp->err;
		p->leader_id = tp->leader;
		p->leader_epoch = tp->epoch;
		p->replica_nodes = (int32_t *)tp->replicas;
		p->replica_nodes_count = count_ids(tp->replicas);
		p->isr_nodes = (int32_t *)tp->isr;
		p->isr_nodes_count = count_ids(tp->isr);
	}
}

static void tb_build(struct tb_resp *s, const char *cluster, int32_t ctrl,
                     const struct tb_broker *brokers,
                     const struct tb_topic *topics)
{
	int i;

	memset(s, 0, sizeof(*s));
	kfk_metadata_response_init(&s->r);
	s->r.cluster_id = kfk_str_c(cluster);
	s->r.controller_id = ctrl;
	s->r.brokers = s->b;
	for (i = 0; brokers && brokers[i].host; i++) {
		kfk_metadata_response_broker_init(&s->b[i]);
		s->b[i].node_id = brokers[i].id;
		s->b[i].host = kfk_str_c(brokers[i].host);
		s->b[i].port = brokers[i].port;
		s->b[i].rack = kfk_str_c(brokers[i].rack);
	}
	s->r.brokers_count = i;
	s->r.topics = s->t;
	for (i = 0; topics && topics[i].name; i++)
		tb_fill_topic(s, i, &topics[i]);
	s->r.topics_count = i;
}

static const struct tb_broker three_brokers[] = {
	/* out of order on purpose: the snapshot sorts them */
	{ 3, "10.0.0.3", 9094, "r3" },
	{ 1, "10.0.0.1", 9092, NULL },
	{ 2, "broker-2.example", 9093, "r2" },
	{ 0, NULL, 0, NULL },
};

static struct kfk_metadata *build_ok(const struct kfk_metadata *prev,
                                     const struct kfk_metadata_response *r,
                                     bool all,
                                     int64_t now, int64_t max_age,
                                     struct kfk_md_build_info *info)
{
	struct kfk_metadata *md = NULL;
	kfk_err err = kfk_metadata_build(prev, r, all, now, max_age, &md,
	                                 info);
	KT_ASSERT_INT_EQ(err, KFK_ERR_NONE);
	KT_ASSERT(md != NULL);
	return md;
}

static void assert_ids(const int32_t *v, int32_t n, const int32_t *want)
{
	int32_t i;
	KT_ASSERT_INT_EQ(n, count_ids(want));
	for (i = 0; i < n; i++)
		KT_ASSERT_INT_EQ(v[i], want[i]);
}

/* ------------------------------------------------------------------ */
/* Building a first snapshot                                           */
/* ------------------------------------------------------------------ */

KT_TEST(build_first_snapshot_exact)
{
	static const struct tb_topic topics[] = {
		{ "orders", 0, false,
		  { { 2, 0, 3, 7, { 3, 1 }, { 3 } },
		    { 0, 0, 1, 5, { 1, 2 }, { 1, 2 } },
		    { 1, 0, 2, 6, { 2, 3 }, { 2, 3 } } },
		  3 },
		{ "__consumer_offsets", 0, true,
		  { { 0, 0, 2, 0, { 2 }, { 2 } } }, 1 },
		{ NULL, 0, false, { { 0 } }, 0 },
	};
	struct tb_resp s;
	struct kfk_md_build_info info;
	struct kfk_metadata *md;
	const struct kfk_md_topic *t;
	const struct kfk_md_partition *p;

	tb_build(&s, "cluster-A", 2, three_brokers, topics);
	md = build_ok(NULL, &s.r, false, 1000, 300000, &info);

	KT_ASSERT_INT_EQ(md->version, 1);
	KT_ASSERT_INT_EQ(md->received_ms, 1000);
	KT_ASSERT_STR_EQ(md->cluster_id, "cluster-A");
	KT_ASSERT_INT_EQ(md->controller_id, 2);
	KT_ASSERT_INT_EQ(md->broker_cnt, 3);
	KT_ASSERT_INT_EQ(md->brokers[0].id, 1);
	KT_ASSERT_STR_EQ(md->brokers[0].host, "10.0.0.1");
	KT_ASSERT_INT_EQ(md->brokers[0].port, 9092);
	KT_ASSERT(md->brokers[0].rack == NULL);
	KT_ASSERT_INT_EQ(md->brokers[1].id, 2);
	KT_ASSERT_STR_EQ(md->brokers[1].host, "broker-2.example");
	KT_ASSERT_STR_EQ(md->brokers[1].rack, "r2");
	KT_ASSERT_INT_EQ(md->brokers[2].id, 3);
	KT_ASSERT_INT_EQ(md->brokers[2].port, 9094);

	KT_ASSERT_INT_EQ(md->topic_cnt, 2);
	KT_ASSERT_STR_EQ(md->topics[0].name, "__consumer_offsets");
	KT_ASSERT_INT_EQ(md->topics[0].is_internal, 1);
	KT_ASSERT_STR_EQ(md->topics[1].name, "orders");
	t = kfk_metadata_topic(md, "orders");
	KT_ASSERT(t == &md->topics[1]);
	KT_ASSERT_INT_EQ(t->is_internal, 0);
	KT_ASSERT_INT_EQ(t->err, 0);
	KT_ASSERT_INT_EQ(t->seen_ms, 1000);
	KT_ASSERT_INT_EQ(t->partition_cnt, 3);
	for (int i = 0; i < 3; i++) {
		p = &t->partitions[i];
		KT_ASSERT_INT_EQ(p->id, i);
		KT_ASSERT_INT_EQ(p->err, 0);
		KT_ASSERT_INT_EQ(p->leader, i + 1);
		KT_ASSERT_INT_EQ(p->leader_epoch, 5 + i);
	}
	assert_ids(t->partitions[2].replicas, t->partitions[2].replica_cnt,
	           (const int32_t[TB_MAX]){ 3, 1 });
	assert_ids(t->partitions[2].isr, t->partitions[2].isr_cnt,
	           (const int32_t[TB_MAX]){ 3 });
	assert_ids(t->partitions[0].isr, t->partitions[0].isr_cnt,
	           (const int32_t[TB_MAX]){ 1, 2 });
	KT_ASSERT_INT_EQ(info.stale, 0);
	KT_ASSERT_INT_EQ(info.epochs_kept, 0);
	KT_ASSERT_INT_EQ(info.topics_dropped, 0);
	kfk_metadata_unref(md);
}

KT_TEST(lookups)
{
	static const struct tb_topic topics[] = {
		{ "a", 0, false, { { 0, 0, 1, 1, { 1 }, { 1 } } }, 1 },
		{ "c", 0, false, { { 0, 5, -1, 2, { 2 }, { 0 } } }, 1 },
		{ "b", 0, false,
		  { { 0, 0, 3, 1, { 3 }, { 3 } }, { 1, 0, 2, 1, { 2 }, { 2 } } },
		  2 },
		{ NULL, 0, false, { { 0 } }, 0 },
	};
	struct tb_resp s;
	struct kfk_metadata *md;

	tb_build(&s, NULL, -1, three_brokers, topics);
	md = build_ok(NULL, &s.r, false, 5, 1000, NULL);
	KT_ASSERT(kfk_metadata_topic(md, "a") != NULL);
	KT_ASSERT(kfk_metadata_topic(md, "b") != NULL);
	KT_ASSERT(kfk_metadata_topic(md, "c") != NULL);
	KT_ASSERT(kfk_metadata_topic(md, "") == NULL);
	KT_ASSERT(kfk_metadata_topic(md, "bb") == NULL);
	KT_ASSERT(kfk_metadata_topic(md, "d") == NULL);
	KT_ASSERT_INT_EQ(kfk_metadata_leader(md, "a", 0), 1);
	KT_ASSERT_INT_EQ(kfk_metadata_leader(md, "b", 0), 3);
	KT_ASSERT_INT_EQ(kfk_metadata_leader(md, "b", 1), 2);
	KT_ASSERT_INT_EQ(kfk_metadata_leader(md, "b", 2), -1);
	KT_ASSERT_INT_EQ(kfk_metadata_leader(md, "b", -1), -1);
	KT_ASSERT_INT_EQ(kfk_metadata_leader(md, "c", 0), -1);
	KT_ASSERT_INT_EQ(kfk_metadata_leader(md, "nope", 0), -1);
	KT_ASSERT_INT_EQ(kfk_metadata_partition(md, "c", 0)->err,
	                 KFK_ERR_LEADER_NOT_AVAILABLE);
	KT_ASSERT(kfk_metadata_partition(md, "c", 1) == NULL);
	KT_ASSERT_INT_EQ(kfk_metadata_broker(md, 2)->port, 9093);
	KT_ASSERT(kfk_metadata_broker(md, 0) == NULL);
	KT_ASSERT(kfk_metadata_broker(md, 4) == NULL);
	KT_ASSERT(kfk_metadata_broker(md, -1) == NULL);
	KT_ASSERT(md->cluster_id == NULL);
	KT_ASSERT_INT_EQ(md->controller_id, -1);
	kfk_metadata_unref(md);
}

KT_TEST(empty_snapshot)
{
	struct kfk_metadata *md = kfk_metadata_new_empty();
	KT_ASSERT(md != NULL);
	KT_ASSERT_INT_EQ(md->version, 0);
	KT_ASSERT_INT_EQ(md->broker_cnt, 0);
	KT_ASSERT_INT_EQ(md->topic_cnt, 0);
	KT_ASSERT_INT_EQ(md->controller_id, -1);
	KT_ASSERT(kfk_metadata_topic(md, "x") == NULL);
	KT_ASSERT(kfk_metadata_broker(md, 1) == NULL);
	KT_ASSERT_INT_EQ(kfk_metadata_leader(md, "x", 0), -1);
	KT_ASSERT(kfk_metadata_is_stale(md, 10, 1000));
	/* ref/unref balance: two refs, two unrefs, then the creator's. */
	KT_ASSERT(kfk_metadata_ref(md) == md);
	KT_ASSERT_INT_EQ(md->refcnt, 2);
	kfk_metadata_unref(md);
	KT_ASSERT_INT_EQ(md->refcnt, 1);
	kfk_metadata_unref(md);
	kfk_metadata_unref(NULL);
}

KT_TEST(response_without_brokers_is_rejected)
{
	struct tb_resp s;
	struct kfk_metadata *md = (struct kfk_metadata *)&s;

	tb_build(&s, "x", 1, NULL, NULL);
	KT_ASSERT_INT_EQ(kfk_metadata_build(NULL, &s.r, false, 1, 1, &md, NULL),
	                 KFK_ERR__MALFORMED);
	KT_ASSERT(md == NULL);
}

/* ------------------------------------------------------------------ */
/* Leader epochs                                                       */
/* ------------------------------------------------------------------ */

KT_TEST(leader_epoch_never_goes_backwards)
{
	static const struct tb_topic first[] = {
		{ "t", 0, false,
		  { { 0, 0, 1, 5, { 1, 2 }, { 1, 2 } },
		    { 1, 0, 2, 5, { 2, 3 }, { 2, 3 } },
		    { 2, 0, 3, 5, { 3, 1 }, { 3, 1 } } },
		  3 },
		{ NULL, 0, false, { { 0 } }, 0 },
	};
	/* The second response comes from a broker that lags behind for p0
	 * (epoch 4 < 5, names broker 2), is newer for p1 (epoch 6, broker
	 * 3), and equal for p2 (epoch 5, the ISR shrank). */
	static const struct tb_topic second[] = {
		{ "t", 0, false,
		  { { 0, 0, 2, 4, { 2 }, { 2 } },
		    { 1, 0, 3, 6, { 3 }, { 3 } },
		    { 2, 0, 3, 5, { 3, 1 }, { 3 } } },
		  3 },
		{ NULL, 0, false, { { 0 } }, 0 },
	};
	struct tb_resp s1, s2;
	struct kfk_md_build_info info;
	struct kfk_metadata *a, *b;
	const struct kfk_md_partition *p;

	tb_build(&s1, "c", 1, three_brokers, first);
	tb_build(&s2, "c", 1, three_brokers, second);
	a = build_ok(NULL, &s1.r, false, 100, 300000, NULL);
	b = build_ok(a, &s2.r, false, 200, 300000, &info);

	KT_ASSERT_INT_EQ(b->version, 2);
	KT_ASSERT_INT_EQ(info.epochs_kept, 1);
	p = kfk_metadata_partition(b, "t", 0);
	KT_ASSERT_INT_EQ(p->leader, 1);
	KT_ASSERT_INT_EQ(p->leader_epoch, 5);
	assert_ids(p->replicas, p->replica_cnt, (const int32_t[TB_MAX]){ 1, 2 });
	assert_ids(p->isr, p->isr_cnt, (const int32_t[TB_MAX]){ 1, 2 });
	p = kfk_metadata_partition(b, "t", 1);
	KT_ASSERT_INT_EQ(p->leader, 3);
	KT_ASSERT_INT_EQ(p->leader_epoch, 6);
	p = kfk_metadata_partition(b, "t", 2);
	KT_ASSERT_INT_EQ(p->leader, 3);
	KT_ASSERT_INT_EQ(p->leader_epoch, 5);
	assert_ids(p->isr, p->isr_cnt, (const int32_t[TB_MAX]){ 3 });

	/* The old snapshot is untouched, and outlives the new one. */
	kfk_metadata_unref(b);
	KT_ASSERT_INT_EQ(kfk_metadata_leader(a, "t", 0), 1);
	KT_ASSERT_INT_EQ(kfk_metadata_leader(a, "t", 1), 2);
	kfk_metadata_unref(a);
}

KT_TEST(leader_epoch_rule_survives_a_third_response)
{
	/* After a stale response was rejected, a later one with an even older
	 * epoch is still compared with the newest epoch seen (5), and one
	 * with a newer epoch wins. */
	static const struct tb_topic e5[] = {
		{ "t", 0, false, { { 0, 0, 1, 5, { 1 }, { 1 } } }, 1 },
		{ NULL, 0, false, { { 0 } }, 0 },
	};
	static const struct tb_topic e3[] = {
		{ "t", 0, false, { { 0, 0, 2, 3, { 2 }, { 2 } } }, 1 },
		{ NULL, 0, false, { { 0 } }, 0 },
	};
	static const struct tb_topic e7[] = {
		{ "t", 0, false, { { 0, 0, 3, 7, { 3 }, { 3 } } }, 1 },
		{ NULL, 0, false, { { 0 } }, 0 },
	};
	struct tb_resp s;
	struct kfk_metadata *a, *b, *c, *d;

	tb_build(&s, "c", 1, three_brokers, e5);
	a = build_ok(NULL, &s.r, false, 1, 1000, NULL);
	tb_build(&s, "c", 1, three_brokers, e3);
	b = build_ok(a, &s.r, false, 2, 1000, NULL);
	c = build_ok(b, &s.r, false, 3, 1000, NULL);
	KT_ASSERT_INT_EQ(kfk_metadata_leader(c, "t", 0), 1);
	KT_ASSERT_INT_EQ(kfk_metadata_partition(c, "t", 0)->leader_epoch, 5);
	tb_build(&s, "c", 1, three_brokers, e7);
	d = build_ok(c, &s.r, false, 4, 1000, NULL);
	KT_ASSERT_INT_EQ(kfk_metadata_leader(d, "t", 0), 3);
	KT_ASSERT_INT_EQ(kfk_metadata_partition(d, "t", 0)->leader_epoch, 7);
	KT_ASSERT_INT_EQ(d->version, 4);
	kfk_metadata_unref(a);
	kfk_metadata_unref(b);
	kfk_metadata_unref(c);
	kfk_metadata_unref(d);
}

KT_TEST(unknown_epoch_takes_the_response)
{
	/* A response without epochs (Metadata < v7: -1) cannot be compared:
	 * it is taken as it is. */
	static const struct tb_topic e5[] = {
		{ "t", 0, false, { { 0, 0, 1, 5, { 1 }, { 1 } } }, 1 },
		{ NULL, 0, false, { { 0 } }, 0 },
	};
	static const struct tb_topic none[] = {
		{ "t", 0, false, { { 0, 0, 2, -1, { 2 }, { 2 } } }, 1 },
		{ NULL, 0, false, { { 0 } }, 0 },
	};
	struct tb_resp s;
	struct kfk_metadata *a, *b;
	struct kfk_md_build_info info;

	tb_build(&s, "c", 1, three_brokers, e5);
	a = build_ok(NULL, &s.r, false, 1, 1000, NULL);
	tb_build(&s, "c", 1, three_brokers, none);
	b = build_ok(a, &s.r, false, 2, 1000, &info);
	KT_ASSERT_INT_EQ(info.epochs_kept, 0);
	KT_ASSERT_INT_EQ(kfk_metadata_leader(b, "t", 0), 2);
	KT_ASSERT_INT_EQ(kfk_metadata_partition(b, "t", 0)->leader_epoch, -1);
	kfk_metadata_unref(a);
	kfk_metadata_unref(b);
}

/* ------------------------------------------------------------------ */
/* Merging                                                             */
/* ------------------------------------------------------------------ */

KT_TEST(brokers_missing_from_a_response_are_dropped)
{
	static const struct tb_broker two[] = {
		{ 2, "10.0.0.2", 9999, NULL },
		{ 1, "10.0.0.1", 9092, NULL },
		{ 0, NULL, 0, NULL },
	};
	struct tb_resp s;
	struct kfk_metadata *a, *b;

	tb_build(&s, "c", 3, three_brokers, NULL);
	a = build_ok(NULL, &s.r, false, 1, 1000, NULL);
	tb_build(&s, "c", 1, two, NULL);
	b = build_ok(a, &s.r, false, 2, 1000, NULL);
	KT_ASSERT_INT_EQ(a->broker_cnt, 3);
	KT_ASSERT_INT_EQ(b->broker_cnt, 2);
	KT_ASSERT_INT_EQ(b->brokers[0].id, 1);
	KT_ASSERT_INT_EQ(b->brokers[1].id, 2);
	KT_ASSERT_INT_EQ(b->brokers[1].port, 9999);
	KT_ASSERT(kfk_metadata_broker(b, 3) == NULL);
	KT_ASSERT_INT_EQ(b->controller_id, 1);
	kfk_metadata_unref(a);
	kfk_metadata_unref(b);
}

KT_TEST(duplicate_broker_ids_keep_one)
{
	static const struct tb_broker dup[] = {
		{ 2, "a", 1, NULL },
		{ 1, "b", 2, NULL },
		{ 2, "a", 1, NULL },
		{ 0, NULL, 0, NULL },
	};
	struct tb_resp s;
	struct kfk_metadata *md;

	tb_build(&s, "c", 1, dup, NULL);
	md = build_ok(NULL, &s.r, false, 1, 1000, NULL);
	KT_ASSERT_INT_EQ(md->broker_cnt, 2);
	KT_ASSERT_INT_EQ(md->brokers[0].id, 1);
	KT_ASSERT_INT_EQ(md->brokers[1].id, 2);
	kfk_metadata_unref(md);
}

static const struct tb_topic topics_xyz[] = {
	{ "x", 0, false, { { 0, 0, 1, 1, { 1 }, { 1 } } }, 1 },
	{ "y", 0, false, { { 0, 0, 2, 1, { 2 }, { 2 } } }, 1 },
	{ "z", 0, false, { { 0, 0, 3, 1, { 3 }, { 3 } } }, 1 },
	{ NULL, 0, false, { { 0 } }, 0 },
};

static const struct tb_topic topics_y2[] = {
	{ "y", 0, false, { { 0, 0, 3, 2, { 3 }, { 3 } } }, 1 },
	{ NULL, 0, false, { { 0 } }, 0 },
};

KT_TEST(topics_not_asked_about_are_kept_until_max_age)
{
	struct tb_resp s;
	struct kfk_metadata *a, *b, *c;
	struct kfk_md_build_info info;

	tb_build(&s, "c", 1, three_brokers, topics_xyz);
	a = build_ok(NULL, &s.r, false, 1000, 5000, NULL);
	/* A response about y alone, 4.999 s later: x and z are kept with
	 * their old seen_ms; y is updated. */
	tb_build(&s, "c", 1, three_brokers, topics_y2);
	b = build_ok(a, &s.r, false, 5999, 5000, &info);
	KT_ASSERT_INT_EQ(info.topics_dropped, 0);
	KT_ASSERT_INT_EQ(b->topic_cnt, 3);
	KT_ASSERT_STR_EQ(b->topics[0].name, "x");
	KT_ASSERT_INT_EQ(b->topics[0].seen_ms, 1000);
	KT_ASSERT_INT_EQ(kfk_metadata_leader(b, "x", 0), 1);
	KT_ASSERT_INT_EQ(kfk_metadata_leader(b, "y", 0), 3);
	KT_ASSERT_INT_EQ(kfk_metadata_topic(b, "y")->seen_ms, 5999);
	KT_ASSERT_INT_EQ(kfk_metadata_leader(b, "z", 0), 3);
	/* One millisecond later x and z reach max age and go. */
	c = build_ok(b, &s.r, false, 6000, 5000, &info);
	KT_ASSERT_INT_EQ(info.topics_dropped, 2);
	KT_ASSERT_INT_EQ(c->topic_cnt, 1);
	KT_ASSERT_STR_EQ(c->topics[0].name, "y");
	kfk_metadata_unref(a);
	kfk_metadata_unref(b);
	kfk_metadata_unref(c);
}

KT_TEST(all_topics_response_drops_deleted_topics)
{
	struct tb_resp s;
	struct kfk_metadata *a, *b;
	struct kfk_md_build_info info;

	tb_build(&s, "c", 1, three_brokers, topics_xyz);
	a = build_ok(NULL, &s.r, true, 1000, 300000, NULL);
	tb_build(&s, "c", 1, three_brokers, topics_y2);
	b = build_ok(a, &s.r, true, 1001, 300000, &info);
	KT_ASSERT_INT_EQ(info.topics_dropped, 2);
	KT_ASSERT_INT_EQ(b->topic_cnt, 1);
	KT_ASSERT_STR_EQ(b->topics[0].name, "y");
	kfk_metadata_unref(a);
	kfk_metadata_unref(b);
}

KT_TEST(topic_error_has_no_partitions_and_is_stale)
{
	static const struct tb_topic err[] = {
		{ "x", KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION, false, { { 0 } }, 0 },
		{ "y", KFK_ERR_TOPIC_AUTHORIZATION_FAILED, false, { { 0 } }, 0 },
		{ NULL, 0, false, { { 0 } }, 0 },
	};
	struct tb_resp s;
	struct kfk_metadata *a, *b;
	struct kfk_md_build_info info;

	tb_build(&s, "c", 1, three_brokers, topics_xyz);
	a = build_ok(NULL, &s.r, false, 1, 1000, NULL);
	tb_build(&s, "c", 1, three_brokers, err);
	b = build_ok(a, &s.r, false, 2, 1000, &info);
	/* x: stale (refresh early); y: not a metadata error; z kept. */
	KT_ASSERT_INT_EQ(info.stale, 1);
	KT_ASSERT_INT_EQ(b->topic_cnt, 3);
	KT_ASSERT_INT_EQ(kfk_metadata_topic(b, "x")->err,
	                 KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION);
	KT_ASSERT_INT_EQ(kfk_metadata_topic(b, "x")->partition_cnt, 0);
	KT_ASSERT_INT_EQ(kfk_metadata_leader(b, "x", 0), -1);
	KT_ASSERT_INT_EQ(kfk_metadata_topic(b, "y")->err,
	                 KFK_ERR_TOPIC_AUTHORIZATION_FAILED);
	KT_ASSERT_INT_EQ(kfk_metadata_leader(b, "z", 0), 3);
	kfk_metadata_unref(a);
	kfk_metadata_unref(b);
}

KT_TEST(partitions_made_dense_with_holes_and_bad_ids_ignored)
{
	static const struct tb_topic t[] = {
		{ "t", 0, false,
		  { { 3, 0, 1, 1, { 1 }, { 1 } },
		    { 0, 0, 2, 1, { 2 }, { 2 } },
		    { 3, 0, 3, 9, { 3 }, { 3 } },          /* duplicate id */
		    { -5, 0, 3, 1, { 3 }, { 3 } },         /* negative */
		    { 1 << 24, 0, 3, 1, { 3 }, { 3 } },    /* absurd */
		    { 1, 6, 2, 1, { 2 }, { 2 } } },        /* NOT_LEADER */
		  6 },
		{ NULL, 0, false, { { 0 } }, 0 },
	};
	struct tb_resp s;
	struct kfk_metadata *md;
	struct kfk_md_build_info info;
	const struct kfk_md_topic *tp;

	tb_build(&s, "c", 1, three_brokers, t);
	md = build_ok(NULL, &s.r, false, 1, 1000, &info);
	tp = kfk_metadata_topic(md, "t");
	KT_ASSERT_INT_EQ(tp->partition_cnt, 4);
	KT_ASSERT_INT_EQ(tp->partitions[0].leader, 2);
	KT_ASSERT_INT_EQ(tp->partitions[1].err, KFK_ERR_NOT_LEADER_OR_FOLLOWER);
	KT_ASSERT_INT_EQ(tp->partitions[2].id, 2);
	KT_ASSERT_INT_EQ(tp->partitions[2].err, KFK_ERR__UNKNOWN_PARTITION);
	KT_ASSERT_INT_EQ(tp->partitions[2].leader, -1);
	KT_ASSERT_INT_EQ(tp->partitions[2].replica_cnt, 0);
	KT_ASSERT_INT_EQ(tp->partitions[3].leader, 1);
	KT_ASSERT_INT_EQ(tp->partitions[3].leader_epoch, 1); /* the first */
	/* p1 (NOT_LEADER) and the hole p2 call for a refresh. */
	KT_ASSERT_INT_EQ(info.stale, 2);
	kfk_metadata_unref(md);
}

KT_TEST(unnamed_and_duplicate_topics_skipped)
{
	static const struct tb_topic t[] = {
		{ "b", 0, false, { { 0, 0, 1, 1, { 1 }, { 1 } } }, 1 },
		{ "", KFK_ERR_UNKNOWN_TOPIC_ID, false, { { 0 } }, 0 },
		{ "b", 0, false, { { 0, 0, 2, 1, { 2 }, { 2 } } }, 1 },
		{ "a", 0, false, { { 0, 0, 3, 1, { 3 }, { 3 } } }, 1 },
		{ NULL, 0, false, { { 0 } }, 0 },
	};
	struct tb_resp s;
	struct kfk_metadata *md;

	tb_build(&s, "c", 1, three_brokers, t);
	s.t[1].name = KFK_STR_NULL; /* v12: unknown topic id, no name */
	md = build_ok(NULL, &s.r, false, 1, 1000, NULL);
	KT_ASSERT_INT_EQ(md->topic_cnt, 2);
	KT_ASSERT_STR_EQ(md->topics[0].name, "a");
	KT_ASSERT_STR_EQ(md->topics[1].name, "b");
	kfk_metadata_unref(md);
}

KT_TEST(staleness)
{
	struct tb_resp s;
	struct kfk_metadata *md;

	tb_build(&s, "c", 1, three_brokers, NULL);
	md = build_ok(NULL, &s.r, false, 1000, 1000, NULL);
	KT_ASSERT_INT_EQ(kfk_metadata_is_stale(md, 1999, 1000), 0);
	KT_ASSERT_INT_EQ(kfk_metadata_is_stale(md, 2000, 1000), 1);
	KT_ASSERT_INT_EQ(kfk_metadata_is_stale(md, 1000, 0), 1);
	kfk_metadata_unref(md);
}

KT_TEST(stale_error_table)
{
	static const struct {
		kfk_err err;
		int stale;
	} v[] = {
		{ KFK_ERR_NONE, 0 },
		{ KFK_ERR_NOT_LEADER_OR_FOLLOWER, 1 },
		{ KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION, 1 },
		{ KFK_ERR_LEADER_NOT_AVAILABLE, 1 },
		{ KFK_ERR_REPLICA_NOT_AVAILABLE, 1 },
		{ KFK_ERR_KAFKA_STORAGE_ERROR, 1 },
		{ KFK_ERR_FENCED_LEADER_EPOCH, 1 },
		{ KFK_ERR_UNKNOWN_TOPIC_ID, 1 },
		{ KFK_ERR_INCONSISTENT_TOPIC_ID, 1 },
		{ KFK_ERR__UNKNOWN_PARTITION, 1 },
		{ KFK_ERR_TOPIC_AUTHORIZATION_FAILED, 0 },
		{ KFK_ERR_INVALID_TOPIC_EXCEPTION, 0 },
		{ KFK_ERR__TIMED_OUT, 0 },
		{ KFK_ERR__TRANSPORT, 0 },
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		KT_ASSERT_MSG(kfk_metadata_err_is_stale(v[i].err) == v[i].stale,
		              "code %d: want %d", (int)v[i].err, v[i].stale);
}

/* ------------------------------------------------------------------ */
/* Through the wire codec, per version                                 */
/* ------------------------------------------------------------------ */

struct wire_case {
	int16_t version;
};

static void wire_case(void *arg)
{
	static const struct tb_topic t[] = {
		{ "t", 0, false,
		  { { 1, 0, 2, 8, { 2, 3 }, { 2 } }, { 0, 0, 1, 7, { 1 }, { 1 } } },
		  2 },
		{ NULL, 0, false, { { 0 } }, 0 },
	};
	int16_t v = ((struct wire_case *)arg)->version;
	struct tb_resp s;
	struct kfk_metadata_response dec;
	struct kfk_metadata *md;
	kfk_wbuf w;
	kfk_rbuf r;
	kfk_arena a;
	const struct kfk_md_partition *p;

	tb_build(&s, "cid", 3, three_brokers, t);
	if (v < 1) /* racks and is_internal travel from v1 only */
		for (int i = 0; i < 3; i++)
			s.b[i].rack = KFK_STR_NULL;
	kfk_wbuf_init(&w);
	KT_ASSERT_INT_EQ(kfk_metadata_response_encode(&w, v, &s.r), 0);
	kfk_arena_init(&a);
	kfk_rbuf_init(&r, w.buf, w.len);
	KT_ASSERT_INT_EQ(kfk_metadata_response_decode(&r, v, &a, &dec), 0);
	md = build_ok(NULL, &dec, false, 1, 1000, NULL);
	kfk_arena_destroy(&a);
	kfk_wbuf_free(&w);

	KT_ASSERT_INT_EQ(md->broker_cnt, 3);
	KT_ASSERT_STR_EQ(md->brokers[1].host, "broker-2.example");
	if (v >= 1)
		KT_ASSERT_STR_EQ(md->brokers[1].rack, "r2");
	else
		KT_ASSERT(md->brokers[1].rack == NULL);
	KT_ASSERT_INT_EQ(md->controller_id, v >= 1 ? 3 : -1);
	if (v >= 2)
		KT_ASSERT_STR_EQ(md->cluster_id, "cid");
	else
		KT_ASSERT(md->cluster_id == NULL);
	p = kfk_metadata_partition(md, "t", 1);
	KT_ASSERT(p != NULL);
	KT_ASSERT_INT_EQ(p->leader, 2);
	KT_ASSERT_INT_EQ(p->leader_epoch, v >= 7 ? 8 : -1);
	assert_ids(p->replicas, p->replica_cnt, (const int32_t[TB_MAX]){ 2, 3 });
	kfk_metadata_unref(md);
}

KT_TEST(through_the_codec_at_every_version)
{
	for (int16_t v = 0; v <= 12; v++) {
		struct wire_case c = { v };
		kt_subtest(wire_case, &c, "metadata response v%d", v);
	}
}

/* ------------------------------------------------------------------ */
/* Early-refresh backoff                                               */
/* ------------------------------------------------------------------ */

/* Asks at now and sends when allowed, as the control loop does; returns
 * the send time. */
static int64_t ask_and_send(struct kfk_md_backoff *b, int64_t now)
{
	int64_t when = kfk_md_backoff_when(b, now);
	kfk_md_backoff_sent(b, when);
	return when;
}

KT_TEST(backoff_doubles_while_errors_repeat)
{
	struct kfk_md_backoff b;
	static const int64_t want[] = { 0, 100, 300, 700, 1500, 3100, 6300 };
	int64_t t = 0;

	kfk_md_backoff_init(&b, 100, 300000);
	KT_ASSERT_INT_EQ(kfk_md_backoff_when(&b, 0), 0);
	/* A request every 10 ms: sends at 0, 100, 300, 700, ... */
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		t = ask_and_send(&b, i == 0 ? 0 : t + 10);
		KT_ASSERT_INT_EQ(t, want[i]);
	}
	KT_ASSERT_INT_EQ(b.gap_ms, 12800);
}

KT_TEST(backoff_is_capped_at_max)
{
	struct kfk_md_backoff b;
	int64_t t = 0, prev = 0;

	kfk_md_backoff_init(&b, 100, 1000);
	for (int i = 0; i < 12; i++) {
		prev = t;
		t = ask_and_send(&b, t + 1);
	}
	KT_ASSERT_INT_EQ(t - prev, 1000);
	KT_ASSERT_INT_EQ(b.gap_ms, 1000);
}

KT_TEST(backoff_resets_after_quiet_spell)
{
	struct kfk_md_backoff b;

	kfk_md_backoff_init(&b, 100, 300000);
	KT_ASSERT_INT_EQ(ask_and_send(&b, 0), 0);     /* next 100, gap 200 */
	KT_ASSERT_INT_EQ(ask_and_send(&b, 50), 100);  /* next 300, gap 400 */
	/* 300 + 400 = 700 is the end of the quiet spell: 699 still waits
	 * for nothing (allowed since 300) but keeps the grown gap. */
	KT_ASSERT_INT_EQ(ask_and_send(&b, 699), 699); /* next 1099, gap 800 */
	KT_ASSERT_INT_EQ(b.gap_ms, 800);
	/* Quiet until 1099 + 800: reset, sent at once, gap back to 100. */
	KT_ASSERT_INT_EQ(kfk_md_backoff_when(&b, 1899), 1899);
	KT_ASSERT_INT_EQ(b.gap_ms, 100);
	kfk_md_backoff_sent(&b, 1899);
	KT_ASSERT_INT_EQ(kfk_md_backoff_when(&b, 1900), 1999);
}

KT_TEST(backoff_interval_shorter_than_min)
{
	struct kfk_md_backoff b;

	kfk_md_backoff_init(&b, 100, 30);
	KT_ASSERT_INT_EQ(b.min_ms, 30);
	KT_ASSERT_INT_EQ(ask_and_send(&b, 0), 0);
	KT_ASSERT_INT_EQ(ask_and_send(&b, 1), 30);
	KT_ASSERT_INT_EQ(ask_and_send(&b, 31), 60);
	kfk_md_backoff_init(&b, 100, 0);
	KT_ASSERT_INT_EQ(b.min_ms, 1);
	KT_ASSERT_INT_EQ(b.max_ms, 1);
}

KT_TEST(backoff_bound_holds_for_any_fast_flapping)
{
	/* Requests at random spacings below 3 x min for 3 s: the number of
	 * sends never exceeds 1 + log2(T / min + 1). */
	unsigned seed = 12345;
	for (int run = 0; run < 200; run++) {
		struct kfk_md_backoff b;
		int64_t t = 0, pending_until = -1;
		int sends = 0;

		kfk_md_backoff_init(&b, 100, 300000);
		while (t <= 3000) {
			int64_t when = kfk_md_backoff_when(&b, t);
			if (when == t) {
				kfk_md_backoff_sent(&b, t);
				sends++;
				pending_until = -1;
			} else {
				pending_until = when;
			}
			seed = seed * 1103515245u + 12345u;
			int64_t step = 1 + (int64_t)((seed >> 8) % 299);
			if (pending_until >= 0 && pending_until <= t + step &&
			    pending_until <= 3000) {
				/* the backoff timer fires first */
				kfk_md_backoff_sent(&b, pending_until);
				sends++;
				pending_until = -1;
			}
			t += step;
		}
		KT_ASSERT_MSG(sends <= 5, "run %d: %d sends", run, sends);
		KT_ASSERT(sends >= 4);
	}
}
