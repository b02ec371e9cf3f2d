/*
 * kfk/common.h: definitions every public kfk header shares.
 *
 * Not included directly by applications; include <kfk/kfk.h>.
 */
#ifndef KFK_COMMON_H
#define KFK_COMMON_H

#include <stddef.h>
#include <stdint.h>

/* Marks a symbol as part of the public ABI. Everything else in libkfk is
 * hidden (-fvisibility=hidden plus a version script that exports kfk_*). */
#if defined(__GNUC__) && defined(KFK_BUILDING_LIBRARY)
#define KFK_API __attribute__((visibility("default")))
#else
#define KFK_API
#endif

#ifdef __cplusplus
#define KFK_BEGIN_DECLS extern "C" {
#define KFK_END_DECLS }
#else
#define KFK_BEGIN_DECLS
#define KFK_END_DECLS
#endif

#endif /* KFK_COMMON_H */
