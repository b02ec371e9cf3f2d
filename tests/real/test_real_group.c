/*
 * test_real_group: consumer groups against a real Apache Kafka 4.x broker
 * (classic protocol): one member reads every partition and commits, a new
 * member of the group starts at the committed offsets; members join and
 * leave and every partition stays owned by exactly one of them; the
 * rebalance callback sees what is assigned and revoked; a ^pattern
 * subscribes to the topics it matches, and to one created later; offsets
 * committed with metadata and leader epochs read back as given.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <kfk/kfk.h>

#include "../kt.h"
#include "real.h"

/* Records seen per partition: how many times each offset came. */
struct seen {
	int parts, per;          /* partitions, offsets room per partition */
	int *count;              /* [part * per + offset] */
	int total, dups;
};

static void seen_init(struct seen *s, int parts, int per)
{
	s->parts = parts;
	s->per = per;
	s->count = calloc((size_t)parts * (size_t)per, sizeof(int));
	s->total = s->dups = 0;
	KT_ASSERT(s->count);
}

static void seen_add(struct seen *s, const kfk_message *m)
{
	int32_t p = kfk_message_partition(m);
	int64_t o = kfk_message_offset(m);

	KT_ASSERT_MSG(p >= 0 && p < s->parts && o >= 0 && o < s->per,
	              "record at %d/%lld out of range", (int)p, (long long)o);
	if (s->count[p * s->per + o]++)
		s->dups++;
	s->total++;
}

static kfk_consumer *member(const char *group, const char *strategy,
                            const char *k2, const char *v2)
{
	char err[512];
	kfk_conf *conf = kfk_conf_new();
	kfk_consumer *c;

#define SET(k, v)                                                          \
	KT_ASSERT_MSG(kfk_conf_set(conf, k, v, err, sizeof(err)) == 0, "%s", err)
	SET("bootstrap.servers", kr_bootstrap());
	SET("group.id", group);
	SET("auto.offset.reset", "earliest");
	SET("session.timeout.ms", "10000");
	SET("heartbeat.interval.ms", "500");
	if (getenv("KFK_TEST_DEBUG"))
		SET("debug", getenv("KFK_TEST_DEBUG"));
	if (strategy)
		SET("partition.assignment.strategy", strategy);
	if (k2)
		SET(k2, v2);
#undef SET
	c = kfk_consumer_new(conf, err, sizeof(err));
	kfk_conf_destroy(conf);
	KT_ASSERT_MSG(c != NULL, "%s", err);
	return c;
}

static void subscribe(kfk_consumer *c, const char *topic,
                      kfk_rebalance_cb *cb, void *opaque)
{
	const char *topics[1] = { topic };

	KT_ASSERT_INT_EQ(kfk_consumer_subscribe(c, topics, 1, cb, opaque), 0);
}

/* Polls c until it has seen want records in s (bounded). */
static void read_until(kfk_consumer *c, struct seen *s, int want)
{
	int64_t end = kt_now_ms() + PT_WAIT_MS;

	while (s->total < want) {
		kfk_message *m;

		KT_ASSERT_MSG(kt_now_ms() < end, "%d of %d records in time",
		              s->total, want);
		m = kfk_consumer_poll(c, 100);
		if (!m)
			continue;
		KT_ASSERT_MSG(!kfk_message_err(m), "error: %s",
		              kfk_message_errstr(m));
		seen_add(s, m);
		kfk_message_destroy(m);
	}
}

static void java_produce(const char *topic, int n, const char *prefix)
{
	free(kr_kafka_out(NULL, "peer produce --bootstrap '%s' --topic '%s' "
	                  "--count %d --keys 17 --value-prefix %s "
	                  "--timeout-ms %d", kr_bootstrap(), topic, n, prefix,
	                  PT_WAIT_MS));
}

