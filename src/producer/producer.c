/*
 * The producer (include/kfk/producer.h): the shared client, the record
 * accumulator, the sender and the report queue, glued together.
 *
 * Who runs what: application threads produce into the accumulator and
 * poll the report queue; the sender runs on the client's control loop;
 * requests are encoded and answered on the brokers' I/O threads. Records
 * waiting for their topic's partition count are placed by whichever
 * application call comes next (produce, poll, flush), or by the control
 * loop when no application partitioner is set: the application's code
 * never runs on a kfk thread.
 *
 * Destruction (bounded, see kfk_producer_destroy): the sender stops (one
 * control-loop round), the client goes (KFK_CLIENT_DESTROY_BOUND_MS: every
 * request fails with KFK_ERR__DESTROY and is freed where it fails), then
 * what is left is freed without reports.
 */
#include "config.h"

#include <kfk/producer.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/client.h"
#include "client/conf.h"
#include "client/error.h"
#include "codec/codec.h"
#include "producer/accumulator.h"
#include "producer/reports.h"
#include "producer/sender.h"
#include "util/sized.h"
#include "util/time.h"

struct kfk_producer {
	struct kfk_client *client;
	struct kfk_reports reports;
	struct kfk_accum acc;
	struct kfk_sender sender;
	kfk_delivery_cb *dr_cb;
	kfk_error_cb *error_cb;
	void *opaque;
	bool reports_up, acc_up, sender_up;
};

/* Headers converted on the stack up to this many; more take one
 * allocation for the call. */
#define STACK_HEADERS 32

/* ------------------------------------------------------------------ */
/* Hooks                                                               */
/* ------------------------------------------------------------------ */

static void on_notify(struct kfk_ppart *pp, int64_t due, void *arg)
{
	struct kfk_producer *p = arg;
	kfk_sender_notify(pp, due, &p->sender);
}

/* A topic without a partition count: what metadata knows now, and a
 * refresh for it. Application thread. */
/* A topic that does not exist concerns the application as a whole: its
 * error callback hears it once, with what to do. */
static void on_topic_gone(struct kfk_ptopic *tp, void *arg)
{
	struct kfk_producer *p = arg;
	char text[512];

	snprintf(text, sizeof(text), "topic %s does not exist and was not "
	         "created (allow.auto.create.topics, or the broker's "
	         "auto.create.topics.enable, is false): create it first "
	         "(kfk topics --create --topic %s)", tp->name, tp->name);
	kfk_client_notice(p->client, KFK_ERR__UNKNOWN_TOPIC, text);
}

static void on_want_md(struct kfk_ptopic *tp, void *arg)
{
	struct kfk_producer *p = arg;
	struct kfk_metadata *md = kfk_client_metadata(p->client);

	kfk_accum_update_topic(&p->acc, tp, md);
	kfk_metadata_unref(md);
	if (!kfk_topic_parts(tp)) {
		kfk_client_metadata_new_topic(p->client, tp->name);
		kfk_sender_wake(&p->sender); /* it watches pending records */
	}
}

/* Places pending records that wait for an application thread. */
static void service(struct kfk_producer *p)
{
	struct kfk_metadata *md;

	if (atomic_load(&p->acc.pending_topics) == 0)
		return;
	md = kfk_client_metadata(p->client);
	kfk_accum_pending_run(&p->acc, md, kfk_now_us(), true);
	kfk_metadata_unref(md);
}

/* ------------------------------------------------------------------ */
/* Creation                                                            */
/* ------------------------------------------------------------------ */

/* The producer's own callbacks live in the conf's untyped slots
 * (client/conf.h), so that the conf needs no producer type. */
KFK_API void kfk_conf_set_delivery_cb(kfk_conf *conf, kfk_delivery_cb *cb)
{
	kfk_conf_set_cb(conf, KFK_CONF_CB_DELIVERY, (kfk_conf_fn *)cb);
}

KFK_API void kfk_conf_set_partitioner_cb(kfk_conf *conf,
                                         kfk_partitioner_cb *cb)
{
	kfk_conf_set_cb(conf, KFK_CONF_CB_PARTITIONER, (kfk_conf_fn *)cb);
}

/* What enable.idempotence needs from the other settings: the first one
 * that contradicts it, described in why, or NULL. */
