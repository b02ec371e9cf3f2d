/*
 * The idempotent producer's state machine (idempotence.h): producer id and
 * epoch from InitProducerId, per-partition sequence numbers, and what each
 * idempotence error means.
 */
#include "config.h"
#include "producer/idempotence.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "proto/arena.h"
#include "proto/gen/api_keys.h"
#include "proto/gen/init_producer_id.h"
#include "producer/sender.h"
#include "util/time.h"

/* InitProducerId: v3 (KIP-360) is the first that can bump an epoch. */
#define INIT_PID_MAX_VERSION 5
#define INIT_PID_BUMP_VERSION 3

void kfk_idem_init(struct kfk_idem *idem, bool enabled)
{
	memset(idem, 0, sizeof(*idem));
	idem->state = enabled ? KFK_IDEM_WANT_PID : KFK_IDEM_OFF;
	idem->pid = -1;
	idem->epoch = -1;
	snprintf(idem->why, sizeof(idem->why), "first produce");
	atomic_init(&idem->done, false);
	atomic_init(&idem->fatal, 0);
	atomic_init(&idem->fatal_told, false);
}

/* Sequence numbers wrap from INT32_MAX to 0 (as the broker expects). */
static int32_t seq_add(int32_t seq, int32_t n)
{
	return (int32_t)(((int64_t)seq + n) & INT32_MAX);
}

static int32_t seq_end(const struct kfk_pbatch *b)
{
	return seq_add(b->base_seq, kfk_pbatch_count(b));
}

/* ------------------------------------------------------------------ */
/* InitProducerId, on the broker's I/O thread                          */
/* ------------------------------------------------------------------ */

static kfk_err init_encode(struct kfk_req *req, kfk_wbuf *w, int16_t version)
{
	struct kfk_init_producer_id_request m;

	(void)req;
	kfk_init_producer_id_request_init(&m);
	m.transactional_id = KFK_STR_NULL;
	/* Only a transactional producer's transactions time out. */
	m.transaction_timeout_ms = INT32_MAX;
	/* producer_id and _epoch stay -1: a broker gives a producer without
	 * a transactional id a new id whatever they say. */
	return (kfk_err)kfk_init_producer_id_request_encode(w, version, &m);
}

static void init_done(struct kfk_req *req, kfk_err err, kfk_rbuf *body,
                      int16_t version)
{
	struct kfk_sender *s = req->opaque;
	struct kfk_idem *idem = &s->idem;
	struct kfk_init_producer_id_response m;
	uint8_t scratch[256];
	kfk_arena a;

	idem->res_version = version;
	idem->res_pid = -1;
	idem->res_epoch = -1;
	if (!err && body) {
		kfk_arena_init_buf(&a, scratch, sizeof(scratch));
		if (kfk_init_producer_id_response_decode(body, version, &a, &m))
			err = KFK_ERR__MALFORMED;
		else {
			err = (kfk_err)m.error_code;
			idem->res_pid = m.producer_id;
			idem->res_epoch = m.producer_epoch;
		}
		kfk_arena_destroy(&a);
	}
	idem->res_err = err;
	atomic_store(&idem->done, true);
	kfk_sender_wake(s);
}

/* ------------------------------------------------------------------ */
/* The state machine, on the control loop                              */
/* ------------------------------------------------------------------ */

static void min_at(int64_t *next, int64_t t)
{
	if (t < *next)
		*next = t;
}

static void send_init(struct kfk_sender *s, int64_t now, int64_t *next)
{
	struct kfk_idem *idem = &s->idem;
	struct kfk_broker *br = kfk_client_any_broker(s->client);

	if (!br) {
		idem->retry_at_us = now + s->cfg.retry_backoff_us;
		min_at(next, idem->retry_at_us);
		return;
	}
	memset(&idem->req, 0, sizeof(idem->req));
	idem->req.api_key = KFK_APIKEY_INIT_PRODUCER_ID;
	idem->req.min_version = 0;
	idem->req.max_version = INIT_PID_MAX_VERSION;
	idem->req.encode = init_encode;
	idem->req.done = init_done;
	idem->req.opaque = s;
	snprintf(idem->res_broker, sizeof(idem->res_broker), "%s",
	         kfk_broker_name(br));
	idem->state = KFK_IDEM_REQUESTING;
	kfk_dbg(s->log, KFK_DBG_EOS, "PID", "InitProducerId to %s (%s)",
	        idem->res_broker, idem->why);
	kfk_broker_send(br, &idem->req);
	kfk_broker_unref(br);
}

