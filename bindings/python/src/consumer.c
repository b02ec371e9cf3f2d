/* consumer.c: kfk.Consumer, confluent_kafka.Consumer's surface. kfk calls
 * the rebalance and commit callbacks inside poll on the polling thread,
 * which is the Python thread in poll()/consume()/close() with the GIL
 * released: the callbacks take it back (PyGILState_Ensure) to call Python. */
#include "kfkpy.h"

typedef struct {
	PyObject_HEAD
	kfk_consumer *c;
	PyObject *on_assign, *on_revoke, *on_lost, *on_commit;
	PyObject *cb_error; /* an exception a callback raised, for poll */
	int in_rebalance;
} Consumer;

static int consumer_init(Consumer *self, PyObject *args, PyObject *kw)
{
	PyObject *dict = NULL;
	if (!PyArg_ParseTuple(args, "|O", &dict))
		return -1;
	if (!dict)
		dict = kw;
	if (!dict) {
		PyErr_SetString(PyExc_TypeError, "Consumer expects a config dict");
		return -1;
	}
	kfk_conf *conf = kfkpy_conf_from_dict(dict);
	if (!conf)
		return -1;
	self->on_commit = Py_XNewRef(PyDict_GetItemString(dict, "on_commit"));
	char errstr[512] = "";
	self->c = kfk_consumer_new(conf, errstr, sizeof errstr);
	kfk_conf_destroy(conf);
	if (!self->c) {
		kfkpy_raise(KFK_ERR__INVALID_ARG, errstr);
		return -1;
	}
	return 0;
}

static int usable(Consumer *self)
{
	if (self->c)
		return 1;
	kfkpy_raise(KFK_ERR__STATE, "Consumer closed");
	return 0;
}

/* Keeps the first exception a callback raised, for poll to raise. */
static void keep_error(Consumer *self)
{
	if (!self->cb_error) {
		PyObject *t, *v, *tb;
		PyErr_Fetch(&t, &v, &tb);
		PyErr_NormalizeException(&t, &v, &tb);
		self->cb_error = v ? v : Py_NewRef(Py_None);
		Py_XDECREF(t);
		Py_XDECREF(tb);
	} else {
		PyErr_Clear();
	}
}

static void on_rebalance(kfk_consumer *c, kfk_rebalance_type type,
                         const kfk_tplist *parts, void *opaque)
{
	(void)c;
	Consumer *self = opaque;
	PyGILState_STATE g = PyGILState_Ensure();
	PyObject *cb = type == KFK_REBALANCE_ASSIGNED ? self->on_assign
	               : type == KFK_REBALANCE_LOST && self->on_lost ? self->on_lost
	                                                             : self->on_revoke;
	if (cb) {
		PyObject *list = kfkpy_tplist_to_py(parts);
		self->in_rebalance = 1;
		PyObject *r = list ? PyObject_CallFunctionObjArgs(cb, (PyObject *)self,
		                                                  list, NULL)
		                   : NULL;
		self->in_rebalance = 0;
		if (!r)
			keep_error(self);
		Py_XDECREF(r);
		Py_XDECREF(list);
	}
	PyGILState_Release(g);
}

static PyObject *subscribe(Consumer *self, PyObject *args, PyObject *kw)
{
	static char *names[] = {"topics", "on_assign", "on_revoke", "on_lost", NULL};
	PyObject *topics, *a = NULL, *r = NULL, *l = NULL;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "O|OOO", names, &topics, &a,
	                                 &r, &l) ||
	    !usable(self))
		return NULL;
	PyObject *seq = PySequence_Fast(topics, "topics must be a list of str");
	if (!seq)
		return NULL;
	Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
	const char **ts = PyMem_Calloc((size_t)n + 1, sizeof *ts);
	for (Py_ssize_t i = 0; i < n; i++)
		if (!(ts[i] = PyUnicode_AsUTF8(PySequence_Fast_GET_ITEM(seq, i)))) {
			PyMem_Free(ts);
			Py_DECREF(seq);
			return NULL;
		}
	Py_XSETREF(self->on_assign, a && a != Py_None ? Py_NewRef(a) : NULL);
	Py_XSETREF(self->on_revoke, r && r != Py_None ? Py_NewRef(r) : NULL);
	Py_XSETREF(self->on_lost, l && l != Py_None ? Py_NewRef(l) : NULL);
	kfk_err e = kfk_consumer_subscribe(self->c, ts, (int)n, on_rebalance, self);
	PyMem_Free(ts);
	Py_DECREF(seq);
	if (e)
		return kfkpy_raise(e, NULL);
	Py_RETURN_NONE;
}

