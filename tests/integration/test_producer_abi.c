/*
 * test_producer_abi: the size-first public structs (kfk_record,
 * kfk_delivery) against programs built with other versions of the
 * header: an older, smaller struct still works, a newer one works while
 * it sets nothing this library does not know, and a bad size is refused
 * with KFK_ERR__INVALID_ARG. The old structs are allocated to their exact
 * size, so AddressSanitizer catches any access past them.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <kfk/kfk.h>

#include "../kt.h"
#include "../mock.h"

/* kfk_record as a program built against a first header would have it:
 * the fields of kfk_produce(), nothing after value_len. */
struct old_record {
	size_t size;
	const char *topic;
	int32_t partition;
	const void *key;
	size_t key_len;
	const void *value;
	size_t value_len;
};

/* kfk_delivery without timestamp and opaque. */
struct old_delivery {
	size_t size;
	kfk_err err;
	const char *topic;
	int32_t partition;
	int64_t offset;
};

/* kfk_record of a newer header: one more field. */
struct new_record {
	kfk_record r;
	int64_t later;
};

static kfk_producer *producer(struct kt_mock *m)
{
	kfk_conf *conf = kfk_conf_new();
	kfk_producer *p;
	char err[256];

	KT_ASSERT(conf != NULL);
	KT_ASSERT_INT_EQ(kfk_conf_set(conf, "bootstrap.servers",
	                              kt_mock_bootstrap(m), err, sizeof(err)), 0);
	KT_ASSERT_INT_EQ(kfk_conf_set(conf, "linger.ms", "0", err, sizeof(err)),
	                 0);
	p = kfk_producer_new(conf, err, sizeof(err)); /* no callback: pull */
	kfk_conf_destroy(conf);
	KT_ASSERT_MSG(p != NULL, "kfk_producer_new: %s", err);
	return p;
}

KT_TEST(abi_older_record_and_delivery_work)
{
	struct kt_mock *m = kt_mock_start(1, "abi:1", NULL);
	struct old_record *rec = calloc(1, sizeof(*rec));
	struct old_delivery *d = calloc(2, sizeof(*d));
	kfk_producer *p;

	KT_ASSERT(m != NULL && rec != NULL && d != NULL);
	p = producer(m);
	rec->size = sizeof(*rec);
	rec->topic = "abi";
	rec->partition = 0;
	rec->value = "v";
	rec->value_len = 1;
	KT_ASSERT_INT_EQ(kfk_produce_record(p, (const kfk_record *)rec), 0);
	KT_ASSERT_INT_EQ(kfk_producer_flush(p, 60000), 0);
	d[0].size = sizeof(*d);
	KT_ASSERT_INT_EQ(kfk_producer_poll_reports(p, (kfk_delivery *)d, 2, 0),
	                 1);
	KT_ASSERT_INT_EQ(d[0].size, sizeof(*d));
	KT_ASSERT_INT_EQ(d[0].err, KFK_ERR_NONE);
	KT_ASSERT_STR_EQ(d[0].topic, "abi");
	KT_ASSERT_INT_EQ(d[0].partition, 0);
	KT_ASSERT_INT_EQ(d[0].offset, 0);
	kfk_producer_destroy(p);
	free(d);
	free(rec);
	kt_mock_stop(m);
}

KT_TEST(abi_newer_record_without_new_fields_works)
{
	struct kt_mock *m = kt_mock_start(1, "abi:1", NULL);
	struct new_record rec = {KFK_RECORD_INIT, 0};
	kfk_producer *p;

	KT_ASSERT(m != NULL);
	p = producer(m);
	rec.r.size = sizeof(rec);
	rec.r.topic = "abi";
	KT_ASSERT_INT_EQ(kfk_produce_record(p, &rec.r), 0);
	rec.later = 1; /* a field this library cannot honour */
	KT_ASSERT_INT_EQ(kfk_produce_record(p, &rec.r), KFK_ERR__INVALID_ARG);
	KT_ASSERT_INT_EQ(kfk_producer_flush(p, 60000), 0);
	kfk_producer_destroy(p);
	kt_mock_stop(m);
}

KT_TEST(abi_bad_sizes_are_refused)
{
	struct kt_mock *m = kt_mock_start(1, "abi:1", NULL);
	kfk_record rec = KFK_RECORD_INIT;
	kfk_delivery d[2] = {KFK_DELIVERY_INIT};
	size_t bad_rec[] = {0, sizeof(size_t), offsetof(kfk_record, value_len),
	                    100000};
	size_t bad_dr[] = {0, sizeof(size_t), sizeof(kfk_delivery) + 4, 100000};
	kfk_producer *p;
	size_t i;

	KT_ASSERT(m != NULL);
	p = producer(m);
	rec.topic = "abi";
	for (i = 0; i < sizeof(bad_rec) / sizeof(bad_rec[0]); i++) {
		rec.size = bad_rec[i];
		KT_ASSERT_INT_EQ(kfk_produce_record(p, &rec),
		                 KFK_ERR__INVALID_ARG);
	}
	for (i = 0; i < sizeof(bad_dr) / sizeof(bad_dr[0]); i++) {
		d[0].size = bad_dr[i];
		KT_ASSERT_INT_EQ(kfk_producer_poll_reports(p, d, 2, 0),
		                 KFK_ERR__INVALID_ARG);
	}
	KT_ASSERT_INT_EQ(kfk_producer_outstanding(p), 0);
	kfk_producer_destroy(p);
	kt_mock_stop(m);
}
