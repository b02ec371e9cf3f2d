/*
 * producer/reports: the delivery-report queue. Batches go in, one report
 * per record comes out (pulled into an array or served to a callback), the
 * eventfd is readable exactly while reports wait and wakes an epoll
 * waiter, waits are bounded, and many pushers against several pollers
 * lose or duplicate nothing. Every wait is bounded.
 */
#include "config.h"

#include <poll.h>
#include <stdio.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "../kt.h"
#include "producer/reports.h"

#define WAIT_MS 20000

/* A test batch: the report and the arrays it points into. */
struct tbatch {
	struct kfk_dr dr;
	void *opaques[8];
	int64_t ts[8];
	atomic_int *released;  /* counts releases */
	int heap;              /* free() on release */
};

static void tb_release(struct kfk_dr *dr, void *arg)
{
	struct tbatch *b = (struct tbatch *)dr;
	(void)arg;
	atomic_fetch_add(b->released, 1);
	if (b->heap)
		free(b);
}

static void tb_init(struct tbatch *b, atomic_int *released, int32_t count,
                    int64_t base)
{
	int i;

	memset(b, 0, sizeof(*b));
	b->released = released;
	b->dr.topic = "t";
	b->dr.partition = 2;
	b->dr.err = KFK_ERR_NONE;
	b->dr.base_offset = base;
	b->dr.log_append_time = -1;
	b->dr.first_timestamp = 1000;
	b->dr.count = count;
	for (i = 0; i < count && i < 8; i++) {
		b->opaques[i] = (void *)(intptr_t)(base * 100 + i + 1);
		b->ts[i] = 1000 + i;
	}
	b->dr.opaques = b->opaques;
	b->dr.timestamps = b->ts;
}

KT_TEST(take_expands_one_report_per_record)
{
	struct kfk_reports r;
	struct tbatch b;
	atomic_int rel = 0;
	kfk_delivery d[8];
	int i;

	KT_ASSERT_INT_EQ(kfk_reports_init(&r, tb_release, NULL), 0);
	tb_init(&b, &rel, 3, 40);
	kfk_reports_push(&r, &b.dr);
	KT_ASSERT_INT_EQ(kfk_reports_pending(&r), 3);
	KT_ASSERT_INT_EQ(kfk_reports_take(&r, d, 8, 0), 3);
	for (i = 0; i < 3; i++) {
		KT_ASSERT_INT_EQ(d[i].err, 0);
		KT_ASSERT_STR_EQ(d[i].topic, "t");
		KT_ASSERT_INT_EQ(d[i].partition, 2);
		KT_ASSERT_INT_EQ(d[i].offset, 40 + i);
		KT_ASSERT_INT_EQ(d[i].timestamp, 1000 + i);
		KT_ASSERT(d[i].opaque == (void *)(intptr_t)(4000 + i + 1));
	}
	KT_ASSERT_INT_EQ(atomic_load(&rel), 1);
	KT_ASSERT_INT_EQ(kfk_reports_pending(&r), 0);
	KT_ASSERT_INT_EQ(kfk_reports_take(&r, d, 8, 0), 0);
	kfk_reports_destroy(&r);
}

KT_TEST(unknown_offset_log_append_time_and_null_arrays)
{
	struct kfk_reports r;
	struct tbatch a, b;
	atomic_int rel = 0;
	kfk_delivery d[4];

	KT_ASSERT_INT_EQ(kfk_reports_init(&r, tb_release, NULL), 0);
	tb_init(&a, &rel, 2, -1);   /* acks=0 or an error: no offsets */
	a.dr.err = KFK_ERR__MSG_TIMED_OUT;
	a.dr.opaques = NULL;
	a.dr.timestamps = NULL;
	tb_init(&b, &rel, 2, 7);
	b.dr.log_append_time = 555;
	kfk_reports_push(&r, &a.dr);
	kfk_reports_push(&r, &b.dr);
	KT_ASSERT_INT_EQ(kfk_reports_take(&r, d, 4, 0), 4);
	KT_ASSERT_INT_EQ(d[0].err, KFK_ERR__MSG_TIMED_OUT);
	KT_ASSERT_INT_EQ(d[1].offset, -1);
	KT_ASSERT_INT_EQ(d[1].timestamp, 1000); /* first_timestamp */
	KT_ASSERT(d[1].opaque == NULL);
	KT_ASSERT_INT_EQ(d[2].offset, 7);
	KT_ASSERT_INT_EQ(d[3].offset, 8);
	KT_ASSERT_INT_EQ(d[3].timestamp, 555);
	KT_ASSERT_INT_EQ(atomic_load(&rel), 2);
	kfk_reports_destroy(&r);
}

