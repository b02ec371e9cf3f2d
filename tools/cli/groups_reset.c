/*
 * kfk groups --reset-offsets: kafka-consumer-groups' offset reset. For
 * the partitions in scope (--topic T, T:0,2, or --all-topics: those the
 * group committed), the new offset from the spec (--to-earliest,
 * --to-latest, --to-current, --to-offset N, --shift-by N, --to-datetime,
 * --by-duration), kept within the log (earliest..latest) as Kafka does;
 * printed in kafka-consumer-groups' table, and committed for the group
 * with --execute (--dry-run, the default, changes nothing). Only a group
 * without members can be reset.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "groups.h"
#include "java_hash.h"

#define CMD "groups"
#define WAIT_MS 60000

kfk_admin_result *groups_wait(kfk_admin *a, kfk_err err, const uint64_t *id)
{
	kfk_admin_result *r = err ? NULL : kfk_admin_wait(a, *id, WAIT_MS);

	if (!r)
		cli_err(CMD, "no answer from the cluster in %d s", WAIT_MS / 1000);
	return r;
}

kfk_tplist *groups_scope(kfk_admin *a, const struct groups_opts *o,
                         const kfk_admin_group *g)
{
	kfk_tplist *l = kfk_tplist_new(8);

	if (o->all_topics) {
		for (int i = 0; i < kfk_admin_group_offset_count(g); i++) {
			int32_t p;
			int64_t c;
			const char *t = kfk_admin_group_offset(g, i, &p, &c, NULL,
			                                       NULL);

			if (c >= 0)
				kfk_tplist_add(l, t, p, -1);
		}
		return l;
	}
	for (int i = 0; i < o->topic_cnt; i++) {
		char *name = strdup(o->topics[i]), *colon = strchr(name, ':');
		const char *names[1] = { name };
		kfk_admin_result *r;
		const kfk_admin_topic *t;
		uint64_t id = 0;

		if (colon) { /* T:0,2 */
			char *tok, *save = NULL;
			long v;

			*colon = '\0';
			for (tok = strtok_r(colon + 1, ",", &save); tok;
			     tok = strtok_r(NULL, ",", &save)) {
				if (cli_parse_long(tok, 0, INT32_MAX, &v)) {
					cli_err(CMD, "--topic %s: bad partition '%s'",
					        o->topics[i], tok);
					free(name);
					kfk_tplist_destroy(l);
					return NULL;
				}
				kfk_tplist_add(l, name, (int32_t)v, -1);
			}
			free(name);
			continue;
		}
		r = groups_wait(a, kfk_admin_describe_topics(a, names, 1, NULL,
		                                             &id), &id);
		t = r ? kfk_admin_result_topic(r, 0) : NULL;
		if (!t || kfk_admin_topic_err(t)) {
			if (t)
				cli_err(CMD, "--topic %s: %s", name,
				        kfk_admin_topic_errstr(t));
			kfk_admin_result_destroy(r);
			free(name);
			kfk_tplist_destroy(l);
			return NULL;
		}
		for (int p = 0; p < kfk_admin_topic_partition_count(t); p++)
			kfk_tplist_add(l, name, p, -1);
		kfk_admin_result_destroy(r);
		free(name);
	}
	return l;
}

/* l's offsets at ask (KFK_OFFSET_BEGINNING, _END or a time), into out
 * (same order); -1 on failure (said). */
static int log_offsets(kfk_admin *a, const kfk_tplist *l, int64_t ask,
                       int64_t *out)
{
	kfk_tplist *q = kfk_tplist_copy(l);
	kfk_admin_result *r;
	uint64_t id = 0;
	int rc = 0;

	for (int i = 0; i < kfk_tplist_count(q); i++)
		kfk_tplist_set_offset(q, i, ask);
	r = groups_wait(a, kfk_admin_list_offsets(a, q, NULL, &id), &id);
	kfk_tplist_destroy(q);
	if (!r)
		return -1;
	for (int i = 0; i < kfk_tplist_count(l); i++) {
		const kfk_tplist *res = kfk_admin_result_offsets(r);
		int k = kfk_tplist_find(res, kfk_tplist_topic(l, i),
		                        kfk_tplist_partition(l, i));

		if (k < 0 || kfk_tplist_err(res, k)) {
			cli_err(CMD, "%s [%d]: %s", kfk_tplist_topic(l, i),
			        (int)kfk_tplist_partition(l, i),
			        kfk_err_str(k < 0 ? KFK_ERR__TIMED_OUT
			                          : kfk_tplist_err(res, k)));
			rc = -1;
			break;
		}
		out[i] = kfk_tplist_offset(res, k);
	}
	kfk_admin_result_destroy(r);
	return rc;
}

