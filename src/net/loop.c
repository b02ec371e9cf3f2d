/*
 * net/loop.c: the per-thread event loop (see loop.h for the contract).
 *
 * One round: run queued tasks (at most a batch, so a flood of posts cannot
 * starve the sockets), fire expired timers, then epoll_wait() for fds, the
 * wake-up eventfd, or the next timer deadline, and dispatch what is ready.
 *
 * Wake-up protocol (why a burst of posts costs at most one write()):
 * before it may sleep the loop sets `polling`, then looks at the task queue
 * once more; a producer pushes, then looks at `polling`, and only if it is
 * set does it clear it and write the eventfd. The loop's store and load and
 * the producer's push (an exchange on the queue head, see util/mpsc.h) and
 * load are all seq_cst, so at least one side sees the other: either the
 * loop sees the task and does not sleep, or the producer sees `polling` and
 * wakes it. Clearing `polling` with an exchange makes exactly one of many
 * concurrent producers pay for the write().
 */
#include "config.h"

#include "net/loop.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "util/time.h"

/* epoll events collected per round. */
#define KFK_LOOP_MAX_EVENTS 64
/* Tasks run per round before the loop looks at its fds and timers again. */
#define KFK_LOOP_TASK_BATCH 1024

struct kfk_loop {
	struct kfk_mpsc tasks;
	/* Producers read `polling` on every post: keep it off the line the
	 * consumer writes on every pop (the queue's tail). */
	char pad[64];
	atomic_int polling;  /* 1: may be asleep, a post must wake it */
	atomic_int stop;     /* kfk_loop_stop() was called */
	atomic_int running;  /* a thread is inside kfk_loop_run() */
	int epfd;
	int evfd;
	struct kfk_loop_io wake_io;
	struct kfk_timerheap timers;
	/* The round's events; io_remove() clears entries not yet dispatched. */
	struct epoll_event events[KFK_LOOP_MAX_EVENTS];
	int ev_cur;
	int ev_n;
	_Atomic uint64_t wakeups;
	_Atomic uint64_t tasks_run;
	_Atomic uint64_t timers_fired;
	_Atomic uint64_t io_events;
	_Atomic uint64_t polls;
};

static _Thread_local struct kfk_loop *kfk_loop_tls;

/* Loop-thread-only functions check their caller: the running thread, or
 * anyone while nobody runs the loop (set-up and tear-down). */
#define KFK_LOOP_ASSERT_OWNER(loop)                                          \
	assert(kfk_loop_tls == (loop) ||                                         \
	       !atomic_load_explicit(&(loop)->running, memory_order_relaxed))

/* Adds n to a counter that only the loop thread writes: no locked
 * instruction is needed, only an atomic store for the readers. */
static inline void kfk_loop_count(_Atomic uint64_t *c, uint64_t n)
{
	uint64_t v = atomic_load_explicit(c, memory_order_relaxed);

	atomic_store_explicit(c, v + n, memory_order_relaxed);
}

static uint32_t kfk_loop_epoll_bits(unsigned events)
{
	return ((events & KFK_LOOP_READ) ? EPOLLIN : 0u) |
	       ((events & KFK_LOOP_WRITE) ? EPOLLOUT : 0u);
}

static unsigned kfk_loop_ready_bits(uint32_t ev)
{
	return ((ev & EPOLLIN) ? KFK_LOOP_READ : 0u) |
	       ((ev & EPOLLOUT) ? KFK_LOOP_WRITE : 0u) |
	       ((ev & (EPOLLERR | EPOLLHUP)) ? KFK_LOOP_ERROR : 0u);
}

