/*
 * net/resolve.c: the resolver (see resolve.h for the contract).
 *
 * Ownership of a lookup (struct kfk_resolve_req) is shared by two
 * references: the asker's handle (given up by kfk_resolve_cancel() or when
 * the callback runs) and the resolver's (the queue, then the thread, then
 * the task posted to the asker's loop). Whoever drops the last one frees
 * it. This is what lets kfk_resolver_destroy() and kfk_resolve_cancel()
 * both return at once while the thread may still be inside getaddrinfo().
 *
 * The resolver object itself is shared the same way by its creator and
 * its thread (refcnt, under the lock).
 */
#include "config.h"

#include "net/resolve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct kfk_resolve_req {
	struct kfk_resolve_req *next;  /* resolver queue, under its lock */
	struct kfk_loop_task task;     /* delivery to the asker's loop */
	struct kfk_loop *loop;
	kfk_resolve_cb *cb;
	void *arg;
	atomic_int refcnt;             /* asker's handle + resolver side */
	atomic_int cancelled;
	int port;
	kfk_err err;
	struct kfk_sockaddrs *addrs;
	char errstr[200];
	char host[];
};

struct kfk_resolver {
	pthread_mutex_t lock;
	pthread_cond_t cond;                  /* work queued, or dead */
	struct kfk_resolve_req *head, *tail;  /* waiting lookups */
	int refcnt;                           /* creator + running thread */
	bool dead;                            /* kfk_resolver_destroy() ran */
	bool running;                         /* a thread exists */
	unsigned long lookups, threads;
	int idle_ms;
	kfk_resolve_fn *fn;
	const struct kfk_logger *log;
};

int kfk_sockaddr_format(char *buf, size_t size, const struct kfk_sockaddr *sa)
{
	char host[INET6_ADDRSTRLEN] = "?";
	const struct sockaddr_in *in4 = (const void *)&sa->ss;
	const struct sockaddr_in6 *in6 = (const void *)&sa->ss;

	if (sa->ss.ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		return snprintf(buf, size, "[%s]:%u", host, ntohs(in6->sin6_port));
	}
	inet_ntop(AF_INET, &in4->sin_addr, host, sizeof(host));
	return snprintf(buf, size, "%s:%u", host, ntohs(in4->sin_port));
}

static int kfk_sockaddr_dup(const struct kfk_sockaddrs *s,
                            const struct addrinfo *ai)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (s->v[i].len == ai->ai_addrlen &&
		    memcmp(&s->v[i].ss, ai->ai_addr, ai->ai_addrlen) == 0)
			return 1;
	return 0;
}

/* Copies the TCP-capable addresses of an addrinfo list, without repeats. */
static kfk_err kfk_sockaddrs_from(const struct addrinfo *res,
                                  struct kfk_sockaddrs **out)
{
	const struct addrinfo *ai;
	struct kfk_sockaddrs *s;
	int n = 0;

	for (ai = res; ai; ai = ai->ai_next)
		n++;
	s = calloc(1, sizeof(*s) + (size_t)n * sizeof(s->v[0]));
	if (!s)
		return KFK_ERR__NO_MEMORY;
	for (ai = res; ai; ai = ai->ai_next) {
		if ((ai->ai_family != AF_INET && ai->ai_family != AF_INET6) ||
		    ai->ai_addrlen > sizeof(s->v[0].ss) || kfk_sockaddr_dup(s, ai))
			continue;
		memcpy(&s->v[s->n].ss, ai->ai_addr, ai->ai_addrlen);
		s->v[s->n++].len = ai->ai_addrlen;
	}
	*out = s;
	return KFK_ERR_NONE;
}

