/*
 * consumer/group.c: the group member's state machine (consumer/group.h),
 * its timer, the subscription and the public subscribe calls.
 *
 * The member's step, kfk_cgrp_run(), is called after anything that may
 * let it move on (a response, the timer, metadata, a served rebalance):
 *   no coordinator        -> FindCoordinator
 *   UNJOINED              -> JoinGroup (eager with partitions: revoke
 *                            them through poll first, REVOKING)
 *   STABLE and rejoin     -> as UNJOINED
 *   STABLE                -> heartbeats, auto commits when due
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/conf.h"
#include "client/metadata.h"
#include "consumer/consumer_int.h"
#include "consumer/group.h"
#include "consumer/tplist.h"
#include "util/state.h"
#include "util/time.h"

static const char *const cgrp_state_names[] = {
	[KFK_CGRP_INIT] = "INIT",
	[KFK_CGRP_UNJOINED] = "UNJOINED",
	[KFK_CGRP_REVOKING] = "REVOKING",
	[KFK_CGRP_JOINING] = "JOINING",
	[KFK_CGRP_ASSIGNING] = "ASSIGNING",
	[KFK_CGRP_SYNCING] = "SYNCING",
	[KFK_CGRP_STABLE] = "STABLE",
	[KFK_CGRP_FATAL] = "FATAL",
};

static const struct kfk_state_machine cgrp_sm = {
	cgrp_state_names, KFK_CGRP_STATE__COUNT, KFK_DBG_CGRP, "CGRP"
};

void kfk_cgrp_set_state(struct kfk_cgrp *g, enum kfk_cgrp_state to)
{
	if (kfk_state_change(&cgrp_sm, g->c->log, g->group_id, (int)g->state,
	                     (int)to))
		g->state = to;
}

void kfk_cgrp_error(struct kfk_cgrp *g, kfk_err err, const char *fmt, ...)
{
	char buf[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	kfk_log(g->c->log, KFK_LOG_WARNING, "CGRP", "group %s: %s",
	        g->group_id, buf);
	kfk_consumer_error(g->c, g->errpart, err, -1, "group %s: %s",
	                   g->group_id, buf);
}

/* ---- the step and the timer --------------------------------------------- */

static void run_task(void *arg)
{
	struct kfk_cgrp *g = arg;

	atomic_store(&g->kick_posted, false);
	kfk_cgrp_run(g);
}

void kfk_cgrp_kick(struct kfk_cgrp *g)
{
	if (!atomic_exchange(&g->kick_posted, true))
		kfk_loop_post_task(g->c->ctrl, &g->kick_task);
}

static void on_timer(struct kfk_timer *t, void *arg)
{
	struct kfk_cgrp *g = arg;

	(void)t;
	g->timer_at = 0;
	kfk_cgrp_run(g);
}

void kfk_cgrp_arm(struct kfk_cgrp *g, int64_t at_us)
{
	if (g->timer_at && g->timer_at <= at_us)
		return;
	if (g->timer_at)
		kfk_loop_timer_cancel(g->c->ctrl, &g->timer);
	g->timer_at = at_us;
	(void)kfk_loop_timer_arm(g->c->ctrl, &g->timer, at_us);
}

/* Joins (or revokes first, eager protocol with partitions). */
static void start_join(struct kfk_cgrp *g, int64_t now)
{
	if (g->retry_at_us > now) {
		kfk_cgrp_arm(g, g->retry_at_us);
		return;
	}
	g->rejoin = false;
	if (!g->cooperative && kfk_tplist_count(g->owned) > 0) {
		kfk_tplist *all = g->owned;

		g->owned = kfk_tplist_new(0);
		g->wait_seq = kfk_cgrp_push_rebalance(g, KFK_REBALANCE_REVOKED,
		                                      all);
		kfk_cgrp_set_state(g, KFK_CGRP_REVOKING);
		return;
	}
	kfk_cgrp_join(g);
}

void kfk_cgrp_run(struct kfk_cgrp *g)
{
	int64_t now = kfk_now_us();

	bool member = g->state != KFK_CGRP_INIT && g->state != KFK_CGRP_FATAL;

	if (g->closed || (!member && !g->jobs))
		return;
	if (g->coord_id < 0) {
		kfk_cgrp_find_coordinator(g);
		return;
	}
	kfk_cgrp_jobs_run(g, KFK_ERR_NONE);
	if (!member)
		return;
	kfk_cgrp_heartbeat_run(g, now);
	kfk_cgrp_auto_commit(g, now);
	if (g->poll_expired)
		return; /* the next poll rejoins */
	if (g->state == KFK_CGRP_UNJOINED ||
	    (g->state == KFK_CGRP_STABLE && g->rejoin))
		start_join(g, now);
	else if (g->state == KFK_CGRP_ASSIGNING)
		kfk_cgrp_assign_retry(g);
}

