/*
 * kfk/consumer.h: the consumer, with partitions the application assigns.
 *
 *     kfk_conf *conf = kfk_conf_new();
 *     kfk_conf_set(conf, "bootstrap.servers", "localhost:9092", err, sizeof(err));
 *     kfk_conf_set(conf, "auto.offset.reset", "earliest", err, sizeof(err));
 *     kfk_consumer *c = kfk_consumer_new(conf, err, sizeof(err));
 *     kfk_conf_destroy(conf);
 *     kfk_tplist *l = kfk_tplist_new(1);
 *     kfk_tplist_add(l, "teste", 0, KFK_OFFSET_BEGINNING);
 *     kfk_consumer_assign(c, l);
 *     kfk_tplist_destroy(l);
 *     for (;;) {
 *         kfk_message *m = kfk_consumer_poll(c, 1000);
 *         if (!m) continue;                         (nothing in 1 s)
 *         if (!kfk_message_err(m)) use(kfk_message_value(m, &len));
 *         kfk_message_destroy(m);
 *     }
 *     kfk_consumer_close(c);
 *     kfk_consumer_destroy(c);
 *
 * Fetching runs on kfk's I/O threads, ahead of the application, into
 * memory bounded by one property, `fetch.buffer.memory` (whatever the
 * number of partitions): once that much fetched data is waiting in the
 * consumer or held by the application's messages, kfk stops fetching until
 * messages are destroyed.
 *
 * Messages. A kfk_message is a view into the fetched response it came in:
 * key, value and headers are not copied. A message is the application's
 * from poll until kfk_message_destroy(), which may be called on any thread,
 * in any order; the bytes stay valid until then (the response's memory is
 * given back when its last message goes, and counts against
 * fetch.buffer.memory until then: keeping messages long stalls fetching).
 *
 * Positions. Each assigned partition has a position: the offset of the
 * next message poll will return. assign() sets it (an offset, or
 * KFK_OFFSET_BEGINNING / _END / _STORED, the last resolved through
 * `auto.offset.reset` until groups bring committed offsets); poll advances
 * it past each message it returns; seek() moves it, and messages fetched
 * from the old position are dropped, never returned.
 *
 * Errors come as messages too: kfk_message_err() is non-zero and topic
 * and partition say where (KFK_ERR__PARTITION_EOF with
 * enable.partition.eof, KFK_ERR__AUTO_OFFSET_RESET when the position is
 * out of range and auto.offset.reset is none, a partition's fetch error
 * that will not go away by itself, KFK_ERR__UNKNOWN_TOPIC or
 * KFK_ERR__UNKNOWN_PARTITION once when metadata says the assigned topic
 * or partition does not exist (the partition is fetched if it appears)).
 *
 * Thread safety: every function may be called from any thread, at the same
 * time, except kfk_consumer_destroy(), the last call. Polls from several
 * threads at once each get different messages.
 */
#ifndef KFK_CONSUMER_H
#define KFK_CONSUMER_H

#include <kfk/common.h>
#include <kfk/conf.h>
#include <kfk/errors.h>

KFK_BEGIN_DECLS

/* A consumer (opaque). */
typedef struct kfk_consumer kfk_consumer;

/* A message or an error (opaque; see above). */
typedef struct kfk_message kfk_message;

/* Logical offsets. */
#define KFK_OFFSET_BEGINNING (-2) /* the earliest offset still in the log */
#define KFK_OFFSET_END (-1)       /* the offset the next record will get */
#define KFK_OFFSET_STORED (-1000) /* the committed offset; without one (or
                                   * without a group), auto.offset.reset */
#define KFK_OFFSET_INVALID (-1001)
/* KFK_OFFSET_TAIL(n): n records before the end. */
#define KFK_OFFSET_TAIL_BASE (-2000)
#define KFK_OFFSET_TAIL(n) (KFK_OFFSET_TAIL_BASE - (int64_t)(n))

/* ---- topic-partition lists (assign, positions, offsets, commits) ---- */

/* A list of (topic, partition, offset) with a per-entry error and leader
 * epoch; kfk copies topic names in. Opaque; read and write it with the
 * functions below (indexes from 0). */
typedef struct kfk_tplist kfk_tplist;

KFK_API kfk_tplist *kfk_tplist_new(int capacity);
KFK_API void kfk_tplist_destroy(kfk_tplist *l);
KFK_API kfk_tplist *kfk_tplist_copy(const kfk_tplist *l);
/* Appends an entry; returns its index, or -1 (out of memory, empty topic,
 * negative partition). */
