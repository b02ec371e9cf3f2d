/*
 * Java-style .properties files (java.util.Properties.load): a pure parser
 * over a buffer, kept apart from the file reading so tests can feed it
 * text, and kfk_conf_load_file on top of both.
 *
 * The parser works on logical lines: physical lines joined where one ends
 * in an odd number of backslashes. Escapes stay in the logical line until
 * the key and value are split, so an escaped '=', ':' or blank is part of
 * the key, as in Java.
 */
#include "config.h"
#include "client/conf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/props.h"

struct pf_reader {
	const char *p, *end;
	int line; /* number of the physical line last read */
};

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\f';
}

/* The next physical line, without its terminator (\n, \r\n or \r).
 * Returns 0 at the end of the text. */
static int next_line(struct pf_reader *r, const char **s, size_t *n)
{
	const char *b = r->p;
	if (r->p >= r->end)
		return 0;
	while (r->p < r->end && *r->p != '\n' && *r->p != '\r')
		r->p++;
	*s = b;
	*n = (size_t)(r->p - b);
	if (r->p < r->end && *r->p == '\r' && r->p + 1 < r->end && r->p[1] == '\n')
		r->p++;
	if (r->p < r->end)
		r->p++;
	r->line++;
	return 1;
}

static void skip_blanks(const char **s, size_t *n)
{
	while (*n > 0 && is_blank(**s)) {
		(*s)++;
		(*n)--;
	}
}

/* An odd number of trailing backslashes: the last one joins the lines. */
static int continues(const char *s, size_t n)
{
	size_t k = 0;
	while (k < n && s[n - 1 - k] == '\\')
		k++;
	return k % 2 == 1;
}

/* Reads the next logical line into buf (big enough for the whole text),
 * skipping blank and comment lines; *first is its first physical line.
 * Returns 0 at the end of the text. */
static int read_logical(struct pf_reader *r, char *buf, size_t *n, int *first)
{
	const char *s;
	size_t len;
	do {
		if (!next_line(r, &s, &len))
			return 0;
		skip_blanks(&s, &len);
	} while (len == 0 || *s == '#' || *s == '!');
	*first = r->line;
	*n = 0;
	for (;;) {
		int more = continues(s, len);
		memcpy(buf + *n, s, len - (size_t)more);
		*n += len - (size_t)more;
		if (!more || !next_line(r, &s, &len))
			break;
		skip_blanks(&s, &len);
	}
	buf[*n] = '\0';
	return 1;
}

static int hex4(const char *s, size_t n, unsigned *v)
{
	size_t i;
	*v = 0;
	if (n < 4)
		return 0;
	for (i = 0; i < 4; i++) {
		char c = s[i];
		unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
		             : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
		             : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
		                                    : 16u;
		if (d == 16)
			return 0;
		*v = *v * 16 + d;
	}
	return 1;
}

static size_t put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Decodes the \uXXXX at s[0..n) (s points after "\u"), with the second half
 * of a surrogate pair when needed. Returns the input consumed, 0 if bad. */
static size_t unicode_escape(const char *s, size_t n, char *o, size_t *olen)
{
	unsigned cp, lo;
	if (!hex4(s, n, &cp) || cp == 0 || (cp >= 0xdc00 && cp <= 0xdfff))
		return 0;
	if (cp < 0xd800 || cp > 0xdbff) {
		*olen = put_utf8(o, cp);
		return 4;
	}
	if (n < 10 || s[4] != '\\' || s[5] != 'u' || !hex4(s + 6, n - 6, &lo) ||
	    lo < 0xdc00 || lo > 0xdfff)
		return 0;
	*olen = put_utf8(o, 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00));
	return 10;
}

/* Unescapes s[0..n) into o (never longer than n) and NUL-terminates it.
 * Returns 0 on a bad \u escape. */
static int unescape(const char *s, size_t n, char *o)
{
	size_t i = 0, used, olen;
	while (i < n) {
		if (s[i] != '\\' || i + 1 == n) {
			*o++ = s[i++];
			continue;
		}
		i += 2;
		switch (s[i - 1]) {
		case 't': *o++ = '\t'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 'f': *o++ = '\f'; break;
		case 'u':
			if (!(used = unicode_escape(s + i, n - i, o, &olen)))
				return 0;
			i += used;
			o += olen;
			break;
		default: *o++ = s[i - 1]; break; /* \\ \= \: \# \! \<blank> ... */
		}
	}
	*o = '\0';
	return 1;
}

/* Splits the logical line s[0..n) into its key and value, unescaped into
 * out (n + 2 bytes): *key and *value point into out. */
