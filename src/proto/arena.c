/*
 * proto/arena.c: chunk management of the decode arena.
 */
#include "config.h"

#include <stdlib.h>

#include "proto/arena.h"

/* First heap chunk, and the largest a chunk grows to by doubling (bigger
 * requests get a chunk of their own size). */
#define KFK_ARENA_FIRST_CHUNK 4096
#define KFK_ARENA_MAX_CHUNK (1024 * 1024)

struct kfk_arena_chunk {
	struct kfk_arena_chunk *next;
	size_t size; /* bytes of data[] */
	_Alignas(KFK_ARENA_ALIGN) uint8_t data[];
};

void kfk_arena_init(kfk_arena *a)
{
	a->chunks = NULL;
	a->p = NULL;
	a->end = NULL;
	a->first = NULL;
	a->first_size = 0;
	a->next_size = KFK_ARENA_FIRST_CHUNK;
	a->used = 0;
}

/* Aligns the start of caller storage; what does not fit is unused. */
static void use_first(kfk_arena *a)
{
	uintptr_t u = (uintptr_t)a->first;
	uintptr_t al = (u + KFK_ARENA_ALIGN - 1) & ~(uintptr_t)(KFK_ARENA_ALIGN - 1);
	if (!a->first || al - u >= a->first_size) {
		a->p = a->end = NULL;
		return;
	}
	a->p = a->first + (al - u);
	a->end = a->first + a->first_size;
}

void kfk_arena_init_buf(kfk_arena *a, void *buf, size_t size)
{
	kfk_arena_init(a);
	a->first = buf;
	a->first_size = buf ? size : 0;
	use_first(a);
}

static void free_chunks(struct kfk_arena_chunk *c)
{
	while (c) {
		struct kfk_arena_chunk *next = c->next;
		free(c);
		c = next;
	}
}

void kfk_arena_reset(kfk_arena *a)
{
	struct kfk_arena_chunk *keep = a->chunks;
	a->used = 0;
	if (!keep) {
		use_first(a);
		return;
	}
	free_chunks(keep->next);
	keep->next = NULL;
	a->p = keep->data;
	a->end = keep->data + keep->size;
}

void kfk_arena_destroy(kfk_arena *a)
{
	free_chunks(a->chunks);
	kfk_arena_init(a);
}

void *kfk_arena_alloc_slow(kfk_arena *a, size_t size)
{
	size_t rounded = (size + KFK_ARENA_ALIGN - 1) & ~(KFK_ARENA_ALIGN - 1);
	size_t csize = a->next_size;
	struct kfk_arena_chunk *c;
	void *r;
	if (rounded < size || rounded > SIZE_MAX - sizeof *c)
		return NULL;
	if (rounded == 0)
		rounded = KFK_ARENA_ALIGN;
	if (csize < rounded)
		csize = rounded;
	c = malloc(sizeof *c + csize);
	if (!c)
		return NULL;
	c->size = csize;
	c->next = a->chunks;
	a->chunks = c;
	if (a->next_size < KFK_ARENA_MAX_CHUNK)
		a->next_size *= 2;
	r = c->data;
	a->p = c->data + rounded;
	a->end = c->data + csize;
	a->used += rounded;
	return r;
}
