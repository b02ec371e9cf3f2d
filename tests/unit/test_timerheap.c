/* util/timerheap: order, cancel, re-arm, ties, and a random model check. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "../kt.h"
#include "util/timerheap.h"

static void no_cb(struct kfk_timer *t, void *opaque)
{
}

/* Checks the heap property and every timer's index. */
static void check_heap(const struct kfk_timerheap *h)
{
	size_t i;

	for (i = 0; i < h->n; i++) {
		const struct kfk_timer *t = h->v[i];

		KT_ASSERT_INT_EQ(t->index, i);
		if (i > 0) {
			const struct kfk_timer *p = h->v[(i - 1) / 2];

			KT_ASSERT(p->deadline < t->deadline ||
			          (p->deadline == t->deadline && p->seq < t->seq));
		}
	}
}

static void init_timers(struct kfk_timer *t, int n)
{
	int i;

	for (i = 0; i < n; i++)
		kfk_timer_init(&t[i], no_cb, &t[i]);
}

KT_TEST(empty_heap)
{
	struct kfk_timerheap h;

	kfk_timerheap_init(&h);
	KT_ASSERT_INT_EQ(kfk_timerheap_count(&h), 0);
	KT_ASSERT(kfk_timerheap_next(&h) == INT64_MAX);
	KT_ASSERT(kfk_timerheap_pop_expired(&h, INT64_MAX) == NULL);
	kfk_timerheap_destroy(&h);
}

KT_TEST(pops_in_deadline_order)
{
	static const int64_t dl[8] = { 50, 10, 80, 30, 20, 70, 60, 40 };
	static const int order[8] = { 1, 4, 3, 7, 0, 6, 5, 2 };
	struct kfk_timerheap h;
	struct kfk_timer t[8];
	int i;

	kfk_timerheap_init(&h);
	init_timers(t, 8);
	for (i = 0; i < 8; i++)
		KT_ASSERT_INT_EQ(kfk_timerheap_add(&h, &t[i], dl[i]), KFK_ERR_NONE);
	check_heap(&h);
	KT_ASSERT_INT_EQ(kfk_timerheap_next(&h), 10);
	/* Nothing is due before the first deadline. */
	KT_ASSERT(kfk_timerheap_pop_expired(&h, 9) == NULL);
	for (i = 0; i < 8; i++) {
		struct kfk_timer *got = kfk_timerheap_pop_expired(&h, 1000);

		KT_ASSERT(got == &t[order[i]]);
		KT_ASSERT(!kfk_timer_armed(got));
		check_heap(&h);
	}
	KT_ASSERT(kfk_timerheap_pop_expired(&h, 1000) == NULL);
	kfk_timerheap_destroy(&h);
}

KT_TEST(pop_expired_stops_at_now)
{
	struct kfk_timerheap h;
	struct kfk_timer t[3];

	kfk_timerheap_init(&h);
	init_timers(t, 3);
	kfk_timerheap_add(&h, &t[0], 100);
	kfk_timerheap_add(&h, &t[1], 200);
	kfk_timerheap_add(&h, &t[2], 300);
	KT_ASSERT(kfk_timerheap_pop_expired(&h, 200) == &t[0]);
	KT_ASSERT(kfk_timerheap_pop_expired(&h, 200) == &t[1]);
	KT_ASSERT(kfk_timerheap_pop_expired(&h, 200) == NULL);
	KT_ASSERT_INT_EQ(kfk_timerheap_next(&h), 300);
	kfk_timerheap_destroy(&h);
	KT_ASSERT(!kfk_timer_armed(&t[2]));
}

KT_TEST(add_armed_timer_is_refused)
{
	struct kfk_timerheap h;
	struct kfk_timer t;

	kfk_timerheap_init(&h);
	init_timers(&t, 1);
	KT_ASSERT_INT_EQ(kfk_timerheap_add(&h, &t, 5), KFK_ERR_NONE);
	KT_ASSERT_INT_EQ(kfk_timerheap_add(&h, &t, 6), KFK_ERR__STATE);
	KT_ASSERT_INT_EQ(t.deadline, 5);
	KT_ASSERT_INT_EQ(kfk_timerheap_count(&h), 1);
	kfk_timerheap_destroy(&h);
}

