/*
 * consumer/assignor_roundrobin.c: "roundrobin", the Java client's
 * RoundRobinAssignor: every partition of every subscribed topic, sorted
 * by topic then partition, dealt in turn to the members in Java's order,
 * skipping members not subscribed to the partition's topic.
 */
#include "config.h"

#include <stdlib.h>

#include "consumer/assignor_int.h"

static kfk_err rr_assign(struct kfk_asg_input *in)
{
	struct kfk_asg_member **m = kfk_asg_sorted_members(in);
	struct kfk_asg_topic *topics = kfk_asg_sorted_topics(in);
	kfk_err err = m && topics ? KFK_ERR_NONE : KFK_ERR__NO_MEMORY;
	int t, i, next = 0, n = in->member_cnt;
	int32_t p;

	for (t = 0; !err && n && t < in->topic_cnt; t++) {
		for (i = 0; i < n && !kfk_asg_subscribes(m[i], topics[t].name);
		     i++)
			;
		if (i == n)
			continue; /* nobody subscribes: Java lists none of it */
		for (p = 0; !err && p < topics[t].partitions; p++) {
			while (!kfk_asg_subscribes(m[next], topics[t].name))
				next = (next + 1) % n;
			if (kfk_asg_tps_add(&m[next]->assigned, topics[t].name, p))
				err = KFK_ERR__NO_MEMORY;
			next = (next + 1) % n;
		}
	}
	free(m);
	free(topics);
	return err;
}

const struct kfk_assignor kfk_assignor_roundrobin = {
	.name = "roundrobin",
	.cooperative = false,
	.assign = rr_assign,
	.user_data = NULL,
};
