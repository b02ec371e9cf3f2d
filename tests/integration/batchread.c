/*
 * batchread.c: reads a partition back batch by batch (see batchread.h).
 *
 * One blocking TCP connection at a time; every wait goes through poll()
 * with what is left of the caller's time budget, and every send and
 * receive is MSG_DONTWAIT after poll said the socket is ready, so nothing
 * blocks past the deadline. Each response frame is decoded with the
 * generated Fetch codec; its batches are framed, CRC-checked and
 * decompressed with the library's record batch reader, and their records
 * copied into one allocation per batch so that they outlive the response.
 */
#include "config.h"

#include "batchread.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <kfk/errors.h>

#include "codec/codec.h"
#include "proto/arena.h"
#include "proto/buf.h"
#include "proto/gen/api_keys.h"
#include "proto/gen/fetch.h"
#include "proto/header.h"
#include "proto/record_batch.h"
#include "util/time.h"

/* Fetch v5 is the first version that reports the log start offset (needed
 * when offset 0 is gone) and is still non-flexible, as the mock speaks. */
#define BR_FETCH_VERSION 5
#define BR_MAX_FETCH_BYTES (64 << 20)
#define BR_MAX_FRAME (BR_MAX_FETCH_BYTES + (1 << 20))
#define BR_MAX_DECOMPRESSED (256 << 20)
/* Fetches in a row that bring nothing new before giving up: the broker
 * answers at once (max_wait_ms 0), so this bounds a busy loop. */
#define BR_MAX_IDLE_FETCHES 5

/* One read in progress. */
struct br_ctx {
	const char *topic;
	int32_t partition;
	int64_t deadline;   /* kfk_now_ms() */
	const char *broker; /* "host:port" being talked to */
	int fd;
	int32_t corr;
	int fatal;          /* the last failure must not move on to the next
	                     * broker (time-out, bad data) */
	char *err;          /* the last failure, always writable */
	size_t errlen;
	kfk_arena arena;    /* the decoded response */
	uint8_t *resp;      /* the last response frame, without its size */
	size_t resp_len;
};

/* Writes "<broker>: <why>" (or just why when no broker is being talked
 * to) into c->err; returns -1. */
