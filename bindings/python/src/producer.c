/* producer.c: kfk.Producer, confluent_kafka.Producer's surface. Delivery
 * reports come from kfk_producer_poll_reports() in arrays and the
 * callbacks run in poll()/flush(), on the calling thread, with the GIL.
 * kfk's reports carry no key or value, so a record with a callback keeps
 * them (references, no copies) in a small struct its opaque points to. */
#include "kfkpy.h"

#define REPORTS 1024

typedef struct {
	PyObject_HEAD
	kfk_producer *p;
	PyObject *on_delivery; /* the conf's default callback, or NULL */
	PyObject *error_cb;
} Producer;

/* What a record with a delivery callback keeps until its report. */
struct pending {
	PyObject *cb, *topic, *key, *value, *headers;
};

static int producer_init(Producer *self, PyObject *args, PyObject *kw)
{
	PyObject *dict = NULL;
	if (!PyArg_ParseTuple(args, "|O", &dict))
		return -1;
	if (!dict)
		dict = kw;
	if (!dict) {
		PyErr_SetString(PyExc_TypeError, "Producer expects a config dict");
		return -1;
	}
	kfk_conf *conf = kfkpy_conf_from_dict(dict);
	if (!conf)
		return -1;
	self->on_delivery = PyDict_GetItemString(dict, "on_delivery");
	if (!self->on_delivery)
		self->on_delivery = PyDict_GetItemString(dict, "delivery.report.callback");
	Py_XINCREF(self->on_delivery);
	self->error_cb = PyDict_GetItemString(dict, "error_cb");
	Py_XINCREF(self->error_cb);
	char errstr[512] = "";
	self->p = kfk_producer_new(conf, errstr, sizeof errstr);
	kfk_conf_destroy(conf);
	if (!self->p) {
		kfkpy_raise(KFK_ERR__INVALID_ARG, errstr);
		return -1;
	}
	return 0;
}

static void pending_free(struct pending *d)
{
	Py_XDECREF(d->cb);
	Py_XDECREF(d->topic);
	Py_XDECREF(d->key);
	Py_XDECREF(d->value);
	Py_XDECREF(d->headers);
	PyMem_Free(d);
}

/* Bytes of a key or value: bytes as they are, str as UTF-8. */
static int data_of(PyObject *o, const char **p, Py_ssize_t *len)
{
	if (!o || o == Py_None) {
		*p = NULL;
		*len = 0;
		return 0;
	}
	if (PyBytes_Check(o))
		return PyBytes_AsStringAndSize(o, (char **)p, len);
	if (PyUnicode_Check(o))
		return (*p = PyUnicode_AsUTF8AndSize(o, len)) ? 0 : -1;
	PyErr_SetString(PyExc_TypeError, "key and value must be bytes, str or None");
	return -1;
}

/* Headers from a dict or a list of (key, value) into hs (at most max). */
static int headers_of(PyObject *h, kfk_header *hs, int max)
{
	if (!h || h == Py_None)
		return 0;
	PyObject *items = PyDict_Check(h) ? PyDict_Items(h)
	                                  : PySequence_List(h);
	if (!items)
		return -1;
	int n = (int)PyList_GET_SIZE(items);
	if (n > max) {
		Py_DECREF(items);
		PyErr_SetString(PyExc_ValueError, "too many headers (at most 64)");
		return -1;
	}
	for (int i = 0; i < n; i++) {
		PyObject *kv = PyList_GET_ITEM(items, i);
		const char *v;
		Py_ssize_t vl;
		if (!PyTuple_Check(kv) || PyTuple_GET_SIZE(kv) != 2 ||
		    !(hs[i].key = PyUnicode_AsUTF8(PyTuple_GET_ITEM(kv, 0))) ||
		    data_of(PyTuple_GET_ITEM(kv, 1), &v, &vl) < 0) {
			Py_DECREF(items);
			if (!PyErr_Occurred())
				PyErr_SetString(PyExc_TypeError, "headers: (str, bytes) pairs");
			return -1;
		}
		hs[i].value = v;
		hs[i].value_len = (size_t)vl;
	}
	/* The strings live in h's own objects; items only held references. */
	Py_DECREF(items);
	return n;
}

