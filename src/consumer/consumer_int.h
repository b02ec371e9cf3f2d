/*
 * consumer/consumer_int.h: the inside of the consumer, shared by
 *   consumer.c   the public calls: create, assign, poll, seek, close
 *   cpart.c      a partition's state and its logged state machine
 *   fetcher.c    Fetch requests: built on the control loop, decoded on the
 *                broker's loop, applied on the control loop
 *   fetch_decode.c  a partition's record set into messages
 *   offsets.c    ListOffsets: resets, watermarks, offsets for times
 *   validate.c   positions checked after a leader change, truncation
 *   message.c    messages, the fetched sets they live in, the memory bound
 *
 * Threads and ownership:
 *  - the control loop owns the partitions' fetch state (state, fetch
 *    position, leader, the request each is in): every field marked (ctrl);
 *  - the broker's loop decodes a Fetch response (fetcher.c), touching only
 *    the request and what it snapshotted;
 *  - application threads poll and destroy messages; what they and the
 *    control loop share is atomic (a partition's version and the position
 *    poll reached, the memory count).
 */
#ifndef KFK_CONSUMER_CONSUMER_INT_H
#define KFK_CONSUMER_CONSUMER_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <kfk/consumer.h>

#include "client/client.h"
#include "client/events.h"
#include "client/notify.h"
#include "net/broker.h"
#include "net/frame.h"
#include "util/log.h"

enum kfk_cpart_state {
	KFK_CPART_NEED_OFFSET,  /* a logical offset to resolve (ListOffsets) */
	KFK_CPART_RESETTING,    /* ListOffsets in flight */
	KFK_CPART_ACTIVE,       /* fetchable at fetch_pos */
	KFK_CPART_FETCHING,     /* in a Fetch in flight */
	KFK_CPART_VALIDATING,   /* a new leader epoch: the position is
	                         * checked first (validate.c) */
	KFK_CPART_FAILED,       /* no offset (auto.offset.reset=none): waits
	                         * for a seek */
	KFK_CPART_GONE,         /* unassigned; freed with its last reference */
	KFK_CPART_STATE__COUNT
};

/* The memory of fetched data, shared with messages that outlive the
 * consumer (the application may destroy them after the consumer). */
struct kfk_cmem {
	atomic_int refs;         /* the consumer's + one per live set */
	atomic_int_fast64_t held;  /* bytes of sets not yet freed */
	int64_t bound;           /* fetch.buffer.memory */
	/* Set while the consumer lives: told when held falls below bound
	 * after having reached it. Cleared (under lock) at destroy. */
	pthread_mutex_t lock;
	void (*room)(void *arg);
	void *room_arg;
	atomic_bool full;        /* a Fetch was held back for want of room */
};

/* One assigned partition. Reference counted: the consumer's table holds
 * one, each fetched set and request in flight one. */
struct kfk_cpart {
	atomic_int refs;
	char *topic;
	int32_t partition;

	/* Application threads and the control loop. */
	atomic_uint version;     /* +1 per seek / reset / unassign: sets of
	                          * an older version are dropped */
	_Atomic int64_t app_pos; /* offset after the last message polled;
	                          * KFK_OFFSET_INVALID before any */
	_Atomic int32_t app_epoch; /* leader epoch of the last message
	                            * polled; -1 */
	_Atomic int64_t hw, lso, log_start; /* from the last fetch; -1 */
	/* Groups: the offset stored to commit (enable.auto.offset.store=
	 * false), and the last known committed one; KFK_OFFSET_INVALID. */
	_Atomic int64_t stored, committed;
	_Atomic int32_t stored_epoch;
	atomic_bool paused;
	bool handed;             /* in the consumer's handed list (its
	                          * handed_lock) */

	/* (ctrl) */
	enum kfk_cpart_state state;
	int64_t want_offset;     /* NEED_OFFSET: logical offset to resolve */
	int64_t fetch_pos;       /* next offset to fetch (ACTIVE, FETCHING) */
	int32_t last_epoch;      /* leader epoch of the last record fetched */
	int32_t checked_epoch;   /* the leader epoch the position is known
	                          * good under (fetched under); -1 none */
	int32_t leader;          /* node id, -1 unknown */
	int32_t leader_epoch;    /* from metadata, -1 unknown */
	bool eof_told;           /* PARTITION_EOF reported at fetch_pos */
	bool missing_told;       /* UNKNOWN_TOPIC / _PARTITION reported */
	int64_t retry_at_us;     /* after an error: not before */
};

