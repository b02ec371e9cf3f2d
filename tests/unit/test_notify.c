/*
 * test_notify: change notifications (client/notify.h): the callback runs on
 * the subscriber's loop, only for the events it asked for, bursts are
 * merged into one call with their union, publishers on several threads
 * lose nothing, and unsubscribing stops the calls.
 */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

#include "../kt.h"
#include "client/notify.h"
#include "net/pool.h"

#define WAIT_MS 10000

struct seen {
	struct kfk_notify_sub sub;
	pthread_t loop_thread;  /* the thread the loop runs on */
	atomic_int have_thread; /* loop_thread is written (release) */
	atomic_int calls, wrong_thread;
	atomic_uint events;     /* union of what every call got */
	atomic_int blocked;     /* 1: the next call waits for release */
	atomic_int release;
};

static void on_event(void *arg, unsigned events)
{
	struct seen *s = arg;

	if (!pthread_equal(pthread_self(), s->loop_thread))
		atomic_fetch_add(&s->wrong_thread, 1);
	atomic_fetch_or(&s->events, events);
	if (atomic_exchange(&s->blocked, 0))
		while (!atomic_load(&s->release))
			; /* the test publishes meanwhile; bounded below */
	atomic_fetch_add(&s->calls, 1);
}

static void record_thread(void *arg)
{
	struct seen *s = arg;
	s->loop_thread = pthread_self();
	atomic_store_explicit(&s->have_thread, 1, memory_order_release);
}

/* A loop of the pool, its thread recorded (a barrier task). */
static void seen_init(struct seen *s, struct kfk_pool *pool, unsigned events)
{
	struct kfk_loop_task t = { .fn = record_thread, .arg = s };

	memset(s, 0, sizeof(*s));
	s->sub.events = events;
	s->sub.loop = kfk_pool_loop(pool, 0);
	s->sub.fn = on_event;
	s->sub.arg = s;
	kfk_loop_post_task(s->sub.loop, &t);
	for (int64_t end = kt_now_ms() + WAIT_MS;
	     !atomic_load_explicit(&s->have_thread, memory_order_acquire) &&
	     kt_now_ms() < end;)
		;
	KT_ASSERT(atomic_load_explicit(&s->have_thread, memory_order_acquire));
}

static bool wait_calls(struct seen *s, int want)
{
	int64_t end = kt_now_ms() + WAIT_MS;

	while (atomic_load(&s->calls) < want && kt_now_ms() < end)
		;
	return atomic_load(&s->calls) >= want;
}

KT_TEST(callback_runs_on_the_subscribers_loop_for_its_events_only)
{
	struct kfk_pool *pool = kfk_pool_new(2, "kt-notify", NULL);
	struct kfk_notifier n;
	struct seen md, br;

	KT_ASSERT(pool != NULL);
	kfk_notifier_init(&n);
	seen_init(&md, pool, KFK_NOTIFY_METADATA);
	seen_init(&br, pool, KFK_NOTIFY_BROKER_UP);
	kfk_notify_subscribe(&n, &md.sub);
	kfk_notify_subscribe(&n, &br.sub);
	kfk_notify_publish(&n, KFK_NOTIFY_METADATA);
	KT_ASSERT(wait_calls(&md, 1));
	kfk_notify_publish(&n, KFK_NOTIFY_BROKER_UP);
	KT_ASSERT(wait_calls(&br, 1));
	kfk_pool_destroy(pool); /* runs whatever is queued: nothing more */
	KT_ASSERT_INT_EQ(atomic_load(&md.calls), 1);
	KT_ASSERT_INT_EQ(atomic_load(&br.calls), 1);
	KT_ASSERT_INT_EQ(atomic_load(&md.events), KFK_NOTIFY_METADATA);
	KT_ASSERT_INT_EQ(atomic_load(&br.events), KFK_NOTIFY_BROKER_UP);
	KT_ASSERT_INT_EQ(atomic_load(&md.wrong_thread), 0);
	KT_ASSERT_INT_EQ(atomic_load(&br.wrong_thread), 0);
	kfk_notify_unsubscribe(&n, &md.sub);
	kfk_notify_unsubscribe(&n, &br.sub);
	kfk_notifier_destroy(&n);
}

/* While a call runs, a burst of publishes queues one more call, with the
 * union of their events. */
