/*
 * admin/admin_acls.c: ACLs created, described and deleted (CreateAcls,
 * DescribeAcls, DeleteAcls), one request each to any broker (a KRaft
 * broker forwards the changes to the controller). The broker's authorizer
 * decides; a broker without one answers SECURITY_DISABLED.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "admin/admin_int.h"
#include "proto/arena.h"
#include "proto/gen/api_keys.h"
#include "proto/gen/create_acls.h"
#include "proto/gen/delete_acls.h"
#include "proto/gen/describe_acls.h"
#include "util/sized.h"

/* ---- ACL items ---------------------------------------------------------- */

void kfk_admin_acl_clear(struct kfk_admin_acl *x)
{
	free(x->rname);
	free(x->principal);
	free(x->host);
	free(x->errstr);
	memset(x, 0, sizeof(*x));
}

static char *dup_str(struct kfk_str s)
{
	return s.ptr && s.len >= 0 ? strndup(s.ptr, (size_t)s.len) : NULL;
}

/* Fills x from the wire's fields (strings copied; NULL stays NULL). */
static kfk_err acl_set(struct kfk_admin_acl *x, int8_t rtype,
                       struct kfk_str rname, int8_t pattern,
                       struct kfk_str principal, struct kfk_str host,
                       int8_t op, int8_t perm)
{
	x->acl.size = sizeof(x->acl);
	x->acl.resource_type = (kfk_acl_resource)rtype;
	x->acl.pattern_type = (kfk_acl_pattern)pattern;
	x->acl.operation = (kfk_acl_operation)op;
	x->acl.permission = (kfk_acl_permission)perm;
	x->acl.resource_name = x->rname = dup_str(rname);
	x->acl.principal = x->principal = dup_str(principal);
	x->acl.host = x->host = dup_str(host);
	x->filter = -1;
	if ((rname.ptr && !x->rname) || (principal.ptr && !x->principal) ||
	    (host.ptr && !x->host))
		return KFK_ERR__NO_MEMORY;
	return KFK_ERR_NONE;
}

/* A new item at the end of r's ACLs; NULL out of memory. */
static struct kfk_admin_acl *item_add(struct kfk_admin_result *r)
{
	if (r->acl_cnt == r->acl_cap) {
		int cap = r->acl_cap ? 2 * r->acl_cap : 8;
		struct kfk_admin_acl *v = realloc(r->acls,
		                                  (size_t)cap * sizeof(*v));
		if (!v)
			return NULL;
		r->acls = v;
		r->acl_cap = cap;
	}
	memset(&r->acls[r->acl_cnt], 0, sizeof(r->acls[0]));
	return &r->acls[r->acl_cnt++];
}

/* A copy of the caller's ACL (or filter) into x. */
static kfk_err acl_in(struct kfk_admin_acl *x, const kfk_acl *in)
{
	kfk_acl c = KFK_ACL_INIT;

	if (kfk_sized_in(&c, sizeof(c), in, offsetof(kfk_acl, resource_name)))
		return KFK_ERR__INVALID_ARG;
	return acl_set(x, (int8_t)c.resource_type, kfk_str_c(c.resource_name),
	               (int8_t)c.pattern_type, kfk_str_c(c.principal),
	               kfk_str_c(c.host), (int8_t)c.operation,
	               (int8_t)c.permission);
}

/* ---- CreateAcls ---------------------------------------------------------- */

static kfk_err ca_encode(struct kfk_req *req, kfk_wbuf *w, int16_t version)
{
	struct kfk_admin_opx *o = req->opaque;
	struct kfk_admin_result *r = o->res;
	struct kfk_create_acls_request m;
	struct kfk_create_acls_request_acl_creation *c =
		calloc((size_t)r->want_cnt + 1, sizeof(*c));
	kfk_err err;

	if (!c)
		return KFK_ERR__NO_MEMORY;
	kfk_create_acls_request_init(&m);
	for (int i = 0; i < r->want_cnt; i++) {
		const kfk_acl *x = &r->want[i].acl;

		kfk_create_acls_request_acl_creation_init(&c[i]);
		c[i].resource_type = (int8_t)x->resource_type;
		c[i].resource_name = kfk_str_c(x->resource_name);
		c[i].resource_pattern_type = (int8_t)x->pattern_type;
		c[i].principal = kfk_str_c(x->principal);
		c[i].host = kfk_str_c(x->host);
		c[i].operation = (int8_t)x->operation;
		c[i].permission_type = (int8_t)x->permission;
	}
	m.creations = c;
	m.creations_count = r->want_cnt;
	err = (kfk_err)kfk_create_acls_request_encode(w, version, &m);
	free(c);
	return err;
}

