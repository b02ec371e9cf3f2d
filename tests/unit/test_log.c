/* Logging: the callback sees level, facility and text; log_level filters;
 * debug contexts gate kfk_dbg; the stderr sink writes the documented line. */
#include "config.h"
#include <errno.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client/conf.h"
#include "util/log.h"
#include "../kt.h"

#define CAP_LINES 16

/* What the test callback saw. */
struct capture {
	int n;
	int level[CAP_LINES];
	char facility[CAP_LINES][32];
	char message[CAP_LINES][64];
	size_t length[CAP_LINES];
	void *opaque;
};

static void capture_cb(void *opaque, int level, const char *facility,
                       const char *message)
{
	struct capture *c = opaque;
	if (c->n == CAP_LINES)
		return;
	c->level[c->n] = level;
	snprintf(c->facility[c->n], sizeof(c->facility[0]), "%s", facility);
	snprintf(c->message[c->n], sizeof(c->message[0]), "%s", message);
	c->length[c->n] = strlen(message);
	c->opaque = opaque;
	c->n++;
}

static void logger_with_capture(struct kfk_logger *lg, struct capture *c,
                                int level, uint32_t debug)
{
	memset(lg, 0, sizeof(*lg));
	memset(c, 0, sizeof(*c));
	lg->cb = capture_cb;
	lg->opaque = c;
	lg->level = level;
	lg->debug = debug;
}

KT_TEST(log_callback_gets_level_facility_and_text)
{
	struct kfk_logger lg;
	struct capture c;
	logger_with_capture(&lg, &c, KFK_LOG_INFO, 0);
	kfk_log(&lg, KFK_LOG_ERR, "BROKER", "connect to %s:%d failed", "k1", 9092);
	kfk_log(&lg, KFK_LOG_INFO, "CONF", "%d properties", 20);
	KT_ASSERT_INT_EQ(c.n, 2);
	KT_ASSERT(c.opaque == &c);
	KT_ASSERT_INT_EQ(c.level[0], KFK_LOG_ERR);
	KT_ASSERT_STR_EQ(c.facility[0], "BROKER");
	KT_ASSERT_STR_EQ(c.message[0], "connect to k1:9092 failed");
	KT_ASSERT_INT_EQ(c.level[1], KFK_LOG_INFO);
	KT_ASSERT_STR_EQ(c.facility[1], "CONF");
	KT_ASSERT_STR_EQ(c.message[1], "20 properties");
}

KT_TEST(log_level_filters)
{
	struct kfk_logger lg;
	struct capture c;
	int level;
	logger_with_capture(&lg, &c, KFK_LOG_WARNING, 0);
	for (level = KFK_LOG_EMERG; level <= KFK_LOG_DEBUG; level++)
		kfk_log(&lg, level, "FAC", "level %d", level);
	KT_ASSERT_INT_EQ(c.n, 5); /* 0..4 */
	KT_ASSERT_INT_EQ(c.level[4], KFK_LOG_WARNING);
	KT_ASSERT_STR_EQ(c.message[4], "level 4");
}

KT_TEST(log_debug_contexts_gate_kfk_dbg)
{
	struct kfk_logger lg;
	struct capture c;
	logger_with_capture(&lg, &c, KFK_LOG_DEBUG, KFK_DBG_BROKER | KFK_DBG_EOS);
	kfk_dbg(&lg, KFK_DBG_BROKER, "BROKER", "state %s -> %s", "INIT", "UP");
	kfk_dbg(&lg, KFK_DBG_PROTOCOL, "PROTO", "not shown");
	kfk_dbg(&lg, KFK_DBG_EOS, "EOS", "pid %d", 7);
	kfk_dbg(&lg, KFK_DBG_METADATA, "META", "not shown");
	KT_ASSERT_INT_EQ(c.n, 2);
	KT_ASSERT_INT_EQ(c.level[0], KFK_LOG_DEBUG);
	KT_ASSERT_STR_EQ(c.facility[0], "BROKER");
	KT_ASSERT_STR_EQ(c.message[0], "state INIT -> UP");
	KT_ASSERT_STR_EQ(c.facility[1], "EOS");
	KT_ASSERT_STR_EQ(c.message[1], "pid 7");
	/* A context that is on still obeys the level. */
	lg.level = KFK_LOG_INFO;
	kfk_dbg(&lg, KFK_DBG_BROKER, "BROKER", "filtered by level");
	KT_ASSERT_INT_EQ(c.n, 2);
}

