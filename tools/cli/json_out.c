/*
 * --json for the admin subcommands (json_out.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "json_out.h"

static cJSON *ids(const int32_t *v, int n)
{
	return cJSON_CreateIntArray((const int *)v, n > 0 ? n : 0);
}

/* err as JSON: null for none, else its name. */
static cJSON *error_of(kfk_err err)
{
	return err ? cJSON_CreateString(kfk_err_name(err)) : cJSON_CreateNull();
}

static cJSON *json_partition(const kfk_admin_topic *t, int p)
{
	cJSON *o = cJSON_CreateObject();
	const int32_t *v;
	int n;

	cJSON_AddNumberToObject(o, "partition", p);
	cJSON_AddNumberToObject(o, "leader",
	                        kfk_admin_topic_partition_leader(t, p));
	n = kfk_admin_topic_partition_replicas(t, p, &v);
	cJSON_AddItemToObject(o, "replicas", ids(v, n));
	n = kfk_admin_topic_partition_isr(t, p, &v);
	cJSON_AddItemToObject(o, "isr", ids(v, n));
	return o;
}

cJSON *json_topic(const kfk_admin_topic *t, const kfk_admin_topic *cfg)
{
	cJSON *o = cJSON_CreateObject(), *parts = cJSON_CreateArray();

	cJSON_AddStringToObject(o, "topic", kfk_admin_topic_name(t));
	cJSON_AddStringToObject(o, "topic_id", kfk_admin_topic_id(t));
	cJSON_AddBoolToObject(o, "internal", kfk_admin_topic_is_internal(t));
	cJSON_AddItemToObject(o, "error", error_of(kfk_admin_topic_err(t)));
	for (int p = 0; p < kfk_admin_topic_partition_count(t); p++)
		cJSON_AddItemToArray(parts, json_partition(t, p));
	cJSON_AddItemToObject(o, "partitions", parts);
	if (cfg) {
		cJSON *c = cJSON_CreateObject();

		for (int i = 0; i < kfk_admin_topic_config_count(cfg); i++) {
			const char *v;
			const char *n = kfk_admin_topic_config(cfg, i, &v, NULL,
			                                       NULL, NULL);

			cJSON_AddItemToObject(c, n, v ? cJSON_CreateString(v)
			                              : cJSON_CreateNull());
		}
		cJSON_AddItemToObject(o, "configs", c);
	}
	return o;
}

cJSON *json_cluster(const kfk_admin_result *r)
{
	cJSON *o = cJSON_CreateObject(), *b = cJSON_CreateArray();
	const char *cid = kfk_admin_result_cluster_id(r);

	cJSON_AddItemToObject(o, "cluster_id", cid ? cJSON_CreateString(cid)
	                                           : cJSON_CreateNull());
	cJSON_AddNumberToObject(o, "controller", kfk_admin_result_controller(r));
	for (int i = 0; i < kfk_admin_result_broker_count(r); i++) {
		cJSON *x = cJSON_CreateObject();
		const char *host, *rack;
		int32_t port;
		int32_t id = kfk_admin_result_broker(r, i, &host, &port, &rack);

		cJSON_AddNumberToObject(x, "id", id);
		cJSON_AddStringToObject(x, "host", host ? host : "");
		cJSON_AddNumberToObject(x, "port", port);
		cJSON_AddItemToObject(x, "rack", rack ? cJSON_CreateString(rack)
		                                      : cJSON_CreateNull());
		cJSON_AddItemToArray(b, x);
	}
	cJSON_AddItemToObject(o, "brokers", b);
	return o;
}

