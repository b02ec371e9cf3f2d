/*
 * net/tls_ctx.c: the SSL_CTX of a client, built from its settings, and
 * rebuilt when a file it was built from changes on disk (see tls.h).
 */
#include "config.h"

#include "net/tls.h"
#include "net/tls_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

/* The first OpenSSL error queued, as text, and the queue cleared. */
void kfk_tls_ossl_err(char *buf, size_t len)
{
	unsigned long e = ERR_get_error();

	if (!e)
		snprintf(buf, len, "no detail from OpenSSL");
	else
		ERR_error_string_n(e, buf, len);
	ERR_clear_error();
}

static kfk_err kfk_tls_fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Writes "<fmt>: <OpenSSL's reason>" into err. */
static kfk_err kfk_tls_fail(char *err, size_t errlen, const char *fmt, ...)
{
	char what[256], why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	kfk_tls_ossl_err(why, sizeof(why));
	snprintf(err, errlen, "%s: %s", what, why);
	return KFK_ERR__SSL;
}

/* The password callback: the key's password, or none. */
static int kfk_tls_pw_cb(char *buf, int size, int rwflag, void *u)
{
	const char *pw = u;
	size_t n;

	(void)rwflag;
	if (!pw)
		return 0;
	n = strlen(pw);
	if (n > (size_t)size)
		n = (size_t)size;
	memcpy(buf, pw, n);
	return (int)n;
}

/* A BIO over a file or over PEM text. */
static BIO *kfk_tls_bio(const char *file, const char *pem)
{
	if (file)
		return BIO_new_file(file, "r");
	return BIO_new_mem_buf(pem, -1);
}

static bool kfk_tls_is_jks(const char *type)
{
	return type && strcasecmp(type, "JKS") == 0;
}

static bool kfk_tls_is_pem(const char *type)
{
	return type && strcasecmp(type, "PEM") == 0;
}

/* Adds every certificate of a PEM source to the trust store. */
static kfk_err kfk_tls_add_cas(X509_STORE *st, const char *file,
                               const char *pem, const char *prop, char *err,
                               size_t errlen)
{
	BIO *bio = kfk_tls_bio(file, pem);
	X509 *x;
	int n = 0;

	if (!bio)
		return kfk_tls_fail(err, errlen, "%s: cannot read %s", prop,
		                    file ? file : "the PEM text");
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL))) {
		X509_STORE_add_cert(st, x);
		X509_free(x);
		n++;
	}
	ERR_clear_error();
	BIO_free(bio);
	if (n == 0) {
		snprintf(err, errlen, "%s: no PEM certificate found in %s", prop,
		         file ? file : "the PEM text");
		return KFK_ERR__SSL;
	}
	return KFK_ERR_NONE;
}

/* Reads a PKCS#12 file; NULL with err. */
static PKCS12 *kfk_tls_p12_read(const char *file, const char *prop,
                                char *err, size_t errlen)
{
	BIO *bio = BIO_new_file(file, "rb");
	PKCS12 *p12;

	if (!bio) {
		kfk_tls_fail(err, errlen, "%s: cannot read %s", prop, file);
		return NULL;
	}
	p12 = d2i_PKCS12_bio(bio, NULL);
	BIO_free(bio);
	if (!p12)
		kfk_tls_fail(err, errlen, "%s: %s is not a PKCS#12 keystore", prop,
		             file);
	return p12;
}

/* What a PKCS#12 file holds. */
struct kfk_tls_p12 {
	EVP_PKEY *key;
	X509 *cert;
	STACK_OF(X509) *chain;
};

static void kfk_tls_p12_free(struct kfk_tls_p12 *p)
{
	EVP_PKEY_free(p->key);
	X509_free(p->cert);
	sk_X509_pop_free(p->chain, X509_free);
}

/* Opens a PKCS#12 file with its password. */
static kfk_err kfk_tls_p12_open(const char *file, const char *pw,
                                const char *prop, struct kfk_tls_p12 *out,
                                char *err, size_t errlen)
{
	PKCS12 *p12 = kfk_tls_p12_read(file, prop, err, errlen);
	int ok;

	memset(out, 0, sizeof(*out));
	if (!p12)
		return KFK_ERR__SSL;
	ok = PKCS12_parse(p12, pw ? pw : "", &out->key, &out->cert, &out->chain);
	PKCS12_free(p12);
	if (!ok)
		return kfk_tls_fail(err, errlen,
		                    "%s: cannot open %s (wrong password in the "
		                    "matching .password property?)",
		                    prop, file);
	return KFK_ERR_NONE;
}

