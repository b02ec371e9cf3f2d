/*
 * The producer id and epoch manager (pid.h): InitProducerId, its retries,
 * the local epoch bump, and the fatal state.
 */
#include "config.h"
#include "producer/pid.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "proto/arena.h"
#include "proto/gen/api_keys.h"
#include "proto/gen/init_producer_id.h"
#include "util/state.h"
#include "util/time.h"

/* InitProducerId: v3 (KIP-360) is the first that can bump an epoch. */
#define INIT_PID_MAX_VERSION 5
#define INIT_PID_BUMP_VERSION 3

static const char *const state_names[] = {
	[KFK_PID_OFF] = "OFF",
	[KFK_PID_WANT] = "WANT_PID",
	[KFK_PID_REQUESTING] = "REQUESTING",
	[KFK_PID_READY] = "READY",
	[KFK_PID_FATAL] = "FATAL",
};

static const struct kfk_state_machine pid_sm = {
	state_names, KFK_PID_STATE__COUNT, KFK_DBG_EOS, "PIDSTATE"
};

static void set_state(struct kfk_pid_mgr *m, enum kfk_pid_state to)
{
	if (kfk_state_change(&pid_sm, m->log, "producer id", (int)m->state,
	                     (int)to))
		m->state = to;
}

void kfk_pid_init(struct kfk_pid_mgr *m, bool enabled,
                  struct kfk_client *client, const struct kfk_logger *log,
                  int64_t backoff_us, int64_t backoff_max_us,
                  const struct kfk_pid_hooks *hooks)
{
	memset(m, 0, sizeof(*m));
	m->client = client;
	m->log = log;
	m->hooks = *hooks;
	kfk_backoff_init(&m->backoff, backoff_us, backoff_max_us,
	                 (uint64_t)kfk_now_us() ^ (uint64_t)(uintptr_t)m);
	m->state = enabled ? KFK_PID_WANT : KFK_PID_OFF;
	m->pid = -1;
	m->epoch = -1;
	snprintf(m->why, sizeof(m->why), "first produce");
	atomic_init(&m->fatal, 0);
	atomic_init(&m->fatal_told, false);
}

/* ------------------------------------------------------------------ */
/* InitProducerId: encoded on the broker's I/O thread                  */
/* ------------------------------------------------------------------ */

static kfk_err init_encode(struct kfk_req *req, kfk_wbuf *w, int16_t version)
{
	struct kfk_init_producer_id_request r;

	(void)req;
	kfk_init_producer_id_request_init(&r);
	r.transactional_id = KFK_STR_NULL;
	/* Only a transactional producer's transactions time out. */
	r.transaction_timeout_ms = INT32_MAX;
	/* producer_id and _epoch stay -1: a broker gives a producer without
	 * a transactional id a new id whatever they say. */
	return (kfk_err)kfk_init_producer_id_request_encode(w, version, &r);
}

static void init_done(struct kfk_req *req, kfk_err err, kfk_rbuf *body,
                      int16_t version);

/* ------------------------------------------------------------------ */
/* The state machine, on the control loop                              */
/* ------------------------------------------------------------------ */

