/*
 * tools/cli/groups_offsets_del.c: kfk groups --delete-offsets --group G
 * --topic T[:P,...]: a group's committed offsets of some partitions go
 * (OffsetDelete), with kafka-consumer-groups' (4.4) lines: the outcome,
 * then a TOPIC PARTITION STATUS table.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kfk/kfk.h>

#include "cli.h"
#include "groups.h"

#define CMD "groups"

/* kafka-consumer-groups' (Kafka 4.4) line for the request's outcome: its
 * first error, as the Java admin client's all() gives it. */
static void print_outcome(const char *group, kfk_err err)
{
	switch (err) {
	case KFK_ERR_NONE:
		printf("Request succeeded for deleting offsets from group %s.\n",
		       group);
		return;
	case KFK_ERR_INVALID_GROUP_ID:
	case KFK_ERR_GROUP_ID_NOT_FOUND:
	case KFK_ERR_GROUP_AUTHORIZATION_FAILED:
	case KFK_ERR_NON_EMPTY_GROUP:
		printf("\nError: %s\n", kfk_err_str(err));
		return;
	case KFK_ERR_GROUP_SUBSCRIBED_TO_TOPIC:
	case KFK_ERR_TOPIC_AUTHORIZATION_FAILED:
	case KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION:
		printf("\nError: Encountered some partition-level error, see the "
		       "follow-up details.\n");
		return;
	default:
		printf("\nError: Encountered some unknown error: %s\n",
		       kfk_err_name(err));
	}
}

/* The Java exception a partition's error is, as the table names it. */
static const char *java_exception(kfk_err err)
{
	switch (err) {
	case KFK_ERR_GROUP_SUBSCRIBED_TO_TOPIC:
		return "GroupSubscribedToTopicException";
	case KFK_ERR_GROUP_ID_NOT_FOUND: return "GroupIdNotFoundException";
	case KFK_ERR_INVALID_GROUP_ID: return "InvalidGroupIdException";
	case KFK_ERR_NON_EMPTY_GROUP: return "GroupNotEmptyException";
	case KFK_ERR_GROUP_AUTHORIZATION_FAILED:
		return "GroupAuthorizationException";
	case KFK_ERR_TOPIC_AUTHORIZATION_FAILED:
		return "TopicAuthorizationException";
	case KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION:
		return "UnknownTopicOrPartitionException";
	default: return NULL;
	}
}

/* Java sorts the table by topic + partition as one string. */
static int by_key(const void *a, const void *b, void *arg)
{
	const kfk_tplist *l = arg;
	int x = *(const int *)a, y = *(const int *)b;
	char kx[512], ky[512];

	snprintf(kx, sizeof(kx), "%s%d", kfk_tplist_topic(l, x),
	         (int)kfk_tplist_partition(l, x));
	snprintf(ky, sizeof(ky), "%s%d", kfk_tplist_topic(l, y),
	         (int)kfk_tplist_partition(l, y));
	return strcmp(kx, ky);
}

/* TOPIC (at least 15 wide, as wide as the longest), PARTITION, STATUS. */
static void print_table(const kfk_tplist *l)
{
	int n = kfk_tplist_count(l), w = 15;
	int *idx = malloc((size_t)(n > 0 ? n : 1) * sizeof(*idx));

	if (!idx)
		return;
	for (int i = 0; i < n; i++) {
		int len = (int)strlen(kfk_tplist_topic(l, i));

		idx[i] = i;
		w = len > w ? len : w;
	}
	qsort_r(idx, (size_t)n, sizeof(*idx), by_key, (void *)l);
	printf("\n%-*s %-10s %-15s", w, "TOPIC", "PARTITION", "STATUS");
	for (int k = 0; k < n; k++) {
		int i = idx[k];
		kfk_err err = kfk_tplist_err(l, i);
		const char *ex = java_exception(err);
		char status[512];

		if (!err)
			snprintf(status, sizeof(status), "Successful");
		else if (ex)
			snprintf(status, sizeof(status),
			         "Error: org.apache.kafka.common.errors.%s: %s", ex,
			         kfk_err_str(err));
		else
			snprintf(status, sizeof(status), "Error: %s",
			         kfk_err_str(err));
		printf("\n%-*s %-10d %-15s", w, kfk_tplist_topic(l, i),
		       (int)kfk_tplist_partition(l, i), status);
	}
	printf("\n");
	free(idx);
}

int groups_delete_offsets(kfk_admin *a, const struct groups_opts *o)
{
	kfk_tplist *l = groups_scope(a, o, NULL);
	const kfk_tplist *res;
	kfk_admin_result *r;
	kfk_err first = KFK_ERR_NONE;
	uint64_t id = 0;

	if (!l)
		return 1;
	r = groups_wait(a, kfk_admin_delete_group_offsets(a, o->groups[0], l,
	                                                  NULL, &id), &id);
	kfk_tplist_destroy(l);
	if (!r)
		return 1;
	res = kfk_admin_result_offsets(r);
	for (int i = 0; !first && i < kfk_tplist_count(res); i++)
		first = kfk_tplist_err(res, i);
	print_outcome(o->groups[0], first);
	print_table(res);
	kfk_admin_result_destroy(r);
	return first ? 1 : 0;
}