static const char *idempotence_conflict(const kfk_conf *conf, char *why,
                                        size_t why_size)
{
	int64_t acks = kfk_conf_get_int(conf, "acks");
	int64_t mif = kfk_conf_get_int(conf,
	                               "max.in.flight.requests.per.connection");

	if (acks != -1) {
		snprintf(why, why_size, "acks=%lld (it needs acks=all)",
		         (long long)acks);
		return "acks";
	}
	if (mif > KFK_IDEM_MAX_IN_FLIGHT) {
		snprintf(why, why_size,
		         "max.in.flight.requests.per.connection=%lld (it needs "
		         "at most %d)", (long long)mif, KFK_IDEM_MAX_IN_FLIGHT);
		return "max.in.flight.requests.per.connection";
	}
	if (kfk_conf_is_set(conf, "retries") &&
	    kfk_conf_get_int(conf, "retries") == 0) {
		snprintf(why, why_size, "retries=0 (it needs retries above 0)");
		return "retries";
	}
	return NULL;
}

/* Whether the producer is idempotent: as enable.idempotence says, except
 * that when the application left it at its default (true), a setting that
 * contradicts it turns it off (as the Java client does); set to true
 * explicitly, the contradiction is refused. */
static kfk_err check_idempotence(const kfk_conf *conf, bool *on, char *errstr,
                                 size_t errstr_size)
{
	char why[160];
	const char *name;

	*on = kfk_conf_get_bool(conf, "enable.idempotence") != 0;
	if (!*on || !(name = idempotence_conflict(conf, why, sizeof(why))))
		return KFK_ERR_NONE;
	if (!kfk_conf_is_set(conf, "enable.idempotence")) {
		*on = false;
		return KFK_ERR_NONE;
	}
	snprintf(errstr, errstr_size,
	         "enable.idempotence=true conflicts with %s: set %s as it "
	         "needs, or enable.idempotence=false", why, name);
	return KFK_ERR__CONFLICT;
}

static kfk_err check_conf(const kfk_conf *conf, bool *idempotent,
                          char *errstr, size_t errstr_size)
{
	int codec = (int)kfk_conf_get_int(conf, "compression.type");
	int level = (int)kfk_conf_get_int(conf, "compression.level");

	if (level != KFK_CODEC_LEVEL_DEFAULT &&
	    !kfk_codec_level_valid(codec, level)) {
		snprintf(errstr, errstr_size,
		         "compression.level %d is out of the range of "
		         "compression.type %s", level, kfk_codec_name(codec));
		return KFK_ERR__INVALID_VALUE;
	}
	return check_idempotence(conf, idempotent, errstr, errstr_size);
}

static void accum_config(const kfk_conf *c, struct kfk_accum_config *a)
{
	memset(a, 0, sizeof(*a));
	a->linger_us = kfk_conf_get_int(c, "linger.ms") * 1000;
	a->batch_size = kfk_conf_get_int(c, "batch.size");
	a->batch_num = (int32_t)kfk_conf_get_int(c, "batch.num.messages");
	a->max_msgs = kfk_conf_get_int(c, "queue.buffering.max.messages");
	a->max_bytes = kfk_conf_get_int(c, "buffer.memory");
	a->max_block_ms = kfk_conf_get_int(c, "max.block.ms");
	a->message_max = kfk_conf_get_int(c, "message.max.bytes");
	a->delivery_timeout_us = kfk_conf_get_int(c, "delivery.timeout.ms") * 1000;
	a->propagation_us =
		kfk_conf_get_int(c, "topic.metadata.propagation.max.ms") * 1000;
	a->codec = (int)kfk_conf_get_int(c, "compression.type");
}

static void sender_config(const kfk_conf *c, struct kfk_sender_config *s)
{
	memset(s, 0, sizeof(*s));
	s->acks = (int16_t)kfk_conf_get_int(c, "acks");
	s->max_in_flight = (int32_t)kfk_conf_get_int(
		c, "max.in.flight.requests.per.connection");
	s->max_request_size = kfk_conf_get_int(c, "max.request.size");
	s->request_timeout_ms = (int32_t)kfk_conf_get_int(c, "request.timeout.ms");
	s->retry_backoff_us = kfk_conf_get_int(c, "retry.backoff.ms") * 1000;
	s->retry_backoff_max_us = kfk_conf_get_int(c, "retry.backoff.max.ms") * 1000;
	if (s->retry_backoff_max_us < s->retry_backoff_us)
		s->retry_backoff_max_us = s->retry_backoff_us;
	s->retries = kfk_conf_get_int(c, "retries");
	s->compression_level = (int)kfk_conf_get_int(c, "compression.level");
}

