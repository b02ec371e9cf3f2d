/*
 * test_assignor: the partition assignors alone. Range and roundrobin give
 * exactly the assignments the Java client's documentation gives for its
 * examples (and tests/real/assignor_java.sh compares with the Java
 * classes themselves); cooperative-sticky is balanced, sticky, withholds
 * what another member owns, and settles conflicting claims as Java does;
 * the ConsumerProtocol bytes round-trip and old versions decode.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../kt.h"
#include "consumer/assignor.h"
#include "proto/arena.h"

#define MAXM 128

struct problem {
	struct kfk_asg_topic topics[16];
	int topic_cnt;
	struct kfk_asg_member m[MAXM];
	int member_cnt;
	const char *subs[MAXM][8];
};

static void add_topic(struct problem *p, const char *name, int32_t parts)
{
	p->topics[p->topic_cnt].name = name;
	p->topics[p->topic_cnt++].partitions = parts;
}

/* A member subscribed to the topics listed (NULL-ended). */
static struct kfk_asg_member *add_member(struct problem *p, const char *id,
                                         const char *instance, ...)
{
	struct kfk_asg_member *m = &p->m[p->member_cnt];
	const char **subs = p->subs[p->member_cnt++], *t;
	va_list ap;

	memset(m, 0, sizeof(*m));
	m->member_id = id;
	m->instance_id = instance;
	m->generation = -1;
	m->topics = subs;
	va_start(ap, instance);
	while ((t = va_arg(ap, const char *)))
		subs[m->topic_cnt++] = t;
	va_end(ap);
	return m;
}

static void run(struct problem *p, const char *name)
{
	struct kfk_asg_input in = { p->topics, p->topic_cnt, p->m,
	                            p->member_cnt };
	const struct kfk_assignor *a = kfk_assignor_find(name);

	KT_ASSERT(a != NULL);
	KT_ASSERT_INT_EQ(a->assign(&in), 0);
}

/* "t0-0 t0-1 t1-0": a member's assignment, sorted, as text. */
static int tp_cmp(const void *a, const void *b)
{
	const struct kfk_asg_tp *x = a, *y = b;
	int c = strcmp(x->topic, y->topic);

	return c ? c : x->partition - y->partition;
}

static const char *text(struct kfk_asg_member *m, char *buf, size_t cap)
{
	size_t o = 0;
	int i;

	buf[0] = '\0';
	if (m->assigned.cnt > 1)
		qsort(m->assigned.v, (size_t)m->assigned.cnt, sizeof(*m->assigned.v),
	      tp_cmp);
	for (i = 0; i < m->assigned.cnt && o < cap; i++)
		o += (size_t)snprintf(buf + o, cap - o, "%s%s-%d", i ? " " : "",
		                      m->assigned.v[i].topic,
		                      (int)m->assigned.v[i].partition);
	return buf;
}

static void expect(struct kfk_asg_member *m, const char *want)
{
	char buf[4096];

	KT_ASSERT_STR_EQ(text(m, buf, sizeof(buf)), want);
}

static void free_problem(struct problem *p)
{
	int i;

	for (i = 0; i < p->member_cnt; i++) {
		kfk_asg_tps_free(&p->m[i].assigned);
		kfk_asg_tps_free(&p->m[i].owned);
	}
}

KT_TEST(range_as_javas_documentation)
{
	struct problem p = { 0 };
	struct kfk_asg_member *c1 = add_member(&p, "C1", NULL, "t0", "t1", NULL);
	struct kfk_asg_member *c0 = add_member(&p, "C0", NULL, "t0", "t1", NULL);

	add_topic(&p, "t1", 3);
	add_topic(&p, "t0", 3);
	run(&p, "range");
	expect(c0, "t0-0 t0-1 t1-0 t1-1");
	expect(c1, "t0-2 t1-2");
	free_problem(&p);
}

KT_TEST(range_puts_static_members_first_by_instance_id)
{
	struct problem p = { 0 };
	struct kfk_asg_member *d = add_member(&p, "a-dynamic", NULL, "t", NULL);
	struct kfk_asg_member *s2 = add_member(&p, "z1", "inst-2", "t", NULL);
	struct kfk_asg_member *s1 = add_member(&p, "z2", "inst-1", "t", NULL);

	add_topic(&p, "t", 7);
	run(&p, "org.apache.kafka.clients.consumer.RangeAssignor");
	expect(s1, "t-0 t-1 t-2");
	expect(s2, "t-3 t-4");
	expect(d, "t-5 t-6");
	free_problem(&p);
}

