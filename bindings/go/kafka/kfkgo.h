/* kfkgo.h: small C helpers of the Go binding, so that one cgo call moves a
 * whole batch of reports or messages (a cgo call costs ~50-100 ns; a call
 * per field per record would cost more than kfk's own work). */
#ifndef KFKGO_H
#define KFKGO_H

#include <stdint.h>
#include <stdlib.h>
#include <kfk/kfk.h>

/* One consumed message's fields, read in C for the Go side to copy. */
typedef struct kfkgo_msg {
	kfk_message *m;
	const char *topic;
	int32_t partition;
	int64_t offset;
	const void *key;
	size_t key_len;
	const void *value;
	size_t value_len;
	int64_t timestamp;
	int tstype;
	int err;
	const char *errstr;
	size_t header_cnt;
	int key_null;
	int value_null;
} kfkgo_msg;

kfk_err kfkgo_produce(kfk_producer *p, const char *topic, int32_t partition,
                      const void *key, size_t key_len, int key_null,
                      const void *value, size_t value_len, int value_null,
                      const kfk_header *headers, size_t header_cnt,
                      int64_t timestamp, uint64_t id);
int kfkgo_poll_reports(kfk_producer *p, kfk_delivery *out, int max,
                       int timeout_ms, uint64_t *ids);
int kfkgo_poll_batch(kfk_consumer *c, kfkgo_msg *out, int max,
                     int timeout_ms);
void kfkgo_store(kfk_consumer *c, kfkgo_msg *msgs, int from, int to);
void kfkgo_release(kfk_consumer *c, kfkgo_msg *msgs, int from, int to,
                   int store);
kfk_err kfkgo_subscribe(kfk_consumer *c, char **topics, int cnt,
                        uintptr_t handle);
#endif