/* Errors after which asking again cannot help. */
static bool init_err_fatal(kfk_err err)
{
	switch (err) {
	case KFK_ERR_CLUSTER_AUTHORIZATION_FAILED:
	case KFK_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED:
	case KFK_ERR_PRODUCER_FENCED:
	case KFK_ERR_INVALID_PRODUCER_EPOCH:
	case KFK_ERR_UNSUPPORTED_VERSION:
	case KFK_ERR_UNSUPPORTED_FOR_MESSAGE_FORMAT:
	case KFK_ERR_INVALID_REQUEST:
	case KFK_ERR__UNSUPPORTED_FEATURE:
		return true;
	default:
		return false;
	}
}

static void init_failed(struct kfk_sender *s, kfk_err err, int64_t now,
                        int64_t *next)
{
	struct kfk_idem *idem = &s->idem;

	if (init_err_fatal(err)) {
		kfk_idem_set_fatal(s, err, "InitProducerId to %s failed: %s (%s)",
		                   idem->res_broker, kfk_err_name(err),
		                   kfk_err_str(err));
		return;
	}
	idem->state = KFK_IDEM_WANT_PID;
	if (err == KFK_ERR__DESTROY) {
		/* The broker object went away (a bootstrap broker replaced
		 * by the brokers metadata named, at start): no reason to
		 * wait before asking another. */
		idem->retry_at_us = now;
		kfk_sender_wake(s);
		kfk_dbg(s->log, KFK_DBG_EOS, "PID",
		        "InitProducerId to %s ended with the broker (%s): "
		        "asking another now", idem->res_broker,
		        kfk_err_name(err));
		return;
	}
	idem->failures++;
	idem->retry_at_us =
		now + kfk_backoff_us(&s->retry_backoff, idem->failures);
	min_at(next, idem->retry_at_us);
	kfk_dbg(s->log, KFK_DBG_EOS, "PID",
	        "InitProducerId to %s failed (%s): trying again in %lld ms",
	        idem->res_broker, kfk_err_name(err),
	        (long long)((idem->retry_at_us - now) / 1000));
}

static void take_result(struct kfk_sender *s, int64_t now, int64_t *next)
{
	struct kfk_idem *idem = &s->idem;
	kfk_err err = idem->res_err;

	if (!err && (idem->res_pid < 0 || idem->res_epoch < 0))
		err = KFK_ERR__MALFORMED; /* no usable id: ask again */
	if (err) {
		init_failed(s, err, now, next);
		return;
	}
	idem->pid = idem->res_pid;
	idem->epoch = idem->res_epoch;
	idem->init_version = idem->res_version;
	idem->gen++;
	idem->failures = 0;
	idem->state = KFK_IDEM_READY;
	kfk_dbg(s->log, KFK_DBG_EOS, "PID",
	        "producer id %lld epoch %d from %s (InitProducerId v%d): "
	        "every partition's sequence starts at 0",
	        (long long)idem->pid, (int)idem->epoch, idem->res_broker,
	        (int)idem->res_version);
}

/* The epoch bump itself (KIP-360): a producer without a transactional id
 * takes epoch + 1 on its own; the broker accepts the new epoch from
 * sequence 0 on and fences the old one, partition by partition. Brokers
 * from before KIP-360 (InitProducerId below v3) may not: then nothing
 * safe is left. At the last epoch, a new producer id starts over. */
static void bump_epoch(struct kfk_sender *s)
{
	struct kfk_idem *idem = &s->idem;

	idem->bump = false;
	if (idem->init_version < INIT_PID_BUMP_VERSION) {
		kfk_idem_set_fatal(s, idem->bump_err,
		                   "%s; the producer epoch cannot be bumped: "
		                   "the broker's InitProducerId is v%d, before "
		                   "v%d (KIP-360), so restarting the sequence "
		                   "could duplicate records", idem->why,
		                   (int)idem->init_version,
		                   INIT_PID_BUMP_VERSION);
		return;
	}
	if (idem->epoch == INT16_MAX) {
		snprintf(idem->why, sizeof(idem->why),
		         "epoch %d is the last: a new producer id", INT16_MAX);
		return; /* WANT_PID: InitProducerId gives a new id */
	}
	idem->epoch++;
	idem->gen++;
	idem->state = KFK_IDEM_READY;
	kfk_dbg(s->log, KFK_DBG_EOS, "BUMP",
	        "producer id %lld: epoch bumped to %d; every partition's "
	        "sequence starts at 0", (long long)idem->pid, (int)idem->epoch);
}

