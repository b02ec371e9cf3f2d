/*
 * The sender's rounds on the control loop (sender.h).
 */
#include "config.h"
#include "producer/sender.h"

#include <stdlib.h>
#include <string.h>

#include "util/time.h"

/* How soon to try again after running out of memory. */
#define SENDER_OOM_RETRY_US 100000

/* A partition with a batch to send, and its leader. */
struct kfk_sender_cand {
	int32_t node;
	struct kfk_ppart *pp;
};

static void drain(struct kfk_sender *s);

static void on_task(void *arg)
{
	struct kfk_sender *s = arg;

	/* Cleared before popping: a push after our last pop posts again. */
	atomic_store(&s->posted, false);
	drain(s);
}

/* New metadata or a broker state change (client/notify.h), on the control
 * loop: batches waiting for a leader, a partition count or a broker may go
 * now. The sender never polls for these. */
static void on_notify(void *arg, unsigned events)
{
	struct kfk_sender *s = arg;

	(void)events;
	atomic_store(&s->dirty, true);
	drain(s);
}

static void on_timer(struct kfk_timer *t, void *arg)
{
	struct kfk_sender *s = arg;

	(void)t;
	s->timer_at = INT64_MAX;
	atomic_store(&s->dirty, true); /* a retry backoff may be over */
	drain(s);
}

/* The producer id manager's hooks (producer/pid.h). */
static void pid_wake(void *arg)
{
	kfk_sender_wake(arg);
}

/* Records that raced with the fatal error fail too; the application's
 * poll serves the error callback. */
static void pid_fatal(void *arg)
{
	struct kfk_sender *s = arg;

	kfk_sender_fail_queued(s, KFK_ERR__FATAL);
	kfk_reports_kick(s->acc->reports);
}

void kfk_sender_init(struct kfk_sender *s, const struct kfk_sender_config *cfg,
                     struct kfk_client *client, struct kfk_accum *acc)
{
	memset(s, 0, sizeof(*s));
	s->cfg = *cfg;
	s->client = client;
	s->acc = acc;
	s->loop = kfk_client_control_loop(client);
	s->log = kfk_client_logger(client);
	kfk_mpsc_init(&s->parts_q);
	s->task.fn = on_task;
	s->task.arg = s;
	atomic_init(&s->posted, false);
	atomic_init(&s->flushing, 0);
	atomic_init(&s->stopped, false);
	atomic_init(&s->dirty, false);
	atomic_init(&s->wake_at, 0);
	s->expire_at = INT64_MAX;
	kfk_timer_init(&s->timer, on_timer, s);
	kfk_timerheap_init(&s->lingering);
	s->timer_at = INT64_MAX;
	atomic_init(&s->requests, 0);
	atomic_init(&s->retries, 0);
	atomic_init(&s->batches_sent, 0);
	atomic_init(&s->rounds, 0);
	kfk_pid_init(&s->pid, cfg->idempotence, client, s->log,
	             cfg->retry_backoff_us, cfg->retry_backoff_max_us,
	             &(struct kfk_pid_hooks){ pid_wake, pid_fatal, s });
	kfk_backoff_init(&s->retry_backoff, cfg->retry_backoff_us,
	                 cfg->retry_backoff_max_us,
	                 (uint64_t)kfk_now_us() ^ (uint64_t)(uintptr_t)s);
	s->notify.events = KFK_NOTIFY_METADATA | KFK_NOTIFY_BROKER_UP;
	s->notify.loop = s->loop;
	s->notify.fn = on_notify;
	s->notify.arg = s;
	kfk_client_subscribe(client, &s->notify);
}

void kfk_sender_destroy(struct kfk_sender *s)
{
	free(s->nodes);
	free(s->cand);
	kfk_timerheap_destroy(&s->lingering);
}

static void post(struct kfk_sender *s)
{
	if (!atomic_exchange(&s->posted, true))
		kfk_loop_post_task(s->loop, &s->task);
}

void kfk_sender_wake(struct kfk_sender *s)
{
	atomic_store(&s->dirty, true);
	post(s);
}