static void kfk_loop_wake(struct kfk_loop *loop)
{
	uint64_t one = 1;

	atomic_fetch_add_explicit(&loop->wakeups, 1, memory_order_relaxed);
	/* EAGAIN would mean the counter is at its maximum: already awake. */
	while (write(loop->evfd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
}

/* The eventfd is readable: reset it; the tasks run at the next round. */
static void kfk_loop_on_wake(struct kfk_loop_io *io, unsigned events,
                             void *arg)
{
	uint64_t v;

	while (read(io->fd, &v, sizeof(v)) < 0 && errno == EINTR)
		;
}

static kfk_err kfk_loop_ctl(struct kfk_loop_io *io, int op, unsigned events)
{
	struct epoll_event ev = { 0 };

	ev.events = kfk_loop_epoll_bits(events);
	ev.data.ptr = io;
	return epoll_ctl(io->loop->epfd, op, io->fd, &ev) < 0 ? KFK_ERR__IO
	                                                       : KFK_ERR_NONE;
}

static kfk_err kfk_loop_io_add_any(struct kfk_loop *loop,
                                   struct kfk_loop_io *io, int fd,
                                   unsigned events, kfk_loop_io_cb *cb,
                                   void *arg)
{
	kfk_err err;

	io->loop = loop;
	io->fd = fd;
	io->events = events & (KFK_LOOP_READ | KFK_LOOP_WRITE);
	io->cb = cb;
	io->arg = arg;
	err = kfk_loop_ctl(io, EPOLL_CTL_ADD, io->events);
	if (err)
		io->loop = NULL;
	return err;
}

static void kfk_loop_free(struct kfk_loop *loop)
{
	if (loop->epfd >= 0)
		close(loop->epfd);
	if (loop->evfd >= 0)
		close(loop->evfd);
	kfk_timerheap_destroy(&loop->timers);
	free(loop);
}

struct kfk_loop *kfk_loop_new(kfk_err *errp)
{
	struct kfk_loop *loop = calloc(1, sizeof(*loop));
	kfk_err err = KFK_ERR__IO;

	if (!loop) {
		if (errp)
			*errp = KFK_ERR__NO_MEMORY;
		return NULL;
	}
	kfk_mpsc_init(&loop->tasks);
	kfk_timerheap_init(&loop->timers);
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	loop->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (loop->epfd >= 0 && loop->evfd >= 0)
		err = kfk_loop_io_add_any(loop, &loop->wake_io, loop->evfd,
		                          KFK_LOOP_READ, kfk_loop_on_wake, NULL);
	if (err) {
		kfk_loop_free(loop);
		loop = NULL;
	}
	if (errp)
		*errp = err;
	return loop;
}

/* Runs up to one batch of tasks; returns 1 when the batch was full (more
 * may be waiting, so the loop must not sleep). */
static int kfk_loop_run_tasks(struct kfk_loop *loop)
{
	struct kfk_mpsc_node *node;
	unsigned n = 0;

	while (n < KFK_LOOP_TASK_BATCH && (node = kfk_mpsc_pop(&loop->tasks))) {
		struct kfk_loop_task *t =
		    KFK_MPSC_ENTRY(node, struct kfk_loop_task, node);
		kfk_loop_task_fn *fn = t->fn;
		void *arg = t->arg;

		/* Last touch of t: fn may free or re-post its own task. */
		if (t->heap)
			free(t);
		fn(arg);
		n++;
	}
	if (n)
		kfk_loop_count(&loop->tasks_run, n);
	return n == KFK_LOOP_TASK_BATCH;
}

void kfk_loop_destroy(struct kfk_loop *loop)
{
	if (!loop)
		return;
	assert(!atomic_load_explicit(&loop->running, memory_order_acquire));
	while (kfk_loop_run_tasks(loop))
		;
	kfk_loop_free(loop);
}

/* Fires the timers that are due. A callback that re-arms its timer for a
 * time already past runs again next round, not in this one: the budget is
 * the number of timers armed when the round began. */
static void kfk_loop_run_timers(struct kfk_loop *loop)
{
	size_t budget = kfk_timerheap_count(&loop->timers);
	struct kfk_timer *t;
	uint64_t n = 0;
	int64_t now;

	if (!budget)
		return;
	now = kfk_now_us();
	while (n < budget && (t = kfk_timerheap_pop_expired(&loop->timers, now))) {
		t->cb(t, t->opaque);
		n++;
	}
	if (n)
		kfk_loop_count(&loop->timers_fired, n);
}

/* epoll_wait()'s timeout for the next timer: -1 for none, rounded up to
 * the millisecond so a timer never fires early. */
static int kfk_loop_timeout(struct kfk_loop *loop)
{
	int64_t next = kfk_timerheap_next(&loop->timers);
	int64_t now, ms;

	if (next == INT64_MAX)
		return -1;
	now = kfk_now_us();
	if (next <= now)
		return 0;
	ms = (next - now + 999) / 1000;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

static void kfk_loop_dispatch(struct kfk_loop *loop, int n)
{
	loop->ev_n = n;
	for (loop->ev_cur = 0; loop->ev_cur < n; loop->ev_cur++) {
		struct epoll_event *ev = &loop->events[loop->ev_cur];
		struct kfk_loop_io *io = ev->data.ptr;

		if (io)  /* NULL: removed by an earlier callback this round */
			io->cb(io, kfk_loop_ready_bits(ev->events), io->arg);
	}
	loop->ev_n = 0;
	loop->ev_cur = 0;
	kfk_loop_count(&loop->io_events, (uint64_t)n);
}

/* Waits for events (up to timeout ms, -1 forever, 0 not at all) and
 * dispatches them. Returns -1 when epoll_wait() failed for good. */
static int kfk_loop_poll(struct kfk_loop *loop, int timeout)
{
	int n;

	if (timeout != 0) {
		atomic_store_explicit(&loop->polling, 1, memory_order_seq_cst);
		if (!kfk_mpsc_empty(&loop->tasks) ||
		    atomic_load_explicit(&loop->stop, memory_order_relaxed)) {
			atomic_store_explicit(&loop->polling, 0,
			                      memory_order_relaxed);
			timeout = 0;
		}
	}
	n = epoll_wait(loop->epfd, loop->events, KFK_LOOP_MAX_EVENTS, timeout);
	/* A producer that still sees 1 only causes one spare wake-up. */
	atomic_store_explicit(&loop->polling, 0, memory_order_relaxed);
	kfk_loop_count(&loop->polls, 1);
	if (n < 0)
		return errno == EINTR ? 0 : -1;
	kfk_loop_dispatch(loop, n);
	return 0;
}

kfk_err kfk_loop_run(struct kfk_loop *loop)
{
	struct kfk_loop *outer = kfk_loop_tls;
	kfk_err err = KFK_ERR_NONE;
	int idle = 0;

	if (!atomic_compare_exchange_strong(&loop->running, &idle, 1))
		return KFK_ERR__STATE;
	kfk_loop_tls = loop;
	while (!atomic_load_explicit(&loop->stop, memory_order_acquire)) {
		int more = kfk_loop_run_tasks(loop);

		kfk_loop_run_timers(loop);
		if (kfk_loop_poll(loop, more ? 0 : kfk_loop_timeout(loop)) < 0) {
			err = KFK_ERR__IO;
			break;
		}
	}
	/* This run consumes the stop; a later run starts afresh. */
	atomic_store_explicit(&loop->stop, 0, memory_order_relaxed);
	kfk_loop_tls = outer;
	atomic_store_explicit(&loop->running, 0, memory_order_release);
	return err;
}

void kfk_loop_stop(struct kfk_loop *loop)
{
	atomic_store_explicit(&loop->stop, 1, memory_order_release);
	kfk_loop_wake(loop);
}

/* Queues t and wakes the loop if it may be asleep (see the top of file). */
static void kfk_loop_enqueue(struct kfk_loop *loop, struct kfk_loop_task *t)
{
	kfk_mpsc_push(&loop->tasks, &t->node);
	if (atomic_load_explicit(&loop->polling, memory_order_seq_cst) &&
	    atomic_exchange_explicit(&loop->polling, 0, memory_order_relaxed))
		kfk_loop_wake(loop);
}

void kfk_loop_post_task(struct kfk_loop *loop, struct kfk_loop_task *t)
{
	t->heap = 0;
	kfk_loop_enqueue(loop, t);
}

kfk_err kfk_loop_post(struct kfk_loop *loop, kfk_loop_task_fn *fn, void *arg)
{
	struct kfk_loop_task *t = malloc(sizeof(*t));

	if (!t)
		return KFK_ERR__NO_MEMORY;
	t->fn = fn;
	t->arg = arg;
	t->heap = 1;
	kfk_loop_enqueue(loop, t);
	return KFK_ERR_NONE;
}

struct kfk_loop *kfk_loop_current(void)
{
	return kfk_loop_tls;
}

void kfk_loop_stats(struct kfk_loop *loop, struct kfk_loop_stats *st)
{
	st->wakeups = atomic_load_explicit(&loop->wakeups, memory_order_relaxed);
	st->tasks_run =
	    atomic_load_explicit(&loop->tasks_run, memory_order_relaxed);
	st->timers_fired =
	    atomic_load_explicit(&loop->timers_fired, memory_order_relaxed);
	st->io_events =
	    atomic_load_explicit(&loop->io_events, memory_order_relaxed);
	st->polls = atomic_load_explicit(&loop->polls, memory_order_relaxed);
}

kfk_err kfk_loop_io_add(struct kfk_loop *loop, struct kfk_loop_io *io, int fd,
                        unsigned events, kfk_loop_io_cb *cb, void *arg)
{
	KFK_LOOP_ASSERT_OWNER(loop);
	return kfk_loop_io_add_any(loop, io, fd, events, cb, arg);
}

kfk_err kfk_loop_io_modify(struct kfk_loop_io *io, unsigned events)
{
	kfk_err err;

	KFK_LOOP_ASSERT_OWNER(io->loop);
	events &= KFK_LOOP_READ | KFK_LOOP_WRITE;
	if (events == io->events)
		return KFK_ERR_NONE;
	err = kfk_loop_ctl(io, EPOLL_CTL_MOD, events);
	if (!err)
		io->events = events;
	return err;
}

void kfk_loop_io_remove(struct kfk_loop_io *io)
{
	struct kfk_loop *loop = io->loop;
	int i;

	if (!loop)
		return;
	KFK_LOOP_ASSERT_OWNER(loop);
	epoll_ctl(loop->epfd, EPOLL_CTL_DEL, io->fd, NULL);
	for (i = loop->ev_cur + 1; i < loop->ev_n; i++)
		if (loop->events[i].data.ptr == io)
			loop->events[i].data.ptr = NULL;
	io->loop = NULL;
}

kfk_err kfk_loop_timer_arm(struct kfk_loop *loop, struct kfk_timer *t,
                           int64_t deadline)
{
	KFK_LOOP_ASSERT_OWNER(loop);
	return kfk_timerheap_rearm(&loop->timers, t, deadline);
}

int kfk_loop_timer_cancel(struct kfk_loop *loop, struct kfk_timer *t)
{
	KFK_LOOP_ASSERT_OWNER(loop);
	return kfk_timerheap_cancel(&loop->timers, t);
}
