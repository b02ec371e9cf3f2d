/*
 * client/metadata_refresh.c: the Metadata request cycle, run by the
 * client's control loop.
 *
 * At most one Metadata request is in flight. What should go into the next
 * one accumulates in refresh.want (topics) and want_full (every known
 * topic); kfk_md_kick() sends it when nothing is in flight and the rules
 * allow:
 *  - the first request (at creation), the periodic ones
 *    (topic.metadata.refresh.interval.ms, or metadata.max.age.ms when that
 *    is shorter or the interval is 0) and those for a topic seen for the
 *    first time (kfk_client_metadata_new_topic()) go at once;
 *  - every other one (kfk_client_metadata_refresh(): a broker went down,
 *    NOT_LEADER, a stale snapshot, a failed Metadata request, a response
 *    that itself reports stale partitions) is early, and waits for the
 *    backoff of client/metadata_backoff.h: 100 ms after the previous early
 *    one, doubling while they repeat, up to the periodic interval.
 * Requests asked while one is in flight, or while the backoff runs, are
 * merged into the next one.
 *
 * A request waiting in the queue of a broker that goes down would wait
 * for that broker to come back (or for request.timeout.ms): when that
 * happens the request is abandoned, and the cycle goes on with another
 * broker; should the abandoned one still be answered, the answer is
 * dropped (it may predate the one that replaced it).
 *
 * In all-topics mode (kfk_client_metadata_all_topics()) a full refresh asks
 * for every topic of the cluster, and the topics a response lacks are
 * dropped as deleted.
 *
 * The broker calls encode on its own loop thread; done runs on the control
 * loop (the request's owner loop, net/broker.h), so that all the cycle's
 * state and the snapshot building live there.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "client/client_int.h"
#include "client/conf.h"
#include "proto/api.h"
#include "proto/arena.h"
#include "proto/gen/metadata.h"
#include "util/state.h"
#include "util/time.h"

/* One Metadata request and, once done, its outcome. */
struct kfk_md_req {
	struct kfk_req req;
	struct kfk_client *c;
	struct kfk_broker *broker; /* a reference */
	struct kfk_strv topics;    /* names asked; empty: none (or all at v0) */
	bool full;                 /* asked every known topic */
	bool all;                  /* asked every topic of the cluster */
	bool early;
};

static void md_kick(struct kfk_client *c);

/* ------------------------------------------------------------------ */
/* Name lists                                                          */
/* ------------------------------------------------------------------ */

static int strv_find(const struct kfk_strv *sv, const char *s)
{
	int i;
	for (i = 0; i < sv->n; i++)
		if (strcmp(sv->v[i], s) == 0)
			return i;
	return -1;
}

static kfk_err strv_push(struct kfk_strv *sv, char *s)
{
	if (sv->n == sv->cap) {
		int cap = sv->cap ? sv->cap * 2 : 8;
		char **v = realloc(sv->v, (size_t)cap * sizeof(*v));
		if (!v)
			return KFK_ERR__NO_MEMORY;
		sv->v = v;
		sv->cap = cap;
	}
	sv->v[sv->n++] = s;
	return KFK_ERR_NONE;
}

kfk_err kfk_strv_add(struct kfk_strv *sv, const char *s)
{
	char *d;

	if (strv_find(sv, s) >= 0)
		return KFK_ERR_NONE;
	if (!(d = strdup(s)))
		return KFK_ERR__NO_MEMORY;
	if (strv_push(sv, d)) {
		free(d);
		return KFK_ERR__NO_MEMORY;
	}
	return KFK_ERR_NONE;
}

void kfk_strv_merge(struct kfk_strv *dst, struct kfk_strv *src)
{
	int i;

	if (dst->n == 0) {
		struct kfk_strv t = *dst;
		*dst = *src;
		*src = t;
		return;
	}
	for (i = 0; i < src->n; i++)
		if (strv_find(dst, src->v[i]) >= 0 || strv_push(dst, src->v[i]))
			free(src->v[i]);
	src->n = 0;
}

void kfk_strv_free(struct kfk_strv *sv)
{
	int i;
	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}

/* ------------------------------------------------------------------ */
/* The request on the broker's thread                                  */
/* ------------------------------------------------------------------ */

static void md_req_free(struct kfk_md_req *mr)
{
	kfk_strv_free(&mr->topics);
	if (mr->broker)
		kfk_broker_unref(mr->broker);
	free(mr);
}

