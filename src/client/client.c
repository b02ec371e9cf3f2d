/*
 * client/client.c: creating and destroying the shared client, and the
 * metadata snapshot its readers and waiters see.
 *
 * Destruction never waits on the network. It goes in this order, each
 * step bounded by a loop round:
 *   1. `destroying` is set: callbacks that would post new work (broker
 *      state changes, refresh requests) stop doing so;
 *   2. the control loop stops the refresh cycle (timers off, nothing sent
 *      after this);
 *   3. every broker is destroyed, waiting for its loop to close it and
 *      fail its requests with _DESTROY;
 *   4. a barrier on every loop, so that work the brokers posted before
 *      (decommissioned brokers' destroys, resolver cancels) has run;
 *   5. the resolver, then the pool (threads joined; tasks still queued run
 *      here and only free what they carry, as `destroying` tells them).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/client_int.h"
#include "client/conf.h"
#include "client/kinit.h"
#include "client/security.h"
#include "util/time.h"

/* Numbers the clients of a process, for their log names. */
static atomic_uint kfk_client_seq;

/* ------------------------------------------------------------------ */
/* Running something on a loop and waiting for it                      */
/* ------------------------------------------------------------------ */

struct sync_call {
	struct kfk_loop_task task;
	void (*fn)(void *arg);
	void *arg;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done;
};

static void sync_call_run(void *arg)
{
	struct sync_call *sc = arg;
	if (sc->fn)
		sc->fn(sc->arg);
	pthread_mutex_lock(&sc->lock);
	sc->done = true;
	pthread_cond_signal(&sc->cond);
	pthread_mutex_unlock(&sc->lock);
}

void kfk_client_run_sync(struct kfk_loop *loop, void (*fn)(void *arg),
                         void *arg)
{
	struct sync_call sc = { .fn = fn, .arg = arg };

	pthread_mutex_init(&sc.lock, NULL);
	pthread_cond_init(&sc.cond, NULL);
	sc.task.fn = sync_call_run;
	sc.task.arg = &sc;
	kfk_loop_post_task(loop, &sc.task);
	/* Unbounded on purpose: the loop runs each task within one round
	 * (net/loop.h), and sc lives on this stack until it has. */
	pthread_mutex_lock(&sc.lock);
	while (!sc.done)
		pthread_cond_wait(&sc.cond, &sc.lock);
	pthread_mutex_unlock(&sc.lock);
	pthread_cond_destroy(&sc.cond);
	pthread_mutex_destroy(&sc.lock);
}

/* Waits until every loop of the pool has run what was posted to it
 * before this call. */
static void pool_barrier(struct kfk_pool *pool)
{
	int i, n = kfk_pool_size(pool);
	for (i = 0; i < n; i++)
		kfk_client_run_sync(kfk_pool_loop(pool, i), NULL, NULL);
}

static bool on_own_thread(struct kfk_client *c)
{
	struct kfk_loop *cur = kfk_loop_current();
	int i, n = kfk_pool_size(c->pool);
	for (i = 0; cur && i < n; i++)
		if (kfk_pool_loop(c->pool, i) == cur)
			return true;
	return false;
}

/* ------------------------------------------------------------------ */
/* Creation                                                            */
/* ------------------------------------------------------------------ */

struct broker_census {
	int known, up, connecting, down;
};

static void census_one(struct kfk_broker *b, void *arg)
{
	struct broker_census *n = arg;

	n->known++;
	switch (kfk_broker_state(b)) {
	case KFK_BROKER_UP:
	case KFK_BROKER_APIVERSION:
	case KFK_BROKER_AUTH:
		n->up++;
		break;
	case KFK_BROKER_CONNECTING:
		n->connecting++;
		break;
	case KFK_BROKER_DOWN:
		n->down++;
		break;
	default:
		break;
	}
}

/* "All brokers down" and "reachable again" go to the error callback once
 * per change, not per attempt: down when no broker is up or on its way
 * up and one at least has failed; over when one comes up. */
static void check_all_down(struct kfk_client *c, struct kfk_broker *b,
                           enum kfk_broker_state to)
{
	struct broker_census n = { 0, 0, 0, 0 };
	char text[512];

