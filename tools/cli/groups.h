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
	bool list, describe, reset, delete;
	bool members, state;    /* --describe's views (default: offsets) */
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

#endif /* KFK_TOOLS_CLI_GROUPS_H */
