/* kfk consume's record formats: kcat's -f tokens and the console
 * consumer's print.* properties (see consume_fmt.h). */
#include "config.h"

#include "consume_fmt.h"

#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#include "cli.h"

static int cfmt_add(struct cfmt *f, enum cfmt_kind kind)
{
	if (f->n == CFMT_MAX_ITEMS)
		return -1;
	f->items[f->n].kind = kind;
	f->items[f->n].off = f->items[f->n].len = 0;
	f->n++;
	return 0;
}

/* Appends literal bytes, joining them to a literal just before. */
static int cfmt_add_text(struct cfmt *f, const char *s, size_t len)
{
	struct cfmt_item *last = f->n ? &f->items[f->n - 1] : NULL;

	if (f->text_len + len > CFMT_TEXT_MAX)
		return -1;
	if (!last || last->kind != CFMT_LITERAL) {
		if (cfmt_add(f, CFMT_LITERAL))
			return -1;
		last = &f->items[f->n - 1];
		last->off = f->text_len;
	}
	memcpy(f->text + f->text_len, s, len);
	f->text_len += len;
	last->len += len;
	return 0;
}

static void cfmt_init(struct cfmt *f, int console)
{
	memset(f, 0, sizeof(*f));
	f->null_text = console ? "null" : "";
	f->no_headers = console ? "NO_HEADERS" : "";
	strcpy(f->hdr_sep, ",");
	strcpy(f->hdr_kv_sep, console ? ":" : "=");
}

/* The item of a %-token, or -1 when c names none. */
static int cfmt_token(char c)
{
	static const char tokens[] = "tpokshTKS";
	static const enum cfmt_kind kinds[] = {
		CFMT_TOPIC, CFMT_PARTITION, CFMT_OFFSET, CFMT_KEY, CFMT_VALUE,
		CFMT_HEADERS, CFMT_TIMESTAMP, CFMT_KEY_LEN, CFMT_VALUE_LEN};
	const char *p = c ? strchr(tokens, c) : NULL;

	return p ? (int)kinds[p - tokens] : -1;
}

/* The byte a backslash escape stands for, or -1. */
static int cfmt_escape(char c)
{
	switch (c) {
	case 'n': return '\n';
	case 't': return '\t';
	case 'r': return '\r';
	case '\\': return '\\';
	}
	return -1;
}

int cfmt_compile(struct cfmt *f, const char *fmt, char *err, size_t err_size)
{
	const char *s;

	cfmt_init(f, 0);
	for (s = fmt; *s; s++) {
		int k, rc;
		char lit;

		if (*s == '%' && s[1] != '%') {
			if ((k = cfmt_token(s[1])) < 0) {
				snprintf(err, err_size, "unknown format token '%%%.1s' "
				         "(known: %%t %%p %%o %%k %%s %%h %%T %%K %%S %%%%)",
				         s + 1);
				return -1;
			}
			rc = cfmt_add(f, (enum cfmt_kind)k);
			s++;
		} else if (*s == '\\' && cfmt_escape(s[1]) >= 0) {
			lit = (char)cfmt_escape(*++s);
			rc = cfmt_add_text(f, &lit, 1);
		} else {
			rc = cfmt_add_text(f, s, 1);
			s += *s == '%'; /* "%%" */
		}
		if (rc) {
			snprintf(err, err_size, "format too long");
			return -1;
		}
	}
	return 0;
}

void cfmt_console_defaults(struct cfmt_console *cc)
{
	memset(cc, 0, sizeof(*cc));
	cc->value = 1;
	strcpy(cc->key_sep, "\t");
	strcpy(cc->line_sep, "\n");
	strcpy(cc->hdr_sep, ",");
	strcpy(cc->hdr_kv_sep, ":");
}

/* Sets a separator property from its value, C escapes expanded. */
static int cfmt_console_sep(char *dst, const char *value)
{
	if (!*value || strlen(value) >= 16)
		return -1;
	strcpy(dst, value);
	cli_unescape(dst);
	return 0;
}

/* Sets a print.* property: true or false, as the console consumer takes. */
static int cfmt_console_flag(int *dst, const char *value)
{
	if (strcmp(value, "true") && strcmp(value, "false"))
		return -1;
	*dst = !strcmp(value, "true");
	return 0;
}

int cfmt_console_property(struct cfmt_console *cc, const char *arg)
{
	static const struct { const char *name; size_t off; } flags[] = {
		{"print.key", offsetof(struct cfmt_console, key)},
		{"print.timestamp", offsetof(struct cfmt_console, timestamp)},
		{"print.partition", offsetof(struct cfmt_console, partition)},
		{"print.offset", offsetof(struct cfmt_console, offset)},
		{"print.headers", offsetof(struct cfmt_console, headers)},
		{"print.value", offsetof(struct cfmt_console, value)},
	}, seps[] = {
		{"key.separator", offsetof(struct cfmt_console, key_sep)},
		{"line.separator", offsetof(struct cfmt_console, line_sep)},
		{"headers.separator", offsetof(struct cfmt_console, hdr_sep)},
		{"headers.key.separator", offsetof(struct cfmt_console, hdr_kv_sep)},
	};
	const char *eq = strchr(arg, '=');
	size_t i, n = eq ? (size_t)(eq - arg) : 0;

	for (i = 0; eq && i < sizeof(flags) / sizeof(flags[0]); i++)
		if (strlen(flags[i].name) == n && !strncmp(arg, flags[i].name, n))
			return cfmt_console_flag((int *)((char *)cc + flags[i].off),
			                         eq + 1);
	for (i = 0; eq && i < sizeof(seps) / sizeof(seps[0]); i++)
		if (strlen(seps[i].name) == n && !strncmp(arg, seps[i].name, n))
			return cfmt_console_sep((char *)cc + seps[i].off, eq + 1);
	return -1;
}

