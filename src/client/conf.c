/*
 * kfk_conf: one slot per entry of the property table (props.c).
 *
 * A slot at its default points at the table's default string and owns
 * nothing, so a fresh conf holds no string of its own and dup copies only
 * what the application set. Values are parsed once, in kfk_conf_set; the
 * typed accessors then read the stored number.
 */
#include "config.h"
#include "client/conf.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "client/props.h"
#include "util/log.h"

struct kfk_conf_slot {
	char *str;   /* canonical value; malloc'd when set, else the default */
	int64_t num; /* see kfk_prop_value */
	int set;     /* set by the application */
};

struct kfk_conf {
	kfk_log_cb *log_cb;
	void *opaque;
	kfk_error_cb *error_cb;             /* every client's */
	kfk_conf_fn *cbs[KFK_CONF_CB__COUNT]; /* a client's own, untyped */
	struct kfk_conf_slot slots[]; /* kfk_props_count, in table order */
};

static size_t conf_size(void)
{
	return sizeof(struct kfk_conf) +
	       kfk_props_count * sizeof(struct kfk_conf_slot);
}

/* Puts slot back to its property's default. Fails only when out of
 * memory (parsing allocates the canonical string we then drop). */
static kfk_err slot_reset(struct kfk_conf_slot *slot, const struct kfk_prop *p)
{
	struct kfk_prop_value v;
	kfk_err err = kfk_prop_parse(p, p->name, p->def, &v, NULL, 0);
	if (err)
		return err;
	free(v.str);
	if (slot->set)
		free(slot->str);
	slot->str = (char *)p->def; /* never freed: set is 0 */
	slot->num = v.num;
	slot->set = 0;
	return KFK_ERR_NONE;
}

kfk_conf *kfk_conf_new(void)
{
	kfk_conf *conf = calloc(1, conf_size());
	size_t i;
	if (!conf)
		return NULL;
	for (i = 0; i < kfk_props_count; i++) {
		if (slot_reset(&conf->slots[i], &kfk_props[i]) != KFK_ERR_NONE) {
			kfk_conf_destroy(conf);
			return NULL;
		}
	}
	return conf;
}

kfk_conf *kfk_conf_dup(const kfk_conf *conf)
{
	kfk_conf *dup;
	size_t i;
	if (!conf || !(dup = malloc(conf_size())))
		return NULL;
	memcpy(dup, conf, conf_size());
	for (i = 0; i < kfk_props_count; i++) {
		struct kfk_conf_slot *s = &dup->slots[i];
		if (s->set && !(s->str = strdup(s->str))) {
			/* Owned copies so far are slots [0, i): drop the rest. */
			for (; i < kfk_props_count; i++)
				dup->slots[i].set = 0;
			kfk_conf_destroy(dup);
			return NULL;
		}
	}
	return dup;
}

void kfk_conf_destroy(kfk_conf *conf)
{
	size_t i;
	if (!conf)
		return;
	for (i = 0; i < kfk_props_count; i++)
		if (conf->slots[i].set)
			free(conf->slots[i].str);
	free(conf);
}

static kfk_err unknown_property(const char *name, char *errstr,
                                size_t errstr_size)
{
	const char *hint = kfk_prop_suggest(name);
	if (hint)
		kfk_prop_errf(errstr, errstr_size,
		              "unknown property %s (did you mean %s?)", name, hint);
	else
		kfk_prop_errf(errstr, errstr_size, "unknown property %s", name);
	return KFK_ERR__UNKNOWN_PROPERTY;
}

/* An alias in other units (props.h, alias_scale): value, a whole number of
 * the alias's units, into the property's own, in out. */
