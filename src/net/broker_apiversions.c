/*
 * net/broker_apiversions.c: ApiVersions on every new connection.
 *
 * The first request on a connection asks the broker which versions of
 * each API it speaks. Every connection starts with the newest ApiVersions
 * version our codecs have (v3+ carries client_software_name "kfk" and the
 * library version): the broker behind an address may have been upgraded
 * since the last one. A broker that does not support it answers
 * UNSUPPORTED_VERSION in a v0 body that lists the ApiVersions versions it
 * does support (KIP-511); we ask again on the same connection with the
 * highest version in both its range and ours, always lower than the one
 * refused (so the exchange ends), and never with a version outside the
 * range it listed: when none is left the connection fails with
 * KFK_ERR__UNSUPPORTED_FEATURE. Then, per API, the version to use is the
 * highest both sides support (kfk_broker_api_version()).
 */
#include "config.h"

#include "net/broker_int.h"

#include <kfk/version.h>

#include "proto/api.h"
#include "proto/gen/api_versions.h"
#include "util/time.h"

void kfk_broker_av_clear(struct kfk_broker *b)
{
	int k;

	for (k = 0; k < KFK_APIKEY__COUNT; k++)
		atomic_store_explicit(&b->versions[k], -1, memory_order_relaxed);
}

int16_t kfk_broker_api_version(const struct kfk_broker *b, int16_t api_key)
{
	int32_t v;

	if (api_key < 0 || api_key >= KFK_APIKEY__COUNT)
		return -1;
	v = atomic_load_explicit(&((struct kfk_broker *)b)->versions[api_key],
	                         memory_order_relaxed);
	return v < 0 ? -1 : (int16_t)(v & 0xffff);
}

static kfk_err kfk_broker_av_encode(struct kfk_req *req, kfk_wbuf *w,
                                    int16_t version)
{
	struct kfk_api_versions_request m;

	(void)req;
	kfk_api_versions_request_init(&m);
	m.client_software_name = kfk_str_c("kfk");
	m.client_software_version = kfk_str_c(KFK_VERSION_STR);
	return (kfk_err)kfk_api_versions_request_encode(w, version, &m);
}

static void kfk_broker_av_done(struct kfk_req *req, kfk_err err,
                               kfk_rbuf *body, int16_t version);

void kfk_broker_av_init(struct kfk_broker *b)
{
	b->av_req.api_key = KFK_APIKEY_API_VERSIONS;
	b->av_req.encode = kfk_broker_av_encode;
	b->av_req.done = kfk_broker_av_done;
	b->av_req.broker = b;
	kfk_timer_init(&b->av_req.timer, kfk_broker_req_timeout, &b->av_req);
}

/* Writes ApiVersions at b->av_version. */
static void kfk_broker_av_send(struct kfk_broker *b)
{
	struct kfk_req *req = &b->av_req;
	kfk_err err;

	req->version = b->av_version;
	req->enqueued_us = kfk_now_us();
	req->deadline_us =
	    req->enqueued_us + b->cfg.api_version_timeout_ms * 1000LL;
	err = kfk_broker_write_req(b, req);
	if (err) {
		kfk_broker_fail(b, err, "cannot encode ApiVersions v%d",
		                (int)req->version);
		return;
	}
	kfk_loop_timer_arm(b->loop, &req->timer, req->deadline_us);
	kfk_dbg(b->cfg.log, KFK_DBG_PROTOCOL, "APIVERSION",
	        "%s: sent ApiVersions v%d", b->name, (int)req->version);
}

void kfk_broker_av_start(struct kfk_broker *b)
{
	const struct kfk_proto_api *api =
	    kfk_proto_api_get(KFK_APIKEY_API_VERSIONS);

	b->av_version = api ? api->max_stable : 0;
	kfk_broker_av_send(b);
}

/* The broker refused our ApiVersions version: ask again with the highest
 * one below it that both its v0 answer and we list (any one below it when
 * the answer does not decode or lists no ApiVersions), or fail when there
 * is none. */
static void kfk_broker_av_step_down(struct kfk_broker *b, kfk_rbuf *body,
                                    int16_t version)
{
	const struct kfk_proto_api *api =
	    kfk_proto_api_get(KFK_APIKEY_API_VERSIONS);
	struct kfk_api_versions_response m;
	uint8_t stack[2048];
	int16_t lo = api ? api->min_version : 0, hi = (int16_t)(version - 1);
	int16_t bmin = 0, bmax = 0;
	bool listed = false;
	kfk_arena a;
	int32_t i;

	kfk_arena_init_buf(&a, stack, sizeof(stack));
	if (kfk_api_versions_response_decode(body, 0, &a, &m) == 0)
		for (i = 0; i < m.api_keys_count; i++)
			if (m.api_keys[i].api_key == KFK_APIKEY_API_VERSIONS) {
				bmin = m.api_keys[i].min_version;
				bmax = m.api_keys[i].max_version;
				listed = true;
			}
	kfk_arena_destroy(&a);
	if (listed) {
		if (bmin > lo)
			lo = bmin;
		if (bmax < hi)
			hi = bmax;
	}
	if (hi < lo) {
		kfk_broker_fail(b, KFK_ERR__UNSUPPORTED_FEATURE,
		                "no ApiVersions version in common: the broker "
		                "refused v%d and lists v%d..v%d, kfk has v%d..v%d",
		                (int)version, (int)bmin, (int)bmax,
		                api ? (int)api->min_version : 0,
		                api ? (int)api->max_stable : 0);
		return;
	}
	kfk_dbg(b->cfg.log, KFK_DBG_BROKER | KFK_DBG_PROTOCOL, "APIVERSION",
	        "%s: ApiVersions v%d unsupported by the broker, retrying "
	        "with v%d",
	        b->name, (int)version, (int)hi);
	b->av_version = hi;
	kfk_broker_av_send(b);
}

