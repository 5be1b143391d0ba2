// The real Java Kafka client (org.apache.kafka:kafka-clients) against a running kafka-lab.
// tests/wire_java.rs runs it as a single-file program (Java 17):
//
//   java -cp CLASSPATH tests/java/LabClient.java MODE BOOTSTRAP ARGS...
//
// Modes:
//   produce-consume TOPIC N [GROUP [PACE_MS]]
//                                    a producer with the client's defaults (acks=all, idempotent)
//                                    sends N keyed records (PACE_MS apart, default 0) and waits for
//                                    every ack; a consumer in GROUP reads them back, checks each
//                                    against its ack, commits; prints `OK produced=N consumed=N ...`
//   group-member TOPIC GROUP [PROTO] a group member printing `ASSIGNED t-p,...` after every
//                                    rebalance and `RECORD p offset value` per record, until killed;
//                                    PROTO is group.protocol: classic (default) or consumer (KIP-848)
//   admin TOPIC                      AdminClient: create TOPIC (2 partitions, RF 3), describe it,
//                                    list topics, describe its configs, write and read a group's
//                                    offsets, list and describe the group, be refused deleting TOPIC;
//                                    prints `OK admin ...`
//   txn-setup N                      creates `jin` and `jout` (2 partitions, RF 3), produces N inputs
//   txn-copy CRASH_AFTER             a transactional consume-transform-produce job (transactional.id
//                                    `java-copy`) copying `jin` to `jout`; with CRASH_AFTER >= 0 it
//                                    SIGKILLs itself mid-transaction once that many are copied
//   txn-verify N                     reads `jout` read_committed (every input exactly once) and
//                                    read_uncommitted; prints `OK exactly-once n=N aborted=K`
//
// Every line goes to stdout and is flushed at once. Any failed check prints `FAIL reason` and
// exits 1; a watchdog exits 2 when a mode runs past its time bound, so the program never hangs.

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.AppInfoParser;

public class LabClient {
    /** A failed check: printed as `FAIL message`, exit code 1. */
    static final class Fail extends RuntimeException {
        Fail(String message) {
            super(message);
        }
    }

    static void out(String line) {
        System.out.println(line);
        System.out.flush();
    }

    static void check(boolean ok, String message) {
        if (!ok) {
            throw new Fail(message);
        }
    }

