/*
 * kfk produce: records from stdin or files, one per line, to a topic.
 *
 * Keys and headers are parsed the way Kafka's console producer does
 * (--property parse.key=true key.separator=..., parse.headers=true ...),
 * or kcat's way (-K SEP, -H name=value). --report prints where each record
 * landed (topic[partition]@offset); failures go to stderr; the exit status
 * is 1 when any record failed, 2 on a usage error.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define PRODUCE_MAX_HEADERS 64

struct produce_opts {
	const char *topic;
	int32_t partition;
	int parse_key, parse_headers, report, json, quiet;
	char key_sep[16], hdrs_delim[16], hdr_sep[16], hdr_kv_sep[16];
	const char *null_marker;
	kfk_header static_hdrs[PRODUCE_MAX_HEADERS];
	size_t static_hdr_cnt;
	int timeout_ms;
	char max_bytes[24];  /* message.max.bytes, for messages */
	char *fmt;           /* --report-format (unescaped copy), or NULL */
};

/* Failures counted by reason, for the summary ("timed out: 3"). */
#define PRODUCE_REASONS 8

struct produce_stats {
	long sent, delivered, failed;
	int report, json;
	const char *fmt;     /* --report-format, or NULL */
	const char *reason[PRODUCE_REASONS];
	long reason_n[PRODUCE_REASONS];
};

/* One more failure for reason (a static string). */
static void produce_failed(struct produce_stats *st, const char *reason)
{
	int i;

	st->failed++;
	for (i = 0; i < PRODUCE_REASONS && st->reason[i]; i++)
		if (!strcmp(st->reason[i], reason))
			break;
	if (i == PRODUCE_REASONS)
		i--; /* the last slot takes whatever does not fit */
	st->reason[i] = reason;
	st->reason_n[i]++;
}

/* What the summary calls a delivery error. */
static const char *produce_reason(kfk_err err)
{
	switch (err) {
	case KFK_ERR__PURGED:
	case KFK_ERR__MSG_TIMED_OUT:
		return "timed out";
	case KFK_ERR__MSG_SIZE_TOO_LARGE:
	case KFK_ERR_MESSAGE_TOO_LARGE:
	case KFK_ERR_RECORD_LIST_TOO_LARGE:
		return "too large";
	case KFK_ERR__UNKNOWN_TOPIC:
		return "unknown topic";
	default:
		return kfk_err_name(err);
	}
}

static const char produce_usage[] =
	"usage: kfk produce -b HOST:PORT -t TOPIC [options] [FILE...]\n"
	"Reads records, one per line, from the FILEs or stdin (-) and sends them.\n"
	"  -b, --bootstrap-server LIST  brokers (host:port,...)\n"
	"  -t, --topic TOPIC            the topic\n"
	"  -p, --partition N            this partition (default: the partitioner)\n"
	"  -K SEP                       lines are KEY SEP VALUE\n"
	"  -H NAME=VALUE                add this header to every record (repeatable)\n"
	"  --property NAME=VALUE        console-producer parsing: parse.key,\n"
	"                               key.separator (default \\t), parse.headers,\n"
	"                               headers.delimiter (\\t), headers.separator (,),\n"
	"                               headers.key.separator (:), null.marker\n"
	"  -X, --producer-property NAME=VALUE   any producer property\n"
	"  -F, --producer.config FILE   properties file\n"
	"  -r, --report                 print topic[partition]@offset per record\n"
	"  --report-format FMT          a report per record, failures too: %t topic,\n"
	"                               %p partition, %o offset, %k key, %l input\n"
	"                               line, %T timestamp, %E error name, %%, \\n\n"
	"  -J, --json                   a report per record as a JSON object\n"
	"                               (line, topic, partition, offset,\n"
	"                               timestamp, error), failures too\n"
	"  -T, --timeout MS             wait at most MS for deliveries at the end\n"
	"  -q, --quiet                  no summary on stderr\n";

/* A record's opaque with --report-format: its line and key. */
struct produce_ref {
	long line;
	size_t key_len;
	int has_key;
	char key[];
};

