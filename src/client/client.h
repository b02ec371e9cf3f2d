/*
 * client/client.h: what every handle (producer, consumer, admin) shares:
 * its copy of the conf, its logger, the I/O pool, the resolver, the broker
 * registry and the metadata cache.
 *
 * Threads: the client runs on the I/O pool (io.threads loops). Loop 0 of
 * the pool doubles as the client's control loop: metadata refresh and the
 * other single-owner state machines run there, so their state needs no
 * lock. The resolver (net/resolve.h) has at most one thread of its own,
 * started only when a host name is not a numeric address. So a client runs
 * io.threads threads, plus one while names are being resolved.
 *
 * Any function here may be called from any thread unless it says otherwise.
 */
#ifndef KFK_CLIENT_CLIENT_H
#define KFK_CLIENT_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <kfk/conf.h>
#include <kfk/errors.h>

#include "client/metadata.h"
#include "client/notify.h"
#include "net/broker.h"
#include "net/loop.h"
#include "util/log.h"

struct kfk_client;

enum kfk_client_type {
	KFK_CLIENT_PRODUCER = 1,
	KFK_CLIENT_CONSUMER = 2,
	KFK_CLIENT_ADMIN = 4
};

/* Creates a client from conf (copied; the caller keeps conf), starts its
 * I/O threads and its bootstrap brokers (one per bootstrap.servers entry,
 * node ids -1, -2, ...), and asks for the cluster's metadata at once. Does
 * not wait for any connection. Returns NULL with a message in errstr on a
 * bad configuration (e.g. no bootstrap.servers, a malformed host:port). */
struct kfk_client *kfk_client_new(const kfk_conf *conf,
                                  enum kfk_client_type type, char *errstr,
                                  size_t errstr_size);

/* Destroys the client: every broker's connection is closed, every request
 * still queued or in flight fails with KFK_ERR__DESTROY, the I/O threads
 * are joined. Bounded in time even when every broker is unreachable or
 * silent: it never waits on the network, only for each loop to finish its
 * current round (documented bound: KFK_CLIENT_DESTROY_BOUND_MS).
 * Must not be called from one of the client's own I/O threads. */
void kfk_client_destroy(struct kfk_client *c);

/* Hands the client's notices (client/notices.h: a broker refusing our
 * certificate or credentials, ...) to the conf's error callback on the
 * calling thread: for the handles' poll calls, on the application's
 * thread. c may be NULL. */
void kfk_client_serve_notices(struct kfk_client *c);

/* The handle's event queue, kicked when a notice arrives so that its
 * waiting poll serves it at once; it must outlive the client. */
struct kfk_evq;
void kfk_client_set_notice_queue(struct kfk_client *c, struct kfk_evq *q);

/* Queues text with err for the error callback, and logs it (WARNING, or
 * NOTICE for KFK_ERR_NONE) when the application set none. Any thread;
 * for trouble of the client as a whole, once per change. */
void kfk_client_notice(struct kfk_client *c, kfk_err err, const char *text);

/* The client's kfk_oauthbearer, or NULL when it does not take OAUTHBEARER
 * tokens from the application. Any thread. */
kfk_oauthbearer *kfk_client_oauthbearer(struct kfk_client *c);
#define KFK_CLIENT_DESTROY_BOUND_MS 1000

const kfk_conf *kfk_client_conf(const struct kfk_client *c);
const struct kfk_logger *kfk_client_logger(const struct kfk_client *c);
struct kfk_loop *kfk_client_control_loop(struct kfk_client *c);

/* The broker with node_id, with a reference the caller drops with
 * kfk_broker_unref(), or NULL when metadata names no such broker. A
 * negative id names a bootstrap broker (-1: the first entry of
 * bootstrap.servers), until the first Metadata response replaces them. */
struct kfk_broker *kfk_client_broker(struct kfk_client *c, int32_t node_id);

/* What a connection to a broker is for. Kafka answers a connection's
 * requests in order: a coordinator (group or transaction) gets its own
 * connection, so a heartbeat never waits behind a Fetch the broker holds
 * for fetch.max.wait.ms on the main one. */
enum kfk_conn_purpose {
	KFK_CONN_MAIN,          /* produce, fetch, metadata, admin */
	KFK_CONN_COORDINATOR,   /* group and transaction coordination */
	KFK_CONN__COUNT
};

