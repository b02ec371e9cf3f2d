/*
 * The accumulator's topics and their metadata, and the records that wait
 * for a topic's partition count (accumulator.h).
 *
 * Order: while a topic has pending records, every new record of the topic
 * joins the pending list too, unless the thread producing it can place the
 * pending ones first (it holds the topic's lock while it does): so records
 * of a topic always reach partitions in produce order.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "producer/accumulator_int.h"
#include "util/time.h"

/* ------------------------------------------------------------------ */
/* Metadata                                                            */
/* ------------------------------------------------------------------ */

/* Under tp->lock: publishes md's view of the topic's partitions. */
static void apply_partitions(struct kfk_ptopic *tp,
                             const struct kfk_md_topic *mt, uint64_t version)
{
	uint8_t stack[256], *avail = stack;
	int32_t i, cnt = mt->partition_cnt;

	if (cnt > (int32_t)sizeof(stack) && !(avail = malloc((size_t)cnt)))
		return; /* the next metadata tries again */
	for (i = 0; i < cnt; i++)
		avail[i] = mt->partitions[i].leader >= 0 &&
		           mt->partitions[i].err != KFK_ERR__UNKNOWN_PARTITION;
	kfk_topic_set_parts(tp, cnt, avail, version);
	if (avail != stack)
		free(avail);
}

void kfk_accum_update_topic(struct kfk_accum *acc, struct kfk_ptopic *tp,
                            const struct kfk_metadata *md)
{
	const struct kfk_md_topic *mt = kfk_metadata_topic(md, tp->name);

	(void)acc;
	pthread_mutex_lock(&tp->lock);
	if (md->version > tp->md_seen) {
		tp->md_seen = md->version;
		if (mt && mt->err == KFK_ERR_NONE && mt->partition_cnt > 0) {
			apply_partitions(tp, mt, md->version);
			tp->md_err = KFK_ERR_NONE;
			tp->unknown_since_us = 0;
		} else if (mt) {
			tp->md_err = mt->err;
			if (mt->err == KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION &&
			    !tp->unknown_since_us)
				tp->unknown_since_us = kfk_now_us();
		}
		if (!kfk_topic_parts(tp))
			atomic_store(&tp->wants_md, false); /* ask again */
	}
	pthread_mutex_unlock(&tp->lock);
}

struct update_arg {
	struct kfk_accum *acc;
	const struct kfk_metadata *md;
};

static void update_one(struct kfk_ptopic *tp, void *arg)
{
	struct update_arg *ua = arg;
	kfk_accum_update_topic(ua->acc, tp, ua->md);
}

void kfk_accum_update_all(struct kfk_accum *acc,
                          const struct kfk_metadata *md)
{
	struct update_arg ua = { acc, md };
	kfk_topic_foreach(&acc->topics, update_one, &ua);
}

/* ------------------------------------------------------------------ */
/* Pending records                                                     */
/* ------------------------------------------------------------------ */

static size_t align_up(size_t n)
{
	return (n + _Alignof(max_align_t) - 1) & ~(_Alignof(max_align_t) - 1);
}

/* The bytes after the struct that a copy of r needs. */
static size_t copy_size(const struct kfk_precord *r)
{
	size_t n = align_up(r->hdr_cnt * sizeof(struct kfk_record_header)), i;

	n += r->key_len > 0 ? (size_t)r->key_len : 0;
	n += r->value_len > 0 ? (size_t)r->value_len : 0;
	for (i = 0; i < r->hdr_cnt; i++)
		n += (size_t)r->hdrs[i].key_len +
		     (r->hdrs[i].value_len > 0 ? (size_t)r->hdrs[i].value_len : 0);
	return n;
}

static uint8_t *copy_bytes(uint8_t *p, const void *src, int32_t len,
                           const uint8_t **dst)
{
	*dst = p;
	if (len > 0) {
		memcpy(p, src, (size_t)len);
		p += len;
	}
	return p;
}

