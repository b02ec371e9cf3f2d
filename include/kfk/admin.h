/*
 * kfk/admin.h: the admin client: topics, partitions and configs of a
 * cluster.
 *
 *     kfk_admin *a = kfk_admin_new(conf, err, sizeof(err));
 *     kfk_new_topic t = KFK_NEW_TOPIC_INIT;
 *     uint64_t id;
 *     t.name = "orders"; t.partitions = 3;
 *     kfk_admin_create_topics(a, &t, 1, NULL, &id);
 *     kfk_admin_result *r = kfk_admin_wait(a, id, 30000);
 *     if (!r || kfk_admin_result_err(r) ||
 *         kfk_admin_topic_err(kfk_admin_result_topic(r, 0)))
 *         ...;
 *     kfk_admin_result_destroy(r);
 *     kfk_admin_destroy(a);
 *
 * Every operation returns at once: KFK_ERR__INVALID_ARG for arguments it
 * can tell are wrong without asking the cluster, else KFK_ERR_NONE and an
 * id. Its result comes later on the admin client's event queue: take
 * results in any order with kfk_admin_poll() (or when kfk_admin_fd() is
 * readable), or wait for one with kfk_admin_wait(). A result is the
 * application's until kfk_admin_result_destroy().
 *
 * Errors come at two levels: the result's own (the request could not be
 * made: _TIMED_OUT, _TRANSPORT, ...) and each item's (one topic of five
 * already existing): check both.
 *
 * Requests go where Kafka wants them: topic creation, deletion and new
 * partitions to the controller (again, after a metadata refresh, on
 * NOT_CONTROLLER), descriptions to any broker. Each is retried on errors
 * that pass until the operation's timeout.
 *
 * Thread safety: every function may be called from any thread, at the same
 * time, except kfk_admin_destroy(), the last call.
 */
#ifndef KFK_ADMIN_H
#define KFK_ADMIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <kfk/common.h>
#include <kfk/conf.h>
#include <kfk/consumer.h>
#include <kfk/errors.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kfk_admin kfk_admin;

/* Creates an admin client from conf (copied; needs bootstrap.servers).
 * NULL with a message in errstr on a bad configuration. */
KFK_API kfk_admin *kfk_admin_new(const kfk_conf *conf, char *errstr,
                                 size_t errstr_size);
/* Destroys it: operations not finished end, their results are dropped.
 * Bounded in time; results the application holds stay valid. */
KFK_API void kfk_admin_destroy(kfk_admin *a);

/* Options of one operation, size-first (docs/ARCHITECTURE.md, "ABI"):
 * start from KFK_ADMIN_OPTIONS_INIT. NULL everywhere means the defaults. */
typedef struct kfk_admin_options {
	size_t size;          /* sizeof(kfk_admin_options) */
	/* How long the operation may take, retries included: its result
	 * says _TIMED_OUT after that. 0: default.api.timeout.ms. */
	int32_t timeout_ms;
	/* Where Kafka has it (create topics, new partitions): the broker
	 * checks the request and answers as if, changing nothing. */
	bool validate_only;
	void *opaque;         /* given back by kfk_admin_result_opaque() */
} kfk_admin_options;
#define KFK_ADMIN_OPTIONS_INIT { sizeof(kfk_admin_options), 0, false, NULL }

/* A topic to create, size-first: start from KFK_NEW_TOPIC_INIT. */
typedef struct kfk_new_topic {
	size_t size;          /* sizeof(kfk_new_topic) */
	const char *name;
	int32_t partitions;   /* -1: the broker's num.partitions */
	int16_t replication_factor; /* -1: default.replication.factor */
	/* config_cnt pairs of topic configs, name then value:
	 * { "retention.ms", "86400000", "cleanup.policy", "compact" } */
	const char *const *configs;
	int32_t config_cnt;
} kfk_new_topic;
#define KFK_NEW_TOPIC_INIT { sizeof(kfk_new_topic), NULL, -1, -1, NULL, 0 }