static kfk_err producer_start(struct kfk_producer *p, const kfk_conf *conf,
                              bool idempotent)
{
	const kfk_conf *c = kfk_client_conf(p->client);
	struct kfk_accum_config acfg;
	struct kfk_sender_config scfg;
	struct kfk_partitioner pt;
	struct kfk_accum_hooks hooks = { on_notify, on_want_md, on_topic_gone,
	                                 p };

	pt.kind = (enum kfk_partitioner_kind)kfk_conf_get_int(c, "partitioner");
	pt.cb = (kfk_partitioner_cb *)kfk_conf_cb(conf, KFK_CONF_CB_PARTITIONER);
	pt.opaque = kfk_conf_opaque(conf);
	accum_config(c, &acfg);
	if (kfk_accum_init(&p->acc, &acfg, &pt, &p->reports, &hooks))
		return KFK_ERR__NO_MEMORY;
	p->acc_up = true;
	sender_config(c, &scfg);
	scfg.idempotence = idempotent;
	kfk_sender_init(&p->sender, &scfg, p->client, &p->acc);
	p->sender_up = true;
	/* A first round now: the idempotent producer asks for its producer
	 * id while the application starts producing, not after. */
	kfk_sender_wake(&p->sender);
	return KFK_ERR_NONE;
}

KFK_API kfk_producer *kfk_producer_new(const kfk_conf *conf, char *errstr,
                                       size_t errstr_size)
{
	struct kfk_producer *p;
	bool idempotent;

	if (errstr_size)
		errstr[0] = '\0';
	if (!conf) {
		snprintf(errstr, errstr_size, "conf is NULL");
		return NULL;
	}
	if (check_conf(conf, &idempotent, errstr, errstr_size))
		return NULL;
	if (!(p = calloc(1, sizeof(*p)))) {
		snprintf(errstr, errstr_size, "out of memory");
		return NULL;
	}
	p->dr_cb = (kfk_delivery_cb *)kfk_conf_cb(conf, KFK_CONF_CB_DELIVERY);
	p->error_cb = kfk_conf_error_cb(conf);
	p->opaque = kfk_conf_opaque(conf);
	if (kfk_reports_init(&p->reports, kfk_accum_dr_release, &p->acc)) {
		snprintf(errstr, errstr_size, "cannot create an eventfd");
		free(p);
		return NULL;
	}
	p->reports_up = true;
	p->client = kfk_client_new(conf, KFK_CLIENT_PRODUCER, errstr,
	                           errstr_size);
	if (p->client)
		kfk_client_set_notice_queue(p->client, &p->reports.q);
	if (!p->client || producer_start(p, conf, idempotent)) {
		if (p->client && errstr_size && !errstr[0])
			snprintf(errstr, errstr_size, "out of memory");
		kfk_producer_destroy(p);
		return NULL;
	}
	return p;
}

KFK_API void kfk_producer_destroy(kfk_producer *p)
{
	if (!p)
		return;
	if (p->sender_up)
		kfk_sender_stop(&p->sender);
	kfk_client_destroy(p->client);
	if (p->sender_up)
		kfk_sender_destroy(&p->sender);
	/* Reports before the accumulator: releasing them needs it. */
	if (p->reports_up)
		kfk_reports_destroy(&p->reports);
	if (p->acc_up)
		kfk_accum_destroy(&p->acc);
	free(p);
}

/* ------------------------------------------------------------------ */
/* Producing                                                           */
/* ------------------------------------------------------------------ */

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static kfk_err check_record(const kfk_record *rec)
{
	size_t i;

	if (!rec || !rec->topic || !rec->topic[0] ||
	    (!rec->key && rec->key_len) || (!rec->value && rec->value_len) ||
	    (!rec->headers && rec->header_cnt))
		return KFK_ERR__INVALID_ARG;
	if (rec->partition < KFK_PARTITION_ANY)
		return KFK_ERR__UNKNOWN_PARTITION;
	if (rec->key_len > INT32_MAX || rec->value_len > INT32_MAX ||
	    rec->header_cnt > INT32_MAX)
		return KFK_ERR__MSG_SIZE_TOO_LARGE;
	for (i = 0; i < rec->header_cnt; i++) {
		if (!rec->headers[i].key ||
		    (!rec->headers[i].value && rec->headers[i].value_len))
			return KFK_ERR__INVALID_ARG;
		if (rec->headers[i].value_len > INT32_MAX)
			return KFK_ERR__MSG_SIZE_TOO_LARGE;
	}
	return KFK_ERR_NONE;
}

static void convert_headers(const kfk_record *rec,
                            struct kfk_record_header *h)
{
	size_t i;

