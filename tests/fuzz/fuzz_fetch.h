/*
 * tests/fuzz/fuzz_fetch.h: the input of the fetch_decode target, shared
 * with gen_seeds.c which writes its seeds.
 *
 *   byte 0       bit 0: check.crcs; bits 1-3 mod 5: entries of the
 *                aborted-transactions list in use
 *   bytes 1-8    the fetch position, big-endian
 *   bytes 9-72   FUZZ_FETCH_ABORTED_MAX (producer id, first offset) pairs,
 *                big-endian
 *   the rest     the partition's record set
 *
 * The prefix has a fixed size so that a mutation of the settings or of
 * the list never shifts the record set behind it.
 */
#ifndef KFK_FUZZ_FETCH_H
#define KFK_FUZZ_FETCH_H

#define FUZZ_FETCH_ABORTED_MAX 4
#define FUZZ_FETCH_POS 1
#define FUZZ_FETCH_ABORTED 9
#define FUZZ_FETCH_PREFIX (FUZZ_FETCH_ABORTED + 16 * FUZZ_FETCH_ABORTED_MAX)

#endif /* KFK_FUZZ_FETCH_H */
