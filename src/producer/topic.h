/*
 * producer/topic.h: the producer's per-topic and per-partition state, and
 * the table that finds a topic by name.
 *
 * A topic is created on its first produce and lives until the producer is
 * destroyed, so a pointer to a topic, a partition or a topic's name never
 * dangles while the producer lives (delivery reports keep the name).
 *
 * Lookups are lock-free: the table is an open-addressing array published
 * with an atomic pointer; an insert takes the table's mutex and, when the
 * array must grow, publishes a new one and keeps the old until the end
 * (topics are few and never removed, so that costs little).
 *
 * A topic's partitions are published the same way: `parts` is NULL until
 * the partition count is known, then an immutable struct kfk_pparts (count,
 * partition objects, which partitions have a leader). A new count or a
 * leadership change publishes a new kfk_pparts holding the same partition
 * objects; old ones are retired until the end. The produce path reads
 * parts with one atomic load and no lock.
 *
 * Locks: topic->lock guards the pending list and the publishing of parts;
 * part->lock guards a partition's open batch and closed list. Order:
 * topic->lock before part->lock; neither is held while calling the
 * application.
 */
#ifndef KFK_PRODUCER_TOPIC_H
#define KFK_PRODUCER_TOPIC_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "producer/batch.h"
#include "producer/partitioner.h"
#include "util/mpsc.h"
#include "util/spin.h"
#include "util/timerheap.h"

struct kfk_ptopic;
struct kfk_pending;

/* What the hardware moves between cores' caches. */
#define KFK_CACHE_LINE 64

/* One partition of a topic. */
struct kfk_ppart {
	struct kfk_spin lock;              /* util/spin.h: held for a few stores */
	struct kfk_ptopic *topic;
	int32_t id;

	/* Under lock. */
	struct kfk_pbatch *open;           /* records are appended here */
	struct kfk_pbatch *closed_head;    /* closed, for the sender */
	struct kfk_pbatch *closed_tail;
	uint64_t next_seq;                 /* numbers the batches */
	int32_t last_batch_bytes;          /* what the last closed one held */

	/* Telling the sender: pushed once until the sender pops it. */
	struct kfk_mpsc_node node;
	atomic_bool queued;

	/* The sender's (control loop only), on cache lines of their own:
	 * the producing threads write the lines above for every record, the
	 * control loop these for every batch, and sharing one line cost both
	 * a transfer each time (10,000 partitions, keyed). */
	_Alignas(KFK_CACHE_LINE)
	struct kfk_ppart *s_next;          /* its list of active partitions */
	bool s_active;
	struct kfk_timer s_linger;         /* in its heap while a batch is open */
	uint64_t s_leader_md;              /* the snapshot s_leader is from */
	int32_t s_leader;
	struct kfk_pbatch *ready_head;     /* closed batches, oldest first */
	struct kfk_pbatch *ready_tail;
	int32_t ready_cnt;
	int32_t in_flight;                 /* batches in requests */
	int64_t open_deadline_us;          /* linger of the open batch, or
	                                    * INT64_MAX */
	/* Idempotence (producer/idempotence.h): sequences under the
	 * producer state idem_gen names (another gen: they restart at 0). */
	uint32_t idem_gen;
	int32_t seq_next;                  /* base of the next new batch */
	int32_t seq_sent;                  /* end of the last batch sent */
	int32_t seq_acked;                 /* end of the acknowledged prefix */
	bool seq_known;                    /* a batch acknowledged: the
	                                    * broker has our state here */
};

/* Where the next append to a partition will write (topic.h, open_hint). */
struct kfk_open_hint {
	_Atomic(struct kfk_pbatch *) batch;
	_Atomic(uint8_t *) tail;           /* the batch buffer's end */
};

