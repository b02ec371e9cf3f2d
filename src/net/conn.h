/*
 * net/conn.h: one non-blocking TCP connection carrying size-prefixed
 * frames (Kafka's framing: int32 big-endian length, then that many bytes).
 *
 * The connection knows nothing of Kafka beyond the framing: the broker
 * (net/broker.c) gives it addresses and whole frames to write, and gets
 * back "connected", one callback per received frame, "frame written" and
 * "closed, because ...".
 *
 * Connecting tries each address in turn, each attempt bounded by
 * setup_timeout_ms; the first that connects wins. Sockets get TCP_NODELAY,
 * SO_KEEPALIVE and the buffer sizes asked for.
 *
 * Reading: frames are parsed out of one input buffer, several per read()
 * when they are small; a frame is handed over only when all its bytes are
 * in. A length prefix that is negative, below min_frame or above max_frame
 * closes the connection with KFK_ERR__MALFORMED before a single byte of
 * that frame is buffered, so a peer claiming 2 GB costs nothing.
 *
 * Writing: frames are queued and written with writev(), as many per call
 * as the socket takes; partial writes resume where they stopped.
 *
 * Threads: a connection belongs to one loop; every function below is for
 * that loop's thread only, and every callback runs there. None blocks.
 */
#ifndef KFK_NET_CONN_H
#define KFK_NET_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <kfk/errors.h>

#include "net/frame.h"
#include "net/tls.h"
#include "net/loop.h"
#include "net/resolve.h"
#include "util/log.h"
#include "util/timerheap.h"

struct kfk_conn;

enum kfk_conn_state {
	KFK_CONN_CLOSED,      /* no socket */
	KFK_CONN_CONNECTING,  /* connect() in progress to addrs->v[addr_idx] */
	KFK_CONN_HANDSHAKE,   /* TCP up, TLS handshake in progress */
	KFK_CONN_CONNECTED
};

/* What the owner hears; every callback may call kfk_conn_close() (and
 * after closed(), kfk_conn_connect() again). */
struct kfk_conn_cbs {
	/* TCP is up (to kfk_conn_peer()), and TLS on it when opts.tls. */
	void (*connected)(struct kfk_conn *c, void *arg);
	/* One whole frame, without its length prefix; the bytes are valid
	 * during the call only. */
	void (*frame)(struct kfk_conn *c, const uint8_t *p, size_t len,
	              void *arg);
	/* The last byte of the frame queued with this tag went to the socket
	 * (only for frames queued with a non-NULL tag). */
	void (*sent)(struct kfk_conn *c, void *tag, void *arg);
	/* The connection closed by itself: every address failed, the peer
	 * closed, an I/O error, a malformed frame. reason is a sentence for
	 * the log. Not called for kfk_conn_close(). */
	void (*closed)(struct kfk_conn *c, kfk_err err, const char *reason,
	               void *arg);
};

struct kfk_conn_opts {
	const struct kfk_logger *log;  /* may be NULL */
	int32_t setup_timeout_ms;      /* per address; <= 0: no bound */
	int32_t max_frame;             /* largest frame accepted, bytes */
	int32_t min_frame;             /* smallest (4: a correlation id) */
	int32_t sndbuf, rcvbuf;        /* 0: the OS default */
	bool nodelay, keepalive;
	struct kfk_tls *tls;           /* NULL: plaintext; else TLS with it
	                                * (outlives the connection) */
};

/* A queued output frame. */
struct kfk_conn_out {
	struct kfk_conn_out *next;
	uint8_t *buf;   /* free()d once written or dropped */
	size_t len;
	size_t off;     /* bytes already written */
	void *tag;
};

/* Embed in the owner; fields are private. */
struct kfk_conn {
	struct kfk_loop *loop;
	struct kfk_loop_io io;
	struct kfk_timer timer;  /* per-address connect deadline */
	struct kfk_conn_opts opts;
	const struct kfk_conn_cbs *cbs;
	void *arg;
	const char *name;        /* for log lines, the owner's */
	enum kfk_conn_state state;
	int fd;
	struct kfk_sockaddrs *addrs;
	int addr_idx;
	char why[256];           /* failures of earlier addresses */
	unsigned gen;            /* +1 per close: callbacks may close */
	/* input: bytes [in_off, in_len) of in[] are unparsed; in is
	 * inb->data (net/frame.h: kept frames share the block) */
	struct kfk_inblock *inb;
	uint8_t *in;
	size_t in_cap, in_off, in_len;
	/* output queue */
	struct kfk_conn_out *out_head, *out_tail;
	size_t out_bytes;
	uint64_t bytes_in, bytes_out;
	/* TLS (opts.tls): the session, the host name it verifies, and a
	 * read that must wait for writability (a TLS record to send
	 * first). */
	SSL *ssl;
	char *host;
	bool read_wants_write;
	bool framed;             /* a frame came on this connection */
};

/* Prepares c (closed) on loop. name (kept as a pointer; may change with
 * kfk_conn_set_name()) prefixes log lines. Allocates nothing. */
void kfk_conn_init(struct kfk_conn *c, struct kfk_loop *loop,
                   const struct kfk_conn_opts *opts,
                   const struct kfk_conn_cbs *cbs, void *arg,
                   const char *name);

void kfk_conn_set_name(struct kfk_conn *c, const char *name);

/* Starts connecting to addrs (taken over, freed by the connection), trying
 * each address in turn; host (copied) is the name they were resolved
 * from, which TLS verifies against the broker's certificate. With TLS the
 * handshake follows TCP, bounded by the same setup_timeout_ms, and a
 * handshake failure closes the connection with KFK_ERR__SSL and a
 * sentence saying why (the next address is not tried: it would fail the
 * same way). c must be CLOSED. Returns 0: connected() or
 * closed() will follow (closed() never from inside this call: a failure of
 * every address is reported from the loop, so the owner's state is
 * consistent first). */
kfk_err kfk_conn_connect(struct kfk_conn *c, struct kfk_sockaddrs *addrs,
                         const char *host);

/* Queues frame buf[0..len) (taken over: free()d when written or dropped)
 * for writing; sent(tag) follows when tag is not NULL. c must be
 * CONNECTED. Never writes from inside this call: the write happens when
 * the loop finds the socket writable, so frames queued together go out in
 * one writev(). */
void kfk_conn_write(struct kfk_conn *c, uint8_t *buf, size_t len, void *tag);

/* Closes the socket and drops queued output (no sent() for it). Does not
 * call closed(): the owner, who decided to close, logs why. A no-op on a
 * closed connection. Safe inside any callback of c (the frame being
 * delivered stays readable until that callback returns). */
void kfk_conn_close(struct kfk_conn *c);

/* During the frame() callback for the frame at p: keeps its bytes past
 * the callback (net/frame.h). NULL on ENOMEM. */
struct kfk_frame *kfk_conn_keep(struct kfk_conn *c, const uint8_t *p,
                                size_t len);

/* Frees the buffers; c must be closed. */
void kfk_conn_fini(struct kfk_conn *c);

/* The address being tried or connected to; NULL when closed. */
const struct kfk_sockaddr *kfk_conn_peer(const struct kfk_conn *c);

/* Output bytes queued and not yet written. */
static inline size_t kfk_conn_out_bytes(const struct kfk_conn *c)
{
	return c->out_bytes;
}

#endif /* KFK_NET_CONN_H */
