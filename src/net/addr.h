/*
 * net/addr.h: broker addresses as users write them (bootstrap.servers).
 *
 * bootstrap.servers is a comma-separated list of entries, each
 *     [PROTOCOL://]host[:port]
 * where host is a name ("kafka-1.example"), an IPv4 address ("10.0.0.1")
 * or an IPv6 address in brackets ("[::1]", "[fe80::1%eth0]"), port is
 * 1..65535 and defaults to 9092, and PROTOCOL is one of Kafka's listener
 * security protocols (PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL; any case),
 * accepted so that lists copied from a Java client's configuration work.
 * Blanks around entries are ignored and so are empty entries ("a:1,,b:2",
 * a trailing comma), as the Java client does; a list with no entry at all
 * is an error.
 *
 * Errors name the entry and what is wrong with it, e.g.
 *     "bootstrap.servers entry 2 \"::1:9092\": IPv6 address must be in
 *      brackets, e.g. [::1]:9092"
 *
 * Pure functions: no locks, no I/O, no name resolution (net/resolve.h does
 * that), any thread.
 */
#ifndef KFK_NET_ADDR_H
#define KFK_NET_ADDR_H

#include <stddef.h>

#include <kfk/errors.h>

/* Longest host name DNS allows (253) plus room for an IPv6 zone id. */
#define KFK_ADDR_HOST_MAX 256
#define KFK_ADDR_DEFAULT_PORT 9092

enum kfk_addr_proto {
	KFK_ADDR_PROTO_NONE = 0,   /* no "PROTO://" prefix given */
	KFK_ADDR_PROTO_PLAINTEXT,
	KFK_ADDR_PROTO_SSL,
	KFK_ADDR_PROTO_SASL_PLAINTEXT,
	KFK_ADDR_PROTO_SASL_SSL
};

/* One parsed entry. host holds no brackets: "::1" for "[::1]:9092". */
struct kfk_addr {
	char host[KFK_ADDR_HOST_MAX];
	int port;
	enum kfk_addr_proto proto;
};

/* A parsed list; v has n entries, in the order written. */
struct kfk_addr_list {
	struct kfk_addr *v;
	int n;
};

/* Parses one entry of len bytes at s (no comma inside; blanks around it
 * are allowed). On error returns KFK_ERR__INVALID_VALUE and writes the
 * reason (without the entry; the caller adds context) to errstr. */
kfk_err kfk_addr_parse(const char *s, size_t len, struct kfk_addr *a,
                       char *errstr, size_t errstr_size);

/* Parses a whole bootstrap.servers value into *list (allocated; free it
 * with kfk_addr_list_free()). On error returns KFK_ERR__INVALID_VALUE
 * (KFK_ERR__NO_MEMORY when out of memory) with a message naming the
 * entry and its 1-based position in errstr, and leaves *list empty. */
kfk_err kfk_addr_list_parse(const char *s, struct kfk_addr_list *list,
                            char *errstr, size_t errstr_size);

/* Frees list->v and empties the list; an empty list is fine. */
void kfk_addr_list_free(struct kfk_addr_list *list);

/* Writes "host:port", with brackets around an IPv6 host ("[::1]:9092"),
 * like snprintf (returns the length it needed). */
int kfk_addr_format(char *buf, size_t size, const char *host, int port);

/* The protocol's name ("PLAINTEXT", ...; "" for NONE). */
const char *kfk_addr_proto_name(enum kfk_addr_proto p);

#endif /* KFK_NET_ADDR_H */
