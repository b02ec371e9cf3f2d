/*
 * tools/cli/topics_fmt.c: kfk topics --describe's output, as kafka-topics
 * prints it (topics_fmt.h).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "java_hash.h"
#include "topics_fmt.h"

#define SOURCE_DEFAULT 5 /* Kafka's ConfigSource DEFAULT_CONFIG */

const kfk_admin_topic *kfk_topics_find(const kfk_admin_result *r,
                                       const char *name)
{
	for (int i = 0; r && i < kfk_admin_result_topic_count(r); i++) {
		const kfk_admin_topic *t = kfk_admin_result_topic(r, i);

		if (strcmp(kfk_admin_topic_name(t), name) == 0)
			return t;
	}
	return NULL;
}

/* "name=value,..." of the entries not at their default, Java's order. */
static void print_configs(FILE *f, const kfk_admin_topic *ct)
{
	int n = ct ? kfk_admin_topic_config_count(ct) : 0, first = 1;
	const char **names = calloc((size_t)(n ? n : 1), sizeof(*names));
	int32_t *hashes = calloc((size_t)(n ? n : 1), sizeof(*hashes));
	int *order = calloc((size_t)(n ? n : 1), sizeof(*order));

	/* kafka-topics lists them from the Java client's Config, a
	 * HashMap filled in the broker's order. */
	if (!names || !hashes || !order)
		goto out;
	for (int i = 0; i < n; i++) {
		names[i] = kfk_admin_topic_config(ct, i, NULL, NULL, NULL, NULL);
		hashes[i] = java_string_hash(names[i]);
	}
	java_hashmap_order(hashes, n, order);
	for (int i = 0; i < n; i++) {
		const char *v;
		int src;

		kfk_admin_topic_config(ct, order[i], &v, &src, NULL, NULL);
		if (src == SOURCE_DEFAULT)
			continue;
		fprintf(f, "%s%s=%s", first ? "" : ",", names[order[i]],
		        v ? v : "null");
		first = 0;
	}
out:
	free(names);
	free(hashes);
	free(order);
}

static void print_ids(FILE *f, const int32_t *ids, int n)
{
	for (int i = 0; i < n; i++)
		fprintf(f, "%s%d", i ? "," : "", (int)ids[i]);
}

void kfk_topics_print(FILE *f, const kfk_admin_result *r, const char *name,
                      const kfk_admin_result *cr)
{
	const kfk_admin_topic *t = kfk_topics_find(r, name);
	const int32_t *ids = NULL;
	int n, rf;

	if (!t)
		return;
	n = kfk_admin_topic_partition_count(t);
	rf = n ? kfk_admin_topic_partition_replicas(t, 0, &ids) : 0;
	fprintf(f, "Topic: %s\tTopicId: %s\tPartitionCount: %d\t"
	           "ReplicationFactor: %d\tConfigs: ", name,
	        kfk_admin_topic_id(t), n, rf);
	print_configs(f, kfk_topics_find(cr, name));
	fputc('\n', f);
	for (int p = 0; p < n; p++) {
		int32_t leader = kfk_admin_topic_partition_leader(t, p);
		int cnt;

		fprintf(f, "\tTopic: %s\tPartition: %d\tLeader: ", name, p);
		if (leader < 0)
			fprintf(f, "none");
		else
			fprintf(f, "%d", (int)leader);
		fprintf(f, "\tReplicas: ");
		cnt = kfk_admin_topic_partition_replicas(t, p, &ids);
		print_ids(f, ids, cnt);
		fprintf(f, "\tIsr: ");
		cnt = kfk_admin_topic_partition_isr(t, p, &ids);
		print_ids(f, ids, cnt);
		/* Eligible leader replicas (KIP-966) come from
		 * DescribeTopicPartitions, which kfk does not ask yet:
		 * empty, as for a cluster without them. */
		fprintf(f, "\tElr: \tLastKnownElr: \n");
	}
}
