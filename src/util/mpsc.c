/*
 * util/mpsc.c: Vyukov's intrusive MPSC queue (see mpsc.h for the contract).
 *
 * The nodes form a singly linked list from tail (oldest) to head (newest).
 * The stub node keeps the list non-empty: when the consumer is about to take
 * the last real node it pushes the stub behind it first, so taking a node
 * never needs the head to be reset to NULL (which would race with pushes).
 */
#include "config.h"

#include "util/mpsc.h"

#include <sched.h>

/* Tells the CPU we are spinning (saves power, frees the sibling thread). */
static inline void kfk_mpsc_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#endif
}

void kfk_mpsc_init(struct kfk_mpsc *q)
{
	atomic_init(&q->stub.next, NULL);
	atomic_init(&q->head, &q->stub);
	q->tail = &q->stub;
}

void kfk_mpsc_push(struct kfk_mpsc *q, struct kfk_mpsc_node *n)
{
	struct kfk_mpsc_node *prev;

	atomic_store_explicit(&n->next, NULL, memory_order_relaxed);
	prev = atomic_exchange_explicit(&q->head, n, memory_order_seq_cst);
	/* Between the exchange and this store the queue is "busy": the
	 * consumer can see the new head but cannot reach it yet. The release
	 * publishes n's contents to the consumer's acquire load of ->next. */
	atomic_store_explicit(&prev->next, n, memory_order_release);
}

/* Waits until the producer that owns the link after n has stored it. The
 * producer is at most a few instructions from done unless it was preempted,
 * hence a short spin and then sched_yield() to let it run. */
static struct kfk_mpsc_node *kfk_mpsc_wait_next(struct kfk_mpsc_node *n)
{
	struct kfk_mpsc_node *next;
	unsigned spins = 0;

	while (!(next = atomic_load_explicit(&n->next, memory_order_acquire))) {
		if (++spins < 64)
			kfk_mpsc_relax();
		else
			sched_yield();
	}
	return next;
}

struct kfk_mpsc_node *kfk_mpsc_pop(struct kfk_mpsc *q)
{
	struct kfk_mpsc_node *tail = q->tail;
	struct kfk_mpsc_node *next;

	next = atomic_load_explicit(&tail->next, memory_order_acquire);
	if (tail == &q->stub) {
		if (!next) {
			if (atomic_load_explicit(&q->head, memory_order_acquire) ==
			    &q->stub)
				return NULL;
			next = kfk_mpsc_wait_next(tail);
		}
		/* Skip the stub: the first real node becomes the tail. */
		q->tail = next;
		tail = next;
		next = atomic_load_explicit(&tail->next, memory_order_acquire);
	}
	if (next) {
		q->tail = next;
		return tail;
	}
	/* tail looks like the last node. If the head moved on, a producer is
	 * linking behind it; otherwise put the stub behind it so that it can
	 * be taken while the list stays non-empty. */
	if (atomic_load_explicit(&q->head, memory_order_acquire) == tail)
		kfk_mpsc_push(q, &q->stub);
	/* Either the stub or a node whose push raced with ours follows now. */
	q->tail = kfk_mpsc_wait_next(tail);
	return tail;
}

int kfk_mpsc_empty(struct kfk_mpsc *q)
{
	/* Empty means the consumer sits on the stub and nothing was pushed
	 * behind it; any exchange on the head makes this false. */
	return q->tail == &q->stub &&
	       atomic_load_explicit(&q->head, memory_order_seq_cst) == &q->stub;
}
