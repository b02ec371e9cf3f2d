/*
 * net/addr.c: parsing bootstrap.servers (see addr.h for the grammar).
 *
 * Every check produces its own message: a user who typed "::1:9092" or
 * "kafka:90920" should learn exactly which entry is wrong and why, not get
 * a resolver error minutes later.
 */
#include "config.h"

#include "net/addr.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
	const char *name;
	enum kfk_addr_proto proto;
} kfk_addr_protos[] = {
	{ "PLAINTEXT", KFK_ADDR_PROTO_PLAINTEXT },
	{ "SSL", KFK_ADDR_PROTO_SSL },
	{ "SASL_PLAINTEXT", KFK_ADDR_PROTO_SASL_PLAINTEXT },
	{ "SASL_SSL", KFK_ADDR_PROTO_SASL_SSL },
};

#define KFK_ADDR_NPROTOS (sizeof(kfk_addr_protos) / sizeof(kfk_addr_protos[0]))

__attribute__((format(printf, 3, 4))) static kfk_err
kfk_addr_err(char *errstr, size_t size, const char *fmt, ...)
{
	va_list ap;

	if (size) {
		va_start(ap, fmt);
		vsnprintf(errstr, size, fmt, ap);
		va_end(ap);
	}
	return KFK_ERR__INVALID_VALUE;
}

const char *kfk_addr_proto_name(enum kfk_addr_proto p)
{
	size_t i;

	for (i = 0; i < KFK_ADDR_NPROTOS; i++)
		if (kfk_addr_protos[i].proto == p)
			return kfk_addr_protos[i].name;
	return "";
}

static int kfk_addr_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Strips "PROTO://" off [*s, *s+*len) into a->proto. */
static kfk_err kfk_addr_proto(const char **s, size_t *len, struct kfk_addr *a,
                              char *errstr, size_t size)
{
	const char *sep = NULL;
	size_t i, n;

	for (i = 0; i + 3 <= *len && !sep; i++)
		if (memcmp(*s + i, "://", 3) == 0)
			sep = *s + i;
	if (!sep)
		return KFK_ERR_NONE;
	n = (size_t)(sep - *s);
	for (i = 0; i < KFK_ADDR_NPROTOS; i++) {
		if (strlen(kfk_addr_protos[i].name) == n &&
		    strncasecmp(*s, kfk_addr_protos[i].name, n) == 0) {
			a->proto = kfk_addr_protos[i].proto;
			*len -= n + 3;
			*s = sep + 3;
			return KFK_ERR_NONE;
		}
	}
	return kfk_addr_err(errstr, size,
	                    "unknown security protocol \"%.*s\" (expected "
	                    "PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL)",
	                    (int)n, *s);
}

/* Parses the port digits [s, s+len). */
static kfk_err kfk_addr_port(const char *s, size_t len, struct kfk_addr *a,
                             char *errstr, size_t size)
{
	long v = 0;
	size_t i;

	if (len == 0)
		return kfk_addr_err(errstr, size, "missing port after ':'");
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return kfk_addr_err(errstr, size,
			                    "port \"%.*s\" is not a number",
			                    (int)len, s);
		if (v <= 65535)
			v = v * 10 + (s[i] - '0');
	}
	if (v < 1 || v > 65535)
		return kfk_addr_err(errstr, size,
		                    "port %.*s out of range (1-65535)", (int)len, s);
	a->port = (int)v;
	return KFK_ERR_NONE;
}

/* Copies the host [s, s+len) after checking its characters: a name or
 * IPv4 address (ipv6 0), or what was inside brackets (ipv6 1). */
static kfk_err kfk_addr_host(const char *s, size_t len, int ipv6,
                             struct kfk_addr *a, char *errstr, size_t size)
{
	size_t i;

	if (len == 0)
		return kfk_addr_err(errstr, size, "missing host");
	if (len >= sizeof(a->host))
		return kfk_addr_err(errstr, size, "host longer than %d bytes",
		                    (int)sizeof(a->host) - 1);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		int ok = isalnum(c) || c == '-' || c == '.' || c == '_' ||
		         (ipv6 && (c == ':' || c == '%'));

		if (!ok)
			return kfk_addr_err(errstr, size,
			                    "invalid character '%c' in host", c);
	}
	if (ipv6 && !memchr(s, ':', len))
		return kfk_addr_err(errstr, size,
		                    "\"[%.*s]\" is not an IPv6 address", (int)len,
		                    s);
	memcpy(a->host, s, len);
	a->host[len] = '\0';
	return KFK_ERR_NONE;
}

