/*
 * test_real_admin: the admin client against the real broker: topics
 * created (partitions, replication, configs, validate-only), described
 * (partitions, leaders, replicas, ISR, ids, the brokers and the
 * controller; configs with their sources), grown, deleted; the errors of
 * each, per topic (an existing topic, a missing one, too few partitions,
 * a replication factor the cluster cannot have); results taken by id
 * while others wait, and by poll; groups with their lag; offsets listed,
 * a group's offsets set and deleted; records deleted; the cluster
 * described; ACLs created, described (and listed by kafka-acls), deleted;
 * leaders elected; producers and transactions described; a topic's
 * configs replaced whole.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kfk/kfk.h>

#include "../kt.h"
#include "real.h"

#define WAIT_MS 30000

static kfk_admin *admin(void)
{
	char err[512];
	kfk_conf *conf = kfk_conf_new();
	kfk_admin *a;

	KT_ASSERT(kfk_conf_set(conf, "bootstrap.servers", kr_bootstrap(), err,
	                       sizeof(err)) == 0);
	if (getenv("KFK_TEST_DEBUG"))
		KT_ASSERT(kfk_conf_set(conf, "debug", getenv("KFK_TEST_DEBUG"),
		                       err, sizeof(err)) == 0);
	a = kfk_admin_new(conf, err, sizeof(err));
	kfk_conf_destroy(conf);
	KT_ASSERT_MSG(a != NULL, "%s", err);
	return a;
}

/* The result of id; fails the test when it does not come. */
static kfk_admin_result *wait_ok(kfk_admin *a, uint64_t id)
{
	kfk_admin_result *r = kfk_admin_wait(a, id, WAIT_MS);

	KT_ASSERT_MSG(r != NULL, "no result for operation %llu in %d ms",
	              (unsigned long long)id, WAIT_MS);
	KT_ASSERT_MSG(kfk_admin_result_err(r) == KFK_ERR_NONE, "%s",
	              kfk_admin_result_errstr(r));
	return r;
}

static kfk_admin_result *describe(kfk_admin *a, const char *const *names,
                                  int n)
{
	uint64_t id;

	KT_ASSERT_INT_EQ(kfk_admin_describe_topics(a, names, n, NULL, &id), 0);
	return wait_ok(a, id);
}

/* Describes names[0] until it has n partitions: the brokers' metadata
 * follows the controller's a moment later (bounded). */
static kfk_admin_result *describe_until(kfk_admin *a, const char *name, int n)
{
	int64_t end = kt_now_ms() + WAIT_MS;
	const char *names[1] = { name };

	for (;;) {
		kfk_admin_result *r = describe(a, names, 1);
		const kfk_admin_topic *t = kfk_admin_result_topic(r, 0);

		if (!kfk_admin_topic_err(t) &&
		    kfk_admin_topic_partition_count(t) == n)
			return r;
		KT_ASSERT_MSG(kt_now_ms() < end, "%s: %d partitions, not %d",
		              name, kfk_admin_topic_partition_count(t), n);
		kfk_admin_result_destroy(r);
		KT_ASSERT(kfk_admin_poll(a, 20) == NULL);
	}
}

/* Topic t has n partitions, each led by the one broker, replicas and ISR
 * exactly that broker. */
static void expect_partitions(const kfk_admin_result *r,
                              const kfk_admin_topic *t, int n)
{
	int32_t broker = kfk_admin_result_broker(r, 0, NULL, NULL, NULL);
	const int32_t *ids;

	KT_ASSERT_MSG(!kfk_admin_topic_err(t), "%s: %s", kfk_admin_topic_name(t),
	              kfk_admin_topic_errstr(t));
	KT_ASSERT_INT_EQ(kfk_admin_topic_partition_count(t), n);
	for (int p = 0; p < n; p++) {
		KT_ASSERT_INT_EQ(kfk_admin_topic_partition_leader(t, p), broker);
		KT_ASSERT_INT_EQ(kfk_admin_topic_partition_replicas(t, p, &ids),
		                 1);
		KT_ASSERT_INT_EQ(ids[0], broker);
		KT_ASSERT_INT_EQ(kfk_admin_topic_partition_isr(t, p, &ids), 1);
		KT_ASSERT_INT_EQ(ids[0], broker);
	}
	KT_ASSERT_INT_EQ(strlen(kfk_admin_topic_id(t)), 22);
}

/* The config entry name of t: its value and source. */
static const char *config(const kfk_admin_topic *t, const char *name,
                          int *source)
{
	for (int i = 0; i < kfk_admin_topic_config_count(t); i++) {
		const char *v;
		const char *n = kfk_admin_topic_config(t, i, &v, source, NULL,
		                                       NULL);

		if (strcmp(n, name) == 0)
			return v;
	}
	KT_ASSERT_MSG(0, "%s: no config %s", kfk_admin_topic_name(t), name);
	return NULL;
}

