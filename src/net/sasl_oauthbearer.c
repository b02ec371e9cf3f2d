/*
 * net/sasl_oauthbearer.c: OAUTHBEARER (RFC 7628, KIP-255), client side,
 * and the unsecured JWT that stands in for a real token in tests.
 *
 *   client  n,,^Aauth=Bearer TOKEN^A[key=value^A...]^A
 *   server  empty on success; on failure a JSON error, to which the
 *           client answers ^A and the broker then fails the exchange
 */
#include "config.h"

#include "net/sasl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

/* base64url without padding (RFC 7515), as JWTs are written. */
static void b64url(const char *in, size_t len, char *out, size_t size)
{
	size_t n, i;

	if (size < 4 * ((len + 2) / 3) + 1) {
		out[0] = '\0';
		return;
	}
	n = (size_t)EVP_EncodeBlock((unsigned char *)out,
	                            (const unsigned char *)in, (int)len);
	while (n && out[n - 1] == '=')
		n--;
	out[n] = '\0';
	for (i = 0; i < n; i++)
		out[i] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
}

/* One "key=value" of sasl.oauthbearer.config into kv[0..size), the rest
 * of the text returned; NULL at the end. */
static const char *next_kv(const char *p, char *kv, size_t size)
{
	size_t n;

	p += strspn(p, " ");
	if (!*p)
		return NULL;
	n = strcspn(p, " ");
	snprintf(kv, size, "%.*s", (int)n, p);
	return p + n;
}

/* "a,b" as the JSON array ["a","b"]. */
static void scope_json(const char *scope, char *out, size_t size)
{
	size_t len = 0;

	len += (size_t)snprintf(out, size, "[");
	while (*scope && len < size) {
		size_t n = strcspn(scope, ",");

		len += (size_t)snprintf(out + len, size - len, "%s\"%.*s\"",
		                        len > 1 ? "," : "", (int)n, scope);
		scope += n + (scope[n] == ',');
	}
	if (len < size)
		snprintf(out + len, size - len, "]");
}

/* Copies src into dst[size]; -1 when it does not fit. */
static int copy_in(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size)
		return -1;
	memcpy(dst, src, n + 1);
	return 0;
}

struct jwt_claims {
	char principal[256], scope[512], ext[1024];
	long life_s;
};

static kfk_err jwt_parse_config(const char *config, struct jwt_claims *c,
                                char *err, size_t errlen)
{
	char kv[1024];
	const char *p = config ? config : "";

	memset(c, 0, sizeof(*c));
	c->life_s = 3600;
	while ((p = next_kv(p, kv, sizeof(kv)))) {
		size_t el = strlen(c->ext);
		int bad = 0;

		if (strncmp(kv, "principal=", 10) == 0)
			bad = copy_in(c->principal, sizeof(c->principal), kv + 10);
		else if (strncmp(kv, "scope=", 6) == 0)
			bad = copy_in(c->scope, sizeof(c->scope), kv + 6);
		else if (strncmp(kv, "lifeSeconds=", 12) == 0)
			c->life_s = atol(kv + 12);
		else if (strncmp(kv, "extension_", 10) == 0) {
			if (el)
				c->ext[el++] = '\x01';
			bad = copy_in(c->ext + el, sizeof(c->ext) - el, kv + 10);
		} else
			bad = 2;
		if (bad == -1) {
			snprintf(err, errlen, "sasl.oauthbearer.config: item "
			         "%.20s... is too long", kv);
			return KFK_ERR__INVALID_VALUE;
		}
		if (bad) {
			snprintf(err, errlen, "sasl.oauthbearer.config: unknown "
			         "item %.40s (principal, scope, lifeSeconds, "
			         "extension_NAME)", kv);
			return KFK_ERR__INVALID_VALUE;
		}
	}
	if (!c->principal[0] || c->life_s <= 0) {
		snprintf(err, errlen, "sasl.oauthbearer.config needs "
		         "principal=NAME (and a positive lifeSeconds)");
		return KFK_ERR__INVALID_VALUE;
	}
	return KFK_ERR_NONE;
}

