/* net/loop: tasks, timers, fds, stop and wake-up coalescing. Assertions run
 * on the test's main thread only; loop-side callbacks record what they saw
 * and signal a latch. Every wait is bounded. */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../kt.h"
#include "net/loop.h"
#include "util/time.h"

#define WAIT_MS 20000  /* generous: sanitizers on a shared 2-core machine */

/* A counter one thread can wait on, with a time limit. */
struct latch {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	long count;
};

static void latch_init(struct latch *l)
{
	pthread_condattr_t ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_mutex_init(&l->mu, NULL);
	pthread_cond_init(&l->cv, &ca);
	pthread_condattr_destroy(&ca);
	l->count = 0;
}

static void latch_destroy(struct latch *l)
{
	pthread_mutex_destroy(&l->mu);
	pthread_cond_destroy(&l->cv);
}

static void latch_add(struct latch *l, long n)
{
	pthread_mutex_lock(&l->mu);
	l->count += n;
	pthread_cond_broadcast(&l->cv);
	pthread_mutex_unlock(&l->mu);
}

/* 1 when count reached target within ms milliseconds. */
static int latch_wait(struct latch *l, long target, int ms)
{
	struct timespec ts;
	int ok;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&l->mu);
	while (l->count < target &&
	       pthread_cond_timedwait(&l->cv, &l->mu, &ts) == 0)
		;
	ok = l->count >= target;
	pthread_mutex_unlock(&l->mu);
	return ok;
}

/* A loop running on its own thread. */
struct loop_thread {
	struct kfk_loop *loop;
	pthread_t th;
	kfk_err rc;
	struct latch done;
};

static void *loop_main(void *arg)
{
	struct loop_thread *lt = arg;

	lt->rc = kfk_loop_run(lt->loop);
	latch_add(&lt->done, 1);
	return NULL;
}

static void lt_start_thread(struct loop_thread *lt)
{
	latch_init(&lt->done);
	lt->rc = -1;
	KT_ASSERT_INT_EQ(pthread_create(&lt->th, NULL, loop_main, lt), 0);
}

static void lt_start(struct loop_thread *lt)
{
	kfk_err err = -1;

	lt->loop = kfk_loop_new(&err);
	KT_ASSERT(lt->loop != NULL);
	KT_ASSERT_INT_EQ(err, KFK_ERR_NONE);
	lt_start_thread(lt);
}

/* Waits (bounded) for the thread to leave kfk_loop_run(), then joins. */
static void lt_join(struct loop_thread *lt)
{
	KT_ASSERT_MSG(latch_wait(&lt->done, 1, WAIT_MS), "loop did not return");
	pthread_join(lt->th, NULL);
	latch_destroy(&lt->done);
	KT_ASSERT_INT_EQ(lt->rc, KFK_ERR_NONE);
}

static void lt_stop(struct loop_thread *lt)
{
	kfk_loop_stop(lt->loop);
	lt_join(lt);
	kfk_loop_destroy(lt->loop);
}

/* ---- tasks ---- */

struct where {
	struct latch ran;
	pthread_t thread;
	struct kfk_loop *current;
};

static void record_thread(void *arg)
{
	struct where *w = arg;

	w->thread = pthread_self();
	w->current = kfk_loop_current();
	latch_add(&w->ran, 1);
}

KT_TEST(task_runs_on_loop_thread)
{
	struct loop_thread lt;
	struct where w;

	latch_init(&w.ran);
	lt_start(&lt);
	KT_ASSERT(kfk_loop_current() == NULL);
	KT_ASSERT_INT_EQ(kfk_loop_post(lt.loop, record_thread, &w), KFK_ERR_NONE);
	KT_ASSERT(latch_wait(&w.ran, 1, WAIT_MS));
	KT_ASSERT(pthread_equal(w.thread, lt.th));
	KT_ASSERT(!pthread_equal(w.thread, pthread_self()));
	KT_ASSERT(w.current == lt.loop);
	lt_stop(&lt);
	latch_destroy(&w.ran);
}

#define POSTERS 4
#define TOTAL_TASKS 100000
#define PER_POSTER (TOTAL_TASKS / POSTERS)

/* What the loop saw of the posted tasks; only the loop thread writes it. */
static struct {
	unsigned char seen[TOTAL_TASKS];
	int next[POSTERS];
	long out_of_order;
	long ran;
	struct latch all;
} burst;

