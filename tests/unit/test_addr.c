/*
 * net/addr and net/resolve: every accepted spelling of a bootstrap entry,
 * the exact complaint for every malformed one, numeric addresses resolved
 * inline, names resolved on the one lazily started thread with the result
 * posted to the asking loop, cancellation, and a resolver destroy that
 * returns at once while a lookup hangs.
 */
#include "config.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../kt.h"
#include "net/addr.h"
#include "net/pool.h"
#include "net/resolve.h"

#define WAIT_MS 20000

/* ---- entries that parse ---------------------------------------------- */

struct good {
	const char *in;
	const char *host;
	int port;
	enum kfk_addr_proto proto;
};

static const struct good goods[] = {
	{ "localhost:9092", "localhost", 9092, KFK_ADDR_PROTO_NONE },
	{ "kafka-1.example.com:19093", "kafka-1.example.com", 19093,
	  KFK_ADDR_PROTO_NONE },
	{ "10.0.0.1:1", "10.0.0.1", 1, KFK_ADDR_PROTO_NONE },
	{ "10.0.0.1:65535", "10.0.0.1", 65535, KFK_ADDR_PROTO_NONE },
	{ "broker", "broker", 9092, KFK_ADDR_PROTO_NONE },
	{ "  broker:9 \t", "broker", 9, KFK_ADDR_PROTO_NONE },
	{ "[::1]:9092", "::1", 9092, KFK_ADDR_PROTO_NONE },
	{ "[::1]", "::1", 9092, KFK_ADDR_PROTO_NONE },
	{ "[fe80::1%eth0]:29092", "fe80::1%eth0", 29092, KFK_ADDR_PROTO_NONE },
	{ "[2001:db8::ff00:42:8329]:7", "2001:db8::ff00:42:8329", 7,
	  KFK_ADDR_PROTO_NONE },
	{ "PLAINTEXT://host:1234", "host", 1234, KFK_ADDR_PROTO_PLAINTEXT },
	{ "plaintext://host:1234", "host", 1234, KFK_ADDR_PROTO_PLAINTEXT },
	{ "SSL://[::1]:9093", "::1", 9093, KFK_ADDR_PROTO_SSL },
	{ "SASL_PLAINTEXT://h:1", "h", 1, KFK_ADDR_PROTO_SASL_PLAINTEXT },
	{ "sasl_ssl://h_underscore:2", "h_underscore", 2,
	  KFK_ADDR_PROTO_SASL_SSL },
};

static void check_good(void *arg)
{
	const struct good *g = arg;
	struct kfk_addr a;
	char why[160] = "";

	KT_ASSERT_MSG(kfk_addr_parse(g->in, strlen(g->in), &a, why,
	                             sizeof(why)) == 0,
	              "\"%s\" refused: %s", g->in, why);
	KT_ASSERT_STR_EQ(a.host, g->host);
	KT_ASSERT_INT_EQ(a.port, g->port);
	KT_ASSERT_INT_EQ(a.proto, g->proto);
}

KT_TEST(addr_parses_every_spelling)
{
	size_t i;

	for (i = 0; i < sizeof(goods) / sizeof(goods[0]); i++)
		kt_subtest(check_good, (void *)&goods[i], "addr_good %s",
		           goods[i].in);
}

/* ---- entries that do not, and what the user is told ------------------ */

struct bad {
	const char *in;
	const char *why;
};

