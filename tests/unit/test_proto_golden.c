/*
 * Protocol codecs against bytes written out by hand from the rules of the
 * Kafka protocol guide (big-endian integers; STRING = int16 length + bytes;
 * COMPACT_STRING = uvarint length+1 + bytes; ARRAY = int32 count; COMPACT_
 * ARRAY = uvarint count+1; flexible structures end with a tagged-field
 * section: uvarint count, then uvarint tag, uvarint size, payload).
 * Nothing here is produced by kfk's own encoder first: every expected
 * byte is spelled out and commented.
 */
#include <stdlib.h>
#include <string.h>

#include "proto/api.h"
#include "proto/header.h"
#include "proto/gen/messages.h"
#include "../kt.h"

/* Starts a request frame with client id "kfk" and correlation id 7. */
static size_t begin(kfk_wbuf *w, int16_t key, int16_t version)
{
	struct kfk_proto_req_header h = { key, version, 7, { "kfk", 3 } };
	return kfk_proto_request_begin(w, &h);
}

KT_TEST(golden_api_versions_request_v3)
{
	static const uint8_t want[] = {
		0x00, 0x00, 0x00, 0x19,       /* frame size: 25 bytes follow */
		/* request header v2 (ApiVersions v3 is flexible) */
		0x00, 0x12,                   /* api_key 18 */
		0x00, 0x03,                   /* api_version 3 */
		0x00, 0x00, 0x00, 0x07,       /* correlation_id 7 */
		0x00, 0x03, 'k', 'f', 'k',    /* client_id: classic STRING */
		0x00,                         /* header tagged fields: none */
		/* body */
		0x04, 'k', 'f', 'k',          /* client_software_name, 3+1 */
		0x06, '0', '.', '1', '.', '0', /* client_software_version */
		0x00,                         /* body tagged fields: none */
	};
	struct kfk_api_versions_request req;
	kfk_wbuf w;
	size_t off;

	kfk_wbuf_init(&w);
	kfk_api_versions_request_init(&req);
	req.client_software_name = kfk_str_c("kfk");
	req.client_software_version = kfk_str_c("0.1.0");
	off = begin(&w, KFK_APIKEY_API_VERSIONS, 3);
	KT_ASSERT_INT_EQ(kfk_api_versions_request_encode(&w, 3, &req), 0);
	KT_ASSERT_INT_EQ(kfk_proto_frame_end(&w, off), 0);
	KT_ASSERT_MEM_EQ(w.buf, w.len, want, sizeof want);
	KT_ASSERT_INT_EQ(kfk_api_versions_request_size(3, &req), 11);
	kfk_wbuf_free(&w);
}

KT_TEST(golden_metadata_request_v1_two_topics)
{
	static const uint8_t want[] = {
		0x00, 0x00, 0x00, 0x1b,       /* frame size: 27 */
		/* request header v1 */
		0x00, 0x03,                   /* api_key 3 (Metadata) */
		0x00, 0x01,                   /* api_version 1 */
		0x00, 0x00, 0x00, 0x07,       /* correlation_id 7 */
		0x00, 0x03, 'k', 'f', 'k',    /* client_id */
		/* body: topics ARRAY of MetadataRequestTopic (name only in v1) */
		0x00, 0x00, 0x00, 0x02,       /* 2 topics */
		0x00, 0x03, 'f', 'o', 'o',    /* name "foo" */
		0x00, 0x03, 'b', 'a', 'r',    /* name "bar" */
	};
	struct kfk_metadata_request req;
	struct kfk_metadata_request_topic t[2];
	kfk_wbuf w;
	size_t off;

	kfk_wbuf_init(&w);
	kfk_metadata_request_init(&req);
	kfk_metadata_request_topic_init(&t[0]);
	kfk_metadata_request_topic_init(&t[1]);
	t[0].name = kfk_str_c("foo");
	t[1].name = kfk_str_c("bar");
	req.topics = t;
	req.topics_count = 2;
	off = begin(&w, KFK_APIKEY_METADATA, 1);
	KT_ASSERT_INT_EQ(kfk_metadata_request_encode(&w, 1, &req), 0);
	KT_ASSERT_INT_EQ(kfk_proto_frame_end(&w, off), 0);
	KT_ASSERT_MEM_EQ(w.buf, w.len, want, sizeof want);
	kfk_wbuf_free(&w);
}