static int64_t committed_of(const kfk_admin_group *g, const char *topic,
                            int32_t partition)
{
	for (int i = 0; i < kfk_admin_group_offset_count(g); i++) {
		int32_t p;
		int64_t c;
		const char *t = kfk_admin_group_offset(g, i, &p, &c, NULL, NULL);

		if (p == partition && !strcmp(t, topic))
			return c;
	}
	return -1;
}

/* The new offset of entry i from the spec, within [lo, hi]. */
static int64_t target(const struct groups_opts *o, const kfk_admin_group *g,
                      const kfk_tplist *l, int i, int64_t lo, int64_t hi,
                      int64_t at_time)
{
	int64_t cur = committed_of(g, kfk_tplist_topic(l, i),
	                           kfk_tplist_partition(l, i));
	int64_t v;

	switch (o->spec) {
	case RESET_EARLIEST: return lo;
	case RESET_LATEST: return hi;
	case RESET_CURRENT: return cur >= 0 ? cur : hi;
	case RESET_TIME: v = at_time >= 0 ? at_time : hi; break;
	case RESET_SHIFT: v = (cur >= 0 ? cur : hi) + o->value; break;
	default: v = o->value; break; /* RESET_OFFSET */
	}
	return v < lo ? lo : v > hi ? hi : v;
}

/* The order kafka-consumer-groups lists l's partitions in (its HashMap
 * of them); NULL out of memory. */
static int *java_order(const kfk_tplist *l)
{
	int n = kfk_tplist_count(l);
	int32_t *hashes = calloc((size_t)(n ? n : 1), sizeof(*hashes));
	int *order = calloc((size_t)(n ? n : 1), sizeof(*order));

	if (hashes && order) {
		for (int i = 0; i < n; i++)
			hashes[i] = java_tp_hash(kfk_tplist_topic(l, i),
			                         kfk_tplist_partition(l, i));
		java_hashmap_order(hashes, n, order);
	} else {
		free(order);
		order = NULL;
	}
	free(hashes);
	return order;
}

/* A time with no offset at or after it falls back to the end, said as
 * kafka-consumer-groups says it. */
static void warn_empty(const kfk_tplist *l, const int64_t *at)
{
	int *order = java_order(l);

	for (int i = 0; order && i < kfk_tplist_count(l); i++)
		if (at[order[i]] < 0)
			printf("\nWarn: Partition %d from topic %s is empty. "
			       "Falling back to latest known offset.\n",
			       (int)kfk_tplist_partition(l, order[i]),
			       kfk_tplist_topic(l, order[i]));
	free(order);
}

/* kafka-consumer-groups' table of new offsets, its HashMap's order. */
static void print_plan(const char *group, const kfk_tplist *l)
{
	int n = kfk_tplist_count(l), gw = 15, tw = 15;
	int *order = java_order(l);

	if (!order || !n)
		goto out;
	if ((int)strlen(group) > gw)
		gw = (int)strlen(group);
	for (int i = 0; i < n; i++)
		if ((int)strlen(kfk_tplist_topic(l, i)) > tw)
			tw = (int)strlen(kfk_tplist_topic(l, i));
	printf("\n%-*s %-*s %-10s %s", gw, "GROUP", tw, "TOPIC", "PARTITION",
	       "NEW-OFFSET");
	for (int i = 0; i < n; i++) {
		int k = order[i];
		char part[16];

		snprintf(part, sizeof(part), "%d", (int)kfk_tplist_partition(l, k));
		printf("\n%-*s %-*s %-10s %lld", gw, group, tw,
		       kfk_tplist_topic(l, k), part,
		       (long long)kfk_tplist_offset(l, k));
	}
	printf("\n");
out:
	free(order);
}

