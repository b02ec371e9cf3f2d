/*
 * consumer/group.h: consumer-group membership, classic protocol
 * (JoinGroup / SyncGroup / Heartbeat / LeaveGroup), and the group's
 * offsets (OffsetCommit / OffsetFetch).
 *
 *   group.c          the member's state machine, timers, subscription
 *   group_coord.c    finding the coordinator; requests that wait for it
 *   group_join.c     JoinGroup, the leader's assignment, SyncGroup
 *   group_hb.c       Heartbeat, max.poll.interval.ms, LeaveGroup
 *   group_ops.c      what the application's poll serves: rebalances
 *                    (the callback, then the assignment applied) and
 *                    commit results
 *   group_commit.c   OffsetCommit and OffsetFetch: sync, async, auto,
 *                    and the committed offsets partitions start from
 *
 * Threads. The member is a single-owner state machine on the client's
 * control loop: every field marked (ctrl) is touched there only. The
 * application's threads reach it by posting (kfk_client_run_sync) or
 * through `ops`, the queue of what poll serves. Heartbeats and the group's
 * requests go over the coordinator's own connection
 * (KFK_CONN_COORDINATOR), never behind a Fetch.
 *
 * A rebalance, eager (range, roundrobin): the owned partitions are
 * revoked through poll (the callback, a commit with enable.auto.commit,
 * then unassigned) before JoinGroup; after SyncGroup the new assignment
 * is applied through poll. Cooperative (cooperative-sticky, KIP-429): the
 * member joins keeping what it owns; after SyncGroup only what it lost is
 * revoked and what it gained assigned, and if it lost any it joins again
 * at once so the group can give those partitions out.
 */
#ifndef KFK_CONSUMER_GROUP_H
#define KFK_CONSUMER_GROUP_H

#include <regex.h>
#include <stdbool.h>
#include <stdint.h>

#include <kfk/consumer.h>

#include "client/events.h"
#include "consumer/assignor.h"
#include "net/broker.h"
#include "net/loop.h"
#include "util/backoff.h"

struct kfk_consumer;
struct kfk_cpart;

enum kfk_cgrp_state {
	KFK_CGRP_INIT,       /* not subscribed */
	KFK_CGRP_UNJOINED,   /* subscribed; joins once the coordinator is
	                      * known */
	KFK_CGRP_REVOKING,   /* waits for poll to serve a revocation or a
	                      * loss before joining */
	KFK_CGRP_JOINING,    /* JoinGroup in flight */
	KFK_CGRP_ASSIGNING,  /* leader: waits for metadata of the members'
	                      * topics */
	KFK_CGRP_SYNCING,    /* SyncGroup in flight */
	KFK_CGRP_STABLE,     /* member of a generation, heartbeating */
	KFK_CGRP_FATAL,      /* fenced or refused for good: reported, no
	                      * more joins */
	KFK_CGRP_STATE__COUNT
};

/* A request that needs the coordinator (a commit, an offset fetch): kept
 * in the group's queue until the coordinator is known. */
struct kfk_cjob;

struct kfk_cgrp {
	struct kfk_consumer *c;
	char *group_id;
	char *instance_id;            /* NULL: dynamic member */
	char *rack;                   /* NULL: none */
	int32_t session_ms, heartbeat_ms, poll_interval_ms;
	int32_t auto_commit_ms;       /* 0: enable.auto.commit off */
	int32_t api_timeout_ms;       /* default.api.timeout.ms */
	int32_t request_timeout_ms;   /* request.timeout.ms */
	bool auto_store;              /* enable.auto.offset.store */
	const struct kfk_assignor *assignors[4];
	int assignor_cnt;
	bool cooperative;

	/* Application-facing: rebalances and commit results served in poll
	 * (group_ops.c). */
	struct kfk_evq ops;
	_Atomic int64_t last_poll_ms; /* the last poll's time */
	struct kfk_cpart *errpart;    /* group-level error messages */

	/* (ctrl) */
	enum kfk_cgrp_state state;
	char **topics;                /* the subscription, as given */
	int topic_cnt;
	regex_t *patterns;            /* those starting with '^' */
	int pattern_cnt;
	char **matched;               /* topics subscribed now, sorted */
	int matched_cnt;
	kfk_rebalance_cb *cb;
	void *cb_opaque;

	/* The coordinator. */
	int32_t coord_id;             /* -1: unknown */
	struct kfk_broker *coord;     /* its coordinator connection */
	bool finding;                 /* FindCoordinator in flight */
	int32_t coord_failures;
	struct kfk_backoff backoff;
	struct kfk_cjob *jobs;        /* waiting for the coordinator */
	struct kfk_cjob *jobs_out;    /* their requests in flight */
	unsigned join_seq;            /* +1 per JoinGroup / SyncGroup sent:
	                               * an older answer is dropped */

