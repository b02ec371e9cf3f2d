/*
 * producer/reports.c: delivery reports on the event queue (reports.h):
 * a batch's report becomes one kfk_delivery per record.
 */
#include "config.h"
#include "producer/reports.h"

#include <stddef.h>

/* The report an event is embedded in. */
static struct kfk_dr *dr_of(struct kfk_ev *ev)
{
	return (struct kfk_dr *)(void *)((char *)ev -
	                                 offsetof(struct kfk_dr, ev));
}

static const struct kfk_dr *cdr(const struct kfk_ev *ev)
{
	return (const struct kfk_dr *)(const void *)((const char *)ev -
	                                             offsetof(struct kfk_dr, ev));
}

static void release(struct kfk_ev *ev, void *arg)
{
	struct kfk_reports *r = arg;

	r->release(dr_of(ev), r->release_arg);
}

kfk_err kfk_reports_init(struct kfk_reports *r, kfk_dr_release_fn *rel,
                         void *release_arg)
{
	r->release = rel;
	r->release_arg = release_arg;
	return kfk_evq_init(&r->q, release, r);
}

void kfk_reports_destroy(struct kfk_reports *r)
{
	kfk_evq_destroy(&r->q);
}

void kfk_reports_push(struct kfk_reports *r, struct kfk_dr *dr)
{
	dr->ev.type = KFK_EV_DELIVERY;
	kfk_evq_push(&r->q, &dr->ev, dr->count);
}

static void fill(kfk_delivery *d, const struct kfk_dr *dr, int32_t i)
{
	d->size = sizeof(*d);
	d->err = dr->err;
	d->topic = dr->topic;
	d->partition = dr->partition;
	d->offset = dr->base_offset >= 0 ? dr->base_offset + i : -1;
	if (dr->log_append_time >= 0)
		d->timestamp = dr->log_append_time;
	else if (dr->timestamps)
		d->timestamp = dr->timestamps[i];
	else
		d->timestamp = dr->first_timestamp;
	d->opaque = dr->opaques ? dr->opaques[i] : NULL;
}

/* take's copy (under the queue's lock): into the kfk_delivery array. */
static void copy(void *arg, const struct kfk_ev *ev, int32_t first, int n,
                 int out)
{
	kfk_delivery *d = (kfk_delivery *)arg + out;
	int i;

	for (i = 0; i < n; i++)
		fill(&d[i], cdr(ev), first + i);
}

int kfk_reports_take(struct kfk_reports *r, kfk_delivery *out, int max,
                     int timeout_ms)
{
	return kfk_evq_take(&r->q, max, timeout_ms, copy, out);
}

struct serve_ctx {
	kfk_delivery_cb *cb;
	kfk_producer *p;
	void *opaque;
};

/* serve's function (no lock held): one callback per record. */
static void serve(void *arg, struct kfk_ev *ev, int32_t first)
{
	const struct serve_ctx *c = arg;
	const struct kfk_dr *dr = cdr(ev);
	kfk_delivery d;
	int32_t i;

	for (i = first; i < dr->count; i++) {
		fill(&d, dr, i);
		c->cb(c->p, &d, c->opaque);
	}
}

int kfk_reports_serve(struct kfk_reports *r, kfk_delivery_cb *cb,
                      kfk_producer *p, void *opaque, int timeout_ms,
                      int max_batches)
{
	struct serve_ctx c = {cb, p, opaque};

	return kfk_evq_serve(&r->q, timeout_ms, max_batches, serve, &c);
}