KT_TEST(one_member_reads_all_commits_and_the_next_starts_there)
{
	char topic[128], group[128];
	struct seen s;
	kfk_consumer *c;
	kfk_tplist *l = kfk_tplist_new(3);
	int i;

	kr_topic_name(topic, sizeof(topic), "grp1");
	kr_topic_name(group, sizeof(group), "g1");
	kr_topic(NULL, topic, 3, 1, "");
	java_produce(topic, 300, "a");
	seen_init(&s, 3, 400);
	c = member(group, "range", "enable.auto.commit", "false");
	subscribe(c, topic, NULL, NULL);
	read_until(c, &s, 300);
	KT_ASSERT_INT_EQ(s.dups, 0);
	KT_ASSERT_INT_EQ(kfk_consumer_commit(c, NULL, -1), 0);
	for (i = 0; i < 3; i++)
		kfk_tplist_add(l, topic, i, KFK_OFFSET_INVALID);
	KT_ASSERT_INT_EQ(kfk_consumer_committed(c, l, 10000), 0);
	{
		int64_t sum = 0;

		for (i = 0; i < 3; i++) {
			KT_ASSERT_INT_EQ(kfk_tplist_err(l, i), 0);
			sum += kfk_tplist_offset(l, i);
		}
		KT_ASSERT_INT_EQ(sum, 300);
	}
	kfk_consumer_destroy(c);

	/* The next member starts at the committed offsets: only new records. */
	java_produce(topic, 30, "b");
	free(s.count);
	seen_init(&s, 3, 400);
	c = member(group, "range", NULL, NULL);
	subscribe(c, topic, NULL, NULL);
	read_until(c, &s, 30);
	{
		kfk_message *m = kfk_consumer_poll(c, 500);

		KT_ASSERT_MSG(m == NULL, "a record after the 30 new ones");
	}
	for (i = 0; i < 3 * 400; i++)
		KT_ASSERT(s.count[i] == 0 || (i % 400) >= kfk_tplist_offset(l, i / 400));
	kfk_consumer_destroy(c);
	kfk_tplist_destroy(l);
	free(s.count);
}

/* ---- members joining and leaving ---------------------------------------- */

#define MAX_MEMBERS 4
#define PARTS 12

/* What one member's rebalance callback saw. */
struct events {
	int assigned, revoked, lost;  /* calls */
	int revoked_parts;            /* partitions in REVOKED calls */
	int kept_revoked;             /* cooperative: revoked ones it still
	                               * owned after the next assignment */
	char last[64];
};

static void on_rebalance(kfk_consumer *c, kfk_rebalance_type type,
                         const kfk_tplist *parts, void *opaque)
{
	struct events *e = opaque;

	(void)c;
	if (type == KFK_REBALANCE_ASSIGNED)
		e->assigned++;
	else if (type == KFK_REBALANCE_REVOKED) {
		e->revoked++;
		e->revoked_parts += kfk_tplist_count(parts);
	} else {
		e->lost++;
	}
}

/* True once members[0..n) own every partition of topic exactly once,
 * each at least one. */
static bool owned_once(kfk_consumer **m, int n, const char *topic)
{
	int owners[PARTS] = { 0 }, i, k, total = 0;

	for (i = 0; i < n; i++) {
		kfk_tplist *l = NULL;

		KT_ASSERT_INT_EQ(kfk_consumer_assignment(m[i], &l), 0);
		if (kfk_tplist_count(l) == 0) {
			kfk_tplist_destroy(l);
			return false;
		}
		for (k = 0; k < kfk_tplist_count(l); k++) {
			KT_ASSERT_STR_EQ(kfk_tplist_topic(l, k), topic);
			owners[kfk_tplist_partition(l, k)]++;
			total++;
		}
		kfk_tplist_destroy(l);
	}
	for (k = 0; k < PARTS; k++)
		if (owners[k] != 1)
			return false;
	return total == PARTS;
}

/* Polls every member until the group has settled (bounded). */
static void settle(kfk_consumer **m, int n, const char *topic)
{
	int64_t end = kt_now_ms() + PT_WAIT_MS;
	int stable = 0, i;

	/* Settled: owned exactly once on several looks in a row. */
	while (stable < 10) {
		KT_ASSERT_MSG(kt_now_ms() < end, "%d members never settled", n);
		for (i = 0; i < n; i++) {
			kfk_message *msg = kfk_consumer_poll(m[i], 20);

			if (msg)
				kfk_message_destroy(msg);
		}
		stable = owned_once(m, n, topic) ? stable + 1 : 0;
	}
}

