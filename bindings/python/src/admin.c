/* admin.c: kfk._kfk._Admin, the admin requests kfk/admin.py's AdminClient
 * is built on. Each method submits one kfk admin operation and waits for
 * its result with the GIL released, then returns plain tuples and lists;
 * the AdminClient runs them on its own Python thread and resolves
 * concurrent.futures.Futures from them. */
#include "kfkpy.h"

typedef struct {
	PyObject_HEAD
	kfk_admin *a;
} Admin;

static int admin_init(Admin *self, PyObject *args, PyObject *kw)
{
	PyObject *dict;
	(void)kw;
	if (!PyArg_ParseTuple(args, "O", &dict))
		return -1;
	kfk_conf *conf = kfkpy_conf_from_dict(dict);
	if (!conf)
		return -1;
	char errstr[512] = "";
	self->a = kfk_admin_new(conf, errstr, sizeof errstr);
	kfk_conf_destroy(conf);
	if (!self->a) {
		kfkpy_raise(KFK_ERR__INVALID_ARG, errstr);
		return -1;
	}
	return 0;
}

static void admin_dealloc(Admin *self)
{
	if (self->a) {
		kfk_admin *a = self->a;
		self->a = NULL;
		Py_BEGIN_ALLOW_THREADS
		kfk_admin_destroy(a);
		Py_END_ALLOW_THREADS
	}
	Py_TYPE(self)->tp_free((PyObject *)self);
}

/* The result of id (submitted with e), waited for without the GIL. */
static kfk_admin_result *wait_for(Admin *self, kfk_err e, uint64_t id)
{
	kfk_admin_result *r = NULL;
	if (e) {
		kfkpy_raise(e, NULL);
		return NULL;
	}
	Py_BEGIN_ALLOW_THREADS
	r = kfk_admin_wait(self->a, id, -1);
	Py_END_ALLOW_THREADS
	if (!r)
		kfkpy_raise(KFK_ERR__TIMED_OUT, "no admin result");
	else if (kfk_admin_result_err(r) && kfk_admin_result_topic_count(r) == 0 &&
	         kfk_admin_result_group_count(r) == 0 && !kfk_admin_result_offsets(r)) {
		/* The operation failed as a whole: no item says more. */
		kfkpy_raise(kfk_admin_result_err(r), kfk_admin_result_errstr(r));
		kfk_admin_result_destroy(r);
		r = NULL;
	}
	return r;
}

/* [(name, err, errstr)] of a result's topics. */
static PyObject *topic_outcomes(kfk_admin_result *r)
{
	int n = kfk_admin_result_topic_count(r);
	PyObject *list = PyList_New(n);
	for (int i = 0; list && i < n; i++) {
		const kfk_admin_topic *t = kfk_admin_result_topic(r, i);
		PyList_SET_ITEM(list, i, Py_BuildValue("(sis)", kfk_admin_topic_name(t),
		                                       (int)kfk_admin_topic_err(t),
		                                       kfk_admin_topic_errstr(t)));
	}
	kfk_admin_result_destroy(r);
	return list;
}

static kfk_admin_options options(int timeout_ms, int validate_only)
{
	kfk_admin_options o = KFK_ADMIN_OPTIONS_INIT;
	o.timeout_ms = timeout_ms > 0 ? timeout_ms : 0;
	o.validate_only = validate_only != 0;
	return o;
}

/* A NULL-terminated array of the str items of seq (borrowed UTF-8). */
static const char **names_of(PyObject *seq, Py_ssize_t *n)
{
	*n = PySequence_Fast_GET_SIZE(seq);
	const char **v = PyMem_Calloc((size_t)*n + 1, sizeof *v);
	for (Py_ssize_t i = 0; v && i < *n; i++)
		if (!(v[i] = PyUnicode_AsUTF8(PySequence_Fast_GET_ITEM(seq, i)))) {
			PyMem_Free(v);
			return NULL;
		}
	return v;
}

/* create_topics([(name, partitions, replication, {k: v})], timeout_ms,
 * validate_only) -> [(name, err, errstr)] */