/* Copies r (everything the application passed) into one allocation. */
static struct kfk_pending *pending_new(struct kfk_accum *acc,
                                       const struct kfk_precord *r,
                                       int64_t bytes, uint64_t md_version)
{
	struct kfk_pending *pd = calloc(1, sizeof(*pd) + copy_size(r));
	uint8_t *p;
	size_t i;

	if (!pd)
		return NULL;
	pd->hdrs = (struct kfk_record_header *)(void *)pd->data;
	p = (uint8_t *)pd->data +
	    align_up(r->hdr_cnt * sizeof(struct kfk_record_header));
	p = copy_bytes(p, r->key, r->key_len, &pd->key);
	p = copy_bytes(p, r->value, r->value_len, &pd->value);
	for (i = 0; i < r->hdr_cnt; i++) {
		pd->hdrs[i] = r->hdrs[i];
		p = copy_bytes(p, r->hdrs[i].key, r->hdrs[i].key_len,
		               &pd->hdrs[i].key);
		p = copy_bytes(p, r->hdrs[i].value, r->hdrs[i].value_len,
		               &pd->hdrs[i].value);
	}
	pd->key_len = r->key_len;
	pd->value_len = r->value_len;
	pd->hdr_cnt = r->hdr_cnt;
	pd->partition = r->partition;
	pd->timestamp = r->timestamp;
	pd->opaque = r->opaque;
	pd->bytes = bytes;
	pd->md_version = md_version;
	pd->deadline_us = kfk_now_us() + acc->cfg.delivery_timeout_us;
	return pd;
}

static void pending_to_record(const struct kfk_pending *pd,
                              const char *topic, struct kfk_precord *r)
{
	r->topic = topic;
	r->partition = pd->partition;
	r->key = pd->key;
	r->key_len = pd->key_len;
	r->value = pd->value;
	r->value_len = pd->value_len;
	r->hdrs = pd->hdr_cnt ? pd->hdrs : NULL;
	r->hdr_cnt = pd->hdr_cnt;
	r->timestamp = pd->timestamp;
	r->opaque = pd->opaque;
}

/* Reports pd as failed with err; the report queue frees it when served. */
static void pending_fail(struct kfk_accum *acc, struct kfk_ptopic *tp,
                         struct kfk_pending *pd, kfk_err err)
{
	memset(&pd->dr, 0, sizeof(pd->dr));
	pd->dr.topic = tp->name;
	pd->dr.partition = pd->partition >= 0 ? pd->partition : -1;
	pd->dr.err = err;
	pd->dr.base_offset = -1;
	pd->dr.log_append_time = -1;
	pd->dr.first_timestamp = pd->timestamp;
	pd->dr.opaques = &pd->opaque;
	pd->dr.count = 1;
	pd->dr.kind = KFK_DR_PENDING;
	kfk_reports_push(acc->reports, &pd->dr);
	kfk_accum_finished(acc, 1);
}

/* Under tp->lock: appends pd to the list. */
static void pending_add_locked(struct kfk_accum *acc, struct kfk_ptopic *tp,
                               struct kfk_pending *pd)
{
	pd->next = NULL;
	if (tp->pend_tail)
		tp->pend_tail->next = pd;
	else
		tp->pend_head = pd;
	tp->pend_tail = pd;
	if (atomic_fetch_add(&tp->pend_cnt, 1) == 0)
		atomic_fetch_add(&acc->pending_topics, 1);
}

/* Under tp->lock: unlinks the head. */
static struct kfk_pending *pending_pop_locked(struct kfk_accum *acc,
                                              struct kfk_ptopic *tp)
{
	struct kfk_pending *pd = tp->pend_head;

	tp->pend_head = pd->next;
	if (!tp->pend_head)
		tp->pend_tail = NULL;
	if (atomic_fetch_sub(&tp->pend_cnt, 1) == 1)
		atomic_fetch_sub(&acc->pending_topics, 1);
	return pd;
}

/* When metadata calling tp unknown is believed (topic.metadata.
 * propagation.max.ms after it first said so): Kafka 4 answers "unknown"
 * to the request that makes it auto-create a topic, and a broker that has
 * not heard yet of a topic just created says the same. Under tp->lock. */
