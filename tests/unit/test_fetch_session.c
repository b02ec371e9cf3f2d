/*
 * test_fetch_session: what an incremental fetch session (KIP-227) sends.
 * A partition unassigned and assigned again between two requests is a new
 * object for the same partition: the next request fetches it at its new
 * position and must not also forget it (the broker applies the forget
 * after the fetch and would drop it from the session for good: found with
 * a kfk member and a Java one sharing a group, where a partition handed
 * back to the same kfk member by an eager rebalance was never read again).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "../kt.h"
#include "consumer/consumer_int.h"
#include "consumer/fetcher.h"

/* A request for parts[0..n-1] at positions pos[]. */
static void request(struct kfk_fetch_req *r, struct fetch_part *v,
                    struct kfk_cpart **parts, const int64_t *pos, int n)
{
	memset(r, 0, sizeof(*r));
	memset(v, 0, (size_t)n * sizeof(*v));
	for (int i = 0; i < n; i++) {
		v[i].part = parts[i];
		v[i].fetch_pos = pos[i];
		v[i].cur_epoch = v[i].last_epoch = -1;
	}
	r->v = v;
	r->n = n;
}

static void request_free(struct kfk_fetch_req *r)
{
	for (int i = 0; i < r->forgot_n; i++)
		kfk_cpart_unref(r->forgot[i]);
	free(r->forgot);
}

KT_TEST(a_partition_assigned_again_is_fetched_not_forgotten)
{
	struct kfk_fsess s = { .leader = 1 };
	struct kfk_cpart *p6 = kfk_cpart_new("t", 6), *p4 = kfk_cpart_new("t", 4);
	struct kfk_cpart *p6b = kfk_cpart_new("t", 6), *parts[2];
	struct fetch_part v[2];
	struct kfk_fetch_req r;
	int64_t pos[2] = { 900, 200 };

	/* A full request opens the session. */
	parts[0] = p6;
	parts[1] = p4;
	request(&r, v, parts, pos, 2);
	KT_ASSERT_INT_EQ(kfk_fsess_plan(&s, &r), 0);
	KT_ASSERT(v[0].send && v[1].send);
	r.resp_session_id = 7;
	kfk_fsess_outcome(&s, &r);
	request_free(&r);
	KT_ASSERT_INT_EQ(s.id, 7);
	/* Partition 6 comes back as a new object at an earlier position. */
	parts[0] = p6b;
	pos[0] = 500;
	request(&r, v, parts, pos, 2);
	r.session_id = 7;
	KT_ASSERT_INT_EQ(kfk_fsess_plan(&s, &r), 0);
	KT_ASSERT(v[0].send);
	KT_ASSERT(!v[1].send);
	KT_ASSERT_INT_EQ(r.forgot_n, 0);
	kfk_fsess_outcome(&s, &r);
	request_free(&r);
	/* A partition really gone is forgotten. */
	request(&r, v, parts, pos, 1);
	KT_ASSERT_INT_EQ(kfk_fsess_plan(&s, &r), 0);
	KT_ASSERT_INT_EQ(r.forgot_n, 1);
	KT_ASSERT_INT_EQ(r.forgot[0]->partition, 4);
	request_free(&r);
	/* An empty request empties the session's table (its references). */
	request(&r, v, parts, pos, 0);
	(void)kfk_fsess_plan(&s, &r);
	request_free(&r);
	free(s.v);
	kfk_cpart_unref(p6);
	kfk_cpart_unref(p6b);
	kfk_cpart_unref(p4);
}
