/*
 * tests/fuzz/fuzz_common.h: what the libFuzzer targets share.
 *
 * A target gets arbitrary bytes from libFuzzer in a heap block of exactly
 * their size, so AddressSanitizer reports any read past them. Views the
 * decoders hand back (strings, keys, values) are only checked when they are
 * read, so targets read every byte of them with fuzz_touch(). Properties a
 * decoder must keep (a round trip, bounds of a view) are checked with
 * FUZZ_CHECK, which aborts: libFuzzer then saves the input as a crash.
 */
#ifndef KFK_FUZZ_COMMON_H
#define KFK_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                     \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "%s:%d: property broken: %s\n",      \
			        __FILE__, __LINE__, #cond);                   \
			abort();                                             \
		}                                                            \
	} while (0)

/* Where fuzz_touch() folds the bytes it reads, so that the reads stay. */
static volatile uint8_t fuzz_sink;

/* Reads p[0..len): a view that points outside its input is reported by
 * AddressSanitizer here. len < 0 is a null view (p must then be NULL or
 * is ignored). */
static inline void fuzz_touch(const void *p, int64_t len)
{
	const uint8_t *b = (const uint8_t *)p;
	uint8_t acc = 0;
	if (len <= 0)
		return;
	FUZZ_CHECK(b != NULL);
	for (int64_t i = 0; i < len; i++)
		acc ^= b[i];
	fuzz_sink ^= acc;
}

/* 1 when [p, p+len) lies inside [base, base+size). */
static inline int fuzz_within(const void *p, size_t len, const void *base,
                              size_t size)
{
	const uint8_t *q = (const uint8_t *)p, *b = (const uint8_t *)base;
	return q >= b && q <= b + size && len <= (size_t)(b + size - q);
}

/* Bound on decompressed output, per batch or wrapper. */
#define FUZZ_MAX_OUT (1u << 20)

#endif /* KFK_FUZZ_COMMON_H */
