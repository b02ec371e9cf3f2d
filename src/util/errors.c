/*
 * util/errors.c: code lookups (name, message, retriable) over the
 * generated tables (errors_table.c). Here, below net/, because every
 * layer logs error names; the rich error object is client/error.c.
 */
#include "config.h"

#include <stdio.h>

#include "util/errors.h"

/* Room for "Unknown error -2147483648". */
#define KFK_ERRORS_UNKNOWN_LEN 32
/* Buffers per thread for unknown codes, used in turn, so that one printf
 * may show several unknown codes. */
#define KFK_ERRORS_UNKNOWN_RING 4

/* Text for a code no table knows, e.g. "ERR_12345": a code from a newer
 * broker must still print as something a user can search for. */
static const char *kfk_errors_unknown(const char *prefix, kfk_err code)
{
	static _Thread_local char ring[KFK_ERRORS_UNKNOWN_RING][KFK_ERRORS_UNKNOWN_LEN];
	static _Thread_local unsigned next;
	char *buf = ring[next++ % KFK_ERRORS_UNKNOWN_RING];

	snprintf(buf, KFK_ERRORS_UNKNOWN_LEN, "%s%d", prefix, (int)code);
	return buf;
}

const struct kfk_errors_desc *kfk_errors_desc(kfk_err code)
{
	/* long long: code - min must not overflow for codes near INT_MAX. */
	long long c = (long long)code;
	long long proto = c - kfk_errors_proto_min;
	long long local = KFK_ERRORS_LOCAL_FIRST - c;
	const struct kfk_errors_desc *d = NULL;

	if (proto >= 0 && proto < kfk_errors_proto_slots)
		d = &kfk_errors_proto[proto];
	else if (local >= 0 && local < kfk_errors_local_count)
		d = &kfk_errors_local[local];
	return d && d->name ? d : NULL;
}

KFK_API const char *kfk_err_name(kfk_err code)
{
	const struct kfk_errors_desc *d = kfk_errors_desc(code);
	return d ? d->name : kfk_errors_unknown("ERR_", code);
}

KFK_API const char *kfk_err_str(kfk_err code)
{
	const struct kfk_errors_desc *d = kfk_errors_desc(code);
	return d ? d->str : kfk_errors_unknown("Unknown error ", code);
}

KFK_API int kfk_err_is_retriable(kfk_err code)
{
	const struct kfk_errors_desc *d = kfk_errors_desc(code);
	return d ? d->retriable : 0;
}
