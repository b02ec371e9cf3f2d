/*
 * tools/cli/json_out.h: --json for the admin subcommands: admin results as
 * JSON (cJSON), one document on stdout, for scripts.
 */
#ifndef KFK_TOOLS_CLI_JSON_OUT_H
#define KFK_TOOLS_CLI_JSON_OUT_H

#include <cjson/cJSON.h>

#include <kfk/kfk.h>

/* {"topic", "topic_id", "internal", "error", "partitions": [{"partition",
 * "leader", "replicas", "isr"}], "configs": {name: value}} (configs from
 * cfg, an item of describe_topic_configs; NULL: none). */
cJSON *json_topic(const kfk_admin_topic *t, const kfk_admin_topic *cfg);

/* {"cluster_id", "controller", "brokers": [{"id", "host", "port",
 * "rack"}]} of a describe result. */
cJSON *json_cluster(const kfk_admin_result *r);

/* {"group", "state", "protocol_type", "protocol", "coordinator", "error",
 * "members": [...], "offsets": [{"topic", "partition", "committed",
 * "end", "lag", "member"}]}; lag null where either offset is unknown. */
cJSON *json_group(const kfk_admin_group *g);

/* The config entries of item t: [{"name", "value", "source",
 * "read_only", "sensitive"}]. */
cJSON *json_configs(const kfk_admin_topic *t);

/* Prints j on one line and frees it; 0, or 1 when it could not be built
 * (j NULL: out of memory, said). */
int json_print(cJSON *j, const char *cmd);

#endif /* KFK_TOOLS_CLI_JSON_OUT_H */
