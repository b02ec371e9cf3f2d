/*
 * consumer/fetch_decode.c: one partition's fetched record set into
 * messages, on the broker's loop thread.
 *
 * Record batches are parsed in place (CRC-32C checked with check.crcs)
 * and a compressed batch is decompressed once, into a buffer the set then
 * owns; messages are views into the response frame or that buffer. What
 * the application never sees is skipped but still moves the position:
 * records before the fetch position (a batch starts before it), control
 * batches (transaction markers), and with read_committed the batches of
 * aborted transactions, found as the Java client does: an aborted
 * transaction's producer is "aborting" from its first offset (from the
 * response's aborted list) until its ABORT marker.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "codec/codec.h"
#include "consumer/fetch_decode.h"
#include "proto/msgset_legacy.h"
#include "proto/record_batch.h"

/* Producers with an aborted transaction open at the current batch. */
struct aborting {
	int64_t *pids;
	int n, cap;
};

static bool aborting_has(const struct aborting *a, int64_t pid)
{
	for (int i = 0; i < a->n; i++)
		if (a->pids[i] == pid)
			return true;
	return false;
}

static void aborting_add(struct aborting *a, int64_t pid)
{
	if (aborting_has(a, pid))
		return;
	if (a->n == a->cap) {
		int cap = a->cap ? a->cap * 2 : 8;
		int64_t *v = realloc(a->pids, (size_t)cap * sizeof(*v));

		if (!v)
			return; /* the batch is then returned: better than lost */
		a->pids = v;
		a->cap = cap;
	}
	a->pids[a->n++] = pid;
}

static void aborting_remove(struct aborting *a, int64_t pid)
{
	for (int i = 0; i < a->n; i++)
		if (a->pids[i] == pid) {
			a->pids[i] = a->pids[--a->n];
			return;
		}
}

/* The position only moves forward: whatever a record set holds (batches
 * out of order, offsets below the fetch position, a corrupt batch already
 * behind us), nothing at or below what was returned comes again. */
static void raise_pos(struct kfk_fd_out *out, int64_t pos)
{
	if (pos > out->next_pos)
		out->next_pos = pos;
}

/* base + delta, an entry's last offset, with room for one more: false
 * for a negative delta or a sum past INT64_MAX - 1 (malformed). */
static bool last_offset(int64_t base, int64_t delta, int64_t *last)
{
	return delta >= 0 && !__builtin_add_overflow(base, delta, last) &&
	       *last < INT64_MAX;
}

static int aborted_cmp(const void *x, const void *y)
{
	const struct kfk_fd_aborted *a = x, *b = y;

	return a->first_offset < b->first_offset ? -1
	       : a->first_offset > b->first_offset;
}

/* The records of one batch into messages. */
static kfk_err decode_records(struct kfk_fd_in *in, struct kfk_fd_out *out,
                              const struct kfk_batch *b, int64_t last)
{
	struct kfk_record_iter it;
	struct kfk_record r;
	kfk_err err;
	int rc;
	int8_t ts_type = kfk_batch_is_log_append_time(b)
	                         ? KFK_TIMESTAMP_LOG_APPEND_TIME
	                         : KFK_TIMESTAMP_CREATE_TIME;

	err = kfk_record_iter_init(&it, b, kfk_codec_decompress,
	                           (size_t)in->max_decompressed);
	if (!err && it.owned) {
		/* The decompressed records live as long as the set. */
		if (kfk_fset_own(out->set, it.owned,
		                 (size_t)(it.end - it.p)) == 0)
			it.owned = NULL;
		else
			err = KFK_ERR__NO_MEMORY;
	}
	while (!err && (rc = kfk_record_iter_next(&it, &r)) == 1) {
		struct kfk_message *m;

		if (r.offset > last) {
			/* Past the batch's own last offset: corrupt. */
			err = KFK_ERR__MALFORMED;
			break;
		}
		if (r.offset < out->next_pos)
			continue; /* behind the position */
		m = kfk_fset_add(out->set);
		if (!m) {
			err = KFK_ERR__NO_MEMORY;
			break;
		}
		m->offset = r.offset;
		m->timestamp = r.timestamp;
		m->ts_type = ts_type;
		m->key = r.key;
		m->key_len = r.key_len;
		m->value = r.value;
		m->value_len = r.value_len;
		m->header_count = r.header_count;
		m->headers = r.headers;
		m->headers_end = r.headers_end;
		m->leader_epoch = b->partition_leader_epoch;
		out->next_pos = r.offset + 1;
	}
	if (!err && rc < 0)
		err = (kfk_err)rc;
	kfk_record_iter_destroy(&it);
	return err;
}

/* One legacy entry (magic 0 or 1: a message, or a compressed wrapper of
 * messages, from brokers or data older than Kafka 0.11) into messages.
 * The wrapper's decompressed bytes go to the set, like a batch's. */
