/*
 * producer/pid.h: the producer id and epoch manager, on the control loop.
 *
 * An idempotent producer needs a producer id and epoch before its first
 * batch goes: InitProducerId, sent to any broker, retried with backoff
 * (util/backoff.h) when it fails for a reason that may pass, fatal when it
 * cannot (authorization, fencing, a broker without the API). Its owner
 * (the sender) runs kfk_pid_run() at the start of each round and sends
 * batches only while the state is READY.
 *
 * The epoch bump (KIP-360): when the producer and a broker may disagree on
 * a partition's sequence, the owner asks for a bump; sending stops, and
 * once no request is out (the owner says so), a producer without a
 * transactional id takes epoch + 1 itself (as the Java client does: the
 * broker accepts a higher epoch from sequence 0 and fences the old one;
 * InitProducerId would only hand out a new id). A broker from before
 * KIP-360 (InitProducerId below v3) gives no such guarantee: the bump is
 * then fatal. At the last epoch a new id is asked for. `gen` counts the
 * (id, epoch) pairs, so that numbering made under an older pair is seen as
 * such.
 *
 * This is the unit transactions will extend (a transactional.id, its
 * InitProducerId to the transaction coordinator, fencing): the sequences
 * per partition stay in producer/idempotence.h.
 *
 * Threads: everything on the control loop, except the InitProducerId
 * response, which the broker's I/O thread stores before calling
 * hooks.wake, and kfk_pid_fatal_err(), read by any thread. Every state
 * change is logged in the `eos` debug context (util/state.h).
 */
#ifndef KFK_PRODUCER_PID_H
#define KFK_PRODUCER_PID_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <kfk/errors.h>

#include "client/client.h"
#include "net/broker.h"
#include "util/backoff.h"
#include "util/log.h"

enum kfk_pid_state {
	KFK_PID_OFF,         /* enable.idempotence is false */
	KFK_PID_WANT,        /* needs a producer id, or (bump) a new epoch */
	KFK_PID_REQUESTING,  /* InitProducerId in flight */
	KFK_PID_READY,       /* batches may go */
	KFK_PID_FATAL,       /* stopped for good */
	KFK_PID_STATE__COUNT
};

struct kfk_pid_hooks {
	/* Run kfk_pid_run() soon: from the control loop or, for the
	 * InitProducerId response, from the broker's I/O thread. */
	void (*wake)(void *arg);
	/* The state just became FATAL (once): fail what waits. Control
	 * loop. May be NULL. */
	void (*fatal)(void *arg);
	void *arg;
};

struct kfk_pid_mgr {
	struct kfk_client *client;
	const struct kfk_logger *log;
	struct kfk_backoff backoff;  /* retry.backoff.ms, for InitProducerId */
	struct kfk_pid_hooks hooks;

	enum kfk_pid_state state;
	int64_t pid;
	int16_t epoch;
	int16_t init_version;    /* the InitProducerId version that gave it */
	uint32_t gen;            /* counts (pid, epoch) pairs; 0: none yet */
	bool bump;               /* the epoch must be bumped (when drained) */
	kfk_err bump_err;        /* the error that called for it */
	char why[160];           /* why it is asked for (logs) */
	int64_t retry_at_us;     /* no InitProducerId before */
	int32_t failures;        /* InitProducerId failures in a row */

	/* The request; its outcome comes back on the control loop (its
	 * owner loop), is taken at once, and hooks.wake called. */
	struct kfk_req req;
	char res_broker[96];

	/* Fatal: the reason is written once, before `fatal` is set. */
	atomic_int fatal;        /* kfk_err; 0 while none */
	char fatal_reason[256];
	atomic_bool fatal_told;  /* the error callback was called */
};

/* Sets m up, OFF or WANT (its first InitProducerId goes at the first
 * kfk_pid_run()). client and log must outlive it. */
void kfk_pid_init(struct kfk_pid_mgr *m, bool enabled,
                  struct kfk_client *client, const struct kfk_logger *log,
                  int64_t backoff_us, int64_t backoff_max_us,
                  const struct kfk_pid_hooks *hooks);

static inline bool kfk_pid_on(const struct kfk_pid_mgr *m)
{
	return m->state != KFK_PID_OFF;
}

/* KFK_ERR_NONE, or the fatal error. Any thread. */
static inline kfk_err kfk_pid_fatal_err(const struct kfk_pid_mgr *m)
{
	return (kfk_err)atomic_load(&((struct kfk_pid_mgr *)m)->fatal);
}

/* One step: takes in an InitProducerId result; bumps the epoch once
 * requests_out is false; sends InitProducerId when one is due. Lowers
 * *next to when it wants to run again. Control loop. */
void kfk_pid_run(struct kfk_pid_mgr *m, int64_t now_us, bool requests_out,
                 int64_t *next);

/* Asks for an epoch bump because of err (the fatal error if the bump
 * cannot happen); the reason printf-style. No-op unless READY. Control
 * loop. */
void kfk_pid_want_bump(struct kfk_pid_mgr *m, kfk_err err, const char *fmt,
                       ...) __attribute__((format(printf, 3, 4)));

/* Stops for good with err (the reason printf-style), logs it and calls
 * hooks.fatal. No-op when OFF or already FATAL. Control loop. */
void kfk_pid_set_fatal(struct kfk_pid_mgr *m, kfk_err err, const char *fmt,
                       ...) __attribute__((format(printf, 3, 4)));

#endif /* KFK_PRODUCER_PID_H */
