/*
 * net/broker.h: one Kafka broker, its one connection, and the requests that
 * travel over it.
 *
 * A broker object lives on one event loop of the I/O pool (chosen with
 * kfk_pool_pick() when it is created) and everything it does happens on that
 * loop thread: connecting, ApiVersions negotiation, writing request frames,
 * reading responses, timeouts, reconnect backoff, closing idle connections.
 * Other threads hand it requests with kfk_broker_send(), which only posts.
 *
 * Lifecycle (one kfk_broker_set_state() logs every transition "from -> to"
 * in the `broker` debug context):
 *
 *   INIT --first request or kfk_broker_connect()--> CONNECTING
 *   CONNECTING --TCP (and TLS) up--> APIVERSION --negotiated--> UP
 *   APIVERSION --negotiated, SASL configured--> AUTH --authenticated--> UP
 *   any --connection lost / setup timeout / bad frame--> DOWN
 *   DOWN --backoff expired and work waiting--> CONNECTING
 *   UP --idle for connections.max.idle.ms--> IDLE (closed, no backoff)
 *   any --kfk_broker_destroy()--> (gone; every request fails _DESTROY)
 *
 * Resolution: a host name is resolved off the loop (net/resolve.h); every
 * address it resolves to is tried in turn, each bounded by
 * socket.connection.setup.timeout.ms. Backoff after a failure grows from
 * reconnect.backoff.ms, doubling per consecutive failure, to
 * reconnect.backoff.max.ms, each delay with +-20% jitter (as the Java
 * client does), and resets once an UP connection answers a request (not
 * at UP itself: a listener that hangs up on every first request after
 * ApiVersions would otherwise be redialled at the shortest backoff).
 *
 * Requests: queued in order; sent when UP, at most max_in_flight at a time
 * (pipelined); Kafka answers in order on one connection, so in-flight
 * requests are matched by correlation id against a FIFO and a mismatch is a
 * protocol error that closes the connection. request.timeout.ms (or the
 * request's own timeout) bounds every request from the moment it is queued:
 * an in-flight request that times out fails with KFK_ERR__TIMED_OUT and
 * closes the connection (its response stream is no longer trustworthy); a
 * queued one that times out just fails. A connection that dies fails all its
 * in-flight requests with KFK_ERR__TRANSPORT so their owners can retry;
 * queued (unsent) requests stay queued for the next connection.
 *
 * A frame larger than receive.message.max.bytes, a frame size below the
 * response header, garbage where a response should be: the connection closes
 * with KFK_ERR__MALFORMED (logged with the broker name and the reason) and
 * the broker goes DOWN; nothing is read past what was received.
 */
#ifndef KFK_NET_BROKER_H
#define KFK_NET_BROKER_H

#include <stdbool.h>
#include <stdint.h>

#include <kfk/errors.h>

#include "net/frame.h"
#include "net/loop.h"
#include "net/pool.h"
#include "proto/buf.h"
#include "util/log.h"

struct kfk_broker;
struct kfk_req;
struct kfk_resolver;

enum kfk_broker_state {
	KFK_BROKER_INIT,        /* never connected */
	KFK_BROKER_CONNECTING,  /* resolving, TCP connect in progress */
	KFK_BROKER_APIVERSION,  /* connected, negotiating versions */
	KFK_BROKER_AUTH,        /* SASL authentication */
	KFK_BROKER_UP,          /* ready for requests */
	KFK_BROKER_DOWN,        /* failed; waiting out the reconnect backoff */
	KFK_BROKER_IDLE,        /* closed for idleness; reconnects on demand */
	KFK_BROKER_STATE__COUNT
};

/* "INIT", "UP", ...: static strings. */
const char *kfk_broker_state_name(enum kfk_broker_state s);

/* Writes the request body (no header, no frame size) for version, which the
 * broker picked within [req->min_version, req->max_version] and the range
 * the broker supports. Runs on the broker's loop thread just before the
 * request is first written. Returning non-zero fails the request with that
 * error (done() is called). */
typedef kfk_err kfk_req_encode_fn(struct kfk_req *req, kfk_wbuf *w,
                                  int16_t version);

