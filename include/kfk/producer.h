/*
 * kfk/producer.h: the producer.
 *
 *     kfk_conf *conf = kfk_conf_new();
 *     kfk_conf_set(conf, "bootstrap.servers", "localhost:9092", err, sizeof(err));
 *     kfk_conf_set(conf, "acks", "all", err, sizeof(err));
 *     kfk_producer *p = kfk_producer_new(conf, err, sizeof(err));
 *     kfk_conf_destroy(conf);                 (the producer took a copy)
 *     kfk_produce(p, "teste", KFK_PARTITION_ANY, "k", 1, "v", 1, NULL);
 *     kfk_producer_flush(p, 10000);           (serves delivery reports)
 *     kfk_producer_destroy(p);
 *
 * Delivery reports. Every record kfk_produce() accepted gets exactly one
 * report: success (partition, offset, timestamp) or an error. Reports wait
 * in the producer's report queue until the application polls: either
 * kfk_producer_poll(), which calls the delivery callback set with
 * kfk_conf_set_delivery_cb() once per report, or
 * kfk_producer_poll_reports(), which copies reports into an array the
 * application provides. kfk_producer_fd() is readable while reports wait,
 * for epoll, libuv, Go and Python event loops. Callbacks run only inside
 * the application's own poll, flush or purge calls, on the thread that
 * makes them: never on a kfk thread.
 *
 * Thread safety: every function may be called from any thread, at the same
 * time, except kfk_producer_destroy(), which must be the last call on the
 * producer and must not run inside one of its callbacks.
 */
#ifndef KFK_PRODUCER_H
#define KFK_PRODUCER_H

#include <kfk/common.h>
#include <kfk/conf.h>
#include <kfk/errors.h>

KFK_BEGIN_DECLS

/* A producer (opaque). */
typedef struct kfk_producer kfk_producer;

/* Let the partitioner choose (property `partitioner`). */
#define KFK_PARTITION_ANY (-1)

/* One record header. key is a NUL-terminated string; value may be NULL (a
 * null header value, distinct from an empty one). */
typedef struct kfk_header {
	const char *key;
	const void *value;
	size_t value_len;
} kfk_header;

/*
 * Structs that may grow (kfk_record, kfk_delivery) carry their size as
 * their first member, so that a program built against an older header
 * keeps working with a newer library and the other way round:
 *  - an input (kfk_record) is set up with its INIT macro, which sets
 *    .size = sizeof; kfk reads only the fields that size covers and gives
 *    the others the INIT macro's defaults; a larger size than the library
 *    knows is accepted when the bytes it does not know are zero (fields
 *    left at their defaults), refused otherwise;
 *  - an output (kfk_delivery) says how many bytes kfk filled in its .size:
 *    read a field only when .size covers it (offsetof + sizeof).
 * A size below the first version's, or absurdly large, is refused with
 * KFK_ERR__INVALID_ARG. Fields are only ever appended.
 */

/* A record for kfk_produce_record(). Start from KFK_RECORD_INIT and set
 * what you need. (The struct tag is kfk_produce_record: struct kfk_record
 * is the library's internal name for a record read from a batch.) */
typedef struct kfk_produce_record {
	size_t size;               /* sizeof(kfk_record), set by KFK_RECORD_INIT */
	const char *topic;         /* required */
	int32_t partition;         /* KFK_PARTITION_ANY or a partition */
	const void *key;           /* NULL: a null key */
	size_t key_len;
	const void *value;         /* NULL: a null value (a tombstone) */
	size_t value_len;
	const kfk_header *headers; /* header_cnt entries, or NULL */
	size_t header_cnt;
	int64_t timestamp;         /* ms since the epoch; 0: now */
	void *opaque;              /* returned in this record's report */
} kfk_record;

#define KFK_RECORD_INIT                                                     \
	{sizeof(kfk_record), NULL, KFK_PARTITION_ANY, NULL, 0, NULL, 0, NULL, \
	 0, 0, NULL}