	if (to == KFK_BROKER_UP) {
		if (!atomic_exchange(&c->all_down, 0))
			return;
		snprintf(text, sizeof(text), "%s is up: brokers reachable again",
		         kfk_broker_name(b));
		kfk_client_notice(c, KFK_ERR_NONE, text);
		return;
	}
	kfk_client_foreach_broker(c, census_one, &n);
	if (n.up || n.connecting || !n.down || atomic_exchange(&c->all_down, 1))
		return;
	snprintf(text, sizeof(text), "all %d known brokers are down (the last "
	         "to fail: %s): check bootstrap.servers, that the brokers run "
	         "and security.protocol; retrying with backoff", n.known,
	         kfk_broker_name(b));
	kfk_client_notice(c, KFK_ERR__ALL_BROKERS_DOWN, text);
}

static void on_broker_state(struct kfk_broker *b, enum kfk_broker_state from,
                            enum kfk_broker_state to, void *arg)
{
	struct kfk_client *c = arg;
	char reason[96];

	(void)from;
	if (atomic_load(&c->destroying))
		return;
	/* Whoever waits for a broker to come up (the sender with batches
	 * for it) hears it now rather than polling. */
	if (to == KFK_BROKER_UP)
		kfk_notify_publish(&c->notify, KFK_NOTIFY_BROKER_UP);
	if (to == KFK_BROKER_UP || to == KFK_BROKER_DOWN)
		check_all_down(c, b, to);
	if (to != KFK_BROKER_DOWN)
		return;
	kfk_notify_publish(&c->notify, KFK_NOTIFY_BROKER_DOWN);
	/* A broker that went down may have been decommissioned or lost
	 * leadership: metadata is stale. The refresh backoff keeps a
	 * flapping broker from turning this into a storm. */
	snprintf(reason, sizeof(reason), "broker %s down", kfk_broker_name(b));
	kfk_client_metadata_refresh(c, NULL, reason);
}

/* A broker refusing our certificate or credentials, or speaking another
 * protocol, concerns the whole client: the application hears it through
 * its error callback, once per broker and state change (the broker calls
 * this for the first failure in a row only). */
static void on_broker_fail(struct kfk_broker *b, kfk_err err,
                           const char *reason, void *arg)
{
	struct kfk_client *c = arg;
	char text[768];

	if (err != KFK_ERR__SSL && err != KFK_ERR__AUTHENTICATION)
		return;
	snprintf(text, sizeof(text), "%s: %s", kfk_broker_name(b), reason);
	kfk_notices_push(&c->notices, err, text);
}

void kfk_client_serve_notices(struct kfk_client *c)
{
	if (!c)
		return;
	kfk_oauth_serve(&c->oauth);
	kfk_notices_serve(&c->notices, kfk_conf_error_cb(c->conf),
	                  kfk_conf_opaque(c->conf));
}

void kfk_client_set_notice_queue(struct kfk_client *c, struct kfk_evq *q)
{
	atomic_store(&c->notices.wake, q);
}

void kfk_client_notice(struct kfk_client *c, kfk_err err, const char *text)
{
	/* The log tells only an application without an error callback:
	 * one that has one hears it there, and would read it twice. */
	if (!kfk_conf_error_cb(c->conf))
		kfk_log(&c->log, err ? KFK_LOG_WARNING : KFK_LOG_NOTICE, "NOTICE",
		        "%s", text);
	kfk_notices_push(&c->notices, err, text);
}

kfk_oauthbearer *kfk_client_oauthbearer(struct kfk_client *c)
{
	return c && c->oauth.sasl ? &c->oauth : NULL;
}

static void fill_broker_config(struct kfk_client *c)
{
	const kfk_conf *cf = c->conf;
	struct kfk_broker_config *bc = &c->bcfg;

	memset(bc, 0, sizeof(*bc));
	bc->log = &c->log;
	bc->pool = c->pool;
	bc->resolver = c->resolver;
	bc->client_id = c->client_id;
	bc->request_timeout_ms = (int32_t)kfk_conf_get_int(cf, "request.timeout.ms");
	bc->setup_timeout_ms =
		(int32_t)kfk_conf_get_int(cf, "socket.connection.setup.timeout.ms");
	bc->api_version_timeout_ms =
		(int32_t)kfk_conf_get_int(cf, "api.version.request.timeout.ms");
	bc->backoff_ms = (int32_t)kfk_conf_get_int(cf, "reconnect.backoff.ms");
	bc->backoff_max_ms =
		(int32_t)kfk_conf_get_int(cf, "reconnect.backoff.max.ms");
	bc->idle_ms = kfk_conf_get_int(cf, "connections.max.idle.ms");
	bc->max_frame = (int32_t)kfk_conf_get_int(cf, "receive.message.max.bytes");
	bc->max_in_flight = KFK_CLIENT_MAX_IN_FLIGHT;
	bc->sndbuf = (int32_t)kfk_conf_get_int(cf, "socket.send.buffer.bytes");
	bc->rcvbuf = (int32_t)kfk_conf_get_int(cf, "socket.receive.buffer.bytes");
	bc->nodelay = kfk_conf_get_bool(cf, "socket.nagle.disable");
	bc->keepalive = kfk_conf_get_bool(cf, "socket.keepalive.enable");
	bc->on_state = on_broker_state;
	bc->on_fail = on_broker_fail;
	bc->on_state_arg = c;
}

