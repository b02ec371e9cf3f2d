/*
 * tests/fuzz/fuzz_header.c: request and response headers (proto/header.h).
 *
 * Byte 0 chooses what the rest is: bit 0 clear, a response header, of
 * version bit 1; bit 0 set, a request header, of version (byte >> 1) % 3.
 * A header that decodes must encode again into the announced size and
 * decode back to the same fields; the header-version functions are fed
 * the key and version read, whatever they are.
 */
#include "config.h"

#include <string.h>

#include <kfk/errors.h>

#include "fuzz_common.h"
#include "proto/buf.h"
#include "proto/header.h"

static void fuzz_resp_header(int hver, const uint8_t *p, size_t n)
{
	int32_t corr = 0, corr2 = 0;
	kfk_rbuf r;
	kfk_wbuf w;

	kfk_rbuf_init(&r, p, n);
	if (kfk_proto_resp_header_decode(&r, hver, &corr))
		return;
	kfk_wbuf_init(&w);
	FUZZ_CHECK(kfk_proto_resp_header_encode(&w, hver, corr) == 0);
	FUZZ_CHECK(w.len == kfk_proto_resp_header_size(hver));
	kfk_rbuf_init(&r, w.buf, w.len);
	FUZZ_CHECK(kfk_proto_resp_header_decode(&r, hver, &corr2) == 0);
	FUZZ_CHECK(corr2 == corr && kfk_rbuf_remaining(&r) == 0);
	kfk_wbuf_free(&w);
}

static void fuzz_req_header(int hver, const uint8_t *p, size_t n)
{
	struct kfk_proto_req_header h, h2;
	int rv, sv;
	kfk_rbuf r;
	kfk_wbuf w;

	kfk_rbuf_init(&r, p, n);
	if (kfk_proto_req_header_decode(&r, hver, &h))
		return;
	/* A non-empty client id is a view into the input. */
	if (h.client_id.len > 0)
		FUZZ_CHECK(fuzz_within(h.client_id.ptr, (size_t)h.client_id.len,
		                       p, n));
	rv = kfk_proto_req_header_version(h.api_key, h.api_version);
	sv = kfk_proto_resp_header_version(h.api_key, h.api_version);
	FUZZ_CHECK(rv >= -1 && rv <= 2 && sv >= -1 && sv <= 1);
	FUZZ_CHECK((rv == -1) == (sv == -1));
	kfk_wbuf_init(&w);
	FUZZ_CHECK(kfk_proto_req_header_encode(&w, hver, &h) == 0);
	FUZZ_CHECK(w.len == kfk_proto_req_header_size(hver, &h));
	kfk_rbuf_init(&r, w.buf, w.len);
	FUZZ_CHECK(kfk_proto_req_header_decode(&r, hver, &h2) == 0);
	FUZZ_CHECK(kfk_rbuf_remaining(&r) == 0);
	FUZZ_CHECK(h2.api_key == h.api_key && h2.api_version == h.api_version);
	FUZZ_CHECK(h2.correlation_id == h.correlation_id);
	FUZZ_CHECK(kfk_str_eq(h2.client_id, h.client_id));
	kfk_wbuf_free(&w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 1)
		fuzz_req_header((data[0] >> 1) % 3, data + 1, size - 1);
	else
		fuzz_resp_header((data[0] >> 1) & 1, data + 1, size - 1);
	return 0;
}