KFK_API int kfk_tplist_add(kfk_tplist *l, const char *topic,
                           int32_t partition, int64_t offset);
/* The index of (topic, partition), or -1. */
KFK_API int kfk_tplist_find(const kfk_tplist *l, const char *topic,
                            int32_t partition);
KFK_API int kfk_tplist_count(const kfk_tplist *l);
KFK_API const char *kfk_tplist_topic(const kfk_tplist *l, int i);
KFK_API int32_t kfk_tplist_partition(const kfk_tplist *l, int i);
KFK_API int64_t kfk_tplist_offset(const kfk_tplist *l, int i);
KFK_API void kfk_tplist_set_offset(kfk_tplist *l, int i, int64_t offset);
KFK_API kfk_err kfk_tplist_err(const kfk_tplist *l, int i);
KFK_API void kfk_tplist_set_err(kfk_tplist *l, int i, kfk_err err);
/* The leader epoch that goes with the offset; -1: unknown. */
KFK_API int32_t kfk_tplist_leader_epoch(const kfk_tplist *l, int i);
KFK_API void kfk_tplist_set_leader_epoch(kfk_tplist *l, int i, int32_t epoch);
/* The metadata string committed with the offset; NULL: none. Set copies
 * it (NULL clears); KFK_ERR__NO_MEMORY, or _INVALID_ARG for a bad index. */
KFK_API const char *kfk_tplist_metadata(const kfk_tplist *l, int i);
KFK_API kfk_err kfk_tplist_set_metadata(kfk_tplist *l, int i,
                                        const char *metadata);

/* ---- the consumer ------------------------------------------------------ */

/* Creates a consumer from conf (copied). NULL with a message in errstr on
 * a bad configuration. */
KFK_API kfk_consumer *kfk_consumer_new(const kfk_conf *conf, char *errstr,
                                       size_t errstr_size);

/* Replaces the assignment with l (NULL or empty: nothing): partitions no
 * longer in it stop at once (their waiting messages are dropped), new ones
 * start at their entry's offset, and partitions in both keep their
 * position unless the entry gives an offset other than
 * KFK_OFFSET_INVALID. */
KFK_API kfk_err kfk_consumer_assign(kfk_consumer *c, const kfk_tplist *l);
/* Adds l's partitions (KFK_ERR__CONFLICT if one is assigned already,
 * nothing changed then) / removes them (KFK_ERR__UNKNOWN_PARTITION if one
 * is not assigned). */
KFK_API kfk_err kfk_consumer_incremental_assign(kfk_consumer *c,
                                                const kfk_tplist *l);
KFK_API kfk_err kfk_consumer_incremental_unassign(kfk_consumer *c,
                                                  const kfk_tplist *l);
KFK_API kfk_err kfk_consumer_unassign(kfk_consumer *c);
/* A new list of the assigned partitions with their positions. */
KFK_API kfk_err kfk_consumer_assignment(kfk_consumer *c, kfk_tplist **out);

/* The next message or error, waiting up to timeout_ms (-1: forever; 0:
 * never blocks, and takes no lock nor makes a system call when nothing
 * waits). NULL when none came in time. Destroy it with
 * kfk_message_destroy(). */
KFK_API kfk_message *kfk_consumer_poll(kfk_consumer *c, int timeout_ms);
/* Up to max messages into out[], waiting up to timeout_ms for the first;
 * returns how many. */
KFK_API int kfk_consumer_poll_batch(kfk_consumer *c, kfk_message **out,
                                    int max, int timeout_ms);
/* Readable while messages wait (for epoll, libuv, Go and Python loops);
 * owned by the consumer. */
KFK_API int kfk_consumer_fd(kfk_consumer *c);

/* The client's OAUTHBEARER token source (kfk/conf.h), or NULL when it
 * does not take tokens from the application. Owned by c: valid until
 * it is destroyed. Any thread. */
KFK_API kfk_oauthbearer *kfk_consumer_oauthbearer(kfk_consumer *c);

/* Moves the position of an assigned partition (an offset, or
 * KFK_OFFSET_BEGINNING / _END / KFK_OFFSET_TAIL(n)). Messages of that
 * partition fetched earlier are dropped; the next poll returns the record
 * at the new position. */
KFK_API kfk_err kfk_consumer_seek(kfk_consumer *c, const char *topic,
                                  int32_t partition, int64_t offset);
