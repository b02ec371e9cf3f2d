/* util/waiter.c: see waiter.h. */
#include "config.h"

#include "util/time.h"
#include "util/waiter.h"

void kfk_waiter_init(struct kfk_waiter *w)
{
	pthread_condattr_t ca;

	pthread_mutex_init(&w->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cv, &ca);
	pthread_condattr_destroy(&ca);
	w->done = false;
}

void kfk_waiter_destroy(struct kfk_waiter *w)
{
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
}

void kfk_waiter_done(struct kfk_waiter *w)
{
	pthread_mutex_lock(&w->mu);
	w->done = true;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

bool kfk_waiter_wait(struct kfk_waiter *w, int timeout_ms)
{
	struct timespec ts;
	bool done;

	if (timeout_ms >= 0)
		kfk_deadline_ts(&ts, timeout_ms);
	pthread_mutex_lock(&w->mu);
	while (!w->done) {
		if (timeout_ms < 0)
			pthread_cond_wait(&w->cv, &w->mu);
		else if (pthread_cond_timedwait(&w->cv, &w->mu, &ts))
			break;
	}
	done = w->done;
	pthread_mutex_unlock(&w->mu);
	return done;
}
