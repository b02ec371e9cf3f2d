/*
 * mockcluster: a Kafka cluster for tests, made of librdkafka's mock brokers.
 *
 * Integration tests need a Kafka protocol peer that nobody here wrote; the
 * mock cluster inside Debian's librdkafka is one. This program wraps it so
 * that tests in any language can start one, point a client at it and change
 * the cluster's behaviour while the client runs. Only this program (and test
 * programs) link librdkafka; the kfk library never does.
 *
 * Usage:  mockcluster [-v] [-b BROKERS] [TOPIC:PARTITIONS[:REPLICATION] ...]
 *
 * It starts BROKERS mock brokers (default 3, ids 1..BROKERS) listening on
 * 127.0.0.1, creates the topics given (replication defaults to 1), and
 * prints as its first line
 *     BOOTSTRAP 127.0.0.1:port,127.0.0.1:port,...
 * Then it reads one command per line on stdin and answers each with exactly
 * one line, "ok" or "error <why>". Names of requests (API) are the protocol
 * names (Produce, Fetch, Metadata, ...; any case) or their numeric keys;
 * error codes are Kafka protocol numbers (6) or librdkafka's names for them
 * (NOT_LEADER_FOR_PARTITION). A broker id of -1 means every broker where
 * marked [all].
 *
 *   ping                            answers ok (to synchronise)
 *   down <id>                       broker disconnects clients, refuses new
 *                                   connections (no leader change) [all]
 *   up <id>                         broker accepts connections again [all]
 *   rtt <id> <ms>                   delay every response of the broker [all]
 *   rack <id> <rack>                set the broker's rack [all]
 *   leader <topic> <partition> <id> move the partition's leader (-1: none)
 *   follower <topic> <partition> <id>
 *                                   the broker a consumer is told to fetch
 *                                   from (KIP-392)
 *   wmarks <topic> <partition> <lo> <hi>
 *                                   the follower's low/high watermarks
 *   create <topic> <partitions> <replication>
 *                                   create a topic
 *   topicerr <topic> <code>         Metadata reports this error for the topic
 *   err <Api> <code> [count]        the next count requests (default 1) of
 *                                   that API, to any broker, fail with code
 *   clear <Api>                     forget the errors queued by err for Api
 *   errbroker <id> <Api> <code> <rtt_ms> [count]
 *                                   the next count requests of that API to
 *                                   broker id fail with code after rtt_ms
 *                                   (code 0: succeed, only delayed)
 *   coordinator <group|transaction> <key> <id>
 *                                   the coordinator of a group.id or
 *                                   transactional.id
 *   apiversion <Api> <min> <max>    the versions ApiVersions advertises
 *                                   (-1 -1: the API is not supported)
 *   idem                            answers "ok written=N duplicates=N
 *                                   out_of_order=N fenced=N": what the
 *                                   broker's idempotence checks did
 *                                   (tests/mock_idem.c: unlike librdkafka's
 *                                   own mock, this one de-duplicates and
 *                                   orders idempotent producers' batches)
 *   idem forget                     the brokers forget every producer's
 *                                   state, as Kafka does after
 *                                   producer.id.expiration.ms
 *   quit                            destroy the cluster and exit
 *
 * Unknown commands answer "error unknown command <x>". The program exits
 * (destroying the cluster) on quit, when stdin closes, or when it has lived
 * MOCKCLUSTER_MAX_SECONDS (default 1800, exit status 3), so an orphan never
 * lingers. librdkafka's own log is silent unless -v is given (then on
 * stderr). Exit status: 0 normal, 1 start-up failure, 2 usage, 3 lifetime.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "mock_idem.h"

#define MC_MAX_ARGS 8
#define MC_LINE_MAX 4096
#define MC_MAX_BROKERS 256
#define MC_MAX_COUNT 100000

struct mc {
	rd_kafka_t *rk; /* dummy producer the cluster lives on */
	rd_kafka_mock_cluster_t *cluster;
	int brokers;
	int verbose;
	int quit;
};

/* A command handler: 0 when done, else -1 with the reason in why. */
typedef int (*mc_handler)(struct mc *mc, int argc, char **argv, char *why,
                          size_t whylen);

struct mc_command {
	const char *name;
	int min_args, max_args; /* not counting the command itself */
	mc_handler fn;
	const char *usage;
};

