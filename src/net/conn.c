/*
 * net/conn.c: non-blocking TCP with Kafka framing (see conn.h).
 *
 * Callbacks may close the connection (and even start a new one) under our
 * feet; every loop that calls out checks c->gen afterwards and stops when it
 * moved. The input buffer is never freed by a close, only by
 * kfk_conn_fini() or a shrink between reads, so a frame being delivered
 * stays valid for the whole callback.
 */
#include "config.h"

#include "net/conn.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "util/time.h"

/* Input buffer: its usual size, and what it shrinks back to after a large
 * frame (a 50 MB fetch response should not pin 50 MB per idle broker). */
#define KFK_CONN_IN_SIZE (64 * 1024)
/* Bytes read per readable event before other connections get a turn. */
#define KFK_CONN_READ_BUDGET (1024 * 1024)
/* A read() gets at least this much room, else the buffer is compacted. */
#define KFK_CONN_MIN_READ 4096
/* Frames gathered per sendmsg(). */
#define KFK_CONN_IOV 64

static void kfk_conn_on_io(struct kfk_loop_io *io, unsigned events, void *arg);
static void kfk_conn_on_timer(struct kfk_timer *t, void *arg);

void kfk_conn_init(struct kfk_conn *c, struct kfk_loop *loop,
                   const struct kfk_conn_opts *opts,
                   const struct kfk_conn_cbs *cbs, void *arg,
                   const char *name)
{
	memset(c, 0, sizeof(*c));
	c->loop = loop;
	c->opts = *opts;
	c->cbs = cbs;
	c->arg = arg;
	c->name = name;
	c->fd = -1;
	kfk_timer_init(&c->timer, kfk_conn_on_timer, c);
}

void kfk_conn_set_name(struct kfk_conn *c, const char *name)
{
	c->name = name;
}

const struct kfk_sockaddr *kfk_conn_peer(const struct kfk_conn *c)
{
	if (c->state == KFK_CONN_CLOSED || !c->addrs ||
	    c->addr_idx >= c->addrs->n)
		return NULL;
	return &c->addrs->v[c->addr_idx];
}

static void kfk_conn_drop_out(struct kfk_conn *c)
{
	struct kfk_conn_out *o, *next;

	for (o = c->out_head; o; o = next) {
		next = o->next;
		free(o->buf);
		free(o);
	}
	c->out_head = c->out_tail = NULL;
	c->out_bytes = 0;
}

/* Closes the socket only (the address list stays, for the next try). */
static void kfk_conn_close_fd(struct kfk_conn *c)
{
	if (c->fd < 0)
		return;
	kfk_tls_close(c->ssl);
	c->ssl = NULL;
	c->read_wants_write = false;
	kfk_loop_io_remove(&c->io);
	close(c->fd);
	c->fd = -1;
}

/* Forgets the input: a block kept frames still hold is let go (the next
 * connection's bytes would otherwise be read into it from offset 0, over
 * the kept frames), an unshared one is kept for reuse. */
static void kfk_conn_in_reset(struct kfk_conn *c)
{
	if (c->inb && kfk_inblock_shared(c->inb)) {
		kfk_inblock_unref(c->inb);
		c->inb = NULL;
		c->in = NULL;
		c->in_cap = 0;
	}
	c->in_off = c->in_len = 0;
}

void kfk_conn_close(struct kfk_conn *c)
{
	if (c->state == KFK_CONN_CLOSED)
		return;
	c->gen++;
	kfk_conn_close_fd(c);
	kfk_loop_timer_cancel(c->loop, &c->timer);
	kfk_conn_drop_out(c);
	free(c->addrs);
	c->addrs = NULL;
	free(c->host);
	c->host = NULL;
	kfk_conn_in_reset(c);
	c->state = KFK_CONN_CLOSED;
}

void kfk_conn_fini(struct kfk_conn *c)
{
	kfk_conn_close(c);
	kfk_inblock_unref(c->inb);
	c->inb = NULL;
	c->in = NULL;
	c->in_cap = 0;
}

/* Closes c and tells the owner. */
static void kfk_conn_fail(struct kfk_conn *c, kfk_err err, const char *fmt,
                          ...) __attribute__((format(printf, 3, 4)));