static kfk_err decode_legacy(struct kfk_fd_in *in, struct kfk_fd_out *out,
                             const struct kfk_recset_entry *e)
{
	struct kfk_msgset_iter it;
	struct kfk_msgset_msg mm;
	kfk_err err = KFK_ERR_NONE;
	int rc;

	kfk_msgset_iter_init(&it, e->data, e->size,
	                     in->check_crcs ? 0 : KFK_BATCH_PARSE_NO_CRC,
	                     kfk_codec_decompress, (size_t)in->max_decompressed);
	while ((rc = kfk_msgset_iter_next(&it, &mm)) == 1) {
		struct kfk_message *m;

		if (mm.offset < out->next_pos || mm.offset == INT64_MAX)
			continue;
		if (!(m = kfk_fset_add(out->set))) {
			err = KFK_ERR__NO_MEMORY;
			break;
		}
		m->offset = mm.offset;
		m->timestamp = mm.timestamp;
		m->ts_type = mm.magic == 0 ? KFK_TIMESTAMP_NONE
		             : mm.log_append_time ? KFK_TIMESTAMP_LOG_APPEND_TIME
		                                  : KFK_TIMESTAMP_CREATE_TIME;
		m->key = mm.key;
		m->key_len = mm.key_len;
		m->value = mm.value;
		m->value_len = mm.value_len;
		out->next_pos = mm.offset + 1;
	}
	if (!err && rc < 0)
		err = (kfk_err)rc;
	if (!err && it.owned) {
		/* The views point into it: it lives as long as the set. */
		if (kfk_fset_own(out->set, it.owned, e->size) == 0)
			it.owned = NULL;
		else
			err = KFK_ERR__NO_MEMORY;
	}
	kfk_msgset_iter_destroy(&it);
	return err;
}

/* Whether the batch is the application's to see; updates the aborting
 * producers from the aborted list and from ABORT markers. */
static bool batch_visible(struct kfk_fd_in *in, struct aborting *ab,
                          int *next_aborted, const struct kfk_batch *b)
{
	int64_t last;

	if (!last_offset(b->base_offset, b->last_offset_delta, &last))
		return false;
	if (in->isolation == 0)
		return !kfk_batch_is_control(b);
	while (*next_aborted < in->aborted_cnt &&
	       in->aborted[*next_aborted].first_offset <= last)
		aborting_add(ab, in->aborted[(*next_aborted)++].producer_id);
	if (kfk_batch_is_control(b)) {
		struct kfk_record_iter it;
		struct kfk_record r;
		struct kfk_control_record cr;

		if (kfk_record_iter_init(&it, b, NULL, 0) == 0 &&
		    kfk_record_iter_next(&it, &r) == 1 &&
		    kfk_control_record_parse(&r, &cr) == 0 &&
		    cr.type == KFK_CONTROL_ABORT)
			aborting_remove(ab, b->producer_id);
		kfk_record_iter_destroy(&it);
		return false;
	}
	return !(kfk_batch_is_transactional(b) &&
	         aborting_has(ab, b->producer_id));
}

void kfk_fetch_decode(struct kfk_fd_in *in, struct kfk_fd_out *out)
{
	struct kfk_recset rs;
	struct kfk_recset_entry e;
	struct aborting ab = { 0 };
	int next_aborted = 0, rc;

	out->next_pos = in->fetch_pos;
	out->last_epoch = in->last_epoch;
	if (in->aborted_cnt > 1)
		qsort(in->aborted, (size_t)in->aborted_cnt,
		      sizeof(*in->aborted), aborted_cmp);
	kfk_recset_init(&rs, in->records, in->records_len);
	while (!out->err && (rc = kfk_recset_next(&rs, &e)) == 1) {
		struct kfk_batch b;
		int64_t last;
		kfk_err err;

		if (e.magic < 2) {
			if ((err = decode_legacy(in, out, &e))) {
				out->err = err;
				out->err_offset = e.base_offset;
				if (e.base_offset < INT64_MAX)
					raise_pos(out, e.base_offset + 1);
				break;
			}
			continue;
		}
		err = kfk_batch_parse(e.data, e.size,
		                      in->check_crcs ? 0 : KFK_BATCH_PARSE_NO_CRC,
		                      &b);
		if (!err && !last_offset(b.base_offset, b.last_offset_delta, &last))
			err = KFK_ERR__MALFORMED;
		if (err) {
			/* A bad batch behind the position is none of our
			 * business; one ahead is reported, and the position
			 * moves past it so the partition goes on. */
			if (e.size >= 27 &&
			    last_offset(e.base_offset,
			                (int32_t)kfk_rb_get32(e.data + 23), &last)) {
				if (last < out->next_pos)
					continue;
				raise_pos(out, last + 1);
			}
			out->err = err;
			out->err_offset = e.base_offset;
			break;
		}
		if (last < out->next_pos)
			continue;
		if (batch_visible(in, &ab, &next_aborted, &b)) {
			err = decode_records(in, out, &b, last);
			if (err) {
				out->err = err;
				out->err_offset = b.base_offset;
				break;
			}
		}
		raise_pos(out, last + 1);
		out->last_epoch = b.partition_leader_epoch;
	}
	if (!out->err && rc < 0) {
		out->err = (kfk_err)rc;
		out->err_offset = out->next_pos;
	}
	out->batch_too_large = !out->err && out->next_pos == in->fetch_pos &&
	                       kfk_recset_incomplete(&rs) > 0;
	free(ab.pids);
}