/* The outcome, exactly once per request, on the owner's loop thread
 * (req->owner; the broker's loop when NULL).
 * err 0: body holds the response body (after the response header); it and
 * its bytes are valid only during the call, unless kfk_req_keep_frame()
 * keeps them (zero-copy: a Fetch response's records), or decode what you
 * keep into an arena. err non-zero: no response: _TIMED_OUT, _TRANSPORT (connection
 * lost after sending: the broker may or may not have processed it),
 * _UNSUPPORTED_FEATURE (no version in common), _DESTROY (broker or client
 * going away), or what encode() returned. Requests flagged NO_RESPONSE get
 * done(err 0, body NULL) once written to the socket. After done() the
 * broker never touches req again: the callee owns it. */
typedef void kfk_req_done_fn(struct kfk_req *req, kfk_err err,
                             kfk_rbuf *body, int16_t version);

enum kfk_req_flags {
	KFK_REQ_NO_RESPONSE = 1u << 0, /* the broker sends none (acks=0) */
};

/* A request, usually embedded in the owner's object. The caller sets the
 * public fields, then hands it to kfk_broker_send(); it must stay valid
 * until done() is called. */
struct kfk_req {
	/* set by the caller */
	int16_t api_key;
	int16_t min_version;         /* lowest version the caller can encode */
	int16_t max_version;         /* highest (often the codec's newest) */
	int32_t timeout_ms;          /* 0: the broker's request.timeout.ms */
	unsigned flags;              /* enum kfk_req_flags */
	kfk_req_encode_fn *encode;
	kfk_req_done_fn *done;
	void *opaque;                /* the caller's */
	struct kfk_loop *owner;      /* where done() runs; NULL: the broker's
	                              * loop. Another loop gets the outcome
	                              * posted to it, the response frame kept
	                              * (net/frame.h) until done() returns. */

	/* private to the broker */
	struct kfk_loop_task task;   /* posting to the broker's loop */
	struct kfk_timer timer;      /* its deadline */
	struct kfk_req *next;        /* queue / in-flight FIFO links */
	struct kfk_req *prev;
	struct kfk_broker *broker;
	int64_t enqueued_us;
	int64_t deadline_us;
	int32_t corrid;
	int16_t version;
	uint8_t where;               /* which list holds it (broker_int.h) */
	kfk_err err;                 /* the outcome, while posted to owner */
	const uint8_t *fp;           /* the response frame during done() */
	size_t flen, body_off;
	struct kfk_frame *frame;     /* kept for a posted outcome */
};

/* During done() with err 0: a reference to the response frame, so that
 * its bytes stay valid after done() returns, until kfk_frame_unref(); *out
 * becomes body (or a reader advanced from it) pointing into the kept
 * bytes, which may be a copy. NULL on ENOMEM. */
struct kfk_frame *kfk_req_keep_frame(struct kfk_req *req, const kfk_rbuf *body,
                                     kfk_rbuf *out);

/* What a broker needs from its client; copied at kfk_broker_new(). */
struct kfk_broker_config {
	const struct kfk_logger *log;    /* outlives the broker */
	struct kfk_pool *pool;           /* loop chosen with kfk_pool_pick() */
	struct kfk_resolver *resolver;   /* for host names; may be NULL when
	                                  * every host is a numeric address */
	const char *client_id;           /* request header client_id (copied) */
	const char *purpose;             /* NULL, or what this connection is
	                                  * for besides the node's main one
	                                  * ("coordinator"): a static string,
	                                  * appended to the name */
	int32_t request_timeout_ms;      /* request.timeout.ms */
	int32_t setup_timeout_ms;        /* socket.connection.setup.timeout.ms */
	int32_t api_version_timeout_ms;  /* api.version.request.timeout.ms */
	int32_t backoff_ms;              /* reconnect.backoff.ms */
	int32_t backoff_max_ms;          /* reconnect.backoff.max.ms */
	int64_t idle_ms;                 /* connections.max.idle.ms; <= 0: never */
	int32_t max_frame;               /* receive.message.max.bytes */
	int32_t max_in_flight;           /* requests in flight per connection */
	int32_t sndbuf, rcvbuf;          /* socket.*.buffer.bytes; 0: OS default */
	bool nodelay;                    /* socket.nagle.disable */
	bool keepalive;                  /* socket.keepalive.enable */
	struct kfk_tls *tls;             /* security.protocol SSL/SASL_SSL:
	                                  * the client's TLS; NULL: none */
	struct kfk_sasl_conf *sasl;      /* SASL_*: the client's settings
	                                  * (outlive the broker); NULL: none */

