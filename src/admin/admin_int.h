/*
 * admin/admin_int.h: the inside of the admin client (include/kfk/admin.h),
 * shared by
 *   admin.c         the handle, the result queue, poll and wait
 *   admin_op.c      an operation's life on the control loop: which broker,
 *                   the request, retries until its deadline, the result
 *   admin_topics.c  CreateTopics, DeleteTopics, CreatePartitions
 *   admin_describe.c  Metadata (describe topics), DescribeConfigs
 *   admin_group.c   groups: ListGroups, and describing a group through its
 *                   coordinator (FindCoordinator, DescribeGroups,
 *                   OffsetFetch, then Metadata and ListOffsets for the
 *                   lag)
 *   admin_offsets.c operations on partitions, by leader (Metadata, then
 *                   ListOffsets or DeleteRecords) or by the group's
 *                   coordinator (FindCoordinator, then OffsetCommit or
 *                   OffsetDelete)
 *   admin_offsets_del.c  the DeleteRecords and OffsetDelete requests
 *   admin_acls.c    CreateAcls, DescribeAcls, DeleteAcls
 *   admin_txn.c     DescribeTransactions through each transactional
 *                   id's coordinator
 *   admin_leaders.c ElectLeaders (to the controller), DescribeProducers
 *                   (on admin_offsets.c's by-leader pipeline)
 *   admin_coord.c   FindCoordinator for both
 *   admin_result.c  results and their accessors
 *
 * Threads: an operation is built on the caller's thread, then lives on the
 * client's control loop (every request's done() runs there) until its
 * result is pushed to the queue; results are the application's from poll
 * on. Nothing but the queue is shared.
 */
#ifndef KFK_ADMIN_ADMIN_INT_H
#define KFK_ADMIN_ADMIN_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <kfk/admin.h>

#include "client/client.h"
#include "client/events.h"
#include "net/broker.h"
#include "net/loop.h"
#include "proto/buf.h"
#include "util/log.h"

struct kfk_admin_part {
	int32_t leader;
	int32_t *replicas, replica_cnt;
	int32_t *isr, isr_cnt;
};

struct kfk_admin_syn {
	char *name, *value;
	int source;
};

struct kfk_admin_cfg {
	char *name, *value;      /* value NULL: sensitive or null */
	int source;
	bool read_only, sensitive;
	struct kfk_admin_syn *syns;
	int syn_cnt;
};

/* One item of a result: a topic, and what the operation says of it. */
struct kfk_admin_topic {
	char *name;
	kfk_err err;
	char *errstr;            /* NULL: none */
	char id[23];             /* base64 of the topic id; "" none */
	bool internal;
	struct kfk_admin_part *parts;
	int part_cnt;
	struct kfk_admin_cfg *cfgs;
	int cfg_cnt;
	/* The operation's (control loop): the answer is final, or the item
	 * goes in the next attempt; what to ask for it. */
	bool done;
	int32_t want_partitions; /* create topics, create partitions */
	int16_t want_rf;
	char **want_cfgs;        /* name, value pairs */
	int32_t want_cfg_cnt;
};

/* A partition of a group's offsets. */
struct kfk_admin_gpart {
	char *topic;
	int32_t partition;
	int64_t committed, end;
	int member;              /* assigned to; -1 none */
	int32_t leader;          /* (ctrl) for the end offset */
};

struct kfk_admin_member {
	char *id, *client_id, *host, *instance_id;
	struct kfk_admin_gpart *assigned; /* topic and partition only */
	int assigned_cnt;
};

/* One group of a result; its pipeline's state (admin_group.c). */
struct kfk_admin_group {
	char *name;
	kfk_err err;
	char *errstr;
	char *state, *protocol_type, *protocol;
	int32_t coordinator;
	char *coord_host;        /* from the client's metadata */
	int32_t coord_port;
	struct kfk_admin_member *members;
	int member_cnt;
	struct kfk_admin_gpart *offsets;
	int offset_cnt;
	/* (ctrl) */
	int stage;
	int waits;               /* its requests out */
	bool done, retry;
	int64_t retry_at_us;
};

/* An ACL of a result (or asked for: a binding, a filter), owning its
 * strings. */
