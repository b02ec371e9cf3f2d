/*
 * client/conf.h: what the library's layers read from a kfk_conf.
 *
 * The public API (include/kfk/conf.h) deals in strings; the layers get
 * typed values through the accessors below, by property name. Naming a
 * property that is not in the table, or reading it as the wrong type, is a
 * bug in kfk: the accessor prints the name and aborts, so the first test
 * that reaches the line finds it.
 *
 * A client copies the application's conf when it is created (kfk_conf_dup)
 * and never changes its copy afterwards, so every accessor here may be
 * called from any of its threads without a lock.
 */
#ifndef KFK_CLIENT_CONF_H
#define KFK_CLIENT_CONF_H

#include <stddef.h>
#include <stdint.h>
#include <kfk/conf.h>

struct kfk_logger;

/* The number of an INT, DURATION (ms), SIZE (bytes) or BOOL (1/0) property;
 * of an ENUM, its choice's value; of a LIST with choices, the OR of its
 * items' values; of a LIST without, its number of items. Aborts on an
 * unknown name or a STRING property. Pure. */
int64_t kfk_conf_get_int(const kfk_conf *conf, const char *name);

/* The value of a BOOL property as 1 or 0. Aborts on an unknown name or
 * another type. Pure. */
int kfk_conf_get_bool(const kfk_conf *conf, const char *name);

/* The canonical string value of any property (the default when not set).
 * Owned by conf: valid until that property is set again or conf is
 * destroyed. Aborts on an unknown name. Pure. */
const char *kfk_conf_get_str(const kfk_conf *conf, const char *name);

/* 1 when the application set the property (by its name or an alias, to any
 * value, even the default), 0 when it is at its default. Aborts on an
 * unknown name. Pure. */
int kfk_conf_is_set(const kfk_conf *conf, const char *name);

/* The enabled debug contexts (KFK_DBG_* bits of util/log.h). Pure. */
uint32_t kfk_conf_debug_mask(const kfk_conf *conf);

/* The log callback (NULL: the default stderr sink) and the application's
 * opaque pointer, as set on conf. */
kfk_log_cb *kfk_conf_log_cb(const kfk_conf *conf);
void *kfk_conf_opaque(const kfk_conf *conf);

/* The error callback as set on conf (NULL: none), for every client. */
kfk_error_cb *kfk_conf_error_cb(const kfk_conf *conf);

/* The callbacks that only one kind of client has (the producer's delivery
 * callback, later the consumer's rebalance callback) are stored untyped,
 * so that client/ needs no client's public header: each client's own conf
 * setter stores its callback in its slot and casts it back when reading
 * (a round trip through void (*)(void) is valid C). Copied by
 * kfk_conf_dup like the log callback; NULL when not set. */
enum kfk_conf_cb_slot {
	KFK_CONF_CB_DELIVERY,    /* kfk_delivery_cb (producer.h) */
	KFK_CONF_CB_PARTITIONER, /* kfk_partitioner_cb (producer.h) */
	KFK_CONF_CB_OAUTHBEARER_REFRESH, /* kfk_oauthbearer_token_refresh_cb */
	KFK_CONF_CB__COUNT
};
typedef void kfk_conf_fn(void);

/* Stores fn in slot (conf NULL: nothing). Not thread-safe, as any change
 * to a conf. */
void kfk_conf_set_cb(kfk_conf *conf, enum kfk_conf_cb_slot slot,
                     kfk_conf_fn *fn);
/* The function in slot. Pure. */
kfk_conf_fn *kfk_conf_cb(const kfk_conf *conf, enum kfk_conf_cb_slot slot);

/* Fills *lg from conf: its log callback and opaque, log_level, and the
 * debug contexts; any debug context raises the level to KFK_LOG_DEBUG.
 * name (e.g. "kfk#producer-1", NULL for none) is copied, truncated to fit
 * lg->name. Pure. */
void kfk_conf_logger_init(const kfk_conf *conf, struct kfk_logger *lg,
                          const char *name);

/*
 * Walks the items of a canonical list value (as kfk_conf_get_str returns
 * it: comma-separated, no blanks, no empty items):
 *
 *     size_t pos = 0, len;
 *     const char *item;
 *     while ((len = kfk_conf_list_next(list, &pos, &item)) > 0) ...
 *
 * Returns the length of the next item and points *item at it (not
 * NUL-terminated), or 0 at the end. Pure.
 */
size_t kfk_conf_list_next(const char *list, size_t *pos, const char **item);

/* Replaces dst's properties with src's (not the callbacks nor opaque) and
 * frees src, whose strings dst takes over. Cannot fail. */
void kfk_conf_move_props(kfk_conf *dst, kfk_conf *src);

/* Called by kfk_propfile_parse for each entry, in file order. Returns
 * KFK_ERR_NONE to go on; any error stops the parse, with its message (no
 * location) written to errstr. key and value live during the call only. */
typedef kfk_err(kfk_propfile_cb)(void *opaque, const char *key,
                                 const char *value, char *errstr,
                                 size_t errstr_size);

/*
 * Parses text[0..len) as a Java .properties file (the format is described
 * at kfk_conf_load_file in kfk/conf.h) and calls cb for each entry. On
 * error returns it (KFK_ERR__PARSE for a line without a key or a bad \u
 * escape, __NO_MEMORY, or cb's error), sets *linep to the number of the
 * first physical line of the bad entry and writes the message without a
 * location to errstr; on success *linep is 0. Pure apart from malloc.
 */
kfk_err kfk_propfile_parse(const char *text, size_t len, kfk_propfile_cb *cb,
                           void *opaque, int *linep, char *errstr,
                           size_t errstr_size);

#endif /* KFK_CLIENT_CONF_H */
