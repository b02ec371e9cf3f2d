/*
 * consumer/assignor_sticky_balance.c: cooperative-sticky's balancing.
 * After every claim is kept and the rest placed, partitions move from the
 * most to the least loaded members until no move narrows the gap:
 *  - a direct move when one exists, a partition its holder did not own
 *    first (moving it revokes nothing), from the most loaded donor;
 *  - otherwise a chain (members subscribed to different topics): a member
 *    at least two above the least loaded gives a partition to one that
 *    gives one on, and so on, to a member with at least two fewer than
 *    it; only the chain's ends change counts. Of all such chains, one
 *    that revokes fewest owned partitions.
 * Each step lowers the sum of squared counts, so the loop ends; with
 * equal subscriptions direct moves always suffice and every move goes
 * from a member above the target to one below it.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "consumer/assignor_sticky.h"

/* Work space for chains, one slot per member. */
struct chain {
	int *cost;
	int32_t *via;
	int *prev;
	bool *done;
};

/* Moves x to member to, keeping the counts. */
static void move(struct sticky *s, int32_t x, int to)
{
	int from = s->owner[x];

	s->free_cnt[from] -= s->claim[x] != from;
	s->free_cnt[to] += s->claim[x] != to;
	s->owner[x] = to;
	s->count[from]--;
	s->count[to]++;
}

/* The member with the fewest partitions, at least two fewer than from's,
 * that may take x; -1 when none. */
static int taker(const struct sticky *s, int from, int32_t x)
{
	int b, best = -1;

	for (b = 0; b < s->n; b++)
		if (kfk_sticky_eligible(s, b, x) &&
		    s->count[b] + 1 < s->count[from] &&
		    (best < 0 || s->count[b] < s->count[best]))
			best = b;
	return best;
}

/* One direct move; false when none narrows the gap. Donors in decreasing
 * load, their partitions from the highest index, so a member keeps its
 * first partitions. */
static bool move_one(struct sticky *s, const int *by_load)
{
	int a, pass;
	int32_t x;

	for (pass = 0; pass < 2; pass++)
		for (a = 0; a < s->n; a++) {
			int from = by_load[a];

			if (pass == 0 && !s->free_cnt[from])
				continue;
			for (x = s->total - 1; x >= 0; x--) {
				int to;

				if (s->owner[x] != from ||
				    (s->claim[x] == from) != (pass == 1) ||
				    (to = taker(s, from, x)) < 0)
					continue;
				move(s, x, to);
				return true;
			}
		}
	return false;
}

/* Chains from src: the fewest revocations (partitions their holder
 * owned) that bring a partition from src to each member v (cost[v]; -1
 * unreached), by Dijkstra over "u holds x, v may take x". via[v] is the
 * partition v takes, prev[v] the member it takes it from. */
static void chains_from(struct sticky *s, int src, int *cost, int32_t *via,
                        int *prev, bool *done)
{
	int u, v;
	int32_t x;

	for (v = 0; v < s->n; v++) {
		cost[v] = -1;
		done[v] = false;
	}
	cost[src] = 0;
	for (;;) {
		for (u = -1, v = 0; v < s->n; v++) /* the nearest not done */
			if (!done[v] && cost[v] >= 0 &&
			    (u < 0 || cost[v] < cost[u]))
				u = v;
		if (u < 0)
			return;
		done[u] = true;
		for (x = 0; x < s->total; x++) {
			int c;

			if (s->owner[x] != u)
				continue;
			c = cost[u] + (s->claim[x] == u);
			for (v = 0; v < s->n; v++)
				if (!done[v] && (cost[v] < 0 || c < cost[v]) &&
				    kfk_sticky_eligible(s, v, x)) {
					cost[v] = c;
					via[v] = x;
					prev[v] = u;
				}
		}
	}
}

/* The cheapest end of a chain from src: a member with at least two
 * fewer partitions; -1 when none is reached. */
static int chain_end(const struct sticky *s, int src, const int *cost)
{
	int v, best = -1;

	for (v = 0; v < s->n; v++)
		if (cost[v] >= 0 && s->count[v] + 1 < s->count[src] &&
		    (best < 0 || cost[v] < cost[best]))
			best = v;
	return best;
}

/* The chain that revokes least from any member at least two above the
 * least loaded (ties: the most loaded), applied from its end back. */
static bool chain_one(struct sticky *s, const int *by_load, struct chain *w)
{
	int a, src = -1, end = -1, best = -1;
	int low = s->count[by_load[s->n - 1]];

	for (a = 0; a < s->n && s->count[by_load[a]] - low > 1; a++) {
		int e;

		chains_from(s, by_load[a], w->cost, w->via, w->prev, w->done);
		e = chain_end(s, by_load[a], w->cost);
		if (e >= 0 && (best < 0 || w->cost[e] < best)) {
			src = by_load[a];
			best = w->cost[e];
		}
	}
	if (src < 0)
		return false;
	chains_from(s, src, w->cost, w->via, w->prev, w->done);
	for (end = chain_end(s, src, w->cost); end != src; end = w->prev[end])
		move(s, w->via[end], end);
	return true;
}

/* Members by decreasing load, ties in Java's order (insertion sort: a
 * few hundred members at most, and no global for qsort's comparator). */
static void sort_by_load(const struct sticky *s, int *v)
{
	int i, j;

	for (i = 0; i < s->n; i++) {
		int x = i;

		for (j = i; j > 0 && s->count[v[j - 1]] < s->count[x]; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

int kfk_sticky_balance(struct sticky *s)
{
	size_t n = (size_t)s->n + 1;
	int *by_load = malloc(n * sizeof(int)), rc = -1;
	struct chain w = { malloc(n * sizeof(int)), malloc(n * sizeof(int32_t)),
	                   malloc(n * sizeof(int)), malloc(n * sizeof(bool)) };
	int32_t x;

	s->free_cnt = calloc(n, sizeof(int));
	if (!by_load || !w.cost || !w.via || !w.prev || !w.done || !s->free_cnt)
		goto out;
	for (x = 0; x < s->total; x++)
		if (s->owner[x] >= 0 && s->claim[x] != s->owner[x])
			s->free_cnt[s->owner[x]]++;
	for (;;) {
		sort_by_load(s, by_load);
		if (s->n < 2 ||
		    s->count[by_load[0]] - s->count[by_load[s->n - 1]] <= 1 ||
		    (!move_one(s, by_load) &&
		     !chain_one(s, by_load, &w)))
			break;
	}
	rc = 0;
out:
	free(by_load);
	free(w.cost);
	free(w.via);
	free(w.prev);
	free(w.done);
	free(s->free_cnt);
	s->free_cnt = NULL;
	return rc;
}
