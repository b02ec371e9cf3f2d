/*
 * Helpers of the producer's integration tests (test_producer_util.h).
 */
#include "config.h"

#include "test_producer_util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "../kt.h"

void pt_reports_init(struct pt_reports *r, int n)
{
	memset(r, 0, sizeof(*r));
	r->n = n;
	r->count = calloc((size_t)n, sizeof(*r->count));
	r->err = calloc((size_t)n, sizeof(*r->err));
	r->partition = calloc((size_t)n, sizeof(*r->partition));
	r->offset = calloc((size_t)n, sizeof(*r->offset));
	r->timestamp = calloc((size_t)n, sizeof(*r->timestamp));
	r->at_ms = calloc((size_t)n, sizeof(*r->at_ms));
	KT_ASSERT(r->count && r->err && r->partition && r->offset &&
	          r->timestamp && r->at_ms);
}

void pt_reports_free(struct pt_reports *r)
{
	free(r->count);
	free(r->err);
	free(r->partition);
	free(r->offset);
	free(r->timestamp);
	free(r->at_ms);
}

void pt_delivery_cb(kfk_producer *p, const kfk_delivery *d, void *opaque)
{
	struct pt_reports *r = opaque;
	intptr_t i = (intptr_t)d->opaque - 1;

	(void)p;
	r->total++;
	if (i < 0 || i >= r->n) {
		r->bad_opaque++;
		return;
	}
	r->count[i]++;
	r->err[i] = d->err;
	r->partition[i] = d->partition;
	r->offset[i] = d->offset;
	r->timestamp[i] = d->timestamp;
	r->at_ms[i] = kt_now_ms();
}

static kfk_producer *producer_v(const char *bootstrap, struct pt_reports *r,
                                kfk_log_cb *log_cb, va_list ap)
{
	char err[512];
	kfk_conf *conf = kfk_conf_new();
	kfk_producer *p;
	const char *k;

	KT_ASSERT(conf != NULL);
	KT_ASSERT_MSG(!kfk_conf_set(conf, "bootstrap.servers", bootstrap, err,
	                            sizeof(err)), "%s", err);
	if (getenv("KFK_TEST_DEBUG"))
		kfk_conf_set(conf, "debug", getenv("KFK_TEST_DEBUG"), err,
		             sizeof(err));
	while ((k = va_arg(ap, const char *)) != NULL) {
		const char *v = va_arg(ap, const char *);
		KT_ASSERT_MSG(!kfk_conf_set(conf, k, v, err, sizeof(err)),
		              "%s", err);
	}
	kfk_conf_set_delivery_cb(conf, pt_delivery_cb);
	if (log_cb)
		kfk_conf_set_log_cb(conf, log_cb);
	kfk_conf_set_opaque(conf, r);
	p = kfk_producer_new(conf, err, sizeof(err));
	kfk_conf_destroy(conf);
	KT_ASSERT_MSG(p != NULL, "kfk_producer_new: %s", err);
	return p;
}

kfk_producer *pt_producer(const char *bootstrap, struct pt_reports *r, ...)
{
	kfk_producer *p;
	va_list ap;

	va_start(ap, r);
	p = producer_v(bootstrap, r, NULL, ap);
	va_end(ap);
	return p;
}

kfk_producer *pt_producer_logged(const char *bootstrap, struct pt_reports *r,
                                 kfk_log_cb *log_cb, ...)
{
	kfk_producer *p;
	va_list ap;

	va_start(ap, log_cb);
	p = producer_v(bootstrap, r, log_cb, ap);
	va_end(ap);
	return p;
}

int pt_wait_reports(kfk_producer *p, struct pt_reports *r, int want,
                    int timeout_ms)
{
	int64_t deadline = kt_now_ms() + timeout_ms;

	while (r->total < want && kt_now_ms() < deadline)
		kfk_producer_poll(p, 100);
	return r->total;
}

/* ------------------------------------------------------------------ */
/* Reading back                                                        */
/* ------------------------------------------------------------------ */

static int unhex(const char *s, char **out)
{
	size_t n, i;
	char *b;

	if (strcmp(s, "-") == 0) {
		*out = NULL;
		return -1;
	}
	if (strcmp(s, "=") == 0)
		s = "";
	n = strlen(s) / 2;
	b = malloc(n + 1);
	KT_ASSERT(b != NULL);
	for (i = 0; i < n; i++) {
		unsigned v;
		KT_ASSERT(sscanf(s + 2 * i, "%2x", &v) == 1);
		b[i] = (char)v;
	}
	b[n] = 0;
	*out = b;
	return (int)n;
}

