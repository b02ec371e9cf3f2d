/*
 * net/pool.c: the I/O thread pool (see pool.h for the contract).
 *
 * The loops are created on the caller's thread before any thread starts, so
 * kfk_pool_new() can fail cleanly (no fds, no memory) without a thread to
 * undo, and every loop exists before anybody can pick it.
 */
#include "config.h"

#include "net/pool.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "util/log.h"

struct kfk_pool_slot {
	struct kfk_loop *loop;
	pthread_t thread;
	int started;  /* thread was created and not yet joined */
	int conns;    /* connections counted here (under the pool lock) */
};

struct kfk_pool {
	int n;
	pthread_mutex_t lock;  /* guards conns and next */
	int next;              /* where the least-loaded search starts */
	struct kfk_pool_slot *slots;
};

int kfk_pool_thread_count(int configured)
{
	long n = configured;

	if (n <= 0)
		n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n <= 0)
		n = 1;
	return (int)n;
}

/* The thread: runs its loop until kfk_pool_destroy() stops it. A loop only
 * fails if epoll_wait() does for good (a bad epoll fd: memory corruption);
 * the thread then ends (it is still joined) and says why on stderr, as the
 * pool has no handle's logger. */
static void *kfk_pool_main(void *arg)
{
	struct kfk_pool_slot *s = arg;
	kfk_err err = kfk_loop_run(s->loop);

	if (err)
		kfk_log(NULL, KFK_LOG_ERR, "IOTHREAD",
		        "I/O thread's event loop failed (%d), thread ends", (int)err);
	return NULL;
}

/* Starts the thread of slot i with every signal blocked (the new thread
 * inherits the mask; the caller's own mask is restored). */
static kfk_err kfk_pool_start(struct kfk_pool *pool, int i, const char *name)
{
	struct kfk_pool_slot *s = &pool->slots[i];
	sigset_t all, old;
	char tname[16];
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&s->thread, NULL, kfk_pool_main, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		return KFK_ERR__IO;
	s->started = 1;
	/* Named from here, not by the thread itself, so the name is in place
	 * when kfk_pool_new() returns. */
	snprintf(tname, sizeof(tname), "%s-%d", name, i);
	pthread_setname_np(s->thread, tname);
	return KFK_ERR_NONE;
}

/* Stops and joins the started threads, then frees everything. */
static void kfk_pool_free(struct kfk_pool *pool)
{
	int i;

	for (i = 0; i < pool->n; i++)
		if (pool->slots[i].started)
			kfk_loop_stop(pool->slots[i].loop);
	for (i = 0; i < pool->n; i++)
		if (pool->slots[i].started)
			pthread_join(pool->slots[i].thread, NULL);
	for (i = 0; i < pool->n; i++)
		kfk_loop_destroy(pool->slots[i].loop);
	pthread_mutex_destroy(&pool->lock);
	free(pool->slots);
	free(pool);
}

static kfk_err kfk_pool_setup(struct kfk_pool *pool, const char *name)
{
	kfk_err err = KFK_ERR_NONE;
	int i;

	for (i = 0; i < pool->n && !err; i++)
		if (!(pool->slots[i].loop = kfk_loop_new(&err)))
			return err;
	for (i = 0; i < pool->n && !err; i++)
		err = kfk_pool_start(pool, i, name);
	return err;
}

struct kfk_pool *kfk_pool_new(int nthreads, const char *name, kfk_err *errp)
{
	struct kfk_pool *pool = NULL;
	kfk_err err = KFK_ERR__INVALID_ARG;

	if (nthreads < 1)
		goto out;
	err = KFK_ERR__NO_MEMORY;
	if (!(pool = calloc(1, sizeof(*pool))))
		goto out;
	pool->n = nthreads;
	pthread_mutex_init(&pool->lock, NULL);
	if ((pool->slots = calloc((size_t)nthreads, sizeof(*pool->slots))))
		err = kfk_pool_setup(pool, name ? name : "kfk-io");
	if (err) {
		if (!pool->slots)
			pool->n = 0;
		kfk_pool_free(pool);
		pool = NULL;
	}
out:
	if (errp)
		*errp = err;
	return pool;
}

void kfk_pool_destroy(struct kfk_pool *pool)
{
	if (pool)
		kfk_pool_free(pool);
}

int kfk_pool_size(const struct kfk_pool *pool)
{
	return pool->n;
}

struct kfk_loop *kfk_pool_loop(struct kfk_pool *pool, int i)
{
	return pool->slots[i].loop;
}

/* Under pool->lock: the least loaded slot, ties going round robin from
 * pool->next. */
static int least_loaded(const struct kfk_pool *pool)
{
	int i, best = pool->next;

	for (i = 1; i < pool->n; i++) {
		int j = (pool->next + i) % pool->n;

		if (pool->slots[j].conns < pool->slots[best].conns)
			best = j;
	}
	return best;
}

struct kfk_loop *kfk_pool_pick(struct kfk_pool *pool)
{
	int best;

	pthread_mutex_lock(&pool->lock);
	best = least_loaded(pool);
	pool->slots[best].conns++;
	pool->next = (best + 1) % pool->n;
	pthread_mutex_unlock(&pool->lock);
	return pool->slots[best].loop;
}

struct kfk_loop *kfk_pool_pick_temp(struct kfk_pool *pool)
{
	int best;

	pthread_mutex_lock(&pool->lock);
	best = least_loaded(pool);
	pthread_mutex_unlock(&pool->lock);
	return pool->slots[best].loop;
}

void kfk_pool_release(struct kfk_pool *pool, struct kfk_loop *loop)
{
	int i;

	pthread_mutex_lock(&pool->lock);
	for (i = 0; i < pool->n; i++)
		if (pool->slots[i].loop == loop && pool->slots[i].conns > 0)
			pool->slots[i].conns--;
	pthread_mutex_unlock(&pool->lock);
}

int kfk_pool_load(struct kfk_pool *pool, int i)
{
	int n;

	pthread_mutex_lock(&pool->lock);
	n = pool->slots[i].conns;
	pthread_mutex_unlock(&pool->lock);
	return n;
}