/* Our range for an API intersected with the broker's: lo << 16 | hi, or
 * -1 when they do not meet or we do not know the API. */
static int32_t kfk_broker_av_meet(int16_t key, int16_t bmin, int16_t bmax)
{
	const struct kfk_proto_api *api = kfk_proto_api_get(key);
	int16_t lo, hi;

	if (!api || bmin < 0 || bmax < bmin)
		return -1;
	lo = api->min_version > bmin ? api->min_version : bmin;
	hi = api->max_stable < bmax ? api->max_stable : bmax;
	return lo <= hi ? ((int32_t)lo << 16) | (uint16_t)hi : -1;
}

/* Fills the version table from the broker's list; returns the number of
 * APIs usable. */
static int kfk_broker_av_apply(struct kfk_broker *b,
                               const struct kfk_api_versions_response *m)
{
	int32_t table[KFK_APIKEY__COUNT], i;
	int k, usable = 0;

	for (k = 0; k < KFK_APIKEY__COUNT; k++)
		table[k] = -1;
	for (i = 0; i < m->api_keys_count; i++) {
		const struct kfk_api_versions_response_api_version *v =
		    &m->api_keys[i];

		if (v->api_key < 0 || v->api_key >= KFK_APIKEY__COUNT)
			continue;
		table[v->api_key] =
		    kfk_broker_av_meet(v->api_key, v->min_version, v->max_version);
		kfk_dbg(b->cfg.log, KFK_DBG_PROTOCOL, "APIVERSION",
		        "%s: %s (%d): broker v%d..v%d, using %s%d", b->name,
		        kfk_proto_api_name(v->api_key), (int)v->api_key,
		        (int)v->min_version, (int)v->max_version,
		        table[v->api_key] < 0 ? "none: " : "v",
		        table[v->api_key] < 0 ? -1 : (int)(table[v->api_key] & 0xffff));
	}
	for (k = 0; k < KFK_APIKEY__COUNT; k++) {
		atomic_store_explicit(&b->versions[k], table[k],
		                      memory_order_relaxed);
		usable += table[k] >= 0;
	}
	return usable;
}

/* A successful answer: the table, then UP. */
static void kfk_broker_av_accept(struct kfk_broker *b, kfk_rbuf *body,
                                 int16_t version)
{
	struct kfk_api_versions_response m;
	uint8_t stack[4096];
	kfk_arena a;
	int usable;

	kfk_arena_init_buf(&a, stack, sizeof(stack));
	if (kfk_api_versions_response_decode(body, version, &a, &m)) {
		kfk_arena_destroy(&a);
		kfk_broker_fail(b, KFK_ERR__MALFORMED,
		                "malformed ApiVersions v%d response", (int)version);
		return;
	}
	usable = kfk_broker_av_apply(b, &m);
	kfk_arena_destroy(&a);
	kfk_dbg(b->cfg.log, KFK_DBG_BROKER, "APIVERSION",
	        "%s: ApiVersions v%d: %d APIs in common (Metadata v%d, "
	        "Produce v%d, Fetch v%d)",
	        b->name, (int)version, usable,
	        kfk_broker_api_version(b, KFK_APIKEY_METADATA),
	        kfk_broker_api_version(b, KFK_APIKEY_PRODUCE),
	        kfk_broker_api_version(b, KFK_APIKEY_FETCH));
	if (b->cfg.sasl)
		kfk_broker_sasl_start(b);
	else
		kfk_broker_up(b);
}

static void kfk_broker_av_done(struct kfk_req *req, kfk_err err,
                               kfk_rbuf *body, int16_t version)
{
	struct kfk_broker *b = req->broker;
	kfk_rbuf peek;
	int16_t ec;

	if (err)
		return; /* the connection failure says why */
	peek = *body;
	ec = kfk_rbuf_read_i16(&peek); /* first field in every version */
	if (peek.err)
		kfk_broker_fail(b, KFK_ERR__MALFORMED, "empty ApiVersions response");
	else if (ec == KFK_ERR_UNSUPPORTED_VERSION && version > 0)
		kfk_broker_av_step_down(b, body, version);
	else if (ec)
		kfk_broker_fail(b, (kfk_err)ec, "ApiVersions v%d failed: %s",
		                (int)version, kfk_err_name((kfk_err)ec));
	else
		kfk_broker_av_accept(b, body, version);
}
