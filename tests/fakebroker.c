/*
 * fakebroker: see fakebroker.h.
 */
#include "config.h"

#include "fakebroker.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kt.h"
#include "proto/api.h"
#include "proto/gen/api_versions.h"
#include "proto/gen/metadata.h"
#include "proto/header.h"
#include "util/time.h"

#define FB_MAX_CONNS 32

struct fb_conn {
	struct fb *fb;
	int fd;
	int no;
	int reqs;
	bool hangup;
	uint8_t *in;
	size_t len, cap;
};

struct fb {
	int lfd;
	int wake[2];
	int port;
	pthread_t th;
	fb_handler *h;
	void *arg;
	struct fb_conn conns[FB_MAX_CONNS];
	int nconns;
	atomic_int accepted, requests;
};

int fb_port(const struct fb *fb)
{
	return fb->port;
}

int fb_connections(struct fb *fb)
{
	return atomic_load(&fb->accepted);
}

int fb_requests(struct fb *fb)
{
	return atomic_load(&fb->requests);
}

void fb_write(struct fb_conn *c, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n && !c->hangup) {
		ssize_t w = send(c->fd, b, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			c->hangup = true; /* the peer went away */
			return;
		}
		b += w;
		n -= (size_t)w;
	}
}

void fb_hangup(struct fb_conn *c)
{
	c->hangup = true;
}

void fb_respond(struct fb_conn *c, const struct fb_req *r, int32_t corrid,
                const void *body, size_t n)
{
	kfk_wbuf w;
	size_t off;

	kfk_wbuf_init(&w);
	off = kfk_wbuf_reserve_i32(&w);
	kfk_proto_resp_header_encode(
	    &w, kfk_proto_resp_header_version(r->api_key, r->api_version), corrid);
	kfk_wbuf_put_raw(&w, body, n);
	kfk_wbuf_patch_len(&w, off);
	if (!w.err)
		fb_write(c, w.buf, w.len);
	kfk_wbuf_free(&w);
}

void fb_api_versions(struct fb_conn *c, const struct fb_req *r, int av_max)
{
	const struct fb_api_range av = {
		KFK_APIKEY_API_VERSIONS,
		kfk_proto_api_get(KFK_APIKEY_API_VERSIONS)->min_version,
		(int16_t)av_max,
	};

	fb_api_versions_ranges(c, r, &av, 1);
}

void fb_api_versions_ranges(struct fb_conn *c, const struct fb_req *r,
                            const struct fb_api_range *ranges, int nranges)
{
	struct kfk_api_versions_response_api_version keys[KFK_APIKEY__COUNT];
	struct kfk_api_versions_response m;
	int16_t version = r->api_version, av_min = 0, av_max = 0;
	kfk_wbuf w;
	int i, k, n = 0;

	kfk_api_versions_response_init(&m);
	for (k = 0; k < KFK_APIKEY__COUNT; k++) {
		const struct kfk_proto_api *api = kfk_proto_api_get((int16_t)k);

		if (!api)
			continue;
		keys[n].api_key = (int16_t)k;
		keys[n].min_version = api->min_version;
		keys[n].max_version = api->max_stable;
		for (i = 0; i < nranges; i++)
			if (ranges[i].key == k) {
				keys[n].min_version = ranges[i].min;
				keys[n].max_version = ranges[i].max;
			}
		if (k == KFK_APIKEY_API_VERSIONS) {
			av_min = keys[n].min_version;
			av_max = keys[n].max_version;
		}
		if (keys[n].min_version >= 0)
			n++;
	}
	m.api_keys = keys;
	m.api_keys_count = n;
	if (version < av_min || version > av_max) {
		m.error_code = KFK_ERR_UNSUPPORTED_VERSION;
		version = 0;
	}
	kfk_wbuf_init(&w);
	if (kfk_api_versions_response_encode(&w, version, &m) == 0)
		fb_respond(c, r, r->corrid, w.buf, w.len);
	kfk_wbuf_free(&w);
}