/* Fills each entry's offset with the partition's position (the offset of
 * the next message poll returns; KFK_OFFSET_INVALID while unknown), or
 * sets its error to KFK_ERR__UNKNOWN_PARTITION when not assigned. */
KFK_API kfk_err kfk_consumer_position(kfk_consumer *c, kfk_tplist *l);
/* Stops / restarts fetching l's partitions; messages already fetched for
 * a paused partition stay queued. Per-entry errors as position(). */
KFK_API kfk_err kfk_consumer_pause(kfk_consumer *c, kfk_tplist *l);
KFK_API kfk_err kfk_consumer_resume(kfk_consumer *c, kfk_tplist *l);

/* The number of partitions of topic, from the cluster's metadata (asked
 * for when not known yet), waiting up to timeout_ms.
 * KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION when the cluster has no such topic,
 * KFK_ERR__TIMED_OUT when no answer came in time. */
KFK_API kfk_err kfk_consumer_partition_count(kfk_consumer *c,
                                             const char *topic,
                                             int32_t *count, int timeout_ms);

/* Asks the leader for a partition's low and high watermarks (log start
 * and end offsets), waiting up to timeout_ms. */
KFK_API kfk_err kfk_consumer_query_watermarks(kfk_consumer *c,
                                              const char *topic,
                                              int32_t partition, int64_t *low,
                                              int64_t *high, int timeout_ms);
/* The watermarks of an assigned partition as of its last fetch response
 * (-1 when none came yet); never blocks. */
KFK_API kfk_err kfk_consumer_get_watermarks(kfk_consumer *c,
                                            const char *topic,
                                            int32_t partition, int64_t *low,
                                            int64_t *high);
/* Records between the position and the high watermark of an assigned
 * partition (-1 when either is unknown). */
KFK_API int64_t kfk_consumer_lag(kfk_consumer *c, const char *topic,
                                 int32_t partition);
/* For each entry, whose offset holds a timestamp (ms since the epoch):
 * the earliest offset whose timestamp is at or after it (the end offset
 * when there is none), with its leader epoch; per-entry errors. Waits up
 * to timeout_ms. */
KFK_API kfk_err kfk_consumer_offsets_for_times(kfk_consumer *c, kfk_tplist *l,
                                               int timeout_ms);

/* ---- consumer groups ------------------------------------------------- */

/* What a rebalance did to this member's assignment. */
typedef enum kfk_rebalance_type {
	KFK_REBALANCE_ASSIGNED = 1, /* partitions added (eager: the whole new
	                             * assignment) */
	KFK_REBALANCE_REVOKED = 2,  /* partitions taken away in order: their
	                             * progress may be committed now */
	KFK_REBALANCE_LOST = 3      /* partitions the member no longer owns
	                             * (it was removed from the group):
	                             * committing them would fail */
} kfk_rebalance_type;

/* Told of a rebalance, on the thread that polls, inside poll (or
 * poll_batch, or close), before the change takes effect for REVOKED and
 * LOST and after it for ASSIGNED, as the Java client's
 * ConsumerRebalanceListener is. parts is valid during the call. The
 * callback may commit (revoked partitions can still be committed during
 * REVOKED), seek (an ASSIGNED partition), pause, and read positions; it
 * must not call subscribe, assign or close. ASSIGNED is called after each
 * rebalance, even with an empty list (cooperative protocol). */
typedef void kfk_rebalance_cb(kfk_consumer *c, kfk_rebalance_type type,
                              const kfk_tplist *parts, void *opaque);

/* Joins the group named by group.id, subscribed to topics: names, or
 * regular expressions (POSIX extended) when the name starts with '^',
 * matched against the cluster's topics as they come and go. Replaces any
 * previous subscription. The group gives this member its partitions; each
 * starts at its committed offset, or by auto.offset.reset when it has
 * none. cb (may be NULL) is told of each change. Membership (heartbeats,
 * rebalances) runs on kfk's threads; the application must poll at least
 * every max.poll.interval.ms. KFK_ERR__INVALID_ARG without group.id or
 * topics; KFK_ERR__STATE after a manual assign() that is still in force. */
KFK_API kfk_err kfk_consumer_subscribe(kfk_consumer *c,
                                       const char *const *topics, int cnt,
                                       kfk_rebalance_cb *cb, void *opaque);
/* Leaves the group (committing first with enable.auto.commit); the
 * assignment becomes empty. */
KFK_API kfk_err kfk_consumer_unsubscribe(kfk_consumer *c);