static const char *type_name(enum kfk_client_type t)
{
	switch (t) {
	case KFK_CLIENT_PRODUCER:
		return "producer";
	case KFK_CLIENT_CONSUMER:
		return "consumer";
	case KFK_CLIENT_ADMIN:
		return "admin";
	}
	return "client";
}

static kfk_err parse_bootstrap(struct kfk_client *c,
                               struct kfk_addr_list *addrs, char *errstr,
                               size_t errstr_size)
{
	const char *v = kfk_conf_get_str(c->conf, "bootstrap.servers");

	if (!v || !*v) {
		snprintf(errstr, errstr_size,
		         "bootstrap.servers is not set: list at least one "
		         "broker as host:port");
		return KFK_ERR__INVALID_ARG;
	}
	return kfk_addr_list_parse(v, addrs, errstr, errstr_size);
}

/* The parts that need no thread: conf, logger, locks, empty snapshot. */
static struct kfk_client *client_alloc(const kfk_conf *conf,
                                       enum kfk_client_type type)
{
	struct kfk_client *c = calloc(1, sizeof(*c));
	pthread_condattr_t ca;
	char name[48];

	if (!c)
		return NULL;
	c->type = type;
	c->conf = kfk_conf_dup(conf);
	if (!c->conf) {
		free(c);
		return NULL;
	}
	c->md = kfk_metadata_new_empty();
	c->client_id = strdup(kfk_conf_get_str(conf, "client.id"));
	snprintf(name, sizeof(name), "kfk#%s-%u", type_name(type),
	         atomic_fetch_add(&kfk_client_seq, 1) + 1);
	kfk_conf_logger_init(conf, &c->log, name);
	pthread_mutex_init(&c->md_lock, NULL);
	pthread_condattr_init(&ca);
	/* Waits are bounded on the monotonic clock, like every deadline. */
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c->md_cond, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&c->reg.lock, NULL);
	kfk_notifier_init(&c->notify);
	kfk_notices_init(&c->notices);
	kfk_md_refresh_init(c);
	return c;
}

/* Frees what client_alloc() and a partial creation made; every thread is
 * gone by then. */
static void client_free(struct kfk_client *c)
{
	kfk_md_refresh_free(c);
	kfk_notifier_destroy(&c->notify);
	kfk_notices_destroy(&c->notices);
	pthread_mutex_destroy(&c->reg.lock);
	kfk_metadata_unref(c->md);
	pthread_cond_destroy(&c->md_cond);
	pthread_mutex_destroy(&c->md_lock);
	free(c->client_id);
	kfk_conf_destroy(c->conf);
	free(c);
}

static kfk_err client_start(struct kfk_client *c,
                            const struct kfk_addr_list *addrs, char *errstr,
                            size_t errstr_size)
{
	int io = (int)kfk_conf_get_int(c->conf, "io.threads");
	kfk_err err = KFK_ERR_NONE;

	c->pool = kfk_pool_new(kfk_pool_thread_count(io), "kfk-io", &err);
	if (!c->pool) {
		snprintf(errstr, errstr_size, "cannot start the I/O threads: %s",
		         kfk_err_str(err));
		return err;
	}
	c->ctrl = kfk_pool_loop(c->pool, 0);
	/* NULL logger: a lookup may outlive the client (net/resolve.h);
	 * brokers log resolution errors with their own logger. */
	c->resolver = kfk_resolver_new(NULL, NULL);
	if (!c->resolver)
		return KFK_ERR__NO_MEMORY;
	fill_broker_config(c);
	err = kfk_client_security_init(c, errstr, errstr_size);
	if (err)
		return err;
	kfk_oauth_init(&c->oauth, c->sasl, c->conf);
	err = kfk_kinit_start(c, errstr, errstr_size);
	if (err)
		return err;
	err = kfk_reg_init(c, addrs);
	if (err)
		snprintf(errstr, errstr_size, "cannot create the bootstrap "
		         "brokers: %s", kfk_err_str(err));
	return err;
}