/* Protocol request names by API key, from the Kafka message schemas. */
static const char *const mc_api_names[] = {
	"Produce", "Fetch", "ListOffsets", "Metadata", "LeaderAndIsr",
	"StopReplica", "UpdateMetadata", "ControlledShutdown", "OffsetCommit",
	"OffsetFetch", "FindCoordinator", "JoinGroup", "Heartbeat", "LeaveGroup",
	"SyncGroup", "DescribeGroups", "ListGroups", "SaslHandshake",
	"ApiVersions", "CreateTopics", "DeleteTopics", "DeleteRecords",
	"InitProducerId", "OffsetForLeaderEpoch", "AddPartitionsToTxn",
	"AddOffsetsToTxn", "EndTxn", "WriteTxnMarkers", "TxnOffsetCommit",
	"DescribeAcls", "CreateAcls", "DeleteAcls", "DescribeConfigs",
	"AlterConfigs", "AlterReplicaLogDirs", "DescribeLogDirs",
	"SaslAuthenticate", "CreatePartitions", "CreateDelegationToken",
	"RenewDelegationToken", "ExpireDelegationToken",
	"DescribeDelegationToken", "DeleteGroups", "ElectLeaders",
	"IncrementalAlterConfigs", "AlterPartitionReassignments",
	"ListPartitionReassignments", "OffsetDelete", "DescribeClientQuotas",
	"AlterClientQuotas", "DescribeUserScramCredentials",
	"AlterUserScramCredentials", "Vote", "BeginQuorumEpoch",
	"EndQuorumEpoch", "DescribeQuorum", "AlterPartition", "UpdateFeatures",
	"Envelope", "FetchSnapshot", "DescribeCluster", "DescribeProducers",
	"BrokerRegistration", "BrokerHeartbeat", "UnregisterBroker",
	"DescribeTransactions", "ListTransactions", "AllocateProducerIds",
	"ConsumerGroupHeartbeat", "ConsumerGroupDescribe",
	"ControllerRegistration", "GetTelemetrySubscriptions", "PushTelemetry",
	"AssignReplicasToDirs", "ListClientMetricsResources",
	"DescribeTopicPartitions", "ShareGroupHeartbeat", "ShareGroupDescribe",
	"ShareFetch", "ShareAcknowledge", "AddRaftVoter", "RemoveRaftVoter",
	"UpdateRaftVoter", "InitializeShareGroupState", "ReadShareGroupState",
	"WriteShareGroupState", "DeleteShareGroupState",
	"ReadShareGroupStateSummary",
};
#define MC_NAPIS ((int)(sizeof(mc_api_names) / sizeof(mc_api_names[0])))

static void mc_why(char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void mc_why(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

/* Strict decimal integer in [min, max]; 0 when it is one. */
static int mc_parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Like mc_parse_long, with the reason written for the reply. */
static int mc_arg_long(const char *what, const char *s, long min, long max,
                       long *out, char *why, size_t whylen)
{
	if (mc_parse_long(s, min, max, out) == 0)
		return 0;
	mc_why(why, whylen, "bad %s '%s' (want %ld..%ld)", what, s, min, max);
	return -1;
}

/* API key of a request name (any case) or number; -1 when unknown. */
static int mc_api_key(const char *s)
{
	long v;
	int i;

	if (mc_parse_long(s, 0, MC_NAPIS - 1, &v) == 0)
		return (int)v;
	for (i = 0; i < MC_NAPIS; i++)
		if (strcasecmp(s, mc_api_names[i]) == 0)
			return i;
	return -1;
}

static int mc_arg_api(const char *s, int16_t *key, char *why, size_t whylen)
{
	int k = mc_api_key(s);

	if (k < 0) {
		mc_why(why, whylen, "unknown API '%s'", s);
		return -1;
	}
	*key = (int16_t)k;
	return 0;
}

/* A protocol error code: a number (-1 = UNKNOWN_SERVER_ERROR upwards) or
 * librdkafka's name of one. librdkafka's internal (negative) errors are
 * refused: they never travel on the wire. */
static int mc_arg_code(const char *s, rd_kafka_resp_err_t *code, char *why,
                       size_t whylen)
{
	const struct rd_kafka_err_desc *descs;
	size_t i, n;
	long v;

	if (mc_parse_long(s, -1, INT16_MAX, &v) == 0) {
		*code = (rd_kafka_resp_err_t)v;
		return 0;
	}
	rd_kafka_get_err_descs(&descs, &n);
	for (i = 0; i < n; i++) {
		if (descs[i].code >= -1 && descs[i].name &&
		    strcasecmp(descs[i].name, s) == 0) {
			*code = descs[i].code;
			return 0;
		}
	}
	mc_why(why, whylen, "unknown error code '%s'", s);
	return -1;
}

/* A broker id of this cluster (1..brokers), or -1 when all is allowed. */
static int mc_arg_broker(struct mc *mc, const char *s, int allow_all,
                         int32_t *id, char *why, size_t whylen)
{
	long v;

	if (mc_parse_long(s, allow_all ? -1 : 1, mc->brokers, &v) == 0 && v != 0) {
		*id = (int32_t)v;
		return 0;
	}
	mc_why(why, whylen, "bad broker id '%s' (brokers are 1..%d%s)", s,
	       mc->brokers, allow_all ? ", or -1 for all" : "");
	return -1;
}

/* Turns a librdkafka result into the command's result. */
static int mc_result(rd_kafka_resp_err_t err, char *why, size_t whylen)
{
	if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
		return 0;
	mc_why(why, whylen, "%s: %s", rd_kafka_err2name(err), rd_kafka_err2str(err));
	return -1;
}

/* Kafka's legal topic names: 1..249 of [A-Za-z0-9._-]. */
static int mc_topic_name_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 249)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("._-", s[i]))
			return 0;
	return 1;
}