/* Commits l for the group; 0 when every partition took. */
static int execute(kfk_admin *a, const char *group, const kfk_tplist *l)
{
	kfk_admin_result *r;
	const kfk_tplist *res;
	uint64_t id = 0;
	int rc = 0;

	r = groups_wait(a, kfk_admin_alter_group_offsets(a, group, l, NULL,
	                                                   &id), &id);
	if (!r)
		return 1;
	res = kfk_admin_result_offsets(r);
	for (int i = 0; i < kfk_tplist_count(res); i++)
		if (kfk_tplist_err(res, i)) {
			cli_err(CMD, "%s [%d]: offset not set: %s",
			        kfk_tplist_topic(res, i),
			        (int)kfk_tplist_partition(res, i),
			        kfk_err_str(kfk_tplist_err(res, i)));
			rc = 1;
		}
	kfk_admin_result_destroy(r);
	return rc;
}

/* The plan for the group described in g. */
/* Many partitions take a while: a line on stderr for each step (stdout
 * stays kafka-consumer-groups' lines). */
#define PROGRESS_MIN 100

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void progress(const char *group, int n, const char *what,
                     int64_t took_ms)
{
	if (n < PROGRESS_MIN)
		return;
	if (took_ms >= 0)
		fprintf(stderr, "kfk %s: group %s: %s the offsets of %d "
		        "partitions in %lld ms\n", CMD, group, what, n,
		        (long long)took_ms);
	else
		fprintf(stderr, "kfk %s: group %s: %s %d partitions...\n", CMD,
		        group, what, n);
}

static int reset_group(kfk_admin *a, const struct groups_opts *o,
                       const kfk_admin_group *g)
{
	const char *name = kfk_admin_group_name(g);
	const char *state = kfk_admin_group_state(g);
	kfk_tplist *l;
	int64_t *lo, *hi, *at = NULL;
	int n, rc = 1;

	if (strcmp(state, "Empty") && strcmp(state, "Dead")) {
		cli_err(CMD, "Assignments can only be reset if the group '%s' is "
		        "inactive, but the current state is %s.", name, state);
		return 1;
	}
	if (!(l = groups_scope(a, o, g)))
		return 1;
	n = kfk_tplist_count(l);
	progress(name, n, "finding the offsets of", -1);
	lo = calloc((size_t)(n ? n : 1), sizeof(*lo));
	hi = calloc((size_t)(n ? n : 1), sizeof(*hi));
	if (o->spec == RESET_TIME)
		at = calloc((size_t)(n ? n : 1), sizeof(*at));
	if (!lo || !hi || (o->spec == RESET_TIME && !at) ||
	    log_offsets(a, l, KFK_OFFSET_BEGINNING, lo) ||
	    log_offsets(a, l, KFK_OFFSET_END, hi) ||
	    (at && log_offsets(a, l, o->value, at)))
		goto out;
	if (at)
		warn_empty(l, at);
	for (int i = 0; i < n; i++)
		kfk_tplist_set_offset(l, i, target(o, g, l, i, lo[i], hi[i],
		                                   at ? at[i] : -1));
	print_plan(name, l);
	if (o->execute) {
		int64_t t0 = mono_ms();

		progress(name, n, "committing", -1);
		rc = execute(a, name, l);
		progress(name, n, rc ? "failed to commit" : "committed",
		         mono_ms() - t0);
	} else {
		rc = 0;
	}
out:
	free(lo);
	free(hi);
	free(at);
	kfk_tplist_destroy(l);
	return rc;
}

int groups_reset(kfk_admin *a, const struct groups_opts *o)
{
	kfk_admin_result *r;
	uint64_t id = 0;
	int rc = 0;

	r = groups_wait(a, kfk_admin_describe_groups(a, o->groups, o->group_cnt,
	                                             true, NULL, &id), &id);
	if (!r)
		return 1;
	for (int i = 0; i < kfk_admin_result_group_count(r); i++) {
		const kfk_admin_group *g = kfk_admin_result_group(r, i);

		if (kfk_admin_group_err(g) &&
		    kfk_admin_group_err(g) != KFK_ERR_GROUP_ID_NOT_FOUND) {
			cli_err(CMD, "group '%s': %s", kfk_admin_group_name(g),
			        kfk_admin_group_errstr(g));
			rc = 1;
			continue;
		}
		rc |= reset_group(a, o, g);
	}
	kfk_admin_result_destroy(r);
	return rc;
}
