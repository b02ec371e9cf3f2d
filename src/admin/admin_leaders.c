/*
 * admin/admin_leaders.c: leaders elected (ElectLeaders, one request to the
 * controller, as kafka-leader-election does) and the producers active on
 * partitions (DescribeProducers to each leader, on admin_offsets.c's
 * by-leader pipeline, as kafka-transactions describe-producers does).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "admin/admin_int.h"
#include "consumer/tplist.h"
#include "proto/arena.h"
#include "proto/gen/api_keys.h"
#include "proto/gen/describe_producers.h"
#include "proto/gen/elect_leaders.h"

/* ---- ElectLeaders -------------------------------------------------------- */

static kfk_err el_encode(struct kfk_req *req, kfk_wbuf *w, int16_t version)
{
	struct kfk_admin_opx *o = req->opaque;
	const kfk_tplist *l = o->res->offsets;
	struct kfk_elect_leaders_request m;
	struct kfk_elect_leaders_request_topic_partitions *t = NULL;
	int32_t *pv = NULL;
	int nt = 0;
	kfk_err err;

	kfk_elect_leaders_request_init(&m);
	m.election_type = o->res->election;
	m.timeout_ms = req->timeout_ms;
	m.topic_partitions_count = -1; /* null: every partition */
	if (l->cnt > 0) {
		t = calloc((size_t)l->cnt, sizeof(*t));
		pv = calloc((size_t)l->cnt, sizeof(*pv));
		if (!t || !pv) {
			free(t);
			free(pv);
			return KFK_ERR__NO_MEMORY;
		}
		for (int i = 0; i < l->cnt; i++) { /* sorted by topic */
			if (!nt || strcmp(t[nt - 1].topic.ptr, l->v[i].topic)) {
				kfk_elect_leaders_request_topic_partitions_init(
					&t[nt]);
				t[nt].topic = kfk_str_c(l->v[i].topic);
				t[nt].partitions = &pv[i];
				t[nt].partitions_count = 0;
				nt++;
			}
			pv[i] = l->v[i].partition;
			t[nt - 1].partitions_count++;
		}
		m.topic_partitions = t;
		m.topic_partitions_count = nt;
	}
	err = (kfk_err)kfk_elect_leaders_request_encode(w, version, &m);
	free(t);
	free(pv);
	return err;
}

/* One partition's outcome: its entry (added when every partition was
 * asked for). */
static kfk_err el_partition(kfk_tplist *l, bool all, struct kfk_str topic,
                            int32_t partition, int16_t code)
{
	int i = kfk_admin_offsets_find(l, topic, partition);

	if (i < 0 && all) {
		char *name = strndup(topic.ptr, (size_t)topic.len);

		i = name ? kfk_tplist_add(l, name, partition, -1) : -1;
		free(name);
		if (i < 0)
			return KFK_ERR__NO_MEMORY;
	}
	if (i >= 0)
		l->v[i].err = (kfk_err)code;
	return KFK_ERR_NONE;
}

static kfk_err el_parse(struct kfk_admin_opx *o, kfk_rbuf *body,
                        int16_t version)
{
	kfk_tplist *l = o->res->offsets;
	bool all = o->res->all_topics; /* no partition named */
	struct kfk_elect_leaders_response m;
	kfk_err err = KFK_ERR_NONE;
	kfk_arena ar;

	kfk_arena_init(&ar);
	if (kfk_elect_leaders_response_decode(body, version, &ar, &m))
		err = KFK_ERR__MALFORMED;
	else if (m.error_code)
		err = (kfk_err)m.error_code; /* NOT_CONTROLLER: again */
	for (int t = 0; !err && t < m.replica_election_results_count; t++) {
		const struct kfk_elect_leaders_response_replica_election_result
			*rt = &m.replica_election_results[t];

		for (int p = 0; !err && p < rt->partition_result_count; p++)
			err = el_partition(l, all, rt->topic,
			                   rt->partition_result[p].partition_id,
			                   rt->partition_result[p].error_code);
	}
	kfk_arena_destroy(&ar);
	return err;
}

static const struct kfk_admin_kind elect_leaders_kind = {
	KFK_APIKEY_ELECT_LEADERS, 1, true, el_encode, el_parse, NULL, NULL
};

KFK_API kfk_err kfk_admin_elect_leaders(kfk_admin *a, kfk_election type,
                                        const kfk_tplist *l,
                                        const kfk_admin_options *opts,
                                        uint64_t *id)
{
	struct kfk_admin_opx *o;
	kfk_tplist *empty = NULL;
	kfk_err err;

	if (!a || (type != KFK_ELECTION_PREFERRED &&
	           type != KFK_ELECTION_UNCLEAN) ||
	    (l && kfk_tplist_count(l) <= 0))
		return KFK_ERR__INVALID_ARG;
	if (!(o = kfk_admin_op_new(a, &elect_leaders_kind,
	                           KFK_ADMIN_ELECT_LEADERS, 0, opts)))
		return KFK_ERR__INVALID_ARG;
	o->res->election = (int8_t)type;
	if (!l && !(l = empty = kfk_tplist_new(8)))
		return kfk_admin_op_go(o, KFK_ERR__NO_MEMORY, id);
	err = kfk_admin_offsets_take(o, l);
	/* Entries not answered say so; every partition: none yet. */
	o->res->all_topics = empty != NULL;
	for (int i = 0; !err && i < o->res->offsets->cnt; i++)
		o->res->offsets->v[i].err = KFK_ADMIN_OPEN;
	kfk_tplist_destroy(empty);
	return kfk_admin_op_go(o, err, id);
}

