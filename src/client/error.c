/*
 * client/error.c: the rich error object (kfk_error); the per-code lookups
 * it uses are util/errors.c.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "client/error.h"
#include "util/errors.h"

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
