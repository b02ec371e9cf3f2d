/*
 * Request and response headers (proto/header.h), which header version each
 * API version uses, framing, and the generated API table (proto/api.h).
 */
#include <stdlib.h>
#include <string.h>

#include "proto/api.h"
#include "proto/header.h"
#include "../kt.h"

KT_TEST(header_versions_follow_flexibility)
{
	/* Produce is flexible from v9 (ProduceRequest.json). */
	KT_ASSERT_INT_EQ(kfk_proto_req_header_version(KFK_APIKEY_PRODUCE, 8), 1);
	KT_ASSERT_INT_EQ(kfk_proto_req_header_version(KFK_APIKEY_PRODUCE, 9), 2);
	KT_ASSERT_INT_EQ(kfk_proto_resp_header_version(KFK_APIKEY_PRODUCE, 8), 0);
	KT_ASSERT_INT_EQ(kfk_proto_resp_header_version(KFK_APIKEY_PRODUCE, 9), 1);
	/* ApiVersions: flexible from v3, but its responses keep header v0. */
	KT_ASSERT_INT_EQ(kfk_proto_req_header_version(KFK_APIKEY_API_VERSIONS, 3),
	                 2);
	KT_ASSERT_INT_EQ(kfk_proto_resp_header_version(KFK_APIKEY_API_VERSIONS,
	                                               3), 0);
	KT_ASSERT_INT_EQ(kfk_proto_resp_header_version(KFK_APIKEY_API_VERSIONS,
	                                               4), 0);
	/* ControlledShutdown v0 is the one user of request header v0. */
	KT_ASSERT_INT_EQ(kfk_proto_req_header_version(
	                     KFK_APIKEY_CONTROLLED_SHUTDOWN, 0), 0);
	KT_ASSERT_INT_EQ(kfk_proto_req_header_version(
	                     KFK_APIKEY_CONTROLLED_SHUTDOWN, 1), 1);
	KT_ASSERT_INT_EQ(kfk_proto_req_header_version(
	                     KFK_APIKEY_CONTROLLED_SHUTDOWN, 3), 2);
	/* ConsumerGroupHeartbeat is flexible from v0. */
	KT_ASSERT_INT_EQ(kfk_proto_req_header_version(
	                     KFK_APIKEY_CONSUMER_GROUP_HEARTBEAT, 0), 2);
	/* SaslHandshake is never flexible. */
	KT_ASSERT_INT_EQ(kfk_proto_req_header_version(KFK_APIKEY_SASL_HANDSHAKE,
	                                              1), 1);
	KT_ASSERT_INT_EQ(kfk_proto_req_header_version(30000, 0), -1);
	KT_ASSERT_INT_EQ(kfk_proto_resp_header_version(-1, 0), -1);
}

KT_TEST(header_api_table)
{
	const struct kfk_proto_api *a = kfk_proto_api_get(KFK_APIKEY_FETCH);
	KT_ASSERT(a != NULL);
	KT_ASSERT_STR_EQ(a->name, "Fetch");
	KT_ASSERT_INT_EQ(a->key, 1);
	KT_ASSERT_INT_EQ(a->min_version, 0);
	KT_ASSERT(a->max_version >= 17);
	KT_ASSERT_INT_EQ(a->first_flexible, 12);
	KT_ASSERT(a->has_codec);
	/* Broker-to-broker APIs are known but have no codec. */
	a = kfk_proto_api_get(KFK_APIKEY_LEADER_AND_ISR);
	KT_ASSERT(a != NULL);
	KT_ASSERT(!a->has_codec);
	/* An unstable latest version is not offered for negotiation. */
	a = kfk_proto_api_get(KFK_APIKEY_CONSUMER_GROUP_HEARTBEAT);
	KT_ASSERT_INT_EQ(a->max_stable, a->max_version - 1);
	a = kfk_proto_api_get(KFK_APIKEY_SASL_HANDSHAKE);
	KT_ASSERT_INT_EQ(a->first_flexible, -1);
	KT_ASSERT_INT_EQ(a->max_stable, a->max_version);
	KT_ASSERT_STR_EQ(kfk_proto_api_name(KFK_APIKEY_METADATA), "Metadata");
	KT_ASSERT_STR_EQ(kfk_proto_api_name(-3), "Unknown");
	KT_ASSERT(kfk_proto_api_get(KFK_APIKEY__COUNT) == NULL);
	KT_ASSERT(kfk_proto_api_is_flexible(KFK_APIKEY_METADATA, 9));
	KT_ASSERT(!kfk_proto_api_is_flexible(KFK_APIKEY_METADATA, 8));
}

