/*
 * tools/cli/consume.h: kfk consume's options and state, shared by
 * consume.c (assigned partitions, the read) and consume_group.c (a
 * consumer group's subscription, -G / --group).
 */
#ifndef KFK_TOOLS_CLI_CONSUME_H
#define KFK_TOOLS_CLI_CONSUME_H

#include <stdint.h>

#include <kfk/kfk.h>

#include "consume_fmt.h"

#define CONSUME_CMD "consume"
#define CONSUME_BATCH 256
#define CONSUME_POLL_MS 200       /* how soon a signal or a tick is seen */
#define CONSUME_LOOKUP_MS 30000   /* s@<ms>: the offsets-for-times wait */

struct consume_opts {
	const char *topic;
	const char *group;          /* -G / --group: subscribe in a group */
	const char **topics;        /* with a group: every -t and argument,
	                             * and --include's pattern */
	int topic_cnt;
	char *include;              /* --include's pattern, "^" added */
	int32_t *parts;             /* -p, in order given */
	int part_cnt;
	long partitions;            /* --partitions N: 0..N-1 */
	int64_t offset;             /* -o, or the timestamp with by_time */
	int by_time;
	long max;                   /* -c; 0: no limit */
	int exit_eof, quiet, progress, json;
	const char *format;         /* -f */
	struct cfmt_console console;
	int console_set;            /* a print.* / separator property given */
};

struct consume_state {
	struct consume_opts *o;     /* partitions filled in when "all" */
	struct cfmt fmt;
	kfk_tplist *assigned;
	unsigned char *at_end;      /* per entry of assigned: end reached or
	                             * stuck on an error that needs a seek */
	int ended;
	long records, errors;
	int fatal;
	unsigned long long bytes;
	long tick_records;
	unsigned long long tick_bytes;
	double t0, t_tick;
};

/* Joins the group (o->group) subscribed to o->topics; st->assigned then
 * follows the group's assignment for -e. -1 (message printed). */
int consume_group_start(kfk_consumer *c, struct consume_state *st);
/* Adds a topic (or "^pattern") to a group's subscription; -1 on ENOMEM. */
int consume_group_add_topic(struct consume_opts *o, const char *topic);

#endif /* KFK_TOOLS_CLI_CONSUME_H */