static const struct bad bads[] = {
	{ "::1:9092", "IPv6 address must be in brackets, e.g. [::1]:9092" },
	{ "fe80::1", "IPv6 address must be in brackets, e.g. [::1]:9092" },
	{ "host:", "missing port after ':'" },
	{ ":9092", "missing host" },
	{ "host:abc", "port \"abc\" is not a number" },
	{ "host:90x", "port \"90x\" is not a number" },
	{ "host:-1", "port \"-1\" is not a number" },
	{ "host:0", "port 0 out of range (1-65535)" },
	{ "host:65536", "port 65536 out of range (1-65535)" },
	{ "host:99999999999999999999", "port 99999999999999999999 out of range "
	                               "(1-65535)" },
	{ "[::1", "missing ']' after IPv6 address" },
	{ "[]:9092", "missing host" },
	{ "[::1]9092", "expected ':' after ']'" },
	{ "[::1]:", "missing port after ':'" },
	{ "[host]:1", "\"[host]\" is not an IPv6 address" },
	{ "ho st:1", "invalid character ' ' in host" },
	{ "host/x:1", "invalid character '/' in host" },
	{ "HTTP://host:1", "unknown security protocol \"HTTP\" (expected "
	                   "PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL)" },
	{ "://host:1", "unknown security protocol \"\" (expected PLAINTEXT, "
	               "SSL, SASL_PLAINTEXT or SASL_SSL)" },
	{ "PLAINTEXT://", "missing host" },
	{ "   ", "empty address" },
};

static void check_bad(void *arg)
{
	const struct bad *b = arg;
	struct kfk_addr a;
	char why[160] = "";

	KT_ASSERT_INT_EQ(kfk_addr_parse(b->in, strlen(b->in), &a, why,
	                                sizeof(why)),
	                 KFK_ERR__INVALID_VALUE);
	KT_ASSERT_STR_EQ(why, b->why);
}

KT_TEST(addr_refuses_malformed_with_reason)
{
	size_t i;

	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++)
		kt_subtest(check_bad, (void *)&bads[i], "addr_bad %s", bads[i].in);
}

KT_TEST(addr_host_length_limit)
{
	char in[KFK_ADDR_HOST_MAX + 8], why[160];
	struct kfk_addr a;

	memset(in, 'h', KFK_ADDR_HOST_MAX - 1);
	strcpy(in + KFK_ADDR_HOST_MAX - 1, ":1");
	KT_ASSERT_INT_EQ(kfk_addr_parse(in, strlen(in), &a, why, sizeof(why)), 0);
	KT_ASSERT_INT_EQ(strlen(a.host), KFK_ADDR_HOST_MAX - 1);
	memset(in, 'h', KFK_ADDR_HOST_MAX);
	strcpy(in + KFK_ADDR_HOST_MAX, ":1");
	KT_ASSERT_INT_EQ(kfk_addr_parse(in, strlen(in), &a, why, sizeof(why)),
	                 KFK_ERR__INVALID_VALUE);
	KT_ASSERT_STR_EQ(why, "host longer than 255 bytes");
}

/* The parser reads only [s, s+len): bytes after it do not leak in. */
KT_TEST(addr_parse_stops_at_len)
{
	struct kfk_addr a;
	char why[160];

	KT_ASSERT_INT_EQ(kfk_addr_parse("h:12,x:34", 4, &a, why, sizeof(why)), 0);
	KT_ASSERT_STR_EQ(a.host, "h");
	KT_ASSERT_INT_EQ(a.port, 12);
}

/* ---- whole lists ------------------------------------------------------ */

KT_TEST(addr_list_in_order_skipping_empties)
{
	struct kfk_addr_list l;
	char why[256] = "";

	KT_ASSERT_INT_EQ(kfk_addr_list_parse(" a:1, ,[::1]:2,,SSL://c ,", &l, why,
	                                     sizeof(why)),
	                 0);
	KT_ASSERT_INT_EQ(l.n, 3);
	KT_ASSERT_STR_EQ(l.v[0].host, "a");
	KT_ASSERT_INT_EQ(l.v[0].port, 1);
	KT_ASSERT_STR_EQ(l.v[1].host, "::1");
	KT_ASSERT_INT_EQ(l.v[1].port, 2);
	KT_ASSERT_STR_EQ(l.v[2].host, "c");
	KT_ASSERT_INT_EQ(l.v[2].port, 9092);
	KT_ASSERT_INT_EQ(l.v[2].proto, KFK_ADDR_PROTO_SSL);
	kfk_addr_list_free(&l);
	KT_ASSERT(l.v == NULL && l.n == 0);
}

