/*
 * net/broker.c: the broker's lifecycle and connection state machine (see
 * broker.h for the behaviour, broker_int.h for how the files split).
 *
 * Everything but the public entry points runs on the broker's loop. Other
 * threads only post tasks: a request (its embedded task), "connect",
 * "new address" and "destroy" (tasks embedded in the broker, each posted at
 * most once at a time). Every posted task holds a reference, so the broker
 * outlives whatever is still queued for it.
 *
 * The one timer b->timer means something different per state:
 *   CONNECTING  the deadline of a name lookup (the TCP connect has its
 *               own, per address, in net/conn.c)
 *   UP          the next idleness check
 *   DOWN        the end of the reconnect backoff
 * APIVERSION is bounded by the ApiVersions request's own deadline.
 */
#include "config.h"

#include "net/broker_int.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/addr.h"
#include "util/state.h"
#include "util/time.h"

static const char *const kfk_broker_state_names[] = {
	[KFK_BROKER_INIT] = "INIT",
	[KFK_BROKER_CONNECTING] = "CONNECTING",
	[KFK_BROKER_APIVERSION] = "APIVERSION",
	[KFK_BROKER_AUTH] = "AUTH",
	[KFK_BROKER_UP] = "UP",
	[KFK_BROKER_DOWN] = "DOWN",
	[KFK_BROKER_IDLE] = "IDLE",
};

static const struct kfk_state_machine kfk_broker_sm = {
	kfk_broker_state_names, KFK_BROKER_STATE__COUNT, KFK_DBG_BROKER,
	"STATE"
};

const char *kfk_broker_state_name(enum kfk_broker_state s)
{
	return kfk_state_name(&kfk_broker_sm, (int)s);
}

static void kfk_broker_connect_now(struct kfk_broker *b);
static void kfk_broker_on_timer(struct kfk_timer *t, void *arg);

void kfk_broker_set_state(struct kfk_broker *b, enum kfk_broker_state to)
{
	enum kfk_broker_state from = kfk_broker_state_get(b);

	if (!kfk_state_change(&kfk_broker_sm, b->cfg.log, b->name, (int)from,
	                      (int)to))
		return;
	atomic_store_explicit(&b->state, to, memory_order_relaxed);
	if (b->cfg.on_state)
		b->cfg.on_state(b, from, to, b->cfg.on_state_arg);
}

/* ---- names ------------------------------------------------------------ */

/* "host:port/id[/purpose]" or "host:port/bootstrap"; NULL when out of
 * memory. */
static char *kfk_broker_make_name(const char *host, int port, int32_t id,
                                  const char *purpose)
{
	char addr[KFK_ADDR_HOST_MAX + 16], *name;
	size_t size;

	kfk_addr_format(addr, sizeof(addr), host, port);
	size = strlen(addr) + 17 + (purpose ? strlen(purpose) : 0);
	name = malloc(size);
	if (!name)
		return NULL;
	if (id < 0)
		snprintf(name, size, "%s/bootstrap", addr);
	else
		snprintf(name, size, "%s/%" PRId32 "%s%s", addr, id,
		         purpose ? "/" : "", purpose ? purpose : "");
	return name;
}

/* ---- counting references --------------------------------------------- */

static void kfk_broker_free(struct kfk_broker *b)
{
	struct kfk_broker_oldname *o, *next;

	kfk_conn_fini(&b->conn);
	for (o = b->oldnames; o; o = next) {
		next = o->next;
		free(o->name);
		free(o);
	}
	pthread_mutex_destroy(&b->lock);
	free(b->new_host);
	free(b->host);
	free(b->name);
	free(b->client_id);
	free(b);
}

struct kfk_broker *kfk_broker_ref(struct kfk_broker *b)
{
	atomic_fetch_add_explicit(&b->refcnt, 1, memory_order_relaxed);
	return b;
}

void kfk_broker_unref(struct kfk_broker *b)
{
	if (b && atomic_fetch_sub_explicit(&b->refcnt, 1,
	                                   memory_order_acq_rel) == 1)
		kfk_broker_free(b);
}

