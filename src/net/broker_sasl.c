/*
 * net/broker_sasl.c: SASL authentication of a broker's connection (state
 * AUTH, between APIVERSION and UP), and re-authentication before the
 * broker's session expires (KIP-368).
 *
 *   SaslHandshake v1 (mechanism)   -> the broker enables it, or lists
 *                                     those it does
 *   SaslAuthenticate (message)     -> the broker's answer, fed to the
 *   ... as many as the mechanism      mechanism, until it is done and
 *                                     the broker said no error
 *
 * The last SaslAuthenticate answer carries session_lifetime_ms (v1+):
 * when it is positive the broker closes the connection at its end unless
 * the client authenticates again. At 85-95% of it (jittered, as the Java
 * client does) the broker stops sending new requests, waits for those in
 * flight, and runs the same exchange on the same connection; the state
 * stays UP throughout, so nobody else notices.
 */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/broker_int.h"
#include "proto/arena.h"
#include "proto/gen/sasl_authenticate.h"
#include "proto/gen/sasl_handshake.h"
#include "util/time.h"

/* The shortest session worth re-authenticating (see sasl_success()). */
#define KFK_SASL_MIN_REAUTH_MS 1000

static void sasl_send(struct kfk_broker *b, int16_t api_key);

/* Ends the exchange's mechanism state. */
static void sasl_end(struct kfk_broker *b)
{
	if (b->sasl.mech)
		b->sasl.mech->free(&b->sasl);
	b->sasl.mech = NULL;
	kfk_sasl_msg_free(&b->sasl_out);
}

void kfk_broker_sasl_reset(struct kfk_broker *b)
{
	sasl_end(b);
	kfk_loop_timer_cancel(b->loop, &b->sasl_timer);
	b->reauth_due = false;
	b->reauthing = false;
}

/* "SCRAM-SHA-512 as alice" for messages. */
static void sasl_who(struct kfk_broker *b, char *buf, size_t size)
{
	const struct kfk_sasl_conf *sc = b->cfg.sasl;

	if (sc->username && sc->mech != KFK_SASL_GSSAPI &&
	    sc->mech != KFK_SASL_OAUTHBEARER)
		snprintf(buf, size, "%s as %s", kfk_sasl_mech_name(sc->mech),
		         sc->username);
	else
		snprintf(buf, size, "%s", kfk_sasl_mech_name(sc->mech));
}