/* News of a partition only: whether it makes anything sendable is known
 * once its batches are collected (visit() then marks the round dirty).
 * A batch that opens is due when its linger ends: when the sender will run
 * by then anyway (its timer, a round under way) the news waits for it, and
 * the control loop is not woken once per batch (10,000 partitions open
 * batches all the time). The push comes before the load of wake_at, and
 * drain() publishes wake_at before it looks at the queue (both seq_cst):
 * either we see the new wake_at or drain() sees our push. */
void kfk_sender_notify(struct kfk_ppart *pp, int64_t due, void *arg)
{
	struct kfk_sender *s = arg;

	if (!atomic_exchange(&pp->queued, true))
		kfk_mpsc_push(&s->parts_q, &pp->node);
	if (due < atomic_load(&s->wake_at) || atomic_load(&s->flushing) > 0)
		post(s);
}

void kfk_sender_flush_begin(struct kfk_sender *s)
{
	atomic_fetch_add(&s->flushing, 1);
	kfk_sender_wake(s);
}

void kfk_sender_flush_end(struct kfk_sender *s)
{
	atomic_fetch_sub(&s->flushing, 1);
}

void kfk_sender_activate(struct kfk_sender *s, struct kfk_ppart *pp)
{
	atomic_store(&s->dirty, true);
	if (pp->ready_head && pp->ready_head->deadline_us < s->expire_at)
		s->expire_at = pp->ready_head->deadline_us;
	if (pp->s_active)
		return;
	pp->s_active = true;
	pp->s_next = s->active;
	s->active = pp;
}

/* ------------------------------------------------------------------ */
/* A round                                                             */
/* ------------------------------------------------------------------ */

/* Takes pp's closed batches (closing the open one when its linger is over,
 * or at once when flushing): ready ones make it active, an open one waits
 * in the linger heap for its deadline. Only partitions with news, a
 * deadline due or ready batches are visited in a round: an idle partition
 * among 10,000 costs nothing. */
static void visit(struct kfk_sender *s, struct kfk_ppart *pp, int64_t now,
                  bool flush)
{
	kfk_accum_collect(s->acc, pp, now, flush);
	if (pp->ready_head)
		kfk_sender_activate(s, pp);
	if (pp->open_deadline_us == INT64_MAX)
		kfk_timerheap_cancel(&s->lingering, &pp->s_linger);
	else if (!kfk_timer_armed(&pp->s_linger) ||
	         pp->s_linger.deadline != pp->open_deadline_us)
		/* Out of memory leaves it idle: the next news or flush
		 * finds it again. */
		(void)kfk_timerheap_rearm(&s->lingering, &pp->s_linger,
		                          pp->open_deadline_us);
}

static void take_news(struct kfk_sender *s, int64_t now, bool flush)
{
	struct kfk_mpsc_node *n;

	while ((n = kfk_mpsc_pop(&s->parts_q))) {
		struct kfk_ppart *pp = KFK_MPSC_ENTRY(n, struct kfk_ppart, node);
		atomic_store(&pp->queued, false);
		visit(s, pp, now, flush);
	}
}

/* Fails the ready batches of pp whose delivery timeout has passed: the
 * oldest first, and deadlines grow along the deque. */
static void expire_ready(struct kfk_sender *s, struct kfk_ppart *pp,
                         int64_t now, int64_t *next)
{
	struct kfk_pbatch *b;

	while ((b = pp->ready_head) && b->deadline_us <= now) {
		pp->ready_head = b->next;
		if (!pp->ready_head)
			pp->ready_tail = NULL;
		pp->ready_cnt--;
		kfk_idem_batch_failed(s, b, KFK_ERR__MSG_TIMED_OUT);
		kfk_accum_report(s->acc, b, KFK_ERR__MSG_TIMED_OUT, -1, -1);
	}
	if (b)
		kfk_min_at(next, b->deadline_us);
}

/* Expires the active partitions' batches, when the earliest deadline
 * among them has come (not a walk of every partition each round); drops
 * those left without ready batches. */