static kfk_err md_encode(struct kfk_req *req, kfk_wbuf *w, int16_t version)
{
	struct kfk_md_req *mr = req->opaque;
	struct kfk_metadata_request m;
	struct kfk_metadata_request_topic *t = NULL;
	int i, err;

	kfk_metadata_request_init(&m);
	if (mr->topics.n > 0 &&
	    !(t = calloc((size_t)mr->topics.n, sizeof(*t))))
		return KFK_ERR__NO_MEMORY;
	for (i = 0; i < mr->topics.n; i++) {
		kfk_metadata_request_topic_init(&t[i]);
		t[i].name = kfk_str_c(mr->topics.v[i]);
	}
	/* An empty list: no topics at v1+ (brokers, controller, cluster id
	 * only); at v0 it means every topic, which the response handling
	 * knows. A null list (v1+) asks for every topic. */
	m.topics = t;
	m.topics_count = mr->all ? (version >= 1 ? -1 : 0) : mr->topics.n;
	/* v0-3 cannot carry it (the encoder refuses a non-default value for
	 * a field the version lacks); there brokers always auto-create. */
	m.allow_auto_topic_creation =
		version >= 4 ? mr->c->refresh.auto_create : true;
	err = kfk_metadata_request_encode(w, version, &m);
	free(t);
	return (kfk_err)err;
}

static void md_done(struct kfk_req *req, kfk_err err, kfk_rbuf *body,
                    int16_t version);

/* ------------------------------------------------------------------ */
/* Sending                                                             */
/* ------------------------------------------------------------------ */

/* The topics of the next request: those asked, plus every known one for
 * a full refresh. */
static kfk_err md_req_topics(struct kfk_client *c, struct kfk_md_req *mr)
{
	struct kfk_md_refresh *r = &c->refresh;
	int i;

	kfk_strv_merge(&mr->topics, &r->want);
	if (!r->want_full || mr->all)
		return KFK_ERR_NONE;
	for (i = 0; i < c->md->topic_cnt; i++)
		if (kfk_strv_add(&mr->topics, c->md->topics[i].name))
			return KFK_ERR__NO_MEMORY;
	return KFK_ERR_NONE;
}

/* The cycle's state, for the `metadata` debug log: IDLE (nothing wanted),
 * WAITING (wanted, held back by the backoff or for want of a broker),
 * IN_FLIGHT (one request out). */
static const char *const md_state_names[] = {
	[KFK_MD_IDLE] = "IDLE",
	[KFK_MD_WAITING] = "WAITING",
	[KFK_MD_IN_FLIGHT] = "IN_FLIGHT",
};

static const struct kfk_state_machine md_sm = {
	md_state_names, KFK_MD_STATE__COUNT, KFK_DBG_METADATA, "STATE"
};

static void md_set_state(struct kfk_client *c, enum kfk_md_state to)
{
	struct kfk_md_refresh *r = &c->refresh;

	if (kfk_state_change(&md_sm, &c->log, "metadata refresh",
	                     (int)r->state, (int)to))
		r->state = to;
}

static void md_rearm(struct kfk_client *c, struct kfk_timer *t,
                     int64_t at_ms)
{
	/* Only an idle timer needs memory: on failure the cycle still
	 * runs on the next request or response. */
	(void)kfk_loop_timer_arm(c->ctrl, t, at_ms * 1000);
}

/* Sends what is wanted to the best broker; false when there is no broker
 * or no memory (the caller retries after a backoff). */
static bool md_send(struct kfk_client *c, int64_t now, bool early)
{
	struct kfk_md_refresh *r = &c->refresh;
	const struct kfk_proto_api *api = kfk_proto_api_get(KFK_APIKEY_METADATA);
	struct kfk_md_req *mr = calloc(1, sizeof(*mr));

	if (mr)
		mr->all = r->want_full && atomic_load(&r->all_topics);
	if (!mr || !(mr->broker = kfk_client_any_broker(c)) ||
	    md_req_topics(c, mr)) {
		if (mr) {
			kfk_strv_merge(&r->want, &mr->topics);
			md_req_free(mr);
		}
		return false;
	}
	mr->c = c;
	mr->full = r->want_full;
	mr->early = early;
	mr->req.api_key = KFK_APIKEY_METADATA;
	mr->req.min_version = api->min_version;
	mr->req.max_version = api->max_stable;
	mr->req.encode = md_encode;
	mr->req.done = md_done;
	mr->req.opaque = mr;
	mr->req.owner = c->ctrl;
	r->want_full = r->want_now = r->want_early = false;
	r->in_flight = mr;
	md_set_state(c, KFK_MD_IN_FLIGHT);
	atomic_fetch_add(&r->sent, 1);
	if (early)
		atomic_fetch_add(&r->early_sent, 1);
	if (mr->full && r->period_ms > 0)
		md_rearm(c, &r->periodic, now + r->period_ms);
	kfk_dbg(&c->log, KFK_DBG_METADATA, "METADATA",
	        "requesting metadata of %d topic(s)%s%s from %s",
	        mr->topics.n, mr->all ? " (all)" : mr->full ? " (all known)" : "",
	        early ? " (early)" : "", kfk_broker_name(mr->broker));
	kfk_broker_send(mr->broker, &mr->req);
	return true;
}