/* Records that the application has processed up to (not including) each
 * entry's offset: what the next commit of positions commits. Offsets are
 * stored automatically by poll unless enable.auto.offset.store=false.
 * KFK_ERR__UNKNOWN_PARTITION on entries not assigned. */
KFK_API kfk_err kfk_consumer_store_offsets(kfk_consumer *c, kfk_tplist *l);
/* store_offsets() of one message: its offset + 1. */
KFK_API kfk_err kfk_consumer_store_message(kfk_consumer *c,
                                           const kfk_message *m);

/* Commits offsets (with their leader epoch and metadata) for the group,
 * waiting for the coordinator's answer up to timeout_ms (-1:
 * default.api.timeout.ms); retriable errors are retried within that time.
 * offsets NULL: the stored offsets of every assigned partition that moved
 * since its last commit. Per-entry errors are set on offsets; the return
 * is the first of them, or the request's error. */
KFK_API kfk_err kfk_consumer_commit(kfk_consumer *c, kfk_tplist *offsets,
                                    int timeout_ms);

/* A commit's outcome: err and per-entry errors in offsets (valid during
 * the call). Called inside poll on the polling thread. */
typedef void kfk_commit_cb(kfk_consumer *c, kfk_err err,
                           const kfk_tplist *offsets, void *opaque);
/* commit() without waiting: cb (may be NULL) is told the outcome inside a
 * later poll. Not retried (a later commit supersedes it), as in Java.
 * Returns an error only for bad arguments or a closed consumer. */
KFK_API kfk_err kfk_consumer_commit_async(kfk_consumer *c,
                                          const kfk_tplist *offsets,
                                          kfk_commit_cb *cb, void *opaque);

/* Fills each entry with the group's committed offset (KFK_OFFSET_INVALID
 * when none), its leader epoch and metadata, waiting up to timeout_ms. */
KFK_API kfk_err kfk_consumer_committed(kfk_consumer *c, kfk_tplist *l,
                                       int timeout_ms);

/* This member's id in the group, copied into buf ("" before it joined).
 * Returns the length it needs (as snprintf). */
KFK_API int kfk_consumer_member_id(kfk_consumer *c, char *buf, size_t size);

/* Stops fetching; in a group, commits (enable.auto.commit), tells the
 * rebalance callback of the revocation and leaves the group (a static
 * member stays, to come back within session.timeout.ms), bounded by
 * default.api.timeout.ms; then drops what waits. Polls after it return
 * NULL. Call it from the thread that polls. */
KFK_API kfk_err kfk_consumer_close(kfk_consumer *c);
/* Frees the consumer (closing it first if needed). Messages the
 * application still holds stay valid until it destroys them. */
KFK_API void kfk_consumer_destroy(kfk_consumer *c);

/* ---- messages ------------------------------------------------------- */

/* What a message's timestamp is. */
enum kfk_timestamp_type {
	KFK_TIMESTAMP_NONE = 0,
	KFK_TIMESTAMP_CREATE_TIME = 1,
	KFK_TIMESTAMP_LOG_APPEND_TIME = 2
};

/* KFK_ERR_NONE for a record; else the error this message reports. */
KFK_API kfk_err kfk_message_err(const kfk_message *m);
/* A sentence about the error ("" for a record). */
KFK_API const char *kfk_message_errstr(const kfk_message *m);
KFK_API const char *kfk_message_topic(const kfk_message *m);
KFK_API int32_t kfk_message_partition(const kfk_message *m);
KFK_API int64_t kfk_message_offset(const kfk_message *m);
/* Key and value: NULL for null (distinct from empty: non-NULL, 0). */
KFK_API const void *kfk_message_key(const kfk_message *m, size_t *len);
KFK_API const void *kfk_message_value(const kfk_message *m, size_t *len);
KFK_API int64_t kfk_message_timestamp(const kfk_message *m,
                                      enum kfk_timestamp_type *type);
KFK_API int32_t kfk_message_leader_epoch(const kfk_message *m);
KFK_API size_t kfk_message_header_count(const kfk_message *m);
/* Header i (0-based): its key (not NUL-terminated, key_len bytes) and
 * value (NULL for a null value). KFK_ERR__NOENT past the last. */
KFK_API kfk_err kfk_message_header(const kfk_message *m, size_t i,
                                   const char **key, size_t *key_len,
                                   const void **value, size_t *value_len);
KFK_API void kfk_message_destroy(kfk_message *m);

KFK_END_DECLS

#endif /* KFK_CONSUMER_H */