static void sasl_fail(struct kfk_broker *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void sasl_fail(struct kfk_broker *b, const char *fmt, ...)
{
	char why[512], who[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	sasl_who(b, who, sizeof(who));
	kfk_broker_sasl_reset(b);
	kfk_broker_fail(b, KFK_ERR__AUTHENTICATION,
	                "SASL authentication failed (%s): %s", who, why);
}

/* ---- encoding ------------------------------------------------------------ */

static kfk_err sasl_encode(struct kfk_req *req, kfk_wbuf *w, int16_t version)
{
	struct kfk_broker *b = req->broker;

	if (req->api_key == KFK_APIKEY_SASL_HANDSHAKE) {
		struct kfk_sasl_handshake_request m = {
			.mechanism = kfk_str_c(kfk_sasl_mech_name(b->cfg.sasl->mech)),
		};

		return (kfk_err)kfk_sasl_handshake_request_encode(w, version, &m);
	} else {
		struct kfk_sasl_authenticate_request m = {
			.auth_bytes = { b->sasl_out.p, (int32_t)b->sasl_out.len },
		};
		kfk_err e = (kfk_err)kfk_sasl_authenticate_request_encode(
		    w, version, &m);

		kfk_sasl_msg_free(&b->sasl_out); /* it may hold a password */
		return e;
	}
}

/* ---- the answers ------------------------------------------------------- */

/* The mechanisms a refusing broker listed, comma-separated. */
static void sasl_list(const struct kfk_sasl_handshake_response *m, char *buf,
                      size_t size)
{
	size_t len = 0;
	int32_t i;

	buf[0] = '\0';
	for (i = 0; i < m->mechanisms_count && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%.*s",
		                        i ? ", " : "", (int)m->mechanisms[i].len,
		                        m->mechanisms[i].ptr);
}

/* Starts the mechanism: its first message goes out. */
static void sasl_mech_start(struct kfk_broker *b)
{
	char err[512];
	kfk_err e;

	b->sasl.mech = kfk_sasl_mech_get(b->cfg.sasl->mech);
	b->sasl.conf = b->cfg.sasl;
	b->sasl.host = b->host;
	b->sasl.priv = NULL;
	b->sasl_done = false;
	e = b->sasl.mech->start(&b->sasl, &b->sasl_out, err, sizeof(err));
	if (e) {
		sasl_fail(b, "%s", err);
		return;
	}
	sasl_send(b, KFK_APIKEY_SASL_AUTHENTICATE);
}

static void sasl_handshake_done(struct kfk_broker *b, kfk_rbuf *body,
                                int16_t version)
{
	struct kfk_sasl_handshake_response m;
	uint8_t stack[2048];
	char list[512];
	kfk_arena a;

	kfk_arena_init_buf(&a, stack, sizeof(stack));
	if (kfk_sasl_handshake_response_decode(body, version, &a, &m)) {
		kfk_arena_destroy(&a);
		kfk_broker_fail(b, KFK_ERR__MALFORMED,
		                "malformed SaslHandshake response");
		return;
	}
	sasl_list(&m, list, sizeof(list));
	kfk_arena_destroy(&a);
	if (m.error_code == KFK_ERR_UNSUPPORTED_SASL_MECHANISM)
		sasl_fail(b, "the broker does not enable %s on this listener "
		          "(it enables: %s): check sasl.mechanism",
		          kfk_sasl_mech_name(b->cfg.sasl->mech), list);
	else if (m.error_code == KFK_ERR_ILLEGAL_SASL_STATE)
		sasl_fail(b, "the broker is not expecting SASL on this "
		          "listener: check security.protocol (SSL or PLAINTEXT?)");
	else if (m.error_code)
		sasl_fail(b, "SaslHandshake: %s",
		          kfk_err_str((kfk_err)m.error_code));
	else
		sasl_mech_start(b);
}

/* Authenticated: UP, or back to sending after a re-authentication. */
static void sasl_success(struct kfk_broker *b, int64_t lifetime_ms)
{
	char who[128];

	sasl_end(b);
	sasl_who(b, who, sizeof(who));
	kfk_dbg(b->cfg.log, KFK_DBG_SECURITY, "SASL",
	        "%s: %sauthenticated (%s), session lifetime %" PRId64 " ms",
	        b->name, b->reauthing ? "re-" : "", who, lifetime_ms);
	if (lifetime_ms > 0) {
		/* 85-95%: early enough for the round trips, spread out so a
		 * client's connections do not all re-authenticate at once. A
		 * session of under a second (a token about to expire) is let
		 * run out instead: the broker closes the connection and the
		 * next one authenticates afresh, where re-authenticating
		 * again and again within milliseconds is refused. */
		int64_t at = lifetime_ms * (85 + rand() % 11) / 100;

		if (lifetime_ms >= KFK_SASL_MIN_REAUTH_MS)
			kfk_loop_timer_arm(b->loop, &b->sasl_timer,
			                   kfk_now_us() + at * 1000);
	}
	if (b->reauthing) {
		b->reauthing = false;
		kfk_broker_send_waiting(b);
		return;
	}
	kfk_broker_up(b);
}

/* A SaslAuthenticate answer: the broker's error, or the mechanism's next
 * step. */
static void sasl_auth_answer(struct kfk_broker *b,
                             const struct kfk_sasl_authenticate_response *m)
{
	char err[512];
	bool done = false;
	kfk_err e;

	if (m->error_code) {
		sasl_fail(b, "%.*s%s%s",
		          m->error_message.len > 0 ? (int)m->error_message.len : 0,
		          m->error_message.len > 0 ? m->error_message.ptr : "",
		          m->error_message.len > 0 ? ": " : "",
		          b->cfg.sasl->mech == KFK_SASL_OAUTHBEARER
		              ? "check the token"
		              : b->cfg.sasl->mech == KFK_SASL_GSSAPI
		                    ? "check the Kerberos principal and ticket"
		                    : "check sasl.username and sasl.password");
		return;
	}
	if (b->sasl_done) {
		sasl_success(b, m->session_lifetime_ms);
		return;
	}
	e = b->sasl.mech->step(&b->sasl, m->auth_bytes.ptr,
	                       m->auth_bytes.len > 0 ? (size_t)m->auth_bytes.len
	                                             : 0,
	                       &b->sasl_out, &done, err, sizeof(err));
	if (e) {
		sasl_fail(b, "%s", err);
		return;
	}
	b->sasl_done = done;
	if (b->sasl_out.p)
		sasl_send(b, KFK_APIKEY_SASL_AUTHENTICATE);
	else if (done)
		sasl_success(b, m->session_lifetime_ms);
	else
		sasl_fail(b, "the mechanism has nothing to send and is not done");
}

static void sasl_auth_done(struct kfk_broker *b, kfk_rbuf *body,
                           int16_t version)
{
	struct kfk_sasl_authenticate_response m;
	uint8_t stack[4096];
	kfk_arena a;

	kfk_arena_init_buf(&a, stack, sizeof(stack));
	if (kfk_sasl_authenticate_response_decode(body, version, &a, &m)) {
		kfk_arena_destroy(&a);
		kfk_broker_fail(b, KFK_ERR__MALFORMED,
		                "malformed SaslAuthenticate response");
		return;
	}
	sasl_auth_answer(b, &m);
	kfk_arena_destroy(&a);
}

static void sasl_req_done(struct kfk_req *req, kfk_err err, kfk_rbuf *body,
                          int16_t version)
{
	struct kfk_broker *b = req->broker;

	if (err)
		return; /* the connection failure says why */
	if (req->api_key == KFK_APIKEY_SASL_HANDSHAKE)
		sasl_handshake_done(b, body, version);
	else
		sasl_auth_done(b, body, version);
}

/* ---- sending ------------------------------------------------------------- */

/* Writes b->sasl_req for api_key at the negotiated version. */
static void sasl_send(struct kfk_broker *b, int16_t api_key)
{
	struct kfk_req *req = &b->sasl_req;
	int16_t v = kfk_broker_api_version(b, api_key);
	kfk_err err;

	if (v < 0 || (api_key == KFK_APIKEY_SASL_HANDSHAKE && v < 1)) {
		sasl_fail(b, "the broker does not support %s v1 or later "
		          "(Kafka 1.0 or later is needed for SASL)",
		          api_key == KFK_APIKEY_SASL_HANDSHAKE ? "SaslHandshake"
		                                               : "SaslAuthenticate");
		return;
	}
	req->api_key = api_key;
	req->version = v;
	req->enqueued_us = kfk_now_us();
	req->deadline_us = req->enqueued_us + b->cfg.request_timeout_ms * 1000LL;
	err = kfk_broker_write_req(b, req);
	if (err) {
		sasl_fail(b, "cannot encode the request: %s", kfk_err_name(err));
		return;
	}
	kfk_loop_timer_arm(b->loop, &req->timer, req->deadline_us);
}

void kfk_broker_sasl_start(struct kfk_broker *b)
{
	kfk_broker_sasl_reset(b);
	kfk_broker_set_state(b, KFK_BROKER_AUTH);
	sasl_send(b, KFK_APIKEY_SASL_HANDSHAKE);
}

bool kfk_broker_sasl_hold(struct kfk_broker *b)
{
	if (b->reauthing)
		return true;
	if (!b->reauth_due)
		return false;
	if (b->inflight.n || b->writing.n)
		return true; /* wait for what is in flight */
	b->reauth_due = false;
	b->reauthing = true;
	kfk_dbg(b->cfg.log, KFK_DBG_SECURITY, "SASL",
	        "%s: re-authenticating before the session expires", b->name);
	sasl_send(b, KFK_APIKEY_SASL_HANDSHAKE);
	return true;
}

/* The session is about to expire: re-authenticate once idle. */
static void sasl_on_timer(struct kfk_timer *t, void *arg)
{
	struct kfk_broker *b = arg;

	(void)t;
	if (kfk_broker_state_get(b) != KFK_BROKER_UP)
		return;
	b->reauth_due = true;
	kfk_broker_send_waiting(b);
}

void kfk_broker_sasl_init(struct kfk_broker *b)
{
	b->sasl_req.encode = sasl_encode;
	b->sasl_req.done = sasl_req_done;
	b->sasl_req.broker = b;
	kfk_timer_init(&b->sasl_req.timer, kfk_broker_req_timeout, &b->sasl_req);
	kfk_timer_init(&b->sasl_timer, sasl_on_timer, b);
}