void kfk_idem_run(struct kfk_sender *s, int64_t now, int64_t *next)
{
	struct kfk_idem *idem = &s->idem;

	if (idem->state == KFK_IDEM_REQUESTING) {
		if (!atomic_exchange(&idem->done, false))
			return; /* the response wakes the sender */
		take_result(s, now, next);
	}
	if (idem->state != KFK_IDEM_WANT_PID)
		return;
	if (idem->bump) {
		/* A bump waits for every request out: their outcomes belong
		 * to the old epoch's numbering. Each completion wakes the
		 * sender. */
		if (s->reqs)
			return;
		bump_epoch(s);
		if (idem->state != KFK_IDEM_WANT_PID)
			return;
	}
	if (now < idem->retry_at_us) {
		min_at(next, idem->retry_at_us);
		return;
	}
	send_init(s, now, next);
}

void kfk_idem_want_bump(struct kfk_sender *s, kfk_err err, const char *fmt,
                        ...)
{
	struct kfk_idem *idem = &s->idem;
	va_list ap;

	if (idem->state != KFK_IDEM_READY)
		return; /* off, fatal, or a new id/epoch is coming anyway */
	va_start(ap, fmt);
	vsnprintf(idem->why, sizeof(idem->why), fmt, ap);
	va_end(ap);
	idem->state = KFK_IDEM_WANT_PID;
	idem->bump = true;
	idem->bump_err = err;
	idem->retry_at_us = 0;
	kfk_dbg(s->log, KFK_DBG_EOS, "BUMP",
	        "epoch bump needed (producer id %lld epoch %d): %s; sending "
	        "stops until every request is back", (long long)idem->pid,
	        (int)idem->epoch, idem->why);
}

void kfk_idem_set_fatal(struct kfk_sender *s, kfk_err err, const char *fmt,
                        ...)
{
	struct kfk_idem *idem = &s->idem;
	va_list ap;

	if (idem->state == KFK_IDEM_FATAL || idem->state == KFK_IDEM_OFF)
		return;
	va_start(ap, fmt);
	vsnprintf(idem->fatal_reason, sizeof(idem->fatal_reason), fmt, ap);
	va_end(ap);
	idem->state = KFK_IDEM_FATAL;
	atomic_store(&idem->fatal, (int)err);
	kfk_log(s->log, KFK_LOG_ERR, "FATAL", "fatal error %s: %s",
	        kfk_err_name(err), idem->fatal_reason);
	kfk_sender_fail_queued(s, KFK_ERR__FATAL);
	kfk_reports_kick(s->acc->reports);
}

/* ------------------------------------------------------------------ */
/* Sequences                                                           */
/* ------------------------------------------------------------------ */

bool kfk_idem_sendable(struct kfk_sender *s, struct kfk_ppart *pp,
                       struct kfk_pbatch *b)
{
	const struct kfk_idem *idem = &s->idem;
	int32_t seq;

	if (idem->state != KFK_IDEM_READY)
		return false;
	if (pp->in_flight == 0)
		return true;
	if (pp->in_flight >= KFK_IDEM_MAX_IN_FLIGHT)
		return false;
	/* Something is out (so pp's numbering is the current one): only
	 * the batch that continues it may follow. */
	seq = b->idem_gen == idem->gen ? b->base_seq : pp->seq_next;
	return seq == pp->seq_sent;
}

static void part_reset(struct kfk_sender *s, struct kfk_ppart *pp)
{
	const struct kfk_idem *idem = &s->idem;

	kfk_dbg(s->log, KFK_DBG_EOS, "SEQ",
	        "%s [%d]: sequences start at 0 under producer id %lld epoch %d "
	        "(were: next %d, acknowledged up to %d)", pp->topic->name,
	        (int)pp->id, (long long)idem->pid, (int)idem->epoch,
	        (int)pp->seq_next, (int)pp->seq_acked);
	pp->idem_gen = idem->gen;
	pp->seq_next = pp->seq_sent = pp->seq_acked = 0;
}

void kfk_idem_assign(struct kfk_sender *s, struct kfk_ppart *pp,
                     struct kfk_pbatch *b)
{
	const struct kfk_idem *idem = &s->idem;

	if (pp->idem_gen != idem->gen)
		part_reset(s, pp);
	if (b->idem_gen != idem->gen) {
		if (b->idem_gen)
			kfk_dbg(s->log, KFK_DBG_EOS, "SEQ",
			        "%s [%d]: batch of %d records re-numbered "
			        "%d -> %d under epoch %d", pp->topic->name,
			        (int)pp->id, (int)kfk_pbatch_count(b),
			        (int)b->base_seq, (int)pp->seq_next,
			        (int)idem->epoch);
		b->pid = idem->pid;
		b->epoch = idem->epoch;
		b->base_seq = pp->seq_next;
		b->idem_gen = idem->gen;
		pp->seq_next = seq_end(b);
	}
	pp->seq_sent = seq_end(b);
	kfk_dbg(s->log, KFK_DBG_EOS, "SEQ",
	        "%s [%d]: sending sequence %d..%d (attempt %d) under producer "
	        "id %lld epoch %d; acknowledged up to %d, %d in flight",
	        pp->topic->name, (int)pp->id, (int)b->base_seq,
	        (int)seq_end(b) - 1, (int)b->attempts + 1, (long long)b->pid,
	        (int)b->epoch, (int)pp->seq_acked, (int)pp->in_flight);
}

