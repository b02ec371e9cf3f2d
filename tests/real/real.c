/*
 * real: running tests/kafka/kafka.sh and the Java peer from C tests.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../kt.h"
#include "real.h"

static const char *srcdir(void)
{
	const char *s = getenv("KFK_SRCDIR");
	return s ? s : ".";
}

const char *kr_bootstrap(void)
{
	const char *b = getenv("KFK_KAFKA_BOOTSTRAP");
	const char *why;

	if (b && *b)
		return b;
	if ((why = getenv("KFK_KAFKA_SKIP")) && *why)
		kt_skip("the real Kafka is skipped: %s", why);
	why = getenv("KFK_KAFKA_ERROR");
	kt_fail(__FILE__, __LINE__, "no real Kafka: %s",
	        why && *why ? why : "run this test through tests/run-tests, "
	                           "which starts one");
}

char *kr_topic_name(char *buf, size_t cap, const char *base)
{
	static int n;

	snprintf(buf, cap, "%s-%d-%d", base, (int)getpid(), ++n);
	return buf;
}

/* "KFK_KAFKA_DIR='dir' bash .../kafka.sh <args>" */
static char *command(const char *dir, const char *fmt, va_list ap)
{
	char args[4096], *cmd;
	const char *d = dir ? dir : getenv("KFK_KAFKA_DIR");

	vsnprintf(args, sizeof(args), fmt, ap);
	KT_ASSERT(asprintf(&cmd, "%s%s%s bash '%s/tests/kafka/kafka.sh' %s",
	                   d ? "KFK_KAFKA_DIR='" : "", d ? d : "", d ? "'" : "",
	                   srcdir(), args) > 0);
	return cmd;
}

int kr_kafka_status(const char *dir, const char *fmt, ...)
{
	va_list ap;
	char *cmd;
	int st;

	va_start(ap, fmt);
	cmd = command(dir, fmt, ap);
	va_end(ap);
	fflush(stdout);
	st = system(cmd);
	free(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Everything f prints, then its exit status in *status. */
static char *read_all(FILE *f, int *status)
{
	size_t len = 0, cap = 4096, got;
	char *out = malloc(cap);
	int st;

	KT_ASSERT(out != NULL);
	while ((got = fread(out + len, 1, cap - len - 1, f)) > 0) {
		len += got;
		if (cap - len < 2) {
			out = realloc(out, cap *= 2);
			KT_ASSERT(out != NULL);
		}
	}
	out[len] = 0;
	st = pclose(f);
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return out;
}

char *kr_kafka_out(const char *dir, const char *fmt, ...)
{
	va_list ap;
	char *cmd, *out;
	FILE *f;
	int st;

	va_start(ap, fmt);
	cmd = command(dir, fmt, ap);
	va_end(ap);
	fflush(stdout);
	f = popen(cmd, "r");
	KT_ASSERT(f != NULL);
	out = read_all(f, &st);
	KT_ASSERT_MSG(st == 0, "%s: exit status %d", cmd, st);
	free(cmd);
	return out;
}

void kr_topic(const char *dir, const char *topic, int parts, int rf,
              const char *configs)
{
	kr_kafka(dir, "topic '%s' %d %d %s", topic, parts, rf, configs);
}

void kr_java_consume(const char *bootstrap, const char *topic,
                     const char *args, struct pt_topic *out)
{
	char *cmd;
	int st;

	KT_ASSERT(asprintf(&cmd, "bash '%s/tests/kafka/kafka.sh' peer consume "
	                   "--bootstrap '%s' --topic '%s' --timeout-ms %d %s",
	                   srcdir(), bootstrap, topic, PT_WAIT_MS,
	                   args ? args : "") > 0);
	st = pt_readback_cmd(cmd, out);
	KT_ASSERT_MSG(st == 0, "the Java consumer failed (status %d): %s", st,
	              cmd);
	free(cmd);
}

void kr_java_partitions(char *const *keys, int n, int parts, int32_t *out)
{
	char path[] = "/tmp/kfk-keys-XXXXXX", *cmd, *res, *p;
	FILE *f;
	int fd, i, st;

	fd = mkstemp(path);
	KT_ASSERT(fd >= 0);
	f = fdopen(fd, "w");
	KT_ASSERT(f != NULL);
	for (i = 0; i < n; i++)
		fprintf(f, "%s\n", keys[i]);
	fclose(f);
	KT_ASSERT(asprintf(&cmd, "bash '%s/tests/kafka/kafka.sh' peer "
	                   "partition-of --partitions %d <'%s'", srcdir(), parts,
	                   path) > 0);
	fflush(stdout);
	f = popen(cmd, "r");
	KT_ASSERT(f != NULL);
	res = read_all(f, &st);
	unlink(path);
	KT_ASSERT_MSG(st == 0, "%s: exit status %d", cmd, st);
	for (i = 0, p = res; i < n; i++) {
		char *end;
		long v = strtol(p, &end, 10);
		KT_ASSERT_MSG(end != p && v >= 0 && v < parts,
		              "partition-of: bad answer for key %d", i);
		out[i] = (int32_t)v;
		p = end;
	}
	free(res);
	free(cmd);
}

char *kr_cluster_start(int n)
{
	const char *b = getenv("KFK_BUILDDIR");
	char *dir, *out, pid[24];

	KT_ASSERT(asprintf(&dir, "%s/tests/logs/kafka%d-XXXXXX", b ? b : ".",
	                   n) > 0);
	KT_ASSERT_MSG(mkdtemp(dir) != NULL, "mkdtemp %s", dir);
	/* kafka.sh's guardian stops the cluster when this process ends, even
	 * when it crashes or the runner kills it. */
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	setenv("KFK_KAFKA_OWNER", pid, 1);
	out = kr_kafka_out(dir, "start --brokers %d", n);
	free(out);
	return dir;
}

char *kr_bootstrap_of(const char *dir)
{
	char *b = kr_kafka_out(dir, "bootstrap");

	b[strcspn(b, "\n")] = 0;
	return b;
}

void kr_cluster_stop(char *dir, int keep_logs)
{
	if (kr_kafka_status(dir, "stop%s", keep_logs ? " --keep" : "") != 0)
		kt_log("kafka.sh stop failed in %s", dir);
	if (keep_logs)
		kt_log("the cluster's logs are kept in %s", dir);
	free(dir);
}
