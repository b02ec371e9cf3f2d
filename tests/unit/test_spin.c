/*
 * util/spin: the spin lock keeps a critical section exclusive across
 * threads (counts exact after many contended increments), and a holder
 * that sleeps does not starve the waiters that yield.
 */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "../kt.h"
#include "util/spin.h"

#define THREADS 4
#define ROUNDS 200000

struct shared {
	struct kfk_spin lock;
	/* Two plain fields updated together: a torn update shows. */
	uint64_t a, b;
	int bad;
};

static void *bump(void *arg)
{
	struct shared *s = arg;
	int i;

	for (i = 0; i < ROUNDS; i++) {
		kfk_spin_lock(&s->lock);
		if (s->a != s->b)
			s->bad++;
		s->a++;
		s->b++;
		kfk_spin_unlock(&s->lock);
	}
	return NULL;
}

KT_TEST(contended_increments_are_exact)
{
	struct shared s = { .a = 0, .b = 0, .bad = 0 };
	pthread_t t[THREADS];
	int i;

	kfk_spin_init(&s.lock);
	for (i = 0; i < THREADS; i++)
		KT_ASSERT_INT_EQ(pthread_create(&t[i], NULL, bump, &s), 0);
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	KT_ASSERT_INT_EQ(s.a, (uint64_t)THREADS * ROUNDS);
	KT_ASSERT_INT_EQ(s.b, (uint64_t)THREADS * ROUNDS);
	KT_ASSERT_INT_EQ(s.bad, 0);
}

static void *hold_and_sleep(void *arg)
{
	struct shared *s = arg;
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	kfk_spin_lock(&s->lock);
	s->a = 1;
	nanosleep(&ts, NULL);
	s->b = 1;
	kfk_spin_unlock(&s->lock);
	return NULL;
}

/* A waiter behind a holder that is off the CPU for 20 ms yields instead of
 * spinning forever, and sees the holder's whole update. */
KT_TEST(a_waiter_gets_the_lock_after_a_sleeping_holder)
{
	struct shared s = { .a = 0, .b = 0, .bad = 0 };
	pthread_t t;
	uint64_t a = 0, b = 0;

	kfk_spin_init(&s.lock);
	KT_ASSERT_INT_EQ(pthread_create(&t, NULL, hold_and_sleep, &s), 0);
	while (!a) {
		kfk_spin_lock(&s.lock);
		a = s.a;
		b = s.b;
		kfk_spin_unlock(&s.lock);
	}
	pthread_join(t, NULL);
	KT_ASSERT_INT_EQ(a, 1);
	KT_ASSERT_INT_EQ(b, 1);
}