static PyObject *produce(Producer *self, PyObject *args, PyObject *kw)
{
	static char *names[] = {"topic", "value", "key", "partition", "on_delivery",
	                        "callback", "timestamp", "headers", NULL};
	const char *topic;
	PyObject *value = NULL, *key = NULL, *cb = NULL, *cb2 = NULL,
	         *headers = NULL;
	int partition = KFK_PARTITION_ANY;
	long long ts = 0;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "s|OOiOOLO", names, &topic,
	                                 &value, &key, &partition, &cb, &cb2,
	                                 &ts, &headers))
		return NULL;
	kfk_record r = KFK_RECORD_INIT;
	kfk_header hs[64];
	Py_ssize_t kl, vl;
	int nh = headers_of(headers, hs, 64);
	if (nh < 0 || data_of(key, (const char **)&r.key, &kl) < 0 ||
	    data_of(value, (const char **)&r.value, &vl) < 0)
		return NULL;
	r.topic = topic;
	r.partition = partition;
	r.key_len = (size_t)kl;
	r.value_len = (size_t)vl;
	r.headers = nh ? hs : NULL;
	r.header_cnt = (size_t)nh;
	r.timestamp = ts;
	if (!cb || cb == Py_None)
		cb = cb2 && cb2 != Py_None ? cb2 : self->on_delivery;
	struct pending *d = NULL;
	if (cb) {
		d = PyMem_Malloc(sizeof *d);
		if (!d)
			return PyErr_NoMemory();
		d->cb = Py_NewRef(cb);
		d->topic = PyUnicode_FromString(topic);
		d->key = Py_XNewRef(key);
		d->value = Py_XNewRef(value);
		d->headers = Py_XNewRef(headers);
		r.opaque = d;
	}
	kfk_err e = kfk_produce_record(self->p, &r);
	if (e == KFK_ERR_NONE)
		Py_RETURN_NONE;
	if (d)
		pending_free(d);
	if (e == KFK_ERR__QUEUE_FULL) {
		PyErr_SetString(PyExc_BufferError, kfk_err_str(e));
		return NULL;
	}
	return kfkpy_raise(e, NULL);
}

/* bytes of a kept key/value for the report's Message. */
static PyObject *as_bytes(PyObject *o)
{
	if (!o || o == Py_None)
		return Py_NewRef(Py_None);
	if (PyUnicode_Check(o))
		return PyUnicode_AsUTF8String(o);
	return Py_NewRef(o);
}

/* Calls one record's callback as cb(err, msg). -1 when it raised. */
static int serve(const kfk_delivery *dv)
{
	struct pending *d = dv->opaque;
	if (!d)
		return 0;
	PyObject *err = dv->err ? kfkpy_error_new(dv->err, NULL) : Py_NewRef(Py_None);
	PyObject *k = as_bytes(d->key), *v = as_bytes(d->value);
	PyObject *msg = err && k && v
	                    ? kfkpy_message_new(d->topic, dv->partition, dv->offset, k, v,
	                                        d->headers, dv->timestamp,
	                                        dv->timestamp >= 0 ? 1 : 0, err)
	                    : NULL;
	PyObject *res = msg ? PyObject_CallFunctionObjArgs(d->cb, err, msg, NULL) : NULL;
	Py_XDECREF(err);
	Py_XDECREF(k);
	Py_XDECREF(v);
	Py_XDECREF(msg);
	pending_free(d);
	if (!res)
		return -1;
	Py_DECREF(res);
	return 0;
}

/* Serves reports, waiting up to timeout_ms for the first (in slices, so
 * that Ctrl-C is seen). Returns how many, or -1 with an exception. */
static int serve_reports(Producer *self, int timeout_ms)
{
	kfk_delivery out[64];
	int served = 0, waited = 0;
	for (;;) {
		int slice = timeout_ms < 0 ? KFKPY_SLICE_MS
		            : timeout_ms - waited < KFKPY_SLICE_MS ? timeout_ms - waited
		                                                  : KFKPY_SLICE_MS;
		if (served)
			slice = 0;
		kfk_delivery init = KFK_DELIVERY_INIT;
		out[0] = init;
		int n;
		if (slice == 0) {
			n = kfk_producer_poll_reports(self->p, out, 64, 0);
		} else {
			Py_BEGIN_ALLOW_THREADS
			n = kfk_producer_poll_reports(self->p, out, 64, slice);
			Py_END_ALLOW_THREADS
		}
		int i;
		for (i = 0; i < n; i++) {
			if (serve(&out[i]) < 0) {
				/* The batch's other reports are taken already: serve
				 * them, then raise the first exception. */
				PyObject *t, *v, *tb;
				PyErr_Fetch(&t, &v, &tb);
				for (int j = i + 1; j < n; j++)
					if (serve(&out[j]) < 0)
						PyErr_Clear();
				PyErr_Restore(t, v, tb);
				return -1;
			}
		}
		served += n;
		if (n == 64)
			continue;
		if (served || slice == 0)
			return served;
		waited += slice;
		if (PyErr_CheckSignals() < 0)
			return -1;
		if (timeout_ms >= 0 && waited >= timeout_ms)
			return 0;
	}
}

