/*
 * consumer/assignor.h: partition assignors, the pure part of a rebalance.
 *
 * The group's leader computes who reads which partition from every
 * member's subscription; the other members only receive their share. An
 * assignor is a pure function from (members with their subscriptions and
 * owned partitions, partition counts per topic) to one assignment per
 * member: no I/O, no clock, no global state, so it is tested alone and
 * compared with the Java client's assignors on the same inputs.
 *
 * Wire compatibility: the protocol names ("range", "roundrobin",
 * "cooperative-sticky") and the subscription and assignment bytes
 * (ConsumerProtocolSubscription / ConsumerProtocolAssignment, the same
 * versions and user data the Java client writes) are the Java client's, so
 * kfk and Java members share a group and either may be its leader.
 *
 * Threads: everything here is reentrant; the group layer calls it on the
 * control loop.
 */
#ifndef KFK_CONSUMER_ASSIGNOR_H
#define KFK_CONSUMER_ASSIGNOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <kfk/errors.h>

/* A topic partition named by a topic string the caller owns. */
struct kfk_asg_tp {
	const char *topic;
	int32_t partition;
};

/* A growable list of topic partitions; the list owns its array (not the
 * topic strings). */
struct kfk_asg_tps {
	struct kfk_asg_tp *v;
	int cnt, cap;
};

/* Appends; -1 on ENOMEM. */
int kfk_asg_tps_add(struct kfk_asg_tps *l, const char *topic,
                    int32_t partition);
void kfk_asg_tps_free(struct kfk_asg_tps *l);

/* A topic the cluster has, with its partition count (0..n-1). */
struct kfk_asg_topic {
	const char *name;
	int32_t partitions;
};

/* One member as the leader sees it. Inputs are set by the caller; the
 * assignor fills `assigned` (which the caller frees with
 * kfk_asg_tps_free). Strings are the caller's and outlive the call. */
struct kfk_asg_member {
	const char *member_id;
	const char *instance_id;   /* group.instance.id; NULL: dynamic */
	const char *rack;          /* client.rack; NULL: none */
	const char **topics;       /* subscribed topic names */
	int topic_cnt;
	struct kfk_asg_tps owned;  /* what it owned (subscription v1+) */
	int32_t generation;        /* of `owned`; -1 unknown */
	struct kfk_asg_tps assigned; /* out */
};

/* The assignor's input, besides the members. */
struct kfk_asg_input {
	const struct kfk_asg_topic *topics; /* every subscribed topic that
	                                     * exists, any order */
	int topic_cnt;
	struct kfk_asg_member *members;
	int member_cnt;
};

/* An assignor. */
struct kfk_assignor {
	const char *name;   /* the protocol name in JoinGroup */
	bool cooperative;   /* KIP-429: revokes only what moves */
	/* Fills each member's `assigned`. Members subscribed to a topic not
	 * in in->topics get nothing of it. Returns 0, or KFK_ERR__NO_MEMORY
	 * (assignments then undefined; the caller frees them). */
	kfk_err (*assign)(struct kfk_asg_input *in);
	/* The user data this assignor puts in a member's subscription (the
	 * Java client's format), or NULL for none; *len set. generation is
	 * the member's current generation (-1 none). Caller frees. */
	uint8_t *(*user_data)(int32_t generation, const struct kfk_asg_tps *owned,
	                      size_t *len);
};

/* The built-in assignors, by protocol name; NULL when unknown. Also
 * accepts the Java class names (org.apache.kafka.clients.consumer.
 * RangeAssignor, ...), as partition.assignment.strategy does in Java. */
const struct kfk_assignor *kfk_assignor_find(const char *name);

/* ---- the ConsumerProtocol bytes ---------------------------------------- */

/* A decoded subscription: topics, user data, owned partitions, generation
 * and rack, pointing into the arena-backed decode (valid while the arena
 * lives). */
struct kfk_asg_subscription {
	int16_t version;
	const char **topics;
	int topic_cnt;
	const uint8_t *user_data;
	int32_t user_data_len;     /* -1: null */
	struct kfk_asg_tps owned;  /* topic strings point into the arena */
	int32_t generation;        /* v2+, else from cooperative-sticky user
	                            * data, else -1 */
	const char *rack;          /* NULL: none */
};

struct kfk_arena;

/* The JoinGroup metadata bytes of this member: version 3 (Java's latest),
 * with its topics, the assignor's user data, owned partitions, generation
 * and rack. Caller frees. NULL on ENOMEM. */
uint8_t *kfk_asg_subscription_encode(const struct kfk_assignor *a,
                                     const char *const *topics, int topic_cnt,
                                     const struct kfk_asg_tps *owned,
                                     int32_t generation, const char *rack,
                                     size_t *len);

/* Decodes a member's metadata (any version 0..3, and later versions read
 * as 3 as Java does). KFK_ERR__MALFORMED on bad bytes. */
kfk_err kfk_asg_subscription_decode(const uint8_t *buf, size_t len,
                                    struct kfk_arena *a,
                                    struct kfk_asg_subscription *out);

/* A member's SyncGroup assignment bytes, in the version the Java client's
 * ConsumerProtocol writes, no user data. Caller frees; NULL on ENOMEM. */
uint8_t *kfk_asg_assignment_encode(const struct kfk_asg_tps *assigned,
                                   size_t *len);

/* Decodes the assignment a member received; topics point into the arena.
 * An empty buffer is an empty assignment (Java sends that to members
 * with nothing). KFK_ERR__MALFORMED on bad bytes. */
kfk_err kfk_asg_assignment_decode(const uint8_t *buf, size_t len,
                                  struct kfk_arena *a, struct kfk_asg_tps *out);

#endif /* KFK_CONSUMER_ASSIGNOR_H */