static void expire_active(struct kfk_sender *s, int64_t now, int64_t *next)
{
	struct kfk_ppart **link = &s->active, *pp;
	int64_t earliest = INT64_MAX;

	if (now < s->expire_at) {
		kfk_min_at(next, s->expire_at);
		return;
	}
	while ((pp = *link)) {
		expire_ready(s, pp, now, &earliest);
		if (!pp->ready_head) {
			*link = pp->s_next;
			pp->s_active = false;
			pp->s_next = NULL;
			continue;
		}
		link = &pp->s_next;
	}
	s->expire_at = earliest;
	kfk_min_at(next, earliest);
}

/* Open batches whose linger is over (every one when flushing). */
static void linger_run(struct kfk_sender *s, int64_t now, bool flush,
                       int64_t *next)
{
	struct kfk_timer *t;

	while ((t = kfk_timerheap_pop_expired(&s->lingering,
	                                      flush ? INT64_MAX : now)))
		visit(s, t->opaque, now, flush);
	kfk_min_at(next, kfk_timerheap_next(&s->lingering));
}

/* New metadata: partition counts and leaders; pending records. */
static void apply_metadata(struct kfk_sender *s, struct kfk_metadata *md,
                           int64_t now, int64_t *next)
{
	if (md->version != s->md_version) {
		kfk_accum_update_all(s->acc, md);
		s->md_version = md->version;
	}
	if (atomic_load(&s->acc->pending_topics) == 0)
		return;
	kfk_accum_pending_run(s->acc, NULL, now, false);
	if (kfk_accum_pending_placeable(s->acc))
		/* The application's partitioner must place them, on its
		 * thread: wake its poll. */
		kfk_reports_kick(s->acc->reports);
	/* The next metadata snapshot wakes us for the rest. */
	if (atomic_load(&s->acc->pending_topics) > 0)
		kfk_min_at(next, kfk_accum_pending_deadline(s->acc));
}

/* Arms the round timer for next, unless it is armed sooner already: a
 * round that did not look at the ready batches (nothing was dirty) does
 * not know their retry backoffs, and must not push such a wake-up later.
 * A wake-up that finds nothing due costs one round. */
static void arm(struct kfk_sender *s, int64_t next)
{
	if (next == INT64_MAX || next >= s->timer_at)
		return;
	if (kfk_loop_timer_arm(s->loop, &s->timer, next) == KFK_ERR_NONE)
		s->timer_at = next;
}

static int send_ready(struct kfk_sender *s, const struct kfk_metadata *md,
                      int64_t now, int64_t *next);

static void drain(struct kfk_sender *s)
{
	int64_t now, next = INT64_MAX;
	struct kfk_metadata *md;
	enum kfk_pid_state pid_state = s->pid.state;
	bool flush;

	if (atomic_load(&s->stopped))
		return;
	atomic_fetch_add(&s->rounds, 1);
	now = kfk_now_us();
	flush = atomic_load(&s->flushing) > 0;
	take_news(s, now, flush);
	if (kfk_pid_on(&s->pid))
		kfk_pid_run(&s->pid, now, s->reqs != NULL, &next);
	md = kfk_client_metadata(s->client);
	apply_metadata(s, md, now, &next);
	linger_run(s, now, flush, &next);
	expire_active(s, now, &next);
	if (s->pid.state == KFK_PID_FATAL)
		/* Records that raced with the fatal error. */
		kfk_sender_fail_queued(s, KFK_ERR__FATAL);
	else if (atomic_exchange(&s->dirty, false) || pid_state != s->pid.state)
		/* Only when something may have become sendable: a round
		 * for a batch that merely opened walks nothing. */
		send_ready(s, md, now, &next);
	kfk_metadata_unref(md);
	arm(s, next);
	atomic_store(&s->wake_at, s->timer_at);
	if (!kfk_mpsc_empty(&s->parts_q))
		post(s); /* news that saw an older wake_at */
}

/* ------------------------------------------------------------------ */
/* Sending                                                             */
/* ------------------------------------------------------------------ */

static int cand_cmp(const void *a, const void *b)
{
	const struct kfk_sender_cand *x = a, *y = b;

	if (x->node != y->node)
		return x->node < y->node ? -1 : 1;
	if (x->pp->topic != y->pp->topic)
		return (uintptr_t)x->pp->topic < (uintptr_t)y->pp->topic ? -1 : 1;
	return x->pp->id < y->pp->id ? -1 : x->pp->id > y->pp->id;
}