KT_TEST(partial_take_keeps_the_rest)
{
	struct kfk_reports r;
	struct tbatch b;
	atomic_int rel = 0;
	kfk_delivery d[8];

	KT_ASSERT_INT_EQ(kfk_reports_init(&r, tb_release, NULL), 0);
	tb_init(&b, &rel, 5, 10);
	kfk_reports_push(&r, &b.dr);
	KT_ASSERT_INT_EQ(kfk_reports_take(&r, d, 2, 0), 2);
	KT_ASSERT_INT_EQ(d[1].offset, 11);
	KT_ASSERT_INT_EQ(atomic_load(&rel), 0);
	KT_ASSERT_INT_EQ(kfk_reports_pending(&r), 3);
	KT_ASSERT(kt_fd_readable(kfk_reports_fd(&r)));
	KT_ASSERT_INT_EQ(kfk_reports_take(&r, d, 2, 0), 2);
	KT_ASSERT_INT_EQ(d[0].offset, 12);
	KT_ASSERT_INT_EQ(kfk_reports_take(&r, d, 8, 0), 1);
	KT_ASSERT_INT_EQ(d[0].offset, 14);
	KT_ASSERT_INT_EQ(atomic_load(&rel), 1);
	KT_ASSERT(!kt_fd_readable(kfk_reports_fd(&r)));
	kfk_reports_destroy(&r);
}

/* ---- serving to a callback ---- */

struct served {
	int n;
	int64_t offsets[64];
	struct kfk_reports *r;  /* when set, the callback takes from it */
	int nested;
};

static void cb_record(kfk_producer *p, const kfk_delivery *d, void *opaque)
{
	struct served *s = opaque;
	kfk_delivery extra[4];

	(void)p;
	if (s->n < 64)
		s->offsets[s->n] = d->offset;
	s->n++;
	/* A callback may poll again: no lock is held. */
	if (s->r)
		s->nested += kfk_reports_take(s->r, extra, 4, 0);
}

KT_TEST(serve_calls_the_callback_per_record_in_order)
{
	struct kfk_reports r;
	struct tbatch a, b;
	atomic_int rel = 0;
	struct served s = { 0 };

	KT_ASSERT_INT_EQ(kfk_reports_init(&r, tb_release, NULL), 0);
	tb_init(&a, &rel, 3, 0);
	tb_init(&b, &rel, 2, 100);
	kfk_reports_push(&r, &a.dr);
	kfk_reports_push(&r, &b.dr);
	KT_ASSERT_INT_EQ(kfk_reports_serve(&r, cb_record, NULL, &s, 0, 0), 5);
	KT_ASSERT_INT_EQ(s.n, 5);
	KT_ASSERT_INT_EQ(s.offsets[0], 0);
	KT_ASSERT_INT_EQ(s.offsets[2], 2);
	KT_ASSERT_INT_EQ(s.offsets[3], 100);
	KT_ASSERT_INT_EQ(s.offsets[4], 101);
	KT_ASSERT_INT_EQ(atomic_load(&rel), 2);
	KT_ASSERT(!kt_fd_readable(kfk_reports_fd(&r)));
	kfk_reports_destroy(&r);
}

KT_TEST(serve_limits_batches_and_callback_may_poll)
{
	struct kfk_reports r;
	struct tbatch a, b, c;
	atomic_int rel = 0;
	struct served s = { 0 };

	KT_ASSERT_INT_EQ(kfk_reports_init(&r, tb_release, NULL), 0);
	tb_init(&a, &rel, 2, 0);
	tb_init(&b, &rel, 2, 10);
	tb_init(&c, &rel, 2, 20);
	kfk_reports_push(&r, &a.dr);
	kfk_reports_push(&r, &b.dr);
	kfk_reports_push(&r, &c.dr);
	s.r = &r;
	/* One batch: the callback runs twice and its own takes empty the
	 * next batch (2 records), leaving the third. */
	KT_ASSERT_INT_EQ(kfk_reports_serve(&r, cb_record, NULL, &s, 0, 1), 2);
	KT_ASSERT_INT_EQ(s.nested, 4);
	KT_ASSERT_INT_EQ(kfk_reports_pending(&r), 0);
	KT_ASSERT_INT_EQ(atomic_load(&rel), 3);
	kfk_reports_destroy(&r);
}

