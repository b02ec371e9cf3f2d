/*
 * net/tls.h: TLS through OpenSSL, for the connections of one client.
 *
 * A struct kfk_tls holds the client's SSL settings and the SSL_CTX made
 * from them. Every new connection asks it for an SSL object
 * (kfk_tls_session()); before making one it looks whether a certificate,
 * key, keystore, CA or CRL file changed on disk (inode, size, mtime) and,
 * if so, builds a new SSL_CTX from the files: a certificate replaced by a
 * deployment tool is used by the next connection, without a restart.
 * Connections already up keep the context they were made with. A rebuild
 * that fails (a key replaced before its certificate) keeps the old context
 * and is tried again by the next connection.
 *
 * Verification is on by default: the broker's certificate chain against
 * ssl.ca.location / ssl.ca.pem / the truststore, or the system's CA store
 * when none is given, and the host name (or IP address) the client
 * connected to against the certificate's names
 * (ssl.endpoint.identification.algorithm=https).
 *
 * The driving functions (handshake, read, write) never block: they report
 * what the socket must become ready for, and the connection (net/conn.c)
 * waits for that on its loop.
 *
 * Secrets (key passwords, PEM keys) are copied into the kfk_tls and wiped
 * when it is destroyed; no message this file writes contains them.
 */
#ifndef KFK_NET_TLS_H
#define KFK_NET_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <kfk/errors.h>

#include "util/log.h"

struct kfk_tls;
typedef struct ssl_st SSL;

/* ssl.enabled.protocols bits. */
enum {
	KFK_TLS_V12 = 1u << 0,
	KFK_TLS_V13 = 1u << 1,
};

/* The client's SSL settings; every string may be NULL (unset). */
struct kfk_tls_conf {
	const char *ca_location;        /* CA file or directory */
	const char *ca_pem;             /* CA certificates, PEM text */
	const char *truststore_location;/* PEM or PKCS#12 file of CAs */
	const char *truststore_type;    /* "PEM", "PKCS12", "JKS" */
	const char *truststore_password;
	const char *cert_location;      /* client certificate (chain), PEM */
	const char *cert_pem;
	const char *key_location;       /* its private key, PEM */
	const char *key_pem;
	const char *key_password;       /* for an encrypted key */
	const char *keystore_location;  /* PKCS#12: key, certificate, chain */
	const char *keystore_type;      /* "PKCS12", "PEM", "JKS" */
	const char *keystore_password;
	const char *cipher_suites;      /* IANA or OpenSSL names, commas */
	const char *crl_location;       /* CRL file (PEM) */
	unsigned protocols;             /* KFK_TLS_V12 | KFK_TLS_V13 */
	bool verify_cert;               /* enable.ssl.certificate.verification */
	bool verify_host;               /* ...identification.algorithm=https */
};

/* Builds the context from conf (strings copied), reading every file now,
 * so that a wrong path or password fails the client's creation with a
 * sentence in err naming the property. lg outlives the kfk_tls. Any
 * thread. */
kfk_err kfk_tls_new(const struct kfk_tls_conf *conf,
                    const struct kfk_logger *lg, struct kfk_tls **out,
                    char *err, size_t errlen);

/* Frees it; connections still holding SSL objects keep their context
 * alive (OpenSSL reference counts). Wipes the secrets. */
void kfk_tls_destroy(struct kfk_tls *t);

/* A new client-side SSL on fd, for a connection to host (a DNS name or
 * an IP address, verified against the certificate when verify_host is
 * on, and sent as SNI when it is a name). Reloads the context first when
 * a file changed. NULL with err on failure. Any thread (a lock guards the
 * context). */
SSL *kfk_tls_session(struct kfk_tls *t, int fd, const char *host, char *err,
                     size_t errlen);

/* What an SSL call needs before it can go on. */
enum kfk_tls_want {
	KFK_TLS_DONE = 0,    /* finished (handshake) or moved bytes */
	KFK_TLS_WANT_READ,   /* call again when the socket is readable */
	KFK_TLS_WANT_WRITE,  /* ... writable */
	KFK_TLS_CLOSED,      /* the peer closed the connection */
	KFK_TLS_ERROR        /* failed; err says why */
};

/* Drives the handshake. On KFK_TLS_ERROR (or CLOSED, which during a
 * handshake is an error too) err explains in a sentence what went wrong
 * and what to check: an untrusted certificate, a name mismatch, an
 * expired certificate, our certificate refused, a listener that does not
 * speak TLS (the caller adds which broker). */
enum kfk_tls_want kfk_tls_handshake(SSL *ssl, char *err, size_t errlen);

/* Reads up to len bytes into buf; *n is what was read (when DONE). */
enum kfk_tls_want kfk_tls_read(SSL *ssl, void *buf, size_t len, size_t *n,
                               char *err, size_t errlen);

/* Writes up to len bytes of buf; *n is what was taken (when DONE). A call
 * that wants READ or WRITE must be repeated with the same buf and len. */
enum kfk_tls_want kfk_tls_write(SSL *ssl, const void *buf, size_t len,
                                size_t *n, char *err, size_t errlen);

/* Bytes decrypted and not read yet: the socket may be quiet while these
 * wait, so a reader that stops early must come back for them. */
bool kfk_tls_pending(SSL *ssl);

/* Sends close_notify (best effort) and frees ssl. */
void kfk_tls_close(SSL *ssl);

/* "TLSv1.3 TLS_AES_256_GCM_SHA384": for the connect log line. */
void kfk_tls_describe(SSL *ssl, char *buf, size_t len);

#endif /* KFK_NET_TLS_H */