static void count_task(void *arg)
{
	long id = (long)(intptr_t)arg;
	int poster = (int)(id / PER_POSTER), seq = (int)(id % PER_POSTER);

	burst.seen[id]++;
	if (seq != burst.next[poster])
		burst.out_of_order++;
	burst.next[poster] = seq + 1;
	if (++burst.ran == TOTAL_TASKS)
		latch_add(&burst.all, 1);
}

struct poster {
	struct kfk_loop *loop;
	int id;
	long failed;
};

static void *post_many(void *arg)
{
	struct poster *p = arg;
	long i;

	for (i = 0; i < PER_POSTER; i++) {
		intptr_t id = (intptr_t)p->id * PER_POSTER + i;

		if (kfk_loop_post(p->loop, count_task, (void *)id) != KFK_ERR_NONE)
			p->failed++;
	}
	return NULL;
}

KT_TEST(tasks_from_four_threads_run_exactly_once_in_order)
{
	struct loop_thread lt;
	struct poster p[POSTERS];
	pthread_t th[POSTERS];
	struct kfk_loop_stats st;
	long i, wrong = 0;

	memset(&burst, 0, sizeof(burst));
	latch_init(&burst.all);
	lt_start(&lt);
	for (i = 0; i < POSTERS; i++) {
		p[i] = (struct poster){ lt.loop, (int)i, 0 };
		KT_ASSERT_INT_EQ(pthread_create(&th[i], NULL, post_many, &p[i]), 0);
	}
	for (i = 0; i < POSTERS; i++)
		pthread_join(th[i], NULL);
	KT_ASSERT(latch_wait(&burst.all, 1, WAIT_MS));
	/* Counters are updated after each batch: read them once it stopped. */
	kfk_loop_stop(lt.loop);
	lt_join(&lt);
	kfk_loop_stats(lt.loop, &st);
	kfk_loop_destroy(lt.loop);
	for (i = 0; i < POSTERS; i++)
		KT_ASSERT_INT_EQ(p[i].failed, 0);
	for (i = 0; i < TOTAL_TASKS; i++)
		wrong += burst.seen[i] != 1;
	KT_ASSERT_INT_EQ(wrong, 0);
	KT_ASSERT_INT_EQ(burst.ran, TOTAL_TASKS);
	KT_ASSERT_INT_EQ(burst.out_of_order, 0);
	KT_ASSERT_INT_EQ(st.tasks_run, TOTAL_TASKS);
	kt_log("%d posts from %d threads: %llu eventfd writes, %llu polls",
	       TOTAL_TASKS, POSTERS, (unsigned long long)st.wakeups,
	       (unsigned long long)st.polls);
	latch_destroy(&burst.all);
}

/* A task that re-posts its own (caller-owned) task until n runs. */
struct repost {
	struct kfk_loop_task task;
	struct kfk_loop *loop;
	int runs;
	int on_loop;
	struct latch done;
};

static void repost_fn(void *arg)
{
	struct repost *r = arg;

	r->on_loop += kfk_loop_current() == r->loop;
	if (++r->runs < 1000)
		kfk_loop_post_task(r->loop, &r->task);
	else
		latch_add(&r->done, 1);
}

KT_TEST(intrusive_task_reposts_itself)
{
	struct loop_thread lt;
	struct repost r;

	lt_start(&lt);
	memset(&r, 0, sizeof(r));
	latch_init(&r.done);
	r.loop = lt.loop;
	r.task.fn = repost_fn;
	r.task.arg = &r;
	kfk_loop_post_task(lt.loop, &r.task);
	KT_ASSERT(latch_wait(&r.done, 1, WAIT_MS));
	lt_stop(&lt);
	KT_ASSERT_INT_EQ(r.runs, 1000);
	KT_ASSERT_INT_EQ(r.on_loop, 1000);
	latch_destroy(&r.done);
}

static void append_digit(void *arg)
{
	char *s = arg;
	size_t n = strlen(s);

	s[n] = (char)('0' + n);
	s[n + 1] = '\0';
}

KT_TEST(destroy_runs_queued_tasks)
{
	struct kfk_loop *loop = kfk_loop_new(NULL);
	char s[8] = "";
	int i;

	KT_ASSERT(loop != NULL);
	for (i = 0; i < 3; i++)
		KT_ASSERT_INT_EQ(kfk_loop_post(loop, append_digit, s), KFK_ERR_NONE);
	KT_ASSERT_STR_EQ(s, "");
	kfk_loop_destroy(loop);
	KT_ASSERT_STR_EQ(s, "012");
}

