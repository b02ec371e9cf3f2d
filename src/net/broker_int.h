/*
 * net/broker_int.h: the inside of struct kfk_broker, shared by the files
 * that implement it:
 *   broker.c              lifecycle, the state machine, the public calls
 *   broker_req.c          the request pipeline: queue, in-flight FIFO,
 *                         framing, responses, timeouts
 *   broker_apiversions.c  ApiVersions on every connect and the version
 *                         table it yields
 *
 * Unless a field says otherwise it belongs to the broker's loop thread and
 * is touched nowhere else; the functions declared here are all for that
 * thread.
 */
#ifndef KFK_NET_BROKER_INT_H
#define KFK_NET_BROKER_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "net/broker.h"
#include "net/conn.h"
#include "net/resolve.h"
#include "net/sasl.h"
#include "util/backoff.h"
#include "proto/gen/api_keys.h"

#define KFK_BROKER_NORESP_RING 64

/* Which list a request is on (kfk_req.where). */
enum kfk_broker_where {
	KFK_REQ_NOWHERE = 0,
	KFK_REQ_WAITING,   /* queued, not written yet */
	KFK_REQ_WRITING,   /* NO_RESPONSE: handed to the socket, not all out */
	KFK_REQ_INFLIGHT   /* written, awaiting its response */
};

/* A doubly linked FIFO of requests. */
struct kfk_reqq {
	struct kfk_req *head, *tail;
	int n;
};

/* Names the broker had before kfk_broker_set_address(): kept until the
 * broker is freed, because kfk_broker_name() handed them out. */
struct kfk_broker_oldname {
	struct kfk_broker_oldname *next;
	char *name;
};

/* A waiter of kfk_broker_destroy(b, true). */
struct kfk_broker_sync {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int done;
};

struct kfk_broker {
	/* Immutable after kfk_broker_new(). */
	struct kfk_broker_config cfg;
	char *client_id;
	int32_t id;
	struct kfk_loop *loop;

	/* Any thread. */
	atomic_int refcnt;
	atomic_int state;                     /* enum kfk_broker_state */
	/* Negotiated versions per API: lo << 16 | hi, or -1 for none. */
	_Atomic int32_t versions[KFK_APIKEY__COUNT];
	_Atomic uint64_t st_connects, st_disconnects, st_sent, st_received,
	        st_timeouts;
	atomic_int st_in_flight, st_queued;

	/* Under lock: the address and the name; written on the loop thread
	 * (and by kfk_broker_set_address() for the pending one). */
	pthread_mutex_t lock;
	char *host;
	int port;
	char *name;                           /* "host:port/id" */
	struct kfk_broker_oldname *oldnames;
	char *new_host;                       /* set_address() pending */
	int new_port;

	/* Tasks other threads post; each posted at most once at a time. */
	struct kfk_loop_task connect_task, addr_task, destroy_task;
	atomic_int connect_posted, addr_posted;
	struct kfk_broker_sync *destroy_sync;

	/* The connection and its state machine (loop thread). */
	struct kfk_conn conn;
	struct kfk_resolve_req *resolving;
	struct kfk_timer timer;               /* per state: see broker.c */
	bool destroyed;
	bool want;                            /* kfk_broker_connect() */
	bool backoff_armed;                   /* DOWN and waiting it out */
	int failures;                         /* in a row, since last UP */
	int64_t last_io_us;                   /* last byte in or out */
	int conn_resps;                       /* responses on this connection */
	struct kfk_backoff backoff;           /* reconnect.backoff.ms */

	/* Requests (loop thread). */
	struct kfk_reqq waiting, writing, inflight;
	int32_t corrid;
	/* The correlation ids of the last no-response requests (acks=0): a
	 * peer that answers them anyway (librdkafka's mock) is tolerated. */
	int32_t noresp[KFK_BROKER_NORESP_RING];
	unsigned noresp_n;

	/* ApiVersions (broker_apiversions.c). */
	struct kfk_req av_req;
	int16_t av_version;                   /* the version to ask with on
	                                       * this connection */

	/* SASL (broker_sasl.c), when cfg.sasl. */
	struct kfk_req sasl_req;              /* SaslHandshake, then each
	                                       * SaslAuthenticate in turn */
	struct kfk_sasl_state sasl;           /* the mechanism; mech NULL
	                                       * between exchanges */
	struct kfk_sasl_msg sasl_out;         /* the next message to send */
	bool sasl_done;                       /* the mechanism is done: the
	                                       * next answer ends it */
	struct kfk_timer sasl_timer;          /* re-authentication is due */
	bool reauth_due;                      /* ... once nothing is in flight */
	bool reauthing;                       /* exchange running while UP */
};

