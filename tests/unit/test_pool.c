/* net/pool: thread count, naming, distinct threads, placement, joining. */
#include "config.h"

#include <dirent.h>
#include <sched.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../kt.h"
#include "net/pool.h"

#define WAIT_MS 20000

/* Threads of this process, from /proc/self/task. */
static int count_threads(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* A joined thread leaves /proc a moment after pthread_join() returns (the
 * kernel clears the tid before it reaps the task): wait for the count,
 * bounded. */
static int wait_thread_count(int want, int ms)
{
	int64_t deadline = kt_now_ms() + ms;
	int n;

	while ((n = count_threads()) != want && kt_now_ms() < deadline)
		sched_yield();
	return n;
}

/* The kernel's name of thread tid, "" if it is gone. */
static void thread_name(long tid, char *out, size_t len)
{
	char path[64];
	FILE *f;

	out[0] = '\0';
	snprintf(path, sizeof(path), "/proc/self/task/%ld/comm", tid);
	if (!(f = fopen(path, "r")))
		return;
	if (fgets(out, (int)len, f))
		out[strcspn(out, "\n")] = '\0';
	fclose(f);
}

/* Threads whose name starts with prefix. */
static int count_named(const char *prefix)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	char name[32];
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		thread_name(atol(e->d_name), name, sizeof(name));
		n += strncmp(name, prefix, strlen(prefix)) == 0;
	}
	closedir(d);
	return n;
}

KT_TEST(thread_count_is_io_threads_or_the_cores)
{
	int cores = (int)sysconf(_SC_NPROCESSORS_ONLN);

	KT_ASSERT(cores >= 1);
	KT_ASSERT_INT_EQ(kfk_pool_thread_count(0), cores);
	KT_ASSERT_INT_EQ(kfk_pool_thread_count(-1), cores);
	KT_ASSERT_INT_EQ(kfk_pool_thread_count(7), 7);
	KT_ASSERT_INT_EQ(kfk_pool_thread_count(1), 1);
}

KT_TEST(zero_threads_is_invalid)
{
	kfk_err err = KFK_ERR_NONE;

	KT_ASSERT(kfk_pool_new(0, NULL, &err) == NULL);
	KT_ASSERT_INT_EQ(err, KFK_ERR__INVALID_ARG);
	kfk_pool_destroy(NULL);
}

static void *do_nothing(void *arg)
{
	return arg;
}

KT_TEST(starts_n_named_threads_and_destroy_joins_them)
{
	int before, after;
	kfk_err err = -1;
	struct kfk_pool *pool;
	pthread_t warm;
	int64_t t0, took;

	/* ThreadSanitizer starts a helper thread with the process's first
	 * pthread_create(): have that happen before counting. */
	KT_ASSERT_INT_EQ(pthread_create(&warm, NULL, do_nothing, NULL), 0);
	pthread_join(warm, NULL);
	before = count_threads();
	KT_ASSERT(before >= 1);
	pool = kfk_pool_new(3, "kt-io", &err);
	KT_ASSERT(pool != NULL);
	KT_ASSERT_INT_EQ(err, KFK_ERR_NONE);
	KT_ASSERT_INT_EQ(kfk_pool_size(pool), 3);
	KT_ASSERT_INT_EQ(count_threads(), before + 3);
	KT_ASSERT_INT_EQ(count_named("kt-io-"), 3);
	t0 = kt_now_ms();
	kfk_pool_destroy(pool);
	took = kt_now_ms() - t0;
	kt_log("destroy took %lld ms", (long long)took);
	KT_ASSERT(took < 2000);
	after = wait_thread_count(before, WAIT_MS);
	KT_ASSERT_INT_EQ(after, before);
	KT_ASSERT_INT_EQ(count_named("kt-io-"), 0);
}

struct seen {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	long tid[4];
	int n;
};

static void record_tid(void *arg)
{
	struct seen *s = arg;
	long tid = (long)syscall(SYS_gettid);

	pthread_mutex_lock(&s->mu);
	s->tid[s->n++] = tid;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

/* Waits (bounded) until slot i of s is filled; returns its tid or -1. */
static long wait_tid(struct seen *s, int i)
{
	int64_t deadline = kt_now_ms() + WAIT_MS;
	long tid = -1;

	pthread_mutex_lock(&s->mu);
	while (s->n <= i && kt_now_ms() < deadline) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&s->cv, &s->mu, &ts);
	}
	if (s->n > i)
		tid = s->tid[i];
	pthread_mutex_unlock(&s->mu);
	return tid;
}

