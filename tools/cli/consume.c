/*
 * kfk consume: records of a topic's partitions to stdout, in the manner
 * of kcat -C and kafka-console-consumer.
 *
 * Without -G, partitions are assigned: each starts at -o (default: the
 * stored offset, that is auto.offset.reset). With -G the consumer joins
 * the group, which assigns them (consume_group.c); offsets are committed
 * (enable.auto.commit, and on close). -e stops once every partition
 * (assigned to this member, with -G) reached its end,
 * -c after N records. Records print with a kcat -f format, the console
 * consumer's print.* properties, or as JSON lines (consume_fmt.h). Error
 * messages go to stderr and the read goes on; the exit status is then 1.
 * 2 is a usage or configuration error.
 */
#include "config.h"

#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "consume_fmt.h"

#include "consume.h"

static volatile sig_atomic_t consume_interrupted;

static const char consume_usage[] =
	"usage: kfk consume -b HOST:PORT -t TOPIC [-p N ... | --partitions N] [options]\n"
	"       kfk consume -b HOST:PORT -G GROUP TOPIC... [options]\n"
	"Prints the records of the topic's partitions on stdout.\n"
	"  -b, --bootstrap-server LIST  brokers (host:port,...)\n"
	"  -t, --topic TOPIC            the topic\n"
	"  -p, --partition N            read partition N (repeatable)\n"
	"  --partitions N               read partitions 0..N-1 (default: all)\n"
	"  -G, --group GROUP            read in consumer group GROUP: the group\n"
	"                               assigns the partitions, each starts at\n"
	"                               its committed offset (else -o beginning\n"
	"                               or end), offsets are committed; topics\n"
	"                               by -t (repeatable) or as arguments\n"
	"  --include REGEX              with -G: every topic matching REGEX\n"
	"  -o, --offset OFFSET          where to start: beginning, end, stored\n"
	"                               (default: auto.offset.reset), N (an offset),\n"
	"                               -N (N records before the end), s@MS (the\n"
	"                               first record at or after MS since the epoch)\n"
	"  --from-beginning             the same as -o beginning\n"
	"  -e, --exit-at-end            stop when every partition reached its end\n"
	"                               (with -G: every partition assigned to this\n"
	"                               member, committing first)\n"
	"  -c, --max-messages N         stop after N records\n"
	"  -f, --format FMT             kcat's format: %t topic, %p partition,\n"
	"                               %o offset, %k key, %s value, %h headers,\n"
	"                               %T timestamp, %K / %S key / value length,\n"
	"                               \\n \\t escapes (default: the value and \\n)\n"
	"  --property NAME=VALUE        the console consumer's: print.key,\n"
	"                               print.timestamp, print.partition,\n"
	"                               print.offset, print.headers, print.value,\n"
	"                               key.separator, line.separator,\n"
	"                               headers.separator, headers.key.separator\n"
	"  -J, --json                   one JSON object per record\n"
	"  -X, --consumer-property NAME=VALUE   any consumer property\n"
	"  -F, --consumer.config FILE   properties file\n"
	"  --progress                   a progress line a second on stderr (the\n"
	"                               default when stderr is a terminal)\n"
	"  -q, --quiet                  no progress, rebalances nor summary on stderr\n";

/* Parses -o: beginning, end, stored, N, -N, s@MS; -1 when it is none. */
static int consume_parse_offset(struct consume_opts *o, const char *s)
{
	long v;

	o->by_time = 0;
	if (!strcmp(s, "beginning"))
		o->offset = KFK_OFFSET_BEGINNING;
	else if (!strcmp(s, "end"))
		o->offset = KFK_OFFSET_END;
	else if (!strcmp(s, "stored"))
		o->offset = KFK_OFFSET_STORED;
	else if (!strncmp(s, "s@", 2) && !cli_parse_long(s + 2, 0, INT64_MAX, &v))
		o->offset = v, o->by_time = 1;
	else if (s[0] == '-' && !cli_parse_long(s + 1, 1, INT32_MAX, &v))
		o->offset = KFK_OFFSET_TAIL(v);
	else if (s[0] != '-' && !cli_parse_long(s, 0, INT64_MAX, &v))
		o->offset = v;
	else
		return -1;
	return 0;
}