KT_TEST(addr_list_names_the_bad_entry)
{
	struct kfk_addr_list l;
	char why[256] = "";

	KT_ASSERT_INT_EQ(kfk_addr_list_parse("a:1,b:2,::1:9092", &l, why,
	                                     sizeof(why)),
	                 KFK_ERR__INVALID_VALUE);
	KT_ASSERT_STR_EQ(why, "bootstrap.servers entry 3 \"::1:9092\": IPv6 "
	                      "address must be in brackets, e.g. [::1]:9092");
	KT_ASSERT(l.v == NULL && l.n == 0);
	KT_ASSERT_INT_EQ(kfk_addr_list_parse("a:1,b:x", &l, why, sizeof(why)),
	                 KFK_ERR__INVALID_VALUE);
	KT_ASSERT_STR_EQ(why, "bootstrap.servers entry 2 \"b:x\": port \"x\" is "
	                      "not a number");
}

KT_TEST(addr_list_empty_is_an_error)
{
	static const char *const empties[] = { "", " ", ",", " , ,", NULL };
	struct kfk_addr_list l;
	char why[256];
	int i;

	for (i = 0; empties[i]; i++) {
		why[0] = '\0';
		KT_ASSERT_INT_EQ(kfk_addr_list_parse(empties[i], &l, why,
		                                     sizeof(why)),
		                 KFK_ERR__INVALID_VALUE);
		KT_ASSERT_STR_EQ(why, "bootstrap.servers names no broker (expected "
		                      "host:port[,host:port...])");
	}
	KT_ASSERT_INT_EQ(kfk_addr_list_parse(NULL, &l, why, sizeof(why)),
	                 KFK_ERR__INVALID_VALUE);
}

KT_TEST(addr_format_brackets_ipv6)
{
	char buf[64];

	KT_ASSERT_INT_EQ(kfk_addr_format(buf, sizeof(buf), "::1", 9092), 10);
	KT_ASSERT_STR_EQ(buf, "[::1]:9092");
	kfk_addr_format(buf, sizeof(buf), "kafka", 1);
	KT_ASSERT_STR_EQ(buf, "kafka:1");
	KT_ASSERT_STR_EQ(kfk_addr_proto_name(KFK_ADDR_PROTO_SASL_SSL), "SASL_SSL");
	KT_ASSERT_STR_EQ(kfk_addr_proto_name(KFK_ADDR_PROTO_NONE), "");
}

/* ---- numeric resolution ------------------------------------------------ */

KT_TEST(resolve_numeric_inline)
{
	struct kfk_sockaddrs *s = NULL;
	const struct sockaddr_in *in4;
	char buf[64];

	KT_ASSERT_INT_EQ(kfk_resolve_numeric("127.0.0.1", 9092, &s), 0);
	KT_ASSERT_INT_EQ(s->n, 1);
	in4 = (const void *)&s->v[0].ss;
	KT_ASSERT_INT_EQ(in4->sin_family, AF_INET);
	KT_ASSERT_INT_EQ(ntohs(in4->sin_port), 9092);
	KT_ASSERT_INT_EQ(ntohl(in4->sin_addr.s_addr), 0x7f000001);
	kfk_sockaddr_format(buf, sizeof(buf), &s->v[0]);
	KT_ASSERT_STR_EQ(buf, "127.0.0.1:9092");
	free(s);

	KT_ASSERT_INT_EQ(kfk_resolve_numeric("::1", 1, &s), 0);
	KT_ASSERT_INT_EQ(s->n, 1);
	KT_ASSERT_INT_EQ(s->v[0].ss.ss_family, AF_INET6);
	kfk_sockaddr_format(buf, sizeof(buf), &s->v[0]);
	KT_ASSERT_STR_EQ(buf, "[::1]:1");
	free(s);

	/* A name is not numeric: no lookup happens here. */
	KT_ASSERT_INT_EQ(kfk_resolve_numeric("localhost", 1, &s),
	                 KFK_ERR__RESOLVE);
	KT_ASSERT(s == NULL);
	KT_ASSERT_INT_EQ(kfk_resolve_numeric("10.0.0.256", 1, &s),
	                 KFK_ERR__RESOLVE);
}

