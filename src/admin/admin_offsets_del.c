/*
 * admin/admin_offsets_del.c: the requests of delete_records (DeleteRecords
 * to each leader: the partition's records before an offset go, its log
 * start moves there, as kafka-delete-records does) and
 * delete_group_offsets (OffsetDelete to the group's coordinator: a group's
 * committed offsets of partitions no member consumes any more). Both run
 * on admin_offsets.c's pipelines.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "admin/admin_int.h"
#include "consumer/tplist.h"
#include "proto/arena.h"
#include "proto/gen/delete_records.h"
#include "proto/gen/offset_delete.h"

/* ---- delete_records ---------------------------------------------------- */

kfk_err kfk_admin_dr_encode(struct kfk_req *req, kfk_wbuf *w, int16_t version)
{
	struct kfk_admin_sub *s = req->opaque;
	const kfk_tplist *l = s->o->res->offsets;
	struct kfk_delete_records_request m;
	struct kfk_delete_records_request_topic *t;
	struct kfk_delete_records_request_partition *pv;
	struct kfk_admin_asked a;
	kfk_err err;

	if ((err = kfk_admin_offsets_asked(s, &a, sizeof(*t), sizeof(*pv))))
		return err;
	t = a.topics;
	pv = a.parts;
	kfk_delete_records_request_init(&m);
	m.timeout_ms = req->timeout_ms;
	for (int k = 0; k < a.nt; k++) {
		kfk_delete_records_request_topic_init(&t[k]);
		t[k].name = kfk_str_c(l->v[a.idx[a.start[k]]].topic);
		t[k].partitions = &pv[a.start[k]];
		t[k].partitions_count = a.start[k + 1] - a.start[k];
		for (int j = a.start[k]; j < a.start[k + 1]; j++) {
			kfk_delete_records_request_partition_init(&pv[j]);
			pv[j].partition_index = l->v[a.idx[j]].partition;
			/* -1: up to the high watermark */
			pv[j].offset = s->o->res->asks[a.idx[j]];
		}
	}
	m.topics = t;
	m.topics_count = a.nt;
	err = (kfk_err)kfk_delete_records_request_encode(w, version, &m);
	kfk_admin_asked_free(&a);
	return err;
}

void kfk_admin_dr_done(struct kfk_admin_sub *s, kfk_err err, kfk_rbuf *body,
                       int16_t version)
{
	kfk_tplist *l = s->o->res->offsets;
	struct kfk_delete_records_response m;
	bool again = false;
	kfk_arena ar;

	kfk_arena_init(&ar);
	if (!err && kfk_delete_records_response_decode(body, version, &ar, &m))
		err = KFK_ERR__MALFORMED;
	for (int t = 0; !err && t < m.topics_count; t++)
		for (int p = 0; p < m.topics[t].partitions_count; p++) {
			const struct kfk_delete_records_response_partition_result
				*pr = &m.topics[t].partitions[p];
			int i = kfk_admin_offsets_answer(l, m.topics[t].name,
			                                 pr->partition_index,
			                                 pr->error_code, &again);

			if (i >= 0)
				l->v[i].offset = pr->error_code ? -1
				                                : pr->low_watermark;
		}
	kfk_arena_destroy(&ar);
	kfk_admin_offsets_settle(s, err, again);
}

/* ---- delete_group_offsets ---------------------------------------------- */

kfk_err kfk_admin_od_encode(struct kfk_req *req, kfk_wbuf *w, int16_t version)
{
	struct kfk_admin_sub *s = req->opaque;
	const kfk_tplist *l = s->o->res->offsets;
	struct kfk_offset_delete_request m;
	struct kfk_offset_delete_request_topic *t;
	struct kfk_offset_delete_request_partition *pv;
	struct kfk_admin_asked a;
	kfk_err err;

	if ((err = kfk_admin_offsets_asked(s, &a, sizeof(*t), sizeof(*pv))))
		return err;
	t = a.topics;
	pv = a.parts;
	kfk_offset_delete_request_init(&m);
	m.group_id = kfk_str_c(s->o->res->group);
	for (int k = 0; k < a.nt; k++) {
		kfk_offset_delete_request_topic_init(&t[k]);
		t[k].name = kfk_str_c(l->v[a.idx[a.start[k]]].topic);
		t[k].partitions = &pv[a.start[k]];
		t[k].partitions_count = a.start[k + 1] - a.start[k];
		for (int j = a.start[k]; j < a.start[k + 1]; j++) {
			kfk_offset_delete_request_partition_init(&pv[j]);
			pv[j].partition_index = l->v[a.idx[j]].partition;
		}
	}
	m.topics = t;
	m.topics_count = a.nt;
	err = (kfk_err)kfk_offset_delete_request_encode(w, version, &m);
	kfk_admin_asked_free(&a);
	return err;
}

void kfk_admin_od_done(struct kfk_admin_sub *s, kfk_err err, kfk_rbuf *body,
                       int16_t version)
{
	kfk_tplist *l = s->o->res->offsets;
	struct kfk_offset_delete_response m;
	bool again = false;
	kfk_arena ar;

	kfk_arena_init(&ar);
	if (!err && kfk_offset_delete_response_decode(body, version, &ar, &m))
		err = KFK_ERR__MALFORMED;
	/* The group's own error (GROUP_ID_NOT_FOUND, NOT_COORDINATOR, ...)
	 * is every partition's. */
	if (!err && m.error_code)
		err = (kfk_err)m.error_code;
	for (int t = 0; !err && t < m.topics_count; t++)
		for (int p = 0; p < m.topics[t].partitions_count; p++)
			(void)kfk_admin_offsets_answer(
				l, m.topics[t].name,
				m.topics[t].partitions[p].partition_index,
				m.topics[t].partitions[p].error_code, &again);
	kfk_arena_destroy(&ar);
	kfk_admin_offsets_settle(s, err, again);
}
