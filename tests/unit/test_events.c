/*
 * test_events: the event queue towards the application (client/events.h)
 * on its own, with events of a test type that carry numbered items:
 * take expands events into items across calls, serve hands out whole
 * events, the fd is readable exactly while items wait, an empty poll
 * takes no lock and makes no system call, waits end on a push, a kick,
 * done() or their timeout, destroy releases what is left, and many
 * pushers on many threads lose and repeat nothing.
 */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "../kt.h"
#include "client/events.h"

/* A test event: items id * 1000 + i, i in [0, items). */
struct tev {
	struct kfk_ev ev;
	int id;
	int heap;
	atomic_int *released;
};

static void tev_release(struct kfk_ev *ev, void *arg)
{
	struct tev *t = (struct tev *)(void *)ev;

	(void)arg;
	atomic_fetch_add(t->released, 1);
	if (t->heap)
		free(t);
}

/* Pushes t; heap: t was malloc'd and its release frees it. */
static void tev_push_h(struct kfk_evq *q, struct tev *t, int id, int items,
                       atomic_int *released, int heap)
{
	t->ev.type = KFK_EV_DELIVERY;
	t->id = id;
	t->heap = heap;
	t->released = released;
	kfk_evq_push(q, &t->ev, items);
}

static void tev_push(struct kfk_evq *q, struct tev *t, int id, int items,
                     atomic_int *released)
{
	tev_push_h(q, t, id, items, released, 0);
}

/* take's copy: item numbers into an int array. */
static void copy_ids(void *arg, const struct kfk_ev *ev, int32_t first,
                     int n, int out)
{
	const struct tev *t = (const struct tev *)(const void *)ev;
	int *dst = (int *)arg + out, i;

	for (i = 0; i < n; i++)
		dst[i] = t->id * 1000 + first + i;
}

static struct kfk_evq *evq_new(void)
{
	struct kfk_evq *q = malloc(sizeof(*q));

	KT_ASSERT(q != NULL);
	KT_ASSERT_INT_EQ(kfk_evq_init(q, tev_release, NULL), 0);
	return q;
}

static void evq_free(struct kfk_evq *q)
{
	kfk_evq_destroy(q);
	free(q);
}

KT_TEST(events_take_expands_items_in_order_across_calls)
{
	struct kfk_evq *q = evq_new();
	struct tev a, b;
	atomic_int rel = 0;
	int out[8];

	tev_push(q, &a, 1, 3, &rel);
	tev_push(q, &b, 2, 2, &rel);
	KT_ASSERT_INT_EQ(kfk_evq_pending(q), 5);
	KT_ASSERT_INT_EQ(kfk_evq_take(q, 2, 0, copy_ids, out), 2);
	KT_ASSERT(out[0] == 1000 && out[1] == 1001);
	KT_ASSERT_INT_EQ(atomic_load(&rel), 0); /* a is partly taken */
	KT_ASSERT_INT_EQ(kfk_evq_take(q, 8, 0, copy_ids, out), 3);
	KT_ASSERT(out[0] == 1002 && out[1] == 2000 && out[2] == 2001);
	KT_ASSERT_INT_EQ(atomic_load(&rel), 2);
	KT_ASSERT_INT_EQ(kfk_evq_pending(q), 0);
	evq_free(q);
}

struct served {
	int events, first[4], items[4];
};

static void serve_rec(void *arg, struct kfk_ev *ev, int32_t first)
{
	struct served *s = arg;

	s->first[s->events] = first;
	s->items[s->events++] = ev->items;
}

/* serve hands out the rest of each event, and at most max_events. */
KT_TEST(events_serve_whole_events_up_to_a_limit)
{
	struct kfk_evq *q = evq_new();
	struct tev a, b, c;
	struct served s = {0};
	atomic_int rel = 0;
	int out[1];

	tev_push(q, &a, 1, 3, &rel);
	tev_push(q, &b, 2, 4, &rel);
	tev_push(q, &c, 3, 1, &rel);
	KT_ASSERT_INT_EQ(kfk_evq_take(q, 1, 0, copy_ids, out), 1);
	KT_ASSERT_INT_EQ(kfk_evq_serve(q, 0, 2, serve_rec, &s), 2 + 4);
	KT_ASSERT_INT_EQ(s.events, 2);
	KT_ASSERT(s.first[0] == 1 && s.items[0] == 3 && s.first[1] == 0);
	KT_ASSERT_INT_EQ(atomic_load(&rel), 2);
	KT_ASSERT_INT_EQ(kfk_evq_serve(q, 0, 0, serve_rec, &s), 1);
	KT_ASSERT_INT_EQ(atomic_load(&rel), 3);
	evq_free(q);
}