/* ---- DescribeProducers --------------------------------------------------- */

kfk_err kfk_admin_dp_encode(struct kfk_req *req, kfk_wbuf *w, int16_t version)
{
	struct kfk_admin_sub *s = req->opaque;
	const kfk_tplist *l = s->o->res->offsets;
	struct kfk_describe_producers_request m;
	struct kfk_describe_producers_request_topic_request *t;
	int32_t *pv;
	struct kfk_admin_asked a;
	kfk_err err;

	if ((err = kfk_admin_offsets_asked(s, &a, sizeof(*t), sizeof(*pv))))
		return err;
	t = a.topics;
	pv = a.parts;
	kfk_describe_producers_request_init(&m);
	for (int k = 0; k < a.nt; k++) {
		kfk_describe_producers_request_topic_request_init(&t[k]);
		t[k].name = kfk_str_c(l->v[a.idx[a.start[k]]].topic);
		t[k].partition_indexes = &pv[a.start[k]];
		t[k].partition_indexes_count = a.start[k + 1] - a.start[k];
		for (int j = a.start[k]; j < a.start[k + 1]; j++)
			pv[j] = l->v[a.idx[j]].partition;
	}
	m.topics = t;
	m.topics_count = a.nt;
	err = (kfk_err)kfk_describe_producers_request_encode(w, version, &m);
	kfk_admin_asked_free(&a);
	return err;
}

/* Keeps partition entry's active producer p. */
static kfk_err producer_add(struct kfk_admin_result *r, int entry,
                            const struct kfk_describe_producers_response_producer_state *p)
{
	struct kfk_admin_producer *x;

	if (r->producer_cnt == r->producer_cap) {
		int cap = r->producer_cap ? 2 * r->producer_cap : 8;
		struct kfk_admin_producer *v =
			realloc(r->producers, (size_t)cap * sizeof(*v));

		if (!v)
			return KFK_ERR__NO_MEMORY;
		r->producers = v;
		r->producer_cap = cap;
	}
	x = &r->producers[r->producer_cnt++];
	x->entry = entry;
	x->id = p->producer_id;
	x->epoch = p->producer_epoch;
	x->last_sequence = p->last_sequence;
	x->last_timestamp = p->last_timestamp;
	x->txn_start_offset = p->current_txn_start_offset;
	return KFK_ERR_NONE;
}

void kfk_admin_dp_done(struct kfk_admin_sub *s, kfk_err err, kfk_rbuf *body,
                       int16_t version)
{
	struct kfk_admin_result *r = s->o->res;
	struct kfk_describe_producers_response m;
	bool again = false;
	kfk_arena ar;

	kfk_arena_init(&ar);
	if (!err && kfk_describe_producers_response_decode(body, version, &ar,
	                                                   &m))
		err = KFK_ERR__MALFORMED;
	for (int t = 0; !err && t < m.topics_count; t++)
		for (int p = 0; !err && p < m.topics[t].partitions_count; p++) {
			const struct kfk_describe_producers_response_partition_response
				*pr = &m.topics[t].partitions[p];
			int i = kfk_admin_offsets_answer(r->offsets,
			                                 m.topics[t].name,
			                                 pr->partition_index,
			                                 pr->error_code, &again);

			for (int k = 0; i >= 0 && !pr->error_code && !err &&
			                k < pr->active_producers_count; k++)
				err = producer_add(r, i, &pr->active_producers[k]);
		}
	kfk_arena_destroy(&ar);
	kfk_admin_offsets_settle(s, err, again);
}

KFK_API int kfk_admin_result_producer_count(const kfk_admin_result *r)
{
	return r ? r->producer_cnt : 0;
}

KFK_API int64_t kfk_admin_result_producer(const kfk_admin_result *r, int i,
                                          int *entry, int32_t *epoch,
                                          int32_t *last_sequence,
                                          int64_t *last_timestamp,
                                          int64_t *txn_start_offset)
{
	const struct kfk_admin_producer *x;

	if (!r || i < 0 || i >= r->producer_cnt)
		return -1;
	x = &r->producers[i];
	if (entry)
		*entry = x->entry;
	if (epoch)
		*epoch = x->epoch;
	if (last_sequence)
		*last_sequence = x->last_sequence;
	if (last_timestamp)
		*last_timestamp = x->last_timestamp;
	if (txn_start_offset)
		*txn_start_offset = x->txn_start_offset;
	return x->id;
}
