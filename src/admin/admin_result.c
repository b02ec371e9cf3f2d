/*
 * admin/admin_result.c: an operation's result (include/kfk/admin.h) and
 * its accessors. A result is built on the control loop, then belongs to
 * the application; accessors only read it.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "admin/admin_int.h"

struct kfk_admin_result *kfk_admin_result_new(kfk_admin_op op, int n)
{
	struct kfk_admin_result *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	if (n > 0 && !(r->topics = calloc((size_t)n, sizeof(*r->topics)))) {
		free(r);
		return NULL;
	}
	r->op = op;
	r->topic_cnt = n;
	r->controller = -1;
	return r;
}

/* What the operation learned of t, before a new answer is written. */
void kfk_admin_topic_clear(struct kfk_admin_topic *t)
{
	int i;

	for (i = 0; i < t->part_cnt; i++) {
		free(t->parts[i].replicas);
		free(t->parts[i].isr);
	}
	free(t->parts);
	t->parts = NULL;
	t->part_cnt = 0;
	for (i = 0; i < t->cfg_cnt; i++) {
		free(t->cfgs[i].name);
		free(t->cfgs[i].value);
		for (int k = 0; k < t->cfgs[i].syn_cnt; k++) {
			free(t->cfgs[i].syns[k].name);
			free(t->cfgs[i].syns[k].value);
		}
		free(t->cfgs[i].syns);
	}
	free(t->cfgs);
	t->cfgs = NULL;
	t->cfg_cnt = 0;
	free(t->errstr);
	t->errstr = NULL;
}

static void gparts_free(struct kfk_admin_gpart *v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i].topic);
	free(v);
}

static void group_free(struct kfk_admin_group *g)
{
	for (int i = 0; i < g->member_cnt; i++) {
		struct kfk_admin_member *m = &g->members[i];

		free(m->id);
		free(m->client_id);
		free(m->host);
		free(m->instance_id);
		gparts_free(m->assigned, m->assigned_cnt);
	}
	free(g->members);
	gparts_free(g->offsets, g->offset_cnt);
	free(g->name);
	free(g->errstr);
	free(g->coord_host);
	free(g->state);
	free(g->protocol_type);
	free(g->protocol);
}

KFK_API void kfk_admin_result_destroy(kfk_admin_result *r)
{
	int i, k;

	if (!r)
		return;
	for (i = 0; i < r->group_cnt; i++)
		group_free(&r->groups[i]);
	free(r->groups);
	kfk_tplist_destroy(r->offsets);
	free(r->group);
	free(r->cluster_id);
	for (i = 0; i < r->acl_cnt; i++)
		kfk_admin_acl_clear(&r->acls[i]);
	free(r->acls);
	for (i = 0; i < r->want_cnt; i++)
		kfk_admin_acl_clear(&r->want[i]);
	free(r->want);
	free(r->producers);
	for (i = 0; i < r->txn_cnt; i++)
		kfk_admin_txn_clear(&r->txns[i]);
	free(r->txns);
	free(r->leaders);
	free(r->asks);
	for (i = 0; i < r->topic_cnt; i++) {
		struct kfk_admin_topic *t = &r->topics[i];

		kfk_admin_topic_clear(t);
		free(t->name);
		for (k = 0; k < 2 * t->want_cfg_cnt; k++)
			free(t->want_cfgs[k]);
		free(t->want_cfgs);
	}
	free(r->topics);
	for (i = 0; i < r->broker_cnt; i++) {
		free(r->brokers[i].host);
		free(r->brokers[i].rack);
	}
	free(r->brokers);
	free(r->errstr);
	free(r);
}

void kfk_admin_uuid_str(const struct kfk_uuid *u, char out[23])
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                          "abcdefghijklmnopqrstuvwxyz0123456789-_";
	int i, o = 0;

	if (kfk_uuid_is_zero(u)) {
		out[0] = '\0';
		return;
	}
	/* 16 bytes: five groups of 3 (20 characters), then 1 byte (2). */
	for (i = 0; i < 15; i += 3) {
		uint32_t v = (uint32_t)u->b[i] << 16 | (uint32_t)u->b[i + 1] << 8 |
		             u->b[i + 2];

		out[o++] = b64[v >> 18 & 63];
		out[o++] = b64[v >> 12 & 63];
		out[o++] = b64[v >> 6 & 63];
		out[o++] = b64[v & 63];
	}
	out[o++] = b64[u->b[15] >> 2];
	out[o++] = b64[(u->b[15] & 3) << 4];
	out[o] = '\0';
}

