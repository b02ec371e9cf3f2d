# Tests against a real Apache Kafka (tests/kafka/kafka.sh) with the Java
# client as the reference peer (tests/interop/KfkPeer.java). tests/run-tests
# starts one broker for every test under tests/real/ (see docs/TESTING.md).
EXTRA_DIST += tests/kafka/kafka.sh tests/kafka/pom.xml tests/kafka/suite.sh \
	tests/interop/KfkPeer.java tests/interop/README.md
KFK_REAL_SOURCES = tests/real/real.c tests/real/real.h \
	tests/integration/test_producer_util.c \
	tests/integration/test_producer_util.h $(KFK_MOCK_SOURCES)
KFK_C_TESTS += tests/real/test_real_producer
tests_real_test_real_producer_SOURCES = tests/real/test_real_producer.c \
	$(KFK_REAL_SOURCES) $(KFK_BATCHREAD_SOURCES)
tests_real_test_real_producer_CPPFLAGS = $(AM_CPPFLAGS) $(KFK_MOCK_CPPFLAGS)
KFK_C_TESTS += tests/real/test_real_failover
tests_real_test_real_failover_SOURCES = tests/real/test_real_failover.c \
	$(KFK_REAL_SOURCES)
tests_real_test_real_failover_CPPFLAGS = $(AM_CPPFLAGS) $(KFK_MOCK_CPPFLAGS)
KFK_C_TESTS += tests/real/test_real_consumer
tests_real_test_real_consumer_SOURCES = tests/real/test_real_consumer.c \
	$(KFK_REAL_SOURCES)
tests_real_test_real_consumer_CPPFLAGS = $(AM_CPPFLAGS) $(KFK_MOCK_CPPFLAGS)
# kfk consume, kfk perf consume and examples/consumer, read back from the
# real broker after kfk produce (not cli_consume.sh: tests/run-tests names
# each log after its script's base name).
KFK_SCRIPT_TESTS += tests/real/cli_consume_real.sh
# The assignors against the Java client's on the same problems (needs the
# Java client's jars, not a broker).
KFK_SCRIPT_TESTS += tests/real/assignor_java.sh
EXTRA_DIST += tests/real/assignor_problems.py tests/real/assignor_check.py \
	tests/real/group_lib.sh tests/real/group_events.py
# kfk and Java consumers in one group, for each assignor.
KFK_SCRIPT_TESTS += tests/real/group_java_real.sh
# kfk consume -G: at-least-once with a member killed, none lost.
KFK_SCRIPT_TESTS += tests/real/cli_group_real.sh
KFK_C_TESTS += tests/real/test_real_group
tests_real_test_real_group_SOURCES = tests/real/test_real_group.c \
	$(KFK_REAL_SOURCES)
tests_real_test_real_group_CPPFLAGS = $(AM_CPPFLAGS) $(KFK_MOCK_CPPFLAGS)
# The admin client: topics created, described, grown and deleted.
KFK_C_TESTS += tests/real/test_real_admin
tests_real_test_real_admin_SOURCES = tests/real/test_real_admin.c \
	$(KFK_REAL_SOURCES)
tests_real_test_real_admin_CPPFLAGS = $(AM_CPPFLAGS) $(KFK_MOCK_CPPFLAGS)
# kfk topics beside Kafka's kafka-topics.
KFK_SCRIPT_TESTS += tests/real/cli_topics_real.sh
# kfk groups beside Kafka's kafka-consumer-groups.
KFK_SCRIPT_TESTS += tests/real/cli_groups_real.sh
# kfk configs beside Kafka's kafka-configs.
KFK_SCRIPT_TESTS += tests/real/cli_configs_real.sh
# --json of kfk topics, metadata, groups and configs, parsed by python3.
KFK_SCRIPT_TESTS += tests/real/cli_json_real.sh
EXTRA_DIST += tests/real/admin_lib.sh
# TLS and SASL through the broker's secure listeners (kafka.sh --secure).
KFK_SCRIPT_TESTS += tests/real/security_real.sh
EXTRA_DIST += tests/lsan.supp tests/kafka/tls.sh tests/kafka/kdc.sh
KFK_C_TESTS += tests/real/test_real_oauthbearer
tests_real_test_real_oauthbearer_SOURCES = tests/real/test_real_oauthbearer.c \
	$(KFK_REAL_SOURCES)
tests_real_test_real_oauthbearer_CPPFLAGS = $(AM_CPPFLAGS) $(KFK_MOCK_CPPFLAGS)
# The first hour against the real broker (an unknown topic).
KFK_SCRIPT_TESTS += tests/real/first_hour_real.sh
