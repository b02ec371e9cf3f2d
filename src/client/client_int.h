/*
 * client/client_int.h: the inside of struct kfk_client, shared by the
 * files that implement it: client.c (creation, destruction, the snapshot
 * and its waiters), client_registry.c (the brokers) and
 * metadata_refresh.c (the Metadata request cycle on the control loop).
 *
 * Who touches what:
 *  - conf, log, pool, ctrl, resolver, bcfg: set at creation, read-only
 *    afterwards; any thread.
 *  - the registry: written by the control loop only (and by destroy once
 *    the control loop has stopped refreshing), read by any thread, under
 *    reg_lock.
 *  - md: swapped by the control loop under md_lock; readers take a
 *    reference under md_lock. The control loop itself reads it unlocked.
 *  - refresh.ask*: any thread, under refresh.lock; the rest of refresh:
 *    the control loop only.
 * Lock order: none of these locks is held while taking another, except
 * reg_lock around kfk_broker_* accessors (which only take the broker's
 * own short lock).
 */
#ifndef KFK_CLIENT_CLIENT_INT_H
#define KFK_CLIENT_CLIENT_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "client/client.h"
#include "client/metadata_backoff.h"
#include "client/notify.h"
#include "client/notices.h"
#include "client/oauthbearer.h"
#include "net/addr.h"
#include "net/pool.h"
#include "net/resolve.h"
#include "util/timerheap.h"

/* Requests the client keeps in flight per connection: the Java client's
 * default max.in.flight.requests.per.connection (no property yet). */
#define KFK_CLIENT_MAX_IN_FLIGHT 5

/* A growable list of owned topic names without duplicates. */
struct kfk_strv {
	char **v;
	int n, cap;
};

/* Adds a copy of s unless it is there; 0 or KFK_ERR__NO_MEMORY. */
kfk_err kfk_strv_add(struct kfk_strv *sv, const char *s);
/* Moves every name of src into dst (src ends empty); names already in dst
 * are freed. */
void kfk_strv_merge(struct kfk_strv *dst, struct kfk_strv *src);
void kfk_strv_free(struct kfk_strv *sv);

/* One learned broker: node id, the address metadata gave, the object of
 * its main connection and those of other purposes, made on demand
 * (kfk_client_broker_for()). */
struct kfk_reg_entry {
	int32_t id;
	char *host;
	int port;
	struct kfk_broker *b;
	struct kfk_broker *purpose[KFK_CONN__COUNT]; /* [KFK_CONN_MAIN]
	                                              * unused */
};

struct kfk_registry {
	pthread_mutex_t lock;
	struct kfk_reg_entry *learned; /* sorted by id */
	int learned_cnt;
	struct kfk_broker **boot;      /* bootstrap brokers, ids -1, -2, ... */
	int boot_cnt;
	unsigned rr;                   /* spreads cluster-wide requests */
};

struct kfk_md_req;

enum kfk_md_state {
	KFK_MD_IDLE,
	KFK_MD_WAITING,
	KFK_MD_IN_FLIGHT,
	KFK_MD_STATE__COUNT
};

/* The Metadata request cycle (metadata_refresh.c). */
struct kfk_md_refresh {
	enum kfk_md_state state;    /* control loop; logged (util/state.h) */
	/* Asked by any thread, handed to the control loop by one task. */
	pthread_mutex_t lock;
	bool posted;            /* task is queued on the control loop */
	bool ask_full;          /* a refresh of every known topic was asked */
	bool ask_now;           /* for a new topic: not an early refresh */
	struct kfk_strv ask;    /* topics asked about */
	struct kfk_loop_task task;

	/* Set once by the control loop when the client is being destroyed;
	 * read by done() callbacks on other loops. */
	atomic_bool stopped;

