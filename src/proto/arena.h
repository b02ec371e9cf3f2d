/*
 * proto/arena.h: bump allocation for decoded messages.
 *
 * A decoder allocates every array of a response from one arena; the whole
 * decoded message is released at once with kfk_arena_reset() or
 * kfk_arena_destroy(). Memory comes in chunks that grow geometrically, so
 * a decode costs a handful of malloc() calls at most, and none at all once
 * a reused arena has grown to the size of the messages it sees.
 *
 * An arena belongs to one thread at a time; nothing here locks or blocks.
 */
#ifndef KFK_PROTO_ARENA_H
#define KFK_PROTO_ARENA_H

#include <stddef.h>
#include <stdint.h>

#include "proto/buf.h"

/* Every allocation is aligned for any object type. */
#define KFK_ARENA_ALIGN _Alignof(max_align_t)

struct kfk_arena_chunk;

typedef struct kfk_arena {
	struct kfk_arena_chunk *chunks; /* heap chunks, newest first */
	uint8_t *p;                     /* free space of the current chunk */
	uint8_t *end;
	uint8_t *first;                 /* caller's initial storage, or NULL */
	size_t first_size;
	size_t next_size;               /* size of the next heap chunk */
	size_t used;                    /* bytes handed out since the reset */
} kfk_arena;

/* An empty arena; the first allocation mallocs a chunk. */
void kfk_arena_init(kfk_arena *a);

/* An arena that starts in the caller's buf[0..size) (for instance on the
 * stack) and only goes to the heap when that is full. buf must outlive
 * the arena's use; it is never freed. */
void kfk_arena_init_buf(kfk_arena *a, void *buf, size_t size);

/* Releases everything allocated, keeping the newest heap chunk (the
 * largest) for reuse, so a loop decoding similar messages stops calling
 * malloc(). Every pointer handed out before becomes invalid. */
void kfk_arena_reset(kfk_arena *a);

/* Frees all heap memory; the arena may be initialised again. */
void kfk_arena_destroy(kfk_arena *a);

/* Slow path of kfk_arena_alloc(): a new chunk. */
void *kfk_arena_alloc_slow(kfk_arena *a, size_t size);

/* Returns size bytes (uninitialised, aligned to KFK_ARENA_ALIGN), or NULL
 * when malloc() fails. Size 0 returns a valid pointer to no bytes. */
static inline void *kfk_arena_alloc(kfk_arena *a, size_t size)
{
	size_t rounded = (size + KFK_ARENA_ALIGN - 1) & ~(KFK_ARENA_ALIGN - 1);
	if (a->p && rounded >= size && (size_t)(a->end - a->p) >= rounded) {
		void *r = a->p;
		a->p += rounded;
		a->used += rounded;
		return r;
	}
	return kfk_arena_alloc_slow(a, size);
}

/* n elements of size bytes, NULL on overflow or malloc() failure. */
static inline void *kfk_arena_alloc_array(kfk_arena *a, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return kfk_arena_alloc(a, n * size);
}

/* For decoders: n elements of an array just read from r (n from
 * kfk_rbuf_read_array_len(), so already bounded by the input). Returns
 * NULL for n <= 0 and, with KFK_ERR__NO_MEMORY set on r, when memory runs
 * out. */
static inline void *kfk_arena_decode_array(kfk_arena *a, kfk_rbuf *r,
                                           int32_t n, size_t size)
{
	void *p;
	if (n <= 0 || r->err)
		return NULL;
	p = kfk_arena_alloc_array(a, (size_t)n, size);
	if (!p)
		kfk_rbuf_fail(r, KFK_ERR__NO_MEMORY);
	return p;
}

#endif /* KFK_PROTO_ARENA_H */
