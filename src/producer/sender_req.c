/*
 * The sender's ProduceRequests (sender.h): building one from batches,
 * encoding it on the broker's I/O thread (where the batches are finished:
 * compressed once and checksummed), decoding the response there, and the
 * control loop's verdict on each batch.
 */
#include "config.h"
#include "producer/sender.h"

#include <stdlib.h>
#include <string.h>

#include "codec/codec.h"
#include "proto/api.h"
#include "proto/gen/api_keys.h"
#include "proto/arena.h"
#include "proto/gen/produce.h"
#include "util/time.h"

/* The ProduceRequest versions the producer speaks: v3 brought record
 * batch v2, v7 zstd (KIP-110: brokers refuse zstd batches below it); the
 * generated codec goes up to v11. */
#define PRODUCE_MIN_VERSION 3
#define PRODUCE_MIN_VERSION_ZSTD 7
#define PRODUCE_MAX_VERSION 11

static kfk_req_encode_fn preq_encode;
static kfk_req_done_fn preq_done;

/* The lowest Produce version that can carry these batches: a broker that
 * lists none from there on gets nothing, and the batches fail with
 * KFK_ERR__UNSUPPORTED_FEATURE. */
static int16_t min_version(struct kfk_pbatch **batches, int32_t n)
{
	int32_t i;

	for (i = 0; i < n; i++)
		if ((batches[i]->w.attributes & KFK_BATCH_ATTR_CODEC_MASK) ==
		    KFK_BATCH_CODEC_ZSTD)
			return PRODUCE_MIN_VERSION_ZSTD;
	return PRODUCE_MIN_VERSION;
}

static int32_t count_topics(struct kfk_pbatch **batches, int32_t n)
{
	int32_t i, t = 0;

	for (i = 0; i < n; i++)
		t += i == 0 || batches[i]->part->topic !=
		                   batches[i - 1]->part->topic;
	return t;
}

struct kfk_preq *kfk_preq_new(struct kfk_sender *s, int32_t node_id,
                              struct kfk_pbatch **batches, int32_t n)
{
	int32_t tcnt = count_topics(batches, n);
	struct kfk_preq *pr = calloc(1, sizeof(*pr) +
	                                   (size_t)n * sizeof(pr->batches[0]) +
	                                   (size_t)n * sizeof(pr->pdata[0]) +
	                                   (size_t)tcnt * sizeof(pr->tdata[0]));

	if (!pr)
		return NULL;
	pr->pdata = (void *)(pr + 1);
	pr->tdata = (void *)(pr->pdata + n);
	pr->batches = (void *)(pr->tdata + tcnt);
	memcpy(pr->batches, batches, (size_t)n * sizeof(batches[0]));
	pr->batch_cnt = n;
	pr->topic_cnt = tcnt;
	pr->s = s;
	pr->node_id = node_id;
	pr->req.api_key = KFK_APIKEY_PRODUCE;
	pr->req.min_version = min_version(batches, n);
	pr->req.max_version = PRODUCE_MAX_VERSION;
	pr->req.flags = s->cfg.acks == 0 ? KFK_REQ_NO_RESPONSE : 0;
	pr->req.encode = preq_encode;
	pr->req.done = preq_done;
	pr->req.opaque = pr;
	pr->req.owner = s->loop; /* the outcome is the control loop's */
	return pr;
}

void kfk_preq_free(struct kfk_preq *pr)
{
	int32_t i;

	for (i = 0; i < pr->batch_cnt; i++)
		kfk_accum_batch_unref(pr->s->acc, pr->batches[i]);
	free(pr);
}

/* ------------------------------------------------------------------ */
/* On the broker's I/O thread                                          */
/* ------------------------------------------------------------------ */

