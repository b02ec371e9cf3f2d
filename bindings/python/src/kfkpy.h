/*
 * kfkpy.h: what the files of the Python extension kfk._kfk share.
 *
 * The extension holds what is per record or blocking: Message, Producer,
 * Consumer and the admin client's requests. KafkaError, KafkaException
 * and TopicPartition are Python classes (kfk/_types.py): they are not per
 * record, and kfk/__init__.py hands them to the extension with _setup().
 * Functions returning PyObject * return a new reference, or NULL with a
 * Python exception set.
 */
#ifndef KFKPY_H
#define KFKPY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <kfk/kfk.h>

/* The Python classes, set by _setup(). */
extern PyObject *kfkpy_KafkaError;
extern PyObject *kfkpy_KafkaException;
extern PyObject *kfkpy_TopicPartition;

extern PyTypeObject kfkpy_MessageType;
extern PyTypeObject kfkpy_ProducerType;
extern PyTypeObject kfkpy_ConsumerType;
extern PyTypeObject kfkpy_AdminType;

/* KafkaError(err, reason) (err's text when reason is NULL). */
PyObject *kfkpy_error_new(kfk_err err, const char *reason);
/* Raises KafkaException(KafkaError(err, reason)); returns NULL. */
PyObject *kfkpy_raise(kfk_err err, const char *reason);

/* A kfk_conf from a confluent-style dict; callables (error_cb,
 * on_delivery, on_commit, logger, ...) are skipped: the caller reads them. */
kfk_conf *kfkpy_conf_from_dict(PyObject *dict);

/* A list of TopicPartition from l, and the way back. */
PyObject *kfkpy_tplist_to_py(const kfk_tplist *l);
kfk_tplist *kfkpy_tplist_from_py(PyObject *list);

/* A Message owning copies of m's fields. */
PyObject *kfkpy_message_from_kfk(const kfk_message *m);
/* A Message for a delivery report. Steals nothing. */
PyObject *kfkpy_message_new(PyObject *topic, int32_t partition,
                            int64_t offset, PyObject *key, PyObject *value,
                            PyObject *headers, int64_t timestamp,
                            int tstype, PyObject *error);

/* The timeout argument (seconds, None or -1: forever) in ms. */
int kfkpy_timeout_ms(PyObject *timeout, int *ms);
/* How long one blocking kfk call waits before Python checks signals. */
#define KFKPY_SLICE_MS 200

#endif /* KFKPY_H */
