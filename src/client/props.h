/*
 * client/props.h: the one table of configuration properties.
 *
 * Every property a kfk_conf accepts is one entry of kfk_props[] (props.c):
 * its name and aliases, type, range or allowed values, default, the clients
 * it applies to, importance and doc text. kfk_conf checks values with it,
 * tools/gen_configuration prints CONFIGURATION.md from it, and
 * tests/unit/test_conf_table.c keeps it consistent.
 *
 * A property joins the table together with the code that honours it.
 */
#ifndef KFK_CLIENT_PROPS_H
#define KFK_CLIENT_PROPS_H

#include <stddef.h>
#include <stdint.h>
#include <kfk/errors.h>

enum kfk_prop_type {
	KFK_PROP_STRING,   /* any text */
	KFK_PROP_BOOL,     /* true/false, yes/no, on/off, 1/0 (any case) */
	KFK_PROP_INT,      /* a decimal integer within [min, max] */
	KFK_PROP_ENUM,     /* one of choices (any case) */
	KFK_PROP_LIST,     /* comma-separated items; of choices if set */
	KFK_PROP_DURATION, /* milliseconds, a non-negative int in [min, max] */
	KFK_PROP_SIZE      /* bytes, a non-negative int in [min, max] */
};

/* The clients a property applies to (a bitmask). */
enum kfk_prop_client {
	KFK_PROP_PRODUCER = 1u << 0,
	KFK_PROP_CONSUMER = 1u << 1,
	KFK_PROP_ADMIN = 1u << 2,
	KFK_PROP_ALL = KFK_PROP_PRODUCER | KFK_PROP_CONSUMER | KFK_PROP_ADMIN
};

/* As the Java client ranks its properties in its documentation. */
enum kfk_prop_importance {
	KFK_PROP_HIGH,
	KFK_PROP_MEDIUM,
	KFK_PROP_LOW
};

/* One allowed value of an ENUM or LIST property and the number it stands
 * for (an ENUM's value is its choice's; a LIST's is the OR of its items'). */
struct kfk_prop_choice {
	const char *name;
	int64_t value;
};

#define KFK_PROP_MAX_ALIASES 3

struct kfk_prop {
	const char *name;
	const char *aliases[KFK_PROP_MAX_ALIASES]; /* unused slots are NULL */
	enum kfk_prop_type type;
	int64_t min, max; /* INT, DURATION, SIZE */
	/* ENUM (required) and LIST (optional): ends with a NULL name. */
	const struct kfk_prop_choice *choices;
	/* > 1: the aliases take values in units of this many of the
	 * property's own (queue.buffering.max.kbytes sets buffer.memory in
	 * kilobytes); 0 or 1: the same units. INT and SIZE only. */
	int64_t alias_scale;
	const char *def;  /* the default, in canonical form */
	unsigned clients; /* kfk_prop_client bits */
	enum kfk_prop_importance importance;
	const char *doc;  /* one paragraph; what it does and why one sets it */
	/* A password, key or token: never logged, shown by kfk_conf_next()
	 * and the conf debug dump as "[hidden]" (as Java prints a
	 * PASSWORD-typed property). */
	unsigned secret : 1;
};

/* The table, in the order CONFIGURATION.md groups them; immutable. */
extern const struct kfk_prop kfk_props[];
extern const size_t kfk_props_count;

/* Finds a property by its name or an alias (case-sensitive, as Java).
 * Returns a table entry or NULL. Pure; any thread. */
const struct kfk_prop *kfk_prop_find(const char *name);

/* The table entry's index in kfk_props[]. */
static inline size_t kfk_prop_index(const struct kfk_prop *p)
{
	return (size_t)(p - kfk_props);
}

/* The name or alias closest to name by edit distance (a transposition
 * counts as one edit), or NULL when none is close enough to be a likely
 * typo. Ties go to the earlier table entry. Pure; any thread. */
const char *kfk_prop_suggest(const char *name);

/* Edit distance between a and b (optimal string alignment: insertions,
 * deletions, substitutions and adjacent transpositions cost 1). Strings
 * longer than 127 bytes count as infinitely far (returns SIZE_MAX). */
size_t kfk_prop_edit_distance(const char *a, const char *b);

/* A parsed value: str is the canonical string (malloc'd, the caller frees
 * it); num is the number for every type but STRING (bool: 1/0, ENUM: the
 * choice's value, LIST with choices: the OR of the items' values, LIST
 * without: the number of items). */
struct kfk_prop_value {
	char *str;
	int64_t num;
};

/*
 * Parses value (surrounding whitespace ignored) as property p. name is the
 * name the user wrote (may be an alias), used in messages. On failure
 * returns KFK_ERR__INVALID_VALUE (or __NO_MEMORY) and writes a message
 * that starts with "name: " to errstr (may be NULL if errstr_size is 0).
 * Pure apart from the allocation; any thread.
 */
kfk_err kfk_prop_parse(const struct kfk_prop *p, const char *name,
                       const char *value, struct kfk_prop_value *out,
                       char *errstr, size_t errstr_size);

/* The short name of a type ("string", "bool", "int", "enum", "list",
 * "duration", "size") and of an importance ("high", ...). */
const char *kfk_prop_type_name(enum kfk_prop_type type);
const char *kfk_prop_importance_name(enum kfk_prop_importance imp);

/* printf into errstr[errstr_size] when errstr_size > 0; always
 * NUL-terminates. Shared by the conf code for its one-line messages. */
void kfk_prop_errf(char *errstr, size_t errstr_size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* KFK_CLIENT_PROPS_H */