KT_TEST(golden_produce_request_v3_empty_records)
{
	static const uint8_t want[] = {
		0x00, 0x00, 0x00, 0x28,       /* frame size: 40 */
		/* request header v1 */
		0x00, 0x00,                   /* api_key 0 (Produce) */
		0x00, 0x03,                   /* api_version 3 */
		0x00, 0x00, 0x00, 0x07,       /* correlation_id 7 */
		0x00, 0x03, 'k', 'f', 'k',    /* client_id */
		/* body */
		0xff, 0xff,                   /* transactional_id: null */
		0xff, 0xff,                   /* acks -1 */
		0x00, 0x00, 0x05, 0xdc,       /* timeout_ms 1500 */
		0x00, 0x00, 0x00, 0x01,       /* topic_data: 1 topic */
		0x00, 0x01, 't',              /*   name "t" */
		0x00, 0x00, 0x00, 0x01,       /*   partition_data: 1 */
		0x00, 0x00, 0x00, 0x00,       /*     index 0 */
		0x00, 0x00, 0x00, 0x00,       /*     records: 0 bytes */
	};
	struct kfk_produce_request req;
	struct kfk_produce_request_topic_produce_data td;
	struct kfk_produce_request_partition_produce_data pd;
	kfk_wbuf w;
	size_t off;

	kfk_wbuf_init(&w);
	kfk_produce_request_init(&req);
	kfk_produce_request_topic_produce_data_init(&td);
	kfk_produce_request_partition_produce_data_init(&pd);
	pd.index = 0;
	pd.records.ptr = (const uint8_t *)"";
	pd.records.len = 0;
	td.name = kfk_str_c("t");
	td.partition_data = &pd;
	td.partition_data_count = 1;
	req.acks = -1;
	req.timeout_ms = 1500;
	req.topic_data = &td;
	req.topic_data_count = 1;
	off = begin(&w, KFK_APIKEY_PRODUCE, 3);
	KT_ASSERT_INT_EQ(kfk_produce_request_encode(&w, 3, &req), 0);
	KT_ASSERT_INT_EQ(kfk_proto_frame_end(&w, off), 0);
	KT_ASSERT_MEM_EQ(w.buf, w.len, want, sizeof want);
	kfk_wbuf_free(&w);
}

KT_TEST(golden_find_coordinator_request_v0)
{
	static const uint8_t want[] = {
		0x00, 0x00, 0x00, 0x12,       /* frame size: 18 */
		0x00, 0x0a,                   /* api_key 10 (FindCoordinator) */
		0x00, 0x00,                   /* api_version 0 */
		0x00, 0x00, 0x00, 0x07,       /* correlation_id 7 */
		0x00, 0x03, 'k', 'f', 'k',    /* client_id */
		0x00, 0x03, 'g', 'r', 'p',    /* key "grp" (key_type is v1+) */
	};
	struct kfk_find_coordinator_request req;
	kfk_wbuf w;
	size_t off;

	kfk_wbuf_init(&w);
	kfk_find_coordinator_request_init(&req);
	req.key = kfk_str_c("grp");
	off = begin(&w, KFK_APIKEY_FIND_COORDINATOR, 0);
	KT_ASSERT_INT_EQ(kfk_find_coordinator_request_encode(&w, 0, &req), 0);
	KT_ASSERT_INT_EQ(kfk_proto_frame_end(&w, off), 0);
	KT_ASSERT_MEM_EQ(w.buf, w.len, want, sizeof want);
	kfk_wbuf_free(&w);
}

/* ApiVersions v3 response: header v0 although v3 is flexible; known
 * tagged fields decoded, an unknown one (tag 9) skipped. */
