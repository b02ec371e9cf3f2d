/*
 * net/sasl_scram.c: SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802, RFC 7677),
 * client side, as Kafka runs it (no channel binding: gs2 header "n,,").
 *
 *   client-first  n,,n=USER,r=CNONCE
 *   server-first  r=CNONCE+SNONCE,s=SALT,i=ITERATIONS
 *   client-final  c=biws,r=CNONCE+SNONCE,p=PROOF
 *   server-final  v=SERVER-SIGNATURE (or e=ERROR)
 *
 * The server's signature is checked: a broker that does not know the
 * password cannot pass for one that does.
 */
#include "config.h"

#include "net/sasl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#define SCRAM_MAX_MD 64     /* SHA-512 */
#define SCRAM_MSG_MAX 1024  /* any message of ours or the broker's */

struct scram {
	const EVP_MD *md;
	char nonce[64];                 /* the client's */
	char first_bare[SCRAM_MSG_MAX]; /* n=USER,r=CNONCE */
	uint8_t server_sig[SCRAM_MAX_MD];
	int phase;                      /* 0: sent first, 1: sent final */
};

static const EVP_MD *scram_md(enum kfk_sasl_mech_id id)
{
	return id == KFK_SASL_SCRAM_SHA_512 ? EVP_sha512() : EVP_sha256();
}

/* The user name with '=' and ',' escaped (RFC 5802 5.1). */
static int scram_saslname(const char *u, char *out, size_t size)
{
	size_t n = 0;

	for (; *u; u++) {
		const char *rep = *u == '=' ? "=3D" : *u == ',' ? "=2C" : NULL;
		size_t l = rep ? 3 : 1;

		if (n + l >= size)
			return -1;
		memcpy(out + n, rep ? rep : u, l);
		n += l;
	}
	out[n] = '\0';
	return 0;
}

/* A printable nonce: 24 random bytes, base64 (no ',' in it). */
static int scram_nonce(char *out, size_t size)
{
	uint8_t raw[24];

	if (size < 33 || RAND_bytes(raw, sizeof(raw)) != 1)
		return -1;
	EVP_EncodeBlock((unsigned char *)out, raw, sizeof(raw));
	return 0;
}