/* ---- wake-ups ---- */

struct blocker {
	struct latch started;
	struct latch release;
};

static void block_fn(void *arg)
{
	struct blocker *b = arg;

	latch_add(&b->started, 1);
	latch_wait(&b->release, 1, WAIT_MS);
}

struct counted {
	atomic_long ran;
	long target;
	struct latch all;
};

static void count_up(void *arg)
{
	struct counted *c = arg;

	if (atomic_fetch_add(&c->ran, 1) + 1 == c->target)
		latch_add(&c->all, 1);
}

/* While the loop is busy (here: blocked in a task) it cannot be asleep, so
 * 10,000 posts must not write the eventfd even once. */
KT_TEST(burst_while_busy_writes_eventfd_zero_times)
{
	struct loop_thread lt;
	struct blocker b;
	struct counted c;
	struct kfk_loop_stats st0, st1, st2;
	int i;

	latch_init(&b.started);
	latch_init(&b.release);
	latch_init(&c.all);
	atomic_init(&c.ran, 0);
	c.target = 10000;
	lt_start(&lt);
	KT_ASSERT_INT_EQ(kfk_loop_post(lt.loop, block_fn, &b), KFK_ERR_NONE);
	KT_ASSERT(latch_wait(&b.started, 1, WAIT_MS));
	kfk_loop_stats(lt.loop, &st0);
	for (i = 0; i < 10000; i++)
		KT_ASSERT_INT_EQ(kfk_loop_post(lt.loop, count_up, &c), KFK_ERR_NONE);
	kfk_loop_stats(lt.loop, &st1);
	latch_add(&b.release, 1);
	KT_ASSERT(latch_wait(&c.all, 1, WAIT_MS));
	kfk_loop_stop(lt.loop);
	lt_join(&lt);
	kfk_loop_stats(lt.loop, &st2);
	kfk_loop_destroy(lt.loop);
	KT_ASSERT_INT_EQ(st1.wakeups - st0.wakeups, 0);
	/* The one write since: kfk_loop_stop()'s. */
	KT_ASSERT_INT_EQ(st2.wakeups - st0.wakeups, 1);
	KT_ASSERT_INT_EQ(atomic_load(&c.ran), 10000);
	KT_ASSERT_INT_EQ(st2.tasks_run, 10001);
	kt_log("wakeups before the burst: %llu, after: %llu",
	       (unsigned long long)st0.wakeups, (unsigned long long)st2.wakeups);
	latch_destroy(&b.started);
	latch_destroy(&b.release);
	latch_destroy(&c.all);
}

/* ---- stop ---- */

KT_TEST(stop_from_other_thread_returns_quickly)
{
	struct loop_thread lt;
	struct where w;
	int64_t t0, took;

	latch_init(&w.ran);
	lt_start(&lt);
	/* Make sure the loop runs (and then idles in epoll_wait forever). */
	kfk_loop_post(lt.loop, record_thread, &w);
	KT_ASSERT(latch_wait(&w.ran, 1, WAIT_MS));
	t0 = kt_now_ms();
	kfk_loop_stop(lt.loop);
	lt_join(&lt);
	took = kt_now_ms() - t0;
	kt_log("stop took %lld ms", (long long)took);
	KT_ASSERT(took < 1000);
	kfk_loop_destroy(lt.loop);
	latch_destroy(&w.ran);
}

KT_TEST(stop_before_run_ends_next_run_at_once)
{
	struct loop_thread lt;

	lt.loop = kfk_loop_new(NULL);
	KT_ASSERT(lt.loop != NULL);
	kfk_loop_stop(lt.loop);
	lt_start_thread(&lt);
	lt_join(&lt);
	/* The stop was consumed: the loop can run again. */
	lt_start_thread(&lt);
	lt_stop(&lt);
}

/* ---- timers ---- */

#define NTIMERS 5

struct timer_case {
	struct kfk_loop *loop;
	struct kfk_timer t[NTIMERS + 1];  /* the last one gets cancelled */
	int64_t armed_at;
	int64_t fired_at[NTIMERS + 1];
	int order[NTIMERS + 1];
	int nfired;
	int extra_fired;
	struct latch done;
};