static int mc_create_topic(struct mc *mc, const char *topic, const char *parts,
                           const char *repl, char *why, size_t whylen)
{
	long p, r;

	if (!mc_topic_name_ok(topic)) {
		mc_why(why, whylen, "bad topic name '%s'", topic);
		return -1;
	}
	if (mc_arg_long("partition count", parts, 1, 100000, &p, why, whylen) ||
	    mc_arg_long("replication factor", repl, 1, mc->brokers, &r, why,
	                whylen))
		return -1;
	return mc_result(rd_kafka_mock_topic_create(mc->cluster, topic, (int)p,
	                                            (int)r),
	                 why, whylen);
}

static int mc_cmd_ping(struct mc *mc, int argc, char **argv, char *why,
                       size_t whylen)
{
	return 0;
}

/* Text a command adds to its "ok" answer (cleared before each command). */
static char mc_ok_extra[256];

static int mc_cmd_idem(struct mc *mc, int argc, char **argv, char *why,
                       size_t whylen)
{
	if (argc == 2 && strcmp(argv[1], "forget") == 0) {
		mock_idem_forget();
		return 0;
	}
	if (argc == 2) {
		mc_why(why, whylen, "usage: idem [forget]");
		return -1;
	}
	mock_idem_stats(mc_ok_extra, sizeof(mc_ok_extra));
	return 0;
}

static int mc_cmd_quit(struct mc *mc, int argc, char **argv, char *why,
                       size_t whylen)
{
	mc->quit = 1;
	return 0;
}

static int mc_cmd_updown(struct mc *mc, int argc, char **argv, char *why,
                         size_t whylen)
{
	int32_t id;

	if (mc_arg_broker(mc, argv[1], 1, &id, why, whylen))
		return -1;
	if (strcmp(argv[0], "down") == 0)
		return mc_result(rd_kafka_mock_broker_set_down(mc->cluster, id), why,
		                 whylen);
	return mc_result(rd_kafka_mock_broker_set_up(mc->cluster, id), why, whylen);
}

static int mc_cmd_rtt(struct mc *mc, int argc, char **argv, char *why,
                      size_t whylen)
{
	int32_t id;
	long ms;

	if (mc_arg_broker(mc, argv[1], 1, &id, why, whylen) ||
	    mc_arg_long("rtt", argv[2], 0, 3600000, &ms, why, whylen))
		return -1;
	return mc_result(rd_kafka_mock_broker_set_rtt(mc->cluster, id, (int)ms),
	                 why, whylen);
}

static int mc_cmd_rack(struct mc *mc, int argc, char **argv, char *why,
                       size_t whylen)
{
	int32_t id;

	if (mc_arg_broker(mc, argv[1], 1, &id, why, whylen))
		return -1;
	return mc_result(rd_kafka_mock_broker_set_rack(mc->cluster, id, argv[2]),
	                 why, whylen);
}