static PyObject *unsubscribe(Consumer *self, PyObject *a)
{
	(void)a;
	if (!usable(self))
		return NULL;
	kfk_err e;
	Py_BEGIN_ALLOW_THREADS
	e = kfk_consumer_unsubscribe(self->c);
	Py_END_ALLOW_THREADS
	if (e)
		return kfkpy_raise(e, NULL);
	Py_RETURN_NONE;
}

/* Raises what a callback raised during the last kfk call, if anything. */
static int callback_raised(Consumer *self)
{
	if (!self->cb_error)
		return 0;
	PyObject *e = self->cb_error;
	self->cb_error = NULL;
	PyErr_SetObject((PyObject *)Py_TYPE(e), e);
	Py_DECREF(e);
	return 1;
}

/* Up to max messages into out, waiting up to ms in slices. */
static int poll_some(Consumer *self, kfk_message **out, int max, int ms)
{
	int waited = 0, n = 0;
	for (;;) {
		int slice = ms < 0 || ms - waited > KFKPY_SLICE_MS ? KFKPY_SLICE_MS
		                                                   : ms - waited;
		Py_BEGIN_ALLOW_THREADS
		n = kfk_consumer_poll_batch(self->c, out, max, slice);
		Py_END_ALLOW_THREADS
		if (callback_raised(self)) {
			for (int i = 0; i < n; i++)
				kfk_message_destroy(out[i]);
			return -1;
		}
		waited += slice;
		if (n > 0 || (ms >= 0 && waited >= ms))
			return n;
		if (PyErr_CheckSignals() < 0)
			return -1;
	}
}

static PyObject *poll(Consumer *self, PyObject *args, PyObject *kw)
{
	static char *names[] = {"timeout", NULL};
	PyObject *t = NULL;
	int ms;
	kfk_message *m;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|O", names, &t) ||
	    kfkpy_timeout_ms(t, &ms) < 0 || !usable(self))
		return NULL;
	int n = poll_some(self, &m, 1, ms);
	if (n <= 0)
		return n < 0 ? NULL : Py_NewRef(Py_None);
	PyObject *msg = kfkpy_message_from_kfk(m);
	kfk_message_destroy(m);
	return msg;
}

static PyObject *consume(Consumer *self, PyObject *args, PyObject *kw)
{
	static char *names[] = {"num_messages", "timeout", NULL};
	int max = 1, ms;
	PyObject *t = NULL;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|iO", names, &max, &t) ||
	    kfkpy_timeout_ms(t, &ms) < 0 || !usable(self))
		return NULL;
	if (max < 1 || max > 1000000) {
		PyErr_SetString(PyExc_ValueError, "num_messages must be 1..1000000");
		return NULL;
	}
	kfk_message **ms_ = PyMem_Malloc(sizeof *ms_ * (size_t)max);
	int n = poll_some(self, ms_, max, ms);
	PyObject *list = n < 0 ? NULL : PyList_New(n);
	for (int i = 0; i < (n > 0 ? n : 0); i++) {
		PyObject *m = list ? kfkpy_message_from_kfk(ms_[i]) : NULL;
		kfk_message_destroy(ms_[i]);
		if (!m)
			Py_CLEAR(list);
		else
			PyList_SET_ITEM(list, i, m);
	}
	PyMem_Free(ms_);
	return list;
}

typedef kfk_err (*list_op)(kfk_consumer *, kfk_tplist *, int);

/* op(l, timeout) without the GIL; returns the list after it, or raises. */
static PyObject *with_list(Consumer *self, PyObject *parts, list_op op, int ms,
                           int raise)
{
	if (!usable(self))
		return NULL;
	kfk_tplist *l = kfkpy_tplist_from_py(parts);
	if (!l)
		return NULL;
	kfk_err e;
	Py_BEGIN_ALLOW_THREADS
	e = op(self->c, l, ms);
	Py_END_ALLOW_THREADS
	PyObject *r = e && raise ? kfkpy_raise(e, NULL) : kfkpy_tplist_to_py(l);
	kfk_tplist_destroy(l);
	return r;
}

