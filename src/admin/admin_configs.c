/*
 * admin/admin_configs.c: changing configs of a topic or a broker, to any
 * broker for a topic, to the broker itself for its own: some of them
 * (IncrementalAlterConfigs: set these, delete those, leave the rest), or
 * all of them at once (AlterConfigs: the entity's dynamic configs become
 * exactly those given; what is left out goes back to its default).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "admin/admin_int.h"
#include "proto/arena.h"
#include "proto/gen/alter_configs.h"
#include "proto/gen/api_keys.h"
#include "proto/gen/incremental_alter_configs.h"

#define OP_SET 0
#define OP_DELETE 1

static kfk_err iac_encode(struct kfk_req *req, kfk_wbuf *w, int16_t version)
{
	struct kfk_admin_opx *o = req->opaque;
	struct kfk_admin_topic *t = &o->res->topics[0];
	struct kfk_incremental_alter_configs_request m;
	struct kfk_incremental_alter_configs_request_alter_configs_resource r;
	struct kfk_incremental_alter_configs_request_alterable_config *c;
	kfk_err err;

	c = calloc((size_t)(t->want_cfg_cnt ? t->want_cfg_cnt : 1), sizeof(*c));
	if (!c)
		return KFK_ERR__NO_MEMORY;
	kfk_incremental_alter_configs_request_init(&m);
	kfk_incremental_alter_configs_request_alter_configs_resource_init(&r);
	for (int i = 0; i < t->want_cfg_cnt; i++) {
		const char *value = t->want_cfgs[2 * i + 1];

		kfk_incremental_alter_configs_request_alterable_config_init(&c[i]);
		c[i].name = kfk_str_c(t->want_cfgs[2 * i]);
		c[i].config_operation = value ? OP_SET : OP_DELETE;
		c[i].value = value ? kfk_str_c(value) : KFK_STR_NULL;
	}
	r.resource_type = o->resource_type;
	r.resource_name = kfk_str_c(t->name);
	r.configs = c;
	r.configs_count = t->want_cfg_cnt;
	m.resources = &r;
	m.resources_count = 1;
	m.validate_only = o->validate_only;
	err = (kfk_err)kfk_incremental_alter_configs_request_encode(w, version,
	                                                           &m);
	free(c);
	return err;
}

static kfk_err iac_parse(struct kfk_admin_opx *o, kfk_rbuf *body,
                         int16_t version)
{
	struct kfk_incremental_alter_configs_response m;
	kfk_arena ar;
	kfk_err err = KFK_ERR__MALFORMED;

	kfk_arena_init(&ar);
	if (kfk_incremental_alter_configs_response_decode(body, version, &ar,
	                                                  &m) == 0) {
		for (int i = 0; i < m.responses_count; i++) {
			struct kfk_admin_topic *t =
				kfk_admin_item_find(o, m.responses[i].resource_name);

			if (t)
				kfk_admin_item_set(t,
				                   (kfk_err)m.responses[i].error_code,
				                   m.responses[i].error_message);
		}
		err = KFK_ERR_NONE;
	}
	kfk_arena_destroy(&ar);
	return err;
}

const struct kfk_admin_kind kfk_admin_alter_configs_kind = {
	KFK_APIKEY_INCREMENTAL_ALTER_CONFIGS, 0, false, iac_encode, iac_parse,
	NULL, NULL
};

/* ---- AlterConfigs: the whole set ------------------------------------------ */

static kfk_err ac_encode(struct kfk_req *req, kfk_wbuf *w, int16_t version)
{
	struct kfk_admin_opx *o = req->opaque;
	struct kfk_admin_topic *t = &o->res->topics[0];
	struct kfk_alter_configs_request m;
	struct kfk_alter_configs_request_resource r;
	struct kfk_alter_configs_request_alterable_config *c;
	kfk_err err;

	c = calloc((size_t)(t->want_cfg_cnt ? t->want_cfg_cnt : 1), sizeof(*c));
	if (!c)
		return KFK_ERR__NO_MEMORY;
	kfk_alter_configs_request_init(&m);
	kfk_alter_configs_request_resource_init(&r);
	for (int i = 0; i < t->want_cfg_cnt; i++) {
		kfk_alter_configs_request_alterable_config_init(&c[i]);
		c[i].name = kfk_str_c(t->want_cfgs[2 * i]);
		c[i].value = kfk_str_c(t->want_cfgs[2 * i + 1]);
	}
	r.resource_type = o->resource_type;
	r.resource_name = kfk_str_c(t->name);
	r.configs = c;
	r.configs_count = t->want_cfg_cnt;
	m.resources = &r;
	m.resources_count = 1;
	m.validate_only = o->validate_only;
	err = (kfk_err)kfk_alter_configs_request_encode(w, version, &m);
	free(c);
	return err;
}