static void join_and_leave(const char *strategy, bool cooperative)
{
	char topic[128], group[128];
	kfk_consumer *m[MAX_MEMBERS];
	struct events ev[MAX_MEMBERS];
	int i;

	memset(ev, 0, sizeof(ev));
	kr_topic_name(topic, sizeof(topic), "grpjl");
	kr_topic_name(group, sizeof(group), strategy);
	kr_topic(NULL, topic, PARTS, 1, "");
	for (i = 0; i < 3; i++) {
		m[i] = member(group, strategy, NULL, NULL);
		subscribe(m[i], topic, on_rebalance, &ev[i]);
		settle(m, i + 1, topic);
	}
	/* A leave: the two left own everything. */
	kfk_consumer_destroy(m[2]);
	settle(m, 2, topic);
	for (i = 0; i < 2; i++) {
		KT_ASSERT(ev[i].assigned >= 1);
		KT_ASSERT_INT_EQ(ev[i].lost, 0);
	}
	if (cooperative) {
		/* Member 0 owned all 12, then 6, then 4: it gave up only
		 * what moved (12 - 4), never what it kept. */
		KT_ASSERT_INT_EQ(ev[0].revoked_parts, 8);
	}
	for (i = 0; i < 2; i++)
		kfk_consumer_destroy(m[i]);
}

KT_TEST(range_members_join_and_leave)
{
	join_and_leave("range", false);
}

KT_TEST(roundrobin_members_join_and_leave)
{
	join_and_leave("roundrobin", false);
}

KT_TEST(cooperative_members_join_and_leave)
{
	join_and_leave("cooperative-sticky", true);
}

/* The partitions member c owns now, as a bit set. */
static unsigned owned_bits(kfk_consumer *c)
{
	kfk_tplist *l = NULL;
	unsigned bits = 0;
	int k;

	KT_ASSERT_INT_EQ(kfk_consumer_assignment(c, &l), 0);
	for (k = 0; k < kfk_tplist_count(l); k++)
		bits |= 1u << kfk_tplist_partition(l, k);
	kfk_tplist_destroy(l);
	return bits;
}

KT_TEST(static_member_comes_back_without_a_rebalance)
{
	char topic[128], group[128];
	kfk_consumer *m[2];
	struct events ev[2];
	unsigned a_bits, b_bits;
	int b_assigned, b_revoked;

	memset(ev, 0, sizeof(ev));
	kr_topic_name(topic, sizeof(topic), "grpst");
	kr_topic_name(group, sizeof(group), "static");
	kr_topic(NULL, topic, PARTS, 1, "");
	/* b first: it leads, so a's return needs no leader. */
	m[0] = member(group, "range", "group.instance.id", "b");
	subscribe(m[0], topic, on_rebalance, &ev[0]);
	settle(m, 1, topic);
	m[1] = member(group, "range", "group.instance.id", "a");
	subscribe(m[1], topic, on_rebalance, &ev[1]);
	settle(m, 2, topic);
	a_bits = owned_bits(m[1]);
	b_bits = owned_bits(m[0]);
	b_assigned = ev[0].assigned;
	b_revoked = ev[0].revoked;
	/* a restarts within session.timeout.ms (10 s): a static member does
	 * not leave the group on close. */
	kfk_consumer_destroy(m[1]);
	memset(&ev[1], 0, sizeof(ev[1]));
	m[1] = member(group, "range", "group.instance.id", "a");
	subscribe(m[1], topic, on_rebalance, &ev[1]);
	settle(m, 2, topic);
	KT_ASSERT_INT_EQ(owned_bits(m[1]), a_bits);
	KT_ASSERT_INT_EQ(owned_bits(m[0]), b_bits);
	KT_ASSERT_INT_EQ(ev[0].assigned, b_assigned); /* b saw nothing */
	KT_ASSERT_INT_EQ(ev[0].revoked, b_revoked);
	kfk_consumer_destroy(m[0]);
	kfk_consumer_destroy(m[1]);
}

