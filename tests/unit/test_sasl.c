/*
 * net/sasl and client/jaas: each mechanism's messages, byte for byte.
 * SCRAM-SHA-256 against RFC 7677's example exchange; SCRAM-SHA-512
 * against an exchange computed with Python's hashlib and hmac (an
 * independent implementation; the script is in the comment below); a
 * broker that does not extend our nonce or signs wrong is refused. PLAIN's
 * NUL-separated message, OAUTHBEARER's message and the unsecured JWT
 * decoded back, and the JAAS reader on the Java client's spellings.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "../kt.h"
#include "client/jaas.h"
#include "net/sasl.h"

static struct kfk_sasl_conf conf_of(enum kfk_sasl_mech_id m, const char *u,
                                    const char *pw)
{
	struct kfk_sasl_conf c;

	memset(&c, 0, sizeof(c));
	c.mech = m;
	c.username = (char *)u;
	c.password = (char *)pw;
	pthread_mutex_init(&c.token_lock, NULL);
	return c;
}

static struct kfk_sasl_state state_of(const struct kfk_sasl_conf *c)
{
	struct kfk_sasl_state st = {
		.mech = kfk_sasl_mech_get(c->mech), .conf = c, .host = "127.0.0.1",
	};
	return st;
}

#define ASSERT_MSG_STR(m, s) KT_ASSERT_MEM_EQ((m).p, (m).len, s, strlen(s))

/* One whole SCRAM exchange with a fixed client nonce. */
static void scram_exchange(enum kfk_sasl_mech_id mech, const char *user,
                           const char *pw, const char *nonce,
                           const char *first, const char *server_first,
                           const char *final, const char *server_final)
{
	struct kfk_sasl_conf c = conf_of(mech, user, pw);
	struct kfk_sasl_state st = state_of(&c);
	struct kfk_sasl_msg out = { 0 };
	char err[256] = "";
	bool done = true;

	KT_ASSERT_INT_EQ(kfk_sasl_scram_start_nonce(&st, nonce, &out, err,
	                                            sizeof(err)), 0);
	ASSERT_MSG_STR(out, first);
	kfk_sasl_msg_free(&out);
	KT_ASSERT_INT_EQ(st.mech->step(&st, (const uint8_t *)server_first,
	                               strlen(server_first), &out, &done, err,
	                               sizeof(err)), 0);
	KT_ASSERT(!done);
	ASSERT_MSG_STR(out, final);
	kfk_sasl_msg_free(&out);
	KT_ASSERT_INT_EQ(st.mech->step(&st, (const uint8_t *)server_final,
	                               strlen(server_final), &out, &done, err,
	                               sizeof(err)), 0);
	KT_ASSERT(done);
	KT_ASSERT(out.p == NULL);
	st.mech->free(&st);
}