static kfk_err ca_parse(struct kfk_admin_opx *o, kfk_rbuf *body,
                        int16_t version)
{
	struct kfk_admin_result *r = o->res;
	struct kfk_create_acls_response m;
	kfk_err err = KFK_ERR_NONE;
	kfk_arena ar;

	kfk_arena_init(&ar);
	if (kfk_create_acls_response_decode(body, version, &ar, &m) ||
	    m.results_count != r->want_cnt)
		err = KFK_ERR__MALFORMED;
	for (int i = 0; !err && i < m.results_count; i++) {
		struct kfk_admin_acl *x = &r->acls[i];

		x->err = (kfk_err)m.results[i].error_code;
		if (x->err && m.results[i].error_message.ptr)
			x->errstr = dup_str(m.results[i].error_message);
	}
	kfk_arena_destroy(&ar);
	return err;
}

/* ---- DescribeAcls -------------------------------------------------------- */

static kfk_err da_encode(struct kfk_req *req, kfk_wbuf *w, int16_t version)
{
	struct kfk_admin_opx *o = req->opaque;
	const kfk_acl *f = &o->res->want[0].acl;
	struct kfk_describe_acls_request m;

	kfk_describe_acls_request_init(&m);
	m.resource_type_filter = (int8_t)f->resource_type;
	m.resource_name_filter = kfk_str_c(f->resource_name);
	m.pattern_type_filter = (int8_t)f->pattern_type;
	m.principal_filter = kfk_str_c(f->principal);
	m.host_filter = kfk_str_c(f->host);
	m.operation = (int8_t)f->operation;
	m.permission_type = (int8_t)f->permission;
	return (kfk_err)kfk_describe_acls_request_encode(w, version, &m);
}

/* A request-level error with the broker's words for the result. */
static kfk_err refused(struct kfk_admin_result *r, int16_t code,
                       struct kfk_str msg)
{
	free(r->errstr);
	r->errstr = msg.ptr && msg.len > 0 ? dup_str(msg) : NULL;
	return (kfk_err)code;
}

static kfk_err da_parse(struct kfk_admin_opx *o, kfk_rbuf *body,
                        int16_t version)
{
	struct kfk_admin_result *r = o->res;
	struct kfk_describe_acls_response m;
	kfk_err err = KFK_ERR_NONE;
	kfk_arena ar;

	kfk_arena_init(&ar);
	if (kfk_describe_acls_response_decode(body, version, &ar, &m))
		err = KFK_ERR__MALFORMED;
	else if (m.error_code)
		err = refused(r, m.error_code, m.error_message);
	for (int i = 0; !err && i < m.resources_count; i++) {
		const struct kfk_describe_acls_response_resource *rs =
			&m.resources[i];

		for (int k = 0; !err && k < rs->acls_count; k++) {
			const struct kfk_describe_acls_response_acl_description
				*d = &rs->acls[k];
			struct kfk_admin_acl *x = item_add(r);

			err = x ? acl_set(x, rs->resource_type, rs->resource_name,
			                  rs->pattern_type, d->principal, d->host,
			                  d->operation, d->permission_type)
			        : KFK_ERR__NO_MEMORY;
		}
	}
	kfk_arena_destroy(&ar);
	return err;
}

/* ---- DeleteAcls ---------------------------------------------------------- */

