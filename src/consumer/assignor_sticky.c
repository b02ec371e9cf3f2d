/*
 * consumer/assignor_sticky.c: "cooperative-sticky", the Java client's
 * CooperativeStickyAssignor (KIP-429), in its aims rather than its code:
 *  - sticky: every member keeps what it owned (the claims of the highest
 *    generation; a partition claimed twice in one generation counts as
 *    unowned), as far as balance allows;
 *  - balanced: partitions no one keeps go to the least loaded eligible
 *    member (topics with the fewest subscribers first), then partitions
 *    move from the most to the least loaded while that narrows the gap
 *    (assignor_sticky_balance.c; for equal subscriptions max - min <= 1),
 *    so a join moves no more partitions than balance requires;
 *  - cooperative: a partition another member owns now is withheld from
 *    its new owner in this round; its owner, seeing it revoked, joins
 *    again at once and the next round hands it over.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "consumer/assignor_sticky.h"

static int topic_index(const struct sticky *s, const char *name)
{
	int lo = 0, hi = s->in->topic_cnt - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2, c = strcmp(name, s->topics[mid].name);

		if (!c)
			return mid;
		if (c < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	return -1;
}

int kfk_sticky_topic_of(const struct sticky *s, int32_t pidx)
{
	int lo = 0, hi = s->in->topic_cnt - 1;

	while (lo < hi) { /* the last topic whose base <= pidx */
		int mid = (lo + hi + 1) / 2;

		if (s->base[mid] <= pidx)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

static int sticky_init(struct sticky *s, struct kfk_asg_input *in)
{
	int t, i, nt = in->topic_cnt;

	memset(s, 0, sizeof(*s));
	s->in = in;
	s->n = in->member_cnt;
	s->topics = kfk_asg_sorted_topics(in);
	s->base = calloc((size_t)nt + 1, sizeof(*s->base));
	s->m = kfk_asg_sorted_members(in);
	if (!s->topics || !s->base || !s->m)
		return -1;
	for (t = 0; t < nt; t++) {
		s->base[t] = s->total;
		s->total += s->topics[t].partitions;
	}
	s->claim = malloc(((size_t)s->total + 1) * sizeof(int));
	s->claim_gen = malloc(((size_t)s->total + 1) * sizeof(int32_t));
	s->owner = malloc(((size_t)s->total + 1) * sizeof(int));
	s->count = calloc((size_t)s->n + 1, sizeof(int));
	s->sub = calloc((size_t)s->n * (size_t)nt + 1, sizeof(bool));
	if (!s->claim || !s->claim_gen || !s->owner || !s->count || !s->sub)
		return -1;
	for (i = 0; i < s->total; i++) {
		s->claim[i] = s->owner[i] = -1;
		s->claim_gen[i] = -1;
	}
	for (i = 0; i < s->n; i++)
		for (t = 0; t < nt; t++)
			s->sub[i * nt + t] =
				kfk_asg_subscribes(s->m[i], s->topics[t].name);
	return 0;
}

static void sticky_free(struct sticky *s)
{
	free(s->topics);
	free(s->base);
	free(s->m);
	free(s->claim);
	free(s->claim_gen);
	free(s->owner);
	free(s->count);
	free(s->sub);
}

bool kfk_sticky_eligible(const struct sticky *s, int member, int32_t pidx)
{
	return s->sub[member * s->in->topic_cnt + kfk_sticky_topic_of(s, pidx)];
}

/* The claims: the highest generation wins; a tie is a conflict. */
static void read_claims(struct sticky *s)
{
	int i, k;

	for (i = 0; i < s->n; i++) {
		const struct kfk_asg_member *m = s->m[i];

		for (k = 0; k < m->owned.cnt; k++) {
			int t = topic_index(s, m->owned.v[k].topic);
			int32_t p = m->owned.v[k].partition, x;

			if (t < 0 || p < 0 || p >= s->topics[t].partitions ||
			    !s->sub[i * s->in->topic_cnt + t])
				continue;
			x = s->base[t] + p;
			if (s->claim[x] == -1 || m->generation > s->claim_gen[x]) {
				s->claim[x] = i;
				s->claim_gen[x] = m->generation;
			} else if (m->generation == s->claim_gen[x]) {
				s->claim[x] = -2;
			}
		}
	}
}