kfk_err kfk_sasl_unsecured_jwt(const char *config, int64_t now_ms,
                               struct kfk_sasl_token *tok, char *err,
                               size_t errlen)
{
	struct jwt_claims c;
	char scope[600] = "", payload[1200], h64[64], p64[1700], token[1800];
	const char *header = "{\"alg\":\"none\"}";
	long iat = (long)(now_ms / 1000);
	kfk_err e = jwt_parse_config(config, &c, err, errlen);

	if (e)
		return e;
	if (c.scope[0]) {
		char arr[560];

		scope_json(c.scope, arr, sizeof(arr));
		snprintf(scope, sizeof(scope), ",\"scope\":%s", arr);
	}
	snprintf(payload, sizeof(payload),
	         "{\"sub\":\"%s\",\"iat\":%ld,\"exp\":%ld%s}", c.principal, iat,
	         iat + c.life_s, scope);
	b64url(header, strlen(header), h64, sizeof(h64));
	b64url(payload, strlen(payload), p64, sizeof(p64));
	snprintf(token, sizeof(token), "%s.%s.", h64, p64);
	memset(tok, 0, sizeof(*tok));
	tok->value = strdup(token);
	tok->principal = strdup(c.principal);
	tok->extensions = c.ext[0] ? strdup(c.ext) : NULL;
	tok->expiry_ms = (iat + c.life_s) * 1000LL;
	tok->issued_ms = iat * 1000LL;
	if (!tok->value || !tok->principal || (c.ext[0] && !tok->extensions))
		return KFK_ERR__NO_MEMORY;
	return KFK_ERR_NONE;
}

/* Under the token lock: a new unsecured token once 80% of the old one's
 * life is over (the Java client's default refresh window). */
static void oauth_refresh_unsecured(struct kfk_sasl_conf *sc)
{
	struct kfk_sasl_token *t = &sc->token, fresh;
	int64_t now = kfk_sasl_wall_ms(), life;
	char err[256];

	if (!sc->unsecured)
		return;
	life = t->expiry_ms - t->issued_ms;
	if (t->value && now < t->issued_ms + life * 8 / 10)
		return;
	if (kfk_sasl_unsecured_jwt(sc->unsecured, now, &fresh, err,
	                           sizeof(err)))
		return;
	kfk_sasl_token_clear(t);
	*t = fresh;
}

static kfk_err oauth_start(struct kfk_sasl_state *st, struct kfk_sasl_msg *out,
                           char *err, size_t errlen)
{
	struct kfk_sasl_conf *sc = (struct kfk_sasl_conf *)st->conf;
	const struct kfk_sasl_token *t = &sc->token;
	kfk_err e = KFK_ERR_NONE;
	size_t size;
	int n;

	pthread_mutex_lock(&sc->token_lock);
	oauth_refresh_unsecured(sc);
	if (!t->value) {
		snprintf(err, errlen, "no OAUTHBEARER token: %s (set one with "
		         "kfk_*_oauthbearer_set_token() from the token-refresh "
		         "callback, or enable.sasl.oauthbearer.unsecure.jwt for "
		         "tests)", t->error ? t->error : "none set yet");
		e = KFK_ERR__AUTHENTICATION;
		goto out;
	}
	size = strlen(t->value) + (t->extensions ? strlen(t->extensions) : 0) +
	       32;
	out->p = malloc(size);
	if (!out->p) {
		e = KFK_ERR__NO_MEMORY;
		goto out;
	}
	n = snprintf((char *)out->p, size, "n,,\x01" "auth=Bearer %s\x01%s%s\x01",
	             t->value, t->extensions ? t->extensions : "",
	             t->extensions ? "\x01" : "");
	out->len = (size_t)n;
out:
	pthread_mutex_unlock(&sc->token_lock);
	return e;
}

/* Success is an empty answer; an error (JSON) is acknowledged with ^A,
 * after which the broker's error code ends the exchange. */
static kfk_err oauth_step(struct kfk_sasl_state *st, const uint8_t *in,
                          size_t len, struct kfk_sasl_msg *out, bool *done,
                          char *err, size_t errlen)
{
	(void)st;
	(void)in;
	(void)err;
	(void)errlen;
	out->p = NULL;
	*done = len == 0;
	if (len)
		return kfk_sasl_msg_set(out, "\x01", 1) ? KFK_ERR__NO_MEMORY
		                                        : KFK_ERR_NONE;
	return KFK_ERR_NONE;
}

static void oauth_free(struct kfk_sasl_state *st)
{
	(void)st;
}

const struct kfk_sasl_mech kfk_sasl_oauthbearer = {
	.id = KFK_SASL_OAUTHBEARER,
	.start = oauth_start,
	.step = oauth_step,
	.free = oauth_free,
};
