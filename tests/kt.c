/* The kt test runner: registration, assertions, TAP-style output. */
#include "kt.h"

#include <setjmp.h>
#include <stdarg.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define KT_MAX_TESTS 1024

struct kt_test {
	const char *name;
	kt_fn fn;
};

static struct kt_test kt_tests[KT_MAX_TESTS];
static int kt_ntests;
static int kt_case_no;
static int kt_failed;

/* The innermost running case: where a failure or skip jumps to. */
static jmp_buf *kt_jump;
static char kt_skip_reason[256];

enum { KT_PASS, KT_FAIL = 1, KT_SKIP = 2 };

void kt_register(const char *name, kt_fn fn)
{
	if (kt_ntests == KT_MAX_TESTS) {
		fprintf(stderr, "kt: too many tests (raise KT_MAX_TESTS)\n");
		exit(2);
	}
	kt_tests[kt_ntests].name = name;
	kt_tests[kt_ntests].fn = fn;
	kt_ntests++;
}

void kt_log(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("# ", stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	va_end(ap);
	fflush(stdout);
}

void kt_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("# %s:%d: ", file, line);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	va_end(ap);
	fflush(stdout);
	if (!kt_jump)
		abort();
	longjmp(*kt_jump, KT_FAIL);
}

void kt_skip(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(kt_skip_reason, sizeof(kt_skip_reason), fmt, ap);
	va_end(ap);
	if (!kt_jump)
		abort();
	longjmp(*kt_jump, KT_SKIP);
}

static void kt_report(int status, const char *name)
{
	kt_case_no++;
	if (status == KT_PASS)
		printf("ok %d - %s\n", kt_case_no, name);
	else if (status == KT_SKIP)
		printf("ok %d - %s # SKIP %s\n", kt_case_no, name, kt_skip_reason);
	else {
		printf("not ok %d - %s\n", kt_case_no, name);
		kt_failed++;
	}
	fflush(stdout);
}

/* Runs fn(arg) under its own jump buffer; returns KT_PASS/FAIL/SKIP. */
static int kt_run_case(void (*fn)(void *), void *arg)
{
	jmp_buf here, *outer = kt_jump;
	volatile int status;

	kt_jump = &here;
	status = setjmp(here);
	if (status == 0) {
		fn(arg);
		status = KT_PASS;
	}
	kt_jump = outer;
	return status;
}

int kt_subtest(void (*fn)(void *arg), void *arg, const char *fmt, ...)
{
	char name[256];
	va_list ap;
	int status;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	status = kt_run_case(fn, arg);
	kt_report(status, name);
	return status != KT_FAIL;
}

static void kt_call_plain(void *arg)
{
	struct kt_test *t = arg;
	t->fn();
}

int64_t kt_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int kt_fd_readable(int fd)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	return poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN);
}

long kt_read_syscalls(void)
{
	char line[128];
	long n = -1;
	FILE *f = fopen("/proc/self/io", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "syscr: %ld", &n) == 1)
			break;
	fclose(f);
	return n;
}

int kt_str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

int kt_mem_eq(const void *a, size_t alen, const void *b, size_t blen)
{
	return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

void kt_log_mem_diff(const void *a, size_t alen, const void *b, size_t blen)
{
	const unsigned char *pa = a, *pb = b;
	size_t i, n = alen < blen ? alen : blen;

	for (i = 0; i < n && pa[i] == pb[i]; i++)
		;
	kt_log("lengths %zu and %zu, first difference at offset %zu", alen, blen, i);
	if (i < n)
		kt_log("bytes there: 0x%02x vs 0x%02x", pa[i], pb[i]);
}

int main(int argc, char **argv)
{
	const char *filter = argc > 1 ? argv[1] : NULL;
	int i;

	for (i = 0; i < kt_ntests; i++) {
		struct kt_test *t = &kt_tests[i];
		int status;

		if (filter && !strstr(t->name, filter))
			continue;
		status = kt_run_case(kt_call_plain, t);
		kt_report(status, t->name);
	}
	printf("1..%d\n", kt_case_no);
	return kt_failed ? 1 : 0;
}
