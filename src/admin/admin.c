/*
 * admin/admin.c: the admin client's handle (include/kfk/admin.h): its
 * client, its event queue of results, poll and wait.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin/admin_int.h"
#include "client/conf.h"
#include "util/time.h"

/* A result the application never took (destroy): freed with the queue. A
 * served one is the application's. */
static void result_release(struct kfk_ev *ev, void *arg)
{
	struct kfk_admin_result *r = (struct kfk_admin_result *)ev;

	(void)arg;
	if (ev->type)
		kfk_admin_result_destroy(r);
}

static void result_take(void *arg, struct kfk_ev *ev, int32_t first)
{
	struct kfk_admin_result **out = arg;

	(void)first;
	ev->type = 0; /* handed over: not freed by release */
	*out = (struct kfk_admin_result *)ev;
}

void kfk_admin_push(struct kfk_admin *a, struct kfk_admin_result *r)
{
	r->ev.type = KFK_EV_ADMIN_RESULT;
	kfk_evq_push(&a->q, &r->ev, 1);
}

static void md_check_task(void *arg)
{
	kfk_admin_on_metadata(arg, KFK_NOTIFY_METADATA);
}

KFK_API kfk_admin *kfk_admin_new(const kfk_conf *conf, char *errstr,
                                 size_t errstr_size)
{
	struct kfk_admin *a = calloc(1, sizeof(*a));

	if (errstr_size)
		errstr[0] = '\0';
	if (!a) {
		snprintf(errstr, errstr_size, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&a->stash_lock, NULL);
	atomic_init(&a->next_id, 1);
	a->q.efd = -1;
	a->client = kfk_client_new(conf, KFK_CLIENT_ADMIN, errstr, errstr_size);
	if (!a->client || kfk_evq_init(&a->q, result_release, NULL)) {
		if (a->client && errstr_size && !errstr[0])
			snprintf(errstr, errstr_size, "no eventfd");
		kfk_admin_destroy(a);
		return NULL;
	}
	kfk_client_set_notice_queue(a->client, &a->q);
	a->ctrl = kfk_client_control_loop(a->client);
	a->log = kfk_client_logger(a->client);
	a->md_sub.events = KFK_NOTIFY_METADATA;
	a->md_sub.loop = a->ctrl;
	a->md_sub.fn = kfk_admin_on_metadata;
	a->md_sub.arg = a;
	kfk_client_subscribe(a->client, &a->md_sub);
	/* A snapshot may be there already. */
	kfk_loop_post(a->ctrl, md_check_task, a);
	a->api_timeout_ms = (int32_t)kfk_conf_get_int(
		kfk_client_conf(a->client), "default.api.timeout.ms");
	a->retry_backoff_us = kfk_conf_get_int(kfk_client_conf(a->client),
	                                       "retry.backoff.ms") * 1000;
	return a;
}

static void close_task(void *arg)
{
	((struct kfk_admin *)arg)->closed = true;
}

KFK_API void kfk_admin_destroy(kfk_admin *a)
{
	struct kfk_admin_result *r;

	if (!a)
		return;
	if (a->client) {
		/* Answers that come while the client goes down find the
		 * handle closed and only free their operation. */
		if (a->ctrl) {
			kfk_client_unsubscribe(a->client, &a->md_sub);
			kfk_client_run_sync(a->ctrl, close_task, a);
		}
		kfk_client_destroy(a->client);
	}
	while (a->ops) { /* waiting for a retry when the loops stopped */
		struct kfk_admin_opx *o = a->ops;

		a->ops = o->next;
		kfk_admin_op_free(o);
	}
	if (a->q.efd >= 0)
		kfk_evq_destroy(&a->q);
	while ((r = a->stash)) {
		a->stash = r->stash_next;
		kfk_admin_result_destroy(r);
	}
	pthread_mutex_destroy(&a->stash_lock);
	free(a);
}

KFK_API int kfk_admin_fd(kfk_admin *a)
{
	return kfk_evq_fd(&a->q);
}

/* The first stashed result (id 0: any), taken out of the stash. */
static struct kfk_admin_result *unstash(struct kfk_admin *a, uint64_t id)
{
	struct kfk_admin_result **pp, *r = NULL;

	pthread_mutex_lock(&a->stash_lock);
	for (pp = &a->stash; *pp; pp = &(*pp)->stash_next)
		if (!id || (*pp)->id == id) {
			r = *pp;
			*pp = r->stash_next;
			break;
		}
	pthread_mutex_unlock(&a->stash_lock);
	return r;
}

static void stash(struct kfk_admin *a, struct kfk_admin_result *r)
{
	struct kfk_admin_result **pp;

	pthread_mutex_lock(&a->stash_lock);
	for (pp = &a->stash; *pp; pp = &(*pp)->stash_next)
		;
	r->stash_next = NULL;
	*pp = r;
	pthread_mutex_unlock(&a->stash_lock);
}

KFK_API kfk_admin_result *kfk_admin_poll(kfk_admin *a, int timeout_ms)
{
	struct kfk_admin_result *r = unstash(a, 0);
	int64_t end = timeout_ms < 0 ? INT64_MAX : kfk_now_ms() + timeout_ms;

	while (!r) {
		int64_t left = end == INT64_MAX ? -1 : end - kfk_now_ms();

		if (left < 0 && end != INT64_MAX)
			left = 0;
		kfk_client_serve_notices(a->client);
		kfk_evq_serve(&a->q, (int)left, 1, result_take, &r);
		if (r || (end != INT64_MAX && kfk_now_ms() >= end))
			break;
	}
	return r;
}

KFK_API kfk_admin_result *kfk_admin_wait(kfk_admin *a, uint64_t id,
                                         int timeout_ms)
{
	int64_t end = timeout_ms < 0 ? INT64_MAX : kfk_now_ms() + timeout_ms;
	struct kfk_admin_result *r;

	if (!id)
		return NULL;
	while (!(r = unstash(a, id))) {
		int64_t left = end == INT64_MAX ? -1 : end - kfk_now_ms();

		if (end != INT64_MAX && left <= 0)
			return NULL;
		kfk_client_serve_notices(a->client);
		kfk_evq_serve(&a->q, (int)left, 1, result_take, &r);
		if (r && r->id == id)
			return r;
		if (r)
			stash(a, r);
	}
	return r;
}

KFK_API kfk_oauthbearer *kfk_admin_oauthbearer(kfk_admin *a)
{
	return a ? kfk_client_oauthbearer(a->client) : NULL;
}