/* A delivery report. kfk fills it; .size says how much of it. */
typedef struct kfk_delivery {
	size_t size;        /* bytes filled by kfk (see above); for
	                     * kfk_producer_poll_reports() set out[0].size
	                     * with KFK_DELIVERY_INIT first */
	kfk_err err;        /* KFK_ERR_NONE: delivered */
	const char *topic;  /* owned by kfk; see the poll functions */
	int32_t partition;  /* -1 when the record never got one */
	int64_t offset;     /* -1 when unknown: an error, or acks=0 */
	int64_t timestamp;  /* ms since the epoch: the record's CreateTime, or
	                     * the broker's LogAppendTime when the topic uses
	                     * it; -1 when unknown */
	void *opaque;       /* the record's opaque */
} kfk_delivery;

#define KFK_DELIVERY_INIT                                                   \
	{sizeof(kfk_delivery), KFK_ERR_NONE, NULL, -1, -1, -1, NULL}

/* The delivery callback, called once per report inside kfk_producer_poll()
 * (and flush and purge, which poll). d and its strings are valid only during
 * the call. opaque is the conf's opaque (kfk_conf_set_opaque()). It may call
 * any producer function except kfk_producer_destroy(). */
typedef void(kfk_delivery_cb)(kfk_producer *p, const kfk_delivery *d,
                              void *opaque);

/* A partitioner of the application's, for `partitioner` = any value when
 * set: returns a partition in [0, partition_cnt) for the record, or -1 to
 * fall back to the configured partitioner. key is NULL for a null key.
 * Called on an application thread, never on a kfk thread: inside
 * kfk_produce(), or, for records produced before the topic's partition
 * count was known, inside the next produce, poll or flush call (the fd
 * becomes readable when such records can be placed). It must not call
 * producer functions. */
typedef int32_t(kfk_partitioner_cb)(const char *topic, const void *key,
                                    size_t key_len, int32_t partition_cnt,
                                    void *opaque);

/* Sets the delivery callback (NULL: none; reports are then only served by
 * kfk_producer_poll_reports()). */
KFK_API void kfk_conf_set_delivery_cb(kfk_conf *conf, kfk_delivery_cb *cb);

/* Sets the application's partitioner (NULL: none). */
KFK_API void kfk_conf_set_partitioner_cb(kfk_conf *conf, kfk_partitioner_cb *cb);

/* Creates a producer from conf, which is copied (the caller keeps it).
 * Starts the I/O threads and connects to the cluster in the background; it
 * does not wait for a broker. Returns NULL with a message in errstr when
 * the configuration is unusable (no bootstrap.servers, contradicting
 * settings). The caller owns the producer. */
KFK_API kfk_producer *kfk_producer_new(const kfk_conf *conf, char *errstr,
                                       size_t errstr_size);

/* Destroys the producer. Records not yet delivered are dropped without a
 * report: call kfk_producer_flush() first to deliver them. Returns within a
 * bounded time even when every broker is unreachable or silent: one round
 * of the I/O threads to stop sending, then at most one second to close the
 * connections and join the threads (it calls no application callback).
 * p may be NULL. */
KFK_API void kfk_producer_destroy(kfk_producer *p);

/* Produces a record: key and value are copied before this returns (the
 * caller keeps ownership of everything it passed); the record will be
 * reported through the report queue. Never blocks, unless max.block.ms > 0
 * and the queue is full, where it waits up to max.block.ms for room.
 * Returns KFK_ERR_NONE (accepted: exactly one report will follow), or,
 * with no report ever:
 *   KFK_ERR__QUEUE_FULL          queue.buffering.max.messages/kbytes reached
 *   KFK_ERR__MSG_SIZE_TOO_LARGE  the record is larger than message.max.bytes
 *   KFK_ERR__UNKNOWN_PARTITION   partition is not ANY and out of range (when
 *                                the topic's partition count is known)
 *   KFK_ERR__INVALID_ARG         NULL producer or topic, negative length
 *   KFK_ERR__FATAL               the producer hit a fatal error
 *                                (kfk_producer_fatal_error())
 */