static struct produce_ref *produce_ref_new(long line, const kfk_record *rec)
{
	struct produce_ref *r = malloc(sizeof(*r) + rec->key_len + 1);

	if (!r)
		return NULL;
	r->line = line;
	r->has_key = rec->key != NULL;
	r->key_len = rec->key ? rec->key_len : 0;
	if (rec->key)
		memcpy(r->key, rec->key, rec->key_len);
	return r;
}

/* One report in the --report-format. */
static void produce_print_fmt(const char *f, const kfk_delivery *d,
                              const struct produce_ref *r)
{
	for (; *f; f++) {
		if (*f != '%' || !f[1]) {
			putchar(*f);
			continue;
		}
		switch (*++f) {
		case 't': fputs(d->topic, stdout); break;
		case 'p': printf("%d", d->partition); break;
		case 'o': printf("%lld", (long long)d->offset); break;
		case 'T': printf("%lld", (long long)d->timestamp); break;
		case 'l': printf("%ld", r->line); break;
		case 'k': fwrite(r->key, 1, r->key_len, stdout); break;
		case 'E': fputs(kfk_err_name(d->err), stdout); break;
		default: putchar(*f); break; /* %% and unknown: the char */
		}
	}
}

static void produce_delivery(kfk_producer *p, const kfk_delivery *d,
                             void *opaque)
{
	struct produce_stats *st = opaque;
	struct produce_ref *ref = st->fmt ? d->opaque : NULL;
	long line = ref ? ref->line : (long)(intptr_t)d->opaque;

	if (ref) {
		produce_print_fmt(st->fmt, d, ref);
		free(ref);
	}

	if (st->json) /* topic names are [a-zA-Z0-9._-]: nothing to escape */
		printf("{\"line\":%ld,\"topic\":\"%s\",\"partition\":%d,"
		       "\"offset\":%lld,\"timestamp\":%lld,\"error\":%s%s%s}\n",
		       line, d->topic, d->partition, (long long)d->offset,
		       (long long)d->timestamp, d->err ? "\"" : "",
		       d->err ? kfk_err_name(d->err) : "null", d->err ? "\"" : "");
	if (d->err) {
		produce_failed(st, produce_reason(d->err));
		/* Records purged at the end of -T are summed up once. */
		if (d->err != KFK_ERR__PURGED)
			fprintf(stderr, "kfk produce: record %ld to %s[%d] failed: "
			        "%s (%s)\n", line, d->topic, d->partition,
			        kfk_err_str(d->err), kfk_err_name(d->err));
		return;
	}
	st->delivered++;
	if (st->report && !st->json && !st->fmt)
		printf("%s[%d]@%lld\n", d->topic, d->partition, (long long)d->offset);
}

/* Applies one --property NAME=VALUE of the console producer's. */
static int produce_property(struct produce_opts *o, const char *arg)
{
	static const struct { const char *name; size_t off; } seps[] = {
		{"key.separator=", offsetof(struct produce_opts, key_sep)},
		{"headers.delimiter=", offsetof(struct produce_opts, hdrs_delim)},
		{"headers.separator=", offsetof(struct produce_opts, hdr_sep)},
		{"headers.key.separator=", offsetof(struct produce_opts, hdr_kv_sep)},
	};
	size_t i;

	for (i = 0; i < sizeof(seps) / sizeof(seps[0]); i++) {
		size_t n = strlen(seps[i].name);
		if (!strncmp(arg, seps[i].name, n)) {
			char *dst = (char *)o + seps[i].off;
			snprintf(dst, 16, "%s", arg + n);
			cli_unescape(dst);
			return dst[0] ? 0 : -1;
		}
	}
	if (!strncmp(arg, "parse.key=", 10))
		o->parse_key = !strcmp(arg + 10, "true");
	else if (!strncmp(arg, "parse.headers=", 14))
		o->parse_headers = !strcmp(arg + 14, "true");
	else if (!strncmp(arg, "null.marker=", 12))
		o->null_marker = arg + 12;
	else
		return -1;
	return 0;
}