/* kfk_client_broker() for a purpose: the broker object (own connection,
 * own in-flight limit, named "host:port/id/coordinator") for node_id and
 * p, made on first use and kept while metadata names the node. With a
 * reference; NULL when metadata names no such broker (or out of memory).
 * KFK_CONN_MAIN gives kfk_client_broker(). */
struct kfk_broker *kfk_client_broker_for(struct kfk_client *c, int32_t node_id,
                                         enum kfk_conn_purpose p);

/* A broker to send a cluster-wide request (Metadata, FindCoordinator) to:
 * an UP one when there is one (the least loaded), else one that is
 * connecting, else it starts connecting one (learned brokers first, then
 * bootstrap ones). With a reference; NULL only when no broker is known. */
struct kfk_broker *kfk_client_any_broker(struct kfk_client *c);

/* Calls fn for each known broker (learned and bootstrap), under the
 * registry's lock: fn must not block nor call back into the registry. */
void kfk_client_foreach_broker(struct kfk_client *c,
                               void (*fn)(struct kfk_broker *b, void *arg),
                               void *arg);

/* The current metadata snapshot, with a reference (client/metadata.h);
 * never NULL (an empty snapshot before the first response). */
struct kfk_metadata *kfk_client_metadata(struct kfk_client *c);

/* Asks for a metadata refresh now (reason goes to the `metadata` debug
 * log). Refreshes requested while one is in flight, or sooner than the
 * backoff allows after an error-triggered one, are merged: a flapping
 * broker never causes a request storm. topic may be NULL (all known
 * topics) or a topic the client wants to learn about. Never blocks. */
void kfk_client_metadata_refresh(struct kfk_client *c, const char *topic,
                                 const char *reason);

/* Asks for the metadata of a topic the client has not seen yet (the first
 * record to it): not an early refresh, so no backoff applies; sent as soon
 * as no other Metadata request is in flight. Never blocks. */
void kfk_client_metadata_new_topic(struct kfk_client *c, const char *topic);

/* Change notifications (client/notify.h): the client publishes
 * KFK_NOTIFY_METADATA after every snapshot swap, KFK_NOTIFY_BROKER_UP when
 * a broker comes UP and KFK_NOTIFY_BROKER_DOWN when one goes DOWN. Any
 * thread. */
void kfk_client_subscribe(struct kfk_client *c, struct kfk_notify_sub *sub);
void kfk_client_unsubscribe(struct kfk_client *c, struct kfk_notify_sub *sub);

/* From now on, every refresh of all known topics asks the cluster for all
 * its topics, and topics missing from such a response are dropped as
 * deleted (for admin listings and pattern subscriptions). Asks for such a
 * refresh now, the first time. Never blocks. */
void kfk_client_metadata_all_topics(struct kfk_client *c);

/* Blocks until a metadata snapshot newer than `after_version` exists
 * (version 0: any response at all), or timeout_ms passes. Returns 0 or
 * KFK_ERR__TIMED_OUT. Not from an I/O thread. */
kfk_err kfk_client_metadata_wait(struct kfk_client *c, uint64_t after_version,
                                 int timeout_ms);

/* Counters of the metadata refresh cycle, for tests and statistics; any
 * thread (each read atomically, the set is not a snapshot). */
struct kfk_client_md_stats {
	uint64_t requests;    /* Metadata requests sent (handed to a broker) */
	uint64_t responses;   /* responses turned into a snapshot */
	uint64_t failures;    /* requests that failed (transport, timeout,
	                       * a response that did not decode) */
	uint64_t early;       /* requests sent early, because of an error or
	                       * an explicit refresh (the backoff applies) */
	uint64_t abandoned;   /* requests given up because their broker went
	                       * down before answering (sent elsewhere) */
};
void kfk_client_metadata_stats(struct kfk_client *c,
                               struct kfk_client_md_stats *st);

/* Runs fn(arg) on loop and waits until it has run (bounded by one round of
 * that loop). Not from the loop's own thread. */
void kfk_client_run_sync(struct kfk_loop *loop, void (*fn)(void *arg),
                         void *arg);

#endif /* KFK_CLIENT_CLIENT_H */
