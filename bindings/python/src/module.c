/* module.c: kfk._kfk's init, the error and config helpers the types
 * share, and the small functions kfk/_types.py uses. */
#include "kfkpy.h"

PyObject *kfkpy_KafkaError;
PyObject *kfkpy_KafkaException;
PyObject *kfkpy_TopicPartition;

PyObject *kfkpy_error_new(kfk_err err, const char *reason)
{
	return PyObject_CallFunction(kfkpy_KafkaError, "is", (int)err,
	                             reason ? reason : kfk_err_str(err));
}

PyObject *kfkpy_raise(kfk_err err, const char *reason)
{
	PyObject *e = kfkpy_error_new(err, reason);
	if (e) {
		PyErr_SetObject(kfkpy_KafkaException, e);
		Py_DECREF(e);
	}
	return NULL;
}

int kfkpy_timeout_ms(PyObject *timeout, int *ms)
{
	if (!timeout || timeout == Py_None) {
		*ms = -1;
		return 0;
	}
	double s = PyFloat_AsDouble(timeout);
	if (s == -1.0 && PyErr_Occurred())
		return -1;
	*ms = s < 0 ? -1 : (int)(s * 1000.0 + 0.5);
	return 0;
}

/* str() of a config value as Kafka wants it: booleans lower-case. */
static PyObject *conf_value(PyObject *v)
{
	if (v == Py_True)
		return PyUnicode_FromString("true");
	if (v == Py_False)
		return PyUnicode_FromString("false");
	return PyObject_Str(v);
}

kfk_conf *kfkpy_conf_from_dict(PyObject *dict)
{
	if (!PyDict_Check(dict)) {
		PyErr_SetString(PyExc_TypeError, "expected a configuration dict");
		return NULL;
	}
	kfk_conf *conf = kfk_conf_new();
	PyObject *k, *v;
	Py_ssize_t pos = 0;
	while (PyDict_Next(dict, &pos, &k, &v)) {
		if (PyCallable_Check(v))
			continue; /* the binding's callbacks */
		const char *name = PyUnicode_AsUTF8(k);
		PyObject *s = name ? conf_value(v) : NULL;
		const char *value = s ? PyUnicode_AsUTF8(s) : NULL;
		char errstr[512] = "";
		kfk_err e = value ? kfk_conf_set(conf, name, value, errstr,
		                                 sizeof errstr)
		                  : KFK_ERR__INVALID_ARG;
		Py_XDECREF(s);
		if (e != KFK_ERR_NONE) {
			kfk_conf_destroy(conf);
			if (!PyErr_Occurred())
				kfkpy_raise(e, errstr);
			return NULL;
		}
	}
	return conf;
}

PyObject *kfkpy_tplist_to_py(const kfk_tplist *l)
{
	int n = kfk_tplist_count(l);
	PyObject *list = PyList_New(n);
	for (int i = 0; list && i < n; i++) {
		const char *md = kfk_tplist_metadata(l, i);
		int32_t epoch = kfk_tplist_leader_epoch(l, i);
		PyObject *tp = PyObject_CallFunction(
		    kfkpy_TopicPartition, "siLzO", kfk_tplist_topic(l, i),
		    (int)kfk_tplist_partition(l, i),
		    (long long)kfk_tplist_offset(l, i), md,
		    epoch >= 0 ? PyLong_FromLong(epoch) : Py_NewRef(Py_None));
		kfk_err e = kfk_tplist_err(l, i);
		if (tp && e) {
			PyObject *err = kfkpy_error_new(e, NULL);
			if (!err || PyObject_SetAttrString(tp, "error", err) < 0)
				Py_CLEAR(tp);
			Py_XDECREF(err);
		}
		if (!tp) {
			Py_CLEAR(list);
			break;
		}
		PyList_SET_ITEM(list, i, tp);
	}
	return list;
}