static cJSON *json_member(const kfk_admin_group *g, int i)
{
	cJSON *o = cJSON_CreateObject(), *as = cJSON_CreateArray();
	const char *client, *host, *instance;
	const char *id = kfk_admin_group_member(g, i, &client, &host, &instance);

	cJSON_AddStringToObject(o, "member_id", id);
	cJSON_AddStringToObject(o, "client_id", client ? client : "");
	cJSON_AddStringToObject(o, "host", host ? host : "");
	cJSON_AddItemToObject(o, "instance_id",
	                      instance ? cJSON_CreateString(instance)
	                               : cJSON_CreateNull());
	for (int k = 0; k < kfk_admin_group_member_assignment_count(g, i); k++) {
		cJSON *tp = cJSON_CreateObject();
		int32_t p;
		const char *t = kfk_admin_group_member_assignment(g, i, k, &p);

		cJSON_AddStringToObject(tp, "topic", t);
		cJSON_AddNumberToObject(tp, "partition", p);
		cJSON_AddItemToArray(as, tp);
	}
	cJSON_AddItemToObject(o, "assignment", as);
	return o;
}

static cJSON *json_offset(const kfk_admin_group *g, int i)
{
	cJSON *o = cJSON_CreateObject();
	int32_t p;
	int64_t committed, end;
	int member;
	const char *t = kfk_admin_group_offset(g, i, &p, &committed, &end,
	                                       &member);

	cJSON_AddStringToObject(o, "topic", t);
	cJSON_AddNumberToObject(o, "partition", p);
	cJSON_AddItemToObject(o, "committed", committed >= 0
	                      ? cJSON_CreateNumber((double)committed)
	                      : cJSON_CreateNull());
	cJSON_AddItemToObject(o, "end", end >= 0
	                      ? cJSON_CreateNumber((double)end)
	                      : cJSON_CreateNull());
	cJSON_AddItemToObject(o, "lag", committed >= 0 && end >= 0
	                      ? cJSON_CreateNumber((double)(end - committed))
	                      : cJSON_CreateNull());
	cJSON_AddItemToObject(o, "member", member >= 0
	                      ? cJSON_CreateString(kfk_admin_group_member(
	                                g, member, NULL, NULL, NULL))
	                      : cJSON_CreateNull());
	return o;
}

cJSON *json_group(const kfk_admin_group *g)
{
	cJSON *o = cJSON_CreateObject(), *m = cJSON_CreateArray(),
	      *off = cJSON_CreateArray();

	cJSON_AddStringToObject(o, "group", kfk_admin_group_name(g));
	cJSON_AddItemToObject(o, "error", error_of(kfk_admin_group_err(g)));
	cJSON_AddStringToObject(o, "state", kfk_admin_group_state(g));
	cJSON_AddStringToObject(o, "protocol_type",
	                        kfk_admin_group_protocol_type(g));
	cJSON_AddStringToObject(o, "protocol", kfk_admin_group_protocol(g));
	cJSON_AddNumberToObject(o, "coordinator",
	                        kfk_admin_group_coordinator(g, NULL, NULL));
	for (int i = 0; i < kfk_admin_group_member_count(g); i++)
		cJSON_AddItemToArray(m, json_member(g, i));
	cJSON_AddItemToObject(o, "members", m);
	for (int i = 0; i < kfk_admin_group_offset_count(g); i++)
		cJSON_AddItemToArray(off, json_offset(g, i));
	cJSON_AddItemToObject(o, "offsets", off);
	return o;
}

cJSON *json_configs(const kfk_admin_topic *t)
{
	cJSON *a = cJSON_CreateArray();

	for (int i = 0; i < kfk_admin_topic_config_count(t); i++) {
		cJSON *o = cJSON_CreateObject();
		const char *v;
		int source;
		bool ro, sensitive;
		const char *n = kfk_admin_topic_config(t, i, &v, &source, &ro,
		                                       &sensitive);

		cJSON_AddStringToObject(o, "name", n);
		cJSON_AddItemToObject(o, "value", v ? cJSON_CreateString(v)
		                                    : cJSON_CreateNull());
		cJSON_AddNumberToObject(o, "source", source);
		cJSON_AddBoolToObject(o, "read_only", ro);
		cJSON_AddBoolToObject(o, "sensitive", sensitive);
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

int json_print(cJSON *j, const char *cmd)
{
	char *s = j ? cJSON_PrintUnformatted(j) : NULL;

	cJSON_Delete(j);
	if (!s) {
		cli_err(cmd, "out of memory");
		return 1;
	}
	printf("%s\n", s);
	cJSON_free(s);
	return 0;
}
