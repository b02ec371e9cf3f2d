/*
 * admin/admin_topics.c: creating and deleting topics and adding
 * partitions (CreateTopics, DeleteTopics, CreatePartitions), sent to the
 * controller. Each topic is an item of the result: its own error, and the
 * broker's message.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "admin/admin_int.h"
#include "proto/arena.h"
#include "proto/gen/api_keys.h"
#include "proto/gen/create_partitions.h"
#include "proto/gen/create_topics.h"
#include "proto/gen/delete_topics.h"
#include "util/sized.h"

/* The items still to ask for (not answered for good). */
static int open_items(struct kfk_admin_opx *o)
{
	int n = 0;

	for (int i = 0; i < o->res->topic_cnt; i++)
		n += !o->res->topics[i].done;
	return n;
}

/* Encodes with a scratch arena for the request's arrays. */
#define ARRAY(ar, n, type) \
	((type *)kfk_arena_alloc_array((ar), (size_t)((n) ? (n) : 1), \
	                               sizeof(type)))

/* ---- CreateTopics ---------------------------------------------------------- */

static kfk_err ct_encode(struct kfk_req *req, kfk_wbuf *w, int16_t version)
{
	struct kfk_admin_opx *o = req->opaque;
	struct kfk_create_topics_request m;
	struct kfk_create_topics_request_creatable_topic *t;
	kfk_arena ar;
	int i, n = 0;
	kfk_err err = KFK_ERR__NO_MEMORY;

	kfk_arena_init(&ar);
	kfk_create_topics_request_init(&m);
	t = ARRAY(&ar, open_items(o),
	          struct kfk_create_topics_request_creatable_topic);
	for (i = 0; t && i < o->res->topic_cnt; i++) {
		struct kfk_admin_topic *it = &o->res->topics[i];
		struct kfk_create_topics_request_creatable_topic_config *c;

		if (it->done)
			continue;
		kfk_create_topics_request_creatable_topic_init(&t[n]);
		t[n].name = kfk_str_c(it->name);
		t[n].num_partitions = it->want_partitions;
		t[n].replication_factor = it->want_rf;
		t[n].assignments_count = 0;
		c = ARRAY(&ar, it->want_cfg_cnt,
		          struct kfk_create_topics_request_creatable_topic_config);
		if (!c)
			goto out;
		for (int k = 0; k < it->want_cfg_cnt; k++) {
			kfk_create_topics_request_creatable_topic_config_init(
				&c[k]);
			c[k].name = kfk_str_c(it->want_cfgs[2 * k]);
			c[k].value = kfk_str_c(it->want_cfgs[2 * k + 1]);
		}
		t[n].configs = c;
		t[n].configs_count = it->want_cfg_cnt;
		n++;
	}
	if (!t)
		goto out;
	m.topics = t;
	m.topics_count = n;
	m.timeout_ms = req->timeout_ms;
	m.validate_only = o->validate_only;
	err = (kfk_err)kfk_create_topics_request_encode(w, version, &m);
out:
	kfk_arena_destroy(&ar);
	return err;
}

static kfk_err ct_parse(struct kfk_admin_opx *o, kfk_rbuf *body,
                        int16_t version)
{
	struct kfk_create_topics_response m;
	kfk_arena ar;
	kfk_err err = KFK_ERR__MALFORMED;

	kfk_arena_init(&ar);
	if (kfk_create_topics_response_decode(body, version, &ar, &m) == 0) {
		for (int i = 0; i < m.topics_count; i++) {
			struct kfk_admin_topic *t =
				kfk_admin_item_find(o, m.topics[i].name);

			if (!t)
				continue;
			kfk_admin_item_set(t, (kfk_err)m.topics[i].error_code,
			                   m.topics[i].error_message);
			if (!t->err)
				kfk_admin_uuid_str(&m.topics[i].topic_id, t->id);
		}
		err = KFK_ERR_NONE;
	}
	kfk_arena_destroy(&ar);
	return err;
}

const struct kfk_admin_kind kfk_admin_create_topics_kind = {
	KFK_APIKEY_CREATE_TOPICS, 2, true, ct_encode, ct_parse, NULL, NULL
};

/* Copies one topic spec into item t; KFK_ERR__INVALID_ARG for what no
 * broker would take. */