	for (i = 0; i < rec->header_cnt; i++) {
		const kfk_header *src = &rec->headers[i];
		size_t klen = strlen(src->key);
		h[i].key = (const uint8_t *)src->key;
		h[i].key_len = klen > INT32_MAX ? INT32_MAX : (int32_t)klen;
		h[i].value = src->value;
		h[i].value_len = src->value ? (int32_t)src->value_len : -1;
	}
}

/* Produces rec, a record of this library's size. */
static kfk_err produce_full(kfk_producer *p, const kfk_record *rec)
{
	struct kfk_record_header stack[STACK_HEADERS], *hdrs = stack;
	struct kfk_precord r;
	kfk_err err;

	if (!p)
		return KFK_ERR__INVALID_ARG;
	if (kfk_pid_fatal_err(&p->sender.pid))
		return KFK_ERR__FATAL;
	if ((err = check_record(rec)))
		return err;
	if (rec->header_cnt > STACK_HEADERS &&
	    !(hdrs = malloc(rec->header_cnt * sizeof(*hdrs))))
		return KFK_ERR__NO_MEMORY;
	convert_headers(rec, hdrs);
	r.topic = rec->topic;
	r.partition = rec->partition;
	r.key = rec->key;
	r.key_len = rec->key ? (int32_t)rec->key_len : -1;
	r.value = rec->value;
	r.value_len = rec->value ? (int32_t)rec->value_len : -1;
	r.hdrs = rec->header_cnt ? hdrs : NULL;
	r.hdr_cnt = rec->header_cnt;
	r.timestamp = rec->timestamp ? rec->timestamp : wall_ms();
	r.opaque = rec->opaque;
	err = kfk_accum_produce(&p->acc, &r);
	if (hdrs != stack)
		free(hdrs);
	return err;
}

/* The smallest kfk_record accepted: the fields kfk_produce() takes. */
#define RECORD_SIZE_MIN (offsetof(kfk_record, value_len) + sizeof(size_t))

KFK_API kfk_err kfk_produce_record(kfk_producer *p, const kfk_record *rec)
{
	kfk_record full = KFK_RECORD_INIT;

	if (!rec || kfk_sized_in(&full, sizeof(full), rec, RECORD_SIZE_MIN))
		return KFK_ERR__INVALID_ARG;
	return produce_full(p, &full);
}

KFK_API kfk_err kfk_produce(kfk_producer *p, const char *topic,
                            int32_t partition, const void *key,
                            size_t key_len, const void *value,
                            size_t value_len, void *opaque)
{
	kfk_record rec = KFK_RECORD_INIT;

	rec.topic = topic;
	rec.partition = partition;
	rec.key = key;
	rec.key_len = key_len;
	rec.value = value;
	rec.value_len = value_len;
	rec.opaque = opaque;
	return produce_full(p, &rec);
}

/* ------------------------------------------------------------------ */
/* Reports                                                             */
/* ------------------------------------------------------------------ */

/* Poll serves at most this many batches per call, so that a steady
 * stream of reports cannot keep the application inside poll. */
#define POLL_MAX_BATCHES 10000

/* The fatal error as a rich error (its cause's code, flagged fatal), or
 * NULL when there is none. The caller owns it. */
static kfk_error *fatal_error(struct kfk_producer *p)
{
	kfk_err err = kfk_pid_fatal_err(&p->sender.pid);
	kfk_error *e;

	if (!err)
		return NULL;
	e = kfk_error_new(err, "%s: %s", kfk_err_name(err),
	                  p->sender.pid.fatal_reason);
	kfk_error_set_fatal(e, 1);
	return e;
}

/* The fatal error, told once to the error callback (on the thread that
 * polls). */
static void tell_fatal(struct kfk_producer *p)
{
	struct kfk_pid_mgr *idem = &p->sender.pid;
	kfk_error *e;

	kfk_client_serve_notices(p->client);
	if (!kfk_pid_fatal_err(idem) || !p->error_cb ||
	    atomic_exchange(&idem->fatal_told, true))
		return;
	e = fatal_error(p);
	p->error_cb(p->opaque, e);
	kfk_error_destroy(e);
}

static bool reports_waiting(void *arg)
{
	struct kfk_producer *p = arg;
	return kfk_reports_pending(&p->reports) > 0;
}

KFK_API int kfk_producer_poll(kfk_producer *p, int timeout_ms)
{
	int n;

	if (!p)
		return 0;
	service(p);
	tell_fatal(p);
	if (!p->dr_cb) {
		kfk_reports_wait(&p->reports, timeout_ms, reports_waiting, p);
		service(p);
		return 0;
	}
	n = kfk_reports_serve(&p->reports, p->dr_cb, p, p->opaque, timeout_ms,
	                      POLL_MAX_BATCHES);
	service(p);
	tell_fatal(p);
	return n;
}