void fb_metadata_echo(struct fb_conn *c, const struct fb_req *r)
{
	struct kfk_metadata_response_topic topics[8];
	struct kfk_metadata_response resp;
	struct kfk_metadata_request req;
	kfk_rbuf rb;
	kfk_arena a;
	kfk_wbuf w;
	int32_t i;

	kfk_arena_init(&a);
	kfk_rbuf_init(&rb, r->body, r->body_len);
	kfk_metadata_response_init(&resp);
	if (kfk_metadata_request_decode(&rb, r->api_version, &a, &req) == 0) {
		for (i = 0; i < req.topics_count && i < 8; i++) {
			kfk_metadata_response_topic_init(&topics[i]);
			topics[i].error_code = KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION;
			topics[i].name = req.topics[i].name;
		}
		resp.topics = topics;
		resp.topics_count = i;
	}
	kfk_wbuf_init(&w);
	if (kfk_metadata_response_encode(&w, r->api_version, &resp) == 0)
		fb_respond(c, r, r->corrid, w.buf, w.len);
	else
		kt_log("fakebroker: cannot encode Metadata v%d", r->api_version);
	kfk_wbuf_free(&w);
	kfk_arena_destroy(&a);
}

/* Parses and hands over the whole request frames buffered on c. */
static void fb_parse(struct fb *fb, struct fb_conn *c)
{
	size_t off = 0;

	while (!c->hangup && c->len - off >= 4) {
		uint32_t size = (uint32_t)c->in[off] << 24 | c->in[off + 1] << 16 |
		                c->in[off + 2] << 8 | c->in[off + 3];
		struct kfk_proto_req_header h;
		struct fb_req r = { 0 };
		kfk_rbuf rb;

		if (c->len - off - 4 < size)
			break;
		kfk_rbuf_init(&rb, c->in + off + 4, size);
		r.api_key = kfk_rbuf_read_i16(&rb);
		r.api_version = kfk_rbuf_read_i16(&rb);
		kfk_rbuf_init(&rb, c->in + off + 4, size);
		if (kfk_proto_req_header_decode(
		        &rb, kfk_proto_req_header_version(r.api_key, r.api_version),
		        &h)) {
			kt_log("fakebroker: bad request header, hanging up");
			c->hangup = true;
			break;
		}
		r.corrid = h.correlation_id;
		r.body = rb.p;
		r.body_len = kfk_rbuf_remaining(&rb);
		r.conn_no = c->no;
		r.req_no = ++c->reqs;
		atomic_fetch_add(&fb->requests, 1);
		fb->h(c, &r, fb->arg);
		off += 4 + size;
	}
	memmove(c->in, c->in + off, c->len - off);
	c->len -= off;
}

static void fb_drop(struct fb *fb, int i)
{
	close(fb->conns[i].fd);
	free(fb->conns[i].in);
	fb->conns[i] = fb->conns[--fb->nconns];
}

/* Reads what c has; returns -1 when it should be dropped. */
static int fb_read(struct fb *fb, struct fb_conn *c)
{
	ssize_t n;

	if (c->cap - c->len < 65536) {
		uint8_t *p = realloc(c->in, c->cap + 65536);

		if (!p)
			return -1;
		c->in = p;
		c->cap += 65536;
	}
	n = recv(c->fd, c->in + c->len, c->cap - c->len, MSG_DONTWAIT);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0)
		return -1;
	c->len += (size_t)n;
	fb_parse(fb, c);
	return c->hangup ? -1 : 0;
}

static void fb_accept(struct fb *fb)
{
	int fd = accept4(fb->lfd, NULL, NULL, SOCK_CLOEXEC);
	struct fb_conn *c;

	if (fd < 0)
		return;
	if (fb->nconns == FB_MAX_CONNS) {
		close(fd);
		return;
	}
	c = &fb->conns[fb->nconns++];
	memset(c, 0, sizeof(*c));
	c->fb = fb;
	c->fd = fd;
	c->no = atomic_fetch_add(&fb->accepted, 1) + 1;
}