struct kfk_admin_acl {
	kfk_acl acl;
	char *rname, *principal, *host;
	kfk_err err;
	char *errstr;
	int filter;              /* delete_acls: which filter; else -1 */
};

/* An active producer of a partition (describe_producers). */
struct kfk_admin_producer {
	int entry;               /* in the result's offsets list */
	int64_t id, last_timestamp, txn_start_offset;
	int32_t epoch, last_sequence;
};

/* A transaction of a result (describe_transactions) and its pipeline. */
struct kfk_admin_txn {
	char *id;
	kfk_err err;
	char *errstr;
	char *state;
	int64_t producer_id, start_ms;
	int16_t epoch;
	int32_t timeout_ms, coordinator;
	kfk_tplist *parts;
	/* (ctrl) */
	int stage;
	bool out;                /* a request of it is out */
	int64_t retry_at_us;
};

struct kfk_admin_broker {
	int32_t id;
	char *host, *rack;
	int32_t port;
};

struct kfk_admin_result {
	struct kfk_ev ev;
	struct kfk_admin_result *stash_next; /* waited past (admin.c) */
	kfk_admin_op op;
	uint64_t id;
	void *opaque;
	kfk_err err;
	char *errstr;
	struct kfk_admin_topic *topics;
	int topic_cnt;
	bool all_topics;         /* describe every topic; elect leaders of
	                          * every partition */
	int32_t controller;
	struct kfk_admin_broker *brokers;
	int broker_cnt;
	struct kfk_admin_group *groups;
	int group_cnt;
	bool with_offsets;       /* describe_groups */
	kfk_tplist *offsets;     /* list_offsets, delete_records, alter and
	                          * delete_group_offsets */
	char *group;             /* alter and delete_group_offsets */
	char *cluster_id;        /* describe_cluster */
	struct kfk_admin_acl *acls; /* the ACL items */
	int acl_cnt, acl_cap;
	struct kfk_admin_acl *want; /* (ctrl) ACLs to create, or filters */
	int want_cnt;
	struct kfk_admin_producer *producers; /* describe_producers */
	int producer_cnt, producer_cap;
	int8_t election;         /* (ctrl) elect_leaders */
	struct kfk_admin_txn *txns; /* describe_transactions */
	int txn_cnt;
	int32_t *leaders;        /* (ctrl) list_offsets: per entry, its
	                          * leader and what was asked */
	int64_t *asks;
	int stage;               /* (ctrl) */
	int32_t coordinator;     /* (ctrl) alter_group_offsets */
};

struct kfk_admin {
	struct kfk_client *client;
	struct kfk_loop *ctrl;
	const struct kfk_logger *log;
	struct kfk_evq q;
	atomic_uint_fast64_t next_id;
	int32_t api_timeout_ms;
	int64_t retry_backoff_us;
	/* Results kfk_admin_wait() took while waiting for another one. */
	pthread_mutex_t stash_lock;
	struct kfk_admin_result *stash;
	/* (ctrl) operations not finished, freed at destroy */
	struct kfk_admin_opx *ops;
	bool closed;
	/* (ctrl) Until the first metadata names the brokers nothing is
	 * sent: a bootstrap broker goes away when it does, and a request
	 * on it would end with its outcome unknown (a topic created, or
	 * not). Operations wait here, sent on the notification. */
	struct kfk_notify_sub md_sub;
	bool md_known;
};

/* What each kind of operation does (admin_topics.c, admin_describe.c). */
struct kfk_admin_kind {
	int16_t api_key, min_version;
	bool to_controller;      /* else any broker */
	kfk_req_encode_fn *encode;
	/* Writes the response into the items; returns the request-level
	 * error, if any (KFK_ERR__MALFORMED when it does not decode). */
	kfk_err (*parse)(struct kfk_admin_opx *o, kfk_rbuf *body,
	                 int16_t version);
	/* Kinds of several requests drive themselves (admin_group.c):
	 * start once metadata is known, tick on o->retry. */
	void (*start)(struct kfk_admin_opx *o);
	kfk_timer_cb *tick;
};

/* A request of an operation that makes several (admin_group.c). */
struct kfk_admin_sub;
typedef void kfk_admin_sub_fn(struct kfk_admin_sub *s, kfk_err err,
                              kfk_rbuf *body, int16_t version);
