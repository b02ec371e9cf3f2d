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

/* Buckets in index order, each in insertion order, for a table of cap. */
static void order_by_bucket(const int32_t *hashes, int n, uint32_t cap,
                            int *order)
{
	int k = 0;

	for (uint32_t b = 0; b < cap; b++)
		for (int i = 0; i < n; i++) {
			uint32_t h = (uint32_t)hashes[i];

			if (((h ^ (h >> 16)) & (cap - 1)) == b)
				order[k++] = i;
		}
}

/* The table size after n puts, from a first table of cap with threshold
 * thr (java.util.HashMap.resize(): the threshold doubles with the table
 * from 16 on, below it is 3/4 of the table). */
static uint32_t final_cap(int n, uint32_t cap, uint32_t thr)
{
	for (int size = 1; size <= n; size++)
		if ((uint32_t)size > thr) {
			cap *= 2;
			thr = cap > 16 ? thr * 2 : (uint32_t)(cap * 3 / 4);
		}
	return cap;
}

void java_hashmap_order(const int32_t *hashes, int n, int *order)
{
	order_by_bucket(hashes, n, final_cap(n, 16, 12), order);
}

void java_hashmap_order_presized(const int32_t *hashes, int n, int initial,
                                 int *order)
{
	uint32_t cap = 1;

	while (cap < (uint32_t)(initial > 0 ? initial : 1))
		cap *= 2;
	order_by_bucket(hashes, n, final_cap(n, cap, cap * 3 / 4), order);
}