/* Posts one of the broker's own tasks, holding a reference for it. */
static void kfk_broker_post(struct kfk_broker *b, struct kfk_loop_task *t)
{
	kfk_broker_ref(b);
	kfk_loop_post_task(b->loop, t);
}

/* ---- creation --------------------------------------------------------- */

static const struct kfk_conn_cbs kfk_broker_conn_cbs;

static void kfk_broker_defaults(struct kfk_broker_config *c)
{
	if (c->request_timeout_ms <= 0)
		c->request_timeout_ms = 30000;
	if (c->setup_timeout_ms <= 0)
		c->setup_timeout_ms = 10000;
	if (c->api_version_timeout_ms <= 0)
		c->api_version_timeout_ms = 10000;
	if (c->backoff_ms < 0)
		c->backoff_ms = 0;
	if (c->backoff_max_ms < c->backoff_ms)
		c->backoff_max_ms = c->backoff_ms;
	if (c->max_frame <= 0)
		c->max_frame = 100000000;
	if (c->max_in_flight <= 0)
		c->max_in_flight = 1;
}

static void kfk_broker_init_conn(struct kfk_broker *b)
{
	struct kfk_conn_opts o = {
		.log = b->cfg.log,
		.setup_timeout_ms = b->cfg.setup_timeout_ms,
		.max_frame = b->cfg.max_frame,
		.min_frame = 4, /* a response is at least its correlation id */
		.sndbuf = b->cfg.sndbuf,
		.rcvbuf = b->cfg.rcvbuf,
		.nodelay = b->cfg.nodelay,
		.keepalive = b->cfg.keepalive,
		.tls = b->cfg.tls,
	};

	kfk_conn_init(&b->conn, b->loop, &o, &kfk_broker_conn_cbs, b, b->name);
}

static void kfk_broker_connect_task(void *arg);
static void kfk_broker_addr_task(void *arg);
static void kfk_broker_destroy_task(void *arg);

static void kfk_broker_init_tasks(struct kfk_broker *b)
{
	b->connect_task.fn = kfk_broker_connect_task;
	b->connect_task.arg = b;
	b->addr_task.fn = kfk_broker_addr_task;
	b->addr_task.arg = b;
	b->destroy_task.fn = kfk_broker_destroy_task;
	b->destroy_task.arg = b;
	kfk_timer_init(&b->timer, kfk_broker_on_timer, b);
}

struct kfk_broker *kfk_broker_new(const struct kfk_broker_config *cfg,
                                  int32_t node_id, const char *host,
                                  int port)
{
	struct kfk_broker *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	b->cfg = *cfg;
	kfk_broker_defaults(&b->cfg);
	b->id = node_id;
	b->host = strdup(host);
	b->port = port;
	b->name = kfk_broker_make_name(host, port, node_id, cfg->purpose);
	b->client_id = cfg->client_id ? strdup(cfg->client_id) : NULL;
	if (!b->host || !b->name || (cfg->client_id && !b->client_id)) {
		free(b->host);
		free(b->name);
		free(b->client_id);
		free(b);
		return NULL;
	}
	b->cfg.client_id = b->client_id;
	pthread_mutex_init(&b->lock, NULL);
	atomic_init(&b->refcnt, 1);
	atomic_init(&b->state, KFK_BROKER_INIT);
	kfk_backoff_init(&b->backoff, (int64_t)b->cfg.backoff_ms * 1000,
	                 (int64_t)b->cfg.backoff_max_ms * 1000,
	                 (uint64_t)kfk_now_us() ^
	                         ((uint64_t)(uintptr_t)b << 16) ^ (uint64_t)port);
	b->loop = node_id < 0 ? kfk_pool_pick_temp(cfg->pool)
	                      : kfk_pool_pick(cfg->pool);
	kfk_broker_init_tasks(b);
	kfk_broker_init_conn(b);
	kfk_broker_av_init(b);
	kfk_broker_sasl_init(b);
	memset(b->noresp, 0xff, sizeof(b->noresp)); /* -1: none */
	kfk_broker_av_clear(b);
	return b;
}

/* ---- the public entry points ------------------------------------------ */

