/*
 * util/crc32c.h: CRC-32C (Castagnoli), the checksum of record batch v2.
 *
 * The checksum is the reflected CRC with polynomial 0x1EDC6F41 (0x82F63B78
 * reflected), initial value ~0 and final inversion, as in RFC 3720 (iSCSI).
 * Two implementations give identical results: one using the SSE4.2 crc32
 * instruction, chosen at run time when the CPU has it, and a portable
 * slicing-by-8 table version. Both are pure functions over caller memory,
 * never block, take no lock and may be called from any thread.
 */
#ifndef KFK_UTIL_CRC32C_H
#define KFK_UTIL_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* Extends a CRC-32C with len bytes at buf and returns the new value.
 * Start with crc = 0; the pre- and post-inversions are done inside, so
 * kfk_crc32c(kfk_crc32c(0, a, n), b, m) is the CRC of a followed by b.
 * Uses the hardware instruction when the CPU supports it. */
uint32_t kfk_crc32c(uint32_t crc, const void *buf, size_t len);

/* The portable table implementation, same contract as kfk_crc32c(). */
uint32_t kfk_crc32c_sw(uint32_t crc, const void *buf, size_t len);

/* Non-zero when kfk_crc32c_hw() may be called on this CPU. */
int kfk_crc32c_hw_available(void);

/* The SSE4.2 implementation, same contract as kfk_crc32c(). Only call it
 * when kfk_crc32c_hw_available() returned non-zero: on other CPUs it would
 * execute an illegal instruction. (Built without x86 support, it is the
 * table implementation.) */
uint32_t kfk_crc32c_hw(uint32_t crc, const void *buf, size_t len);

#endif /* KFK_UTIL_CRC32C_H */