KT_TEST(header_request_encode_all_versions)
{
	static const uint8_t v0[] = {
		0x00, 0x07, 0x00, 0x00,       /* api_key 7, version 0 */
		0x00, 0x00, 0x00, 0x2a,       /* correlation_id 42 */
	};
	static const uint8_t v1[] = {
		0x00, 0x03, 0x00, 0x05, 0x00, 0x00, 0x00, 0x2a,
		0x00, 0x02, 'i', 'd',         /* client_id "id" */
	};
	static const uint8_t v2[] = {
		0x00, 0x03, 0x00, 0x05, 0x00, 0x00, 0x00, 0x2a,
		0x00, 0x02, 'i', 'd',         /* still a classic STRING */
		0x00,                         /* no tagged fields */
	};
	static const uint8_t v1_null[] = {
		0x00, 0x03, 0x00, 0x05, 0x00, 0x00, 0x00, 0x2a,
		0xff, 0xff,                   /* client_id null */
	};
	struct kfk_proto_req_header h = { 7, 0, 42, { "id", 2 } };
	kfk_wbuf w;

	kfk_wbuf_init(&w);
	KT_ASSERT_INT_EQ(kfk_proto_req_header_encode(&w, 0, &h), 0);
	KT_ASSERT_MEM_EQ(w.buf, w.len, v0, sizeof v0);
	KT_ASSERT_INT_EQ(kfk_proto_req_header_size(0, &h), sizeof v0);
	h.api_key = 3;
	h.api_version = 5;
	kfk_wbuf_reset(&w);
	KT_ASSERT_INT_EQ(kfk_proto_req_header_encode(&w, 1, &h), 0);
	KT_ASSERT_MEM_EQ(w.buf, w.len, v1, sizeof v1);
	KT_ASSERT_INT_EQ(kfk_proto_req_header_size(1, &h), sizeof v1);
	kfk_wbuf_reset(&w);
	KT_ASSERT_INT_EQ(kfk_proto_req_header_encode(&w, 2, &h), 0);
	KT_ASSERT_MEM_EQ(w.buf, w.len, v2, sizeof v2);
	KT_ASSERT_INT_EQ(kfk_proto_req_header_size(2, &h), sizeof v2);
	h.client_id = KFK_STR_NULL;
	kfk_wbuf_reset(&w);
	KT_ASSERT_INT_EQ(kfk_proto_req_header_encode(&w, 1, &h), 0);
	KT_ASSERT_MEM_EQ(w.buf, w.len, v1_null, sizeof v1_null);
	kfk_wbuf_reset(&w);
	KT_ASSERT_INT_EQ(kfk_proto_req_header_encode(&w, 3, &h),
	                 KFK_ERR__INVALID_ARG);
	kfk_wbuf_free(&w);
}

KT_TEST(header_request_decode_with_tags)
{
	static const uint8_t in[] = {
		0x00, 0x12, 0x00, 0x03,       /* ApiVersions v3 */
		0x00, 0x00, 0x01, 0x00,       /* correlation_id 256 */
		0x00, 0x03, 'k', 'f', 'k',    /* client_id */
		0x01, 0x04, 0x02, 0xaa, 0xbb, /* unknown tag 4, skipped */
		0x99,                         /* the body starts here */
	};
	struct kfk_proto_req_header h;
	kfk_rbuf r;
	kfk_rbuf_init(&r, in, sizeof in);
	KT_ASSERT_INT_EQ(kfk_proto_req_header_decode(&r, 2, &h), 0);
	KT_ASSERT_INT_EQ(h.api_key, 18);
	KT_ASSERT_INT_EQ(h.api_version, 3);
	KT_ASSERT_INT_EQ(h.correlation_id, 256);
	KT_ASSERT(kfk_str_eq(h.client_id, kfk_str_c("kfk")));
	KT_ASSERT_INT_EQ(kfk_rbuf_remaining(&r), 1);

	/* Header v0 has no client id: the same bytes leave it null. */
	kfk_rbuf_init(&r, in, sizeof in);
	KT_ASSERT_INT_EQ(kfk_proto_req_header_decode(&r, 0, &h), 0);
	KT_ASSERT_INT_EQ(h.client_id.len, -1);
	KT_ASSERT_INT_EQ(kfk_rbuf_offset(&r), 8);
}

/* Every strict prefix of a header fails, read from the end of a heap block
 * so that any over-read is caught. */
