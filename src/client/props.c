/*
 * The table of configuration properties: everything there is to know about
 * each property, in one place (see props.h). Names, defaults and doc style
 * follow the Java client where it has the property, librdkafka where only
 * librdkafka has it. Defaults are written in canonical form (what
 * kfk_conf_get returns), which tests/unit/test_conf_table.c checks.
 */
#include "config.h"
#include "client/props.h"

#include <string.h>

#include "util/log.h"

/* The debug property's contexts, each the KFK_DBG_* bit it enables. */
static const struct kfk_prop_choice debug_contexts[] = {
	{"broker", KFK_DBG_BROKER},
	{"protocol", KFK_DBG_PROTOCOL},
	{"metadata", KFK_DBG_METADATA},
	{"producer", KFK_DBG_PRODUCER},
	{"consumer", KFK_DBG_CONSUMER},
	{"cgrp", KFK_DBG_CGRP},
	{"conf", KFK_DBG_CONF},
	{"security", KFK_DBG_SECURITY},
	{"eos", KFK_DBG_EOS},
	{"admin", KFK_DBG_ADMIN},
	{"all", KFK_DBG_ALL},
	{NULL, 0},
};

/* security.protocol's values. */
static const struct kfk_prop_choice security_protocols[] = {
	{"PLAINTEXT", 0},
	{"SSL", 1},
	{"SASL_PLAINTEXT", 2},
	{"SASL_SSL", 3},
	{NULL, 0},
};

/* ssl.enabled.protocols' items (net/tls.h's KFK_TLS_V12 and _V13). */
static const struct kfk_prop_choice tls_versions[] = {
	{"TLSv1.2", 1},
	{"TLSv1.3", 2},
	{NULL, 0},
};

/* ssl.endpoint.identification.algorithm's values (Java: "" is none). */
static const struct kfk_prop_choice endpoint_algorithms[] = {
	{"https", 1},
	{"none", 0},
	{"", 0},
	{NULL, 0},
};

/* sasl.mechanism's values. */
static const struct kfk_prop_choice sasl_mechanisms[] = {
	{"GSSAPI", 0},
	{"PLAIN", 1},
	{"SCRAM-SHA-256", 2},
	{"SCRAM-SHA-512", 3},
	{"OAUTHBEARER", 4},
	{NULL, 0},
};

/* The partitioner property's values. The numbers are the producer's
 * enum kfk_partitioner_kind (producer/partitioner.h), written out here
 * because the client layer sits below the producer; test_partitioner.c
 * checks that the two agree. */
static const struct kfk_prop_choice partitioners[] = {
	{"murmur2_sticky", 0},
	{"consistent_random", 1},
	{"consistent", 2},
	{"random", 3},
	{"murmur2", 4},
	{"murmur2_random", 5},
	{"fnv1a", 6},
	{"fnv1a_random", 7},
	{NULL, 0},
};

/* The acks property's values: the number each stands for on the wire. */
static const struct kfk_prop_choice acks_values[] = {
	{"all", -1},
	{"-1", -1},
	{"0", 0},
	{"1", 1},
	{NULL, 0},
};

/* auto.offset.reset's values. */
static const struct kfk_prop_choice offset_resets[] = {
	{"earliest", 0},
	{"smallest", 0},
	{"beginning", 0},
	{"latest", 1},
	{"largest", 1},
	{"end", 1},
	{"none", 2},
	{"error", 2},
	{NULL, 0},
};

/* isolation.level's values. */
static const struct kfk_prop_choice isolation_levels[] = {
	{"read_uncommitted", 0},
	{"read_committed", 1},
	{NULL, 0},
};

/* compression.type's values: the codec numbers of record batch
 * attributes (codec/codec.h's enum kfk_codec). */
static const struct kfk_prop_choice compression_types[] = {
	{"none", 0},
	{"gzip", 1},
	{"snappy", 2},
	{"lz4", 3},
	{"zstd", 4},
	{NULL, 0},
};

