/*
 * tools/cli/topics_fmt.h: kfk topics --describe's layout, kafka-topics'
 * own: a line per topic (TopicId, PartitionCount, ReplicationFactor,
 * Configs), then a line per partition (Leader, Replicas, Isr, Elr,
 * LastKnownElr), tab-separated.
 */
#ifndef KFK_TOOLS_CLI_TOPICS_FMT_H
#define KFK_TOOLS_CLI_TOPICS_FMT_H

#include <stdio.h>

#include <kfk/kfk.h>

/* Topic name of the describe_topics result r, with the configs set on it
 * from the describe_topic_configs result cr (NULL: none known). */
void kfk_topics_print(FILE *f, const kfk_admin_result *r, const char *name,
                      const kfk_admin_result *cr);

/* The item of r (NULL: none) named name, or NULL. */
const kfk_admin_topic *kfk_topics_find(const kfk_admin_result *r,
                                       const char *name);

#endif /* KFK_TOOLS_CLI_TOPICS_FMT_H */