static kfk_err scale_alias(const struct kfk_prop *p, const char *name,
                           const char *value, char *out, size_t outsz,
                           char *errstr, size_t errstr_size)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(value, &end, 10);
	if (end == value || *end || errno || v < 1 ||
	    v > p->max / p->alias_scale) {
		kfk_prop_errf(errstr, errstr_size, "%s: \"%s\" is not a whole "
		              "number in 1..%" PRId64, name, value,
		              p->max / p->alias_scale);
		return KFK_ERR__INVALID_VALUE;
	}
	snprintf(out, outsz, "%lld", v * p->alias_scale);
	return KFK_ERR_NONE;
}

kfk_err kfk_conf_set(kfk_conf *conf, const char *name, const char *value,
                     char *errstr, size_t errstr_size)
{
	char scaled[32];
	const struct kfk_prop *p;
	struct kfk_conf_slot *slot;
	struct kfk_prop_value v;
	kfk_err err;

	if (!conf || !name) {
		kfk_prop_errf(errstr, errstr_size, "conf and name must not be NULL");
		return KFK_ERR__INVALID_ARG;
	}
	if (!(p = kfk_prop_find(name)))
		return unknown_property(name, errstr, errstr_size);
	slot = &conf->slots[kfk_prop_index(p)];
	if (value && p->alias_scale > 1 && strcmp(name, p->name) != 0) {
		if ((err = scale_alias(p, name, value, scaled, sizeof(scaled),
		                       errstr, errstr_size)))
			return err;
		value = scaled;
	}
	if (!value)
		err = slot_reset(slot, p);
	else if (!(err = kfk_prop_parse(p, name, value, &v, errstr,
	                                errstr_size))) {
		if (slot->set)
			free(slot->str);
		slot->str = v.str;
		slot->num = v.num;
		slot->set = 1;
	}
	if (err == KFK_ERR__NO_MEMORY)
		kfk_prop_errf(errstr, errstr_size, "%s: out of memory", name);
	else if (!err)
		kfk_prop_errf(errstr, errstr_size, "%s", "");
	return err;
}

kfk_err kfk_conf_get(const kfk_conf *conf, const char *name, char *buf,
                     size_t *sizep)
{
	const struct kfk_prop *p;
	const char *val;
	char scaled[32];
	size_t need;

	if (!conf || !name || !sizep)
		return KFK_ERR__INVALID_ARG;
	if (!(p = kfk_prop_find(name)))
		return KFK_ERR__UNKNOWN_PROPERTY;
	val = conf->slots[kfk_prop_index(p)].str;
	if (p->alias_scale > 1 && strcmp(name, p->name) != 0) {
		/* In the alias's units, rounded down. */
		snprintf(scaled, sizeof(scaled), "%" PRId64,
		         conf->slots[kfk_prop_index(p)].num / p->alias_scale);
		val = scaled;
	}
	need = strlen(val) + 1;
	if (buf && *sizep > 0) {
		size_t n = need <= *sizep ? need - 1 : *sizep - 1;
		memcpy(buf, val, n);
		buf[n] = '\0';
	}
	*sizep = need;
	return KFK_ERR_NONE;
}

int kfk_conf_next(const kfk_conf *conf, int flags, size_t *cursor,
                  const char **namep, const char **valuep)
{
	while (conf && *cursor < kfk_props_count) {
		size_t i = (*cursor)++;
		if ((flags & KFK_CONF_ITER_SET) && !conf->slots[i].set)
			continue;
		*namep = kfk_props[i].name;
		*valuep = conf->slots[i].str;
		/* A dump must not leak a password: kfk_conf_get() reads it. */
		if (kfk_props[i].secret && **valuep)
			*valuep = "[hidden]";
		return 1;
	}
	return 0;
}

void kfk_conf_set_log_cb(kfk_conf *conf, kfk_log_cb *cb)
{
	if (conf)
		conf->log_cb = cb;
}

void kfk_conf_set_opaque(kfk_conf *conf, void *opaque)
{
	if (conf)
		conf->opaque = opaque;
}

