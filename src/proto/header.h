/*
 * proto/header.h: request and response headers, and the frame around them.
 *
 * Every request on the wire is  int32 size | request header | body,  every
 * response  int32 size | response header | body.  Which header version an
 * API version uses follows from its flexibility (RequestHeader.json,
 * ResponseHeader.json):
 *   request header v1  api_key, api_version, correlation_id, client_id
 *                      (a classic nullable string even in v2)
 *   request header v2  v1 + tagged fields, for flexible request versions
 *   request header v0  v1 without client_id: only ControlledShutdown v0
 *   response header v0 correlation_id
 *   response header v1 v0 + tagged fields, for flexible versions, except
 *                      ApiVersions, whose responses always use v0 so that a
 *                      client can read them whatever version it asked for.
 *
 * Pure functions over caller-owned buffers: no locks, no blocking.
 */
#ifndef KFK_PROTO_HEADER_H
#define KFK_PROTO_HEADER_H

#include <stddef.h>
#include <stdint.h>

#include "proto/buf.h"

struct kfk_proto_req_header {
	int16_t api_key;
	int16_t api_version;
	int32_t correlation_id;
	struct kfk_str client_id; /* header v1+; len -1 = null */
};

/* The request header version (0, 1 or 2) of api_key at api_version, or -1
 * for a key the schemas do not define. */
int kfk_proto_req_header_version(int16_t api_key, int16_t api_version);

/* The response header version (0 or 1), or -1 for an unknown key. */
int kfk_proto_resp_header_version(int16_t api_key, int16_t api_version);

/* Appends h as request header version hver to w; returns 0 or w->err
 * (KFK_ERR__INVALID_ARG for a bad hver or a client_id over 32767 bytes). */
int kfk_proto_req_header_encode(kfk_wbuf *w, int hver,
                                const struct kfk_proto_req_header *h);

/* Reads a request header of version hver from r into h (client_id is a view
 * into r's bytes; unknown tagged fields are skipped). Returns 0 or r->err
 * (KFK_ERR__MALFORMED when truncated or inconsistent). */
int kfk_proto_req_header_decode(kfk_rbuf *r, int hver,
                                struct kfk_proto_req_header *h);

/* Bytes kfk_proto_req_header_encode() writes for valid input. */
size_t kfk_proto_req_header_size(int hver,
                                 const struct kfk_proto_req_header *h);

/* Appends a response header of version hver; returns 0 or w->err. */
int kfk_proto_resp_header_encode(kfk_wbuf *w, int hver,
                                 int32_t correlation_id);

/* Reads a response header of version hver; returns 0 or r->err. */
int kfk_proto_resp_header_decode(kfk_rbuf *r, int hver,
                                 int32_t *correlation_id);

/* Bytes kfk_proto_resp_header_encode() writes (without tagged fields). */
size_t kfk_proto_resp_header_size(int hver);

/* Starts a request frame in w: reserves the int32 size and writes h with the
 * header version its API and version call for. Append the body, then call
 * kfk_proto_frame_end() with the returned offset. An unknown API key sets
 * KFK_ERR__INVALID_ARG on w. */
size_t kfk_proto_request_begin(kfk_wbuf *w,
                               const struct kfk_proto_req_header *h);

/* Patches the size of the frame started at off; returns 0 or w->err
 * (KFK_ERR__MSG_SIZE_TOO_LARGE when the frame exceeds INT32_MAX). */
int kfk_proto_frame_end(kfk_wbuf *w, size_t off);

#endif /* KFK_PROTO_HEADER_H */
