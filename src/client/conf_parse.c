/*
 * Parsing property values by type (see kfk_prop_parse in props.h).
 *
 * Each type has one small parser that turns the trimmed text into the
 * canonical string and its number, or writes a message that tells the user
 * what would have been accepted: the range, the allowed values.
 */
#include "config.h"
#include "client/props.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void kfk_prop_errf(char *errstr, size_t errstr_size, const char *fmt, ...)
{
	va_list ap;
	if (!errstr || errstr_size == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(errstr, errstr_size, fmt, ap);
	va_end(ap);
}

const char *kfk_prop_type_name(enum kfk_prop_type type)
{
	switch (type) {
	case KFK_PROP_STRING: return "string";
	case KFK_PROP_BOOL: return "bool";
	case KFK_PROP_INT: return "int";
	case KFK_PROP_ENUM: return "enum";
	case KFK_PROP_LIST: return "list";
	case KFK_PROP_DURATION: return "duration";
	case KFK_PROP_SIZE: return "size";
	}
	return "?";
}

const char *kfk_prop_importance_name(enum kfk_prop_importance imp)
{
	switch (imp) {
	case KFK_PROP_HIGH: return "high";
	case KFK_PROP_MEDIUM: return "medium";
	case KFK_PROP_LOW: return "low";
	}
	return "?";
}

/* A malloc'd copy of s without leading and trailing whitespace. */
static char *trimmed_copy(const char *s)
{
	size_t len;
	char *r;
	while (isspace((unsigned char)*s))
		s++;
	len = strlen(s);
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	r = malloc(len + 1);
	if (r) {
		memcpy(r, s, len);
		r[len] = '\0';
	}
	return r;
}

/* Writes "a, b, c" (the choices' names) into buf[size]. */
static void join_choices(const struct kfk_prop_choice *c, char *buf,
                         size_t size)
{
	size_t off = 0;
	buf[0] = '\0';
	for (; c->name && off < size; c++) {
		int n = snprintf(buf + off, size - off, "%s%s", off ? ", " : "",
		                 c->name);
		if (n < 0)
			break;
		off += (size_t)n;
	}
}

static const char *int_kind(enum kfk_prop_type type)
{
	if (type == KFK_PROP_DURATION)
		return "a whole number of milliseconds";
	if (type == KFK_PROP_SIZE)
		return "a whole number of bytes";
	return "an integer";
}

/* INT, DURATION, SIZE: [+-]digits within [min, max]. s is trimmed. */
static kfk_err parse_int(const struct kfk_prop *p, const char *name,
                         char *s, struct kfk_prop_value *out, char *errstr,
                         size_t errstr_size)
{
	const char *digits = s + (*s == '+' || *s == '-');
	char *end;
	long long v;
	char canon[24];

	if (!isdigit((unsigned char)*digits)) {
		kfk_prop_errf(errstr, errstr_size, "%s: \"%s\" is not %s", name, s,
		              int_kind(p->type));
		return KFK_ERR__INVALID_VALUE;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0') {
		kfk_prop_errf(errstr, errstr_size, "%s: \"%s\" is not %s", name, s,
		              int_kind(p->type));
		return KFK_ERR__INVALID_VALUE;
	}
	if (errno == ERANGE || v < p->min || v > p->max) {
		kfk_prop_errf(errstr, errstr_size,
		              "%s: %s is out of range, must be %" PRId64 "..%" PRId64,
		              name, s, p->min, p->max);
		return KFK_ERR__INVALID_VALUE;
	}
	snprintf(canon, sizeof(canon), "%lld", v);
	out->num = v;
	out->str = strdup(canon);
	return out->str ? KFK_ERR_NONE : KFK_ERR__NO_MEMORY;
}

static kfk_err parse_bool(const char *name, const char *s,
                          struct kfk_prop_value *out, char *errstr,
                          size_t errstr_size)
{
	static const char *const yes[] = {"true", "yes", "on", "1"};
	static const char *const no[] = {"false", "no", "off", "0"};
	size_t i;
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(s, yes[i]) == 0 || strcasecmp(s, no[i]) == 0) {
			out->num = strcasecmp(s, yes[i]) == 0;
			out->str = strdup(out->num ? "true" : "false");
			return out->str ? KFK_ERR_NONE : KFK_ERR__NO_MEMORY;
		}
	}
	kfk_prop_errf(errstr, errstr_size,
	              "%s: \"%s\" is not a boolean, must be true or false "
	              "(yes/no, on/off and 1/0 are accepted too)",
	              name, s);
	return KFK_ERR__INVALID_VALUE;
}