/* A partition's fetched records, as messages: one event of the queue. */
struct kfk_fset {
	struct kfk_ev ev;
	atomic_int refs;          /* untaken + live messages, + 1 (queue) */
	int32_t taken;            /* items the queue handed out (its lock) */
	struct kfk_cmem *mem;
	struct kfk_cpart *part;   /* a reference */
	unsigned version;         /* the partition's when it was fetched */
	struct kfk_frame *frame;  /* the response the views point into */
	void **owned;             /* decompressed record sections */
	int owned_cnt, owned_cap;
	int64_t bytes;            /* charged to mem (once charged) */
	bool charged;
	char *errstr;             /* error messages */
	int32_t cnt, cap;
	struct kfk_message *msgs; /* cnt messages */
};

struct kfk_message {
	struct kfk_fset *set;
	kfk_err err;
	int8_t ts_type;
	int32_t key_len, value_len;    /* -1: null */
	int32_t header_count;
	int32_t leader_epoch;
	int64_t offset;
	int64_t timestamp;
	const uint8_t *key, *value;
	const uint8_t *headers, *headers_end;
};

struct kfk_fetch_req;
struct kfk_fsess;
struct kfk_cgrp;

struct kfk_consumer {
	struct kfk_client *client;
	struct kfk_loop *ctrl;
	const struct kfk_logger *log;
	struct kfk_evq q;
	struct kfk_cmem *mem;
	struct kfk_cgrp *group;  /* NULL without group.id (consumer/group.h) */

	/* Settings. */
	int32_t fetch_min_bytes, fetch_max_wait_ms, fetch_max_bytes;
	int32_t partition_max_bytes;
	int reset;               /* 0 earliest, 1 latest, 2 none */
	int8_t isolation;        /* 0 read_uncommitted, 1 read_committed */
	bool check_crcs, partition_eof;
	bool auto_store;         /* enable.auto.offset.store (with a group) */
	int64_t retry_backoff_us;

	/* The assignment. Written on the control loop under lock; read
	 * under lock by application threads (position, lag). */
	pthread_mutex_t lock;
	struct kfk_cpart **parts;
	int part_cnt, part_cap;

	/* Application threads (handed_lock): the partitions poll returned
	 * messages of since the poll before, each a reference. The next
	 * poll stores their positions (enable.auto.offset.store). */
	pthread_mutex_t handed_lock;
	struct kfk_cpart **handed;
	int handed_cnt, handed_cap;

	/* (ctrl) */
	struct kfk_loop_task kick_task;
	atomic_bool kick_posted;
	struct kfk_timer timer;
	int64_t timer_at;
	struct kfk_notify_sub notify;
	struct kfk_fetch_req **fetching; /* per broker: the Fetch in flight */
	int fetching_cnt, fetching_cap;
	int64_t reserved;        /* memory Fetches in flight may take */
	double expand;           /* memory per wire byte (fetcher.c) */
	struct kfk_fsess **sessions; /* one per broker fetched from */
	int session_cnt;
	int resets_in_flight;
	bool closed;

	atomic_bool closing;
	/* Counters for tests: Fetch requests sent full / incremental. */
	atomic_uint_fast64_t fetch_full, fetch_incremental;
};

/* ---- consumer_poll.c ---- */
/* Drops the handed list's references (destroy). */
void kfk_consumer_handed_clear(struct kfk_consumer *c);

/* ---- cpart.c ---- */
struct kfk_cpart *kfk_cpart_new(const char *topic, int32_t partition);
struct kfk_cpart *kfk_cpart_ref(struct kfk_cpart *p);
void kfk_cpart_unref(struct kfk_cpart *p);
/* The one place a partition's state changes, logged in `consumer`. */
void kfk_cpart_set_state(struct kfk_consumer *c, struct kfk_cpart *p,
                         enum kfk_cpart_state to);
/* The partition at (topic, partition) of the assignment, or NULL; under
 * c->lock. */
struct kfk_cpart *kfk_consumer_find(struct kfk_consumer *c, const char *topic,
                                    int32_t partition);
/* Moves p to a new position (seek, reset), dropping what was fetched from
 * the old one. (ctrl) */
void kfk_cpart_move(struct kfk_consumer *c, struct kfk_cpart *p,
                    int64_t offset);

/* Errors after which the partition waits for metadata (a new leader or
 * epoch) and is fetched again: not reported to the application. */
bool kfk_consumer_leader_error(kfk_err err);

/* ---- consumer.c ---- */
/* For tests: bytes of fetched data held now (queued or in messages). */
int64_t kfk_consumer_held_bytes(struct kfk_consumer *c);
/* For tests: Fetch requests sent so far, full and incremental (KIP-227). */
void kfk_consumer_fetch_counts(struct kfk_consumer *c, uint64_t *full,
                               uint64_t *incremental);
