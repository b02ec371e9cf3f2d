/*
 * net/pool.h: the fixed pool of I/O threads.
 *
 * A client starts io.threads threads when it is created, each running one
 * event loop (net/loop.h), and spreads its broker connections over them.
 * No thread is ever started per broker or per connection: 300 brokers still
 * mean a handful of threads (architecture.md, "Threads").
 *
 * The I/O threads block every signal, so that the application's signal
 * handlers run on its own threads and never interrupt a loop.
 *
 * Thread rules: kfk_pool_new() and kfk_pool_destroy() from one thread (the
 * client's creator / destroyer), never from an I/O thread of the pool.
 * Everything else from any thread.
 */
#ifndef KFK_NET_POOL_H
#define KFK_NET_POOL_H

#include <kfk/errors.h>

#include "net/loop.h"

struct kfk_pool;

/* The io.threads to use: `configured` when it is > 0, else the number of
 * online CPUs (sysconf); at least 1. Never sized from the bootstrap list:
 * one bootstrap name may stand for a whole cluster, and the pool cannot
 * grow once the real brokers are known. */
int kfk_pool_thread_count(int configured);

/* Starts exactly nthreads (>= 1) threads, each running its own loop, named
 * "<name>-<i>" (e.g. "kfk-io-0"; name NULL means "kfk-io"; the kernel keeps
 * 15 characters). Blocks only to create the threads. Returns NULL and sets
 * *errp (KFK_ERR__INVALID_ARG, KFK_ERR__NO_MEMORY, KFK_ERR__IO: no more
 * fds or threads) on failure, with nothing left running; errp may be NULL.
 * The caller owns the pool. */
struct kfk_pool *kfk_pool_new(int nthreads, const char *name, kfk_err *errp);

/* Stops every loop and joins every thread; then destroys the loops (tasks
 * still queued run on the calling thread, see kfk_loop_destroy()). Blocks
 * until all threads have returned, which takes at most one round of each
 * loop: a callback that never returns blocks this forever. Nobody may post
 * to the pool's loops once this has started. NULL is a no-op. */
void kfk_pool_destroy(struct kfk_pool *pool);

/* Number of threads (and loops). */
int kfk_pool_size(const struct kfk_pool *pool);

/* The loop of thread i, 0 <= i < kfk_pool_size(). */
struct kfk_loop *kfk_pool_loop(struct kfk_pool *pool, int i);

/* Chooses the loop for a new connection: the one with the fewest
 * connections, ties going round robin, and counts the connection there.
 * Takes the pool's lock briefly; never blocks otherwise. Pair every pick
 * with one kfk_pool_release() when the connection goes away. */
struct kfk_loop *kfk_pool_pick(struct kfk_pool *pool);

/* The loop for a short-lived connection (a bootstrap broker, replaced by
 * the cluster's own brokers once metadata names them): the one
 * kfk_pool_pick() would choose, but neither counted nor moving the
 * round-robin start, so that the first real broker lands where the
 * bootstrap one was. With one broker that is loop 0, the control loop:
 * its requests and their completions then need no hand-off between
 * threads (at 10,000 records/s with linger.ms=0 that hand-off tripled the
 * producer's CPU). Never release it. */
struct kfk_loop *kfk_pool_pick_temp(struct kfk_pool *pool);

/* Uncounts a connection that kfk_pool_pick() placed on loop. Takes the
 * pool's lock briefly. */
void kfk_pool_release(struct kfk_pool *pool, struct kfk_loop *loop);

/* Connections currently counted on thread i (for stats and tests). */
int kfk_pool_load(struct kfk_pool *pool, int i);

#endif /* KFK_NET_POOL_H */