/* The conf path: log_level, debug and the callback, via logger_init. */
KT_TEST(log_configured_from_conf)
{
	kfk_conf *conf = kfk_conf_new();
	struct kfk_logger lg;
	struct capture c;
	memset(&c, 0, sizeof(c));
	kfk_conf_set_log_cb(conf, capture_cb);
	kfk_conf_set_opaque(conf, &c);
	KT_ASSERT_INT_EQ(kfk_conf_set(conf, "log_level", "3", NULL, 0), 0);
	kfk_conf_logger_init(conf, &lg, "kfk#test");
	kfk_log(&lg, KFK_LOG_WARNING, "X", "dropped");
	kfk_log(&lg, KFK_LOG_ERR, "X", "kept");
	kfk_dbg(&lg, KFK_DBG_ALL, "X", "dropped");
	KT_ASSERT_INT_EQ(c.n, 1);
	KT_ASSERT_STR_EQ(c.message[0], "kept");

	/* debug raises the level to 7 and enables just its contexts. */
	KT_ASSERT_INT_EQ(kfk_conf_set(conf, "debug", "metadata,protocol", NULL, 0),
	                 0);
	kfk_conf_logger_init(conf, &lg, "kfk#test");
	kfk_dbg(&lg, KFK_DBG_METADATA, "META", "refresh");
	kfk_dbg(&lg, KFK_DBG_BROKER, "BROKER", "dropped");
	kfk_dbg(&lg, KFK_DBG_PROTOCOL, "PROTO", "ApiVersions");
	kfk_log(&lg, KFK_LOG_INFO, "X", "info too");
	KT_ASSERT_INT_EQ(c.n, 4);
	KT_ASSERT_STR_EQ(c.facility[1], "META");
	KT_ASSERT_STR_EQ(c.message[1], "refresh");
	KT_ASSERT_STR_EQ(c.facility[2], "PROTO");
	KT_ASSERT_STR_EQ(c.message[3], "info too");
	kfk_conf_destroy(conf);
}

KT_TEST(log_long_message_is_not_truncated)
{
	struct kfk_logger lg;
	struct capture c;
	char big[3001];
	memset(big, 'y', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	logger_with_capture(&lg, &c, KFK_LOG_INFO, 0);
	kfk_log(&lg, KFK_LOG_INFO, "BIG", "<%s>", big);
	KT_ASSERT_INT_EQ(c.n, 1);
	KT_ASSERT_INT_EQ(c.length[0], 3002);
}

KT_TEST(log_level_names)
{
	KT_ASSERT_STR_EQ(kfk_log_level_name(KFK_LOG_EMERG), "EMERG");
	KT_ASSERT_STR_EQ(kfk_log_level_name(KFK_LOG_ERR), "ERR");
	KT_ASSERT_STR_EQ(kfk_log_level_name(KFK_LOG_WARNING), "WARNING");
	KT_ASSERT_STR_EQ(kfk_log_level_name(KFK_LOG_DEBUG), "DEBUG");
	KT_ASSERT_STR_EQ(kfk_log_level_name(8), "?");
	KT_ASSERT_STR_EQ(kfk_log_level_name(-1), "?");
}

KT_TEST(log_timestamp_format)
{
	char buf[32], small[24];
	struct tm tm;
	struct timespec ts;
	time_t before, after, t;
	int ms;
	/* The clock the timestamp reads: time() may use a coarser one that
	 * lags it by a tick, which failed this test at second boundaries. */
	clock_gettime(CLOCK_REALTIME, &ts);
	before = ts.tv_sec;
	KT_ASSERT_INT_EQ(kfk_log_timestamp(buf, sizeof(buf)), 24);
	clock_gettime(CLOCK_REALTIME, &ts);
	after = ts.tv_sec;
	memset(&tm, 0, sizeof(tm));
	KT_ASSERT_INT_EQ(sscanf(buf, "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &tm.tm_year,
	                        &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
	                        &tm.tm_sec, &ms),
	                 7);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = timegm(&tm);
	KT_ASSERT_MSG(t >= before && t <= after, "%s is not now", buf);
	KT_ASSERT(ms >= 0 && ms <= 999);
	KT_ASSERT_INT_EQ(kfk_log_timestamp(small, sizeof(small)), 0);
	KT_ASSERT_STR_EQ(small, "");
}

/* Runs fn(arg) with stderr going to a temporary file; returns what was
 * written (malloc'd). */
static char *capture_stderr(void (*fn)(void *), void *arg)
{
	const char *base = getenv("TMPDIR");
	char path[512], *text;
	int fd, saved;
	long len;
	FILE *f;
	snprintf(path, sizeof(path), "%s/kfk-test-log-XXXXXX",
	         base && *base ? base : P_tmpdir);
	KT_ASSERT_MSG((fd = mkstemp(path)) >= 0, "mkstemp: %s", strerror(errno));
	fflush(stderr);
	KT_ASSERT((saved = dup(2)) >= 0);
	KT_ASSERT(dup2(fd, 2) == 2);
	fn(arg);
	fflush(stderr);
	KT_ASSERT(dup2(saved, 2) == 2);
	close(saved);
	close(fd);
	KT_ASSERT((f = fopen(path, "rb")) != NULL);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)len + 1);
	KT_ASSERT(text && fread(text, 1, (size_t)len, f) == (size_t)len);
	fclose(f);
	KT_ASSERT_INT_EQ(unlink(path), 0);
	return text;
}