static void *fb_main(void *arg)
{
	struct fb *fb = arg;

	for (;;) {
		struct pollfd p[FB_MAX_CONNS + 2];
		int i, n = fb->nconns;

		p[0] = (struct pollfd){ .fd = fb->wake[0], .events = POLLIN };
		p[1] = (struct pollfd){ .fd = fb->lfd, .events = POLLIN };
		for (i = 0; i < n; i++)
			p[i + 2] = (struct pollfd){ .fd = fb->conns[i].fd,
				                        .events = POLLIN };
		if (poll(p, (nfds_t)n + 2, -1) < 0 && errno != EINTR)
			break;
		if (p[0].revents)
			break;
		/* Backwards, so fb_drop()'s swap does not skip anyone. */
		for (i = n - 1; i >= 0; i--)
			if (p[i + 2].revents && fb_read(fb, &fb->conns[i]))
				fb_drop(fb, i);
		if (p[1].revents)
			fb_accept(fb);
	}
	while (fb->nconns)
		fb_drop(fb, fb->nconns - 1);
	return NULL;
}

struct fb *fb_start(fb_handler *h, void *arg)
{
	struct fb *fb = calloc(1, sizeof(*fb));
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);

	if (!fb)
		return NULL;
	fb->h = h;
	fb->arg = arg;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fb->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fb->lfd < 0 || bind(fb->lfd, (struct sockaddr *)&sin, len) ||
	    listen(fb->lfd, 16) ||
	    getsockname(fb->lfd, (struct sockaddr *)&sin, &len) ||
	    pipe(fb->wake)) {
		kt_log("fakebroker: cannot listen: %s", strerror(errno));
		if (fb->lfd >= 0)
			close(fb->lfd);
		free(fb);
		return NULL;
	}
	fb->port = ntohs(sin.sin_port);
	if (pthread_create(&fb->th, NULL, fb_main, fb)) {
		close(fb->lfd);
		close(fb->wake[0]);
		close(fb->wake[1]);
		free(fb);
		return NULL;
	}
	return fb;
}

void fb_stop(struct fb *fb)
{
	if (!fb)
		return;
	if (write(fb->wake[1], "x", 1) != 1)
		kt_log("fakebroker: wake-up write failed");
	pthread_join(fb->th, NULL);
	close(fb->lfd);
	close(fb->wake[0]);
	close(fb->wake[1]);
	free(fb);
}

/* ---- the broker harness -------------------------------------------------- */

static void tb_log_cb(void *opaque, int level, const char *facility,
                      const char *message)
{
	struct tb *t = opaque;

	pthread_mutex_lock(&t->mu);
	if (t->nlogs < TB_MAX_LOGS)
		snprintf(t->logs[t->nlogs++], sizeof(t->logs[0]), "%d %s %s", level,
		         facility, message);
	else /* keep the newest lines: the end of a test is what matters */
		snprintf(t->logs[TB_MAX_LOGS - 1], sizeof(t->logs[0]), "%d %s %s",
		         level, facility, message);
	pthread_mutex_unlock(&t->mu);
	if (getenv("KT_VERBOSE"))
		kt_log("[%s] %s", facility, message);
}

static void tb_on_state(struct kfk_broker *b, enum kfk_broker_state from,
                        enum kfk_broker_state to, void *arg)
{
	struct tb *t = arg;

	(void)b;
	pthread_mutex_lock(&t->mu);
	if (t->ntrans < TB_MAX_TRANS) {
		t->trans[t->ntrans].from = from;
		t->trans[t->ntrans].to = to;
		t->trans[t->ntrans].us = kfk_now_us();
		t->ntrans++;
	}
	pthread_cond_broadcast(&t->cv);
	pthread_mutex_unlock(&t->mu);
}

