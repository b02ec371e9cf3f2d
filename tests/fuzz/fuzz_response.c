/*
 * tests/fuzz/fuzz_response.c: whole response frames, dispatched by API as
 * the connection layer will: the request's API key and version, then
 *     int32 size | response header | body
 * with the header version proto/header.h derives from the API and version,
 * and the body handed to that API's decoder (checked as
 * tests/fuzz/fuzz_message.h describes).
 *
 * Input: int16 api_key, int16 api_version (mapped into the API's valid
 * range), then the frame. The per-API targets (resp_<api>) fuzz each body
 * decoder alone; this one fuzzes the path from key and version to header
 * and decoder. The list of APIs, fuzz_apis.def, is written by build.sh.
 */
#include "config.h"

#include "fuzz_message.h"
#include "proto/api.h"
#include "proto/header.h"

#define FUZZ_API_ENTRY(api, key) FUZZ_MESSAGE(kfk_##api##_response)
#include "fuzz_apis.def"
#undef FUZZ_API_ENTRY

/* Decodes the body with the decoder of key; 0 when kfk has none. */
static int dispatch(int16_t key, int16_t v, const uint8_t *p, size_t n)
{
	switch (key) {
#define FUZZ_API_ENTRY(api, k)                                                \
	case k:                                                               \
		fuzz_kfk_##api##_response(v, p, n);                           \
		return 1;
#include "fuzz_apis.def"
#undef FUZZ_API_ENTRY
	default:
		return 0;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct kfk_proto_api *api;
	int16_t key, v;
	int32_t frame, corr;
	int hver;
	kfk_rbuf r;

	kfk_rbuf_init(&r, data, size);
	key = kfk_rbuf_read_i16(&r);
	v = kfk_rbuf_read_i16(&r);
	frame = kfk_rbuf_read_i32(&r);
	if (r.err || !(api = kfk_proto_api_get(key)) || !api->has_codec)
		return 0;
	v = (int16_t)(api->min_version +
	              (uint16_t)v % (api->max_version - api->min_version + 1));
	hver = kfk_proto_resp_header_version(key, v);
	FUZZ_CHECK(hver == 0 || hver == 1);
	/* The frame layer hands on exactly `frame` bytes, once they are in. */
	if (frame < 0 || (size_t)frame > kfk_rbuf_remaining(&r))
		return 0;
	r.end = r.p + frame;
	if (kfk_proto_resp_header_decode(&r, hver, &corr))
		return 0;
	FUZZ_CHECK(dispatch(key, v, r.p, kfk_rbuf_remaining(&r)));
	return 0;
}