	/* Called on the broker's loop thread after every state change (the
	 * client uses it to refresh metadata when a broker goes DOWN, or to
	 * send waiting work when one comes UP). May be NULL. Must not block. */
	void (*on_state)(struct kfk_broker *b, enum kfk_broker_state from,
	                 enum kfk_broker_state to, void *arg);
	void *on_state_arg;
	/* Called on the broker's loop thread when a connection fails for the
	 * first time in a row (what is logged at INFO; repeats are not), with
	 * the broker's name and the sentence logged. May be NULL. Must not
	 * block. on_state_arg is its arg too. */
	void (*on_fail)(struct kfk_broker *b, kfk_err err, const char *reason,
	                void *arg);
};

/* Creates a broker for node_id (negative for a bootstrap address) at
 * host:port. Does not connect yet. Any thread. Returns NULL on ENOMEM. The
 * broker is reference counted; the creator holds one reference. */
struct kfk_broker *kfk_broker_new(const struct kfk_broker_config *cfg,
                                  int32_t node_id, const char *host,
                                  int port);

/* Reference counting; any thread. The last unref frees the broker (which
 * must have been destroyed with kfk_broker_destroy() first). */
struct kfk_broker *kfk_broker_ref(struct kfk_broker *b);
void kfk_broker_unref(struct kfk_broker *b);

/* Closes the connection and fails every queued and in-flight request with
 * KFK_ERR__DESTROY, on the broker's loop thread. Any thread; with wait,
 * blocks until that has happened (bounded: one loop round; it never waits
 * on the network), except on the broker's own loop thread, where it
 * returns at once as without wait. Then drops the creator's reference. */
void kfk_broker_destroy(struct kfk_broker *b, bool wait);

/* Queues req (see struct kfk_req). Any thread; never blocks; connects the
 * broker if it is INIT or IDLE. */
void kfk_broker_send(struct kfk_broker *b, struct kfk_req *req);

/* Starts connecting now if the broker is INIT or IDLE (DOWN waits out its
 * backoff first), and keeps it connected: after a failure it reconnects
 * when the backoff expires even with no request waiting, until the
 * connection is closed for idleness. Any thread; never blocks. */
void kfk_broker_connect(struct kfk_broker *b);

/* Moves the broker to a new address (metadata said its host or port
 * changed); the current connection, if any, is closed and remade. */
void kfk_broker_set_address(struct kfk_broker *b, const char *host, int port);

/* Read-only accessors; any thread (state is read atomically; the rest is
 * immutable or copied under the broker's lock). */
int32_t kfk_broker_id(const struct kfk_broker *b);
enum kfk_broker_state kfk_broker_state(const struct kfk_broker *b);
/* "host:port/id", e.g. "127.0.0.1:9092/1" or ".../bootstrap", and
 * "host:port/id/purpose" for a connection with a purpose. */
const char *kfk_broker_name(const struct kfk_broker *b);
struct kfk_loop *kfk_broker_loop(const struct kfk_broker *b);

/* The version negotiated with this broker for api_key (the highest both
 * support), or -1 when there is none or the broker never got through
 * ApiVersions. The table of the last negotiation stays while the broker
 * is DOWN or IDLE; each new connection replaces it. Any thread. */
int16_t kfk_broker_api_version(const struct kfk_broker *b, int16_t api_key);

/* Counters for tests and statistics; any thread. */
struct kfk_broker_stats {
	uint64_t connects;     /* connection attempts started */
	uint64_t disconnects;  /* connections lost or closed */
	uint64_t reqs_sent;
	uint64_t resps_received;
	uint64_t timeouts;
	int32_t in_flight;
	int32_t queued;
};
void kfk_broker_stats(const struct kfk_broker *b, struct kfk_broker_stats *st);

#endif /* KFK_NET_BROKER_H */
