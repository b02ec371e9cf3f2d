/*
 * client/security.c: the client's TLS and SASL settings (security.h).
 */
#include "config.h"

#include "client/security.h"

#include <stdio.h>
#include <string.h>

#include "client/client_int.h"
#include "client/conf.h"
#include "client/props.h"
#include "client/jaas.h"
#include "net/sasl.h"
#include "net/tls.h"

#include <stdlib.h>

/* A string property, NULL when empty (unset). */
static const char *opt_str(const kfk_conf *cf, const char *name)
{
	const char *v = kfk_conf_get_str(cf, name);

	return v && *v ? v : NULL;
}

static bool uses_tls(const kfk_conf *cf)
{
	int64_t p = kfk_conf_get_int(cf, "security.protocol");

	return p == 1 || p == 3; /* SSL, SASL_SSL */
}

static void tls_conf_fill(const kfk_conf *cf, struct kfk_tls_conf *t)
{
	memset(t, 0, sizeof(*t));
	t->ca_location = opt_str(cf, "ssl.ca.location");
	t->ca_pem = opt_str(cf, "ssl.ca.pem");
	t->truststore_location = opt_str(cf, "ssl.truststore.location");
	t->truststore_type = opt_str(cf, "ssl.truststore.type");
	t->truststore_password = opt_str(cf, "ssl.truststore.password");
	t->cert_location = opt_str(cf, "ssl.certificate.location");
	t->cert_pem = opt_str(cf, "ssl.certificate.pem");
	t->key_location = opt_str(cf, "ssl.key.location");
	t->key_pem = opt_str(cf, "ssl.key.pem");
	t->key_password = opt_str(cf, "ssl.key.password");
	t->keystore_location = opt_str(cf, "ssl.keystore.location");
	t->keystore_type = opt_str(cf, "ssl.keystore.type");
	t->keystore_password = opt_str(cf, "ssl.keystore.password");
	t->cipher_suites = opt_str(cf, "ssl.cipher.suites");
	t->crl_location = opt_str(cf, "ssl.crl.location");
	t->protocols = (unsigned)kfk_conf_get_int(cf, "ssl.enabled.protocols");
	t->verify_cert = kfk_conf_get_bool(cf,
	                                   "enable.ssl.certificate.verification");
	t->verify_host = kfk_conf_get_int(cf,
	                     "ssl.endpoint.identification.algorithm") == 1;
}

static kfk_err tls_init(struct kfk_client *c, char *errstr,
                        size_t errstr_size)
{
	struct kfk_tls_conf t;
	char err[512];
	kfk_err e;

	tls_conf_fill(c->conf, &t);
	e = kfk_tls_new(&t, &c->log, &c->tls, err, sizeof(err));
	if (e)
		snprintf(errstr, errstr_size, "security.protocol=%s: %s",
		         kfk_conf_get_str(c->conf, "security.protocol"), err);
	c->bcfg.tls = c->tls;
	return e;
}

static bool uses_sasl(const kfk_conf *cf)
{
	int64_t p = kfk_conf_get_int(cf, "security.protocol");

	return p == 2 || p == 3; /* SASL_PLAINTEXT, SASL_SSL */
}

/* What sasl.jaas.config says, before the sasl.* properties override it. */
struct jaas_opts {
	char *username, *password, *oauth, *keytab, *principal;
	bool oauth_module;
};

static void jaas_set(char **dst, const char *v)
{
	free(*dst);
	*dst = strdup(v);
}

/* Appends " key=value" to the unsecured JWT's config. */
static void jaas_oauth_add(struct jaas_opts *o, const char *k, const char *v)
{
	size_t old = o->oauth ? strlen(o->oauth) : 0;
	char *n = realloc(o->oauth, old + strlen(k) + strlen(v) + 3);

	if (!n)
		return;
	snprintf(n + old, strlen(k) + strlen(v) + 3, "%s%s=%s", old ? " " : "",
	         k, v);
	o->oauth = n;
}

static kfk_err jaas_opt(void *opaque, const char *k, const char *v)
{
	struct jaas_opts *o = opaque;

	if (!*k)
		o->oauth_module = strstr(v, "OAuthBearerLoginModule") != NULL;
	else if (!strcmp(k, "username"))
		jaas_set(&o->username, v);
	else if (!strcmp(k, "password"))
		jaas_set(&o->password, v);
	else if (!strcmp(k, "keyTab"))
		jaas_set(&o->keytab, v);
	else if (!strcmp(k, "principal"))
		jaas_set(&o->principal, v);
	else if (!strcmp(k, "unsecuredLoginStringClaim_sub"))
		jaas_oauth_add(o, "principal", v);
	else if (!strcmp(k, "unsecuredLoginListClaim_scope") ||
	         !strcmp(k, "unsecuredLoginStringClaim_scope"))
		jaas_oauth_add(o, "scope", v);
	else if (!strcmp(k, "unsecuredLoginLifetimeSeconds"))
		jaas_oauth_add(o, "lifeSeconds", v);
	else if (!strncmp(k, "unsecuredLoginExtension_", 24)) {
		char key[160];

		snprintf(key, sizeof(key), "extension_%s", k + 24);
		jaas_oauth_add(o, key, v);
	}
	return KFK_ERR_NONE;
}

