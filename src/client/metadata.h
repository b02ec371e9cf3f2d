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
 */
#ifndef KFK_CLIENT_METADATA_H
#define KFK_CLIENT_METADATA_H

#include <stdint.h>

#include <kfk/errors.h>

struct kfk_md_broker {
	int32_t id;
	char *host;
	int32_t port;
	char *rack;                /* NULL when unknown */
};

struct kfk_md_partition {
	int32_t id;
	kfk_err err;               /* the partition's error in the response */
	int32_t leader;            /* node id; -1: no leader */
	int32_t leader_epoch;      /* -1: unknown (Metadata < v7) */
	int32_t *replicas, replica_cnt;
	int32_t *isr, isr_cnt;
};

struct kfk_md_topic {
	char *name;
	kfk_err err;               /* e.g. UNKNOWN_TOPIC_OR_PARTITION */
	int is_internal;
	struct kfk_md_partition *partitions; /* sorted by id, dense 0..cnt-1 */
	int32_t partition_cnt;
	int64_t seen_ms;           /* when a response last listed it */
};

struct kfk_metadata {
	uint64_t version;          /* 1 for the first response, +1 per swap */
	int64_t received_ms;       /* monotonic ms of the response */
	char *cluster_id;          /* NULL before Metadata v2 */
	int32_t controller_id;     /* -1: unknown */
	struct kfk_md_broker *brokers; /* sorted by id */
	int32_t broker_cnt;
	struct kfk_md_topic *topics;   /* sorted by name */
	int32_t topic_cnt;
	/* private: the reference count */
	int refcnt;
};

/* Reference counting; any thread. */
struct kfk_metadata *kfk_metadata_ref(struct kfk_metadata *md);
void kfk_metadata_unref(struct kfk_metadata *md);

/* Lookups by binary search; NULL when absent. */
const struct kfk_md_topic *kfk_metadata_topic(const struct kfk_metadata *md,
                                              const char *name);
const struct kfk_md_broker *kfk_metadata_broker(const struct kfk_metadata *md,
                                                int32_t id);

/* The leader of topic/partition, or -1 (unknown topic, partition or
 * leader). */
int32_t kfk_metadata_leader(const struct kfk_metadata *md, const char *topic,
                            int32_t partition);

#endif /* KFK_CLIENT_METADATA_H */