static void send_init(struct kfk_pid_mgr *m, int64_t now, int64_t *next)
{
	struct kfk_broker *br = kfk_client_any_broker(m->client);

	if (!br) {
		m->retry_at_us = now + m->backoff.base_us;
		kfk_min_at(next, m->retry_at_us);
		return;
	}
	memset(&m->req, 0, sizeof(m->req));
	m->req.api_key = KFK_APIKEY_INIT_PRODUCER_ID;
	m->req.min_version = 0;
	m->req.max_version = INIT_PID_MAX_VERSION;
	m->req.encode = init_encode;
	m->req.done = init_done;
	m->req.opaque = m;
	m->req.owner = kfk_client_control_loop(m->client);
	snprintf(m->res_broker, sizeof(m->res_broker), "%s",
	         kfk_broker_name(br));
	set_state(m, KFK_PID_REQUESTING);
	kfk_dbg(m->log, KFK_DBG_EOS, "PID", "InitProducerId to %s (%s)",
	        m->res_broker, m->why);
	kfk_broker_send(br, &m->req);
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

static void init_failed(struct kfk_pid_mgr *m, kfk_err err, int64_t now,
                        int64_t *next)
{
	if (init_err_fatal(err)) {
		kfk_pid_set_fatal(m, err, "InitProducerId to %s failed: %s (%s)",
		                  m->res_broker, kfk_err_name(err),
		                  kfk_err_str(err));
		return;
	}
	set_state(m, KFK_PID_WANT);
	if (err == KFK_ERR__DESTROY) {
		/* The broker object went away (a bootstrap broker replaced
		 * by the brokers metadata named, at start): no reason to
		 * wait before asking another. */
		m->retry_at_us = now;
		m->hooks.wake(m->hooks.arg);
		kfk_dbg(m->log, KFK_DBG_EOS, "PID",
		        "InitProducerId to %s ended with the broker (%s): "
		        "asking another now", m->res_broker,
		        kfk_err_name(err));
		return;
	}
	m->failures++;
	m->retry_at_us = now + kfk_backoff_us(&m->backoff, m->failures);
	kfk_min_at(next, m->retry_at_us);
	kfk_dbg(m->log, KFK_DBG_EOS, "PID",
	        "InitProducerId to %s failed (%s): trying again in %lld ms",
	        m->res_broker, kfk_err_name(err),
	        (long long)((m->retry_at_us - now) / 1000));
}

static void take_result(struct kfk_pid_mgr *m, kfk_err err, int64_t pid,
                        int16_t epoch, int16_t version, int64_t now,
                        int64_t *next)
{
	if (!err && (pid < 0 || epoch < 0))
		err = KFK_ERR__MALFORMED; /* no usable id: ask again */
	if (err) {
		init_failed(m, err, now, next);
		return;
	}
	m->pid = pid;
	m->epoch = epoch;
	m->init_version = version;
	m->gen++;
	m->failures = 0;
	set_state(m, KFK_PID_READY);
	kfk_dbg(m->log, KFK_DBG_EOS, "PID",
	        "producer id %lld epoch %d from %s (InitProducerId v%d): "
	        "every partition's sequence starts at 0",
	        (long long)m->pid, (int)m->epoch, m->res_broker, (int)version);
}

/* The outcome of InitProducerId, on the control loop. */
static void init_done(struct kfk_req *req, kfk_err err, kfk_rbuf *body,
                      int16_t version)
{
	struct kfk_pid_mgr *m = req->opaque;
	struct kfk_init_producer_id_response r = { .producer_id = -1,
		                                       .producer_epoch = -1 };
	uint8_t scratch[256];
	int64_t next = INT64_MAX;
	kfk_arena a;

	if (!err && body) {
		kfk_arena_init_buf(&a, scratch, sizeof(scratch));
		if (kfk_init_producer_id_response_decode(body, version, &a, &r))
			err = KFK_ERR__MALFORMED;
		else
			err = (kfk_err)r.error_code;
		kfk_arena_destroy(&a);
	}
	take_result(m, err, r.producer_id, r.producer_epoch, version,
	            kfk_now_us(), &next);
	/* The sender's round sends what waited for the id, and arms the
	 * retry (kfk_pid_run() sees retry_at_us). */
	m->hooks.wake(m->hooks.arg);
}

/* The epoch bump itself (KIP-360): a producer without a transactional id
 * takes epoch + 1 on its own; the broker accepts the new epoch from
 * sequence 0 on and fences the old one, partition by partition. Brokers
 * from before KIP-360 (InitProducerId below v3) may not: then nothing
 * safe is left. At the last epoch, a new producer id starts over. */
static void bump_epoch(struct kfk_pid_mgr *m)
{
	m->bump = false;
	if (m->init_version < INIT_PID_BUMP_VERSION) {
		kfk_pid_set_fatal(m, m->bump_err,
		                  "%s; the producer epoch cannot be bumped: "
		                  "the broker's InitProducerId is v%d, before "
		                  "v%d (KIP-360), so restarting the sequence "
		                  "could duplicate records", m->why,
		                  (int)m->init_version, INIT_PID_BUMP_VERSION);
		return;
	}
	if (m->epoch == INT16_MAX) {
		snprintf(m->why, sizeof(m->why),
		         "epoch %d is the last: a new producer id", INT16_MAX);
		return; /* WANT_PID: InitProducerId gives a new id */
	}
	m->epoch++;
	m->gen++;
	set_state(m, KFK_PID_READY);
	kfk_dbg(m->log, KFK_DBG_EOS, "BUMP",
	        "producer id %lld: epoch bumped to %d; every partition's "
	        "sequence starts at 0", (long long)m->pid, (int)m->epoch);
}

void kfk_pid_run(struct kfk_pid_mgr *m, int64_t now, bool requests_out,
                 int64_t *next)
{
	/* REQUESTING: the outcome calls hooks.wake. */
	if (m->state != KFK_PID_WANT)
		return;
	if (m->bump) {
		/* A bump waits for every request out: their outcomes belong
		 * to the old epoch's numbering. Each completion wakes the
		 * sender. */
		if (requests_out)
			return;
		bump_epoch(m);
		if (m->state != KFK_PID_WANT)
			return;
	}
	if (now < m->retry_at_us) {
		kfk_min_at(next, m->retry_at_us);
		return;
	}
	send_init(m, now, next);
}

void kfk_pid_want_bump(struct kfk_pid_mgr *m, kfk_err err, const char *fmt,
                       ...)
{
	va_list ap;

	if (m->state != KFK_PID_READY)
		return; /* off, fatal, or a new id/epoch is coming anyway */
	va_start(ap, fmt);
	vsnprintf(m->why, sizeof(m->why), fmt, ap);
	va_end(ap);
	set_state(m, KFK_PID_WANT);
	m->bump = true;
	m->bump_err = err;
	m->retry_at_us = 0;
	kfk_dbg(m->log, KFK_DBG_EOS, "BUMP",
	        "epoch bump needed (producer id %lld epoch %d): %s; sending "
	        "stops until every request is back", (long long)m->pid,
	        (int)m->epoch, m->why);
}

void kfk_pid_set_fatal(struct kfk_pid_mgr *m, kfk_err err, const char *fmt,
                       ...)
{
	va_list ap;

	if (m->state == KFK_PID_FATAL || m->state == KFK_PID_OFF)
		return;
	va_start(ap, fmt);
	vsnprintf(m->fatal_reason, sizeof(m->fatal_reason), fmt, ap);
	va_end(ap);
	set_state(m, KFK_PID_FATAL);
	atomic_store(&m->fatal, (int)err);
	kfk_log(m->log, KFK_LOG_ERR, "FATAL", "fatal error %s: %s",
	        kfk_err_name(err), m->fatal_reason);
	if (m->hooks.fatal)
		m->hooks.fatal(m->hooks.arg);
}