static int produce_static_header(struct produce_opts *o, char *arg)
{
	char *eq = strchr(arg, '=');

	if (o->static_hdr_cnt == PRODUCE_MAX_HEADERS)
		return -1;
	o->static_hdrs[o->static_hdr_cnt].key = arg;
	o->static_hdrs[o->static_hdr_cnt].value = eq ? eq + 1 : NULL;
	o->static_hdrs[o->static_hdr_cnt].value_len = eq ? strlen(eq + 1) : 0;
	if (eq)
		*eq = '\0';
	o->static_hdr_cnt++;
	return 0;
}

/* Splits "k1:v1,k2:v2" into hdrs after the static ones; -1 on too many. */
static int produce_parse_headers(const struct produce_opts *o, char *s,
                                 kfk_header *hdrs, size_t *cnt)
{
	char *save = NULL, *h;

	for (h = strtok_r(s, o->hdr_sep, &save); h;
	     h = strtok_r(NULL, o->hdr_sep, &save)) {
		char *kv = strstr(h, o->hdr_kv_sep);
		if (*cnt == PRODUCE_MAX_HEADERS)
			return -1;
		hdrs[*cnt].key = h;
		hdrs[*cnt].value = kv ? kv + strlen(o->hdr_kv_sep) : NULL;
		hdrs[*cnt].value_len = kv ? strlen(kv + strlen(o->hdr_kv_sep)) : 0;
		if (kv)
			*kv = '\0';
		if (o->null_marker && hdrs[*cnt].value &&
		    !strcmp(hdrs[*cnt].value, o->null_marker))
			hdrs[*cnt].value = NULL;
		(*cnt)++;
	}
	return 0;
}

/* Turns one line into rec (pointing into line); -1 when it is malformed. */
static int produce_parse_line(const struct produce_opts *o, char *line,
                              kfk_record *rec, kfk_header *hdrs)
{
	size_t cnt = o->static_hdr_cnt;
	char *body = line;

	memcpy(hdrs, o->static_hdrs, cnt * sizeof(*hdrs));
	if (o->parse_headers) {
		char *d = strstr(line, o->hdrs_delim);
		if (!d)
			return -1;
		*d = '\0';
		body = d + strlen(o->hdrs_delim);
		if (produce_parse_headers(o, line, hdrs, &cnt))
			return -1;
	}
	rec->key = NULL;
	rec->key_len = 0;
	if (o->parse_key) {
		char *sep = strstr(body, o->key_sep);
		if (!sep)
			return -1;
		*sep = '\0';
		rec->key = body;
		rec->key_len = strlen(body);
		body = sep + strlen(o->key_sep);
		if (o->null_marker && !strcmp(rec->key, o->null_marker))
			rec->key = NULL;
	}
	rec->value = o->null_marker && !strcmp(body, o->null_marker) ? NULL : body;
	rec->value_len = rec->value ? strlen(body) : 0;
	rec->headers = cnt ? hdrs : NULL;
	rec->header_cnt = cnt;
	return 0;
}

/* Says why kfk_produce() refused the record of line lineno, naming the
 * limit that applies. */
static void produce_refused(const struct produce_opts *o,
                            const kfk_record *rec, kfk_err err, long lineno)
{
	size_t bytes = rec->key_len + rec->value_len;

	if (err == KFK_ERR__MSG_SIZE_TOO_LARGE)
		cli_err("produce", "line %ld: the record (%zu bytes of key and "
		        "value) is larger than message.max.bytes (%s): raise it "
		        "with -X message.max.bytes=N (the topic's max.message.bytes "
		        "bounds it on the broker)", lineno, bytes, o->max_bytes);
	else
		cli_err("produce", "line %ld: %s (%s)", lineno, kfk_err_str(err),
		        kfk_err_name(err));
}

/* Produces rec, polling while the queue is full. */
static kfk_err produce_one(kfk_producer *p, const kfk_record *rec)
{
	kfk_err err;

	while ((err = kfk_produce_record(p, rec)) == KFK_ERR__QUEUE_FULL)
		kfk_producer_poll(p, 100);
	return err;
}

