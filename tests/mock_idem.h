/*
 * mock_idem: the broker's idempotence checks that librdkafka's mock lacks
 * (see mock_idem.c), for tests/mockcluster.
 */
#ifndef KFK_TESTS_MOCK_IDEM_H
#define KFK_TESTS_MOCK_IDEM_H

#include <stddef.h>

/* Logs each duplicate and refused batch on stderr when on. */
void mock_idem_verbose(int on);

/* Drops the state of every producer on every partition (as Kafka does
 * for a producer idle longer than producer.id.expiration.ms), before the
 * next idempotent batch is checked. Any thread. */
void mock_idem_forget(void);

/* "written=N duplicates=N out_of_order=N fenced=N": idempotent batches
 * written, re-sends answered without writing, batches refused as out of
 * order and for an old epoch, since the start. Any thread. */
void mock_idem_stats(char *buf, size_t size);

#endif /* KFK_TESTS_MOCK_IDEM_H */