KT_TEST(cancel_in_the_middle)
{
	struct kfk_timerheap h;
	struct kfk_timer t[7];
	int i;

	kfk_timerheap_init(&h);
	init_timers(t, 7);
	for (i = 0; i < 7; i++)
		kfk_timerheap_add(&h, &t[i], (i + 1) * 10);
	/* t[3] sits in the middle of the array (slot 3, a leaf's parent). */
	KT_ASSERT_INT_EQ(t[3].index, 3);
	KT_ASSERT_INT_EQ(kfk_timerheap_cancel(&h, &t[3]), 1);
	KT_ASSERT_INT_EQ(kfk_timerheap_cancel(&h, &t[3]), 0);
	KT_ASSERT(!kfk_timer_armed(&t[3]));
	check_heap(&h);
	KT_ASSERT_INT_EQ(kfk_timerheap_cancel(&h, &t[0]), 1);
	check_heap(&h);
	KT_ASSERT_INT_EQ(kfk_timerheap_count(&h), 5);
	KT_ASSERT(kfk_timerheap_pop_expired(&h, 100) == &t[1]);
	KT_ASSERT(kfk_timerheap_pop_expired(&h, 100) == &t[2]);
	KT_ASSERT(kfk_timerheap_pop_expired(&h, 100) == &t[4]);
	KT_ASSERT(kfk_timerheap_pop_expired(&h, 100) == &t[5]);
	KT_ASSERT(kfk_timerheap_pop_expired(&h, 100) == &t[6]);
	KT_ASSERT(kfk_timerheap_pop_expired(&h, 100) == NULL);
	kfk_timerheap_destroy(&h);
}

/* A cancel whose replacement (the last slot) must move up, not down. */
KT_TEST(cancel_moves_replacement_up)
{
	static const int64_t dl[7] = { 1, 100, 2, 101, 102, 3, 4 };
	struct kfk_timerheap h;
	struct kfk_timer t[7];
	int i;

	kfk_timerheap_init(&h);
	init_timers(t, 7);
	for (i = 0; i < 7; i++)
		kfk_timerheap_add(&h, &t[i], dl[i]);
	check_heap(&h);
	/* Cancel t[3] (under t[1]=100): t[6]=4 replaces it and must rise. */
	KT_ASSERT_INT_EQ(t[3].index, 3);
	kfk_timerheap_cancel(&h, &t[3]);
	check_heap(&h);
	KT_ASSERT_INT_EQ(t[6].index, 1);
	kfk_timerheap_destroy(&h);
}

KT_TEST(rearm_moves_both_ways)
{
	struct kfk_timerheap h;
	struct kfk_timer t[4];
	int i;

	kfk_timerheap_init(&h);
	init_timers(t, 4);
	for (i = 0; i < 4; i++)
		kfk_timerheap_add(&h, &t[i], (i + 1) * 10);
	KT_ASSERT_INT_EQ(kfk_timerheap_rearm(&h, &t[0], 35), KFK_ERR_NONE);
	check_heap(&h);
	KT_ASSERT_INT_EQ(kfk_timerheap_rearm(&h, &t[3], 5), KFK_ERR_NONE);
	check_heap(&h);
	KT_ASSERT_INT_EQ(kfk_timerheap_count(&h), 4);
	KT_ASSERT(kfk_timerheap_pop_expired(&h, 100) == &t[3]);
	KT_ASSERT(kfk_timerheap_pop_expired(&h, 100) == &t[1]);
	KT_ASSERT(kfk_timerheap_pop_expired(&h, 100) == &t[2]);
	KT_ASSERT(kfk_timerheap_pop_expired(&h, 100) == &t[0]);
	/* Re-arming an idle timer adds it. */
	KT_ASSERT_INT_EQ(kfk_timerheap_rearm(&h, &t[2], 7), KFK_ERR_NONE);
	KT_ASSERT_INT_EQ(kfk_timerheap_next(&h), 7);
	KT_ASSERT(kfk_timerheap_pop_expired(&h, 7) == &t[2]);
	kfk_timerheap_destroy(&h);
}