	/* Control loop only. */
	bool want_full;         /* next request: every known topic */
	bool want_now;          /* next request ignores the backoff
	                         * (first and periodic ones) */
	bool want_early;        /* an error-triggered refresh waits */
	struct kfk_strv want;   /* topics for the next request */
	struct kfk_md_req *in_flight;
	struct kfk_md_backoff backoff;
	struct kfk_timer periodic;  /* next periodic refresh */
	struct kfk_timer retry;     /* end of the backoff */
	int64_t period_ms;      /* 0: no periodic refresh */
	int64_t max_age_ms;     /* metadata.max.age.ms */
	bool auto_create;       /* allow.auto.create.topics */
	atomic_bool all_topics; /* full refreshes ask for every topic */

	/* Counters, any thread (atomic). */
	atomic_uint_fast64_t sent, responses, failures, early_sent, abandoned;
};

struct kfk_client {
	kfk_conf *conf;               /* our copy */
	enum kfk_client_type type;
	struct kfk_logger log;
	struct kfk_pool *pool;
	struct kfk_loop *ctrl;        /* loop 0 of the pool */
	struct kfk_resolver *resolver;
	struct kfk_broker_config bcfg; /* template for every broker */
	struct kfk_tls *tls;          /* SSL, SASL_SSL (client/security.c) */
	struct kfk_sasl_conf *sasl;   /* SASL_PLAINTEXT, SASL_SSL */
	struct kfk_oauthbearer oauth; /* the application's tokens */
	struct kfk_kinit *kinit;      /* GSSAPI ticket renewal, or NULL */
	char *client_id;
	atomic_int destroying;
	atomic_int all_down;          /* _ALL_BROKERS_DOWN told, not over */

	struct kfk_registry reg;

	pthread_mutex_t md_lock;
	pthread_cond_t md_cond;       /* signalled at every swap */
	struct kfk_metadata *md;

	struct kfk_md_refresh refresh;

	struct kfk_notifier notify;   /* metadata swapped, broker states */
	struct kfk_notices notices;   /* for the error callback */
};

/* ---- client_registry.c ---- */

/* Creates one bootstrap broker per address (ids -1, -2, ... in list
 * order); reg.lock is initialised already. Creation thread only. Returns 0
 * or KFK_ERR__NO_MEMORY (brokers created so far stay; kfk_reg_shutdown
 * frees them). */
kfk_err kfk_reg_init(struct kfk_client *c, const struct kfk_addr_list *addrs);

/* Makes the learned brokers those of md: new ids get a broker, changed
 * addresses are moved (kfk_broker_set_address), ids md lacks are
 * destroyed (decommissioned). Once learned brokers exist the bootstrap
 * brokers are destroyed too. Control loop only; takes reg_lock briefly. */
void kfk_reg_update(struct kfk_client *c, const struct kfk_metadata *md);

/* Takes every broker out of the registry and destroys it, waiting for each
 * (kfk_broker_destroy(b, true)). Destroy's thread only, once the control
 * loop no longer refreshes. Then frees the registry. */
void kfk_reg_shutdown(struct kfk_client *c);

/* ---- metadata_refresh.c ---- */

/* Sets up the refresh state (locks, timers, backoff) from c->conf.
 * Creation thread, before the control loop can see the client. */
void kfk_md_refresh_init(struct kfk_client *c);

/* Posts the start of the cycle to the control loop: the first Metadata
 * request goes out at once, then the periodic timer runs. */
void kfk_md_refresh_start(struct kfk_client *c);

/* Stops the cycle: no request is sent after it returns and the timers are
 * disarmed. Runs a task on the control loop and waits for it (one loop
 * round). Not from an I/O thread. */
void kfk_md_refresh_stop(struct kfk_client *c);

/* Frees what the cycle still holds, once the pool is gone. */
void kfk_md_refresh_free(struct kfk_client *c);

/* ---- client.c ---- */

/* Publishes md (the caller's reference moves to the client) and wakes the
 * waiters. Control loop only. */
void kfk_client_md_swap(struct kfk_client *c, struct kfk_metadata *md);

#endif /* KFK_CLIENT_CLIENT_INT_H */