/* The smallest kfk_delivery accepted: its error and topic. */
#define DELIVERY_SIZE_MIN (offsetof(kfk_delivery, topic) + sizeof(char *))

/* Takes reports into out[], whose elements are smaller or larger than
 * this library's, through a buffer of full reports. */
static int take_sized(kfk_producer *p, kfk_delivery *out, size_t stride,
                      size_t fill, int max, int timeout_ms)
{
	kfk_delivery buf[64];
	int n, i, got = 0;

	do {
		int want = max - got < 64 ? max - got : 64;
		n = kfk_reports_take(&p->reports, buf, want,
		                     got ? 0 : timeout_ms);
		for (i = 0; i < n; i++)
			kfk_sized_put(out, stride, (size_t)got + i, &buf[i],
			              fill);
		got += n;
	} while (n == 64 && got < max);
	return got;
}

KFK_API int kfk_producer_poll_reports(kfk_producer *p, kfk_delivery *out,
                                      int max, int timeout_ms)
{
	size_t stride, fill;
	int n;

	if (!p || !out || max <= 0)
		return 0;
	stride = out->size;
	fill = kfk_sized_out(stride, sizeof(*out), DELIVERY_SIZE_MIN,
	                     _Alignof(kfk_delivery));
	if (!fill)
		return KFK_ERR__INVALID_ARG;
	service(p);
	if (stride == sizeof(*out))
		n = kfk_reports_take(&p->reports, out, max, timeout_ms);
	else
		n = take_sized(p, out, stride, fill, max, timeout_ms);
	service(p);
	return n;
}

KFK_API int kfk_producer_fd(kfk_producer *p)
{
	return p ? kfk_reports_fd(&p->reports) : -1;
}

KFK_API int kfk_producer_outstanding(kfk_producer *p)
{
	int64_t n = p ? kfk_accum_outstanding(&p->acc) : 0;
	return n > INT32_MAX ? INT32_MAX : (int)n;
}

/* ------------------------------------------------------------------ */
/* Flush and purge                                                     */
/* ------------------------------------------------------------------ */

static bool flushed(void *arg)
{
	struct kfk_producer *p = arg;

	return kfk_accum_unfinished(&p->acc) == 0 &&
	       (!p->dr_cb || kfk_reports_pending(&p->reports) == 0);
}

/* One step of a flush: serve or wait, at most `left` ms. */
static void flush_step(struct kfk_producer *p, int left)
{
	tell_fatal(p);
	if (p->dr_cb)
		kfk_reports_serve(&p->reports, p->dr_cb, p, p->opaque, left,
		                  POLL_MAX_BATCHES);
	else
		kfk_reports_wait(&p->reports, left, flushed, p);
}

KFK_API kfk_err kfk_producer_flush(kfk_producer *p, int timeout_ms)
{
	int64_t deadline = kfk_now_ms() + (timeout_ms < 0 ? 0 : timeout_ms);
	kfk_err err = KFK_ERR_NONE;

	if (!p)
		return KFK_ERR__INVALID_ARG;
	kfk_sender_flush_begin(&p->sender);
	for (;;) {
		int64_t left;
		service(p);
		kfk_sender_wake(&p->sender); /* placed records go too */
		if (flushed(p))
			break;
		left = deadline - kfk_now_ms();
		if (timeout_ms >= 0 && left <= 0) {
			err = KFK_ERR__TIMED_OUT;
			break;
		}
		flush_step(p, timeout_ms < 0 ? -1 : (int)left);
	}
	kfk_sender_flush_end(&p->sender);
	tell_fatal(p);
	return err;
}

KFK_API int kfk_producer_purge(kfk_producer *p, int flags)
{
	if (!p || !(flags & (KFK_PURGE_QUEUED | KFK_PURGE_INFLIGHT)))
		return 0;
	return kfk_sender_purge(&p->sender, flags);
}

KFK_API kfk_error *kfk_producer_fatal_error(kfk_producer *p)
{
	return p ? fatal_error(p) : NULL;
}

uint64_t kfk_producer_sender_rounds(kfk_producer *p)
{
	return atomic_load(&p->sender.rounds);
}

KFK_API kfk_oauthbearer *kfk_producer_oauthbearer(kfk_producer *p)
{
	return p ? kfk_client_oauthbearer(p->client) : NULL;
}