static void kfk_conn_fail(struct kfk_conn *c, kfk_err err, const char *fmt,
                          ...)
{
	char reason[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	kfk_conn_close(c);
	c->cbs->closed(c, err, reason, c->arg);
}

/* Appends "addr: what" to the list of failed addresses. */
static void kfk_conn_note(struct kfk_conn *c, const char *what)
{
	char peer[64];
	size_t len = strlen(c->why);

	kfk_sockaddr_format(peer, sizeof(peer), &c->addrs->v[c->addr_idx]);
	snprintf(c->why + len, sizeof(c->why) - len, "%s%s: %s",
	         len ? "; " : "", peer, what);
}

static void kfk_conn_sockopts(struct kfk_conn *c, int fd)
{
	int one = 1;

	if (c->opts.nodelay)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (c->opts.keepalive)
		setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
	/* Before connect(): the window scale is agreed in the handshake. */
	if (c->opts.sndbuf > 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &c->opts.sndbuf,
		           sizeof(c->opts.sndbuf));
	if (c->opts.rcvbuf > 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &c->opts.rcvbuf,
		           sizeof(c->opts.rcvbuf));
}

/* Starts connect() to the current address; 0 when it is under way, else
 * errno (the socket is closed again). */
static int kfk_conn_start_one(struct kfk_conn *c)
{
	const struct kfk_sockaddr *sa = &c->addrs->v[c->addr_idx];
	int fd, e;

	fd = socket(sa->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	            0);
	if (fd < 0)
		return errno;
	kfk_conn_sockopts(c, fd);
	if (connect(fd, (const struct sockaddr *)&sa->ss, sa->len) != 0 &&
	    errno != EINPROGRESS) {
		e = errno;
		close(fd);
		return e;
	}
	/* Connected or not, writability tells (SO_ERROR says which). */
	if (kfk_loop_io_add(c->loop, &c->io, fd, KFK_LOOP_WRITE, kfk_conn_on_io,
	                    c)) {
		e = errno ? errno : EIO;
		close(fd);
		return e;
	}
	c->fd = fd;
	return 0;
}

/* Tries the addresses from addr_idx on until one is under way; when none
 * is left, a timer at "now" reports the failure from the loop. */
static void kfk_conn_try(struct kfk_conn *c)
{
	int64_t deadline = kfk_now_us();

	for (; c->addr_idx < c->addrs->n; c->addr_idx++) {
		int e = kfk_conn_start_one(c);

		if (e == 0) {
			if (c->opts.setup_timeout_ms > 0)
				kfk_loop_timer_arm(c->loop, &c->timer,
				                   deadline +
				                       c->opts.setup_timeout_ms * 1000LL);
			return;
		}
		kfk_conn_note(c, strerror(e));
	}
	kfk_loop_timer_arm(c->loop, &c->timer, deadline);
}

kfk_err kfk_conn_connect(struct kfk_conn *c, struct kfk_sockaddrs *addrs,
                         const char *host)
{
	if (c->state != KFK_CONN_CLOSED) {
		free(addrs);
		return KFK_ERR__STATE;
	}
	c->host = host ? strdup(host) : NULL;
	if (host && !c->host) {
		free(addrs);
		return KFK_ERR__NO_MEMORY;
	}
	c->addrs = addrs;
	c->addr_idx = 0;
	c->framed = false;
	c->why[0] = '\0';
	kfk_conn_in_reset(c);
	c->state = KFK_CONN_CONNECTING;
	if (addrs->n == 0)
		snprintf(c->why, sizeof(c->why), "no address to connect to");
	kfk_conn_try(c);
	return KFK_ERR_NONE;
}

/* The current address failed with what: on to the next one. */
static void kfk_conn_next(struct kfk_conn *c, const char *what)
{
	kfk_conn_note(c, what);
	kfk_conn_close_fd(c);
	kfk_loop_timer_cancel(c->loop, &c->timer);
	c->addr_idx++;
	kfk_conn_try(c);
}

/* Connect deadline of one address, or the report that all failed. */
static void kfk_conn_on_timer(struct kfk_timer *t, void *arg)
{
	struct kfk_conn *c = arg;
	char what[64];

	(void)t;
	if (c->state == KFK_CONN_HANDSHAKE) {
		kfk_conn_fail(c, KFK_ERR__SSL,
		              "TLS handshake not finished after %d ms "
		              "(socket.connection.setup.timeout.ms)",
		              (int)c->opts.setup_timeout_ms);
		return;
	}
	if (c->state != KFK_CONN_CONNECTING)
		return;
	if (c->fd < 0) {
		kfk_conn_fail(c, KFK_ERR__TRANSPORT, "connect failed: %s", c->why);
		return;
	}
	snprintf(what, sizeof(what), "timed out after %d ms",
	         (int)c->opts.setup_timeout_ms);
	kfk_conn_next(c, what);
}

/* Ready for frames: tell the owner. */
static void kfk_conn_up(struct kfk_conn *c)
{
	kfk_loop_timer_cancel(c->loop, &c->timer);
	kfk_loop_io_modify(&c->io, KFK_LOOP_READ |
	                               (c->out_head ? KFK_LOOP_WRITE : 0u));
	c->state = KFK_CONN_CONNECTED;
	c->cbs->connected(c, c->arg);
}

/* One step of the TLS handshake, when the socket is ready for it. */
static void kfk_conn_tls_step(struct kfk_conn *c)
{
	char err[512], desc[128];

	switch (kfk_tls_handshake(c->ssl, err, sizeof(err))) {
	case KFK_TLS_DONE:
		kfk_tls_describe(c->ssl, desc, sizeof(desc));
		kfk_dbg(c->opts.log, KFK_DBG_SECURITY, "SSL",
		        "%s: TLS handshake done: %s", c->name, desc);
		kfk_conn_up(c);
		return;
	case KFK_TLS_WANT_READ:
		kfk_loop_io_modify(&c->io, KFK_LOOP_READ);
		return;
	case KFK_TLS_WANT_WRITE:
		kfk_loop_io_modify(&c->io, KFK_LOOP_WRITE);
		return;
	default:
		kfk_conn_fail(c, KFK_ERR__SSL, "%s", err);
	}
}

/* TCP is up: TLS starts on it; the setup deadline keeps running. */
static void kfk_conn_tls_start(struct kfk_conn *c)
{
	char err[256];

	c->ssl = kfk_tls_session(c->opts.tls, c->fd, c->host ? c->host : "",
	                         err, sizeof(err));
	if (!c->ssl) {
		kfk_conn_fail(c, KFK_ERR__SSL, "cannot start TLS: %s", err);
		return;
	}
	c->state = KFK_CONN_HANDSHAKE;
	kfk_conn_tls_step(c);
}

/* The socket of a connect() in progress became writable (or failed). */
static void kfk_conn_on_connect(struct kfk_conn *c)
{
	int e = 0;
	socklen_t len = sizeof(e);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &len) != 0)
		e = errno;
	if (e) {
		kfk_conn_next(c, strerror(e));
		return;
	}
	if (c->opts.tls) {
		kfk_conn_tls_start(c);
		return;
	}
	kfk_conn_up(c);
}