KT_TEST(a_member_that_stops_polling_leaves_and_rejoins)
{
	char topic[128], group[128];
	kfk_consumer *m[2];
	struct events ev[2];
	int64_t end;

	memset(ev, 0, sizeof(ev));
	kr_topic_name(topic, sizeof(topic), "grppoll");
	kr_topic_name(group, sizeof(group), "poll");
	kr_topic(NULL, topic, PARTS, 1, "");
	m[0] = member(group, "range", NULL, NULL);
	subscribe(m[0], topic, on_rebalance, &ev[0]);
	m[1] = member(group, "range", "max.poll.interval.ms", "3000");
	subscribe(m[1], topic, on_rebalance, &ev[1]);
	settle(m, 2, topic);
	/* Only member 0 polls: member 1 leaves after 3 s, member 0 gets
	 * every partition. */
	end = kt_now_ms() + PT_WAIT_MS;
	while (owned_bits(m[0]) != (1u << PARTS) - 1) {
		kfk_message *msg = kfk_consumer_poll(m[0], 50);

		KT_ASSERT_MSG(kt_now_ms() < end, "member 0 never got all");
		if (msg)
			kfk_message_destroy(msg);
	}
	KT_ASSERT_INT_EQ(ev[1].lost, 0); /* told at its next poll */
	/* Its next poll: the partitions it had are lost, and it joins. */
	settle(m, 2, topic);
	KT_ASSERT_INT_EQ(ev[1].lost, 1);
	KT_ASSERT(ev[1].assigned >= 2);
	kfk_consumer_destroy(m[0]);
	kfk_consumer_destroy(m[1]);
}

KT_TEST(unsubscribe_revokes_and_the_other_member_takes_over)
{
	char topic[128], group[128];
	kfk_consumer *m[2];
	struct events ev[2];

	memset(ev, 0, sizeof(ev));
	kr_topic_name(topic, sizeof(topic), "grpun");
	kr_topic_name(group, sizeof(group), "unsub");
	kr_topic(NULL, topic, PARTS, 1, "");
	m[0] = member(group, "range", NULL, NULL);
	subscribe(m[0], topic, on_rebalance, &ev[0]);
	m[1] = member(group, "range", NULL, NULL);
	subscribe(m[1], topic, on_rebalance, &ev[1]);
	settle(m, 2, topic);
	KT_ASSERT_INT_EQ(kfk_consumer_unsubscribe(m[1]), 0);
	KT_ASSERT_INT_EQ(owned_bits(m[1]), 0);
	KT_ASSERT(ev[1].revoked >= 1);
	settle(m, 1, topic);
	kfk_consumer_destroy(m[0]);
	kfk_consumer_destroy(m[1]);
}

/* Polls c until n records of topics starting with want_prefix came, and
 * fails on any other topic (bounded). */
static void read_prefixed(kfk_consumer *c, const char *want_prefix,
                          const char *other, int n)
{
	int64_t end = kt_now_ms() + PT_WAIT_MS;
	int got = 0;

	while (got < n) {
		kfk_message *m;

		KT_ASSERT_MSG(kt_now_ms() < end, "%d of %d records in time", got, n);
		if (!(m = kfk_consumer_poll(c, 100)))
			continue;
		KT_ASSERT_MSG(!kfk_message_err(m), "error: %s",
		              kfk_message_errstr(m));
		KT_ASSERT_MSG(strncmp(kfk_message_topic(m), want_prefix,
		                      strlen(want_prefix)) == 0 &&
		              strcmp(kfk_message_topic(m), other) != 0,
		              "a record of %s", kfk_message_topic(m));
		got++;
		kfk_message_destroy(m);
	}
}

