/*
 * net/frame.h: response frames that outlive the callback that delivered
 * them.
 *
 * A connection reads into one input block and hands each frame over as a
 * view into it, valid during the callback. A consumer's Fetch response is
 * megabytes of records the application reads long after: copying them out
 * would cost a pass over every byte. So the input block is reference
 * counted, and whoever wants to keep a frame takes a kfk_frame: a
 * reference to the block the frame lies in (the connection then reads on
 * into a fresh block instead of reusing the kept one), or, for a frame
 * small beside its block, a copy of just its bytes (a 200-byte Metadata
 * answer must not pin a 1 MB block). Either way the bytes never move while
 * a reference lives.
 *
 * Threads: a block is filled on its connection's loop; kept frames are
 * read-only and may be used and released on any thread.
 */
#ifndef KFK_NET_FRAME_H
#define KFK_NET_FRAME_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* A connection's input block. */
struct kfk_inblock {
	atomic_int refs;      /* the connection's own, plus one per frame */
	size_t cap;
	uint8_t data[];
};

/* A kept frame: len bytes at p, alive until the last kfk_frame_unref(). */
struct kfk_frame {
	atomic_int refs;
	const uint8_t *p;
	size_t len;
	struct kfk_inblock *block; /* NULL: the bytes follow this struct */
};

/* A block of cap bytes with one reference (the caller's); NULL on ENOMEM. */
struct kfk_inblock *kfk_inblock_new(size_t cap);

/* Drops one reference; the last frees the block. NULL is ignored. */
void kfk_inblock_unref(struct kfk_inblock *b);

/* True when someone besides its creator holds the block: it must not be
 * written into again. */
static inline int kfk_inblock_shared(struct kfk_inblock *b)
{
	return atomic_load_explicit(&b->refs, memory_order_acquire) > 1;
}

/* Keeps len bytes at p, which lie in block b: a reference to b when the
 * frame is at least a quarter of it, else a copy. NULL on ENOMEM. */
struct kfk_frame *kfk_frame_keep(struct kfk_inblock *b, const uint8_t *p,
                                 size_t len);

/* A frame holding a copy of len bytes at p (no block involved). */
struct kfk_frame *kfk_frame_copy(const uint8_t *p, size_t len);

struct kfk_frame *kfk_frame_ref(struct kfk_frame *f);

/* Drops one reference; NULL is ignored. Any thread. */
void kfk_frame_unref(struct kfk_frame *f);

#endif /* KFK_NET_FRAME_H */