static bool md_wanted(const struct kfk_md_refresh *r)
{
	return r->want_full || r->want_now || r->want_early || r->want.n > 0;
}

/* Sends the next request if one is wanted and allowed now; else arms the
 * retry timer for when the backoff allows it. Control loop. */
static void md_kick(struct kfk_client *c)
{
	struct kfk_md_refresh *r = &c->refresh;
	int64_t now, when;
	bool early;

	if (atomic_load(&r->stopped) || r->in_flight)
		return;
	if (!md_wanted(r)) {
		md_set_state(c, KFK_MD_IDLE);
		return;
	}
	now = kfk_now_ms();
	early = !r->want_now;
	when = early ? kfk_md_backoff_when(&r->backoff, now) : now;
	if (when <= now && md_send(c, now, early)) {
		kfk_loop_timer_cancel(c->ctrl, &r->retry);
		if (early)
			kfk_md_backoff_sent(&r->backoff, now);
		return;
	}
	if (when <= now) /* could not send: try again after a gap */
		when = now + r->backoff.min_ms;
	md_set_state(c, KFK_MD_WAITING);
	md_rearm(c, &r->retry, when);
}

/* ------------------------------------------------------------------ */
/* Outcomes                                                            */
/* ------------------------------------------------------------------ */

/* The request failed or was abandoned: ask again (early, so with the
 * backoff) for what it carried. */
static void md_retry_later(struct kfk_client *c, struct kfk_md_req *mr)
{
	struct kfk_md_refresh *r = &c->refresh;

	kfk_strv_merge(&r->want, &mr->topics);
	r->want_full |= mr->full;
	r->want_early = true;
}

/* The names of the topics of md, seen in this response, that call for an
 * early refresh. */
static void want_stale_topics(struct kfk_client *c,
                              const struct kfk_metadata *md)
{
	struct kfk_md_refresh *r = &c->refresh;
	int32_t i, j;

	for (i = 0; i < md->topic_cnt; i++) {
		const struct kfk_md_topic *t = &md->topics[i];
		bool stale = t->seen_ms == md->received_ms &&
		             kfk_metadata_err_is_stale(t->err);
		for (j = 0; !stale && j < t->partition_cnt; j++)
			stale = kfk_metadata_err_is_stale(t->partitions[j].err) ||
			        t->partitions[j].leader < 0;
		if (stale && t->seen_ms == md->received_ms &&
		    kfk_strv_add(&r->want, t->name))
			r->want_full = true;
	}
	r->want_early = true;
}

static kfk_err md_apply(struct kfk_client *c, struct kfk_md_req *mr,
                        kfk_rbuf *body, int16_t version)
{
	struct kfk_metadata_response resp;
	struct kfk_md_build_info info;
	struct kfk_metadata *md;
	size_t body_len = kfk_rbuf_remaining(body);
	kfk_arena arena;
	kfk_rbuf rb = *body;
	kfk_err err;

	kfk_arena_init(&arena);
	rb.start = rb.p; /* offsets in the log count from the body */
	err = (kfk_err)kfk_metadata_response_decode(&rb, version, &arena,
	                                            &resp);
	if (err)
		kfk_log(&c->log, KFK_LOG_WARNING, "METADATA",
		        "Metadata v%d response from %s does not decode (%s at "
		        "byte %zu of %zu)", version,
		        kfk_broker_name(mr->broker), kfk_err_name(err),
		        kfk_rbuf_offset(&rb), body_len);
	if (!err)
		err = kfk_metadata_build(c->md, &resp,
		                         mr->all || (version == 0 &&
		                                     mr->topics.n == 0),
		                         kfk_now_ms(), c->refresh.max_age_ms, &md,
		                         &info);
	kfk_arena_destroy(&arena);
	if (err)
		return err;
	kfk_dbg(&c->log, KFK_DBG_METADATA, "METADATA",
	        "metadata v%llu (Metadata v%d from %s): %d brokers, %d topics, "
	        "controller %d, %d stale, %d older epochs ignored",
	        (unsigned long long)md->version, version,
	        kfk_broker_name(mr->broker), md->broker_cnt, md->topic_cnt,
	        md->controller_id, info.stale, info.epochs_kept);
	/* Brokers first: whoever sees a leader in the new snapshot finds
	 * its broker with kfk_client_broker(). */
	kfk_reg_update(c, md);
	kfk_client_md_swap(c, md);
	if (info.stale > 0)
		want_stale_topics(c, md);
	return KFK_ERR_NONE;
}