/* ---- accessors ------------------------------------------------------------ */

KFK_API kfk_admin_op kfk_admin_result_op(const kfk_admin_result *r)
{
	return r->op;
}

KFK_API uint64_t kfk_admin_result_id(const kfk_admin_result *r)
{
	return r->id;
}

KFK_API void *kfk_admin_result_opaque(const kfk_admin_result *r)
{
	return r->opaque;
}

KFK_API kfk_err kfk_admin_result_err(const kfk_admin_result *r)
{
	return r->err;
}

KFK_API const char *kfk_admin_result_errstr(const kfk_admin_result *r)
{
	return r->errstr ? r->errstr : r->err ? kfk_err_str(r->err) : "";
}

KFK_API int kfk_admin_result_topic_count(const kfk_admin_result *r)
{
	return r->topic_cnt;
}

KFK_API const kfk_admin_topic *kfk_admin_result_topic(
	const kfk_admin_result *r, int i)
{
	return i >= 0 && i < r->topic_cnt ? &r->topics[i] : NULL;
}

KFK_API int32_t kfk_admin_result_controller(const kfk_admin_result *r)
{
	return r->controller;
}

KFK_API int kfk_admin_result_broker_count(const kfk_admin_result *r)
{
	return r->broker_cnt;
}

KFK_API int32_t kfk_admin_result_broker(const kfk_admin_result *r, int i,
                                        const char **host, int32_t *port,
                                        const char **rack)
{
	const struct kfk_admin_broker *b;

	if (i < 0 || i >= r->broker_cnt)
		return -1;
	b = &r->brokers[i];
	if (host)
		*host = b->host;
	if (port)
		*port = b->port;
	if (rack)
		*rack = b->rack;
	return b->id;
}

KFK_API const char *kfk_admin_topic_name(const kfk_admin_topic *t)
{
	return t->name;
}

KFK_API kfk_err kfk_admin_topic_err(const kfk_admin_topic *t)
{
	return t->err;
}

KFK_API const char *kfk_admin_topic_errstr(const kfk_admin_topic *t)
{
	return t->errstr ? t->errstr : t->err ? kfk_err_str(t->err) : "";
}

KFK_API const char *kfk_admin_topic_id(const kfk_admin_topic *t)
{
	return t->id;
}

KFK_API bool kfk_admin_topic_is_internal(const kfk_admin_topic *t)
{
	return t->internal;
}

KFK_API int kfk_admin_topic_partition_count(const kfk_admin_topic *t)
{
	return t->part_cnt;
}

KFK_API int32_t kfk_admin_topic_partition_leader(const kfk_admin_topic *t,
                                                 int p)
{
	return p >= 0 && p < t->part_cnt ? t->parts[p].leader : -1;
}

KFK_API int kfk_admin_topic_partition_replicas(const kfk_admin_topic *t,
                                               int p, const int32_t **ids)
{
	if (p < 0 || p >= t->part_cnt)
		return 0;
	*ids = t->parts[p].replicas;
	return t->parts[p].replica_cnt;
}

KFK_API int kfk_admin_topic_partition_isr(const kfk_admin_topic *t, int p,
                                          const int32_t **ids)
{
	if (p < 0 || p >= t->part_cnt)
		return 0;
	*ids = t->parts[p].isr;
	return t->parts[p].isr_cnt;
}

KFK_API int kfk_admin_topic_config_count(const kfk_admin_topic *t)
{
	return t->cfg_cnt;
}

KFK_API const char *kfk_admin_topic_config(const kfk_admin_topic *t, int i,
                                           const char **value, int *source,
                                           bool *read_only, bool *sensitive)
{
	const struct kfk_admin_cfg *c;

	if (i < 0 || i >= t->cfg_cnt)
		return NULL;
	c = &t->cfgs[i];
	if (value)
		*value = c->value;
	if (source)
		*source = c->source;
	if (read_only)
		*read_only = c->read_only;
	if (sensitive)
		*sensitive = c->sensitive;
	return c->name;
}

/* ---- groups ------------------------------------------------------------------ */