/* Whether pp's head batch may go now; else why not, in *next. */
static bool sendable(struct kfk_sender *s, struct kfk_ppart *pp, int64_t now,
                     int64_t *next)
{
	struct kfk_pbatch *b = pp->ready_head;

	if (!b)
		return false;
	/* With one request in flight per broker, order must also hold when
	 * the leader moves: one batch of a partition out at a time. */
	if (s->cfg.max_in_flight == 1 && pp->in_flight > 0)
		return false;
	if (b->retry_at_us > now) {
		kfk_min_at(next, b->retry_at_us);
		return false;
	}
	/* The idempotence rules wake the sender when they change. */
	return !kfk_pid_on(&s->pid) || kfk_idem_sendable(s, pp, b);
}

static kfk_err cand_reserve(struct kfk_sender *s, int n)
{
	struct kfk_sender_cand *c;
	int cap = s->cand_cap ? s->cand_cap : 64;

	if (n <= s->cand_cap)
		return KFK_ERR_NONE;
	while (cap < n)
		cap *= 2;
	if (!(c = realloc(s->cand, (size_t)cap * sizeof(*c))))
		return KFK_ERR__NO_MEMORY;
	s->cand = c;
	s->cand_cap = cap;
	return KFK_ERR_NONE;
}

/* Every broker of the cluster has max.in.flight requests out: nothing can
 * go, however many partitions wait (10,000 of them behind one broker). */
static bool all_saturated(const struct kfk_sender *s,
                          const struct kfk_metadata *md)
{
	int i;

	if (s->node_cnt == 0 || s->node_cnt < md->broker_cnt)
		return false;
	for (i = 0; i < s->node_cnt; i++)
		if (s->nodes[i].in_flight < s->cfg.max_in_flight)
			return false;
	return true;
}

/* The partitions with a batch that may go, with their leaders. */
static int gather(struct kfk_sender *s, const struct kfk_metadata *md,
                  int64_t now, int64_t *next)
{
	struct kfk_ptopic *asked = NULL;
	struct kfk_ppart **link = &s->active, *pp;
	int n = 0;

	if (all_saturated(s, md))
		return 0; /* a response coming back marks the round dirty */
	for (; (pp = *link); link = &pp->s_next) {
		int32_t leader;
		/* A partition whose batches all went leaves the list here,
		 * so a round walks the partitions with batches, not every
		 * partition that ever had one (10,000 of them). */
		while (pp && !pp->ready_head) {
			*link = pp->s_next;
			pp->s_active = false;
			pp->s_next = NULL;
			pp = *link;
		}
		if (!pp)
			break;
		if (!sendable(s, pp, now, next))
			continue;
		/* Looked up by name once per snapshot, not per round. */
		if (pp->s_leader_md != md->version) {
			pp->s_leader = kfk_metadata_leader(md, pp->topic->name,
			                                   pp->id);
			pp->s_leader_md = md->version;
		}
		leader = pp->s_leader;
		if (leader < 0) {
			if (asked != pp->topic)
				kfk_client_metadata_refresh(s->client,
				                            pp->topic->name,
				                            "partition without leader");
			asked = pp->topic; /* its snapshot wakes us */
			continue;
		}
		if (cand_reserve(s, n + 1))
			break;
		s->cand[n].node = leader;
		s->cand[n].pp = pp;
		n++;
	}
	if (n > 1)
		qsort(s->cand, (size_t)n, sizeof(s->cand[0]), cand_cmp);
	return n;
}

static struct kfk_sender_node *node_get(struct kfk_sender *s, int32_t id)
{
	struct kfk_sender_node *nodes;
	int i;

	for (i = 0; i < s->node_cnt; i++)
		if (s->nodes[i].id == id)
			return &s->nodes[i];
	if (s->node_cnt == s->node_cap) {
		int cap = s->node_cap ? s->node_cap * 2 : 8;
		if (!(nodes = realloc(s->nodes, (size_t)cap * sizeof(*nodes))))
			return NULL;
		s->nodes = nodes;
		s->node_cap = cap;
	}
	s->nodes[s->node_cnt].id = id;
	s->nodes[s->node_cnt].in_flight = 0;
	return &s->nodes[s->node_cnt++];
}