static kfk_err op_committed(kfk_consumer *c, kfk_tplist *l, int ms) { return kfk_consumer_committed(c, l, ms); }
static kfk_err op_position(kfk_consumer *c, kfk_tplist *l, int ms) { (void)ms; return kfk_consumer_position(c, l); }
static kfk_err op_pause(kfk_consumer *c, kfk_tplist *l, int ms) { (void)ms; return kfk_consumer_pause(c, l); }
static kfk_err op_resume(kfk_consumer *c, kfk_tplist *l, int ms) { (void)ms; return kfk_consumer_resume(c, l); }
static kfk_err op_times(kfk_consumer *c, kfk_tplist *l, int ms) { return kfk_consumer_offsets_for_times(c, l, ms); }
static kfk_err op_store(kfk_consumer *c, kfk_tplist *l, int ms) { (void)ms; return kfk_consumer_store_offsets(c, l); }
static kfk_err op_assign(kfk_consumer *c, kfk_tplist *l, int ms) { (void)ms; return kfk_consumer_assign(c, l); }
static kfk_err op_inc_assign(kfk_consumer *c, kfk_tplist *l, int ms) { (void)ms; return kfk_consumer_incremental_assign(c, l); }
static kfk_err op_inc_unassign(kfk_consumer *c, kfk_tplist *l, int ms) { (void)ms; return kfk_consumer_incremental_unassign(c, l); }

/* parts and an optional timeout in seconds. */
static PyObject *list_and_timeout(Consumer *self, PyObject *args, PyObject *kw,
                                  list_op op)
{
	static char *names[] = {"partitions", "timeout", NULL};
	PyObject *parts, *t = NULL;
	int ms;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "O|O", names, &parts, &t) ||
	    kfkpy_timeout_ms(t, &ms) < 0)
		return NULL;
	return with_list(self, parts, op, ms, 1);
}

static PyObject *committed(Consumer *s, PyObject *a, PyObject *k) { return list_and_timeout(s, a, k, op_committed); }
static PyObject *position(Consumer *s, PyObject *a, PyObject *k) { return list_and_timeout(s, a, k, op_position); }
static PyObject *offsets_for_times(Consumer *s, PyObject *a, PyObject *k) { return list_and_timeout(s, a, k, op_times); }

static PyObject *none_after(PyObject *r)
{
	if (!r)
		return NULL;
	Py_DECREF(r);
	Py_RETURN_NONE;
}

static PyObject *pause_(Consumer *s, PyObject *p) { return none_after(with_list(s, p, op_pause, 0, 1)); }
static PyObject *resume(Consumer *s, PyObject *p) { return none_after(with_list(s, p, op_resume, 0, 1)); }

/* Inside a rebalance callback kfk has applied the group's assignment
 * already: the assign() confluent_kafka programs make there is accepted
 * and changes nothing. */
static PyObject *assign(Consumer *s, PyObject *p)
{
	if (s->in_rebalance)
		Py_RETURN_NONE;
	return none_after(with_list(s, p, op_assign, 0, 1));
}

static PyObject *incremental_assign(Consumer *s, PyObject *p)
{
	if (s->in_rebalance)
		Py_RETURN_NONE;
	return none_after(with_list(s, p, op_inc_assign, 0, 1));
}

static PyObject *incremental_unassign(Consumer *s, PyObject *p)
{
	if (s->in_rebalance)
		Py_RETURN_NONE;
	return none_after(with_list(s, p, op_inc_unassign, 0, 1));
}

static PyObject *unassign(Consumer *s, PyObject *a)
{
	(void)a;
	if (s->in_rebalance)
		Py_RETURN_NONE;
	if (!usable(s))
		return NULL;
	kfk_err e = kfk_consumer_unassign(s->c);
	return e ? kfkpy_raise(e, NULL) : Py_NewRef(Py_None);
}

static PyObject *assignment(Consumer *s, PyObject *a)
{
	(void)a;
	kfk_tplist *l = NULL;
	if (!usable(s))
		return NULL;
	kfk_err e = kfk_consumer_assignment(s->c, &l);
	if (e)
		return kfkpy_raise(e, NULL);
	PyObject *r = kfkpy_tplist_to_py(l);
	kfk_tplist_destroy(l);
	return r;
}

/* The offsets of message= or offsets= (message: its offset + 1). */
static kfk_tplist *commit_list(PyObject *msg, PyObject *offsets)
{
	if (offsets && offsets != Py_None)
		return kfkpy_tplist_from_py(offsets);
	if (!msg || msg == Py_None)
		return NULL;
	PyObject *t = PyObject_CallMethod(msg, "topic", NULL);
	PyObject *p = t ? PyObject_CallMethod(msg, "partition", NULL) : NULL;
	PyObject *o = p ? PyObject_CallMethod(msg, "offset", NULL) : NULL;
	kfk_tplist *l = NULL;
	if (o && PyUnicode_Check(t) && PyLong_Check(p) && PyLong_Check(o)) {
		l = kfk_tplist_new(1);
		kfk_tplist_add(l, PyUnicode_AsUTF8(t), (int32_t)PyLong_AsLong(p),
		               PyLong_AsLongLong(o) + 1);
	} else if (!PyErr_Occurred()) {
		PyErr_SetString(PyExc_TypeError, "message has no topic, partition and offset");
	}
	Py_XDECREF(t);
	Py_XDECREF(p);
	Py_XDECREF(o);
	return l;
}