/* ---- the resolver thread ----------------------------------------------- */

/* What a lookup callback saw, and a way to wait for it. */
struct outcome {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int calls;
	kfk_err err;
	struct kfk_sockaddrs *addrs;
	char errstr[200];
	struct kfk_loop *ran_on;
};

static void outcome_init(struct outcome *o)
{
	pthread_condattr_t ca;

	memset(o, 0, sizeof(*o));
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_mutex_init(&o->mu, NULL);
	pthread_cond_init(&o->cv, &ca);
	pthread_condattr_destroy(&ca);
}

static void outcome_fini(struct outcome *o)
{
	free(o->addrs);
	pthread_mutex_destroy(&o->mu);
	pthread_cond_destroy(&o->cv);
}

static void on_resolved(void *arg, kfk_err err, struct kfk_sockaddrs *addrs,
                        const char *errstr)
{
	struct outcome *o = arg;

	pthread_mutex_lock(&o->mu);
	o->calls++;
	o->err = err;
	free(o->addrs);
	o->addrs = addrs;
	snprintf(o->errstr, sizeof(o->errstr), "%s", errstr ? errstr : "");
	o->ran_on = kfk_loop_current();
	pthread_cond_broadcast(&o->cv);
	pthread_mutex_unlock(&o->mu);
}

/* Waits until o has seen `calls` callbacks or ms passed; returns calls. */
static int outcome_wait(struct outcome *o, int calls, int ms)
{
	struct timespec ts;
	int n;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&o->mu);
	while (o->calls < calls &&
	       pthread_cond_timedwait(&o->cv, &o->mu, &ts) == 0)
		;
	n = o->calls;
	pthread_mutex_unlock(&o->mu);
	return n;
}

KT_TEST(resolve_name_on_thread_posts_to_loop)
{
	struct kfk_pool *pool = kfk_pool_new(1, "kt-res", NULL);
	struct kfk_resolver *r = kfk_resolver_new(NULL, NULL);
	struct kfk_resolver_stats st;
	struct kfk_resolve_req *q = NULL;
	struct outcome o;
	char buf[64];

	KT_ASSERT(pool && r);
	outcome_init(&o);
	kfk_resolver_stats(r, &st);
	KT_ASSERT_INT_EQ(st.threads_started, 0); /* lazily */
	KT_ASSERT_INT_EQ(kfk_resolve_start(r, kfk_pool_loop(pool, 0), "localhost",
	                                   4321, on_resolved, &o, &q),
	                 0);
	KT_ASSERT(q != NULL);
	KT_ASSERT_INT_EQ(outcome_wait(&o, 1, WAIT_MS), 1);
	KT_ASSERT_INT_EQ(o.err, 0);
	KT_ASSERT(o.ran_on == kfk_pool_loop(pool, 0));
	KT_ASSERT(o.addrs && o.addrs->n >= 1);
	kfk_sockaddr_format(buf, sizeof(buf), &o.addrs->v[0]);
	kt_log("localhost -> %s (%d addresses)", buf, o.addrs->n);
	KT_ASSERT(strcmp(buf, "127.0.0.1:4321") == 0 ||
	          strcmp(buf, "[::1]:4321") == 0);

	/* A second lookup reuses the same thread. */
	KT_ASSERT_INT_EQ(kfk_resolve_start(r, kfk_pool_loop(pool, 0),
	                                   "no-such-host.invalid", 1,
	                                   on_resolved, &o, &q),
	                 0);
	KT_ASSERT_INT_EQ(outcome_wait(&o, 2, WAIT_MS), 2);
	KT_ASSERT_INT_EQ(o.err, KFK_ERR__RESOLVE);
	KT_ASSERT(o.addrs == NULL);
	KT_ASSERT_MSG(strstr(o.errstr, "failed to resolve no-such-host.invalid:"),
	              "errstr \"%s\"", o.errstr);
	kfk_resolver_stats(r, &st);
	KT_ASSERT_INT_EQ(st.threads_started, 1);
	KT_ASSERT_INT_EQ(st.lookups, 2);
	kfk_resolver_destroy(r);
	kfk_pool_destroy(pool);
	outcome_fini(&o);
}

