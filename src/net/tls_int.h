/*
 * net/tls_int.h: the inside of struct kfk_tls, shared by tls.c (sessions,
 * the handshake, reading and writing) and tls_ctx.c (building the
 * SSL_CTX, watching its files).
 */
#ifndef KFK_NET_TLS_INT_H
#define KFK_NET_TLS_INT_H

#include <pthread.h>
#include <stdint.h>

#include "net/tls.h"

typedef struct ssl_ctx_st SSL_CTX;

/* A file the context was built from, and what it looked like then. */
struct kfk_tls_file {
	const char *path;  /* into kfk_tls.conf; NULL: unused slot */
	struct {
		uint64_t ino, size;
		int64_t mtime_s, mtime_ns;
	} st;
};

enum { KFK_TLS_FILES = 6 };

struct kfk_tls {
	struct kfk_tls_conf conf;  /* strings owned */
	const struct kfk_logger *log;
	pthread_mutex_t lock;      /* ctx, files, generation */
	SSL_CTX *ctx;
	struct kfk_tls_file files[KFK_TLS_FILES];
	unsigned generation;
};

/* A new SSL_CTX from c, every file read now; NULL with err. */
SSL_CTX *kfk_tls_ctx_build(const struct kfk_tls_conf *c, char *err,
                           size_t errlen);

/* Records what f->path looks like now (zeros when it does not exist). */
void kfk_tls_stamp(struct kfk_tls_file *f);

/* Whether f->path changed since kfk_tls_stamp(). */
bool kfk_tls_changed(const struct kfk_tls_file *f);

/* OpenSSL's first queued error as text; clears the queue. */
void kfk_tls_ossl_err(char *buf, size_t len);

#endif /* KFK_NET_TLS_INT_H */