KT_TEST(a_burst_is_merged_into_one_call)
{
	struct kfk_pool *pool = kfk_pool_new(1, "kt-notify", NULL);
	struct kfk_notifier n;
	struct seen s;
	int i;

	KT_ASSERT(pool != NULL);
	kfk_notifier_init(&n);
	seen_init(&s, pool, KFK_NOTIFY_METADATA | KFK_NOTIFY_BROKER_UP);
	kfk_notify_subscribe(&n, &s.sub);
	atomic_store(&s.blocked, 1);
	kfk_notify_publish(&n, KFK_NOTIFY_METADATA);
	/* The first call is running (blocked): its events were taken. */
	for (int64_t end = kt_now_ms() + WAIT_MS;
	     atomic_load(&s.blocked) && kt_now_ms() < end;)
		;
	KT_ASSERT_INT_EQ(atomic_load(&s.blocked), 0);
	for (i = 0; i < 100; i++)
		kfk_notify_publish(&n, i % 2 ? KFK_NOTIFY_BROKER_UP
		                             : KFK_NOTIFY_METADATA);
	atomic_store(&s.release, 1);
	KT_ASSERT(wait_calls(&s, 2));
	kfk_notify_unsubscribe(&n, &s.sub);
	kfk_pool_destroy(pool);
	KT_ASSERT_INT_EQ(atomic_load(&s.calls), 2);
	KT_ASSERT_INT_EQ(atomic_load(&s.events),
	                 KFK_NOTIFY_METADATA | KFK_NOTIFY_BROKER_UP);
	kfk_notifier_destroy(&n);
}

struct publisher {
	struct kfk_notifier *n;
	struct seen *s;
	int rounds;
};

/* Publishes, waiting each time for a call that saw it: no event is lost
 * whatever the interleaving with other publishers. */
static void *publish_and_wait(void *arg)
{
	struct publisher *p = arg;

	for (int i = 0; i < p->rounds; i++) {
		int before = atomic_load(&p->s->calls);
		int64_t end = kt_now_ms() + WAIT_MS;
		kfk_notify_publish(p->n, KFK_NOTIFY_BROKER_UP);
		while (atomic_load(&p->s->calls) <= before && kt_now_ms() < end)
			;
		if (atomic_load(&p->s->calls) <= before)
			return (void *)1;
	}
	return NULL;
}

KT_TEST(publishers_on_several_threads_lose_nothing)
{
	struct kfk_pool *pool = kfk_pool_new(1, "kt-notify", NULL);
	struct kfk_notifier n;
	struct publisher p[4];
	pthread_t th[4];
	struct seen s;
	void *lost;
	int i, failed = 0;

	KT_ASSERT(pool != NULL);
	kfk_notifier_init(&n);
	seen_init(&s, pool, KFK_NOTIFY_BROKER_UP);
	kfk_notify_subscribe(&n, &s.sub);
	for (i = 0; i < 4; i++) {
		p[i] = (struct publisher){ &n, &s, 500 };
		KT_ASSERT(pthread_create(&th[i], NULL, publish_and_wait, &p[i]) == 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], &lost);
		failed += lost != NULL;
	}
	kfk_notify_unsubscribe(&n, &s.sub);
	kfk_pool_destroy(pool);
	KT_ASSERT_INT_EQ(failed, 0);
	KT_ASSERT_INT_EQ(atomic_load(&s.wrong_thread), 0);
	kt_log("%d publishes, %d calls", 4 * 500, atomic_load(&s.calls));
	kfk_notifier_destroy(&n);
}

KT_TEST(unsubscribed_hears_nothing_more)
{
	struct kfk_pool *pool = kfk_pool_new(1, "kt-notify", NULL);
	struct kfk_notifier n;
	struct seen s;

	KT_ASSERT(pool != NULL);
	kfk_notifier_init(&n);
	seen_init(&s, pool, KFK_NOTIFY_METADATA);
	kfk_notify_subscribe(&n, &s.sub);
	kfk_notify_publish(&n, KFK_NOTIFY_METADATA);
	KT_ASSERT(wait_calls(&s, 1));
	kfk_notify_unsubscribe(&n, &s.sub);
	kfk_notify_publish(&n, KFK_NOTIFY_METADATA);
	kfk_pool_destroy(pool); /* would run a call had one been posted */
	KT_ASSERT_INT_EQ(atomic_load(&s.calls), 1);
	kfk_notifier_destroy(&n);
}
