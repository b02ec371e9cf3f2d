/*
 * client/jaas.h: reads the Java client's sasl.jaas.config, a JAAS login
 * module entry:
 *
 *   org.apache.kafka.common.security.scram.ScramLoginModule required
 *       username="alice" password="secret";
 *
 * for the options kfk honours (client/security.c). Pure; any thread.
 */
#ifndef KFK_CLIENT_JAAS_H
#define KFK_CLIENT_JAAS_H

#include <stddef.h>

#include <kfk/errors.h>

/* Calls cb for each option of the entry, values unquoted and unescaped,
 * after giving the module's class name as option "" (the first call).
 * A malformed entry (no class, an unterminated quote, no '=') fails with
 * a sentence in err that never quotes a value (it may be a password). */
typedef kfk_err(kfk_jaas_cb)(void *opaque, const char *key,
                             const char *value);
kfk_err kfk_jaas_parse(const char *text, kfk_jaas_cb *cb, void *opaque,
                       char *err, size_t errlen);

#endif /* KFK_CLIENT_JAAS_H */