/* The operations. Each copies what it needs before returning. */
typedef enum kfk_admin_op {
	KFK_ADMIN_CREATE_TOPICS = 1,
	KFK_ADMIN_DELETE_TOPICS = 2,
	KFK_ADMIN_CREATE_PARTITIONS = 3,
	KFK_ADMIN_DESCRIBE_TOPICS = 4,
	KFK_ADMIN_DESCRIBE_TOPIC_CONFIGS = 5,
	KFK_ADMIN_LIST_GROUPS = 6,
	KFK_ADMIN_DESCRIBE_GROUPS = 7,
	KFK_ADMIN_LIST_OFFSETS = 8,
	KFK_ADMIN_ALTER_GROUP_OFFSETS = 9,
	KFK_ADMIN_DELETE_GROUPS = 10,
	KFK_ADMIN_DESCRIBE_CONFIGS = 11,
	KFK_ADMIN_ALTER_CONFIGS = 12,
	KFK_ADMIN_DELETE_RECORDS = 13,
	KFK_ADMIN_DELETE_GROUP_OFFSETS = 14,
	KFK_ADMIN_DESCRIBE_CLUSTER = 15,
	KFK_ADMIN_CREATE_ACLS = 16,
	KFK_ADMIN_DESCRIBE_ACLS = 17,
	KFK_ADMIN_DELETE_ACLS = 18,
	KFK_ADMIN_ELECT_LEADERS = 19,
	KFK_ADMIN_DESCRIBE_PRODUCERS = 20,
	KFK_ADMIN_DESCRIBE_TRANSACTIONS = 21,
	KFK_ADMIN_REPLACE_CONFIGS = 22,
} kfk_admin_op;

/* What a config belongs to (Kafka's ConfigResource types). */
typedef enum kfk_admin_resource {
	KFK_ADMIN_RESOURCE_TOPIC = 2,
	KFK_ADMIN_RESOURCE_BROKER = 4, /* named by its id: "1" */
} kfk_admin_resource;

/* Creates cnt topics (an array whose elements are topics[0].size bytes).
 * Each topic's outcome is an item of the result (TOPIC_ALREADY_EXISTS,
 * INVALID_REPLICATION_FACTOR, POLICY_VIOLATION, ...). */
KFK_API kfk_err kfk_admin_create_topics(kfk_admin *a,
                                        const kfk_new_topic *topics, int cnt,
                                        const kfk_admin_options *o,
                                        uint64_t *id);
/* Deletes topics by name (UNKNOWN_TOPIC_OR_PARTITION for one that does
 * not exist). */
KFK_API kfk_err kfk_admin_delete_topics(kfk_admin *a,
                                        const char *const *names, int cnt,
                                        const kfk_admin_options *o,
                                        uint64_t *id);
/* Grows each topic names[i] to totals[i] partitions (INVALID_PARTITIONS
 * when that is not more than it has). */
KFK_API kfk_err kfk_admin_create_partitions(kfk_admin *a,
                                            const char *const *names,
                                            const int32_t *totals, int cnt,
                                            const kfk_admin_options *o,
                                            uint64_t *id);
/* Describes topics: partitions, leaders, replicas, in-sync replicas,
 * topic ids; cnt 0 describes every topic (internal ones too: see
 * kfk_admin_topic_is_internal()). Also gives the cluster's brokers and
 * controller. */
KFK_API kfk_err kfk_admin_describe_topics(kfk_admin *a,
                                          const char *const *names, int cnt,
                                          const kfk_admin_options *o,
                                          uint64_t *id);
/* The configs of topics: every entry with its value and source. */
KFK_API kfk_err kfk_admin_describe_topic_configs(kfk_admin *a,
                                                 const char *const *names,
                                                 int cnt,
                                                 const kfk_admin_options *o,
                                                 uint64_t *id);

/* Lists the cluster's groups (ListGroups to every broker): names, states,
 * protocol types. */
KFK_API kfk_err kfk_admin_list_groups(kfk_admin *a,
                                      const kfk_admin_options *o,
                                      uint64_t *id);
/* Describes groups through their coordinators: state, protocol, members
 * and their assignments; with offsets, also the group's committed
 * offsets and, for each of those partitions and each partition assigned,
 * the end offset (the lag in one call, as kafka-consumer-groups shows
 * it). */
