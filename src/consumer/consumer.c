/*
 * consumer/consumer.c: the consumer's public calls (include/kfk/consumer.h)
 * and its round on the control loop.
 *
 * A round (posted by kfk_consumer_kick(): on assign, seek, resume, a
 * Fetch or ListOffsets outcome, metadata and broker changes, room under
 * the memory bound, the timer) looks up each partition's leader in the
 * current metadata, sends ListOffsets for partitions that need a position,
 * and a Fetch to each leader with fetchable partitions and none in flight.
 * Calls that change the assignment or a position run on the control loop
 * and wait for it (kfk_client_run_sync), so the partitions' fetch state
 * has one owner.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/conf.h"
#include "client/metadata.h"
#include "consumer/consumer_int.h"
#include "consumer/fetcher.h"
#include "consumer/group.h"
#include "consumer/tplist.h"
#include "util/time.h"

/* ---- the round -------------------------------------------------------- */

/* Tells the application once that metadata, which has answered for
 * p's topic, names no such topic or partition. */
static void tell_missing(struct kfk_consumer *c, struct kfk_cpart *p,
                         const struct kfk_md_topic *mt)
{
	bool no_topic = mt->err != KFK_ERR_NONE;

	if (p->missing_told)
		return;
	p->missing_told = true;
	if (no_topic)
		kfk_consumer_error(c, p, KFK_ERR__UNKNOWN_TOPIC, -1,
		                   "%s [%d]: the cluster has no topic %s (%s)",
		                   p->topic, (int)p->partition, p->topic,
		                   kfk_err_name(mt->err));
	else
		kfk_consumer_error(c, p, KFK_ERR__UNKNOWN_PARTITION, -1,
		                   "%s [%d]: topic %s has %d partitions",
		                   p->topic, (int)p->partition, p->topic,
		                   (int)mt->partition_cnt);
}

/* Leaders from the current metadata; asks for what it lacks. */
static void update_leaders(struct kfk_consumer *c)
{
	struct kfk_metadata *md = kfk_client_metadata(c->client);
	const char *missing = NULL;
	int i;

	pthread_mutex_lock(&c->lock);
	for (i = 0; i < c->part_cnt; i++) {
		struct kfk_cpart *p = c->parts[i];
		const struct kfk_md_topic *mt = kfk_metadata_topic(md, p->topic);
		const struct kfk_md_partition *mp =
			mt && p->partition < mt->partition_cnt
			        ? &mt->partitions[p->partition] : NULL;

		p->leader = mp && !mp->err ? mp->leader : -1;
		p->leader_epoch = mp ? mp->leader_epoch : -1;
		if (mt && !mp && (mt->err == KFK_ERR_NONE ||
		                  mt->err == KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION))
			tell_missing(c, p, mt);
		else if (mp)
			p->missing_told = false;
		kfk_validate_check(c, p);
		if (p->leader < 0 && !missing)
			missing = p->topic;
	}
	pthread_mutex_unlock(&c->lock);
	kfk_metadata_unref(md);
	if (missing)
		kfk_client_metadata_new_topic(c->client, missing);
}

static void consumer_round(void *arg)
{
	struct kfk_consumer *c = arg;
	int64_t now = kfk_now_us();

	atomic_store(&c->kick_posted, false);
	if (c->closed)
		return;
	update_leaders(c);
	if (c->group)
		kfk_cgrp_fetch_positions(c->group, now);
	kfk_offsets_run(c, now);
	kfk_validate_run(c, now);
	kfk_fetcher_run(c, now);
}

void kfk_consumer_kick(struct kfk_consumer *c)
{
	if (!atomic_exchange(&c->kick_posted, true))
		kfk_loop_post_task(c->ctrl, &c->kick_task);
}

static void on_timer(struct kfk_timer *t, void *arg)
{
	struct kfk_consumer *c = arg;

	(void)t;
	c->timer_at = 0;
	consumer_round(c);
}

void kfk_consumer_arm(struct kfk_consumer *c, int64_t at_us)
{
	if (c->timer_at && c->timer_at <= at_us)
		return;
	if (c->timer_at)
		kfk_loop_timer_cancel(c->ctrl, &c->timer);
	c->timer_at = at_us;
	(void)kfk_loop_timer_arm(c->ctrl, &c->timer, at_us);
}

static void on_notify(void *arg, unsigned events)
{
	struct kfk_consumer *c = arg;

	if (c->group && (events & KFK_NOTIFY_BROKER_DOWN))
		kfk_cgrp_coord_check(c->group);
	if (c->group && (events & KFK_NOTIFY_METADATA))
		kfk_cgrp_metadata(c->group);
	kfk_consumer_kick(c);
}

