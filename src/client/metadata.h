/*
 * client/metadata.h: the client's view of the cluster, as immutable,
 * reference-counted snapshots.
 *
 * The control loop builds a new snapshot from every Metadata response and
 * swaps it in; readers on any thread take a reference to the current one and
 * read it without locks for as long as they hold it (the producer's
 * partitioner, the sender looking up leaders, the tests). A snapshot never
 * changes after it is published.
 *
 * Merging a response into the previous snapshot keeps leader epochs from
 * going backwards: a partition whose new leader epoch is older than the one
 * already known keeps its known leader and epoch (the response came from a
 * broker with stale metadata). Brokers missing from a response are dropped;
 * topics not asked about are kept until metadata.max.age.ms has passed
 * since they were last seen.
 *
 * Building (kfk_metadata_build) is a pure function of the previous
 * snapshot and a decoded response, so it is tested without any network.
 * Each snapshot keeps all its arrays and strings in one arena of its own,
 * freed at once by the last unref.
 */
#ifndef KFK_CLIENT_METADATA_H
#define KFK_CLIENT_METADATA_H

#include <stdbool.h>
#include <stdint.h>

#include <kfk/errors.h>

struct kfk_metadata_response; /* proto/gen/metadata.h */

struct kfk_md_broker {
	int32_t id;
	char *host;
	int32_t port;
	char *rack;                /* NULL when unknown */
};

struct kfk_md_partition {
	int32_t id;
	kfk_err err;               /* the partition's error in the response;
	                            * KFK_ERR__UNKNOWN_PARTITION for an id the
	                            * response skipped (a hole) */
	int32_t leader;            /* node id; -1: no leader */
	int32_t leader_epoch;      /* -1: unknown (Metadata < v7) */
	int32_t *replicas, replica_cnt;
	int32_t *isr, isr_cnt;
};

struct kfk_md_topic {
	char *name;
	kfk_err err;               /* e.g. UNKNOWN_TOPIC_OR_PARTITION; a topic
	                            * with an error has no partitions (as in the
	                            * Java client) */
	int is_internal;
	struct kfk_md_partition *partitions; /* sorted by id, dense 0..cnt-1 */
	int32_t partition_cnt;
	int64_t seen_ms;           /* when a response last listed it */
};

struct kfk_metadata {
	uint64_t version;          /* 0: the empty snapshot before any response;
	                            * 1 for the first response, +1 per swap */
	int64_t received_ms;       /* monotonic ms of the response (0: none) */
	char *cluster_id;          /* NULL before Metadata v2 */
	int32_t controller_id;     /* -1: unknown */
	struct kfk_md_broker *brokers; /* sorted by id */
	int32_t broker_cnt;
	struct kfk_md_topic *topics;   /* sorted by name (strcmp) */
	int32_t topic_cnt;
	/* private: the reference count (atomic) */
	int refcnt;
};

/* Reference counting; any thread. unref(NULL) is a no-op; the last unref
 * frees the snapshot. */
struct kfk_metadata *kfk_metadata_ref(struct kfk_metadata *md);
void kfk_metadata_unref(struct kfk_metadata *md);

/* A new empty snapshot (version 0, no brokers, no topics, controller -1)
 * with one reference for the caller, or NULL when out of memory. */
struct kfk_metadata *kfk_metadata_new_empty(void);

/* Lookups by binary search; NULL when absent. Pure. */
const struct kfk_md_topic *kfk_metadata_topic(const struct kfk_metadata *md,
                                              const char *name);
const struct kfk_md_broker *kfk_metadata_broker(const struct kfk_metadata *md,
                                                int32_t id);

/* The partition of a topic, or NULL (unknown topic or partition). Pure. */
const struct kfk_md_partition *
kfk_metadata_partition(const struct kfk_metadata *md, const char *topic,
                       int32_t partition);

/* The leader of topic/partition, or -1 (unknown topic, partition or
 * leader). */
int32_t kfk_metadata_leader(const struct kfk_metadata *md, const char *topic,
                            int32_t partition);

/* 1 when md is older than max_age_ms at now_ms (or has never been filled
 * from a response), so that it should be refreshed before it is trusted.
 * max_age_ms <= 0 makes every snapshot stale. Pure. */
int kfk_metadata_is_stale(const struct kfk_metadata *md, int64_t now_ms,
                          int64_t max_age_ms);

/* 1 for the errors that mean the client's metadata is out of date, so that
 * a refresh (kfk_client_metadata_refresh) should follow:
 * NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION, LEADER_NOT_AVAILABLE,
 * REPLICA_NOT_AVAILABLE, KAFKA_STORAGE_ERROR, FENCED_LEADER_EPOCH,
 * UNKNOWN_TOPIC_ID, INCONSISTENT_TOPIC_ID (Java's InvalidMetadataException
 * family) and kfk's _UNKNOWN_PARTITION. Pure. */
int kfk_metadata_err_is_stale(kfk_err err);

/* What kfk_metadata_build() noticed, for logs and for the refresh logic. */
struct kfk_md_build_info {
	/* Topics and partitions of the response whose error (or missing
	 * leader) calls for an early refresh (kfk_metadata_err_is_stale). */
	int32_t stale;
	/* Partitions whose response carried an older leader epoch than the
	 * one known: they kept the known leader. */
	int32_t epochs_kept;
	/* Topics of prev dropped: deleted (all_topics) or too old. */
	int32_t topics_dropped;
};

/*
 * Builds the snapshot that follows prev (NULL or an empty snapshot before
 * the first response) from a decoded Metadata response:
 *  - brokers, cluster id and controller: the response's, as they are;
 *  - every topic the response names, with its partitions made dense and
 *    sorted, each partition keeping prev's leader, epoch and replicas when
 *    the response's leader epoch is older than prev's (both known);
 *  - the topics of prev that the response does not name: dropped when
 *    all_topics (the request asked for every topic, so they are gone),
 *    else kept while now_ms - seen_ms < max_age_ms.
 * The result has version prev->version + 1 (1 without prev), received_ms
 * now_ms, and one reference for the caller. info may be NULL. Returns 0,
 * or KFK_ERR__NO_MEMORY (nothing built) or KFK_ERR__MALFORMED (a response
 * without brokers, which no broker sends: it is ignored). Pure apart from
 * malloc; prev and resp are only read.
 */
kfk_err kfk_metadata_build(const struct kfk_metadata *prev,
                           const struct kfk_metadata_response *resp,
                           bool all_topics, int64_t now_ms,
                           int64_t max_age_ms, struct kfk_metadata **mdp,
                           struct kfk_md_build_info *info);

#endif /* KFK_CLIENT_METADATA_H */
