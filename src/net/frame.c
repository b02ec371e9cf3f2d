/*
 * net/frame.c: kept response frames (see frame.h).
 */
#include "config.h"

#include "net/frame.h"

#include <stdlib.h>
#include <string.h>

struct kfk_inblock *kfk_inblock_new(size_t cap)
{
	struct kfk_inblock *b = malloc(sizeof(*b) + cap);

	if (!b)
		return NULL;
	atomic_init(&b->refs, 1);
	b->cap = cap;
	return b;
}

void kfk_inblock_unref(struct kfk_inblock *b)
{
	if (b && atomic_fetch_sub_explicit(&b->refs, 1,
	                                   memory_order_acq_rel) == 1)
		free(b);
}

struct kfk_frame *kfk_frame_copy(const uint8_t *p, size_t len)
{
	struct kfk_frame *f = malloc(sizeof(*f) + len);

	if (!f)
		return NULL;
	atomic_init(&f->refs, 1);
	f->block = NULL;
	f->len = len;
	f->p = (const uint8_t *)(f + 1);
	if (len)
		memcpy(f + 1, p, len);
	return f;
}

struct kfk_frame *kfk_frame_keep(struct kfk_inblock *b, const uint8_t *p,
                                 size_t len)
{
	struct kfk_frame *f;

	/* A small frame would pin a block many times its size. */
	if (!b || len < b->cap / 4)
		return kfk_frame_copy(p, len);
	f = malloc(sizeof(*f));
	if (!f)
		return NULL;
	atomic_init(&f->refs, 1);
	atomic_fetch_add_explicit(&b->refs, 1, memory_order_relaxed);
	f->block = b;
	f->p = p;
	f->len = len;
	return f;
}

struct kfk_frame *kfk_frame_ref(struct kfk_frame *f)
{
	atomic_fetch_add_explicit(&f->refs, 1, memory_order_relaxed);
	return f;
}

void kfk_frame_unref(struct kfk_frame *f)
{
	if (!f || atomic_fetch_sub_explicit(&f->refs, 1,
	                                    memory_order_acq_rel) != 1)
		return;
	kfk_inblock_unref(f->block);
	free(f);
}
