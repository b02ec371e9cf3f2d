/*
 * OAUTHBEARER with tokens from the application, against the real broker's
 * SASL_PLAINTEXT listener (Kafka's unsecured validator: tokens with alg
 * "none"): the refresh callback runs inside kfk_producer_new(), then in
 * poll once 80% of the token's life has passed; records go through with
 * the token it set; a failure it reports reaches the error callback with
 * its reason; bad arguments are refused.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include <kfk/kfk.h>

#include "../kt.h"
#include "real.h"

struct app {
	int calls;
	int64_t life_ms;        /* of the tokens set */
	const char *fail;       /* set this failure instead of a token */
	int delivered, failed;
	char error[512];        /* the last error callback's text */
	kfk_err error_code;
};

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void b64url(const char *in, char *out)
{
	int n = EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)in,
	                        (int)strlen(in));

	while (n && out[n - 1] == '=')
		n--;
	out[n] = '\0';
	for (; *out; out++)
		*out = *out == '+' ? '-' : *out == '/' ? '_' : *out;
}

/* An unsigned JWT for alice expiring at exp_ms, as an identity provider
 * the unsecured validator trusts would issue. */
static void make_token(int64_t exp_ms, char *out)
{
	char payload[128], h[64], p[256];

	snprintf(payload, sizeof(payload), "{\"sub\":\"alice\",\"exp\":%lld}",
	         (long long)(exp_ms / 1000));
	b64url("{\"alg\":\"none\"}", h);
	b64url(payload, p);
	sprintf(out, "%s.%s.", h, p);
}

static void on_refresh(kfk_oauthbearer *ob, const char *config, void *opaque)
{
	struct app *a = opaque;
	char token[512], err[128];
	/* The token's exp claim is in whole seconds: that is its expiry. */
	int64_t exp = (wall_ms() + a->life_ms) / 1000 * 1000;
	const char *ext[] = { "traceid", "t1" };

	(void)config;
	a->calls++;
	if (a->fail) {
		kfk_oauthbearer_set_token_failure(ob, a->fail);
		return;
	}
	make_token(exp, token);
	KT_ASSERT_INT_EQ(kfk_oauthbearer_set_token(ob, token, exp, "alice", ext,
	                                           1, err, sizeof(err)), 0);
}

static void on_delivery(kfk_producer *p, const kfk_delivery *d,
                        void *opaque)
{
	struct app *a = opaque;

	(void)p;
	if (d->err)
		a->failed++;
	else
		a->delivered++;
}

/* Keeps the authentication error (all brokers down follows it). */
static void on_error(void *opaque, const kfk_error *e)
{
	struct app *a = opaque;

	if (a->error_code == KFK_ERR__AUTHENTICATION)
		return;
	snprintf(a->error, sizeof(a->error), "%s", kfk_error_string(e));
	a->error_code = kfk_error_code(e);
}

static kfk_producer *make_producer(struct app *a, int timeout_ms)
{
	const char *bs = getenv("KFK_KAFKA_SASL_PLAINTEXT");
	kfk_conf *conf = kfk_conf_new();
	char err[512], v[16];
	kfk_producer *p;

	kr_bootstrap(); /* skips or fails the test without a broker */
	KT_ASSERT_MSG(bs != NULL, "KFK_KAFKA_SASL_PLAINTEXT is not set "
	              "(kafka.sh start --secure)");
	snprintf(v, sizeof(v), "%d", timeout_ms);
	KT_ASSERT_INT_EQ(kfk_conf_set(conf, "bootstrap.servers", bs, err,
	                              sizeof(err)), 0);
	kfk_conf_set(conf, "security.protocol", "SASL_PLAINTEXT", err, sizeof(err));
	kfk_conf_set(conf, "sasl.mechanism", "OAUTHBEARER", err, sizeof(err));
	kfk_conf_set(conf, "delivery.timeout.ms", v, err, sizeof(err));
	kfk_conf_set(conf, "request.timeout.ms", v, err, sizeof(err));
	kfk_conf_set_oauthbearer_token_refresh_cb(conf, on_refresh);
	kfk_conf_set_delivery_cb(conf, on_delivery);
	kfk_conf_set_error_cb(conf, on_error);
	kfk_conf_set_opaque(conf, a);
	p = kfk_producer_new(conf, err, sizeof(err));
	kfk_conf_destroy(conf);
	KT_ASSERT_MSG(p != NULL, "kfk_producer_new: %s", err);
	return p;
}