static const uint8_t api_versions_v3_response[] = {
	0x00, 0x00, 0x00, 0x07,               /* header v0: correlation_id */
	0x00, 0x00,                           /* error_code 0 */
	0x03,                                 /* api_keys: 2 entries */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x0b, 0x00, /* Produce 0-11, no tags */
	0x00, 0x12, 0x00, 0x00, 0x00, 0x04, 0x00, /* ApiVersions 0-4 */
	0x00, 0x00, 0x00, 0x00,               /* throttle_time_ms 0 */
	0x03,                                 /* 3 tagged fields */
	0x00, 0x09,                           /* tag 0 SupportedFeatures, 9 B */
	0x02,                                 /*   1 feature */
	0x03, 'm', 'v',                       /*   name "mv" */
	0x00, 0x01,                           /*   min_version 1 */
	0x00, 0x14,                           /*   max_version 20 */
	0x00,                                 /*   no tags */
	0x01, 0x08,                           /* tag 1 FinalizedFeaturesEpoch */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a, /* 42 */
	0x09, 0x02, 0xab, 0xcd,               /* tag 9: unknown, skipped */
};

KT_TEST(golden_api_versions_response_v3_decode)
{
	struct kfk_api_versions_response m;
	int32_t corr = 0;
	kfk_arena a;
	kfk_rbuf r;
	int hver = kfk_proto_resp_header_version(KFK_APIKEY_API_VERSIONS, 3);

	KT_ASSERT_INT_EQ(hver, 0);
	kfk_arena_init(&a);
	kfk_rbuf_init(&r, api_versions_v3_response,
	              sizeof api_versions_v3_response);
	KT_ASSERT_INT_EQ(kfk_proto_resp_header_decode(&r, hver, &corr), 0);
	KT_ASSERT_INT_EQ(corr, 7);
	KT_ASSERT_INT_EQ(kfk_api_versions_response_decode(&r, 3, &a, &m), 0);
	KT_ASSERT_INT_EQ(kfk_rbuf_remaining(&r), 0);
	KT_ASSERT_INT_EQ(m.error_code, 0);
	KT_ASSERT_INT_EQ(m.api_keys_count, 2);
	KT_ASSERT_INT_EQ(m.api_keys[0].api_key, 0);
	KT_ASSERT_INT_EQ(m.api_keys[0].max_version, 11);
	KT_ASSERT_INT_EQ(m.api_keys[1].api_key, 18);
	KT_ASSERT_INT_EQ(m.api_keys[1].max_version, 4);
	KT_ASSERT_INT_EQ(m.supported_features_count, 1);
	KT_ASSERT(kfk_str_eq(m.supported_features[0].name, kfk_str_c("mv")));
	KT_ASSERT_INT_EQ(m.supported_features[0].min_version, 1);
	KT_ASSERT_INT_EQ(m.supported_features[0].max_version, 20);
	KT_ASSERT_INT_EQ(m.finalized_features_epoch, 42);
	KT_ASSERT_INT_EQ(m.finalized_features_count, 0);
	KT_ASSERT_INT_EQ(m.zk_migration_ready, 0);
	kfk_arena_destroy(&a);
}

/* Re-encoding writes the known tags in order and drops the unknown one. */
KT_TEST(golden_api_versions_response_v3_reencode)
{
	struct kfk_api_versions_response m;
	const size_t hdr = 4, unknown = 4;
	size_t body = sizeof api_versions_v3_response - hdr;
	uint8_t want[64];
	kfk_arena a;
	kfk_rbuf r;
	kfk_wbuf w;

	kfk_arena_init(&a);
	kfk_wbuf_init(&w);
	kfk_rbuf_init(&r, api_versions_v3_response + hdr, body);
	KT_ASSERT_INT_EQ(kfk_api_versions_response_decode(&r, 3, &a, &m), 0);
	KT_ASSERT_INT_EQ(kfk_api_versions_response_encode(&w, 3, &m), 0);
	memcpy(want, api_versions_v3_response + hdr, body - unknown);
	want[7 + 7 + 1 + 2 + 4] = 0x02; /* tagged field count 3 -> 2 */
	KT_ASSERT_MEM_EQ(w.buf, w.len, want, body - unknown);
	kfk_wbuf_free(&w);
	kfk_arena_destroy(&a);
}

