/*
 * tools/cli/java_hash.h: the order a java.util.HashMap iterates in, for
 * the subcommands that print what Kafka's Java tools print: those list
 * configs and partitions from HashMaps, so the same lines need the same
 * order.
 */
#ifndef KFK_TOOLS_CLI_JAVA_HASH_H
#define KFK_TOOLS_CLI_JAVA_HASH_H

#include <stdint.h>

/* java.lang.String.hashCode() of an ASCII string. */
int32_t java_string_hash(const char *s);

/* org.apache.kafka.common.TopicPartition.hashCode(). */
int32_t java_tp_hash(const char *topic, int32_t partition);

/* The iteration order of a HashMap (default capacity, load factor 0.75)
 * into which n keys with these hashCode()s were put in index order:
 * order[i] is the index of the i-th key iterated. Buckets come in index
 * order (the spread hash masked by the table size, 16 doubled while more
 * than 3/4 full), each bucket in insertion order. */
void java_hashmap_order(const int32_t *hashes, int n, int *order);

/* The same for a HashMap made with new HashMap<>(initial): its table
 * starts at the power of two at or above initial and doubles as it
 * fills, which gives another final size (2 keys: a table of 4, not 16). */
void java_hashmap_order_presized(const int32_t *hashes, int n, int initial,
                                 int *order);

#endif /* KFK_TOOLS_CLI_JAVA_HASH_H */
