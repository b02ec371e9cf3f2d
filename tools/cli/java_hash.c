/*
 * tools/cli/java_hash.c: a java.util.HashMap's iteration order
 * (java_hash.h).
 */
#include "config.h"

#include "java_hash.h"

int32_t java_string_hash(const char *s)
{
	uint32_t h = 0;

	for (; *s; s++)
		h = 31 * h + (uint8_t)*s;
	return (int32_t)h;
}

int32_t java_tp_hash(const char *topic, int32_t partition)
{
	uint32_t r = 31u + (uint32_t)partition;

	return (int32_t)(31u * r + (uint32_t)java_string_hash(topic));
}

void java_hashmap_order(const int32_t *hashes, int n, int *order)
{
	uint32_t cap = 16;
	int k = 0;

	while ((uint64_t)n * 4 > (uint64_t)cap * 3)
		cap *= 2;
	for (uint32_t b = 0; b < cap; b++)
		for (int i = 0; i < n; i++) {
			uint32_t h = (uint32_t)hashes[i];

			if (((h ^ (h >> 16)) & (cap - 1)) == b)
				order[k++] = i;
		}
}