static struct pt_rec *topic_add(struct pt_topic *t, int *cap)
{
	if (t->n == *cap) {
		*cap = *cap ? *cap * 2 : 1024;
		t->v = realloc(t->v, (size_t)*cap * sizeof(*t->v));
		KT_ASSERT(t->v != NULL);
	}
	memset(&t->v[t->n], 0, sizeof(t->v[0]));
	return &t->v[t->n++];
}

static void parse_readback_line(struct pt_topic *t, int *cap, char *line)
{
	char key[1 << 16], val[1 << 16], hdr[1 << 12];
	struct pt_rec *r = topic_add(t, cap);
	long long off, ts;
	int part;

	KT_ASSERT_MSG(sscanf(line, "%d %lld %lld %65535s %65535s %4095s", &part,
	                     &off, &ts, key, val, hdr) == 6,
	              "bad readback line: %.80s", line);
	r->partition = part;
	r->offset = off;
	r->timestamp = ts;
	r->key_len = unhex(key, &r->key);
	r->value_len = unhex(val, &r->value);
	r->headers = strdup(hdr);
}

typedef void (*line_parser)(struct pt_topic *t, int *cap, char *line);

/* Runs cmd, parsing every line it prints into out; returns its exit
 * status (128 + the signal when one ended it). */
static int read_lines(const char *cmd, line_parser parse, struct pt_topic *out)
{
	char *line = NULL;
	size_t lcap = 0;
	int cap = 0, st;
	FILE *f;

	memset(out, 0, sizeof(*out));
	fflush(stdout);
	f = popen(cmd, "r");
	KT_ASSERT(f != NULL);
	while (getline(&line, &lcap, f) > 0)
		parse(out, &cap, line);
	free(line);
	st = pclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int pt_readback_cmd(const char *cmd, struct pt_topic *out)
{
	return read_lines(cmd, parse_readback_line, out);
}

int pt_readback_python(const char *bootstrap, const char *topic, int nparts,
                       struct pt_topic *out)
{
	char cmd[2048];
	int st;

	snprintf(cmd, sizeof(cmd),
	         "/usr/bin/python3 %s/tests/integration/readback.py '%s' '%s' %d "
	         "%d", getenv("KFK_SRCDIR") ? getenv("KFK_SRCDIR") : ".",
	         bootstrap, topic, nparts, PT_WAIT_MS / 1000);
	st = pt_readback_cmd(cmd, out);
	if (st == 3)
		return -1;
	KT_ASSERT_MSG(st == 0, "readback.py failed (status %d)", st);
	return 0;
}

/* kcat's line: "partition offset timestamp keylen valuelen key|value". */
static void parse_kcat_line(struct pt_topic *t, int *cap, char *line)
{
	struct pt_rec *r = topic_add(t, cap);
	long long off, ts;
	int part, klen, vlen, used = 0;

	KT_ASSERT_MSG(sscanf(line, "%d %lld %lld %d %d %n", &part, &off, &ts,
	                     &klen, &vlen, &used) == 5 && used > 0,
	              "bad kcat line: %.80s", line);
	r->partition = part;
	r->offset = off;
	r->timestamp = ts;
	r->key_len = klen;
	r->value_len = vlen;
	line += used;
	if (klen >= 0) {
		r->key = strndup(line, (size_t)klen);
		line += klen;
	}
	KT_ASSERT(*line == '|');
	line++;
	if (vlen >= 0)
		r->value = strndup(line, (size_t)vlen);
}

int pt_readback_kcat(const char *bootstrap, const char *topic,
                     struct pt_topic *out)
{
	char cmd[2048];
	int st;

	memset(out, 0, sizeof(*out));
	if (system("command -v kcat >/dev/null 2>&1") != 0)
		kt_skip("kcat missing (Debian kcat)");
	snprintf(cmd, sizeof(cmd),
	         "timeout %d kcat -b '%s' -C -t '%s' -o beginning -e -q "
	         "-f '%%p %%o %%T %%K %%S %%k|%%s\\n'", PT_WAIT_MS / 1000,
	         bootstrap, topic);
	st = read_lines(cmd, parse_kcat_line, out);
	KT_ASSERT_MSG(st == 0, "kcat failed (status %d)", st);
	return 0;
}

void pt_topic_free(struct pt_topic *t)
{
	int i;

	for (i = 0; i < t->n; i++) {
		free(t->v[i].key);
		free(t->v[i].value);
		free(t->v[i].headers);
	}
	free(t->v);
	memset(t, 0, sizeof(*t));
}

bool pt_python_has(const char *module)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd),
	         "/usr/bin/python3 -c 'import %s' >/dev/null 2>&1", module);
	return system(cmd) == 0;
}