KT_TEST(roundrobin_as_javas_documentation)
{
	struct problem p = { 0 };
	struct kfk_asg_member *c0 = add_member(&p, "C0", NULL, "t0", "t1", NULL);
	struct kfk_asg_member *c1 = add_member(&p, "C1", NULL, "t0", "t1", NULL);
	struct problem q = { 0 };
	struct kfk_asg_member *q0, *q1, *q2;

	add_topic(&p, "t0", 3);
	add_topic(&p, "t1", 3);
	run(&p, "roundrobin");
	expect(c0, "t0-0 t0-2 t1-1");
	expect(c1, "t0-1 t1-0 t1-2");
	free_problem(&p);
	/* Unequal subscriptions (the same documentation's second example). */
	q2 = add_member(&q, "C2", NULL, "t0", "t1", "t2", NULL);
	q0 = add_member(&q, "C0", NULL, "t0", NULL);
	q1 = add_member(&q, "C1", NULL, "t0", "t1", NULL);
	add_topic(&q, "t0", 1);
	add_topic(&q, "t1", 2);
	add_topic(&q, "t2", 3);
	run(&q, "roundrobin");
	expect(q0, "t0-0");
	expect(q1, "t1-0");
	expect(q2, "t1-1 t2-0 t2-1 t2-2");
	free_problem(&q);
}

/* Every partition of topics[] assigned once, to a subscriber. */
static void check_complete(struct problem *p)
{
	int t, i, k, seen[16][2048];

	memset(seen, 0, sizeof(seen));
	for (i = 0; i < p->member_cnt; i++)
		for (k = 0; k < p->m[i].assigned.cnt; k++) {
			const struct kfk_asg_tp *tp = &p->m[i].assigned.v[k];

			for (t = 0; strcmp(p->topics[t].name, tp->topic); t++)
				;
			seen[t][tp->partition]++;
		}
	for (t = 0; t < p->topic_cnt; t++)
		for (k = 0; k < p->topics[t].partitions; k++)
			KT_ASSERT_MSG(seen[t][k] == 1, "%s-%d assigned %d times",
			              p->topics[t].name, k, seen[t][k]);
}

/* What a member received becomes what it owns, at generation gen. */
static void next_round(struct problem *p, int32_t gen)
{
	int i;

	for (i = 0; i < p->member_cnt; i++) {
		kfk_asg_tps_free(&p->m[i].owned);
		p->m[i].owned = p->m[i].assigned;
		memset(&p->m[i].assigned, 0, sizeof(p->m[i].assigned));
		p->m[i].generation = gen;
	}
}

KT_TEST(sticky_join_moves_only_what_balance_needs_in_two_rounds)
{
	struct problem p = { 0 };

	add_topic(&p, "t", 12);
	add_member(&p, "a", NULL, "t", NULL);
	add_member(&p, "b", NULL, "t", NULL);
	run(&p, "cooperative-sticky");
	check_complete(&p);
	KT_ASSERT_INT_EQ(p.m[0].assigned.cnt, 6);
	next_round(&p, 1);
	add_member(&p, "c", NULL, "t", NULL);
	run(&p, "cooperative-sticky");
	/* Round 1: a and b give up 2 each; c gets nothing yet, as those
	 * partitions are still owned. */
	KT_ASSERT_INT_EQ(p.m[0].assigned.cnt, 4);
	KT_ASSERT_INT_EQ(p.m[1].assigned.cnt, 4);
	KT_ASSERT_INT_EQ(p.m[2].assigned.cnt, 0);
	next_round(&p, 2);
	run(&p, "cooperative-sticky");
	check_complete(&p);
	KT_ASSERT_INT_EQ(p.m[2].assigned.cnt, 4);
	/* a and b kept exactly what they had after round 1. */
	KT_ASSERT_INT_EQ(p.m[0].assigned.cnt, 4);
	KT_ASSERT_INT_EQ(p.m[0].owned.cnt, 4);
	for (int k = 0; k < 4; k++)
		KT_ASSERT_INT_EQ(p.m[0].assigned.v[k].partition,
		                 p.m[0].owned.v[k].partition);
	free_problem(&p);
}