KT_TEST(topics_are_created_described_grown_and_deleted)
{
	kfk_admin *a = admin();
	char ta[64], tb[64];
	static const char *const cfgs[] = { "retention.ms", "123456789",
		                            "cleanup.policy", "compact" };
	kfk_new_topic nt[2] = { KFK_NEW_TOPIC_INIT, KFK_NEW_TOPIC_INIT };
	const char *names[3];
	kfk_admin_result *r;
	const kfk_admin_topic *t;
	uint64_t id;
	int src;

	kr_topic_name(ta, sizeof(ta), "admin-a");
	kr_topic_name(tb, sizeof(tb), "admin-b");
	nt[0].name = ta;
	nt[0].partitions = 3;
	nt[0].replication_factor = 1;
	nt[0].configs = cfgs;
	nt[0].config_cnt = 2;
	nt[1].name = tb; /* the broker's defaults */
	KT_ASSERT_INT_EQ(kfk_admin_create_topics(a, nt, 2, NULL, &id), 0);
	r = wait_ok(a, id);
	KT_ASSERT_INT_EQ(kfk_admin_result_op(r), KFK_ADMIN_CREATE_TOPICS);
	KT_ASSERT_INT_EQ(kfk_admin_result_topic_count(r), 2);
	for (int i = 0; i < 2; i++) {
		t = kfk_admin_result_topic(r, i);
		KT_ASSERT_STR_EQ(kfk_admin_topic_name(t), nt[i].name);
		KT_ASSERT_MSG(!kfk_admin_topic_err(t), "%s",
		              kfk_admin_topic_errstr(t));
	}
	kfk_admin_result_destroy(r);

	/* Described: 3 partitions; the defaults (num.partitions=1); a
	 * topic that does not exist is an error of its own. */
	names[0] = ta;
	names[1] = tb;
	names[2] = "admin-no-such-topic";
	kfk_admin_result_destroy(describe_until(a, ta, 3));
	kfk_admin_result_destroy(describe_until(a, tb, 1));
	r = describe(a, names, 3);
	KT_ASSERT_INT_EQ(kfk_admin_result_broker_count(r), 1);
	KT_ASSERT_INT_EQ(kfk_admin_result_controller(r),
	                 kfk_admin_result_broker(r, 0, NULL, NULL, NULL));
	expect_partitions(r, kfk_admin_result_topic(r, 0), 3);
	expect_partitions(r, kfk_admin_result_topic(r, 1), 1);
	KT_ASSERT_INT_EQ(kfk_admin_topic_err(kfk_admin_result_topic(r, 2)),
	                 KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION);
	kfk_admin_result_destroy(r);

	/* Its configs: the two given (dynamic topic configs, source 1),
	 * the rest from the broker (log.segment.bytes in its properties:
	 * source 4) or defaults (5). */
	KT_ASSERT_INT_EQ(kfk_admin_describe_topic_configs(a, names, 1, NULL,
	                                                 &id), 0);
	r = wait_ok(a, id);
	t = kfk_admin_result_topic(r, 0);
	KT_ASSERT_STR_EQ(config(t, "retention.ms", &src), "123456789");
	KT_ASSERT_INT_EQ(src, 1);
	KT_ASSERT_STR_EQ(config(t, "cleanup.policy", &src), "compact");
	KT_ASSERT_INT_EQ(src, 1);
	KT_ASSERT_STR_EQ(config(t, "segment.bytes", &src), "16777216");
	KT_ASSERT_INT_EQ(src, 4);
	KT_ASSERT_STR_EQ(config(t, "max.message.bytes", &src), "1048588");
	KT_ASSERT_INT_EQ(src, 5);
	kfk_admin_result_destroy(r);

	/* Grown to 5; then 4 is refused, per topic. */
	{
		int32_t five = 5, four = 4;

		KT_ASSERT_INT_EQ(kfk_admin_create_partitions(a, names, &five, 1,
		                                             NULL, &id), 0);
		r = wait_ok(a, id);
		KT_ASSERT_INT_EQ(kfk_admin_topic_err(kfk_admin_result_topic(r, 0)),
		                 0);
		kfk_admin_result_destroy(r);
		r = describe_until(a, ta, 5);
		expect_partitions(r, kfk_admin_result_topic(r, 0), 5);
		kfk_admin_result_destroy(r);
		KT_ASSERT_INT_EQ(kfk_admin_create_partitions(a, names, &four, 1,
		                                             NULL, &id), 0);
		r = wait_ok(a, id);
		t = kfk_admin_result_topic(r, 0);
		KT_ASSERT_INT_EQ(kfk_admin_topic_err(t),
		                 KFK_ERR_INVALID_PARTITIONS);
		kt_log("4 partitions: %s", kfk_admin_topic_errstr(t));
		KT_ASSERT(strstr(kfk_admin_topic_errstr(t), "5") != NULL);
		kfk_admin_result_destroy(r);
	}

	/* Deleted; a second time the topic is unknown. */
	KT_ASSERT_INT_EQ(kfk_admin_delete_topics(a, names, 2, NULL, &id), 0);
	r = wait_ok(a, id);
	KT_ASSERT_INT_EQ(kfk_admin_topic_err(kfk_admin_result_topic(r, 0)), 0);
	KT_ASSERT_INT_EQ(kfk_admin_topic_err(kfk_admin_result_topic(r, 1)), 0);
	kfk_admin_result_destroy(r);
	KT_ASSERT_INT_EQ(kfk_admin_delete_topics(a, names, 1, NULL, &id), 0);
	r = wait_ok(a, id);
	KT_ASSERT_INT_EQ(kfk_admin_topic_err(kfk_admin_result_topic(r, 0)),
	                 KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION);
	kfk_admin_result_destroy(r);
	kfk_admin_destroy(a);
}

KT_TEST(creation_errors_are_per_topic_and_validate_only_creates_nothing)
{
	kfk_admin *a = admin();
	kfk_admin_options o = KFK_ADMIN_OPTIONS_INIT;
	kfk_new_topic nt[3] = { KFK_NEW_TOPIC_INIT, KFK_NEW_TOPIC_INIT,
		                KFK_NEW_TOPIC_INIT };
	char t0[64], t1[64], t2[64];
	const char *names[1];
	kfk_admin_result *r;
	const kfk_admin_topic *t;
	uint64_t id;

	kr_topic_name(t0, sizeof(t0), "admin-exists");
	kr_topic_name(t1, sizeof(t1), "admin-rf3");
	kr_topic_name(t2, sizeof(t2), "admin-ok");
	kr_topic(NULL, t0, 1, 1, "");
	nt[0].name = t0;
	nt[1].name = t1;
	nt[1].replication_factor = 3; /* one broker */
	nt[2].name = t2;
	KT_ASSERT_INT_EQ(kfk_admin_create_topics(a, nt, 3, NULL, &id), 0);
	r = wait_ok(a, id);
	t = kfk_admin_result_topic(r, 0);
	KT_ASSERT_INT_EQ(kfk_admin_topic_err(t), KFK_ERR_TOPIC_ALREADY_EXISTS);
	KT_ASSERT(strstr(kfk_admin_topic_errstr(t), "already exists") != NULL);
	t = kfk_admin_result_topic(r, 1);
	KT_ASSERT_INT_EQ(kfk_admin_topic_err(t),
	                 KFK_ERR_INVALID_REPLICATION_FACTOR);
	kt_log("rf 3: %s", kfk_admin_topic_errstr(t));
	KT_ASSERT_INT_EQ(kfk_admin_topic_err(kfk_admin_result_topic(r, 2)), 0);
	kfk_admin_result_destroy(r);

	/* validate_only: the answer as if, and no topic. */
	kr_topic_name(t2, sizeof(t2), "admin-validate");
	nt[2].name = t2;
	o.validate_only = true;
	o.opaque = &o;
	KT_ASSERT_INT_EQ(kfk_admin_create_topics(a, &nt[2], 1, &o, &id), 0);
	r = wait_ok(a, id);
	KT_ASSERT(kfk_admin_result_opaque(r) == &o);
	KT_ASSERT_INT_EQ(kfk_admin_topic_err(kfk_admin_result_topic(r, 0)), 0);
	kfk_admin_result_destroy(r);
	names[0] = t2;
	r = describe(a, names, 1);
	KT_ASSERT_INT_EQ(kfk_admin_topic_err(kfk_admin_result_topic(r, 0)),
	                 KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION);
	kfk_admin_result_destroy(r);

	/* What no broker would take is refused at once. */
	nt[0].name = "";
	KT_ASSERT_INT_EQ(kfk_admin_create_topics(a, nt, 1, NULL, &id),
	                 KFK_ERR__INVALID_ARG);
	{
		int32_t zero = 0;

		names[0] = t0;
		KT_ASSERT_INT_EQ(kfk_admin_create_partitions(a, names, &zero, 1,
		                                             NULL, &id),
		                 KFK_ERR__INVALID_ARG);
	}
	kfk_admin_destroy(a);
}

