/*
 * Logging: format the message once, then hand it to the application's
 * callback or write one line to stderr.
 *
 * The stderr line is written by a single fprintf, which holds the stream's
 * lock for the whole line, so lines from several threads never interleave.
 */
#include "config.h"
#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Room for most messages; longer ones get a heap buffer of their size. */
#define KFK_LOG_STACK_BUF 512

const char *kfk_log_level_name(int level)
{
	static const char *const names[] = {"EMERG",   "ALERT",  "CRIT",
	                                    "ERR",     "WARNING", "NOTICE",
	                                    "INFO",    "DEBUG"};
	if (level < KFK_LOG_EMERG || level > KFK_LOG_DEBUG)
		return "?";
	return names[level];
}

size_t kfk_log_timestamp(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;
	size_t n;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	if (n == 0 || n + 6 > size) {
		if (size > 0)
			buf[0] = '\0';
		return 0;
	}
	return n + (size_t)snprintf(buf + n, size - n, ".%03dZ",
	                            (int)(ts.tv_nsec / 1000000));
}

static void stderr_sink(const struct kfk_logger *lg, int level,
                        const char *facility, const char *msg)
{
	char ts[32];
	kfk_log_timestamp(ts, sizeof(ts));
	if (lg && lg->name[0])
		fprintf(stderr, "%s %s %s [%s]: %s\n", ts, kfk_log_level_name(level),
		        facility, lg->name, msg);
	else
		fprintf(stderr, "%s %s %s: %s\n", ts, kfk_log_level_name(level),
		        facility, msg);
}

void kfk_log(const struct kfk_logger *lg, int level, const char *facility,
             const char *fmt, ...)
{
	char stack[KFK_LOG_STACK_BUF], *msg = stack, *heap = NULL;
	int max = lg ? lg->level : KFK_LOG_WARNING;
	va_list ap;
	int n;

	if (level > max)
		return;
	va_start(ap, fmt);
	n = vsnprintf(stack, sizeof(stack), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(stack) && (heap = malloc((size_t)n + 1))) {
		va_start(ap, fmt);
		vsnprintf(heap, (size_t)n + 1, fmt, ap);
		va_end(ap);
		msg = heap; /* else keep the truncated line: better than none */
	} else if (n < 0) {
		snprintf(stack, sizeof(stack), "(bad log format \"%s\")", fmt);
	}
	if (!facility)
		facility = "-";
	if (lg && lg->cb)
		lg->cb(lg->opaque, level, facility, msg);
	else
		stderr_sink(lg, level, facility, msg);
	free(heap);
}
