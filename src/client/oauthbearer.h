/*
 * client/oauthbearer.h: the client's side of kfk_oauthbearer (kfk/conf.h):
 * the application's token-refresh callback and when to call it.
 */
#ifndef KFK_CLIENT_OAUTHBEARER_H
#define KFK_CLIENT_OAUTHBEARER_H

#include <stdatomic.h>
#include <stdint.h>

#include <kfk/conf.h>

struct kfk_sasl_conf;

struct kfk_oauthbearer {
	struct kfk_sasl_conf *sasl;  /* NULL: tokens are not the app's */
	kfk_oauthbearer_token_refresh_cb *cb;  /* NULL: none */
	const char *config;          /* sasl.oauthbearer.config (the conf's) */
	void *opaque;
	_Atomic int64_t refresh_at_ms;  /* wall clock; INT64_MAX: never */
};

/* Sets ob up for sc and calls the refresh callback once, when sc is
 * OAUTHBEARER with tokens from the application and a callback is set.
 * Creation thread (the application's). */
void kfk_oauth_init(struct kfk_oauthbearer *ob, struct kfk_sasl_conf *sc,
                    const kfk_conf *conf);

/* Calls the refresh callback when a refresh is due. Application thread,
 * inside poll calls; one atomic load and a clock read otherwise. */
void kfk_oauth_serve(struct kfk_oauthbearer *ob);

#endif /* KFK_CLIENT_OAUTHBEARER_H */