/* Two operations out: waiting for the second leaves the first for poll;
 * describing every topic lists ours, sorted by name. */
KT_TEST(results_by_id_and_by_poll)
{
	kfk_admin *a = admin();
	char t0[64];
	const char *names[1];
	kfk_admin_result *r;
	uint64_t id1, id2;
	int n, found = 0;

	kr_topic_name(t0, sizeof(t0), "admin-poll");
	kr_topic(NULL, t0, 2, 1, "");
	names[0] = t0;
	KT_ASSERT_INT_EQ(kfk_admin_describe_topic_configs(a, names, 1, NULL,
	                                                 &id1), 0);
	KT_ASSERT_INT_EQ(kfk_admin_describe_topics(a, NULL, 0, NULL, &id2), 0);
	KT_ASSERT(id1 != id2);
	r = wait_ok(a, id2);
	KT_ASSERT_INT_EQ(kfk_admin_result_op(r), KFK_ADMIN_DESCRIBE_TOPICS);
	n = kfk_admin_result_topic_count(r);
	for (int i = 0; i < n; i++) {
		const kfk_admin_topic *t = kfk_admin_result_topic(r, i);

		if (i)
			KT_ASSERT(strcmp(kfk_admin_topic_name(
				                 kfk_admin_result_topic(r, i - 1)),
			                 kfk_admin_topic_name(t)) < 0);
		if (strcmp(kfk_admin_topic_name(t), t0) == 0) {
			found++;
			expect_partitions(r, t, 2);
		}
		if (strcmp(kfk_admin_topic_name(t), "__consumer_offsets") == 0)
			KT_ASSERT(kfk_admin_topic_is_internal(t));
	}
	KT_ASSERT_INT_EQ(found, 1);
	kfk_admin_result_destroy(r);
	r = kfk_admin_poll(a, WAIT_MS);
	KT_ASSERT(r != NULL);
	KT_ASSERT(kfk_admin_result_id(r) == id1);
	KT_ASSERT_INT_EQ(kfk_admin_result_op(r),
	                 KFK_ADMIN_DESCRIBE_TOPIC_CONFIGS);
	kfk_admin_result_destroy(r);
	KT_ASSERT(kfk_admin_poll(a, 0) == NULL);
	kfk_admin_destroy(a);
}

/* 20 records to each of topic's 3 partitions. */
static void produce20(const char *topic)
{
	struct pt_reports r;
	kfk_producer *p;

	pt_reports_init(&r, 60);
	p = pt_producer(kr_bootstrap(), &r, "linger.ms", "5", NULL);
	for (int i = 0; i < 60; i++) {
		kfk_record rec = KFK_RECORD_INIT;

		rec.topic = topic;
		rec.partition = i % 3;
		rec.value = "v";
		rec.value_len = 1;
		rec.opaque = pt_id(i);
		KT_ASSERT_INT_EQ(kfk_produce_record(p, &rec), 0);
	}
	KT_ASSERT_INT_EQ(kfk_producer_flush(p, WAIT_MS), 0);
	KT_ASSERT_INT_EQ(r.total, 60);
	kfk_producer_destroy(p);
	pt_reports_free(&r);
}

/* A member of group on topic, assigned its 3 partitions, having committed
 * 5 on partition 0 and 10 on partition 1 (nothing on 2). */
static kfk_consumer *member_committed(const char *group, const char *topic)
{
	char err[512];
	kfk_conf *conf = kfk_conf_new();
	const char *topics[1] = { topic };
	kfk_tplist *l = kfk_tplist_new(2);
	kfk_consumer *c;
	int64_t end = kt_now_ms() + WAIT_MS;

	KT_ASSERT(kfk_conf_set(conf, "bootstrap.servers", kr_bootstrap(), err,
	                       sizeof(err)) == 0);
	KT_ASSERT(kfk_conf_set(conf, "group.id", group, err, sizeof(err)) == 0);
	KT_ASSERT(kfk_conf_set(conf, "client.id", "admin-test-member", err,
	                       sizeof(err)) == 0);
	KT_ASSERT(kfk_conf_set(conf, "enable.auto.commit", "false", err,
	                       sizeof(err)) == 0);
	c = kfk_consumer_new(conf, err, sizeof(err));
	kfk_conf_destroy(conf);
	KT_ASSERT_MSG(c != NULL, "%s", err);
	KT_ASSERT_INT_EQ(kfk_consumer_subscribe(c, topics, 1, NULL, NULL), 0);
	for (;;) { /* until the group gave it the partitions */
		kfk_tplist *a = NULL;
		kfk_message *m = kfk_consumer_poll(c, 100);
		int n;

		if (m)
			kfk_message_destroy(m);
		KT_ASSERT_INT_EQ(kfk_consumer_assignment(c, &a), 0);
		n = kfk_tplist_count(a);
		kfk_tplist_destroy(a);
		if (n == 3)
			break;
		KT_ASSERT_MSG(kt_now_ms() < end, "assigned %d partitions", n);
	}
	kfk_tplist_add(l, topic, 0, 5);
	kfk_tplist_add(l, topic, 1, 10);
	KT_ASSERT_INT_EQ(kfk_consumer_commit(c, l, WAIT_MS), 0);
	kfk_tplist_destroy(l);
	return c;
}

/* A group with a member, described with its lag; listed; a group that
 * does not exist. */
