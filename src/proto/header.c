/*
 * proto/header.c: request / response headers, the frame size, and the
 * lookups of the API table (proto/api.h) they depend on.
 */
#include "config.h"

#include "proto/api.h"
#include "proto/header.h"

const struct kfk_proto_api *kfk_proto_api_get(int16_t api_key)
{
	if (api_key < 0 || api_key >= KFK_APIKEY__COUNT ||
	    !kfk_proto_api_table[api_key].name)
		return NULL;
	return &kfk_proto_api_table[api_key];
}

const char *kfk_proto_api_name(int16_t api_key)
{
	const struct kfk_proto_api *a = kfk_proto_api_get(api_key);
	return a ? a->name : "Unknown";
}

int kfk_proto_api_is_flexible(int16_t api_key, int16_t version)
{
	const struct kfk_proto_api *a = kfk_proto_api_get(api_key);
	return a && a->first_flexible >= 0 && version >= a->first_flexible;
}

int kfk_proto_req_header_version(int16_t api_key, int16_t api_version)
{
	if (!kfk_proto_api_get(api_key))
		return -1;
	/* ControlledShutdown v0 predates the client id (header v0). */
	if (api_key == KFK_APIKEY_CONTROLLED_SHUTDOWN && api_version == 0)
		return 0;
	return kfk_proto_api_is_flexible(api_key, api_version) ? 2 : 1;
}

int kfk_proto_resp_header_version(int16_t api_key, int16_t api_version)
{
	if (!kfk_proto_api_get(api_key))
		return -1;
	if (api_key == KFK_APIKEY_API_VERSIONS)
		return 0;
	return kfk_proto_api_is_flexible(api_key, api_version) ? 1 : 0;
}

int kfk_proto_req_header_encode(kfk_wbuf *w, int hver,
                                const struct kfk_proto_req_header *h)
{
	if (hver < 0 || hver > 2) {
		kfk_wbuf_fail(w, KFK_ERR__INVALID_ARG);
		return w->err;
	}
	kfk_wbuf_put_i16(w, h->api_key);
	kfk_wbuf_put_i16(w, h->api_version);
	kfk_wbuf_put_i32(w, h->correlation_id);
	/* client_id keeps the classic int16 length in v2 too, so that old
	 * brokers can read any ApiVersions request header. */
	if (hver >= 1)
		kfk_wbuf_put_str(w, 0, 1, h->client_id);
	if (hver >= 2)
		kfk_wbuf_put_uvarint(w, 0); /* no tagged fields */
	return w->err;
}

int kfk_proto_req_header_decode(kfk_rbuf *r, int hver,
                                struct kfk_proto_req_header *h)
{
	h->client_id = KFK_STR_NULL;
	if (hver < 0 || hver > 2) {
		kfk_rbuf_fail(r, KFK_ERR__INVALID_ARG);
		return r->err;
	}
	h->api_key = kfk_rbuf_read_i16(r);
	h->api_version = kfk_rbuf_read_i16(r);
	h->correlation_id = kfk_rbuf_read_i32(r);
	if (hver >= 1)
		h->client_id = kfk_rbuf_read_str(r, 0, 1);
	if (hver >= 2)
		kfk_rbuf_skip_tags(r);
	return r->err;
}

size_t kfk_proto_req_header_size(int hver,
                                 const struct kfk_proto_req_header *h)
{
	size_t sz = 8;
	if (hver >= 1)
		sz += kfk_wsize_str(0, h->client_id);
	if (hver >= 2)
		sz += 1;
	return sz;
}

int kfk_proto_resp_header_encode(kfk_wbuf *w, int hver,
                                 int32_t correlation_id)
{
	if (hver < 0 || hver > 1) {
		kfk_wbuf_fail(w, KFK_ERR__INVALID_ARG);
		return w->err;
	}
	kfk_wbuf_put_i32(w, correlation_id);
	if (hver >= 1)
		kfk_wbuf_put_uvarint(w, 0);
	return w->err;
}

int kfk_proto_resp_header_decode(kfk_rbuf *r, int hver,
                                 int32_t *correlation_id)
{
	if (hver < 0 || hver > 1) {
		kfk_rbuf_fail(r, KFK_ERR__INVALID_ARG);
		return r->err;
	}
	*correlation_id = kfk_rbuf_read_i32(r);
	if (hver >= 1)
		kfk_rbuf_skip_tags(r);
	return r->err;
}

size_t kfk_proto_resp_header_size(int hver)
{
	return hver >= 1 ? 5 : 4;
}

size_t kfk_proto_request_begin(kfk_wbuf *w,
                               const struct kfk_proto_req_header *h)
{
	size_t off = kfk_wbuf_reserve_i32(w);
	int hver = kfk_proto_req_header_version(h->api_key, h->api_version);
	if (hver < 0)
		kfk_wbuf_fail(w, KFK_ERR__INVALID_ARG);
	else
		kfk_proto_req_header_encode(w, hver, h);
	return off;
}

int kfk_proto_frame_end(kfk_wbuf *w, size_t off)
{
	if (!w->err && w->len >= off + 4 && w->len - off - 4 > INT32_MAX)
		kfk_wbuf_fail(w, KFK_ERR__MSG_SIZE_TOO_LARGE);
	kfk_wbuf_patch_len(w, off);
	return w->err;
}
