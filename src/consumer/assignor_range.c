/*
 * consumer/assignor_range.c: "range", the Java client's RangeAssignor
 * (without racks): per topic, its subscribers in Java's member order each
 * take a contiguous range of partitions, the first (partitions % members)
 * one more than the others.
 */
#include "config.h"

#include <stdlib.h>

#include "consumer/assignor_int.h"

/* Gives topic t's partitions to its subscribers subs[0..n). */
static kfk_err range_topic(const struct kfk_asg_topic *t,
                           struct kfk_asg_member **subs, int n)
{
	int32_t per = t->partitions / n, extra = t->partitions % n, p = 0;
	int i, k;

	for (i = 0; i < n; i++) {
		int32_t len = per + (i < extra ? 1 : 0);

		for (k = 0; k < len; k++)
			if (kfk_asg_tps_add(&subs[i]->assigned, t->name, p++))
				return KFK_ERR__NO_MEMORY;
	}
	return KFK_ERR_NONE;
}

static kfk_err range_assign(struct kfk_asg_input *in)
{
	struct kfk_asg_member **sorted = kfk_asg_sorted_members(in);
	struct kfk_asg_member **subs = calloc((size_t)in->member_cnt + 1,
	                                      sizeof(*subs));
	struct kfk_asg_topic *topics = kfk_asg_sorted_topics(in);
	kfk_err err = sorted && subs && topics ? KFK_ERR_NONE
	                                       : KFK_ERR__NO_MEMORY;
	int t, i, n;

	for (t = 0; !err && t < in->topic_cnt; t++) {
		for (i = n = 0; i < in->member_cnt; i++)
			if (kfk_asg_subscribes(sorted[i], topics[t].name))
				subs[n++] = sorted[i];
		if (n)
			err = range_topic(&topics[t], subs, n);
	}
	free(sorted);
	free(subs);
	free(topics);
	return err;
}

const struct kfk_assignor kfk_assignor_range = {
	.name = "range",
	.cooperative = false,
	.assign = range_assign,
	.user_data = NULL,
};