kfk_err kfk_sasl_scram_start_nonce(struct kfk_sasl_state *st,
                                   const char *nonce,
                                   struct kfk_sasl_msg *out, char *err,
                                   size_t errlen)
{
	struct scram *s;
	char user[512], msg[SCRAM_MSG_MAX];
	int n;

	if (!st->conf->username || !st->conf->password) {
		snprintf(err, errlen, "%s needs sasl.username and sasl.password "
		         "(or sasl.jaas.config)", kfk_sasl_mech_name(st->conf->mech));
		return KFK_ERR__AUTHENTICATION;
	}
	if (scram_saslname(st->conf->username, user, sizeof(user)) ||
	    strlen(nonce) >= sizeof(s->nonce)) {
		snprintf(err, errlen, "sasl.username is too long");
		return KFK_ERR__AUTHENTICATION;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return KFK_ERR__NO_MEMORY;
	s->md = scram_md(st->conf->mech);
	strcpy(s->nonce, nonce);
	snprintf(s->first_bare, sizeof(s->first_bare), "n=%s,r=%s", user, nonce);
	n = snprintf(msg, sizeof(msg), "n,,%s", s->first_bare);
	st->priv = s;
	return kfk_sasl_msg_set(out, msg, (size_t)n) ? KFK_ERR__NO_MEMORY
	                                              : KFK_ERR_NONE;
}

static kfk_err scram_start(struct kfk_sasl_state *st,
                           struct kfk_sasl_msg *out, char *err, size_t errlen)
{
	char nonce[64];

	if (scram_nonce(nonce, sizeof(nonce))) {
		snprintf(err, errlen, "no random bytes for the SCRAM nonce");
		return KFK_ERR__AUTHENTICATION;
	}
	return kfk_sasl_scram_start_nonce(st, nonce, out, err, errlen);
}

/* The value of attribute "k=" in a comma-separated SCRAM message, copied
 * into out; -1 when absent or too long. */
static int scram_attr(const char *msg, char k, char *out, size_t size)
{
	const char *p = msg;

	while (p && *p) {
		if (p[0] == k && p[1] == '=') {
			size_t n = strcspn(p + 2, ",");

			if (n >= size)
				return -1;
			memcpy(out, p + 2, n);
			out[n] = '\0';
			return 0;
		}
		p = strchr(p, ',');
		p = p ? p + 1 : NULL;
	}
	return -1;
}

/* Base64 decoding with the padding taken off the length. */
static int scram_b64dec(const char *in, uint8_t *out, size_t size)
{
	size_t len = strlen(in);
	int n;

	if (len == 0 || len % 4 || len / 4 * 3 > size)
		return -1;
	n = EVP_DecodeBlock(out, (const unsigned char *)in, (int)len);
	if (n < 0)
		return -1;
	return n - (in[len - 1] == '=') - (len > 1 && in[len - 2] == '=');
}

static void scram_hmac(const EVP_MD *md, const uint8_t *key, size_t klen,
                       const void *data, size_t dlen, uint8_t *out)
{
	unsigned int n = 0;

	HMAC(md, key, (int)klen, data, dlen, out, &n);
}

/* The client's proof and the signature the server must send back. */
static int scram_proof(struct scram *s, const char *pw, const uint8_t *salt,
                       int slen, int iter, const char *auth_msg,
                       uint8_t *proof)
{
	uint8_t salted[SCRAM_MAX_MD], ckey[SCRAM_MAX_MD], stored[SCRAM_MAX_MD],
	        csig[SCRAM_MAX_MD], skey[SCRAM_MAX_MD];
	int mdlen = EVP_MD_get_size(s->md), i;

	if (PKCS5_PBKDF2_HMAC(pw, (int)strlen(pw), salt, slen, iter, s->md,
	                      mdlen, salted) != 1)
		return -1;
	scram_hmac(s->md, salted, (size_t)mdlen, "Client Key", 10, ckey);
	EVP_Digest(ckey, (size_t)mdlen, stored, NULL, s->md, NULL);
	scram_hmac(s->md, stored, (size_t)mdlen, auth_msg, strlen(auth_msg),
	           csig);
	for (i = 0; i < mdlen; i++)
		proof[i] = ckey[i] ^ csig[i];
	scram_hmac(s->md, salted, (size_t)mdlen, "Server Key", 10, skey);
	scram_hmac(s->md, skey, (size_t)mdlen, auth_msg, strlen(auth_msg),
	           s->server_sig);
	OPENSSL_cleanse(salted, sizeof(salted));
	OPENSSL_cleanse(ckey, sizeof(ckey));
	return 0;
}

/* server-first in, client-final out. */
static kfk_err scram_final(struct kfk_sasl_state *st, const char *in,
                           struct kfk_sasl_msg *out, char *err, size_t errlen)
{
	struct scram *s = st->priv;
	char nonce[256], salt64[256], iters[16], without[512];
	char auth[3 * SCRAM_MSG_MAX], proof64[SCRAM_MAX_MD * 2], msg[1024];
	uint8_t salt[192], proof[SCRAM_MAX_MD];
	int slen, iter, n;

	if (scram_attr(in, 'r', nonce, sizeof(nonce)) ||
	    scram_attr(in, 's', salt64, sizeof(salt64)) ||
	    scram_attr(in, 'i', iters, sizeof(iters)) ||
	    strncmp(nonce, s->nonce, strlen(s->nonce)) != 0 ||
	    (slen = scram_b64dec(salt64, salt, sizeof(salt))) <= 0 ||
	    (iter = atoi(iters)) < 1) {
		snprintf(err, errlen, "the broker's SCRAM challenge is malformed "
		         "or does not extend our nonce");
		return KFK_ERR__AUTHENTICATION;
	}
	snprintf(without, sizeof(without), "c=biws,r=%s", nonce);
	snprintf(auth, sizeof(auth), "%s,%s,%s", s->first_bare, in, without);
	if (scram_proof(s, st->conf->password, salt, slen, iter, auth, proof)) {
		snprintf(err, errlen, "SCRAM key derivation failed");
		return KFK_ERR__AUTHENTICATION;
	}
	EVP_EncodeBlock((unsigned char *)proof64, proof,
	                EVP_MD_get_size(s->md));
	n = snprintf(msg, sizeof(msg), "%s,p=%s", without, proof64);
	s->phase = 1;
	return kfk_sasl_msg_set(out, msg, (size_t)n) ? KFK_ERR__NO_MEMORY
	                                              : KFK_ERR_NONE;
}

/* server-final: the broker proves it knows the password too. */
static kfk_err scram_verify(struct kfk_sasl_state *st, const char *in,
                            char *err, size_t errlen)
{
	struct scram *s = st->priv;
	char v64[256];
	uint8_t v[SCRAM_MAX_MD + 3];
	int n = -1;

	if (scram_attr(in, 'e', v64, sizeof(v64)) == 0) {
		snprintf(err, errlen, "the broker refused the SCRAM proof: %s",
		         v64);
		return KFK_ERR__AUTHENTICATION;
	}
	if (scram_attr(in, 'v', v64, sizeof(v64)) == 0)
		n = scram_b64dec(v64, v, sizeof(v));
	if (n != EVP_MD_get_size(s->md) ||
	    CRYPTO_memcmp(v, s->server_sig, (size_t)n) != 0) {
		snprintf(err, errlen, "the broker's SCRAM signature is wrong: "
		         "it does not know the password");
		return KFK_ERR__AUTHENTICATION;
	}
	return KFK_ERR_NONE;
}

static kfk_err scram_step(struct kfk_sasl_state *st, const uint8_t *in,
                          size_t len, struct kfk_sasl_msg *out, bool *done,
                          char *err, size_t errlen)
{
	struct scram *s = st->priv;
	char msg[SCRAM_MSG_MAX];

	out->p = NULL;
	*done = false;
	if (len >= sizeof(msg) || memchr(in, '\0', len)) {
		snprintf(err, errlen, "the broker's SCRAM message is malformed");
		return KFK_ERR__AUTHENTICATION;
	}
	memcpy(msg, in, len);
	msg[len] = '\0';
	if (s->phase == 0)
		return scram_final(st, msg, out, err, errlen);
	*done = true;
	return scram_verify(st, msg, err, errlen);
}

static void scram_free(struct kfk_sasl_state *st)
{
	if (st->priv)
		OPENSSL_cleanse(st->priv, sizeof(struct scram));
	free(st->priv);
	st->priv = NULL;
}

const struct kfk_sasl_mech kfk_sasl_scram = {
	.id = KFK_SASL_SCRAM_SHA_256,
	.start = scram_start,
	.step = scram_step,
	.free = scram_free,
};