void kfk_cgrp_rejoin(struct kfk_cgrp *g, const char *why)
{
	if (g->state == KFK_CGRP_INIT || g->state == KFK_CGRP_FATAL)
		return;
	if (!g->rejoin)
		kfk_dbg(g->c->log, KFK_DBG_CGRP, "REJOIN", "group %s: rejoin: %s",
		        g->group_id, why);
	g->rejoin = true;
	g->rejoin_why = why;
	if (g->state == KFK_CGRP_STABLE)
		kfk_cgrp_kick(g);
}

void kfk_cgrp_lost(struct kfk_cgrp *g, const char *why, bool reset_member)
{
	kfk_log(g->c->log, KFK_LOG_INFO, "CGRP",
	        "group %s: membership lost (%s): generation %d%s", g->group_id,
	        why, (int)g->generation, reset_member ? ", new member id" : "");
	g->generation = -1;
	g->hb_at_us = 0;
	if (reset_member) {
		free(g->member_id);
		g->member_id = strdup("");
	}
	if (kfk_tplist_count(g->owned) > 0) {
		kfk_tplist *all = g->owned;

		g->owned = kfk_tplist_new(0);
		g->wait_seq = kfk_cgrp_push_rebalance(g, KFK_REBALANCE_LOST, all);
		kfk_cgrp_set_state(g, KFK_CGRP_REVOKING);
		return;
	}
	kfk_cgrp_set_state(g, KFK_CGRP_UNJOINED);
	kfk_cgrp_kick(g);
}

/* ---- the subscription ------------------------------------------------------ */

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool topic_matches(struct kfk_cgrp *g, const char *t)
{
	int i;

	for (i = 0; i < g->topic_cnt; i++)
		if (g->topics[i][0] != '^' && strcmp(g->topics[i], t) == 0)
			return true;
	for (i = 0; i < g->pattern_cnt; i++)
		if (regexec(&g->patterns[i], t, 0, NULL, 0) == 0)
			return true;
	return false;
}