KT_TEST(groups_are_listed_and_described_with_their_lag)
{
	kfk_admin *a = admin();
	char topic[64], group[64];
	const char *names[2];
	kfk_admin_result *r;
	const kfk_admin_group *g;
	kfk_consumer *c;
	uint64_t id;
	int found = 0;

	kr_topic_name(topic, sizeof(topic), "admin-lag");
	kr_topic_name(group, sizeof(group), "admin-group");
	kr_topic(NULL, topic, 3, 1, "");
	produce20(topic);
	c = member_committed(group, topic);

	names[0] = group;
	names[1] = "admin-no-such-group";
	KT_ASSERT_INT_EQ(kfk_admin_describe_groups(a, names, 2, true, NULL,
	                                          &id), 0);
	r = wait_ok(a, id);
	KT_ASSERT_INT_EQ(kfk_admin_result_group_count(r), 2);
	g = kfk_admin_result_group(r, 0);
	KT_ASSERT_MSG(!kfk_admin_group_err(g), "%s", kfk_admin_group_errstr(g));
	KT_ASSERT_STR_EQ(kfk_admin_group_state(g), "Stable");
	KT_ASSERT_STR_EQ(kfk_admin_group_protocol_type(g), "consumer");
	KT_ASSERT_STR_EQ(kfk_admin_group_protocol(g), "range");
	KT_ASSERT_INT_EQ(kfk_admin_group_member_count(g), 1);
	{
		const char *client, *host;
		const char *mid = kfk_admin_group_member(g, 0, &client, &host,
		                                         NULL);
		char own[256];

		KT_ASSERT_STR_EQ(client, "admin-test-member");
		KT_ASSERT(host && host[0] == '/');
		KT_ASSERT(kfk_consumer_member_id(c, own, sizeof(own)) > 0);
		KT_ASSERT_STR_EQ(mid, own);
	}
	KT_ASSERT_INT_EQ(kfk_admin_group_member_assignment_count(g, 0), 3);
	KT_ASSERT_INT_EQ(kfk_admin_group_offset_count(g), 3);
	for (int i = 0; i < 3; i++) {
		int32_t p;
		int64_t committed, end;
		int member;
		const char *t = kfk_admin_group_offset(g, i, &p, &committed, &end,
		                                       &member);

		KT_ASSERT_STR_EQ(t, topic);
		KT_ASSERT_INT_EQ(p, i);
		KT_ASSERT_INT_EQ(committed, i == 0 ? 5 : i == 1 ? 10 : -1);
		KT_ASSERT_INT_EQ(end, 20);
		KT_ASSERT_INT_EQ(member, 0);
	}
	g = kfk_admin_result_group(r, 1);
	kt_log("a group that does not exist: %s, state \"%s\"",
	       kfk_err_name(kfk_admin_group_err(g)), kfk_admin_group_state(g));
	KT_ASSERT(kfk_admin_group_err(g) == KFK_ERR_GROUP_ID_NOT_FOUND ||
	          !strcmp(kfk_admin_group_state(g), "Dead"));
	kfk_admin_result_destroy(r);

	KT_ASSERT_INT_EQ(kfk_admin_list_groups(a, NULL, &id), 0);
	r = wait_ok(a, id);
	for (int i = 0; i < kfk_admin_result_group_count(r); i++) {
		g = kfk_admin_result_group(r, i);
		if (i)
			KT_ASSERT(strcmp(kfk_admin_group_name(
				                 kfk_admin_result_group(r, i - 1)),
			                 kfk_admin_group_name(g)) < 0);
		if (strcmp(kfk_admin_group_name(g), group))
			continue;
		found++;
		KT_ASSERT_STR_EQ(kfk_admin_group_state(g), "Stable");
		KT_ASSERT_STR_EQ(kfk_admin_group_protocol_type(g), "consumer");
	}
	KT_ASSERT_INT_EQ(found, 1);
	kfk_admin_result_destroy(r);
	kfk_consumer_close(c);
	kfk_consumer_destroy(c);
	kfk_admin_destroy(a);
}

/* Offsets by position and by time; a group's offsets set while it has no
 * member, refused while it has one. */
KT_TEST(offsets_are_listed_and_a_groups_offsets_set)
{
	kfk_admin *a = admin();
	char topic[64], group[64];
	kfk_tplist *l = kfk_tplist_new(4), *set;
	const kfk_tplist *out;
	kfk_admin_result *r;
	const char *names[1];
	kfk_consumer *c;
	uint64_t id;

	kr_topic_name(topic, sizeof(topic), "admin-offsets");
	kr_topic_name(group, sizeof(group), "admin-reset");
	kr_topic(NULL, topic, 3, 1, "");
	produce20(topic);
	kfk_tplist_add(l, topic, 0, KFK_OFFSET_BEGINNING);
	kfk_tplist_add(l, topic, 1, KFK_OFFSET_END);
	kfk_tplist_add(l, topic, 2, 0); /* the first at or after 1970 */
	kfk_tplist_add(l, topic, 7, KFK_OFFSET_END);
	KT_ASSERT_INT_EQ(kfk_admin_list_offsets(a, l, NULL, &id), 0);
	r = wait_ok(a, id);
	out = kfk_admin_result_offsets(r);
	KT_ASSERT_INT_EQ(kfk_tplist_count(out), 4);
	for (int i = 0; i < 4; i++) {
		int32_t p = kfk_tplist_partition(out, i);

		KT_ASSERT_INT_EQ(p, i < 3 ? i : 7);
		KT_ASSERT_INT_EQ(kfk_tplist_err(out, i),
		                 p == 7 ? KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION : 0);
		if (p < 3)
			KT_ASSERT_INT_EQ(kfk_tplist_offset(out, i), p == 1 ? 20 : 0);
	}
	kfk_admin_result_destroy(r);
	kfk_tplist_destroy(l);

	/* While a member is in the group, Kafka refuses. */
	c = member_committed(group, topic);
	set = kfk_tplist_new(1);
	kfk_tplist_add(set, topic, 2, 15);
	KT_ASSERT_INT_EQ(kfk_admin_alter_group_offsets(a, group, set, NULL, &id),
	                 0);
	r = wait_ok(a, id);
	out = kfk_admin_result_offsets(r);
	kt_log("with a member: %s", kfk_err_name(kfk_tplist_err(out, 0)));
	KT_ASSERT(kfk_tplist_err(out, 0) != 0);
	kfk_admin_result_destroy(r);
	kfk_consumer_close(c);
	kfk_consumer_destroy(c);

	/* Without: set, and read back as the group's. */
	KT_ASSERT_INT_EQ(kfk_admin_alter_group_offsets(a, group, set, NULL, &id),
	                 0);
	r = wait_ok(a, id);
	out = kfk_admin_result_offsets(r);
	KT_ASSERT_MSG(kfk_tplist_err(out, 0) == 0, "%s",
	              kfk_err_name(kfk_tplist_err(out, 0)));
	kfk_admin_result_destroy(r);
	kfk_tplist_destroy(set);
	names[0] = group;
	KT_ASSERT_INT_EQ(kfk_admin_describe_groups(a, names, 1, true, NULL, &id),
	                 0);
	r = wait_ok(a, id);
	{
		const kfk_admin_group *g = kfk_admin_result_group(r, 0);
		int64_t committed[3] = { -2, -2, -2 };

		KT_ASSERT_STR_EQ(kfk_admin_group_state(g), "Empty");
		for (int i = 0; i < kfk_admin_group_offset_count(g); i++) {
			int32_t p;
			int64_t off;

			kfk_admin_group_offset(g, i, &p, &off, NULL, NULL);
			committed[p] = off;
		}
		KT_ASSERT_INT_EQ(committed[0], 5);
		KT_ASSERT_INT_EQ(committed[1], 10);
		KT_ASSERT_INT_EQ(committed[2], 15);
	}
	kfk_admin_result_destroy(r);
	kfk_admin_destroy(a);
}