/* Equal deadlines fire in arming order; a re-armed timer goes last. */
KT_TEST(equal_deadlines_fire_in_arming_order)
{
	enum { N = 100 };
	struct kfk_timerheap h;
	struct kfk_timer t[N];
	int i;

	kfk_timerheap_init(&h);
	init_timers(t, N);
	for (i = 0; i < N; i++)
		kfk_timerheap_add(&h, &t[i], 42);
	kfk_timerheap_rearm(&h, &t[0], 42);
	check_heap(&h);
	for (i = 1; i < N; i++)
		KT_ASSERT(kfk_timerheap_pop_expired(&h, 42) == &t[i]);
	KT_ASSERT(kfk_timerheap_pop_expired(&h, 42) == &t[0]);
	KT_ASSERT_INT_EQ(kfk_timerheap_count(&h), 0);
	kfk_timerheap_destroy(&h);
}

/* The reference model: an array scanned for the minimum. */
struct model {
	int armed;
	int64_t deadline;
	uint64_t seq;
};

static int model_min(const struct model *m, int n, int64_t now)
{
	int i, best = -1;

	for (i = 0; i < n; i++) {
		if (!m[i].armed || m[i].deadline > now)
			continue;
		if (best < 0 || m[i].deadline < m[best].deadline ||
		    (m[i].deadline == m[best].deadline && m[i].seq < m[best].seq))
			best = i;
	}
	return best;
}

static int64_t model_next(const struct model *m, int n)
{
	int i = model_min(m, n, INT64_MAX);

	return i < 0 ? INT64_MAX : m[i].deadline;
}

/* One random operation on both; asserts they agree. */
static void random_op(struct kfk_timerheap *h, struct kfk_timer *t,
                      struct model *m, int n, uint64_t *seq)
{
	int i = rand() % n, op = rand() % 4, want;
	int64_t dl = rand() % 50;
	struct kfk_timer *got;

	if (op == 0 || op == 1) {  /* arm or re-arm */
		KT_ASSERT_INT_EQ(kfk_timerheap_rearm(h, &t[i], dl), KFK_ERR_NONE);
		m[i].armed = 1;
		m[i].deadline = dl;
		m[i].seq = (*seq)++;
	} else if (op == 2) {
		KT_ASSERT_INT_EQ(kfk_timerheap_cancel(h, &t[i]), m[i].armed);
		m[i].armed = 0;
	} else {
		want = model_min(m, n, dl);
		got = kfk_timerheap_pop_expired(h, dl);
		KT_ASSERT(got == (want < 0 ? NULL : &t[want]));
		if (want >= 0)
			m[want].armed = 0;
	}
	KT_ASSERT_INT_EQ(kfk_timerheap_next(h), model_next(m, n));
	KT_ASSERT(kfk_timer_armed(&t[i]) == m[i].armed);
}

KT_TEST(random_operations_match_model)
{
	enum { N = 64, OPS = 10000 };
	struct kfk_timerheap h;
	struct kfk_timer t[N];
	struct model m[N] = { { 0 } };
	uint64_t seq = 0;
	size_t armed = 0;
	int i;

	srand(12345);
	kfk_timerheap_init(&h);
	init_timers(t, N);
	for (i = 0; i < OPS; i++) {
		random_op(&h, t, m, N, &seq);
		check_heap(&h);
	}
	for (i = 0; i < N; i++)
		armed += (size_t)m[i].armed;
	KT_ASSERT_INT_EQ(kfk_timerheap_count(&h), armed);
	/* Drain: everything left comes out in model order. */
	while ((i = model_min(m, N, INT64_MAX)) >= 0) {
		KT_ASSERT(kfk_timerheap_pop_expired(&h, INT64_MAX) == &t[i]);
		m[i].armed = 0;
	}
	KT_ASSERT_INT_EQ(kfk_timerheap_count(&h), 0);
	kfk_timerheap_destroy(&h);
}