/* A nullable struct in a flexible message: int8 marker -1 / 1. */
KT_TEST(golden_consumer_group_heartbeat_response_v0)
{
	static const uint8_t null_asg[] = {
		0x00, 0x00, 0x00, 0x00,       /* throttle_time_ms 0 */
		0x00, 0x00,                   /* error_code 0 */
		0x00,                         /* error_message: null (compact) */
		0x04, 'm', 'i', 'd',          /* member_id "mid" */
		0x00, 0x00, 0x00, 0x05,       /* member_epoch 5 */
		0x00, 0x00, 0x0b, 0xb8,       /* heartbeat_interval_ms 3000 */
		0xff,                         /* assignment: null */
		0x00,                         /* no tags */
	};
	static const uint8_t with_asg[] = {
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x04, 'm', 'i', 'd',
		0x00, 0x00, 0x00, 0x05,
		0x00, 0x00, 0x0b, 0xb8,
		0x01,                         /* assignment present */
		0x02,                         /*   topic_partitions: 1 */
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, /* id */
		0x03,                         /*     partitions: 2 */
		0x00, 0x00, 0x00, 0x00,       /*     0 */
		0x00, 0x00, 0x00, 0x02,       /*     2 */
		0x00,                         /*     no tags (topic) */
		0x00,                         /*   no tags (assignment) */
		0x00,                         /* no tags */
	};
	struct kfk_consumer_group_heartbeat_response m;
	kfk_arena a;
	kfk_rbuf r;
	kfk_wbuf w;

	kfk_arena_init(&a);
	kfk_wbuf_init(&w);
	kfk_rbuf_init(&r, null_asg, sizeof null_asg);
	KT_ASSERT_INT_EQ(kfk_consumer_group_heartbeat_response_decode(&r, 0, &a,
	                                                              &m), 0);
	KT_ASSERT(m.assignment == NULL);
	KT_ASSERT_INT_EQ(m.error_message.len, -1);
	KT_ASSERT_INT_EQ(m.heartbeat_interval_ms, 3000);
	KT_ASSERT_INT_EQ(kfk_consumer_group_heartbeat_response_encode(&w, 0, &m),
	                 0);
	KT_ASSERT_MEM_EQ(w.buf, w.len, null_asg, sizeof null_asg);

	kfk_wbuf_reset(&w);
	kfk_rbuf_init(&r, with_asg, sizeof with_asg);
	KT_ASSERT_INT_EQ(kfk_consumer_group_heartbeat_response_decode(&r, 0, &a,
	                                                              &m), 0);
	KT_ASSERT(m.assignment != NULL);
	KT_ASSERT_INT_EQ(m.assignment->topic_partitions_count, 1);
	KT_ASSERT_INT_EQ(m.assignment->topic_partitions[0].topic_id.b[15], 16);
	KT_ASSERT_INT_EQ(m.assignment->topic_partitions[0].partitions_count, 2);
	KT_ASSERT_INT_EQ(m.assignment->topic_partitions[0].partitions[1], 2);
	KT_ASSERT_INT_EQ(kfk_consumer_group_heartbeat_response_encode(&w, 0, &m),
	                 0);
	KT_ASSERT_MEM_EQ(w.buf, w.len, with_asg, sizeof with_asg);
	kfk_wbuf_free(&w);
	kfk_arena_destroy(&a);
}

KT_TEST(golden_find_coordinator_response_v0_decode)
{
	static const uint8_t in[] = {
		0x00, 0x0f,                   /* error_code 15 */
		0x00, 0x00, 0x00, 0x01,       /* node_id 1 */
		0x00, 0x01, 'h',              /* host "h" */
		0x00, 0x00, 0x23, 0x84,       /* port 9092 */
	};
	struct kfk_find_coordinator_response m;
	kfk_arena a;
	kfk_rbuf r;

	kfk_arena_init(&a);
	kfk_rbuf_init(&r, in, sizeof in);
	KT_ASSERT_INT_EQ(kfk_find_coordinator_response_decode(&r, 0, &a, &m), 0);
	KT_ASSERT_INT_EQ(m.error_code, 15);
	KT_ASSERT_INT_EQ(m.node_id, 1);
	KT_ASSERT(kfk_str_eq(m.host, kfk_str_c("h")));
	KT_ASSERT_INT_EQ(m.port, 9092);
	/* Fields of later versions keep their defaults (error_message has no
	 * "default": "null", so it defaults to the empty string). */
	KT_ASSERT_INT_EQ(m.throttle_time_ms, 0);
	KT_ASSERT_INT_EQ(m.error_message.len, 0);
	KT_ASSERT_INT_EQ(m.coordinators_count, 0);
	kfk_arena_destroy(&a);
}