static void on_room(void *arg)
{
	kfk_consumer_kick(arg);
}

void kfk_consumer_error(struct kfk_consumer *c, struct kfk_cpart *p,
                        kfk_err err, int64_t offset, const char *fmt, ...)
{
	struct kfk_fset *s = kfk_fset_new(c->mem, p,
	                                  atomic_load(&p->version), 1);
	struct kfk_message *m = s ? kfk_fset_add(s) : NULL;
	char buf[512];
	va_list ap;

	if (!m) {
		if (s)
			kfk_fset_discard(s);
		return;
	}
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	s->errstr = strdup(buf);
	m->err = err;
	m->offset = offset;
	kfk_fset_charge(s, 0);
	kfk_evq_push(&c->q, &s->ev, 1);
}

int64_t kfk_consumer_held_bytes(struct kfk_consumer *c)
{
	return (int64_t)atomic_load(&c->mem->held);
}

void kfk_consumer_fetch_counts(struct kfk_consumer *c, uint64_t *full,
                               uint64_t *incremental)
{
	*full = atomic_load(&c->fetch_full);
	*incremental = atomic_load(&c->fetch_incremental);
}

/* ---- create and destroy ------------------------------------------------ */

static void read_conf(struct kfk_consumer *c, const kfk_conf *conf)
{
	c->fetch_min_bytes = (int32_t)kfk_conf_get_int(conf, "fetch.min.bytes");
	c->fetch_max_wait_ms =
		(int32_t)kfk_conf_get_int(conf, "fetch.max.wait.ms");
	c->fetch_max_bytes = (int32_t)kfk_conf_get_int(conf, "fetch.max.bytes");
	c->partition_max_bytes =
		(int32_t)kfk_conf_get_int(conf, "max.partition.fetch.bytes");
	c->reset = (int)kfk_conf_get_int(conf, "auto.offset.reset");
	c->isolation = (int8_t)kfk_conf_get_int(conf, "isolation.level");
	c->check_crcs = kfk_conf_get_bool(conf, "check.crcs");
	c->partition_eof = kfk_conf_get_bool(conf, "enable.partition.eof");
	c->auto_store = kfk_conf_get_bool(conf, "enable.auto.offset.store") &&
	                *kfk_conf_get_str(conf, "group.id");
	c->retry_backoff_us = kfk_conf_get_int(conf, "retry.backoff.ms") * 1000;
}

static int consumer_start(struct kfk_consumer *c, const kfk_conf *conf)
{
	read_conf(c, conf);
	c->expand = 8; /* until the first data says better */
	c->mem = kfk_cmem_new(kfk_conf_get_int(conf, "fetch.buffer.memory"));
	if (!c->mem || kfk_evq_init(&c->q, kfk_fset_release, NULL))
		return -1;
	kfk_client_set_notice_queue(c->client, &c->q);
	c->mem->room = on_room;
	c->mem->room_arg = c;
	c->ctrl = kfk_client_control_loop(c->client);
	c->log = kfk_client_logger(c->client);
	c->kick_task.fn = consumer_round;
	c->kick_task.arg = c;
	kfk_timer_init(&c->timer, on_timer, c);
	c->notify.events = KFK_NOTIFY_METADATA | KFK_NOTIFY_BROKER_UP |
	                   KFK_NOTIFY_BROKER_DOWN;
	c->notify.loop = c->ctrl;
	c->notify.fn = on_notify;
	c->notify.arg = c;
	return 0;
}

