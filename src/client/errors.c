/*
 * client/errors.c: code lookups (name, message, retriable) over the
 * generated tables, and the rich error object.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "client/errors.h"

struct kfk_error {
	kfk_err code;
	unsigned char retriable;
	unsigned char fatal;
	unsigned char txn_requires_abort;
	const char *msg; /* text below, or a static string when memory ran out */
	char text[];
};

/* What kfk_error_new() returns when not even a bare object can be had: an
 * error path must not fail for want of memory, and callers need not test
 * for NULL. Never freed or modified. */
static const struct kfk_error kfk_errors_oom = {
	.code = KFK_ERR__NO_MEMORY,
	.msg = "Local: Out of memory (while reporting an error)",
};

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

/* The object without room for a formatted message: it points at the
 * code's static message instead. NULL when that allocation fails too. */
static kfk_error *kfk_errors_bare(kfk_err code)
{
	const struct kfk_errors_desc *d = kfk_errors_desc(code);
	kfk_error *e = malloc(sizeof(*e));

	if (e)
		e->msg = d ? d->str : "Unknown error";
	return e;
}

__attribute__((format(printf, 2, 0))) static kfk_error *
kfk_errors_vnew(kfk_err code, const char *fmt, va_list ap)
{
	va_list ap2;
	int len;
	kfk_error *e;

	va_copy(ap2, ap);
	len = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	e = len >= 0 ? malloc(sizeof(*e) + (size_t)len + 1) : NULL;
	if (e) {
		vsnprintf(e->text, (size_t)len + 1, fmt, ap);
		e->msg = e->text;
	} else if (!(e = kfk_errors_bare(code))) {
		return (kfk_error *)&kfk_errors_oom;
	}
	e->code = code;
	e->retriable = (unsigned char)kfk_err_is_retriable(code);
	e->fatal = code == KFK_ERR__FATAL;
	e->txn_requires_abort = 0;
	return e;
}

kfk_error *kfk_error_new(kfk_err code, const char *fmt, ...)
{
	va_list ap;
	kfk_error *e;

	if (!fmt)
		return kfk_error_new(code, "%s", kfk_err_str(code));
	va_start(ap, fmt);
	e = kfk_errors_vnew(code, fmt, ap);
	va_end(ap);
	return e;
}

/* The shared out-of-memory error must stay as it is. */
static int kfk_errors_writable(const kfk_error *e)
{
	return e && e != &kfk_errors_oom;
}

void kfk_error_set_fatal(kfk_error *error, int fatal)
{
	if (kfk_errors_writable(error))
		error->fatal = fatal != 0;
}

void kfk_error_set_retriable(kfk_error *error, int retriable)
{
	if (kfk_errors_writable(error))
		error->retriable = retriable != 0;
}

void kfk_error_set_txn_requires_abort(kfk_error *error, int requires_abort)
{
	if (kfk_errors_writable(error))
		error->txn_requires_abort = requires_abort != 0;
}

KFK_API kfk_err kfk_error_code(const kfk_error *error)
{
	return error ? error->code : KFK_ERR_NONE;
}

KFK_API const char *kfk_error_name(const kfk_error *error)
{
	return kfk_err_name(kfk_error_code(error));
}

KFK_API const char *kfk_error_string(const kfk_error *error)
{
	return error ? error->msg : kfk_err_str(KFK_ERR_NONE);
}

KFK_API int kfk_error_is_retriable(const kfk_error *error)
{
	return error && error->retriable && !error->fatal;
}

KFK_API int kfk_error_is_fatal(const kfk_error *error)
{
	return error && error->fatal;
}

KFK_API int kfk_error_txn_requires_abort(const kfk_error *error)
{
	return error && error->txn_requires_abort;
}

KFK_API void kfk_error_destroy(kfk_error *error)
{
	if (kfk_errors_writable(error))
		free(error);
}
