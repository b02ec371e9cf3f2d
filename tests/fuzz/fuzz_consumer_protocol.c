/*
 * tests/fuzz/fuzz_consumer_protocol.c: the consumer group protocol's
 * subscription and assignment (proto/gen/consumer_protocol.h), the bytes
 * other members (through the broker) put in JoinGroup and SyncGroup.
 *
 * Byte 0: bit 7 picks the message (subscription, assignment), the rest the
 * version among those the codec accepts; the remaining bytes are decoded
 * and checked as tests/fuzz/fuzz_message.h describes.
 */
#include "config.h"

#include "fuzz_message.h"

FUZZ_MESSAGE(kfk_consumer_protocol_subscription)
FUZZ_MESSAGE(kfk_consumer_protocol_assignment)

/* The schema gives no table entry for these: the valid versions are those
 * at which a default message encodes. */
#define MAX_PROBE 64

static int versions_of(int assignment, int16_t *vs)
{
	struct kfk_consumer_protocol_subscription s;
	struct kfk_consumer_protocol_assignment a;
	int n = 0;
	kfk_wbuf w;

	kfk_consumer_protocol_subscription_init(&s);
	kfk_consumer_protocol_assignment_init(&a);
	for (int16_t v = 0; v < MAX_PROBE; v++) {
		int err;
		kfk_wbuf_init(&w);
		err = assignment ? kfk_consumer_protocol_assignment_encode(&w, v, &a)
		                 : kfk_consumer_protocol_subscription_encode(&w, v, &s);
		kfk_wbuf_free(&w);
		if (!err)
			vs[n++] = v;
	}
	FUZZ_CHECK(n > 0);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int16_t vs[2][MAX_PROBE];
	static int nv[2];
	int which;
	int16_t v;

	if (!nv[0]) {
		nv[0] = versions_of(0, vs[0]);
		nv[1] = versions_of(1, vs[1]);
	}
	if (size < 1)
		return 0;
	which = data[0] >> 7;
	v = vs[which][(data[0] & 0x7f) % nv[which]];
	if (which)
		fuzz_kfk_consumer_protocol_assignment(v, data + 1, size - 1);
	else
		fuzz_kfk_consumer_protocol_subscription(v, data + 1, size - 1);
	return 0;
}
