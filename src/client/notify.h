/*
 * client/notify.h: change notifications, so that no component polls on a
 * timer for something another component knows.
 *
 * A publisher (the metadata refresh when it swaps in a snapshot, the
 * broker registry when a broker changes state) calls kfk_notify_publish()
 * with the events that happened. Every subscriber interested in one of
 * them gets its callback run on its own loop, once per burst: events
 * published while a call is queued are merged into it (the callback gets
 * the union). A subscriber therefore re-reads the state it cares about
 * (the current snapshot, each broker's state) rather than being told what
 * changed.
 *
 * Threads: kfk_notify_publish() from any thread, never blocking beyond a
 * short lock over the list (it only posts tasks). Subscribe and
 * unsubscribe from any thread. The callback runs on sub->loop and must
 * not subscribe or unsubscribe.
 *
 * Lifetime: after kfk_notify_unsubscribe() returns, nothing new is posted
 * for sub, but a call already queued on its loop may still run: free sub
 * only once its loop has run past it (a barrier on that loop, or the
 * loop's destruction), as the owners in kfk do when they stop.
 */
#ifndef KFK_CLIENT_NOTIFY_H
#define KFK_CLIENT_NOTIFY_H

#include <pthread.h>
#include <stdatomic.h>

#include "net/loop.h"

/* What happened. */
enum kfk_notify_event {
	KFK_NOTIFY_METADATA = 1 << 0,    /* a new metadata snapshot is current */
	KFK_NOTIFY_BROKER_UP = 1 << 1,   /* a broker is UP (ready for requests) */
	KFK_NOTIFY_BROKER_DOWN = 1 << 2  /* a broker's connection failed */
};

typedef void kfk_notify_fn(void *arg, unsigned events);

struct kfk_notify_sub {
	/* set by the subscriber before kfk_notify_subscribe() */
	unsigned events;           /* a mask of enum kfk_notify_event */
	struct kfk_loop *loop;     /* where fn runs */
	kfk_notify_fn *fn;
	void *arg;
	/* private */
	atomic_uint pending;       /* events not yet handed to fn */
	struct kfk_loop_task task;
	struct kfk_notify_sub *next;
};

struct kfk_notifier {
	pthread_mutex_t lock;      /* guards subs */
	struct kfk_notify_sub *subs;
};

void kfk_notifier_init(struct kfk_notifier *n);
/* Every subscriber must be gone. */
void kfk_notifier_destroy(struct kfk_notifier *n);

void kfk_notify_subscribe(struct kfk_notifier *n, struct kfk_notify_sub *sub);
void kfk_notify_unsubscribe(struct kfk_notifier *n,
                            struct kfk_notify_sub *sub);

/* Tells every subscriber interested in one of events. */
void kfk_notify_publish(struct kfk_notifier *n, unsigned events);

#endif /* KFK_CLIENT_NOTIFY_H */