/* A lookup function the test controls: it blocks until released. */
static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int entered, released, returned;
} gate = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0 };

static kfk_err gated_lookup(const char *host, int port,
                            struct kfk_sockaddrs **out, char *errstr,
                            size_t errstr_size)
{
	kfk_err err;

	pthread_mutex_lock(&gate.mu);
	gate.entered++;
	pthread_cond_broadcast(&gate.cv);
	while (!gate.released)
		pthread_cond_wait(&gate.cv, &gate.mu);
	pthread_mutex_unlock(&gate.mu);
	err = kfk_resolve_numeric("127.0.0.1", port, out);
	snprintf(errstr, errstr_size, "%s", host);
	pthread_mutex_lock(&gate.mu);
	gate.returned++;
	pthread_cond_broadcast(&gate.cv);
	pthread_mutex_unlock(&gate.mu);
	return err;
}

/* Waits (bounded, polling the gate under its lock) for *field >= n. */
static int gate_wait(int *field, int n)
{
	int64_t end = kt_now_ms() + WAIT_MS;
	int v;

	pthread_mutex_lock(&gate.mu);
	while ((v = *field) < n && kt_now_ms() < end) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 20 * 1000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&gate.cv, &gate.mu, &ts);
	}
	pthread_mutex_unlock(&gate.mu);
	return v;
}

static void gate_reset(void)
{
	pthread_mutex_lock(&gate.mu);
	gate.entered = gate.released = gate.returned = 0;
	pthread_mutex_unlock(&gate.mu);
}

static void gate_release(void)
{
	pthread_mutex_lock(&gate.mu);
	gate.released = 1;
	pthread_cond_broadcast(&gate.cv);
	pthread_mutex_unlock(&gate.mu);
}

struct cancel_arg {
	struct kfk_resolve_req *q;
	struct outcome *o;
};

/* On the loop thread, as the contract asks. */
static void cancel_on_loop(void *arg)
{
	struct cancel_arg *ca = arg;

	kfk_resolve_cancel(ca->q);
	on_resolved(ca->o, KFK_ERR__FAIL, NULL, "cancel marker");
}

KT_TEST(resolve_cancel_means_no_callback)
{
	struct kfk_pool *pool = kfk_pool_new(1, "kt-res", NULL);
	struct kfk_resolver *r = kfk_resolver_new(NULL, gated_lookup);
	struct outcome o, marker;
	struct cancel_arg ca;

	KT_ASSERT(pool && r);
	gate_reset();
	outcome_init(&o);
	outcome_init(&marker);
	KT_ASSERT_INT_EQ(kfk_resolve_start(r, kfk_pool_loop(pool, 0), "slow", 7,
	                                   on_resolved, &o, &ca.q),
	                 0);
	KT_ASSERT_INT_EQ(gate_wait(&gate.entered, 1), 1);
	ca.o = &marker;
	KT_ASSERT_INT_EQ(kfk_loop_post(kfk_pool_loop(pool, 0), cancel_on_loop, &ca),
	                 0);
	KT_ASSERT_INT_EQ(outcome_wait(&marker, 1, WAIT_MS), 1);
	gate_release();
	KT_ASSERT_INT_EQ(gate_wait(&gate.returned, 1), 1);
	/* A later lookup on the same thread completes: the cancelled one was
	 * dropped before it, so its callback had its chance and did not run. */
	KT_ASSERT_INT_EQ(kfk_resolve_start(r, kfk_pool_loop(pool, 0), "next", 8,
	                                   on_resolved, &o, &ca.q),
	                 0);
	KT_ASSERT_INT_EQ(outcome_wait(&o, 1, WAIT_MS), 1);
	KT_ASSERT_STR_EQ(o.errstr, "next");
	KT_ASSERT_INT_EQ(o.calls, 1);
	kfk_resolver_destroy(r);
	kfk_pool_destroy(pool);
	outcome_fini(&o);
	outcome_fini(&marker);
}