/* The request's own timeout: request.timeout.ms, but never past the
 * earliest delivery deadline of its batches, so a request stuck in the
 * queue of a broker that does not come back still ends in time. */
static int32_t req_timeout_ms(struct kfk_sender *s, struct kfk_pbatch **v,
                              int32_t n, int64_t now)
{
	int64_t t = s->cfg.request_timeout_ms, left;
	int32_t i;

	for (i = 0; i < n; i++) {
		left = (v[i]->deadline_us - now + 999) / 1000;
		if (left < t)
			t = left;
	}
	return (int32_t)(t < 1 ? 1 : t);
}

/* Pops the head batch of each sendable partition of c[0..n) into v, up to
 * max.request.size (one batch at least). Returns how many. */
static int32_t fill_batches(struct kfk_sender *s,
                            const struct kfk_sender_cand *c, int n,
                            struct kfk_pbatch **v, int64_t now)
{
	int64_t size = 0, ignored = INT64_MAX;
	int32_t m = 0;
	int i;

	for (i = 0; i < n; i++) {
		struct kfk_ppart *pp = c[i].pp;
		struct kfk_pbatch *b;
		if (!sendable(s, pp, now, &ignored))
			continue;
		b = pp->ready_head;
		if (m > 0 && size + (int64_t)b->buf.len > s->cfg.max_request_size)
			break;
		size += (int64_t)b->buf.len;
		pp->ready_head = b->next;
		if (!pp->ready_head)
			pp->ready_tail = NULL;
		pp->ready_cnt--;
		if (kfk_pid_on(&s->pid))
			kfk_idem_assign(s, pp, b);
		pp->in_flight++;
		b->next = NULL;
		b->attempts++;
		v[m++] = b;
	}
	return m;
}

static void send_one(struct kfk_sender *s, struct kfk_broker *br,
                     struct kfk_sender_node *nd, struct kfk_pbatch **v,
                     int32_t m, int64_t now)
{
	struct kfk_preq *pr = kfk_preq_new(s, nd->id, v, m);
	int32_t i;

	if (!pr) {
		/* Back where they were; the next round tries again. */
		for (i = m - 1; i >= 0; i--) {
			v[i]->part->in_flight--;
			v[i]->attempts--;
			kfk_sender_requeue(s, v[i]);
		}
		return;
	}
	pr->req.timeout_ms = req_timeout_ms(s, v, m, now);
	pr->next = s->reqs;
	if (s->reqs)
		s->reqs->prev = pr;
	s->reqs = pr;
	nd->in_flight++;
	kfk_dbg(s->log, KFK_DBG_PRODUCER, "SEND",
	        "ProduceRequest to node %d: %d batches, timeout %d ms, %d in "
	        "flight", nd->id, (int)m, (int)pr->req.timeout_ms,
	        (int)nd->in_flight);
	atomic_fetch_add(&s->requests, 1);
	atomic_fetch_add(&s->batches_sent, (uint64_t)m);
	kfk_broker_send(br, &pr->req);
}

/* Sends requests to one broker from its candidates c[0..n). */
static void send_node(struct kfk_sender *s, const struct kfk_sender_cand *c,
                      int n, struct kfk_pbatch **v, int64_t now,
                      int64_t *next)
{
	struct kfk_broker *br = kfk_client_broker(s->client, c[0].node);
	struct kfk_sender_node *nd;
	int32_t m;

	/* A leader the registry does not know yet: the snapshot that
	 * brings it wakes us. */
	if (!br)
		return;
	/* A broker that is down keeps the batches here, where they can
	 * follow a leader change and expire on time; it is asked to come
	 * back (after its reconnect backoff), as a queued request would, and
	 * its state change wakes us. */
	if (kfk_broker_state(br) == KFK_BROKER_DOWN) {
		kfk_broker_connect(br);
		kfk_broker_unref(br);
		return;
	}
	if (!(nd = node_get(s, c[0].node))) {
		/* Out of memory: nothing will tell us when it is back. */
		kfk_min_at(next, now + SENDER_OOM_RETRY_US);
		kfk_broker_unref(br);
		return;
	}
	while (nd->in_flight < s->cfg.max_in_flight &&
	       (m = fill_batches(s, c, n, v, now)) > 0)
		send_one(s, br, nd, v, m, now);
	kfk_broker_unref(br);
}