static void free_strv(char **v, int n)
{
	int i;

	for (i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

/* The topics subscribed now: the names given, and the metadata's topics
 * the patterns match. Sorted. NULL with *n -1 on ENOMEM. */
static char **match_topics(struct kfk_cgrp *g, const struct kfk_metadata *md,
                           int *n)
{
	int cap = g->topic_cnt + (md ? md->topic_cnt : 0), i, k = 0;
	char **v = calloc((size_t)cap + 1, sizeof(*v));

	for (i = 0; v && i < g->topic_cnt; i++)
		if (g->topics[i][0] != '^' && !(v[k++] = strdup(g->topics[i])))
			goto fail;
	for (i = 0; v && g->pattern_cnt && md && i < md->topic_cnt; i++) {
		const char *t = md->topics[i].name;

		if (md->topics[i].err || !topic_matches(g, t) ||
		    (k && bsearch(&t, v, (size_t)k, sizeof(*v), str_cmp)))
			continue;
		if (!(v[k++] = strdup(t)))
			goto fail;
		qsort(v, (size_t)k, sizeof(*v), str_cmp);
	}
	if (v) {
		qsort(v, (size_t)k, sizeof(*v), str_cmp);
		*n = k;
		return v;
	}
fail:
	free_strv(v, k);
	*n = -1;
	return NULL;
}

static bool same_strv(char **a, int an, char **b, int bn)
{
	int i;

	if (an != bn)
		return false;
	for (i = 0; i < an; i++)
		if (strcmp(a[i], b[i]) != 0)
			return false;
	return true;
}

uint64_t kfk_cgrp_md_signature(struct kfk_cgrp *g,
                               const struct kfk_metadata *md)
{
	uint64_t h = 1469598103934665603ULL;
	int i;

	for (i = 0; i < g->group_topic_cnt; i++) {
		const struct kfk_md_topic *t =
			kfk_metadata_topic(md, g->group_topics[i]);
		int32_t n = t && !t->err ? t->partition_cnt : -1;
		const char *s;

		for (s = g->group_topics[i]; *s; s++)
			h = (h ^ (uint8_t)*s) * 1099511628211ULL;
		h = (h ^ (uint64_t)(uint32_t)n) * 1099511628211ULL;
	}
	return h;
}

void kfk_cgrp_metadata(struct kfk_cgrp *g)
{
	struct kfk_metadata *md;
	char **v;
	int n;

	if (g->state == KFK_CGRP_INIT || g->closed)
		return;
	md = kfk_client_metadata(g->c->client);
	v = match_topics(g, md, &n);
	if (v && !same_strv(v, n, g->matched, g->matched_cnt)) {
		free_strv(g->matched, g->matched_cnt);
		g->matched = v;
		g->matched_cnt = n;
		kfk_cgrp_rejoin(g, "subscribed topics changed");
	} else if (v) {
		free_strv(v, n);
	}
	if (g->leader && g->state == KFK_CGRP_STABLE &&
	    kfk_cgrp_md_signature(g, md) != g->md_sig)
		kfk_cgrp_rejoin(g, "partitions of the group's topics changed");
	kfk_metadata_unref(md);
	kfk_cgrp_run(g);
}

/* ---- creation ----------------------------------------------------------- */

static char *conf_str_or_null(const kfk_conf *conf, const char *name)
{
	const char *v = kfk_conf_get_str(conf, name);

	return v && *v ? strdup(v) : NULL;
}

/* partition.assignment.strategy into g->assignors. */
static int read_strategies(struct kfk_cgrp *g, const kfk_conf *conf,
                           char *errstr, size_t errstr_size)
{
	const char *list = kfk_conf_get_str(conf, "partition.assignment.strategy");
	const char *item;
	size_t pos = 0, len;
	char name[256];

	while ((len = kfk_conf_list_next(list, &pos, &item)) > 0) {
		const struct kfk_assignor *a;

		snprintf(name, sizeof(name), "%.*s", (int)len, item);
		a = kfk_assignor_find(name);
		if (!a) {
			snprintf(errstr, errstr_size,
			         "partition.assignment.strategy: unknown assignor "
			         "\"%s\" (range, roundrobin, cooperative-sticky)",
			         name);
			return -1;
		}
		if (g->assignor_cnt == (int)(sizeof(g->assignors) /
		                             sizeof(g->assignors[0])))
			break;
		/* Cooperative rebalancing only when every assignor offered
		 * supports it, as in Java: with range in the list, the
		 * member revokes everything before it joins. */
		g->cooperative = a->cooperative &&
		                 (g->assignor_cnt == 0 || g->cooperative);
		g->assignors[g->assignor_cnt++] = a;
	}
	if (!g->assignor_cnt) {
		snprintf(errstr, errstr_size,
		         "partition.assignment.strategy is empty");
		return -1;
	}
	return 0;
}

static void read_group_conf(struct kfk_cgrp *g, const kfk_conf *conf)
{
	g->instance_id = conf_str_or_null(conf, "group.instance.id");
	g->rack = conf_str_or_null(conf, "client.rack");
	g->session_ms = (int32_t)kfk_conf_get_int(conf, "session.timeout.ms");
	g->heartbeat_ms = (int32_t)kfk_conf_get_int(conf, "heartbeat.interval.ms");
	g->poll_interval_ms =
		(int32_t)kfk_conf_get_int(conf, "max.poll.interval.ms");
	g->auto_commit_ms =
		kfk_conf_get_bool(conf, "enable.auto.commit")
			? (int32_t)kfk_conf_get_int(conf, "auto.commit.interval.ms")
			: 0;
	g->auto_store = kfk_conf_get_bool(conf, "enable.auto.offset.store");
	g->api_timeout_ms =
		(int32_t)kfk_conf_get_int(conf, "default.api.timeout.ms");
	g->request_timeout_ms =
		(int32_t)kfk_conf_get_int(conf, "request.timeout.ms");
}

int kfk_cgrp_new(struct kfk_consumer *c, char *errstr, size_t errstr_size)
{
	const kfk_conf *conf = kfk_client_conf(c->client);
	const char *gid = kfk_conf_get_str(conf, "group.id");
	struct kfk_cgrp *g;

	if (!gid || !*gid)
		return 0;
	g = calloc(1, sizeof(*g));
	if (!g)
		return -1;
	g->c = c;
	g->ops.efd = -1;
	c->group = g;
	g->group_id = strdup(gid);
	g->member_id = strdup("");
	g->owned = kfk_tplist_new(0);
	g->errpart = kfk_cpart_new("", 0);
	if (!g->group_id || !g->member_id || !g->owned || !g->errpart)
		return -1;
	g->errpart->partition = -1;
	read_group_conf(g, conf);
	if (read_strategies(g, conf, errstr, errstr_size))
		return -1;
	if (kfk_evq_init(&g->ops, kfk_cgrp_op_release, g))
		return -1;
	g->coord_id = -1;
	g->generation = -1;
	atomic_init(&g->kick_posted, false);
	atomic_init(&g->last_poll_ms, kfk_now_ms());
	g->kick_task.fn = run_task;
	g->kick_task.arg = g;
	kfk_timer_init(&g->timer, on_timer, g);
	kfk_backoff_init(&g->backoff, c->retry_backoff_us,
	                 kfk_conf_get_int(conf, "retry.backoff.max.ms") * 1000,
	                 (uint64_t)(uintptr_t)g ^ (uint64_t)kfk_now_us());
	return 0;
}

static void clear_subscription(struct kfk_cgrp *g)
{
	int i;

	free_strv(g->topics, g->topic_cnt);
	for (i = 0; i < g->pattern_cnt; i++)
		regfree(&g->patterns[i]);
	free(g->patterns);
	free_strv(g->matched, g->matched_cnt);
	g->topics = g->matched = NULL;
	g->patterns = NULL;
	g->topic_cnt = g->pattern_cnt = g->matched_cnt = 0;
}

void kfk_cgrp_free(struct kfk_cgrp *g)
{
	if (!g)
		return;
	clear_subscription(g);
	kfk_cgrp_leave_drop(g);
	if (g->ops.efd >= 0)
		kfk_evq_destroy(&g->ops);
	kfk_cgrp_join_state_free(g->join);
	free_strv(g->group_topics, g->group_topic_cnt);
	if (g->coord)
		kfk_broker_unref(g->coord);
	if (g->errpart)
		kfk_cpart_unref(g->errpart);
	kfk_tplist_destroy(g->owned);
	free(g->protocol);
	free(g->member_id);
	free(g->instance_id);
	free(g->rack);
	free(g->group_id);
	free(g);
}

/* ---- subscribe, unsubscribe ----------------------------------------------- */

struct sub_op {
	struct kfk_cgrp *g;
	char **topics;
	int topic_cnt;
	regex_t *patterns;
	int pattern_cnt;
	kfk_rebalance_cb *cb;
	void *opaque;
	kfk_err err;
};

/* Topics named outright are asked for at once (the leader needs their
 * partition counts); patterns need every topic of the cluster. */
static void learn_topics(struct kfk_cgrp *g)
{
	int i;

	for (i = 0; i < g->topic_cnt; i++)
		if (g->topics[i][0] != '^')
			kfk_client_metadata_new_topic(g->c->client, g->topics[i]);
	if (g->pattern_cnt)
		kfk_client_metadata_all_topics(g->c->client);
}

static void subscribe_task(void *arg)
{
	struct sub_op *op = arg;
	struct kfk_cgrp *g = op->g;
	struct kfk_consumer *c = g->c;
	bool manual;

	pthread_mutex_lock(&c->lock);
	manual = g->state == KFK_CGRP_INIT && c->part_cnt > 0;
	pthread_mutex_unlock(&c->lock);
	if (manual || g->closed || g->state == KFK_CGRP_FATAL) {
		op->err = KFK_ERR__STATE;
		return;
	}
	clear_subscription(g);
	g->topics = op->topics;
	g->topic_cnt = op->topic_cnt;
	g->patterns = op->patterns;
	g->pattern_cnt = op->pattern_cnt;
	op->topics = NULL;
	op->patterns = NULL;
	g->cb = op->cb;
	g->cb_opaque = op->opaque;
	learn_topics(g);
	if (g->state == KFK_CGRP_INIT)
		kfk_cgrp_set_state(g, KFK_CGRP_UNJOINED);
	kfk_cgrp_metadata(g);
	kfk_cgrp_rejoin(g, "subscription changed");
	kfk_cgrp_kick(g);
}

/* Copies the names and compiles the patterns into op. */
static kfk_err sub_prepare(struct sub_op *op, const char *const *topics,
                           int cnt)
{
	int i;

	op->topics = calloc((size_t)cnt, sizeof(*op->topics));
	op->patterns = calloc((size_t)cnt, sizeof(*op->patterns));
	if (!op->topics || !op->patterns)
		return KFK_ERR__NO_MEMORY;
	for (i = 0; i < cnt; i++) {
		if (!topics[i] || !*topics[i])
			return KFK_ERR__INVALID_ARG;
		if (!(op->topics[op->topic_cnt] = strdup(topics[i])))
			return KFK_ERR__NO_MEMORY;
		op->topic_cnt++;
		if (topics[i][0] != '^')
			continue;
		if (regcomp(&op->patterns[op->pattern_cnt], topics[i],
		            REG_EXTENDED | REG_NOSUB))
			return KFK_ERR__INVALID_ARG;
		op->pattern_cnt++;
	}
	return KFK_ERR_NONE;
}

static void sub_op_free(struct sub_op *op)
{
	int i;

	free_strv(op->topics, op->topic_cnt);
	for (i = 0; op->patterns && i < op->pattern_cnt; i++)
		regfree(&op->patterns[i]);
	free(op->patterns);
}

KFK_API kfk_err kfk_consumer_subscribe(kfk_consumer *c,
                                       const char *const *topics, int cnt,
                                       kfk_rebalance_cb *cb, void *opaque)
{
	struct sub_op op = { .g = c ? c->group : NULL, .cb = cb,
	                     .opaque = opaque };

	if (!c || !c->group || !topics || cnt <= 0)
		return KFK_ERR__INVALID_ARG;
	if (atomic_load(&c->closing))
		return KFK_ERR__STATE;
	op.err = sub_prepare(&op, topics, cnt);
	if (!op.err)
		kfk_client_run_sync(c->ctrl, subscribe_task, &op);
	sub_op_free(&op);
	return op.err;
}

/* Stops the member (ctrl): no more joins nor heartbeats; returns what it
 * owns through *owned. */
static void stop_task(void *arg)
{
	void **a = arg;
	struct kfk_cgrp *g = a[0];

	*(kfk_tplist **)a[1] = g->owned;
	g->owned = kfk_tplist_new(0);
	clear_subscription(g);
	if (g->state != KFK_CGRP_FATAL)
		kfk_cgrp_set_state(g, KFK_CGRP_INIT);
	kfk_cgrp_join_state_free(g->join);
	g->join = NULL;
	g->rejoin = false;
	g->poll_expired = false;
	g->hb_at_us = 0;
}

static void leave_task(void *arg)
{
	struct kfk_cgrp *g = arg;

	kfk_cgrp_leave(g, "the consumer unsubscribed or closed");
	g->generation = -1;
	free(g->member_id);
	g->member_id = strdup("");
}

kfk_err kfk_cgrp_stop(struct kfk_cgrp *g, bool closing)
{
	struct kfk_consumer *c = g->c;
	kfk_tplist *owned = NULL;
	void *a[2] = { g, &owned };

	kfk_client_run_sync(c->ctrl, stop_task, a);
	kfk_cgrp_serve(g); /* what was queued comes first */
	if (g->auto_commit_ms)
		(void)kfk_cgrp_commit_sync(g, NULL, g->api_timeout_ms);
	if (kfk_tplist_count(owned) > 0 && g->cb)
		g->cb(c, KFK_REBALANCE_REVOKED, owned, g->cb_opaque);
	kfk_tplist_destroy(owned);
	(void)kfk_consumer_unassign(c);
	kfk_client_run_sync(c->ctrl, leave_task, g);
	kfk_cgrp_leave_wait(g, closing);
	return KFK_ERR_NONE;
}

KFK_API kfk_err kfk_consumer_unsubscribe(kfk_consumer *c)
{
	if (!c || !c->group)
		return KFK_ERR__INVALID_ARG;
	if (atomic_load(&c->closing))
		return KFK_ERR__STATE;
	return kfk_cgrp_stop(c->group, false);
}

struct mid_op {
	struct kfk_cgrp *g;
	char *buf;
	size_t size;
	int len;
};

static void member_id_task(void *arg)
{
	struct mid_op *op = arg;

	op->len = snprintf(op->buf, op->size, "%s", op->g->member_id);
}

KFK_API int kfk_consumer_member_id(kfk_consumer *c, char *buf, size_t size)
{
	struct mid_op op = { c ? c->group : NULL, buf, size, 0 };

	if (!op.g) {
		if (size)
			buf[0] = '\0';
		return 0;
	}
	kfk_client_run_sync(c->ctrl, member_id_task, &op);
	return op.len;
}

void kfk_cgrp_close(struct kfk_cgrp *g)
{
	kfk_cgrp_jobs_run(g, KFK_ERR__DESTROY);
	g->closed = true;
	if (g->timer_at)
		kfk_loop_timer_cancel(g->c->ctrl, &g->timer);
	g->timer_at = 0;
}