static PyObject *create_topics(Admin *self, PyObject *args)
{
	PyObject *list;
	int ms, vo;
	if (!PyArg_ParseTuple(args, "O!ip", &PyList_Type, &list, &ms, &vo))
		return NULL;
	Py_ssize_t n = PyList_GET_SIZE(list);
	kfk_new_topic *ts = PyMem_Calloc((size_t)n + 1, sizeof *ts);
	const char ***cfgs = PyMem_Calloc((size_t)n + 1, sizeof *cfgs);
	PyObject *ok = Py_True;
	for (Py_ssize_t i = 0; i < n && ok; i++) {
		kfk_new_topic init = KFK_NEW_TOPIC_INIT;
		PyObject *cfg;
		int p, rf;
		ts[i] = init;
		if (!PyArg_ParseTuple(PyList_GET_ITEM(list, i), "siiO!", &ts[i].name,
		                      &p, &rf, &PyDict_Type, &cfg)) {
			ok = NULL;
			break;
		}
		ts[i].partitions = p;
		ts[i].replication_factor = (int16_t)rf;
		Py_ssize_t pos = 0, j = 0;
		PyObject *k, *v;
		cfgs[i] = PyMem_Calloc((size_t)PyDict_GET_SIZE(cfg) * 2 + 1, sizeof(char *));
		while (PyDict_Next(cfg, &pos, &k, &v)) {
			cfgs[i][j++] = PyUnicode_AsUTF8(k);
			cfgs[i][j++] = PyUnicode_AsUTF8(v);
		}
		ts[i].configs = cfgs[i];
		ts[i].config_cnt = (int32_t)(j / 2);
		if (PyErr_Occurred())
			ok = NULL;
	}
	PyObject *res = NULL;
	if (ok) {
		kfk_admin_options o = options(ms, vo);
		uint64_t id = 0;
		kfk_err e = kfk_admin_create_topics(self->a, ts, (int)n, &o, &id);
		kfk_admin_result *r = wait_for(self, e, id);
		res = r ? topic_outcomes(r) : NULL;
	}
	for (Py_ssize_t i = 0; i < n; i++)
		PyMem_Free(cfgs[i]);
	PyMem_Free(cfgs);
	PyMem_Free(ts);
	return res;
}

/* delete_topics([name], timeout_ms) -> [(name, err, errstr)] */
static PyObject *delete_topics(Admin *self, PyObject *args)
{
	PyObject *list;
	int ms;
	Py_ssize_t n;
	if (!PyArg_ParseTuple(args, "O!i", &PyList_Type, &list, &ms))
		return NULL;
	PyObject *seq = PySequence_Fast(list, "a list of names");
	const char **names = seq ? names_of(seq, &n) : NULL;
	PyObject *res = NULL;
	if (names) {
		kfk_admin_options o = options(ms, 0);
		uint64_t id = 0;
		kfk_err e = kfk_admin_delete_topics(self->a, names, (int)n, &o, &id);
		kfk_admin_result *r = wait_for(self, e, id);
		res = r ? topic_outcomes(r) : NULL;
	}
	PyMem_Free(names);
	Py_XDECREF(seq);
	return res;
}

/* create_partitions([(name, total)], timeout_ms, validate_only) */
static PyObject *create_partitions(Admin *self, PyObject *args)
{
	PyObject *list;
	int ms, vo;
	if (!PyArg_ParseTuple(args, "O!ip", &PyList_Type, &list, &ms, &vo))
		return NULL;
	Py_ssize_t n = PyList_GET_SIZE(list);
	const char **names = PyMem_Calloc((size_t)n + 1, sizeof *names);
	int32_t *totals = PyMem_Calloc((size_t)n + 1, sizeof *totals);
	PyObject *res = NULL;
	Py_ssize_t i;
	for (i = 0; i < n; i++) {
		int total;
		if (!PyArg_ParseTuple(PyList_GET_ITEM(list, i), "si", &names[i], &total))
			break;
		totals[i] = total;
	}
	if (i == n) {
		kfk_admin_options o = options(ms, vo);
		uint64_t id = 0;
		kfk_err e = kfk_admin_create_partitions(self->a, names, totals, (int)n,
		                                        &o, &id);
		kfk_admin_result *r = wait_for(self, e, id);
		res = r ? topic_outcomes(r) : NULL;
	}
	PyMem_Free(names);
	PyMem_Free(totals);
	return res;
}

