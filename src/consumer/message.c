/*
 * consumer/message.c: messages, the fetched sets they live in, and the
 * memory bound (consumer_int.h).
 *
 * A set is the messages of one partition from one Fetch response: views
 * into the response frame (kept, net/frame.h) and into the decompressed
 * copies of compressed batches, which the set owns. It is one event of the
 * consumer's queue: poll takes messages out of it one by one. Its
 * reference count is one per message not yet destroyed plus one for the
 * queue; the last reference frees the frame, the copies and the set, and
 * gives their bytes back to the memory bound.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consumer/consumer_int.h"
#include "proto/record_batch.h"

/* ---- the memory bound ------------------------------------------------ */

struct kfk_cmem *kfk_cmem_new(int64_t bound)
{
	struct kfk_cmem *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	atomic_init(&m->refs, 1);
	atomic_init(&m->held, 0);
	atomic_init(&m->full, false);
	m->bound = bound;
	pthread_mutex_init(&m->lock, NULL);
	return m;
}

void kfk_cmem_unref(struct kfk_cmem *m)
{
	if (!m || atomic_fetch_sub(&m->refs, 1) != 1)
		return;
	pthread_mutex_destroy(&m->lock);
	free(m);
}

int64_t kfk_cmem_room(struct kfk_cmem *m, int64_t reserved)
{
	return m->bound - (int64_t)atomic_load(&m->held) - reserved;
}

/* Bytes given back: a consumer that held a Fetch back for want of room
 * hears of it. */
static void cmem_release(struct kfk_cmem *m, int64_t bytes)
{
	int64_t now = (int64_t)atomic_fetch_sub(&m->held, bytes) - bytes;

	if (now >= m->bound || !atomic_load(&m->full))
		return;
	if (!atomic_exchange(&m->full, false))
		return;
	pthread_mutex_lock(&m->lock);
	if (m->room)
		m->room(m->room_arg);
	pthread_mutex_unlock(&m->lock);
}

/* ---- sets ---------------------------------------------------------------- */

struct kfk_fset *kfk_fset_new(struct kfk_cmem *mem, struct kfk_cpart *p,
                              unsigned version, int32_t cap)
{
	struct kfk_fset *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	if (cap < 1)
		cap = 1;
	s->msgs = malloc((size_t)cap * sizeof(*s->msgs));
	if (!s->msgs) {
		free(s);
		return NULL;
	}
	s->cap = cap;
	atomic_init(&s->refs, 1);
	atomic_fetch_add(&mem->refs, 1);
	s->mem = mem;
	s->part = kfk_cpart_ref(p);
	s->version = version;
	s->ev.type = KFK_EV_MESSAGES;
	return s;
}

struct kfk_message *kfk_fset_add(struct kfk_fset *s)
{
	struct kfk_message *m;

	if (s->cnt == s->cap) {
		int32_t cap = s->cap * 2;
		struct kfk_message *v = realloc(s->msgs, (size_t)cap * sizeof(*v));

		if (!v)
			return NULL;
		s->msgs = v;
		s->cap = cap;
	}
	m = &s->msgs[s->cnt++];
	memset(m, 0, sizeof(*m));
	m->set = s;
	m->key_len = m->value_len = -1;
	m->leader_epoch = -1;
	atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
	return m;
}

void kfk_fset_trim(struct kfk_fset *s)
{
	struct kfk_message *v;

	if (s->cnt == s->cap || s->cnt == 0)
		return;
	v = realloc(s->msgs, (size_t)s->cnt * sizeof(*v));
	if (!v)
		return; /* keeps the larger array: correct, just bigger */
	/* Messages point at their set, not at each other: moving is safe. */
	s->msgs = v;
	s->cap = s->cnt;
}

int kfk_fset_own(struct kfk_fset *s, void *buf, size_t len)
{
	if (s->owned_cnt == s->owned_cap) {
		int cap = s->owned_cap ? s->owned_cap * 2 : 4;
		void **v = realloc(s->owned, (size_t)cap * sizeof(*v));

		if (!v)
			return -1;
		s->owned = v;
		s->owned_cap = cap;
	}
	s->owned[s->owned_cnt++] = buf;
	s->bytes += (int64_t)len;
	return 0;
}

void kfk_fset_charge(struct kfk_fset *s, int64_t frame_bytes)
{
	/* The messages count too: at 80 bytes each they are as big as
	 * the records of a typical small-record stream. */
	s->bytes += frame_bytes + (int64_t)s->cap * (int64_t)sizeof(*s->msgs);
	s->charged = true;
	atomic_fetch_add(&s->mem->held, s->bytes);
}

