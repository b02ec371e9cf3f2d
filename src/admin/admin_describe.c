/*
 * admin/admin_describe.c: describing topics (a Metadata request of the
 * admin client's own: every topic or the ones named, with the brokers and
 * the controller) and their configs (DescribeConfigs), from any broker.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "admin/admin_int.h"
#include "proto/arena.h"
#include "proto/gen/api_keys.h"
#include "proto/gen/describe_configs.h"
#include "proto/gen/metadata.h"


static char *str_dup(struct kfk_str s)
{
	return s.ptr && s.len >= 0 ? strndup(s.ptr, (size_t)s.len) : NULL;
}

static int32_t *ids_dup(const int32_t *v, int32_t n)
{
	int32_t *d = malloc((size_t)(n > 0 ? n : 1) * sizeof(*d));

	if (d && n > 0)
		memcpy(d, v, (size_t)n * sizeof(*d));
	return d;
}

/* ---- Metadata ---------------------------------------------------------------- */

static kfk_err md_encode(struct kfk_req *req, kfk_wbuf *w, int16_t version)
{
	struct kfk_admin_opx *o = req->opaque;
	struct kfk_metadata_request m;
	struct kfk_metadata_request_topic *t = NULL;
	int n = o->res->topic_cnt;
	kfk_err err;

	kfk_metadata_request_init(&m);
	m.allow_auto_topic_creation = false;
	if (o->res->all_topics) {
		m.topics_count = -1; /* null: every topic */
	} else {
		/* None named (describe cluster): an empty list, no topic. */
		if (n > 0 && !(t = calloc((size_t)n, sizeof(*t))))
			return KFK_ERR__NO_MEMORY;
		for (int i = 0; i < n; i++) {
			kfk_metadata_request_topic_init(&t[i]);
			t[i].name = kfk_str_c(o->res->topics[i].name);
		}
		m.topics = t;
		m.topics_count = n;
	}
	err = (kfk_err)kfk_metadata_request_encode(w, version, &m);
	free(t);
	return err;
}

static kfk_err md_brokers(struct kfk_admin_result *r,
                          const struct kfk_metadata_response *m)
{
	r->brokers = calloc((size_t)(m->brokers_count > 0 ? m->brokers_count
	                                                  : 1),
	                    sizeof(*r->brokers));
	if (!r->brokers)
		return KFK_ERR__NO_MEMORY;
	for (int i = 0; i < m->brokers_count; i++) {
		r->brokers[i].id = m->brokers[i].node_id;
		r->brokers[i].host = str_dup(m->brokers[i].host);
		r->brokers[i].port = m->brokers[i].port;
		r->brokers[i].rack = str_dup(m->brokers[i].rack);
		r->broker_cnt++;
	}
	r->controller = m->controller_id;
	return KFK_ERR_NONE;
}

/* Item t from the response's topic mt: partitions by index. */
static kfk_err md_topic(struct kfk_admin_topic *t,
                        const struct kfk_metadata_response_topic *mt)
{
	int32_t n = 0;

	kfk_admin_topic_clear(t);
	kfk_admin_item_set(t, (kfk_err)mt->error_code, KFK_STR_NULL);
	kfk_admin_uuid_str(&mt->topic_id, t->id);
	t->internal = mt->is_internal;
	for (int i = 0; i < mt->partitions_count; i++)
		if (mt->partitions[i].partition_index >= n)
			n = mt->partitions[i].partition_index + 1;
	if (!n)
		return KFK_ERR_NONE;
	if (!(t->parts = calloc((size_t)n, sizeof(*t->parts))))
		return KFK_ERR__NO_MEMORY;
	t->part_cnt = n;
	for (int i = 0; i < n; i++)
		t->parts[i].leader = -1;
	for (int i = 0; i < mt->partitions_count; i++) {
		const struct kfk_metadata_response_partition *p =
			&mt->partitions[i];
		struct kfk_admin_part *d = &t->parts[p->partition_index];

		if (p->partition_index < 0)
			continue;
		d->leader = p->leader_id;
		d->replicas = ids_dup(p->replica_nodes, p->replica_nodes_count);
		d->replica_cnt = p->replica_nodes_count > 0
		                         ? p->replica_nodes_count : 0;
		d->isr = ids_dup(p->isr_nodes, p->isr_nodes_count);
		d->isr_cnt = p->isr_nodes_count > 0 ? p->isr_nodes_count : 0;
		if (!d->replicas || !d->isr)
			return KFK_ERR__NO_MEMORY;
	}
	return KFK_ERR_NONE;
}

static int mt_cmp(const void *a, const void *b)
{
	const struct kfk_metadata_response_topic *x = a, *y = b;
	int n = x->name.len < y->name.len ? x->name.len : y->name.len;
	int c = memcmp(x->name.ptr, y->name.ptr, (size_t)n);

	return c ? c : (x->name.len > y->name.len) - (x->name.len < y->name.len);
}