void kfk_conn_write(struct kfk_conn *c, uint8_t *buf, size_t len, void *tag)
{
	struct kfk_conn_out *o = malloc(sizeof(*o));

	if (!o || c->state != KFK_CONN_CONNECTED) {
		/* Out of memory: the stream would lose a frame, so it must go. */
		free(o);
		free(buf);
		if (c->state == KFK_CONN_CONNECTED)
			kfk_conn_fail(c, KFK_ERR__NO_MEMORY, "out of memory");
		return;
	}
	o->next = NULL;
	o->buf = buf;
	o->len = len;
	o->off = 0;
	o->tag = tag;
	if (c->out_tail)
		c->out_tail->next = o;
	else
		c->out_head = o;
	c->out_tail = o;
	c->out_bytes += len;
	kfk_loop_io_modify(&c->io, KFK_LOOP_READ | KFK_LOOP_WRITE);
}

/* Retires the n bytes just written from the head of the queue; returns 0,
 * or -1 when a sent() callback closed the connection. */
static int kfk_conn_advance(struct kfk_conn *c, size_t n)
{
	unsigned gen = c->gen;

	c->out_bytes -= n;
	c->bytes_out += n;
	while (n) {
		struct kfk_conn_out *o = c->out_head;
		size_t left = o->len - o->off;

		if (n < left) {
			o->off += n;
			return 0;
		}
		n -= left;
		c->out_head = o->next;
		if (!c->out_head)
			c->out_tail = NULL;
		free(o->buf);
		if (o->tag)
			c->cbs->sent(c, o->tag, c->arg);
		free(o);
		if (c->gen != gen)
			return -1;
	}
	return 0;
}

