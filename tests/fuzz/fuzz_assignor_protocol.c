/*
 * tests/fuzz/fuzz_assignor_protocol.c: what the group layer makes of the
 * ConsumerProtocol bytes other members send (src/consumer/
 * assignor_protocol.c): kfk_asg_subscription_decode on a leader's
 * JoinGroup member metadata, any version, and kfk_asg_assignment_decode on
 * a SyncGroup answer.
 *
 * Byte 0: bit 0 picks subscription (0) or assignment (1); the rest is the
 * input. Decoded, a subscription's strings are all set, counts are not
 * negative, the user data lies inside the input, and before version 2
 * without cooperative-sticky's 4 bytes of user data the generation is -1; an assignment encodes again and decodes to the
 * same partitions (the encoder groups them by topic, so in its order).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "consumer/assignor.h"
#include "proto/arena.h"

static void subscription(const uint8_t *d, size_t n)
{
	struct kfk_asg_subscription s;
	struct kfk_arena a;

	kfk_arena_init(&a);
	memset(&s, 0, sizeof(s));
	if (kfk_asg_subscription_decode(d, n, &a, &s) == 0) {
		FUZZ_CHECK(s.topic_cnt >= 0 && s.owned.cnt >= 0);
		for (int i = 0; i < s.topic_cnt; i++)
			FUZZ_CHECK(s.topics[i] != NULL);
		for (int i = 0; i < s.owned.cnt; i++)
			FUZZ_CHECK(s.owned.v[i].topic != NULL);
		FUZZ_CHECK(s.user_data_len >= -1 && (size_t)(s.user_data_len + 1) <= n + 1);
		if (s.user_data_len > 0)
			FUZZ_CHECK(s.user_data >= d && s.user_data + s.user_data_len <= d + n);
		if (s.version < 2 && s.user_data_len != 4)
			FUZZ_CHECK(s.generation == -1);
		kfk_asg_tps_free(&s.owned);
	}
	kfk_arena_destroy(&a);
}

static int tp_cmp(const void *a, const void *b)
{
	const struct kfk_asg_tp *x = a, *y = b;
	int c = strcmp(x->topic, y->topic);

	return c ? c : (x->partition > y->partition) - (x->partition < y->partition);
}

static void assignment(const uint8_t *d, size_t n)
{
	struct kfk_asg_tps l = { 0 }, again = { 0 };
	struct kfk_arena a, b;
	uint8_t *buf;
	size_t len;

	kfk_arena_init(&a);
	kfk_arena_init(&b);
	if (kfk_asg_assignment_decode(d, n, &a, &l) == 0) {
		FUZZ_CHECK(l.cnt >= 0);
		buf = kfk_asg_assignment_encode(&l, &len);
		FUZZ_CHECK(buf != NULL);
		FUZZ_CHECK(kfk_asg_assignment_decode(buf, len, &b, &again) == 0);
		FUZZ_CHECK(again.cnt == l.cnt);
		if (l.cnt > 1) {
			qsort(l.v, (size_t)l.cnt, sizeof(*l.v), tp_cmp);
			qsort(again.v, (size_t)again.cnt, sizeof(*again.v), tp_cmp);
		}
		for (int i = 0; i < l.cnt; i++) {
			FUZZ_CHECK(strcmp(again.v[i].topic, l.v[i].topic) == 0);
			FUZZ_CHECK(again.v[i].partition == l.v[i].partition);
		}
		free(buf);
	}
	kfk_asg_tps_free(&l);
	kfk_asg_tps_free(&again);
	kfk_arena_destroy(&a);
	kfk_arena_destroy(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 1)
		assignment(data + 1, size - 1);
	else
		subscription(data + 1, size - 1);
	return 0;
}