struct kfk_admin_sub {
	struct kfk_req req;
	struct kfk_admin_opx *o;
	kfk_admin_sub_fn *done;
	int gi;                  /* the group it is for */
	int32_t node;
	void *arg;
};

/* An operation in flight (control loop). */
struct kfk_admin_opx {
	struct kfk_admin_opx *next;
	struct kfk_admin *a;
	const struct kfk_admin_kind *kind;
	struct kfk_admin_result *res;
	bool validate_only;
	int64_t deadline_us;
	int32_t timeout_ms;
	struct kfk_req req;
	struct kfk_timer retry;
	struct kfk_loop_task start;
	bool waits_md;           /* sent once metadata names the brokers */
	int32_t node;            /* the broker to ask; -1: as the kind says */
	int8_t resource_type;    /* configs */
	int subs_out;            /* kfk_admin_sub requests out */
};

/* ---- admin_op.c ---- */
/* Starts o on the control loop (any thread); its result comes on the
 * queue, whatever happens. */
void kfk_admin_op_start(struct kfk_admin_opx *o);
/* A new operation of kind with n topic items named names (copied), its
 * options applied; NULL out of memory. */
struct kfk_admin_opx *kfk_admin_op_new(struct kfk_admin *a,
                                       const struct kfk_admin_kind *kind,
                                       kfk_admin_op op, int n,
                                       const kfk_admin_options *opts);
void kfk_admin_op_free(struct kfk_admin_opx *o);
/* Names items 0..cnt-1 (copied); KFK_ERR__INVALID_ARG for an empty or
 * missing name. */
kfk_err kfk_admin_names_in(struct kfk_admin_opx *o, const char *const *names,
                           int cnt);
/* The end of every public operation: err (what checking its arguments
 * found) frees o and is returned; else o starts and *id names it. */
kfk_err kfk_admin_op_go(struct kfk_admin_opx *o, kfk_err err, uint64_t *id);
/* Metadata changed: operations that waited for it are sent. (ctrl) */
void kfk_admin_on_metadata(void *arg, unsigned events);
/* Whether an item's error passes by itself (then the item goes again). */
bool kfk_admin_retriable(kfk_err err);
/* Sets item t's outcome (errstr copied; NULL: none). */
void kfk_admin_item_set(struct kfk_admin_topic *t, kfk_err err,
                        struct kfk_str msg);
/* The item named name among those not done, or NULL. */
struct kfk_admin_topic *kfk_admin_item_find(struct kfk_admin_opx *o,
                                            struct kfk_str name);

/* Sends a request of o to broker node (-1: any), encoded by enc with the
 * sub as req->opaque; done(sub, ...) runs on the control loop, then the
 * sub is freed. false when no broker is known. */
bool kfk_admin_sub_send(struct kfk_admin_opx *o, int32_t node, int16_t api,
                        int16_t min_version, kfk_req_encode_fn *enc,
                        kfk_admin_sub_fn *done, int gi, void *arg);
/* The result goes to the queue; o is freed (no request of it out). */
void kfk_admin_finish(struct kfk_admin_opx *o, kfk_err err);

/* ---- admin_offsets.c: the pipelines of operations on partitions ---- */
/* An entry not answered yet; what it says if no answer comes. */
#define KFK_ADMIN_OPEN KFK_ERR__TIMED_OUT
/* Whether an entry's (or a request's) error passes by itself: a leader or
 * coordinator that moved, a lost connection. */
bool kfk_admin_offsets_passes(kfk_err err);
/* The entry of l for topic / partition (an answer's names are not
 * NUL-terminated), or -1. */
int kfk_admin_offsets_find(const kfk_tplist *l, struct kfk_str topic,
                           int32_t partition);
/* The operation's copy of l (its result's offsets list), sorted by topic
 * (requests name a topic's partitions together); KFK_ERR__INVALID_ARG for
 * an entry without a topic or with a negative partition. */
kfk_err kfk_admin_offsets_take(struct kfk_admin_opx *o, const kfk_tplist *l);
/* An answer's partition: -1 when it is no open entry of l, or its error
 * passes (then *again is set); else the entry's index, its error set to
 * code (the caller fills the rest). */