/* getaddrinfo() for host:port with extra flags; EAI codes as _RESOLVE. */
static kfk_err kfk_resolve_gai(const char *host, int port, int flags,
                               struct kfk_sockaddrs **out, char *errstr,
                               size_t errstr_size)
{
	struct addrinfo hints = { 0 }, *res = NULL;
	char service[16];
	kfk_err err;
	int rc;

	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | flags;
	snprintf(service, sizeof(service), "%d", port);
	rc = getaddrinfo(host, service, &hints, &res);
	if (rc != 0) {
		snprintf(errstr, errstr_size, "failed to resolve %s: %s", host,
		         rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
		return rc == EAI_MEMORY ? KFK_ERR__NO_MEMORY : KFK_ERR__RESOLVE;
	}
	err = kfk_sockaddrs_from(res, out);
	freeaddrinfo(res);
	if (!err && (*out)->n == 0) {
		snprintf(errstr, errstr_size, "%s has no IPv4 or IPv6 address", host);
		free(*out);
		*out = NULL;
		err = KFK_ERR__RESOLVE;
	}
	return err;
}

kfk_err kfk_resolve_numeric(const char *host, int port,
                            struct kfk_sockaddrs **out)
{
	char why[128];

	*out = NULL;
	return kfk_resolve_gai(host, port, AI_NUMERICHOST, out, why, sizeof(why));
}

static kfk_err kfk_resolve_getaddrinfo(const char *host, int port,
                                       struct kfk_sockaddrs **out,
                                       char *errstr, size_t errstr_size)
{
	return kfk_resolve_gai(host, port, 0, out, errstr, errstr_size);
}

/* Drops one reference to q; the last one frees it. */
static void kfk_resolve_req_unref(struct kfk_resolve_req *q)
{
	if (atomic_fetch_sub_explicit(&q->refcnt, 1, memory_order_acq_rel) != 1)
		return;
	free(q->addrs);
	free(q);
}

/* On the asker's loop: hand the result over unless cancelled. */
static void kfk_resolve_deliver(void *arg)
{
	struct kfk_resolve_req *q = arg;

	if (!atomic_load_explicit(&q->cancelled, memory_order_acquire)) {
		struct kfk_sockaddrs *addrs = q->addrs;

		q->addrs = NULL;
		q->cb(q->arg, q->err, addrs, q->errstr);
		kfk_resolve_req_unref(q);  /* the handle, now invalid */
	}
	kfk_resolve_req_unref(q);  /* the resolver's */
}

void kfk_resolve_cancel(struct kfk_resolve_req *q)
{
	if (!q)
		return;
	atomic_store_explicit(&q->cancelled, 1, memory_order_release);
	kfk_resolve_req_unref(q);
}

/* Drops a reference to the resolver; called with its lock held, which the
 * call releases. The last reference frees it. */
static void kfk_resolver_unref_unlock(struct kfk_resolver *r)
{
	bool last = --r->refcnt == 0;

	pthread_mutex_unlock(&r->lock);
	if (!last)
		return;
	pthread_cond_destroy(&r->cond);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

/* Waits (lock held) for a lookup; NULL when the thread should end: the
 * resolver is dead, or nothing came for KFK_RESOLVE_IDLE_MS. */
static struct kfk_resolve_req *kfk_resolver_next(struct kfk_resolver *r)
{
	struct kfk_resolve_req *q;
	struct timespec until;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += r->idle_ms / 1000;
	until.tv_nsec += (long)(r->idle_ms % 1000) * 1000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	while (!r->dead && !r->head)
		if (pthread_cond_timedwait(&r->cond, &r->lock, &until) == ETIMEDOUT)
			break;
	if (r->dead || !r->head)
		return NULL;
	q = r->head;
	r->head = q->next;
	if (!r->head)
		r->tail = NULL;
	return q;
}

/* Runs one lookup with the lock released. */
static void kfk_resolver_lookup(struct kfk_resolver *r,
                                struct kfk_resolve_req *q)
{
	if (atomic_load_explicit(&q->cancelled, memory_order_acquire))
		return;
	r->lookups++;
	pthread_mutex_unlock(&r->lock);
	q->err = r->fn(q->host, q->port, &q->addrs, q->errstr, sizeof(q->errstr));
	if (!q->err)
		kfk_dbg(r->log, KFK_DBG_BROKER, "RESOLVE",
		        "%s resolved to %d address(es)", q->host, q->addrs->n);
	pthread_mutex_lock(&r->lock);
}

static void *kfk_resolver_main(void *arg)
{
	struct kfk_resolver *r = arg;
	struct kfk_resolve_req *q;

	pthread_mutex_lock(&r->lock);
	while ((q = kfk_resolver_next(r))) {
		kfk_resolver_lookup(r, q);
		/* Under the lock: destroy cannot slip in between the check and
		 * the post, so nothing is posted once destroy has returned. */
		if (r->dead ||
		    atomic_load_explicit(&q->cancelled, memory_order_acquire))
			kfk_resolve_req_unref(q);
		else
			kfk_loop_post_task(q->loop, &q->task);
	}
	r->running = false;
	kfk_resolver_unref_unlock(r);
	return NULL;
}

struct kfk_resolver *kfk_resolver_new(const struct kfk_logger *log,
                                      kfk_resolve_fn *fn)
{
	struct kfk_resolver *r = calloc(1, sizeof(*r));
	pthread_condattr_t ca;

	if (!r)
		return NULL;
	pthread_mutex_init(&r->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&r->cond, &ca);
	pthread_condattr_destroy(&ca);
	r->refcnt = 1;
	r->idle_ms = KFK_RESOLVE_IDLE_MS;
	r->fn = fn ? fn : kfk_resolve_getaddrinfo;
	r->log = log;
	return r;
}

/* Starts the thread (lock held) if none runs. */
static kfk_err kfk_resolver_spawn(struct kfk_resolver *r)
{
	pthread_attr_t attr;
	pthread_t tid;
	int rc;

	if (r->running)
		return KFK_ERR_NONE;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&tid, &attr, kfk_resolver_main, r);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		kfk_log(r->log, KFK_LOG_ERR, "RESOLVE",
		        "cannot start the resolver thread: %s", strerror(rc));
		return KFK_ERR__FAIL;
	}
	r->running = true;
	r->refcnt++;
	r->threads++;
	return KFK_ERR_NONE;
}

