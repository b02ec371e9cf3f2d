/*
 * util/backoff.c: exponential backoff with jitter (backoff.h).
 */
#include "config.h"
#include "util/backoff.h"

/* splitmix64: spreads a seed whose inputs differ in few bits over all 64. */
static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x ? x : 1; /* xorshift must not start at 0 */
}

void kfk_backoff_init(struct kfk_backoff *b, int64_t base_us, int64_t max_us,
                      uint64_t seed)
{
	b->base_us = base_us < 0 ? 0 : base_us;
	b->max_us = max_us < b->base_us ? b->base_us : max_us;
	b->rnd = mix(seed);
}

int64_t kfk_backoff_plain_us(const struct kfk_backoff *b, int32_t failures)
{
	int64_t d = b->base_us;

	while (--failures > 0 && d < b->max_us)
		d *= 2;
	return d < b->max_us ? d : b->max_us;
}

int64_t kfk_backoff_us(struct kfk_backoff *b, int32_t failures)
{
	double f;

	/* xorshift64: cheap, and good enough to spread retries apart. */
	b->rnd ^= b->rnd << 13;
	b->rnd ^= b->rnd >> 7;
	b->rnd ^= b->rnd << 17;
	f = 0.8 + 0.4 * (double)(b->rnd >> 11) / (double)(1ull << 53);
	return (int64_t)((double)kfk_backoff_plain_us(b, failures) * f);
}
