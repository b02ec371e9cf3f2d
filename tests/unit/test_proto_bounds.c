/*
 * test_proto_bounds: what a forged count in a response may cost the
 * generated decoders (hand-written; the round-trip test is generated).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "proto/gen/messages.h"
#include "../kt.h"

/* A forged array count is bounded by the bytes left divided by the least
 * an element takes on the wire at that version (10 bytes for a Metadata v1
 * broker), not by 1 byte per element: 1 MB of input must not make the
 * decoder allocate tens of megabytes before it fails. */
KT_TEST(forged_array_count_allocates_in_proportion)
{
	size_t len = 1 << 20, ratio;
	uint8_t *body = calloc(1, len);
	struct kfk_metadata_response m;
	kfk_arena a;
	kfk_rbuf r;
	uint32_t n = (uint32_t)((len - 4) / 10);

	KT_ASSERT(body != NULL);
	body[0] = (uint8_t)(n >> 24);
	body[1] = (uint8_t)(n >> 16);
	body[2] = (uint8_t)(n >> 8);
	body[3] = (uint8_t)n;
	kfk_arena_init(&a);
	kfk_rbuf_init(&r, body, len);
	(void)kfk_metadata_response_decode(&r, 1, &a, &m);
	ratio = a.used / len;
	kt_log("%u brokers claimed in %zu bytes: %zu bytes allocated (%zux)",
	       n, len, a.used, ratio);
	KT_ASSERT(ratio <= 8);
	/* A count of one element per byte left (what a bound of one byte
	 * per element let through) is refused before any allocation. */
	n = (uint32_t)(len - 4);
	body[0] = (uint8_t)(n >> 24);
	body[1] = (uint8_t)(n >> 16);
	body[2] = (uint8_t)(n >> 8);
	body[3] = (uint8_t)n;
	kfk_arena_reset(&a);
	kfk_rbuf_init(&r, body, len);
	KT_ASSERT(kfk_metadata_response_decode(&r, 1, &a, &m) != 0);
	kt_log("%u brokers claimed: %zu bytes allocated", n, a.used);
	KT_ASSERT(a.used / len <= 8);
	kfk_arena_destroy(&a);
	free(body);
}