KT_TEST(resolve_destroy_bounded_while_lookup_hangs)
{
	struct kfk_pool *pool = kfk_pool_new(1, "kt-res", NULL);
	struct kfk_resolver *r = kfk_resolver_new(NULL, gated_lookup);
	struct kfk_resolve_req *q1, *q2;
	struct outcome o;
	int64_t t0, took;

	KT_ASSERT(pool && r);
	gate_reset();
	outcome_init(&o);
	KT_ASSERT_INT_EQ(kfk_resolve_start(r, kfk_pool_loop(pool, 0), "hang", 1,
	                                   on_resolved, &o, &q1),
	                 0);
	KT_ASSERT_INT_EQ(kfk_resolve_start(r, kfk_pool_loop(pool, 0), "queued", 2,
	                                   on_resolved, &o, &q2),
	                 0);
	KT_ASSERT_INT_EQ(gate_wait(&gate.entered, 1), 1);
	t0 = kt_now_ms();
	kfk_resolver_destroy(r);
	took = kt_now_ms() - t0;
	kt_log("resolver destroy took %lld ms with a lookup hanging",
	       (long long)took);
	KT_ASSERT(took < 100);
	/* The askers cancel as they go away (on the loop thread). */
	{
		struct cancel_arg c1 = { q1, NULL }, c2 = { q2, NULL };
		struct outcome marker;

		outcome_init(&marker);
		c1.o = c2.o = &marker;
		kfk_loop_post(kfk_pool_loop(pool, 0), cancel_on_loop, &c1);
		kfk_loop_post(kfk_pool_loop(pool, 0), cancel_on_loop, &c2);
		KT_ASSERT_INT_EQ(outcome_wait(&marker, 2, WAIT_MS), 2);
		outcome_fini(&marker);
	}
	gate_release();
	KT_ASSERT_INT_EQ(gate_wait(&gate.returned, 1), 1);
	/* Only one lookup ran (the queued one was abandoned), no callback. */
	KT_ASSERT_INT_EQ(gate.entered, 1);
	KT_ASSERT_INT_EQ(o.calls, 0);
	kfk_pool_destroy(pool);
	KT_ASSERT_INT_EQ(o.calls, 0);
	outcome_fini(&o);
}

KT_TEST(resolve_thread_ends_when_idle_and_restarts)
{
	struct kfk_pool *pool = kfk_pool_new(1, "kt-res", NULL);
	struct kfk_resolver *r = kfk_resolver_new(NULL, NULL);
	struct kfk_resolver_stats st;
	struct kfk_resolve_req *q;
	struct outcome o;
	int64_t end;

	KT_ASSERT(pool && r);
	outcome_init(&o);
	kfk_resolver_set_idle_ms(r, 50);
	KT_ASSERT_INT_EQ(kfk_resolve_start(r, kfk_pool_loop(pool, 0), "localhost",
	                                   1, on_resolved, &o, &q),
	                 0);
	KT_ASSERT_INT_EQ(outcome_wait(&o, 1, WAIT_MS), 1);
	end = kt_now_ms() + WAIT_MS;
	do
		kfk_resolver_stats(r, &st);
	while (st.thread_running && kt_now_ms() < end &&
	       outcome_wait(&o, 2, 10) < 2);
	KT_ASSERT_INT_EQ(st.thread_running, 0);
	KT_ASSERT_INT_EQ(kfk_resolve_start(r, kfk_pool_loop(pool, 0), "localhost",
	                                   2, on_resolved, &o, &q),
	                 0);
	KT_ASSERT_INT_EQ(outcome_wait(&o, 2, WAIT_MS), 2);
	KT_ASSERT_INT_EQ(o.err, 0);
	kfk_resolver_stats(r, &st);
	KT_ASSERT_INT_EQ(st.threads_started, 2);
	kfk_resolver_destroy(r);
	kfk_pool_destroy(pool);
	outcome_fini(&o);
}