KT_TEST(partly_taken_report_is_served_from_where_it_stopped)
{
	struct kfk_reports r;
	struct tbatch a;
	atomic_int rel = 0;
	struct served s = { 0 };
	kfk_delivery d[1];

	KT_ASSERT_INT_EQ(kfk_reports_init(&r, tb_release, NULL), 0);
	tb_init(&a, &rel, 4, 50);
	kfk_reports_push(&r, &a.dr);
	KT_ASSERT_INT_EQ(kfk_reports_take(&r, d, 1, 0), 1);
	KT_ASSERT_INT_EQ(kfk_reports_serve(&r, cb_record, NULL, &s, 0, 0), 3);
	KT_ASSERT_INT_EQ(s.offsets[0], 51);
	KT_ASSERT_INT_EQ(s.offsets[2], 53);
	KT_ASSERT_INT_EQ(atomic_load(&rel), 1);
	kfk_reports_destroy(&r);
}

KT_TEST(destroy_releases_unserved_reports)
{
	struct kfk_reports r;
	struct tbatch a, b;
	atomic_int rel = 0;
	kfk_delivery d[1];

	KT_ASSERT_INT_EQ(kfk_reports_init(&r, tb_release, NULL), 0);
	tb_init(&a, &rel, 3, 0);
	tb_init(&b, &rel, 3, 0);
	kfk_reports_push(&r, &a.dr);
	kfk_reports_push(&r, &b.dr);
	KT_ASSERT_INT_EQ(kfk_reports_take(&r, d, 1, 0), 1);
	kfk_reports_destroy(&r);
	KT_ASSERT_INT_EQ(atomic_load(&rel), 2);
}

/* ---- the file descriptor and waits ---- */

KT_TEST(fd_readable_exactly_while_reports_wait)
{
	struct kfk_reports r;
	struct tbatch a, b;
	atomic_int rel = 0;
	kfk_delivery d[8];

	KT_ASSERT_INT_EQ(kfk_reports_init(&r, tb_release, NULL), 0);
	KT_ASSERT(!kt_fd_readable(kfk_reports_fd(&r)));
	tb_init(&a, &rel, 1, 0);
	tb_init(&b, &rel, 1, 1);
	kfk_reports_push(&r, &a.dr);
	KT_ASSERT(kt_fd_readable(kfk_reports_fd(&r)));
	kfk_reports_push(&r, &b.dr);
	KT_ASSERT_INT_EQ(kfk_reports_take(&r, d, 1, 0), 1);
	KT_ASSERT(kt_fd_readable(kfk_reports_fd(&r)));
	KT_ASSERT_INT_EQ(kfk_reports_take(&r, d, 1, 0), 1);
	KT_ASSERT(!kt_fd_readable(kfk_reports_fd(&r)));
	/* A kick makes it readable once; the next poll clears it. */
	kfk_reports_kick(&r);
	KT_ASSERT(kt_fd_readable(kfk_reports_fd(&r)));
	KT_ASSERT_INT_EQ(kfk_reports_take(&r, d, 1, 0), 0);
	KT_ASSERT(!kt_fd_readable(kfk_reports_fd(&r)));
	kfk_reports_destroy(&r);
}

/* The application polls after every produce: a poll that finds nothing
 * must cost no system call (it read the eventfd every time, once). */
KT_TEST(empty_polls_make_no_system_call)
{
	struct kfk_reports r;
	struct tbatch a;
	atomic_int rel = 0;
	kfk_delivery d[4];
	long before, after;
	int i;

	KT_ASSERT_INT_EQ(kfk_reports_init(&r, tb_release, NULL), 0);
	tb_init(&a, &rel, 1, 0);
	kfk_reports_push(&r, &a.dr);
	KT_ASSERT_INT_EQ(kfk_reports_take(&r, d, 4, 0), 1);
	if ((before = kt_read_syscalls()) < 0)
		kt_skip("no /proc/self/io");
	for (i = 0; i < 10000; i++) {
		KT_ASSERT_INT_EQ(kfk_reports_take(&r, d, 4, 0), 0);
		KT_ASSERT_INT_EQ(kfk_reports_serve(&r, cb_record, NULL, NULL, 0,
		                                   0), 0);
	}
	after = kt_read_syscalls();
	kt_log("%ld read() calls for 20,000 empty polls", after - before);
	/* fopen/fgets of /proc/self/io itself reads a few times. */
	KT_ASSERT(after - before < 10);
	KT_ASSERT(!kt_fd_readable(kfk_reports_fd(&r)));
	kfk_reports_destroy(&r);
}