void tb_init(struct tb *t)
{
	pthread_condattr_t ca;

	memset(t, 0, sizeof(*t));
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_mutex_init(&t->mu, NULL);
	pthread_cond_init(&t->cv, &ca);
	pthread_condattr_destroy(&ca);
	t->logs = calloc(TB_MAX_LOGS, sizeof(*t->logs));
	t->log.cb = tb_log_cb;
	t->log.opaque = t;
	t->log.level = KFK_LOG_DEBUG;
	t->log.debug = KFK_DBG_BROKER | KFK_DBG_PROTOCOL;
	snprintf(t->log.name, sizeof(t->log.name), "kt");
	t->pool = kfk_pool_new(1, "kt-io", NULL);
	t->cfg.log = &t->log;
	t->cfg.pool = t->pool;
	t->cfg.client_id = "kt";
	t->cfg.request_timeout_ms = 10000;
	t->cfg.setup_timeout_ms = 5000;
	t->cfg.api_version_timeout_ms = 5000;
	t->cfg.backoff_ms = 50;
	t->cfg.backoff_max_ms = 1000;
	t->cfg.idle_ms = 0;
	t->cfg.max_frame = 1000000;
	t->cfg.max_in_flight = 5;
	t->cfg.nodelay = true;
	t->cfg.keepalive = true;
	t->cfg.on_state = tb_on_state;
	t->cfg.on_state_arg = t;
}

struct kfk_broker *tb_broker(struct tb *t, int32_t id, const char *host,
                             int port)
{
	t->b = kfk_broker_new(&t->cfg, id, host, port);
	return t->b;
}

void tb_fini(struct tb *t)
{
	if (t->b)
		kfk_broker_destroy(t->b, true);
	t->b = NULL;
	kfk_pool_destroy(t->pool);
	free(t->logs);
	pthread_mutex_destroy(&t->mu);
	pthread_cond_destroy(&t->cv);
}

/* Waits on t's condition until pred(t, a, b) holds or ms pass; returns the
 * last value pred gave. */
static int tb_wait(struct tb *t, int (*pred)(struct tb *, int, int), int a,
                   int b, int ms)
{
	struct timespec ts;
	int v;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&t->mu);
	while (!(v = pred(t, a, b)) &&
	       pthread_cond_timedwait(&t->cv, &t->mu, &ts) == 0)
		;
	if (!v)
		v = pred(t, a, b);
	pthread_mutex_unlock(&t->mu);
	return v;
}

static int tb_pred_state(struct tb *t, int s, int unused)
{
	(void)unused;
	return t->ntrans > 0 && (int)t->trans[t->ntrans - 1].to == s;
}

int tb_wait_state(struct tb *t, enum kfk_broker_state s, int ms)
{
	return tb_wait(t, tb_pred_state, (int)s, 0, ms);
}

static int tb_count_into(struct tb *t, int to)
{
	int i, n = 0;

	for (i = 0; i < t->ntrans; i++)
		n += (int)t->trans[i].to == to;
	return n;
}

static int tb_pred_into(struct tb *t, int to, int n)
{
	return tb_count_into(t, to) >= n;
}

int tb_wait_into(struct tb *t, enum kfk_broker_state to, int n, int ms)
{
	int got;

	tb_wait(t, tb_pred_into, (int)to, n, ms);
	pthread_mutex_lock(&t->mu);
	got = tb_count_into(t, (int)to);
	pthread_mutex_unlock(&t->mu);
	return got;
}

int tb_transitions(struct tb *t, struct tb_trans *out, int max)
{
	int n;

	pthread_mutex_lock(&t->mu);
	n = t->ntrans < max ? t->ntrans : max;
	memcpy(out, t->trans, (size_t)n * sizeof(*out));
	pthread_mutex_unlock(&t->mu);
	return n;
}

int tb_logged(struct tb *t, const char *needle)
{
	int i, found = 0;

	pthread_mutex_lock(&t->mu);
	for (i = 0; i < t->nlogs && !found; i++)
		found = strstr(t->logs[i], needle) != NULL;
	pthread_mutex_unlock(&t->mu);
	return found;
}