/* The choice named s (any case), or NULL. */
static const struct kfk_prop_choice *
find_choice(const struct kfk_prop_choice *c, const char *s, size_t len)
{
	for (; c->name; c++)
		if (strlen(c->name) == len && strncasecmp(c->name, s, len) == 0)
			return c;
	return NULL;
}

static kfk_err parse_enum(const struct kfk_prop *p, const char *name,
                          const char *s, struct kfk_prop_value *out,
                          char *errstr, size_t errstr_size)
{
	const struct kfk_prop_choice *c = find_choice(p->choices, s, strlen(s));
	char allowed[512];
	if (c) {
		out->num = c->value;
		out->str = strdup(c->name);
		return out->str ? KFK_ERR_NONE : KFK_ERR__NO_MEMORY;
	}
	join_choices(p->choices, allowed, sizeof(allowed));
	kfk_prop_errf(errstr, errstr_size,
	              "%s: \"%s\" is not allowed, must be one of: %s", name, s,
	              allowed);
	return KFK_ERR__INVALID_VALUE;
}

/* Checks one list item s[0..len) (already trimmed) and appends it to
 * canon; ORs its choice's value into *num or counts it. */
static kfk_err list_item(const struct kfk_prop *p, const char *name,
                         const char *value, const char *s, size_t len,
                         char *canon, int64_t *num, char *errstr,
                         size_t errstr_size)
{
	const struct kfk_prop_choice *c = NULL;
	char allowed[512];
	if (len == 0) {
		kfk_prop_errf(errstr, errstr_size, "%s: empty item in \"%s\"", name,
		              value);
		return KFK_ERR__INVALID_VALUE;
	}
	if (p->choices && !(c = find_choice(p->choices, s, len))) {
		join_choices(p->choices, allowed, sizeof(allowed));
		kfk_prop_errf(errstr, errstr_size,
		              "%s: \"%.*s\" is not allowed, must be a comma-separated "
		              "list of: %s",
		              name, (int)len, s, allowed);
		return KFK_ERR__INVALID_VALUE;
	}
	if (*canon)
		strcat(canon, ",");
	strncat(canon, c ? c->name : s, len);
	*num = c ? (*num | c->value) : *num + 1;
	return KFK_ERR_NONE;
}

static kfk_err parse_list(const struct kfk_prop *p, const char *name,
                          const char *s, struct kfk_prop_value *out,
                          char *errstr, size_t errstr_size)
{
	/* The canonical form only drops whitespace, so it fits in strlen(s). */
	char *canon = calloc(1, strlen(s) + 1);
	const char *item = s;
	kfk_err err = KFK_ERR_NONE;

	if (!canon)
		return KFK_ERR__NO_MEMORY;
	out->num = 0;
	while (*s && !err) {
		const char *comma = strchr(item, ',');
		const char *end = comma ? comma : item + strlen(item);
		while (item < end && isspace((unsigned char)*item))
			item++;
		while (end > item && isspace((unsigned char)end[-1]))
			end--;
		err = list_item(p, name, s, item, (size_t)(end - item), canon,
		                &out->num, errstr, errstr_size);
		if (!comma)
			break;
		item = comma + 1;
	}
	if (err) {
		free(canon);
		return err;
	}
	out->str = canon;
	return KFK_ERR_NONE;
}

kfk_err kfk_prop_parse(const struct kfk_prop *p, const char *name,
                       const char *value, struct kfk_prop_value *out,
                       char *errstr, size_t errstr_size)
{
	char *s = trimmed_copy(value);
	kfk_err err = KFK_ERR_NONE;

	out->str = NULL;
	out->num = 0;
	if (!s)
		return KFK_ERR__NO_MEMORY;
	switch (p->type) {
	case KFK_PROP_STRING:
		out->str = s;
		return KFK_ERR_NONE;
	case KFK_PROP_BOOL:
		err = parse_bool(name, s, out, errstr, errstr_size);
		break;
	case KFK_PROP_INT:
	case KFK_PROP_DURATION:
	case KFK_PROP_SIZE:
		err = parse_int(p, name, s, out, errstr, errstr_size);
		break;
	case KFK_PROP_ENUM:
		err = parse_enum(p, name, s, out, errstr, errstr_size);
		break;
	case KFK_PROP_LIST:
		err = parse_list(p, name, s, out, errstr, errstr_size);
		break;
	}
	free(s);
	return err;
}