int kfk_admin_offsets_answer(kfk_tplist *l, struct kfk_str topic,
                             int32_t partition, int16_t code, bool *again);
/* The entries a request of s asks about (open; of its leader when the
 * operation goes by leader), by topic: entry idx[j] for j in [0, n);
 * topic k's run is [start[k], start[k + 1]); with zeroed room for the
 * request's topics (tsize bytes each) and partitions (psize each). */
struct kfk_admin_asked {
	int n, nt;
	int *idx, *start;
	void *topics, *parts;
};
kfk_err kfk_admin_offsets_asked(const struct kfk_admin_sub *s,
                                struct kfk_admin_asked *a, size_t tsize,
                                size_t psize);
void kfk_admin_asked_free(struct kfk_admin_asked *a);
/* The end of an answer from a leader or a coordinator: the entries it is
 * about that are still open get err when it does not pass, else (err, or
 * `again`: some passing error, some left out) they go round again after
 * the backoff; then the pipeline moves on. */
void kfk_admin_offsets_settle(struct kfk_admin_sub *s, kfk_err err,
                              bool again);

/* ---- admin_leaders.c ---- */
kfk_err kfk_admin_dp_encode(struct kfk_req *req, kfk_wbuf *w, int16_t version);
void kfk_admin_dp_done(struct kfk_admin_sub *s, kfk_err err, kfk_rbuf *body,
                       int16_t version);

/* ---- admin_offsets_del.c ---- */
kfk_err kfk_admin_dr_encode(struct kfk_req *req, kfk_wbuf *w, int16_t version);
void kfk_admin_dr_done(struct kfk_admin_sub *s, kfk_err err, kfk_rbuf *body,
                       int16_t version);
kfk_err kfk_admin_od_encode(struct kfk_req *req, kfk_wbuf *w, int16_t version);
void kfk_admin_od_done(struct kfk_admin_sub *s, kfk_err err, kfk_rbuf *body,
                       int16_t version);

/* ---- admin_txn.c ---- */
void kfk_admin_txn_clear(struct kfk_admin_txn *t);

/* ---- admin_acls.c ---- */
void kfk_admin_acl_clear(struct kfk_admin_acl *x);

/* ---- admin_coord.c ---- */
/* FindCoordinator for the group named by the sub's arg. */
kfk_err kfk_admin_fc_encode(struct kfk_req *req, kfk_wbuf *w,
                            int16_t version);
/* The same for the transactional id that is the sub's arg. */
kfk_err kfk_admin_fc_txn_encode(struct kfk_req *req, kfk_wbuf *w,
                                int16_t version);
/* Its answer: the coordinator's node id into *node, or the error (err
 * when the request failed) with the broker's message in *msg (malloc'd,
 * NULL: none). */
kfk_err kfk_admin_fc_parse(kfk_err err, kfk_rbuf *body, int16_t version,
                           int32_t *node, char **msg);

/* ---- admin_result.c ---- */
struct kfk_admin_result *kfk_admin_result_new(kfk_admin_op op, int n);
void kfk_admin_topic_clear(struct kfk_admin_topic *t);
/* Kafka's text form of a topic id: URL-safe base64, no padding. */
void kfk_admin_uuid_str(const struct kfk_uuid *u, char out[23]);

/* ---- admin.c ---- */
/* Queues the result towards the application. Any thread. */
void kfk_admin_push(struct kfk_admin *a, struct kfk_admin_result *r);

/* ---- the kinds ---- */
extern const struct kfk_admin_kind kfk_admin_create_topics_kind;
extern const struct kfk_admin_kind kfk_admin_delete_topics_kind;
extern const struct kfk_admin_kind kfk_admin_create_partitions_kind;
extern const struct kfk_admin_kind kfk_admin_metadata_kind;
extern const struct kfk_admin_kind kfk_admin_describe_configs_kind;
extern const struct kfk_admin_kind kfk_admin_list_groups_kind;
extern const struct kfk_admin_kind kfk_admin_describe_groups_kind;
extern const struct kfk_admin_kind kfk_admin_list_offsets_kind;
extern const struct kfk_admin_kind kfk_admin_alter_configs_kind;
extern const struct kfk_admin_kind kfk_admin_alter_offsets_kind;

#endif /* KFK_ADMIN_ADMIN_INT_H */