KFK_API kfk_consumer *kfk_consumer_new(const kfk_conf *conf, char *errstr,
                                       size_t errstr_size)
{
	struct kfk_consumer *c = calloc(1, sizeof(*c));

	if (errstr_size)
		errstr[0] = '\0';
	if (!c) {
		snprintf(errstr, errstr_size, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&c->lock, NULL);
	pthread_mutex_init(&c->handed_lock, NULL);
	atomic_init(&c->kick_posted, false);
	atomic_init(&c->closing, false);
	c->q.efd = -1;
	c->client = kfk_client_new(conf, KFK_CLIENT_CONSUMER, errstr,
	                           errstr_size);
	if (!c->client || consumer_start(c, conf) ||
	    kfk_cgrp_new(c, errstr, errstr_size)) {
		if (c->client && errstr_size && !errstr[0])
			snprintf(errstr, errstr_size, "out of memory");
		kfk_consumer_destroy(c);
		return NULL;
	}
	/* Only now: the notifications run on the control loop and read
	 * c->group, which kfk_cgrp_new has just set (ThreadSanitizer saw
	 * the race when they were subscribed before it). */
	kfk_client_subscribe(c->client, &c->notify);
	return c;
}

/* Drops every partition (ctrl). */
static void drop_all(struct kfk_consumer *c)
{
	int i;

	pthread_mutex_lock(&c->lock);
	for (i = 0; i < c->part_cnt; i++) {
		struct kfk_cpart *p = c->parts[i];

		kfk_fetcher_forget(c, p);
		atomic_fetch_add(&p->version, 1);
		kfk_cpart_set_state(c, p, KFK_CPART_GONE);
		kfk_cpart_unref(p);
	}
	c->part_cnt = 0;
	pthread_mutex_unlock(&c->lock);
}

static void close_task(void *arg)
{
	struct kfk_consumer *c = arg;

	c->closed = true;
	drop_all(c);
	if (c->timer_at)
		kfk_loop_timer_cancel(c->ctrl, &c->timer);
	c->timer_at = 0;
	if (c->group)
		kfk_cgrp_close(c->group);
}

KFK_API kfk_err kfk_consumer_close(kfk_consumer *c)
{
	if (atomic_load(&c->closing))
		return KFK_ERR_NONE;
	if (c->group)
		(void)kfk_cgrp_stop(c->group, true);
	if (atomic_exchange(&c->closing, true))
		return KFK_ERR_NONE;
	kfk_client_run_sync(c->ctrl, close_task, c);
	kfk_client_unsubscribe(c->client, &c->notify);
	kfk_evq_kick(&c->q);
	return KFK_ERR_NONE;
}

KFK_API void kfk_consumer_destroy(kfk_consumer *c)
{
	if (!c)
		return;
	if (c->client && c->ctrl)
		kfk_consumer_close(c);
	/* Messages released from here on (those still queued, below) must
	 * not kick the control loop, which goes with the client. */
	if (c->mem) {
		pthread_mutex_lock(&c->mem->lock);
		c->mem->room = NULL;
		pthread_mutex_unlock(&c->mem->lock);
	}
	/* Fetches still out come back (with _DESTROY) while the client
	 * goes down, and find the consumer closed. */
	kfk_client_destroy(c->client);
	if (c->q.efd >= 0)
		kfk_evq_destroy(&c->q);
	if (c->mem)
		kfk_cmem_unref(c->mem);
	kfk_fsess_free_all(c);
	kfk_cgrp_free(c->group);
	free(c->fetching);
	free(c->parts);
	kfk_consumer_handed_clear(c);
	pthread_mutex_destroy(&c->handed_lock);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

/* ---- assignment ---------------------------------------------------------- */

struct assign_op {
	struct kfk_consumer *c;
	const kfk_tplist *l;
	int mode;          /* 0 replace, 1 add, 2 remove; the group's:
	                    * 3 add those missing, 4 remove those present */
	kfk_err err;
};

static int parts_reserve(struct kfk_consumer *c, int n)
{
	struct kfk_cpart **v;

	if (c->part_cnt + n <= c->part_cap)
		return 0;
	v = realloc(c->parts, (size_t)(c->part_cnt + n) * sizeof(*v));
	if (!v)
		return -1;
	c->parts = v;
	c->part_cap = c->part_cnt + n;
	return 0;
}

static int part_index(struct kfk_consumer *c, const char *topic,
                      int32_t partition)
{
	int i;

	for (i = 0; i < c->part_cnt; i++)
		if (c->parts[i]->partition == partition &&
		    strcmp(c->parts[i]->topic, topic) == 0)
			return i;
	return -1;
}

/* Under c->lock, on ctrl. */
static void part_remove(struct kfk_consumer *c, int i)
{
	struct kfk_cpart *p = c->parts[i];

	kfk_fetcher_forget(c, p);
	atomic_fetch_add(&p->version, 1);
	kfk_cpart_set_state(c, p, KFK_CPART_GONE);
	c->parts[i] = c->parts[--c->part_cnt];
	kfk_cpart_unref(p);
}

static kfk_err part_add(struct kfk_consumer *c, const struct kfk_tp *e)
{
	struct kfk_cpart *p = kfk_cpart_new(e->topic, e->partition);

	if (!p)
		return KFK_ERR__NO_MEMORY;
	c->parts[c->part_cnt++] = p;
	kfk_cpart_move(c, p, e->offset == KFK_OFFSET_INVALID
	                             ? KFK_OFFSET_STORED : e->offset);
	return KFK_ERR_NONE;
}

static kfk_err assign_check(struct assign_op *op)
{
	const kfk_tplist *l = op->l;
	int i;

	for (i = 0; l && op->mode <= 2 && i < l->cnt; i++) {
		bool have = kfk_consumer_find(op->c, l->v[i].topic,
		                              l->v[i].partition) != NULL;
		if (kfk_tplist_find(l, l->v[i].topic, l->v[i].partition) != i)
			return KFK_ERR__CONFLICT; /* listed twice */
		if (op->mode == 1 && have)
			return KFK_ERR__CONFLICT;
		if (op->mode == 2 && !have)
			return KFK_ERR__UNKNOWN_PARTITION;
	}
	return KFK_ERR_NONE;
}

static void assign_replace(struct assign_op *op)
{
	struct kfk_consumer *c = op->c;
	const kfk_tplist *l = op->l;
	int i;

	for (i = c->part_cnt - 1; i >= 0; i--)
		if (kfk_tplist_find(l, c->parts[i]->topic,
		                    c->parts[i]->partition) < 0)
			part_remove(c, i);
	for (i = 0; l && i < l->cnt && !op->err; i++) {
		struct kfk_cpart *p = kfk_consumer_find(c, l->v[i].topic,
		                                        l->v[i].partition);
		if (!p)
			op->err = part_add(c, &l->v[i]);
		else if (l->v[i].offset != KFK_OFFSET_INVALID)
			kfk_cpart_move(c, p, l->v[i].offset);
	}
}

static void assign_group(struct assign_op *op)
{
	struct kfk_consumer *c = op->c;
	int i, k;

	for (i = 0; i < op->l->cnt && !op->err; i++) {
		k = part_index(c, op->l->v[i].topic, op->l->v[i].partition);
		if (op->mode == 3 && k < 0)
			op->err = part_add(c, &op->l->v[i]);
		else if (op->mode == 4 && k >= 0)
			part_remove(c, k);
	}
}

static void assign_task(void *arg)
{
	struct assign_op *op = arg;
	struct kfk_consumer *c = op->c;
	const kfk_tplist *l = op->l;
	int i;

	pthread_mutex_lock(&c->lock);
	op->err = c->closed ? KFK_ERR__STATE : assign_check(op);
	if (!op->err && parts_reserve(c, l ? l->cnt : 0))
		op->err = KFK_ERR__NO_MEMORY;
	if (!op->err) {
		if (op->mode == 0)
			assign_replace(op);
		for (i = 0; op->mode == 1 && i < l->cnt && !op->err; i++)
			op->err = part_add(c, &l->v[i]);
		for (i = 0; op->mode == 2 && i < l->cnt; i++)
			part_remove(c, part_index(c, l->v[i].topic,
			                          l->v[i].partition));
		if (op->mode >= 3)
			assign_group(op);
	}
	pthread_mutex_unlock(&c->lock);
	kfk_consumer_kick(c);
}

static kfk_err assign_run(kfk_consumer *c, const kfk_tplist *l, int mode)
{
	struct assign_op op = { c, l, mode, KFK_ERR_NONE };

	if (atomic_load(&c->closing))
		return KFK_ERR__STATE;
	kfk_client_run_sync(c->ctrl, assign_task, &op);
	return op.err;
}

KFK_API kfk_err kfk_consumer_assign(kfk_consumer *c, const kfk_tplist *l)
{
	return assign_run(c, l, 0);
}

KFK_API kfk_err kfk_consumer_incremental_assign(kfk_consumer *c,
                                                const kfk_tplist *l)
{
	return assign_run(c, l, 1);
}

KFK_API kfk_err kfk_consumer_incremental_unassign(kfk_consumer *c,
                                                  const kfk_tplist *l)
{
	return assign_run(c, l, 2);
}

kfk_err kfk_consumer_group_assign(struct kfk_consumer *c, const kfk_tplist *l,
                                  bool add)
{
	return l && l->cnt ? assign_run(c, l, add ? 3 : 4) : KFK_ERR_NONE;
}

KFK_API kfk_err kfk_consumer_unassign(kfk_consumer *c)
{
	return assign_run(c, NULL, 0);
}

KFK_API kfk_err kfk_consumer_assignment(kfk_consumer *c, kfk_tplist **out)
{
	kfk_tplist *l;
	int i;

	pthread_mutex_lock(&c->lock);
	l = kfk_tplist_new(c->part_cnt);
	for (i = 0; l && i < c->part_cnt; i++)
		if (kfk_tplist_add(l, c->parts[i]->topic, c->parts[i]->partition,
		                   atomic_load(&c->parts[i]->app_pos)) < 0) {
			kfk_tplist_destroy(l);
			l = NULL;
		}
	pthread_mutex_unlock(&c->lock);
	*out = l;
	return l ? KFK_ERR_NONE : KFK_ERR__NO_MEMORY;
}

KFK_API kfk_oauthbearer *kfk_consumer_oauthbearer(kfk_consumer *c)
{
	return c ? kfk_client_oauthbearer(c->client) : NULL;
}