KT_TEST(scram_sha256_rfc7677_example)
{
	scram_exchange(KFK_SASL_SCRAM_SHA_256, "user", "pencil",
	               "rOprNGfwEbeRWgbNEkqO", "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
	               "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
	               "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
	               "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF"
	               "$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
	               "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
}

/* Computed by:
 *   sp = hashlib.pbkdf2_hmac('sha512', b'scram-pw-93ab',
 *                            b64decode('c2FsdC1mb3Ita2Zr'), 4096)
 *   ck = hmac(sp, b'Client Key'); proof = ck ^ hmac(sha512(ck), auth)
 *   v  = hmac(hmac(sp, b'Server Key'), auth)
 * with auth = client-first-bare "," server-first "," client-final-without-
 * proof, as RFC 5802 defines it. */
KT_TEST(scram_sha512_independent_vector)
{
	scram_exchange(KFK_SASL_SCRAM_SHA_512, "alice", "scram-pw-93ab",
	               "fyko+d2lbbFgONRv9qkxdawL",
	               "n,,n=alice,r=fyko+d2lbbFgONRv9qkxdawL",
	               "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,"
	               "s=c2FsdC1mb3Ita2Zr,i=4096",
	               "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,"
	               "p=YDRznJoN89Q696yu12qVhPrysylomNpHOBXIRvcMze2Gz74So1Hugu"
	               "4mQthSgSJUi13PdZrWe2zNb20CxYSo9Q==",
	               "v=11T3kXu6FecdP53qdNICnmTORf929mA35uFaAnEDGNys3AzZYQdfZ"
	               "ZtrE9rVHdF4aYlJIF34cxFYBvNCylaf8g==");
}

/* Steps a started SCRAM exchange with server-first sf, then (when it was
 * accepted) server-final sfin; returns the first error and its text. */
static kfk_err scram_try(const char *sf, const char *sfin, char *err,
                         size_t errlen)
{
	struct kfk_sasl_conf c = conf_of(KFK_SASL_SCRAM_SHA_256, "user",
	                                 "pencil");
	struct kfk_sasl_state st = state_of(&c);
	struct kfk_sasl_msg out = { 0 };
	bool done;
	kfk_err e;

	kfk_sasl_scram_start_nonce(&st, "rOprNGfwEbeRWgbNEkqO", &out, err,
	                           errlen);
	kfk_sasl_msg_free(&out);
	e = st.mech->step(&st, (const uint8_t *)sf, strlen(sf), &out, &done,
	                  err, errlen);
	kfk_sasl_msg_free(&out);
	if (!e && sfin)
		e = st.mech->step(&st, (const uint8_t *)sfin, strlen(sfin), &out,
		                  &done, err, errlen);
	st.mech->free(&st);
	return e;
}

KT_TEST(scram_refuses_a_broker_that_does_not_know_the_password)
{
	const char *sf = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
	                 "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
	char err[256];

	KT_ASSERT_INT_EQ(scram_try("r=someoneelse,s=W22ZaJ0SNY7soEsUEjb6gQ==,"
	                           "i=4096", NULL, err, sizeof(err)),
	                 KFK_ERR__AUTHENTICATION);
	KT_ASSERT_STR_EQ(err, "the broker's SCRAM challenge is malformed or "
	                      "does not extend our nonce");
	KT_ASSERT_INT_EQ(scram_try(sf, "v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJR"
	                               "sjl95G4=", err, sizeof(err)),
	                 KFK_ERR__AUTHENTICATION);
	KT_ASSERT_STR_EQ(err, "the broker's SCRAM signature is wrong: it does "
	                      "not know the password");
	KT_ASSERT_INT_EQ(scram_try(sf, "e=invalid-proof", err, sizeof(err)),
	                 KFK_ERR__AUTHENTICATION);
	KT_ASSERT_STR_EQ(err, "the broker refused the SCRAM proof: "
	                      "invalid-proof");
}

KT_TEST(scram_escapes_the_user_name)
{
	struct kfk_sasl_conf c = conf_of(KFK_SASL_SCRAM_SHA_512, "a=b,c", "x");
	struct kfk_sasl_state st = state_of(&c);
	struct kfk_sasl_msg out = { 0 };
	char err[64];

	KT_ASSERT_INT_EQ(kfk_sasl_scram_start_nonce(&st, "N", &out, err,
	                                            sizeof(err)), 0);
	ASSERT_MSG_STR(out, "n,,n=a=3Db=2Cc,r=N");
	kfk_sasl_msg_free(&out);
	st.mech->free(&st);
}

KT_TEST(plain_is_authzid_user_password)
{
	struct kfk_sasl_conf c = conf_of(KFK_SASL_PLAIN, "alice", "pw");
	struct kfk_sasl_state st = state_of(&c);
	struct kfk_sasl_msg out = { 0 };
	char err[128];
	bool done = false;

	KT_ASSERT_INT_EQ(st.mech->start(&st, &out, err, sizeof(err)), 0);
	KT_ASSERT_MEM_EQ(out.p, out.len, "\0alice\0pw", 9);
	kfk_sasl_msg_free(&out);
	KT_ASSERT_INT_EQ(st.mech->step(&st, NULL, 0, &out, &done, err,
	                               sizeof(err)), 0);
	KT_ASSERT(done);
	c.password = NULL;
	KT_ASSERT_INT_EQ(st.mech->start(&st, &out, err, sizeof(err)),
	                 KFK_ERR__AUTHENTICATION);
	KT_ASSERT_STR_EQ(err, "PLAIN needs sasl.username and sasl.password (or "
	                      "sasl.jaas.config)");
}

/* base64url back to text. */
static void unb64url(const char *in, size_t len, char *out, size_t size)
{
	char b[1024];
	size_t i;
	int n;

	KT_ASSERT(len + 4 < sizeof(b));
	for (i = 0; i < len; i++)
		b[i] = in[i] == '-' ? '+' : in[i] == '_' ? '/' : in[i];
	while (i % 4)
		b[i++] = '=';
	n = EVP_DecodeBlock((unsigned char *)out, (unsigned char *)b, (int)i);
	KT_ASSERT(n > 0 && (size_t)n < size);
	out[n] = '\0';
	out[strcspn(out, "}") + 1] = '\0'; /* padding bytes decode as NULs */
}

KT_TEST(unsecured_jwt_claims)
{
	struct kfk_sasl_token t;
	char err[128], head[256], body[512];
	const char *dot1, *dot2;

	KT_ASSERT_INT_EQ(kfk_sasl_unsecured_jwt("principal=alice scope=a,b "
	                                        "lifeSeconds=60 extension_tr=x1",
	                                        1700000000123LL, &t, err,
	                                        sizeof(err)), 0);
	dot1 = strchr(t.value, '.');
	dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
	KT_ASSERT(dot1 && dot2 && dot2[1] == '\0'); /* no signature */
	unb64url(t.value, (size_t)(dot1 - t.value), head, sizeof(head));
	unb64url(dot1 + 1, (size_t)(dot2 - dot1 - 1), body, sizeof(body));
	KT_ASSERT_STR_EQ(head, "{\"alg\":\"none\"}");
	KT_ASSERT_STR_EQ(body, "{\"sub\":\"alice\",\"iat\":1700000000,"
	                       "\"exp\":1700000060,\"scope\":[\"a\",\"b\"]}");
	KT_ASSERT_STR_EQ(t.principal, "alice");
	KT_ASSERT_STR_EQ(t.extensions, "tr=x1");
	KT_ASSERT_INT_EQ(t.expiry_ms, 1700000060000LL);
	kfk_sasl_token_clear(&t);
	KT_ASSERT_INT_EQ(kfk_sasl_unsecured_jwt("scope=a", 0, &t, err,
	                                        sizeof(err)),
	                 KFK_ERR__INVALID_VALUE);
	KT_ASSERT_STR_EQ(err, "sasl.oauthbearer.config needs principal=NAME "
	                      "(and a positive lifeSeconds)");
	KT_ASSERT_INT_EQ(kfk_sasl_unsecured_jwt("principal=a color=red", 0, &t,
	                                        err, sizeof(err)),
	                 KFK_ERR__INVALID_VALUE);
}

KT_TEST(oauthbearer_message_and_missing_token)
{
	struct kfk_sasl_conf c = conf_of(KFK_SASL_OAUTHBEARER, NULL, NULL);
	struct kfk_sasl_state st = state_of(&c);
	struct kfk_sasl_msg out = { 0 };
	char err[256];
	bool done = false;

	KT_ASSERT_INT_EQ(kfk_sasl_token_set(&c, NULL, 0, NULL, NULL,
	                                    "refresh failed: 503"), 0);
	KT_ASSERT_INT_EQ(st.mech->start(&st, &out, err, sizeof(err)),
	                 KFK_ERR__AUTHENTICATION);
	KT_ASSERT(strstr(err, "no OAUTHBEARER token: refresh failed: 503") == err);
	KT_ASSERT_INT_EQ(kfk_sasl_token_set(&c, "T0K", 1, "p", "k=v", NULL), 0);
	KT_ASSERT_INT_EQ(st.mech->start(&st, &out, err, sizeof(err)), 0);
	KT_ASSERT_MEM_EQ(out.p, out.len, "n,,\x01" "auth=Bearer T0K\x01k=v\x01\x01",
	                 25);
	kfk_sasl_msg_free(&out);
	/* A JSON error is acknowledged with ^A; an empty answer is success. */
	KT_ASSERT_INT_EQ(st.mech->step(&st, (const uint8_t *)"{}", 2, &out, &done,
	                               err, sizeof(err)), 0);
	KT_ASSERT(!done);
	KT_ASSERT_MEM_EQ(out.p, out.len, "\x01", 1);
	kfk_sasl_msg_free(&out);
	KT_ASSERT_INT_EQ(st.mech->step(&st, NULL, 0, &out, &done, err,
	                               sizeof(err)), 0);
	KT_ASSERT(done);
	kfk_sasl_conf_clear(&c);
}

struct jaas_seen {
	char text[512];
};

static kfk_err jaas_collect(void *opaque, const char *k, const char *v)
{
	struct jaas_seen *s = opaque;
	size_t n = strlen(s->text);

	snprintf(s->text + n, sizeof(s->text) - n, "[%s|%s]", k, v);
	return KFK_ERR_NONE;
}

KT_TEST(jaas_reads_java_spellings)
{
	struct jaas_seen s = { "" };
	char err[256];

	KT_ASSERT_INT_EQ(kfk_jaas_parse(
	    "org.apache.kafka.common.security.scram.ScramLoginModule required\n"
	    "  username=\"alice\" password=\"p\\\"w;x\" flag=bare ;", jaas_collect,
	    &s, err, sizeof(err)), 0);
	KT_ASSERT_STR_EQ(s.text, "[|org.apache.kafka.common.security.scram."
	                         "ScramLoginModule][username|alice][password|"
	                         "p\"w;x][flag|bare]");
	KT_ASSERT_INT_EQ(kfk_jaas_parse("Mod username=\"a\";", jaas_collect, &s,
	                                err, sizeof(err)),
	                 KFK_ERR__INVALID_VALUE);
	KT_ASSERT_STR_EQ(err, "sasl.jaas.config: expected a login module class "
	                      "and a flag (required, optional, ...)");
	KT_ASSERT_INT_EQ(kfk_jaas_parse("Mod required password=\"secret",
	                                jaas_collect, &s, err, sizeof(err)),
	                 KFK_ERR__INVALID_VALUE);
	KT_ASSERT(strstr(err, "secret") == NULL); /* never echoes a value */
}
