/*
 * client/notify.c: change notifications (notify.h).
 */
#include "config.h"
#include "client/notify.h"

#include <stddef.h>

/* On the subscriber's loop: everything published until now, at once.
 * pending is cleared before the call, so a publish during it posts again. */
static void deliver(void *arg)
{
	struct kfk_notify_sub *sub = arg;
	unsigned ev = atomic_exchange(&sub->pending, 0);

	if (ev)
		sub->fn(sub->arg, ev);
}

void kfk_notifier_init(struct kfk_notifier *n)
{
	pthread_mutex_init(&n->lock, NULL);
	n->subs = NULL;
}

void kfk_notifier_destroy(struct kfk_notifier *n)
{
	pthread_mutex_destroy(&n->lock);
}

void kfk_notify_subscribe(struct kfk_notifier *n, struct kfk_notify_sub *sub)
{
	atomic_init(&sub->pending, 0);
	sub->task.fn = deliver;
	sub->task.arg = sub;
	pthread_mutex_lock(&n->lock);
	sub->next = n->subs;
	n->subs = sub;
	pthread_mutex_unlock(&n->lock);
}

void kfk_notify_unsubscribe(struct kfk_notifier *n,
                            struct kfk_notify_sub *sub)
{
	struct kfk_notify_sub **link;

	pthread_mutex_lock(&n->lock);
	for (link = &n->subs; *link; link = &(*link)->next)
		if (*link == sub) {
			*link = sub->next;
			break;
		}
	pthread_mutex_unlock(&n->lock);
}

void kfk_notify_publish(struct kfk_notifier *n, unsigned events)
{
	struct kfk_notify_sub *sub;

	pthread_mutex_lock(&n->lock);
	for (sub = n->subs; sub; sub = sub->next) {
		unsigned mine = events & sub->events;
		/* Post only when nothing was pending: a queued call will
		 * see these events too. */
		if (mine && atomic_fetch_or(&sub->pending, mine) == 0)
			kfk_loop_post_task(sub->loop, &sub->task);
	}
	pthread_mutex_unlock(&n->lock);
}