/* Trusts every certificate of a PKCS#12 truststore. */
static kfk_err kfk_tls_trust_p12(X509_STORE *st,
                                 const struct kfk_tls_conf *c, char *err,
                                 size_t errlen)
{
	struct kfk_tls_p12 p;
	int i;

	if (kfk_tls_p12_open(c->truststore_location, c->truststore_password,
	                     "ssl.truststore.location", &p, err, errlen))
		return KFK_ERR__SSL;
	if (p.cert)
		X509_STORE_add_cert(st, p.cert);
	for (i = 0; p.chain && i < sk_X509_num(p.chain); i++)
		X509_STORE_add_cert(st, sk_X509_value(p.chain, i));
	kfk_tls_p12_free(&p);
	return KFK_ERR_NONE;
}

/* The CA file or directory of ssl.ca.location. */
static kfk_err kfk_tls_ca_location(SSL_CTX *ctx, const char *loc, char *err,
                                   size_t errlen)
{
	struct stat st;
	int ok;

	if (stat(loc, &st) != 0) {
		snprintf(err, errlen, "ssl.ca.location: %s: %s", loc,
		         strerror(errno));
		return KFK_ERR__SSL;
	}
	if (S_ISDIR(st.st_mode))
		ok = SSL_CTX_load_verify_dir(ctx, loc);
	else
		ok = SSL_CTX_load_verify_file(ctx, loc);
	if (!ok)
		return kfk_tls_fail(err, errlen,
		                    "ssl.ca.location: no CA certificate loaded "
		                    "from %s", loc);
	return KFK_ERR_NONE;
}

/* What the broker's certificate is checked against. */
static kfk_err kfk_tls_trust(SSL_CTX *ctx, const struct kfk_tls_conf *c,
                             char *err, size_t errlen)
{
	X509_STORE *st = SSL_CTX_get_cert_store(ctx);
	kfk_err e = KFK_ERR_NONE;

	if (c->ca_location)
		e = kfk_tls_ca_location(ctx, c->ca_location, err, errlen);
	if (!e && c->ca_pem)
		e = kfk_tls_add_cas(st, NULL, c->ca_pem, "ssl.ca.pem", err, errlen);
	if (!e && c->truststore_location) {
		if (kfk_tls_is_jks(c->truststore_type)) {
			snprintf(err, errlen,
			         "ssl.truststore.location: JKS truststores cannot be "
			         "read (OpenSSL); convert it with keytool "
			         "-importkeystore -deststoretype PKCS12, or give the "
			         "CA as PEM in ssl.ca.location");
			return KFK_ERR__SSL;
		}
		if (kfk_tls_is_pem(c->truststore_type))
			e = kfk_tls_add_cas(st, c->truststore_location, NULL,
			                    "ssl.truststore.location", err, errlen);
		else
			e = kfk_tls_trust_p12(st, c, err, errlen);
	}
	if (!e && !c->ca_location && !c->ca_pem && !c->truststore_location &&
	    !SSL_CTX_set_default_verify_paths(ctx))
		return kfk_tls_fail(err, errlen, "the system CA store");
	return e;
}

/* Checks the revocation list too. */
static kfk_err kfk_tls_crl(SSL_CTX *ctx, const char *file, char *err,
                           size_t errlen)
{
	X509_STORE *st = SSL_CTX_get_cert_store(ctx);

	if (X509_STORE_load_file(st, file) != 1)
		return kfk_tls_fail(err, errlen, "ssl.crl.location: cannot load %s",
		                    file);
	X509_STORE_set_flags(st, X509_V_FLAG_CRL_CHECK);
	return KFK_ERR_NONE;
}

/* Key, certificate and chain from a PKCS#12 keystore. */
static kfk_err kfk_tls_keystore_p12(SSL_CTX *ctx,
                                    const struct kfk_tls_conf *c, char *err,
                                    size_t errlen)
{
	struct kfk_tls_p12 p;
	int ok;

	if (kfk_tls_p12_open(c->keystore_location, c->keystore_password,
	                     "ssl.keystore.location", &p, err, errlen))
		return KFK_ERR__SSL;
	ok = p.cert && p.key && SSL_CTX_use_certificate(ctx, p.cert) == 1 &&
	     SSL_CTX_use_PrivateKey(ctx, p.key) == 1 &&
	     (!p.chain || SSL_CTX_set1_chain(ctx, p.chain) == 1);
	kfk_tls_p12_free(&p);
	if (!ok)
		return kfk_tls_fail(err, errlen,
		                    "ssl.keystore.location: %s holds no usable key "
		                    "and certificate", c->keystore_location);
	return KFK_ERR_NONE;
}