/* Fills the request's topic and partition arrays from its batches. */
static void fill_request(struct kfk_preq *pr, struct kfk_produce_request *m)
{
	struct kfk_produce_request_topic_produce_data *td = NULL;
	int32_t i, t = -1;

	kfk_produce_request_init(m);
	m->acks = pr->s->cfg.acks;
	m->timeout_ms = pr->s->cfg.request_timeout_ms;
	for (i = 0; i < pr->batch_cnt; i++) {
		struct kfk_pbatch *b = pr->batches[i];
		struct kfk_produce_request_partition_produce_data *pd =
			&pr->pdata[i];
		if (i == 0 || b->part->topic != pr->batches[i - 1]->part->topic) {
			td = &pr->tdata[++t];
			kfk_produce_request_topic_produce_data_init(td);
			td->name = kfk_str_c(b->part->topic->name);
			td->partition_data = pd;
			td->partition_data_count = 0;
		}
		kfk_produce_request_partition_produce_data_init(pd);
		pd->index = b->part->id;
		pd->records.ptr = b->buf.data;
		pd->records.len = (int32_t)b->buf.len;
		td->partition_data_count++;
	}
	m->topic_data = pr->tdata;
	m->topic_data_count = pr->topic_cnt;
}

static kfk_err preq_encode(struct kfk_req *req, kfk_wbuf *w, int16_t version)
{
	struct kfk_preq *pr = req->opaque;
	struct kfk_produce_request m;
	int32_t i;
	kfk_err err;

	/* Compression happens here, once: a retry sends the same bytes. */
	for (i = 0; i < pr->batch_cnt; i++)
		if ((err = kfk_pbatch_finish(pr->batches[i],
		                             pr->s->cfg.compression_level)))
			return err;
	fill_request(pr, &m);
	return (kfk_err)kfk_produce_request_encode(w, version, &m);
}

/* The batch of pr for topic/partition, looked for from *hint on (the
 * response usually follows the request's order). */
static struct kfk_pbatch *find_batch(struct kfk_preq *pr, struct kfk_str topic,
                                     int32_t partition, int32_t *hint)
{
	int32_t k, i;

	for (k = 0; k < pr->batch_cnt; k++) {
		struct kfk_pbatch *b;
		i = (*hint + k) % pr->batch_cnt;
		b = pr->batches[i];
		if (b->part->id == partition &&
		    kfk_str_eq(kfk_str_c(b->part->topic->name), topic)) {
			*hint = i + 1;
			return b;
		}
	}
	return NULL;
}

static void set_all(struct kfk_preq *pr, kfk_err err)
{
	int32_t i;

	for (i = 0; i < pr->batch_cnt; i++) {
		pr->batches[i]->res_err = err;
		pr->batches[i]->res_offset = -1;
		pr->batches[i]->res_log_append_time = -1;
	}
}

/* Decodes the response into each batch's res_*; batches the response
 * does not mention get KFK_ERR__MALFORMED. */
static void parse_response(struct kfk_preq *pr, kfk_rbuf *body,
                           int16_t version)
{
	struct kfk_produce_response m;
	uint8_t scratch[2048];
	kfk_arena a;
	int32_t t, p, hint = 0;

	set_all(pr, KFK_ERR__MALFORMED);
	kfk_arena_init_buf(&a, scratch, sizeof(scratch));
	if (kfk_produce_response_decode(body, version, &a, &m) == 0) {
		for (t = 0; t < m.responses_count; t++) {
			struct kfk_produce_response_topic_produce_response *tr =
				&m.responses[t];
			for (p = 0; p < tr->partition_responses_count; p++) {
				struct kfk_produce_response_partition_produce_response
					*r = &tr->partition_responses[p];
				struct kfk_pbatch *b =
					find_batch(pr, tr->name, r->index, &hint);
				if (!b)
					continue;
				b->res_err = (kfk_err)r->error_code;
				b->res_offset = r->base_offset;
				b->res_log_append_time = r->log_append_time_ms;
			}
		}
	}
	kfk_arena_destroy(&a);
}

static void preq_done(struct kfk_req *req, kfk_err err, kfk_rbuf *body,
                      int16_t version)
{
	struct kfk_preq *pr = req->opaque;
	struct kfk_sender *s = pr->s;

	pr->err = err;
	if (err)
		set_all(pr, err);
	else if (body)
		parse_response(pr, body, version);
	else
		set_all(pr, KFK_ERR_NONE); /* acks=0: written is all we know */
	if (atomic_load(&s->stopped)) {
		kfk_preq_free(pr);
		return;
	}
	kfk_sender_complete(s, pr, kfk_now_us());
	/* A slot in flight is free, maybe batches to retry: a round. */
	kfk_sender_wake(s);
}