static void jaas_free(struct jaas_opts *o)
{
	char **v[] = { &o->username, &o->password, &o->oauth, &o->keytab,
	               &o->principal };
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		if (*v[i])
			memset(*v[i], 0, strlen(*v[i]));
		free(*v[i]);
	}
}

/* A property's value when set, else the JAAS one; duplicated. */
static char *pick(const kfk_conf *cf, const char *name, const char *jaas)
{
	const char *v = opt_str(cf, name);

	v = v ? v : jaas;
	return v ? strdup(v) : NULL;
}

/* The OAUTHBEARER token source: an unsecured JWT made now (and again as
 * it ages), or the application's (none yet). */
static kfk_err sasl_oauth(struct kfk_client *c, const struct jaas_opts *j,
                          char *errstr, size_t errstr_size)
{
	struct kfk_sasl_conf *sc = c->sasl;
	const char *cfg = opt_str(c->conf, "sasl.oauthbearer.config");
	char err[256];
	kfk_err e;

	if (kfk_conf_get_bool(c->conf, "enable.sasl.oauthbearer.unsecure.jwt"))
		sc->unsecured = strdup(cfg ? cfg : "");
	else if (j->oauth_module && j->oauth)
		sc->unsecured = strdup(j->oauth); /* as Java's default handler */
	if (!sc->unsecured)
		return kfk_sasl_token_set(sc, NULL, 0, NULL, NULL,
		                          "the application has not set one");
	e = kfk_sasl_unsecured_jwt(sc->unsecured, kfk_sasl_wall_ms(), &sc->token,
	                           err, sizeof(err));
	if (e)
		snprintf(errstr, errstr_size, "%s", err);
	return e;
}

/* The sasl.* properties (and sasl.jaas.config) into c->sasl. */
static kfk_err sasl_fill(struct kfk_client *c, struct jaas_opts *j,
                         char *errstr, size_t errstr_size)
{
	struct kfk_sasl_conf *sc = c->sasl;
	const char *jaas = opt_str(c->conf, "sasl.jaas.config");
	kfk_err e = KFK_ERR_NONE;

	if (jaas)
		e = kfk_jaas_parse(jaas, jaas_opt, j, errstr, errstr_size);
	if (e)
		return e;
	sc->mech = (enum kfk_sasl_mech_id)kfk_conf_get_int(c->conf,
	                                                   "sasl.mechanism");
	sc->username = pick(c->conf, "sasl.username", j->username);
	sc->password = pick(c->conf, "sasl.password", j->password);
	sc->service_name = pick(c->conf, "sasl.kerberos.service.name", NULL);
	if ((sc->mech == KFK_SASL_PLAIN || sc->mech == KFK_SASL_SCRAM_SHA_256 ||
	     sc->mech == KFK_SASL_SCRAM_SHA_512) &&
	    (!sc->username || !sc->password)) {
		snprintf(errstr, errstr_size, "sasl.mechanism=%s needs "
		         "sasl.username and sasl.password (or sasl.jaas.config "
		         "with username and password)",
		         kfk_sasl_mech_name(sc->mech));
		return KFK_ERR__INVALID_ARG;
	}
	if (sc->mech == KFK_SASL_OAUTHBEARER)
		return sasl_oauth(c, j, errstr, errstr_size);
	return KFK_ERR_NONE;
}

static kfk_err sasl_init(struct kfk_client *c, char *errstr,
                         size_t errstr_size)
{
	struct jaas_opts j = { 0 };
	kfk_err e;

	c->sasl = calloc(1, sizeof(*c->sasl));
	if (!c->sasl)
		return KFK_ERR__NO_MEMORY;
	pthread_mutex_init(&c->sasl->token_lock, NULL);
	e = sasl_fill(c, &j, errstr, errstr_size);
	jaas_free(&j);
	c->bcfg.sasl = c->sasl;
	return e;
}

kfk_err kfk_client_security_init(struct kfk_client *c, char *errstr,
                                 size_t errstr_size)
{
	kfk_err e = KFK_ERR_NONE;

	if (uses_tls(c->conf))
		e = tls_init(c, errstr, errstr_size);
	if (!e && uses_sasl(c->conf))
		e = sasl_init(c, errstr, errstr_size);
	return e;
}

void kfk_client_security_free(struct kfk_client *c)
{
	kfk_tls_destroy(c->tls);
	c->tls = NULL;
	if (c->sasl) {
		kfk_sasl_conf_clear(c->sasl);
		pthread_mutex_destroy(&c->sasl->token_lock);
		free(c->sasl);
		c->sasl = NULL;
	}
}

void kfk_client_log_conf(struct kfk_client *c)
{
	size_t cursor = 0;
	const char *name, *value;

	if (!(c->log.debug & KFK_DBG_CONF))
		return;
	while (kfk_conf_next(c->conf, KFK_CONF_ITER_SET, &cursor, &name, &value))
		kfk_log(&c->log, KFK_LOG_DEBUG, "CONF", "%s = %s", name, value);
}
