/*
 * util/errors.h: the per-code data behind kfk_err_name(), kfk_err_str()
 * and kfk_err_is_retriable() of <kfk/errors.h>.
 *
 * The per-code data (name, message, retriable) lives in two arrays indexed
 * by code, generated into util/errors_table.c by tools/gen_errors.py, so a
 * lookup is one bounds check and one index. It lives in util/ because
 * every layer (net/ included) names the errors it logs; the rich error
 * object, which only clients hand out, is client/error.h.
 *
 * Implemented in src/util/errors.c (and errors_table.c).
 */
#ifndef KFK_UTIL_ERRORS_H
#define KFK_UTIL_ERRORS_H

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

#endif /* KFK_UTIL_ERRORS_H */