KFK_API kfk_err kfk_admin_describe_groups(kfk_admin *a,
                                          const char *const *names, int cnt,
                                          bool offsets,
                                          const kfk_admin_options *o,
                                          uint64_t *id);

/* Deletes groups (with their committed offsets) through their
 * coordinators; each group's outcome in the result's groups
 * (NON_EMPTY_GROUP while it has members, GROUP_ID_NOT_FOUND). */
KFK_API kfk_err kfk_admin_delete_groups(kfk_admin *a, const char *const *names,
                                        int cnt, const kfk_admin_options *o,
                                        uint64_t *id);

/* The offsets of partitions (ListOffsets to each leader): each entry's
 * offset says what to find: KFK_OFFSET_BEGINNING, KFK_OFFSET_END, or a
 * timestamp in ms (the first offset at or after it; -1 in the result when
 * none is). The result's offsets list (kfk_admin_result_offsets()) has
 * the answers and each entry's error. */
KFK_API kfk_err kfk_admin_list_offsets(kfk_admin *a, const kfk_tplist *l,
                                       const kfk_admin_options *o,
                                       uint64_t *id);
/* Commits l's offsets for group, which must have no members (Kafka
 * refuses otherwise: UNKNOWN_MEMBER_ID for each partition); each entry's
 * outcome in the result's offsets list. */
KFK_API kfk_err kfk_admin_alter_group_offsets(kfk_admin *a, const char *group,
                                              const kfk_tplist *l,
                                              const kfk_admin_options *o,
                                              uint64_t *id);

/* Replaces the dynamic configs of one topic or broker (AlterConfigs, the
 * Java client's deprecated alterConfigs): afterwards they are exactly the
 * set_cnt pairs (name, value) given, every other one back to its default
 * (set_cnt 0: all of them). The outcome is the result's one item. */
KFK_API kfk_err kfk_admin_replace_configs(kfk_admin *a,
                                          kfk_admin_resource type,
                                          const char *name,
                                          const char *const *set, int set_cnt,
                                          const kfk_admin_options *o,
                                          uint64_t *id);

/* Deletes the records of partitions before each entry's offset
 * (KFK_OFFSET_END: all of them, up to the high watermark), through each
 * partition's leader: the partition's log start moves there. Each entry
 * of the result's offsets list has its new low watermark, or its error
 * (OFFSET_OUT_OF_RANGE past the high watermark). */
KFK_API kfk_err kfk_admin_delete_records(kfk_admin *a, const kfk_tplist *l,
                                         const kfk_admin_options *o,
                                         uint64_t *id);
/* Deletes group's committed offsets of l's partitions (their offsets are
 * ignored) through its coordinator; each entry's outcome in the result's
 * offsets list (GROUP_SUBSCRIBED_TO_TOPIC while a member consumes the
 * topic; GROUP_ID_NOT_FOUND for every entry of an unknown group). */
KFK_API kfk_err kfk_admin_delete_group_offsets(kfk_admin *a,
                                               const char *group,
                                               const kfk_tplist *l,
                                               const kfk_admin_options *o,
                                               uint64_t *id);
/* The cluster: its id (kfk_admin_result_cluster_id()), brokers and
 * controller (kfk_admin_result_broker(), _controller()). */
KFK_API kfk_err kfk_admin_describe_cluster(kfk_admin *a,
                                           const kfk_admin_options *o,
                                           uint64_t *id);

/* The configs of topics or brokers (each name an item of the result,
 * read with the kfk_admin_topic accessors), with each entry's synonyms
 * (where its value comes from, strongest first). A broker's are asked of
 * that broker. */
KFK_API kfk_err kfk_admin_describe_configs(kfk_admin *a,
                                           kfk_admin_resource type,
                                           const char *const *names, int cnt,
                                           const kfk_admin_options *o,
                                           uint64_t *id);
/* Changes some configs of one topic or broker (IncrementalAlterConfigs):
 * sets set_cnt pairs (name, value) and deletes del_cnt names, leaving the
 * others as they are; the outcome is the result's one item. */
KFK_API kfk_err kfk_admin_alter_configs(kfk_admin *a, kfk_admin_resource type,
                                        const char *name,
                                        const char *const *set, int set_cnt,
                                        const char *const *del, int del_cnt,
                                        const kfk_admin_options *o,
                                        uint64_t *id);