/* One TopicPartition's fields into l. */
static int tp_add(kfk_tplist *l, PyObject *tp)
{
	PyObject *t = PyObject_GetAttrString(tp, "topic");
	PyObject *p = t ? PyObject_GetAttrString(tp, "partition") : NULL;
	PyObject *o = p ? PyObject_GetAttrString(tp, "offset") : NULL;
	PyObject *m = o ? PyObject_GetAttrString(tp, "metadata") : NULL;
	int rc = -1;
	if (m) {
		const char *topic = PyUnicode_AsUTF8(t);
		long part = PyLong_AsLong(p);
		long long off = PyLong_AsLongLong(o);
		if (topic && !PyErr_Occurred()) {
			int i = kfk_tplist_add(l, topic, (int32_t)part, off);
			if (i >= 0 && m != Py_None)
				kfk_tplist_set_metadata(l, i, PyUnicode_AsUTF8(m));
			rc = 0;
		}
	}
	Py_XDECREF(t);
	Py_XDECREF(p);
	Py_XDECREF(o);
	Py_XDECREF(m);
	return rc;
}

kfk_tplist *kfkpy_tplist_from_py(PyObject *list)
{
	if (!PyList_Check(list) && !PyTuple_Check(list)) {
		PyErr_SetString(PyExc_TypeError, "expected a list of TopicPartition");
		return NULL;
	}
	PyObject *seq = PySequence_Fast(list, "expected a list");
	Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
	kfk_tplist *l = kfk_tplist_new((int)n);
	for (Py_ssize_t i = 0; i < n; i++) {
		if (tp_add(l, PySequence_Fast_GET_ITEM(seq, i)) < 0) {
			kfk_tplist_destroy(l);
			Py_DECREF(seq);
			return NULL;
		}
	}
	Py_DECREF(seq);
	return l;
}

static PyObject *setup(PyObject *self, PyObject *args)
{
	(void)self;
	if (!PyArg_ParseTuple(args, "OOO", &kfkpy_KafkaError,
	                      &kfkpy_KafkaException, &kfkpy_TopicPartition))
		return NULL;
	Py_INCREF(kfkpy_KafkaError);
	Py_INCREF(kfkpy_KafkaException);
	Py_INCREF(kfkpy_TopicPartition);
	Py_RETURN_NONE;
}

/* err_codes(): {name: code} of every kfk_err, for KafkaError's constants. */
static PyObject *err_codes(PyObject *self, PyObject *args)
{
	(void)self;
	(void)args;
	PyObject *d = PyDict_New();
	for (int c = -200; d && c < 200; c++) {
		const char *name = kfk_err_name((kfk_err)c);
		if (!name || !name[0] || strncmp(name, "ERR_", 4) == 0 ||
		    strstr(name, "UNKNOWN_CODE") || strchr(name, ' '))
			continue;
		PyObject *v = PyLong_FromLong(c);
		PyDict_SetItemString(d, name, v);
		Py_DECREF(v);
	}
	return d;
}

static PyObject *err_info(PyObject *self, PyObject *args)
{
	(void)self;
	int c;
	if (!PyArg_ParseTuple(args, "i", &c))
		return NULL;
	return Py_BuildValue("(ssO)", kfk_err_name((kfk_err)c),
	                     kfk_err_str((kfk_err)c),
	                     kfk_err_is_retriable((kfk_err)c) ? Py_True : Py_False);
}

static PyObject *libversion(PyObject *self, PyObject *args)
{
	(void)self;
	(void)args;
	return Py_BuildValue("(si)", kfk_version_str(), kfk_version());
}

static PyMethodDef functions[] = {
	{"_setup", setup, METH_VARARGS, "Hands the Python classes to the extension."},
	{"err_codes", err_codes, METH_NOARGS, "{name: code} of every kfk error."},
	{"err_info", err_info, METH_VARARGS, "(name, text, retriable) of a code."},
	{"libversion", libversion, METH_NOARGS, "(version string, version int)."},
	{NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_kfk",
                                    "kfk's Python binding (C part).", -1,
                                    functions, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__kfk(void)
{
	PyObject *m = PyModule_Create(&module);
	PyTypeObject *types[] = {&kfkpy_MessageType, &kfkpy_ProducerType,
	                         &kfkpy_ConsumerType, &kfkpy_AdminType};
	const char *names[] = {"Message", "Producer", "Consumer", "_Admin"};
	for (size_t i = 0; m && i < sizeof types / sizeof types[0]; i++) {
		if (PyType_Ready(types[i]) < 0 ||
		    PyModule_AddObjectRef(m, names[i], (PyObject *)types[i]) < 0)
			Py_CLEAR(m);
	}
	return m;
}