	/* Membership. */
	char *member_id;              /* "" before the first JoinGroup */
	int32_t generation;           /* -1: none */
	char *protocol;               /* the assignor the group chose */
	bool leader;
	kfk_tplist *owned;            /* what this member owns (once poll
	                               * has served what is queued) */
	bool rejoin;                  /* join again when STABLE */
	const char *rejoin_why;
	unsigned op_seq, wait_seq;    /* REVOKING waits for op wait_seq */
	bool rejoin_after_serve;      /* STABLE: rejoin once wait_seq is
	                               * served (cooperative revocation) */
	bool poll_expired;            /* left for max.poll.interval.ms;
	                               * rejoins at the next poll */
	int32_t join_failures;
	int64_t retry_at_us;          /* no join before */
	char **group_topics;          /* leader: every member's topics,
	                               * sorted */
	int group_topic_cnt;
	uint64_t md_sig;              /* leader: their partition counts when
	                               * it assigned */
	struct kfk_join_state *join;  /* leader: the members kept while
	                               * ASSIGNING */
	int64_t assign_deadline_us;

	struct kfk_timer timer;       /* heartbeat, retries, poll interval */
	int64_t timer_at;
	int64_t hb_at_us;             /* next heartbeat; 0 none */
	bool hb_in_flight;
	int64_t hb_ok_us;             /* last heartbeat answered */
	int64_t commit_at_us;         /* next auto commit; 0 none */
	bool auto_commit_out;         /* an auto commit not answered yet */
	struct leave_req *leave;      /* the LeaveGroup sent, for close to
	                               * wait for */
	bool closed;
	struct kfk_loop_task kick_task;
	_Atomic bool kick_posted;
};

/* ---- group.c ---- */
/* Creates c->group when group.id is set (else leaves it NULL). errstr for
 * a bad partition.assignment.strategy. -1 on error. */
int kfk_cgrp_new(struct kfk_consumer *c, char *errstr, size_t errstr_size);
/* Frees the group (after kfk_cgrp_close and the client's destroy). */
void kfk_cgrp_free(struct kfk_cgrp *g);
/* The logged state change (`cgrp` debug context). (ctrl) */
void kfk_cgrp_set_state(struct kfk_cgrp *g, enum kfk_cgrp_state to);
/* Runs the member's next step on the control loop. Any thread. */
void kfk_cgrp_kick(struct kfk_cgrp *g);
/* The member's step now. (ctrl) */
void kfk_cgrp_run(struct kfk_cgrp *g);
/* Arms the group's timer for at_us if earlier than armed. (ctrl) */
void kfk_cgrp_arm(struct kfk_cgrp *g, int64_t at_us);
/* Metadata changed: re-match patterns, see whether the leader must
 * rebalance. (ctrl) */
void kfk_cgrp_metadata(struct kfk_cgrp *g);
/* A hash of the partition counts of g->group_topics in md. */
struct kfk_metadata;
uint64_t kfk_cgrp_md_signature(struct kfk_cgrp *g,
                               const struct kfk_metadata *md);
/* Asks for a rebalance with reason why (a static string). (ctrl) */
void kfk_cgrp_rejoin(struct kfk_cgrp *g, const char *why);
/* The membership is gone (UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, poll
 * interval exceeded): owned partitions are lost (told through poll), the
 * generation reset; reset_member also forgets the member id. (ctrl) */
