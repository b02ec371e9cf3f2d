/*
 * util/timerheap.c: the binary min-heap behind util/timerheap.h.
 *
 * Classic array heap: the children of slot i are 2i+1 and 2i+2. Every move
 * of a timer updates its index, which is what makes cancel O(log n).
 */
#include "config.h"

#include "util/timerheap.h"

#include <stdlib.h>

/* 1 when a fires before b. */
static int kfk_timer_before(const struct kfk_timer *a, const struct kfk_timer *b)
{
	if (a->deadline != b->deadline)
		return a->deadline < b->deadline;
	return a->seq < b->seq;
}

static void kfk_timerheap_place(struct kfk_timerheap *h, size_t i,
                                struct kfk_timer *t)
{
	h->v[i] = t;
	t->index = i;
}

/* Moves t, which belongs at slot i, up until its parent fires earlier. */
static void kfk_timerheap_up(struct kfk_timerheap *h, size_t i,
                             struct kfk_timer *t)
{
	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (!kfk_timer_before(t, h->v[parent]))
			break;
		kfk_timerheap_place(h, i, h->v[parent]);
		i = parent;
	}
	kfk_timerheap_place(h, i, t);
}

/* Moves t, which belongs at slot i, down until its children fire later. */
static void kfk_timerheap_down(struct kfk_timerheap *h, size_t i,
                               struct kfk_timer *t)
{
	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= h->n)
			break;
		if (c + 1 < h->n && kfk_timer_before(h->v[c + 1], h->v[c]))
			c++;
		if (!kfk_timer_before(h->v[c], t))
			break;
		kfk_timerheap_place(h, i, h->v[c]);
		i = c;
	}
	kfk_timerheap_place(h, i, t);
}

/* Restores the heap around slot i after its timer changed deadline. */
static void kfk_timerheap_fix(struct kfk_timerheap *h, size_t i)
{
	struct kfk_timer *t = h->v[i];

	if (i > 0 && kfk_timer_before(t, h->v[(i - 1) / 2]))
		kfk_timerheap_up(h, i, t);
	else
		kfk_timerheap_down(h, i, t);
}

static kfk_err kfk_timerheap_grow(struct kfk_timerheap *h)
{
	size_t cap = h->cap ? h->cap * 2 : 16;
	struct kfk_timer **v = realloc(h->v, cap * sizeof(*v));

	if (!v)
		return KFK_ERR__NO_MEMORY;
	h->v = v;
	h->cap = cap;
	return KFK_ERR_NONE;
}

void kfk_timer_init(struct kfk_timer *t, kfk_timer_cb *cb, void *opaque)
{
	t->deadline = 0;
	t->seq = 0;
	t->cb = cb;
	t->opaque = opaque;
	t->index = KFK_TIMER_IDLE;
}

void kfk_timerheap_init(struct kfk_timerheap *h)
{
	h->v = NULL;
	h->n = 0;
	h->cap = 0;
	h->seq = 0;
}

void kfk_timerheap_destroy(struct kfk_timerheap *h)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		h->v[i]->index = KFK_TIMER_IDLE;
	free(h->v);
	kfk_timerheap_init(h);
}

kfk_err kfk_timerheap_add(struct kfk_timerheap *h, struct kfk_timer *t,
                          int64_t deadline)
{
	if (kfk_timer_armed(t))
		return KFK_ERR__STATE;
	if (h->n == h->cap) {
		kfk_err err = kfk_timerheap_grow(h);

		if (err)
			return err;
	}
	t->deadline = deadline;
	t->seq = h->seq++;
	h->n++;
	kfk_timerheap_up(h, h->n - 1, t);
	return KFK_ERR_NONE;
}

kfk_err kfk_timerheap_rearm(struct kfk_timerheap *h, struct kfk_timer *t,
                            int64_t deadline)
{
	if (!kfk_timer_armed(t))
		return kfk_timerheap_add(h, t, deadline);
	t->deadline = deadline;
	t->seq = h->seq++;
	kfk_timerheap_fix(h, t->index);
	return KFK_ERR_NONE;
}

int kfk_timerheap_cancel(struct kfk_timerheap *h, struct kfk_timer *t)
{
	size_t i = t->index;
	struct kfk_timer *last;

	if (i == KFK_TIMER_IDLE)
		return 0;
	t->index = KFK_TIMER_IDLE;
	last = h->v[--h->n];
	if (last != t) {
		/* The last timer fills the hole and finds its place from there:
		 * it may belong above or below the slot. */
		h->v[i] = last;
		last->index = i;
		kfk_timerheap_fix(h, i);
	}
	return 1;
}

struct kfk_timer *kfk_timerheap_pop_expired(struct kfk_timerheap *h,
                                            int64_t now)
{
	struct kfk_timer *t;

	if (h->n == 0 || h->v[0]->deadline > now)
		return NULL;
	t = h->v[0];
	kfk_timerheap_cancel(h, t);
	return t;
}