/* The client certificate, then its chain, from PEM. */
static kfk_err kfk_tls_cert_pem(SSL_CTX *ctx, const char *file,
                                const char *pem, char *err, size_t errlen)
{
	const char *prop = file ? "ssl.certificate.location"
	                        : "ssl.certificate.pem";
	BIO *bio = kfk_tls_bio(file, pem);
	X509 *x;
	int n = 0, ok = 1;

	if (!bio)
		return kfk_tls_fail(err, errlen, "%s: cannot read %s", prop,
		                    file ? file : "the PEM text");
	while (ok && (x = PEM_read_bio_X509(bio, NULL, NULL, NULL))) {
		ok = n == 0 ? SSL_CTX_use_certificate(ctx, x) == 1
		            : SSL_CTX_add1_chain_cert(ctx, x) == 1;
		X509_free(x);
		n++;
	}
	ERR_clear_error();
	BIO_free(bio);
	if (n == 0 || !ok) {
		snprintf(err, errlen, "%s: no usable PEM certificate in %s", prop,
		         file ? file : "the PEM text");
		return KFK_ERR__SSL;
	}
	return KFK_ERR_NONE;
}

/* The private key from PEM, decrypted with ssl.key.password. */
static kfk_err kfk_tls_key_pem(SSL_CTX *ctx, const char *file,
                               const char *pem, const char *pw, char *err,
                               size_t errlen)
{
	const char *prop = file ? "ssl.key.location" : "ssl.key.pem";
	BIO *bio = kfk_tls_bio(file, pem);
	EVP_PKEY *key;
	int ok;

	if (!bio)
		return kfk_tls_fail(err, errlen, "%s: cannot read %s", prop,
		                    file ? file : "the PEM text");
	key = PEM_read_bio_PrivateKey(bio, NULL, kfk_tls_pw_cb, (void *)pw);
	BIO_free(bio);
	if (!key)
		return kfk_tls_fail(err, errlen,
		                    "%s: cannot read the private key%s", prop,
		                    pw ? " (is ssl.key.password right?)"
		                       : " (encrypted? set ssl.key.password)");
	ok = SSL_CTX_use_PrivateKey(ctx, key);
	EVP_PKEY_free(key);
	if (ok != 1)
		return kfk_tls_fail(err, errlen, "%s: key not usable", prop);
	return KFK_ERR_NONE;
}

/* Our own certificate and key, when the broker asks for one (mTLS). */
static kfk_err kfk_tls_identity(SSL_CTX *ctx, const struct kfk_tls_conf *c,
                                char *err, size_t errlen)
{
	kfk_err e = KFK_ERR_NONE;

	if (c->keystore_location) {
		if (kfk_tls_is_jks(c->keystore_type)) {
			snprintf(err, errlen,
			         "ssl.keystore.location: JKS keystores cannot be "
			         "read (OpenSSL); convert it with keytool "
			         "-importkeystore -deststoretype PKCS12");
			return KFK_ERR__SSL;
		}
		if (kfk_tls_is_pem(c->keystore_type)) {
			e = kfk_tls_cert_pem(ctx, c->keystore_location, NULL, err,
			                     errlen);
			if (!e)
				e = kfk_tls_key_pem(ctx, c->keystore_location, NULL,
				                    c->key_password, err, errlen);
		} else
			e = kfk_tls_keystore_p12(ctx, c, err, errlen);
	}
	if (!e && (c->cert_location || c->cert_pem))
		e = kfk_tls_cert_pem(ctx, c->cert_location, c->cert_pem, err,
		                     errlen);
	if (!e && (c->key_location || c->key_pem))
		e = kfk_tls_key_pem(ctx, c->key_location, c->key_pem,
		                    c->key_password, err, errlen);
	if (!e && SSL_CTX_get0_certificate(ctx) &&
	    SSL_CTX_check_private_key(ctx) != 1)
		return kfk_tls_fail(err, errlen,
		                    "the client certificate and private key do "
		                    "not match");
	return e;
}

/* One entry of ssl.cipher.suites to OpenSSL's name; TLS 1.3 suites keep
 * theirs (they go to a list of their own). */