static void produce_stream(kfk_producer *p, const struct produce_opts *o,
                           FILE *in, struct produce_stats *st, long *lineno)
{
	static kfk_header hdrs[PRODUCE_MAX_HEADERS];
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	while ((n = getline(&line, &cap, in)) >= 0) {
		kfk_record rec = KFK_RECORD_INIT;
		kfk_err err;

		++*lineno;
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		rec.topic = o->topic;
		rec.partition = o->partition;
		rec.opaque = (void *)(intptr_t)*lineno;
		if (produce_parse_line(o, line, &rec, hdrs)) {
			cli_err("produce", "line %ld: malformed (no separator?)", *lineno);
			produce_failed(st, "malformed");
			continue;
		}
		if (o->fmt)
			rec.opaque = produce_ref_new(*lineno, &rec);
		err = produce_one(p, &rec);
		if (err) {
			if (o->fmt)
				free(rec.opaque);
			produce_refused(o, &rec, err, *lineno);
			produce_failed(st, produce_reason(err));
			continue;
		}
		st->sent++;
		kfk_producer_poll(p, 0);
	}
	free(line);
}

/* Parses the command line into o and conf; returns the index of the first
 * file argument, or -1 (usage error, message printed), -2 (help shown). */
static int produce_options(int argc, char **argv, struct produce_opts *o,
                           kfk_conf *conf)
{
	static const struct option longopts[] = {
		CLI_LONGOPTS_TOPIC,
		{"property", required_argument, NULL, 'P'},
		{"producer-property", required_argument, NULL, 'X'},
		{"producer.config", required_argument, NULL, 'F'},
		{"report", no_argument, NULL, 'r'},
		{"report-format", required_argument, NULL, 'R'},
		{"json", no_argument, NULL, 'J'},
		{"timeout", required_argument, NULL, 'T'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	long v;
	int c;

	while ((c = getopt_long(argc, argv, "b:t:p:K:H:X:F:rJT:qh", longopts,
	                        NULL)) != -1) {
		switch (c) {
		case 'b':
			if (cli_conf_set(conf, "produce", "bootstrap.servers", optarg))
				return -1;
			break;
		case 't': o->topic = optarg; break;
		case 'p':
			if (cli_parse_long(optarg, 0, INT32_MAX, &v))
				return cli_err("produce", "bad partition '%s'", optarg), -1;
			o->partition = (int32_t)v;
			break;
		case 'K':
			snprintf(o->key_sep, sizeof(o->key_sep), "%s", optarg);
			cli_unescape(o->key_sep);
			o->parse_key = 1;
			break;
		case 'H':
			if (produce_static_header(o, optarg))
				return cli_err("produce", "too many -H headers"), -1;
			break;
		case 'P':
			if (produce_property(o, optarg))
				return cli_err("produce", "bad --property '%s'", optarg), -1;
			break;
		case 'X':
			if (cli_conf_set_arg(conf, "produce", optarg))
				return -1;
			break;
		case 'F':
			if (cli_conf_load(conf, "produce", optarg))
				return -1;
			break;
		case 'r': o->report = 1; break;
		case 'R':
			free(o->fmt);
			o->fmt = strdup(optarg);
			if (!o->fmt)
				return -1;
			cli_unescape(o->fmt);
			break;
		case 'J': o->json = 1; break;
		case 'T':
			if (cli_parse_long(optarg, -1, INT32_MAX, &v))
				return cli_err("produce", "bad timeout '%s'", optarg), -1;
			o->timeout_ms = (int)v;
			break;
		case 'q': o->quiet = 1; break;
		case 'h': fputs(produce_usage, stdout); return -2;
		default: fputs(produce_usage, stderr); return -1;
		}
	}
	if (!o->topic)
		return cli_err("produce", "--topic is required"), -1;
	if (!o->topic[0])
		return cli_err("produce", "the topic name is empty: give -t TOPIC"),
		       -1;
	return optind;
}

static void produce_defaults(struct produce_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->partition = KFK_PARTITION_ANY;
	o->timeout_ms = -1;
	strcpy(o->key_sep, "\t");
	strcpy(o->hdrs_delim, "\t");
	strcpy(o->hdr_sep, ",");
	strcpy(o->hdr_kv_sep, ":");
}

/* Produces from every input; returns -1 when an input cannot be opened. */
static int produce_inputs(kfk_producer *p, const struct produce_opts *o,
                          int argc, char **argv, int first,
                          struct produce_stats *st)
{
	long lineno = 0;
	int i, rc = 0;

	if (first >= argc)
		produce_stream(p, o, stdin, st, &lineno);
	for (i = first; i < argc; i++) {
		FILE *f = strcmp(argv[i], "-") ? fopen(argv[i], "r") : stdin;
		if (!f) {
			cli_err("produce", "%s: cannot open: %s", argv[i], strerror(errno));
			rc = -1;
			continue;
		}
		produce_stream(p, o, f, st, &lineno);
		if (f != stdin)
			fclose(f);
	}
	return rc;
}

/* Trouble of the producer as a whole (a broker refusing our certificate
 * or password, a fatal error): said while we wait, as it happens. Called
 * inside poll and flush, on this thread. */
static void produce_error_cb(void *opaque, const kfk_error *error)
{
	(void)opaque;
	cli_err("produce", "%s%s", kfk_error_is_fatal(error) ? "fatal: "
	                           : kfk_error_code(error) ? "warning: " : "",
	        kfk_error_string(error));
}

/* Waits for the reports; what -T leaves undelivered fails (purged) and
 * is counted as timed out. */
static void produce_finish(kfk_producer *p, const struct produce_opts *o)
{
	int n;

	if (kfk_producer_flush(p, o->timeout_ms) == KFK_ERR_NONE)
		return;
	n = kfk_producer_purge(p, KFK_PURGE_QUEUED | KFK_PURGE_INFLIGHT);
	cli_err("produce", "%d records not delivered within -T %d ms: given up "
	        "(raise -T, or check the warnings above)", n, o->timeout_ms);
	kfk_producer_flush(p, 1000); /* serves the purged reports */
}

/* "1 sent, 0 delivered, 1 failed (timed out: 1)". */
static void produce_summary(const struct produce_stats *st)
{
	int i;

	fprintf(stderr, "kfk produce: %ld sent, %ld delivered, %ld failed",
	        st->sent, st->delivered, st->failed);
	for (i = 0; i < PRODUCE_REASONS && st->reason[i]; i++)
		fprintf(stderr, "%s%s: %ld", i ? ", " : " (", st->reason[i],
		        st->reason_n[i]);
	fprintf(stderr, "%s\n", i ? ")" : "");
}

int cli_produce(int argc, char **argv)
{
	struct produce_opts o;
	struct produce_stats st;
	kfk_conf *conf = kfk_conf_new();
	kfk_producer *p;
	char err[512];
	int first, rc;

	memset(&st, 0, sizeof(st));
	produce_defaults(&o);
	first = produce_options(argc, argv, &o, conf);
	if (first < 0) {
		kfk_conf_destroy(conf);
		free(o.fmt);
		return first == -2 ? 0 : 2;
	}
	st.report = o.report;
	st.json = o.json;
	st.fmt = o.fmt;
	{
		size_t sz = sizeof(o.max_bytes);

		kfk_conf_get(conf, "message.max.bytes", o.max_bytes, &sz);
	}
	kfk_conf_set_delivery_cb(conf, produce_delivery);
	kfk_conf_set_error_cb(conf, produce_error_cb);
	kfk_conf_set_opaque(conf, &st);
	p = kfk_producer_new(conf, err, sizeof(err));
	kfk_conf_destroy(conf);
	if (!p) {
		free(o.fmt);
		return cli_err("produce", "%s", err), 2;
	}
	rc = produce_inputs(p, &o, argc, argv, first, &st);
	produce_finish(p, &o);
	kfk_producer_destroy(p);
	free(o.fmt);
	if (!o.quiet)
		produce_summary(&st);
	return rc || st.failed || st.delivered != st.sent ? 1 : 0;
}
