/*
 * KfkPeer: the reference Kafka client (Apache kafka-clients) that kfk's tests
 * compare with. It writes records kfk must read, and reads back what kfk
 * wrote, against a real broker. One file, no package, built with plain javac:
 *
 *   javac -Xlint:all -Werror -cp 'JARS/*' -d CLASSES KfkPeer.java
 *   java -cp 'JARS/*:CLASSES' KfkPeer COMMAND --bootstrap HOST:PORT[,..] ...
 *
 * Commands: ready, topic, leaders, produce, consume, partition-of; see
 * tests/interop/README.md. Every command takes --timeout-ms (default 60000)
 * bounding all its waits. Exit 0 on success; otherwise exit 2 after one line
 * "KfkPeer COMMAND: what failed" on stderr. Stdout carries data only.
 */

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.consumer.RoundRobinAssignor;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

public final class KfkPeer {
    /*
     * The real stdout, taken before main() points System.out at stderr: a
     * logging backend left without a configuration (Log4j2's default
     * appender targets System.out) must not mix its lines into the data.
     */
    private static final PrintStream OUT = new PrintStream(
            new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16),
            false, StandardCharsets.UTF_8);

    /* Fixed so that timestamps a reader sees can be checked exactly. */
    private static final long BASE_TIMESTAMP = 1700000000000L;
    private static final String CLIENT_ID = "kfk-peer";
    /* Longest single request; a whole command is bounded by --timeout-ms. */
    private static final int MAX_REQUEST_MS = 30000;
    /* Longest block in one poll, so deadlines and idle times are checked often. */
    private static final long POLL_SLICE_MS = 200;
    /* Spacing between re-checks of a cluster condition that is not met yet. */
    private static final long RECHECK_MS = 100;
    private static final long CLOSE_MS = 5000;

    private KfkPeer() {
    }

    /** A command's failure: its message becomes the one stderr line. */
    private static final class Fail extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Fail(String message) {
            super(message, null, false, false);
        }
    }

    public static void main(String[] argv) {
        System.setOut(System.err);
        String command = argv.length > 0 ? argv[0] : "";
        try {
            run(command, argv);
            OUT.flush();
            System.exit(0);
        } catch (Fail e) {
            failExit(command, e.getMessage());
        } catch (Exception e) {
            failExit(command, describe(e));
        }
    }

    private static void failExit(String command, String what) {
        OUT.flush();
        String name = command.isEmpty() ? "KfkPeer" : "KfkPeer " + command;
        System.err.println(name + ": " + what.replace('\n', ' '));
        System.err.flush();
        // Client threads left by a failed call must not keep the JVM alive.
        System.exit(2);
    }

    private static void run(String command, String[] argv) throws Exception {
        switch (command) {
            case "ready" -> ready(Args.parse(argv, "brokers"));
            case "topic" -> topic(Args.parse(argv, "topic", "partitions", "replication", "config"));
            case "leaders" -> leaders(Args.parse(argv, "topic"));
            case "produce" -> produce(Args.parse(argv, "topic", "count", "keys", "mode", "txn",
                    "transactional-id", "acks", "compression", "value-prefix", "nulls"));
            case "delete-records" -> deleteRecords(Args.parse(argv, "topic", "partition", "before"));
            case "consume" -> consume(Args.parse(argv, "topic", "partitions", "from", "group",
                    "isolation", "count", "idle-ms"));
            case "partition-of" -> partitionOf(Args.parse(argv, "partitions"));
            case "assign" -> assign(Args.parse(argv, "strategy"));
            case "group-member" -> groupMember(Args.parse(argv, "topic", "group", "strategy",
                    "instance-id", "stop-file"));
            case "" -> throw new Fail("no command (ready, topic, leaders, produce, delete-records, consume, "
                    + "partition-of, assign, group-member)");
            default -> throw new Fail("unknown command");
        }
    }

    // ---- arguments -----------------------------------------------------

    /** "--name value" options; --bootstrap and --timeout-ms are common to all. */
    private static final class Args {
        final Map<String, List<String>> values = new HashMap<>();
        Deadline deadline;

        static Args parse(String[] argv, String... allowed) {
            Set<String> known = new HashSet<>(List.of(allowed));
            known.add("bootstrap");
            known.add("timeout-ms");
            Args a = new Args();
            for (int i = 1; i < argv.length; i += 2) {
                if (!argv[i].startsWith("--") || !known.contains(argv[i].substring(2)))
                    throw new Fail("unknown option " + argv[i]);
                if (i + 1 >= argv.length)
                    throw new Fail(argv[i] + " needs a value");
                a.values.computeIfAbsent(argv[i].substring(2), k -> new ArrayList<>()).add(argv[i + 1]);
            }
            // The clock starts once the arguments are known to be usable.
            a.deadline = new Deadline(a.positive("timeout-ms", 60000));
            return a;
        }

        boolean has(String name) {
            return values.containsKey(name);
        }

        String get(String name, String dflt) {
            List<String> v = values.get(name);
            return v == null ? dflt : v.get(v.size() - 1);
        }

        List<String> all(String name) {
            return values.getOrDefault(name, List.of());
        }

        String need(String name) {
            String v = get(name, null);
            if (v == null)
                throw new Fail("--" + name + " is required");
            return v;
        }

        int integer(String name, int dflt) {
            String v = has(name) ? need(name) : Integer.toString(dflt);
            try {
                return Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw new Fail("--" + name + ": not a number: " + v);
            }
        }

        int positive(String name, int dflt) {
            int v = integer(name, dflt);
            if (v <= 0)
                throw new Fail("--" + name + " must be > 0");
            return v;
        }

        int required(String name) {
            need(name);
            return positive(name, 0);
        }

        String oneOf(String name, String dflt, String... choices) {
            String v = get(name, dflt);
            if (v == null || List.of(choices).contains(v))
                return v;
            throw new Fail("--" + name + " must be one of " + String.join("|", choices));
        }
    }

    /** The point in time by which the whole command must be done. */
    private static final class Deadline {
        final long totalMs;
        final long endNanos;

        Deadline(long totalMs) {
            this.totalMs = totalMs;
            this.endNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(totalMs);
        }

        long leftMs() {
            return Math.max(0, TimeUnit.NANOSECONDS.toMillis(endNanos - System.nanoTime()));
        }

        boolean passed() {
            return leftMs() == 0;
        }

        Duration left() {
            return Duration.ofMillis(leftMs());
        }

        /** A request timeout for one attempt: never past the deadline, never 0. */
        int attemptMs(long cap) {
            return (int) Math.max(1, Math.min(cap, leftMs()));
        }

        Duration slice(long cap) {
            return Duration.ofMillis(Math.min(cap, leftMs()));
        }
    }

    // ---- helpers -------------------------------------------------------

    /** One line for an error: the root cause's class and message. */
    private static String describe(Throwable t) {
        while ((t instanceof ExecutionException || t instanceof CompletionException) && t.getCause() != null)
            t = t.getCause();
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    private static <T> T await(KafkaFuture<T> f, Deadline d) throws ExecutionException, InterruptedException {
        try {
            return f.get(d.leftMs(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new Fail("timed out after " + d.totalMs + " ms");
        }
    }

    /*
     * Paces re-checks of a condition that only the broker can change
     * (brokers registering, leaders being elected). The condition itself is
     * re-read from the broker each round, so this is a back-off, not a guess
     * at how long something takes.
     */
    private static void recheckPause(Deadline d) throws InterruptedException {
        long ms = Math.min(RECHECK_MS, d.leftMs());
        if (ms > 0)
            Thread.sleep(ms);
    }

    private static String hex(byte[] b) {
        if (b == null)
            return "-";
        return b.length == 0 ? "=" : HexFormat.of().formatHex(b);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String ids(Collection<Node> nodes) {
        if (nodes.isEmpty())
            return "-";
        return nodes.stream().map(n -> Integer.toString(n.id())).collect(Collectors.joining(","));
    }

    private static Properties common(Args a) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, a.need("bootstrap"));
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, CLIENT_ID);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                (int) Math.min(MAX_REQUEST_MS, a.deadline.totalMs));
        return p;
    }

    private static Admin admin(Args a) {
        Properties p = common(a);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) a.deadline.totalMs);
        return Admin.create(p);
    }

    // ---- ready ---------------------------------------------------------

    private static void ready(Args a) throws InterruptedException {
        int want = a.positive("brokers", 1);
        Deadline d = a.deadline;
        Admin admin = admin(a);
        try {
            String seen = "no answer";
            while (true) {
                // Short attempts: the broker may not listen yet, and each
                // answer tells how far the cluster has come.
                DescribeClusterResult r = admin.describeCluster(
                        new DescribeClusterOptions().timeoutMs(d.attemptMs(2000)));
                try {
                    Collection<Node> nodes = await(r.nodes(), d);
                    Node ctl = await(r.controller(), d);
                    int ctlId = ctl == null ? -1 : ctl.id();
                    seen = nodes.size() + " brokers (" + ids(nodes) + "), controller " + ctlId;
                    if (nodes.size() >= want && ctlId >= 0) {
                        OUT.println("ready " + nodes.size() + " brokers, controller " + ctlId);
                        return;
                    }
                } catch (ExecutionException e) {
                    seen = describe(e);
                } catch (Fail e) {
                    // the deadline: reported below with what was seen
                }
                if (d.passed())
                    throw new Fail("timed out after " + d.totalMs + " ms waiting for " + want
                            + " brokers; last saw " + seen);
                recheckPause(d);
            }
        } finally {
            admin.close(Duration.ofMillis(CLOSE_MS));
        }
    }

    // ---- topic / leaders -----------------------------------------------

    private static void topic(Args a) throws Exception {
        String topic = a.need("topic");
        int parts = a.required("partitions");
        int rf = a.positive("replication", 1);
        Map<String, String> configs = topicConfigs(a.all("config"));
        // Records carry CreateTime timestamps from 2023 (BASE_TIMESTAMP), so
        // the default 7-day time retention would delete them at the broker's
        // next retention check; keep them unless the caller says otherwise.
        configs.putIfAbsent("retention.ms", "-1");
        Admin admin = admin(a);
        try {
            create(admin, new NewTopic(topic, parts, (short) rf).configs(configs), a.deadline);
            awaitLeaders(admin, topic, parts, rf, a.deadline);
            OUT.println("topic " + topic + " " + parts + " partitions");
        } finally {
            admin.close(Duration.ofMillis(CLOSE_MS));
        }
    }

    private static Map<String, String> topicConfigs(List<String> kvs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String kv : kvs) {
            int eq = kv.indexOf('=');
            if (eq <= 0)
                throw new Fail("--config wants key=value, got " + kv);
            m.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return m;
    }

    /* An existing topic is accepted here; awaitLeaders checks its partition count. */
    private static void create(Admin admin, NewTopic nt, Deadline d) throws InterruptedException {
        try {
            await(admin.createTopics(List.of(nt), new CreateTopicsOptions().timeoutMs(d.attemptMs(MAX_REQUEST_MS)))
                    .all(), d);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException))
                throw new Fail("create " + nt.name() + ": " + describe(e));
        }
    }

    private static void awaitLeaders(Admin admin, String topic, int parts, int rf, Deadline d)
            throws Exception {
        String seen = "not described yet";
        while (true) {
            try {
                TopicDescription td = describeTopic(admin, topic, d);
                if (td.partitions().size() != parts)
                    throw new Fail("topic " + topic + " exists with " + td.partitions().size() + " partitions");
                long ok = td.partitions().stream().filter(p -> hasLeader(p, rf)).count();
                if (ok == parts)
                    return;
                seen = ok + " of " + parts + " partitions with a leader" + (rf > 1 ? " and " + rf + " in sync" : "");
            } catch (ExecutionException e) {
                // Just created: the broker answering may not know it yet.
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException))
                    throw new Fail("describe " + topic + ": " + describe(e));
                seen = "topic unknown";
            }
            if (d.passed())
                throw new Fail("timed out after " + d.totalMs + " ms; " + seen);
            recheckPause(d);
        }
    }

    private static boolean hasLeader(TopicPartitionInfo p, int rf) {
        Node l = p.leader();
        return l != null && !l.isEmpty() && l.id() >= 0 && (rf <= 1 || p.isr().size() >= rf);
    }

    private static TopicDescription describeTopic(Admin admin, String topic, Deadline d)
            throws ExecutionException, InterruptedException {
        DescribeTopicsOptions o = new DescribeTopicsOptions().timeoutMs(d.attemptMs(MAX_REQUEST_MS));
        return await(admin.describeTopics(List.of(topic), o).allTopicNames(), d).get(topic);
    }

    private static void leaders(Args a) throws Exception {
        String topic = a.need("topic");
        Admin admin = admin(a);
        try {
            TopicDescription td;
            try {
                td = describeTopic(admin, topic, a.deadline);
            } catch (ExecutionException e) {
                throw new Fail("describe " + topic + ": " + describe(e));
            }
            for (TopicPartitionInfo p : td.partitions()) {
                Node l = p.leader();
                int leader = l == null || l.isEmpty() ? -1 : l.id();
                OUT.println(p.partition() + "\t" + leader + "\t" + ids(p.isr()));
            }
        } finally {
            admin.close(Duration.ofMillis(CLOSE_MS));
        }
    }

    // ---- produce -------------------------------------------------------

    private static void produce(Args a) throws InterruptedException {
        String topic = a.need("topic");
        int count = a.required("count");
        int keys = a.positive("keys", 10);
        String mode = a.oneOf("mode", "plain", "plain", "idempotent", "transactional");
        boolean commit = a.oneOf("txn", "commit", "commit", "abort").equals("commit");
        String prefix = a.get("value-prefix", "v");
        boolean nulls = a.oneOf("nulls", "no", "yes", "no").equals("yes");
        if (a.has("txn") && !mode.equals("transactional"))
            throw new Fail("--txn needs --mode transactional");
        boolean txn = mode.equals("transactional");
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps(a, mode),
                new ByteArraySerializer(), new ByteArraySerializer());
        try {
            if (txn) {
                producer.initTransactions();
                producer.beginTransaction();
            }
            List<Future<RecordMetadata>> sent = new ArrayList<>(count);
            for (int i = 0; i < count; i++)
                sent.add(producer.send(record(topic, i, keys, prefix, nulls)));
            List<RecordMetadata> acked = awaitSends(sent, a.deadline);
            if (txn && commit)
                producer.commitTransaction();
            else if (txn)
                producer.abortTransaction();
            for (int i = 0; i < acked.size(); i++)
                OUT.println(i + "\t" + acked.get(i).partition() + "\t" + acked.get(i).offset());
        } finally {
            // A transaction still open here is aborted by the producer's
            // graceful close, so it cannot hold back read_committed readers.
            producer.close(Duration.ofMillis(CLOSE_MS));
        }
    }

    private static Properties producerProps(Args a, String mode) {
        Properties p = common(a);
        int request = (int) Math.min(MAX_REQUEST_MS, a.deadline.totalMs);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, Boolean.toString(!mode.equals("plain")));
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) a.deadline.totalMs);
        // The client insists on delivery >= linger + request timeout.
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(a.deadline.totalMs, request + 5L));
        if (a.has("acks"))
            p.put(ProducerConfig.ACKS_CONFIG, a.oneOf("acks", null, "0", "1", "all", "-1"));
        if (a.has("compression"))
            p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG,
                    a.oneOf("compression", null, "none", "gzip", "snappy", "lz4", "zstd"));
        if (a.has("transactional-id") && !mode.equals("transactional"))
            throw new Fail("--transactional-id needs --mode transactional");
        if (mode.equals("transactional"))
            p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                    a.get("transactional-id", "kfk-peer-" + UUID.randomUUID()));
        return p;
    }

    /* With nulls: record i has a null key when i % 10 == 9 and a null value
     * when i % 13 == 12. */
    private static ProducerRecord<byte[], byte[]> record(String topic, int i, int keys, String prefix,
            boolean nulls) {
        RecordHeaders h = new RecordHeaders();
        h.add(new RecordHeader("i", utf8(Integer.toString(i))));
        h.add(new RecordHeader("peer", utf8("java")));
        byte[] key = nulls && i % 10 == 9 ? null : utf8("k" + (i % keys));
        byte[] value = nulls && i % 13 == 12 ? null : utf8(prefix + "-" + i);
        return new ProducerRecord<>(topic, null, BASE_TIMESTAMP + i, key, value, h);
    }

    // ---- delete-records ------------------------------------------------

    /* Deletes the records of one partition below an offset (the log start
     * moves there), as retention would; prints the new low watermark. */
    private static void deleteRecords(Args a) throws Exception {
        String topic = a.need("topic");
        a.need("partition");
        int partition = a.integer("partition", 0);
        if (partition < 0)
            throw new Fail("--partition must be >= 0");
        long before = a.required("before");
        Admin admin = admin(a);
        try {
            org.apache.kafka.common.TopicPartition tp =
                    new org.apache.kafka.common.TopicPartition(topic, partition);
            var r = admin.deleteRecords(Map.of(tp,
                    org.apache.kafka.clients.admin.RecordsToDelete.beforeOffset(before)));
            OUT.println(await(r.lowWatermarks().get(tp), a.deadline).lowWatermark());
        } finally {
            admin.close(Duration.ofMillis(CLOSE_MS));
        }
    }

    /* Waits for every send; one failure fails the command, naming the first. */
    private static List<RecordMetadata> awaitSends(List<Future<RecordMetadata>> sent, Deadline d)
            throws InterruptedException {
        List<RecordMetadata> acked = new ArrayList<>(sent.size());
        String first = null;
        int failed = 0;
        for (int i = 0; i < sent.size(); i++) {
            try {
                acked.add(sent.get(i).get(d.leftMs(), TimeUnit.MILLISECONDS));
            } catch (ExecutionException e) {
                failed++;
                if (first == null)
                    first = "record " + i + ": " + describe(e);
            } catch (TimeoutException e) {
                throw new Fail("timed out after " + d.totalMs + " ms with " + (sent.size() - i)
                        + " of " + sent.size() + " sends unacknowledged");
            }
        }
        if (failed > 0)
            throw new Fail(failed + " of " + sent.size() + " sends failed; first " + first);
        return acked;
    }

    // ---- consume -------------------------------------------------------

    private static void consume(Args a) throws InterruptedException {
        String topic = a.need("topic");
        int count = a.has("count") ? a.required("count") : -1;
        if (a.has("group") && (a.has("from") || a.has("partitions")))
            throw new Fail("--from and --partitions apply only without --group");
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerProps(a),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        try {
            if (a.has("group"))
                consumeGroup(c, topic, count, a.positive("idle-ms", 10000), a.deadline);
            else
                consumeAssigned(c, topic, a, count);
        } finally {
            c.close(CloseOptions.timeout(Duration.ofMillis(CLOSE_MS)));
        }
    }

    private static Properties consumerProps(Args a) {
        Properties p = common(a);
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) a.deadline.totalMs);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                a.oneOf("isolation", "read_uncommitted", "read_committed", "read_uncommitted"));
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // Reading must never create the topic it is asked about.
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        if (a.has("group")) {
            p.put(ConsumerConfig.GROUP_ID_CONFIG, a.need("group"));
            p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        } else {
            // An explicit --from offset out of range is an error, not a reset.
            p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        }
        return p;
    }

    private static String line(ConsumerRecord<byte[], byte[]> r) {
        return r.partition() + "\t" + r.offset() + "\t" + r.timestamp() + "\t" + hex(r.key())
                + "\t" + hex(r.value()) + "\t" + headers(r);
    }

    private static String headers(ConsumerRecord<byte[], byte[]> r) {
        List<String> hs = new ArrayList<>();
        for (Header h : r.headers()) {
            String k = hex(utf8(h.key()));
            hs.add(k + ":" + hex(h.value()));
        }
        return hs.isEmpty() ? "-" : String.join(",", hs);
    }

    /*
     * Without a group: partitions 0..P-1 from --from, up to the end offsets
     * seen at start (the last stable offset under read_committed), or until
     * --count records when given (which may wait for records not yet written).
     */
    private static void consumeAssigned(KafkaConsumer<byte[], byte[]> c, String topic, Args a, int count) {
        Deadline d = a.deadline;
        int parts = a.has("partitions") ? a.required("partitions") : partitionCount(c, topic, d);
        List<TopicPartition> tps = new ArrayList<>();
        for (int p = 0; p < parts; p++)
            tps.add(new TopicPartition(topic, p));
        c.assign(tps);
        seekFrom(c, tps, a.get("from", "beginning"));
        Map<TopicPartition, Long> end = count < 0 ? c.endOffsets(tps, d.left()) : null;
        TreeMap<Integer, List<String>> out = new TreeMap<>();
        int got = 0;
        while (count < 0 ? !reachedEnd(c, end, d) : got < count) {
            if (d.passed())
                throw new Fail("timed out after " + d.totalMs + " ms; " + progress(c, tps, end, got, count));
            for (ConsumerRecord<byte[], byte[]> r : c.poll(d.slice(POLL_SLICE_MS))) {
                if (end != null && r.offset() >= end.get(new TopicPartition(topic, r.partition())))
                    continue;
                if (count >= 0 && got >= count)
                    break;
                out.computeIfAbsent(r.partition(), k -> new ArrayList<>()).add(line(r));
                got++;
            }
        }
        for (List<String> lines : out.values())
            lines.forEach(OUT::println);
    }

    private static int partitionCount(KafkaConsumer<byte[], byte[]> c, String topic, Deadline d) {
        List<PartitionInfo> ps = c.partitionsFor(topic, d.left());
        if (ps == null || ps.isEmpty())
            throw new Fail("topic " + topic + " not found");
        return ps.size();
    }

    /* "beginning", "end", or "p:o,p:o..." (partitions not named start at the beginning). */
    private static void seekFrom(KafkaConsumer<byte[], byte[]> c, List<TopicPartition> tps, String from) {
        if (from.equals("end")) {
            c.seekToEnd(tps);
            return;
        }
        c.seekToBeginning(tps);
        if (from.equals("beginning"))
            return;
        for (String po : from.split(",")) {
            String[] x = po.split(":");
            try {
                int p = Integer.parseInt(x[0]);
                if (x.length != 2 || p < 0 || p >= tps.size())
                    throw new NumberFormatException();
                c.seek(tps.get(p), Long.parseLong(x[1]));
            } catch (NumberFormatException e) {
                throw new Fail("--from: want beginning, end or p:o,p:o...; bad " + po);
            }
        }
    }

    private static boolean reachedEnd(KafkaConsumer<byte[], byte[]> c, Map<TopicPartition, Long> end, Deadline d) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet())
            if (c.position(e.getKey(), d.left()) < e.getValue())
                return false;
        return true;
    }

    private static String progress(KafkaConsumer<byte[], byte[]> c, List<TopicPartition> tps,
                                   Map<TopicPartition, Long> end, int got, int count) {
        if (end == null)
            return "got " + got + " of " + count + " records";
        List<String> s = new ArrayList<>();
        for (TopicPartition tp : tps)
            s.add("partition " + tp.partition() + " at " + positionOrUnknown(c, tp) + " of " + end.get(tp));
        return String.join(", ", s);
    }

    private static String positionOrUnknown(KafkaConsumer<byte[], byte[]> c, TopicPartition tp) {
        try {
            return Long.toString(c.position(tp, Duration.ZERO));
        } catch (RuntimeException e) {
            return "?"; // never resolved: the broker did not answer
        }
    }

    /*
     * With a group: records in arrival order, committed after each batch, until
     * --count records or --idle-ms without one. The idle clock starts only once
     * the group has assigned partitions, so a slow join is not taken for idleness.
     */
    private static void consumeGroup(KafkaConsumer<byte[], byte[]> c, String topic, int count,
                                     long idleMs, Deadline d) {
        c.subscribe(List.of(topic));
        long lastActivity = -1;
        int got = 0;
        while (count < 0 || got < count) {
            if (d.passed())
                throw new Fail("timed out after " + d.totalMs + " ms; got " + got + " records");
            if (lastActivity >= 0 && System.nanoTime() - lastActivity >= TimeUnit.MILLISECONDS.toNanos(idleMs))
                break;
            ConsumerRecords<byte[], byte[]> batch = c.poll(d.slice(POLL_SLICE_MS));
            int before = got;
            got = printAndCommit(c, batch, got, count, d);
            if (got > before || (lastActivity < 0 && !c.assignment().isEmpty()))
                lastActivity = System.nanoTime();
        }
        if (count >= 0 && got < count)
            throw new Fail("idle for " + idleMs + " ms after " + got + " of " + count + " records");
    }

    private static int printAndCommit(KafkaConsumer<byte[], byte[]> c, ConsumerRecords<byte[], byte[]> batch,
                                      int got, int count, Deadline d) {
        Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : batch) {
            if (count >= 0 && got >= count)
                break;
            OUT.println(line(r));
            next.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
            got++;
        }
        if (!next.isEmpty()) {
            OUT.flush();
            // Only what was printed is committed, so a cut-off batch is read again.
            c.commitSync(next, d.left());
        }
        return got;
    }

    // ---- partition-of --------------------------------------------------

    /*
     * Keys are the raw bytes between '\n's on stdin (no decoding), so a key
     * holding '\r' or invalid UTF-8 is partitioned exactly as given.
     */
    private static void partitionOf(Args a) throws IOException {
        int parts = a.required("partitions");
        byte[] in = System.in.readAllBytes();
        int start = 0;
        for (int i = 0; i <= in.length; i++) {
            if (i < in.length && in[i] != '\n')
                continue;
            if (i == in.length && start == in.length)
                break; // no key after the last newline
            byte[] key = Arrays.copyOfRange(in, start, i);
            OUT.println(BuiltInPartitioner.partitionForKey(key, parts));
            start = i + 1;
        }
    }

    // ---- assign: the Java assignors on a problem read from stdin ----------

    /**
     * Lines on stdin: "topic NAME PARTITIONS", then
     * "member ID INSTANCE|- GENERATION TOPIC,TOPIC OWNED|-" with OWNED as
     * "topic:partition,...". Prints "ID t-p t-p ..." per member (sorted by
     * topic, then partition), in the order the members were given. Several
     * problems may follow each other, each ended by a line "end" (echoed).
     */
    private static void assign(Args a) throws IOException {
        String strategy = a.need("strategy");
        String text = new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
        for (String problem : text.split("(?m)^end$")) {
            if (problem.isBlank())
                continue;
            assignOne(strategy, problem);
            OUT.println("end");
        }
    }

    private static void assignOne(String strategy, String text) {
        ConsumerPartitionAssignor assignor = switch (strategy) {
            case "range" -> new RangeAssignor();
            case "roundrobin" -> new RoundRobinAssignor();
            case "cooperative-sticky" -> new CooperativeStickyAssignor();
            default -> throw new Fail("unknown --strategy");
        };
        Node node = new Node(0, "127.0.0.1", 9);
        Node[] nodes = {node};
        List<PartitionInfo> parts = new ArrayList<>();
        Map<String, ConsumerPartitionAssignor.Subscription> subs = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            String[] w = line.trim().split(" ");
            if (w[0].isEmpty())
                continue;
            if (w[0].equals("topic")) {
                for (int p = 0; p < Integer.parseInt(w[2]); p++)
                    parts.add(new PartitionInfo(w[1], p, node, nodes, nodes));
            } else if (w[0].equals("member")) {
                List<TopicPartition> owned = new ArrayList<>();
                if (!w[5].equals("-"))
                    for (String tp : w[5].split(",")) {
                        int c = tp.lastIndexOf(':');
                        owned.add(new TopicPartition(tp.substring(0, c),
                                Integer.parseInt(tp.substring(c + 1))));
                    }
                ConsumerPartitionAssignor.Subscription sub = new ConsumerPartitionAssignor.Subscription(
                        List.of(w[4].split(",")), null, owned,
                        Integer.parseInt(w[3]), java.util.Optional.empty());
                if (!w[2].equals("-"))
                    sub.setGroupInstanceId(java.util.Optional.of(w[2]));
                subs.put(w[1], sub);
            }
        }
        Cluster cluster = new Cluster("c", List.of(node), parts, Set.of(), Set.of());
        ConsumerPartitionAssignor.GroupAssignment ga = assignor.assign(cluster,
                new ConsumerPartitionAssignor.GroupSubscription(subs));
        for (String id : subs.keySet()) {
            StringBuilder b = new StringBuilder(id);
            List<TopicPartition> l = new ArrayList<>(ga.groupAssignment().get(id).partitions());
            l.sort((x, y) -> x.topic().equals(y.topic())
                    ? Integer.compare(x.partition(), y.partition()) : x.topic().compareTo(y.topic()));
            for (TopicPartition tp : l)
                b.append(' ').append(tp.topic()).append('-').append(tp.partition());
            OUT.println(b);
        }
    }

    // ---- group-member: a Java member of a group, until told to stop -----

    /**
     * Subscribes to --topic in --group with --strategy (range, roundrobin,
     * cooperative-sticky) and prints "partition offset" per record, flushed
     * and then committed batch by batch (at-least-once, like kfk consume
     * -G). Rebalances go to stderr as "assigned|revoked|lost p,p,...". Once
     * the file --stop-file exists it commits, leaves the group and exits 0
     * (a file, not a signal: the JVM's exit on SIGTERM cannot end with 0);
     * --timeout-ms bounds the whole run.
     */
    private static void groupMember(Args a) {
        Properties p = consumerProps(a);
        p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, switch (a.need("strategy")) {
            case "range" -> RangeAssignor.class.getName();
            case "roundrobin" -> RoundRobinAssignor.class.getName();
            case "cooperative-sticky" -> CooperativeStickyAssignor.class.getName();
            default -> throw new Fail("unknown --strategy");
        });
        if (a.has("instance-id"))
            p.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, a.need("instance-id"));
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6000);
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 500);
        java.io.File stop = new java.io.File(a.need("stop-file"));
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p,
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        Map<TopicPartition, OffsetAndMetadata> pending = new HashMap<>();
        try {
            c.subscribe(List.of(a.need("topic")), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> parts) {
                    rebalanceLine("revoked", parts);
                    // What was printed of them is committed before they go.
                    Map<TopicPartition, OffsetAndMetadata> going = new HashMap<>(pending);
                    going.keySet().retainAll(parts);
                    if (!going.isEmpty())
                        c.commitSync(going);
                    pending.keySet().removeAll(parts);
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> parts) {
                    rebalanceLine("assigned", parts);
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> parts) {
                    rebalanceLine("lost", parts);
                }
            });
            memberLoop(c, stop, pending, a.deadline);
        } finally {
            OUT.flush();
            c.close(CloseOptions.timeout(Duration.ofMillis(CLOSE_MS)));
        }
    }

    /*
     * Prints, flushes, commits. A commit refused because a cooperative
     * rebalance is under way is retried after the next poll; partitions
     * revoked meanwhile are committed by the listener as they go (close
     * commits nothing: auto commit is off).
     */
    private static void memberLoop(KafkaConsumer<byte[], byte[]> c, java.io.File stop,
                                   Map<TopicPartition, OffsetAndMetadata> pending, Deadline d) {
        while (true) {
            if (d.passed())
                throw new Fail("timed out after " + d.totalMs + " ms");
            boolean last = stop.exists();
            for (ConsumerRecord<byte[], byte[]> r : last ? ConsumerRecords.<byte[], byte[]>empty()
                    : c.poll(d.slice(POLL_SLICE_MS))) {
                OUT.println(r.partition() + " " + r.offset());
                pending.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
            }
            OUT.flush();
            if (!pending.isEmpty()) {
                try {
                    c.commitSync(pending, d.left());
                    pending.clear();
                } catch (org.apache.kafka.common.errors.RebalanceInProgressException e) {
                    if (last)
                        throw new Fail("the last commit met a rebalance: " + describe(e));
                }
            }
            if (last)
                return;
        }
    }

    private static void rebalanceLine(String what, Collection<TopicPartition> parts) {
        List<Integer> ps = parts.stream().map(TopicPartition::partition).sorted().toList();
        System.err.println(what + " " + (ps.isEmpty() ? "-" : ps.stream().map(String::valueOf)
                .collect(Collectors.joining(","))));
        System.err.flush();
    }
}
