/*
 * util/log.h: the library's internal logging.
 *
 * Every handle owns a kfk_logger filled from its conf (log_level, debug,
 * the log callback). Logging never blocks on application code for long: the
 * default sink writes one line to stderr; a user callback is called on
 * whatever thread logs (documented in conf.h).
 *
 * Implemented in src/util/log.c.
 */
#ifndef KFK_UTIL_LOG_H
#define KFK_UTIL_LOG_H

#include <stddef.h>
#include <stdint.h>

/* syslog-style levels, the values of the log_level property. */
enum kfk_log_level {
	KFK_LOG_EMERG = 0,
	KFK_LOG_ALERT = 1,
	KFK_LOG_CRIT = 2,
	KFK_LOG_ERR = 3,
	KFK_LOG_WARNING = 4,
	KFK_LOG_NOTICE = 5,
	KFK_LOG_INFO = 6,
	KFK_LOG_DEBUG = 7
};

/* Debug contexts, the values of the debug property (a comma list). */
enum kfk_debug_ctx {
	KFK_DBG_BROKER = 1u << 0,
	KFK_DBG_PROTOCOL = 1u << 1,
	KFK_DBG_METADATA = 1u << 2,
	/* 1u << 3 was msg, never logged: not offered */
	KFK_DBG_PRODUCER = 1u << 4,
	KFK_DBG_CONSUMER = 1u << 5,
	KFK_DBG_CGRP = 1u << 6,
	KFK_DBG_CONF = 1u << 7,
	KFK_DBG_SECURITY = 1u << 8,
	KFK_DBG_EOS = 1u << 9,
	KFK_DBG_ADMIN = 1u << 10,
	KFK_DBG_ALL = 0xffffffffu
};

/* The log sink; the same signature as the public kfk_log_cb in conf.h. */
typedef void(kfk_logger_cb)(void *opaque, int level, const char *facility,
                            const char *message);

struct kfk_logger {
	kfk_logger_cb *cb;     /* NULL: the default stderr sink */
	void *opaque;          /* passed to cb */
	int level;             /* lines above this level are dropped */
	uint32_t debug;        /* enabled debug contexts (kfk_debug_ctx) */
	char name[64];         /* handle name in each line, e.g. "rdk#producer-1" */
};

/* Formats and emits one line when level <= lg->level. lg may be NULL (then
 * the stderr sink at level WARNING is used). Thread-safe; takes no lock of
 * the caller's. */
void kfk_log(const struct kfk_logger *lg, int level, const char *facility,
             const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The level's name as the stderr sink prints it: "EMERG", "ALERT", "CRIT",
 * "ERR", "WARNING", "NOTICE", "INFO", "DEBUG"; "?" when out of range. */
const char *kfk_log_level_name(int level);

/* Writes the current UTC time as 2026-01-31T23:59:59.123Z (24 bytes and a
 * NUL) into buf. Returns the length written, 0 (and "") if size < 25. */
size_t kfk_log_timestamp(char *buf, size_t size);

/* 1 when lg has one of the debug contexts ctx on. A function rather than
 * a test inside kfk_dbg so that kfk_dbg(&x->logger, ...) does not trip
 * GCC's -Waddress ("address will always evaluate as true"). */
static inline int kfk_dbg_on(const struct kfk_logger *lg, uint32_t ctx)
{
	return lg && (lg->debug & ctx);
}

/* Debug line for one context; costs one branch when the context is off. */
#define kfk_dbg(lg, ctx, facility, ...)                                      \
	do {                                                                     \
		if (kfk_dbg_on((lg), (ctx)))                                         \
			kfk_log((lg), KFK_LOG_DEBUG, (facility), __VA_ARGS__);           \
	} while (0)

#endif /* KFK_UTIL_LOG_H */
