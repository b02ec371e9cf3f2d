/*
 * client/metadata.c: metadata snapshots: building one from a Metadata
 * response merged with the previous one, reference counting, lookups.
 *
 * Everything a snapshot points to lives in its own arena, so a snapshot is
 * one malloc for the header plus a few arena chunks, and freeing it never
 * walks the topics.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "client/metadata.h"
#include "proto/arena.h"
#include "proto/gen/metadata.h"

/* The largest partition id a snapshot accepts: partitions are stored
 * densely, so a hostile id of 2^31 must not make us allocate 2^31 slots.
 * Kafka clusters stay far below this. */
#define KFK_MD_MAX_PARTITION_ID (1 << 20)

/* The snapshot and the arena that holds everything it points to. */
struct md_snap {
	struct kfk_metadata md;
	kfk_arena arena;
};

static struct md_snap *snap_of(struct kfk_metadata *md)
{
	return (struct md_snap *)((char *)md - offsetof(struct md_snap, md));
}

static struct md_snap *snap_new(void)
{
	struct md_snap *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	kfk_arena_init(&s->arena);
	s->md.controller_id = -1;
	s->md.refcnt = 1;
	return s;
}

static void snap_free(struct md_snap *s)
{
	kfk_arena_destroy(&s->arena);
	free(s);
}

struct kfk_metadata *kfk_metadata_new_empty(void)
{
	struct md_snap *s = snap_new();
	return s ? &s->md : NULL;
}

struct kfk_metadata *kfk_metadata_ref(struct kfk_metadata *md)
{
	__atomic_fetch_add(&md->refcnt, 1, __ATOMIC_RELAXED);
	return md;
}

void kfk_metadata_unref(struct kfk_metadata *md)
{
	if (!md)
		return;
	if (__atomic_sub_fetch(&md->refcnt, 1, __ATOMIC_ACQ_REL) == 0)
		snap_free(snap_of(md));
}

/* ------------------------------------------------------------------ */
/* Lookups                                                             */
/* ------------------------------------------------------------------ */