/* The outcome, on the control loop. */
static void md_done(struct kfk_req *req, kfk_err err, kfk_rbuf *body,
                    int16_t version)
{
	struct kfk_md_req *mr = req->opaque;
	struct kfk_client *c = mr->c;
	struct kfk_md_refresh *r = &c->refresh;
	bool current = r->in_flight == mr;

	/* Stopping, or abandoned (and asked again already). Before it stops,
	 * the control loop alone frees requests, so in_flight never
	 * dangles. */
	if (atomic_load(&r->stopped) || !current) {
		md_req_free(mr);
		return;
	}
	r->in_flight = NULL;
	if (!err && !body)
		err = KFK_ERR__MALFORMED;
	if (!err)
		err = md_apply(c, mr, body, version);
	if (!err) {
		atomic_fetch_add(&r->responses, 1);
	} else {
		atomic_fetch_add(&r->failures, 1);
		kfk_log(&c->log, KFK_LOG_NOTICE, "METADATA",
		        "Metadata request to %s failed: %s",
		        kfk_broker_name(mr->broker), kfk_err_name(err));
		md_retry_later(c, mr);
	}
	md_req_free(mr);
	md_kick(c);
}

/* ------------------------------------------------------------------ */
/* Asking for a refresh (any thread)                                   */
/* ------------------------------------------------------------------ */

/* The request in flight waits on a broker that went down: give up on it
 * and let the next request go elsewhere. */
static void md_abandon_if_down(struct kfk_client *c)
{
	struct kfk_md_refresh *r = &c->refresh;
	struct kfk_md_req *mr = r->in_flight;

	if (!mr || kfk_broker_state(mr->broker) != KFK_BROKER_DOWN)
		return;
	r->in_flight = NULL;
	atomic_fetch_add(&r->abandoned, 1);
	/* mr still belongs to the broker until done(); retry what it asked. */
	for (int i = 0; i < mr->topics.n; i++)
		if (kfk_strv_add(&r->want, mr->topics.v[i]))
			r->want_full = true;
	r->want_full |= mr->full;
	r->want_early = true;
}

static void md_ask_task(void *arg)
{
	struct kfk_client *c = arg;
	struct kfk_md_refresh *r = &c->refresh;
	struct kfk_strv ask = { 0 };
	bool full, now;

	pthread_mutex_lock(&r->lock);
	ask = r->ask;
	memset(&r->ask, 0, sizeof(r->ask));
	full = r->ask_full;
	now = r->ask_now;
	r->ask_full = r->ask_now = false;
	r->posted = false;
	pthread_mutex_unlock(&r->lock);

	if (!atomic_load(&r->stopped)) {
		kfk_strv_merge(&r->want, &ask);
		r->want_full |= full;
		if (now)
			r->want_now = true;
		else
			r->want_early = true;
		md_abandon_if_down(c);
		md_kick(c);
	}
	kfk_strv_free(&ask);
}

/* Hands a request for topic (NULL: every known one) to the control loop;
 * now: not an early refresh. */
static void md_ask(struct kfk_client *c, const char *topic, bool now,
                   const char *reason)
{
	struct kfk_md_refresh *r = &c->refresh;
	bool post;

	if (atomic_load(&c->destroying))
		return;
	kfk_dbg(&c->log, KFK_DBG_METADATA, "METADATA", "refresh of %s: %s",
	        topic ? topic : "known topics", reason ? reason : "-");
	pthread_mutex_lock(&r->lock);
	if (!topic || kfk_strv_add(&r->ask, topic))
		r->ask_full = true; /* out of memory: ask everything */
	r->ask_now |= now;
	post = !r->posted;
	r->posted = true;
	pthread_mutex_unlock(&r->lock);
	/* One task carries every request made until it runs. */
	if (post)
		kfk_loop_post_task(c->ctrl, &r->task);
}

