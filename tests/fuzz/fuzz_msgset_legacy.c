/*
 * tests/fuzz/fuzz_msgset_legacy.c: legacy message sets, magic 0 and 1
 * (proto/msgset_legacy.h), compressed wrappers expanded with the real
 * decompressors.
 *
 * The input is iterated twice, without and with CRC checks. Without them
 * the fuzzer reaches everything behind the checksums; with them the
 * iterator may only stop earlier: the messages it yields must be the first
 * ones of the unchecked run, the same offsets, keys and values.
 */
#include "config.h"

#include <string.h>

#include <kfk/errors.h>

#include "codec/codec.h"
#include "fuzz_common.h"
#include "proto/msgset_legacy.h"

/* What the unchecked run remembers of a message, to compare. */
struct seen {
	int64_t offset;
	int64_t timestamp;
	uint32_t key_sum, value_sum;
	int32_t key_len, value_len;
};

/* Keeps the first SEEN_MAX messages for the comparison. */
#define SEEN_MAX 4096

static uint32_t sum(const uint8_t *p, int32_t len)
{
	uint32_t h = 2166136261u;
	for (int32_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static void check_msg(const struct kfk_msgset_msg *m, struct seen *s)
{
	FUZZ_CHECK(m->magic == 0 || m->magic == 1);
	FUZZ_CHECK(m->key_len >= -1 && m->value_len >= -1);
	FUZZ_CHECK(m->key_len >= 0 || m->key == NULL);
	FUZZ_CHECK(m->value_len >= 0 || m->value == NULL);
	fuzz_touch(m->key, m->key_len);
	fuzz_touch(m->value, m->value_len);
	s->offset = m->offset;
	s->timestamp = m->timestamp;
	s->key_len = m->key_len;
	s->value_len = m->value_len;
	s->key_sum = m->key_len > 0 ? sum(m->key, m->key_len) : 0;
	s->value_sum = m->value_len > 0 ? sum(m->value, m->value_len) : 0;
}

/* Iterates data with flags; fills seen[] (up to SEEN_MAX) and returns the
 * number of messages, or compares with want[] when want is not NULL. */
static size_t iterate(const uint8_t *data, size_t size, unsigned flags,
                      struct seen *seen, const struct seen *want,
                      size_t want_n)
{
	struct kfk_msgset_iter it;
	struct kfk_msgset_msg m;
	struct seen s;
	size_t n = 0;
	int rc;

	kfk_msgset_iter_init(&it, data, size, flags, kfk_codec_decompress,
	                     FUZZ_MAX_OUT);
	while ((rc = kfk_msgset_iter_next(&it, &m)) == 1) {
		check_msg(&m, &s);
		if (want && n < want_n && n < SEEN_MAX)
			FUZZ_CHECK(memcmp(&s, &want[n], sizeof s) == 0);
		if (want)
			FUZZ_CHECK(n < want_n);
		if (seen && n < SEEN_MAX)
			seen[n] = s;
		n++;
	}
	FUZZ_CHECK(rc <= 0);
	if (rc == 0)
		FUZZ_CHECK(kfk_msgset_iter_incomplete(&it) <= size);
	FUZZ_CHECK(kfk_msgset_iter_next(&it, &m) == rc);
	kfk_msgset_iter_destroy(&it);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct seen seen[SEEN_MAX];
	size_t n;

	n = iterate(data, size, KFK_BATCH_PARSE_NO_CRC, seen, NULL, 0);
	iterate(data, size, 0, NULL, seen, n);
	return 0;
}