const struct kfk_md_topic *kfk_metadata_topic(const struct kfk_metadata *md,
                                              const char *name)
{
	int32_t lo = 0, hi = md->topic_cnt;
	while (lo < hi) {
		int32_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, md->topics[mid].name);
		if (c == 0)
			return &md->topics[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const struct kfk_md_broker *kfk_metadata_broker(const struct kfk_metadata *md,
                                                int32_t id)
{
	int32_t lo = 0, hi = md->broker_cnt;
	while (lo < hi) {
		int32_t mid = lo + (hi - lo) / 2;
		if (md->brokers[mid].id == id)
			return &md->brokers[mid];
		if (id < md->brokers[mid].id)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const struct kfk_md_partition *
kfk_metadata_partition(const struct kfk_metadata *md, const char *topic,
                       int32_t partition)
{
	const struct kfk_md_topic *t = kfk_metadata_topic(md, topic);
	if (!t || partition < 0 || partition >= t->partition_cnt)
		return NULL;
	return &t->partitions[partition];
}

int32_t kfk_metadata_leader(const struct kfk_metadata *md, const char *topic,
                            int32_t partition)
{
	const struct kfk_md_partition *p =
		kfk_metadata_partition(md, topic, partition);
	return p ? p->leader : -1;
}

int kfk_metadata_is_stale(const struct kfk_metadata *md, int64_t now_ms,
                          int64_t max_age_ms)
{
	if (md->version == 0 || max_age_ms <= 0)
		return 1;
	return now_ms - md->received_ms >= max_age_ms;
}

int kfk_metadata_err_is_stale(kfk_err err)
{
	switch (err) {
	case KFK_ERR_NOT_LEADER_OR_FOLLOWER:
	case KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION:
	case KFK_ERR_LEADER_NOT_AVAILABLE:
	case KFK_ERR_REPLICA_NOT_AVAILABLE:
	case KFK_ERR_KAFKA_STORAGE_ERROR:
	case KFK_ERR_FENCED_LEADER_EPOCH:
	case KFK_ERR_UNKNOWN_TOPIC_ID:
	case KFK_ERR_INCONSISTENT_TOPIC_ID:
	case KFK_ERR__UNKNOWN_PARTITION:
		return 1;
	default:
		return 0;
	}
}

/* ------------------------------------------------------------------ */
/* Building                                                            */
/* ------------------------------------------------------------------ */

/* The state of one build; err is sticky, as in the wire readers, so the
 * copy helpers can be chained and checked once. */
struct md_build {
	struct md_snap *s;
	const struct kfk_metadata *prev;
	struct kfk_md_build_info info;
	int64_t now_ms;
	kfk_err err;
};

static void *b_alloc(struct md_build *b, size_t n, size_t size)
{
	void *p;
	if (b->err || n == 0)
		return NULL;
	p = kfk_arena_alloc_array(&b->s->arena, n, size);
	if (!p)
		b->err = KFK_ERR__NO_MEMORY;
	return p;
}

static char *b_strndup(struct md_build *b, const char *ptr, size_t len)
{
	char *d = b_alloc(b, len + 1, 1);
	if (!d)
		return NULL;
	if (len)
		memcpy(d, ptr, len);
	d[len] = '\0';
	return d;
}

/* A wire string as a C string in the snapshot; NULL for the null string. */
static char *b_str(struct md_build *b, struct kfk_str s)
{
	return s.len < 0 ? NULL : b_strndup(b, s.ptr, (size_t)s.len);
}

static char *b_cstr(struct md_build *b, const char *s)
{
	return s ? b_strndup(b, s, strlen(s)) : NULL;
}

static int32_t *b_ids(struct md_build *b, const int32_t *v, int32_t n)
{
	int32_t *d = b_alloc(b, n > 0 ? (size_t)n : 0, sizeof(*d));
	if (d)
		memcpy(d, v, (size_t)n * sizeof(*d));
	return d;
}

static int cmp_broker(const void *a, const void *b)
{
	int32_t x = ((const struct kfk_md_broker *)a)->id;
	int32_t y = ((const struct kfk_md_broker *)b)->id;
	return (x > y) - (x < y);
}

/* The response's brokers, sorted by id; a duplicate id (which no sane
 * broker sends) keeps one entry. */
static void build_brokers(struct md_build *b,
                          const struct kfk_metadata_response *r)
{
	struct kfk_metadata *md = &b->s->md;
	int32_t i, n = 0;

	md->brokers = b_alloc(b, (size_t)r->brokers_count, sizeof(*md->brokers));
	if (!md->brokers)
		return;
	for (i = 0; i < r->brokers_count; i++) {
		const struct kfk_metadata_response_broker *rb = &r->brokers[i];
		struct kfk_md_broker *d = &md->brokers[i];
		d->id = rb->node_id;
		d->host = b_str(b, rb->host);
		if (!d->host)
			d->host = b_cstr(b, "");
		d->port = rb->port;
		d->rack = b_str(b, rb->rack);
	}
	qsort(md->brokers, (size_t)r->brokers_count, sizeof(*md->brokers),
	      cmp_broker);
	for (i = 0; i < r->brokers_count; i++)
		if (n == 0 || md->brokers[n - 1].id != md->brokers[i].id)
			md->brokers[n++] = md->brokers[i];
	md->broker_cnt = n;
}

static void copy_partition(struct md_build *b, struct kfk_md_partition *d,
                           const struct kfk_md_partition *p)
{
	*d = *p;
	d->replicas = b_ids(b, p->replicas, p->replica_cnt);
	d->isr = b_ids(b, p->isr, p->isr_cnt);
}

static void copy_topic(struct md_build *b, struct kfk_md_topic *d,
                       const struct kfk_md_topic *t)
{
	int32_t i;

	*d = *t;
	d->name = b_cstr(b, t->name);
	d->partitions = b_alloc(b, (size_t)t->partition_cnt,
	                        sizeof(*d->partitions));
	if (!d->partitions) {
		d->partition_cnt = 0;
		return;
	}
	for (i = 0; i < t->partition_cnt; i++)
		copy_partition(b, &d->partitions[i], &t->partitions[i]);
}

/* The slots a topic's dense partition array needs: the highest valid id
 * plus one. */
static int32_t partition_slots(const struct kfk_metadata_response_topic *rt)
{
	int32_t i, n = 0;
	for (i = 0; i < rt->partitions_count; i++) {
		int32_t id = rt->partitions[i].partition_index;
		if (id >= 0 && id < KFK_MD_MAX_PARTITION_ID && id >= n)
			n = id + 1;
	}
	return n;
}

/* One partition from the response, unless prev knows a newer leader
 * epoch: then the response came from a broker that lags behind, and the
 * known leader stays. */
static void build_partition(struct md_build *b, struct kfk_md_partition *d,
                            const struct kfk_metadata_response_partition *rp,
                            const struct kfk_md_topic *prev_t)
{
	const struct kfk_md_partition *old = NULL;
	int32_t id = rp->partition_index;

	if (prev_t && id < prev_t->partition_cnt)
		old = &prev_t->partitions[id];
	if (old && old->leader_epoch >= 0 && rp->leader_epoch >= 0 &&
	    rp->leader_epoch < old->leader_epoch) {
		copy_partition(b, d, old);
		b->info.epochs_kept++;
		return;
	}
	d->id = id;
	d->err = (kfk_err)rp->error_code;
	d->leader = rp->leader_id;
	d->leader_epoch = rp->leader_epoch;
	d->replica_cnt = rp->replica_nodes_count > 0 ? rp->replica_nodes_count : 0;
	d->replicas = b_ids(b, rp->replica_nodes, d->replica_cnt);
	d->isr_cnt = rp->isr_nodes_count > 0 ? rp->isr_nodes_count : 0;
	d->isr = b_ids(b, rp->isr_nodes, d->isr_cnt);
	if (kfk_metadata_err_is_stale(d->err) || d->leader < 0)
		b->info.stale++;
}

static void build_partitions(struct md_build *b, struct kfk_md_topic *d,
                             const struct kfk_metadata_response_topic *rt,
                             const struct kfk_md_topic *prev_t)
{
	int32_t i, n = partition_slots(rt);

	d->partitions = b_alloc(b, (size_t)n, sizeof(*d->partitions));
	if (!d->partitions)
		return;
	for (i = 0; i < n; i++) {
		struct kfk_md_partition *p = &d->partitions[i];
		memset(p, 0, sizeof(*p));
		p->id = -1; /* not filled yet; becomes i below */
	}
	for (i = 0; i < rt->partitions_count; i++) {
		const struct kfk_metadata_response_partition *rp =
			&rt->partitions[i];
		int32_t id = rp->partition_index;
		if (id < 0 || id >= n || d->partitions[id].id != -1)
			continue; /* out of range or a duplicate: keep the first */
		build_partition(b, &d->partitions[id], rp, prev_t);
	}
	for (i = 0; i < n; i++) {
		struct kfk_md_partition *p = &d->partitions[i];
		if (p->id != -1)
			continue;
		/* A hole: the response skipped this id. */
		p->id = i;
		p->err = KFK_ERR__UNKNOWN_PARTITION;
		p->leader = -1;
		p->leader_epoch = -1;
		b->info.stale++;
	}
	d->partition_cnt = n;
}

static void build_topic(struct md_build *b, struct kfk_md_topic *d,
                        const struct kfk_metadata_response_topic *rt,
                        const struct kfk_md_topic *prev_t)
{
	memset(d, 0, sizeof(*d));
	d->name = b_str(b, rt->name);
	d->err = (kfk_err)rt->error_code;
	d->is_internal = rt->is_internal;
	d->seen_ms = b->now_ms;
	if (d->err) {
		/* No partitions for a topic in error (the Java client does the
		 * same): the topic is unknown, being created or deleted, or
		 * not ours to see. */
		if (kfk_metadata_err_is_stale(d->err))
			b->info.stale++;
		return;
	}
	build_partitions(b, d, rt, prev_t);
}

static int cmp_rtopic(const void *a, const void *b)
{
	const struct kfk_metadata_response_topic *x =
		*(const struct kfk_metadata_response_topic *const *)a;
	const struct kfk_metadata_response_topic *y =
		*(const struct kfk_metadata_response_topic *const *)b;
	size_t n = (size_t)(x->name.len < y->name.len ? x->name.len
	                                               : y->name.len);
	int c = n ? memcmp(x->name.ptr, y->name.ptr, n) : 0;
	if (c)
		return c;
	return (x->name.len > y->name.len) - (x->name.len < y->name.len);
}

/* The response's named topics, sorted by name (the order strcmp gives,
 * as memcmp on the bytes does), without duplicates; *np gets how many. */
static const struct kfk_metadata_response_topic **
sorted_rtopics(struct md_build *b, const struct kfk_metadata_response *r,
               int32_t *np)
{
	const struct kfk_metadata_response_topic **v;
	int32_t i, n = 0, k = 0;

	*np = 0;
	v = b_alloc(b, (size_t)(r->topics_count > 0 ? r->topics_count : 0),
	            sizeof(*v));
	if (!v)
		return NULL;
	for (i = 0; i < r->topics_count; i++) {
		const struct kfk_metadata_response_topic *t = &r->topics[i];
		/* A topic asked by id that does not exist has no name (v12);
		 * a name with a NUL inside cannot be a C string key. */
		if (t->name.len <= 0 || memchr(t->name.ptr, 0, (size_t)t->name.len))
			continue;
		v[n++] = t;
	}
	qsort(v, (size_t)n, sizeof(*v), cmp_rtopic);
	for (i = 0; i < n; i++)
		if (k == 0 || cmp_rtopic(&v[k - 1], &v[i]) != 0)
			v[k++] = v[i];
	*np = k;
	return v;
}

static int keep_old_topic(const struct kfk_md_topic *t, bool all_topics,
                          int64_t now_ms, int64_t max_age_ms)
{
	return !all_topics && now_ms - t->seen_ms < max_age_ms;
}

/* Compares a response topic's name with a snapshot topic's name. */
static int cmp_rt_name(const struct kfk_metadata_response_topic *rt,
                       const char *name)
{
	size_t len = strlen(name), rl = (size_t)rt->name.len;
	int c = memcmp(rt->name.ptr, name, rl < len ? rl : len);
	if (c)
		return c;
	return (rl > len) - (rl < len);
}

/* Merges the response's topics (sorted) with prev's (sorted) in one walk,
 * so the result comes out sorted too. */
static void build_topics(struct md_build *b,
                         const struct kfk_metadata_response *r,
                         bool all_topics, int64_t max_age_ms)
{
	struct kfk_metadata *md = &b->s->md;
	const struct kfk_md_topic *old = b->prev ? b->prev->topics : NULL;
	int32_t on = b->prev ? b->prev->topic_cnt : 0, rn, i = 0, j = 0, n = 0;
	const struct kfk_metadata_response_topic **rv = sorted_rtopics(b, r, &rn);

	md->topics = b_alloc(b, (size_t)rn + (size_t)on, sizeof(*md->topics));
	if (!md->topics)
		return;
	while (!b->err && (i < rn || j < on)) {
		int c = i == rn ? 1 : j == on ? -1 : cmp_rt_name(rv[i], old[j].name);
		if (c <= 0) {
			build_topic(b, &md->topics[n++], rv[i++],
			            c == 0 ? &old[j] : NULL);
			if (c == 0)
				j++;
		} else if (keep_old_topic(&old[j], all_topics, b->now_ms,
		                          max_age_ms)) {
			copy_topic(b, &md->topics[n++], &old[j++]);
		} else {
			b->info.topics_dropped++;
			j++;
		}
	}
	md->topic_cnt = n;
}

kfk_err kfk_metadata_build(const struct kfk_metadata *prev,
                           const struct kfk_metadata_response *resp,
                           bool all_topics, int64_t now_ms,
                           int64_t max_age_ms, struct kfk_metadata **mdp,
                           struct kfk_md_build_info *info)
{
	struct md_build b = { .prev = prev, .now_ms = now_ms };

	*mdp = NULL;
	if (info)
		memset(info, 0, sizeof(*info));
	if (resp->brokers_count <= 0)
		return KFK_ERR__MALFORMED;
	if (!(b.s = snap_new()))
		return KFK_ERR__NO_MEMORY;
	b.s->md.version = prev ? prev->version + 1 : 1;
	b.s->md.received_ms = now_ms;
	b.s->md.controller_id = resp->controller_id;
	b.s->md.cluster_id = b_str(&b, resp->cluster_id);
	build_brokers(&b, resp);
	build_topics(&b, resp, all_topics, max_age_ms);
	if (b.err) {
		snap_free(b.s);
		return b.err;
	}
	if (info)
		*info = b.info;
	*mdp = &b.s->md;
	return KFK_ERR_NONE;
}