static kfk_err dl_encode(struct kfk_req *req, kfk_wbuf *w, int16_t version)
{
	struct kfk_admin_opx *o = req->opaque;
	struct kfk_admin_result *r = o->res;
	struct kfk_delete_acls_request m;
	struct kfk_delete_acls_request_filter *f =
		calloc((size_t)r->want_cnt + 1, sizeof(*f));
	kfk_err err;

	if (!f)
		return KFK_ERR__NO_MEMORY;
	kfk_delete_acls_request_init(&m);
	for (int i = 0; i < r->want_cnt; i++) {
		const kfk_acl *x = &r->want[i].acl;

		kfk_delete_acls_request_filter_init(&f[i]);
		f[i].resource_type_filter = (int8_t)x->resource_type;
		f[i].resource_name_filter = kfk_str_c(x->resource_name);
		f[i].pattern_type_filter = (int8_t)x->pattern_type;
		f[i].principal_filter = kfk_str_c(x->principal);
		f[i].host_filter = kfk_str_c(x->host);
		f[i].operation = (int8_t)x->operation;
		f[i].permission_type = (int8_t)x->permission;
	}
	m.filters = f;
	m.filters_count = r->want_cnt;
	err = (kfk_err)kfk_delete_acls_request_encode(w, version, &m);
	free(f);
	return err;
}

/* Filter fi failed as a whole: an item of its own, the filter with the
 * error. */
static kfk_err filter_failed(struct kfk_admin_result *r, int fi,
                             const struct kfk_delete_acls_response_filter_result
                                     *fr)
{
	struct kfk_admin_acl *x = item_add(r);
	const kfk_acl *f = &r->want[fi].acl;
	kfk_err err;

	if (!x)
		return KFK_ERR__NO_MEMORY;
	err = acl_set(x, (int8_t)f->resource_type, kfk_str_c(f->resource_name),
	              (int8_t)f->pattern_type, kfk_str_c(f->principal),
	              kfk_str_c(f->host), (int8_t)f->operation,
	              (int8_t)f->permission);
	x->filter = fi;
	x->err = (kfk_err)fr->error_code;
	if (fr->error_message.ptr)
		x->errstr = dup_str(fr->error_message);
	return err;
}

static kfk_err dl_parse(struct kfk_admin_opx *o, kfk_rbuf *body,
                        int16_t version)
{
	struct kfk_admin_result *r = o->res;
	struct kfk_delete_acls_response m;
	kfk_err err = KFK_ERR_NONE;
	kfk_arena ar;

	kfk_arena_init(&ar);
	if (kfk_delete_acls_response_decode(body, version, &ar, &m) ||
	    m.filter_results_count != r->want_cnt)
		err = KFK_ERR__MALFORMED;
	for (int f = 0; !err && f < m.filter_results_count; f++) {
		const struct kfk_delete_acls_response_filter_result *fr =
			&m.filter_results[f];

		if (fr->error_code) {
			err = filter_failed(r, f, fr);
			continue;
		}
		for (int k = 0; !err && k < fr->matching_acls_count; k++) {
			const struct kfk_delete_acls_response_matching_acl *d =
				&fr->matching_acls[k];
			struct kfk_admin_acl *x = item_add(r);

			if (!x) {
				err = KFK_ERR__NO_MEMORY;
				break;
			}
			err = acl_set(x, d->resource_type, d->resource_name,
			              d->pattern_type, d->principal, d->host,
			              d->operation, d->permission_type);
			x->filter = f;
			x->err = (kfk_err)d->error_code;
			if (x->err && d->error_message.ptr)
				x->errstr = dup_str(d->error_message);
		}
	}
	kfk_arena_destroy(&ar);
	return err;
}

static const struct kfk_admin_kind create_acls_kind = {
	KFK_APIKEY_CREATE_ACLS, 1, false, ca_encode, ca_parse, NULL, NULL
};
static const struct kfk_admin_kind describe_acls_kind = {
	KFK_APIKEY_DESCRIBE_ACLS, 1, false, da_encode, da_parse, NULL, NULL
};
static const struct kfk_admin_kind delete_acls_kind = {
	KFK_APIKEY_DELETE_ACLS, 1, false, dl_encode, dl_parse, NULL, NULL
};

