/*
 * tests/fuzz/fuzz_resp.c: one response decoder of src/proto/gen/.
 *
 * Compiled once per response API with -DFUZZ_API=<api> (its file name in
 * src/proto/gen/, e.g. metadata) and -DFUZZ_KEY=<its KFK_APIKEY_ constant>.
 * The first input byte picks the version among the API's valid versions;
 * the rest is decoded as a response body of that version and checked as
 * tests/fuzz/fuzz_message.h describes.
 */
#include "config.h"

#include "fuzz_message.h"
#include "proto/api.h"

#define FUZZ_CAT3(a, b, c) a##b##c
#define FUZZ_XCAT3(a, b, c) FUZZ_CAT3(a, b, c)
/* kfk_<api>_response, and its fuzz function. */
#define RESP FUZZ_XCAT3(kfk_, FUZZ_API, _response)
#define RESP_FUZZ FUZZ_XCAT3(fuzz_kfk_, FUZZ_API, _response)

/* FUZZ_MESSAGE(RESP) with RESP expanded first. */
#define FUZZ_MESSAGE_X(T) FUZZ_MESSAGE(T)
FUZZ_MESSAGE_X(RESP)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct kfk_proto_api *api = kfk_proto_api_get(FUZZ_KEY);
	int16_t v;

	FUZZ_CHECK(api != NULL && api->has_codec);
	if (size < 1)
		return 0;
	v = (int16_t)(api->min_version +
	              data[0] % (api->max_version - api->min_version + 1));
	RESP_FUZZ(v, data + 1, size - 1);
	return 0;
}
