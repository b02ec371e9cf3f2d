/*
 * The producer's topics and partitions (topic.h).
 */
#include "config.h"
#include "producer/topic.h"

#include <stdlib.h>
#include <string.h>

/* An open-addressing array of topics; a slot, once set, never changes. */
struct kfk_ttab {
	size_t cap;                       /* a power of two */
	struct kfk_ttab *retired_next;
	_Atomic(struct kfk_ptopic *) slot[];
};

static uint64_t name_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

static struct kfk_ttab *ttab_new(size_t cap)
{
	struct kfk_ttab *tab = calloc(1, sizeof(*tab) + cap * sizeof(tab->slot[0]));
	size_t i;

	if (!tab)
		return NULL;
	tab->cap = cap;
	for (i = 0; i < cap; i++)
		atomic_init(&tab->slot[i], NULL);
	return tab;
}

kfk_err kfk_topic_table_init(struct kfk_topic_table *t)
{
	struct kfk_ttab *tab = ttab_new(16);

	if (!tab)
		return KFK_ERR__NO_MEMORY;
	atomic_init(&t->tab, tab);
	pthread_mutex_init(&t->lock, NULL);
	t->retired = NULL;
	atomic_init(&t->count, 0);
	return KFK_ERR_NONE;
}

struct kfk_ptopic *kfk_topic_find(struct kfk_topic_table *t, const char *name)
{
	struct kfk_ttab *tab = atomic_load_explicit(&t->tab,
	                                            memory_order_acquire);
	size_t mask = tab->cap - 1, i = (size_t)name_hash(name) & mask;

	for (;; i = (i + 1) & mask) {
		struct kfk_ptopic *tp = atomic_load_explicit(
			&tab->slot[i], memory_order_acquire);
		if (!tp)
			return NULL;
		if (strcmp(tp->name, name) == 0)
			return tp;
	}
}

/* Under the table's lock: puts tp in its slot of tab (which has room). */
static void ttab_put(struct kfk_ttab *tab, struct kfk_ptopic *tp)
{
	size_t mask = tab->cap - 1, i = (size_t)name_hash(tp->name) & mask;

	while (atomic_load_explicit(&tab->slot[i], memory_order_relaxed))
		i = (i + 1) & mask;
	atomic_store_explicit(&tab->slot[i], tp, memory_order_release);
}

/* Under the table's lock: makes sure one more topic fits at most half
 * full, publishing a larger copy when needed. */
static kfk_err ttab_reserve(struct kfk_topic_table *t)
{
	struct kfk_ttab *old = atomic_load(&t->tab), *tab;
	size_t i;

	if ((size_t)(atomic_load(&t->count) + 1) * 2 <= old->cap)
		return KFK_ERR_NONE;
	if (!(tab = ttab_new(old->cap * 2)))
		return KFK_ERR__NO_MEMORY;
	for (i = 0; i < old->cap; i++) {
		struct kfk_ptopic *tp = atomic_load(&old->slot[i]);
		if (tp)
			ttab_put(tab, tp);
	}
	atomic_store_explicit(&t->tab, tab, memory_order_release);
	/* Readers may still walk the old one: it stays until the end. */
	old->retired_next = t->retired;
	t->retired = old;
	return KFK_ERR_NONE;
}

static struct kfk_ptopic *topic_new(const char *name)
{
	struct kfk_ptopic *tp = calloc(1, sizeof(*tp));

	if (!tp || !(tp->name = strdup(name))) {
		free(tp);
		return NULL;
	}
	kfk_sticky_init(&tp->sticky);
	atomic_init(&tp->parts, NULL);
	atomic_init(&tp->pend_cnt, 0);
	atomic_init(&tp->wants_md, false);
	pthread_mutex_init(&tp->lock, NULL);
	return tp;
}

static void topic_free(struct kfk_ptopic *tp)
{
	free(tp->name);
	pthread_mutex_destroy(&tp->lock);
	free(tp);
}

struct kfk_ptopic *kfk_topic_get(struct kfk_topic_table *t, const char *name,
                                 bool *createdp)
{
	struct kfk_ptopic *tp = kfk_topic_find(t, name);

	*createdp = false;
	if (tp)
		return tp;
	pthread_mutex_lock(&t->lock);
	tp = kfk_topic_find(t, name); /* another thread may have won */
	if (!tp && ttab_reserve(t) == KFK_ERR_NONE && (tp = topic_new(name))) {
		ttab_put(atomic_load(&t->tab), tp);
		atomic_fetch_add(&t->count, 1);
		*createdp = true;
	}
	pthread_mutex_unlock(&t->lock);
	return tp;
}

void kfk_topic_foreach(struct kfk_topic_table *t,
                       void (*fn)(struct kfk_ptopic *tp, void *arg),
                       void *arg)
{
	struct kfk_ttab *tab = atomic_load_explicit(&t->tab,
	                                            memory_order_acquire);
	size_t i;

	for (i = 0; i < tab->cap; i++) {
		struct kfk_ptopic *tp = atomic_load_explicit(
			&tab->slot[i], memory_order_acquire);
		if (tp)
			fn(tp, arg);
	}
}

/* ------------------------------------------------------------------ */
/* Partitions                                                          */
/* ------------------------------------------------------------------ */

static struct kfk_ppart *part_new(struct kfk_ptopic *tp, int32_t id)
{
	/* Aligned: the sender's half lives on its own cache lines. */
	struct kfk_ppart *pp = aligned_alloc(KFK_CACHE_LINE, sizeof(*pp));

