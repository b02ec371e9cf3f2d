/*
 * net/loop.h: the event loop, one per I/O thread.
 *
 * A loop owns an epoll set (the sockets of its connections), a timer heap
 * (their timeouts) and a task queue through which every other thread talks
 * to it. It is the only way work reaches an I/O thread: other threads never
 * touch a connection directly, they post a task that runs on the loop thread.
 *
 * Thread rules, in short:
 *  - Any thread: kfk_loop_post(), kfk_loop_post_task(), kfk_loop_stop(),
 *    kfk_loop_stats(), kfk_loop_current().
 *  - The loop thread only: the kfk_loop_io_* and kfk_loop_timer_*
 *    functions. "The loop thread" is the thread inside kfk_loop_run(), or,
 *    while no thread runs the loop, the one thread that set it up or tears
 *    it down. Debug builds (no NDEBUG) assert this where they can tell.
 *  - kfk_loop_new() / kfk_loop_destroy(): one thread, loop not running.
 * Callbacks (tasks, I/O, timers) all run on the loop thread, one at a time,
 * and may call any of the loop-thread functions, including kfk_loop_stop().
 * They must not block: a blocked callback stalls every connection of the
 * loop. No application callback ever runs here (architecture.md).
 *
 * Wake-ups: a post writes the loop's eventfd only when the loop may be
 * asleep in epoll_wait(). While the loop is busy, posts just enqueue, so a
 * burst of posts costs at most one write() (stats: wakeups).
 */
#ifndef KFK_NET_LOOP_H
#define KFK_NET_LOOP_H

#include <stdint.h>

#include <kfk/errors.h>

#include "util/mpsc.h"
#include "util/timerheap.h"

struct kfk_loop;
struct kfk_loop_io;

/* A task: fn(arg) on the loop thread. */
typedef void kfk_loop_task_fn(void *arg);

/* A task embedded in the caller's object, for kfk_loop_post_task(). */
struct kfk_loop_task {
	struct kfk_mpsc_node node;  /* private to the loop */
	kfk_loop_task_fn *fn;
	void *arg;
	int heap;                   /* private: 1 when the loop frees it */
};

/* Interest and event bits for file descriptors. */
enum kfk_loop_ev {
	KFK_LOOP_READ = 1u << 0,   /* readable, or the peer closed */
	KFK_LOOP_WRITE = 1u << 1,  /* writable */
	KFK_LOOP_ERROR = 1u << 2   /* error or hang-up; reported, never asked */
};

/* Called on the loop thread with the events that are ready (a mix of
 * KFK_LOOP_* bits). Level-triggered: a condition that is not consumed is
 * reported again on the next round. */
typedef void kfk_loop_io_cb(struct kfk_loop_io *io, unsigned events,
                            void *arg);

/* One registered fd, embedded in its owner (a connection). Fields are
 * read-only for the owner while registered. */
struct kfk_loop_io {
	struct kfk_loop *loop;  /* the loop it is registered with, or NULL */
	int fd;
	unsigned events;        /* current interest (KFK_LOOP_READ|WRITE) */
	kfk_loop_io_cb *cb;
	void *arg;
};

/* Counters; each is read atomically, the set is not a snapshot. */
struct kfk_loop_stats {
	uint64_t wakeups;       /* eventfd write()s: wake-ups and stops */
	uint64_t tasks_run;     /* tasks that ran */
	uint64_t timers_fired;  /* timer callbacks that ran */
	uint64_t io_events;     /* fd callbacks that ran */
	uint64_t polls;         /* epoll_wait() calls */
};

/* Creates a loop (epoll set, eventfd). Returns NULL and sets *errp
 * (KFK_ERR__NO_MEMORY, KFK_ERR__IO: out of fds) on failure; errp may be
 * NULL. The caller owns the loop. */
struct kfk_loop *kfk_loop_new(kfk_err *errp);

/* Frees the loop. It must not be running (kfk_loop_run() has returned or
 * never started) and no thread may post to it any more. Tasks still queued
 * are run here, on the calling thread, so that they can release what their
 * arg holds. Registered fds are forgotten (not closed); armed timers become
 * idle. */
void kfk_loop_destroy(struct kfk_loop *loop);

/* Runs the loop on the calling thread until kfk_loop_stop(). Blocks.
 * Returns KFK_ERR_NONE after a stop, KFK_ERR__STATE if another thread is
 * running it, KFK_ERR__IO if epoll_wait() failed for good. */
kfk_err kfk_loop_run(struct kfk_loop *loop);

/* Asks the loop to return from kfk_loop_run() at the end of its current
 * round (at most one batch of tasks, the expired timers and one batch of fd
 * events). Any thread; never blocks; one write() on the eventfd. Each stop ends one run: a stop
 * requested while the loop is not running makes the next run return at
 * once. Tasks posted but not run stay queued. */
void kfk_loop_stop(struct kfk_loop *loop);

/* Queues fn(arg) to run on the loop thread. Any thread; never blocks.
 * Allocates the task: KFK_ERR__NO_MEMORY on failure (nothing queued). Tasks
 * run in the order they were posted (per posting thread; across threads in
 * the order their posts took effect). */
kfk_err kfk_loop_post(struct kfk_loop *loop, kfk_loop_task_fn *fn, void *arg);

/* The same without allocating: t->fn and t->arg must be set; t belongs to
 * the caller and must not be posted again until its fn has started (the
 * loop does not touch t after reading fn and arg, so fn may re-post or free
 * it). Any thread; never blocks, never fails. */
void kfk_loop_post_task(struct kfk_loop *loop, struct kfk_loop_task *t);

/* The loop the calling thread is running (inside kfk_loop_run()), or NULL. */
struct kfk_loop *kfk_loop_current(void);

/* Fills *st. Any thread. */
void kfk_loop_stats(struct kfk_loop *loop, struct kfk_loop_stats *st);

/* Registers fd with interest events (KFK_LOOP_READ|KFK_LOOP_WRITE, maybe
 * 0); cb(io, ready, arg) runs on the loop thread when it is ready; errors
 * and hang-ups are always reported. Loop thread only. KFK_ERR__IO if epoll
 * refused the fd (errno kept). */
kfk_err kfk_loop_io_add(struct kfk_loop *loop, struct kfk_loop_io *io, int fd,
                        unsigned events, kfk_loop_io_cb *cb, void *arg);

/* Changes the interest of a registered io. Loop thread only. */
kfk_err kfk_loop_io_modify(struct kfk_loop_io *io, unsigned events);

/* Unregisters io; no callback for it runs after this returns, even for
 * events already collected in the current round. Call before closing the
 * fd. Loop thread only; a no-op on an io that is not registered. */
void kfk_loop_io_remove(struct kfk_loop_io *io);

/* Arms (or moves) timer t to fire at deadline, monotonic microseconds
 * (util/time.h); its callback then runs on the loop thread. A deadline in
 * the past fires on the next round. Loop thread only. KFK_ERR__NO_MEMORY
 * only when t was idle and the heap could not grow. */
kfk_err kfk_loop_timer_arm(struct kfk_loop *loop, struct kfk_timer *t,
                           int64_t deadline);

/* Disarms t; returns 1 if it was armed. Loop thread only. */
int kfk_loop_timer_cancel(struct kfk_loop *loop, struct kfk_timer *t);

#endif /* KFK_NET_LOOP_H */
