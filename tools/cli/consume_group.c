/*
 * kfk consume -G GROUP: reading in a consumer group. The group assigns
 * the partitions; this file keeps kfk consume's list of what is assigned
 * (st->assigned, st->at_end) in step with the group's rebalances, so -e
 * stops once every partition this member owns reached its end. Offsets
 * are committed by the consumer (enable.auto.commit, and on close), as
 * kafka-console-consumer does.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "consume.h"

#define CONSUME_CMD "consume"

int consume_group_add_topic(struct consume_opts *o, const char *topic)
{
	const char **v = realloc(o->topics, (size_t)(o->topic_cnt + 1) *
	                                    sizeof(*v));

	if (!v)
		return cli_err(CONSUME_CMD, "out of memory"), -1;
	o->topics = v;
	o->topics[o->topic_cnt++] = topic;
	return 0;
}

/* st->assigned and st->at_end, rebuilt from the consumer's assignment;
 * partitions kept keep their end mark. */
static void track_assignment(kfk_consumer *c, struct consume_state *st)
{
	kfk_tplist *now = NULL;
	unsigned char *ends;
	int i, k, n;

	if (kfk_consumer_assignment(c, &now) || !now)
		return;
	n = kfk_tplist_count(now);
	ends = calloc((size_t)n + 1, 1);
	if (!ends) {
		kfk_tplist_destroy(now);
		return;
	}
	st->ended = 0;
	for (i = 0; i < n; i++) {
		k = st->assigned ? kfk_tplist_find(st->assigned,
		                                   kfk_tplist_topic(now, i),
		                                   kfk_tplist_partition(now, i))
		                 : -1;
		ends[i] = k >= 0 && st->at_end[k];
		st->ended += ends[i];
	}
	kfk_tplist_destroy(st->assigned);
	free(st->at_end);
	st->assigned = now;
	st->at_end = ends;
}

/* Takes parts out of st->assigned (REVOKED, LOST): no longer this
 * member's to wait for. */
static void untrack(struct consume_state *st, const kfk_tplist *parts)
{
	int n = kfk_tplist_count(st->assigned), i, k = 0;
	kfk_tplist *keep = kfk_tplist_new(n);

	if (!keep)
		return;
	st->ended = 0;
	for (i = 0; i < n; i++) {
		const char *t = kfk_tplist_topic(st->assigned, i);
		int32_t p = kfk_tplist_partition(st->assigned, i);

		if (kfk_tplist_find(parts, t, p) >= 0 ||
		    kfk_tplist_add(keep, t, p, KFK_OFFSET_INVALID) < 0)
			continue;
		st->at_end[k] = st->at_end[i];
		st->ended += st->at_end[k++];
	}
	kfk_tplist_destroy(st->assigned);
	st->assigned = keep;
}

/* "kfk consume: assigned t[0], t[1]" on stderr (unless -q), as kcat
 * reports rebalances: the partitions of the event (with cooperative
 * rebalancing only those added or taken away). */
static void print_rebalance(kfk_rebalance_type type, const kfk_tplist *parts)
{
	static const char *const what[] = {
		[KFK_REBALANCE_ASSIGNED] = "assigned",
		[KFK_REBALANCE_REVOKED] = "revoked",
		[KFK_REBALANCE_LOST] = "lost",
	};
	int i, n = kfk_tplist_count(parts);

	fprintf(stderr, "kfk consume: %s", what[type]);
	for (i = 0; i < n; i++)
		fprintf(stderr, "%s%s[%d]", i ? ", " : " ",
		        kfk_tplist_topic(parts, i),
		        (int)kfk_tplist_partition(parts, i));
	fprintf(stderr, "%s\n", n ? "" : " nothing");
}

/* Called inside poll: after ASSIGNED the consumer's assignment has the
 * new partitions; REVOKED and LOST come before the change. */
static void on_rebalance(kfk_consumer *c, kfk_rebalance_type type,
                         const kfk_tplist *parts, void *opaque)
{
	struct consume_state *st = opaque;

	if (!st->o->quiet)
		print_rebalance(type, parts);
	if (type == KFK_REBALANCE_ASSIGNED)
		track_assignment(c, st);
	else if (st->assigned)
		untrack(st, parts);
}

int consume_group_start(kfk_consumer *c, struct consume_state *st)
{
	kfk_err err = kfk_consumer_subscribe(c, st->o->topics, st->o->topic_cnt,
	                                     on_rebalance, st);

	if (err)
		return cli_err(CONSUME_CMD, "subscribe: %s", kfk_err_str(err)), -1;
	return 0;
}
