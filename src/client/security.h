/*
 * client/security.h: what security.protocol and the ssl.* and sasl.*
 * properties make of a client: its TLS context (net/tls.h) and its SASL
 * settings (net/sasl.h), built once when the client is created, so that a
 * wrong path, password or mechanism fails kfk_*_new() with a sentence
 * naming the property rather than every connection later.
 */
#ifndef KFK_CLIENT_SECURITY_H
#define KFK_CLIENT_SECURITY_H

#include <stddef.h>

#include <kfk/errors.h>

struct kfk_client;

/* Fills the TLS and SASL parts of c->bcfg from c->conf. Creation thread,
 * before any broker exists. */
kfk_err kfk_client_security_init(struct kfk_client *c, char *errstr,
                                 size_t errstr_size);

/* Frees them; every broker is gone. */
void kfk_client_security_free(struct kfk_client *c);

/* Logs the properties set (debug context conf), secrets as "[hidden]". */
void kfk_client_log_conf(struct kfk_client *c);

#endif /* KFK_CLIENT_SECURITY_H */
