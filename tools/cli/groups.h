/*
 * tools/cli/groups.h: kfk groups' options, shared by its describe and
 * list (groups.c) and its offset reset (groups_reset.c).
 */
#ifndef KFK_TOOLS_CLI_GROUPS_H
#define KFK_TOOLS_CLI_GROUPS_H

#include <stdbool.h>
#include <stdint.h>

#include <kfk/kfk.h>

enum reset_spec {
	RESET_NONE,
	RESET_EARLIEST,
	RESET_LATEST,
	RESET_CURRENT,
	RESET_OFFSET,   /* value: the offset */
	RESET_SHIFT,    /* value: added to the committed offset */
	RESET_TIME,     /* value: a time in ms (--to-datetime, --by-duration) */
};

struct groups_opts {
	bool list, describe, reset, delete, delete_offsets;
	bool members, state;    /* --describe's views (default: offsets) */
	bool all_groups;        /* --all-groups: groups has every one */
	bool json;              /* --list, --describe: one JSON document */
	const char **groups;
	int group_cnt;
	/* --reset-offsets */
	const char **topics;    /* T or T:0,1 */
	int topic_cnt;
	bool all_topics, execute, dry_run;
	enum reset_spec spec;
	int64_t value;
};

/* --reset-offsets for every --group; 0, or 1 when one failed. */
int groups_reset(kfk_admin *a, const struct groups_opts *o);

/* --delete-offsets of --group's --topic partitions; 0, or 1 when one
 * failed (groups_offsets_del.c). */
int groups_delete_offsets(kfk_admin *a, const struct groups_opts *o);

/* The result of the operation err and *id name (read once both
 * arguments are evaluated: the call that fills *id may be the first);
 * NULL after saying there was no answer. */
kfk_admin_result *groups_wait(kfk_admin *a, kfk_err err, const uint64_t *id);

/* The partitions --topic (T, T:0,2) or --all-topics (g's committed ones)
 * name, offsets unset; NULL after saying why. */
kfk_tplist *groups_scope(kfk_admin *a, const struct groups_opts *o,
                         const kfk_admin_group *g);

#endif /* KFK_TOOLS_CLI_GROUPS_H */
