/* util/mpsc: FIFO order, and many producers against one consumer. */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>

#include "../kt.h"
#include "util/mpsc.h"

struct item {
	int producer;
	int seq;
	struct kfk_mpsc_node node;  /* not first: KFK_MPSC_ENTRY must work */
};

static struct item *pop_item(struct kfk_mpsc *q)
{
	struct kfk_mpsc_node *n = kfk_mpsc_pop(q);

	return n ? KFK_MPSC_ENTRY(n, struct item, node) : NULL;
}

KT_TEST(empty_queue_pops_null)
{
	struct kfk_mpsc q;

	kfk_mpsc_init(&q);
	KT_ASSERT(kfk_mpsc_empty(&q));
	KT_ASSERT(kfk_mpsc_pop(&q) == NULL);
	KT_ASSERT(kfk_mpsc_pop(&q) == NULL);
}

KT_TEST(single_thread_fifo)
{
	struct kfk_mpsc q;
	struct item it[10];
	int i;

	kfk_mpsc_init(&q);
	for (i = 0; i < 10; i++) {
		it[i].seq = i;
		kfk_mpsc_push(&q, &it[i].node);
		KT_ASSERT(!kfk_mpsc_empty(&q));
	}
	for (i = 0; i < 10; i++) {
		struct item *got = pop_item(&q);

		KT_ASSERT(got == &it[i]);
		KT_ASSERT_INT_EQ(got->seq, i);
	}
	KT_ASSERT(pop_item(&q) == NULL);
	KT_ASSERT(kfk_mpsc_empty(&q));
}

/* Push and pop interleaved, so the queue keeps passing through the
 * one-element and empty states where the stub is re-inserted. */
KT_TEST(interleaved_push_pop_reuses_nodes)
{
	struct kfk_mpsc q;
	struct item it[3];
	int round, i;

	kfk_mpsc_init(&q);
	for (round = 0; round < 100; round++) {
		int n = round % 3 + 1;

		for (i = 0; i < n; i++) {
			it[i].seq = round * 10 + i;
			kfk_mpsc_push(&q, &it[i].node);
		}
		for (i = 0; i < n; i++) {
			struct item *got = pop_item(&q);

			KT_ASSERT(got == &it[i]);
			KT_ASSERT_INT_EQ(got->seq, round * 10 + i);
		}
		KT_ASSERT(pop_item(&q) == NULL);
		KT_ASSERT(kfk_mpsc_empty(&q));
	}
}

/* Push one, pop one, push two more: the popped node goes back in while the
 * others are queued (nodes are reusable once popped). */
KT_TEST(node_reused_after_pop)
{
	struct kfk_mpsc q;
	struct item a, b;

	kfk_mpsc_init(&q);
	kfk_mpsc_push(&q, &a.node);
	kfk_mpsc_push(&q, &b.node);
	KT_ASSERT(pop_item(&q) == &a);
	kfk_mpsc_push(&q, &a.node);
	KT_ASSERT(pop_item(&q) == &b);
	KT_ASSERT(pop_item(&q) == &a);
	KT_ASSERT(pop_item(&q) == NULL);
}

#define NPROD 4
#define PER_PROD 100000

struct producer {
	struct kfk_mpsc *q;
	struct item *items;
	int id;
};

static void *produce(void *arg)
{
	struct producer *p = arg;
	int i;

	for (i = 0; i < PER_PROD; i++) {
		p->items[i].producer = p->id;
		p->items[i].seq = i;
		kfk_mpsc_push(p->q, &p->items[i].node);
	}
	return NULL;
}

/* Pops everything the producers push; checks each producer's order and
 * counts. Bounded: gives up after 60 s of wall time. */
static void consume_all(struct kfk_mpsc *q, int *next, int *dups)
{
	int64_t deadline = kt_now_ms() + 60000;
	long got = 0;

	while (got < (long)NPROD * PER_PROD && kt_now_ms() < deadline) {
		struct item *it = pop_item(q);

		if (!it)
			continue;
		got++;
		if (it->seq != next[it->producer])
			(*dups)++;
		next[it->producer] = it->seq + 1;
	}
}

KT_TEST(four_producers_one_consumer)
{
	struct kfk_mpsc q;
	struct producer prod[NPROD];
	pthread_t th[NPROD];
	int next[NPROD] = { 0 };
	int bad = 0, i;

	kfk_mpsc_init(&q);
	for (i = 0; i < NPROD; i++) {
		prod[i].q = &q;
		prod[i].id = i;
		prod[i].items = calloc(PER_PROD, sizeof(struct item));
		KT_ASSERT(prod[i].items != NULL);
	}
	for (i = 0; i < NPROD; i++)
		KT_ASSERT_INT_EQ(pthread_create(&th[i], NULL, produce, &prod[i]), 0);
	consume_all(&q, next, &bad);
	for (i = 0; i < NPROD; i++)
		pthread_join(th[i], NULL);
	/* Every item exactly once, in its producer's order. */
	KT_ASSERT_INT_EQ(bad, 0);
	for (i = 0; i < NPROD; i++)
		KT_ASSERT_INT_EQ(next[i], PER_PROD);
	KT_ASSERT(pop_item(&q) == NULL);
	KT_ASSERT(kfk_mpsc_empty(&q));
	for (i = 0; i < NPROD; i++)
		free(prod[i].items);
}