KT_TEST(each_loop_runs_tasks_on_its_own_named_thread)
{
	struct kfk_pool *pool = kfk_pool_new(4, NULL, NULL);
	long me = (long)syscall(SYS_gettid), tid[4];
	struct seen s = { .n = 0 };
	char name[32], want[32];
	int i, j;

	KT_ASSERT(pool != NULL);
	pthread_mutex_init(&s.mu, NULL);
	pthread_cond_init(&s.cv, NULL);
	/* One at a time, so slot i of s belongs to loop i. */
	for (i = 0; i < 4; i++) {
		KT_ASSERT_INT_EQ(kfk_loop_post(kfk_pool_loop(pool, i), record_tid, &s),
		                 KFK_ERR_NONE);
		tid[i] = wait_tid(&s, i);
		KT_ASSERT(tid[i] > 0);
		KT_ASSERT(tid[i] != me);
		thread_name(tid[i], name, sizeof(name));
		snprintf(want, sizeof(want), "kfk-io-%d", i);
		KT_ASSERT_STR_EQ(name, want);
	}
	for (i = 0; i < 4; i++)
		for (j = i + 1; j < 4; j++)
			KT_ASSERT(tid[i] != tid[j]);
	kfk_pool_destroy(pool);
	pthread_mutex_destroy(&s.mu);
	pthread_cond_destroy(&s.cv);
}

static int loop_index(struct kfk_pool *pool, struct kfk_loop *loop)
{
	int i;

	for (i = 0; i < kfk_pool_size(pool); i++)
		if (kfk_pool_loop(pool, i) == loop)
			return i;
	return -1;
}

/* A bootstrap connection takes the loop the first real broker will get,
 * without counting: with one broker, that is the control loop (0). */
KT_TEST(temporary_pick_neither_counts_nor_moves_round_robin)
{
	struct kfk_pool *pool = kfk_pool_new(2, NULL, NULL);

	KT_ASSERT(pool != NULL);
	KT_ASSERT_INT_EQ(loop_index(pool, kfk_pool_pick_temp(pool)), 0);
	KT_ASSERT_INT_EQ(loop_index(pool, kfk_pool_pick_temp(pool)), 0);
	KT_ASSERT_INT_EQ(kfk_pool_load(pool, 0), 0);
	KT_ASSERT_INT_EQ(loop_index(pool, kfk_pool_pick(pool)), 0);
	KT_ASSERT_INT_EQ(loop_index(pool, kfk_pool_pick(pool)), 1);
	KT_ASSERT_INT_EQ(loop_index(pool, kfk_pool_pick_temp(pool)), 0);
	kfk_pool_destroy(pool);
}

KT_TEST(pick_prefers_least_loaded_then_round_robin)
{
	struct kfk_pool *pool = kfk_pool_new(3, NULL, NULL);
	int i;

	KT_ASSERT(pool != NULL);
	/* Equal loads: round robin. */
	for (i = 0; i < 6; i++)
		KT_ASSERT_INT_EQ(loop_index(pool, kfk_pool_pick(pool)), i % 3);
	for (i = 0; i < 3; i++)
		KT_ASSERT_INT_EQ(kfk_pool_load(pool, i), 2);
	/* Loop 1 loses both connections: the next two land there. */
	kfk_pool_release(pool, kfk_pool_loop(pool, 1));
	kfk_pool_release(pool, kfk_pool_loop(pool, 1));
	KT_ASSERT_INT_EQ(kfk_pool_load(pool, 1), 0);
	KT_ASSERT_INT_EQ(loop_index(pool, kfk_pool_pick(pool)), 1);
	KT_ASSERT_INT_EQ(loop_index(pool, kfk_pool_pick(pool)), 1);
	KT_ASSERT_INT_EQ(kfk_pool_load(pool, 1), 2);
	/* Level again: round robin resumes after the last pick. */
	KT_ASSERT_INT_EQ(loop_index(pool, kfk_pool_pick(pool)), 2);
	KT_ASSERT_INT_EQ(loop_index(pool, kfk_pool_pick(pool)), 0);
	kfk_pool_destroy(pool);
}