void kfk_conf_set_error_cb(kfk_conf *conf, kfk_error_cb *cb)
{
	if (conf)
		conf->error_cb = cb;
}

void kfk_conf_set_cb(kfk_conf *conf, enum kfk_conf_cb_slot slot,
                     kfk_conf_fn *fn)
{
	if (conf)
		conf->cbs[slot] = fn;
}

void kfk_conf_move_props(kfk_conf *dst, kfk_conf *src)
{
	size_t i;
	for (i = 0; i < kfk_props_count; i++)
		if (dst->slots[i].set)
			free(dst->slots[i].str);
	memcpy(dst->slots, src->slots,
	       kfk_props_count * sizeof(struct kfk_conf_slot));
	free(src); /* its strings now belong to dst */
}

/* The table entry and slot of name; a name not in the table is a bug. */
static const struct kfk_conf_slot *
slot_or_die(const kfk_conf *conf, const char *name, const struct kfk_prop **pp)
{
	const struct kfk_prop *p = kfk_prop_find(name);
	if (!p) {
		fprintf(stderr, "kfk: BUG: property %s is not in the table\n", name);
		abort();
	}
	*pp = p;
	return &conf->slots[kfk_prop_index(p)];
}

static void wrong_type(const struct kfk_prop *p, const char *wanted)
{
	fprintf(stderr, "kfk: BUG: property %s is a %s, read as %s\n", p->name,
	        kfk_prop_type_name(p->type), wanted);
	abort();
}

int64_t kfk_conf_get_int(const kfk_conf *conf, const char *name)
{
	const struct kfk_prop *p;
	const struct kfk_conf_slot *s = slot_or_die(conf, name, &p);
	if (p->type == KFK_PROP_STRING)
		wrong_type(p, "a number");
	return s->num;
}

int kfk_conf_get_bool(const kfk_conf *conf, const char *name)
{
	const struct kfk_prop *p;
	const struct kfk_conf_slot *s = slot_or_die(conf, name, &p);
	if (p->type != KFK_PROP_BOOL)
		wrong_type(p, "a bool");
	return s->num != 0;
}

const char *kfk_conf_get_str(const kfk_conf *conf, const char *name)
{
	const struct kfk_prop *p;
	return slot_or_die(conf, name, &p)->str;
}

int kfk_conf_is_set(const kfk_conf *conf, const char *name)
{
	const struct kfk_prop *p;
	return slot_or_die(conf, name, &p)->set;
}

uint32_t kfk_conf_debug_mask(const kfk_conf *conf)
{
	return (uint32_t)kfk_conf_get_int(conf, "debug");
}

kfk_log_cb *kfk_conf_log_cb(const kfk_conf *conf)
{
	return conf->log_cb;
}

void *kfk_conf_opaque(const kfk_conf *conf)
{
	return conf->opaque;
}

kfk_error_cb *kfk_conf_error_cb(const kfk_conf *conf)
{
	return conf->error_cb;
}

kfk_conf_fn *kfk_conf_cb(const kfk_conf *conf, enum kfk_conf_cb_slot slot)
{
	return conf->cbs[slot];
}

void kfk_conf_logger_init(const kfk_conf *conf, struct kfk_logger *lg,
                          const char *name)
{
	lg->cb = conf->log_cb;
	lg->opaque = conf->opaque;
	lg->debug = kfk_conf_debug_mask(conf);
	lg->level = (int)kfk_conf_get_int(conf, "log_level");
	if (lg->debug)
		lg->level = KFK_LOG_DEBUG;
	snprintf(lg->name, sizeof(lg->name), "%s", name ? name : "");
}

size_t kfk_conf_list_next(const char *list, size_t *pos, const char **item)
{
	const char *s = list + *pos;
	size_t len;
	if (*s == ',')
		s++;
	if (*s == '\0')
		return 0;
	len = strcspn(s, ",");
	*item = s;
	*pos = (size_t)(s - list) + len;
	return len;
}
