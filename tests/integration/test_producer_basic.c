/*
 * test_producer_basic: the producer against the mock cluster, read back by
 * clients nobody here wrote (python3-kafka, kcat): acks 0/1/all, every
 * compression codec, headers and timestamps, a record over
 * message.max.bytes failing alone, flush and purge, the report fd waking
 * an epoll waiter, null keys filling one partition at a time.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <kfk/kfk.h>

#include "../kt.h"
#include "../mock.h"
#include "test_producer_util.h"

/* Produces n keyed records "k<i%7>" = "<prefix>-<i>" to topic. */
static void produce_n(kfk_producer *p, const char *topic, int n,
                      const char *prefix)
{
	char key[16], val[64];
	int i;

	for (i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "k%d", i % 7);
		snprintf(val, sizeof(val), "%s-%d", prefix, i);
		KT_ASSERT_INT_EQ(kfk_produce(p, topic, KFK_PARTITION_ANY, key,
		                             strlen(key), val, strlen(val),
		                             pt_id(i)), 0);
	}
}

/* Every record of topic read back exactly once, values "<prefix>-<i>". */
static void check_values(const struct pt_topic *t, int n, const char *prefix)
{
	char *seen = calloc((size_t)n, 1);
	int i, plen = (int)strlen(prefix);

	KT_ASSERT(seen != NULL);
	KT_ASSERT_INT_EQ(t->n, n);
	for (i = 0; i < t->n; i++) {
		const struct pt_rec *r = &t->v[i];
		int v;
		KT_ASSERT(r->value && r->value_len > plen + 1);
		KT_ASSERT(strncmp(r->value, prefix, (size_t)plen) == 0);
		v = atoi(r->value + plen + 1);
		KT_ASSERT(v >= 0 && v < n);
		KT_ASSERT_MSG(!seen[v], "record %d read twice", v);
		seen[v] = 1;
	}
	free(seen);
}

static struct kt_mock *mock_start(void)
{
	struct kt_mock *m = kt_mock_start(3, "acks0:3", "acks1:3", "acksall:3",
	                                  "hdr:1", "big:2", "flush:2",
	                                  "purge:2", "fd:1", "sticky:4",
	                                  "c-none:2", "c-gzip:2", "c-snappy:2",
	                                  "c-lz4:2", "c-zstd:2", NULL);
	KT_ASSERT(m != NULL);
	return m;
}

/* ------------------------------------------------------------------ */

static void acks_case(void *arg)
{
	const char **a = arg;
	struct kt_mock *m = mock_start();
	struct pt_reports r;
	struct pt_topic t;
	kfk_producer *p;
	int i, n = 300;

	pt_reports_init(&r, n);
	p = pt_producer(kt_mock_bootstrap(m), &r, "acks", a[0], NULL);
	produce_n(p, a[1], n, "a");
	KT_ASSERT_INT_EQ(kfk_producer_flush(p, PT_WAIT_MS), 0);
	KT_ASSERT_INT_EQ(r.total, n);
	KT_ASSERT_INT_EQ(r.bad_opaque, 0);
	KT_ASSERT_INT_EQ(kfk_producer_outstanding(p), 0);
	for (i = 0; i < n; i++) {
		KT_ASSERT_INT_EQ(r.count[i], 1);
		KT_ASSERT_INT_EQ(r.err[i], KFK_ERR_NONE);
		KT_ASSERT(r.partition[i] >= 0 && r.partition[i] < 3);
		if (strcmp(a[0], "0") == 0)
			KT_ASSERT_INT_EQ(r.offset[i], -1);
		else
			KT_ASSERT(r.offset[i] >= 0);
	}
	kfk_producer_destroy(p);
	KT_ASSERT_INT_EQ(pt_readback_kcat(kt_mock_bootstrap(m), a[1], &t), 0);
	check_values(&t, n, "a");
	pt_topic_free(&t);
	pt_reports_free(&r);
	kt_mock_stop(m);
}

KT_TEST(acks_0_1_all_each_deliver)
{
	static const char *cases[3][2] = {
		{ "0", "acks0" }, { "1", "acks1" }, { "all", "acksall" } };
	int i;

	for (i = 0; i < 3; i++)
		kt_subtest(acks_case, (void *)cases[i], "acks=%s", cases[i][0]);
}