void kfk_client_metadata_refresh(struct kfk_client *c, const char *topic,
                                 const char *reason)
{
	md_ask(c, topic, false, reason);
}

/* A topic seen for the first time has no stale metadata to blame: the
 * early-refresh backoff (there against flapping brokers) must not delay
 * the first record to each new topic. */
void kfk_client_metadata_new_topic(struct kfk_client *c, const char *topic)
{
	md_ask(c, topic, true, "new topic");
}

/* ------------------------------------------------------------------ */
/* Timers, start and stop                                              */
/* ------------------------------------------------------------------ */

static void md_periodic_fired(struct kfk_timer *t, void *opaque)
{
	struct kfk_client *c = opaque;
	(void)t;
	c->refresh.want_full = true;
	c->refresh.want_now = true;
	md_kick(c);
}

static void md_retry_fired(struct kfk_timer *t, void *opaque)
{
	(void)t;
	md_kick(opaque);
}

/* The periodic interval: the refresh interval, shortened to
 * metadata.max.age.ms so that a snapshot is never older than that; 0 when
 * both are 0 (refresh on demand only). */
static int64_t md_period(const kfk_conf *conf)
{
	int64_t iv = kfk_conf_get_int(conf, "topic.metadata.refresh.interval.ms");
	int64_t age = kfk_conf_get_int(conf, "metadata.max.age.ms");

	if (iv > 0 && age > 0)
		return iv < age ? iv : age;
	return iv > 0 ? iv : age;
}

void kfk_md_refresh_init(struct kfk_client *c)
{
	struct kfk_md_refresh *r = &c->refresh;
	int64_t period = md_period(c->conf);

	pthread_mutex_init(&r->lock, NULL);
	r->task.fn = md_ask_task;
	r->task.arg = c;
	kfk_timer_init(&r->periodic, md_periodic_fired, c);
	kfk_timer_init(&r->retry, md_retry_fired, c);
	r->period_ms = period;
	r->max_age_ms = kfk_conf_get_int(c->conf, "metadata.max.age.ms");
	r->auto_create = kfk_conf_get_bool(c->conf, "allow.auto.create.topics");
	/* The early gap grows up to the periodic interval (past it the
	 * periodic refresh comes first anyway); the default interval when
	 * there is none. */
	kfk_md_backoff_init(&r->backoff, KFK_MD_BACKOFF_MIN_MS,
	                    period > 0 ? period : 300000);
}

static void md_start_task(void *arg)
{
	struct kfk_client *c = arg;
	c->refresh.want_full = true;
	c->refresh.want_now = true;
	md_kick(c);
}

void kfk_md_refresh_start(struct kfk_client *c)
{
	/* The ask task is idle (nothing could post it yet): borrow the
	 * loop's allocating post instead of a second embedded task. */
	if (kfk_loop_post(c->ctrl, md_start_task, c))
		kfk_log(&c->log, KFK_LOG_ERR, "METADATA",
		        "out of memory: the first Metadata request waits for "
		        "the first refresh request");
}

static void md_stop_task(void *arg)
{
	struct kfk_client *c = arg;
	atomic_store(&c->refresh.stopped, true);
	kfk_loop_timer_cancel(c->ctrl, &c->refresh.periodic);
	kfk_loop_timer_cancel(c->ctrl, &c->refresh.retry);
}

void kfk_md_refresh_stop(struct kfk_client *c)
{
	kfk_client_run_sync(c->ctrl, md_stop_task, c);
}

void kfk_md_refresh_free(struct kfk_client *c)
{
	struct kfk_md_refresh *r = &c->refresh;
	kfk_strv_free(&r->ask);
	kfk_strv_free(&r->want);
	pthread_mutex_destroy(&r->lock);
}

void kfk_client_metadata_all_topics(struct kfk_client *c)
{
	if (!atomic_exchange(&c->refresh.all_topics, true))
		kfk_client_metadata_refresh(c, NULL, "all topics wanted");
}

void kfk_client_metadata_stats(struct kfk_client *c,
                               struct kfk_client_md_stats *st)
{
	struct kfk_md_refresh *r = &c->refresh;
	st->requests = atomic_load(&r->sent);
	st->responses = atomic_load(&r->responses);
	st->failures = atomic_load(&r->failures);
	st->early = atomic_load(&r->early_sent);
	st->abandoned = atomic_load(&r->abandoned);
}