__attribute__((format(printf, 2, 3))) static int fail(struct br_ctx *c,
                                                     const char *fmt, ...)
{
	char why[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (c->broker)
		snprintf(c->err, c->errlen, "%s: %s", c->broker, why);
	else
		snprintf(c->err, c->errlen, "%s", why);
	return -1;
}

/* fail() for what makes the whole read fail, whichever broker it is. */
#define FATAL(c, ...) ((c)->fatal = 1, fail((c), __VA_ARGS__))

/* ------------------------------------------------------------------ */
/* Sockets                                                             */
/* ------------------------------------------------------------------ */

/* Waits (bounded by the deadline) until c->fd is ready for events. */
static int wait_fd(struct br_ctx *c, short events)
{
	for (;;) {
		int64_t left = c->deadline - kfk_now_ms();
		struct pollfd p = { c->fd, events, 0 };
		int rc;

		if (left <= 0)
			return FATAL(c, "timed out");
		rc = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (rc > 0)
			return 0;
		if (rc < 0 && errno != EINTR)
			return FATAL(c, "poll: %s", strerror(errno));
	}
}

static int send_all(struct br_ctx *c, const uint8_t *p, size_t len)
{
	while (len > 0) {
		ssize_t n;
		if (wait_fd(c, POLLOUT))
			return -1;
		n = send(c->fd, p, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0)
			return fail(c, "send: %s", strerror(errno));
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int recv_all(struct br_ctx *c, uint8_t *p, size_t len)
{
	while (len > 0) {
		ssize_t n;
		if (wait_fd(c, POLLIN))
			return -1;
		n = recv(c->fd, p, len, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n == 0)
			return fail(c, "connection closed by the broker");
		if (n < 0)
			return fail(c, "recv: %s", strerror(errno));
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Finishes a non-blocking connect on c->fd, bounded by the deadline. */
static int connect_wait(struct br_ctx *c)
{
	int soerr = 0;
	socklen_t sl = sizeof(soerr);

	if (wait_fd(c, POLLOUT))
		return -1;
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
		soerr = errno;
	if (soerr)
		return fail(c, "connect: %s", strerror(soerr));
	return 0;
}

/* Connects c->fd to one resolved address; the socket stays blocking for
 * everything after the connect. */
static int connect_addr(struct br_ctx *c, const struct addrinfo *ai)
{
	int fl;

	c->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
	               ai->ai_protocol);
	if (c->fd < 0)
		return fail(c, "socket: %s", strerror(errno));
	fl = fcntl(c->fd, F_GETFL);
	fcntl(c->fd, F_SETFL, fl | O_NONBLOCK);
	if (connect(c->fd, ai->ai_addr, ai->ai_addrlen) < 0 &&
	    errno != EINPROGRESS)
		return fail(c, "connect: %s", strerror(errno));
	if (connect_wait(c))
		return -1;
	fcntl(c->fd, F_SETFL, fl);
	return 0;
}

static void disconnect(struct br_ctx *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* Splits "host:port" (or "[v6]:port") and connects to the first address
 * that answers. */
static int connect_broker(struct br_ctx *c, const char *hostport)
{
	char host[256], *colon;
	struct addrinfo hints, *res, *ai;
	int rc;

	snprintf(host, sizeof(host), "%s", hostport);
	colon = strrchr(host, ':');
	if (!colon || colon == host || !colon[1])
		return FATAL(c, "not host:port");
	*colon = '\0';
	if (host[0] == '[' && colon[-1] == ']') {
		colon[-1] = '\0';
		memmove(host, host + 1, strlen(host));
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	rc = getaddrinfo(host, colon + 1, &hints, &res);
	if (rc)
		return fail(c, "resolving: %s", gai_strerror(rc));
	rc = -1;
	for (ai = res; ai && rc && !c->fatal; ai = ai->ai_next) {
		rc = connect_addr(c, ai);
		if (rc)
			disconnect(c);
	}
	freeaddrinfo(res);
	return rc;
}

/* ------------------------------------------------------------------ */
/* One Fetch                                                           */
/* ------------------------------------------------------------------ */

static int send_fetch(struct br_ctx *c, int64_t offset)
{
	struct kfk_proto_req_header h = { KFK_APIKEY_FETCH, BR_FETCH_VERSION,
	                                  ++c->corr,
	                                  kfk_str_c("kfk-batchread") };
	struct kfk_fetch_request m;
	struct kfk_fetch_request_topic t;
	struct kfk_fetch_request_partition p;
	kfk_wbuf w;
	size_t off;
	int rc;

	kfk_fetch_request_init(&m);
	kfk_fetch_request_topic_init(&t);
	kfk_fetch_request_partition_init(&p);
	p.partition = c->partition;
	p.fetch_offset = offset;
	p.partition_max_bytes = BR_MAX_FETCH_BYTES;
	t.topic = kfk_str_c(c->topic);
	t.partitions = &p;
	t.partitions_count = 1;
	m.replica_id = -1;
	m.max_wait_ms = 0; /* answer at once: the data is already there */
	m.min_bytes = 0;
	m.max_bytes = BR_MAX_FETCH_BYTES;
	m.isolation_level = 0; /* read uncommitted: every batch */
	m.topics = &t;
	m.topics_count = 1;
	kfk_wbuf_init(&w);
	off = kfk_proto_request_begin(&w, &h);
	kfk_fetch_request_encode(&w, BR_FETCH_VERSION, &m);
	rc = kfk_proto_frame_end(&w, off);
	if (rc)
		rc = FATAL(c, "encoding Fetch: %s", kfk_err_name((kfk_err)rc));
	else
		rc = send_all(c, w.buf, w.len);
	kfk_wbuf_free(&w);
	return rc;
}

/* Reads one response frame into c->resp. */
static int recv_frame(struct br_ctx *c)
{
	uint8_t sz[4];
	int32_t len;

	if (recv_all(c, sz, sizeof(sz)))
		return -1;
	len = (int32_t)kfk_rb_get32(sz);
	if (len < 4 || len > BR_MAX_FRAME)
		return FATAL(c, "response frame of %d bytes", (int)len);
	free(c->resp);
	c->resp_len = 0;
	c->resp = malloc((size_t)len);
	if (!c->resp)
		return FATAL(c, "out of memory for %d bytes", (int)len);
	c->resp_len = (size_t)len;
	return recv_all(c, c->resp, c->resp_len);
}

/* Finds our partition in a decoded response; NULL when it is not the one
 * and only partition there. */
static const struct kfk_fetch_response_partition_data *
find_partition(const struct br_ctx *c, const struct kfk_fetch_response *m)
{
	const struct kfk_fetch_response_fetchable_topic_response *t;

	if (m->responses_count != 1)
		return NULL;
	t = &m->responses[0];
	if (!kfk_str_eq(t->topic, kfk_str_c(c->topic)) ||
	    t->partitions_count != 1 ||
	    t->partitions[0].partition_index != c->partition)
		return NULL;
	return &t->partitions[0];
}

/* Decodes c->resp as the answer to the last Fetch; *pd then views into
 * c->arena and c->resp, valid until the next fetch. */
static int decode_fetch(struct br_ctx *c,
                        struct kfk_fetch_response_partition_data *pd)
{
	const struct kfk_fetch_response_partition_data *found;
	struct kfk_fetch_response m;
	int32_t corr = 0;
	kfk_rbuf r;
	int hver = kfk_proto_resp_header_version(KFK_APIKEY_FETCH,
	                                         BR_FETCH_VERSION);

	kfk_arena_reset(&c->arena);
	kfk_rbuf_init(&r, c->resp, c->resp_len);
	if (kfk_proto_resp_header_decode(&r, hver, &corr) || corr != c->corr)
		return FATAL(c, "response with correlation id %d to request %d",
		             (int)corr, (int)c->corr);
	if (kfk_fetch_response_decode(&r, BR_FETCH_VERSION, &c->arena, &m))
		return FATAL(c, "malformed Fetch response: %s",
		             kfk_err_name((kfk_err)r.err));
	if (kfk_rbuf_remaining(&r))
		return FATAL(c, "%zu bytes after the Fetch response",
		             kfk_rbuf_remaining(&r));
	if (m.error_code)
		return FATAL(c, "Fetch failed: %s",
		             kfk_err_name((kfk_err)m.error_code));
	found = find_partition(c, &m);
	if (!found)
		return FATAL(c, "the Fetch response is not about this partition");
	*pd = *found;
	return 0;
}

/* Fetches from offset on the current connection. A partition error is
 * not a failure here: it is in pd->error_code for the caller. */
static int fetch_at(struct br_ctx *c, int64_t offset,
                    struct kfk_fetch_response_partition_data *pd)
{
	if (send_fetch(c, offset) || recv_frame(c))
		return -1;
	return decode_fetch(c, pd);
}

/* ------------------------------------------------------------------ */
/* Batches                                                             */
/* ------------------------------------------------------------------ */

/* Records of one batch, as views into the iterator's or response's bytes. */
struct rec_views {
	struct kfk_record *v;
	int32_t n, cap;
	size_t bytes; /* keys and values together */
};

static int collect_records(struct br_ctx *c, struct kfk_record_iter *it,
                           int64_t base, struct rec_views *rv)
{
	struct kfk_record r;
	int rc;

	while ((rc = kfk_record_iter_next(it, &r)) == 1) {
		if (rv->n == rv->cap) {
			int32_t cap = rv->cap ? rv->cap * 2 : 64;
			void *nv = realloc(rv->v, (size_t)cap * sizeof(*rv->v));
			if (!nv)
				return FATAL(c, "out of memory");
			rv->v = nv;
			rv->cap = cap;
		}
		rv->v[rv->n++] = r;
		rv->bytes += (size_t)(r.key_len > 0 ? r.key_len : 0) +
		             (size_t)(r.value_len > 0 ? r.value_len : 0);
	}
	if (rc < 0)
		return FATAL(c, "records of the batch at offset %lld: %s",
		             (long long)base, kfk_err_name((kfk_err)rc));
	return 0;
}

/* Copies len bytes at src to *dst and returns the copy (NULL for null). */
static const uint8_t *copy_bytes(uint8_t **dst, const uint8_t *src,
                                 int32_t len)
{
	const uint8_t *r = *dst;

	if (len < 0)
		return NULL;
	if (len > 0)
		memcpy(*dst, src, (size_t)len);
	*dst += len;
	return r;
}

/* One block: n br_records, then their keys and values. */
static struct br_record *pack_records(const struct rec_views *rv)
{
	size_t head = (size_t)rv->n * sizeof(struct br_record);
	struct br_record *out = malloc(head + rv->bytes + 1);
	uint8_t *data = (uint8_t *)out + head;
	int32_t i;

	if (!out)
		return NULL;
	for (i = 0; i < rv->n; i++) {
		const struct kfk_record *r = &rv->v[i];
		out[i].offset = r->offset;
		out[i].timestamp = r->timestamp;
		out[i].key_len = r->key_len;
		out[i].key = copy_bytes(&data, r->key, r->key_len);
		out[i].value_len = r->value_len;
		out[i].value = copy_bytes(&data, r->value, r->value_len);
		out[i].header_cnt = r->header_count;
	}
	return out;
}

static int log_push(struct br_ctx *c, struct br_log *out,
                    const struct br_batch *b)
{
	if (out->n == out->cap) {
		int cap = out->cap ? out->cap * 2 : 16;
		void *nv = realloc(out->v, (size_t)cap * sizeof(*out->v));
		if (!nv)
			return FATAL(c, "out of memory");
		out->v = nv;
		out->cap = cap;
	}
	out->v[out->n++] = *b;
	return 0;
}

/* The batch b with its records packed, or recs NULL when out of memory. */
static struct br_batch make_batch(const struct kfk_batch *b,
                                  const struct rec_views *rv)
{
	struct br_batch nb;

	memset(&nb, 0, sizeof(nb));
	nb.base_offset = b->base_offset;
	nb.count = rv->n;
	nb.attributes = b->attributes;
	nb.producer_id = b->producer_id;
	nb.producer_epoch = b->producer_epoch;
	nb.base_sequence = b->base_sequence;
	nb.last_offset_delta = b->last_offset_delta;
	nb.recs = pack_records(rv);
	return nb;
}

/* Reads b's records (decompressing them) into rv, whose views are valid
 * until it is destroyed. */
static int read_records(struct br_ctx *c, const struct kfk_batch *b,
                        struct kfk_record_iter *it, struct rec_views *rv)
{
	kfk_err e = kfk_record_iter_init(it, b, kfk_codec_decompress,
	                                 BR_MAX_DECOMPRESSED);

	if (e)
		return FATAL(c, "batch at offset %lld (codec %d): %s",
		             (long long)b->base_offset, kfk_batch_codec(b),
		             kfk_err_name(e));
	if (collect_records(c, it, b->base_offset, rv))
		return -1;
	if (rv->n != b->record_count)
		return FATAL(c, "batch at offset %lld: %d records, header says %d",
		             (long long)b->base_offset, (int)rv->n,
		             (int)b->record_count);
	return 0;
}

/* Decodes b's records and appends the batch, with copies of them, to out. */
static int add_batch(struct br_ctx *c, struct br_log *out,
                     const struct kfk_batch *b)
{
	struct kfk_record_iter it;
	struct rec_views rv = { NULL, 0, 0, 0 };
	struct br_batch nb;
	int rc = read_records(c, b, &it, &rv);

	if (!rc) {
		nb = make_batch(b, &rv); /* copies while the views are valid */
		if (!nb.recs)
			rc = FATAL(c, "out of memory");
		else if ((rc = log_push(c, out, &nb)) != 0)
			free(nb.recs);
	}
	kfk_record_iter_destroy(&it);
	free(rv.v);
	return rc;
}

/* Takes one framed entry: checks it and appends it unless it was read
 * already; moves *next past it. Returns 1 when the entry starts at or past
 * the high watermark (the read is complete). */
static int take_entry(struct br_ctx *c, struct br_log *out,
                      const struct kfk_recset_entry *e, int64_t *next)
{
	struct kfk_batch b;
	kfk_err err;

	if (e->magic != 2)
		return FATAL(c, "legacy message set (magic %d) at offset %lld: "
		             "not supported", e->magic, (long long)e->base_offset);
	err = kfk_batch_parse(e->data, e->size, 0, &b);
	if (err)
		return FATAL(c, "batch at offset %lld: %s",
		             (long long)e->base_offset, kfk_err_name(err));
	if (b.base_offset >= out->high_watermark)
		return 1;
	/* A broker answers with the whole batch holding the fetch offset. */
	if (b.base_offset + b.last_offset_delta < *next)
		return 0;
	if (out->n > 0 && b.base_offset < *next)
		return FATAL(c, "batch at offset %lld overlaps the one before "
		             "(next offset %lld)", (long long)b.base_offset,
		             (long long)*next);
	if (add_batch(c, out, &b))
		return -1;
	*next = b.base_offset + b.last_offset_delta + 1;
	return 0;
}

/* Takes every complete batch of a fetched record set. A truncated last
 * batch is normal (the size limit cut it); the next fetch starts there. */
static int take_batches(struct br_ctx *c, struct br_log *out,
                        struct kfk_bytes records, int64_t *next)
{
	struct kfk_recset rs;
	struct kfk_recset_entry e;
	int rc;

	if (records.len <= 0)
		return 0;
	kfk_recset_init(&rs, records.ptr, (size_t)records.len);
	while ((rc = kfk_recset_next(&rs, &e)) == 1) {
		rc = take_entry(c, out, &e, next);
		if (rc)
			return rc < 0 ? -1 : 0;
	}
	if (rc < 0)
		return FATAL(c, "record set at offset %lld: %s", (long long)*next,
		             kfk_err_name((kfk_err)rc));
	return 0;
}

/* ------------------------------------------------------------------ */
/* The read                                                            */
/* ------------------------------------------------------------------ */

/* The first fetch from a broker: 0 when it serves the partition (the
 * watermarks set, the first batches taken), -1 otherwise (c->fatal tells
 * whether another broker may be tried). */
static int first_fetch(struct br_ctx *c, struct br_log *out, int64_t *next)
{
	struct kfk_fetch_response_partition_data pd;

	if (fetch_at(c, 0, &pd))
		return -1;
	if (pd.error_code == KFK_ERR_OFFSET_OUT_OF_RANGE) {
		if (pd.log_start_offset <= 0)
			return FATAL(c, "offset 0 out of range, log start %lld",
			             (long long)pd.log_start_offset);
		out->log_start = pd.log_start_offset;
		if (fetch_at(c, out->log_start, &pd))
			return -1;
	}
	if (pd.error_code)
		return fail(c, "%s", kfk_err_name((kfk_err)pd.error_code));
	out->high_watermark = pd.high_watermark;
	*next = out->log_start;
	return take_batches(c, out, pd.records, next);
}

/* Fetches from *next until the high watermark, on the broker that
 * answered the first fetch. */
static int fetch_rest(struct br_ctx *c, struct br_log *out, int64_t *next)
{
	struct kfk_fetch_response_partition_data pd;
	int idle = 0;

	while (*next < out->high_watermark) {
		int64_t before = *next;
		if (fetch_at(c, *next, &pd))
			return -1;
		if (pd.error_code)
			return FATAL(c, "Fetch at offset %lld: %s", (long long)*next,
			             kfk_err_name((kfk_err)pd.error_code));
		if (take_batches(c, out, pd.records, next))
			return -1;
		if (*next != before)
			idle = 0;
		else if (++idle >= BR_MAX_IDLE_FETCHES)
			return FATAL(c, "no batch at offset %lld (high watermark "
			             "%lld) after %d fetches", (long long)*next,
			             (long long)out->high_watermark, idle);
	}
	return 0;
}

/* Reads the whole partition from one broker. */
static int read_from(struct br_ctx *c, const char *hostport,
                     struct br_log *out)
{
	int64_t next = 0;
	int rc;

	c->broker = hostport;
	out->log_start = 0;
	rc = connect_broker(c, hostport);
	if (!rc)
		rc = first_fetch(c, out, &next);
	if (!rc)
		rc = fetch_rest(c, out, &next);
	disconnect(c);
	return rc;
}

/* Appends "; <c->err>" to why (for the final message when no broker
 * serves the partition). */
static void note_skip(const struct br_ctx *c, char *why, size_t whylen)
{
	size_t used = strlen(why);

	if (used + 1 < whylen)
		snprintf(why + used, whylen - used, "%s%s", used ? "; " : "",
		         c->err);
}

static int read_any(struct br_ctx *c, const char *bootstrap,
                    struct br_log *out)
{
	char list[1024], why[1024] = "", *save = NULL, *hp;

	snprintf(list, sizeof(list), "%s", bootstrap);
	for (hp = strtok_r(list, ",", &save); hp;
	     hp = strtok_r(NULL, ",", &save)) {
		if (!read_from(c, hp, out))
			return 0;
		if (c->fatal)
			return -1;
		note_skip(c, why, sizeof(why));
		br_log_free(out);
	}
	c->broker = NULL;
	return fail(c, "no broker of %s serves it (%s)", bootstrap,
	            why[0] ? why : "none listed");
}

int br_read_partition(const char *bootstrap, const char *topic,
                      int32_t partition, int timeout_ms, struct br_log *out,
                      char *err, size_t errlen)
{
	char tmp[2048];
	struct br_ctx c;
	int rc;

	memset(&c, 0, sizeof(c));
	c.topic = topic;
	c.partition = partition;
	c.deadline = kfk_now_ms() + timeout_ms;
	c.fd = -1;
	/* Reasons are gathered in c.err; the caller's buffer may be short. */
	c.err = tmp;
	c.errlen = sizeof(tmp);
	tmp[0] = '\0';
	kfk_arena_init(&c.arena);
	br_log_free(out);
	rc = read_any(&c, bootstrap, out);
	if (rc) {
		br_log_free(out);
		if (err && errlen)
			snprintf(err, errlen, "%s [%d]: %s", topic, (int)partition,
			         tmp);
	}
	kfk_arena_destroy(&c.arena);
	free(c.resp);
	return rc;
}

void br_log_free(struct br_log *l)
{
	int i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].recs);
	free(l->v);
	memset(l, 0, sizeof(*l));
}
