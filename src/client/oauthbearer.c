/*
 * client/oauthbearer.c: OAUTHBEARER tokens from the application: the
 * refresh callback, called on the application's thread, and the token it
 * sets (kfk/conf.h). The SASL mechanism (net/sasl_oauthbearer.c) reads
 * the token from the client's struct kfk_sasl_conf.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/client_int.h"
#include "client/conf.h"
#include "client/oauthbearer.h"
#include "net/sasl.h"

#define KFK_OAUTH_RETRY_MS 10000

KFK_API void kfk_conf_set_oauthbearer_token_refresh_cb(
    kfk_conf *conf, kfk_oauthbearer_token_refresh_cb *cb)
{
	kfk_conf_set_cb(conf, KFK_CONF_CB_OAUTHBEARER_REFRESH, (kfk_conf_fn *)cb);
}

/* Extensions as the mechanism sends them: "k=v\x01k=v"; NULL and 0 when
 * there are none, -1 (errstr) for a bad key. */
static int join_extensions(const char *const *ext, size_t n, char **out,
                           char *errstr, size_t errstr_size)
{
	size_t i, len = 0;
	char *s;

	*out = NULL;
	for (i = 0; i < 2 * n; i += 2) {
		const char *k = ext[i];
		size_t j;

		for (j = 0; k && k[j] && isalpha((unsigned char)k[j]); j++)
			;
		if (!k || !k[0] || k[j] || !strcmp(k, "auth") || !ext[i + 1]) {
			snprintf(errstr, errstr_size, "extension %zu: the key must "
			         "be letters, not \"auth\", with a value", i / 2);
			return -1;
		}
		len += strlen(k) + strlen(ext[i + 1]) + 2;
	}
	if (!n)
		return 0;
	s = calloc(1, len);
	if (!s)
		return -1;
	for (i = 0; i < 2 * n; i += 2)
		snprintf(s + strlen(s), len - strlen(s), "%s%s=%s", i ? "\x01" : "",
		         ext[i], ext[i + 1]);
	*out = s;
	return 0;
}

KFK_API kfk_err kfk_oauthbearer_set_token(kfk_oauthbearer *ob,
                                          const char *token,
                                          int64_t lifetime_ms,
                                          const char *principal,
                                          const char *const *extensions,
                                          size_t n_extensions, char *errstr,
                                          size_t errstr_size)
{
	int64_t now = kfk_sasl_wall_ms();
	char *ext;
	kfk_err e;

	if (!ob || !ob->sasl)
		return KFK_ERR__STATE;
	if (!token || !*token || !principal || !*principal ||
	    lifetime_ms <= now) {
		snprintf(errstr, errstr_size, "%s", !token || !*token ? "empty token"
		         : !principal || !*principal ? "empty principal"
		                                     : "lifetime_ms is in the past");
		return KFK_ERR__INVALID_ARG;
	}
	if (join_extensions(extensions, n_extensions, &ext, errstr, errstr_size))
		return KFK_ERR__INVALID_ARG;
	e = kfk_sasl_token_set(ob->sasl, token, lifetime_ms, principal, ext, NULL);
	free(ext);
	if (!e)
		atomic_store(&ob->refresh_at_ms, now + (lifetime_ms - now) * 8 / 10);
	return e;
}

KFK_API kfk_err kfk_oauthbearer_set_token_failure(kfk_oauthbearer *ob,
                                                  const char *reason)
{
	if (!ob || !ob->sasl)
		return KFK_ERR__STATE;
	atomic_store(&ob->refresh_at_ms, kfk_sasl_wall_ms() + KFK_OAUTH_RETRY_MS);
	return kfk_sasl_token_set(ob->sasl, NULL, 0, NULL, NULL,
	                          reason ? reason : "no reason given");
}

/* Calls the refresh callback (application thread). */
static void oauth_call(struct kfk_oauthbearer *ob)
{
	/* Until the callback sets a token or a failure, once a retry
	 * period from now: a callback that sets nothing is asked again. */
	atomic_store(&ob->refresh_at_ms, kfk_sasl_wall_ms() + KFK_OAUTH_RETRY_MS);
	ob->cb(ob, ob->config, ob->opaque);
}

void kfk_oauth_init(struct kfk_oauthbearer *ob, struct kfk_sasl_conf *sc,
                    const kfk_conf *conf)
{
	const char *cfg = kfk_conf_get_str(conf, "sasl.oauthbearer.config");

	memset(ob, 0, sizeof(*ob));
	ob->cb = (kfk_oauthbearer_token_refresh_cb *)kfk_conf_cb(
	    conf, KFK_CONF_CB_OAUTHBEARER_REFRESH);
	if (!sc || sc->mech != KFK_SASL_OAUTHBEARER || sc->unsecured || !ob->cb) {
		ob->cb = NULL;
		ob->sasl = sc && sc->mech == KFK_SASL_OAUTHBEARER && !sc->unsecured
		               ? sc
		               : NULL;
		atomic_store(&ob->refresh_at_ms, INT64_MAX);
		return;
	}
	ob->sasl = sc;
	ob->config = cfg ? cfg : "";
	ob->opaque = kfk_conf_opaque(conf);
	oauth_call(ob);
}

void kfk_oauth_serve(struct kfk_oauthbearer *ob)
{
	if (ob->cb &&
	    kfk_sasl_wall_ms() >= atomic_load_explicit(&ob->refresh_at_ms,
	                                               memory_order_relaxed))
		oauth_call(ob);
}
