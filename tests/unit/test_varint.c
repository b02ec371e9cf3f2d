/* Varints: the encodings the protocol guide gives, and their edges. */
#include "util/varint.h"
#include "../kt.h"

KT_TEST(varint_known_encodings)
{
	/* Zigzag examples from the protocol guide: 0->0, -1->1, 1->2, -2->3. */
	uint8_t b[KFK_VARINT64_MAX];
	KT_ASSERT_INT_EQ(kfk_varint_put(b, 0), 1);
	KT_ASSERT_INT_EQ(b[0], 0);
	KT_ASSERT_INT_EQ(kfk_varint_put(b, -1), 1);
	KT_ASSERT_INT_EQ(b[0], 1);
	KT_ASSERT_INT_EQ(kfk_varint_put(b, 1), 1);
	KT_ASSERT_INT_EQ(b[0], 2);
	KT_ASSERT_INT_EQ(kfk_varint_put(b, 300), 2); /* zigzag 600 */
	KT_ASSERT_INT_EQ(b[0], 0xd8);
	KT_ASSERT_INT_EQ(b[1], 0x04);
	KT_ASSERT_INT_EQ(kfk_uvarint_put(b, 300), 2);
	KT_ASSERT_INT_EQ(b[0], 0xac);
	KT_ASSERT_INT_EQ(b[1], 0x02);
}

KT_TEST(varint_round_trip_edges)
{
	static const int64_t v[] = {0, 1, -1, 63, -64, 64, INT32_MAX, INT32_MIN,
	                            INT64_MAX, INT64_MIN};
	uint8_t b[KFK_VARINT64_MAX];
	size_t i;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		int64_t got = 0;
		size_t n = kfk_varint_put(b, v[i]);
		KT_ASSERT_INT_EQ(n, kfk_varint_size(v[i]));
		KT_ASSERT_INT_EQ(kfk_varint64_get(b, b + n, &got), n);
		KT_ASSERT_INT_EQ(got, v[i]);
		if (v[i] >= INT32_MIN && v[i] <= INT32_MAX) {
			int32_t g32 = 0;
			KT_ASSERT_INT_EQ(kfk_varint32_get(b, b + n, &g32), n);
			KT_ASSERT_INT_EQ(g32, v[i]);
		}
	}
}

KT_TEST(varint_truncated_and_overlong_are_errors)
{
	uint8_t b[KFK_VARINT64_MAX] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
	uint64_t u;
	uint32_t u32;
	KT_ASSERT_INT_EQ(kfk_uvarint_get(b, b + 3, 10, &u), 0); /* truncated */
	KT_ASSERT_INT_EQ(kfk_uvarint32_get(b, b + 6, &u32), 0);  /* 6 bytes > 5 */
	KT_ASSERT_INT_EQ(kfk_uvarint_get(b, b + 6, 10, &u), 6);
	KT_ASSERT_INT_EQ(u, (uint64_t)1 << 35);
	KT_ASSERT_INT_EQ(kfk_uvarint_get(b, b, 10, &u), 0); /* empty */
}