/* Asks for a fetch round on the control loop. Any thread. */
void kfk_consumer_kick(struct kfk_consumer *c);
/* Queues an error message for p (topic, partition, offset). Any thread. */
void kfk_consumer_error(struct kfk_consumer *c, struct kfk_cpart *p,
                        kfk_err err, int64_t offset, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* The group's changes to the assignment: adds l's partitions not
 * assigned yet (at their committed offsets), or removes those assigned.
 * Application thread. */
kfk_err kfk_consumer_group_assign(struct kfk_consumer *c, const kfk_tplist *l,
                                  bool add);
/* Arms the control loop's timer for at_us if earlier than armed. (ctrl) */
void kfk_consumer_arm(struct kfk_consumer *c, int64_t at_us);

/* ---- fetcher.c ---- */
/* One fetch round: a Fetch to each leader with fetchable partitions and
 * none in flight, within the memory bound. (ctrl) */
void kfk_fetcher_run(struct kfk_consumer *c, int64_t now_us);
/* The partition leaves any Fetch it is in: its outcome will be dropped.
 * (ctrl) */
void kfk_fetcher_forget(struct kfk_consumer *c, struct kfk_cpart *p);

/* ---- validate.c ---- */
/* After metadata: p waits in VALIDATING when its leader epoch is newer
 * than the one its position was fetched under. (ctrl, under c->lock) */
void kfk_validate_check(struct kfk_consumer *c, struct kfk_cpart *p);
/* Sends OffsetForLeaderEpoch for the partitions in VALIDATING, one
 * request per leader, or accepts them where the leader needs none. (ctrl) */
void kfk_validate_run(struct kfk_consumer *c, int64_t now_us);
/* The leader's log ends epoch at end (KIP-320): when that is below p's
 * position, what was fetched from end on is gone: reported, and reading
 * goes on from end (or the application's lower position), or waits for a
 * seek with auto.offset.reset=none. (ctrl) */
void kfk_consumer_truncated(struct kfk_consumer *c, struct kfk_cpart *p,
                            int32_t epoch, int64_t end);

/* ---- offsets.c ---- */
/* Sends ListOffsets for partitions in NEED_OFFSET whose leader is known,
 * one request per leader. (ctrl) */
void kfk_offsets_run(struct kfk_consumer *c, int64_t now_us);
/* Resolves p's position from auto.offset.reset after OFFSET_OUT_OF_RANGE
 * or for KFK_OFFSET_STORED. (ctrl) */
void kfk_offsets_reset(struct kfk_consumer *c, struct kfk_cpart *p,
                       const char *why);
/* p has no committed offset: start by auto.offset.reset (or fail with
 * none). (ctrl, under c->lock) */
void kfk_offsets_no_committed(struct kfk_consumer *c, struct kfk_cpart *p);
/* A blocking ListOffsets for one partition at timestamp ts (-1 latest,
 * -2 earliest, else a time), from an application thread. */
kfk_err kfk_offsets_query(struct kfk_consumer *c, const char *topic,
                          int32_t partition, int64_t ts, int timeout_ms,
                          int64_t *offset, int32_t *leader_epoch);

/* ---- message.c ---- */
struct kfk_cmem *kfk_cmem_new(int64_t bound);
void kfk_cmem_unref(struct kfk_cmem *m);
/* Room left under the bound (<= 0: none). */
int64_t kfk_cmem_room(struct kfk_cmem *m, int64_t reserved);
/* A set for p with room for cap messages; NULL on ENOMEM. */
struct kfk_fset *kfk_fset_new(struct kfk_cmem *mem, struct kfk_cpart *p,
                              unsigned version, int32_t cap);
/* Adds a message slot (grows the array); NULL on ENOMEM. */
struct kfk_message *kfk_fset_add(struct kfk_fset *s);
/* Gives back the message array's unused room (before the set is
 * charged and pushed). */
void kfk_fset_trim(struct kfk_fset *s);
/* Keeps a decompressed buffer with the set (freed with it); -1 ENOMEM. */
int kfk_fset_own(struct kfk_fset *s, void *buf, size_t len);
/* Charges the set's bytes (its frame and owned buffers) to its memory. */
void kfk_fset_charge(struct kfk_fset *s, int64_t frame_bytes);
/* Drops a set never pushed (with its messages). */
void kfk_fset_discard(struct kfk_fset *s);
/* The queue's release and copy functions (messages out to an array). */
void kfk_fset_release(struct kfk_ev *ev, void *arg);
void kfk_fset_copy(void *arg, const struct kfk_ev *ev, int32_t first, int n,
                   int out);

#endif /* KFK_CONSUMER_CONSUMER_INT_H */