static PyObject *ids_list(int n, const int32_t *ids)
{
	PyObject *l = PyList_New(n);
	for (int i = 0; l && i < n; i++)
		PyList_SET_ITEM(l, i, PyLong_FromLong(ids[i]));
	return l;
}

/* One described topic: (name, err, errstr, internal, [(id, leader,
 * replicas, isrs)]) */
static PyObject *topic_description(const kfk_admin_topic *t)
{
	int np = kfk_admin_topic_partition_count(t);
	PyObject *parts = PyList_New(np);
	for (int p = 0; parts && p < np; p++) {
		const int32_t *rep, *isr;
		int nr = kfk_admin_topic_partition_replicas(t, p, &rep);
		int ni = kfk_admin_topic_partition_isr(t, p, &isr);
		PyList_SET_ITEM(parts, p, Py_BuildValue(
		    "(iiNN)", p, (int)kfk_admin_topic_partition_leader(t, p),
		    ids_list(nr, rep), ids_list(ni, isr)));
	}
	return Py_BuildValue("(sisON)", kfk_admin_topic_name(t),
	                     (int)kfk_admin_topic_err(t), kfk_admin_topic_errstr(t),
	                     kfk_admin_topic_is_internal(t) ? Py_True : Py_False,
	                     parts);
}

/* describe_topics([name] or None, timeout_ms) -> (cluster_id, controller,
 * [(id, host, port)], [topic_description]) */
static PyObject *describe_topics(Admin *self, PyObject *args)
{
	PyObject *list;
	int ms;
	Py_ssize_t n = 0;
	if (!PyArg_ParseTuple(args, "Oi", &list, &ms))
		return NULL;
	PyObject *seq = list == Py_None ? NULL : PySequence_Fast(list, "names");
	const char **names = seq ? names_of(seq, &n) : NULL;
	if (list != Py_None && !names) {
		Py_XDECREF(seq);
		return NULL;
	}
	kfk_admin_options o = options(ms, 0);
	uint64_t id = 0;
	kfk_err e = kfk_admin_describe_topics(self->a, names, (int)n, &o, &id);
	PyMem_Free(names);
	Py_XDECREF(seq);
	kfk_admin_result *r = wait_for(self, e, id);
	if (!r)
		return NULL;
	int nb = kfk_admin_result_broker_count(r), nt = kfk_admin_result_topic_count(r);
	PyObject *brokers = PyList_New(nb), *topics = PyList_New(nt);
	for (int i = 0; i < nb; i++) {
		const char *host = NULL;
		int32_t port = 0;
		int32_t bid = kfk_admin_result_broker(r, i, &host, &port, NULL);
		PyList_SET_ITEM(brokers, i, Py_BuildValue("(isi)", (int)bid, host ? host : "",
		                                          (int)port));
	}
	for (int i = 0; i < nt; i++)
		PyList_SET_ITEM(topics, i, topic_description(kfk_admin_result_topic(r, i)));
	const char *cid = kfk_admin_result_cluster_id(r);
	PyObject *res = Py_BuildValue("(ziNN)", cid, (int)kfk_admin_result_controller(r),
	                              brokers, topics);
	kfk_admin_result_destroy(r);
	return res;
}

/* describe_configs(restype, [name], timeout_ms) -> [(name, err, errstr,
 * [(config, value, source, read_only, sensitive, [(synonym, value,
 * source)])])] */
