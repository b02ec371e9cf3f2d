/*
 * net/conn: connecting through a list of addresses (refused, hanging past
 * the setup timeout, then good), socket options, frames split at every
 * byte, many frames per read, a frame larger than the read buffer, sizes
 * that must close the connection before anything is buffered, a peer that
 * hangs up mid-frame, queued frames written with partial writes in order,
 * and closing from inside a callback.
 *
 * The loop runs on the test thread: the test drives it one round at a
 * time, or until a callback stops it, and plays the server with plain
 * blocking or non-blocking sockets in between (the kernel completes
 * loopback handshakes and buffers bytes without anyone's help).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../kt.h"
#include "net/conn.h"
#include "net/loop.h"
#include "util/time.h"

#define WAIT_MS 10000

/* What the connection told us. */
struct rec {
	struct kfk_loop *loop;
	int connected;
	int frames;
	size_t frame_bytes;
	uint8_t last[400000];
	size_t last_len;
	int closed;
	kfk_err err;
	char reason[512];
	int sent;
	void *sent_tags[4096];
	int close_on_frame;  /* call kfk_conn_close() in the frame callback */
	int keep;            /* keep every frame (kfk_conn_keep) */
	struct kfk_frame *kept[256];
	int nkept;
	struct kfk_conn *conn;
};

static void on_connected(struct kfk_conn *c, void *arg)
{
	struct rec *r = arg;

	(void)c;
	r->connected++;
	kfk_loop_stop(r->loop);
}

static void on_frame(struct kfk_conn *c, const uint8_t *p, size_t len,
                     void *arg)
{
	struct rec *r = arg;

	r->frames++;
	r->frame_bytes += len;
	if (len <= sizeof(r->last)) {
		memcpy(r->last, p, len);
		r->last_len = len;
	}
	if (r->keep && r->nkept < 256)
		r->kept[r->nkept++] = kfk_conn_keep(c, p, len);
	if (r->close_on_frame)
		kfk_conn_close(c);
	kfk_loop_stop(r->loop);
}

static void on_sent(struct kfk_conn *c, void *tag, void *arg)
{
	struct rec *r = arg;

	(void)c;
	if (r->sent < 4096)
		r->sent_tags[r->sent] = tag;
	r->sent++;
}

static void on_closed(struct kfk_conn *c, kfk_err err, const char *reason,
                      void *arg)
{
	struct rec *r = arg;

	(void)c;
	r->closed++;
	r->err = err;
	snprintf(r->reason, sizeof(r->reason), "%s", reason);
	kfk_loop_stop(r->loop);
}

static const struct kfk_conn_cbs cbs = { on_connected, on_frame, on_sent,
	                                     on_closed };

static void stop_task(void *arg)
{
	kfk_loop_stop(arg);
}

/* Exactly one loop round: tasks, timers, one poll without waiting. */
static void round1(struct kfk_loop *loop)
{
	KT_ASSERT_INT_EQ(kfk_loop_post(loop, stop_task, loop), 0);
	KT_ASSERT_INT_EQ(kfk_loop_run(loop), 0);
}

static void guard_cb(struct kfk_timer *t, void *arg)
{
	(void)t;
	kfk_loop_stop(arg);
}

/* Runs the loop until a callback stops it or ms pass. */
static void run_for(struct kfk_loop *loop, int ms)
{
	struct kfk_timer guard;

	kfk_timer_init(&guard, guard_cb, loop);
	kfk_loop_timer_arm(loop, &guard, kfk_now_us() + ms * 1000LL);
	KT_ASSERT_INT_EQ(kfk_loop_run(loop), 0);
	kfk_loop_timer_cancel(loop, &guard);
}