/* The code of a TLS failure after the handshake: _SSL until a frame came
 * (a TLS 1.3 broker refuses our certificate only then, and nothing but
 * ApiVersions is in flight), _TRANSPORT afterwards, so that requests in
 * flight are retried as after any broken connection. */
static kfk_err kfk_conn_tls_err(const struct kfk_conn *c)
{
	return c->framed ? KFK_ERR__TRANSPORT : KFK_ERR__SSL;
}

/* Writes the queue through TLS, a frame (or what is left of it) per
 * call: OpenSSL makes records of up to 16 KB from each. Returns 1 when
 * the queue is empty, 0 when the socket is full, -1 when closed. */
static int kfk_conn_tls_write(struct kfk_conn *c)
{
	char err[256];

	while (c->out_head) {
		struct kfk_conn_out *o = c->out_head;
		size_t n = 0;

		switch (kfk_tls_write(c->ssl, o->buf + o->off, o->len - o->off, &n,
		                      err, sizeof(err))) {
		case KFK_TLS_DONE:
			if (kfk_conn_advance(c, n))
				return -1;
			continue;
		case KFK_TLS_WANT_READ:
		case KFK_TLS_WANT_WRITE:
			return 0;
		case KFK_TLS_CLOSED:
			kfk_conn_fail(c, KFK_ERR__TRANSPORT,
			              "connection closed by the peer");
			return -1;
		default:
			kfk_conn_fail(c, kfk_conn_tls_err(c), "TLS write failed: %s",
			              err);
			return -1;
		}
	}
	return 1;
}

/* Writes as much of the queue as the socket takes. */
static void kfk_conn_on_writable(struct kfk_conn *c)
{
	if (c->ssl) {
		if (kfk_conn_tls_write(c) == 1)
			kfk_loop_io_modify(&c->io, KFK_LOOP_READ);
		return;
	}
	while (c->out_head) {
		struct iovec iov[KFK_CONN_IOV];
		struct msghdr msg = { .msg_iov = iov };
		struct kfk_conn_out *o;
		ssize_t n;

		for (o = c->out_head; o && msg.msg_iovlen < KFK_CONN_IOV; o = o->next) {
			iov[msg.msg_iovlen].iov_base = o->buf + o->off;
			iov[msg.msg_iovlen++].iov_len = o->len - o->off;
		}
		n = sendmsg(c->fd, &msg, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n < 0) {
			kfk_conn_fail(c, KFK_ERR__TRANSPORT, "write failed: %s",
			              strerror(errno));
			return;
		}
		if (kfk_conn_advance(c, (size_t)n))
			return;
	}
	kfk_loop_io_modify(&c->io, KFK_LOOP_READ);
}

/* Moves the unparsed bytes into a new block of cap bytes: the old one
 * is shared with kept frames, or too small. */
static int kfk_conn_in_move(struct kfk_conn *c, size_t cap)
{
	size_t unparsed = c->in_len - c->in_off;
	struct kfk_inblock *nb = kfk_inblock_new(cap);

	if (!nb)
		return -1;
	if (unparsed)
		memcpy(nb->data, c->in + c->in_off, unparsed);
	kfk_inblock_unref(c->inb);
	c->inb = nb;
	c->in = nb->data;
	c->in_cap = cap;
	c->in_off = 0;
	c->in_len = unparsed;
	return 0;
}

/* Makes room for at least need unread bytes (all of a frame) in the input
 * block, moving what is unparsed to the front. Bytes before in_off may be
 * held by kept frames (net/frame.h): a shared block is never compacted or
 * reallocated, only read on into past in_len. */
