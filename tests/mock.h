/*
 * mock: drive the mock Kafka cluster (tests/mockcluster) from a C test.
 *
 * kt_mock_start() runs $KFK_BUILDDIR/tests/mockcluster as a child process,
 * talking to it over a socket pair that is the child's stdin and stdout;
 * kt_mock_cmd() sends one command line (see the header of
 * tests/mockcluster.c for the list) and waits for its one-line answer.
 * Every wait is bounded. The child exits by itself when this process goes
 * away (its stdin closes), so a crashed test leaves no cluster behind.
 *
 * A test using it lists $(KFK_MOCK_SOURCES) among its sources and
 * $(KFK_MOCK_CPPFLAGS) in its CPPFLAGS (see tests/local.mk). None of these
 * functions is thread-safe: one thread drives a given cluster.
 */
#ifndef KFK_TESTS_MOCK_H
#define KFK_TESTS_MOCK_H

/* How long a start, a command or a stop may take before it counts as hung
 * (milliseconds); generous because sanitizer builds start slowly. */
#define KT_MOCK_TIMEOUT_MS 20000

struct kt_mock;

/* Starts a cluster of `brokers` brokers (ids 1..brokers) with the topics
 * given as "name:partitions[:replication]" strings, ending with NULL.
 * Blocks until the child printed its bootstrap line (bounded).
 * Must be called from inside a KT_TEST: when the build has no librdkafka
 * (KT_MOCK_UNAVAILABLE) it ends the running test with kt_skip().
 * Returns NULL (after logging why) when the child cannot be started or
 * does not answer in time. The caller owns the result: kt_mock_stop(). */
struct kt_mock *kt_mock_start(int brokers, ...) __attribute__((sentinel));

/* The bootstrap servers, "127.0.0.1:port,..."; owned by m, valid until
 * kt_mock_stop(). Never blocks. */
const char *kt_mock_bootstrap(struct kt_mock *m);

/* Sends one command (printf format, no newline) and waits (bounded) for
 * the answer. Returns 0 on "ok" (or "ok <report>": kt_mock_reply() has
 * it), -1 on "error ...", on a time-out or when the child is gone; the
 * answer (or what went wrong) is then in kt_mock_reply(). */
int kt_mock_cmd(struct kt_mock *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The last answer line of kt_mock_cmd(), without its newline ("ok",
 * "error unknown command x", or a description of a local failure).
 * Owned by m, valid until the next command. */
const char *kt_mock_reply(struct kt_mock *m);

/* Closes the child's stdin, waits for it to exit (bounded by
 * KT_MOCK_TIMEOUT_MS, then SIGKILL) and frees m. Returns the child's exit
 * status (0 after a clean stop), or -1 when it had to be killed or died
 * of a signal. m may be NULL (returns -1). */
int kt_mock_stop(struct kt_mock *m);

#endif /* KFK_TESTS_MOCK_H */