/* Which leader an election picks. */
typedef enum kfk_election {
	KFK_ELECTION_PREFERRED = 0, /* the first replica, if it is in sync */
	KFK_ELECTION_UNCLEAN = 1,   /* any live replica when none in sync */
} kfk_election;

/* Elects leaders of l's partitions (NULL: every partition) through the
 * controller; each partition's outcome is an entry of the result's
 * offsets list (ELECTION_NOT_NEEDED when it already has the leader the
 * election would pick, PREFERRED_LEADER_NOT_AVAILABLE, ...). */
KFK_API kfk_err kfk_admin_elect_leaders(kfk_admin *a, kfk_election type,
                                        const kfk_tplist *l,
                                        const kfk_admin_options *o,
                                        uint64_t *id);
/* The producers active on l's partitions (DescribeProducers to each
 * leader): each partition's outcome in the result's offsets list, its
 * producers through kfk_admin_result_producer(). */
KFK_API kfk_err kfk_admin_describe_producers(kfk_admin *a,
                                             const kfk_tplist *l,
                                             const kfk_admin_options *o,
                                             uint64_t *id);

/* Describes transactions by transactional id, through each one's
 * transaction coordinator: state, producer id and epoch, timeout, start,
 * the partitions of the one in progress. Each id is a transaction item of
 * the result (TRANSACTIONAL_ID_NOT_FOUND for an id Kafka does not know). */
KFK_API kfk_err kfk_admin_describe_transactions(kfk_admin *a,
                                                const char *const *ids,
                                                int cnt,
                                                const kfk_admin_options *o,
                                                uint64_t *id);

/* ---- ACLs -------------------------------------------------------------- */

/* Kafka's ACL vocabulary, with its wire numbers. */
typedef enum kfk_acl_resource {
	KFK_ACL_RESOURCE_UNKNOWN = 0,
	KFK_ACL_RESOURCE_ANY = 1,       /* filters only */
	KFK_ACL_RESOURCE_TOPIC = 2,
	KFK_ACL_RESOURCE_GROUP = 3,
	KFK_ACL_RESOURCE_CLUSTER = 4,   /* named "kafka-cluster" */
	KFK_ACL_RESOURCE_TRANSACTIONAL_ID = 5,
	KFK_ACL_RESOURCE_DELEGATION_TOKEN = 6,
	KFK_ACL_RESOURCE_USER = 7,
} kfk_acl_resource;

typedef enum kfk_acl_pattern {
	KFK_ACL_PATTERN_UNKNOWN = 0,
	KFK_ACL_PATTERN_ANY = 1,        /* filters: literal or prefixed */
	KFK_ACL_PATTERN_MATCH = 2,      /* filters: what applies to a name */
	KFK_ACL_PATTERN_LITERAL = 3,    /* the name, or "*" for every one */
	KFK_ACL_PATTERN_PREFIXED = 4,   /* names that start with it */
} kfk_acl_pattern;

typedef enum kfk_acl_operation {
	KFK_ACL_OPERATION_UNKNOWN = 0,
	KFK_ACL_OPERATION_ANY = 1,      /* filters only */
	KFK_ACL_OPERATION_ALL = 2,
	KFK_ACL_OPERATION_READ = 3,
	KFK_ACL_OPERATION_WRITE = 4,
	KFK_ACL_OPERATION_CREATE = 5,
	KFK_ACL_OPERATION_DELETE = 6,
	KFK_ACL_OPERATION_ALTER = 7,
	KFK_ACL_OPERATION_DESCRIBE = 8,
	KFK_ACL_OPERATION_CLUSTER_ACTION = 9,
	KFK_ACL_OPERATION_DESCRIBE_CONFIGS = 10,
	KFK_ACL_OPERATION_ALTER_CONFIGS = 11,
	KFK_ACL_OPERATION_IDEMPOTENT_WRITE = 12,
	KFK_ACL_OPERATION_CREATE_TOKENS = 13,
	KFK_ACL_OPERATION_DESCRIBE_TOKENS = 14,
} kfk_acl_operation;