static kfk_err ac_parse(struct kfk_admin_opx *o, kfk_rbuf *body,
                        int16_t version)
{
	struct kfk_alter_configs_response m;
	kfk_arena ar;
	kfk_err err = KFK_ERR__MALFORMED;

	kfk_arena_init(&ar);
	if (kfk_alter_configs_response_decode(body, version, &ar, &m) == 0) {
		for (int i = 0; i < m.responses_count; i++) {
			struct kfk_admin_topic *t =
				kfk_admin_item_find(o, m.responses[i].resource_name);

			if (t)
				kfk_admin_item_set(t,
				                   (kfk_err)m.responses[i].error_code,
				                   m.responses[i].error_message);
		}
		err = KFK_ERR_NONE;
	}
	kfk_arena_destroy(&ar);
	return err;
}

static const struct kfk_admin_kind replace_configs_kind = {
	KFK_APIKEY_ALTER_CONFIGS, 0, false, ac_encode, ac_parse, NULL, NULL
};

/* The changes into item t: (name, value) to set, (name, NULL) to delete. */
static kfk_err changes(struct kfk_admin_topic *t, const char *const *set,
                       int set_cnt, const char *const *del, int del_cnt)
{
	int n = set_cnt + del_cnt;

	if (!(t->want_cfgs = calloc(2 * (size_t)(n ? n : 1), sizeof(char *))))
		return KFK_ERR__NO_MEMORY;
	t->want_cfg_cnt = n;
	for (int i = 0; i < set_cnt; i++) {
		if (!set[2 * i] || !*set[2 * i] || !set[2 * i + 1])
			return KFK_ERR__INVALID_ARG;
		if (!(t->want_cfgs[2 * i] = strdup(set[2 * i])) ||
		    !(t->want_cfgs[2 * i + 1] = strdup(set[2 * i + 1])))
			return KFK_ERR__NO_MEMORY;
	}
	for (int i = 0; i < del_cnt; i++) {
		if (!del[i] || !*del[i])
			return KFK_ERR__INVALID_ARG;
		if (!(t->want_cfgs[2 * (set_cnt + i)] = strdup(del[i])))
			return KFK_ERR__NO_MEMORY;
	}
	return KFK_ERR_NONE;
}

/* An operation of kind on one entity with these changes. */
static kfk_err configs_op(kfk_admin *a, const struct kfk_admin_kind *kind,
                          kfk_admin_op op, kfk_admin_resource type,
                          const char *name, const char *const *set,
                          int set_cnt, const char *const *del, int del_cnt,
                          const kfk_admin_options *opts, uint64_t *id)
{
	const char *names[1] = { name };
	struct kfk_admin_opx *o;
	kfk_err err;
	char *end;

	if (!a || !name || !*name || set_cnt < 0 || del_cnt < 0 ||
	    (set_cnt && !set) || (del_cnt && !del) ||
	    (type != KFK_ADMIN_RESOURCE_TOPIC &&
	     type != KFK_ADMIN_RESOURCE_BROKER))
		return KFK_ERR__INVALID_ARG;
	if (!(o = kfk_admin_op_new(a, kind, op, 1, opts)))
		return KFK_ERR__INVALID_ARG;
	o->resource_type = (int8_t)type;
	err = kfk_admin_names_in(o, names, 1);
	if (!err)
		err = changes(&o->res->topics[0], set, set_cnt, del, del_cnt);
	if (!err && type == KFK_ADMIN_RESOURCE_BROKER) {
		long v = strtol(name, &end, 10);

		if (*end || v < 0 || v > INT32_MAX)
			err = KFK_ERR__INVALID_ARG;
		o->node = (int32_t)v;
	}
	return kfk_admin_op_go(o, err, id);
}

KFK_API kfk_err kfk_admin_alter_configs(kfk_admin *a, kfk_admin_resource type,
                                        const char *name,
                                        const char *const *set, int set_cnt,
                                        const char *const *del, int del_cnt,
                                        const kfk_admin_options *opts,
                                        uint64_t *id)
{
	if (set_cnt + del_cnt == 0)
		return KFK_ERR__INVALID_ARG;
	return configs_op(a, &kfk_admin_alter_configs_kind,
	                  KFK_ADMIN_ALTER_CONFIGS, type, name, set, set_cnt,
	                  del, del_cnt, opts, id);
}

KFK_API kfk_err kfk_admin_replace_configs(kfk_admin *a,
                                          kfk_admin_resource type,
                                          const char *name,
                                          const char *const *set, int set_cnt,
                                          const kfk_admin_options *opts,
                                          uint64_t *id)
{
	return configs_op(a, &replace_configs_kind, KFK_ADMIN_REPLACE_CONFIGS,
	                  type, name, set, set_cnt, NULL, 0, opts, id);
}
