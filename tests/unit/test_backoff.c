/*
 * test_backoff: the one exponential backoff with jitter (util/backoff.h).
 */
#include "config.h"

#include "../kt.h"
#include "util/backoff.h"

KT_TEST(doubles_per_failure_up_to_the_maximum)
{
	struct kfk_backoff b;

	kfk_backoff_init(&b, 100000, 1000000, 1);
	KT_ASSERT_INT_EQ(kfk_backoff_plain_us(&b, 1), 100000);
	KT_ASSERT_INT_EQ(kfk_backoff_plain_us(&b, 2), 200000);
	KT_ASSERT_INT_EQ(kfk_backoff_plain_us(&b, 4), 800000);
	KT_ASSERT_INT_EQ(kfk_backoff_plain_us(&b, 5), 1000000);
	KT_ASSERT_INT_EQ(kfk_backoff_plain_us(&b, 1000000), 1000000);
}

KT_TEST(bad_bounds_are_made_sane)
{
	struct kfk_backoff b;

	kfk_backoff_init(&b, -5, -10, 0);
	KT_ASSERT_INT_EQ(kfk_backoff_plain_us(&b, 3), 0);
	KT_ASSERT_INT_EQ(kfk_backoff_us(&b, 3), 0);
	kfk_backoff_init(&b, 500, 100, 0);
	KT_ASSERT_INT_EQ(kfk_backoff_plain_us(&b, 9), 500);
}

/* Every delay lies in [0.8, 1.2) of the plain one, and draws spread over
 * that whole range (both fifths of the edges are hit). */
KT_TEST(jitter_is_plus_minus_twenty_percent)
{
	struct kfk_backoff b;
	int i, low = 0, high = 0;

	kfk_backoff_init(&b, 1000000, 1000000, 42);
	for (i = 0; i < 10000; i++) {
		int64_t d = kfk_backoff_us(&b, 1);
		KT_ASSERT(d >= 800000 && d < 1200000);
		low += d < 880000;
		high += d >= 1120000;
	}
	KT_ASSERT(low > 1000 && high > 1000);
}

/* Owners seeded alike but not identically do not back off in step. */
KT_TEST(neighbouring_seeds_draw_different_delays)
{
	struct kfk_backoff a, b;
	int i, same = 0;

	kfk_backoff_init(&a, 1000000, 1000000, 1000);
	kfk_backoff_init(&b, 1000000, 1000000, 1001);
	for (i = 0; i < 100; i++)
		same += kfk_backoff_us(&a, 1) == kfk_backoff_us(&b, 1);
	KT_ASSERT(same < 5);
}
