/*
 * real: helpers for tests against a real Apache Kafka (tests/kafka/kafka.sh)
 * with the Java client as the reference peer (tests/interop/KfkPeer.java).
 *
 * tests/run-tests starts one single-broker cluster for every test under
 * tests/real/ and passes it on in the environment:
 *   KFK_KAFKA_BOOTSTRAP  its bootstrap list
 *   KFK_KAFKA_DIR        its directory (kafka.sh's state)
 *   KFK_KAFKA_SKIP       set instead when the run was told to skip the real
 *                        broker (a reason; never honoured in CI)
 *   KFK_KAFKA_ERROR      set instead when the broker could not be started
 * A test that needs a cluster of three starts its own with kr_cluster_start.
 *
 * Every helper fails the running test (kt_fail) when what it runs fails or
 * times out; each wait is bounded by kafka.sh's or the peer's own limits.
 */
#ifndef KFK_TESTS_REAL_H
#define KFK_TESTS_REAL_H

#include <stddef.h>
#include <stdint.h>

#include "../integration/test_producer_util.h"

/* The suite's broker; skips the test (KFK_KAFKA_SKIP) or fails it (no
 * broker) when there is none. */
const char *kr_bootstrap(void);

/* A topic name unique to this process: "<base>-<pid>-<n>". Returns buf. */
char *kr_topic_name(char *buf, size_t cap, const char *base);

/* Runs tests/kafka/kafka.sh with the words of the formatted command line
 * on the cluster in dir (NULL: the suite's). Its stderr goes to the test's
 * log. Returns its exit status; kr_kafka fails the test unless it is 0. */
int kr_kafka_status(const char *dir, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
#define kr_kafka(dir, ...)                                                  \
	KT_ASSERT_MSG(kr_kafka_status(dir, __VA_ARGS__) == 0,                 \
	              "kafka.sh failed (its output is above)")

/* The same, returning what it printed on stdout (malloc'd, NUL-ended). */
char *kr_kafka_out(const char *dir, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Creates topic with parts partitions and replication rf on the cluster in
 * dir, configs being "name=value" words joined by spaces ("" for none);
 * returns once every partition has a leader. */
void kr_topic(const char *dir, const char *topic, int parts, int rf,
              const char *configs);

/* Reads topic back with the Java consumer (`KfkPeer consume`; args are
 * more of its options, e.g. "--isolation read_committed"), every partition
 * from its first offset to the end offset found at start, into out
 * (partitions in order, offsets in order within each). */
void kr_java_consume(const char *bootstrap, const char *topic,
                     const char *args, struct pt_topic *out);

/* The partition the Java producer chooses for each of keys[0..n-1] with
 * parts partitions (`KfkPeer partition-of`). */
void kr_java_partitions(char *const *keys, int n, int parts, int32_t *out);

/* A cluster of its own for a test: kafka.sh start --brokers n in a new
 * directory, stopped when the test's process ends even if it crashes.
 * Returns the directory (malloc'd); kr_bootstrap_of gives its bootstrap. */
char *kr_cluster_start(int n);
char *kr_bootstrap_of(const char *dir);

/* Stops it; keeps its logs when keep_logs (a failed test). */
void kr_cluster_stop(char *dir, int keep_logs);

#endif /* KFK_TESTS_REAL_H */