static PyObject *describe_configs(Admin *self, PyObject *args)
{
	PyObject *list;
	int type, ms;
	Py_ssize_t n;
	if (!PyArg_ParseTuple(args, "iO!i", &type, &PyList_Type, &list, &ms))
		return NULL;
	PyObject *seq = PySequence_Fast(list, "names");
	const char **names = seq ? names_of(seq, &n) : NULL;
	if (!names) {
		Py_XDECREF(seq);
		return NULL;
	}
	kfk_admin_options o = options(ms, 0);
	uint64_t id = 0;
	kfk_err e = kfk_admin_describe_configs(self->a, (kfk_admin_resource)type,
	                                       names, (int)n, &o, &id);
	PyMem_Free(names);
	Py_DECREF(seq);
	kfk_admin_result *r = wait_for(self, e, id);
	if (!r)
		return NULL;
	int nt = kfk_admin_result_topic_count(r);
	PyObject *res = PyList_New(nt);
	for (int i = 0; i < nt; i++) {
		const kfk_admin_topic *t = kfk_admin_result_topic(r, i);
		int nc = kfk_admin_topic_config_count(t);
		PyObject *cfgs = PyList_New(nc);
		for (int c = 0; c < nc; c++) {
			const char *value = NULL;
			int source = 0;
			bool ro = false, sens = false;
			const char *name = kfk_admin_topic_config(t, c, &value, &source, &ro, &sens);
			int ns = kfk_admin_topic_config_synonym_count(t, c);
			PyObject *syn = PyList_New(ns);
			for (int j = 0; j < ns; j++) {
				const char *sv = NULL;
				int ss = 0;
				const char *sn = kfk_admin_topic_config_synonym(t, c, j, &sv, &ss);
				PyList_SET_ITEM(syn, j, Py_BuildValue("(szi)", sn, sv, ss));
			}
			PyList_SET_ITEM(cfgs, c, Py_BuildValue("(sziOON)", name, value, source,
			                                       ro ? Py_True : Py_False,
			                                       sens ? Py_True : Py_False, syn));
		}
		PyList_SET_ITEM(res, i, Py_BuildValue("(sisN)", kfk_admin_topic_name(t),
		                                      (int)kfk_admin_topic_err(t),
		                                      kfk_admin_topic_errstr(t), cfgs));
	}
	kfk_admin_result_destroy(r);
	return res;
}

/* list_groups(timeout_ms) -> [(name, state, protocol_type)] */
static PyObject *list_groups(Admin *self, PyObject *args)
{
	int ms;
	if (!PyArg_ParseTuple(args, "i", &ms))
		return NULL;
	kfk_admin_options o = options(ms, 0);
	uint64_t id = 0;
	kfk_err e = kfk_admin_list_groups(self->a, &o, &id);
	kfk_admin_result *r = wait_for(self, e, id);
	if (!r)
		return NULL;
	int n = kfk_admin_result_group_count(r);
	PyObject *res = PyList_New(n);
	for (int i = 0; i < n; i++) {
		const kfk_admin_group *g = kfk_admin_result_group(r, i);
		PyList_SET_ITEM(res, i, Py_BuildValue("(sss)", kfk_admin_group_name(g),
		                                      kfk_admin_group_state(g),
		                                      kfk_admin_group_protocol_type(g)));
	}
	kfk_admin_result_destroy(r);
	return res;
}

/* Member i: (member_id, client_id, host, instance_id, [(topic, p)]) */
static PyObject *member_of(const kfk_admin_group *g, int i)
{
	const char *client = NULL, *host = NULL, *instance = NULL;
	const char *mid = kfk_admin_group_member(g, i, &client, &host, &instance);
	int na = kfk_admin_group_member_assignment_count(g, i);
	PyObject *parts = PyList_New(na);
	for (int j = 0; j < na; j++) {
		int32_t p = 0;
		const char *t = kfk_admin_group_member_assignment(g, i, j, &p);
		PyList_SET_ITEM(parts, j, Py_BuildValue("(si)", t, (int)p));
	}
	return Py_BuildValue("(szzzN)", mid, client, host, instance, parts);
}

/* One described group: (name, err, errstr, state, protocol_type,
 * protocol, (coordinator, host, port), [member], [(topic, p, committed,
 * end)]) */
static PyObject *group_description(const kfk_admin_group *g)
{
	const char *host = NULL;
	int32_t port = 0;
	int32_t coord = kfk_admin_group_coordinator(g, &host, &port);
	int nm = kfk_admin_group_member_count(g), no = kfk_admin_group_offset_count(g);
	PyObject *members = PyList_New(nm), *offsets = PyList_New(no);
	for (int i = 0; i < nm; i++)
		PyList_SET_ITEM(members, i, member_of(g, i));
	for (int i = 0; i < no; i++) {
		int32_t p = 0;
		int64_t committed = -1, end = -1;
		int member = -1;
		const char *t = kfk_admin_group_offset(g, i, &p, &committed, &end, &member);
		PyList_SET_ITEM(offsets, i, Py_BuildValue("(siLL)", t, (int)p,
		                                          (long long)committed, (long long)end));
	}
	return Py_BuildValue("(sisssz(izi)NN)", kfk_admin_group_name(g),
	                     (int)kfk_admin_group_err(g), kfk_admin_group_errstr(g),
	                     kfk_admin_group_state(g), kfk_admin_group_protocol_type(g),
	                     kfk_admin_group_protocol(g), (int)coord, host, (int)port,
	                     members, offsets);
}

