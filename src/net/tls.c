/*
 * net/tls.c: TLS sessions of a client's connections (see tls.h): making
 * them, the non-blocking handshake and the sentences that explain its
 * failures, reading and writing.
 */
#include "config.h"

#include "net/tls.h"
#include "net/tls_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

/* The conf's strings, duplicated; secrets wiped at destroy. */
static char *kfk_tls_dup(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void kfk_tls_wipe(const char *s)
{
	if (s)
		OPENSSL_cleanse((char *)s, strlen(s));
	free((char *)s);
}

static void kfk_tls_conf_free(struct kfk_tls_conf *c)
{
	const char **v[] = {
		&c->ca_location, &c->ca_pem, &c->truststore_location,
		&c->truststore_type, &c->cert_location, &c->cert_pem,
		&c->key_location, &c->keystore_location, &c->keystore_type,
		&c->cipher_suites, &c->crl_location,
	};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		free((char *)*v[i]);
	kfk_tls_wipe(c->key_pem);
	kfk_tls_wipe(c->key_password);
	kfk_tls_wipe(c->keystore_password);
	kfk_tls_wipe(c->truststore_password);
}

static int kfk_tls_conf_copy(struct kfk_tls_conf *d,
                             const struct kfk_tls_conf *s)
{
	*d = *s;
	d->ca_location = kfk_tls_dup(s->ca_location);
	d->ca_pem = kfk_tls_dup(s->ca_pem);
	d->truststore_location = kfk_tls_dup(s->truststore_location);
	d->truststore_type = kfk_tls_dup(s->truststore_type);
	d->truststore_password = kfk_tls_dup(s->truststore_password);
	d->cert_location = kfk_tls_dup(s->cert_location);
	d->cert_pem = kfk_tls_dup(s->cert_pem);
	d->key_location = kfk_tls_dup(s->key_location);
	d->key_pem = kfk_tls_dup(s->key_pem);
	d->key_password = kfk_tls_dup(s->key_password);
	d->keystore_location = kfk_tls_dup(s->keystore_location);
	d->keystore_type = kfk_tls_dup(s->keystore_type);
	d->keystore_password = kfk_tls_dup(s->keystore_password);
	d->cipher_suites = kfk_tls_dup(s->cipher_suites);
	d->crl_location = kfk_tls_dup(s->crl_location);
	return (s->ca_location && !d->ca_location) ||
	               (s->ca_pem && !d->ca_pem) ||
	               (s->cert_location && !d->cert_location) ||
	               (s->key_location && !d->key_location) ||
	               (s->key_pem && !d->key_pem) ||
	               (s->keystore_location && !d->keystore_location)
	           ? -1
	           : 0;
}

/* The files a change of which rebuilds the context. */
static void kfk_tls_watch(struct kfk_tls *t)
{
	const char *paths[KFK_TLS_FILES] = {
		t->conf.ca_location, t->conf.truststore_location,
		t->conf.cert_location, t->conf.key_location,
		t->conf.keystore_location, t->conf.crl_location,
	};
	int i;

	for (i = 0; i < KFK_TLS_FILES; i++) {
		t->files[i].path = paths[i];
		kfk_tls_stamp(&t->files[i]);
	}
}

kfk_err kfk_tls_new(const struct kfk_tls_conf *conf,
                    const struct kfk_logger *lg, struct kfk_tls **out,
                    char *err, size_t errlen)
{
	struct kfk_tls *t = calloc(1, sizeof(*t));

	*out = NULL;
	if (!t || kfk_tls_conf_copy(&t->conf, conf)) {
		if (t)
			kfk_tls_conf_free(&t->conf);
		free(t);
		snprintf(err, errlen, "out of memory");
		return KFK_ERR__NO_MEMORY;
	}
	t->log = lg;
	kfk_tls_watch(t);
	t->ctx = kfk_tls_ctx_build(&t->conf, err, errlen);
	if (!t->ctx) {
		kfk_tls_conf_free(&t->conf);
		free(t);
		return KFK_ERR__SSL;
	}
	t->generation = 1;
	pthread_mutex_init(&t->lock, NULL);
	*out = t;
	return KFK_ERR_NONE;
}

void kfk_tls_destroy(struct kfk_tls *t)
{
	if (!t)
		return;
	SSL_CTX_free(t->ctx);
	kfk_tls_conf_free(&t->conf);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

/* Under t->lock: rebuilds the context when a watched file changed. A
 * failed rebuild keeps the old context and the old stamps, so the next
 * connection tries again (the files may be half replaced). */
static void kfk_tls_reload(struct kfk_tls *t)
{
	char err[512];
	SSL_CTX *ctx;
	int i;
	bool changed = false;

	for (i = 0; i < KFK_TLS_FILES && !changed; i++)
		changed = kfk_tls_changed(&t->files[i]);
	if (!changed)
		return;
	ctx = kfk_tls_ctx_build(&t->conf, err, sizeof(err));
	if (!ctx) {
		kfk_log(t->log, KFK_LOG_WARNING, "SSL",
		        "certificate files changed but cannot be used (%s): "
		        "keeping the previous ones", err);
		return;
	}
	SSL_CTX_free(t->ctx);
	t->ctx = ctx;
	t->generation++;
	kfk_tls_watch(t);
	kfk_log(t->log, KFK_LOG_NOTICE, "SSL",
	        "certificate files changed: reloaded (generation %u); new "
	        "connections use them", t->generation);
}

/* Name checks and SNI for host. */
static int kfk_tls_set_host(SSL *ssl, const char *host, bool verify)
{
	unsigned char ip[16];
	bool is_ip = inet_pton(AF_INET, host, ip) == 1 ||
	             inet_pton(AF_INET6, host, ip) == 1;

	if (!is_ip && SSL_set_tlsext_host_name(ssl, host) != 1)
		return -1;
	if (!verify)
		return 0;
	if (is_ip)
		return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host) == 1
		           ? 0
		           : -1;
	return SSL_set1_host(ssl, host) == 1 ? 0 : -1;
}

SSL *kfk_tls_session(struct kfk_tls *t, int fd, const char *host, char *err,
                     size_t errlen)
{
	SSL *ssl;

	pthread_mutex_lock(&t->lock);
	kfk_tls_reload(t);
	ssl = SSL_new(t->ctx);
	pthread_mutex_unlock(&t->lock);
	if (!ssl || SSL_set_fd(ssl, fd) != 1 ||
	    kfk_tls_set_host(ssl, host, t->conf.verify_cert &&
	                                    t->conf.verify_host)) {
		kfk_tls_ossl_err(err, errlen);
		SSL_free(ssl);
		return NULL;
	}
	SSL_set_connect_state(ssl);
	return ssl;
}

/* ---- the handshake's failures, explained ------------------------------- */

/* Set by the verify callback on the thread running the handshake: the
 * expiry date of an expired certificate, for the message. */
static _Thread_local char kfk_tls_expiry[64];

static int kfk_tls_verify_cb(int ok, X509_STORE_CTX *st)
{
	X509 *x;
	BIO *b;
	int n;

	if (ok || X509_STORE_CTX_get_error(st) != X509_V_ERR_CERT_HAS_EXPIRED)
		return ok;
	x = X509_STORE_CTX_get_current_cert(st);
	b = BIO_new(BIO_s_mem());
	if (x && b && ASN1_TIME_print(b, X509_get0_notAfter(x)) == 1) {
		n = BIO_read(b, kfk_tls_expiry, sizeof(kfk_tls_expiry) - 1);
		kfk_tls_expiry[n > 0 ? n : 0] = '\0';
	}
	BIO_free(b);
	return ok;
}

/* The certificate verification failed: which way, and what to do. */
static void kfk_tls_explain_verify(long v, char *err, size_t errlen)
{
	const char *what = X509_verify_cert_error_string(v);

	switch (v) {
	case X509_V_ERR_HOSTNAME_MISMATCH:
	case X509_V_ERR_IP_ADDRESS_MISMATCH:
		snprintf(err, errlen,
		         "the broker's certificate does not name the host "
		         "connected to (%s): connect by a name the certificate "
		         "lists, or set ssl.endpoint.identification.algorithm=none "
		         "to skip the check", what);
		break;
	case X509_V_ERR_CERT_HAS_EXPIRED:
		snprintf(err, errlen,
		         "the broker's certificate has expired%s%s: the "
		         "broker needs a new certificate",
		         kfk_tls_expiry[0] ? " on " : "", kfk_tls_expiry);
		break;
	case X509_V_ERR_CERT_REVOKED:
		snprintf(err, errlen,
		         "the broker's certificate is revoked (ssl.crl.location)");
		break;
	default:
		snprintf(err, errlen,
		         "the broker's certificate is not trusted (%s): set "
		         "ssl.ca.location to the CA that signed it", what);
	}
}

/* The handshake failed with OpenSSL error e (not a verification). */
static void kfk_tls_explain_ssl(unsigned long e, char *err, size_t errlen)
{
	char why[256];
	int reason = ERR_GET_REASON(e);

	ERR_error_string_n(e, why, sizeof(why));
	if (reason == SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED ||
	    reason == SSL_R_SSLV3_ALERT_BAD_CERTIFICATE ||
	    reason == SSL_R_TLSV1_ALERT_UNKNOWN_CA ||
	    reason == SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED ||
	    reason == SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN)
		snprintf(err, errlen,
		         "the broker refused our certificate (%s): check "
		         "ssl.certificate.location / ssl.keystore.location and "
		         "that the broker trusts its CA", why);
	else if (reason == SSL_R_UNEXPECTED_EOF_WHILE_READING)
		snprintf(err, errlen,
		         "the broker closed the connection during the TLS "
		         "handshake: is this an SSL or SASL_SSL listener? check "
		         "security.protocol");
	else if (reason == SSL_R_WRONG_VERSION_NUMBER ||
	         reason == SSL_R_PACKET_LENGTH_TOO_LONG)
		snprintf(err, errlen,
		         "the broker does not speak TLS on this port (%s): "
		         "is it a PLAINTEXT or SASL_PLAINTEXT listener? check "
		         "security.protocol", why);
	else
		snprintf(err, errlen, "TLS handshake failed: %s", why);
}

enum kfk_tls_want kfk_tls_handshake(SSL *ssl, char *err, size_t errlen)
{
	int r, se;
	long v;
	unsigned long e;

	kfk_tls_expiry[0] = '\0';
	SSL_set_verify(ssl, SSL_get_verify_mode(ssl), kfk_tls_verify_cb);
	ERR_clear_error();
	r = SSL_do_handshake(ssl);
	if (r == 1)
		return KFK_TLS_DONE;
	se = SSL_get_error(ssl, r);
	if (se == SSL_ERROR_WANT_READ)
		return KFK_TLS_WANT_READ;
	if (se == SSL_ERROR_WANT_WRITE)
		return KFK_TLS_WANT_WRITE;
	v = SSL_get_verify_result(ssl);
	e = ERR_peek_error();
	if (v != X509_V_OK)
		kfk_tls_explain_verify(v, err, errlen);
	else if (e)
		kfk_tls_explain_ssl(e, err, errlen);
	else
		snprintf(err, errlen,
		         "the broker closed the connection during the TLS "
		         "handshake%s%s: is this an SSL or SASL_SSL listener? "
		         "check security.protocol",
		         errno ? ": " : "", errno ? strerror(errno) : "");
	ERR_clear_error();
	return KFK_TLS_ERROR;
}

/* The outcome of an SSL_read / SSL_write that returned r <= 0. */
static enum kfk_tls_want kfk_tls_outcome(SSL *ssl, int r, char *err,
                                         size_t errlen)
{
	int se = SSL_get_error(ssl, r);

	switch (se) {
	case SSL_ERROR_WANT_READ:
		return KFK_TLS_WANT_READ;
	case SSL_ERROR_WANT_WRITE:
		return KFK_TLS_WANT_WRITE;
	case SSL_ERROR_ZERO_RETURN:
		return KFK_TLS_CLOSED;
	case SSL_ERROR_SYSCALL:
		if (!ERR_peek_error() && (r == 0 || errno == 0)) {
			ERR_clear_error();
			return KFK_TLS_CLOSED;
		}
		if (!ERR_peek_error()) {
			snprintf(err, errlen, "%s", strerror(errno));
			return KFK_TLS_ERROR;
		}
		break;
	default:
		break;
	}
	/* An alert after the handshake: TLS 1.3 clients learn only now
	 * that the broker refused their certificate. */
	kfk_tls_explain_ssl(ERR_peek_error(), err, errlen);
	ERR_clear_error();
	return KFK_TLS_ERROR;
}

enum kfk_tls_want kfk_tls_read(SSL *ssl, void *buf, size_t len, size_t *n,
                               char *err, size_t errlen)
{
	int r;

	ERR_clear_error();
	r = SSL_read_ex(ssl, buf, len, n);
	if (r == 1)
		return KFK_TLS_DONE;
	return kfk_tls_outcome(ssl, r, err, errlen);
}

enum kfk_tls_want kfk_tls_write(SSL *ssl, const void *buf, size_t len,
                                size_t *n, char *err, size_t errlen)
{
	int r;

	ERR_clear_error();
	r = SSL_write_ex(ssl, buf, len, n);
	if (r == 1)
		return KFK_TLS_DONE;
	return kfk_tls_outcome(ssl, r, err, errlen);
}

bool kfk_tls_pending(SSL *ssl)
{
	return SSL_has_pending(ssl) == 1;
}

void kfk_tls_close(SSL *ssl)
{
	if (!ssl)
		return;
	if (SSL_is_init_finished(ssl))
		SSL_shutdown(ssl);  /* close_notify; not waiting for the reply */
	ERR_clear_error();
	SSL_free(ssl);
}

void kfk_tls_describe(SSL *ssl, char *buf, size_t len)
{
	snprintf(buf, len, "%s %s", SSL_get_version(ssl),
	         SSL_get_cipher_name(ssl));
}