/* A listening socket on 127.0.0.1; *port gets its port. */
static int listener(int backlog, int *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	KT_ASSERT(fd >= 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	KT_ASSERT(bind(fd, (struct sockaddr *)&sin, len) == 0);
	KT_ASSERT(listen(fd, backlog) == 0);
	KT_ASSERT(getsockname(fd, (struct sockaddr *)&sin, &len) == 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

/* A port nobody listens on (bound, then closed). */
static int dead_port(void)
{
	int port, fd = listener(1, &port);

	close(fd);
	return port;
}

static struct kfk_sockaddrs *addrs_of(int n, const int *ports)
{
	struct kfk_sockaddrs *s = calloc(1, sizeof(*s) + n * sizeof(s->v[0]));
	int i;

	for (i = 0; i < n; i++) {
		struct sockaddr_in *sin = (void *)&s->v[i].ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)ports[i]);
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		s->v[i].len = sizeof(*sin);
	}
	s->n = n;
	return s;
}

struct fixture {
	struct kfk_loop *loop;
	struct kfk_conn c;
	struct rec *r;
	int lfd, sfd, port;
};

static void fx_open(struct fixture *f, int max_frame)
{
	struct kfk_conn_opts o = {
		.setup_timeout_ms = 2000, .max_frame = max_frame, .min_frame = 4,
		.sndbuf = 0, .rcvbuf = 0, .nodelay = true, .keepalive = true,
	};

	memset(f, 0, sizeof(*f));
	f->r = calloc(1, sizeof(*f->r));
	f->loop = kfk_loop_new(NULL);
	KT_ASSERT(f->loop && f->r);
	f->r->loop = f->loop;
	f->r->conn = &f->c;
	f->sfd = -1;
	f->lfd = listener(16, &f->port);
	kfk_conn_init(&f->c, f->loop, &o, &cbs, f->r, "kt");
}

/* Connects f->c to f's listener and accepts the server side. */
static void fx_connect(struct fixture *f)
{
	KT_ASSERT_INT_EQ(kfk_conn_connect(&f->c, addrs_of(1, &f->port), NULL), 0);
	f->sfd = accept4(f->lfd, NULL, NULL, SOCK_CLOEXEC);
	KT_ASSERT(f->sfd >= 0);
	run_for(f->loop, WAIT_MS);
	KT_ASSERT_INT_EQ(f->r->connected, 1);
	KT_ASSERT_INT_EQ(f->c.state, KFK_CONN_CONNECTED);
}

static void fx_close(struct fixture *f)
{
	kfk_conn_fini(&f->c);
	if (f->sfd >= 0)
		close(f->sfd);
	close(f->lfd);
	kfk_loop_destroy(f->loop);
	free(f->r);
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void server_send(struct fixture *f, const void *p, size_t n)
{
	KT_ASSERT_INT_EQ(send(f->sfd, p, n, MSG_NOSIGNAL), n);
}

/* ---- connecting ----------------------------------------------------------- */

KT_TEST(conn_sets_socket_options)
{
	struct fixture f;
	int v = 0;
	socklen_t len = sizeof(v);

	fx_open(&f, 1000);
	f.c.opts.sndbuf = 65536;
	f.c.opts.rcvbuf = 131072;
	fx_connect(&f);
	KT_ASSERT(getsockopt(f.c.fd, IPPROTO_TCP, TCP_NODELAY, &v, &len) == 0);
	KT_ASSERT_INT_EQ(v, 1);
	KT_ASSERT(getsockopt(f.c.fd, SOL_SOCKET, SO_KEEPALIVE, &v, &len) == 0);
	KT_ASSERT_INT_EQ(v, 1);
	/* Linux reports twice what was asked (bookkeeping overhead). */
	KT_ASSERT(getsockopt(f.c.fd, SOL_SOCKET, SO_SNDBUF, &v, &len) == 0);
	KT_ASSERT_INT_EQ(v, 2 * 65536);
	KT_ASSERT(getsockopt(f.c.fd, SOL_SOCKET, SO_RCVBUF, &v, &len) == 0);
	KT_ASSERT_INT_EQ(v, 2 * 131072);
	fx_close(&f);
}

KT_TEST(conn_all_addresses_refused)
{
	struct fixture f;
	int ports[2];
	char want[256];

	fx_open(&f, 1000);
	ports[0] = dead_port();
	ports[1] = dead_port();
	KT_ASSERT_INT_EQ(kfk_conn_connect(&f.c, addrs_of(2, ports), NULL), 0);
	/* Never from inside connect(): the owner hears it from the loop. */
	KT_ASSERT_INT_EQ(f.r->closed, 0);
	run_for(f.loop, WAIT_MS);
	KT_ASSERT_INT_EQ(f.r->closed, 1);
	KT_ASSERT_INT_EQ(f.r->err, KFK_ERR__TRANSPORT);
	snprintf(want, sizeof(want),
	         "connect failed: 127.0.0.1:%d: Connection refused; "
	         "127.0.0.1:%d: Connection refused",
	         ports[0], ports[1]);
	KT_ASSERT_STR_EQ(f.r->reason, want);
	KT_ASSERT_INT_EQ(f.c.state, KFK_CONN_CLOSED);
	fx_close(&f);
}

KT_TEST(conn_tries_each_address_with_its_own_timeout)
{
	struct fixture f;
	int full_port, full = listener(0, &full_port), filler, ports[3];
	int64_t t0, took;
	char want[256];

	fx_open(&f, 1000);
	f.c.opts.setup_timeout_ms = 300;
	/* With a backlog of 0 the first connection fills the queue and the
	 * kernel ignores the next SYNs: a connect that hangs. */
	filler = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	{
		struct sockaddr_in sin = { .sin_family = AF_INET,
			                       .sin_port = htons(full_port) };

		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		connect(filler, (struct sockaddr *)&sin, sizeof(sin));
	}
	ports[0] = dead_port();
	ports[1] = full_port;
	ports[2] = f.port;
	t0 = kt_now_ms();
	KT_ASSERT_INT_EQ(kfk_conn_connect(&f.c, addrs_of(3, ports), NULL), 0);
	run_for(f.loop, WAIT_MS);
	took = kt_now_ms() - t0;
	if (f.r->connected == 1 && took < 300)
		kt_skip("this kernel completed a connect to a full backlog");
	KT_ASSERT_INT_EQ(f.r->connected, 1);
	KT_ASSERT_INT_EQ(f.r->closed, 0);
	kt_log("connected to the third address after %lld ms", (long long)took);
	KT_ASSERT(took >= 300 && took < 300 + 1000);
	KT_ASSERT(kfk_conn_peer(&f.c) != NULL);
	KT_ASSERT_INT_EQ(ntohs(((struct sockaddr_in *)&kfk_conn_peer(&f.c)->ss)
	                           ->sin_port),
	                 f.port);
	snprintf(want, sizeof(want),
	         "127.0.0.1:%d: Connection refused; 127.0.0.1:%d: timed out "
	         "after 300 ms",
	         ports[0], ports[1]);
	KT_ASSERT_STR_EQ(f.c.why, want);
	close(filler);
	close(full);
	fx_close(&f);
}

/* ---- reading ---------------------------------------------------------------- */

KT_TEST(conn_frame_split_at_every_byte)
{
	struct fixture f;
	uint8_t frame[4 + 11];
	size_t i;

	fx_open(&f, 1000);
	fx_connect(&f);
	put32(frame, 11);
	memcpy(frame + 4, "hello kafka", 11);
	for (i = 0; i < sizeof(frame); i++) {
		KT_ASSERT_INT_EQ(f.r->frames, 0);
		server_send(&f, frame + i, 1);
		/* Each byte is read in its own round. */
		round1(f.loop);
		KT_ASSERT_INT_EQ(f.c.bytes_in, i + 1);
	}
	KT_ASSERT_INT_EQ(f.r->frames, 1);
	KT_ASSERT_MEM_EQ(f.r->last, f.r->last_len, "hello kafka", 11);
	fx_close(&f);
}

KT_TEST(conn_many_frames_in_one_read)
{
	struct fixture f;
	uint8_t buf[100 * 12];
	int i;

	fx_open(&f, 1000);
	fx_connect(&f);
	for (i = 0; i < 100; i++) {
		put32(buf + i * 12, 8);
		put32(buf + i * 12 + 4, (uint32_t)i);
		put32(buf + i * 12 + 8, (uint32_t)(i * 7));
	}
	server_send(&f, buf, sizeof(buf));
	/* Frames are delivered in a burst; run until all arrived. */
	{
		int64_t end = kt_now_ms() + WAIT_MS;

		while (f.r->frames < 100 && kt_now_ms() < end)
			run_for(f.loop, 100);
	}
	KT_ASSERT_INT_EQ(f.r->frames, 100);
	KT_ASSERT_INT_EQ(f.r->frame_bytes, 800);
	KT_ASSERT_MEM_EQ(f.r->last, f.r->last_len, buf + 99 * 12 + 4, 8);
	fx_close(&f);
}

KT_TEST(conn_frame_larger_than_buffer)
{
	struct fixture f;
	size_t n = 300000, sent = 0;
	uint8_t *frame = malloc(4 + n);
	size_t i;
	int64_t end = kt_now_ms() + WAIT_MS;

	fx_open(&f, 1000000);
	fx_connect(&f);
	put32(frame, (uint32_t)n);
	for (i = 0; i < n; i++)
		frame[4 + i] = (uint8_t)(i * 31 + 7);
	while (f.r->frames == 0 && kt_now_ms() < end) {
		ssize_t w = sent < n + 4 ? send(f.sfd, frame + sent, n + 4 - sent,
		                                MSG_DONTWAIT | MSG_NOSIGNAL)
		                         : 0;
		if (w > 0)
			sent += (size_t)w;
		round1(f.loop);
	}
	KT_ASSERT_INT_EQ(f.r->frames, 1);
	KT_ASSERT_MEM_EQ(f.r->last, f.r->last_len, frame + 4, n);
	/* The big buffer was given back once the frame was consumed. */
	KT_ASSERT_INT_EQ(f.c.in_cap, 0);
	free(frame);
	fx_close(&f);
}

/* Frame i of kept_frames: its size and its byte j. */
static size_t kept_size(int i)
{
	return i % 10 == 3 ? 70000 + (size_t)i * 1000 : 8 + (size_t)i * 13;
}

static uint8_t kept_byte(int i, size_t j)
{
	return (uint8_t)(i * 131 + j * 7 + 1);
}

/* Kept frames stay intact while the connection reads on: the block they
 * lie in is never compacted or reused under them; small frames are copied
 * (they must not pin a block), large ones share their block. */
KT_TEST(conn_kept_frames_survive_later_reads)
{
	struct fixture f;
	struct kfk_frame *kept[256];
	int i, n = 60, refs = 0;
	int64_t end = kt_now_ms() + WAIT_MS;

	fx_open(&f, 1000000);
	fx_connect(&f);
	f.r->keep = 1;
	for (i = 0; i < n; i++) {
		size_t len = kept_size(i), j;
		uint8_t *fr = malloc(4 + len);

		put32(fr, (uint32_t)len);
		for (j = 0; j < len; j++)
			fr[4 + j] = kept_byte(i, j);
		/* Sent in two pieces so frames straddle reads. */
		server_send(&f, fr, 4 + len / 2);
		round1(f.loop);
		server_send(&f, fr + 4 + len / 2, len - len / 2);
		round1(f.loop);
		free(fr);
	}
	while (f.r->frames < n && kt_now_ms() < end)
		run_for(f.loop, 100);
	KT_ASSERT_INT_EQ(f.r->nkept, n);
	for (i = 0; i < n; i++) {
		struct kfk_frame *k = f.r->kept[i];
		size_t j;

		KT_ASSERT(k != NULL);
		KT_ASSERT_INT_EQ(k->len, kept_size(i));
		for (j = 0; j < k->len && k->p[j] == kept_byte(i, j); j++)
			;
		KT_ASSERT_MSG(j == k->len, "frame %d byte %zu changed", i, j);
		refs += k->block != NULL;
		KT_ASSERT_INT_EQ(k->block != NULL, kept_size(i) >= 65536 / 4);
	}
	KT_ASSERT_INT_EQ(refs, 6);
	memcpy(kept, f.r->kept, sizeof(kept));
	fx_close(&f);
	/* Released after the connection is gone: the blocks outlive it. */
	for (i = 0; i < n; i++)
		kfk_frame_unref(kept[i]);
}

/* A kept frame outlives its connection: after a close and a new
 * connection, the next bytes go elsewhere than the kept block (they were
 * once read into it from offset 0, over the kept frame). */
KT_TEST(conn_kept_frame_survives_a_reconnect)
{
	struct fixture f;
	size_t n = 40000, i;
	uint8_t *frame = malloc(4 + n);
	struct kfk_frame *k;
	int64_t end = kt_now_ms() + WAIT_MS;

	fx_open(&f, 1000000);
	fx_connect(&f);
	f.r->keep = 1;
	put32(frame, (uint32_t)n);
	for (i = 0; i < n; i++)
		frame[4 + i] = (uint8_t)(i * 7 + 1);
	server_send(&f, frame, 4 + n);
	/* And the start of a second frame: unparsed bytes are left when the
	 * connection closes. */
	server_send(&f, frame, 100);
	while (f.r->frames < 1 && kt_now_ms() < end)
		run_for(f.loop, 100);
	while (f.c.in_len - f.c.in_off < 100 && kt_now_ms() < end)
		round1(f.loop);
	KT_ASSERT_INT_EQ(f.r->nkept, 1);
	k = f.r->kept[0];
	KT_ASSERT(k->block != NULL); /* shares the connection's block */
	kfk_conn_close(&f.c);
	close(f.sfd);
	f.r->connected = 0;
	fx_connect(&f);
	for (i = 0; i < n; i++)
		frame[4 + i] = 0xee;
	server_send(&f, frame, 4 + n);
	while (f.r->frames < 2 && kt_now_ms() < end)
		run_for(f.loop, 100);
	KT_ASSERT_INT_EQ(f.r->frames, 2);
	for (i = 0; i < n && k->p[i] == (uint8_t)(i * 7 + 1); i++)
		;
	KT_ASSERT_MSG(i == n, "kept byte %zu overwritten", i);
	kfk_frame_unref(k);
	kfk_frame_unref(f.r->kept[1]);
	free(frame);
	fx_close(&f);
}

struct bad_size {
	uint32_t size;
	const char *reason;
};

static void check_bad_size(void *arg)
{
	const struct bad_size *b = arg;
	struct fixture f;
	uint8_t hdr[8] = { 0 };

	fx_open(&f, 1000);
	fx_connect(&f);
	put32(hdr, b->size);
	server_send(&f, hdr, sizeof(hdr));
	run_for(f.loop, WAIT_MS);
	KT_ASSERT_INT_EQ(f.r->closed, 1);
	KT_ASSERT_INT_EQ(f.r->err, KFK_ERR__MALFORMED);
	KT_ASSERT_STR_EQ(f.r->reason, b->reason);
	KT_ASSERT_INT_EQ(f.r->frames, 0);
	/* Nothing was allocated for the announced frame. */
	KT_ASSERT(f.c.in_cap <= 65536);
	fx_close(&f);
}

KT_TEST(conn_bad_frame_sizes_close)
{
	static const struct bad_size cases[] = {
		{ 0x7fffffff, "frame of 2147483647 bytes announced, over the "
		              "maximum of 1000 (receive.message.max.bytes)" },
		{ 0xffffffff, "frame of 4294967295 bytes announced, over the "
		              "maximum of 1000 (receive.message.max.bytes)" },
		{ 1001, "frame of 1001 bytes announced, over the maximum of 1000 "
		        "(receive.message.max.bytes)" },
		{ 3, "frame of 3 bytes announced, under the minimum of 4" },
		{ 0, "frame of 0 bytes announced, under the minimum of 4" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		kt_subtest(check_bad_size, (void *)&cases[i], "conn_bad_size %u",
		           cases[i].size);
}

KT_TEST(conn_max_size_frame_accepted)
{
	struct fixture f;
	uint8_t *frame = calloc(1, 4 + 1000);

	fx_open(&f, 1000);
	fx_connect(&f);
	put32(frame, 1000);
	server_send(&f, frame, 1004);
	run_for(f.loop, WAIT_MS);
	KT_ASSERT_INT_EQ(f.r->frames, 1);
	KT_ASSERT_INT_EQ(f.r->last_len, 1000);
	free(frame);
	fx_close(&f);
}

KT_TEST(conn_peer_hangs_up_mid_frame)
{
	struct fixture f;
	uint8_t part[6] = { 0, 0, 0, 10, 'a', 'b' };

	fx_open(&f, 1000);
	fx_connect(&f);
	server_send(&f, part, sizeof(part));
	close(f.sfd);
	f.sfd = -1;
	run_for(f.loop, WAIT_MS);
	KT_ASSERT_INT_EQ(f.r->closed, 1);
	KT_ASSERT_INT_EQ(f.r->err, KFK_ERR__TRANSPORT);
	KT_ASSERT_STR_EQ(f.r->reason,
	                 "connection closed by the peer in the middle of a frame");
	KT_ASSERT_INT_EQ(f.r->frames, 0);
	fx_close(&f);
}

KT_TEST(conn_close_inside_frame_callback)
{
	struct fixture f;
	uint8_t two[2 * 8];

	fx_open(&f, 1000);
	fx_connect(&f);
	put32(two, 4);
	memcpy(two + 4, "one!", 4);
	put32(two + 8, 4);
	memcpy(two + 12, "two!", 4);
	f.r->close_on_frame = 1;
	server_send(&f, two, sizeof(two));
	run_for(f.loop, WAIT_MS);
	/* The second frame, already buffered, is not delivered. */
	KT_ASSERT_INT_EQ(f.r->frames, 1);
	KT_ASSERT_MEM_EQ(f.r->last, f.r->last_len, "one!", 4);
	KT_ASSERT_INT_EQ(f.r->closed, 0); /* closed by the owner: no callback */
	KT_ASSERT_INT_EQ(f.c.state, KFK_CONN_CLOSED);
	fx_close(&f);
}

/* ---- writing --------------------------------------------------------------- */

KT_TEST(conn_writes_queued_frames_in_order_with_partial_writes)
{
	enum { N = 2000, SZ = 1000 };
	struct fixture f;
	uint8_t *got = malloc((size_t)N * SZ);
	size_t have = 0;
	int i, partial = 0, rounds = 0;
	int64_t end = kt_now_ms() + WAIT_MS;

	fx_open(&f, 1000);
	f.c.opts.sndbuf = 4096;
	fx_connect(&f);
	for (i = 0; i < N; i++) {
		uint8_t *frame = malloc(SZ);

		memset(frame, (uint8_t)i, SZ);
		put32(frame, (uint32_t)i);
		kfk_conn_write(&f.c, frame, SZ, (void *)(intptr_t)(i + 1));
	}
	KT_ASSERT_INT_EQ(kfk_conn_out_bytes(&f.c), (size_t)N * SZ);
	KT_ASSERT_INT_EQ(f.r->sent, 0); /* nothing written inside write() */
	while (have < (size_t)N * SZ && kt_now_ms() < end) {
		ssize_t n;

		round1(f.loop);
		rounds++;
		if (f.c.out_head && f.c.out_head->off)
			partial++;
		while ((n = recv(f.sfd, got + have, (size_t)N * SZ - have,
		                 MSG_DONTWAIT)) > 0)
			have += (size_t)n;
	}
	KT_ASSERT_INT_EQ(have, (size_t)N * SZ);
	KT_ASSERT_INT_EQ(f.r->sent, N);
	KT_ASSERT_INT_EQ(kfk_conn_out_bytes(&f.c), 0);
	kt_log("%d rounds, %d ended in the middle of a frame", rounds, partial);
	KT_ASSERT(partial > 0);
	for (i = 0; i < N; i++) {
		uint32_t seq = (uint32_t)got[i * SZ] << 24 |
		               (uint32_t)got[i * SZ + 1] << 16 |
		               (uint32_t)got[i * SZ + 2] << 8 | got[i * SZ + 3];

		KT_ASSERT_INT_EQ(seq, i);
		KT_ASSERT_INT_EQ(got[i * SZ + SZ - 1], (uint8_t)i);
		KT_ASSERT(f.r->sent_tags[i] == (void *)(intptr_t)(i + 1));
	}
	free(got);
	fx_close(&f);
}

KT_TEST(conn_close_drops_queue_and_reconnects)
{
	struct fixture f;
	uint8_t frame[8] = { 0, 0, 0, 4, 'p', 'i', 'n', 'g' };

	fx_open(&f, 1000);
	fx_connect(&f);
	kfk_conn_write(&f.c, malloc(100), 100, (void *)1);
	kfk_conn_close(&f.c);
	KT_ASSERT_INT_EQ(kfk_conn_out_bytes(&f.c), 0);
	KT_ASSERT_INT_EQ(f.r->sent, 0);
	close(f.sfd);
	/* The same object connects again, and works. */
	f.r->connected = 0;
	fx_connect(&f);
	server_send(&f, frame, sizeof(frame));
	run_for(f.loop, WAIT_MS);
	KT_ASSERT_INT_EQ(f.r->frames, 1);
	KT_ASSERT_MEM_EQ(f.r->last, f.r->last_len, "ping", 4);
	fx_close(&f);
}
