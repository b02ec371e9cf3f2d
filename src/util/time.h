/*
 * util/time.h: the library's clock.
 *
 * Every deadline and timeout inside kfk is a point on CLOCK_MONOTONIC, so
 * wall-clock jumps (NTP, the user setting the date) never fire or stall a
 * timer. Microseconds are the unit of the timer heap and the event loop;
 * milliseconds are what Kafka properties and protocol fields speak.
 * Header-only; callable from any thread.
 */
#ifndef KFK_UTIL_TIME_H
#define KFK_UTIL_TIME_H

#include <stdint.h>
#include <time.h>

/* Monotonic time in microseconds since an arbitrary origin (boot). */
static inline int64_t kfk_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Monotonic time in milliseconds, on the same origin as kfk_now_us(). */
static inline int64_t kfk_now_ms(void)
{
	return kfk_now_us() / 1000;
}

/* *ts = timeout_ms from now on CLOCK_MONOTONIC: the absolute deadline of
 * a pthread_cond_timedwait on a condition set to that clock. */
static inline void kfk_deadline_ts(struct timespec *ts, int timeout_ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += timeout_ms / 1000;
	ts->tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* Lowers *next to t when t is sooner: for state machines that collect the
 * earliest time they must run again. */
static inline void kfk_min_at(int64_t *next, int64_t t)
{
	if (t < *next)
		*next = t;
}

#endif /* KFK_UTIL_TIME_H */
