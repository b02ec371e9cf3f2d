/* message.c: kfk.Message, confluent_kafka.Message's surface. A Message
 * owns Python copies of everything (a kfk message is a view into a fetched
 * buffer, released as soon as the Message is made). */
#include "kfkpy.h"
#include <structmember.h>

typedef struct {
	PyObject_HEAD
	PyObject *topic, *key, *value, *headers, *error;
	int32_t partition;
	int64_t offset;
	int64_t timestamp;
	int tstype;
} Message;

PyObject *kfkpy_message_new(PyObject *topic, int32_t partition,
                            int64_t offset, PyObject *key, PyObject *value,
                            PyObject *headers, int64_t timestamp,
                            int tstype, PyObject *error)
{
	Message *m = PyObject_New(Message, &kfkpy_MessageType);
	if (!m)
		return NULL;
	m->topic = Py_NewRef(topic ? topic : Py_None);
	m->key = Py_NewRef(key ? key : Py_None);
	m->value = Py_NewRef(value ? value : Py_None);
	m->headers = Py_NewRef(headers ? headers : Py_None);
	m->error = Py_NewRef(error ? error : Py_None);
	m->partition = partition;
	m->offset = offset;
	m->timestamp = timestamp;
	m->tstype = tstype;
	return (PyObject *)m;
}

static PyObject *bytes_or_none(const void *p, size_t len)
{
	return p ? PyBytes_FromStringAndSize(p, (Py_ssize_t)len)
	         : Py_NewRef(Py_None);
}

/* [(key, value), ...] as confluent_kafka gives them; None without any. */
static PyObject *headers_of(const kfk_message *km)
{
	size_t n = kfk_message_header_count(km);
	if (n == 0)
		return Py_NewRef(Py_None);
	PyObject *list = PyList_New((Py_ssize_t)n);
	for (size_t i = 0; list && i < n; i++) {
		const char *k;
		const void *v;
		size_t kl, vl;
		kfk_message_header(km, i, &k, &kl, &v, &vl);
		PyObject *t = Py_BuildValue("(s#N)", k, (Py_ssize_t)kl,
		                            bytes_or_none(v, vl));
		if (!t)
			Py_CLEAR(list);
		else
			PyList_SET_ITEM(list, (Py_ssize_t)i, t);
	}
	return list;
}

PyObject *kfkpy_message_from_kfk(const kfk_message *km)
{
	size_t kl, vl;
	const void *k = kfk_message_key(km, &kl), *v = kfk_message_value(km, &vl);
	enum kfk_timestamp_type type = KFK_TIMESTAMP_NONE;
	int64_t ts = kfk_message_timestamp(km, &type);
	kfk_err e = kfk_message_err(km);
	PyObject *topic = PyUnicode_FromString(kfk_message_topic(km));
	PyObject *key = bytes_or_none(k, kl), *value = bytes_or_none(v, vl);
	PyObject *headers = headers_of(km);
	PyObject *err = e ? kfkpy_error_new(e, kfk_message_errstr(km)[0]
	                                           ? kfk_message_errstr(km)
	                                           : NULL)
	                  : Py_NewRef(Py_None);
	PyObject *m = NULL;
	if (topic && key && value && headers && err)
		m = kfkpy_message_new(topic, kfk_message_partition(km),
		                      kfk_message_offset(km), key, value, headers,
		                      ts, (int)type, err);
	Py_XDECREF(topic);
	Py_XDECREF(key);
	Py_XDECREF(value);
	Py_XDECREF(headers);
	Py_XDECREF(err);
	return m;
}

static void message_dealloc(Message *m)
{
	Py_XDECREF(m->topic);
	Py_XDECREF(m->key);
	Py_XDECREF(m->value);
	Py_XDECREF(m->headers);
	Py_XDECREF(m->error);
	PyObject_Free(m);
}