KFK_API kfk_err kfk_produce(kfk_producer *p, const char *topic,
                            int32_t partition, const void *key,
                            size_t key_len, const void *value,
                            size_t value_len, void *opaque);

/* The same with headers and a timestamp. rec->size must be set
 * (KFK_RECORD_INIT); a size kfk cannot honour is KFK_ERR__INVALID_ARG. */
KFK_API kfk_err kfk_produce_record(kfk_producer *p, const kfk_record *rec);

/* Serves waiting reports to the delivery callback, waiting up to
 * timeout_ms (0: no wait, -1: forever) for the first one. Returns the
 * number served. Without a delivery callback, reports stay queued for
 * kfk_producer_poll_reports() and this returns 0 (at once when reports
 * wait, else after waiting up to timeout_ms for one). */
KFK_API int kfk_producer_poll(kfk_producer *p, int timeout_ms);

/* Moves up to max waiting reports into out[], waiting up to timeout_ms for
 * the first. out[0].size is the size of every element of out (set it with
 * KFK_DELIVERY_INIT: sizeof(kfk_delivery) of the header the program was
 * built with); kfk fills each element's fields that size covers and sets
 * its .size. Returns the number moved, or KFK_ERR__INVALID_ARG (negative)
 * when out[0].size is not a size kfk can use. Their topic strings stay
 * valid until the producer is destroyed. Never calls the delivery
 * callback. */
KFK_API int kfk_producer_poll_reports(kfk_producer *p, kfk_delivery *out,
                                      int max, int timeout_ms);

/* A file descriptor that is readable while reports wait. Owned by the
 * producer: never read it, write it or close it; after polling reports it
 * stops being readable once the queue is empty. */
KFK_API int kfk_producer_fd(kfk_producer *p);

/* The client's OAUTHBEARER token source (kfk/conf.h), or NULL when it
 * does not take tokens from the application. Owned by p: valid until
 * it is destroyed. Any thread. */
KFK_API kfk_oauthbearer *kfk_producer_oauthbearer(kfk_producer *p);

/* Sends every queued record now (without waiting for linger.ms) and waits
 * up to timeout_ms (-1: forever) until every record produced before the
 * call (and any other thread produces meanwhile) has its report, serving
 * reports to the delivery callback meanwhile; with a delivery callback,
 * flush returns once they have all been served, without one, once they
 * all wait for kfk_producer_poll_reports(). Returns KFK_ERR_NONE, or
 * KFK_ERR__TIMED_OUT when records are still outstanding. */
KFK_API kfk_err kfk_producer_flush(kfk_producer *p, int timeout_ms);

/* Records produced and not yet reported: queued, in flight, or reported
 * but not yet polled (a batch's records count until its last report has
 * been served). These are what queue.buffering.max.messages limits. */
KFK_API int kfk_producer_outstanding(kfk_producer *p);

/* What kfk_producer_purge() purges. */
enum kfk_purge_flags {
	KFK_PURGE_QUEUED = 1 << 0,   /* records not yet sent */
	KFK_PURGE_INFLIGHT = 1 << 1  /* records sent, response not yet in:
	                              * their outcome on the broker is unknown */
};

/* Fails the records flags selects with KFK_ERR__PURGED reports (queued in
 * the report queue; serve them with poll). Purging in-flight records does
 * not abort the requests: a late response is ignored. Returns the number of
 * records purged. */
KFK_API int kfk_producer_purge(kfk_producer *p, int flags);

/* NULL while the producer is usable, else the fatal error that stopped it
 * (an idempotence violation that cannot be recovered, a fenced epoch): a
 * new kfk_error whose code is the cause (e.g. KFK_ERR_PRODUCER_FENCED),
 * kfk_error_is_fatal() true, and a message that says what happened. From
 * then on produce calls fail with KFK_ERR__FATAL and every record still
 * queued is reported with KFK_ERR__FATAL; the error callback got the same
 * error once. The caller owns the result (kfk_error_destroy()). */
KFK_API kfk_error *kfk_producer_fatal_error(kfk_producer *p);

KFK_END_DECLS

#endif /* KFK_PRODUCER_H */