void kfk_broker_connect(struct kfk_broker *b)
{
	if (!atomic_exchange(&b->connect_posted, 1))
		kfk_broker_post(b, &b->connect_task);
}

void kfk_broker_send(struct kfk_broker *b, struct kfk_req *req)
{
	req->broker = kfk_broker_ref(b);
	req->enqueued_us = kfk_now_us();
	req->where = KFK_REQ_NOWHERE;
	req->next = req->prev = NULL;
	req->task.fn = kfk_broker_req_arrive;
	req->task.arg = req;
	atomic_fetch_add_explicit(&b->st_queued, 1, memory_order_relaxed);
	kfk_loop_post_task(b->loop, &req->task);
}

void kfk_broker_set_address(struct kfk_broker *b, const char *host, int port)
{
	char *h = strdup(host);

	if (!h)
		return; /* keep the old address: better than none */
	pthread_mutex_lock(&b->lock);
	free(b->new_host);
	b->new_host = h;
	b->new_port = port;
	pthread_mutex_unlock(&b->lock);
	if (!atomic_exchange(&b->addr_posted, 1))
		kfk_broker_post(b, &b->addr_task);
}

void kfk_broker_destroy(struct kfk_broker *b, bool wait)
{
	struct kfk_broker_sync sync = { .done = 0 };

	/* Waiting for our own loop from inside it would never end. */
	if (kfk_loop_current() == b->loop)
		wait = false;
	if (wait) {
		pthread_mutex_init(&sync.mu, NULL);
		pthread_cond_init(&sync.cv, NULL);
		b->destroy_sync = &sync;
	}
	kfk_broker_post(b, &b->destroy_task);
	if (wait) {
		pthread_mutex_lock(&sync.mu);
		while (!sync.done)
			pthread_cond_wait(&sync.cv, &sync.mu);
		pthread_mutex_unlock(&sync.mu);
		pthread_mutex_destroy(&sync.mu);
		pthread_cond_destroy(&sync.cv);
	}
	kfk_broker_unref(b);
}

int32_t kfk_broker_id(const struct kfk_broker *b)
{
	return b->id;
}

enum kfk_broker_state kfk_broker_state(const struct kfk_broker *b)
{
	return (enum kfk_broker_state)atomic_load_explicit(
	    &((struct kfk_broker *)b)->state, memory_order_relaxed);
}

const char *kfk_broker_name(const struct kfk_broker *b)
{
	struct kfk_broker *mb = (struct kfk_broker *)b;
	const char *name;

	pthread_mutex_lock(&mb->lock);
	name = mb->name;
	pthread_mutex_unlock(&mb->lock);
	return name;
}

struct kfk_loop *kfk_broker_loop(const struct kfk_broker *b)
{
	return b->loop;
}