struct kfk_client *kfk_client_new(const kfk_conf *conf,
                                  enum kfk_client_type type, char *errstr,
                                  size_t errstr_size)
{
	struct kfk_addr_list addrs = { NULL, 0 };
	struct kfk_client *c = client_alloc(conf, type);

	if (errstr_size)
		errstr[0] = '\0';
	if (!c || !c->md || !c->client_id) {
		snprintf(errstr, errstr_size, "out of memory");
		goto fail;
	}
	kfk_client_log_conf(c);
	if (parse_bootstrap(c, &addrs, errstr, errstr_size))
		goto fail;
	if (client_start(c, &addrs, errstr, errstr_size))
		goto fail;
	kfk_addr_list_free(&addrs);
	kfk_dbg(&c->log, KFK_DBG_METADATA, "CLIENT",
	        "started: %d I/O threads, %d bootstrap brokers",
	        kfk_pool_size(c->pool), c->reg.boot_cnt);
	kfk_md_refresh_start(c);
	return c;
fail:
	kfk_addr_list_free(&addrs);
	if (c)
		kfk_client_destroy(c);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Destruction                                                         */
/* ------------------------------------------------------------------ */

void kfk_client_destroy(struct kfk_client *c)
{
	int64_t t0 = kfk_now_us();

	if (!c)
		return;
	if (c->pool && on_own_thread(c)) {
		kfk_log(&c->log, KFK_LOG_CRIT, "CLIENT",
		        "kfk_client_destroy() called from the client's own "
		        "I/O thread: that would deadlock");
		abort();
	}
	atomic_store(&c->destroying, 1);
	if (c->pool) {
		kfk_md_refresh_stop(c);
		kfk_kinit_stop(c);
		kfk_reg_shutdown(c);
		pool_barrier(c->pool);
	}
	kfk_resolver_destroy(c->resolver);
	kfk_pool_destroy(c->pool);
	kfk_client_security_free(c);
	kfk_dbg(&c->log, KFK_DBG_BROKER, "CLIENT", "destroyed in %lld us",
	        (long long)(kfk_now_us() - t0));
	client_free(c);
}

/* ------------------------------------------------------------------ */
/* Accessors and the snapshot                                          */
/* ------------------------------------------------------------------ */

const kfk_conf *kfk_client_conf(const struct kfk_client *c)
{
	return c->conf;
}

const struct kfk_logger *kfk_client_logger(const struct kfk_client *c)
{
	return &c->log;
}

struct kfk_loop *kfk_client_control_loop(struct kfk_client *c)
{
	return c->ctrl;
}

void kfk_client_md_swap(struct kfk_client *c, struct kfk_metadata *md)
{
	struct kfk_metadata *old;

	pthread_mutex_lock(&c->md_lock);
	old = c->md;
	c->md = md;
	pthread_cond_broadcast(&c->md_cond);
	pthread_mutex_unlock(&c->md_lock);
	kfk_metadata_unref(old);
	kfk_notify_publish(&c->notify, KFK_NOTIFY_METADATA);
}

void kfk_client_subscribe(struct kfk_client *c, struct kfk_notify_sub *sub)
{
	kfk_notify_subscribe(&c->notify, sub);
}

void kfk_client_unsubscribe(struct kfk_client *c, struct kfk_notify_sub *sub)
{
	kfk_notify_unsubscribe(&c->notify, sub);
}

struct kfk_metadata *kfk_client_metadata(struct kfk_client *c)
{
	struct kfk_metadata *md;

	pthread_mutex_lock(&c->md_lock);
	md = kfk_metadata_ref(c->md);
	pthread_mutex_unlock(&c->md_lock);
	/* Before the first response a request is on its way already. */
	if (md->version > 0 &&
	    kfk_metadata_is_stale(md, kfk_now_ms(), c->refresh.max_age_ms))
		kfk_client_metadata_refresh(c, NULL, "metadata older than "
		                            "metadata.max.age.ms");
	return md;
}

kfk_err kfk_client_metadata_wait(struct kfk_client *c, uint64_t after_version,
                                 int timeout_ms)
{
	struct timespec deadline;
	bool ok;

	kfk_deadline_ts(&deadline, timeout_ms > 0 ? timeout_ms : 0);
	pthread_mutex_lock(&c->md_lock);
	while (c->md->version <= after_version) {
		int rc = pthread_cond_timedwait(&c->md_cond, &c->md_lock,
		                                &deadline);
		if (rc == ETIMEDOUT)
			break;
	}
	ok = c->md->version > after_version;
	pthread_mutex_unlock(&c->md_lock);
	return ok ? KFK_ERR_NONE : KFK_ERR__TIMED_OUT;
}