void cfmt_from_console(struct cfmt *f, const struct cfmt_console *cc)
{
	const struct { int on; enum cfmt_kind kind; } fields[] = {
		{cc->timestamp, CFMT_TIMESTAMP_TYPED}, {cc->partition, CFMT_PARTITION},
		{cc->offset, CFMT_OFFSET}, {cc->headers, CFMT_HEADERS},
		{cc->key, CFMT_KEY}, {cc->value, CFMT_VALUE},
	};
	static const char *labels[] = {"", "Partition:", "Offset:", "", "", ""};
	size_t i, printed = 0;

	cfmt_init(f, 1);
	strcpy(f->hdr_sep, cc->hdr_sep);
	strcpy(f->hdr_kv_sep, cc->hdr_kv_sep);
	/* the separators and labels are short: they always fit */
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (!fields[i].on)
			continue;
		if (printed++)
			cfmt_add_text(f, cc->key_sep, strlen(cc->key_sep));
		cfmt_add_text(f, labels[i], strlen(labels[i]));
		cfmt_add(f, fields[i].kind);
	}
	cfmt_add_text(f, cc->line_sep, strlen(cc->line_sep));
}

/* ---- printing ----------------------------------------------------------- */

static void cfmt_bytes(FILE *out, const struct cfmt *f, const void *p,
                       size_t len)
{
	if (!p)
		fputs(f->null_text, out);
	else
		fwrite(p, 1, len, out);
}

int cfmt_header_get(const kfk_message *m, size_t i, struct cfmt_header *h)
{
	return kfk_message_header(m, i, &h->key, &h->key_len, &h->value,
	                          &h->value_len) ? -1 : 0;
}

static void cfmt_headers(FILE *out, const struct cfmt *f,
                         const kfk_message *m)
{
	struct cfmt_header h;
	size_t i;

	if (!kfk_message_header_count(m))
		fputs(f->no_headers, out);
	for (i = 0; !cfmt_header_get(m, i, &h); i++) {
		if (i)
			fputs(f->hdr_sep, out);
		fwrite(h.key, 1, h.key_len, out);
		fputs(f->hdr_kv_sep, out);
		cfmt_bytes(out, f, h.value, h.value_len);
	}
}

/* kcat's %T: milliseconds, -1 when the record has no timestamp. */
static void cfmt_timestamp(FILE *out, const kfk_message *m)
{
	enum kfk_timestamp_type type;
	int64_t ts = kfk_message_timestamp(m, &type);

	fprintf(out, "%" PRId64, type == KFK_TIMESTAMP_NONE ? (int64_t)-1 : ts);
}

static void cfmt_timestamp_typed(FILE *out, const kfk_message *m)
{
	enum kfk_timestamp_type type;
	int64_t ts = kfk_message_timestamp(m, &type);

	if (type == KFK_TIMESTAMP_NONE)
		fputs("NO_TIMESTAMP", out);
	else
		fprintf(out, "%s:%" PRId64,
		        type == KFK_TIMESTAMP_LOG_APPEND_TIME ? "LogAppendTime"
		                                              : "CreateTime",
		        ts);
}

/* The length of a key or value as kcat prints it: -1 for null. */
static long long cfmt_len(const void *p, size_t len)
{
	return p ? (long long)len : -1;
}

static void cfmt_item_print(FILE *out, const struct cfmt *f,
                            const struct cfmt_item *it, const kfk_message *m)
{
	const void *p;
	size_t len;

	switch (it->kind) {
	case CFMT_LITERAL: fwrite(f->text + it->off, 1, it->len, out); break;
	case CFMT_TOPIC: fputs(kfk_message_topic(m), out); break;
	case CFMT_PARTITION: fprintf(out, "%d", (int)kfk_message_partition(m)); break;
	case CFMT_OFFSET: fprintf(out, "%" PRId64, kfk_message_offset(m)); break;
	case CFMT_KEY:
		p = kfk_message_key(m, &len);
		cfmt_bytes(out, f, p, len);
		break;
	case CFMT_VALUE:
		p = kfk_message_value(m, &len);
		cfmt_bytes(out, f, p, len);
		break;
	case CFMT_HEADERS: cfmt_headers(out, f, m); break;
	case CFMT_TIMESTAMP: cfmt_timestamp(out, m); break;
	case CFMT_TIMESTAMP_TYPED: cfmt_timestamp_typed(out, m); break;
	case CFMT_KEY_LEN:
		p = kfk_message_key(m, &len);
		fprintf(out, "%lld", cfmt_len(p, len));
		break;
	case CFMT_VALUE_LEN:
		p = kfk_message_value(m, &len);
		fprintf(out, "%lld", cfmt_len(p, len));
		break;
	}
}

void cfmt_print(FILE *out, const struct cfmt *f, const kfk_message *m)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		cfmt_item_print(out, f, &f->items[i], m);
}
