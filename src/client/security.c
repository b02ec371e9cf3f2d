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
#include "net/tls.h"

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

kfk_err kfk_client_security_init(struct kfk_client *c, char *errstr,
                                 size_t errstr_size)
{
	if (uses_tls(c->conf))
		return tls_init(c, errstr, errstr_size);
	return KFK_ERR_NONE;
}

void kfk_client_security_free(struct kfk_client *c)
{
	kfk_tls_destroy(c->tls);
	c->tls = NULL;
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