static struct kfk_resolve_req *kfk_resolve_req_new(struct kfk_loop *loop,
                                                   const char *host, int port,
                                                   kfk_resolve_cb *cb,
                                                   void *arg)
{
	size_t hlen = strlen(host) + 1;
	struct kfk_resolve_req *q = calloc(1, sizeof(*q) + hlen);

	if (!q)
		return NULL;
	memcpy(q->host, host, hlen);
	q->port = port;
	q->loop = loop;
	q->cb = cb;
	q->arg = arg;
	q->task.fn = kfk_resolve_deliver;
	q->task.arg = q;
	atomic_init(&q->refcnt, 2);
	atomic_init(&q->cancelled, 0);
	return q;
}

kfk_err kfk_resolve_start(struct kfk_resolver *r, struct kfk_loop *loop,
                          const char *host, int port, kfk_resolve_cb *cb,
                          void *arg, struct kfk_resolve_req **reqp)
{
	struct kfk_resolve_req *q = kfk_resolve_req_new(loop, host, port, cb, arg);
	kfk_err err;

	*reqp = NULL;
	if (!q)
		return KFK_ERR__NO_MEMORY;
	pthread_mutex_lock(&r->lock);
	err = kfk_resolver_spawn(r);
	if (!err) {
		if (r->tail)
			r->tail->next = q;
		else
			r->head = q;
		r->tail = q;
		pthread_cond_signal(&r->cond);
	}
	pthread_mutex_unlock(&r->lock);
	if (err) {
		free(q);
		return err;
	}
	*reqp = q;
	return KFK_ERR_NONE;
}

void kfk_resolver_destroy(struct kfk_resolver *r)
{
	struct kfk_resolve_req *q, *next;

	if (!r)
		return;
	pthread_mutex_lock(&r->lock);
	r->dead = true;
	q = r->head;
	r->head = r->tail = NULL;
	pthread_cond_broadcast(&r->cond);
	kfk_resolver_unref_unlock(r);
	for (; q; q = next) {
		next = q->next;
		kfk_resolve_req_unref(q);
	}
}

void kfk_resolver_stats(struct kfk_resolver *r, struct kfk_resolver_stats *st)
{
	pthread_mutex_lock(&r->lock);
	st->lookups = r->lookups;
	st->threads_started = r->threads;
	st->thread_running = r->running;
	pthread_mutex_unlock(&r->lock);
}

void kfk_resolver_set_idle_ms(struct kfk_resolver *r, int ms)
{
	pthread_mutex_lock(&r->lock);
	r->idle_ms = ms > 0 ? ms : 1;
	pthread_mutex_unlock(&r->lock);
}