	if (!pp)
		return NULL;
	memset(pp, 0, sizeof(*pp));
	kfk_spin_init(&pp->lock);
	pp->topic = tp;
	pp->id = id;
	atomic_init(&pp->queued, false);
	pp->open_deadline_us = INT64_MAX;
	/* The sender's linger entry; it never fires a callback (the sender
	 * pops its heap itself). */
	kfk_timer_init(&pp->s_linger, NULL, pp);
	pp->s_leader_md = UINT64_MAX;
	return pp;
}

static bool same_view(const struct kfk_pparts *cur, int32_t cnt,
                      const uint8_t *available)
{
	int32_t i;

	if (!cur || cur->cnt != cnt)
		return false;
	for (i = 0; i < cnt; i++)
		if (cur->available[i] != (available ? available[i] != 0 : 1))
			return false;
	return true;
}

/* Under topic->lock: makes sure partition objects 0..cnt-1 exist. */
static kfk_err ensure_parts(struct kfk_ptopic *tp, int32_t cnt)
{
	struct kfk_ppart **all;
	int32_t i;

	if (cnt <= tp->all_cnt)
		return KFK_ERR_NONE;
	all = realloc(tp->all, (size_t)cnt * sizeof(*all));
	if (!all)
		return KFK_ERR__NO_MEMORY;
	tp->all = all;
	for (i = tp->all_cnt; i < cnt; i++) {
		if (!(all[i] = part_new(tp, i)))
			return KFK_ERR__NO_MEMORY;
		tp->all_cnt = i + 1;
	}
	return KFK_ERR_NONE;
}

kfk_err kfk_topic_set_parts(struct kfk_ptopic *tp, int32_t cnt,
                            const uint8_t *available, uint64_t md_version)
{
	struct kfk_pparts *cur = atomic_load(&tp->parts), *np;
	int32_t i;

	if (cnt <= 0 || (cur && cnt < cur->cnt) ||
	    same_view(cur, cnt, available))
		return KFK_ERR_NONE;
	if (ensure_parts(tp, cnt))
		return KFK_ERR__NO_MEMORY;
	/* Each view has its own copy of the pointers: tp->all may move
	 * while readers still hold an older view. */
	np = calloc(1, sizeof(*np) + (size_t)cnt * (sizeof(np->v[0]) +
	                                            sizeof(np->open_hint[0]) +
	                                            1));
	if (!np)
		return KFK_ERR__NO_MEMORY;
	np->cnt = cnt;
	np->v = (struct kfk_ppart **)(void *)(np + 1);
	np->open_hint = (struct kfk_open_hint *)(void *)(np->v + cnt);
	np->available = (uint8_t *)(void *)(np->open_hint + cnt);
	for (i = 0; i < cnt; i++) {
		np->v[i] = tp->all[i];
		atomic_init(&np->open_hint[i].batch, NULL);
		atomic_init(&np->open_hint[i].tail, NULL);
		np->available[i] = available ? available[i] != 0 : 1;
	}
	np->md_version = md_version;
	atomic_store_explicit(&tp->parts, np, memory_order_release);
	if (cur) {
		cur->retired_next = tp->retired;
		tp->retired = cur;
	}
	return KFK_ERR_NONE;
}

void kfk_topic_hint_open(struct kfk_ppart *pp, struct kfk_pbatch *b)
{
	struct kfk_pparts *v = kfk_topic_parts(pp->topic);

	if (v && pp->id < v->cnt) {
		atomic_store_explicit(&v->open_hint[pp->id].batch, b,
		                      memory_order_relaxed);
		atomic_store_explicit(&v->open_hint[pp->id].tail,
		                      b ? b->buf.data + b->buf.len : NULL,
		                      memory_order_relaxed);
	}
}

/* ------------------------------------------------------------------ */
/* The end                                                             */
/* ------------------------------------------------------------------ */

static void part_free(struct kfk_ppart *pp,
                      void (*free_batch)(struct kfk_pbatch *, void *),
                      void *arg)
{
	struct kfk_pbatch *b, *next;

	if (pp->open)
		free_batch(pp->open, arg);
	for (b = pp->closed_head; b; b = next) {
		next = b->next;
		free_batch(b, arg);
	}
	for (b = pp->ready_head; b; b = next) {
		next = b->next;
		free_batch(b, arg);
	}
	free(pp);
}

static void topic_destroy(struct kfk_ptopic *tp,
                          void (*free_batch)(struct kfk_pbatch *, void *),
                          void (*free_pending)(struct kfk_pending *, void *),
                          void *arg)
{
	struct kfk_pparts *v, *next;
	int32_t i;

	if (tp->pend_head)
		free_pending(tp->pend_head, arg); /* frees the whole list */
	for (i = 0; i < tp->all_cnt; i++)
		part_free(tp->all[i], free_batch, arg);
	free(tp->all);
	free(atomic_load(&tp->parts));
	for (v = tp->retired; v; v = next) {
		next = v->retired_next;
		free(v);
	}
	topic_free(tp);
}

void kfk_topic_table_destroy(struct kfk_topic_table *t,
                             void (*free_batch)(struct kfk_pbatch *b,
                                                void *arg),
                             void (*free_pending)(struct kfk_pending *pd,
                                                  void *arg),
                             void *arg)
{
	struct kfk_ttab *tab = atomic_load(&t->tab), *r, *next;
	size_t i;

	for (i = 0; i < tab->cap; i++) {
		struct kfk_ptopic *tp = atomic_load(&tab->slot[i]);
		if (tp)
			topic_destroy(tp, free_batch, free_pending, arg);
	}
	free(tab);
	for (r = t->retired; r; r = next) {
		next = r->retired_next;
		free(r);
	}
	pthread_mutex_destroy(&t->lock);
}
