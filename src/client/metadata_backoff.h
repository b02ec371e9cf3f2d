/*
 * client/metadata_backoff.h: how soon an error-triggered metadata refresh
 * may follow the previous one.
 *
 * Errors that mean stale metadata (a broker going down, NOT_LEADER, ...)
 * ask for an early refresh. A broker that flaps, or a partition that stays
 * leaderless, would ask again and again; this spacing keeps that from
 * becoming a request storm:
 *
 *  - the first early refresh goes out at once;
 *  - each early refresh sent imposes a gap before the next one: min_ms
 *    (100 ms) after the first, then doubling (200, 400, ...) while errors
 *    repeat, up to max_ms (the periodic refresh interval: past it, waiting
 *    for the periodic refresh costs nothing more);
 *  - once early requests stop for a whole extra gap (none asked between
 *    the earliest allowed time and one more gap after it), errors no longer
 *    "repeat": the gap falls back to min_ms.
 *
 * Early refreshes are therefore always at least min_ms apart. A reset
 * needs a spell of at least 3 x min_ms without any request since the last
 * refresh sent, so while errors keep coming faster than that (a flapping
 * broker), n refreshes in a row need min_ms * (2^(n-1) - 1) ms: T ms of
 * flapping cause at most 1 + log2(T / min_ms + 1) of them (5 in 3 s).
 * Errors further apart than that are independent, and each gets its
 * refresh at once.
 *
 * Pure: no clock, no locks (the control loop owns it); times are the
 * caller's monotonic milliseconds.
 */
#ifndef KFK_CLIENT_METADATA_BACKOFF_H
#define KFK_CLIENT_METADATA_BACKOFF_H

#include <stdbool.h>
#include <stdint.h>

/* The first gap between early refreshes. */
#define KFK_MD_BACKOFF_MIN_MS 100

struct kfk_md_backoff {
	int64_t min_ms;  /* first gap */
	int64_t max_ms;  /* largest gap */
	int64_t gap_ms;  /* the gap the next early refresh will impose */
	int64_t next_ms; /* earliest time of the next early refresh */
	bool any;        /* an early refresh was sent already */
};

/* Starts with no refresh sent. max_ms below min_ms lowers min_ms to it
 * (a refresh interval shorter than 100 ms); both are at least 1. */
void kfk_md_backoff_init(struct kfk_md_backoff *b, int64_t min_ms,
                         int64_t max_ms);

/* When an early refresh asked for at now may be sent: now, or the later
 * time to wait for. Forgets the past gaps first when the requests had
 * stopped (see above). Call it for every request, even when one is
 * already waiting. */
int64_t kfk_md_backoff_when(struct kfk_md_backoff *b, int64_t now);

/* Records that an early refresh was sent at now (it must be >= the time
 * kfk_md_backoff_when() gave). */
void kfk_md_backoff_sent(struct kfk_md_backoff *b, int64_t now);

#endif /* KFK_CLIENT_METADATA_BACKOFF_H */