/* ---- the operations ------------------------------------------------------ */

/* Whether x is an ACL that can be created: it names everything (no ANY,
 * no NULL). */
static bool binding(const kfk_acl *x)
{
	return x->resource_name && x->principal && x->host &&
	       x->resource_type > KFK_ACL_RESOURCE_ANY &&
	       x->pattern_type >= KFK_ACL_PATTERN_LITERAL &&
	       x->operation > KFK_ACL_OPERATION_ANY &&
	       x->permission > KFK_ACL_PERMISSION_ANY;
}

/* An operation of kind over cnt caller ACLs (each `size` bytes apart, as
 * the first says); with `items`, they are also the result's items (create:
 * one outcome each). */
static kfk_err acls_op(kfk_admin *a, const struct kfk_admin_kind *kind,
                       kfk_admin_op op, const kfk_acl *in, int cnt,
                       bool items, const kfk_admin_options *opts,
                       uint64_t *id)
{
	struct kfk_admin_opx *o;
	struct kfk_admin_result *r;
	kfk_err err = KFK_ERR_NONE;
	size_t stride;

	if (!a || !in || cnt <= 0 || in->size < offsetof(kfk_acl, resource_name))
		return KFK_ERR__INVALID_ARG;
	stride = in->size;
	if (!(o = kfk_admin_op_new(a, kind, op, 0, opts)))
		return KFK_ERR__INVALID_ARG;
	r = o->res;
	if (!(r->want = calloc((size_t)cnt, sizeof(*r->want))))
		return kfk_admin_op_go(o, KFK_ERR__NO_MEMORY, id);
	for (int i = 0; !err && i < cnt; i++, r->want_cnt++)
		err = acl_in(&r->want[i], (const kfk_acl *)(const void *)
		                                  ((const char *)in + i * stride));
	for (int i = 0; !err && items && i < cnt; i++) {
		struct kfk_admin_acl *x = item_add(r);

		if (!binding(&r->want[i].acl))
			err = KFK_ERR__INVALID_ARG;
		else
			err = x ? acl_in(x, &r->want[i].acl) : KFK_ERR__NO_MEMORY;
	}
	return kfk_admin_op_go(o, err, id);
}

KFK_API kfk_err kfk_admin_create_acls(kfk_admin *a, const kfk_acl *acls,
                                      int cnt, const kfk_admin_options *o,
                                      uint64_t *id)
{
	return acls_op(a, &create_acls_kind, KFK_ADMIN_CREATE_ACLS, acls, cnt,
	               true, o, id);
}

KFK_API kfk_err kfk_admin_describe_acls(kfk_admin *a, const kfk_acl *filter,
                                        const kfk_admin_options *o,
                                        uint64_t *id)
{
	return acls_op(a, &describe_acls_kind, KFK_ADMIN_DESCRIBE_ACLS, filter,
	               1, false, o, id);
}

KFK_API kfk_err kfk_admin_delete_acls(kfk_admin *a, const kfk_acl *filters,
                                      int cnt, const kfk_admin_options *o,
                                      uint64_t *id)
{
	return acls_op(a, &delete_acls_kind, KFK_ADMIN_DELETE_ACLS, filters,
	               cnt, false, o, id);
}

/* ---- results ------------------------------------------------------------- */

KFK_API int kfk_admin_result_acl_count(const kfk_admin_result *r)
{
	return r ? r->acl_cnt : 0;
}

KFK_API const kfk_acl *kfk_admin_result_acl(const kfk_admin_result *r, int i,
                                            kfk_err *err,
                                            const char **errstr,
                                            int *filter)
{
	const struct kfk_admin_acl *x;

	if (!r || i < 0 || i >= r->acl_cnt)
		return NULL;
	x = &r->acls[i];
	if (err)
		*err = x->err;
	if (errstr)
		*errstr = x->errstr;
	if (filter)
		*filter = x->filter;
	return &x->acl;
}