/* The committed offsets of group, by partition of topic (3; -1: none). */
static void group_committed(kfk_admin *a, const char *group, int64_t out[3])
{
	const char *names[1] = { group };
	kfk_admin_result *r;
	const kfk_admin_group *g;
	uint64_t id;

	out[0] = out[1] = out[2] = -1;
	KT_ASSERT_INT_EQ(kfk_admin_describe_groups(a, names, 1, true, NULL, &id),
	                 0);
	r = wait_ok(a, id);
	g = kfk_admin_result_group(r, 0);
	for (int i = 0; i < kfk_admin_group_offset_count(g); i++) {
		int32_t p;
		int64_t off;

		kfk_admin_group_offset(g, i, &p, &off, NULL, NULL);
		KT_ASSERT(p >= 0 && p < 3);
		out[p] = off;
	}
	kfk_admin_result_destroy(r);
}

/* Records deleted before an offset and up to the end: the new low
 * watermarks come back, ListOffsets agrees, a consumer from the beginning
 * starts there; past the end is OFFSET_OUT_OF_RANGE. */
KT_TEST(records_are_deleted_before_an_offset)
{
	kfk_admin *a = admin();
	char topic[64];
	kfk_tplist *l = kfk_tplist_new(3);
	const kfk_tplist *out;
	kfk_admin_result *r;
	uint64_t id;

	kr_topic_name(topic, sizeof(topic), "admin-delrec");
	kr_topic(NULL, topic, 3, 1, "");
	produce20(topic);
	kfk_tplist_add(l, topic, 0, 7);
	kfk_tplist_add(l, topic, 1, KFK_OFFSET_END);
	kfk_tplist_add(l, topic, 2, 21);
	KT_ASSERT_INT_EQ(kfk_admin_delete_records(a, l, NULL, &id), 0);
	r = wait_ok(a, id);
	KT_ASSERT_INT_EQ(kfk_admin_result_op(r), KFK_ADMIN_DELETE_RECORDS);
	out = kfk_admin_result_offsets(r);
	KT_ASSERT_INT_EQ(kfk_tplist_count(out), 3);
	KT_ASSERT_INT_EQ(kfk_tplist_err(out, 0), 0);
	KT_ASSERT_INT_EQ(kfk_tplist_offset(out, 0), 7);
	KT_ASSERT_INT_EQ(kfk_tplist_err(out, 1), 0);
	KT_ASSERT_INT_EQ(kfk_tplist_offset(out, 1), 20);
	KT_ASSERT_INT_EQ(kfk_tplist_err(out, 2), KFK_ERR_OFFSET_OUT_OF_RANGE);
	kfk_admin_result_destroy(r);
	/* The log starts there now. */
	for (int i = 0; i < 3; i++)
		kfk_tplist_set_offset(l, i, KFK_OFFSET_BEGINNING);
	KT_ASSERT_INT_EQ(kfk_admin_list_offsets(a, l, NULL, &id), 0);
	r = wait_ok(a, id);
	out = kfk_admin_result_offsets(r);
	KT_ASSERT_INT_EQ(kfk_tplist_offset(out, 0), 7);
	KT_ASSERT_INT_EQ(kfk_tplist_offset(out, 1), 20);
	KT_ASSERT_INT_EQ(kfk_tplist_offset(out, 2), 0);
	kfk_admin_result_destroy(r);
	kfk_tplist_destroy(l);
	kfk_admin_destroy(a);
}

/* A group's committed offsets deleted for one partition (no member): the
 * others stay; a group that does not exist says so for each partition. */
KT_TEST(a_groups_offsets_are_deleted_by_partition)
{
	kfk_admin *a = admin();
	char topic[64], group[64];
	kfk_tplist *l = kfk_tplist_new(2);
	const kfk_tplist *out;
	kfk_admin_result *r;
	kfk_consumer *c;
	int64_t committed[3];
	uint64_t id;

	kr_topic_name(topic, sizeof(topic), "admin-deloff");
	kr_topic_name(group, sizeof(group), "admin-deloff-group");
	kr_topic(NULL, topic, 3, 1, "");
	produce20(topic);
	c = member_committed(group, topic);
	kfk_tplist_add(l, topic, 0, -1);
	/* While the member consumes the topic, Kafka refuses. */
	KT_ASSERT_INT_EQ(kfk_admin_delete_group_offsets(a, group, l, NULL, &id),
	                 0);
	r = wait_ok(a, id);
	out = kfk_admin_result_offsets(r);
	KT_ASSERT_INT_EQ(kfk_tplist_err(out, 0),
	                 KFK_ERR_GROUP_SUBSCRIBED_TO_TOPIC);
	kfk_admin_result_destroy(r);
	kfk_consumer_close(c);
	kfk_consumer_destroy(c);

	KT_ASSERT_INT_EQ(kfk_admin_delete_group_offsets(a, group, l, NULL, &id),
	                 0);
	r = wait_ok(a, id);
	KT_ASSERT_INT_EQ(kfk_admin_result_op(r), KFK_ADMIN_DELETE_GROUP_OFFSETS);
	out = kfk_admin_result_offsets(r);
	KT_ASSERT_INT_EQ(kfk_tplist_count(out), 1);
	KT_ASSERT_MSG(kfk_tplist_err(out, 0) == 0, "%s",
	              kfk_err_name(kfk_tplist_err(out, 0)));
	kfk_admin_result_destroy(r);
	group_committed(a, group, committed);
	KT_ASSERT_INT_EQ(committed[0], -1);
	KT_ASSERT_INT_EQ(committed[1], 10);
	KT_ASSERT_INT_EQ(committed[2], -1);

	kfk_tplist_add(l, topic, 1, -1);
	KT_ASSERT_INT_EQ(kfk_admin_delete_group_offsets(a, "admin-no-such-group",
	                                               l, NULL, &id), 0);
	r = wait_ok(a, id);
	out = kfk_admin_result_offsets(r);
	KT_ASSERT_INT_EQ(kfk_tplist_count(out), 2);
	for (int i = 0; i < 2; i++)
		KT_ASSERT_INT_EQ(kfk_tplist_err(out, i),
		                 KFK_ERR_GROUP_ID_NOT_FOUND);
	kfk_admin_result_destroy(r);
	kfk_tplist_destroy(l);
	kfk_admin_destroy(a);
}