/* Adds one -p; -1 (message printed) when it is bad or given twice. */
static int consume_add_partition(struct consume_opts *o, const char *arg)
{
	int32_t *grown;
	long v;
	int i;

	if (cli_parse_long(arg, 0, INT32_MAX, &v))
		return cli_err(CONSUME_CMD, "bad partition '%s'", arg), -1;
	for (i = 0; i < o->part_cnt; i++)
		if (o->parts[i] == v)
			return cli_err(CONSUME_CMD, "partition %ld given twice", v), -1;
	grown = realloc(o->parts, (size_t)(o->part_cnt + 1) * sizeof(*grown));
	if (!grown)
		return cli_err(CONSUME_CMD, "out of memory"), -1;
	o->parts = grown;
	o->parts[o->part_cnt++] = (int32_t)v;
	return 0;
}

enum {
	OPT_PARTITIONS = 256, OPT_FROM_BEGINNING, OPT_PROPERTY, OPT_PROGRESS,
	OPT_INCLUDE
};

/* Applies one option; -1 (message printed) on a bad one. */
static int consume_opt(struct consume_opts *o, kfk_conf *conf, int c,
                       const char *arg)
{
	switch (c) {
	case 'b': return cli_conf_set(conf, CONSUME_CMD, "bootstrap.servers", arg);
	case 't':
		o->topic = o->topic ? o->topic : arg;
		return consume_group_add_topic(o, arg);
	case 'G':
		o->group = arg;
		return cli_conf_set(conf, CONSUME_CMD, "group.id", arg);
	case OPT_INCLUDE: {
		char *pat = malloc(strlen(arg) + 2);

		if (!pat)
			return cli_err(CONSUME_CMD, "out of memory"), -1;
		sprintf(pat, "%s%s", arg[0] == '^' ? "" : "^", arg);
		o->include = pat;
		return consume_group_add_topic(o, pat);
	}
	case 'p': return consume_add_partition(o, arg);
	case OPT_PARTITIONS:
		if (cli_parse_long(arg, 1, INT32_MAX, &o->partitions))
			return cli_err(CONSUME_CMD, "bad partition count '%s'", arg), -1;
		return 0;
	case 'o':
		if (consume_parse_offset(o, arg))
			return cli_err(CONSUME_CMD, "bad offset '%s' (beginning, end, "
			               "stored, N, -N or s@MS)", arg), -1;
		return 0;
	case OPT_FROM_BEGINNING: o->offset = KFK_OFFSET_BEGINNING; return 0;
	case 'e': o->exit_eof = 1; return 0;
	case 'c':
		if (cli_parse_long(arg, 1, LONG_MAX, &o->max))
			return cli_err(CONSUME_CMD, "bad message count '%s'", arg), -1;
		return 0;
	case 'f': o->format = arg; return 0;
	case OPT_PROPERTY:
		o->console_set = 1;
		if (cfmt_console_property(&o->console, arg))
			return cli_err(CONSUME_CMD, "bad --property '%s'", arg), -1;
		return 0;
	case 'J': o->json = 1; return 0;
	case 'X': return cli_conf_set_arg(conf, CONSUME_CMD, arg);
	case 'F': return cli_conf_load(conf, CONSUME_CMD, arg);
	case 'q': o->quiet = 1; return 0;
	case OPT_PROGRESS: o->progress = 1; return 0;
	}
	return -1; /* getopt's '?' and ':' are told by consume_options() */
}

/* What getopt refused (it prints nothing: opterr is 0). */
static void consume_bad_option(int c, char **argv)
{
	const char *opt = argv[optind - 1];

	if (c == ':')
		cli_err(CONSUME_CMD, "option '%s' needs a value", opt);
	else if (optopt)
		cli_err(CONSUME_CMD, "unknown option '-%c'", optopt);
	else
		cli_err(CONSUME_CMD, "unknown option '%s'", opt);
	fputs("(kfk consume --help lists the options)\n", stderr);
}

/* With a group: topics, no partitions; -o only beginning or end (the
 * group's auto.offset.reset where nothing is committed). */
static int consume_check_group(const struct consume_opts *o)
{
	if (!o->topic_cnt)
		return cli_err(CONSUME_CMD, "a group needs topics (-t, "
		               "arguments or --include)"), -1;
	if (o->part_cnt || o->partitions)
		return cli_err(CONSUME_CMD, "with a group (-G) the group assigns "
		               "the partitions: no -p or --partitions"), -1;
	if (o->by_time || (o->offset != KFK_OFFSET_STORED &&
	                   o->offset != KFK_OFFSET_BEGINNING &&
	                   o->offset != KFK_OFFSET_END))
		return cli_err(CONSUME_CMD, "with a group -o is beginning or end "
		               "(where nothing is committed)"), -1;
	if ((o->json != 0) + (o->format != NULL) + (o->console_set != 0) > 1)
		return cli_err(CONSUME_CMD, "--json, -f and --property exclude "
		               "each other"), -1;
	return 0;
}

