/*
 * tools/cli/consume_fmt.h: how `kfk consume` prints a record. Two ways to
 * say it compile into the same list of items: kcat's -f format tokens, and
 * kafka-console-consumer's print.* properties. --json is the third way
 * (consume_json.c). Nothing here talks to a broker: it formats messages.
 */
#ifndef KFK_CLI_CONSUME_FMT_H
#define KFK_CLI_CONSUME_FMT_H

#include <stdio.h>

#include <kfk/kfk.h>

#define CFMT_MAX_ITEMS 64
#define CFMT_TEXT_MAX 1024

/* What one item of a compiled format prints. */
enum cfmt_kind {
	CFMT_LITERAL,
	CFMT_TOPIC,
	CFMT_PARTITION,
	CFMT_OFFSET,
	CFMT_KEY,
	CFMT_VALUE,
	CFMT_HEADERS,
	CFMT_TIMESTAMP,       /* milliseconds; -1 when there is none */
	CFMT_TIMESTAMP_TYPED, /* "CreateTime:<ms>", the console consumer's */
	CFMT_KEY_LEN,         /* -1 for a null key */
	CFMT_VALUE_LEN
};

struct cfmt_item {
	enum cfmt_kind kind;
	size_t off, len; /* CFMT_LITERAL: its bytes in cfmt.text */
};

/* A compiled format. The two styles differ in how missing things print:
 * kcat prints a null key or value as nothing and headers as k=v,k=v; the
 * console consumer prints "null", headers as k:v,k:v and "NO_HEADERS". */
struct cfmt {
	struct cfmt_item items[CFMT_MAX_ITEMS];
	size_t n;
	char text[CFMT_TEXT_MAX]; /* the literals, back to back */
	size_t text_len;
	const char *null_text;  /* a null key or value */
	const char *no_headers; /* a record without headers */
	char hdr_sep[16], hdr_kv_sep[16];
};

/* The console consumer's --property settings (print.key=true, ...). */
struct cfmt_console {
	int key, timestamp, partition, offset, headers, value;
	char key_sep[16], line_sep[16], hdr_sep[16], hdr_kv_sep[16];
};

/* Compiles a kcat -f format: %t topic, %p partition, %o offset, %k key,
 * %s value, %h headers (k=v,k=v), %T timestamp (ms), %K key length, %S
 * value length, %% a percent sign; \n \t \r \\ escapes. Returns 0, or -1
 * with a sentence in err (an unknown token, a format too long). */
int cfmt_compile(struct cfmt *f, const char *fmt, char *err, size_t err_size);

/* The console consumer's defaults: value only, separators "\t", "\n",
 * ",", ":". */
void cfmt_console_defaults(struct cfmt_console *cc);

/* Applies one --property NAME=VALUE (print.key, print.timestamp,
 * print.partition, print.offset, print.headers, print.value,
 * key.separator, line.separator, headers.separator,
 * headers.key.separator); -1 when the name is not one of these or a
 * separator is empty or too long. */
int cfmt_console_property(struct cfmt_console *cc, const char *arg);

/* Compiles what the console consumer would print with cc: timestamp,
 * partition, offset, headers, key and value in that order, those asked
 * for, each followed by key.separator except the last, which is followed
 * by line.separator. */
void cfmt_from_console(struct cfmt *f, const struct cfmt_console *cc);

/* Header i of m, as kfk_message_header() gives it. */
struct cfmt_header {
	const char *key;
	size_t key_len;
	const void *value; /* NULL for a null value */
	size_t value_len;
};

/* Reads header i of m into h: 0, or -1 past the last. */
int cfmt_header_get(const kfk_message *m, size_t i, struct cfmt_header *h);

/* Prints record m (not an error message) to out with f. */
void cfmt_print(FILE *out, const struct cfmt *f, const kfk_message *m);

/* Prints record m as one JSON object and a newline: topic, partition,
 * offset, timestamp (ms, or null), key, value (strings, or null), headers
 * (an array of {"key":..,"value":..}). Text is escaped for JSON; a byte
 * that is not part of valid UTF-8 is written as \udcXX (XX its value):
 * Python's json.loads() followed by .encode("utf-8", "surrogateescape")
 * gives the exact bytes back. (consume_json.c) */
void cfmt_print_json(FILE *out, const kfk_message *m);

/* Writes len bytes of s as a JSON string, quotes included. */
void cfmt_json_string(FILE *out, const void *s, size_t len);

#endif /* KFK_CLI_CONSUME_FMT_H */
