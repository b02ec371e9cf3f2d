/*
 * consumer/assignor.c: the assignors by name, the topic-partition lists
 * they fill, and the order of members the Java client sorts them in.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "consumer/assignor.h"
#include "consumer/assignor_int.h"

int kfk_asg_tps_add(struct kfk_asg_tps *l, const char *topic,
                    int32_t partition)
{
	if (l->cnt == l->cap) {
		int cap = l->cap ? l->cap * 2 : 8;
		struct kfk_asg_tp *v = realloc(l->v, (size_t)cap * sizeof(*v));

		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->cnt].topic = topic;
	l->v[l->cnt++].partition = partition;
	return 0;
}

void kfk_asg_tps_free(struct kfk_asg_tps *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Java's MemberInfo order: static members first, by group.instance.id,
 * then dynamic ones by member id. */
int kfk_asg_member_cmp(const struct kfk_asg_member *a,
                       const struct kfk_asg_member *b)
{
	if (a->instance_id && b->instance_id)
		return strcmp(a->instance_id, b->instance_id);
	if (a->instance_id)
		return -1;
	if (b->instance_id)
		return 1;
	return strcmp(a->member_id, b->member_id);
}

static int member_ptr_cmp(const void *a, const void *b)
{
	return kfk_asg_member_cmp(*(struct kfk_asg_member *const *)a,
	                          *(struct kfk_asg_member *const *)b);
}

struct kfk_asg_member **kfk_asg_sorted_members(struct kfk_asg_input *in)
{
	struct kfk_asg_member **v = calloc((size_t)in->member_cnt + 1,
	                                   sizeof(*v));
	int i;

	if (!v)
		return NULL;
	for (i = 0; i < in->member_cnt; i++)
		v[i] = &in->members[i];
	qsort(v, (size_t)in->member_cnt, sizeof(*v), member_ptr_cmp);
	return v;
}

bool kfk_asg_subscribes(const struct kfk_asg_member *m, const char *topic)
{
	int i;

	for (i = 0; i < m->topic_cnt; i++)
		if (strcmp(m->topics[i], topic) == 0)
			return true;
	return false;
}

static int topic_cmp(const void *a, const void *b)
{
	return strcmp(((const struct kfk_asg_topic *)a)->name,
	              ((const struct kfk_asg_topic *)b)->name);
}

struct kfk_asg_topic *kfk_asg_sorted_topics(const struct kfk_asg_input *in)
{
	struct kfk_asg_topic *t = calloc((size_t)in->topic_cnt + 1, sizeof(*t));

	if (!t)
		return NULL;
	memcpy(t, in->topics, (size_t)in->topic_cnt * sizeof(*t));
	qsort(t, (size_t)in->topic_cnt, sizeof(*t), topic_cmp);
	return t;
}

static const struct {
	const char *java;
	const struct kfk_assignor *a;
} java_names[] = {
	{ "org.apache.kafka.clients.consumer.RangeAssignor",
	  &kfk_assignor_range },
	{ "org.apache.kafka.clients.consumer.RoundRobinAssignor",
	  &kfk_assignor_roundrobin },
	{ "org.apache.kafka.clients.consumer.CooperativeStickyAssignor",
	  &kfk_assignor_cooperative_sticky },
};

const struct kfk_assignor *kfk_assignor_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(java_names) / sizeof(java_names[0]); i++)
		if (strcmp(name, java_names[i].java) == 0 ||
		    strcmp(name, java_names[i].a->name) == 0)
			return java_names[i].a;
	return NULL;
}