/* leader and follower: <topic> <partition> <id>. */
static int mc_cmd_replica(struct mc *mc, int argc, char **argv, char *why,
                          size_t whylen)
{
	int leader = strcmp(argv[0], "leader") == 0;
	long part;
	int32_t id;

	if (mc_arg_long("partition", argv[2], 0, INT32_MAX, &part, why, whylen) ||
	    mc_arg_broker(mc, argv[3], leader, &id, why, whylen))
		return -1;
	if (leader)
		return mc_result(rd_kafka_mock_partition_set_leader(
		                         mc->cluster, argv[1], (int32_t)part, id),
		                 why, whylen);
	return mc_result(rd_kafka_mock_partition_set_follower(
	                         mc->cluster, argv[1], (int32_t)part, id),
	                 why, whylen);
}

static int mc_cmd_wmarks(struct mc *mc, int argc, char **argv, char *why,
                         size_t whylen)
{
	long part, lo, hi;

	if (mc_arg_long("partition", argv[2], 0, INT32_MAX, &part, why, whylen) ||
	    mc_arg_long("low watermark", argv[3], -1, LONG_MAX, &lo, why, whylen) ||
	    mc_arg_long("high watermark", argv[4], -1, LONG_MAX, &hi, why, whylen))
		return -1;
	return mc_result(rd_kafka_mock_partition_set_follower_wmarks(
	                         mc->cluster, argv[1], (int32_t)part, lo, hi),
	                 why, whylen);
}

static int mc_cmd_create(struct mc *mc, int argc, char **argv, char *why,
                         size_t whylen)
{
	return mc_create_topic(mc, argv[1], argv[2], argv[3], why, whylen);
}

static int mc_cmd_topicerr(struct mc *mc, int argc, char **argv, char *why,
                           size_t whylen)
{
	rd_kafka_resp_err_t code;

	if (mc_arg_code(argv[2], &code, why, whylen))
		return -1;
	/* void in librdkafka: nothing to check after the call. */
	rd_kafka_mock_topic_set_error(mc->cluster, argv[1], code);
	return 0;
}

static int mc_cmd_err(struct mc *mc, int argc, char **argv, char *why,
                      size_t whylen)
{
	rd_kafka_resp_err_t code, *codes;
	int16_t key;
	long n = 1, i;

	if (mc_arg_api(argv[1], &key, why, whylen) ||
	    mc_arg_code(argv[2], &code, why, whylen) ||
	    (argc > 3 &&
	     mc_arg_long("count", argv[3], 1, MC_MAX_COUNT, &n, why, whylen)))
		return -1;
	codes = malloc(sizeof(*codes) * (size_t)n);
	if (!codes) {
		mc_why(why, whylen, "out of memory");
		return -1;
	}
	for (i = 0; i < n; i++)
		codes[i] = code;
	rd_kafka_mock_push_request_errors_array(mc->cluster, key, (size_t)n, codes);
	free(codes);
	return 0;
}

static int mc_cmd_clear(struct mc *mc, int argc, char **argv, char *why,
                        size_t whylen)
{
	int16_t key;

	if (mc_arg_api(argv[1], &key, why, whylen))
		return -1;
	rd_kafka_mock_clear_request_errors(mc->cluster, key);
	return 0;
}

static int mc_cmd_errbroker(struct mc *mc, int argc, char **argv, char *why,
                            size_t whylen)
{
	rd_kafka_resp_err_t code, err = RD_KAFKA_RESP_ERR_NO_ERROR;
	int32_t id;
	int16_t key;
	long rtt, n = 1, i;

	if (mc_arg_broker(mc, argv[1], 0, &id, why, whylen) ||
	    mc_arg_api(argv[2], &key, why, whylen) ||
	    mc_arg_code(argv[3], &code, why, whylen) ||
	    mc_arg_long("rtt", argv[4], 0, 3600000, &rtt, why, whylen) ||
	    (argc > 5 &&
	     mc_arg_long("count", argv[5], 1, MC_MAX_COUNT, &n, why, whylen)))
		return -1;
	/* The call takes (error, rtt) pairs as varargs: one pair per call. */
	for (i = 0; i < n && !err; i++)
		err = rd_kafka_mock_broker_push_request_error_rtts(
		        mc->cluster, id, key, 1, code, (int)rtt);
	return mc_result(err, why, whylen);
}

