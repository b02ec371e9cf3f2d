/*
 * consumer/fetcher.h: a Fetch request in flight and the fetch session it
 * belongs to, shared by fetcher.c and fetch_session.c.
 */
#ifndef KFK_CONSUMER_FETCHER_H
#define KFK_CONSUMER_FETCHER_H

#include "consumer/consumer_int.h"
#include "consumer/fetch_decode.h"

/* One partition of a request: its snapshot, whether it is written into
 * the request (an incremental request carries only what changed), and
 * its outcome (filled on the broker's loop). */
struct fetch_part {
	struct kfk_cpart *part;  /* a reference */
	unsigned version;
	int64_t fetch_pos;
	int32_t cur_epoch, last_epoch;
	bool send;
	kfk_err err;
	int64_t hw, lso, log_start;
	int64_t wire;            /* bytes of its record set */
	int32_t div_epoch;       /* diverging epoch (v12+), -1: none */
	int64_t div_end;         /* where that epoch ends on the leader */
	struct kfk_fd_out out;
};

struct kfk_fetch_req {
	struct kfk_req req;
	struct kfk_consumer *c;
	int32_t leader;
	int64_t reserved;        /* bytes reserved under the bound */
	int32_t max_bytes, part_max_bytes;
	int n;
	struct fetch_part *v;    /* sorted by topic */
	/* The session (KIP-227): id and epoch sent, partitions forgotten. */
	int32_t session_id, session_epoch;
	struct kfk_cpart **forgot; /* references, sorted by topic */
	int forgot_n;
	int32_t resp_session_id;
	kfk_err err;             /* the request's own */
};

/* What a broker holds of our fetch session: for each partition in it,
 * what the last request told it. Control loop. */
struct kfk_fsess_part {
	struct kfk_cpart *part;  /* a reference */
	int64_t fetch_pos;
	int32_t cur_epoch, last_epoch;
};

struct kfk_fsess {
	int32_t leader;
	int32_t id;              /* 0: none (the next request is full) */
	int32_t epoch;           /* the next request's */
	struct kfk_fsess_part *v;
	int n, cap;
};

/* The session with leader (made empty on first use); NULL on ENOMEM. */
struct kfk_fsess *kfk_fsess_get(struct kfk_consumer *c, int32_t leader);

/* Decides what r carries: all its partitions and epoch 0 (a new session)
 * without a session, else only the partitions whose position or epochs
 * changed, with those the session has and r lacks forgotten; the session
 * then holds r's partitions. 0, or -1 on ENOMEM (r is then a full
 * request, and the session starts over). */
int kfk_fsess_plan(struct kfk_fsess *s, struct kfk_fetch_req *r);

/* r's outcome for the session: a new id, the next epoch, or a fresh start
 * after an error (the next request is full). */
void kfk_fsess_outcome(struct kfk_fsess *s, const struct kfk_fetch_req *r);

/* Frees every session of c (at destroy). */
void kfk_fsess_free_all(struct kfk_consumer *c);

static inline bool kfk_fsess_err(kfk_err err)
{
	return err == KFK_ERR_FETCH_SESSION_ID_NOT_FOUND ||
	       err == KFK_ERR_INVALID_FETCH_SESSION_EPOCH;
}

#endif /* KFK_CONSUMER_FETCHER_H */