/* Describing every topic: one item per topic of the response, by name. */
static kfk_err md_all(struct kfk_admin_result *r,
                      struct kfk_metadata_response *m)
{
	kfk_err err = KFK_ERR_NONE;

	if (m->topics_count > 1)
		qsort(m->topics, (size_t)m->topics_count, sizeof(*m->topics),
		      mt_cmp);
	r->topics = calloc((size_t)(m->topics_count > 0 ? m->topics_count : 1),
	                   sizeof(*r->topics));
	if (!r->topics)
		return KFK_ERR__NO_MEMORY;
	for (int i = 0; i < m->topics_count && !err; i++) {
		struct kfk_admin_topic *t = &r->topics[r->topic_cnt++];

		if (!(t->name = str_dup(m->topics[i].name)))
			return KFK_ERR__NO_MEMORY;
		err = md_topic(t, &m->topics[i]);
		t->done = true;
	}
	return err;
}

static kfk_err md_parse(struct kfk_admin_opx *o, kfk_rbuf *body,
                        int16_t version)
{
	struct kfk_admin_result *r = o->res;
	struct kfk_metadata_response m;
	kfk_arena ar;
	kfk_err err = KFK_ERR__MALFORMED;

	kfk_arena_init(&ar);
	if (kfk_metadata_response_decode(body, version, &ar, &m) == 0) {
		err = r->brokers ? KFK_ERR_NONE : md_brokers(r, &m);
		if (!err && !r->cluster_id && m.cluster_id.ptr &&
		    !(r->cluster_id = str_dup(m.cluster_id)))
			err = KFK_ERR__NO_MEMORY;
		if (!err && r->all_topics)
			err = md_all(r, &m);
		for (int i = 0; !err && !r->all_topics &&
		                i < m.topics_count; i++) {
			struct kfk_admin_topic *t =
				kfk_admin_item_find(o, m.topics[i].name);

			if (t)
				err = md_topic(t, &m.topics[i]);
		}
		/* A topic the answer leaves out does not exist. */
		for (int i = 0; !err && i < r->topic_cnt; i++)
			if (!r->topics[i].done && !r->topics[i].err)
				kfk_admin_item_set(&r->topics[i],
				                   KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION,
				                   KFK_STR_NULL);
	}
	kfk_arena_destroy(&ar);
	return err;
}

const struct kfk_admin_kind kfk_admin_metadata_kind = {
	KFK_APIKEY_METADATA, 4, false, md_encode, md_parse, NULL, NULL
};

KFK_API kfk_err kfk_admin_describe_topics(kfk_admin *a,
                                          const char *const *names, int cnt,
                                          const kfk_admin_options *opts,
                                          uint64_t *id)
{
	struct kfk_admin_opx *o;

	if (!a || cnt < 0 || (cnt && !names))
		return KFK_ERR__INVALID_ARG;
	if (!(o = kfk_admin_op_new(a, &kfk_admin_metadata_kind,
	                           KFK_ADMIN_DESCRIBE_TOPICS, cnt, opts)))
		return KFK_ERR__INVALID_ARG;
	o->res->all_topics = cnt == 0;
	return kfk_admin_op_go(o, kfk_admin_names_in(o, names, cnt), id);
}

KFK_API kfk_err kfk_admin_describe_cluster(kfk_admin *a,
                                           const kfk_admin_options *opts,
                                           uint64_t *id)
{
	struct kfk_admin_opx *o;

	if (!a)
		return KFK_ERR__INVALID_ARG;
	if (!(o = kfk_admin_op_new(a, &kfk_admin_metadata_kind,
	                           KFK_ADMIN_DESCRIBE_CLUSTER, 0, opts)))
		return KFK_ERR__INVALID_ARG;
	return kfk_admin_op_go(o, KFK_ERR_NONE, id);
}

/* ---- DescribeConfigs ------------------------------------------------------------ */

static kfk_err dc_encode(struct kfk_req *req, kfk_wbuf *w, int16_t version)
{
	struct kfk_admin_opx *o = req->opaque;
	struct kfk_describe_configs_request m;
	struct kfk_describe_configs_request_resource *rs;
	int n = 0;
	kfk_err err;

	rs = calloc((size_t)o->res->topic_cnt, sizeof(*rs));
	if (!rs)
		return KFK_ERR__NO_MEMORY;
	kfk_describe_configs_request_init(&m);
	for (int i = 0; i < o->res->topic_cnt; i++) {
		if (o->res->topics[i].done)
			continue;
		kfk_describe_configs_request_resource_init(&rs[n]);
		rs[n].resource_type = o->resource_type;
		rs[n].resource_name = kfk_str_c(o->res->topics[i].name);
		rs[n].configuration_keys_count = -1; /* all */
		n++;
	}
	m.resources = rs;
	m.resources_count = n;
	m.include_synonyms = true;
	err = (kfk_err)kfk_describe_configs_request_encode(w, version, &m);
	free(rs);
	return err;
}

