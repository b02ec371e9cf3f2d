/*
 * consumer/assignor_protocol.c: the bytes of the embedded ConsumerProtocol
 * (a member's subscription in JoinGroup, its assignment in SyncGroup), as
 * the Java client's ConsumerProtocol writes and reads them: an int16
 * version, then the struct at that version. Versions newer than the
 * newest known are read as it (later versions only add fields at the end,
 * which Java relies on too).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "consumer/assignor.h"
#include "proto/arena.h"
#include "proto/buf.h"
#include "proto/gen/consumer_protocol.h"

#define SUB_VERSION 3   /* Java 4.x's latest (rack, KIP-881) */
#define ASG_VERSION 3

static int tp_cmp(const void *a, const void *b)
{
	const struct kfk_asg_tp *x = a, *y = b;
	int c = strcmp(x->topic, y->topic);

	return c ? c : (x->partition > y->partition) -
	               (x->partition < y->partition);
}

/* l grouped by topic: *topics[i] names a topic, its partitions follow in
 * parts. Returns the number of topics, -1 on ENOMEM. Sorts l. */
static int group_by_topic(struct kfk_asg_tps *l, const char ***topics,
                          int32_t **parts, int32_t **counts)
{
	int i, n = 0;

	*topics = calloc((size_t)l->cnt + 1, sizeof(**topics));
	*parts = calloc((size_t)l->cnt + 1, sizeof(**parts));
	*counts = calloc((size_t)l->cnt + 1, sizeof(**counts));
	if (!*topics || !*parts || !*counts)
		return -1;
	if (l->cnt > 1)
		qsort(l->v, (size_t)l->cnt, sizeof(*l->v), tp_cmp);
	for (i = 0; i < l->cnt; i++) {
		if (!n || strcmp((*topics)[n - 1], l->v[i].topic))
			(*topics)[n++] = l->v[i].topic;
		(*counts)[n - 1]++;
		(*parts)[i] = l->v[i].partition;
	}
	return n;
}

static void free3(const char **a, int32_t *b, int32_t *c)
{
	free(a);
	free(b);
	free(c);
}

/* A sorted copy of tps (the caller's stays as it is). */
static int tps_copy(struct kfk_asg_tps *dst, const struct kfk_asg_tps *src)
{
	memset(dst, 0, sizeof(*dst));
	if (!src || !src->cnt)
		return 0;
	dst->v = malloc((size_t)src->cnt * sizeof(*dst->v));
	if (!dst->v)
		return -1;
	memcpy(dst->v, src->v, (size_t)src->cnt * sizeof(*dst->v));
	dst->cnt = dst->cap = src->cnt;
	return 0;
}

uint8_t *kfk_asg_subscription_encode(const struct kfk_assignor *a,
                                     const char *const *topics, int topic_cnt,
                                     const struct kfk_asg_tps *owned,
                                     int32_t generation, const char *rack,
                                     size_t *len)
{
	struct kfk_consumer_protocol_subscription m;
	struct kfk_consumer_protocol_subscription_topic_partition *op = NULL;
	struct kfk_str *t = calloc((size_t)topic_cnt + 1, sizeof(*t));
	struct kfk_asg_tps own;
	const char **ot = NULL;
	int32_t *pp = NULL, *pc = NULL;
	uint8_t *ud = NULL, *out = NULL;
	size_t udlen = 0;
	int i, n = 0, off = 0;
	kfk_wbuf w;

	kfk_consumer_protocol_subscription_init(&m);
	if (!t || tps_copy(&own, owned) ||
	    (n = group_by_topic(&own, &ot, &pp, &pc)) < 0 ||
	    !(op = calloc((size_t)n + 1, sizeof(*op))) ||
	    (a->user_data && !(ud = a->user_data(generation, owned, &udlen))))
		goto done;
	for (i = 0; i < topic_cnt; i++)
		t[i] = kfk_str_c(topics[i]);
	for (i = 0; i < n; i++) {
		op[i].topic = kfk_str_c(ot[i]);
		op[i].partitions = &pp[off];
		op[i].partitions_count = pc[i];
		off += pc[i];
	}
	m.topics = t;
	m.topics_count = topic_cnt;
	m.user_data.ptr = ud;
	m.user_data.len = ud ? (int32_t)udlen : -1;
	m.owned_partitions = op;
	m.owned_partitions_count = n;
	m.generation_id = generation;
	m.rack_id = kfk_str_c(rack);
	kfk_wbuf_init(&w);
	kfk_wbuf_put_i16(&w, SUB_VERSION);
	if (kfk_consumer_protocol_subscription_encode(&w, SUB_VERSION, &m) == 0)
		out = kfk_wbuf_steal(&w, len);
	kfk_wbuf_free(&w);
done:
	free(t);
	free(op);
	free(ud);
	free3(ot, pp, pc);
	kfk_asg_tps_free(&own);
	return out;
}

/* A wire string as a C string in the arena; NULL for null. */
static const char *arena_cstr(kfk_arena *a, struct kfk_str s, int *fail)
{
	char *p;

	if (s.len < 0)
		return NULL;
	p = kfk_arena_alloc(a, (size_t)s.len + 1);
	if (!p) {
		*fail = 1;
		return NULL;
	}
	memcpy(p, s.ptr, (size_t)s.len);
	p[s.len] = '\0';
	return p;
}

static int16_t read_version(kfk_rbuf *r, const uint8_t *buf, size_t len,
                            int16_t newest)
{
	int16_t v;

	kfk_rbuf_init(r, buf, len);
	v = kfk_rbuf_read_i16(r);
	return v > newest ? newest : v;
}

