/*
 * fakebroker: an in-test, scriptable Kafka "broker" on 127.0.0.1, for what
 * the mock cluster cannot do: answer garbage, announce a 2 GB frame, stay
 * silent, answer out of order, refuse an ApiVersions version, hang up in
 * the middle of a pipeline.
 *
 * fb_start() listens on an ephemeral port and runs one thread that accepts
 * connections and parses request frames; for each request it calls the
 * test's handler on that thread, which answers (or not) with fb_write()
 * (raw bytes), fb_respond() (a framed response) or fb_api_versions() (a
 * well-formed ApiVersions answer), or hangs up with fb_hangup(). Writes
 * are blocking and small; the peer is the kfk connection under test.
 *
 * The second half of this header is a harness around a kfk_broker for the
 * broker tests: a one-thread I/O pool, a config with test-friendly values,
 * a logger that keeps the lines, a record of every state change with its
 * time, and requests that record their outcome. Every wait is bounded.
 */
#ifndef KFK_TESTS_FAKEBROKER_H
#define KFK_TESTS_FAKEBROKER_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/broker.h"
#include "net/pool.h"

/* ---- the fake broker --------------------------------------------------- */

struct fb;
struct fb_conn;

/* One request as the fake received it; body is valid during the handler. */
struct fb_req {
	int16_t api_key;
	int16_t api_version;
	int32_t corrid;
	const uint8_t *body;  /* after the request header */
	size_t body_len;
	int conn_no;          /* 1 for the first connection accepted, ... */
	int req_no;           /* 1 for the first request on that connection */
};

typedef void fb_handler(struct fb_conn *c, const struct fb_req *r, void *arg);

/* Starts the fake with handler h (called on the fake's thread). Returns
 * NULL (and logs why) on failure. */
struct fb *fb_start(fb_handler *h, void *arg);

/* The port it listens on (127.0.0.1). */
int fb_port(const struct fb *fb);

/* Stops the thread (bounded) and closes everything. NULL is a no-op. */
void fb_stop(struct fb *fb);

/* Connections accepted and requests received so far; any thread. */
int fb_connections(struct fb *fb);
int fb_requests(struct fb *fb);

/* Writes raw bytes to the connection (blocking). Handler thread only. */
void fb_write(struct fb_conn *c, const void *p, size_t n);

/* Writes a response frame to r with correlation id corrid (usually
 * r->corrid) and the response header version r's API and version use. */
void fb_respond(struct fb_conn *c, const struct fb_req *r, int32_t corrid,
                const void *body, size_t n);

/* Answers an ApiVersions request: every API kfk knows, versions min..
 * max_stable, except that ApiVersions itself is capped at av_max; a
 * request above av_max gets UNSUPPORTED_VERSION in a v0 body, as a real
 * broker does. */
void fb_api_versions(struct fb_conn *c, const struct fb_req *r, int av_max);

/* One API's versions in an ApiVersions answer of fb_api_versions_ranges():
 * min..max, or min -1 to leave the API out of the answer. */
struct fb_api_range {
	int16_t key, min, max;
};

/* Like fb_api_versions(), for a broker with chosen versions: every API kfk
 * knows at min..max_stable, except those in ranges[0..n), listed as given
 * (ApiVersions itself too: a request outside its range gets
 * UNSUPPORTED_VERSION in a v0 body, as a real broker answers a version it
 * does not have, above or below its range). */
void fb_api_versions_ranges(struct fb_conn *c, const struct fb_req *r,
                            const struct fb_api_range *ranges, int n);

/* Answers a Metadata request: no brokers, and each topic asked for listed
 * back with error UNKNOWN_TOPIC_OR_PARTITION (so the answer names it). */
void fb_metadata_echo(struct fb_conn *c, const struct fb_req *r);

/* Closes the connection once the handler returns. */
void fb_hangup(struct fb_conn *c);

/* ---- the broker harness ------------------------------------------------ */

#define TB_MAX_TRANS 256
#define TB_MAX_LOGS 4096
#define TB_WAIT_MS 20000 /* generous: sanitizers on a shared 2-core box */

struct tb_trans {
	enum kfk_broker_state from, to;
	int64_t us;  /* kfk_now_us() when it happened */
};

struct tb {
	struct kfk_pool *pool;
	struct kfk_broker *b;
	struct kfk_broker_config cfg;
	struct kfk_logger log;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct tb_trans trans[TB_MAX_TRANS];
	int ntrans;
	char (*logs)[320];  /* TB_MAX_LOGS lines */
	int nlogs;
	int reqs_done;
};

/* Fills t->cfg with test values (client id "kt", short timeouts and
 * backoffs, debug contexts broker+protocol captured at DEBUG) and starts a
 * one-thread pool. Then adjust t->cfg and call tb_broker(). */
void tb_init(struct tb *t);

/* Creates the broker for host:port with id. */
struct kfk_broker *tb_broker(struct tb *t, int32_t id, const char *host,
                             int port);

/* Destroys the broker (waiting) and the pool. */
void tb_fini(struct tb *t);

/* Waits until the broker's state is s; 1 when it got there in time. */
int tb_wait_state(struct tb *t, enum kfk_broker_state s, int ms);

/* Waits until at least n transitions into `to` happened; returns how many
 * there were. */
int tb_wait_into(struct tb *t, enum kfk_broker_state to, int n, int ms);

/* Copies the transitions recorded so far (at most max) under t's lock;
 * returns how many. */
int tb_transitions(struct tb *t, struct tb_trans *out, int max);

/* 1 when a captured log line contains needle. */
int tb_logged(struct tb *t, const char *needle);

/* A request whose outcome is recorded. */
struct treq {
	struct kfk_req req;
	struct tb *tb;
	const char *topic;   /* Metadata: the one topic asked for */
	bool done;
	kfk_err err;
	int16_t version;
	int64_t sent_us, done_us;
	char answer[128];    /* Metadata: the first topic named in the answer */
	int32_t answer_len;  /* bytes in the response body */
};

/* Sets r up as a Metadata request for topic (min..max versions), or as an
 * ApiVersions request when topic is NULL. */
void treq_init(struct treq *r, struct tb *t, const char *topic);

/* Sends r (records sent_us). */
void treq_send(struct treq *r);

/* Waits until n requests of t are done; returns how many are. */
int tb_wait_done(struct tb *t, int n, int ms);

/* r->done etc. read under t's lock. */
bool treq_done(struct treq *r);

#endif /* KFK_TESTS_FAKEBROKER_H */