/* The cluster: its id (as the broker's storage was formatted with), its
 * one broker at the bootstrap address, the controller among its brokers. */
KT_TEST(the_cluster_is_described)
{
	kfk_admin *a = admin();
	kfk_admin_result *r;
	const char *host, *id_str;
	int32_t port, broker;
	char addr[300];
	uint64_t id;

	KT_ASSERT_INT_EQ(kfk_admin_describe_cluster(a, NULL, &id), 0);
	r = wait_ok(a, id);
	KT_ASSERT_INT_EQ(kfk_admin_result_op(r), KFK_ADMIN_DESCRIBE_CLUSTER);
	id_str = kfk_admin_result_cluster_id(r);
	KT_ASSERT(id_str != NULL);
	kt_log("cluster id %s", id_str);
	KT_ASSERT_INT_EQ(strlen(id_str), 22);
	if (getenv("KFK_KAFKA_DIR")) {
		char path[1024], want[64] = "";
		FILE *f;

		snprintf(path, sizeof(path), "%s/cluster-id",
		         getenv("KFK_KAFKA_DIR"));
		KT_ASSERT((f = fopen(path, "r")) != NULL);
		KT_ASSERT(fscanf(f, "%63s", want) == 1);
		fclose(f);
		KT_ASSERT_STR_EQ(id_str, want);
	}
	KT_ASSERT_INT_EQ(kfk_admin_result_broker_count(r), 1);
	broker = kfk_admin_result_broker(r, 0, &host, &port, NULL);
	snprintf(addr, sizeof(addr), "%s:%d", host, (int)port);
	KT_ASSERT_STR_EQ(addr, kr_bootstrap());
	KT_ASSERT_INT_EQ(kfk_admin_result_controller(r), broker);
	KT_ASSERT_INT_EQ(kfk_admin_result_topic_count(r), 0);
	kfk_admin_result_destroy(r);
	kfk_admin_destroy(a);
}

/* The items of an ACL result, each as one line, sorted: what the broker
 * holds can then be compared whole. */
static char *acl_lines(const kfk_admin_result *r)
{
	int n = kfk_admin_result_acl_count(r);
	char **v = calloc((size_t)n + 1, sizeof(*v)), *out;
	size_t len = 1;

	KT_ASSERT(v != NULL);
	for (int i = 0; i < n; i++) {
		kfk_err err;
		int f;
		const kfk_acl *x = kfk_admin_result_acl(r, i, &err, NULL, &f);
		char buf[512];

		snprintf(buf, sizeof(buf), "%d %s %d %s %s %d %d f%d %s\n",
		         x->resource_type, x->resource_name, x->pattern_type,
		         x->principal, x->host, x->operation, x->permission, f,
		         kfk_err_name(err));
		v[i] = strdup(buf);
		len += strlen(buf);
	}
	for (int i = 1; i < n; i++) /* a few lines: insertion sort */
		for (int k = i; k > 0 && strcmp(v[k - 1], v[k]) > 0; k--) {
			char *t = v[k];
			v[k] = v[k - 1];
			v[k - 1] = t;
		}
	out = calloc(1, len);
	for (int i = 0; i < n; i++) {
		strcat(out, v[i]);
		free(v[i]);
	}
	free(v);
	return out;
}

static kfk_acl acl(kfk_acl_resource type, const char *name,
                   kfk_acl_pattern pattern, const char *principal,
                   const char *host, kfk_acl_operation op,
                   kfk_acl_permission perm)
{
	kfk_acl x = KFK_ACL_INIT;

	x.resource_type = type;
	x.resource_name = name;
	x.pattern_type = pattern;
	x.principal = principal;
	x.host = host;
	x.operation = op;
	x.permission = perm;
	return x;
}

/* ACLs created, each said ok; described by principal (exactly those),
 * listed by Kafka's own kafka-acls; deleted by filters (each deleted ACL
 * with its filter), the rest left; an ACL that cannot be is refused
 * before anything is sent. */