static const int timer_ms[NTIMERS] = { 30, 10, 50, 20, 40 };

static void timer_cb(struct kfk_timer *t, void *opaque)
{
	struct timer_case *tc = opaque;
	int i = (int)(t - tc->t);

	tc->fired_at[i] = kfk_now_us();
	if (tc->nfired < NTIMERS + 1)
		tc->order[tc->nfired] = i;
	tc->nfired++;
	if (i == NTIMERS)
		tc->extra_fired = 1;
	if (i == 1)  /* the first one cancels the 25 ms timer */
		kfk_loop_timer_cancel(tc->loop, &tc->t[NTIMERS]);
	if (tc->nfired == NTIMERS)
		latch_add(&tc->done, 1);
}

static void arm_timers(void *arg)
{
	struct timer_case *tc = arg;
	int i;

	tc->armed_at = kfk_now_us();
	for (i = 0; i < NTIMERS; i++)
		kfk_loop_timer_arm(tc->loop, &tc->t[i],
		                   tc->armed_at + timer_ms[i] * 1000);
	kfk_loop_timer_arm(tc->loop, &tc->t[NTIMERS], tc->armed_at + 25000);
}

KT_TEST(timers_fire_in_order_never_early)
{
	static const int want[NTIMERS] = { 1, 3, 0, 4, 2 };
	struct loop_thread lt;
	struct timer_case tc;
	int64_t late, max_late = 0;
	int i;

	memset(&tc, 0, sizeof(tc));
	latch_init(&tc.done);
	lt_start(&lt);
	tc.loop = lt.loop;
	for (i = 0; i <= NTIMERS; i++)
		kfk_timer_init(&tc.t[i], timer_cb, &tc);
	kfk_loop_post(lt.loop, arm_timers, &tc);
	KT_ASSERT(latch_wait(&tc.done, 1, WAIT_MS));
	lt_stop(&lt);
	KT_ASSERT_INT_EQ(tc.nfired, NTIMERS);
	KT_ASSERT_INT_EQ(tc.extra_fired, 0);
	for (i = 0; i < NTIMERS; i++) {
		int k = want[i];

		KT_ASSERT_INT_EQ(tc.order[i], k);
		late = tc.fired_at[k] - (tc.armed_at + timer_ms[k] * 1000);
		KT_ASSERT_MSG(late >= 0, "timer %d fired %lld us early", k,
		              (long long)-late);
		if (late > max_late)
			max_late = late;
	}
	kt_log("max lateness %lld us", (long long)max_late);
	KT_ASSERT(max_late < 250000);
	latch_destroy(&tc.done);
}

/* ---- file descriptors ---- */

struct fd_case {
	struct kfk_loop *loop;
	struct kfk_loop_io io;
	int fd;
	char buf[32];
	ssize_t got;
	unsigned events;
	int calls;
	struct latch step;
};

static void on_readable(struct kfk_loop_io *io, unsigned events, void *arg)
{
	struct fd_case *fc = arg;

	fc->calls++;
	fc->events = events;
	fc->got = read(io->fd, fc->buf, sizeof(fc->buf) - 1);
	kfk_loop_io_remove(io);
	latch_add(&fc->step, 1);
}

static void register_read(void *arg)
{
	struct fd_case *fc = arg;

	if (kfk_loop_io_add(fc->loop, &fc->io, fc->fd, KFK_LOOP_READ,
	                    on_readable, fc) == KFK_ERR_NONE)
		latch_add(&fc->step, 1);
}

KT_TEST(socketpair_readable_callback_sees_data)
{
	struct loop_thread lt;
	struct fd_case fc;
	int sv[2];

	KT_ASSERT_INT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	memset(&fc, 0, sizeof(fc));
	latch_init(&fc.step);
	lt_start(&lt);
	fc.loop = lt.loop;
	fc.fd = sv[0];
	kfk_loop_post(lt.loop, register_read, &fc);
	KT_ASSERT(latch_wait(&fc.step, 1, WAIT_MS));
	KT_ASSERT_INT_EQ(write(sv[1], "hello", 5), 5);
	KT_ASSERT(latch_wait(&fc.step, 2, WAIT_MS));
	lt_stop(&lt);
	KT_ASSERT_INT_EQ(fc.calls, 1);
	KT_ASSERT_INT_EQ(fc.events, KFK_LOOP_READ);
	KT_ASSERT_INT_EQ(fc.got, 5);
	KT_ASSERT_MEM_EQ(fc.buf, 5, "hello", 5);
	close(sv[0]);
	close(sv[1]);
	latch_destroy(&fc.step);
}