static int send_ready(struct kfk_sender *s, const struct kfk_metadata *md,
                      int64_t now, int64_t *next)
{
	int n = gather(s, md, now, next), i, j;
	struct kfk_pbatch **v;

	if (n == 0)
		return 0;
	if (!(v = malloc((size_t)n * sizeof(*v))))
		return 0;
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && s->cand[j].node == s->cand[i].node; j++)
			;
		send_node(s, &s->cand[i], j - i, v, now, next);
	}
	free(v);
	return n;
}

/* ------------------------------------------------------------------ */
/* Running on the control loop from another thread                     */
/* ------------------------------------------------------------------ */

static void stop_fn(void *arg)
{
	struct kfk_sender *s = arg;

	atomic_store(&s->stopped, true);
	kfk_loop_timer_cancel(s->loop, &s->timer);
	s->timer_at = INT64_MAX;
}

void kfk_sender_stop(struct kfk_sender *s)
{
	kfk_client_unsubscribe(s->client, &s->notify);
	kfk_client_run_sync(s->loop, stop_fn, s);
}

/* ------------------------------------------------------------------ */
/* Purge                                                               */
/* ------------------------------------------------------------------ */

struct purge_arg {
	struct kfk_sender *s;
	int flags;
	int64_t n;
	kfk_err err;
};

static void purge_part(struct kfk_ppart *pp, void *arg)
{
	struct purge_arg *pa = arg;
	struct kfk_pbatch *b;

	pa->n += kfk_accum_purge_part(pa->s->acc, pp, pa->err);
	while ((b = pp->ready_head)) {
		pp->ready_head = b->next;
		pa->n += b->dr.count;
		kfk_idem_batch_failed(pa->s, b, pa->err);
		kfk_accum_report(pa->s->acc, b, pa->err, -1, -1);
	}
	pp->ready_tail = NULL;
	pp->ready_cnt = 0;
}

static void purge_inflight(struct purge_arg *pa)
{
	struct kfk_preq *pr;
	int32_t i;

	for (pr = pa->s->reqs; pr; pr = pr->next) {
		for (i = 0; i < pr->batch_cnt; i++) {
			struct kfk_pbatch *b = pr->batches[i];
			if (atomic_exchange(&b->purged, true))
				continue;
			/* The report's reference; the request keeps its own
			 * until the (ignored) response. */
			kfk_pbatch_ref(b);
			pa->n += b->dr.count;
			kfk_idem_batch_failed(pa->s, b, KFK_ERR__PURGED);
			kfk_accum_report(pa->s->acc, b, KFK_ERR__PURGED, -1, -1);
		}
	}
}

static void purge_fn(void *arg)
{
	struct purge_arg *pa = arg;

	if (atomic_load(&pa->s->stopped))
		return;
	take_news(pa->s, kfk_now_us(), false);
	if (pa->flags & KFK_PURGE_QUEUED) {
		kfk_accum_foreach_part(pa->s->acc, purge_part, pa);
		pa->n += kfk_accum_purge_pending(pa->s->acc, pa->err);
	}
	if (pa->flags & KFK_PURGE_INFLIGHT)
		purge_inflight(pa);
}

int kfk_sender_purge(struct kfk_sender *s, int flags)
{
	struct purge_arg pa = { s, flags, 0, KFK_ERR__PURGED };

	kfk_client_run_sync(s->loop, purge_fn, &pa);
	return (int)pa.n;
}

void kfk_sender_fail_queued(struct kfk_sender *s, kfk_err err)
{
	struct purge_arg pa = { s, KFK_PURGE_QUEUED, 0, err };

	kfk_accum_foreach_part(s->acc, purge_part, &pa);
	kfk_accum_purge_pending(s->acc, err);
}