static kfk_err ct_item(struct kfk_admin_topic *t, const kfk_new_topic *spec)
{
	kfk_new_topic s = KFK_NEW_TOPIC_INIT;

	if (kfk_sized_in(&s, sizeof(s), spec,
	                 offsetof(kfk_new_topic, configs)) ||
	    !s.name || !*s.name || s.config_cnt < 0 ||
	    (s.config_cnt && !s.configs))
		return KFK_ERR__INVALID_ARG;
	if (!(t->name = strdup(s.name)))
		return KFK_ERR__NO_MEMORY;
	t->want_partitions = s.partitions;
	t->want_rf = s.replication_factor;
	if (s.config_cnt &&
	    !(t->want_cfgs = calloc(2 * (size_t)s.config_cnt, sizeof(char *))))
		return KFK_ERR__NO_MEMORY;
	for (int k = 0; k < 2 * s.config_cnt; k++) {
		if (!s.configs[k])
			return KFK_ERR__INVALID_ARG;
		if (!(t->want_cfgs[k] = strdup(s.configs[k])))
			return KFK_ERR__NO_MEMORY;
		t->want_cfg_cnt = (k + 2) / 2;
	}
	return KFK_ERR_NONE;
}

KFK_API kfk_err kfk_admin_create_topics(kfk_admin *a,
                                        const kfk_new_topic *topics, int cnt,
                                        const kfk_admin_options *opts,
                                        uint64_t *id)
{
	struct kfk_admin_opx *o;
	size_t stride;
	kfk_err err = KFK_ERR_NONE;

	if (!a || !topics || cnt <= 0)
		return KFK_ERR__INVALID_ARG;
	stride = kfk_sized_size(topics);
	if (stride < offsetof(kfk_new_topic, configs) ||
	    stride > KFK_SIZED_MAX || stride % sizeof(void *))
		return KFK_ERR__INVALID_ARG;
	if (!(o = kfk_admin_op_new(a, &kfk_admin_create_topics_kind,
	                           KFK_ADMIN_CREATE_TOPICS, cnt, opts)))
		return KFK_ERR__INVALID_ARG;
	for (int i = 0; i < cnt && !err; i++)
		err = ct_item(&o->res->topics[i],
		              (const kfk_new_topic *)((const char *)topics +
		                                      (size_t)i * stride));
	return kfk_admin_op_go(o, err, id);
}

/* ---- DeleteTopics ---------------------------------------------------------- */

static kfk_err dt_encode(struct kfk_req *req, kfk_wbuf *w, int16_t version)
{
	struct kfk_admin_opx *o = req->opaque;
	struct kfk_delete_topics_request m;
	struct kfk_delete_topics_request_delete_topic_state *t;
	struct kfk_str *names;
	kfk_arena ar;
	int n = 0;
	kfk_err err = KFK_ERR__NO_MEMORY;

	kfk_arena_init(&ar);
	kfk_delete_topics_request_init(&m);
	t = ARRAY(&ar, open_items(o),
	          struct kfk_delete_topics_request_delete_topic_state);
	names = ARRAY(&ar, open_items(o), struct kfk_str);
	if (t && names) {
		for (int i = 0; i < o->res->topic_cnt; i++) {
			if (o->res->topics[i].done)
				continue;
			kfk_delete_topics_request_delete_topic_state_init(&t[n]);
			t[n].name = names[n] = kfk_str_c(o->res->topics[i].name);
			n++;
		}
		/* v6 names topics in states, before by names only. */
		if (version >= 6) {
			m.topics = t;
			m.topics_count = n;
		} else {
			m.topic_names = names;
			m.topic_names_count = n;
		}
		m.timeout_ms = req->timeout_ms;
		err = (kfk_err)kfk_delete_topics_request_encode(w, version, &m);
	}
	kfk_arena_destroy(&ar);
	return err;
}

static kfk_err dt_parse(struct kfk_admin_opx *o, kfk_rbuf *body,
                        int16_t version)
{
	struct kfk_delete_topics_response m;
	kfk_arena ar;
	kfk_err err = KFK_ERR__MALFORMED;

	kfk_arena_init(&ar);
	if (kfk_delete_topics_response_decode(body, version, &ar, &m) == 0) {
		for (int i = 0; i < m.responses_count; i++) {
			struct kfk_delete_topics_response_deletable_topic_result
				*r = &m.responses[i];
			struct kfk_admin_topic *t = kfk_admin_item_find(o, r->name);

			if (t)
				kfk_admin_item_set(t, (kfk_err)r->error_code,
				                   r->error_message);
		}
		err = KFK_ERR_NONE;
	}
	kfk_arena_destroy(&ar);
	return err;
}