static void on_commit(kfk_consumer *c, kfk_err err, const kfk_tplist *offsets,
                      void *opaque)
{
	(void)c;
	Consumer *self = opaque;
	if (!self->on_commit)
		return;
	PyGILState_STATE g = PyGILState_Ensure();
	PyObject *e = err ? kfkpy_error_new(err, NULL) : Py_NewRef(Py_None);
	PyObject *l = kfkpy_tplist_to_py(offsets);
	PyObject *r = e && l ? PyObject_CallFunctionObjArgs(self->on_commit, e, l, NULL)
	                     : NULL;
	if (!r)
		keep_error(self);
	Py_XDECREF(r);
	Py_XDECREF(e);
	Py_XDECREF(l);
	PyGILState_Release(g);
}

static PyObject *commit(Consumer *self, PyObject *args, PyObject *kw)
{
	static char *names[] = {"message", "offsets", "asynchronous", NULL};
	PyObject *msg = NULL, *offsets = NULL;
	int async = 1;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|OOp", names, &msg, &offsets,
	                                 &async) ||
	    !usable(self))
		return NULL;
	kfk_tplist *l = commit_list(msg, offsets);
	if (!l && PyErr_Occurred())
		return NULL;
	kfk_err e;
	if (async) {
		e = kfk_consumer_commit_async(self->c, l, on_commit, self);
		kfk_tplist_destroy(l);
		return e ? kfkpy_raise(e, NULL) : Py_NewRef(Py_None);
	}
	Py_BEGIN_ALLOW_THREADS
	e = kfk_consumer_commit(self->c, l, -1);
	Py_END_ALLOW_THREADS
	PyObject *r = e ? kfkpy_raise(e, NULL)
	              : l ? kfkpy_tplist_to_py(l) : Py_NewRef(Py_None);
	kfk_tplist_destroy(l);
	return r;
}

static PyObject *store_offsets(Consumer *self, PyObject *args, PyObject *kw)
{
	static char *names[] = {"message", "offsets", NULL};
	PyObject *msg = NULL, *offsets = NULL;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|OO", names, &msg, &offsets) ||
	    !usable(self))
		return NULL;
	kfk_tplist *l = commit_list(msg, offsets);
	if (!l)
		return PyErr_Occurred() ? NULL : Py_NewRef(Py_None);
	kfk_err e = op_store(self->c, l, 0);
	kfk_tplist_destroy(l);
	return e ? kfkpy_raise(e, NULL) : Py_NewRef(Py_None);
}

/* seek(TopicPartition) */
static PyObject *seek(Consumer *self, PyObject *tp)
{
	PyObject *list = PyList_New(1);
	PyList_SET_ITEM(list, 0, Py_NewRef(tp));
	kfk_tplist *l = usable(self) ? kfkpy_tplist_from_py(list) : NULL;
	Py_DECREF(list);
	if (!l)
		return NULL;
	kfk_err e = kfk_consumer_seek(self->c, kfk_tplist_topic(l, 0),
	                              kfk_tplist_partition(l, 0),
	                              kfk_tplist_offset(l, 0));
	kfk_tplist_destroy(l);
	return e ? kfkpy_raise(e, NULL) : Py_NewRef(Py_None);
}

