/*
 * client/error.h: the library's side of the rich error object (kfk_error
 * in <kfk/errors.h>): its constructor and flag setters, which only the
 * library uses. The per-code lookups it builds on are util/errors.h.
 *
 * Implemented in src/client/error.c.
 */
#ifndef KFK_CLIENT_ERROR_H
#define KFK_CLIENT_ERROR_H

#include <kfk/errors.h>

/* Creates an error object with a code and a specific message formatted
 * printf-style (fmt NULL: the code's kfk_err_str()). It starts retriable
 * when kfk_err_is_retriable(code), fatal when code is KFK_ERR__FATAL, and
 * not requiring a transaction abort; adjust with the setters below before
 * handing it out. Never returns NULL: when memory runs out it returns a
 * shared static KFK_ERR__NO_MEMORY error (or the code with its generic
 * message) that kfk_error_destroy() recognises and the setters leave alone.
 * The caller owns the result (kfk_error_destroy()). Does not block; any
 * thread. */
kfk_error *kfk_error_new(kfk_err code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Flag setters (value 0 or non-0), only before the error is shared with
 * another thread: a kfk_error is immutable once handed out. */

/* Marks the handle that reports the error as unusable from now on. A fatal
 * error is never retriable, whatever its retriable flag says. */
void kfk_error_set_fatal(kfk_error *error, int fatal);

/* Says whether retrying the operation as it was may succeed, overriding
 * the default taken from the code. */
void kfk_error_set_retriable(kfk_error *error, int retriable);

/* Marks the current transaction as one that must be aborted. */
void kfk_error_set_txn_requires_abort(kfk_error *error, int requires_abort);

#endif /* KFK_CLIENT_ERROR_H */