struct pusher_arg {
	struct kfk_reports *r;
	struct tbatch *b;
	int delay_ms;
};

static void *delayed_push(void *arg)
{
	struct pusher_arg *pa = arg;
	struct timespec ts = { 0, (long)pa->delay_ms * 1000000L };

	nanosleep(&ts, NULL); /* lets the other side block first */
	kfk_reports_push(pa->r, &pa->b->dr);
	return NULL;
}

KT_TEST(fd_wakes_an_epoll_waiter)
{
	struct kfk_reports r;
	struct tbatch b;
	atomic_int rel = 0;
	struct pusher_arg pa = { &r, &b, 30 };
	struct epoll_event ev = { .events = EPOLLIN }, got;
	pthread_t th;
	kfk_delivery d[1];
	int ep, n;
	int64_t t0;

	KT_ASSERT_INT_EQ(kfk_reports_init(&r, tb_release, NULL), 0);
	tb_init(&b, &rel, 1, 9);
	ep = epoll_create1(EPOLL_CLOEXEC);
	KT_ASSERT(ep >= 0);
	KT_ASSERT_INT_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, kfk_reports_fd(&r), &ev), 0);
	KT_ASSERT_INT_EQ(epoll_wait(ep, &got, 1, 0), 0);
	t0 = kt_now_ms();
	KT_ASSERT_INT_EQ(pthread_create(&th, NULL, delayed_push, &pa), 0);
	n = epoll_wait(ep, &got, 1, WAIT_MS);
	KT_ASSERT_INT_EQ(n, 1);
	KT_ASSERT(got.events & EPOLLIN);
	KT_ASSERT_MSG(kt_now_ms() - t0 < WAIT_MS, "woken by the push, not the limit");
	pthread_join(th, NULL);
	KT_ASSERT_INT_EQ(kfk_reports_take(&r, d, 1, 0), 1);
	KT_ASSERT_INT_EQ(d[0].offset, 9);
	KT_ASSERT_INT_EQ(epoll_wait(ep, &got, 1, 0), 0);
	close(ep);
	kfk_reports_destroy(&r);
}

KT_TEST(take_waits_for_a_push_from_another_thread)
{
	struct kfk_reports r;
	struct tbatch b;
	atomic_int rel = 0;
	struct pusher_arg pa = { &r, &b, 20 };
	pthread_t th;
	kfk_delivery d[2];

	KT_ASSERT_INT_EQ(kfk_reports_init(&r, tb_release, NULL), 0);
	tb_init(&b, &rel, 2, 3);
	KT_ASSERT_INT_EQ(pthread_create(&th, NULL, delayed_push, &pa), 0);
	KT_ASSERT_INT_EQ(kfk_reports_take(&r, d, 2, WAIT_MS), 2);
	KT_ASSERT_INT_EQ(d[1].offset, 4);
	pthread_join(th, NULL);
	kfk_reports_destroy(&r);
}

KT_TEST(take_times_out_when_nothing_comes)
{
	struct kfk_reports r;
	kfk_delivery d[1];
	int64_t t0, dt;

	KT_ASSERT_INT_EQ(kfk_reports_init(&r, tb_release, NULL), 0);
	t0 = kt_now_ms();
	KT_ASSERT_INT_EQ(kfk_reports_take(&r, d, 1, 50), 0);
	dt = kt_now_ms() - t0;
	KT_ASSERT_MSG(dt >= 49 && dt < 5000, "waited %lld ms", (long long)dt);
	kfk_reports_destroy(&r);
}

static void *delayed_kick(void *arg)
{
	struct kfk_reports *r = arg;
	struct timespec ts = { 0, 20 * 1000000L };

	nanosleep(&ts, NULL);
	kfk_reports_kick(r);
	return NULL;
}

KT_TEST(kick_ends_a_wait_early)
{
	struct kfk_reports r;
	pthread_t th;
	kfk_delivery d[1];
	int64_t t0;

	KT_ASSERT_INT_EQ(kfk_reports_init(&r, tb_release, NULL), 0);
	t0 = kt_now_ms();
	KT_ASSERT_INT_EQ(pthread_create(&th, NULL, delayed_kick, &r), 0);
	KT_ASSERT_INT_EQ(kfk_reports_take(&r, d, 1, WAIT_MS), 0);
	KT_ASSERT(kt_now_ms() - t0 < WAIT_MS);
	pthread_join(th, NULL);
	KT_ASSERT(!kt_fd_readable(kfk_reports_fd(&r)));
	kfk_reports_destroy(&r);
}