static int mc_cmd_coordinator(struct mc *mc, int argc, char **argv, char *why,
                              size_t whylen)
{
	long id;

	if (strcmp(argv[1], "group") && strcmp(argv[1], "transaction")) {
		mc_why(why, whylen, "bad key type '%s' (want group or transaction)",
		       argv[1]);
		return -1;
	}
	/* librdkafka allows any id here, even one that is no broker. */
	if (mc_arg_long("broker id", argv[3], INT32_MIN, INT32_MAX, &id, why,
	                whylen))
		return -1;
	return mc_result(rd_kafka_mock_coordinator_set(mc->cluster, argv[1],
	                                               argv[2], (int32_t)id),
	                 why, whylen);
}

static int mc_cmd_apiversion(struct mc *mc, int argc, char **argv, char *why,
                             size_t whylen)
{
	int16_t key;
	long lo, hi;

	if (mc_arg_api(argv[1], &key, why, whylen) ||
	    mc_arg_long("min version", argv[2], -1, INT16_MAX, &lo, why, whylen) ||
	    mc_arg_long("max version", argv[3], -1, INT16_MAX, &hi, why, whylen))
		return -1;
	return mc_result(rd_kafka_mock_set_apiversion(mc->cluster, key,
	                                              (int16_t)lo, (int16_t)hi),
	                 why, whylen);
}

static const struct mc_command mc_commands[] = {
	{"ping", 0, 0, mc_cmd_ping, "ping"},
	{"down", 1, 1, mc_cmd_updown, "down <id>"},
	{"up", 1, 1, mc_cmd_updown, "up <id>"},
	{"rtt", 2, 2, mc_cmd_rtt, "rtt <id> <ms>"},
	{"rack", 2, 2, mc_cmd_rack, "rack <id> <rack>"},
	{"leader", 3, 3, mc_cmd_replica, "leader <topic> <partition> <id>"},
	{"follower", 3, 3, mc_cmd_replica, "follower <topic> <partition> <id>"},
	{"wmarks", 4, 4, mc_cmd_wmarks, "wmarks <topic> <partition> <lo> <hi>"},
	{"create", 3, 3, mc_cmd_create, "create <topic> <partitions> <replication>"},
	{"topicerr", 2, 2, mc_cmd_topicerr, "topicerr <topic> <code>"},
	{"err", 2, 3, mc_cmd_err, "err <Api> <code> [count]"},
	{"clear", 1, 1, mc_cmd_clear, "clear <Api>"},
	{"errbroker", 4, 5, mc_cmd_errbroker,
	 "errbroker <id> <Api> <code> <rtt_ms> [count]"},
	{"coordinator", 3, 3, mc_cmd_coordinator,
	 "coordinator <group|transaction> <key> <id>"},
	{"apiversion", 3, 3, mc_cmd_apiversion, "apiversion <Api> <min> <max>"},
	{"idem", 0, 1, mc_cmd_idem, "idem [forget]"},
	{"quit", 0, 0, mc_cmd_quit, "quit"},
};
#define MC_NCOMMANDS ((int)(sizeof(mc_commands) / sizeof(mc_commands[0])))

/* Splits line in place on blanks; returns the word count, or -1 when there
 * are more than max words. */
static int mc_split(char *line, char **argv, int max)
{
	int argc = 0;
	char *save = NULL, *w;

	for (w = strtok_r(line, " \t\r", &save); w;
	     w = strtok_r(NULL, " \t\r", &save)) {
		if (argc == max)
			return -1;
		argv[argc++] = w;
	}
	return argc;
}