/* Each claim stays with its claimant. */
static void keep_claims(struct sticky *s)
{
	int32_t x;

	for (x = 0; x < s->total; x++)
		if (s->claim[x] >= 0) {
			s->owner[x] = s->claim[x];
			s->count[s->claim[x]]++;
		}
}

/* How many partitions member i may take: a member confined to few
 * partitions is given them before one that could take anything. */
static int32_t potential(const struct sticky *s, int i)
{
	int32_t sum = 0;
	int t;

	for (t = 0; t < s->in->topic_cnt; t++)
		if (s->sub[i * s->in->topic_cnt + t])
			sum += s->topics[t].partitions;
	return sum;
}

/* The least loaded member that may take x; ties: the one with the
 * smaller potential, then Java's order. -1 when none may. */
static int least_loaded(const struct sticky *s, const int32_t *pot,
                        int32_t x)
{
	int i, best = -1;

	for (i = 0; i < s->n; i++) {
		if (!kfk_sticky_eligible(s, i, x))
			continue;
		if (best < 0 || s->count[i] < s->count[best] ||
		    (s->count[i] == s->count[best] && pot[i] < pot[best]))
			best = i;
	}
	return best;
}

/* How many members may take a partition of topic t. */
static int takers(const struct sticky *s, int t)
{
	int i, c = 0;

	for (i = 0; i < s->n; i++)
		c += s->sub[i * s->in->topic_cnt + t];
	return c;
}

/* Partitions no one keeps, topics with the fewest possible takers first
 * (each to the least loaded of them), so members confined to a few
 * topics fill up on those before the others take them. */
static int place_unowned(struct sticky *s)
{
	int nt = s->in->topic_cnt, *tk = malloc(((size_t)nt + 1) * sizeof(int));
	int32_t *pot = malloc(((size_t)s->n + 1) * sizeof(int32_t)), x;
	int t, want, i;

	if (!tk || !pot) {
		free(tk);
		free(pot);
		return -1;
	}
	for (t = 0; t < nt; t++)
		tk[t] = takers(s, t);
	for (i = 0; i < s->n; i++)
		pot[i] = potential(s, i);
	for (want = 1; want <= s->n; want++)
		for (t = 0; t < nt; t++) {
			if (tk[t] != want)
				continue;
			for (x = s->base[t]; x < s->base[t] + s->topics[t].partitions; x++) {
				int to;

				if (s->owner[x] >= 0 ||
				    (to = least_loaded(s, pot, x)) < 0)
					continue;
				s->owner[x] = to;
				s->count[to]++;
			}
		}
	free(tk);
	free(pot);
	return 0;
}

/* The members' lists, withholding what another member owns now. */
static kfk_err emit(struct sticky *s)
{
	int32_t x;

	for (x = 0; x < s->total; x++) {
		int o = s->owner[x], t;

		if (o < 0 || (s->claim[x] >= 0 && s->claim[x] != o))
			continue; /* cooperative: given next round */
		t = kfk_sticky_topic_of(s, x);
		if (kfk_asg_tps_add(&s->m[o]->assigned, s->topics[t].name,
		                    x - s->base[t]))
			return KFK_ERR__NO_MEMORY;
	}
	return KFK_ERR_NONE;
}

static kfk_err sticky_assign(struct kfk_asg_input *in)
{
	struct sticky s;
	kfk_err err = KFK_ERR__NO_MEMORY;

	if (!sticky_init(&s, in)) {
		read_claims(&s);
		keep_claims(&s);
		if (!place_unowned(&s) && !kfk_sticky_balance(&s))
			err = emit(&s);
	}
	sticky_free(&s);
	return err;
}

/* Java's CooperativeStickyAssignor user data: the generation, an int32,
 * for members whose subscription is older than version 2. */
static uint8_t *sticky_user_data(int32_t generation,
                                 const struct kfk_asg_tps *owned, size_t *len)
{
	uint8_t *b = malloc(4);
	uint32_t g = (uint32_t)generation;

	(void)owned;
	if (!b)
		return NULL;
	b[0] = (uint8_t)(g >> 24);
	b[1] = (uint8_t)(g >> 16);
	b[2] = (uint8_t)(g >> 8);
	b[3] = (uint8_t)g;
	*len = 4;
	return b;
}

const struct kfk_assignor kfk_assignor_cooperative_sticky = {
	.name = "cooperative-sticky",
	.cooperative = true,
	.assign = sticky_assign,
	.user_data = sticky_user_data,
};