    /** Exits 2 after `seconds`, whatever the client is doing. */
    static void watchdog(String mode, long seconds) {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(seconds * 1000);
            } catch (InterruptedException e) {
                return;
            }
            out("FAIL " + mode + " did not finish within " + seconds + " s");
            Runtime.getRuntime().halt(2);
        }, "watchdog");
        t.setDaemon(true);
        t.start();
    }

    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: LabClient produce-consume|group-member|admin BOOTSTRAP ARGS...");
            System.exit(64);
        }
        String mode = args[0];
        String bootstrap = args[1];
        out("CLIENT kafka-clients " + AppInfoParser.getVersion());
        try {
            switch (mode) {
                case "produce-consume" -> {
                    watchdog(mode, 90);
                    String topic = arg(args, 2, "TOPIC");
                    int n = Integer.parseInt(arg(args, 3, "N"));
                    String group = args.length > 4 ? args[4] : "java-pc-" + topic;
                    long paceMs = args.length > 5 ? Long.parseLong(args[5]) : 0;
                    produceConsume(bootstrap, topic, n, group, paceMs);
                }
                case "group-member" -> {
                    // Normally killed by the test long before; this only stops a leaked member.
                    watchdog(mode, 180);
                    groupMember(bootstrap, arg(args, 2, "TOPIC"), arg(args, 3, "GROUP"),
                            args.length > 4 ? args[4] : "classic");
                }
                case "admin" -> {
                    watchdog(mode, 60);
                    admin(bootstrap, arg(args, 2, "TOPIC"));
                }
                case "txn-setup" -> {
                    watchdog(mode, 60);
                    Transactions.setup(bootstrap, Integer.parseInt(arg(args, 2, "N")));
                }
                case "txn-copy" -> {
                    watchdog(mode, 120);
                    Transactions.copy(bootstrap, Integer.parseInt(arg(args, 2, "CRASH_AFTER")));
                }
                case "txn-verify" -> {
                    watchdog(mode, 90);
                    Transactions.verify(bootstrap, Integer.parseInt(arg(args, 2, "N")));
                }
                default -> throw new Fail("unknown mode " + mode);
            }
        } catch (Fail e) {
            out("FAIL " + e.getMessage());
            System.exit(1);
        } catch (Exception e) {
            out("FAIL " + e);
            e.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    static String arg(String[] args, int i, String name) {
        if (args.length <= i) {
            throw new Fail("missing argument " + name);
        }
        return args[i];
    }

    static String ids(Collection<TopicPartition> parts) {
        return parts.stream()
                .sorted((a, b) -> a.topic().equals(b.topic())
                        ? Integer.compare(a.partition(), b.partition())
                        : a.topic().compareTo(b.topic()))
                .map(tp -> tp.topic() + "-" + tp.partition())
                .collect(Collectors.joining(","));
    }

    // ---------------------------------------------------------------- produce-consume

    static void produceConsume(String bootstrap, String topic, int n, String group, long paceMs)
            throws Exception {
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        pp.put(ProducerConfig.CLIENT_ID_CONFIG, "java-producer");
        pp.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        pp.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        // acks and enable.idempotence are left at the client's defaults; report what they are.
        ProducerConfig effective = new ProducerConfig(pp);
        String acks = effective.getString(ProducerConfig.ACKS_CONFIG);
        if ("-1".equals(acks)) {
            acks = "all"; // the client stores acks=all as -1
        }
        boolean idempotent = effective.getBoolean(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG);

        // Where each record i landed, from its ack.
        RecordMetadata[] acked = new RecordMetadata[n];
        List<String> errors = Collections.synchronizedList(new ArrayList<>());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(pp)) {
            List<Future<RecordMetadata>> futures = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                final int index = i;
                futures.add(producer.send(new ProducerRecord<>(topic, "k-" + i, "v-" + i), (md, e) -> {
                    if (e != null) {
                        errors.add("record " + index + ": " + e);
                    }
                }));
                if (paceMs > 0) {
                    Thread.sleep(paceMs);
                }
            }
            producer.flush();
            for (int i = 0; i < n; i++) {
                try {
                    acked[i] = futures.get(i).get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    throw new Fail("send of record " + i + " failed: " + e.getCause());
                }
            }
        }
        check(errors.isEmpty(), "send errors: " + errors.subList(0, Math.min(5, errors.size())));
        Map<Integer, Integer> producedPer = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            check(acked[i].hasOffset(), "record " + i + " acked without an offset");
            producedPer.merge(acked[i].partition(), 1, Integer::sum);
        }
        out("PRODUCED " + n + " acks=" + acks + " idempotence=" + idempotent + " partitions=" + producedPer);

        Properties cp = consumerProps(bootstrap, group, "java-consumer");
        cp.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");

        boolean[] seen = new boolean[n];
        int consumed = 0;
        Map<Integer, Long> lastOffset = new HashMap<>();
        Map<Integer, Integer> lastIndex = new HashMap<>();
        Map<Integer, Integer> consumedPer = new TreeMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(cp)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + 45_000;
            while (consumed < n) {
                check(System.currentTimeMillis() < deadline,
                        "consumed only " + consumed + " of " + n + " within 45 s");
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    int i = index(r, n);
                    check(!seen[i], "record v-" + i + " consumed twice (partition " + r.partition()
                            + " offset " + r.offset() + ")");
                    seen[i] = true;
                    consumed++;
                    RecordMetadata md = acked[i];
                    check(md.partition() == r.partition() && md.offset() == r.offset(),
                            "v-" + i + " read at " + r.partition() + "@" + r.offset() + " but acked at "
                                    + md.partition() + "@" + md.offset());
                    check(("k-" + i).equals(r.key()), "v-" + i + " has key " + r.key());
                    Long prevOffset = lastOffset.put(r.partition(), r.offset());
                    Integer prevIndex = lastIndex.put(r.partition(), i);
                    check(prevOffset == null || r.offset() > prevOffset,
                            "partition " + r.partition() + " offset " + r.offset() + " after " + prevOffset);
                    check(prevIndex == null || i > prevIndex,
                            "partition " + r.partition() + ": v-" + i + " after v-" + prevIndex);
                    consumedPer.merge(r.partition(), 1, Integer::sum);
                }
            }
            // Nothing more may arrive: every record exactly once.
            ConsumerRecords<String, String> extra = consumer.poll(Duration.ofMillis(1000));
            check(extra.isEmpty(), extra.count() + " records beyond the " + n + " produced");
            check(consumedPer.equals(producedPer),
                    "consumed per partition " + consumedPer + " but produced " + producedPer);

            consumer.commitSync(Duration.ofSeconds(20));
            Set<TopicPartition> parts = new HashSet<>();
            for (int p : consumedPer.keySet()) {
                parts.add(new TopicPartition(topic, p));
            }
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(parts, Duration.ofSeconds(20));
            Map<TopicPartition, Long> ends = consumer.endOffsets(parts, Duration.ofSeconds(20));
            Map<Integer, Long> committedPer = new TreeMap<>();
            for (TopicPartition tp : parts) {
                OffsetAndMetadata om = committed.get(tp);
                check(om != null, "no committed offset for " + tp);
                check(om.offset() == lastOffset.get(tp.partition()) + 1,
                        tp + " committed " + om.offset() + " after reading up to " + lastOffset.get(tp.partition()));
                check(om.offset() == ends.get(tp), tp + " committed " + om.offset() + " but ends at " + ends.get(tp));
                committedPer.put(tp.partition(), om.offset());
            }
            out("OK produced=" + n + " consumed=" + consumed + " partitions=" + joinCounts(consumedPer)
                    + " committed=" + joinCounts(committedPer) + " acks=" + acks + " idempotence=" + idempotent);
        }
    }

    /** i of a record whose value is "v-i". */
    static int index(ConsumerRecord<String, String> r, int n) {
        String v = r.value();
        check(v != null && v.startsWith("v-"), "unexpected value " + v + " at " + r.partition() + "@" + r.offset());
        int i;
        try {
            i = Integer.parseInt(v.substring(2));
        } catch (NumberFormatException e) {
            throw new Fail("unexpected value " + v);
        }
        check(i >= 0 && i < n, "value " + v + " outside 0.." + (n - 1));
        return i;
    }

    static <V> String joinCounts(Map<Integer, V> m) {
        return m.entrySet().stream().map(e -> e.getKey() + ":" + e.getValue()).collect(Collectors.joining(","));
    }

    /** A group consumer of string records from the earliest offset, named {@code clientId}. */
    static Properties consumerProps(String bootstrap, String group, String clientId) {
        Properties cp = new Properties();
        cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        cp.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        cp.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        cp.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        cp.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        return cp;
    }

    // ---------------------------------------------------------------- group-member

    static void groupMember(String bootstrap, String topic, String group, String protocol) {
        Properties cp = consumerProps(bootstrap, group, "java-member");
        if (protocol.equals("consumer")) {
            // KIP-848: the broker owns the session (group.consumer.session.timeout.ms) and the
            // heartbeat interval; the client refuses session.timeout.ms/heartbeat.interval.ms.
            cp.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
        } else {
            cp.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "6000");
            cp.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "1000");
        }
        cp.put(ConsumerConfig.AUTO_COMMIT_INTERVAL_MS_CONFIG, "1000");
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(cp);
        consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                out("REVOKED " + ids(partitions));
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                // The whole assignment, not just what was added (the same under eager protocols).
                out("ASSIGNED " + ids(consumer.assignment()));
            }
        });
        // Runs until killed: the test decides when a member dies (SIGKILL, no LeaveGroup).
        while (true) {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                out("RECORD " + r.partition() + " " + r.offset() + " " + r.value());
            }
        }
    }

    // ---------------------------------------------------------------- admin

    static void admin(String bootstrap, String topic) throws Exception {
        Properties ap = new Properties();
        ap.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        ap.put(AdminClientConfig.CLIENT_ID_CONFIG, "java-admin");
        try (Admin admin = Admin.create(ap)) {
            Collection<Node> nodes = admin.describeCluster().nodes().get(20, TimeUnit.SECONDS);
            Node controller = admin.describeCluster().controller().get(20, TimeUnit.SECONDS);
            out("CLUSTER brokers=" + nodes.stream().map(Node::id).sorted().map(String::valueOf)
                    .collect(Collectors.joining(",")) + " controller=" + (controller == null ? "none" : controller.id()));

            NewTopic nt = new NewTopic(topic, 2, (short) 3).configs(Map.of("min.insync.replicas", "2"));
            admin.createTopics(List.of(nt)).all().get(20, TimeUnit.SECONDS);
            out("CREATED " + topic);
            // A second create of the same name is refused as Kafka refuses it.
            try {
                admin.createTopics(List.of(new NewTopic(topic, 2, (short) 3))).all().get(20, TimeUnit.SECONDS);
                throw new Fail("creating " + topic + " twice succeeded");
            } catch (ExecutionException e) {
                check(e.getCause() instanceof TopicExistsException,
                        "second create failed with " + e.getCause() + ", not TopicExistsException");
                out("EXISTS " + topic);
            }

            TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(20, TimeUnit.SECONDS).get(topic);
            check(d != null, "describeTopics has no " + topic);
            check(d.partitions().size() == 2, topic + " has " + d.partitions().size() + " partitions");
            List<String> parts = new ArrayList<>();
            for (TopicPartitionInfo p : d.partitions()) {
                check(p.leader() != null, topic + "-" + p.partition() + " has no leader");
                check(p.replicas().size() == 3, topic + "-" + p.partition() + " has replicas " + p.replicas());
                check(p.isr().size() == 3, topic + "-" + p.partition() + " has ISR " + p.isr());
                check(p.replicas().contains(p.leader()), topic + "-" + p.partition() + " leader outside replicas");
                parts.add(p.partition() + ":leader=" + p.leader().id() + ",replicas="
                        + p.replicas().stream().map(Node::id).map(String::valueOf).collect(Collectors.joining("/"))
                        + ",isr=" + p.isr().size());
            }
            out("DESCRIBED " + topic + " " + String.join(" ", parts));

            Set<String> names = admin.listTopics().names().get(20, TimeUnit.SECONDS);
            check(names.contains(topic), "listTopics misses " + topic + ": " + names);
            out("LISTED " + new TreeSet<>(names));

            ConfigResource res = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config config = admin.describeConfigs(List.of(res)).all().get(20, TimeUnit.SECONDS).get(res);
            check(config != null, "describeConfigs has no " + topic);
            ConfigEntry minIsr = config.get("min.insync.replicas");
            check(minIsr != null && "2".equals(minIsr.value()),
                    "min.insync.replicas of " + topic + " is " + (minIsr == null ? "missing" : minIsr.value()));
            ConfigEntry retention = config.get("retention.ms");
            check(retention != null && retention.value() != null, "no retention.ms for " + topic);
            out("CONFIGS " + topic + " min.insync.replicas=" + minIsr.value() + " retention.ms=" + retention.value()
                    + " entries=" + config.entries().size());
            // Group offsets written and read by the admin client (OffsetCommit with no member),
            // then the group as ListGroups and DescribeGroups show it.
            String group = "java-admin-" + topic;
            // Each offset carries a metadata string, which OffsetFetch must hand back verbatim.
            Map<TopicPartition, Long> offsets = Map.of(new TopicPartition(topic, 0), 3L,
                    new TopicPartition(topic, 1), 5L);
            admin.alterConsumerGroupOffsets(group, offsets.entrySet().stream().collect(
                    Collectors.toMap(Map.Entry::getKey,
                            e -> new OffsetAndMetadata(e.getValue(), "ckpt-" + e.getValue()))))
                    .all().get(20, TimeUnit.SECONDS);
            Map<TopicPartition, Long> read = new HashMap<>();
            Map<TopicPartition, String> readMetadata = new HashMap<>();
            admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(20, TimeUnit.SECONDS)
                    .forEach((tp, om) -> {
                        read.put(tp, om == null ? null : om.offset());
                        readMetadata.put(tp, om == null ? null : om.metadata());
                    });
            check(read.equals(offsets), "group offsets read back as " + read + ", written " + offsets);
            for (TopicPartition tp : offsets.keySet()) {
                check(("ckpt-" + offsets.get(tp)).equals(readMetadata.get(tp)),
                        "metadata of " + tp + " read back as " + readMetadata.get(tp));
            }
            out("GROUP-OFFSETS " + group + " " + topic + "-0:" + read.get(new TopicPartition(topic, 0))
                    + "," + topic + "-1:" + read.get(new TopicPartition(topic, 1)));
            Collection<GroupListing> groups = admin.listGroups().all().get(20, TimeUnit.SECONDS);
            check(groups.stream().anyMatch(g -> g.groupId().equals(group)),
                    "listGroups misses " + group + ": " + groups);
            ConsumerGroupDescription cg = admin.describeConsumerGroups(List.of(group)).all()
                    .get(20, TimeUnit.SECONDS).get(group);
            check(cg != null && cg.groupState() == GroupState.EMPTY && cg.members().isEmpty(),
                    "describeConsumerGroups: " + cg);
            out("GROUP " + group + " state=" + cg.groupState() + " members=" + cg.members().size());

            // Topics change: one more partition, a topic config, then the topic goes.
            admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(3))).all()
                    .get(20, TimeUnit.SECONDS);
            ConfigResource changed = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            admin.incrementalAlterConfigs(Map.of(changed, List.of(new AlterConfigOp(
                    new ConfigEntry("retention.ms", "60000"), AlterConfigOp.OpType.SET))))
                    .all().get(20, TimeUnit.SECONDS);
            String altered = admin.describeConfigs(List.of(changed)).all()
                    .get(20, TimeUnit.SECONDS).get(changed).get("retention.ms").value();
            check("60000".equals(altered), "retention.ms reads back as " + altered);
            admin.deleteTopics(List.of(topic)).all().get(20, TimeUnit.SECONDS);
            long until = System.currentTimeMillis() + 10_000;
            while (admin.listTopics().names().get(20, TimeUnit.SECONDS).contains(topic)) {
                check(System.currentTimeMillis() < until, topic + " still listed after deleteTopics");
                Thread.sleep(200);
            }
            Map<TopicPartition, OffsetAndMetadata> left = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(20, TimeUnit.SECONDS);
            check(left.keySet().stream().noneMatch(tp -> tp.topic().equals(topic)),
                    "group offsets for a deleted topic: " + left);
            out("DELETED " + topic);
            out("OK admin topic=" + topic + " partitions=2 rf=3 brokers=" + nodes.size());
        }
    }

    /** Exactly once through a crash: consume-transform-produce with a transactional producer. */
    static final class Transactions {
        static void setup(String bootstrap, int n) throws Exception {
            Properties a = new Properties();
            a.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            try (Admin admin = Admin.create(a)) {
                admin.createTopics(List.of(new NewTopic("jin", 2, (short) 3), new NewTopic("jout", 2, (short) 3)))
                        .all().get(30, TimeUnit.SECONDS);
            }
            try (KafkaProducer<String, String> p = new KafkaProducer<>(producerProps(bootstrap))) {
                for (int i = 0; i < n; i++) {
                    p.send(new ProducerRecord<>("jin", String.valueOf(i), String.valueOf(i))).get(30, TimeUnit.SECONDS);
                }
            }
            out("SETUP " + n);
        }

        static Properties producerProps(String bootstrap) {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            return p;
        }

        static KafkaConsumer<String, String> consumer(String bootstrap, String group, String isolation) {
            Properties c = new Properties();
            c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
            c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
            c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5");
            // A SIGKILLed member holds its partitions until its session times out.
            c.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "6000");
            c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            return new KafkaConsumer<>(c);
        }

        static void copy(String bootstrap, int crashAfter) throws Exception {
            Properties pp = producerProps(bootstrap);
            pp.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "java-copy");
            try (KafkaConsumer<String, String> c = consumer(bootstrap, "java-copy-group", "read_committed");
                 KafkaProducer<String, String> p = new KafkaProducer<>(pp)) {
                p.initTransactions();
                out("INIT");
                c.subscribe(List.of("jin"));
                int copied = 0;
                long idleSince = System.currentTimeMillis();
                while (System.currentTimeMillis() - idleSince < 20000) {
                    ConsumerRecords<String, String> recs = c.poll(Duration.ofMillis(500));
                    if (recs.isEmpty()) {
                        continue;
                    }
                    idleSince = System.currentTimeMillis();
                    p.beginTransaction();
                    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                    for (ConsumerRecord<String, String> r : recs) {
                        p.send(new ProducerRecord<>("jout", r.key(), "copied-" + r.value()));
                        offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
                    }
                    p.sendOffsetsToTransaction(offsets, c.groupMetadata());
                    copied += recs.count();
                    if (crashAfter >= 0 && copied >= crashAfter) {
                        p.flush();
                        out("CRASH after " + copied);
                        new ProcessBuilder("kill", "-9", String.valueOf(ProcessHandle.current().pid())).start().waitFor();
                        Runtime.getRuntime().halt(137);
                    }
                    p.commitTransaction();
                }
                out("COPIED " + copied);
            }
        }

        static List<String> read(String bootstrap, String isolation) {
            List<String> got = new ArrayList<>();
            try (KafkaConsumer<String, String> c = consumer(bootstrap, "java-verify-" + isolation, isolation)) {
                c.subscribe(List.of("jout"));
                long idleSince = System.currentTimeMillis();
                while (System.currentTimeMillis() - idleSince < 6000) {
                    ConsumerRecords<String, String> recs = c.poll(Duration.ofMillis(500));
                    if (recs.isEmpty()) {
                        continue;
                    }
                    idleSince = System.currentTimeMillis();
                    for (ConsumerRecord<String, String> r : recs) {
                        got.add(r.value());
                    }
                }
            }
            return got;
        }

        static void verify(String bootstrap, int n) {
            List<String> committed = read(bootstrap, "read_committed");
            List<String> want = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                want.add("copied-" + i);
            }
            List<String> sorted = new ArrayList<>(committed);
            Collections.sort(sorted);
            Collections.sort(want);
            check(sorted.equals(want), "read_committed saw " + committed.size() + " records, "
                    + new HashSet<>(committed).size() + " distinct, want " + n);
            int aborted = read(bootstrap, "read_uncommitted").size() - committed.size();
            check(aborted > 0, "read_uncommitted saw no aborted copies");
            out("OK exactly-once n=" + n + " aborted=" + aborted);
        }
    }
}