/* Writable first; then, asked for READ only, the peer's close shows up as
 * readable with end of file. */
static void on_events(struct kfk_loop_io *io, unsigned events, void *arg)
{
	struct fd_case *fc = arg;

	fc->calls++;
	if (fc->calls == 1) {
		fc->events = events;
		kfk_loop_io_modify(io, KFK_LOOP_READ);
		latch_add(&fc->step, 1);
	} else if (events & KFK_LOOP_READ) {
		fc->got = read(io->fd, fc->buf, sizeof(fc->buf));
		fc->events |= events << 4;
		kfk_loop_io_remove(io);
		latch_add(&fc->step, 1);
	}
}

static void register_write(void *arg)
{
	struct fd_case *fc = arg;

	kfk_loop_io_add(fc->loop, &fc->io, fc->fd, KFK_LOOP_WRITE, on_events, fc);
}

KT_TEST(writable_then_peer_close_reads_eof)
{
	struct loop_thread lt;
	struct fd_case fc;
	int sv[2];

	KT_ASSERT_INT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	memset(&fc, 0, sizeof(fc));
	latch_init(&fc.step);
	lt_start(&lt);
	fc.loop = lt.loop;
	fc.fd = sv[0];
	kfk_loop_post(lt.loop, register_write, &fc);
	KT_ASSERT(latch_wait(&fc.step, 1, WAIT_MS));
	close(sv[1]);
	KT_ASSERT(latch_wait(&fc.step, 2, WAIT_MS));
	lt_stop(&lt);
	KT_ASSERT_INT_EQ(fc.events & 0xf, KFK_LOOP_WRITE);
	KT_ASSERT(fc.events & (KFK_LOOP_READ << 4));
	KT_ASSERT_INT_EQ(fc.got, 0);
	KT_ASSERT_INT_EQ(fc.calls, 2);
	close(sv[0]);
	latch_destroy(&fc.step);
}

/* Two fds ready in the same round; the first callback removes both, so
 * the second callback must not run even though its event was collected. */
struct pair_case {
	struct kfk_loop *loop;
	struct kfk_loop_io io[2];
	int calls;
	struct latch done;
};

static void round_over(void *arg)
{
	latch_add(&((struct pair_case *)arg)->done, 1);
}

static void remove_both(struct kfk_loop_io *io, unsigned events, void *arg)
{
	struct pair_case *pc = arg;

	pc->calls++;
	kfk_loop_io_remove(&pc->io[0]);
	kfk_loop_io_remove(&pc->io[1]);
	/* Runs in the next round, after this round's dispatch is over. */
	kfk_loop_post(pc->loop, round_over, pc);
}

static int pair_fds[2];

static void register_pair(void *arg)
{
	struct pair_case *pc = arg;

	kfk_loop_io_add(pc->loop, &pc->io[0], pair_fds[0], KFK_LOOP_READ,
	                remove_both, pc);
	kfk_loop_io_add(pc->loop, &pc->io[1], pair_fds[1], KFK_LOOP_READ,
	                remove_both, pc);
}

KT_TEST(removed_fd_gets_no_callback_in_same_round)
{
	struct loop_thread lt;
	struct pair_case pc;
	int a[2], b[2];

	KT_ASSERT_INT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, a), 0);
	KT_ASSERT_INT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, b), 0);
	KT_ASSERT_INT_EQ(write(a[1], "x", 1), 1);
	KT_ASSERT_INT_EQ(write(b[1], "y", 1), 1);
	memset(&pc, 0, sizeof(pc));
	latch_init(&pc.done);
	pair_fds[0] = a[0];
	pair_fds[1] = b[0];
	lt_start(&lt);
	pc.loop = lt.loop;
	kfk_loop_post(lt.loop, register_pair, &pc);
	KT_ASSERT(latch_wait(&pc.done, 1, WAIT_MS));
	lt_stop(&lt);
	KT_ASSERT_INT_EQ(pc.calls, 1);
	close(a[0]);
	close(a[1]);
	close(b[0]);
	close(b[1]);
	latch_destroy(&pc.done);
}
