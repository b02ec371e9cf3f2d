/*
 * producer/hash.h: the key hashes the partitioners use.
 *
 * Each one reproduces another client bit for bit, because a partitioner is
 * only useful if it sends a key where the other producers of the same topic
 * send it (log compaction, per-key ordering, joins in Kafka Streams):
 *
 *   murmur2  the Java client's Utils.murmur2 (its default partitioner);
 *   crc32    zlib's CRC-32, librdkafka's `consistent` partitioners;
 *   fnv1a    FNV-1a 32 as librdkafka computes it for `fnv1a` (Sarama's
 *            default hash partitioner): the 32-bit hash read as a signed
 *            int32 and made non-negative by negation.
 *
 * All are pure functions over caller-owned bytes: any thread, no
 * allocation. key may be NULL only when len is 0.
 */
#ifndef KFK_PRODUCER_HASH_H
#define KFK_PRODUCER_HASH_H

#include <stddef.h>
#include <stdint.h>

/* The Java client's murmur2 (seed 0x9747b28c, little-endian 4-byte blocks),
 * as the signed int32 Java returns. Keys of 2 GiB or more, which Java
 * cannot hash, are hashed with their length taken modulo 2^32. */
int32_t kfk_hash_murmur2(const void *key, size_t len);

/* Java's Utils.toPositive(): clears the sign bit (not abs(): the result
 * for INT32_MIN is 0, and every input maps to [0, INT32_MAX]). */
static inline int32_t kfk_hash_to_positive(int32_t h)
{
	return (int32_t)((uint32_t)h & 0x7fffffffu);
}

/* CRC-32 (ISO-HDLC, reflected polynomial 0xedb88320), the value zlib's
 * crc32(0, key, len) returns. */
uint32_t kfk_hash_crc32(const void *key, size_t len);

/* FNV-1a 32 (offset basis 0x811c9dc5, prime 0x01000193), then, if the
 * result is negative as an int32, negated: librdkafka's rd_fnv1a(). The
 * result is in [0, 2^31]; 2^31 itself comes from the one hash that
 * negation leaves negative (0x80000000), kept as librdkafka keeps it. */
uint32_t kfk_hash_fnv1a(const void *key, size_t len);

#endif /* KFK_PRODUCER_HASH_H */
