/*
 * kfk/conf.h: client configuration, ConfigMap style.
 *
 * A kfk_conf holds string properties with the Java client's names
 * ("bootstrap.servers", "request.timeout.ms", ...). Every name and value is
 * checked at once against one table of properties; CONFIGURATION.md lists
 * them all with their types, ranges, defaults and meaning.
 *
 *     char err[256];
 *     kfk_conf *conf = kfk_conf_new();
 *     if (kfk_conf_set(conf, "bootstrap.servers", "k1:9092,k2:9092",
 *                      err, sizeof(err)) != KFK_ERR_NONE)
 *             fprintf(stderr, "%s\n", err);
 *
 * Ownership: kfk_conf_new() and kfk_conf_dup() return a conf the caller
 * owns and frees with kfk_conf_destroy(). Creating a client copies the conf:
 * the application still owns its conf afterwards and may change, reuse or
 * destroy it without affecting the client. Every string passed in is copied.
 *
 * Thread safety: a kfk_conf is not thread-safe. Functions that only read a
 * conf (kfk_conf_get, kfk_conf_next, kfk_conf_dup) may run concurrently with
 * each other on the same conf, never with a function that changes it.
 */
#ifndef KFK_CONF_H
#define KFK_CONF_H

#include <kfk/common.h>
#include <kfk/errors.h>

KFK_BEGIN_DECLS

/* A set of configuration properties (opaque). */
typedef struct kfk_conf kfk_conf;

/*
 * The log callback. level is a syslog(3) severity, 0 (emergency) to 7
 * (debug), the numbers of LOG_EMERG..LOG_DEBUG in <syslog.h>. facility is a
 * short word naming the subsystem ("BROKER", "CONF", ...); message is one
 * line without a trailing newline. Both strings belong to kfk and are valid
 * only during the call. opaque is the pointer given to kfk_conf_set_opaque().
 *
 * The callback may be called from any of the client's threads, I/O threads
 * included, and from several at once: it must be thread-safe, return
 * quickly, and must not call kfk functions on the client that logs.
 */
typedef void(kfk_log_cb)(void *opaque, int level, const char *facility,
                         const char *message);

/*
 * The error callback, the same for every kind of client: told of each
 * error the application should know of that concerns no single record or
 * request:
 *  - the producer's fatal error: kfk_error_is_fatal() is true,
 *    kfk_error_code() is its cause (e.g. KFK_ERR_PRODUCER_FENCED) and the
 *    handle can only be destroyed now;
 *  - a broker connection refused for a TLS reason (KFK_ERR__SSL: an
 *    untrusted or expired certificate, a host name mismatch, our
 *    certificate refused, a listener not speaking TLS) or an
 *    authentication failure (KFK_ERR__AUTHENTICATION: wrong credentials,
 *    a mechanism the broker does not enable): once per broker each time
 *    its connection goes from working (or new) to failing, not per
 *    retry; the message names the broker and the cause. kfk keeps
 *    retrying with backoff;
 *  - a topic that does not exist and is not created
 *    (KFK_ERR__UNKNOWN_TOPIC): once per topic, when its records fail;
 *  - all brokers down (KFK_ERR__ALL_BROKERS_DOWN): none is up or
 *    connecting and one at least failed; told once, and when a broker
 *    comes up again an error with code KFK_ERR_NONE says so ("... is up:
 *    brokers reachable again").
 * Called on the application's thread, inside the client's own poll calls
 * (the producer's poll, flush and purge, the consumer's poll and
 * kfk_consumer_partition_count(), the admin client's poll and wait),
 * never on a kfk thread.
 *
 * error belongs to kfk and is valid only during the call. opaque is the
 * pointer given to kfk_conf_set_opaque(): an application that needs to
 * tell its clients apart gives each its own opaque. The callback may call
 * any function of the client except its destroy function.
 */
typedef void(kfk_error_cb)(void *opaque, const kfk_error *error);

/* Creates a conf with every property at its default. Returns NULL when out
 * of memory. The caller owns the result. */
KFK_API kfk_conf *kfk_conf_new(void);