/* broker.c */

/* The one place the state changes: stores it, logs "from -> to" in the
 * `broker` debug context, calls cfg.on_state. */
void kfk_broker_set_state(struct kfk_broker *b, enum kfk_broker_state to);

static inline enum kfk_broker_state kfk_broker_state_get(struct kfk_broker *b)
{
	return (enum kfk_broker_state)atomic_load_explicit(&b->state,
	                                                   memory_order_relaxed);
}

/* Closes the connection and goes DOWN (with backoff) after err; reason is
 * logged with the broker's name, at ERR for KFK_ERR__MALFORMED and INFO
 * otherwise. Fails in-flight requests (see kfk_broker_fail_sent()). */
void kfk_broker_fail(struct kfk_broker *b, kfk_err err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A request joined the waiting queue: connect, or send it if UP. */
void kfk_broker_req_queued(struct kfk_broker *b);

/* The connection negotiated its versions: UP. */
void kfk_broker_up(struct kfk_broker *b);

/* broker_req.c */

void kfk_reqq_push(struct kfk_reqq *q, struct kfk_req *r, uint8_t where);
void kfk_reqq_unlink(struct kfk_reqq *q, struct kfk_req *r);
struct kfk_req *kfk_reqq_pop(struct kfk_reqq *q);

/* The deadline of a request (req is the timer's arg): a waiting one just
 * fails; a written one takes the connection down with it. */
void kfk_broker_req_timeout(struct kfk_timer *t, void *arg);

/* A request posted by kfk_broker_send() arrives on the loop. */
void kfk_broker_req_arrive(void *arg);

/* Writes waiting requests while UP and below max_in_flight. */
void kfk_broker_send_waiting(struct kfk_broker *b);

/* Frames req at req->version (header + encode()) and hands it to the
 * connection; internal requests too. Returns 0 or the error that failed
 * it (req not queued anywhere then). */
kfk_err kfk_broker_write_req(struct kfk_broker *b, struct kfk_req *req);

/* The connection's frame and sent callbacks. */
void kfk_broker_on_frame(struct kfk_conn *c, const uint8_t *p, size_t len,
                         void *arg);
void kfk_broker_on_sent(struct kfk_conn *c, void *tag, void *arg);

/* The connection is gone: written requests fail with err (_TRANSPORT, or
 * _TIMED_OUT for those whose deadline passed when err is _TIMED_OUT). */
void kfk_broker_fail_sent(struct kfk_broker *b, kfk_err err);

/* Fails every request, waiting ones too (destroy). */
void kfk_broker_fail_all(struct kfk_broker *b, kfk_err err);

/* Calls req->done exactly once, after taking it off every list and timer. */
void kfk_broker_req_done(struct kfk_broker *b, struct kfk_req *req,
                         kfk_err err, kfk_rbuf *body);

/* broker_apiversions.c */

/* Sets up b->av_req (at kfk_broker_new()). */
void kfk_broker_av_init(struct kfk_broker *b);

/* TCP is up: sends ApiVersions (state APIVERSION), at the newest version
 * we have whatever earlier connections settled on. */
void kfk_broker_av_start(struct kfk_broker *b);

/* Sets every API's version to "none" (-1). */
void kfk_broker_av_clear(struct kfk_broker *b);

/* broker_sasl.c */

/* Sets up the SASL request and timer (at kfk_broker_new()). */
void kfk_broker_sasl_init(struct kfk_broker *b);

/* Versions negotiated and cfg.sasl set: authenticates (state AUTH), then
 * kfk_broker_up(), or fails the connection with KFK_ERR__AUTHENTICATION
 * and a sentence naming the mechanism, the user and the broker's
 * reason. */
void kfk_broker_sasl_start(struct kfk_broker *b);

/* Whether requests must wait: a re-authentication is running, or due
 * (then it starts as soon as nothing is in flight). */
bool kfk_broker_sasl_hold(struct kfk_broker *b);

/* Forgets any exchange and the re-authentication timer (connection
 * closed, broker destroyed). */
void kfk_broker_sasl_reset(struct kfk_broker *b);

#endif /* KFK_NET_BROKER_INT_H */
