#include "kfkgo.h"
#include "_cgo_export.h"

/* The record's id rides in its opaque: the Go side keeps the Message
 * (key, value, channel) in a table under that id until its report. */
kfk_err kfkgo_produce(kfk_producer *p, const char *topic, int32_t partition,
                      const void *key, size_t key_len, int key_null,
                      const void *value, size_t value_len, int value_null,
                      const kfk_header *headers, size_t header_cnt,
                      int64_t timestamp, uint64_t id)
{
	kfk_record r = KFK_RECORD_INIT;
	static const char empty[1];
	r.topic = topic;
	r.partition = partition;
	r.key = key_null ? NULL : (key_len ? key : empty);
	r.key_len = key_len;
	r.value = value_null ? NULL : (value_len ? value : empty);
	r.value_len = value_len;
	r.headers = headers;
	r.header_cnt = header_cnt;
	r.timestamp = timestamp;
	r.opaque = (void *)(uintptr_t)id;
	return kfk_produce_record(p, &r);
}

int kfkgo_poll_reports(kfk_producer *p, kfk_delivery *out, int max,
                       int timeout_ms, uint64_t *ids)
{
	kfk_delivery init = KFK_DELIVERY_INIT;
	out[0] = init;
	int n = kfk_producer_poll_reports(p, out, max, timeout_ms);
	for (int i = 0; i < n; i++)
		ids[i] = (uint64_t)(uintptr_t)out[i].opaque;
	return n;
}

static void fill(kfkgo_msg *g, kfk_message *m)
{
	enum kfk_timestamp_type type = KFK_TIMESTAMP_NONE;
	g->m = m;
	g->err = kfk_message_err(m);
	g->errstr = g->err ? kfk_message_errstr(m) : NULL;
	g->topic = kfk_message_topic(m);
	g->partition = kfk_message_partition(m);
	g->offset = kfk_message_offset(m);
	g->key = kfk_message_key(m, &g->key_len);
	g->key_null = g->key == NULL;
	g->value = kfk_message_value(m, &g->value_len);
	g->value_null = g->value == NULL;
	g->timestamp = kfk_message_timestamp(m, &type);
	g->tstype = (int)type;
	g->header_cnt = kfk_message_header_count(m);
}

int kfkgo_poll_batch(kfk_consumer *c, kfkgo_msg *out, int max, int timeout_ms)
{
	kfk_message *ms[512];
	if (max > 512)
		max = 512;
	int n = kfk_consumer_poll_batch(c, ms, max, timeout_ms);
	for (int i = 0; i < n; i++)
		fill(&out[i], ms[i]);
	return n;
}

/* The application has been handed messages [from, to): what the next
 * commit of stored offsets commits. */
void kfkgo_store(kfk_consumer *c, kfkgo_msg *msgs, int from, int to)
{
	for (int i = from; i < to; i++)
		if (msgs[i].err == KFK_ERR_NONE)
			kfk_consumer_store_message(c, msgs[i].m);
}

/* Messages [from, to) are done with: stored first (store != 0) when they
 * reached the application, so that commits never pass a message the
 * application has not seen. */
void kfkgo_release(kfk_consumer *c, kfkgo_msg *msgs, int from, int to,
                   int store)
{
	for (int i = from; i < to; i++) {
		if (store && msgs[i].err == KFK_ERR_NONE)
			kfk_consumer_store_message(c, msgs[i].m);
		kfk_message_destroy(msgs[i].m);
		msgs[i].m = NULL;
	}
}

static void rebalance(kfk_consumer *c, kfk_rebalance_type type,
                      const kfk_tplist *parts, void *opaque)
{
	(void)c;
	kfkgoRebalance((uintptr_t)opaque, (int)type, (kfk_tplist *)parts);
}

kfk_err kfkgo_subscribe(kfk_consumer *c, char **topics, int cnt,
                        uintptr_t handle)
{
	return kfk_consumer_subscribe(c, (const char *const *)topics, cnt,
	                              handle ? rebalance : NULL,
	                              (void *)handle);
}