static int tb_pred_done(struct tb *t, int n, int unused)
{
	(void)unused;
	return t->reqs_done >= n;
}

int tb_wait_done(struct tb *t, int n, int ms)
{
	int got;

	tb_wait(t, tb_pred_done, n, 0, ms);
	pthread_mutex_lock(&t->mu);
	got = t->reqs_done;
	pthread_mutex_unlock(&t->mu);
	return got;
}

bool treq_done(struct treq *r)
{
	bool d;

	pthread_mutex_lock(&r->tb->mu);
	d = r->done;
	pthread_mutex_unlock(&r->tb->mu);
	return d;
}

static kfk_err treq_encode(struct kfk_req *req, kfk_wbuf *w, int16_t version)
{
	struct treq *r = req->opaque;
	struct kfk_metadata_request_topic topic;
	struct kfk_metadata_request m;

	if (!r->topic) {
		struct kfk_api_versions_request av;

		kfk_api_versions_request_init(&av);
		return (kfk_err)kfk_api_versions_request_encode(w, version, &av);
	}
	kfk_metadata_request_init(&m);
	kfk_metadata_request_topic_init(&topic);
	topic.name = kfk_str_c(r->topic);
	m.topics = &topic;
	m.topics_count = 1;
	/* Not carried before v4 (and encoding a non-default value the version
	 * cannot carry is an error). */
	m.allow_auto_topic_creation = version < 4;
	return (kfk_err)kfk_metadata_request_encode(w, version, &m);
}

/* Notes the first topic name of a Metadata response body. */
static void treq_read_answer(struct treq *r, kfk_rbuf *body, int16_t version)
{
	struct kfk_metadata_response m;
	kfk_arena a;

	kfk_arena_init(&a);
	if (kfk_metadata_response_decode(body, version, &a, &m) == 0 &&
	    m.topics_count > 0 && m.topics[0].name.len >= 0)
		snprintf(r->answer, sizeof(r->answer), "%.*s",
		         (int)m.topics[0].name.len, m.topics[0].name.ptr);
	else
		snprintf(r->answer, sizeof(r->answer), "(undecodable)");
	kfk_arena_destroy(&a);
}

static void treq_on_done(struct kfk_req *req, kfk_err err, kfk_rbuf *body,
                         int16_t version)
{
	struct treq *r = req->opaque;
	struct tb *t = r->tb;
	char answer[128] = "";

	if (!err && body && r->topic) {
		kfk_rbuf copy = *body;
		struct treq tmp = { .topic = r->topic };

		treq_read_answer(&tmp, &copy, version);
		snprintf(answer, sizeof(answer), "%s", tmp.answer);
	}
	pthread_mutex_lock(&t->mu);
	r->err = err;
	r->version = version;
	r->done_us = kfk_now_us();
	r->answer_len = body ? (int32_t)kfk_rbuf_remaining(body) : -1;
	snprintf(r->answer, sizeof(r->answer), "%s", answer);
	r->done = true;
	t->reqs_done++;
	pthread_cond_broadcast(&t->cv);
	pthread_mutex_unlock(&t->mu);
}

void treq_init(struct treq *r, struct tb *t, const char *topic)
{
	memset(r, 0, sizeof(*r));
	r->tb = t;
	r->topic = topic;
	r->req.api_key = topic ? KFK_APIKEY_METADATA : KFK_APIKEY_API_VERSIONS;
	r->req.min_version = 0;
	r->req.max_version =
	    kfk_proto_api_get(r->req.api_key)->max_stable;
	r->req.encode = treq_encode;
	r->req.done = treq_on_done;
	r->req.opaque = r;
}

void treq_send(struct treq *r)
{
	r->sent_us = kfk_now_us();
	kfk_broker_send(r->tb->b, &r->req);
}