static PyObject *watermarks(Consumer *self, PyObject *args, PyObject *kw)
{
	static char *names[] = {"partition", "timeout", "cached", NULL};
	PyObject *tp, *t = NULL;
	int cached = 0, ms;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "O|Op", names, &tp, &t, &cached) ||
	    kfkpy_timeout_ms(t, &ms) < 0 || !usable(self))
		return NULL;
	PyObject *topic = PyObject_GetAttrString(tp, "topic");
	PyObject *part = topic ? PyObject_GetAttrString(tp, "partition") : NULL;
	const char *ts = part ? PyUnicode_AsUTF8(topic) : NULL;
	int32_t p = ts ? (int32_t)PyLong_AsLong(part) : 0;
	int64_t lo = -1, hi = -1;
	kfk_err e = KFK_ERR_NONE;
	if (ts && !PyErr_Occurred()) {
		if (cached) {
			e = kfk_consumer_get_watermarks(self->c, ts, p, &lo, &hi);
		} else {
			Py_BEGIN_ALLOW_THREADS
			e = kfk_consumer_query_watermarks(self->c, ts, p, &lo, &hi, ms);
			Py_END_ALLOW_THREADS
		}
	}
	PyObject *r = PyErr_Occurred() ? NULL
	              : e ? kfkpy_raise(e, NULL)
	                  : Py_BuildValue("(LL)", (long long)lo, (long long)hi);
	Py_XDECREF(topic);
	Py_XDECREF(part);
	return r;
}

static PyObject *memberid(Consumer *self, PyObject *a)
{
	(void)a;
	char buf[256];
	if (!usable(self))
		return NULL;
	kfk_consumer_member_id(self->c, buf, sizeof buf);
	return buf[0] ? PyUnicode_FromString(buf) : Py_NewRef(Py_None);
}

static void destroy(Consumer *self)
{
	kfk_consumer *c = self->c;
	self->c = NULL;
	Py_BEGIN_ALLOW_THREADS
	kfk_consumer_close(c);
	kfk_consumer_destroy(c);
	Py_END_ALLOW_THREADS
}

static PyObject *close_(Consumer *self, PyObject *a)
{
	(void)a;
	if (self->c)
		destroy(self);
	if (callback_raised(self))
		return NULL;
	Py_RETURN_NONE;
}

static void consumer_dealloc(Consumer *self)
{
	if (self->c)
		destroy(self);
	Py_XDECREF(self->cb_error);
	Py_XDECREF(self->on_assign);
	Py_XDECREF(self->on_revoke);
	Py_XDECREF(self->on_lost);
	Py_XDECREF(self->on_commit);
	Py_TYPE(self)->tp_free((PyObject *)self);
}

#define KW(f) (PyCFunction)(void (*)(void))f, METH_VARARGS | METH_KEYWORDS
static PyMethodDef consumer_methods[] = {
	{"subscribe", KW(subscribe), "subscribe(topics, on_assign, on_revoke, on_lost)"},
	{"unsubscribe", (PyCFunction)unsubscribe, METH_NOARGS, "Leaves the group."},
	{"poll", KW(poll), "poll(timeout=None) -> Message or None"},
	{"consume", KW(consume), "consume(num_messages=1, timeout=-1) -> [Message]"},
	{"assign", (PyCFunction)assign, METH_O, "assign([TopicPartition])"},
	{"unassign", (PyCFunction)unassign, METH_NOARGS, "Empties the assignment."},
	{"incremental_assign", (PyCFunction)incremental_assign, METH_O, "Adds partitions."},
	{"incremental_unassign", (PyCFunction)incremental_unassign, METH_O, "Removes partitions."},
	{"assignment", (PyCFunction)assignment, METH_NOARGS, "The assigned partitions."},
	{"commit", KW(commit), "commit(message=None, offsets=None, asynchronous=True)"},
	{"store_offsets", KW(store_offsets), "store_offsets(message=None, offsets=None)"},
	{"committed", KW(committed), "committed(partitions, timeout=None)"},
	{"position", KW(position), "position(partitions)"},
	{"offsets_for_times", KW(offsets_for_times), "offsets_for_times(partitions, timeout=None)"},
	{"seek", (PyCFunction)seek, METH_O, "seek(TopicPartition)"},
	{"pause", (PyCFunction)pause_, METH_O, "pause([TopicPartition])"},
	{"resume", (PyCFunction)resume, METH_O, "resume([TopicPartition])"},
	{"get_watermark_offsets", KW(watermarks),
	 "get_watermark_offsets(partition, timeout=None, cached=False) -> (low, high)"},
	{"memberid", (PyCFunction)memberid, METH_NOARGS, "This member's id, or None."},
	{"close", (PyCFunction)close_, METH_NOARGS, "Leaves the group and frees the consumer."},
	{NULL, NULL, 0, NULL}};

PyTypeObject kfkpy_ConsumerType = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "kfk.Consumer",
	.tp_basicsize = sizeof(Consumer),
	.tp_dealloc = (destructor)consumer_dealloc,
	.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
	.tp_doc = "Consumer(config: dict)",
	.tp_methods = consumer_methods,
	.tp_init = (initproc)consumer_init,
	.tp_new = PyType_GenericNew,
};