KT_TEST(header_truncations)
{
	static const uint8_t req[] = {
		0x00, 0x12, 0x00, 0x03, 0x00, 0x00, 0x01, 0x00,
		0x00, 0x03, 'k', 'f', 'k', 0x01, 0x04, 0x02, 0xaa, 0xbb,
	};
	static const uint8_t resp[] = { 0x00, 0x00, 0x00, 0x09, 0x00 };
	size_t cut;
	for (cut = 0; cut < sizeof req; cut++) {
		uint8_t *b = malloc(cut ? cut : 1);
		struct kfk_proto_req_header h;
		kfk_rbuf r;
		int32_t corr;
		KT_ASSERT(b != NULL);
		memcpy(b, req, cut);
		kfk_rbuf_init(&r, b, cut);
		KT_ASSERT_MSG(kfk_proto_req_header_decode(&r, 2, &h) != 0,
		              "request header cut at %zu decoded", cut);
		if (cut < sizeof resp) {
			memcpy(b, resp, cut);
			kfk_rbuf_init(&r, b, cut);
			KT_ASSERT_MSG(kfk_proto_resp_header_decode(&r, 1, &corr) != 0,
			              "response header cut at %zu decoded", cut);
		}
		free(b);
	}
}

KT_TEST(header_response_encode_decode)
{
	static const uint8_t v0[] = { 0x7f, 0xff, 0xff, 0xfe };
	static const uint8_t v1[] = { 0x7f, 0xff, 0xff, 0xfe, 0x00 };
	static const uint8_t v1_tags[] = {
		0x00, 0x00, 0x00, 0x05,
		0x02, 0x00, 0x00, 0x03, 0x01, 0xcc, /* two unknown tags */
	};
	kfk_wbuf w;
	kfk_rbuf r;
	int32_t corr = 0;

	kfk_wbuf_init(&w);
	KT_ASSERT_INT_EQ(kfk_proto_resp_header_encode(&w, 0, 0x7ffffffe), 0);
	KT_ASSERT_MEM_EQ(w.buf, w.len, v0, sizeof v0);
	KT_ASSERT_INT_EQ(kfk_proto_resp_header_size(0), sizeof v0);
	kfk_wbuf_reset(&w);
	KT_ASSERT_INT_EQ(kfk_proto_resp_header_encode(&w, 1, 0x7ffffffe), 0);
	KT_ASSERT_MEM_EQ(w.buf, w.len, v1, sizeof v1);
	KT_ASSERT_INT_EQ(kfk_proto_resp_header_size(1), sizeof v1);
	kfk_wbuf_reset(&w);
	KT_ASSERT_INT_EQ(kfk_proto_resp_header_encode(&w, 2, 1),
	                 KFK_ERR__INVALID_ARG);
	kfk_wbuf_free(&w);

	kfk_rbuf_init(&r, v1_tags, sizeof v1_tags);
	KT_ASSERT_INT_EQ(kfk_proto_resp_header_decode(&r, 1, &corr), 0);
	KT_ASSERT_INT_EQ(corr, 5);
	KT_ASSERT_INT_EQ(kfk_rbuf_remaining(&r), 0);
	/* Read as v0, the tag bytes are left for the body. */
	kfk_rbuf_init(&r, v1_tags, sizeof v1_tags);
	KT_ASSERT_INT_EQ(kfk_proto_resp_header_decode(&r, 0, &corr), 0);
	KT_ASSERT_INT_EQ(kfk_rbuf_remaining(&r), 6);
}

KT_TEST(header_frame_begin_end)
{
	static const uint8_t want[] = {
		0x00, 0x00, 0x00, 0x0e,       /* size 14 */
		0x00, 0x12, 0x00, 0x04,       /* ApiVersions v4: header v2 */
		0x00, 0x00, 0x00, 0x01,
		0xff, 0xff,                   /* client_id null */
		0x00,                         /* header tags */
		0x01, 0x01, 0x00,             /* a body of 3 bytes */
	};
	struct kfk_proto_req_header h = { KFK_APIKEY_API_VERSIONS, 4, 1,
	                                  KFK_STR_NULL };
	kfk_wbuf w;
	size_t off;

	kfk_wbuf_init(&w);
	off = kfk_proto_request_begin(&w, &h);
	KT_ASSERT_INT_EQ(off, 0);
	kfk_wbuf_put_raw(&w, "\x01\x01\x00", 3);
	KT_ASSERT_INT_EQ(kfk_proto_frame_end(&w, off), 0);
	KT_ASSERT_MEM_EQ(w.buf, w.len, want, sizeof want);

	kfk_wbuf_reset(&w);
	h.api_key = 29999; /* unknown: no header version */
	kfk_proto_request_begin(&w, &h);
	KT_ASSERT_INT_EQ(w.err, KFK_ERR__INVALID_ARG);
	kfk_wbuf_free(&w);
}
