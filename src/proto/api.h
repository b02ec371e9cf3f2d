/*
 * proto/api.h: the API keys of the Kafka protocol and what kfk knows of
 * each: the versions the schemas define, which of them are flexible, and
 * whether kfk has codecs for it (proto/gen/).
 *
 * The connection layer intersects [min_version, max_stable] of an API with
 * the range a broker announces in its ApiVersions response to pick the
 * version to send. The table itself is generated from the schemas
 * (proto/gen/api_table.c) and is read-only: any thread may read it.
 */
#ifndef KFK_PROTO_API_H
#define KFK_PROTO_API_H

#include <stdbool.h>
#include <stdint.h>

#include "proto/gen/api_keys.h"

struct kfk_proto_api {
	const char *name;       /* "Produce"; NULL for an unassigned key */
	int16_t key;            /* the API key */
	int16_t min_version;    /* lowest version the schema defines */
	int16_t max_version;    /* highest version the schema defines */
	int16_t max_stable;     /* highest released version: max_version, or
	                         * one less when the schema marks its latest
	                         * version unstable (brokers do not offer it) */
	int16_t first_flexible; /* first flexible version, -1 if none */
	bool has_codec;         /* kfk's codecs cover min..max_version */
};

/* Indexed by API key; holes have name NULL. */
extern const struct kfk_proto_api kfk_proto_api_table[KFK_APIKEY__COUNT];

/* The entry of api_key, or NULL when the key is unknown. */
const struct kfk_proto_api *kfk_proto_api_get(int16_t api_key);

/* The name of an API ("Produce"), or "Unknown" for an unknown key. */
const char *kfk_proto_api_name(int16_t api_key);

/* 1 when version of api_key uses the flexible encoding (compact lengths,
 * tagged fields); 0 otherwise and for unknown keys. */
int kfk_proto_api_is_flexible(int16_t api_key, int16_t version);

#endif /* KFK_PROTO_API_H */