/* Checks what the options say together; -1 (message printed). */
static int consume_check(const struct consume_opts *o)
{
	if (o->group)
		return consume_check_group(o);
	if (o->topic_cnt > 1 || o->include)
		return cli_err(CONSUME_CMD, "several topics or --include need a "
		               "group (-G)"), -1;
	if (!o->topic)
		return cli_err(CONSUME_CMD, "--topic is required"), -1;
	if (o->part_cnt && o->partitions)
		return cli_err(CONSUME_CMD, "-p and --partitions exclude each other"), -1;
	/* the library has no partition-count lookup yet: the user says */
	if ((o->json != 0) + (o->format != NULL) + (o->console_set != 0) > 1)
		return cli_err(CONSUME_CMD, "--json, -f and --property exclude "
		               "each other"), -1;
	return 0;
}

/* Parses the command line into o and conf: 0, -1 (usage error, message
 * printed) or -2 (help shown). */
static int consume_options(int argc, char **argv, struct consume_opts *o,
                           kfk_conf *conf)
{
	static const struct option longopts[] = {
		CLI_LONGOPTS_TOPIC,
		{"partitions", required_argument, NULL, OPT_PARTITIONS},
		{"group", required_argument, NULL, 'G'},
		{"include", required_argument, NULL, OPT_INCLUDE},
		{"whitelist", required_argument, NULL, OPT_INCLUDE},
		{"offset", required_argument, NULL, 'o'},
		{"from-beginning", no_argument, NULL, OPT_FROM_BEGINNING},
		{"exit-at-end", no_argument, NULL, 'e'},
		{"max-messages", required_argument, NULL, 'c'},
		{"format", required_argument, NULL, 'f'},
		{"property", required_argument, NULL, OPT_PROPERTY},
		{"json", no_argument, NULL, 'J'},
		{"consumer-property", required_argument, NULL, 'X'},
		{"consumer.config", required_argument, NULL, 'F'},
		{"progress", no_argument, NULL, OPT_PROGRESS},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":b:t:p:o:ec:f:JX:F:qhG:", longopts,
	                        NULL)) != -1) {
		if (c == 'h')
			return fputs(consume_usage, stdout), -2;
		if (c == '?' || c == ':')
			return consume_bad_option(c, argv), -1;
		if (consume_opt(o, conf, c, optarg))
			return -1;
	}
	/* kcat -G GROUP TOPIC...: the topics follow the options. */
	for (; o->group && optind < argc; optind++)
		if (consume_group_add_topic(o, argv[optind]))
			return -1;
	if (optind < argc)
		return cli_err(CONSUME_CMD, "unexpected argument '%s'", argv[optind]), -1;
	return consume_check(o);
}

/* ---- the assignment ------------------------------------------------------ */

/* The partitions to read, each at o->offset (the timestamp with s@). */
static kfk_tplist *consume_tplist(const struct consume_opts *o)
{
	int i, n = o->part_cnt ? o->part_cnt : (int)o->partitions;
	kfk_tplist *l = kfk_tplist_new(n);

	for (i = 0; l && i < n; i++)
		if (kfk_tplist_add(l, o->topic, o->part_cnt ? o->parts[i] : i,
		                   o->offset) < 0) {
			kfk_tplist_destroy(l);
			return NULL;
		}
	return l;
}

/* s@MS: replaces each entry's timestamp with the first offset at or after
 * it; -1 (message printed) when a lookup fails. */
static int consume_offsets_for_times(kfk_consumer *c, kfk_tplist *l)
{
	kfk_err err = kfk_consumer_offsets_for_times(c, l, CONSUME_LOOKUP_MS);
	int i, rc = 0;

	if (err)
		return cli_err(CONSUME_CMD, "offsets for the time: %s",
		               kfk_err_str(err)), -1;
	for (i = 0; i < kfk_tplist_count(l); i++) {
		if (!(err = kfk_tplist_err(l, i)))
			continue;
		cli_err(CONSUME_CMD, "%s [%d]: no offset for the time: %s",
		        kfk_tplist_topic(l, i), (int)kfk_tplist_partition(l, i),
		        kfk_err_str(err));
		rc = -1;
	}
	return rc;
}

