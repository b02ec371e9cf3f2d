/*
 * "Did you mean ...?" for unknown property names: the closest name or
 * alias by edit distance, when it is close enough to be a typo.
 */
#include "config.h"
#include "client/props.h"

#include <stdint.h>
#include <string.h>

#define MAX_LEN 127

static size_t min3(size_t a, size_t b, size_t c)
{
	size_t m = a < b ? a : b;
	return m < c ? m : c;
}

/* Optimal string alignment distance with three rolling rows on the stack:
 * row i of the matrix needs rows i-1 and i-2 (for transpositions). */
size_t kfk_prop_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t rows[3][MAX_LEN + 1];

	if (la > MAX_LEN || lb > MAX_LEN)
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		rows[0][j] = j;
	for (i = 1; i <= la; i++) {
		size_t *cur = rows[i % 3], *prev = rows[(i - 1) % 3];
		size_t *prev2 = rows[(i + 1) % 3]; /* == (i - 2) % 3 */
		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			cur[j] = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && prev2[j - 2] + 1 < cur[j])
				cur[j] = prev2[j - 2] + 1;
		}
	}
	return rows[la % 3][lb];
}

/* A typo changes a few characters: allow 2 edits, or a quarter of the
 * candidate's length for long names. More would suggest unrelated names. */
static int close_enough(size_t dist, const char *candidate)
{
	size_t limit = strlen(candidate) / 4;
	return dist <= (limit > 2 ? limit : 2);
}

static void consider(const char *candidate, const char *name,
                     const char **best, size_t *best_dist)
{
	size_t d = kfk_prop_edit_distance(name, candidate);
	if (d < *best_dist && close_enough(d, candidate)) {
		*best = candidate;
		*best_dist = d;
	}
}

const char *kfk_prop_suggest(const char *name)
{
	const char *best = NULL;
	size_t best_dist = SIZE_MAX, i, a;
	for (i = 0; i < kfk_props_count; i++) {
		const struct kfk_prop *p = &kfk_props[i];
		consider(p->name, name, &best, &best_dist);
		for (a = 0; a < KFK_PROP_MAX_ALIASES && p->aliases[a]; a++)
			consider(p->aliases[a], name, &best, &best_dist);
	}
	return best;
}