KT_TEST(a_pattern_subscribes_to_matching_topics_and_new_ones)
{
	char a[128], b[128], z[128], later[128], group[128], pat[160];
	const char *topics[1] = { pat };
	kfk_consumer *c;
	int64_t end;

	/* rxa-<pid>-<n> and rxb-<pid>-<n> match; rxz-<pid>-<n> does not. */
	kr_topic_name(a, sizeof(a), "rxa");
	kr_topic_name(b, sizeof(b), "rxb");
	kr_topic_name(z, sizeof(z), "rxz");
	kr_topic_name(group, sizeof(group), "rx");
	snprintf(pat, sizeof(pat), "^rx[ab]-%d-.*", (int)getpid());
	kr_topic(NULL, a, 2, 1, "");
	kr_topic(NULL, b, 3, 1, "");
	kr_topic(NULL, z, 2, 1, "");
	java_produce(a, 40, "a");
	java_produce(b, 60, "b");
	java_produce(z, 30, "z");
	c = member(group, "range", "topic.metadata.refresh.interval.ms", "1000");
	KT_ASSERT_INT_EQ(kfk_consumer_subscribe(c, topics, 1, NULL, NULL), 0);
	read_prefixed(c, "rx", z, 100);
	/* Nothing more comes (rxz is not subscribed): a quiet second. */
	for (end = kt_now_ms() + 1000; kt_now_ms() < end;) {
		kfk_message *m = kfk_consumer_poll(c, 100);

		KT_ASSERT_MSG(!m, "a record of %s after the 100",
		              m ? kfk_message_topic(m) : "");
	}
	/* A matching topic created now is picked up at a metadata refresh. */
	kr_topic_name(later, sizeof(later), "rxb");
	kr_topic(NULL, later, 1, 1, "");
	java_produce(later, 25, "l");
	read_prefixed(c, later, z, 25);
	kfk_consumer_destroy(c);
}

KT_TEST(given_offsets_commit_with_metadata_and_leader_epoch)
{
	char topic[128], group[128];
	kfk_consumer *a, *b;
	kfk_tplist *l = kfk_tplist_new(2), *got = kfk_tplist_new(2);
	int i;

	kr_topic_name(topic, sizeof(topic), "grpmeta");
	kr_topic_name(group, sizeof(group), "meta");
	kr_topic(NULL, topic, 2, 1, "");
	java_produce(topic, 40, "m");
	/* A member that never subscribed commits what it was given. */
	a = member(group, "range", "enable.auto.commit", "false");
	kfk_tplist_add(l, topic, 0, 7);
	kfk_tplist_add(l, topic, 1, 9);
	KT_ASSERT_INT_EQ(kfk_tplist_set_metadata(l, 0, "batch-0007"), 0);
	KT_ASSERT_INT_EQ(kfk_tplist_set_metadata(l, 1, "batch-0009"), 0);
	kfk_tplist_set_leader_epoch(l, 0, 0);
	kfk_tplist_set_leader_epoch(l, 1, 0);
	KT_ASSERT_INT_EQ(kfk_consumer_commit(a, l, 10000), 0);
	kfk_consumer_destroy(a);
	/* Another consumer of the group reads them back from the broker. */
	b = member(group, "range", "enable.auto.commit", "false");
	for (i = 0; i < 2; i++)
		kfk_tplist_add(got, topic, i, KFK_OFFSET_INVALID);
	KT_ASSERT_INT_EQ(kfk_consumer_committed(b, got, 10000), 0);
	for (i = 0; i < 2; i++) {
		int32_t p = kfk_tplist_partition(got, i);

		KT_ASSERT_INT_EQ(kfk_tplist_err(got, i), 0);
		KT_ASSERT_INT_EQ(kfk_tplist_offset(got, i), p == 0 ? 7 : 9);
		KT_ASSERT_STR_EQ(kfk_tplist_metadata(got, i),
		                 p == 0 ? "batch-0007" : "batch-0009");
		KT_ASSERT_INT_EQ(kfk_tplist_leader_epoch(got, i), 0);
	}
	kfk_tplist_destroy(l);
	kfk_tplist_destroy(got);
	kfk_consumer_destroy(b);
}