/* The optional timeout argument of poll() and flush(), in ms. */
static int timeout_arg(PyObject *args, PyObject *kw, int *ms)
{
	static char *names[] = {"timeout", NULL};
	PyObject *t = NULL;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|O", names, &t))
		return -1;
	return kfkpy_timeout_ms(t, ms);
}

static PyObject *poll(Producer *self, PyObject *args, PyObject *kw)
{
	int ms;
	if (timeout_arg(args, kw, &ms) < 0)
		return NULL;
	int n = serve_reports(self, ms);
	return n < 0 ? NULL : PyLong_FromLong(n);
}

static PyObject *flush(Producer *self, PyObject *args, PyObject *kw)
{
	int ms;
	if (timeout_arg(args, kw, &ms) < 0)
		return NULL;
	int waited = 0;
	while (kfk_producer_outstanding(self->p) > 0) {
		int slice = ms < 0 || ms - waited > KFKPY_SLICE_MS ? KFKPY_SLICE_MS
		                                                   : ms - waited;
		Py_BEGIN_ALLOW_THREADS
		kfk_producer_flush(self->p, slice);
		Py_END_ALLOW_THREADS
		if (serve_reports(self, 0) < 0)
			return NULL;
		waited += slice;
		if (PyErr_CheckSignals() < 0)
			return NULL;
		if (ms >= 0 && waited >= ms)
			break;
	}
	if (serve_reports(self, 0) < 0)
		return NULL;
	return PyLong_FromLong(kfk_producer_outstanding(self->p));
}

static PyObject *purge(Producer *self, PyObject *args, PyObject *kw)
{
	static char *names[] = {"in_queue", "in_flight", "blocking", NULL};
	int q = 1, f = 1, b = 1;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|ppp", names, &q, &f, &b))
		return NULL;
	kfk_producer_purge(self->p, (q ? KFK_PURGE_QUEUED : 0) |
	                                (f ? KFK_PURGE_INFLIGHT : 0));
	Py_RETURN_NONE;
}

static Py_ssize_t producer_len(Producer *self)
{
	return self->p ? kfk_producer_outstanding(self->p) : 0;
}

static void producer_dealloc(Producer *self)
{
	if (self->p) {
		kfk_producer *p = self->p;
		self->p = NULL;
		Py_BEGIN_ALLOW_THREADS
		kfk_producer_destroy(p);
		Py_END_ALLOW_THREADS
	}
	Py_XDECREF(self->on_delivery);
	Py_XDECREF(self->error_cb);
	Py_TYPE(self)->tp_free((PyObject *)self);
}


static PyMethodDef producer_methods[] = {
	{"produce", (PyCFunction)(void (*)(void))produce, METH_VARARGS | METH_KEYWORDS,
	 "produce(topic, value=None, key=None, partition=-1, on_delivery=None, "
	 "timestamp=0, headers=None)"},
	{"poll", (PyCFunction)(void (*)(void))poll, METH_VARARGS | METH_KEYWORDS,
	 "Serves delivery callbacks; returns how many."},
	{"flush", (PyCFunction)(void (*)(void))flush, METH_VARARGS | METH_KEYWORDS,
	 "Waits for every record's report; returns how many are left."},
	{"purge", (PyCFunction)(void (*)(void))purge, METH_VARARGS | METH_KEYWORDS,
	 "Fails queued / in-flight records with _PURGED reports."},
	{NULL, NULL, 0, NULL}};

static PySequenceMethods producer_seq = {.sq_length = (lenfunc)producer_len};

PyTypeObject kfkpy_ProducerType = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "kfk.Producer",
	.tp_basicsize = sizeof(Producer),
	.tp_dealloc = (destructor)producer_dealloc,
	.tp_as_sequence = &producer_seq,
	.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
	.tp_doc = "Producer(config: dict)",
	.tp_methods = producer_methods,
	.tp_init = (initproc)producer_init,
	.tp_new = PyType_GenericNew,
};