static int kfk_conn_in_room(struct kfk_conn *c, size_t need)
{
	bool compact = c->in_off && (c->in_cap - c->in_len < KFK_CONN_MIN_READ ||
	                             c->in_cap - c->in_off < need);
	size_t cap = need < KFK_CONN_IN_SIZE ? KFK_CONN_IN_SIZE : need;

	if (!c->inb)
		return kfk_conn_in_move(c, cap);
	if (kfk_inblock_shared(c->inb)) {
		if (!compact && c->in_cap - c->in_off >= need)
			return 0;
		return kfk_conn_in_move(c, cap);
	}
	if (compact) {
		memmove(c->in, c->in + c->in_off, c->in_len - c->in_off);
		c->in_len -= c->in_off;
		c->in_off = 0;
	}
	if (c->in_cap >= cap)
		return 0;
	return kfk_conn_in_move(c, cap);
}

struct kfk_frame *kfk_conn_keep(struct kfk_conn *c, const uint8_t *p,
                                size_t len)
{
	return kfk_frame_keep(c->inb, p, len);
}

static int32_t kfk_conn_be32(const uint8_t *p)
{
	return (int32_t)(((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	                 ((uint32_t)p[2] << 8) | (uint32_t)p[3]);
}

/* Whether a plaintext connection's first bytes are a TLS record (an
 * alert or a handshake, version 3.x) rather than a Kafka frame: a TLS
 * listener refusing our request. A real frame of that size (over 350 MB)
 * is beyond any receive.message.max.bytes anyway. */
static bool kfk_conn_tls_answer(const struct kfk_conn *c)
{
	const uint8_t *p = c->in + c->in_off;

	return !c->ssl && !c->framed && c->in_off == 0 &&
	       (p[0] == 0x15 || p[0] == 0x16) && p[1] == 0x03 && p[2] <= 0x04;
}

/* Delivers the whole frames buffered. Returns the room the next read
 * needs (at least the rest of a partial frame), or 0 when the connection
 * closed (malformed size, or a callback closed it). */
static size_t kfk_conn_parse(struct kfk_conn *c)
{
	unsigned gen = c->gen;

	while (c->in_len - c->in_off >= 4) {
		int32_t size = kfk_conn_be32(c->in + c->in_off);
		size_t avail = c->in_len - c->in_off - 4;

		if (kfk_conn_tls_answer(c)) {
			kfk_conn_fail(c, KFK_ERR__SSL,
			              "the broker answered with TLS: this is an SSL "
			              "or SASL_SSL listener; set security.protocol "
			              "to SSL or SASL_SSL");
			return 0;
		}
		if (size > c->opts.max_frame || size < 0) {
			kfk_conn_fail(c, KFK_ERR__MALFORMED,
			              "frame of %u bytes announced, over the maximum "
			              "of %d (receive.message.max.bytes)",
			              (unsigned)size, c->opts.max_frame);
			return 0;
		}
		if (size < c->opts.min_frame) {
			kfk_conn_fail(c, KFK_ERR__MALFORMED,
			              "frame of %d bytes announced, under the "
			              "minimum of %d", size, c->opts.min_frame);
			return 0;
		}
		if (avail < (size_t)size)
			return 4 + (size_t)size;
		c->in_off += 4 + (size_t)size;
		c->framed = true;
		c->cbs->frame(c, c->in + c->in_off - size, (size_t)size, c->arg);
		if (c->gen != gen)
			return 0;
	}
	return 4;
}

/* Gives back the memory of a large frame once it has been consumed, and
 * lets go of a block kept frames hold. */
static void kfk_conn_in_shrink(struct kfk_conn *c)
{
	if (c->inb && c->in_off == c->in_len &&
	    (c->in_cap > KFK_CONN_IN_SIZE || kfk_inblock_shared(c->inb))) {
		kfk_inblock_unref(c->inb);
		c->inb = NULL;
		c->in = NULL;
		c->in_cap = c->in_off = c->in_len = 0;
	}
}

/* Acknowledges what was read at once instead of up to 40 ms later (Linux
 * delays ACKs, and re-enables the delay by itself): a peer that writes a
 * response in two pieces without TCP_NODELAY, as librdkafka's mock broker
 * does, holds the second piece back until our ACK comes (Nagle). Brokers
 * set TCP_NODELAY; then this costs one cheap system call per read. */
static void quick_ack(struct kfk_conn *c)
{
#ifdef TCP_QUICKACK
	int one = 1;

	setsockopt(c->fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
#else
	(void)c;
#endif
}

/* kfk_conn_read_some() through TLS, into the room made for it. */
static ssize_t kfk_conn_tls_read(struct kfk_conn *c)
{
	char err[256];
	size_t n = 0;

	switch (kfk_tls_read(c->ssl, c->in + c->in_len, c->in_cap - c->in_len,
	                     &n, err, sizeof(err))) {
	case KFK_TLS_DONE:
		return (ssize_t)n;
	case KFK_TLS_WANT_READ:
		return -2;
	case KFK_TLS_WANT_WRITE:
		/* A record must go out first: read again when writable. */
		c->read_wants_write = true;
		kfk_loop_io_modify(&c->io, KFK_LOOP_READ | KFK_LOOP_WRITE);
		return -2;
	case KFK_TLS_CLOSED:
		kfk_conn_fail(c, KFK_ERR__TRANSPORT,
		              "connection closed by the peer%s",
		              c->in_len > c->in_off ? " in the middle of a frame"
		                                    : "");
		return -1;
	default:
		kfk_conn_fail(c, kfk_conn_tls_err(c), "TLS read failed: %s", err);
		return -1;
	}
}

/* One read() into the buffer; returns bytes read, or -1 when it should
 * stop (would block: 0 is returned as -2, closed: -1). */
static ssize_t kfk_conn_read_some(struct kfk_conn *c, size_t need)
{
	ssize_t n;

	if (kfk_conn_in_room(c, need)) {
		kfk_conn_fail(c, KFK_ERR__NO_MEMORY,
		              "out of memory for a %zu-byte frame", need);
		return -1;
	}
	if (c->ssl)
		return kfk_conn_tls_read(c);
	do
		n = read(c->fd, c->in + c->in_len, c->in_cap - c->in_len);
	while (n < 0 && errno == EINTR);
	if (n > 0) {
		quick_ack(c);
		return n;
	}
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return -2;
	if (n == 0)
		kfk_conn_fail(c, KFK_ERR__TRANSPORT,
		              "connection closed by the peer%s",
		              c->in_len > c->in_off ? " in the middle of a frame"
		                                    : "");
	else
		kfk_conn_fail(c, KFK_ERR__TRANSPORT, "read failed: %s",
		              strerror(errno));
	return -1;
}

static void kfk_conn_on_readable(struct kfk_conn *c)
{
	size_t budget = KFK_CONN_READ_BUDGET, need = 4;
	ssize_t n;

	/* What is left over from the last call is parsed first. */
	while (budget && (n = kfk_conn_read_some(c, need)) > 0) {
		size_t room = c->in_cap - c->in_len;

		c->in_len += (size_t)n;
		c->bytes_in += (size_t)n;
		budget -= (size_t)n < budget ? (size_t)n : budget;
		need = kfk_conn_parse(c);
		if (!need)
			return;
		/* TLS hands out a record at a time: read on until it would
		 * block, and past the budget while decrypted bytes wait (the
		 * socket will not wake us for those). */
		if (c->ssl && !budget && kfk_tls_pending(c->ssl))
			budget = 1;
		else if (!c->ssl && (size_t)n < room)
			break;  /* the socket is drained */
	}
	if (c->state == KFK_CONN_CONNECTED)
		kfk_conn_in_shrink(c);
}

static void kfk_conn_on_io(struct kfk_loop_io *io, unsigned events, void *arg)
{
	struct kfk_conn *c = arg;
	unsigned gen = c->gen;

	(void)io;
	if (c->state == KFK_CONN_CONNECTING) {
		kfk_conn_on_connect(c);
		return;
	}
	if (c->state == KFK_CONN_HANDSHAKE) {
		kfk_conn_tls_step(c);
		return;
	}
	if ((events & KFK_LOOP_WRITE) && c->read_wants_write) {
		c->read_wants_write = false;
		events |= KFK_LOOP_READ;
	}
	if (events & KFK_LOOP_WRITE)
		kfk_conn_on_writable(c);
	if (c->gen == gen && (events & (KFK_LOOP_READ | KFK_LOOP_ERROR)))
		kfk_conn_on_readable(c);
}