static kfk_err split_entry(const char *s, size_t n, char *out, char **key,
                           char **value, char *errstr, size_t errstr_size)
{
	size_t i = 0, key_end;
	while (i < n && s[i] != '=' && s[i] != ':' && !is_blank(s[i]))
		i += (s[i] == '\\' && i + 1 < n) ? 2 : 1;
	key_end = i;
	while (i < n && is_blank(s[i]))
		i++;
	if (i < n && (s[i] == '=' || s[i] == ':')) {
		i++;
		while (i < n && is_blank(s[i]))
			i++;
	}
	if (key_end == 0) {
		kfk_prop_errf(errstr, errstr_size, "missing property name");
		return KFK_ERR__PARSE;
	}
	*key = out;
	*value = out + key_end + 1;
	if (!unescape(s, key_end, *key) || !unescape(s + i, n - i, *value)) {
		kfk_prop_errf(errstr, errstr_size,
		              "bad \\u escape (4 hex digits, not 0000, surrogates "
		              "in pairs)");
		return KFK_ERR__PARSE;
	}
	return KFK_ERR_NONE;
}

kfk_err kfk_propfile_parse(const char *text, size_t len, kfk_propfile_cb *cb,
                           void *opaque, int *linep, char *errstr,
                           size_t errstr_size)
{
	struct pf_reader r = {text, text + len, 0};
	char *line = malloc(len + 1), *entry = malloc(len + 2);
	char *key, *value;
	size_t n;
	kfk_err err = KFK_ERR_NONE;

	*linep = 0;
	if (!line || !entry) {
		err = KFK_ERR__NO_MEMORY;
		kfk_prop_errf(errstr, errstr_size, "out of memory");
	}
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		r.p += 3; /* a UTF-8 byte order mark */
	while (!err && read_logical(&r, line, &n, linep)) {
		err = split_entry(line, n, entry, &key, &value, errstr, errstr_size);
		if (!err)
			err = cb(opaque, key, value, errstr, errstr_size);
	}
	if (!err)
		*linep = 0;
	free(line);
	free(entry);
	return err;
}

/* Reads the whole file into a malloc'd buffer. */
static kfk_err read_file(const char *path, char **textp, size_t *lenp,
                         char *errstr, size_t errstr_size)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 4096, len = 0, n;
	char *text = NULL, *grown;
	int failed = 0;

	if (!f) {
		kfk_prop_errf(errstr, errstr_size, "%s: %s", path, strerror(errno));
		return KFK_ERR__IO;
	}
	do {
		if (!(grown = realloc(text, cap))) {
			failed = ENOMEM;
			break;
		}
		text = grown;
		n = fread(text + len, 1, cap - len, f);
		len += n;
		cap *= 2;
	} while (n > 0);
	if (!failed && ferror(f))
		failed = errno ? errno : EIO;
	fclose(f);
	if (failed) {
		free(text);
		kfk_prop_errf(errstr, errstr_size, "%s: %s", path, strerror(failed));
		return failed == ENOMEM ? KFK_ERR__NO_MEMORY : KFK_ERR__IO;
	}
	*textp = text;
	*lenp = len;
	return KFK_ERR_NONE;
}

static kfk_err set_entry(void *opaque, const char *key, const char *value,
                         char *errstr, size_t errstr_size)
{
	return kfk_conf_set(opaque, key, value, errstr, errstr_size);
}

kfk_err kfk_conf_load_file(kfk_conf *conf, const char *path, char *errstr,
                           size_t errstr_size)
{
	char *text, msg[512];
	size_t len;
	int line;
	kfk_conf *tmp;
	kfk_err err;

	if (!conf || !path) {
		kfk_prop_errf(errstr, errstr_size, "conf and path must not be NULL");
		return KFK_ERR__INVALID_ARG;
	}
	if ((err = read_file(path, &text, &len, errstr, errstr_size)))
		return err;
	/* All or nothing: set everything on a copy, keep it if all went well. */
	if (!(tmp = kfk_conf_dup(conf))) {
		free(text);
		kfk_prop_errf(errstr, errstr_size, "%s: out of memory", path);
		return KFK_ERR__NO_MEMORY;
	}
	err = kfk_propfile_parse(text, len, set_entry, tmp, &line, msg,
	                         sizeof(msg));
	free(text);
	if (err) {
		kfk_prop_errf(errstr, errstr_size, "%s:%d: %s", path, line, msg);
		kfk_conf_destroy(tmp);
		return err;
	}
	kfk_conf_move_props(conf, tmp);
	kfk_prop_errf(errstr, errstr_size, "%s", "");
	return KFK_ERR_NONE;
}