/* Runs one command line and writes its one-line answer. */
static void mc_run_line(struct mc *mc, char *line)
{
	char *argv[MC_MAX_ARGS], why[512] = "";
	const struct mc_command *c = NULL;
	int argc = mc_split(line, argv, MC_MAX_ARGS), i, rc;

	mc_ok_extra[0] = '\0';
	if (argc == 0)
		mc_why(why, sizeof(why), "empty command");
	else if (argc < 0)
		mc_why(why, sizeof(why), "too many words");
	for (i = 0; argc > 0 && i < MC_NCOMMANDS && !c; i++)
		if (strcmp(argv[0], mc_commands[i].name) == 0)
			c = &mc_commands[i];
	if (argc > 0 && !c)
		mc_why(why, sizeof(why), "unknown command %s", argv[0]);
	else if (c && (argc - 1 < c->min_args || argc - 1 > c->max_args))
		mc_why(why, sizeof(why), "usage: %s", c->usage);
	else if (c) {
		rc = c->fn(mc, argc, argv, why, sizeof(why));
		if (rc == 0)
			why[0] = '\0';
		else if (!why[0])
			mc_why(why, sizeof(why), "failed");
	}
	if (why[0])
		printf("error %s\n", why);
	else if (mc_ok_extra[0])
		printf("ok %s\n", mc_ok_extra);
	else
		printf("ok\n");
	fflush(stdout);
}

static int64_t mc_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Line reader on fd 0 that never waits past a deadline. */
struct mc_reader {
	char buf[MC_LINE_MAX];
	size_t len;
	int discarding; /* inside an over-long line: drop up to its newline */
};

enum { MC_LINE, MC_LONG, MC_EOF, MC_DEADLINE };

/* Waits for the next line (NUL-terminated, newline removed, moved into
 * line) until the monotonic deadline. An over-long line is dropped and
 * reported as MC_LONG once its newline arrives. */
static int mc_read_line(struct mc_reader *r, char *line, int64_t deadline)
{
	for (;;) {
		char *nl = memchr(r->buf, '\n', r->len);
		struct pollfd pfd = {.fd = 0, .events = POLLIN};
		int64_t left;
		ssize_t n;

		if (nl) {
			size_t n_line = (size_t)(nl - r->buf);
			int was_long = r->discarding;

			memcpy(line, r->buf, n_line);
			line[n_line] = '\0';
			r->discarding = 0;
			memmove(r->buf, nl + 1, r->len - n_line - 1);
			r->len -= n_line + 1;
			return was_long ? MC_LONG : MC_LINE;
		}
		if (r->len == sizeof(r->buf)) {
			r->discarding = 1;
			r->len = 0;
		}
		left = deadline - mc_now_ms();
		if (left <= 0)
			return MC_DEADLINE;
		if (poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left) < 0 &&
		    errno != EINTR)
			return MC_EOF;
		if (pfd.revents == 0)
			continue;
		n = read(0, r->buf + r->len, sizeof(r->buf) - r->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) /* a last line without newline is dropped */
			return MC_EOF;
		r->len += (size_t)n;
	}
}

static void mc_log_cb(const rd_kafka_t *rk, int level, const char *fac,
                      const char *buf)
{
	fprintf(stderr, "mockcluster: %d %s: %s\n", level, fac, buf);
}

static void mc_silent_log_cb(const rd_kafka_t *rk, int level, const char *fac,
                             const char *buf)
{
}

/* Creates the dummy producer and the cluster on it; 0 on success. */
static int mc_start(struct mc *mc)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	char err[512];

	rd_kafka_conf_set_log_cb(conf, mc->verbose ? mc_log_cb : mc_silent_log_cb);
	mc->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
	if (!mc->rk) {
		rd_kafka_conf_destroy(conf);
		fprintf(stderr, "mockcluster: rd_kafka_new: %s\n", err);
		return -1;
	}
	mc->cluster = rd_kafka_mock_cluster_new(mc->rk, mc->brokers);
	if (!mc->cluster) {
		fprintf(stderr, "mockcluster: cannot create the mock cluster\n");
		return -1;
	}
	return 0;
}

static void mc_stop(struct mc *mc)
{
	if (mc->cluster)
		rd_kafka_mock_cluster_destroy(mc->cluster);
	if (mc->rk)
		rd_kafka_destroy(mc->rk);
	mc->cluster = NULL;
	mc->rk = NULL;
}

/* Creates the topic of a TOPIC:PARTITIONS[:REPLICATION] argument. */
static int mc_topic_arg(struct mc *mc, const char *spec)
{
	char buf[512], *argv[4], why[512] = "";
	char *save = NULL, *w;
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", spec);
	for (w = strtok_r(buf, ":", &save); w && n < 4;
	     w = strtok_r(NULL, ":", &save))
		argv[n++] = w;
	if (n < 2 || n > 3 || strlen(spec) >= sizeof(buf)) {
		fprintf(stderr,
		        "mockcluster: bad topic '%s' (want "
		        "TOPIC:PARTITIONS[:REPLICATION])\n",
		        spec);
		return -1;
	}
	if (mc_create_topic(mc, argv[0], argv[1], n == 3 ? argv[2] : "1", why,
	                    sizeof(why)) == 0)
		return 0;
	fprintf(stderr, "mockcluster: topic '%s': %s\n", spec, why);
	return -1;
}

