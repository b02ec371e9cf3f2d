/*
 * util/sized.h: public structs that carry their size as their first
 * member (kfk_record, kfk_delivery; docs/ARCHITECTURE.md, "ABI").
 *
 * A program built against an older header passes a smaller struct, one
 * built against a newer header a larger one; these helpers check the size
 * the application gave and copy only what it covers, so neither side ever
 * reads or writes past the other's struct. Pure functions, any thread.
 */
#ifndef KFK_UTIL_SIZED_H
#define KFK_UTIL_SIZED_H

#include <stddef.h>

#include <kfk/errors.h>

/* A size above this is not a struct of ours but garbage (an application
 * that forgot to set .size): refused rather than read. */
#define KFK_SIZED_MAX 4096

/* The size an application's struct declares (its first member). */
static inline size_t kfk_sized_size(const void *s)
{
	return *(const size_t *)s;
}

/* Input: dst (lib_size bytes, holding the library's defaults, e.g. the
 * INIT macro) takes the fields the application's src covers; the fields
 * past src's size keep their defaults. dst's size is set to lib_size.
 * KFK_ERR__INVALID_ARG, dst unchanged, when src's size is below min_size
 * or above KFK_SIZED_MAX, or when it is above lib_size and a byte this
 * library does not know is not zero (the application set a field that
 * this library cannot honour). */
kfk_err kfk_sized_in(void *dst, size_t lib_size, const void *src,
                     size_t min_size);

/* Output: the number of bytes of each element to fill for an application
 * whose elements are app_size bytes (its .size), min(app_size, lib_size);
 * 0 when app_size is below min_size, above KFK_SIZED_MAX or not a multiple
 * of align (an array of such elements could not be aligned). */
size_t kfk_sized_out(size_t app_size, size_t lib_size, size_t min_size,
                     size_t align);

/* Writes the first fill bytes of the library's struct src (as
 * kfk_sized_out() returned) into element i of the application's array
 * out, whose elements are stride bytes, and sets that element's size to
 * fill. */
void kfk_sized_put(void *out, size_t stride, size_t i, const void *src,
                   size_t fill);

#endif /* KFK_UTIL_SIZED_H */