/* Without -p or --partitions: every partition the topic has. */
static int consume_all_partitions(kfk_consumer *c, struct consume_opts *o)
{
	int32_t n = 0;
	kfk_err err = kfk_consumer_partition_count(c, o->topic, &n,
	                                           CONSUME_LOOKUP_MS);

	if (err == KFK_ERR__TIMED_OUT)
		return cli_err(CONSUME_CMD, "topic %s: no metadata about it "
		               "within %d s: check bootstrap.servers (and the "
		               "warnings above)", o->topic,
		               CONSUME_LOOKUP_MS / 1000), -1;
	if (err)
		return cli_err(CONSUME_CMD, "topic %s: %s (%s)", o->topic,
		               kfk_err_str(err), kfk_err_name(err)), -1;
	o->partitions = n;
	return 0;
}

static int consume_assign(kfk_consumer *c, struct consume_state *st)
{
	kfk_err err;

	if (!st->o->part_cnt && !st->o->partitions &&
	    consume_all_partitions(c, st->o))
		return -1;
	st->assigned = consume_tplist(st->o);
	if (!st->assigned)
		return cli_err(CONSUME_CMD, "out of memory"), -1;
	st->at_end = calloc((size_t)kfk_tplist_count(st->assigned), 1);
	if (!st->at_end)
		return cli_err(CONSUME_CMD, "out of memory"), -1;
	if (st->o->by_time && consume_offsets_for_times(c, st->assigned))
		return -1;
	if ((err = kfk_consumer_assign(c, st->assigned)))
		return cli_err(CONSUME_CMD, "assign: %s", kfk_err_str(err)), -1;
	return 0;
}

/* ---- the read ------------------------------------------------------------ */

static double consume_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void consume_on_signal(int sig)
{
	(void)sig;
	consume_interrupted = 1;
}

/* Errors of no single partition; a fatal one ends the read. Called inside
 * poll, on this thread. */
static void consume_error_cb(void *opaque, const kfk_error *error)
{
	struct consume_state *st = opaque;

	cli_err(CONSUME_CMD, "%s%s", kfk_error_is_fatal(error) ? "fatal: "
	                             : kfk_error_code(error) ? "warning: " : "",
	        kfk_error_string(error));
	if (kfk_error_code(error) == KFK_ERR_NONE)
		return; /* trouble told before is over */
	st->errors++;
	if (kfk_error_is_fatal(error))
		st->fatal = 1;
}

/* Marks a partition as done for -e; each counts once. */
static void consume_mark_end(struct consume_state *st, const kfk_message *m)
{
	int i = kfk_tplist_find(st->assigned, kfk_message_topic(m),
	                        kfk_message_partition(m));

	if (i >= 0 && !st->at_end[i]) {
		st->at_end[i] = 1;
		st->ended++;
	}
}

/* Errors after which a partition makes no progress until something
 * changes outside this program: -e must not wait for their end. */
static int consume_err_stalls(kfk_err err)
{
	return err == KFK_ERR__AUTO_OFFSET_RESET ||
	       err == KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION ||
	       err == KFK_ERR__UNKNOWN_TOPIC || err == KFK_ERR__UNKNOWN_PARTITION ||
	       err == KFK_ERR_TOPIC_AUTHORIZATION_FAILED;
}

static void consume_error_msg(struct consume_state *st, const kfk_message *m)
{
	kfk_err err = kfk_message_err(m);
	const char *why = kfk_message_errstr(m);

	if (err == KFK_ERR__PARTITION_EOF) {
		consume_mark_end(st, m);
		return;
	}
	/* The consumer's texts name the topic and partition themselves. */
	cli_err(CONSUME_CMD, "%s", why && *why ? why : kfk_err_str(err));
	st->errors++;
	if (consume_err_stalls(err))
		consume_mark_end(st, m);
}

static void consume_record(struct consume_state *st, const kfk_message *m)
{
	size_t klen = 0, vlen = 0;

	kfk_message_key(m, &klen);
	kfk_message_value(m, &vlen);
	if (st->o->json)
		cfmt_print_json(stdout, m);
	else
		cfmt_print(stdout, &st->fmt, m);
	st->records++;
	st->tick_records++;
	st->bytes += klen + vlen;
	st->tick_bytes += klen + vlen;
}

static int consume_done(const struct consume_state *st)
{
	const struct consume_opts *o = st->o;

	return consume_interrupted || st->fatal ||
	       (o->max && st->records >= o->max) ||
	       (o->exit_eof && kfk_tplist_count(st->assigned) > 0 &&
	        st->ended == kfk_tplist_count(st->assigned));
}