KFK_API int kfk_admin_result_group_count(const kfk_admin_result *r)
{
	return r->group_cnt;
}

KFK_API const kfk_admin_group *kfk_admin_result_group(
	const kfk_admin_result *r, int i)
{
	return i >= 0 && i < r->group_cnt ? &r->groups[i] : NULL;
}

KFK_API const char *kfk_admin_group_name(const kfk_admin_group *g)
{
	return g->name;
}

KFK_API kfk_err kfk_admin_group_err(const kfk_admin_group *g)
{
	return g->err;
}

KFK_API const char *kfk_admin_group_errstr(const kfk_admin_group *g)
{
	return g->errstr ? g->errstr : g->err ? kfk_err_str(g->err) : "";
}

KFK_API const char *kfk_admin_group_state(const kfk_admin_group *g)
{
	return g->state ? g->state : "";
}

KFK_API const char *kfk_admin_group_protocol_type(const kfk_admin_group *g)
{
	return g->protocol_type ? g->protocol_type : "";
}

KFK_API const char *kfk_admin_group_protocol(const kfk_admin_group *g)
{
	return g->protocol ? g->protocol : "";
}

KFK_API int32_t kfk_admin_group_coordinator(const kfk_admin_group *g,
                                            const char **host,
                                            int32_t *port)
{
	if (host)
		*host = g->coord_host;
	if (port)
		*port = g->coord_port;
	return g->coordinator;
}

KFK_API int kfk_admin_group_member_count(const kfk_admin_group *g)
{
	return g->member_cnt;
}

KFK_API const char *kfk_admin_group_member(const kfk_admin_group *g, int i,
                                           const char **client_id,
                                           const char **host,
                                           const char **instance_id)
{
	const struct kfk_admin_member *m;

	if (i < 0 || i >= g->member_cnt)
		return NULL;
	m = &g->members[i];
	if (client_id)
		*client_id = m->client_id;
	if (host)
		*host = m->host;
	if (instance_id)
		*instance_id = m->instance_id;
	return m->id;
}

KFK_API int kfk_admin_group_member_assignment_count(const kfk_admin_group *g,
                                                    int i)
{
	return i >= 0 && i < g->member_cnt ? g->members[i].assigned_cnt : 0;
}

KFK_API const char *kfk_admin_group_member_assignment(
	const kfk_admin_group *g, int i, int j, int32_t *partition)
{
	if (i < 0 || i >= g->member_cnt || j < 0 ||
	    j >= g->members[i].assigned_cnt)
		return NULL;
	if (partition)
		*partition = g->members[i].assigned[j].partition;
	return g->members[i].assigned[j].topic;
}

KFK_API int kfk_admin_group_offset_count(const kfk_admin_group *g)
{
	return g->offset_cnt;
}

KFK_API const char *kfk_admin_group_offset(const kfk_admin_group *g, int i,
                                           int32_t *partition,
                                           int64_t *committed, int64_t *end,
                                           int *member)
{
	const struct kfk_admin_gpart *p;

	if (i < 0 || i >= g->offset_cnt)
		return NULL;
	p = &g->offsets[i];
	if (partition)
		*partition = p->partition;
	if (committed)
		*committed = p->committed;
	if (end)
		*end = p->end;
	if (member)
		*member = p->member;
	return p->topic;
}

KFK_API const kfk_tplist *kfk_admin_result_offsets(const kfk_admin_result *r)
{
	return r->offsets;
}

KFK_API const char *kfk_admin_result_cluster_id(const kfk_admin_result *r)
{
	return r ? r->cluster_id : NULL;
}

KFK_API int kfk_admin_topic_config_synonym_count(const kfk_admin_topic *t,
                                                 int i)
{
	return i >= 0 && i < t->cfg_cnt ? t->cfgs[i].syn_cnt : 0;
}

KFK_API const char *kfk_admin_topic_config_synonym(const kfk_admin_topic *t,
                                                   int i, int j,
                                                   const char **value,
                                                   int *source)
{
	const struct kfk_admin_syn *s;

	if (i < 0 || i >= t->cfg_cnt || j < 0 || j >= t->cfgs[i].syn_cnt)
		return NULL;
	s = &t->cfgs[i].syns[j];
	if (value)
		*value = s->value;
	if (source)
		*source = s->source;
	return s->name;
}