/* Returns an independent deep copy of conf (properties, log callback and
 * opaque), or NULL when out of memory. Changing one never affects the
 * other. The caller owns the result. */
KFK_API kfk_conf *kfk_conf_dup(const kfk_conf *conf);

/* Frees conf and every string it holds. conf may be NULL. */
KFK_API void kfk_conf_destroy(kfk_conf *conf);

/*
 * Sets property name (or one of its aliases) to value. The value is checked
 * against the property's type and range and stored in canonical form (for
 * example "yes" becomes "true", " 5 " becomes "5"); leading and trailing
 * whitespace is ignored as the Java client does. A NULL value resets the
 * property to its default and makes it count as not set.
 *
 * Returns KFK_ERR_NONE, or:
 *   KFK_ERR__UNKNOWN_PROPERTY  no such property; the message suggests the
 *                              closest valid name when one is close enough
 *   KFK_ERR__INVALID_VALUE     the value does not parse or is out of range;
 *                              the message names the allowed range or values
 *   KFK_ERR__INVALID_ARG       conf or name is NULL
 *   KFK_ERR__NO_MEMORY
 * On failure the conf is unchanged and a one-line message is written to
 * errstr (always NUL-terminated; errstr may be NULL when errstr_size is 0).
 */
KFK_API kfk_err kfk_conf_set(kfk_conf *conf, const char *name,
                             const char *value, char *errstr,
                             size_t errstr_size);

/*
 * Reads property name (or an alias) as a string, the default when it was
 * not set. On entry *sizep is the size of buf; on return it is the size the
 * value needs, terminating NUL included. If buf is NULL only the size is
 * reported. If the value did not fit, buf holds it truncated (and
 * NUL-terminated when *sizep was not 0): compare the returned *sizep with
 * the size you passed, grow buf and call again.
 *
 * Returns KFK_ERR_NONE, KFK_ERR__UNKNOWN_PROPERTY, or KFK_ERR__INVALID_ARG
 * when conf, name or sizep is NULL.
 */
KFK_API kfk_err kfk_conf_get(const kfk_conf *conf, const char *name,
                             char *buf, size_t *sizep);

/* Flags of kfk_conf_next(). */
#define KFK_CONF_ITER_ALL 0 /* every property, set or at its default */
#define KFK_CONF_ITER_SET 1 /* only the properties set explicitly */

/*
 * Iterates over the properties of conf in a stable order:
 *
 *     size_t cursor = 0;
 *     const char *name, *value;
 *     while (kfk_conf_next(conf, KFK_CONF_ITER_SET, &cursor, &name, &value))
 *             printf("%s=%s\n", name, value);
 *
 * Start with *cursor = 0. Returns 1 and sets *namep (the canonical name,
 * never an alias) and *valuep, or 0 when there are no more properties.
 * The value of a secret (a password, key or token: CONFIGURATION.md marks
 * them) is "[hidden]" when set, so that a dump never shows it; read it
 * with kfk_conf_get().
 * Both strings belong to kfk: a name is valid forever, a value until that
 * property is set again or conf is destroyed. No allocation is made.
 */
KFK_API int kfk_conf_next(const kfk_conf *conf, int flags, size_t *cursor,
                          const char **namep, const char **valuep);

/*
 * Sets the properties listed in a Java-style .properties file:
 *   key=value, key: value and key value (the first unescaped '=', ':' or
 *   whitespace ends the key); lines whose first non-blank character is
 *   '#' or '!' are comments; blank lines are skipped; a line ending in an
 *   odd number of backslashes continues on the next line, whose leading
 *   whitespace is dropped; escapes \t \n \r \f \\ \= \: \# \! \<space> and
 *   \uXXXX (written out as UTF-8). Bytes are taken as UTF-8.
 *
 * All or nothing: the conf changes only when every line is valid. On
 * failure errstr reads "PATH:LINE: message" for a bad line (unknown
 * property, bad value, missing key) and "PATH: <OS error>" when the file
 * cannot be read.
 *
 * Returns KFK_ERR_NONE, KFK_ERR__IO (cannot open or read), KFK_ERR__PARSE
 * (a line without a key, a bad \u escape), KFK_ERR__UNKNOWN_PROPERTY,
 * KFK_ERR__INVALID_VALUE, KFK_ERR__INVALID_ARG or KFK_ERR__NO_MEMORY.
 * Blocks on file I/O.
 */
