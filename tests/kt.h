/*
 * kt: the test framework of kfk's C tests.
 *
 * A test file is a list of KT_TEST(name) { ... } blocks; they register
 * themselves, and kt.c supplies main(). Each test prints one TAP-style line
 * ("ok N - name", "not ok N - name", "ok N - name # SKIP why") that
 * tests/run-tests counts. A failed assertion ends its test (longjmp) and the
 * run goes on with the next one. kt_subtest() counts a case of its own, for
 * tests generated over tables (every message version, every golden batch).
 *
 * Run one program with a substring to run only the tests whose names
 * contain it:  tests/unit/test_conf suggest
 */
#ifndef KFK_TESTS_KT_H
#define KFK_TESTS_KT_H

#include <stddef.h>
#include <stdint.h>

typedef void (*kt_fn)(void);

/* Registers a test; KT_TEST calls it from a constructor. */
void kt_register(const char *name, kt_fn fn);

#define KT_TEST(name)                                                     \
	static void kt_test_##name(void);                                     \
	__attribute__((constructor)) static void kt_register_##name(void)     \
	{                                                                     \
		kt_register(#name, kt_test_##name);                               \
	}                                                                     \
	static void kt_test_##name(void)

/* Fails the running test (or subtest) with a message; does not return. */
__attribute__((noreturn, format(printf, 3, 4))) void
kt_fail(const char *file, int line, const char *fmt, ...);

/* Ends the running test as skipped; does not return. */
__attribute__((noreturn, format(printf, 1, 2))) void kt_skip(const char *fmt, ...);

/* Prints a diagnostic line ("# ...") that the runner keeps in the log. */
__attribute__((format(printf, 1, 2))) void kt_log(const char *fmt, ...);

/* Runs fn(arg) as a separately counted case named by the format. A failure
 * inside it fails only that case. Returns 1 when it passed. */
__attribute__((format(printf, 3, 4))) int
kt_subtest(void (*fn)(void *arg), void *arg, const char *fmt, ...);

/* Monotonic milliseconds, for bounded waits in tests. */
int64_t kt_now_ms(void);

/* 1 when fd is readable now (poll with no wait). */
int kt_fd_readable(int fd);

/* read() system calls this process made so far (/proc/self/io "syscr"),
 * or -1 when the kernel does not say: for tests that prove a path makes
 * no system call (reading /proc/self/io itself costs a few). */
long kt_read_syscalls(void);

/* Hex dump of the first difference between two buffers, into the log. */
void kt_log_mem_diff(const void *a, size_t alen, const void *b, size_t blen);

#define KT_ASSERT(cond)                                                   \
	do {                                                                  \
		if (!(cond))                                                      \
			kt_fail(__FILE__, __LINE__, "assertion failed: %s", #cond);   \
	} while (0)

#define KT_ASSERT_MSG(cond, ...)                                          \
	do {                                                                  \
		if (!(cond))                                                      \
			kt_fail(__FILE__, __LINE__, __VA_ARGS__);                     \
	} while (0)

#define KT_ASSERT_INT_EQ(a, b)                                            \
	do {                                                                  \
		long long kt_a_ = (long long)(a), kt_b_ = (long long)(b);         \
		if (kt_a_ != kt_b_)                                               \
			kt_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld", #a, #b, \
			        kt_a_, kt_b_);                                        \
	} while (0)

#define KT_ASSERT_STR_EQ(a, b)                                            \
	do {                                                                  \
		const char *kt_a_ = (a), *kt_b_ = (b);                            \
		if (!kt_str_eq(kt_a_, kt_b_))                                     \
			kt_fail(__FILE__, __LINE__, "%s == %s: \"%s\" != \"%s\"", #a, \
			        #b, kt_a_ ? kt_a_ : "(null)", kt_b_ ? kt_b_ : "(null)"); \
	} while (0)

#define KT_ASSERT_MEM_EQ(a, alen, b, blen)                                \
	do {                                                                  \
		const void *kt_a_ = (a), *kt_b_ = (b);                            \
		size_t kt_al_ = (alen), kt_bl_ = (blen);                          \
		if (!kt_mem_eq(kt_a_, kt_al_, kt_b_, kt_bl_)) {                   \
			kt_log_mem_diff(kt_a_, kt_al_, kt_b_, kt_bl_);                \
			kt_fail(__FILE__, __LINE__, "%s != %s", #a, #b);              \
		}                                                                 \
	} while (0)

int kt_str_eq(const char *a, const char *b);
int kt_mem_eq(const void *a, size_t alen, const void *b, size_t blen);

#endif /* KFK_TESTS_KT_H */