static int64_t unknown_final_at(const struct kfk_accum *acc,
                                const struct kfk_ptopic *tp)
{
	return tp->md_err == KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION
	               ? tp->unknown_since_us + acc->cfg.propagation_us
	               : INT64_MAX;
}

/* The error that ends the pending records of tp now, or 0 while the topic
 * may still appear (being created, no leader yet). Under tp->lock. */
static kfk_err final_topic_error(const struct kfk_accum *acc,
                                 const struct kfk_ptopic *tp, int64_t now_us)
{
	kfk_err err = tp->md_err;

	if (err == KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION)
		return now_us >= unknown_final_at(acc, tp) ? KFK_ERR__UNKNOWN_TOPIC
		                                           : KFK_ERR_NONE;
	if (err && !kfk_err_is_retriable(err))
		return err;
	return KFK_ERR_NONE;
}

/* Under tp->lock: places the head record into the known partitions. */
static void place_head_locked(struct kfk_accum *acc, struct kfk_ptopic *tp,
                              const struct kfk_pparts *parts)
{
	struct kfk_pending *pd = pending_pop_locked(acc, tp);
	struct kfk_precord r;
	kfk_err err;

	pending_to_record(pd, tp->name, &r);
	err = kfk_accum_append_known(acc, tp, parts, &r, pd->bytes);
	if (err) {
		pending_fail(acc, tp, pd, err);
		return;
	}
	free(pd);
}

/* Under tp->lock: moves the topic's pending records on (see
 * kfk_accum_pending_run). Returns how many are left. */
static int64_t run_topic_locked(struct kfk_accum *acc, struct kfk_ptopic *tp,
                                int64_t now_us, bool may_place)
{
	struct kfk_pparts *parts = kfk_topic_parts(tp);
	kfk_err fatal = final_topic_error(acc, tp, now_us);


	while (tp->pend_head) {
		struct kfk_pending *pd = tp->pend_head;
		if (parts && may_place)
			place_head_locked(acc, tp, parts);
		else if (fatal && tp->md_seen > pd->md_version)
			pending_fail(acc, tp, pending_pop_locked(acc, tp), fatal);
		else if (now_us >= pd->deadline_us)
			pending_fail(acc, tp, pending_pop_locked(acc, tp),
			             KFK_ERR__MSG_TIMED_OUT);
		else
			break;
	}
	return atomic_load(&tp->pend_cnt);
}

kfk_err kfk_accum_produce_slow(struct kfk_accum *acc, struct kfk_ptopic *tp,
                               const struct kfk_precord *r, int64_t bytes)
{
	struct kfk_pparts *parts;
	struct kfk_pending *pd;
	kfk_err err = KFK_ERR_NONE;

	pthread_mutex_lock(&tp->lock);
	run_topic_locked(acc, tp, kfk_now_us(), true);
	parts = kfk_topic_parts(tp);
	if (parts && !tp->pend_head) {
		pthread_mutex_unlock(&tp->lock);
		return kfk_accum_append_known(acc, tp, parts, r, bytes);
	}
	pd = pending_new(acc, r, bytes, tp->md_seen);
	if (pd)
		pending_add_locked(acc, tp, pd);
	else
		err = KFK_ERR__NO_MEMORY;
	pthread_mutex_unlock(&tp->lock);
	/* Once per topic until metadata comes back without it. */
	if (pd && acc->hooks.want_md && !atomic_exchange(&tp->wants_md, true))
		acc->hooks.want_md(tp, acc->hooks.arg);
	return err;
}

struct run_arg {
	struct kfk_accum *acc;
	int64_t now_us;
	bool may_place;
	int64_t left;
	int64_t deadline;
	bool placeable;
	kfk_err fail_err;            /* kfk_accum_purge_pending's */
};

/* The next time tp's pending records need a look: the head's delivery
 * deadline, or when "unknown topic" is to be believed. Under tp->lock. */
static void pending_due(struct run_arg *ra, const struct kfk_ptopic *tp)
{
	int64_t at = unknown_final_at(ra->acc, tp);

	if (tp->pend_head->deadline_us < at)
		at = tp->pend_head->deadline_us;
	if (at < ra->deadline)
		ra->deadline = at;
}