/* An immutable view of a topic's partitions. */
struct kfk_pparts {
	int32_t cnt;
	struct kfk_ppart **v;              /* cnt partitions */
	uint8_t *available;                /* cnt flags: has a leader */
	/* Each partition's open batch, as last written under its lock into
	 * the view current then: read without the lock only to prefetch it
	 * with the partition, so that the two cache misses of an append
	 * overlap instead of following each other (it may be stale; the
	 * lock-holder reads part->open). */
	struct kfk_open_hint *open_hint;
	uint64_t md_version;               /* the metadata it came from */
	struct kfk_pparts *retired_next;
};

/* Records b (or NULL) as pp's open batch in the current view's hints,
 * with the end of its buffer. Under pp->lock. */
void kfk_topic_hint_open(struct kfk_ppart *pp, struct kfk_pbatch *b);

struct kfk_ptopic {
	char *name;
	struct kfk_sticky sticky;
	_Atomic(struct kfk_pparts *) parts; /* NULL: count not known */

	pthread_mutex_t lock;
	/* Under lock: records produced before the count was known (or while
	 * earlier ones still wait), in produce order. */
	struct kfk_pending *pend_head, *pend_tail;
	atomic_int pend_cnt;
	kfk_err md_err;                    /* the topic's error in metadata */
	int gone_told;                     /* topic_gone hook called */
	int64_t unknown_since_us;          /* metadata first said "unknown
	                                    * topic" (since known: 0) */
	uint64_t md_seen;                  /* newest metadata applied */
	struct kfk_pparts *retired;        /* old views, freed at the end */
	struct kfk_ppart **all;            /* every partition object */
	int32_t all_cnt;
	atomic_bool wants_md;              /* metadata was asked for it */
};

/* The table. */
struct kfk_topic_table {
	_Atomic(struct kfk_ttab *) tab;
	pthread_mutex_t lock;              /* inserts */
	struct kfk_ttab *retired;
	atomic_int count;
};

/* Sets up an empty table. Returns KFK_ERR__NO_MEMORY. */
kfk_err kfk_topic_table_init(struct kfk_topic_table *t);

/* Frees the table, every topic and partition, and what they still hold
 * through free_batch (open, closed and ready batches) and free_pending.
 * No other thread may use them any more. */
void kfk_topic_table_destroy(struct kfk_topic_table *t,
                             void (*free_batch)(struct kfk_pbatch *b,
                                                void *arg),
                             void (*free_pending)(struct kfk_pending *pd,
                                                  void *arg),
                             void *arg);

/* The topic named name, or NULL. Lock-free; any thread. */
struct kfk_ptopic *kfk_topic_find(struct kfk_topic_table *t, const char *name);

/* The topic named name, created when missing (*createdp tells). NULL only
 * when out of memory. Any thread; takes the table's lock to insert. */
struct kfk_ptopic *kfk_topic_get(struct kfk_topic_table *t, const char *name,
                                 bool *createdp);

/* Calls fn for every topic. Any thread; the set is the one published when
 * it starts. */
void kfk_topic_foreach(struct kfk_topic_table *t,
                       void (*fn)(struct kfk_ptopic *tp, void *arg),
                       void *arg);

/* The current view of topic's partitions, or NULL. Lock-free. */
static inline struct kfk_pparts *kfk_topic_parts(struct kfk_ptopic *tp)
{
	return atomic_load_explicit(&tp->parts, memory_order_acquire);
}

/* Publishes a view with cnt partitions (creating the partition objects
 * that are new) and the given availability (cnt flags, copied; NULL: all
 * available), unless the current view has the same count and flags.
 * Call under topic->lock. Returns KFK_ERR__NO_MEMORY (nothing changed) or
 * KFK_ERR_NONE. A count lower than the current one is ignored (Kafka
 * never removes partitions; a lower count is stale metadata). */
kfk_err kfk_topic_set_parts(struct kfk_ptopic *tp, int32_t cnt,
                            const uint8_t *available, uint64_t md_version);

#endif /* KFK_PRODUCER_TOPIC_H */
