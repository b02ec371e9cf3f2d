/* kfk consume --json: one JSON object per record (see consume_fmt.h). */
#include "config.h"

#include "consume_fmt.h"

#include <inttypes.h>
#include <stdint.h>
#include <string.h>

/* The length of the valid UTF-8 sequence at s (at most n bytes), or 0
 * when s does not start one: overlong forms, UTF-16 surrogates and code
 * points above U+10FFFF are invalid (RFC 3629). */
static size_t json_utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	uint32_t cp;

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0; /* ASCII is handled by the caller; 0x80-0xc1 never start */
	len = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	if (n < len)
		return 0;
	cp = s[0] & (0x7f >> len);
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

/* Writes one ASCII byte, escaped as JSON requires. */
static void json_ascii(FILE *out, unsigned char c)
{
	switch (c) {
	case '"': fputs("\\\"", out); return;
	case '\\': fputs("\\\\", out); return;
	case '\n': fputs("\\n", out); return;
	case '\r': fputs("\\r", out); return;
	case '\t': fputs("\\t", out); return;
	case '\b': fputs("\\b", out); return;
	case '\f': fputs("\\f", out); return;
	}
	if (c < 0x20 || c == 0x7f)
		fprintf(out, "\\u%04x", c);
	else
		putc(c, out);
}

void cfmt_json_string(FILE *out, const void *p, size_t len)
{
	const unsigned char *s = p;
	size_t i = 0, n;

	putc('"', out);
	while (i < len) {
		if (s[i] < 0x80) {
			json_ascii(out, s[i++]);
		} else if ((n = json_utf8_len(s + i, len - i)) > 0) {
			fwrite(s + i, 1, n, out);
			i += n;
		} else {
			/* Python's surrogateescape: reversible, unlike U+FFFD */
			fprintf(out, "\\udc%02x", s[i++]);
		}
	}
	putc('"', out);
}

/* A key or value: a string, or null. */
static void json_bytes(FILE *out, const void *p, size_t len)
{
	if (p)
		cfmt_json_string(out, p, len);
	else
		fputs("null", out);
}

static void json_headers(FILE *out, const kfk_message *m)
{
	struct cfmt_header h;
	size_t i;

	putc('[', out);
	for (i = 0; !cfmt_header_get(m, i, &h); i++) {
		fputs(i ? ",{\"key\":" : "{\"key\":", out);
		cfmt_json_string(out, h.key, h.key_len);
		fputs(",\"value\":", out);
		json_bytes(out, h.value, h.value_len);
		putc('}', out);
	}
	putc(']', out);
}

void cfmt_print_json(FILE *out, const kfk_message *m)
{
	enum kfk_timestamp_type type;
	int64_t ts = kfk_message_timestamp(m, &type);
	const char *topic = kfk_message_topic(m);
	const void *p;
	size_t len;

	fputs("{\"topic\":", out);
	cfmt_json_string(out, topic, strlen(topic));
	fprintf(out, ",\"partition\":%d,\"offset\":%" PRId64 ",\"timestamp\":",
	        (int)kfk_message_partition(m), kfk_message_offset(m));
	if (type == KFK_TIMESTAMP_NONE)
		fputs("null", out);
	else
		fprintf(out, "%" PRId64, ts);
	fputs(",\"key\":", out);
	p = kfk_message_key(m, &len);
	json_bytes(out, p, len);
	fputs(",\"value\":", out);
	p = kfk_message_value(m, &len);
	json_bytes(out, p, len);
	fputs(",\"headers\":", out);
	json_headers(out, m);
	fputs("}\n", out);
}