static void fset_free(struct kfk_fset *s)
{
	struct kfk_cmem *mem = s->mem;
	int i;

	kfk_frame_unref(s->frame);
	for (i = 0; i < s->owned_cnt; i++)
		free(s->owned[i]);
	free(s->owned);
	free(s->errstr);
	free(s->msgs);
	kfk_cpart_unref(s->part);
	if (s->charged)
		cmem_release(mem, s->bytes);
	free(s);
	kfk_cmem_unref(mem);
}

static void fset_unref(struct kfk_fset *s, int n)
{
	if (atomic_fetch_sub_explicit(&s->refs, n, memory_order_acq_rel) == n)
		fset_free(s);
}

void kfk_fset_discard(struct kfk_fset *s)
{
	fset_unref(s, s->cnt + 1);
}

void kfk_fset_release(struct kfk_ev *ev, void *arg)
{
	struct kfk_fset *s = (struct kfk_fset *)ev;

	(void)arg;
	/* The queue's reference, and the messages it never handed out
	 * (the consumer is being destroyed). */
	fset_unref(s, 1 + (s->cnt - s->taken));
}

void kfk_fset_copy(void *arg, const struct kfk_ev *ev, int32_t first, int n,
                   int out)
{
	struct kfk_fset *s = (struct kfk_fset *)ev;
	kfk_message **v = arg;
	int i;

	for (i = 0; i < n; i++)
		v[out + i] = &s->msgs[first + i];
	s->taken += n;
}

/* ---- messages ---------------------------------------------------------- */

KFK_API void kfk_message_destroy(kfk_message *m)
{
	if (m)
		fset_unref(m->set, 1);
}

KFK_API kfk_err kfk_message_err(const kfk_message *m)
{
	return m->err;
}

KFK_API const char *kfk_message_errstr(const kfk_message *m)
{
	if (!m->err)
		return "";
	return m->set->errstr ? m->set->errstr : kfk_err_str(m->err);
}

KFK_API const char *kfk_message_topic(const kfk_message *m)
{
	return m->set->part->topic;
}

KFK_API int32_t kfk_message_partition(const kfk_message *m)
{
	return m->set->part->partition;
}

KFK_API int64_t kfk_message_offset(const kfk_message *m)
{
	return m->offset;
}

KFK_API const void *kfk_message_key(const kfk_message *m, size_t *len)
{
	if (len)
		*len = m->key_len > 0 ? (size_t)m->key_len : 0;
	if (m->key_len < 0)
		return NULL;
	return m->key ? (const void *)m->key : (const void *)"";
}

KFK_API const void *kfk_message_value(const kfk_message *m, size_t *len)
{
	if (len)
		*len = m->value_len > 0 ? (size_t)m->value_len : 0;
	if (m->value_len < 0)
		return NULL;
	return m->value ? (const void *)m->value : (const void *)"";
}

KFK_API int64_t kfk_message_timestamp(const kfk_message *m,
                                      enum kfk_timestamp_type *type)
{
	if (type)
		*type = (enum kfk_timestamp_type)m->ts_type;
	return m->ts_type == KFK_TIMESTAMP_NONE ? -1 : m->timestamp;
}

KFK_API int32_t kfk_message_leader_epoch(const kfk_message *m)
{
	return m->leader_epoch;
}

KFK_API size_t kfk_message_header_count(const kfk_message *m)
{
	return m->header_count > 0 ? (size_t)m->header_count : 0;
}

KFK_API kfk_err kfk_message_header(const kfk_message *m, size_t i,
                                   const char **key, size_t *key_len,
                                   const void **value, size_t *value_len)
{
	struct kfk_record r = { .headers = m->headers,
		                    .headers_end = m->headers_end,
		                    .header_count = m->header_count };
	struct kfk_header_iter hi;
	struct kfk_record_header h;
	size_t n = 0;

	kfk_header_iter_init(&hi, &r);
	while (kfk_header_iter_next(&hi, &h) == 1) {
		if (n++ != i)
			continue;
		*key = (const char *)h.key;
		*key_len = (size_t)h.key_len;
		*value = h.value_len < 0 ? NULL
		         : h.value ? (const void *)h.value : (const void *)"";
		*value_len = h.value_len > 0 ? (size_t)h.value_len : 0;
		return KFK_ERR_NONE;
	}
	return KFK_ERR__NOENT;
}
