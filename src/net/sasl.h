/*
 * net/sasl.h: SASL authentication of a broker connection, and the client
 * side of each mechanism.
 *
 * After ApiVersions the broker (net/broker_sasl.c) sends SaslHandshake v1
 * naming the mechanism, then one SaslAuthenticate per message the
 * mechanism produces, until it says done. Each mechanism is a small state
 * machine with no I/O: start() gives the first client message, step()
 * takes the server's answer and gives the next message or "done". So
 * they can be fed bytes and tested alone (SCRAM against RFC 7677's
 * vectors).
 *
 * Mechanisms: PLAIN (RFC 4616), SCRAM-SHA-256 and -512 (RFC 5802, 7677;
 * OpenSSL's HMAC and PBKDF2), OAUTHBEARER (RFC 7628, KIP-255; the token
 * from the client's token source: an unsecured JWT for tests, or one the
 * application set), GSSAPI (Kerberos through Cyrus SASL).
 *
 * Threads: a mechanism's state belongs to one broker's loop thread. The
 * struct kfk_sasl_conf is immutable after the client made it, except the
 * OAUTHBEARER token, which kfk_sasl_token_set() replaces under its lock.
 */
#ifndef KFK_NET_SASL_H
#define KFK_NET_SASL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <kfk/errors.h>

enum kfk_sasl_mech_id {
	KFK_SASL_GSSAPI = 0,
	KFK_SASL_PLAIN = 1,
	KFK_SASL_SCRAM_SHA_256 = 2,
	KFK_SASL_SCRAM_SHA_512 = 3,
	KFK_SASL_OAUTHBEARER = 4,
};

/* The current OAUTHBEARER token. */
struct kfk_sasl_token {
	char *value;            /* the compact JWS; NULL: none yet */
	char *principal;
	char *extensions;       /* "k=v\x01k=v" ready for the message, or NULL */
	int64_t expiry_ms;      /* wall clock, ms since the epoch */
	int64_t issued_ms;      /* when it was set */
	char *error;            /* why there is none (the last failure) */
};

/* A client's SASL settings (client/security.c fills them). */
struct kfk_sasl_conf {
	enum kfk_sasl_mech_id mech;
	char *username, *password;          /* PLAIN, SCRAM */
	char *service_name;                 /* GSSAPI: sasl.kerberos.service.name */
	char *unsecured;                    /* OAUTHBEARER: the unsecured JWT's
	                                     * config; NULL: tokens come from
	                                     * the application */
	pthread_mutex_t token_lock;         /* OAUTHBEARER */
	struct kfk_sasl_token token;
};

/* The SASL name of a mechanism: "SCRAM-SHA-512". */
const char *kfk_sasl_mech_name(enum kfk_sasl_mech_id m);

/* Replaces the OAUTHBEARER token (strings copied; the old ones wiped).
 * value NULL records errstr as why there is none. Any thread. */
kfk_err kfk_sasl_token_set(struct kfk_sasl_conf *sc, const char *value,
                           int64_t expiry_ms, const char *principal,
                           const char *extensions, const char *errstr);

/* Wipes and frees a token's strings. */
void kfk_sasl_token_clear(struct kfk_sasl_token *t);

/* The wall clock in ms since the epoch (token lifetimes are absolute). */
int64_t kfk_sasl_wall_ms(void);

/* Wipes and frees the strings of sc (not sc itself). */
void kfk_sasl_conf_clear(struct kfk_sasl_conf *sc);

/* A message for the broker: malloc()ed bytes, freed by the caller. */
struct kfk_sasl_msg {
	uint8_t *p;
	size_t len;
};

struct kfk_sasl_mech;

/* A mechanism's client state for one authentication. */
struct kfk_sasl_state {
	const struct kfk_sasl_mech *mech;
	const struct kfk_sasl_conf *conf;
	const char *host;                   /* the broker's host name */
	void *priv;                         /* the mechanism's */
};

struct kfk_sasl_mech {
	enum kfk_sasl_mech_id id;
	/* The first client message into *out. */
	kfk_err (*start)(struct kfk_sasl_state *st, struct kfk_sasl_msg *out,
	                 char *err, size_t errlen);
	/* The server's message in[0..len): the next client message in *out
	 * (out->p NULL: nothing to send), *done when authenticated as far as
	 * the client can tell. An error fails the authentication with err. */
	kfk_err (*step)(struct kfk_sasl_state *st, const uint8_t *in,
	                size_t len, struct kfk_sasl_msg *out, bool *done,
	                char *err, size_t errlen);
	/* Frees st->priv (secrets wiped). */
	void (*free)(struct kfk_sasl_state *st);
};

extern const struct kfk_sasl_mech kfk_sasl_plain;
extern const struct kfk_sasl_mech kfk_sasl_scram;
extern const struct kfk_sasl_mech kfk_sasl_oauthbearer;
extern const struct kfk_sasl_mech kfk_sasl_gssapi;

/* The mechanism of id. */
const struct kfk_sasl_mech *kfk_sasl_mech_get(enum kfk_sasl_mech_id id);

/* A copy of src[0..len) in a new message; -1 on ENOMEM. */
int kfk_sasl_msg_set(struct kfk_sasl_msg *m, const void *src, size_t len);

/* Frees m's bytes after wiping them (they may hold a password). */
void kfk_sasl_msg_free(struct kfk_sasl_msg *m);

/* SCRAM with a given client nonce, for tests against fixed vectors. */
kfk_err kfk_sasl_scram_start_nonce(struct kfk_sasl_state *st,
                                   const char *nonce,
                                   struct kfk_sasl_msg *out, char *err,
                                   size_t errlen);

/* An unsecured JWT (alg "none") as Kafka's OAuthBearerUnsecuredLoginCallbackHandler
 * makes it, from sasl.oauthbearer.config ("principal=alice scope=a,b
 * lifeSeconds=3600 extension_k=v"); fills tok (strings malloc()ed).
 * now_ms is the wall clock. */
kfk_err kfk_sasl_unsecured_jwt(const char *config, int64_t now_ms,
                               struct kfk_sasl_token *tok, char *err,
                               size_t errlen);

#endif /* KFK_NET_SASL_H */