void kfk_idem_batch_failed(struct kfk_sender *s, struct kfk_pbatch *b,
                           kfk_err err)
{
	const struct kfk_idem *idem = &s->idem;

	if (idem->state == KFK_IDEM_OFF || !b->idem_gen ||
	    b->idem_gen != idem->gen)
		return;
	kfk_idem_want_bump(s, err,
	                   "%s [%d]: sequence %d..%d sent, then failed with "
	                   "%s", b->part->topic->name, (int)b->part->id,
	                   (int)b->base_seq, (int)seq_end(b) - 1,
	                   kfk_err_name(err));
}

/* The broker has b's records (written now or earlier). */
static void acknowledged(struct kfk_sender *s, struct kfk_pbatch *b)
{
	if (b->idem_gen == s->idem.gen)
		b->part->seq_acked = seq_end(b);
}

/* OUT_OF_ORDER_SEQUENCE_NUMBER: a gap before b on the broker. */
static void out_of_order(struct kfk_sender *s, struct kfk_pbatch *b,
                         int64_t now)
{
	struct kfk_ppart *pp = b->part;

	if (b->idem_gen == s->idem.gen && b->base_seq == pp->seq_acked)
		/* Everything before b was acknowledged, yet the broker
		 * misses something: its state and ours differ for good. */
		kfk_idem_want_bump(s, KFK_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER,
		                   "%s [%d]: OUT_OF_ORDER_SEQUENCE_NUMBER "
		                   "for sequence %d, the next the broker should "
		                   "expect", pp->topic->name, (int)pp->id,
		                   (int)b->base_seq);
	else
		/* An earlier batch is not through yet (retrying, or in
		 * flight elsewhere): b goes again after it. */
		kfk_dbg(s->log, KFK_DBG_EOS, "SEQ",
		        "%s [%d]: sequence %d out of order while %d is not "
		        "acknowledged yet: retrying in order", pp->topic->name,
		        (int)pp->id, (int)b->base_seq, (int)pp->seq_acked);
	kfk_sender_retry(s, b, KFK_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER, now);
}

bool kfk_idem_outcome(struct kfk_sender *s, struct kfk_pbatch *b, int64_t now)
{
	struct kfk_ppart *pp = b->part;
	kfk_err err = b->res_err;

	if (err == KFK_ERR_DUPLICATE_SEQUENCE_NUMBER) {
		/* The broker already has it: an earlier attempt got
		 * through. A success, offset unknown unless given. */
		kfk_dbg(s->log, KFK_DBG_EOS, "SEQ",
		        "%s [%d]: sequence %d is a duplicate: delivered before",
		        pp->topic->name, (int)pp->id, (int)b->base_seq);
		b->res_err = err = KFK_ERR_NONE;
	}
	if (!err) {
		acknowledged(s, b);
		return false;
	}
	if (s->idem.state == KFK_IDEM_FATAL) {
		kfk_accum_report(s->acc, b, KFK_ERR__FATAL, -1, -1);
		return true;
	}
	switch (err) {
	case KFK_ERR_PRODUCER_FENCED:
	case KFK_ERR_INVALID_PRODUCER_EPOCH:
	case KFK_ERR_CLUSTER_AUTHORIZATION_FAILED:
	case KFK_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED:
		kfk_idem_set_fatal(s, err, "%s [%d]: %s for producer id %lld "
		                   "epoch %d", pp->topic->name, (int)pp->id,
		                   kfk_err_name(err), (long long)b->pid,
		                   (int)b->epoch);
		kfk_accum_report(s->acc, b, err, -1, -1);
		return true;
	case KFK_ERR_UNKNOWN_PRODUCER_ID:
		/* The broker lost this producer's state (its records left
		 * the log): the batch was refused, so it can go again under
		 * a new epoch, numbered from 0. */
		kfk_idem_want_bump(s, err, "%s [%d]: UNKNOWN_PRODUCER_ID for "
		                   "sequence %d", pp->topic->name, (int)pp->id,
		                   (int)b->base_seq);
		kfk_sender_retry(s, b, err, now);
		return true;
	case KFK_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER:
		out_of_order(s, b, now);
		return true;
	default:
		return false;
	}
}