KT_TEST(sticky_claims_of_the_newest_generation_win)
{
	struct problem p = { 0 };
	struct kfk_asg_member *a, *b, *c;

	add_topic(&p, "t", 2);
	a = add_member(&p, "a", NULL, "t", NULL);
	b = add_member(&p, "b", NULL, "t", NULL);
	c = add_member(&p, "c", NULL, "t", NULL);
	/* a (generation 5) and b (generation 4) both claim t-0: a's wins;
	 * b (4) and c (5) both claim t-1: c's wins. */
	kfk_asg_tps_add(&a->owned, "t", 0);
	a->generation = 5;
	kfk_asg_tps_add(&b->owned, "t", 0);
	kfk_asg_tps_add(&b->owned, "t", 1);
	b->generation = 4;
	kfk_asg_tps_add(&c->owned, "t", 1);
	c->generation = 5;
	run(&p, "cooperative-sticky");
	expect(a, "t-0");
	expect(c, "t-1");
	expect(b, "");
	free_problem(&p);
	/* Two claims in one generation: a conflict, the partition counts
	 * as unowned and is not withheld from anyone. */
	memset(&p, 0, sizeof(p));
	add_topic(&p, "t", 1);
	a = add_member(&p, "a", NULL, "t", NULL);
	b = add_member(&p, "b", NULL, "t", NULL);
	kfk_asg_tps_add(&a->owned, "t", 0);
	kfk_asg_tps_add(&b->owned, "t", 0);
	a->generation = b->generation = 3;
	run(&p, "cooperative-sticky");
	expect(a, "t-0");
	expect(b, "");
	free_problem(&p);
}

KT_TEST(sticky_unequal_subscriptions_go_only_to_subscribers)
{
	struct problem p = { 0 };

	add_topic(&p, "x", 5);
	add_topic(&p, "y", 3);
	add_member(&p, "a", NULL, "x", NULL);
	add_member(&p, "b", NULL, "x", "y", NULL);
	add_member(&p, "c", NULL, "y", NULL);
	run(&p, "cooperative-sticky");
	check_complete(&p);
	for (int k = 0; k < p.m[0].assigned.cnt; k++)
		KT_ASSERT_STR_EQ(p.m[0].assigned.v[k].topic, "x");
	for (int k = 0; k < p.m[2].assigned.cnt; k++)
		KT_ASSERT_STR_EQ(p.m[2].assigned.v[k].topic, "y");
	/* 8 partitions over 3 members, all able to balance: 3, 3, 2. */
	KT_ASSERT(p.m[0].assigned.cnt >= 2 && p.m[0].assigned.cnt <= 3);
	KT_ASSERT(p.m[1].assigned.cnt >= 2 && p.m[1].assigned.cnt <= 3);
	KT_ASSERT(p.m[2].assigned.cnt >= 2 && p.m[2].assigned.cnt <= 3);
	free_problem(&p);
}

KT_TEST(sticky_balances_a_thousand_partitions_over_a_hundred_members)
{
	static struct problem p;
	char ids[101][8];
	int i, lo = 1 << 30, hi = 0;

	memset(&p, 0, sizeof(p));
	add_topic(&p, "big", 1000);
	for (i = 0; i < 100; i++) {
		snprintf(ids[i], sizeof(ids[i]), "m%03d", i);
		add_member(&p, ids[i], NULL, "big", NULL);
	}
	run(&p, "cooperative-sticky");
	check_complete(&p);
	for (i = 0; i < 100; i++) {
		lo = p.m[i].assigned.cnt < lo ? p.m[i].assigned.cnt : lo;
		hi = p.m[i].assigned.cnt > hi ? p.m[i].assigned.cnt : hi;
	}
	KT_ASSERT_INT_EQ(lo, 10);
	KT_ASSERT_INT_EQ(hi, 10);
	free_problem(&p);
}

/* ---- the ConsumerProtocol bytes ---------------------------------------- */

