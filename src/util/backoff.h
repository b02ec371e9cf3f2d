/*
 * util/backoff.h: exponential backoff with jitter, the one used for broker
 * reconnects (reconnect.backoff.ms), produce retries (retry.backoff.ms,
 * KIP-580) and InitProducerId retries.
 *
 * The delay after n failures in a row is base doubled n-1 times, capped at
 * max, then scaled by a uniform factor in [0.8, 1.2): clients that failed
 * together (every broker of a cluster restarting, 10,000 partitions whose
 * leader moved) do not come back in step.
 *
 * A struct kfk_backoff belongs to one thread (its owner's loop): the random
 * generator in it is not shared, so no lock and no global rand().
 */
#ifndef KFK_UTIL_BACKOFF_H
#define KFK_UTIL_BACKOFF_H

#include <stdint.h>

struct kfk_backoff {
	int64_t base_us;  /* the first delay */
	int64_t max_us;   /* the largest, before jitter */
	uint64_t rnd;     /* xorshift64 state, never 0 */
};

/* base_us < 0 counts as 0; max_us below base_us is raised to it. seed may
 * be anything (a time, an address): it is mixed first, so that owners
 * created together draw different sequences. */
void kfk_backoff_init(struct kfk_backoff *b, int64_t base_us, int64_t max_us,
                      uint64_t seed);

/* The delay without jitter after `failures` in a row (>= 1). Pure. */
int64_t kfk_backoff_plain_us(const struct kfk_backoff *b, int32_t failures);

/* The delay to wait after `failures` in a row, jitter included. */
int64_t kfk_backoff_us(struct kfk_backoff *b, int32_t failures);

#endif /* KFK_UTIL_BACKOFF_H */
