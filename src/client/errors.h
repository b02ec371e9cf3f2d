/*
 * client/errors.h: the internals behind <kfk/errors.h>.
 *
 * The per-code data (name, message, retriable) lives in two arrays indexed
 * by code, generated into client/errors_table.c by tools/gen_errors.py, so
 * a lookup is one bounds check and one index. This header declares them and
 * the constructor and setters of the rich error object, which only the
 * library creates.
 *
 * Implemented in src/client/errors.c (and errors_table.c).
 */
#ifndef KFK_CLIENT_ERRORS_H
#define KFK_CLIENT_ERRORS_H

#include <kfk/errors.h>

/* kfk's own codes start here and go down; see tools/errors-local.tsv. */
#define KFK_ERRORS_LOCAL_FIRST (-100)

/* What the library knows about one code. */
struct kfk_errors_desc {
	const char *name; /* "NOT_LEADER_OR_FOLLOWER", "_TIMED_OUT"; NULL: no such code */
	const char *str;  /* the message kfk_err_str() returns; never empty */
	int retriable;    /* what kfk_err_is_retriable() returns */
};

/* Protocol codes: kfk_errors_proto[code - kfk_errors_proto_min] for
 * kfk_errors_proto_min <= code < kfk_errors_proto_min + kfk_errors_proto_slots.
 * Codes the protocol skips have a NULL name. */
extern const struct kfk_errors_desc kfk_errors_proto[];
extern const int kfk_errors_proto_min;
extern const int kfk_errors_proto_slots;
/* How many protocol codes there are: the rows the generator read. */
extern const int kfk_errors_proto_count;

/* kfk's own codes: kfk_errors_local[KFK_ERRORS_LOCAL_FIRST - code] for the
 * kfk_errors_local_count codes from KFK_ERRORS_LOCAL_FIRST down, no gaps. */
extern const struct kfk_errors_desc kfk_errors_local[];
extern const int kfk_errors_local_count;

/* The table entry of a code, or NULL when kfk does not know the code.
 * O(1), no lock, no allocation. */
const struct kfk_errors_desc *kfk_errors_desc(kfk_err code);

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

#endif /* KFK_CLIENT_ERRORS_H */