static bool flag_set(void *arg)
{
	return atomic_load((atomic_int *)arg) != 0;
}

KT_TEST(wait_checks_the_condition)
{
	struct kfk_reports r;
	atomic_int flag = 1;

	KT_ASSERT_INT_EQ(kfk_reports_init(&r, tb_release, NULL), 0);
	KT_ASSERT(kfk_reports_wait(&r, WAIT_MS, flag_set, &flag));
	atomic_store(&flag, 0);
	KT_ASSERT(!kfk_reports_wait(&r, 10, flag_set, &flag));
	kfk_reports_destroy(&r);
}

/* ---- many pushers, several pollers ---- */

#define PUSHERS 4
#define PER_PUSHER 5000
#define RECS 3

struct stress {
	struct kfk_reports r;
	atomic_int rel;
	atomic_int seen[PUSHERS][PER_PUSHER * RECS];
	atomic_long total;
	atomic_int pushers_done;
};

static void *stress_push(void *arg)
{
	struct stress *st = ((void **)arg)[0];
	int id = (int)(intptr_t)((void **)arg)[1], i;

	for (i = 0; i < PER_PUSHER; i++) {
		struct tbatch *b = malloc(sizeof(*b));
		tb_init(b, &st->rel, RECS, (int64_t)i * RECS);
		b->heap = 1;
		b->dr.partition = id;
		kfk_reports_push(&st->r, &b->dr);
	}
	atomic_fetch_add(&st->pushers_done, 1);
	return NULL;
}

static void stress_cb(kfk_producer *p, const kfk_delivery *d, void *opaque)
{
	struct stress *st = opaque;
	(void)p;
	atomic_fetch_add(&st->seen[d->partition][d->offset], 1);
	atomic_fetch_add(&st->total, 1);
}

static void *stress_poll(void *arg)
{
	struct stress *st = arg;
	int64_t deadline = kt_now_ms() + WAIT_MS;
	kfk_delivery d[7];
	int i, n;

	while (atomic_load(&st->total) < PUSHERS * PER_PUSHER * RECS &&
	       kt_now_ms() < deadline) {
		/* Alternate both consumer paths. */
		n = kfk_reports_take(&st->r, d, 7, 5);
		for (i = 0; i < n; i++)
			stress_cb(NULL, &d[i], st);
		kfk_reports_serve(&st->r, stress_cb, NULL, st, 5, 3);
	}
	return NULL;
}

KT_TEST(many_pushers_two_pollers_each_record_once)
{
	struct stress *st = calloc(1, sizeof(*st));
	pthread_t push[PUSHERS], pollers[2];
	void *args[PUSHERS][2];
	int i, j, bad = 0;

	KT_ASSERT(st != NULL);
	KT_ASSERT_INT_EQ(kfk_reports_init(&st->r, tb_release, NULL), 0);
	for (i = 0; i < 2; i++)
		pthread_create(&pollers[i], NULL, stress_poll, st);
	for (i = 0; i < PUSHERS; i++) {
		args[i][0] = st;
		args[i][1] = (void *)(intptr_t)i;
		pthread_create(&push[i], NULL, stress_push, args[i]);
	}
	for (i = 0; i < PUSHERS; i++)
		pthread_join(push[i], NULL);
	for (i = 0; i < 2; i++)
		pthread_join(pollers[i], NULL);
	KT_ASSERT_INT_EQ(atomic_load(&st->total), PUSHERS * PER_PUSHER * RECS);
	for (i = 0; i < PUSHERS; i++)
		for (j = 0; j < PER_PUSHER * RECS; j++)
			bad += atomic_load(&st->seen[i][j]) != 1;
	KT_ASSERT_INT_EQ(bad, 0);
	KT_ASSERT_INT_EQ(atomic_load(&st->rel), PUSHERS * PER_PUSHER);
	KT_ASSERT_INT_EQ(kfk_reports_pending(&st->r), 0);
	KT_ASSERT(!kt_fd_readable(kfk_reports_fd(&st->r)));
	kfk_reports_destroy(&st->r);
	free(st);
}