/* What an encoder must refuse rather than silently lose. */
KT_TEST(golden_encode_refusals)
{
	struct kfk_produce_request p;
	struct kfk_metadata_request md;
	kfk_wbuf w;

	kfk_wbuf_init(&w);
	kfk_produce_request_init(&p);
	p.transactional_id = kfk_str_c("txn"); /* only v3+ carries it */
	KT_ASSERT_INT_EQ(kfk_produce_request_encode(&w, 2, &p),
	                 KFK_ERR__UNSUPPORTED_FEATURE);
	kfk_wbuf_reset(&w);
	KT_ASSERT_INT_EQ(kfk_produce_request_encode(&w, 3, &p), 0);
	kfk_wbuf_reset(&w);
	KT_ASSERT_INT_EQ(kfk_produce_request_encode(&w, 12, &p),
	                 KFK_ERR__UNSUPPORTED_FEATURE);

	/* Metadata topics: null ("all topics") exists from v1 only. */
	kfk_wbuf_reset(&w);
	kfk_metadata_request_init(&md);
	md.topics_count = -1;
	KT_ASSERT_INT_EQ(kfk_metadata_request_encode(&w, 0, &md),
	                 KFK_ERR__INVALID_ARG);
	kfk_wbuf_reset(&w);
	KT_ASSERT_INT_EQ(kfk_metadata_request_encode(&w, 1, &md), 0);
	KT_ASSERT_INT_EQ(w.len, 4);
	KT_ASSERT_INT_EQ(w.buf[0], 0xff); /* int32 -1 */

	/* allow_auto_topic_creation=false cannot be said before v4. */
	kfk_wbuf_reset(&w);
	md.allow_auto_topic_creation = false;
	KT_ASSERT_INT_EQ(kfk_metadata_request_encode(&w, 3, &md),
	                 KFK_ERR__UNSUPPORTED_FEATURE);
	kfk_wbuf_reset(&w);
	KT_ASSERT_INT_EQ(kfk_metadata_request_encode(&w, 4, &md), 0);
	KT_ASSERT_INT_EQ(w.len, 5);
	KT_ASSERT_INT_EQ(w.buf[4], 0);
	kfk_wbuf_free(&w);
}

/* librdkafka's mock broker answers a failed JoinGroup with nulls in
 * fields the schema says are never null; those read as empty strings and
 * arrays, so the client never meets a null it was promised could not be. */
KT_TEST(golden_decode_null_in_non_nullable_reads_empty)
{
	static const uint8_t in[] = {   /* as the mock sends it, v2 */
		0x00, 0x00, 0x00, 0x00,       /* throttle_time_ms */
		0x00, 0x10,                   /* error_code 16 NOT_COORDINATOR */
		0xff, 0xff, 0xff, 0xff,       /* generation_id -1 */
		0xff, 0xff,                   /* protocol_name: null */
		0xff, 0xff,                   /* leader: null */
		0xff, 0xff,                   /* member_id: null */
		0xff, 0xff, 0xff, 0xff,       /* members: null array */
	};
	static const uint8_t bad[] = {
		0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xfe,                   /* protocol_name length -2 */
		0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
	};
	struct kfk_join_group_response m;
	kfk_arena a;
	kfk_rbuf r;

	kfk_arena_init(&a);
	kfk_rbuf_init(&r, in, sizeof in);
	KT_ASSERT_INT_EQ(kfk_join_group_response_decode(&r, 2, &a, &m), 0);
	KT_ASSERT_INT_EQ(kfk_rbuf_remaining(&r), 0);
	KT_ASSERT_INT_EQ(m.error_code, 16);
	KT_ASSERT_INT_EQ(m.generation_id, -1);
	KT_ASSERT_INT_EQ(m.protocol_name.len, 0);
	KT_ASSERT_INT_EQ(m.leader.len, 0);
	KT_ASSERT_INT_EQ(m.member_id.len, 0);
	KT_ASSERT_INT_EQ(m.members_count, 0);
	/* Other negative lengths stay malformed. */
	kfk_rbuf_init(&r, bad, sizeof bad);
	KT_ASSERT_INT_EQ(kfk_join_group_response_decode(&r, 2, &a, &m),
	                 KFK_ERR__MALFORMED);
	kfk_arena_destroy(&a);
}
