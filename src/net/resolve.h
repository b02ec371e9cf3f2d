/*
 * net/resolve.h: turning broker host names into socket addresses without
 * ever blocking an I/O loop.
 *
 * getaddrinfo() blocks, for seconds when DNS is slow, and there is no
 * portable way to cancel it. So:
 *  - numeric addresses ("127.0.0.1", "::1") are converted inline with
 *    AI_NUMERICHOST, which never touches the network
 *    (kfk_resolve_numeric());
 *  - names go to the resolver's one thread (kfk_resolve_start()), started
 *    on the first name and ending by itself after a few idle seconds; the
 *    result is posted back to the loop that asked, and the callback runs
 *    there;
 *  - kfk_resolver_destroy() never waits for that thread: it marks the
 *    shared state dead and leaves. The thread is detached and holds its
 *    own reference to the shared state, so a getaddrinfo() that hangs for
 *    a minute finishes in the background, sees the resolver is gone,
 *    frees its result and exits, posting nothing.
 *
 * One resolver serves a whole client (all its loops); lookups run one at a
 * time, in the order asked.
 */
#ifndef KFK_NET_RESOLVE_H
#define KFK_NET_RESOLVE_H

#include <netinet/in.h>
#include <sys/socket.h>

#include <kfk/errors.h>

#include "net/loop.h"
#include "util/log.h"

struct kfk_resolver;
struct kfk_resolve_req;

/* One socket address. */
struct kfk_sockaddr {
	struct sockaddr_storage ss;
	socklen_t len;
};

/* The addresses a host resolved to, in getaddrinfo()'s order (the order to
 * try them in), without duplicates. One allocation: free() it. */
struct kfk_sockaddrs {
	int n;
	struct kfk_sockaddr v[];
};

/* Writes "1.2.3.4:9092" or "[::1]:9092" (like snprintf). */
int kfk_sockaddr_format(char *buf, size_t size, const struct kfk_sockaddr *sa);

/* Resolves a numeric host (IPv4 or IPv6 text, no brackets) inline.
 * Returns 0 and *out (the caller frees it), or KFK_ERR__RESOLVE when host
 * is not a numeric address (then it needs kfk_resolve_start()), or
 * KFK_ERR__NO_MEMORY. Never blocks; any thread. */
kfk_err kfk_resolve_numeric(const char *host, int port,
                            struct kfk_sockaddrs **out);

/* The function that resolves a name: getaddrinfo() by default. Tests
 * substitute one that blocks or fails on demand. Called on the resolver
 * thread; returns 0 and *out, or an error (KFK_ERR__RESOLVE with a message
 * in errstr). */
typedef kfk_err kfk_resolve_fn(const char *host, int port,
                               struct kfk_sockaddrs **out, char *errstr,
                               size_t errstr_size);

/* Creates a resolver; no thread yet. log (may be NULL) must outlive it, and
 * any lookup still running when it is destroyed (the thread may log after
 * kfk_resolver_destroy() returns: pass a logger that lives as long as the
 * process, or NULL, if that matters). fn NULL means getaddrinfo(). Returns
 * NULL when out of memory. Any thread. */
struct kfk_resolver *kfk_resolver_new(const struct kfk_logger *log,
                                      kfk_resolve_fn *fn);

/* Abandons every lookup (no callback of it will run) and frees the
 * resolver. Never blocks on a lookup in progress: returns after taking the
 * resolver's lock once. Must be called before the loops that lookups would
 * post to are destroyed, and not while another thread calls
 * kfk_resolve_start() on it. NULL is a no-op. */
void kfk_resolver_destroy(struct kfk_resolver *r);

/* The outcome of a lookup, on the loop thread that asked: err 0 and addrs
 * (the callee owns and frees it), or err KFK_ERR__RESOLVE with a message in
 * errstr (addrs NULL). Not called for a cancelled lookup. */
typedef void kfk_resolve_cb(void *arg, kfk_err err, struct kfk_sockaddrs *addrs,
                            const char *errstr);

/* Starts resolving host:port on the resolver thread (starting it if need
 * be); cb(arg, ...) will run on loop. Returns 0 and a handle in *reqp, or
 * KFK_ERR__NO_MEMORY / KFK_ERR__FAIL (no thread could be started), with no
 * callback to come. Any thread; never blocks (takes the resolver's lock
 * briefly). The handle is valid until the callback has started or until
 * kfk_resolve_cancel(). */
kfk_err kfk_resolve_start(struct kfk_resolver *r, struct kfk_loop *loop,
                          const char *host, int port, kfk_resolve_cb *cb,
                          void *arg, struct kfk_resolve_req **reqp);

/* Cancels a lookup whose callback has not run: the callback never will,
 * and the handle is invalid from now on. On the loop thread the lookup
 * reports to, only. Never blocks. */
void kfk_resolve_cancel(struct kfk_resolve_req *req);

/* Counters for tests: lookups handed to fn, and resolver threads started
 * (each ends after KFK_RESOLVE_IDLE_MS without work;
 * thread_running says whether one exists now). Any thread. */
struct kfk_resolver_stats {
	unsigned long lookups;
	unsigned long threads_started;
	int thread_running;
};
void kfk_resolver_stats(struct kfk_resolver *r, struct kfk_resolver_stats *st);

/* How long the thread waits for work before it ends (default
 * KFK_RESOLVE_IDLE_MS); for tests. Takes effect from its next wait. */
void kfk_resolver_set_idle_ms(struct kfk_resolver *r, int ms);

#define KFK_RESOLVE_IDLE_MS 10000

#endif /* KFK_NET_RESOLVE_H */