/* ------------------------------------------------------------------ */
/* Back on the control loop                                            */
/* ------------------------------------------------------------------ */

void kfk_sender_requeue(struct kfk_sender *s, struct kfk_pbatch *b)
{
	struct kfk_ppart *pp = b->part;
	struct kfk_pbatch **pos = &pp->ready_head, *prev = NULL;

	while (*pos && (*pos)->seq < b->seq) {
		prev = *pos;
		pos = &(*pos)->next;
	}
	b->next = *pos;
	*pos = b;
	if (!b->next)
		pp->ready_tail = b;
	(void)prev;
	pp->ready_cnt++;
	kfk_sender_activate(s, pp);
}

/* Errors of the request itself that leave its batches' fate unknown or
 * unsent: worth another try. */
static bool retriable(kfk_err err)
{
	switch (err) {
	case KFK_ERR__TRANSPORT:
	case KFK_ERR__TIMED_OUT:
	case KFK_ERR__DESTROY:     /* the broker left the cluster */
	case KFK_ERR__MALFORMED:   /* a response we could not read */
		return true;
	default:
		return kfk_err_is_retriable(err) != 0;
	}
}

/* Reports b failed with err; a batch that was sent leaves the idempotent
 * producer's numbering unsure. */
static void fail_batch(struct kfk_sender *s, struct kfk_pbatch *b, kfk_err err)
{
	kfk_idem_batch_failed(s, b, err);
	kfk_accum_report(s->acc, b, err, -1, -1);
}

void kfk_sender_retry(struct kfk_sender *s, struct kfk_pbatch *b, kfk_err err,
                      int64_t now_us)
{
	if (b->attempts > s->cfg.retries) {
		fail_batch(s, b, err);
		return;
	}
	if (now_us >= b->deadline_us) {
		fail_batch(s, b, KFK_ERR__MSG_TIMED_OUT);
		return;
	}
	if (kfk_metadata_err_is_stale(err) || err == KFK_ERR__DESTROY)
		kfk_client_metadata_refresh(s->client, b->part->topic->name,
		                            kfk_err_name(err));
	atomic_fetch_add(&s->retries, 1);
	b->retry_at_us =
		now_us + kfk_backoff_us(&s->retry_backoff, b->attempts);
	kfk_sender_requeue(s, b);
}

static void batch_outcome(struct kfk_sender *s, struct kfk_pbatch *b,
                          int64_t now_us)
{
	kfk_err err;

	if (kfk_pid_on(&s->pid) && kfk_idem_outcome(s, b, now_us))
		return;
	err = b->res_err;
	if (!err) {
		kfk_accum_report(s->acc, b, KFK_ERR_NONE, b->res_offset,
		                 b->res_log_append_time);
		return;
	}
	if (!retriable(err)) {
		fail_batch(s, b, err);
		return;
	}
	kfk_sender_retry(s, b, err, now_us);
}

static struct kfk_sender_node *node_find(struct kfk_sender *s, int32_t id)
{
	int i;

	for (i = 0; i < s->node_cnt; i++)
		if (s->nodes[i].id == id)
			return &s->nodes[i];
	return NULL;
}

void kfk_sender_complete(struct kfk_sender *s, struct kfk_preq *pr,
                         int64_t now_us)
{
	struct kfk_sender_node *n = node_find(s, pr->node_id);
	int32_t i;

	if (n)
		n->in_flight--;
	if (pr->prev)
		pr->prev->next = pr->next;
	else
		s->reqs = pr->next;
	if (pr->next)
		pr->next->prev = pr->prev;
	if (pr->err)
		kfk_dbg(s->log, KFK_DBG_PRODUCER, "SEND",
		        "ProduceRequest to node %d failed: %s", pr->node_id,
		        kfk_err_name(pr->err));
	for (i = 0; i < pr->batch_cnt; i++) {
		struct kfk_pbatch *b = pr->batches[i];
		b->part->in_flight--;
		kfk_sender_activate(s, b->part);
		if (atomic_load(&b->purged)) {
			kfk_accum_batch_unref(s->acc, b);
			continue;
		}
		batch_outcome(s, b, now_us); /* takes the request's reference */
	}
	free(pr);
}