const struct kfk_prop kfk_props[] = {
	/* Finding the cluster and naming ourselves. */
	{
		.name = "bootstrap.servers",
		.aliases = {"metadata.broker.list"},
		.type = KFK_PROP_LIST,
		.def = "",
		.clients = KFK_PROP_ALL,
		.importance = KFK_PROP_HIGH,
		.doc = "A list of host:port pairs used to establish the initial "
		       "connection to the Kafka cluster, in the form "
		       "host1:port1,host2:port2. The client uses these brokers "
		       "only to discover the cluster: from then on it talks to the "
		       "brokers the cluster metadata names, whichever were listed "
		       "here. The list therefore need not contain every broker, "
		       "but more than one helps when one of them is down.",
	},
	{
		.name = "client.id",
		.type = KFK_PROP_STRING,
		.def = "kfk",
		.clients = KFK_PROP_ALL,
		.importance = KFK_PROP_MEDIUM,
		.doc = "An id string sent to the brokers with every request. It "
		       "lets brokers tell applications apart beyond their IP "
		       "address and port, in request logs, metrics and quotas, so "
		       "a logical application name is a good choice.",
	},

	/* Requests and connections. */
	{
		.name = "request.timeout.ms",
		/* librdkafka's name for the same deadline. */
		.aliases = {"socket.timeout.ms"},
		.type = KFK_PROP_DURATION,
		.min = 1,
		.max = INT32_MAX,
		.def = "30000",
		.clients = KFK_PROP_ALL,
		.importance = KFK_PROP_MEDIUM,
		.doc = "The maximum time the client waits for the response to a "
		       "request. If the response has not arrived when the timeout "
		       "elapses, the client fails the request, or sends it again "
		       "if the request may be retried and retries are not "
		       "exhausted.",
	},
	{
		.name = "socket.connection.setup.timeout.ms",
		.type = KFK_PROP_DURATION,
		.min = 1000,
		.max = INT32_MAX,
		.def = "30000",
		.clients = KFK_PROP_ALL,
		.importance = KFK_PROP_MEDIUM,
		.doc = "The maximum time the client waits for a connection to a "
		       "broker to be set up: the TCP connection and, when "
		       "configured, the TLS and SASL handshakes. If the connection "
		       "is not ready when the timeout elapses, the client closes "
		       "it and tries again after the reconnect backoff.",
	},
	{
		.name = "api.version.request.timeout.ms",
		.type = KFK_PROP_DURATION,
		.min = 1,
		.max = 300000,
		.def = "10000",
		.clients = KFK_PROP_ALL,
		.importance = KFK_PROP_LOW,
		.doc = "The maximum time to wait for the answer to the ApiVersions "
		       "request, which every new connection sends first to learn "
		       "the protocol versions the broker supports.",
	},
	{
		.name = "connections.max.idle.ms",
		.type = KFK_PROP_DURATION,
		.min = 0,
		.max = INT32_MAX,
		.def = "540000",
		.clients = KFK_PROP_ALL,
		.importance = KFK_PROP_MEDIUM,
		.doc = "Close a broker connection after it has been idle (no "
		       "request in flight, nothing sent or received) for this "
		       "long. 0 keeps idle connections open.",
	},
	{
		.name = "reconnect.backoff.ms",
		.type = KFK_PROP_DURATION,
		.min = 0,
		.max = 3600000,
		.def = "100",
		.clients = KFK_PROP_ALL,
		.importance = KFK_PROP_LOW,
		.doc = "The base amount of time to wait before connecting again to "
		       "a broker after a connection attempt failed or a connection "
		       "was lost. This avoids connecting to a host in a tight "
		       "loop. The backoff grows exponentially with each "
		       "consecutive failure, up to reconnect.backoff.max.ms, and "
		       "random jitter is added to avoid connection storms.",
	},
	{
		.name = "reconnect.backoff.max.ms",
		.type = KFK_PROP_DURATION,
		.min = 0,
		.max = 3600000,
		.def = "10000",
		.clients = KFK_PROP_ALL,
		.importance = KFK_PROP_LOW,
		.doc = "The maximum amount of time to wait before connecting again "
		       "to a broker that has repeatedly failed to connect. The "
		       "backoff per broker starts at reconnect.backoff.ms and "
		       "doubles with each consecutive failure up to this maximum.",
	},
	{
		.name = "receive.message.max.bytes",
		.type = KFK_PROP_SIZE,
		.min = 1000,
		.max = INT32_MAX,
		.def = "100000000",
		.clients = KFK_PROP_ALL,
		.importance = KFK_PROP_MEDIUM,
		.doc = "The largest response the client accepts from a broker. A "
		       "response announcing a larger size is treated as a protocol "
		       "error and its connection is closed. This keeps a corrupt "
		       "or hostile peer from making the client allocate huge "
		       "buffers; raise it if fetch responses legitimately exceed "
		       "it.",
	},

	/* Sockets. */
	{
		.name = "socket.send.buffer.bytes",
		.type = KFK_PROP_SIZE,
		.min = 0,
		.max = 100000000,
		.def = "0",
		.clients = KFK_PROP_ALL,
		.importance = KFK_PROP_LOW,
		.doc = "The size of the kernel send buffer (SO_SNDBUF) of broker "
		       "sockets. 0 keeps the operating system's default, which "
		       "Linux tunes automatically. The Java client calls it "
		       "send.buffer.bytes and uses -1 for the system default.",
	},
	{
		.name = "socket.receive.buffer.bytes",
		.type = KFK_PROP_SIZE,
		.min = 0,
		.max = 100000000,
		.def = "0",
		.clients = KFK_PROP_ALL,
		.importance = KFK_PROP_LOW,
		.doc = "The size of the kernel receive buffer (SO_RCVBUF) of broker "
		       "sockets. 0 keeps the operating system's default, which "
		       "Linux tunes automatically. The Java client calls it "
		       "receive.buffer.bytes and uses -1 for the system default.",
	},
	{
		.name = "socket.keepalive.enable",
		.type = KFK_PROP_BOOL,
		.def = "false",
		.clients = KFK_PROP_ALL,
		.importance = KFK_PROP_LOW,
		.doc = "Enable TCP keep-alive probes (SO_KEEPALIVE) on broker "
		       "sockets, so that an idle connection whose peer vanished "
		       "without closing it is eventually noticed.",
	},
	{
		.name = "socket.nagle.disable",
		.type = KFK_PROP_BOOL,
		.def = "true",
		.clients = KFK_PROP_ALL,
		.importance = KFK_PROP_LOW,
		.doc = "Disable Nagle's algorithm (set TCP_NODELAY) on broker "
		       "sockets, so that a small request is sent at once instead "
		       "of waiting to be coalesced with later data. The client "
		       "batches records itself, hence true by default.",
	},

	/* Metadata. */
	{
		.name = "metadata.max.age.ms",
		.type = KFK_PROP_DURATION,
		.min = 0,
		.max = INT32_MAX,
		.def = "300000",
		.clients = KFK_PROP_ALL,
		.importance = KFK_PROP_LOW,
		.doc = "The period of time after which the client refreshes its "
		       "cluster metadata even if it has not seen any partition "
		       "leadership change, to discover new brokers and partitions "
		       "proactively.",
	},
	{
		.name = "topic.metadata.refresh.interval.ms",
		.type = KFK_PROP_DURATION,
		.min = 0,
		.max = 3600000,
		.def = "300000",
		.clients = KFK_PROP_ALL,
		.importance = KFK_PROP_LOW,
		.doc = "How often the client refreshes, in the background, the "
		       "metadata of the topics it uses, to notice leader changes "
		       "before they cause errors. 0 disables the periodic "
		       "refresh: metadata is then refreshed when an error calls "
		       "for it and when it is older than metadata.max.age.ms.",
	},
	{
		.name = "allow.auto.create.topics",
		.type = KFK_PROP_BOOL,
		.def = "true",
		.clients = KFK_PROP_PRODUCER | KFK_PROP_CONSUMER,
		.importance = KFK_PROP_MEDIUM,
		.doc = "Allow the broker to create a topic automatically when the "
		       "client asks for the metadata of a topic that does not "
		       "exist, as producing to it or subscribing to it does. The "
		       "broker does so only if its own auto.create.topics.enable "
		       "is also true.",
	},

	/* Threads. */
	{
		.name = "io.threads",
		.type = KFK_PROP_INT,
		.min = 0,
		.max = 256,
		.def = "0",
		.clients = KFK_PROP_ALL,
		.importance = KFK_PROP_MEDIUM,
		.doc = "The number of I/O threads, each running one event loop "
		       "that serves a share of the broker connections. 0 means "
		       "the number of CPU cores. The pool is never sized from the "
		       "bootstrap list: one bootstrap address may stand for a "
		       "whole cluster.",
	},

	/* Producing. */
	{
		.name = "partitioner",
		.type = KFK_PROP_ENUM,
		.choices = partitioners,
		.def = "murmur2_sticky",
		.clients = KFK_PROP_PRODUCER,
		.importance = KFK_PROP_MEDIUM,
		.doc = "How the producer chooses the partition of a record "
		       "produced without one (KFK_PARTITION_ANY). murmur2_sticky, "
		       "the Java client's partitioner: a keyed record goes to "
		       "toPositive(murmur2(key)) modulo the partition count, the "
		       "partition the Java client chooses for the same key; "
		       "records with a null key all join one partition until its "
		       "batch is closed, then move to another partition chosen at "
		       "random among those with a leader (KIP-480), which makes "
		       "fewer, fuller batches. consistent_random, librdkafka's "
		       "default: the CRC-32 of the key; null and empty keys go to "
		       "a random partition. consistent: the CRC-32 of the key; "
		       "null keys all go to partition 0. random: every record to "
		       "a random partition, key or not. murmur2: the Java hash of "
		       "the key; null keys all go to one partition (that of the "
		       "empty key). murmur2_random: the Java hash of the key; "
		       "null keys random (the Java client's partitioner before "
		       "version 2.4). fnv1a: the FNV-1a hash of the key as "
		       "librdkafka and Sarama compute it; null keys all go to one "
		       "partition. fnv1a_random: FNV-1a of the key; null keys "
		       "random. Random choices avoid partitions without a known "
		       "leader; hashed keys never move. A partitioner set with "
		       "kfk_conf_set_partitioner_cb() is asked first, whatever "
		       "this says; the records it returns -1 or an invalid "
		       "partition for are placed as this property says.",
	},
	{
		.name = "acks",
		.type = KFK_PROP_ENUM,
		.choices = acks_values,
		.def = "all",
		.clients = KFK_PROP_PRODUCER,
		.importance = KFK_PROP_HIGH,
		.doc = "The number of acknowledgments the producer requires the "
		       "partition leader to have received before a record counts "
		       "as delivered. 0: the producer does not wait for any "
		       "acknowledgment; the record is reported delivered once "
		       "written to the socket, with no offset (-1), and a lost "
		       "record goes unnoticed. 1: the leader has written it to its "
		       "log; a record is lost if the leader fails before the "
		       "followers copied it. all (or -1): the leader waits for "
		       "the full set of in-sync replicas: the strongest guarantee.",
	},
	{
		.name = "enable.idempotence",
		.type = KFK_PROP_BOOL,
		.def = "true",
		.clients = KFK_PROP_PRODUCER,
		.importance = KFK_PROP_HIGH,
		.doc = "Write each record exactly once and in order per partition, "
		       "whatever the retries: the producer gets a producer id "
		       "from the cluster (InitProducerId) and numbers its batches "
		       "per partition, and the broker drops a batch it already "
		       "has. Needs acks=all, "
		       "max.in.flight.requests.per.connection at most 5 and "
		       "retries above 0: setting one of these otherwise together "
		       "with enable.idempotence=true is refused when the producer "
		       "is created; when enable.idempotence is left unset, such a "
		       "setting turns idempotence off instead (as the Java "
		       "client does). An error the producer cannot recover from "
		       "without risking a duplicate or a gap is fatal (see "
		       "kfk_producer_fatal_error()).",
	},
	{
		.name = "linger.ms",
		.aliases = {"queue.buffering.max.ms"},
		.type = KFK_PROP_DURATION,
		.min = 0,
		.max = 900000,
		.def = "5",
		.clients = KFK_PROP_PRODUCER,
		.importance = KFK_PROP_MEDIUM,
		.doc = "How long a partition's batch stays open for more records "
		       "after its first one, unless it fills up (batch.size, "
		       "batch.num.messages) or a flush sends it sooner. A little "
		       "delay makes fewer, larger requests, which is cheaper for "
		       "the client and the brokers under load, at the price of "
		       "that much latency. 0 sends each batch as soon as the "
		       "sender sees it.",
	},
	{
		.name = "batch.size",
		.type = KFK_PROP_SIZE,
		.min = 0,
		.max = INT32_MAX,
		.def = "16384",
		.clients = KFK_PROP_PRODUCER,
		.importance = KFK_PROP_MEDIUM,
		.doc = "The most bytes of records (before compression) a batch "
		       "for one partition holds: a record that would take it past "
		       "this starts a new batch, and a full batch is sent without "
		       "waiting for linger.ms. A record larger than this travels "
		       "in a batch of its own. Larger batches compress better and "
		       "make fewer requests; each partition with records waiting "
		       "holds one such buffer.",
	},
	{
		.name = "batch.num.messages",
		.type = KFK_PROP_INT,
		.min = 1,
		.max = 1000000,
		.def = "10000",
		.clients = KFK_PROP_PRODUCER,
		.importance = KFK_PROP_LOW,
		.doc = "The most records one batch holds (librdkafka's "
		       "property); the batch is closed and sent when it has this "
		       "many, whatever its size.",
	},
	{
		.name = "queue.buffering.max.messages",
		.type = KFK_PROP_INT,
		.min = 1,
		.max = INT32_MAX,
		.def = "100000",
		.clients = KFK_PROP_PRODUCER,
		.importance = KFK_PROP_MEDIUM,
		.doc = "The most records the producer holds at once: produced and "
		       "not yet reported, plus reported but not yet served by a "
		       "poll. Past it kfk_produce() fails with "
		       "KFK_ERR__QUEUE_FULL (or waits, see max.block.ms): serve "
		       "delivery reports so that records drain.",
	},
	{
		.name = "buffer.memory",
		.aliases = {"queue.buffering.max.kbytes"},
		.alias_scale = 1024,
		.type = KFK_PROP_SIZE,
		.min = 1024,
		.max = (int64_t)INT32_MAX * 1024,
		.def = "33554432",
		.clients = KFK_PROP_PRODUCER,
		.importance = KFK_PROP_HIGH,
		.doc = "The one bound on the producer's memory for records: bytes "
		       "of records produced and not yet reported (plus reported "
		       "but not yet served by a poll), whatever the number of "
		       "partitions they go to, since a batch's buffer starts at "
		       "what its partition's last batch held and grows with its "
		       "records. Past it kfk_produce() fails with "
		       "KFK_ERR__QUEUE_FULL (or waits, see max.block.ms). The "
		       "Java client's name and default (32 MiB); librdkafka's "
		       "queue.buffering.max.kbytes sets it in kilobytes.",
	},
	{
		.name = "max.block.ms",
		.type = KFK_PROP_DURATION,
		.min = 0,
		.max = INT32_MAX,
		.def = "0",
		.clients = KFK_PROP_PRODUCER,
		.importance = KFK_PROP_MEDIUM,
		.doc = "How long kfk_produce() may wait for room when the queue is "
		       "full (queue.buffering.max.messages or .kbytes) before it "
		       "fails with KFK_ERR__QUEUE_FULL. 0, the default, never "
		       "waits (the Java client waits 60000 ms by default, also "
		       "for metadata; kfk never waits for metadata in produce). "
		       "Room comes back as delivery reports are served, so a "
		       "waiting produce needs another thread that polls.",
	},
	{
		.name = "auto.offset.reset",
		.type = KFK_PROP_ENUM,
		.choices = offset_resets,
		.def = "latest",
		.clients = KFK_PROP_CONSUMER,
		.importance = KFK_PROP_HIGH,
		.doc = "Where a partition starts when it has no valid position: "
		       "no committed offset, or an offset out of the log's range "
		       "(deleted by retention, or past the end). earliest: the "
		       "oldest record still in the log; latest: only records "
		       "written from now on; none: an error message "
		       "(KFK_ERR__AUTO_OFFSET_RESET) for the partition, which "
		       "waits for a seek. smallest, largest (librdkafka's names) "
		       "and error are accepted too.",
	},
	{
		.name = "enable.partition.eof",
		.type = KFK_PROP_BOOL,
		.def = "false",
		.clients = KFK_PROP_CONSUMER,
		.importance = KFK_PROP_LOW,
		.doc = "Poll returns a KFK_ERR__PARTITION_EOF message each time a "
		       "partition's end is reached (the high watermark of the "
		       "last fetch), once until more records come. Useful to "
		       "stop reading at the end (kfk consume -e).",
	},
	{
		.name = "fetch.min.bytes",
		.type = KFK_PROP_SIZE,
		.min = 0,
		.max = 100000000,
		.def = "1",
		.clients = KFK_PROP_CONSUMER,
		.importance = KFK_PROP_MEDIUM,
		.doc = "The least data a broker gathers before it answers a Fetch, "
		       "waiting up to fetch.max.wait.ms for it. Raising it makes "
		       "fewer, larger responses at the cost of latency.",
	},
	{
		.name = "fetch.max.wait.ms",
		.aliases = {"fetch.wait.max.ms"},
		.type = KFK_PROP_DURATION,
		.min = 0,
		.max = 300000,
		.def = "500",
		.clients = KFK_PROP_CONSUMER,
		.importance = KFK_PROP_MEDIUM,
		.doc = "How long a broker holds a Fetch when it has less than "
		       "fetch.min.bytes to return.",
	},
	{
		.name = "fetch.max.bytes",
		.type = KFK_PROP_SIZE,
		.min = 0,
		.max = INT32_MAX,
		.def = "52428800",
		.clients = KFK_PROP_CONSUMER,
		.importance = KFK_PROP_MEDIUM,
		.doc = "The most data one Fetch response carries over all its "
		       "partitions. Not an absolute limit: a first record batch "
		       "larger than this is still returned, so the consumer always "
		       "makes progress (KIP-74). Also bounded by "
		       "fetch.buffer.memory.",
	},
	{
		.name = "max.partition.fetch.bytes",
		.aliases = {"fetch.message.max.bytes"},
		.type = KFK_PROP_SIZE,
		.min = 1,
		.max = INT32_MAX,
		.def = "1048576",
		.clients = KFK_PROP_CONSUMER,
		.importance = KFK_PROP_MEDIUM,
		.doc = "The most data a Fetch returns for one partition; a larger "
		       "first batch is still returned whole (KIP-74).",
	},
	{
		.name = "fetch.buffer.memory",
		.aliases = {"queued.max.messages.kbytes"},
		.alias_scale = 1024,
		.type = KFK_PROP_SIZE,
		.min = 1024,
		.max = INT64_MAX / 2,
		.def = "67108864",
		.clients = KFK_PROP_CONSUMER,
		.importance = KFK_PROP_HIGH,
		.doc = "The one bound on the consumer's memory for fetched data, "
		       "whatever the number of partitions: responses waiting to "
		       "be polled and those the application's messages still "
		       "hold. At the bound no Fetch is sent until messages are "
		       "destroyed; a Fetch asks for at most the room left (the "
		       "overhead above the bound is at most one record batch per "
		       "broker, KIP-74). queued.max.messages.kbytes (librdkafka's "
		       "name) sets it in kilobytes.",
	},
	{
		.name = "check.crcs",
		.type = KFK_PROP_BOOL,
		.def = "true",
		.clients = KFK_PROP_CONSUMER,
		.importance = KFK_PROP_LOW,
		.doc = "Verify the CRC-32C of every fetched record batch (as the "
		       "Java client does by default). A mismatch is reported as a "
		       "KFK_ERR__CRC message for the partition, which then "
		       "continues after the batch.",
	},
	{
		.name = "isolation.level",
		.type = KFK_PROP_ENUM,
		.choices = isolation_levels,
		.def = "read_uncommitted",
		.clients = KFK_PROP_CONSUMER,
		.importance = KFK_PROP_MEDIUM,
		.doc = "read_committed returns only records of committed "
		       "transactions (and non-transactional ones), up to the "
		       "last stable offset; read_uncommitted, the Java client's "
		       "default, returns every data record. Control records "
		       "(transaction markers) are never returned.",
	},
	{
		.name = "group.id",
		.type = KFK_PROP_STRING,
		.def = "",
		.clients = KFK_PROP_CONSUMER,
		.importance = KFK_PROP_HIGH,
		.doc = "The consumer group this consumer belongs to. Needed by "
		       "kfk_consumer_subscribe() (group membership) and by "
		       "commits; a consumer that only assigns partitions itself "
		       "may leave it empty.",
	},
	{
		.name = "group.instance.id",
		.type = KFK_PROP_STRING,
		.def = "",
		.clients = KFK_PROP_CONSUMER,
		.importance = KFK_PROP_MEDIUM,
		.doc = "A unique name of this member across restarts: static "
		       "membership (KIP-345). A static member that restarts "
		       "within session.timeout.ms gets its partitions back "
		       "without a rebalance of the others, and it does not leave "
		       "the group on close. Empty: a dynamic member.",
	},
	{
		.name = "client.rack",
		.type = KFK_PROP_STRING,
		.def = "",
		.clients = KFK_PROP_CONSUMER,
		.importance = KFK_PROP_LOW,
		.doc = "The rack this consumer runs in, sent in its group "
		       "subscription for rack-aware assignors.",
	},
	{
		.name = "session.timeout.ms",
		.type = KFK_PROP_DURATION,
		.min = 1,
		.max = 3600000,
		.def = "45000",
		.clients = KFK_PROP_CONSUMER,
		.importance = KFK_PROP_HIGH,
		.doc = "How long the group coordinator waits for a heartbeat "
		       "before it removes this member and moves its partitions. "
		       "Must lie within the broker's "
		       "group.min/max.session.timeout.ms.",
	},
	{
		.name = "heartbeat.interval.ms",
		.type = KFK_PROP_DURATION,
		.min = 1,
		.max = 3600000,
		.def = "3000",
		.clients = KFK_PROP_CONSUMER,
		.importance = KFK_PROP_HIGH,
		.doc = "How often a member heartbeats to its coordinator. "
		       "Heartbeats run on kfk's own timers and the coordinator's "
		       "own connection, never on the application's poll; keep it "
		       "below a third of session.timeout.ms.",
	},
	{
		.name = "max.poll.interval.ms",
		.type = KFK_PROP_DURATION,
		.min = 1,
		.max = 86400000,
		.def = "300000",
		.clients = KFK_PROP_CONSUMER,
		.importance = KFK_PROP_HIGH,
		.doc = "The longest the application may go between polls while "
		       "in a group. Past it the member leaves the group (its "
		       "partitions move to others, and the next poll reports "
		       "them lost and rejoins), as the Java client does. Also "
		       "the rebalance timeout the member gives the coordinator.",
	},
	{
		.name = "partition.assignment.strategy",
		.type = KFK_PROP_LIST,
		.def = "range,cooperative-sticky",
		.clients = KFK_PROP_CONSUMER,
		.importance = KFK_PROP_MEDIUM,
		.doc = "The assignors this member offers, in order of preference: "
		       "range, roundrobin, cooperative-sticky (the Java client's "
		       "names and wire formats, so kfk and Java members share a "
		       "group; the Java class names are accepted too). The group "
		       "uses the first one every member offers. When every "
		       "assignor listed is cooperative (cooperative-sticky "
		       "alone) only the partitions that move are revoked "
		       "(KIP-429); with an eager one in the list (the default, "
		       "as Java's, so that groups can move from range to "
		       "cooperative-sticky) a member revokes all its partitions "
		       "before each rebalance.",
	},
	{
		.name = "enable.auto.commit",
		.type = KFK_PROP_BOOL,
		.def = "true",
		.clients = KFK_PROP_CONSUMER,
		.importance = KFK_PROP_MEDIUM,
		.doc = "Commit the stored offsets (by default the positions poll "
		       "has reached) every auto.commit.interval.ms in the "
		       "background, before partitions are revoked, and on close.",
	},
	{
		.name = "auto.commit.interval.ms",
		.type = KFK_PROP_DURATION,
		.min = 1,
		.max = 86400000,
		.def = "5000",
		.clients = KFK_PROP_CONSUMER,
		.importance = KFK_PROP_LOW,
		.doc = "How often enable.auto.commit commits.",
	},
	{
		.name = "enable.auto.offset.store",
		.type = KFK_PROP_BOOL,
		.def = "true",
		.clients = KFK_PROP_CONSUMER,
		.importance = KFK_PROP_LOW,
		.doc = "Poll stores the partition's offset to commit: each "
		       "message's own offset as it is returned, its offset + 1 "
		       "at the next poll (what earlier polls returned counts as "
		       "processed, as in the Java client). false: only "
		       "kfk_consumer_store_offsets() stores, so an application "
		       "commits exactly what it has processed (at-least-once).",
	},
	{
		.name = "default.api.timeout.ms",
		.type = KFK_PROP_DURATION,
		.min = 0,
		.max = 3600000,
		.def = "60000",
		.clients = KFK_PROP_CONSUMER,
		.importance = KFK_PROP_MEDIUM,
		.doc = "How long a blocking consumer call (a synchronous commit "
		       "with no timeout of its own, close's last commit) waits.",
	},
	{
		.name = "compression.type",
		.aliases = {"compression.codec"},
		.type = KFK_PROP_ENUM,
		.choices = compression_types,
		.def = "none",
		.clients = KFK_PROP_PRODUCER,
		.importance = KFK_PROP_HIGH,
		.doc = "The compression codec of the batches the producer sends: "
		       "none, gzip, snappy, lz4 or zstd. A batch is compressed "
		       "once, on an I/O thread, when it is first sent; larger "
		       "batches (batch.size, linger.ms) compress better.",
	},
	{
		.name = "compression.level",
		.type = KFK_PROP_INT,
		.min = -1,
		.max = 22,
		.def = "-1",
		.clients = KFK_PROP_PRODUCER,
		.importance = KFK_PROP_MEDIUM,
		.doc = "The compression level of compression.type: gzip 0-9 "
		       "(default 6), lz4 0-12 (default 0; 3 and above use LZ4 HC), "
		       "zstd 1-22 (default 3); -1 means the codec's default. "
		       "snappy and none have no levels. A level outside the "
		       "codec's range makes creating the producer fail.",
	},
	{
		.name = "message.max.bytes",
		.type = KFK_PROP_SIZE,
		.min = 1000,
		.max = 1000000000,
		.def = "1000000",
		.clients = KFK_PROP_PRODUCER,
		.importance = KFK_PROP_MEDIUM,
		.doc = "The largest record the producer accepts, counted as the "
		       "size of a record batch holding it alone (the record's "
		       "key, value, headers and framing plus the 61-byte batch "
		       "header). kfk_produce() fails at once with "
		       "KFK_ERR__MSG_SIZE_TOO_LARGE for a larger record; keep it "
		       "at or below the brokers' and topics' message.max.bytes.",
	},
	{
		.name = "max.request.size",
		.type = KFK_PROP_SIZE,
		.min = 1000,
		.max = INT32_MAX,
		.def = "1048576",
		.clients = KFK_PROP_PRODUCER,
		.importance = KFK_PROP_MEDIUM,
		.doc = "The most bytes of batches the producer packs into one "
		       "ProduceRequest to a broker. A batch larger than this still "
		       "travels, alone in its request.",
	},
	{
		.name = "max.in.flight.requests.per.connection",
		.aliases = {"max.in.flight"},
		.type = KFK_PROP_INT,
		.min = 1,
		.max = 1000000,
		.def = "5",
		.clients = KFK_PROP_PRODUCER,
		.importance = KFK_PROP_LOW,
		.doc = "The most ProduceRequests the producer has sent to one "
		       "broker without a response yet. With 1, records of a "
		       "partition keep their order even across retries and leader "
		       "changes; with more, a retried batch may land after a "
		       "later one.",
	},
	{
		.name = "retries",
		.type = KFK_PROP_INT,
		.min = 0,
		.max = INT32_MAX,
		.def = "2147483647",
		.clients = KFK_PROP_PRODUCER,
		.importance = KFK_PROP_HIGH,
		.doc = "How many times a batch that failed with a retriable error "
		       "is sent again. Retries end earlier when delivery.timeout.ms "
		       "runs out, which is the usual way to bound them; 0 reports "
		       "the first error.",
	},
	{
		.name = "retry.backoff.ms",
		.type = KFK_PROP_DURATION,
		.min = 1,
		.max = 300000,
		.def = "100",
		.clients = KFK_PROP_PRODUCER | KFK_PROP_CONSUMER,
		.importance = KFK_PROP_LOW,
		.doc = "How long to wait before sending a failed batch again. The "
		       "wait doubles with each further attempt of the same batch, "
		       "up to retry.backoff.max.ms, with 20% random jitter so that "
		       "many clients do not retry in step. The consumer waits "
		       "this long before fetching a partition again after an "
		       "error.",
	},
	{
		.name = "retry.backoff.max.ms",
		.type = KFK_PROP_DURATION,
		.min = 1,
		.max = 300000,
		.def = "1000",
		.clients = KFK_PROP_PRODUCER,
		.importance = KFK_PROP_LOW,
		.doc = "The longest wait between two attempts of the same batch "
		       "(see retry.backoff.ms).",
	},
	{
		.name = "delivery.timeout.ms",
		.aliases = {"message.timeout.ms"},
		.type = KFK_PROP_DURATION,
		.min = 1,
		.max = INT32_MAX,
		.def = "120000",
		.clients = KFK_PROP_PRODUCER,
		.importance = KFK_PROP_MEDIUM,
		.doc = "An upper bound on the time between kfk_produce() and the "
		       "record's report: a record not delivered by then (no "
		       "leader, brokers down, retries failing) is reported with "
		       "KFK_ERR__MSG_TIMED_OUT. It covers lingering, waiting for "
		       "metadata, queueing and every retry; a request in flight is "
		       "also cut short at the deadline of its oldest batch.",
	},
	{
		.name = "topic.metadata.propagation.max.ms",
		.type = KFK_PROP_DURATION,
		.min = 0,
		.max = INT32_MAX,
		.def = "30000",
		.clients = KFK_PROP_PRODUCER,
		.importance = KFK_PROP_LOW,
		.doc = "How long records for a topic that metadata calls unknown "
		       "wait before they fail with KFK_ERR__UNKNOWN_TOPIC: a topic "
		       "just created (by another client, or by the broker's "
		       "auto-creation, whose first answer is \"unknown\") takes a "
		       "moment to reach every broker. librdkafka's name and "
		       "default; the Java producer waits max.block.ms.",
	},

	/* Security: TLS. */
	{
		.name = "security.protocol",
		.type = KFK_PROP_ENUM,
		.choices = security_protocols,
		.def = "PLAINTEXT",
		.clients = KFK_PROP_ALL,
		.importance = KFK_PROP_MEDIUM,
		.doc = "How to talk to brokers: PLAINTEXT, SSL (TLS), "
		       "SASL_PLAINTEXT (SASL authentication, no encryption) or "
		       "SASL_SSL (SASL over TLS). It must match the listener the "
		       "bootstrap servers point at.",
	},
	{
		.name = "ssl.ca.location",
		.type = KFK_PROP_STRING,
		.def = "",
		.clients = KFK_PROP_ALL,
		.importance = KFK_PROP_HIGH,
		.doc = "A PEM file of CA certificates, or a directory of them "
		       "(hashed names, as c_rehash makes), that the brokers' "
		       "certificates are verified against. Unset (and no "
		       "ssl.ca.pem or ssl.truststore.location): the system's CA "
		       "store. Reloaded when the file changes.",
	},
	{
		.name = "ssl.ca.pem",
		.type = KFK_PROP_STRING,
		.def = "",
		.clients = KFK_PROP_ALL,
		.importance = KFK_PROP_LOW,
		.doc = "CA certificates as PEM text, in addition to "
		       "ssl.ca.location.",
	},
	{
		.name = "ssl.truststore.location",
		.type = KFK_PROP_STRING,
		.def = "",
		.clients = KFK_PROP_ALL,
		.importance = KFK_PROP_HIGH,
		.doc = "The Java client's truststore: a PKCS#12 file of CA "
		       "certificates (ssl.truststore.type PKCS12) or a PEM file "
		       "(PEM). JKS files cannot be read: convert them with keytool "
		       "-importkeystore -deststoretype PKCS12. Reloaded when the "
		       "file changes.",
	},
	{
		.name = "ssl.truststore.type",
		.type = KFK_PROP_STRING,
		.def = "PKCS12",
		.clients = KFK_PROP_ALL,
		.importance = KFK_PROP_LOW,
		.doc = "The format of ssl.truststore.location: PKCS12 or PEM.",
	},
	{
		.name = "ssl.truststore.password",
		.type = KFK_PROP_STRING,
		.def = "",
		.clients = KFK_PROP_ALL,
		.importance = KFK_PROP_LOW,
		.secret = 1,
		.doc = "The password of a PKCS#12 ssl.truststore.location.",
	},
	{
		.name = "ssl.certificate.location",
		.type = KFK_PROP_STRING,
		.def = "",
		.clients = KFK_PROP_ALL,
		.importance = KFK_PROP_MEDIUM,
		.doc = "The client's certificate (PEM, followed by its chain) for "
		       "brokers that require client authentication "
		       "(ssl.client.auth=required). Reloaded when the file "
		       "changes: a renewed certificate is used by the next "
		       "connection, without a restart.",
	},
	{
		.name = "ssl.certificate.pem",
		.type = KFK_PROP_STRING,
		.def = "",
		.clients = KFK_PROP_ALL,
		.importance = KFK_PROP_LOW,
		.doc = "The client's certificate as PEM text.",
	},
	{
		.name = "ssl.key.location",
		.type = KFK_PROP_STRING,
		.def = "",
		.clients = KFK_PROP_ALL,
		.importance = KFK_PROP_MEDIUM,
		.doc = "The private key of ssl.certificate.location (PEM, "
		       "encrypted with ssl.key.password or not). Reloaded when "
		       "the file changes.",
	},
	{
		.name = "ssl.key.pem",
		.type = KFK_PROP_STRING,
		.def = "",
		.clients = KFK_PROP_ALL,
		.importance = KFK_PROP_LOW,
		.secret = 1,
		.doc = "The client's private key as PEM text.",
	},
	{
		.name = "ssl.key.password",
		.type = KFK_PROP_STRING,
		.def = "",
		.clients = KFK_PROP_ALL,
		.importance = KFK_PROP_MEDIUM,
		.secret = 1,
		.doc = "The password of an encrypted private key "
		       "(ssl.key.location, ssl.key.pem, or a PEM keystore).",
	},
	{
		.name = "ssl.keystore.location",
		.type = KFK_PROP_STRING,
		.def = "",
		.clients = KFK_PROP_ALL,
		.importance = KFK_PROP_MEDIUM,
		.doc = "The client's key, certificate and chain in one PKCS#12 "
		       "file (or PEM, with ssl.keystore.type PEM), as the Java "
		       "client takes them. JKS files cannot be read: convert "
		       "them with keytool. Reloaded when the file changes.",
	},
	{
		.name = "ssl.keystore.type",
		.type = KFK_PROP_STRING,
		.def = "PKCS12",
		.clients = KFK_PROP_ALL,
		.importance = KFK_PROP_LOW,
		.doc = "The format of ssl.keystore.location: PKCS12 or PEM.",
	},
	{
		.name = "ssl.keystore.password",
		.type = KFK_PROP_STRING,
		.def = "",
		.clients = KFK_PROP_ALL,
		.importance = KFK_PROP_MEDIUM,
		.secret = 1,
		.doc = "The password of ssl.keystore.location.",
	},
	{
		.name = "ssl.cipher.suites",
		.type = KFK_PROP_STRING,
		.def = "",
		.clients = KFK_PROP_ALL,
		.importance = KFK_PROP_LOW,
		.doc = "Comma-separated cipher suites to allow, by their IANA "
		       "names as the Java client takes them "
		       "(TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_AES_128_GCM_"
		       "SHA256) or OpenSSL's. Empty: OpenSSL's defaults.",
	},
	{
		.name = "ssl.enabled.protocols",
		.type = KFK_PROP_LIST,
		.choices = tls_versions,
		.def = "TLSv1.2,TLSv1.3",
		.clients = KFK_PROP_ALL,
		.importance = KFK_PROP_LOW,
		.doc = "The TLS versions allowed: TLSv1.2, TLSv1.3 or both.",
	},
	{
		.name = "ssl.crl.location",
		.type = KFK_PROP_STRING,
		.def = "",
		.clients = KFK_PROP_ALL,
		.importance = KFK_PROP_LOW,
		.doc = "A PEM file of certificate revocation lists: a broker "
		       "certificate it revokes is refused. Reloaded when the "
		       "file changes.",
	},
	{
		.name = "ssl.endpoint.identification.algorithm",
		.type = KFK_PROP_ENUM,
		.choices = endpoint_algorithms,
		.def = "https",
		.clients = KFK_PROP_ALL,
		.importance = KFK_PROP_LOW,
		.doc = "https: the broker's certificate must name the host (or "
		       "IP address) the client connected to, as HTTPS checks it. "
		       "none (or empty, as in Java): any name is accepted, which "
		       "lets anyone with a certificate from the same CA pose as "
		       "the broker.",
	},
	{
		.name = "enable.ssl.certificate.verification",
		.type = KFK_PROP_BOOL,
		.def = "true",
		.clients = KFK_PROP_ALL,
		.importance = KFK_PROP_LOW,
		.doc = "Whether the broker's certificate chain is verified. Turn "
		       "it off only to test: without it TLS encrypts but does not "
		       "prove who the broker is.",
	},

	/* Security: SASL. */
	{
		.name = "sasl.mechanism",
		.aliases = {"sasl.mechanisms"},
		.type = KFK_PROP_ENUM,
		.choices = sasl_mechanisms,
		.def = "GSSAPI",
		.clients = KFK_PROP_ALL,
		.importance = KFK_PROP_MEDIUM,
		.doc = "The SASL mechanism of security.protocol SASL_PLAINTEXT "
		       "and SASL_SSL: GSSAPI (Kerberos, through Cyrus SASL), "
		       "PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER.",
	},
	{
		.name = "sasl.username",
		.type = KFK_PROP_STRING,
		.def = "",
		.clients = KFK_PROP_ALL,
		.importance = KFK_PROP_HIGH,
		.doc = "The user name of PLAIN and SCRAM. The Java client's "
		       "sasl.jaas.config sets it too.",
	},
	{
		.name = "sasl.password",
		.type = KFK_PROP_STRING,
		.def = "",
		.clients = KFK_PROP_ALL,
		.importance = KFK_PROP_HIGH,
		.secret = 1,
		.doc = "The password of PLAIN and SCRAM.",
	},
	{
		.name = "sasl.jaas.config",
		.type = KFK_PROP_STRING,
		.def = "",
		.clients = KFK_PROP_ALL,
		.importance = KFK_PROP_MEDIUM,
		.secret = 1,
		.doc = "The Java client's login configuration, read for what it "
		       "sets: username and password of PlainLoginModule and "
		       "ScramLoginModule; unsecuredLoginStringClaim_sub (and "
		       "_scope, _lifetimeSeconds) of OAuthBearerLoginModule; "
		       "principal and keyTab of Krb5LoginModule. sasl.username, "
		       "sasl.password and the sasl.kerberos properties win when "
		       "set too.",
	},
	{
		.name = "sasl.oauthbearer.config",
		.type = KFK_PROP_STRING,
		.def = "",
		.clients = KFK_PROP_ALL,
		.importance = KFK_PROP_LOW,
		.secret = 1,
		.doc = "With enable.sasl.oauthbearer.unsecure.jwt: the unsecured "
		       "token's claims as space-separated key=value: principal "
		       "(required), scope (comma-separated), lifeSeconds "
		       "(default 3600), and extension_NAME=value for SASL "
		       "extensions.",
	},
	{
		.name = "enable.sasl.oauthbearer.unsecure.jwt",
		.type = KFK_PROP_BOOL,
		.def = "false",
		.clients = KFK_PROP_ALL,
		.importance = KFK_PROP_LOW,
		.doc = "OAUTHBEARER without a token provider: the client makes an "
		       "unsigned JWT (alg none) from sasl.oauthbearer.config, as "
		       "Kafka's unsecured login module does. For tests and "
		       "development only: a broker that accepts such tokens "
		       "accepts anyone. Otherwise the application provides tokens "
		       "through the token-refresh callback.",
	},
	{
		.name = "sasl.kerberos.service.name",
		.type = KFK_PROP_STRING,
		.def = "kafka",
		.clients = KFK_PROP_ALL,
		.importance = KFK_PROP_MEDIUM,
		.doc = "The Kerberos service name of the brokers (the first part "
		       "of their principal, service/host@REALM).",
	},
	{
		.name = "sasl.kerberos.principal",
		.type = KFK_PROP_STRING,
		.def = "kafkaclient",
		.clients = KFK_PROP_ALL,
		.importance = KFK_PROP_LOW,
		.doc = "The client's Kerberos principal, for "
		       "sasl.kerberos.kinit.cmd.",
	},
	{
		.name = "sasl.kerberos.keytab",
		.type = KFK_PROP_STRING,
		.def = "",
		.clients = KFK_PROP_ALL,
		.importance = KFK_PROP_LOW,
		.doc = "The keytab of sasl.kerberos.principal, for "
		       "sasl.kerberos.kinit.cmd.",
	},
	{
		.name = "sasl.kerberos.kinit.cmd",
		.type = KFK_PROP_STRING,
		.def = "kinit -t \"%{sasl.kerberos.keytab}\" -k "
		       "%{sasl.kerberos.principal}",
		.clients = KFK_PROP_ALL,
		.importance = KFK_PROP_LOW,
		.doc = "The shell command that gets a Kerberos ticket from "
		       "sasl.kerberos.keytab, run when the client starts and "
		       "every sasl.kerberos.min.time.before.relogin, when a "
		       "keytab is set; %{property} is replaced by that "
		       "property's value. Without a keytab (or with this empty) "
		       "the ticket cache is left to the user (kinit).",
	},
	{
		.name = "sasl.kerberos.min.time.before.relogin",
		.type = KFK_PROP_DURATION,
		.min = 0,
		.max = 86400000,
		.def = "60000",
		.clients = KFK_PROP_ALL,
		.importance = KFK_PROP_LOW,
		.doc = "How often sasl.kerberos.kinit.cmd renews the ticket, in "
		       "milliseconds; 0: only at start.",
	},

	/* Logging. */
	{
		.name = "log_level",
		.type = KFK_PROP_INT,
		.min = 0,
		.max = 7,
		.def = "6",
		.clients = KFK_PROP_ALL,
		.importance = KFK_PROP_LOW,
		.doc = "The most verbose syslog level that is logged: 0 "
		       "(emergency), 1 (alert), 2 (critical), 3 (error), "
		       "4 (warning), 5 (notice), 6 (informational) or 7 (debug). "
		       "Setting debug raises it to 7.",
	},
	{
		.name = "debug",
		.type = KFK_PROP_LIST,
		.choices = debug_contexts,
		.def = "",
		.clients = KFK_PROP_ALL,
		.importance = KFK_PROP_MEDIUM,
		.doc = "A comma-separated list of debug contexts to log: broker "
		       "(connections and broker state), protocol (requests and "
		       "responses), metadata, producer, consumer, "
		       "cgrp (consumer groups), conf, security (TLS and SASL), eos "
		       "(idempotence and transactions), admin (the admin client's "
		       "operations), or all. Any context raises "
		       "log_level to 7 (debug). Debug output is verbose: use it to "
		       "troubleshoot.",
	},
};

const size_t kfk_props_count = sizeof(kfk_props) / sizeof(kfk_props[0]);

const struct kfk_prop *kfk_prop_find(const char *name)
{
	size_t i, a;
	for (i = 0; i < kfk_props_count; i++) {
		const struct kfk_prop *p = &kfk_props[i];
		if (strcmp(p->name, name) == 0)
			return p;
		for (a = 0; a < KFK_PROP_MAX_ALIASES && p->aliases[a]; a++)
			if (strcmp(p->aliases[a], name) == 0)
				return p;
	}
	return NULL;
}
