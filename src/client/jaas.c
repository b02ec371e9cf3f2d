/*
 * client/jaas.c: the sasl.jaas.config reader (jaas.h).
 *
 * Grammar, as Kafka's JaasConfig reads it: CLASS FLAG (KEY=VALUE)* ';'
 * where FLAG is required, requisite, sufficient or optional and VALUE is a
 * bare word or a double-quoted string with backslash escapes.
 */
#include "config.h"

#include "client/jaas.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

static const char *skip_space(const char *p)
{
	while (isspace((unsigned char)*p))
		p++;
	return p;
}

/* A bare word (class, flag, key) into out; NULL when none. */
static const char *word(const char *p, char *out, size_t size)
{
	size_t n = 0;

	p = skip_space(p);
	while (*p && !isspace((unsigned char)*p) && *p != '=' && *p != ';') {
		if (n + 1 < size)
			out[n++] = *p;
		p++;
	}
	out[n] = '\0';
	return n ? p : NULL;
}

/* A value, quoted or bare, into out; NULL when malformed. */
static const char *value(const char *p, char *out, size_t size)
{
	size_t n = 0;

	p = skip_space(p);
	if (*p != '"')
		return word(p, out, size);
	for (p++; *p && *p != '"'; p++) {
		if (*p == '\\' && p[1])
			p++;
		if (n + 1 < size)
			out[n++] = *p;
	}
	out[n] = '\0';
	return *p == '"' ? p + 1 : NULL;
}

static kfk_err jaas_head(const char **pp, kfk_jaas_cb *cb, void *opaque,
                         char *err, size_t errlen)
{
	char cls[256], flag[32];
	const char *p = word(*pp, cls, sizeof(cls));

	if (p)
		p = word(p, flag, sizeof(flag));
	if (!p || (strcmp(flag, "required") && strcmp(flag, "requisite") &&
	           strcmp(flag, "sufficient") && strcmp(flag, "optional"))) {
		snprintf(err, errlen, "sasl.jaas.config: expected a login module "
		         "class and a flag (required, optional, ...)");
		return KFK_ERR__INVALID_VALUE;
	}
	*pp = p;
	return cb(opaque, "", cls);
}

kfk_err kfk_jaas_parse(const char *text, kfk_jaas_cb *cb, void *opaque,
                       char *err, size_t errlen)
{
	char key[128], val[2048];
	const char *p = text;
	kfk_err e = jaas_head(&p, cb, opaque, err, errlen);

	while (!e && *(p = skip_space(p)) && *p != ';') {
		p = word(p, key, sizeof(key));
		if (p)
			p = skip_space(p);
		if (!p || *p != '=' || !(p = value(p + 1, val, sizeof(val)))) {
			snprintf(err, errlen, "sasl.jaas.config: malformed option "
			         "%s (KEY=\"VALUE\" expected)", p ? key : "");
			e = KFK_ERR__INVALID_VALUE;
			break;
		}
		e = cb(opaque, key, val);
	}
	OPENSSL_cleanse(val, sizeof(val));
	return e;
}
