/*
 * net/sasl.c: what the SASL mechanisms share (sasl.h): names, messages,
 * the client's settings and its OAUTHBEARER token; PLAIN.
 */
#include "config.h"

#include "net/sasl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

const char *kfk_sasl_mech_name(enum kfk_sasl_mech_id m)
{
	switch (m) {
	case KFK_SASL_GSSAPI:
		return "GSSAPI";
	case KFK_SASL_PLAIN:
		return "PLAIN";
	case KFK_SASL_SCRAM_SHA_256:
		return "SCRAM-SHA-256";
	case KFK_SASL_SCRAM_SHA_512:
		return "SCRAM-SHA-512";
	case KFK_SASL_OAUTHBEARER:
		return "OAUTHBEARER";
	}
	return "?";
}

const struct kfk_sasl_mech *kfk_sasl_mech_get(enum kfk_sasl_mech_id id)
{
	switch (id) {
	case KFK_SASL_GSSAPI:
		return &kfk_sasl_gssapi;
	case KFK_SASL_PLAIN:
		return &kfk_sasl_plain;
	case KFK_SASL_SCRAM_SHA_256:
	case KFK_SASL_SCRAM_SHA_512:
		return &kfk_sasl_scram;
	case KFK_SASL_OAUTHBEARER:
		return &kfk_sasl_oauthbearer;
	}
	return NULL;
}

int kfk_sasl_msg_set(struct kfk_sasl_msg *m, const void *src, size_t len)
{
	m->p = malloc(len ? len : 1);
	m->len = m->p ? len : 0;
	if (!m->p)
		return -1;
	memcpy(m->p, src, len);
	return 0;
}

void kfk_sasl_msg_free(struct kfk_sasl_msg *m)
{
	if (m->p)
		OPENSSL_cleanse(m->p, m->len);
	free(m->p);
	m->p = NULL;
	m->len = 0;
}

/* Frees a string that may hold a secret. */
static void kfk_sasl_wipe(char **s)
{
	if (*s)
		OPENSSL_cleanse(*s, strlen(*s));
	free(*s);
	*s = NULL;
}

void kfk_sasl_token_clear(struct kfk_sasl_token *t)
{
	kfk_sasl_wipe(&t->value);
	kfk_sasl_wipe(&t->principal);
	kfk_sasl_wipe(&t->extensions);
	kfk_sasl_wipe(&t->error);
	t->expiry_ms = 0;
	t->issued_ms = 0;
}

int64_t kfk_sasl_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char *kfk_sasl_dup(const char *s)
{
	return s ? strdup(s) : NULL;
}

kfk_err kfk_sasl_token_set(struct kfk_sasl_conf *sc, const char *value,
                           int64_t expiry_ms, const char *principal,
                           const char *extensions, const char *errstr)
{
	struct kfk_sasl_token t = {
		.value = kfk_sasl_dup(value),
		.principal = kfk_sasl_dup(principal),
		.extensions = kfk_sasl_dup(extensions),
		.error = kfk_sasl_dup(value ? NULL : errstr ? errstr : "no token"),
		.expiry_ms = expiry_ms,
		.issued_ms = kfk_sasl_wall_ms(),
	};

	if ((value && !t.value) || (principal && !t.principal) ||
	    (extensions && !t.extensions) || (!value && !t.error)) {
		kfk_sasl_token_clear(&t);
		return KFK_ERR__NO_MEMORY;
	}
	pthread_mutex_lock(&sc->token_lock);
	kfk_sasl_token_clear(&sc->token);
	sc->token = t;
	pthread_mutex_unlock(&sc->token_lock);
	return KFK_ERR_NONE;
}

void kfk_sasl_conf_clear(struct kfk_sasl_conf *sc)
{
	kfk_sasl_wipe(&sc->username);
	kfk_sasl_wipe(&sc->password);
	kfk_sasl_wipe(&sc->service_name);
	kfk_sasl_wipe(&sc->unsecured);
	kfk_sasl_token_clear(&sc->token);
}

/* ---- PLAIN (RFC 4616): authzid NUL authcid NUL password ---------------- */

static kfk_err kfk_sasl_plain_start(struct kfk_sasl_state *st,
                                    struct kfk_sasl_msg *out, char *err,
                                    size_t errlen)
{
	const char *u = st->conf->username, *pw = st->conf->password;
	size_t ul, pl;

	if (!u || !pw) {
		snprintf(err, errlen, "PLAIN needs sasl.username and "
		         "sasl.password (or sasl.jaas.config)");
		return KFK_ERR__AUTHENTICATION;
	}
	ul = strlen(u);
	pl = strlen(pw);
	out->p = malloc(ul + pl + 2);
	if (!out->p)
		return KFK_ERR__NO_MEMORY;
	out->p[0] = '\0';
	memcpy(out->p + 1, u, ul);
	out->p[1 + ul] = '\0';
	memcpy(out->p + 2 + ul, pw, pl);
	out->len = ul + pl + 2;
	return KFK_ERR_NONE;
}

/* The broker answers nothing but success or an error code. */
static kfk_err kfk_sasl_plain_step(struct kfk_sasl_state *st,
                                   const uint8_t *in, size_t len,
                                   struct kfk_sasl_msg *out, bool *done,
                                   char *err, size_t errlen)
{
	(void)st;
	(void)in;
	(void)len;
	(void)err;
	(void)errlen;
	out->p = NULL;
	*done = true;
	return KFK_ERR_NONE;
}

static void kfk_sasl_plain_free(struct kfk_sasl_state *st)
{
	(void)st;
}

const struct kfk_sasl_mech kfk_sasl_plain = {
	.id = KFK_SASL_PLAIN,
	.start = kfk_sasl_plain_start,
	.step = kfk_sasl_plain_step,
	.free = kfk_sasl_plain_free,
};