/* "[v6]" or "[v6]:port". */
static kfk_err kfk_addr_bracketed(const char *s, size_t len, struct kfk_addr *a,
                                  char *errstr, size_t size)
{
	const char *close = memchr(s, ']', len);
	size_t hlen, rest;
	kfk_err err;

	if (!close)
		return kfk_addr_err(errstr, size, "missing ']' after IPv6 address");
	hlen = (size_t)(close - s) - 1;
	err = kfk_addr_host(s + 1, hlen, 1, a, errstr, size);
	rest = len - hlen - 2;
	if (err || rest == 0)
		return err;
	if (close[1] != ':')
		return kfk_addr_err(errstr, size, "expected ':' after ']'");
	return kfk_addr_port(close + 2, rest - 1, a, errstr, size);
}

/* "host" or "host:port" (a name or IPv4 address). */
static kfk_err kfk_addr_plain(const char *s, size_t len, struct kfk_addr *a,
                              char *errstr, size_t size)
{
	const char *colon = memchr(s, ':', len);
	kfk_err err;

	if (!colon)
		return kfk_addr_host(s, len, 0, a, errstr, size);
	if (memchr(colon + 1, ':', len - (size_t)(colon - s) - 1))
		return kfk_addr_err(errstr, size,
		                    "IPv6 address must be in brackets, e.g. "
		                    "[::1]:9092");
	err = kfk_addr_host(s, (size_t)(colon - s), 0, a, errstr, size);
	if (err)
		return err;
	return kfk_addr_port(colon + 1, len - (size_t)(colon - s) - 1, a, errstr,
	                     size);
}

kfk_err kfk_addr_parse(const char *s, size_t len, struct kfk_addr *a,
                       char *errstr, size_t errstr_size)
{
	kfk_err err;

	memset(a, 0, sizeof(*a));
	a->port = KFK_ADDR_DEFAULT_PORT;
	while (len && kfk_addr_blank(*s))
		s++, len--;
	while (len && kfk_addr_blank(s[len - 1]))
		len--;
	if (len == 0)
		return kfk_addr_err(errstr, errstr_size, "empty address");
	err = kfk_addr_proto(&s, &len, a, errstr, errstr_size);
	if (err)
		return err;
	if (len && s[0] == '[')
		return kfk_addr_bracketed(s, len, a, errstr, errstr_size);
	return kfk_addr_plain(s, len, a, errstr, errstr_size);
}

static int kfk_addr_blank_span(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!kfk_addr_blank(s[i]))
			return 0;
	return 1;
}

/* Number of comma-separated pieces in s. */
static int kfk_addr_pieces(const char *s)
{
	int n = 1;

	for (; *s; s++)
		n += *s == ',';
	return n;
}

kfk_err kfk_addr_list_parse(const char *s, struct kfk_addr_list *list,
                            char *errstr, size_t errstr_size)
{
	int entry = 0;

	list->v = NULL;
	list->n = 0;
	if (!s)
		s = "";
	list->v = calloc((size_t)kfk_addr_pieces(s), sizeof(*list->v));
	if (!list->v)
		return KFK_ERR__NO_MEMORY;
	for (;;) {
		const char *end = strchr(s, ',');
		size_t len = end ? (size_t)(end - s) : strlen(s);
		char why[160];

		entry++;
		if (!kfk_addr_blank_span(s, len) &&
		    kfk_addr_parse(s, len, &list->v[list->n++], why, sizeof(why))) {
			kfk_addr_list_free(list);
			return kfk_addr_err(errstr, errstr_size,
			                    "bootstrap.servers entry %d \"%.*s\": %s",
			                    entry, (int)len, s, why);
		}
		if (!end)
			break;
		s = end + 1;
	}
	if (list->n == 0) {
		kfk_addr_list_free(list);
		return kfk_addr_err(errstr, errstr_size,
		                    "bootstrap.servers names no broker (expected "
		                    "host:port[,host:port...])");
	}
	return KFK_ERR_NONE;
}

void kfk_addr_list_free(struct kfk_addr_list *list)
{
	free(list->v);
	list->v = NULL;
	list->n = 0;
}

int kfk_addr_format(char *buf, size_t size, const char *host, int port)
{
	if (strchr(host, ':'))
		return snprintf(buf, size, "[%s]:%d", host, port);
	return snprintf(buf, size, "%s:%d", host, port);
}