static kfk_err dc_configs(struct kfk_admin_topic *t,
                          const struct kfk_describe_configs_response_result *res,
                          int16_t version)
{
	int n = res->configs_count > 0 ? res->configs_count : 0;

	if (!(t->cfgs = calloc((size_t)(n ? n : 1), sizeof(*t->cfgs))))
		return KFK_ERR__NO_MEMORY;
	for (int k = 0; k < n; k++) {
		const struct kfk_describe_configs_response_resource_result *c =
			&res->configs[k];
		struct kfk_admin_cfg *d = &t->cfgs[t->cfg_cnt++];

		d->name = str_dup(c->name);
		d->value = c->is_sensitive ? NULL : str_dup(c->value);
		/* v0 says only whether it is a default (5) or not. */
		d->source = version >= 1 ? c->config_source
		                         : c->is_default ? 5 : -1;
		d->read_only = c->read_only;
		d->sensitive = c->is_sensitive;
		if (!d->name)
			return KFK_ERR__NO_MEMORY;
		if (c->synonyms_count > 0 &&
		    !(d->syns = calloc((size_t)c->synonyms_count,
		                       sizeof(*d->syns))))
			return KFK_ERR__NO_MEMORY;
		for (int j = 0; j < c->synonyms_count; j++) {
			struct kfk_admin_syn *y = &d->syns[d->syn_cnt++];

			y->name = str_dup(c->synonyms[j].name);
			y->value = c->is_sensitive
			                   ? NULL : str_dup(c->synonyms[j].value);
			y->source = c->synonyms[j].source;
		}
	}
	return KFK_ERR_NONE;
}

static kfk_err dc_parse(struct kfk_admin_opx *o, kfk_rbuf *body,
                        int16_t version)
{
	struct kfk_describe_configs_response m;
	kfk_arena ar;
	kfk_err err = KFK_ERR__MALFORMED;

	kfk_arena_init(&ar);
	if (kfk_describe_configs_response_decode(body, version, &ar, &m) == 0) {
		err = KFK_ERR_NONE;
		for (int i = 0; !err && i < m.results_count; i++) {
			struct kfk_describe_configs_response_result *res =
				&m.results[i];
			struct kfk_admin_topic *t;

			if (res->resource_type != o->resource_type ||
			    !(t = kfk_admin_item_find(o, res->resource_name)))
				continue;
			kfk_admin_topic_clear(t);
			kfk_admin_item_set(t, (kfk_err)res->error_code,
			                   res->error_message);
			if (!t->err)
				err = dc_configs(t, res, version);
		}
	}
	kfk_arena_destroy(&ar);
	return err;
}

const struct kfk_admin_kind kfk_admin_describe_configs_kind = {
	KFK_APIKEY_DESCRIBE_CONFIGS, 0, false, dc_encode, dc_parse, NULL, NULL
};

KFK_API kfk_err kfk_admin_describe_configs(kfk_admin *a,
                                           kfk_admin_resource type,
                                           const char *const *names, int cnt,
                                           const kfk_admin_options *opts,
                                           uint64_t *id)
{
	struct kfk_admin_opx *o;
	kfk_err err;
	char *end;

	if (!a || !names || cnt <= 0 ||
	    (type != KFK_ADMIN_RESOURCE_TOPIC &&
	     type != KFK_ADMIN_RESOURCE_BROKER) ||
	    (type == KFK_ADMIN_RESOURCE_BROKER && cnt != 1))
		return KFK_ERR__INVALID_ARG;
	if (!(o = kfk_admin_op_new(a, &kfk_admin_describe_configs_kind,
	                           type == KFK_ADMIN_RESOURCE_TOPIC
	                                   ? KFK_ADMIN_DESCRIBE_TOPIC_CONFIGS
	                                   : KFK_ADMIN_DESCRIBE_CONFIGS,
	                           cnt, opts)))
		return KFK_ERR__INVALID_ARG;
	o->resource_type = (int8_t)type;
	err = kfk_admin_names_in(o, names, cnt);
	if (!err && type == KFK_ADMIN_RESOURCE_BROKER) {
		/* a broker's own configs: asked of it */
		long v = strtol(names[0], &end, 10);

		if (*end || v < 0 || v > INT32_MAX)
			err = KFK_ERR__INVALID_ARG;
		o->node = (int32_t)v;
	}
	return kfk_admin_op_go(o, err, id);
}

KFK_API kfk_err kfk_admin_describe_topic_configs(kfk_admin *a,
                                                 const char *const *names,
                                                 int cnt,
                                                 const kfk_admin_options *opts,
                                                 uint64_t *id)
{
	return kfk_admin_describe_configs(a, KFK_ADMIN_RESOURCE_TOPIC, names,
	                                  cnt, opts, id);
}