void kfk_cgrp_lost(struct kfk_cgrp *g, const char *why, bool reset_member);
/* Reports a group-level error as a message (topic "", partition -1). */
void kfk_cgrp_error(struct kfk_cgrp *g, kfk_err err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Stops the member: what is queued for poll is served, the owned
 * partitions are committed (enable.auto.commit), revoked (the callback)
 * and unassigned, and a dynamic member leaves the group. On the
 * application's thread (unsubscribe, close). */
kfk_err kfk_cgrp_stop(struct kfk_cgrp *g, bool closing);

/* The consumer closes (after kfk_cgrp_stop): jobs fail, the timer
 * stops, responses still out are dropped. (ctrl) */
void kfk_cgrp_close(struct kfk_cgrp *g);

/* ---- group_coord.c ---- */
/* Sends FindCoordinator unless one is in flight or backing off. (ctrl) */
void kfk_cgrp_find_coordinator(struct kfk_cgrp *g);
/* The coordinator is no longer it (NOT_COORDINATOR, connection lost):
 * forget it and find it again. (ctrl) */
void kfk_cgrp_coord_dead(struct kfk_cgrp *g, const char *why);
/* A broker went down: if it is the coordinator's, find it again. (ctrl) */
void kfk_cgrp_coord_check(struct kfk_cgrp *g);
/* True for errors meaning "ask another broker for the coordinator". */
bool kfk_cgrp_coord_error(kfk_err err);
/* Sends r to the coordinator with the group's common fields set by its
 * encoder; the caller has set the rest (done, opaque, owner). false when
 * the coordinator is unknown. (ctrl) */
bool kfk_cgrp_send(struct kfk_cgrp *g, struct kfk_req *r);

/* ---- group_join.c ---- */
/* Sends JoinGroup. (ctrl) */
void kfk_cgrp_join(struct kfk_cgrp *g);
/* Leader in ASSIGNING: assigns if metadata now has every topic (or the
 * wait is over) and sends SyncGroup. (ctrl) */
void kfk_cgrp_assign_retry(struct kfk_cgrp *g);
/* Frees a kept JoinGroup response. */
void kfk_cgrp_join_state_free(struct kfk_join_state *js);

/* ---- group_hb.c ---- */
/* Due heartbeats and the poll-interval check. (ctrl) */
void kfk_cgrp_heartbeat_run(struct kfk_cgrp *g, int64_t now_us);
/* Sends LeaveGroup (dynamic members with a member id). (ctrl) */
void kfk_cgrp_leave(struct kfk_cgrp *g, const char *why);
/* Waits (bounded by default.api.timeout.ms, and 5 s when closing) for
 * the LeaveGroup kfk_cgrp_leave() sent. Application thread. */
void kfk_cgrp_leave_wait(struct kfk_cgrp *g, bool closing);
/* Forgets the LeaveGroup sent without waiting for it. */
void kfk_cgrp_leave_drop(struct kfk_cgrp *g);

/* ---- group_ops.c ---- */
/* Queues a rebalance for poll; parts is taken (freed after serving).
 * Returns its sequence number. (ctrl) */
unsigned kfk_cgrp_push_rebalance(struct kfk_cgrp *g, kfk_rebalance_type t,
                                 kfk_tplist *parts);
/* Serves what waits for the application (callbacks run here). The
 * application's thread (poll, close). */
void kfk_cgrp_serve(struct kfk_cgrp *g);
/* The ops queue's release function. */
void kfk_cgrp_op_release(struct kfk_ev *ev, void *arg);
/* Queues a commit result for poll; offsets is taken. Any thread. */
void kfk_cgrp_push_commit_result(struct kfk_cgrp *g, kfk_commit_cb *cb,
                                 void *opaque, kfk_err err,
                                 kfk_tplist *offsets);

/* ---- group_commit.c ---- */
/* Commits offsets (a copy is taken; NULL: the stored offsets that moved)
 * and waits up to timeout_ms. Application thread. */
kfk_err kfk_cgrp_commit_sync(struct kfk_cgrp *g, kfk_tplist *offsets,
                             int timeout_ms);
kfk_err kfk_cgrp_commit_async(struct kfk_cgrp *g, const kfk_tplist *offsets,
                              kfk_commit_cb *cb, void *opaque);
/* The committed offsets of l's entries, waiting up to timeout_ms.
 * Application thread. */
kfk_err kfk_cgrp_committed(struct kfk_cgrp *g, kfk_tplist *l, int timeout_ms);
/* Partitions waiting for their committed offset (NEED_OFFSET at
 * KFK_OFFSET_STORED) get one OffsetFetch. (ctrl) */
void kfk_cgrp_fetch_positions(struct kfk_cgrp *g, int64_t now_us);
/* The coordinator is gone: jobs whose request is out go back to wait
 * for the next one (their answers, if any, are dropped). (ctrl) */
void kfk_cgrp_jobs_abandon(struct kfk_cgrp *g);
/* The auto commit when due. (ctrl) */
void kfk_cgrp_auto_commit(struct kfk_cgrp *g, int64_t now_us);
/* Sends the jobs that waited for the coordinator; fails them with err
 * when err is set (closing). (ctrl) */
void kfk_cgrp_jobs_run(struct kfk_cgrp *g, kfk_err err);
/* The offsets to commit of the assigned partitions in only (NULL: all)
 * that moved since their last commit, as a new list (maybe empty):
 * positions (everything poll returned counts as processed) or the
 * stored offsets (enable.auto.offset.store: each message's own offset as
 * poll returns it, so the automatic commit never commits a message the
 * application may still be processing). Any thread (takes c->lock). */
kfk_tplist *kfk_cgrp_stored(struct kfk_cgrp *g, const kfk_tplist *only,
                            bool positions);

#endif /* KFK_CONSUMER_GROUP_H */
