/*
 * producer/idempotence.h: the idempotent producer's sequences, on the
 * sender's control loop.
 *
 * With enable.idempotence the broker keeps, per producer id and partition,
 * the sequence numbers of the last five batches it wrote, and drops a batch
 * it already has (DUPLICATE_SEQUENCE_NUMBER, or the first answer again) or
 * refuses one that would leave a gap (OUT_OF_ORDER_SEQUENCE_NUMBER). So
 * every retry of a batch must carry the same producer id, epoch and base
 * sequence as its first attempt, and batches of a partition must reach the
 * broker in sequence order. The producer id and epoch, and the epoch bump,
 * are producer/pid.h's; here:
 *
 *   - a batch gets its base sequence when it is first sent (the
 *     partition's seq_next, then seq_next += records, wrapping at
 *     INT32_MAX as Kafka does) and keeps it for every retry;
 *   - a partition's batch goes only if it continues the partition's last
 *     sent sequence (seq_sent) or nothing of the partition is in flight,
 *     and at most KFK_IDEM_MAX_IN_FLIGHT batches of a partition are out,
 *     one only until the broker acknowledged one under the current epoch
 *     (a broker without state for the producer takes any sequence): a
 *     failed batch is sent again only once the batches sent after it
 *     came back, then in order;
 *   - what leaves the broker and us disagreeing on a sequence (a batch
 *     sent and then reported failed or timed out, UNKNOWN_PRODUCER_ID, an
 *     OUT_OF_ORDER_SEQUENCE_NUMBER for the very batch the broker should
 *     expect next, or for one behind what it acknowledged) asks for an
 *     epoch bump, after which every partition's
 *     sequences restart at 0, batches waiting for a retry re-numbered in
 *     order; PRODUCER_FENCED and INVALID_PRODUCER_EPOCH are fatal.
 *
 * A fatal error stops the producer: every queued record is reported with
 * KFK_ERR__FATAL, every later produce call fails with it, and the
 * application's next poll calls its error callback once.
 *
 * Threads: the control loop only.
 */
#ifndef KFK_PRODUCER_IDEMPOTENCE_H
#define KFK_PRODUCER_IDEMPOTENCE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <kfk/errors.h>

#include "producer/pid.h"

struct kfk_sender;
struct kfk_ppart;
struct kfk_pbatch;

/* The broker keeps the state of this many batches per producer and
 * partition: more in flight could not all be de-duplicated. */
#define KFK_IDEM_MAX_IN_FLIGHT 5

/* Whether pp's head batch b may be sent now (see the top of this file). */
bool kfk_idem_sendable(struct kfk_sender *s, struct kfk_ppart *pp,
                       struct kfk_pbatch *b);

/* Gives b its producer state for this send (a new base sequence unless it
 * already has one under the current epoch) and records it as pp's last
 * sent batch. Control loop, as b leaves pp's ready deque. */
void kfk_idem_assign(struct kfk_sender *s, struct kfk_ppart *pp,
                     struct kfk_pbatch *b);

/* Decides a finished batch's fate from its outcome (b->res_err): returns
 * true when the idempotence rules took it (reported or re-queued); false
 * when the sender's usual rules apply (err is a plain retriable error or
 * KFK_ERR_NONE after acknowledging its sequences). Control loop. */
bool kfk_idem_outcome(struct kfk_sender *s, struct kfk_pbatch *b,
                      int64_t now_us);

/* A batch that was sent is being reported failed (timed out, purged, out
 * of retries, refused): the broker may hold its sequences or not, so the
 * partition's numbering can no longer continue: asks for an epoch bump.
 * No-op when idempotence is off or b was never sent. Control loop. */
void kfk_idem_batch_failed(struct kfk_sender *s, struct kfk_pbatch *b,
                           kfk_err err);

#endif /* KFK_PRODUCER_IDEMPOTENCE_H */