KT_TEST(subscription_round_trips_with_owned_partitions_and_rack)
{
	const char *topics[2] = { "b", "a" };
	struct kfk_asg_tps owned = { 0 };
	struct kfk_asg_subscription s;
	kfk_arena a;
	size_t len;
	uint8_t *buf;

	kfk_asg_tps_add(&owned, "b", 3);
	kfk_asg_tps_add(&owned, "a", 1);
	kfk_asg_tps_add(&owned, "b", 0);
	buf = kfk_asg_subscription_encode(kfk_assignor_find("cooperative-sticky"),
	                                  topics, 2, &owned, 7, "r1", &len);
	KT_ASSERT(buf != NULL);
	KT_ASSERT_INT_EQ(buf[0] << 8 | buf[1], 3); /* version 3 */
	kfk_arena_init(&a);
	KT_ASSERT_INT_EQ(kfk_asg_subscription_decode(buf, len, &a, &s), 0);
	KT_ASSERT_INT_EQ(s.topic_cnt, 2);
	KT_ASSERT_STR_EQ(s.topics[0], "b");
	KT_ASSERT_STR_EQ(s.topics[1], "a");
	KT_ASSERT_INT_EQ(s.generation, 7);
	KT_ASSERT_STR_EQ(s.rack, "r1");
	KT_ASSERT_INT_EQ(s.user_data_len, 4); /* the generation, as Java */
	KT_ASSERT_INT_EQ(s.owned.cnt, 3);
	KT_ASSERT_STR_EQ(s.owned.v[0].topic, "a"); /* grouped by topic */
	KT_ASSERT_INT_EQ(s.owned.v[0].partition, 1);
	KT_ASSERT_INT_EQ(s.owned.v[1].partition, 0);
	KT_ASSERT_INT_EQ(s.owned.v[2].partition, 3);
	/* Every truncation is refused, never read past. */
	for (size_t cut = 0; cut < len; cut++) {
		struct kfk_asg_subscription t;
		uint8_t *c = malloc(cut + 1);

		memcpy(c, buf, cut);
		KT_ASSERT_INT_EQ(kfk_asg_subscription_decode(c, cut, &a, &t),
		                 KFK_ERR__MALFORMED);
		kfk_asg_tps_free(&t.owned);
		free(c);
	}
	kfk_asg_tps_free(&s.owned);
	kfk_asg_tps_free(&owned);
	kfk_arena_destroy(&a);
	free(buf);
}

KT_TEST(version_0_subscription_takes_its_generation_from_user_data)
{
	/* version 0: topics ["t"], user data = int32 9 (cooperative-sticky) */
	static const uint8_t v0[] = {
		0, 0, 0, 0, 0, 1, 0, 1, 't', 0, 0, 0, 4, 0, 0, 0, 9
	};
	struct kfk_asg_subscription s;
	kfk_arena a;

	kfk_arena_init(&a);
	KT_ASSERT_INT_EQ(kfk_asg_subscription_decode(v0, sizeof(v0), &a, &s), 0);
	KT_ASSERT_INT_EQ(s.version, 0);
	KT_ASSERT_INT_EQ(s.topic_cnt, 1);
	KT_ASSERT_STR_EQ(s.topics[0], "t");
	KT_ASSERT_INT_EQ(s.generation, 9);
	KT_ASSERT_INT_EQ(s.owned.cnt, 0);
	kfk_arena_destroy(&a);
}

KT_TEST(assignment_round_trips_and_empty_is_nothing)
{
	struct kfk_asg_tps l = { 0 }, out;
	kfk_arena a;
	size_t len;
	uint8_t *buf;

	kfk_asg_tps_add(&l, "y", 2);
	kfk_asg_tps_add(&l, "x", 0);
	kfk_asg_tps_add(&l, "y", 1);
	buf = kfk_asg_assignment_encode(&l, &len);
	KT_ASSERT(buf != NULL);
	kfk_arena_init(&a);
	KT_ASSERT_INT_EQ(kfk_asg_assignment_decode(buf, len, &a, &out), 0);
	KT_ASSERT_INT_EQ(out.cnt, 3);
	KT_ASSERT_STR_EQ(out.v[0].topic, "x");
	KT_ASSERT_STR_EQ(out.v[1].topic, "y");
	KT_ASSERT_INT_EQ(out.v[1].partition, 1);
	KT_ASSERT_INT_EQ(out.v[2].partition, 2);
	kfk_asg_tps_free(&out);
	KT_ASSERT_INT_EQ(kfk_asg_assignment_decode(NULL, 0, &a, &out), 0);
	KT_ASSERT_INT_EQ(out.cnt, 0);
	KT_ASSERT_INT_EQ(kfk_asg_assignment_decode(buf, 3, &a, &out),
	                 KFK_ERR__MALFORMED);
	kfk_arena_destroy(&a);
	kfk_asg_tps_free(&l);
	free(buf);
}