static void run_one(struct kfk_ptopic *tp, void *arg)
{
	struct run_arg *ra = arg;
	bool ask, told;

	if (atomic_load(&tp->pend_cnt) == 0)
		return;
	pthread_mutex_lock(&tp->lock);
	/* A topic that does not exist is told before its records fail, so
	 * the application hears why before their reports. */
	told = !tp->gone_told && tp->pend_head &&
	       tp->md_seen > tp->pend_head->md_version &&
	       final_topic_error(ra->acc, tp, ra->now_us) ==
	           KFK_ERR__UNKNOWN_TOPIC;
	if (told && ra->acc->hooks.topic_gone) {
		tp->gone_told = 1;
		pthread_mutex_unlock(&tp->lock);
		ra->acc->hooks.topic_gone(tp, ra->acc->hooks.arg);
		pthread_mutex_lock(&tp->lock);
	}
	ra->left += run_topic_locked(ra->acc, tp, ra->now_us, ra->may_place);
	if (tp->pend_head)
		pending_due(ra, tp);
	if (tp->pend_head && kfk_topic_parts(tp))
		ra->placeable = true;
	ask = tp->pend_head && !kfk_topic_parts(tp) &&
	      !atomic_exchange(&tp->wants_md, true);
	pthread_mutex_unlock(&tp->lock);
	if (ask && ra->acc->hooks.want_md)
		ra->acc->hooks.want_md(tp, ra->acc->hooks.arg);
}

int64_t kfk_accum_pending_run(struct kfk_accum *acc,
                              const struct kfk_metadata *md, int64_t now_us,
                              bool may_place)
{
	struct run_arg ra = { acc, now_us, may_place || !acc->pt.cb, 0,
	                      INT64_MAX, false, KFK_ERR_NONE };

	if (atomic_load(&acc->pending_topics) == 0)
		return 0;
	if (md)
		kfk_accum_update_all(acc, md);
	kfk_topic_foreach(&acc->topics, run_one, &ra);
	return ra.left;
}

static void scan_one(struct kfk_ptopic *tp, void *arg)
{
	struct run_arg *ra = arg;

	if (atomic_load(&tp->pend_cnt) == 0)
		return;
	pthread_mutex_lock(&tp->lock);
	if (tp->pend_head)
		pending_due(ra, tp);
	if (tp->pend_head && kfk_topic_parts(tp))
		ra->placeable = true;
	pthread_mutex_unlock(&tp->lock);
}

bool kfk_accum_pending_placeable(struct kfk_accum *acc)
{
	struct run_arg ra = { acc, 0, false, 0, INT64_MAX, false, KFK_ERR_NONE };

	if (atomic_load(&acc->pending_topics) == 0)
		return false;
	kfk_topic_foreach(&acc->topics, scan_one, &ra);
	return ra.placeable;
}

int64_t kfk_accum_pending_deadline(struct kfk_accum *acc)
{
	struct run_arg ra = { acc, 0, false, 0, INT64_MAX, false, KFK_ERR_NONE };

	if (atomic_load(&acc->pending_topics) == 0)
		return INT64_MAX;
	kfk_topic_foreach(&acc->topics, scan_one, &ra);
	return ra.deadline;
}

static void purge_topic(struct kfk_ptopic *tp, void *arg)
{
	struct run_arg *ra = arg;

	if (atomic_load(&tp->pend_cnt) == 0)
		return;
	pthread_mutex_lock(&tp->lock);
	while (tp->pend_head) {
		pending_fail(ra->acc, tp, pending_pop_locked(ra->acc, tp),
		             ra->fail_err);
		ra->left++;
	}
	pthread_mutex_unlock(&tp->lock);
}

int64_t kfk_accum_purge_pending(struct kfk_accum *acc, kfk_err err)
{
	struct run_arg ra = { acc, 0, false, 0, INT64_MAX, false, err };

	if (atomic_load(&acc->pending_topics) == 0)
		return 0;
	kfk_topic_foreach(&acc->topics, purge_topic, &ra);
	return ra.left;
}
