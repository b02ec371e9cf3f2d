/*
 * admin/admin_coord.c: FindCoordinator for a group or a transactional id,
 * shared by the operations that go to a coordinator (admin_group.c,
 * admin_offsets.c, admin_txn.c). v4 asks for a batch of keys, earlier versions for
 * one; both are asked for one here.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "admin/admin_int.h"
#include "proto/arena.h"
#include "proto/gen/find_coordinator.h"

/* FindCoordinator for the key that is the sub's arg, of key_type (0: a
 * group, 1: a transactional id). */
static kfk_err fc_encode(struct kfk_req *req, kfk_wbuf *w, int16_t version,
                         int8_t key_type)
{
	const struct kfk_admin_sub *s = req->opaque;
	struct kfk_find_coordinator_request m;
	struct kfk_str key = kfk_str_c(s->arg);

	kfk_find_coordinator_request_init(&m);
	m.key_type = key_type;
	if (version >= 4) {
		m.coordinator_keys = &key;
		m.coordinator_keys_count = 1;
	} else {
		m.key = key;
	}
	return (kfk_err)kfk_find_coordinator_request_encode(w, version, &m);
}

kfk_err kfk_admin_fc_encode(struct kfk_req *req, kfk_wbuf *w, int16_t version)
{
	return fc_encode(req, w, version, 0);
}

kfk_err kfk_admin_fc_txn_encode(struct kfk_req *req, kfk_wbuf *w,
                                int16_t version)
{
	return fc_encode(req, w, version, 1);
}

kfk_err kfk_admin_fc_parse(kfk_err err, kfk_rbuf *body, int16_t version,
                           int32_t *node, char **msg)
{
	struct kfk_find_coordinator_response m;
	struct kfk_str text = KFK_STR_NULL;
	kfk_arena ar;

	*msg = NULL;
	if (err)
		return err;
	kfk_arena_init(&ar);
	if (kfk_find_coordinator_response_decode(body, version, &ar, &m)) {
		err = KFK_ERR__MALFORMED;
	} else if (version >= 4) {
		if (m.coordinators_count != 1) {
			err = KFK_ERR__MALFORMED;
		} else {
			err = (kfk_err)m.coordinators[0].error_code;
			text = m.coordinators[0].error_message;
			*node = m.coordinators[0].node_id;
		}
	} else {
		err = (kfk_err)m.error_code;
		text = m.error_message;
		*node = m.node_id;
	}
	if (err && text.ptr && text.len > 0)
		*msg = strndup(text.ptr, (size_t)text.len);
	kfk_arena_destroy(&ar);
	return err;
}