KT_TEST(acls_are_created_described_and_deleted)
{
	kfk_admin *a = admin();
	char topic[64], pfx[64], group[64], want[1024], alice[64], bob[64];
	kfk_acl in[3], f[2], bad;
	kfk_admin_result *r;
	char *got, *out;
	uint64_t id;

	kr_topic_name(topic, sizeof(topic), "acl-t");
	kr_topic_name(pfx, sizeof(pfx), "acl-p");
	kr_topic_name(group, sizeof(group), "acl-g");
	/* Principals of this run only: a broker kept from an earlier run
	 * may hold their ACLs still. */
	kr_topic_name(alice, sizeof(alice), "User:alice");
	kr_topic_name(bob, sizeof(bob), "User:bob");
	in[0] = acl(KFK_ACL_RESOURCE_TOPIC, topic, KFK_ACL_PATTERN_LITERAL,
	            alice, "*", KFK_ACL_OPERATION_READ,
	            KFK_ACL_PERMISSION_ALLOW);
	in[1] = acl(KFK_ACL_RESOURCE_TOPIC, pfx, KFK_ACL_PATTERN_PREFIXED,
	            bob, "127.0.0.1", KFK_ACL_OPERATION_WRITE,
	            KFK_ACL_PERMISSION_DENY);
	in[2] = acl(KFK_ACL_RESOURCE_GROUP, group, KFK_ACL_PATTERN_LITERAL,
	            alice, "*", KFK_ACL_OPERATION_READ,
	            KFK_ACL_PERMISSION_ALLOW);
	KT_ASSERT_INT_EQ(kfk_admin_create_acls(a, in, 3, NULL, &id), 0);
	r = wait_ok(a, id);
	KT_ASSERT_INT_EQ(kfk_admin_result_op(r), KFK_ADMIN_CREATE_ACLS);
	got = acl_lines(r);
	snprintf(want, sizeof(want),
	         "2 %s 4 %s 127.0.0.1 4 2 f-1 NONE\n"
	         "2 %s 3 %s * 3 3 f-1 NONE\n"
	         "3 %s 3 %s * 3 3 f-1 NONE\n", pfx, bob, topic, alice, group,
	         alice);
	KT_ASSERT_STR_EQ(got, want);
	free(got);
	kfk_admin_result_destroy(r);

	/* Kafka's tool sees them. */
	out = kr_kafka_out(NULL, "tool kafka-acls --bootstrap-server %s --list "
	                   "--topic %s", kr_bootstrap(), topic);
	kt_log("kafka-acls: %s", out);
	snprintf(want, sizeof(want), "(principal=%s, host=*, operation=READ, "
	         "permissionType=ALLOW)", alice);
	KT_ASSERT(strstr(out, want) != NULL);
	free(out);

	f[0] = acl(KFK_ACL_RESOURCE_ANY, NULL, KFK_ACL_PATTERN_ANY, alice,
	           NULL, KFK_ACL_OPERATION_ANY, KFK_ACL_PERMISSION_ANY);
	KT_ASSERT_INT_EQ(kfk_admin_describe_acls(a, &f[0], NULL, &id), 0);
	r = wait_ok(a, id);
	got = acl_lines(r);
	snprintf(want, sizeof(want),
	         "2 %s 3 %s * 3 3 f-1 NONE\n"
	         "3 %s 3 %s * 3 3 f-1 NONE\n", topic, alice, group, alice);
	KT_ASSERT_STR_EQ(got, want);
	free(got);
	kfk_admin_result_destroy(r);

	f[1] = acl(KFK_ACL_RESOURCE_TOPIC, "acl-no-such", KFK_ACL_PATTERN_LITERAL,
	           NULL, NULL, KFK_ACL_OPERATION_ANY, KFK_ACL_PERMISSION_ANY);
	KT_ASSERT_INT_EQ(kfk_admin_delete_acls(a, f, 2, NULL, &id), 0);
	r = wait_ok(a, id);
	got = acl_lines(r);
	snprintf(want, sizeof(want),
	         "2 %s 3 %s * 3 3 f0 NONE\n"
	         "3 %s 3 %s * 3 3 f0 NONE\n", topic, alice, group, alice);
	KT_ASSERT_STR_EQ(got, want);
	free(got);
	kfk_admin_result_destroy(r);

	/* bob's is left: found by its prefixed pattern, then deleted. */
	f[0] = acl(KFK_ACL_RESOURCE_TOPIC, pfx, KFK_ACL_PATTERN_PREFIXED, NULL,
	           NULL, KFK_ACL_OPERATION_ANY, KFK_ACL_PERMISSION_ANY);
	KT_ASSERT_INT_EQ(kfk_admin_delete_acls(a, f, 1, NULL, &id), 0);
	r = wait_ok(a, id);
	got = acl_lines(r);
	snprintf(want, sizeof(want), "2 %s 4 %s 127.0.0.1 4 2 f0 NONE\n",
	         pfx, bob);
	KT_ASSERT_STR_EQ(got, want);
	free(got);
	kfk_admin_result_destroy(r);
	f[0] = acl(KFK_ACL_RESOURCE_ANY, NULL, KFK_ACL_PATTERN_ANY, bob,
	           NULL, KFK_ACL_OPERATION_ANY, KFK_ACL_PERMISSION_ANY);
	KT_ASSERT_INT_EQ(kfk_admin_describe_acls(a, &f[0], NULL, &id), 0);
	r = wait_ok(a, id);
	KT_ASSERT_INT_EQ(kfk_admin_result_acl_count(r), 0);
	kfk_admin_result_destroy(r);

	/* An ACL with an ANY in it cannot be created. */
	bad = in[0];
	bad.operation = KFK_ACL_OPERATION_ANY;
	KT_ASSERT_INT_EQ(kfk_admin_create_acls(a, &bad, 1, NULL, &id),
	                 KFK_ERR__INVALID_ARG);
	kfk_admin_destroy(a);
}

/* A preferred election on partitions that have their preferred leader
 * (one broker) is not needed, each said so; a partition that does not
 * exist says that. */
KT_TEST(leaders_are_elected_per_partition)
{
	kfk_admin *a = admin();
	char topic[64];
	kfk_tplist *l = kfk_tplist_new(3);
	const kfk_tplist *out;
	kfk_admin_result *r;
	uint64_t id;

	kr_topic_name(topic, sizeof(topic), "admin-elect");
	kr_topic(NULL, topic, 2, 1, "");
	kfk_tplist_add(l, topic, 0, -1);
	kfk_tplist_add(l, topic, 1, -1);
	kfk_tplist_add(l, topic, 9, -1);
	KT_ASSERT_INT_EQ(kfk_admin_elect_leaders(a, KFK_ELECTION_PREFERRED, l,
	                                         NULL, &id), 0);
	r = wait_ok(a, id);
	KT_ASSERT_INT_EQ(kfk_admin_result_op(r), KFK_ADMIN_ELECT_LEADERS);
	out = kfk_admin_result_offsets(r);
	KT_ASSERT_INT_EQ(kfk_tplist_count(out), 3);
	for (int i = 0; i < 3; i++) {
		kt_log("partition %d: %s", kfk_tplist_partition(out, i),
		       kfk_err_name(kfk_tplist_err(out, i)));
		KT_ASSERT_INT_EQ(kfk_tplist_partition(out, i), i < 2 ? i : 9);
		KT_ASSERT_INT_EQ(kfk_tplist_err(out, i),
		                 i < 2 ? KFK_ERR_ELECTION_NOT_NEEDED
		                       : KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION);
	}
	kfk_admin_result_destroy(r);
	kfk_tplist_destroy(l);
	KT_ASSERT_INT_EQ(kfk_admin_elect_leaders(a, 7, NULL, NULL, &id),
	                 KFK_ERR__INVALID_ARG);
	kfk_admin_destroy(a);
}

/* The idempotent producer that wrote 20 records to each partition is the
 * one active producer of each, its last sequence 19, no transaction. */