static PyObject *m_topic(Message *m, PyObject *a) { (void)a; return Py_NewRef(m->topic); }
static PyObject *m_key(Message *m, PyObject *a) { (void)a; return Py_NewRef(m->key); }
static PyObject *m_value(Message *m, PyObject *a) { (void)a; return Py_NewRef(m->value); }
static PyObject *m_headers(Message *m, PyObject *a) { (void)a; return Py_NewRef(m->headers); }
static PyObject *m_error(Message *m, PyObject *a) { (void)a; return Py_NewRef(m->error); }

static PyObject *m_partition(Message *m, PyObject *a)
{
	(void)a;
	if (m->partition < 0)
		Py_RETURN_NONE;
	return PyLong_FromLong(m->partition);
}

static PyObject *m_offset(Message *m, PyObject *a)
{
	(void)a;
	if (m->offset < 0)
		Py_RETURN_NONE;
	return PyLong_FromLongLong(m->offset);
}

static PyObject *m_timestamp(Message *m, PyObject *a)
{
	(void)a;
	return Py_BuildValue("(iL)", m->tstype,
	                     (long long)(m->tstype ? m->timestamp : -1));
}

static PyObject *m_latency(Message *m, PyObject *a)
{
	(void)m;
	(void)a;
	Py_RETURN_NONE;
}

static PyObject *m_leader_epoch(Message *m, PyObject *a)
{
	(void)m;
	(void)a;
	Py_RETURN_NONE;
}

#define SETTER(field)                                                      \
	static PyObject *m_set_##field(Message *m, PyObject *v)            \
	{                                                                  \
		Py_SETREF(m->field, Py_NewRef(v));                         \
		Py_RETURN_NONE;                                            \
	}
SETTER(key)
SETTER(value)
SETTER(headers)
SETTER(topic)

static Py_ssize_t m_len(Message *m)
{
	return PyBytes_Check(m->value) ? PyBytes_GET_SIZE(m->value) : 0;
}

static PyObject *m_repr(Message *m)
{
	return PyUnicode_FromFormat("<kfk.Message %S[%d]@%lld>", m->topic,
	                            (int)m->partition, (long long)m->offset);
}

static PyMethodDef message_methods[] = {
	{"topic", (PyCFunction)m_topic, METH_NOARGS, "The topic."},
	{"partition", (PyCFunction)m_partition, METH_NOARGS, "The partition, or None."},
	{"offset", (PyCFunction)m_offset, METH_NOARGS, "The offset, or None."},
	{"key", (PyCFunction)m_key, METH_NOARGS, "The key (bytes), or None."},
	{"value", (PyCFunction)m_value, METH_NOARGS, "The value (bytes), or None."},
	{"headers", (PyCFunction)m_headers, METH_NOARGS, "[(key, value)] or None."},
	{"timestamp", (PyCFunction)m_timestamp, METH_NOARGS, "(type, ms)."},
	{"error", (PyCFunction)m_error, METH_NOARGS, "A KafkaError, or None."},
	{"latency", (PyCFunction)m_latency, METH_NOARGS, "None (not measured)."},
	{"leader_epoch", (PyCFunction)m_leader_epoch, METH_NOARGS, "None."},
	{"set_key", (PyCFunction)m_set_key, METH_O, "Replaces the key."},
	{"set_value", (PyCFunction)m_set_value, METH_O, "Replaces the value."},
	{"set_headers", (PyCFunction)m_set_headers, METH_O, "Replaces the headers."},
	{"set_topic", (PyCFunction)m_set_topic, METH_O, "Replaces the topic."},
	{NULL, NULL, 0, NULL}};

static PySequenceMethods message_seq = {.sq_length = (lenfunc)m_len};

PyTypeObject kfkpy_MessageType = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "kfk.Message",
	.tp_basicsize = sizeof(Message),
	.tp_dealloc = (destructor)message_dealloc,
	.tp_repr = (reprfunc)m_repr,
	.tp_as_sequence = &message_seq,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "A record: consumed, or the subject of a delivery report.",
	.tp_methods = message_methods,
};
