/*
 * client/notices.h: trouble of the client as a whole, on its way to the
 * application's error callback (kfk_conf_set_error_cb()).
 *
 * A broker that refuses our credentials or certificate, a listener that
 * does not speak our protocol: no single record or request is to blame,
 * and the application may be waiting on nothing but its poll. Any thread
 * raises a notice (kfk_client_raise(): once per state change, the
 * callers decide); the handle's poll calls kfk_client_serve_notices() on
 * the application's thread, which hands each to the error callback, as
 * the callback's contract requires.
 *
 * Queued notices are bounded (KFK_NOTICES_MAX): past that the oldest are
 * dropped, counted, and the next one served says how many.
 */
#ifndef KFK_CLIENT_NOTICES_H
#define KFK_CLIENT_NOTICES_H

#include <pthread.h>
#include <stdatomic.h>

#include <kfk/conf.h>
#include <kfk/errors.h>

struct kfk_evq;

#define KFK_NOTICES_MAX 64

struct kfk_notice;

struct kfk_notices {
	pthread_mutex_t lock;
	struct kfk_notice *head, *tail;
	int n;
	int dropped;
	atomic_int pending;  /* read without the lock by the poll */
	/* The handle's event queue, kicked by every push so that a poll or
	 * flush waiting on it serves the notice now (and an event loop
	 * watching its fd wakes up). NULL until the handle sets it. */
	struct kfk_evq *_Atomic wake;
};

void kfk_notices_init(struct kfk_notices *q);
void kfk_notices_destroy(struct kfk_notices *q);

/* Queues err with a sentence. Any thread; never blocks for long (one
 * short lock); allocates (a notice lost to ENOMEM is only logged). */
void kfk_notices_push(struct kfk_notices *q, kfk_err err, const char *text);

/* Hands every queued notice to cb(opaque, error) on the calling thread,
 * in order; with cb NULL they are dropped. A load of an atomic when none
 * waits. Returns how many were served. */
int kfk_notices_serve(struct kfk_notices *q, kfk_error_cb *cb, void *opaque);

#endif /* KFK_CLIENT_NOTICES_H */