KT_TEST(events_fd_readable_exactly_while_items_wait)
{
	struct kfk_evq *q = evq_new();
	struct tev a;
	atomic_int rel = 0;
	int out[4];

	KT_ASSERT(!kt_fd_readable(kfk_evq_fd(q)));
	tev_push(q, &a, 1, 2, &rel);
	KT_ASSERT(kt_fd_readable(kfk_evq_fd(q)));
	KT_ASSERT_INT_EQ(kfk_evq_take(q, 1, 0, copy_ids, out), 1);
	KT_ASSERT(kt_fd_readable(kfk_evq_fd(q)));
	KT_ASSERT_INT_EQ(kfk_evq_take(q, 4, 0, copy_ids, out), 1);
	KT_ASSERT(!kt_fd_readable(kfk_evq_fd(q)));
	kfk_evq_kick(q); /* readable once, for an event loop to notice */
	KT_ASSERT(kt_fd_readable(kfk_evq_fd(q)));
	KT_ASSERT_INT_EQ(kfk_evq_take(q, 4, 0, copy_ids, out), 0);
	KT_ASSERT(!kt_fd_readable(kfk_evq_fd(q)));
	evq_free(q);
}

/* Polls with no wait on an empty queue, on a thread of its own. */
static void *empty_polls(void *arg)
{
	struct kfk_evq *q = arg;
	struct served s = {0};
	int out[1], i, n = 0;

	for (i = 0; i < 10000; i++)
		n += kfk_evq_take(q, 1, 0, copy_ids, out) +
		     kfk_evq_serve(q, 0, 0, serve_rec, &s);
	return (void *)(intptr_t)n;
}

/* An application polls after every call: finding nothing must cost no
 * system call and no lock. The lock is held meanwhile by this thread, so
 * a poll that took it would never end. */
KT_TEST(events_empty_poll_takes_no_lock_and_no_system_call)
{
	struct kfk_evq *q = evq_new();
	struct tev a;
	atomic_int rel = 0;
	struct timespec dl;
	pthread_t t;
	void *n = NULL;
	long before, after;
	int out[1], rc;

	tev_push(q, &a, 1, 1, &rel); /* the fd has been used once */
	KT_ASSERT_INT_EQ(kfk_evq_take(q, 1, 0, copy_ids, out), 1);
	if ((before = kt_read_syscalls()) < 0)
		kt_skip("no /proc/self/io");
	pthread_mutex_lock(&q->lock);
	pthread_create(&t, NULL, empty_polls, q);
	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += 30;
	rc = pthread_timedjoin_np(t, &n, &dl);
	pthread_mutex_unlock(&q->lock);
	if (rc)
		pthread_join(t, &n);
	KT_ASSERT_MSG(rc == 0, "an empty poll waited for the lock");
	KT_ASSERT_INT_EQ((int)(intptr_t)n, 0);
	after = kt_read_syscalls();
	kt_log("%ld read() calls for 20,000 empty polls", after - before);
	KT_ASSERT(after - before < 10);
	evq_free(q);
}

struct delayed {
	struct kfk_evq *q;
	struct tev *t;
	atomic_int *rel;
	int kick;
};

static void *push_later(void *arg)
{
	struct delayed *d = arg;
	struct timespec ts = {0, 50 * 1000000L};

	nanosleep(&ts, NULL); /* lets the waiter block first */
	if (d->kick)
		kfk_evq_kick(d->q);
	else
		tev_push(d->q, d->t, 7, 1, d->rel);
	return NULL;
}

static void wait_ended_by(int kick)
{
	struct kfk_evq *q = evq_new();
	struct tev a;
	atomic_int rel = 0;
	struct delayed d = {q, &a, &rel, kick};
	pthread_t t;
	int64_t t0 = kt_now_ms();
	int out[1];

	pthread_create(&t, NULL, push_later, &d);
	KT_ASSERT_INT_EQ(kfk_evq_take(q, 1, 30000, copy_ids, out), kick ? 0 : 1);
	KT_ASSERT(kt_now_ms() - t0 < 20000);
	pthread_join(t, NULL);
	if (!kick)
		KT_ASSERT_INT_EQ(out[0], 7000);
	evq_free(q);
}

KT_TEST(events_wait_ends_on_a_push_from_another_thread)
{
	wait_ended_by(0);
}

KT_TEST(events_wait_ends_on_a_kick)
{
	wait_ended_by(1);
}

static bool never(void *arg)
{
	(void)arg;
	return false;
}

static bool flag_set(void *arg)
{
	return atomic_load((atomic_int *)arg) != 0;
}