typedef enum kfk_acl_permission {
	KFK_ACL_PERMISSION_UNKNOWN = 0,
	KFK_ACL_PERMISSION_ANY = 1,     /* filters only */
	KFK_ACL_PERMISSION_DENY = 2,
	KFK_ACL_PERMISSION_ALLOW = 3,
} kfk_acl_permission;

/* An ACL (Kafka's AclBinding), or a filter of ACLs (AclBindingFilter:
 * the _ANY values and NULL strings match anything). Size-first: start
 * from KFK_ACL_INIT, a filter that matches every ACL. */
typedef struct kfk_acl {
	size_t size;                    /* sizeof(kfk_acl) */
	kfk_acl_resource resource_type;
	const char *resource_name;
	kfk_acl_pattern pattern_type;
	const char *principal;          /* "User:alice" */
	const char *host;               /* "*": every host */
	kfk_acl_operation operation;
	kfk_acl_permission permission;
} kfk_acl;
#define KFK_ACL_INIT { sizeof(kfk_acl), KFK_ACL_RESOURCE_ANY, NULL, \
                       KFK_ACL_PATTERN_ANY, NULL, NULL, \
                       KFK_ACL_OPERATION_ANY, KFK_ACL_PERMISSION_ANY }

/* Creates cnt ACLs (an array whose elements are acls[0].size bytes);
 * each one's outcome is an ACL item of the result, in the same order.
 * The broker must have an authorizer (else SECURITY_DISABLED). */
KFK_API kfk_err kfk_admin_create_acls(kfk_admin *a, const kfk_acl *acls,
                                      int cnt, const kfk_admin_options *o,
                                      uint64_t *id);
/* The ACLs filter matches, each an ACL item of the result. */
KFK_API kfk_err kfk_admin_describe_acls(kfk_admin *a, const kfk_acl *filter,
                                        const kfk_admin_options *o,
                                        uint64_t *id);
/* Deletes the ACLs each of cnt filters matches: each deleted ACL is an
 * item of the result, with the index of its filter and its own outcome; a
 * filter that failed as a whole is an item too (the filter itself, with
 * its error). */
KFK_API kfk_err kfk_admin_delete_acls(kfk_admin *a, const kfk_acl *filters,
                                      int cnt, const kfk_admin_options *o,
                                      uint64_t *id);

/* ---- results ----------------------------------------------------------- */

typedef struct kfk_admin_result kfk_admin_result;
typedef struct kfk_admin_topic kfk_admin_topic;
typedef struct kfk_admin_group kfk_admin_group;

/* The next finished operation's result, waiting up to timeout_ms (-1:
 * forever, 0: not at all); NULL when none came. */
KFK_API kfk_admin_result *kfk_admin_poll(kfk_admin *a, int timeout_ms);
/* The result of operation id, waiting up to timeout_ms (-1: forever);
 * NULL when it did not come in time (or id is unknown). Results of other
 * operations that arrive meanwhile stay for kfk_admin_poll(). */
KFK_API kfk_admin_result *kfk_admin_wait(kfk_admin *a, uint64_t id,
                                         int timeout_ms);
/* Readable while results wait (for epoll and friends). */
KFK_API int kfk_admin_fd(kfk_admin *a);

/* The client's OAUTHBEARER token source (kfk/conf.h), or NULL when it
 * does not take tokens from the application. Owned by a: valid until
 * it is destroyed. Any thread. */
KFK_API kfk_oauthbearer *kfk_admin_oauthbearer(kfk_admin *a);
KFK_API void kfk_admin_result_destroy(kfk_admin_result *r);

KFK_API kfk_admin_op kfk_admin_result_op(const kfk_admin_result *r);
KFK_API uint64_t kfk_admin_result_id(const kfk_admin_result *r);
KFK_API void *kfk_admin_result_opaque(const kfk_admin_result *r);
/* The operation's own error (items may still have theirs). */
KFK_API kfk_err kfk_admin_result_err(const kfk_admin_result *r);
KFK_API const char *kfk_admin_result_errstr(const kfk_admin_result *r);

/* The topics of the result, in the order asked (describing every topic:
 * sorted by name). Valid while the result is. */
