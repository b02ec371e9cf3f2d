/*
 * util/sized.c: checks and copies of the structs that carry their size
 * (sized.h).
 */
#include "config.h"
#include "util/sized.h"

#include <string.h>

/* True when every byte of p[from, to) is zero. */
static int zero_tail(const unsigned char *p, size_t from, size_t to)
{
	for (; from < to; from++)
		if (p[from])
			return 0;
	return 1;
}

kfk_err kfk_sized_in(void *dst, size_t lib_size, const void *src,
                     size_t min_size)
{
	size_t size = kfk_sized_size(src);

	if (size < min_size || size > KFK_SIZED_MAX)
		return KFK_ERR__INVALID_ARG;
	if (size > lib_size && !zero_tail(src, lib_size, size))
		return KFK_ERR__INVALID_ARG;
	memcpy(dst, src, size < lib_size ? size : lib_size);
	*(size_t *)dst = lib_size;
	return KFK_ERR_NONE;
}

size_t kfk_sized_out(size_t app_size, size_t lib_size, size_t min_size,
                     size_t align)
{
	if (app_size < min_size || app_size > KFK_SIZED_MAX ||
	    app_size % align)
		return 0;
	return app_size < lib_size ? app_size : lib_size;
}

void kfk_sized_put(void *out, size_t stride, size_t i, const void *src,
                   size_t fill)
{
	unsigned char *el = (unsigned char *)out + i * stride;

	memcpy(el, src, fill);
	memcpy(el, &fill, sizeof(fill));
}
