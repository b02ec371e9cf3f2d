/*
 * producer/accumulator_int.h: what accumulator.c and accumulator_pending.c
 * share inside the accumulator (not for the rest of the producer).
 */
#ifndef KFK_PRODUCER_ACCUMULATOR_INT_H
#define KFK_PRODUCER_ACCUMULATOR_INT_H

#include "producer/accumulator.h"

/* Takes room in the queue for one record of `bytes` (waiting up to
 * max.block.ms when that is set), or returns KFK_ERR__QUEUE_FULL. */
kfk_err kfk_accum_reserve(struct kfk_accum *acc, int64_t bytes);

/* Gives room back and wakes a produce waiting for it. Any thread. */
void kfk_accum_unreserve(struct kfk_accum *acc, int64_t msgs, int64_t bytes);

/* n records got their report: flush may be waiting for the last. */
void kfk_accum_finished(struct kfk_accum *acc, int64_t n);

/* Places r in one of the known partitions (parts) of tp: the partitioner
 * when r->partition is ANY, then the partition's open batch. bytes is the
 * accounting already reserved. Application thread, or the control loop
 * when there is no application partitioner; takes partition locks. */
kfk_err kfk_accum_append_known(struct kfk_accum *acc, struct kfk_ptopic *tp,
                               const struct kfk_pparts *parts,
                               const struct kfk_precord *r, int64_t bytes);

/* The produce path for a topic whose partitions are unknown or that has
 * pending records: places pending records first when it can, then r, or
 * queues a copy of r. Application thread; takes tp->lock. */
kfk_err kfk_accum_produce_slow(struct kfk_accum *acc, struct kfk_ptopic *tp,
                               const struct kfk_precord *r, int64_t bytes);

#endif /* KFK_PRODUCER_ACCUMULATOR_INT_H */