static const char *kfk_tls_cipher_name(const char *item, bool *v13)
{
	const char *name;

	*v13 = strncmp(item, "TLS_AES_", 8) == 0 ||
	       strncmp(item, "TLS_CHACHA20_", 13) == 0;
	if (*v13 || strncmp(item, "TLS_", 4) != 0)
		return item;
	name = OPENSSL_cipher_name(item);
	return name && strcmp(name, "(NONE)") != 0 ? name : NULL;
}

/* ssl.cipher.suites: Java's IANA names or OpenSSL's, comma separated. */
static kfk_err kfk_tls_ciphers(SSL_CTX *ctx, const char *list, char *err,
                               size_t errlen)
{
	char v12[2048] = "", v13[512] = "", item[128];
	const char *p = list;

	while (*p) {
		size_t n = strcspn(p, ",");
		const char *name;
		bool is13;
		char *dst;

		snprintf(item, sizeof(item), "%.*s", (int)n, p);
		p += n + (p[n] == ',');
		if (!item[0])
			continue;
		name = kfk_tls_cipher_name(item, &is13);
		if (!name) {
			snprintf(err, errlen, "ssl.cipher.suites: unknown cipher "
			         "suite %s", item);
			return KFK_ERR__SSL;
		}
		dst = is13 ? v13 : v12;
		snprintf(dst + strlen(dst), (is13 ? sizeof(v13) : sizeof(v12)) -
		         strlen(dst), "%s%s", dst[0] ? ":" : "", name);
	}
	if (SSL_CTX_set_cipher_list(ctx, v12[0] ? v12 : "") != 1 && v12[0])
		return kfk_tls_fail(err, errlen, "ssl.cipher.suites: %s", list);
	if (SSL_CTX_set_ciphersuites(ctx, v13) != 1)
		return kfk_tls_fail(err, errlen, "ssl.cipher.suites: %s", list);
	ERR_clear_error();
	return KFK_ERR_NONE;
}

/* ssl.enabled.protocols: the lowest and highest version allowed. */
static void kfk_tls_protocols(SSL_CTX *ctx, unsigned p)
{
	SSL_CTX_set_min_proto_version(ctx, (p & KFK_TLS_V12) ? TLS1_2_VERSION
	                                                     : TLS1_3_VERSION);
	SSL_CTX_set_max_proto_version(ctx, (p & KFK_TLS_V13) ? TLS1_3_VERSION
	                                                     : TLS1_2_VERSION);
}

SSL_CTX *kfk_tls_ctx_build(const struct kfk_tls_conf *c, char *err,
                           size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	kfk_err e;

	if (!ctx) {
		kfk_tls_fail(err, errlen, "cannot create an SSL context");
		return NULL;
	}
	kfk_tls_protocols(ctx, c->protocols ? c->protocols
	                                    : KFK_TLS_V12 | KFK_TLS_V13);
	/* Frames are written in pieces as the socket takes them. */
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	                          SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
	                          SSL_MODE_RELEASE_BUFFERS);
	SSL_CTX_set_read_ahead(ctx, 1);
	SSL_CTX_set_verify(ctx, c->verify_cert ? SSL_VERIFY_PEER
	                                       : SSL_VERIFY_NONE, NULL);
	e = kfk_tls_trust(ctx, c, err, errlen);
	if (!e && c->crl_location)
		e = kfk_tls_crl(ctx, c->crl_location, err, errlen);
	if (!e)
		e = kfk_tls_identity(ctx, c, err, errlen);
	if (!e && c->cipher_suites)
		e = kfk_tls_ciphers(ctx, c->cipher_suites, err, errlen);
	if (e) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/* ---- watching the files -------------------------------------------------- */

void kfk_tls_stamp(struct kfk_tls_file *f)
{
	struct stat st;

	memset(&f->st, 0, sizeof(f->st));
	if (f->path && stat(f->path, &st) == 0) {
		f->st.ino = st.st_ino;
		f->st.size = st.st_size;
		f->st.mtime_s = st.st_mtim.tv_sec;
		f->st.mtime_ns = st.st_mtim.tv_nsec;
	}
}

bool kfk_tls_changed(const struct kfk_tls_file *f)
{
	struct kfk_tls_file now = { .path = f->path };

	if (!f->path)
		return false;
	kfk_tls_stamp(&now);
	return memcmp(&now.st, &f->st, sizeof(f->st)) != 0;
}
