/*
 * kfkpy.h: what the files of the Python extension kfk._kfk share.
 *
 * The core (module.c, errors.c, conf.c, topicpartition.c, producer.c,
 * consumer.c, message.c) defines these; admin.c uses them and defines
 * kfkpy_admin_init(), which the module's init calls to add AdminClient.
 * Every function returning a PyObject * returns a new reference, or NULL
 * with a Python exception set.
 */
#ifndef KFKPY_H
#define KFKPY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <kfk/kfk.h>

/* confluent_kafka.KafkaException: args[0] is a KafkaError. */
extern PyObject *kfkpy_KafkaException;
extern PyTypeObject kfkpy_KafkaErrorType;
extern PyTypeObject kfkpy_TopicPartitionType;

/* A KafkaError for err, with reason as its str() (err's text when NULL). */
PyObject *kfkpy_error_new(kfk_err err, const char *reason);
/* Raises KafkaException(KafkaError(err, reason)); returns NULL. */
PyObject *kfkpy_raise(kfk_err err, const char *reason);

/* A kfk_conf from a confluent-style config dict: every key that is a kfk
 * property is set; callables the binding handles itself (error_cb,
 * on_delivery, logger, stats_cb, ...) are skipped, the caller reads them
 * from the dict. NULL with KafkaException (unknown property, bad value)
 * or TypeError set. */
kfk_conf *kfkpy_conf_from_dict(PyObject *dict);

/* TopicPartition(topic, partition, offset) with error set when err != 0. */
PyObject *kfkpy_tp_new(const char *topic, int32_t partition, int64_t offset,
                       kfk_err err);
/* A list of TopicPartition from l, and the way back (NULL with TypeError
 * when list is not a list of TopicPartition). */
PyObject *kfkpy_tplist_to_py(const kfk_tplist *l);
kfk_tplist *kfkpy_tplist_from_py(PyObject *list);

/* admin.c: adds AdminClient (and what it needs) to the module. 0 or -1. */
int kfkpy_admin_init(PyObject *module);

#endif /* KFKPY_H */