/* The progress line, once a second, with the rates of that second. */
static void consume_tick(struct consume_state *st)
{
	double now = consume_now(), secs = now - st->t_tick;

	if (secs < 1.0)
		return;
	fprintf(stderr, "kfk consume: %.0f s: %ld records, %.0f records/s, "
	        "%.2f MB/s\n", now - st->t0, st->records, st->tick_records / secs,
	        (double)st->tick_bytes / secs / 1048576.0);
	st->t_tick = now;
	st->tick_records = 0;
	st->tick_bytes = 0;
}

/* How many messages the next poll may take: never past -c. */
static int consume_batch(const struct consume_state *st)
{
	long left = st->o->max ? st->o->max - st->records : CONSUME_BATCH;

	return left < CONSUME_BATCH ? (int)left : CONSUME_BATCH;
}

static void consume_loop(kfk_consumer *c, struct consume_state *st,
                         int progress)
{
	kfk_message *msgs[CONSUME_BATCH];
	int i, n;

	st->t0 = st->t_tick = consume_now();
	while (!consume_done(st)) {
		n = kfk_consumer_poll_batch(c, msgs, consume_batch(st),
		                            CONSUME_POLL_MS);
		/* Every record polled is printed, even after a signal: the
		 * consumer counts it as consumed, and closing commits past
		 * it (-c never polls more than it prints). */
		for (i = 0; i < n; i++) {
			if (kfk_message_err(msgs[i]))
				consume_error_msg(st, msgs[i]);
			else
				consume_record(st, msgs[i]);
			kfk_message_destroy(msgs[i]);
		}
		/* In a group, what the next poll lets the consumer commit
		 * must be out of this process first: at-least-once even
		 * when it is killed. */
		if (n && st->o->group)
			fflush(stdout);
		if (progress)
			consume_tick(st);
	}
}

/* ---- the command ---------------------------------------------------------- */

static void consume_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = consume_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* Compiles the record format the options ask for; -1 (message printed). */
static int consume_format(struct consume_state *st)
{
	char err[256];

	if (st->o->format) {
		if (cfmt_compile(&st->fmt, st->o->format, err, sizeof(err)))
			return cli_err(CONSUME_CMD, "%s", err), -1;
		return 0;
	}
	cfmt_from_console(&st->fmt, &st->o->console);
	return 0;
}

/* Creates the consumer, assigns and reads; the exit status. */
static int consume_run(struct consume_state *st, kfk_conf *conf)
{
	const struct consume_opts *o = st->o;
	kfk_consumer *c;
	char err[512];
	int progress = o->progress || (!o->quiet && isatty(STDERR_FILENO));

	kfk_conf_set_error_cb(conf, consume_error_cb);
	kfk_conf_set_opaque(conf, st);
	c = kfk_consumer_new(conf, err, sizeof(err));
	if (!c)
		return cli_err(CONSUME_CMD, "%s", err), 2;
	if (o->group ? consume_group_start(c, st) : consume_assign(c, st)) {
		kfk_consumer_destroy(c);
		return 1;
	}
	consume_signals();
	consume_loop(c, st, progress);
	kfk_consumer_close(c);
	kfk_consumer_destroy(c);
	if (fflush(stdout) || ferror(stdout))
		return cli_err(CONSUME_CMD, "cannot write the records"), 1;
	if (!o->quiet)
		fprintf(stderr, "kfk consume: %ld records, %ld errors\n", st->records,
		        st->errors);
	return st->errors || st->fatal ? 1 : 0;
}

int cli_consume(int argc, char **argv)
{
	struct consume_opts o;
	struct consume_state st;
	kfk_conf *conf = kfk_conf_new();
	int rc;

	memset(&o, 0, sizeof(o));
	memset(&st, 0, sizeof(st));
	o.offset = KFK_OFFSET_STORED;
	cfmt_console_defaults(&o.console);
	st.o = &o;
	if (!conf)
		return cli_err(CONSUME_CMD, "out of memory"), 2;
	rc = consume_options(argc, argv, &o, conf);
	if (!rc && o.exit_eof)
		rc = cli_conf_set(conf, CONSUME_CMD, "enable.partition.eof", "true");
	if (!rc && o.group && o.offset != KFK_OFFSET_STORED)
		rc = cli_conf_set(conf, CONSUME_CMD, "auto.offset.reset",
		                  o.offset == KFK_OFFSET_BEGINNING ? "earliest"
		                                                   : "latest");
	if (!rc)
		rc = consume_format(&st);
	if (!rc)
		rc = consume_run(&st, conf);
	else
		rc = rc == -2 ? 0 : 2;
	kfk_conf_destroy(conf);
	if (st.assigned)
		kfk_tplist_destroy(st.assigned);
	free(st.at_end);
	free(o.parts);
	free(o.topics);
	free(o.include);
	return rc;
}