/* Counts the lines of text that match the extended regex re; fails on a
 * line that does not. */
static int match_lines(const char *text, const char *re)
{
	regex_t rx;
	char *copy = strdup(text), *line, *save = NULL;
	int n = 0;
	KT_ASSERT(regcomp(&rx, re, REG_EXTENDED | REG_NOSUB) == 0);
	for (line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save), n++)
		if (regexec(&rx, line, 0, NULL, 0) != 0) {
			kt_log("line does not match %s: %s", re, line);
			n = -1;
			break;
		}
	regfree(&rx);
	free(copy);
	return n;
}

#define TS "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z"

static void log_two_lines(void *arg)
{
	struct kfk_logger *lg = arg;
	kfk_log(lg, KFK_LOG_WARNING, "FAC", "hello %d", 42);
	kfk_log(lg, KFK_LOG_DEBUG, "FAC", "filtered");
	kfk_log(lg, KFK_LOG_INFO, "CONF", "second");
}

KT_TEST(log_default_sink_line_format)
{
	struct kfk_logger lg;
	char *text;
	memset(&lg, 0, sizeof(lg));
	lg.level = KFK_LOG_INFO;
	snprintf(lg.name, sizeof(lg.name), "kfk#producer-1");
	text = capture_stderr(log_two_lines, &lg);
	KT_ASSERT_INT_EQ(match_lines(text,
	                             "^" TS " (WARNING FAC \\[kfk#producer-1\\]: "
	                             "hello 42|INFO CONF \\[kfk#producer-1\\]: "
	                             "second)$"),
	                 2);
	KT_ASSERT(strstr(text, "WARNING") < strstr(text, "INFO"));
	KT_ASSERT(text[strlen(text) - 1] == '\n');
	free(text);
}

/* Without a logger: the stderr sink, WARNING and up, no name. */
KT_TEST(log_null_logger)
{
	char *text = capture_stderr(log_two_lines, NULL);
	KT_ASSERT_INT_EQ(match_lines(text, "^" TS " WARNING FAC: hello 42$"), 1);
	free(text);
}

#define THREADS 4
#define LINES_PER_THREAD 200

static void *log_many(void *arg)
{
	const struct kfk_logger *lg = arg;
	static const char pad[] = "0123456789abcdefghijklmnopqrstuvwxyz"
	                          "0123456789abcdefghijklmnopqrstuvwxyz";
	int i;
	for (i = 0; i < LINES_PER_THREAD; i++)
		kfk_log(lg, KFK_LOG_NOTICE, "MT", "line %d %s%s", i, pad, pad);
	return NULL;
}

static void run_threads(void *arg)
{
	pthread_t t[THREADS];
	int i;
	for (i = 0; i < THREADS; i++)
		KT_ASSERT_INT_EQ(pthread_create(&t[i], NULL, log_many, arg), 0);
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
}

/* Lines from several threads never interleave. */
KT_TEST(log_default_sink_whole_lines_from_threads)
{
	struct kfk_logger lg;
	char *text;
	memset(&lg, 0, sizeof(lg));
	lg.level = KFK_LOG_INFO;
	snprintf(lg.name, sizeof(lg.name), "mt");
	text = capture_stderr(run_threads, &lg);
	KT_ASSERT_INT_EQ(match_lines(text, "^" TS " NOTICE MT \\[mt\\]: line "
	                                   "[0-9]+ (0123456789[a-z]{26}){4}$"),
	                 THREADS * LINES_PER_THREAD);
	free(text);
}
