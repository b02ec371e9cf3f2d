/*
 * util/mpsc.h: an intrusive multi-producer, single-consumer queue.
 *
 * This is the message-passing primitive between threads: application and
 * control threads push, one event loop pops. The node is embedded in the
 * caller's object (struct kfk_mpsc_node inside a task, a request, ...), so a
 * push never allocates and never fails.
 *
 * Which algorithm and why: Dmitry Vyukov's intrusive MPSC queue, written
 * with C11 atomics. A push is one atomic exchange on the queue's head plus
 * one release store: producers never wait for each other or for the
 * consumer, and there is no lock for a preempted thread to hold. A mutex
 * around an intrusive list was the alternative; it is simpler but every push
 * then contends for the lock with the other producers and with the consumer,
 * and a producer preempted inside the critical section stalls everyone.
 *
 * The one non-lock-free moment: a producer that has exchanged the head but
 * not yet linked its predecessor leaves the queue "busy" for a few
 * instructions. kfk_mpsc_pop() then waits (spins, yielding the CPU after a
 * few rounds) for that link, so that NULL from pop always means empty and
 * the consumer never mistakes an in-flight push for an empty queue.
 *
 * Thread rules: kfk_mpsc_push() from any thread, at any time. kfk_mpsc_pop()
 * and kfk_mpsc_empty() from one consumer thread at a time (the owner of the
 * queue; ownership may move between threads only with a happens-before edge,
 * e.g. a thread join). FIFO: items pushed by one thread come out in the order
 * that thread pushed them; items of different threads interleave in the
 * order their pushes' atomic exchanges took effect.
 */
#ifndef KFK_UTIL_MPSC_H
#define KFK_UTIL_MPSC_H

#include <stdatomic.h>
#include <stddef.h>

/* Embed one in every object that travels through a queue. An object may be
 * in at most one queue at a time and must not be pushed again before the
 * consumer has popped it. */
struct kfk_mpsc_node {
	_Atomic(struct kfk_mpsc_node *) next;
};

struct kfk_mpsc {
	/* The last node pushed; every producer exchanges it. */
	_Atomic(struct kfk_mpsc_node *) head;
	/* Keeps the producers' cache line apart from the consumer's. */
	char pad[64 - sizeof(void *)];
	/* The oldest node (consumer only). */
	struct kfk_mpsc_node *tail;
	/* Placeholder that lets the queue be empty without a NULL head. */
	struct kfk_mpsc_node stub;
};

/* The containing object of a node: KFK_MPSC_ENTRY(n, struct task, node). */
#define KFK_MPSC_ENTRY(ptr, type, member)                                    \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

/* Makes q an empty queue. Not thread-safe: call before sharing q. */
void kfk_mpsc_init(struct kfk_mpsc *q);

/* Appends n. Any thread; never blocks, never allocates, never fails. The
 * exchange on the head is sequentially consistent: the event loop's wake-up
 * protocol (net/loop.c) relies on a push being ordered before the producer's
 * next seq_cst load. */
void kfk_mpsc_push(struct kfk_mpsc *q, struct kfk_mpsc_node *n);

/* Removes and returns the oldest node, or NULL when the queue is empty.
 * Consumer thread only. Does not block except for the short wait described
 * above, while a concurrent push is between its two steps. */
struct kfk_mpsc_node *kfk_mpsc_pop(struct kfk_mpsc *q);

/* 1 when no push has been started that pop has not returned yet, else 0.
 * Consumer thread only; its load of the head is sequentially consistent
 * (the other half of the loop's wake-up protocol). */
int kfk_mpsc_empty(struct kfk_mpsc *q);

#endif /* KFK_UTIL_MPSC_H */