KT_TEST(producers_are_described_per_partition)
{
	kfk_admin *a = admin();
	char topic[64];
	kfk_tplist *l = kfk_tplist_new(3);
	const kfk_tplist *out;
	kfk_admin_result *r;
	int64_t pid = -1;
	uint64_t id;

	kr_topic_name(topic, sizeof(topic), "admin-producers");
	kr_topic(NULL, topic, 3, 1, "");
	produce20(topic); /* idempotent by default */
	for (int p = 0; p < 3; p++)
		kfk_tplist_add(l, topic, p, -1);
	KT_ASSERT_INT_EQ(kfk_admin_describe_producers(a, l, NULL, &id), 0);
	r = wait_ok(a, id);
	KT_ASSERT_INT_EQ(kfk_admin_result_op(r), KFK_ADMIN_DESCRIBE_PRODUCERS);
	out = kfk_admin_result_offsets(r);
	for (int i = 0; i < 3; i++)
		KT_ASSERT_INT_EQ(kfk_tplist_err(out, i), 0);
	KT_ASSERT_INT_EQ(kfk_admin_result_producer_count(r), 3);
	for (int i = 0; i < 3; i++) {
		int entry;
		int32_t epoch, seq;
		int64_t ts, txn;
		int64_t id_i = kfk_admin_result_producer(r, i, &entry, &epoch,
		                                         &seq, &ts, &txn);

		KT_ASSERT(id_i >= 0);
		if (pid < 0)
			pid = id_i;
		KT_ASSERT_INT_EQ(id_i, pid); /* one producer wrote them all */
		KT_ASSERT_INT_EQ(kfk_tplist_partition(out, entry), i);
		KT_ASSERT_INT_EQ(epoch, 0);
		KT_ASSERT_INT_EQ(seq, 19);
		KT_ASSERT(ts > 0);
		KT_ASSERT_INT_EQ(txn, -1);
	}
	kfk_admin_result_destroy(r);
	kfk_tplist_destroy(l);
	kfk_admin_destroy(a);
}

/* A transaction the Java client committed: its coordinator describes it
 * (CompleteCommit, the producer's id and epoch, Java's default timeout,
 * no partitions left in it); an id nobody used is not found. */
KT_TEST(transactions_are_described_by_id)
{
	kfk_admin *a = admin();
	char topic[64], txn[64];
	const char *ids[2];
	const kfk_admin_txn *t;
	kfk_admin_result *r;
	int16_t epoch;
	int32_t timeout;
	uint64_t id;
	char *out;

	kr_topic_name(topic, sizeof(topic), "admin-txn");
	kr_topic_name(txn, sizeof(txn), "kfk-txn");
	kr_topic(NULL, topic, 2, 1, "");
	out = kr_kafka_out(NULL, "peer produce --bootstrap '%s' --topic '%s' "
	                   "--count 5 --timeout-ms %d --mode transactional "
	                   "--txn commit --transactional-id '%s'",
	                   kr_bootstrap(), topic, WAIT_MS, txn);
	free(out);
	ids[0] = txn;
	ids[1] = "kfk-no-such-transactional-id";
	KT_ASSERT_INT_EQ(kfk_admin_describe_transactions(a, ids, 2, NULL, &id),
	                 0);
	r = wait_ok(a, id);
	KT_ASSERT_INT_EQ(kfk_admin_result_op(r),
	                 KFK_ADMIN_DESCRIBE_TRANSACTIONS);
	KT_ASSERT_INT_EQ(kfk_admin_result_txn_count(r), 2);
	t = kfk_admin_result_txn(r, 0);
	KT_ASSERT_MSG(!kfk_admin_txn_err(t), "%s", kfk_admin_txn_errstr(t));
	KT_ASSERT_STR_EQ(kfk_admin_txn_id(t), txn);
	KT_ASSERT_STR_EQ(kfk_admin_txn_state(t), "CompleteCommit");
	KT_ASSERT(kfk_admin_txn_producer(t, &epoch, &timeout, NULL) >= 0);
	KT_ASSERT(epoch >= 0);
	KT_ASSERT_INT_EQ(timeout, 60000);
	KT_ASSERT_INT_EQ(kfk_tplist_count(kfk_admin_txn_partitions(t)), 0);
	KT_ASSERT_INT_EQ(kfk_admin_txn_coordinator(t), 1); /* the one broker */
	t = kfk_admin_result_txn(r, 1);
	KT_ASSERT_INT_EQ(kfk_admin_txn_err(t),
	                 KFK_ERR_TRANSACTIONAL_ID_NOT_FOUND);
	kfk_admin_result_destroy(r);
	kfk_admin_destroy(a);
}

/* AlterConfigs replaces a topic's whole set: what is given is set, the
 * configs set before and left out go back to their defaults. */
KT_TEST(a_topics_configs_are_replaced_whole)
{
	kfk_admin *a = admin();
	char topic[64];
	const char *names[1] = { topic };
	const char *set[2] = { "max.message.bytes", "20000" };
	kfk_admin_result *r;
	const kfk_admin_topic *t;
	int source;
	uint64_t id;

	kr_topic_name(topic, sizeof(topic), "admin-replace");
	kr_topic(NULL, topic, 1, 1,
	         "retention.ms=1000000 cleanup.policy=compact");
	KT_ASSERT_INT_EQ(kfk_admin_replace_configs(a, KFK_ADMIN_RESOURCE_TOPIC,
	                                           topic, set, 1, NULL, &id), 0);
	r = wait_ok(a, id);
	KT_ASSERT_INT_EQ(kfk_admin_result_op(r), KFK_ADMIN_REPLACE_CONFIGS);
	t = kfk_admin_result_topic(r, 0);
	KT_ASSERT_MSG(!kfk_admin_topic_err(t), "%s", kfk_admin_topic_errstr(t));
	kfk_admin_result_destroy(r);
	KT_ASSERT_INT_EQ(kfk_admin_describe_topic_configs(a, names, 1, NULL, &id),
	                 0);
	r = wait_ok(a, id);
	t = kfk_admin_result_topic(r, 0);
	KT_ASSERT_STR_EQ(config(t, "max.message.bytes", &source), "20000");
	KT_ASSERT_INT_EQ(source, 1); /* set on the topic */
	KT_ASSERT_STR_EQ(config(t, "cleanup.policy", &source), "delete");
	KT_ASSERT(source != 1);
	config(t, "retention.ms", &source);
	KT_ASSERT(source != 1);
	kfk_admin_result_destroy(r);
	/* A config Kafka does not know is refused, changing nothing. */
	set[0] = "no.such.config";
	KT_ASSERT_INT_EQ(kfk_admin_replace_configs(a, KFK_ADMIN_RESOURCE_TOPIC,
	                                           topic, set, 1, NULL, &id), 0);
	r = wait_ok(a, id);
	t = kfk_admin_result_topic(r, 0);
	kt_log("an unknown config: %s", kfk_admin_topic_errstr(t));
	KT_ASSERT_INT_EQ(kfk_admin_topic_err(t), KFK_ERR_INVALID_CONFIG);
	kfk_admin_result_destroy(r);
	kfk_admin_destroy(a);
}
