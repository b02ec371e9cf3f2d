/* Error codes: the generated table is complete and matches the protocol's
 * error list, lookups of unknown codes stay safe, and the error object
 * carries its code, message and flags. */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <kfk/errors.h>
#include "client/error.h"
#include "util/errors.h"
#include "../kt.h"

/* A name as the generator must emit it: upper snake case, with a leading
 * '_' exactly for kfk's own codes. */
static int name_ok(const char *name, int local)
{
	const char *p = name;

	if (local && *p++ != '_')
		return 0;
	if (*p < 'A' || *p > 'Z')
		return 0;
	for (; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return 0;
	return 1;
}

/* One code that the table says exists: the public lookups return the
 * table's strings, which are well-formed and non-empty. */
static void check_known(kfk_err code, int local)
{
	const struct kfk_errors_desc *d = kfk_errors_desc(code);

	KT_ASSERT_MSG(d != NULL, "code %d: no table entry", (int)code);
	KT_ASSERT_MSG(name_ok(kfk_err_name(code), local), "code %d: bad name \"%s\"",
	              (int)code, kfk_err_name(code));
	KT_ASSERT_MSG(kfk_err_name(code) == d->name, "code %d: name not from table",
	              (int)code);
	KT_ASSERT_MSG(kfk_err_str(code) == d->str && d->str[0] != '\0',
	              "code %d (%s): empty or foreign text", (int)code, d->name);
	KT_ASSERT_INT_EQ(kfk_err_is_retriable(code), d->retriable);
	KT_ASSERT_MSG(d->retriable == 0 || d->retriable == 1, "code %d", (int)code);
}

KT_TEST(errors_every_protocol_code_has_name_and_text)
{
	int i, seen = 0;

	KT_ASSERT_INT_EQ(kfk_errors_proto_min, -1);
	for (i = 0; i < kfk_errors_proto_slots; i++) {
		kfk_err code = (kfk_err)(kfk_errors_proto_min + i);
		if (kfk_errors_proto[i].name == NULL) {
			/* A gap in the protocol's numbering reads as unknown. */
			KT_ASSERT(kfk_errors_desc(code) == NULL);
			continue;
		}
		check_known(code, 0);
		seen++;
	}
	/* The table holds exactly the rows the generator read ... */
	KT_ASSERT_INT_EQ(seen, kfk_errors_proto_count);
	/* ... and the table's first and last slots are real codes. */
	KT_ASSERT(kfk_errors_proto[0].name != NULL);
	KT_ASSERT(kfk_errors_proto[kfk_errors_proto_slots - 1].name != NULL);
	/* errors.tsv of October 2024 has 129 rows (-1..128 without 99); the
	 * protocol only ever adds codes. */
	KT_ASSERT_MSG(seen >= 129, "only %d protocol codes", seen);
}

KT_TEST(errors_every_local_code_has_name_and_text)
{
	int i;

	/* The 26 codes other modules already use, and any added below. */
	KT_ASSERT_MSG(kfk_errors_local_count >= 26, "%d", kfk_errors_local_count);
	for (i = 0; i < kfk_errors_local_count; i++)
		check_known((kfk_err)(KFK_ERRORS_LOCAL_FIRST - i), 1);
}

struct spot {
	kfk_err code;
	int value;
	const char *name;
	const char *str; /* NULL: not checked */
	int retriable;
};

/* Written by hand from kafka-protocol/errors.tsv and the brief's list of
 * library codes, not from the generated files. */
static const struct spot spots[] = {
	{KFK_ERR_UNKNOWN_SERVER_ERROR, -1, "UNKNOWN_SERVER_ERROR",
	 "The server experienced an unexpected error when processing the request.", 0},
	{KFK_ERR_NONE, 0, "NONE", "Success", 0},
	{KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION, 3, "UNKNOWN_TOPIC_OR_PARTITION",
	 "This server does not host this topic-partition.", 1},
	{KFK_ERR_NOT_LEADER_OR_FOLLOWER, 6, "NOT_LEADER_OR_FOLLOWER",
	 "For requests intended only for the leader, this error indicates that the "
	 "broker is not the current leader. For requests intended for any replica, "
	 "this error indicates that the broker is not a replica of the topic "
	 "partition.", 1},
	{KFK_ERR_MESSAGE_TOO_LARGE, 10, "MESSAGE_TOO_LARGE",
	 "The request included a message larger than the max message size the "
	 "server will accept.", 0},
	{KFK_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER, 45, "OUT_OF_ORDER_SEQUENCE_NUMBER",
	 "The broker received an out of order sequence number.", 0},
	{KFK_ERR_CONCURRENT_TRANSACTIONS, 51, "CONCURRENT_TRANSACTIONS", NULL, 1},
	{KFK_ERR_SNAPSHOT_NOT_FOUND, 98, "SNAPSHOT_NOT_FOUND",
	 "Requested snapshot was not found.", 0},
	{KFK_ERR_UNKNOWN_TOPIC_ID, 100, "UNKNOWN_TOPIC_ID",
	 "This server does not host this topic ID.", 1},
	{KFK_ERR_INVALID_REGULAR_EXPRESSION, 128, "INVALID_REGULAR_EXPRESSION",
	 "The regular expression is not valid.", 0},
	/* The library's codes: values other modules compile against. */
	{KFK_ERR__FAIL, -100, "_FAIL", NULL, 0},
	{KFK_ERR__INVALID_ARG, -101, "_INVALID_ARG", NULL, 0},
	{KFK_ERR__UNKNOWN_PROPERTY, -102, "_UNKNOWN_PROPERTY", NULL, 0},
	{KFK_ERR__INVALID_VALUE, -103, "_INVALID_VALUE", NULL, 0},
	{KFK_ERR__NO_MEMORY, -104, "_NO_MEMORY", NULL, 0},
	{KFK_ERR__IO, -105, "_IO", NULL, 0},
	{KFK_ERR__PARSE, -106, "_PARSE", NULL, 0},
	{KFK_ERR__TIMED_OUT, -107, "_TIMED_OUT", "Local: Timed out", 1},
	{KFK_ERR__TRANSPORT, -108, "_TRANSPORT", NULL, 1},
	{KFK_ERR__MALFORMED, -109, "_MALFORMED", NULL, 0},
	{KFK_ERR__MSG_TIMED_OUT, -110, "_MSG_TIMED_OUT", NULL, 0},
	{KFK_ERR__QUEUE_FULL, -111, "_QUEUE_FULL", NULL, 1},
	{KFK_ERR__MSG_SIZE_TOO_LARGE, -112, "_MSG_SIZE_TOO_LARGE", NULL, 0},
	{KFK_ERR__UNSUPPORTED_FEATURE, -113, "_UNSUPPORTED_FEATURE", NULL, 0},
	{KFK_ERR__DESTROY, -114, "_DESTROY", NULL, 0},
	{KFK_ERR__PURGED, -115, "_PURGED", NULL, 0},
	{KFK_ERR__ALL_BROKERS_DOWN, -116, "_ALL_BROKERS_DOWN", NULL, 1},
	{KFK_ERR__RESOLVE, -117, "_RESOLVE", NULL, 1},
	{KFK_ERR__UNKNOWN_TOPIC, -118, "_UNKNOWN_TOPIC", NULL, 0},
	{KFK_ERR__UNKNOWN_PARTITION, -119, "_UNKNOWN_PARTITION", NULL, 0},
	{KFK_ERR__STATE, -120, "_STATE", NULL, 0},
	{KFK_ERR__FATAL, -121, "_FATAL", NULL, 0},
	{KFK_ERR__CRC, -122, "_CRC", NULL, 0},
	{KFK_ERR__DECOMPRESS, -123, "_DECOMPRESS", NULL, 0},
	{KFK_ERR__NOT_IMPLEMENTED, -124, "_NOT_IMPLEMENTED", NULL, 0},
	{KFK_ERR__CONFLICT, -125, "_CONFLICT", "Local: Conflicting use", 0},
};

static void check_spot(void *arg)
{
	const struct spot *s = arg;

	KT_ASSERT_INT_EQ(s->code, s->value);
	KT_ASSERT_STR_EQ(kfk_err_name(s->code), s->name);
	if (s->str)
		KT_ASSERT_STR_EQ(kfk_err_str(s->code), s->str);
	KT_ASSERT_INT_EQ(kfk_err_is_retriable(s->code), s->retriable);
}

KT_TEST(errors_spot_checks)
{
	size_t i;

	for (i = 0; i < sizeof(spots) / sizeof(spots[0]); i++)
		kt_subtest(check_spot, (void *)&spots[i], "errors: %d is %s",
		           spots[i].value, spots[i].name);
}

KT_TEST(errors_unknown_codes_have_placeholders)
{
	int past_end = kfk_errors_proto_min + kfk_errors_proto_slots;
	char want[32];

	KT_ASSERT_STR_EQ(kfk_err_name((kfk_err)12345), "ERR_12345");
	KT_ASSERT_STR_EQ(kfk_err_str((kfk_err)12345), "Unknown error 12345");
	KT_ASSERT_STR_EQ(kfk_err_name((kfk_err)99), "ERR_99"); /* a gap */
	KT_ASSERT_STR_EQ(kfk_err_name((kfk_err)-2), "ERR_-2");
	KT_ASSERT_STR_EQ(kfk_err_name((kfk_err)-99), "ERR_-99");
	snprintf(want, sizeof(want), "ERR_%d", past_end);
	KT_ASSERT_STR_EQ(kfk_err_name((kfk_err)past_end), want);
	snprintf(want, sizeof(want), "ERR_%d",
	         KFK_ERRORS_LOCAL_FIRST - kfk_errors_local_count);
	KT_ASSERT_STR_EQ(kfk_err_name(
	                         (kfk_err)(KFK_ERRORS_LOCAL_FIRST - kfk_errors_local_count)),
	                 want);
	KT_ASSERT_STR_EQ(kfk_err_name((kfk_err)INT_MAX), "ERR_2147483647");
	KT_ASSERT_STR_EQ(kfk_err_str((kfk_err)INT_MIN), "Unknown error -2147483648");
	KT_ASSERT_INT_EQ(kfk_err_is_retriable((kfk_err)12345), 0);
	KT_ASSERT_INT_EQ(kfk_err_is_retriable((kfk_err)INT_MIN), 0);
}

KT_TEST(errors_unknown_names_survive_in_one_expression)
{
	/* Two unknown codes in one printf get two different buffers. */
	char line[64];

	snprintf(line, sizeof(line), "%s %s", kfk_err_name((kfk_err)1001),
	         kfk_err_name((kfk_err)1002));
	KT_ASSERT_STR_EQ(line, "ERR_1001 ERR_1002");
}

KT_TEST(errors_object_carries_code_message_and_defaults)
{
	kfk_error *e = kfk_error_new(KFK_ERR__TIMED_OUT, "%s: %d in flight",
	                             "broker 3", 7);

	KT_ASSERT(e != NULL);
	KT_ASSERT_INT_EQ(kfk_error_code(e), KFK_ERR__TIMED_OUT);
	KT_ASSERT_STR_EQ(kfk_error_name(e), "_TIMED_OUT");
	KT_ASSERT_STR_EQ(kfk_error_string(e), "broker 3: 7 in flight");
	KT_ASSERT_INT_EQ(kfk_error_is_retriable(e), 1);
	KT_ASSERT_INT_EQ(kfk_error_is_fatal(e), 0);
	KT_ASSERT_INT_EQ(kfk_error_txn_requires_abort(e), 0);
	kfk_error_destroy(e);

	e = kfk_error_new(KFK_ERR_MESSAGE_TOO_LARGE, NULL);
	KT_ASSERT_STR_EQ(kfk_error_name(e), "MESSAGE_TOO_LARGE");
	KT_ASSERT_STR_EQ(kfk_error_string(e),
	                 "The request included a message larger than the max "
	                 "message size the server will accept.");
	KT_ASSERT_INT_EQ(kfk_error_is_retriable(e), 0);
	kfk_error_destroy(e);
}

KT_TEST(errors_object_flags_follow_setters)
{
	kfk_error *e = kfk_error_new(KFK_ERR_NOT_LEADER_OR_FOLLOWER, "partition %d", 2);

	KT_ASSERT_INT_EQ(kfk_error_is_retriable(e), 1);
	kfk_error_set_txn_requires_abort(e, 1);
	KT_ASSERT_INT_EQ(kfk_error_txn_requires_abort(e), 1);
	KT_ASSERT_INT_EQ(kfk_error_is_fatal(e), 0);
	/* Fatal wins over retriable. */
	kfk_error_set_fatal(e, 1);
	KT_ASSERT_INT_EQ(kfk_error_is_fatal(e), 1);
	KT_ASSERT_INT_EQ(kfk_error_is_retriable(e), 0);
	kfk_error_set_fatal(e, 0);
	KT_ASSERT_INT_EQ(kfk_error_is_retriable(e), 1);
	kfk_error_set_retriable(e, 0);
	KT_ASSERT_INT_EQ(kfk_error_is_retriable(e), 0);
	kfk_error_set_txn_requires_abort(e, 0);
	KT_ASSERT_INT_EQ(kfk_error_txn_requires_abort(e), 0);
	KT_ASSERT_STR_EQ(kfk_error_string(e), "partition 2");
	kfk_error_destroy(e);

	/* A generic fatal error starts out fatal. */
	e = kfk_error_new(KFK_ERR__FATAL, "producer fenced");
	KT_ASSERT_INT_EQ(kfk_error_is_fatal(e), 1);
	KT_ASSERT_INT_EQ(kfk_error_is_retriable(e), 0);
	kfk_error_destroy(e);
}

KT_TEST(errors_object_with_unknown_code)
{
	kfk_error *e = kfk_error_new((kfk_err)777, NULL);

	KT_ASSERT_INT_EQ(kfk_error_code(e), 777);
	KT_ASSERT_STR_EQ(kfk_error_name(e), "ERR_777");
	KT_ASSERT_STR_EQ(kfk_error_string(e), "Unknown error 777");
	KT_ASSERT_INT_EQ(kfk_error_is_retriable(e), 0);
	kfk_error_destroy(e);
}

KT_TEST(errors_object_null_means_no_error)
{
	KT_ASSERT_INT_EQ(kfk_error_code(NULL), KFK_ERR_NONE);
	KT_ASSERT_STR_EQ(kfk_error_name(NULL), "NONE");
	KT_ASSERT_STR_EQ(kfk_error_string(NULL), "Success");
	KT_ASSERT_INT_EQ(kfk_error_is_retriable(NULL), 0);
	KT_ASSERT_INT_EQ(kfk_error_is_fatal(NULL), 0);
	KT_ASSERT_INT_EQ(kfk_error_txn_requires_abort(NULL), 0);
	kfk_error_set_fatal(NULL, 1);
	kfk_error_destroy(NULL);
}

KT_TEST(errors_object_long_message_is_kept_whole)
{
	char big[5000];
	kfk_error *e;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	e = kfk_error_new(KFK_ERR__FAIL, "<%s>", big);
	KT_ASSERT_INT_EQ(strlen(kfk_error_string(e)), sizeof(big) + 1);
	KT_ASSERT_INT_EQ(kfk_error_string(e)[0], '<');
	KT_ASSERT_INT_EQ(kfk_error_string(e)[sizeof(big)], '>');
	kfk_error_destroy(e);
}