KFK_API int kfk_admin_result_topic_count(const kfk_admin_result *r);
KFK_API const kfk_admin_topic *kfk_admin_result_topic(
	const kfk_admin_result *r, int i);

/* list_offsets, delete_records, alter_group_offsets,
 * delete_group_offsets: the partitions with their offsets and errors
 * (kfk_tplist_err()). Valid while the result is. */
KFK_API const kfk_tplist *kfk_admin_result_offsets(const kfk_admin_result *r);

/* create / describe / delete ACLs: the ACL items. Item i's ACL, valid
 * while the result is, with its outcome (*err, *errstr: NULL none) and,
 * for delete_acls, the index of the filter it came from (each out pointer
 * may be NULL). */
KFK_API int kfk_admin_result_acl_count(const kfk_admin_result *r);
KFK_API const kfk_acl *kfk_admin_result_acl(const kfk_admin_result *r, int i,
                                            kfk_err *err,
                                            const char **errstr,
                                            int *filter);

/* describe_producers: producer i of the result: its id, and (each out
 * pointer may be NULL) the offsets-list entry of its partition, its epoch,
 * the last sequence and timestamp it wrote, and the first offset of its
 * open transaction (-1: none). -1 for an i out of range. */
KFK_API int kfk_admin_result_producer_count(const kfk_admin_result *r);
KFK_API int64_t kfk_admin_result_producer(const kfk_admin_result *r, int i,
                                          int *entry, int32_t *epoch,
                                          int32_t *last_sequence,
                                          int64_t *last_timestamp,
                                          int64_t *txn_start_offset);

/* describe_transactions: the transactions, in the order asked. */
typedef struct kfk_admin_txn kfk_admin_txn;
KFK_API int kfk_admin_result_txn_count(const kfk_admin_result *r);
KFK_API const kfk_admin_txn *kfk_admin_result_txn(const kfk_admin_result *r,
                                                  int i);
KFK_API const char *kfk_admin_txn_id(const kfk_admin_txn *t);
KFK_API kfk_err kfk_admin_txn_err(const kfk_admin_txn *t);
/* The broker's message, or the error's text; "" when none. */
KFK_API const char *kfk_admin_txn_errstr(const kfk_admin_txn *t);
/* "Empty", "Ongoing", "PrepareCommit", "CompleteCommit", ... */
KFK_API const char *kfk_admin_txn_state(const kfk_admin_txn *t);
/* Its producer id, and through the pointers (each may be NULL) the epoch,
 * the transaction timeout and when the transaction started (ms since the
 * epoch; -1: none in progress). */
KFK_API int64_t kfk_admin_txn_producer(const kfk_admin_txn *t, int16_t *epoch,
                                       int32_t *timeout_ms,
                                       int64_t *start_ms);
KFK_API int32_t kfk_admin_txn_coordinator(const kfk_admin_txn *t);
/* The partitions of the transaction in progress (empty when none). */
KFK_API const kfk_tplist *kfk_admin_txn_partitions(const kfk_admin_txn *t);

/* describe_cluster: the cluster's id (NULL: the broker gave none). */
KFK_API const char *kfk_admin_result_cluster_id(const kfk_admin_result *r);

/* describe_topics, describe_cluster: the cluster's controller (-1:
 * unknown), its brokers. */
KFK_API int32_t kfk_admin_result_controller(const kfk_admin_result *r);
KFK_API int kfk_admin_result_broker_count(const kfk_admin_result *r);
/* Broker i: its id; host, port and rack (NULL: none) through the
 * pointers given (each may be NULL). */
KFK_API int32_t kfk_admin_result_broker(const kfk_admin_result *r, int i,
                                        const char **host, int32_t *port,
                                        const char **rack);

KFK_API const char *kfk_admin_topic_name(const kfk_admin_topic *t);
KFK_API kfk_err kfk_admin_topic_err(const kfk_admin_topic *t);
/* The broker's message, or the error's description; "" without error. */
KFK_API const char *kfk_admin_topic_errstr(const kfk_admin_topic *t);
/* The topic id as Kafka prints it (22 characters of URL-safe base64), or
 * "" when the broker gave none. */
KFK_API const char *kfk_admin_topic_id(const kfk_admin_topic *t);
KFK_API bool kfk_admin_topic_is_internal(const kfk_admin_topic *t);