const struct kfk_admin_kind kfk_admin_delete_topics_kind = {
	KFK_APIKEY_DELETE_TOPICS, 1, true, dt_encode, dt_parse, NULL, NULL
};

KFK_API kfk_err kfk_admin_delete_topics(kfk_admin *a,
                                        const char *const *names, int cnt,
                                        const kfk_admin_options *opts,
                                        uint64_t *id)
{
	struct kfk_admin_opx *o;

	if (!a || !names || cnt <= 0)
		return KFK_ERR__INVALID_ARG;
	if (!(o = kfk_admin_op_new(a, &kfk_admin_delete_topics_kind,
	                           KFK_ADMIN_DELETE_TOPICS, cnt, opts)))
		return KFK_ERR__INVALID_ARG;
	return kfk_admin_op_go(o, kfk_admin_names_in(o, names, cnt), id);
}

/* ---- CreatePartitions -------------------------------------------------------- */

static kfk_err cp_encode(struct kfk_req *req, kfk_wbuf *w, int16_t version)
{
	struct kfk_admin_opx *o = req->opaque;
	struct kfk_create_partitions_request m;
	struct kfk_create_partitions_request_topic *t;
	kfk_arena ar;
	int n = 0;
	kfk_err err = KFK_ERR__NO_MEMORY;

	kfk_arena_init(&ar);
	kfk_create_partitions_request_init(&m);
	t = ARRAY(&ar, open_items(o), struct kfk_create_partitions_request_topic);
	if (t) {
		for (int i = 0; i < o->res->topic_cnt; i++) {
			if (o->res->topics[i].done)
				continue;
			kfk_create_partitions_request_topic_init(&t[n]);
			t[n].name = kfk_str_c(o->res->topics[i].name);
			t[n].count = o->res->topics[i].want_partitions;
			t[n].assignments_count = -1; /* the broker places them */
			n++;
		}
		m.topics = t;
		m.topics_count = n;
		m.timeout_ms = req->timeout_ms;
		m.validate_only = o->validate_only;
		err = (kfk_err)kfk_create_partitions_request_encode(w, version,
		                                                    &m);
	}
	kfk_arena_destroy(&ar);
	return err;
}

static kfk_err cp_parse(struct kfk_admin_opx *o, kfk_rbuf *body,
                        int16_t version)
{
	struct kfk_create_partitions_response m;
	kfk_arena ar;
	kfk_err err = KFK_ERR__MALFORMED;

	kfk_arena_init(&ar);
	if (kfk_create_partitions_response_decode(body, version, &ar, &m) == 0) {
		for (int i = 0; i < m.results_count; i++) {
			struct kfk_admin_topic *t =
				kfk_admin_item_find(o, m.results[i].name);

			if (t)
				kfk_admin_item_set(t,
				                   (kfk_err)m.results[i].error_code,
				                   m.results[i].error_message);
		}
		err = KFK_ERR_NONE;
	}
	kfk_arena_destroy(&ar);
	return err;
}

const struct kfk_admin_kind kfk_admin_create_partitions_kind = {
	KFK_APIKEY_CREATE_PARTITIONS, 0, true, cp_encode, cp_parse, NULL, NULL
};

KFK_API kfk_err kfk_admin_create_partitions(kfk_admin *a,
                                            const char *const *names,
                                            const int32_t *totals, int cnt,
                                            const kfk_admin_options *opts,
                                            uint64_t *id)
{
	struct kfk_admin_opx *o;
	kfk_err err;

	if (!a || !names || !totals || cnt <= 0)
		return KFK_ERR__INVALID_ARG;
	if (!(o = kfk_admin_op_new(a, &kfk_admin_create_partitions_kind,
	                           KFK_ADMIN_CREATE_PARTITIONS, cnt, opts)))
		return KFK_ERR__INVALID_ARG;
	err = kfk_admin_names_in(o, names, cnt);
	for (int i = 0; i < cnt && !err; i++) {
		if (totals[i] <= 0)
			err = KFK_ERR__INVALID_ARG;
		o->res->topics[i].want_partitions = totals[i];
	}
	return kfk_admin_op_go(o, err, id);
}