KT_TEST(events_wait_times_out_and_checks_done)
{
	struct kfk_evq *q = evq_new();
	atomic_int flag = 0;
	int64_t t0 = kt_now_ms();
	int out[1];

	KT_ASSERT_INT_EQ(kfk_evq_take(q, 1, 100, copy_ids, out), 0);
	KT_ASSERT(kt_now_ms() - t0 >= 100);
	t0 = kt_now_ms();
	KT_ASSERT(!kfk_evq_wait(q, 100, never, NULL));
	KT_ASSERT(kt_now_ms() - t0 >= 100);
	atomic_store(&flag, 1);
	KT_ASSERT(kfk_evq_wait(q, -1, flag_set, &flag));
	evq_free(q);
}

KT_TEST(events_destroy_releases_pending_events_once)
{
	struct kfk_evq *q = evq_new();
	struct tev a, b, *c = malloc(sizeof(*c));
	atomic_int rel = 0;
	int out[1];

	KT_ASSERT(c != NULL);
	tev_push(q, &a, 1, 2, &rel);
	tev_push(q, &b, 2, 1, &rel);
	/* freed by its release: ASan checks it happens once */
	tev_push_h(q, c, 3, 5, &rel, 1);
	KT_ASSERT_INT_EQ(kfk_evq_take(q, 1, 0, copy_ids, out), 1);
	kfk_evq_destroy(q);
	KT_ASSERT_INT_EQ(atomic_load(&rel), 3);
	free(q);
}

/* Several threads push, two take: every item arrives exactly once. */
#define PUSHERS 4
#define PER_PUSHER 2000
#define ITEMS 3

struct stress {
	struct kfk_evq *q;
	atomic_int rel, total;
	atomic_int seen[PUSHERS][PER_PUSHER * ITEMS];
};

struct pusher {
	struct stress *st;
	int id;
};

static void *stress_push(void *arg)
{
	struct pusher *pu = arg;
	int i;

	for (i = 0; i < PER_PUSHER; i++) {
		struct tev *t = malloc(sizeof(*t));
		if (!t)
			abort();
		tev_push_h(pu->st->q, t, pu->id * PER_PUSHER + i, ITEMS,
		           &pu->st->rel, 1);
	}
	return NULL;
}

static void count_item(struct stress *st, int v)
{
	int id = v / 1000, k = v % 1000;

	atomic_fetch_add(&st->seen[id / PER_PUSHER][(id % PER_PUSHER) * ITEMS + k],
	                 1);
	atomic_fetch_add(&st->total, 1);
}

static void serve_count(void *arg, struct kfk_ev *ev, int32_t first)
{
	int i;

	for (i = first; i < ev->items; i++)
		count_item(arg, ((struct tev *)(void *)ev)->id * 1000 + i);
}

/* Alternates both ways out until every item arrived (or a deadline). */
static void *stress_poll(void *arg)
{
	struct stress *st = arg;
	int64_t deadline = kt_now_ms() + 60000;
	int out[7], i, n;

	while (atomic_load(&st->total) < PUSHERS * PER_PUSHER * ITEMS &&
	       kt_now_ms() < deadline) {
		n = kfk_evq_take(st->q, 7, 5, copy_ids, out);
		for (i = 0; i < n; i++)
			count_item(st, out[i]);
		kfk_evq_serve(st->q, 5, 3, serve_count, st);
	}
	return NULL;
}

KT_TEST(events_many_pushers_two_pollers_each_item_once)
{
	struct stress *st = calloc(1, sizeof(*st));
	struct pusher pu[PUSHERS];
	pthread_t push[PUSHERS], poll[2];
	int i, j, bad = 0;

	KT_ASSERT(st != NULL);
	st->q = evq_new();
	for (i = 0; i < 2; i++)
		pthread_create(&poll[i], NULL, stress_poll, st);
	for (i = 0; i < PUSHERS; i++) {
		pu[i].st = st;
		pu[i].id = i;
		pthread_create(&push[i], NULL, stress_push, &pu[i]);
	}
	for (i = 0; i < PUSHERS; i++)
		pthread_join(push[i], NULL);
	for (i = 0; i < 2; i++)
		pthread_join(poll[i], NULL);
	KT_ASSERT_INT_EQ(atomic_load(&st->total), PUSHERS * PER_PUSHER * ITEMS);
	for (i = 0; i < PUSHERS; i++)
		for (j = 0; j < PER_PUSHER * ITEMS; j++)
			bad += atomic_load(&st->seen[i][j]) != 1;
	KT_ASSERT_INT_EQ(bad, 0);
	KT_ASSERT_INT_EQ(atomic_load(&st->rel), PUSHERS * PER_PUSHER);
	KT_ASSERT_INT_EQ(kfk_evq_pending(st->q), 0);
	KT_ASSERT(!kt_fd_readable(kfk_evq_fd(st->q)));
	evq_free(st->q);
	free(st);
}