/* describe_topics: the partitions, by index 0..count-1. */
KFK_API int kfk_admin_topic_partition_count(const kfk_admin_topic *t);
KFK_API int32_t kfk_admin_topic_partition_leader(const kfk_admin_topic *t,
                                                 int p);
/* Replica and in-sync replica broker ids of partition p: the count, the
 * array through *ids (valid while the result is). */
KFK_API int kfk_admin_topic_partition_replicas(const kfk_admin_topic *t,
                                               int p, const int32_t **ids);
KFK_API int kfk_admin_topic_partition_isr(const kfk_admin_topic *t, int p,
                                          const int32_t **ids);

/* describe_topic_configs: the topic's config entries, in the broker's
 * order. source is Kafka's ConfigSource number (1 DYNAMIC_TOPIC_CONFIG,
 * 4 STATIC_BROKER_CONFIG, 5 DEFAULT_CONFIG, ...); a sensitive entry's
 * value is NULL. */
KFK_API int kfk_admin_topic_config_count(const kfk_admin_topic *t);
KFK_API const char *kfk_admin_topic_config(const kfk_admin_topic *t, int i,
                                           const char **value, int *source,
                                           bool *read_only, bool *sensitive);
/* Entry i's synonyms (describe_configs): count, and the j-th's name, with
 * its value and source through the pointers given. */
KFK_API int kfk_admin_topic_config_synonym_count(const kfk_admin_topic *t,
                                                 int i);
KFK_API const char *kfk_admin_topic_config_synonym(const kfk_admin_topic *t,
                                                   int i, int j,
                                                   const char **value,
                                                   int *source);

/* list_groups, describe_groups: the groups, in the order asked (listed:
 * sorted by name). */
KFK_API int kfk_admin_result_group_count(const kfk_admin_result *r);
KFK_API const kfk_admin_group *kfk_admin_result_group(
	const kfk_admin_result *r, int i);
KFK_API const char *kfk_admin_group_name(const kfk_admin_group *g);
KFK_API kfk_err kfk_admin_group_err(const kfk_admin_group *g);
KFK_API const char *kfk_admin_group_errstr(const kfk_admin_group *g);
/* "Stable", "Empty", "PreparingRebalance", "CompletingRebalance", "Dead";
 * "" when unknown. */
KFK_API const char *kfk_admin_group_state(const kfk_admin_group *g);
/* "consumer" for consumer groups. */
KFK_API const char *kfk_admin_group_protocol_type(const kfk_admin_group *g);
/* The assignor in use ("range", ...); describe only. */
KFK_API const char *kfk_admin_group_protocol(const kfk_admin_group *g);
/* The coordinator's broker id (-1 unknown), and its host and port
 * through the pointers given (each may be NULL); describe only. */
KFK_API int32_t kfk_admin_group_coordinator(const kfk_admin_group *g,
                                            const char **host,
                                            int32_t *port);

/* Member i: its id; client id, host and group.instance.id (NULL: none)
 * through the pointers given. */
KFK_API int kfk_admin_group_member_count(const kfk_admin_group *g);
KFK_API const char *kfk_admin_group_member(const kfk_admin_group *g, int i,
                                           const char **client_id,
                                           const char **host,
                                           const char **instance_id);
/* The partitions assigned to member i (consumer groups): count, and the
 * j-th's topic (its partition through *partition). */
KFK_API int kfk_admin_group_member_assignment_count(const kfk_admin_group *g,
                                                    int i);
KFK_API const char *kfk_admin_group_member_assignment(
	const kfk_admin_group *g, int i, int j, int32_t *partition);

/* describe with offsets: one entry per partition committed or assigned,
 * sorted by topic and partition: its committed offset (-1: none), end
 * offset (-1: unknown) and the member it is assigned to (-1: none). */
KFK_API int kfk_admin_group_offset_count(const kfk_admin_group *g);
KFK_API const char *kfk_admin_group_offset(const kfk_admin_group *g, int i,
                                           int32_t *partition,
                                           int64_t *committed, int64_t *end,
                                           int *member);

#ifdef __cplusplus
}
#endif

#endif /* KFK_ADMIN_H */
