/*
 * net/sasl_gssapi.c: GSSAPI (Kerberos V5) through Cyrus SASL's client
 * library, which does the GSS-API work with the user's ticket cache.
 *
 * The service principal is sasl.kerberos.service.name/HOST, HOST being
 * the broker's host as the client connects to it. Getting the service
 * ticket may ask the KDC, inside sasl_client_start(), on the broker's I/O
 * thread: a round trip to a local KDC, once per connection (librdkafka
 * does the same on its broker thread).
 */
#include "config.h"

#include "net/sasl.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sasl/sasl.h>

static pthread_once_t gss_once = PTHREAD_ONCE_INIT;
static int gss_init_result;

static void gss_init(void)
{
	gss_init_result = sasl_client_init(NULL);
}

/* Cyrus asks for an authorization id: none (the principal is it). */
static int gss_cb_user(void *ctx, int id, const char **result,
                       unsigned *len)
{
	(void)ctx;
	(void)id;
	*result = "";
	if (len)
		*len = 0;
	return SASL_OK;
}

static const sasl_callback_t gss_callbacks[] = {
	{SASL_CB_USER, (int (*)(void))(void (*)(void))gss_cb_user, NULL},
	{SASL_CB_AUTHNAME, (int (*)(void))(void (*)(void))gss_cb_user, NULL},
	{SASL_CB_LIST_END, NULL, NULL},
};

/* Cyrus's reason for r, and what to do about the usual ones. */
static void gss_explain(sasl_conn_t *conn, int r, const char *what,
                        char *err, size_t errlen)
{
	const char *detail = conn ? sasl_errdetail(conn) : sasl_errstring(r, NULL, NULL);

	if (r == SASL_NOMECH)
		snprintf(err, errlen, "GSSAPI: Cyrus SASL has no GSSAPI plugin "
		         "(Debian: libsasl2-modules-gssapi-mit)");
	else
		snprintf(err, errlen, "GSSAPI %s failed: %s (is there a Kerberos "
		         "ticket? kinit, or set sasl.kerberos.keytab)", what,
		         detail ? detail : "?");
}

/* A token to send; an empty one is a message too. */
static kfk_err gss_out(const char *p, unsigned len, struct kfk_sasl_msg *out)
{
	return kfk_sasl_msg_set(out, p ? p : "", len) ? KFK_ERR__NO_MEMORY
	                                              : KFK_ERR_NONE;
}

static kfk_err gss_start(struct kfk_sasl_state *st, struct kfk_sasl_msg *out,
                         char *err, size_t errlen)
{
	const char *svc = st->conf->service_name ? st->conf->service_name
	                                         : "kafka";
	sasl_conn_t *conn = NULL;
	const char *tok = NULL, *mech = NULL;
	unsigned len = 0;
	int r;

	pthread_once(&gss_once, gss_init);
	if (gss_init_result != SASL_OK) {
		gss_explain(NULL, gss_init_result, "initialisation", err, errlen);
		return KFK_ERR__AUTHENTICATION;
	}
	r = sasl_client_new(svc, st->host, NULL, NULL, gss_callbacks, 0, &conn);
	if (r == SASL_OK)
		r = sasl_client_start(conn, "GSSAPI", NULL, &tok, &len, &mech);
	if (r != SASL_OK && r != SASL_CONTINUE) {
		gss_explain(conn, r, "start", err, errlen);
		sasl_dispose(&conn);
		return KFK_ERR__AUTHENTICATION;
	}
	st->priv = conn;
	return gss_out(tok, len, out);
}

static kfk_err gss_step(struct kfk_sasl_state *st, const uint8_t *in,
                        size_t len, struct kfk_sasl_msg *out, bool *done,
                        char *err, size_t errlen)
{
	const char *tok = NULL;
	unsigned olen = 0;
	int r;

	out->p = NULL;
	r = sasl_client_step(st->priv, (const char *)in, (unsigned)len, NULL,
	                     &tok, &olen);
	if (r != SASL_OK && r != SASL_CONTINUE) {
		gss_explain(st->priv, r, "step", err, errlen);
		return KFK_ERR__AUTHENTICATION;
	}
	*done = r == SASL_OK;
	if (*done && olen == 0)
		return KFK_ERR_NONE;
	return gss_out(tok, olen, out);
}

static void gss_free(struct kfk_sasl_state *st)
{
	sasl_conn_t *conn = st->priv;

	if (conn)
		sasl_dispose(&conn);
	st->priv = NULL;
}

const struct kfk_sasl_mech kfk_sasl_gssapi = {
	.id = KFK_SASL_GSSAPI,
	.start = gss_start,
	.step = gss_step,
	.free = gss_free,
};
