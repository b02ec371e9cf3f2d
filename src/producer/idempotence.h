/*
 * producer/idempotence.h: the idempotent producer's state, on the sender's
 * control loop.
 *
 * With enable.idempotence the broker keeps, per producer id and partition,
 * the sequence numbers of the last five batches it wrote, and drops a batch
 * it already has (DUPLICATE_SEQUENCE_NUMBER, or the first answer again) or
 * refuses one that would leave a gap (OUT_OF_ORDER_SEQUENCE_NUMBER). So
 * every retry of a batch must carry the same producer id, epoch and base
 * sequence as its first attempt, and batches of a partition must reach the
 * broker in sequence order. Here:
 *
 *   - the producer id and epoch come from InitProducerId, sent to any
 *     broker before the first batch goes (nothing is sent without them);
 *   - a batch gets its base sequence when it is first sent (the
 *     partition's seq_next, then seq_next += records, wrapping at
 *     INT32_MAX as Kafka does) and keeps it for every retry;
 *   - a partition's batch goes only if it continues the partition's last
 *     sent sequence (seq_sent) or nothing of the partition is in flight,
 *     and at most KFK_IDEM_MAX_IN_FLIGHT batches of a partition are out:
 *     a failed batch is sent again only once the batches sent after it
 *     came back, then in order;
 *   - what leaves the broker and us disagreeing on a sequence (a batch
 *     sent and then reported failed or timed out, UNKNOWN_PRODUCER_ID, an
 *     OUT_OF_ORDER_SEQUENCE_NUMBER for the very batch the broker should
 *     expect next) bumps the epoch (KIP-360): sending stops, every request
 *     comes back, the producer takes epoch + 1 itself (as the Java client
 *     does for a producer without a transactional id: the broker accepts
 *     a higher epoch from sequence 0 and fences the old one; InitProducerId
 *     would only hand out a new id), and every partition's sequences
 *     restart at 0, batches waiting for a retry re-numbered in order. A
 *     broker from before KIP-360 (InitProducerId below v3) gives no such
 *     guarantee: the bump is then fatal, as are PRODUCER_FENCED,
 *     INVALID_PRODUCER_EPOCH and an InitProducerId refused for good.
 *
 * A fatal error stops the producer: every queued record is reported with
 * KFK_ERR__FATAL, every later produce call fails with it, and the
 * application's next poll calls its error callback once.
 *
 * Threads: everything runs on the control loop, except the InitProducerId
 * response, which the broker's I/O thread stores (then it wakes the
 * sender), and kfk_idem_fatal_err(), read by any thread.
 */
#ifndef KFK_PRODUCER_IDEMPOTENCE_H
#define KFK_PRODUCER_IDEMPOTENCE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <kfk/errors.h>

#include "net/broker.h"

struct kfk_sender;
struct kfk_ppart;
struct kfk_pbatch;

/* The broker keeps the state of this many batches per producer and
 * partition: more in flight could not all be de-duplicated. */
#define KFK_IDEM_MAX_IN_FLIGHT 5

enum kfk_idem_state {
	KFK_IDEM_OFF,         /* enable.idempotence is false */
	KFK_IDEM_WANT_PID,    /* needs a producer id, or (bump) a new epoch */
	KFK_IDEM_REQUESTING,  /* InitProducerId in flight */
	KFK_IDEM_READY,       /* batches may go */
	KFK_IDEM_FATAL        /* stopped for good */
};

struct kfk_idem {
	enum kfk_idem_state state;
	int64_t pid;
	int16_t epoch;
	int16_t init_version;    /* the InitProducerId version that gave it */
	uint32_t gen;            /* counts (pid, epoch) pairs; 0: none yet */
	bool bump;               /* the epoch must be bumped (when drained) */
	kfk_err bump_err;        /* the error that called for it */
	char why[160];           /* why it is asked for (logs) */
	int64_t retry_at_us;     /* no InitProducerId before */
	int32_t failures;        /* InitProducerId failures in a row */

	/* The request; its result is written on the I/O thread, then
	 * `done` is set and the sender woken. */
	struct kfk_req req;
	atomic_bool done;
	kfk_err res_err;
	int64_t res_pid;
	int16_t res_epoch;
	int16_t res_version;
	char res_broker[96];

	/* Fatal: the reason is written once, before `fatal` is set. */
	atomic_int fatal;        /* kfk_err; 0 while none */
	char fatal_reason[256];
	atomic_bool fatal_told;  /* the error callback was called */
};

/* Sets idem up, OFF or waiting for its producer id. */
void kfk_idem_init(struct kfk_idem *idem, bool enabled);

static inline bool kfk_idem_on(const struct kfk_idem *idem)
{
	return idem->state != KFK_IDEM_OFF;
}

/* KFK_ERR_NONE, or the fatal error. Any thread. */
static inline kfk_err kfk_idem_fatal_err(const struct kfk_idem *idem)
{
	return (kfk_err)atomic_load(&((struct kfk_idem *)idem)->fatal);
}

/* One step of the state machine, at the start of each sender round:
 * takes in an InitProducerId result; bumps the epoch once no
 * ProduceRequest is out; sends InitProducerId when one is due. Lowers
 * *next to when it wants to run again. Control loop. */
void kfk_idem_run(struct kfk_sender *s, int64_t now_us, int64_t *next);

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

/* Asks for an epoch bump (see the top of this file) because of err (the
 * fatal error if the bump cannot happen). Control loop. */
void kfk_idem_want_bump(struct kfk_sender *s, kfk_err err, const char *fmt,
                        ...) __attribute__((format(printf, 3, 4)));

/* Stops the producer for good with err (the reason printf-style): fails
 * everything queued with KFK_ERR__FATAL and wakes the application's poll.
 * Control loop. */
void kfk_idem_set_fatal(struct kfk_sender *s, kfk_err err, const char *fmt,
                        ...) __attribute__((format(printf, 3, 4)));

#endif /* KFK_PRODUCER_IDEMPOTENCE_H */
