/*
 * consumer/cpart.c: an assigned partition and its state machine
 * (consumer_int.h).
 *
 *   NEED_OFFSET --ListOffsets sent--> RESETTING --answer--> ACTIVE
 *   ACTIVE --in a Fetch--> FETCHING --response applied--> ACTIVE
 *   RESETTING/FETCHING --error--> NEED_OFFSET (out of range) or ACTIVE
 *                                  (retry after a backoff, new leader)
 *   ACTIVE --newer leader epoch--> VALIDATING --checked--> ACTIVE
 *                                  (validate.c; truncated: a new position)
 *   any --no offset and auto.offset.reset=none--> FAILED --seek--> ACTIVE
 *   any --unassigned--> GONE
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consumer/consumer_int.h"
#include "util/state.h"

static const char *const cpart_state_names[] = {
	[KFK_CPART_NEED_OFFSET] = "NEED_OFFSET",
	[KFK_CPART_RESETTING] = "RESETTING",
	[KFK_CPART_ACTIVE] = "ACTIVE",
	[KFK_CPART_FETCHING] = "FETCHING",
	[KFK_CPART_VALIDATING] = "VALIDATING",
	[KFK_CPART_FAILED] = "FAILED",
	[KFK_CPART_GONE] = "GONE",
};

static const struct kfk_state_machine cpart_sm = {
	cpart_state_names, KFK_CPART_STATE__COUNT, KFK_DBG_CONSUMER, "STATE"
};

struct kfk_cpart *kfk_cpart_new(const char *topic, int32_t partition)
{
	struct kfk_cpart *p = calloc(1, sizeof(*p));

	if (!p || !(p->topic = strdup(topic))) {
		free(p);
		return NULL;
	}
	atomic_init(&p->refs, 1);
	p->partition = partition;
	atomic_init(&p->version, 1);
	atomic_init(&p->app_pos, KFK_OFFSET_INVALID);
	atomic_init(&p->app_epoch, -1);
	atomic_init(&p->stored, KFK_OFFSET_INVALID);
	atomic_init(&p->committed, KFK_OFFSET_INVALID);
	atomic_init(&p->stored_epoch, -1);
	atomic_init(&p->hw, -1);
	atomic_init(&p->lso, -1);
	atomic_init(&p->log_start, -1);
	atomic_init(&p->paused, false);
	p->state = KFK_CPART_NEED_OFFSET;
	p->want_offset = KFK_OFFSET_STORED;
	p->fetch_pos = -1;
	p->last_epoch = -1;
	p->checked_epoch = -1;
	p->leader = -1;
	p->leader_epoch = -1;
	return p;
}

struct kfk_cpart *kfk_cpart_ref(struct kfk_cpart *p)
{
	atomic_fetch_add_explicit(&p->refs, 1, memory_order_relaxed);
	return p;
}

void kfk_cpart_unref(struct kfk_cpart *p)
{
	if (!p || atomic_fetch_sub_explicit(&p->refs, 1,
	                                    memory_order_acq_rel) != 1)
		return;
	free(p->topic);
	free(p);
}

void kfk_cpart_set_state(struct kfk_consumer *c, struct kfk_cpart *p,
                         enum kfk_cpart_state to)
{
	char who[300];

	if (p->state == to)
		return;
	if (kfk_dbg_on(c->log, KFK_DBG_CONSUMER)) {
		snprintf(who, sizeof(who), "%s [%d]", p->topic, (int)p->partition);
		kfk_state_change(&cpart_sm, c->log, who, (int)p->state, (int)to);
	}
	p->state = to;
}

struct kfk_cpart *kfk_consumer_find(struct kfk_consumer *c, const char *topic,
                                    int32_t partition)
{
	int i;

	for (i = 0; i < c->part_cnt; i++) {
		struct kfk_cpart *p = c->parts[i];

		if (p->partition == partition && strcmp(p->topic, topic) == 0)
			return p;
	}
	return NULL;
}

void kfk_cpart_move(struct kfk_consumer *c, struct kfk_cpart *p,
                    int64_t offset)
{
	kfk_fetcher_forget(c, p);
	atomic_fetch_add(&p->version, 1);
	p->eof_told = false;
	p->retry_at_us = 0;
	if (offset >= 0) {
		p->fetch_pos = offset;
		p->last_epoch = -1;
		p->checked_epoch = -1;
		atomic_store(&p->app_pos, offset);
		kfk_cpart_set_state(c, p, KFK_CPART_ACTIVE);
	} else {
		p->want_offset = offset;
		kfk_cpart_set_state(c, p, KFK_CPART_NEED_OFFSET);
	}
}

bool kfk_consumer_leader_error(kfk_err err)
{
	switch (err) {
	case KFK_ERR_NOT_LEADER_OR_FOLLOWER:
	case KFK_ERR_FENCED_LEADER_EPOCH:
	case KFK_ERR_UNKNOWN_LEADER_EPOCH:
	case KFK_ERR_LEADER_NOT_AVAILABLE:
	case KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION:
	case KFK_ERR_UNKNOWN_TOPIC_ID:
	case KFK_ERR_OFFSET_NOT_AVAILABLE:
	case KFK_ERR_KAFKA_STORAGE_ERROR:
	case KFK_ERR__TRANSPORT:
	case KFK_ERR__TIMED_OUT:
	case KFK_ERR__DESTROY:
		return true;
	default:
		return false;
	}
}