static uint64_t kfk_broker_load(const _Atomic uint64_t *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

void kfk_broker_stats(const struct kfk_broker *b, struct kfk_broker_stats *st)
{
	st->connects = kfk_broker_load(&b->st_connects);
	st->disconnects = kfk_broker_load(&b->st_disconnects);
	st->reqs_sent = kfk_broker_load(&b->st_sent);
	st->resps_received = kfk_broker_load(&b->st_received);
	st->timeouts = kfk_broker_load(&b->st_timeouts);
	st->in_flight = atomic_load_explicit(&b->st_in_flight,
	                                     memory_order_relaxed);
	st->queued = atomic_load_explicit(&b->st_queued, memory_order_relaxed);
}

/* ---- loop-side tasks ---------------------------------------------------- */

/* Work is waiting or a connection is wanted: get one going. */
static void kfk_broker_kick(struct kfk_broker *b)
{
	switch (kfk_broker_state_get(b)) {
	case KFK_BROKER_INIT:
	case KFK_BROKER_IDLE:
		kfk_broker_connect_now(b);
		break;
	case KFK_BROKER_DOWN:
		if (!b->backoff_armed)
			kfk_broker_connect_now(b);
		break;
	case KFK_BROKER_UP:
		kfk_broker_send_waiting(b);
		break;
	default:
		break; /* on its way up */
	}
}

void kfk_broker_req_queued(struct kfk_broker *b)
{
	kfk_broker_kick(b);
}

static void kfk_broker_connect_task(void *arg)
{
	struct kfk_broker *b = arg;

	atomic_store(&b->connect_posted, 0);
	if (!b->destroyed) {
		b->want = true;
		kfk_broker_kick(b);
	}
	kfk_broker_unref(b);
}

/* Adopts the address set_address() left; returns 1 when it changed. The
 * old name stays allocated: kfk_broker_name() may have handed it out. */
static int kfk_broker_take_address(struct kfk_broker *b)
{
	struct kfk_broker_oldname *old = malloc(sizeof(*old));
	char *name = NULL;

	pthread_mutex_lock(&b->lock);
	if (old && b->new_host &&
	    (strcmp(b->new_host, b->host) != 0 || b->new_port != b->port))
		name = kfk_broker_make_name(b->new_host, b->new_port, b->id,
		                             b->cfg.purpose);
	if (name) {
		old->name = b->name;
		old->next = b->oldnames;
		b->oldnames = old;
		b->name = name;
		free(b->host);
		b->host = b->new_host;
		b->port = b->new_port;
		b->new_host = NULL;
	}
	pthread_mutex_unlock(&b->lock);
	if (!name)
		free(old);
	return name != NULL;
}

static void kfk_broker_addr_task(void *arg)
{
	struct kfk_broker *b = arg;
	enum kfk_broker_state s;

	atomic_store(&b->addr_posted, 0);
	if (!b->destroyed && kfk_broker_take_address(b)) {
		kfk_conn_set_name(&b->conn, b->name);
		kfk_log(b->cfg.log, KFK_LOG_INFO, "BROKER", "%s: new address",
		        b->name);
		s = kfk_broker_state_get(b);
		if (s == KFK_BROKER_CONNECTING || s == KFK_BROKER_APIVERSION ||
		    s == KFK_BROKER_AUTH || s == KFK_BROKER_UP) {
			/* Remade at once: the move is not the broker's failure. */
			kfk_broker_fail(b, KFK_ERR__TRANSPORT,
			                "reconnecting to the new address");
			b->failures = 0;
			kfk_loop_timer_cancel(b->loop, &b->timer);
			b->backoff_armed = false;
			kfk_broker_connect_now(b);
		}
	}
	kfk_broker_unref(b);
}

/* ---- CONNECTING ---------------------------------------------------------- */

static void kfk_broker_on_resolved(void *arg, kfk_err err,
                                   struct kfk_sockaddrs *addrs,
                                   const char *errstr)
{
	struct kfk_broker *b = arg;

	b->resolving = NULL;
	kfk_loop_timer_cancel(b->loop, &b->timer);
	if (err) {
		kfk_broker_fail(b, err, "%s", errstr);
		return;
	}
	kfk_conn_connect(&b->conn, addrs, b->host);
}

/* Starts resolving a host name; the lookup is bounded by the setup
 * timeout like a connect. */
static void kfk_broker_resolve(struct kfk_broker *b)
{
	kfk_err err = KFK_ERR__RESOLVE;

	if (b->cfg.resolver)
		err = kfk_resolve_start(b->cfg.resolver, b->loop, b->host, b->port,
		                        kfk_broker_on_resolved, b, &b->resolving);
	if (err) {
		kfk_broker_fail(b, err, "cannot resolve %s: %s", b->host,
		                b->cfg.resolver ? kfk_err_name(err)
		                                : "no resolver for host names");
		return;
	}
	kfk_loop_timer_arm(b->loop, &b->timer,
	                   kfk_now_us() + b->cfg.setup_timeout_ms * 1000LL);
}

static void kfk_broker_connect_now(struct kfk_broker *b)
{
	struct kfk_sockaddrs *addrs = NULL;

	b->backoff_armed = false;
	kfk_loop_timer_cancel(b->loop, &b->timer);
	atomic_fetch_add_explicit(&b->st_connects, 1, memory_order_relaxed);
	kfk_broker_set_state(b, KFK_BROKER_CONNECTING);
	kfk_dbg(b->cfg.log, KFK_DBG_BROKER, "CONNECT", "%s: connecting",
	        b->name);
	if (kfk_resolve_numeric(b->host, b->port, &addrs) == 0)
		kfk_conn_connect(&b->conn, addrs, b->host);
	else
		kfk_broker_resolve(b);
}

/* ---- the connection's callbacks ---------------------------------------- */

static void kfk_broker_on_connected(struct kfk_conn *c, void *arg)
{
	struct kfk_broker *b = arg;
	char peer[64] = "?";

	(void)c;
	if (kfk_conn_peer(&b->conn))
		kfk_sockaddr_format(peer, sizeof(peer), kfk_conn_peer(&b->conn));
	kfk_dbg(b->cfg.log, KFK_DBG_BROKER, "CONNECT", "%s: connected to %s",
	        b->name, peer);
	b->last_io_us = kfk_now_us();
	b->conn_resps = 0;
	kfk_broker_set_state(b, KFK_BROKER_APIVERSION);
	kfk_broker_av_start(b);
}

static void kfk_broker_on_closed(struct kfk_conn *c, kfk_err err,
                                 const char *reason, void *arg)
{
	struct kfk_broker *b = arg;

	(void)c;
	/* A SASL listener answers ApiVersions unauthenticated, then hangs up
	 * on the first other request: say what that usually means. */
	if (err == KFK_ERR__TRANSPORT && !b->cfg.sasl && b->conn_resps == 1 &&
	    kfk_broker_state_get(b) == KFK_BROKER_UP)
		kfk_broker_fail(b, err, "%s right after ApiVersions: the listener "
		                "may require SASL authentication (check "
		                "security.protocol and sasl.mechanism)", reason);
	else
		kfk_broker_fail(b, err, "%s", reason);
}

static const struct kfk_conn_cbs kfk_broker_conn_cbs = {
	.connected = kfk_broker_on_connected,
	.frame = kfk_broker_on_frame,
	.sent = kfk_broker_on_sent,
	.closed = kfk_broker_on_closed,
};

/* ---- DOWN ---------------------------------------------------------------- */

/* The first failure in a row is logged at INFO (ERR for a broken response
 * stream: a bug or a non-Kafka peer); repeats only in the `broker` debug
 * context, so a broker that stays away does not flood the log. */
static void kfk_broker_log_fail(struct kfk_broker *b, kfk_err err,
                                enum kfk_broker_state s, const char *reason)
{
	if (err == KFK_ERR__MALFORMED || b->failures == 0) {
		kfk_log(b->cfg.log,
		        err == KFK_ERR__MALFORMED ? KFK_LOG_ERR : KFK_LOG_INFO, "FAIL",
		        "%s: %s (%s, in state %s)", b->name, reason,
		        kfk_err_name(err), kfk_broker_state_name(s));
		if (b->failures == 0 && b->cfg.on_fail)
			b->cfg.on_fail(b, err, reason, b->cfg.on_state_arg);
	} else
		kfk_dbg(b->cfg.log, KFK_DBG_BROKER, "FAIL",
		        "%s: %s (%s, in state %s, failure %d in a row)", b->name,
		        reason, kfk_err_name(err), kfk_broker_state_name(s),
		        b->failures + 1);
}

/* Arms the reconnect backoff for one more failure in a row. */
static void kfk_broker_arm_backoff(struct kfk_broker *b)
{
	int64_t delay;

	b->failures++;
	delay = kfk_backoff_us(&b->backoff, b->failures);
	kfk_loop_timer_arm(b->loop, &b->timer, kfk_now_us() + delay);
	b->backoff_armed = true;
	kfk_dbg(b->cfg.log, KFK_DBG_BROKER, "BACKOFF",
	        "%s: reconnect in %" PRId64 " ms", b->name, delay / 1000);
}

void kfk_broker_fail(struct kfk_broker *b, kfk_err err, const char *fmt, ...)
{
	enum kfk_broker_state s = kfk_broker_state_get(b);
	char reason[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	kfk_broker_log_fail(b, err, s, reason);
	if (s == KFK_BROKER_APIVERSION || s == KFK_BROKER_AUTH ||
	    s == KFK_BROKER_UP)
		atomic_fetch_add_explicit(&b->st_disconnects, 1,
		                          memory_order_relaxed);
	kfk_broker_sasl_reset(b);
	kfk_conn_close(&b->conn);
	kfk_resolve_cancel(b->resolving);
	b->resolving = NULL;
	kfk_broker_arm_backoff(b);
	kfk_broker_set_state(b, KFK_BROKER_DOWN);
	/* Last: the owners hear of it with the broker already DOWN. */
	kfk_broker_fail_sent(b, err);
}

/* Backoff over: reconnect if anyone is waiting for this broker. */
static void kfk_broker_backoff_done(struct kfk_broker *b)
{
	b->backoff_armed = false;
	if (b->want || b->waiting.n)
		kfk_broker_connect_now(b);
}

/* ---- UP ------------------------------------------------------------------ */

static void kfk_broker_arm_idle(struct kfk_broker *b)
{
	if (b->cfg.idle_ms > 0)
		kfk_loop_timer_arm(b->loop, &b->timer,
		                   b->last_io_us + b->cfg.idle_ms * 1000);
}

void kfk_broker_up(struct kfk_broker *b)
{
	kfk_broker_set_state(b, KFK_BROKER_UP);
	kfk_broker_arm_idle(b);
	kfk_broker_send_waiting(b);
}

/* UP and nothing moved for connections.max.idle.ms: close, no backoff.
 * A request waiting or in flight counts as activity. */
static void kfk_broker_idle_check(struct kfk_broker *b)
{
	int64_t now = kfk_now_us(), idle_us = b->cfg.idle_ms * 1000;

	if (b->inflight.n || b->writing.n || b->waiting.n)
		b->last_io_us = now;
	if (now - b->last_io_us < idle_us) {
		kfk_loop_timer_arm(b->loop, &b->timer, b->last_io_us + idle_us);
		return;
	}
	kfk_dbg(b->cfg.log, KFK_DBG_BROKER, "IDLE",
	        "%s: idle for %" PRId64 " ms, closing", b->name,
	        (now - b->last_io_us) / 1000);
	kfk_broker_sasl_reset(b);
	kfk_conn_close(&b->conn);
	atomic_fetch_add_explicit(&b->st_disconnects, 1, memory_order_relaxed);
	b->want = false;
	kfk_broker_set_state(b, KFK_BROKER_IDLE);
}

static void kfk_broker_on_timer(struct kfk_timer *t, void *arg)
{
	struct kfk_broker *b = arg;

	(void)t;
	switch (kfk_broker_state_get(b)) {
	case KFK_BROKER_CONNECTING:
		kfk_broker_fail(b, KFK_ERR__RESOLVE,
		                "resolving %s took longer than %d ms", b->host,
		                (int)b->cfg.setup_timeout_ms);
		break;
	case KFK_BROKER_DOWN:
		kfk_broker_backoff_done(b);
		break;
	case KFK_BROKER_UP:
		kfk_broker_idle_check(b);
		break;
	default:
		break;
	}
}

/* ---- destroy --------------------------------------------------------------- */

static void kfk_broker_destroy_task(void *arg)
{
	struct kfk_broker *b = arg;
	struct kfk_broker_sync *sync = b->destroy_sync;

	b->destroyed = true;
	kfk_broker_sasl_reset(b);
	kfk_conn_close(&b->conn);
	kfk_resolve_cancel(b->resolving);
	b->resolving = NULL;
	kfk_loop_timer_cancel(b->loop, &b->timer);
	kfk_broker_fail_all(b, KFK_ERR__DESTROY);
	if (b->id >= 0)
		kfk_pool_release(b->cfg.pool, b->loop);
	kfk_dbg(b->cfg.log, KFK_DBG_BROKER, "DESTROY", "%s: destroyed", b->name);
	if (sync) {
		pthread_mutex_lock(&sync->mu);
		sync->done = 1;
		pthread_cond_signal(&sync->cv);
		pthread_mutex_unlock(&sync->mu);
	}
	kfk_broker_unref(b);
}
