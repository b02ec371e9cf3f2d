/*
 * test_admin_mock: the admin client on librdkafka's mock cluster, for
 * what the real broker does not do on demand: a coordinator that is not
 * available at first, asked for by an operation started before the first
 * metadata arrived (the retry then ran the single-request path with no
 * encoder: a crash). The mock has no DescribeGroups, so the group ends
 * with "no version in common"; what counts is that the operation retried
 * FindCoordinator and came back.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kfk/kfk.h>

#include "../kt.h"
#include "../mock.h"

#define WAIT_MS 30000

KT_TEST(group_operation_started_before_metadata_retries_its_coordinator)
{
	struct kt_mock *m = kt_mock_start(1, NULL);
	kfk_conf *conf = kfk_conf_new();
	const char *names[1] = { "g" };
	const kfk_admin_group *g;
	kfk_admin_result *r;
	char err[256];
	kfk_admin *a;
	uint64_t id;

	KT_ASSERT(m != NULL);
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "err FindCoordinator "
	                             "COORDINATOR_NOT_AVAILABLE 2"), 0);
	KT_ASSERT(!kfk_conf_set(conf, "bootstrap.servers", kt_mock_bootstrap(m),
	                        err, sizeof(err)));
	KT_ASSERT(!kfk_conf_set(conf, "retry.backoff.ms", "20", err,
	                        sizeof(err)));
	a = kfk_admin_new(conf, err, sizeof(err));
	kfk_conf_destroy(conf);
	KT_ASSERT_MSG(a != NULL, "%s", err);
	/* At once: no metadata yet. */
	KT_ASSERT_INT_EQ(kfk_admin_describe_groups(a, names, 1, false, NULL,
	                                          &id), 0);
	r = kfk_admin_wait(a, id, WAIT_MS);
	KT_ASSERT(r != NULL);
	g = kfk_admin_result_group(r, 0);
	kt_log("group g: %s", kfk_err_name(kfk_admin_group_err(g)));
	KT_ASSERT_INT_EQ(kfk_admin_group_err(g), KFK_ERR__UNSUPPORTED_FEATURE);
	KT_ASSERT_INT_EQ(kfk_admin_group_coordinator(g, NULL, NULL), 1);
	kfk_admin_result_destroy(r);
	kfk_admin_destroy(a);
	KT_ASSERT_INT_EQ(kt_mock_stop(m), 0);
}