/* Generation from cooperative-sticky's user data (subscriptions before
 * version 2 carry it there). */
static int32_t user_data_generation(struct kfk_bytes ud)
{
	const uint8_t *b = ud.ptr;

	if (ud.len != 4)
		return -1;
	return (int32_t)((uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	                 (uint32_t)b[2] << 8 | b[3]);
}

static kfk_err sub_fill(const struct kfk_consumer_protocol_subscription *m,
                        int16_t v, struct kfk_arena *a,
                        struct kfk_asg_subscription *out)
{
	int i, k, fail = 0;

	out->version = v;
	out->topic_cnt = m->topics_count > 0 ? m->topics_count : 0;
	out->topics = kfk_arena_alloc(a, sizeof(char *) *
	                                     ((size_t)out->topic_cnt + 1));
	if (!out->topics)
		return KFK_ERR__NO_MEMORY;
	for (i = 0; i < out->topic_cnt; i++)
		out->topics[i] = arena_cstr(a, m->topics[i], &fail);
	out->user_data = m->user_data.ptr;
	out->user_data_len = m->user_data.len;
	for (i = 0; i < m->owned_partitions_count; i++) {
		const char *t = arena_cstr(a, m->owned_partitions[i].topic, &fail);

		for (k = 0; t && k < m->owned_partitions[i].partitions_count; k++)
			fail |= kfk_asg_tps_add(&out->owned, t,
			                        m->owned_partitions[i].partitions[k]);
	}
	out->generation = v >= 2 ? m->generation_id
	                         : user_data_generation(m->user_data);
	out->rack = arena_cstr(a, m->rack_id, &fail);
	for (i = 0; i < out->topic_cnt; i++)
		fail |= !out->topics[i];
	return fail ? KFK_ERR__NO_MEMORY : KFK_ERR_NONE;
}

kfk_err kfk_asg_subscription_decode(const uint8_t *buf, size_t len,
                                    struct kfk_arena *a,
                                    struct kfk_asg_subscription *out)
{
	struct kfk_consumer_protocol_subscription m;
	kfk_rbuf r;
	int16_t v;
	kfk_err err;

	memset(out, 0, sizeof(*out));
	out->generation = -1;
	if (!buf || len < 2)
		return KFK_ERR__MALFORMED;
	v = read_version(&r, buf, len, SUB_VERSION);
	if (v < 0 || kfk_consumer_protocol_subscription_decode(&r, v, a, &m))
		return KFK_ERR__MALFORMED;
	err = sub_fill(&m, v, a, out);
	if (err)
		kfk_asg_tps_free(&out->owned);
	return err;
}

uint8_t *kfk_asg_assignment_encode(const struct kfk_asg_tps *assigned,
                                   size_t *len)
{
	struct kfk_consumer_protocol_assignment m;
	struct kfk_consumer_protocol_assignment_topic_partition *tp = NULL;
	struct kfk_asg_tps l;
	const char **ot = NULL;
	int32_t *pp = NULL, *pc = NULL;
	uint8_t *out = NULL;
	int i, n = 0, off = 0;
	kfk_wbuf w;

	if (tps_copy(&l, assigned) || (n = group_by_topic(&l, &ot, &pp, &pc)) < 0 ||
	    !(tp = calloc((size_t)n + 1, sizeof(*tp))))
		goto done;
	kfk_consumer_protocol_assignment_init(&m);
	for (i = 0; i < n; i++) {
		tp[i].topic = kfk_str_c(ot[i]);
		tp[i].partitions = &pp[off];
		tp[i].partitions_count = pc[i];
		off += pc[i];
	}
	m.assigned_partitions = tp;
	m.assigned_partitions_count = n;
	kfk_wbuf_init(&w);
	kfk_wbuf_put_i16(&w, ASG_VERSION);
	if (kfk_consumer_protocol_assignment_encode(&w, ASG_VERSION, &m) == 0)
		out = kfk_wbuf_steal(&w, len);
	kfk_wbuf_free(&w);
done:
	free(tp);
	free3(ot, pp, pc);
	kfk_asg_tps_free(&l);
	return out;
}

kfk_err kfk_asg_assignment_decode(const uint8_t *buf, size_t len,
                                  struct kfk_arena *a, struct kfk_asg_tps *out)
{
	struct kfk_consumer_protocol_assignment m;
	kfk_rbuf r;
	int16_t v;
	int i, k, fail = 0;

	memset(out, 0, sizeof(*out));
	if (!len) /* Java sends nothing to a member with nothing */
		return KFK_ERR_NONE;
	if (!buf || len < 2)
		return KFK_ERR__MALFORMED;
	v = read_version(&r, buf, len, ASG_VERSION);
	if (v < 0 || kfk_consumer_protocol_assignment_decode(&r, v, a, &m))
		return KFK_ERR__MALFORMED;
	for (i = 0; i < m.assigned_partitions_count; i++) {
		const char *t = arena_cstr(a, m.assigned_partitions[i].topic, &fail);

		for (k = 0; t && k < m.assigned_partitions[i].partitions_count; k++)
			fail |= kfk_asg_tps_add(out, t,
			                        m.assigned_partitions[i].partitions[k]);
	}
	if (fail) {
		kfk_asg_tps_free(out);
		return KFK_ERR__NO_MEMORY;
	}
	return KFK_ERR_NONE;
}