KFK_API kfk_err kfk_conf_load_file(kfk_conf *conf, const char *path,
                                   char *errstr, size_t errstr_size);

/* Replaces the default log sink (one line on stderr) with cb for the
 * clients created from conf; NULL restores the default. See kfk_log_cb. */
KFK_API void kfk_conf_set_log_cb(kfk_conf *conf, kfk_log_cb *cb);

/* Sets the error callback of the clients created from conf (NULL: none;
 * errors are then learnt from calls, e.g. kfk_producer_fatal_error()).
 * See kfk_error_cb. */
KFK_API void kfk_conf_set_error_cb(kfk_conf *conf, kfk_error_cb *cb);

/* Sets the application pointer passed to every callback of the clients
 * created from conf. kfk never dereferences nor frees it. */
KFK_API void kfk_conf_set_opaque(kfk_conf *conf, void *opaque);

/*
 * OAUTHBEARER tokens from the application (sasl.mechanism=OAUTHBEARER
 * without enable.sasl.oauthbearer.unsecure.jwt).
 *
 * A client's token source is a kfk_oauthbearer, owned by the client (get
 * it with kfk_producer_oauthbearer(), kfk_consumer_oauthbearer() or
 * kfk_admin_oauthbearer(), or as the callback's argument). The refresh
 * callback is called once while the client is being created (inside
 * kfk_*_new(), so the first connection has a token), then whenever 80%
 * of the current token's life has passed, or 10 s after a failure was
 * set: always on the application's thread, inside the client's poll
 * calls (as the error callback). It should obtain a token (from an
 * identity provider; it may block) and hand it over with
 * kfk_oauthbearer_set_token(), or report why it could not with
 * kfk_oauthbearer_set_token_failure(). Connections made without a token
 * fail with KFK_ERR__AUTHENTICATION naming that reason.
 * oauthbearer_config is the sasl.oauthbearer.config property (may be
 * ""); opaque the kfk_conf_set_opaque() pointer.
 */
typedef struct kfk_oauthbearer kfk_oauthbearer;
typedef void(kfk_oauthbearer_token_refresh_cb)(kfk_oauthbearer *ob,
                                                const char *oauthbearer_config,
                                                void *opaque);
KFK_API void kfk_conf_set_oauthbearer_token_refresh_cb(
    kfk_conf *conf, kfk_oauthbearer_token_refresh_cb *cb);

/*
 * Sets the token new connections (and re-authentications) present:
 * token, a compact JWS; lifetime_ms, when it expires, in milliseconds
 * since the epoch (wall clock); principal, its subject (for logs);
 * extensions, n_extensions key-value pairs as a flat array {k1, v1, k2,
 * v2, ...} (n_extensions counts pairs) for SASL extensions (KIP-342),
 * keys of letters only and not "auth". Strings are copied. Any thread.
 * Returns KFK_ERR__INVALID_ARG (errstr says which argument) for an empty
 * token or principal, an expiry in the past or a bad extension key,
 * KFK_ERR__STATE when the client does not use OAUTHBEARER tokens from the
 * application.
 */
KFK_API kfk_err kfk_oauthbearer_set_token(kfk_oauthbearer *ob,
                                          const char *token,
                                          int64_t lifetime_ms,
                                          const char *principal,
                                          const char *const *extensions,
                                          size_t n_extensions, char *errstr,
                                          size_t errstr_size);

/* Records that no token could be obtained (reason is copied; it appears
 * in the errors of connections that need a token); the refresh callback
 * is called again 10 s later. Any thread. */
KFK_API kfk_err kfk_oauthbearer_set_token_failure(kfk_oauthbearer *ob,
                                                  const char *reason);

KFK_END_DECLS

#endif /* KFK_CONF_H */
