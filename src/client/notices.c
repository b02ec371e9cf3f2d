/*
 * client/notices.c: the client's notices for the error callback
 * (notices.h).
 */
#include "config.h"

#include "client/notices.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/error.h"
#include "client/events.h"

struct kfk_notice {
	struct kfk_notice *next;
	kfk_err err;
	char text[];
};

void kfk_notices_init(struct kfk_notices *q)
{
	memset(q, 0, sizeof(*q));
	pthread_mutex_init(&q->lock, NULL);
}

static struct kfk_notice *kfk_notices_pop(struct kfk_notices *q)
{
	struct kfk_notice *n = q->head;

	if (n) {
		q->head = n->next;
		if (!q->head)
			q->tail = NULL;
		q->n--;
	}
	return n;
}

void kfk_notices_destroy(struct kfk_notices *q)
{
	struct kfk_notice *n;

	while ((n = kfk_notices_pop(q)))
		free(n);
	pthread_mutex_destroy(&q->lock);
}

void kfk_notices_push(struct kfk_notices *q, kfk_err err, const char *text)
{
	size_t len = strlen(text);
	struct kfk_notice *n = malloc(sizeof(*n) + len + 1);

	if (!n)
		return;
	n->next = NULL;
	n->err = err;
	memcpy(n->text, text, len + 1);
	pthread_mutex_lock(&q->lock);
	if (q->n == KFK_NOTICES_MAX) {
		free(kfk_notices_pop(q));
		q->dropped++;
	}
	if (q->tail)
		q->tail->next = n;
	else
		q->head = n;
	q->tail = n;
	q->n++;
	atomic_store(&q->pending, q->n);
	pthread_mutex_unlock(&q->lock);
	if (atomic_load(&q->wake))
		kfk_evq_kick(atomic_load(&q->wake));
}

/* One notice to the callback; the count of those dropped before it is
 * part of its message. */
static void kfk_notices_tell(struct kfk_notice *n, int dropped,
                             kfk_error_cb *cb, void *opaque)
{
	kfk_error *e;

	if (dropped)
		e = kfk_error_new(n->err, "%s (%d earlier notices dropped)",
		                  n->text, dropped);
	else
		e = kfk_error_new(n->err, "%s", n->text);
	cb(opaque, e);
	kfk_error_destroy(e);
}

int kfk_notices_serve(struct kfk_notices *q, kfk_error_cb *cb, void *opaque)
{
	struct kfk_notice *n;
	int served = 0, dropped;

	if (!atomic_load_explicit(&q->pending, memory_order_acquire))
		return 0;
	for (;;) {
		pthread_mutex_lock(&q->lock);
		n = kfk_notices_pop(q);
		dropped = q->dropped;
		q->dropped = 0;
		atomic_store(&q->pending, q->n);
		pthread_mutex_unlock(&q->lock);
		if (!n)
			return served;
		if (cb)
			kfk_notices_tell(n, dropped, cb, opaque);
		free(n);
		served++;
	}
}