static void mc_usage(FILE *f)
{
	int i;

	fprintf(f,
	        "usage: mockcluster [-v] [-b BROKERS] "
	        "[TOPIC:PARTITIONS[:REPLICATION] ...]\n"
	        "Starts BROKERS (default 3) librdkafka mock brokers on 127.0.0.1,\n"
	        "prints \"BOOTSTRAP host:port,...\", then answers each command on\n"
	        "stdin with \"ok\" or \"error <why>\". Broker ids are 1..BROKERS;\n"
	        "-1 means all brokers for down, up, rtt and rack. <Api> is a\n"
	        "request name (Produce, Fetch, ...) or key; <code> a Kafka error\n"
	        "number or librdkafka name. Exits on quit, end of input, or after\n"
	        "MOCKCLUSTER_MAX_SECONDS (default 1800). -v: librdkafka's log.\n"
	        "Commands:\n");
	for (i = 0; i < MC_NCOMMANDS; i++)
		fprintf(f, "  %s\n", mc_commands[i].usage);
}

/* Parses the options; returns the index of the first topic argument, or -1
 * (exit 2) / -2 (exit 0, help shown). */
static int mc_options(struct mc *mc, int argc, char **argv)
{
	long v;
	int opt;

	while ((opt = getopt(argc, argv, "b:vh")) != -1) {
		switch (opt) {
		case 'b':
			if (mc_parse_long(optarg, 1, MC_MAX_BROKERS, &v)) {
				fprintf(stderr, "mockcluster: bad -b '%s' (want 1..%d)\n",
				        optarg, MC_MAX_BROKERS);
				return -1;
			}
			mc->brokers = (int)v;
			break;
		case 'v':
			mc->verbose = 1;
			mock_idem_verbose(1);
			break;
		case 'h':
			mc_usage(stdout);
			return -2;
		default:
			mc_usage(stderr);
			return -1;
		}
	}
	return optind;
}

/* The monotonic time at which an orphan gives up, from the environment. */
static int64_t mc_deadline(void)
{
	const char *s = getenv("MOCKCLUSTER_MAX_SECONDS");
	long secs = 1800;

	if (s && *s && mc_parse_long(s, 1, 30L * 24 * 3600, &secs)) {
		fprintf(stderr, "mockcluster: ignoring bad MOCKCLUSTER_MAX_SECONDS\n");
		secs = 1800;
	}
	return mc_now_ms() + (int64_t)secs * 1000;
}

/* Obeys commands until quit, end of input or the deadline; returns the
 * exit status. */
static int mc_serve(struct mc *mc, int64_t deadline)
{
	static struct mc_reader reader;
	static char line[MC_LINE_MAX + 1];

	while (!mc->quit) {
		int r = mc_read_line(&reader, line, deadline);
		if (r == MC_EOF)
			return 0;
		if (r == MC_DEADLINE) {
			fprintf(stderr, "mockcluster: maximum lifetime reached, exiting\n");
			return 3;
		}
		if (r == MC_LONG) {
			printf("error line too long\n");
			fflush(stdout);
			continue;
		}
		mc_run_line(mc, line);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct mc mc = {.brokers = 3};
	int64_t deadline = mc_deadline();
	int first, i, rc;

	first = mc_options(&mc, argc, argv);
	if (first < 0)
		return first == -2 ? 0 : 2;
	if (mc_start(&mc)) {
		mc_stop(&mc);
		return 1;
	}
	for (i = first; i < argc; i++) {
		if (mc_topic_arg(&mc, argv[i])) {
			mc_stop(&mc);
			return 1;
		}
	}
	printf("BOOTSTRAP %s\n", rd_kafka_mock_cluster_bootstraps(mc.cluster));
	fflush(stdout);
	rc = mc_serve(&mc, deadline);
	mc_stop(&mc);
	return rc;
}
