/*
 * consumer/tplist.c: topic-partition lists (include/kfk/consumer.h).
 *
 * A plain growable array; kfk copies the topic names in, so a list never
 * points into the application's memory.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <kfk/consumer.h>

#include "consumer/tplist.h"

KFK_API kfk_tplist *kfk_tplist_new(int capacity)
{
	kfk_tplist *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	if (capacity > 0) {
		l->v = calloc((size_t)capacity, sizeof(*l->v));
		if (!l->v) {
			free(l);
			return NULL;
		}
		l->cap = capacity;
	}
	return l;
}

KFK_API void kfk_tplist_destroy(kfk_tplist *l)
{
	int i;

	if (!l)
		return;
	for (i = 0; i < l->cnt; i++) {
		free(l->v[i].topic);
		free(l->v[i].metadata);
	}
	free(l->v);
	free(l);
}

static int tplist_grow(kfk_tplist *l)
{
	int cap = l->cap ? l->cap * 2 : 8;
	struct kfk_tp *v = realloc(l->v, (size_t)cap * sizeof(*v));

	if (!v)
		return -1;
	l->v = v;
	l->cap = cap;
	return 0;
}

KFK_API int kfk_tplist_add(kfk_tplist *l, const char *topic,
                           int32_t partition, int64_t offset)
{
	struct kfk_tp *e;

	if (!l || !topic || !*topic || partition < 0)
		return -1;
	if (l->cnt == l->cap && tplist_grow(l))
		return -1;
	e = &l->v[l->cnt];
	memset(e, 0, sizeof(*e));
	e->topic = strdup(topic);
	if (!e->topic)
		return -1;
	e->partition = partition;
	e->offset = offset;
	e->leader_epoch = -1;
	return l->cnt++;
}

KFK_API kfk_tplist *kfk_tplist_copy(const kfk_tplist *l)
{
	kfk_tplist *n = kfk_tplist_new(l ? l->cnt : 0);
	int i;

	if (!n || !l)
		return n;
	for (i = 0; i < l->cnt; i++) {
		if (kfk_tplist_add(n, l->v[i].topic, l->v[i].partition,
		                   l->v[i].offset) < 0) {
			kfk_tplist_destroy(n);
			return NULL;
		}
		n->v[i].err = l->v[i].err;
		n->v[i].leader_epoch = l->v[i].leader_epoch;
		if (kfk_tplist_set_metadata(n, i, l->v[i].metadata)) {
			kfk_tplist_destroy(n);
			return NULL;
		}
	}
	return n;
}

KFK_API int kfk_tplist_find(const kfk_tplist *l, const char *topic,
                            int32_t partition)
{
	int i;

	for (i = 0; l && topic && i < l->cnt; i++)
		if (l->v[i].partition == partition &&
		    strcmp(l->v[i].topic, topic) == 0)
			return i;
	return -1;
}

KFK_API int kfk_tplist_count(const kfk_tplist *l)
{
	return l ? l->cnt : 0;
}

static struct kfk_tp *at(const kfk_tplist *l, int i)
{
	return l && i >= 0 && i < l->cnt ? &l->v[i] : NULL;
}

KFK_API const char *kfk_tplist_topic(const kfk_tplist *l, int i)
{
	struct kfk_tp *e = at(l, i);

	return e ? e->topic : NULL;
}

KFK_API int32_t kfk_tplist_partition(const kfk_tplist *l, int i)
{
	struct kfk_tp *e = at(l, i);

	return e ? e->partition : -1;
}

KFK_API int64_t kfk_tplist_offset(const kfk_tplist *l, int i)
{
	struct kfk_tp *e = at(l, i);

	return e ? e->offset : KFK_OFFSET_INVALID;
}

KFK_API void kfk_tplist_set_offset(kfk_tplist *l, int i, int64_t offset)
{
	struct kfk_tp *e = at(l, i);

	if (e)
		e->offset = offset;
}

KFK_API kfk_err kfk_tplist_err(const kfk_tplist *l, int i)
{
	struct kfk_tp *e = at(l, i);

	return e ? e->err : KFK_ERR__INVALID_ARG;
}

KFK_API void kfk_tplist_set_err(kfk_tplist *l, int i, kfk_err err)
{
	struct kfk_tp *e = at(l, i);

	if (e)
		e->err = err;
}

KFK_API int32_t kfk_tplist_leader_epoch(const kfk_tplist *l, int i)
{
	struct kfk_tp *e = at(l, i);

	return e ? e->leader_epoch : -1;
}

KFK_API void kfk_tplist_set_leader_epoch(kfk_tplist *l, int i, int32_t epoch)
{
	struct kfk_tp *e = at(l, i);

	if (e)
		e->leader_epoch = epoch;
}

KFK_API const char *kfk_tplist_metadata(const kfk_tplist *l, int i)
{
	struct kfk_tp *e = at(l, i);

	return e ? e->metadata : NULL;
}

KFK_API kfk_err kfk_tplist_set_metadata(kfk_tplist *l, int i,
                                        const char *metadata)
{
	struct kfk_tp *e = at(l, i);
	char *m = NULL;

	if (!e)
		return KFK_ERR__INVALID_ARG;
	if (metadata && !(m = strdup(metadata)))
		return KFK_ERR__NO_MEMORY;
	free(e->metadata);
	e->metadata = m;
	return KFK_ERR_NONE;
}
