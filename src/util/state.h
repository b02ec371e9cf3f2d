/*
 * util/state.h: one logged state change for every state machine (the
 * broker connection, the producer id manager, the metadata refresh cycle).
 *
 * A machine names its states in a table; each transition goes through
 * kfk_state_change(), which logs "<who>: FROM -> TO" in the machine's
 * debug context, so that `debug=broker,eos,metadata` shows every
 * transition of every machine the same way (curl's multi_setstate()).
 * Storing the new state stays with the caller: some keep it atomic (the
 * broker's, read from any thread), some plain (control-loop only).
 *
 * Pure apart from the log call; any thread.
 */
#ifndef KFK_UTIL_STATE_H
#define KFK_UTIL_STATE_H

#include <stdbool.h>

#include "util/log.h"

struct kfk_state_machine {
	const char *const *names; /* indexed by state */
	int count;                /* entries in names */
	unsigned dbg;             /* KFK_DBG_* context of its log lines */
	const char *facility;     /* e.g. "STATE" */
};

/* The name of state s, or "?" outside the table. */
const char *kfk_state_name(const struct kfk_state_machine *m, int s);

/* Logs who's transition from -> to; returns false (and logs nothing) when
 * they are the same state. */
bool kfk_state_change(const struct kfk_state_machine *m,
                      const struct kfk_logger *log, const char *who, int from,
                      int to);

#endif /* KFK_UTIL_STATE_H */