/* describe_groups([name], with_offsets, timeout_ms) -> [group_description] */
static PyObject *describe_groups(Admin *self, PyObject *args)
{
	PyObject *list;
	int offsets, ms;
	Py_ssize_t n;
	if (!PyArg_ParseTuple(args, "O!pi", &PyList_Type, &list, &offsets, &ms))
		return NULL;
	PyObject *seq = PySequence_Fast(list, "names");
	const char **names = seq ? names_of(seq, &n) : NULL;
	if (!names) {
		Py_XDECREF(seq);
		return NULL;
	}
	kfk_admin_options o = options(ms, 0);
	uint64_t id = 0;
	kfk_err e = kfk_admin_describe_groups(self->a, names, (int)n, offsets != 0, &o, &id);
	PyMem_Free(names);
	Py_DECREF(seq);
	kfk_admin_result *r = wait_for(self, e, id);
	if (!r)
		return NULL;
	int ng = kfk_admin_result_group_count(r);
	PyObject *res = PyList_New(ng);
	for (int i = 0; i < ng; i++)
		PyList_SET_ITEM(res, i, group_description(kfk_admin_result_group(r, i)));
	kfk_admin_result_destroy(r);
	return res;
}

/* alter_group_offsets(group, [TopicPartition], timeout_ms) ->
 * [TopicPartition] with each one's outcome */
static PyObject *alter_group_offsets(Admin *self, PyObject *args)
{
	const char *group;
	PyObject *parts;
	int ms;
	if (!PyArg_ParseTuple(args, "sOi", &group, &parts, &ms))
		return NULL;
	kfk_tplist *l = kfkpy_tplist_from_py(parts);
	if (!l)
		return NULL;
	kfk_admin_options o = options(ms, 0);
	uint64_t id = 0;
	kfk_err e = kfk_admin_alter_group_offsets(self->a, group, l, &o, &id);
	kfk_tplist_destroy(l);
	kfk_admin_result *r = wait_for(self, e, id);
	if (!r)
		return NULL;
	const kfk_tplist *out = kfk_admin_result_offsets(r);
	PyObject *res = kfk_admin_result_err(r) && !out
	                    ? kfkpy_raise(kfk_admin_result_err(r), kfk_admin_result_errstr(r))
	                    : kfkpy_tplist_to_py(out);
	kfk_admin_result_destroy(r);
	return res;
}

static PyMethodDef admin_methods[] = {
	{"create_topics", (PyCFunction)create_topics, METH_VARARGS, "See kfk/admin.py."},
	{"delete_topics", (PyCFunction)delete_topics, METH_VARARGS, "See kfk/admin.py."},
	{"create_partitions", (PyCFunction)create_partitions, METH_VARARGS, "See kfk/admin.py."},
	{"describe_topics", (PyCFunction)describe_topics, METH_VARARGS, "See kfk/admin.py."},
	{"describe_configs", (PyCFunction)describe_configs, METH_VARARGS, "See kfk/admin.py."},
	{"list_groups", (PyCFunction)list_groups, METH_VARARGS, "See kfk/admin.py."},
	{"describe_groups", (PyCFunction)describe_groups, METH_VARARGS, "See kfk/admin.py."},
	{"alter_group_offsets", (PyCFunction)alter_group_offsets, METH_VARARGS, "See kfk/admin.py."},
	{NULL, NULL, 0, NULL}};

PyTypeObject kfkpy_AdminType = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "kfk._kfk._Admin",
	.tp_basicsize = sizeof(Admin),
	.tp_dealloc = (destructor)admin_dealloc,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "_Admin(config: dict): the requests AdminClient makes.",
	.tp_methods = admin_methods,
	.tp_init = (initproc)admin_init,
	.tp_new = PyType_GenericNew,
};