static void produce_n(kfk_producer *p, int n)
{
	char topic[64], v[16];
	int i;

	kr_topic_name(topic, sizeof(topic), "oauth");
	for (i = 0; i < n; i++) {
		snprintf(v, sizeof(v), "v%d", i);
		KT_ASSERT_INT_EQ(kfk_produce(p, topic, 0, NULL, 0, v, strlen(v),
		                             NULL), 0);
	}
}

KT_TEST(oauthbearer_refresh_cb_token_and_refresh)
{
	struct app a = { .life_ms = 5000 };
	kfk_producer *p = make_producer(&a, 30000);
	int64_t end;

	KT_ASSERT_INT_EQ(a.calls, 1); /* inside kfk_producer_new() */
	KT_ASSERT(kfk_producer_oauthbearer(p) != NULL);
	produce_n(p, 10);
	KT_ASSERT_INT_EQ(kfk_producer_flush(p, 30000), 0);
	KT_ASSERT_INT_EQ(a.delivered, 10);
	KT_ASSERT_INT_EQ(a.failed, 0);
	/* 80% of 4-5 s: the next call comes from poll after 3.2-4 s. */
	end = wall_ms() + 10000;
	while (a.calls < 2 && wall_ms() < end)
		kfk_producer_poll(p, 100);
	KT_ASSERT_INT_EQ(a.calls, 2);
	KT_ASSERT(a.error[0] == '\0');
	kfk_producer_destroy(p);
}

KT_TEST(oauthbearer_failure_reaches_error_cb)
{
	struct app a = { .life_ms = 60000, .fail = "identity provider: 503" };
	kfk_producer *p = make_producer(&a, 3000);

	produce_n(p, 3);
	kfk_producer_flush(p, 10000);
	KT_ASSERT_INT_EQ(a.delivered, 0);
	KT_ASSERT_INT_EQ(a.failed, 3);
	KT_ASSERT_INT_EQ(a.error_code, KFK_ERR__AUTHENTICATION);
	KT_ASSERT_MSG(strstr(a.error, "no OAUTHBEARER token: identity provider: "
	                              "503") != NULL, "error: %s", a.error);
	kfk_producer_destroy(p);
}

KT_TEST(oauthbearer_set_token_refuses_bad_arguments)
{
	struct app a = { .life_ms = 60000 };
	kfk_producer *p = make_producer(&a, 30000);
	kfk_oauthbearer *ob = kfk_producer_oauthbearer(p);
	const char *bad_ext[] = { "auth", "x" };
	char err[128];

	KT_ASSERT_INT_EQ(kfk_oauthbearer_set_token(ob, "", wall_ms() + 1000, "a",
	                                           NULL, 0, err, sizeof(err)),
	                 KFK_ERR__INVALID_ARG);
	KT_ASSERT_STR_EQ(err, "empty token");
	KT_ASSERT_INT_EQ(kfk_oauthbearer_set_token(ob, "t", wall_ms() - 1, "a",
	                                           NULL, 0, err, sizeof(err)),
	                 KFK_ERR__INVALID_ARG);
	KT_ASSERT_STR_EQ(err, "lifetime_ms is in the past");
	KT_ASSERT_INT_EQ(kfk_oauthbearer_set_token(ob, "t", wall_ms() + 1000, "a",
	                                           bad_ext, 1, err, sizeof(err)),
	                 KFK_ERR__INVALID_ARG);
	KT_ASSERT_STR_EQ(err, "extension 0: the key must be letters, not "
	                      "\"auth\", with a value");
	kfk_producer_destroy(p);
}
