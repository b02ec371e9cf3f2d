/*
 * util/waiter.h: one thread waits, with a deadline, for another to say
 * "done" (a blocking call waiting for a request's completion on an I/O
 * loop). The condition runs on CLOCK_MONOTONIC, so a wall-clock jump
 * neither ends a wait early nor stretches it.
 *
 * Any thread; kfk_waiter_wait() must not run on the thread that would
 * call kfk_waiter_done().
 */
#ifndef KFK_UTIL_WAITER_H
#define KFK_UTIL_WAITER_H

#include <pthread.h>
#include <stdbool.h>

struct kfk_waiter {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool done;
};

void kfk_waiter_init(struct kfk_waiter *w);
void kfk_waiter_destroy(struct kfk_waiter *w);
/* Marks it done and wakes the waiter. */
void kfk_waiter_done(struct kfk_waiter *w);
/* Waits until done or timeout_ms (< 0: no limit) pass; true when done. */
bool kfk_waiter_wait(struct kfk_waiter *w, int timeout_ms);

#endif /* KFK_UTIL_WAITER_H */
