# tests/: the framework lives in Makefile.am; helpers for tests live here.
KFK_TEST_HELPERS =

# The mock Kafka cluster (tests/mockcluster.c) wraps librdkafka's mock
# brokers; it and test programs are the only things that link librdkafka.
# A C test drives it through tests/mock.h; such a test adds both lines:
#   tests_unit_test_x_SOURCES = tests/unit/test_x.c $(KFK_MOCK_SOURCES)
#   tests_unit_test_x_CPPFLAGS = $(AM_CPPFLAGS) $(KFK_MOCK_CPPFLAGS)
# (without librdkafka the CPPFLAGS make kt_mock_start() skip the test).
KFK_MOCK_SOURCES = tests/mock.c tests/mock.h
if HAVE_RDKAFKA
KFK_TEST_HELPERS += tests/mockcluster
KFK_CHECK_DEPS += tests/mockcluster
tests_mockcluster_SOURCES = tests/mockcluster.c tests/mock_idem.c \
	tests/mock_idem.h
# Never sanitized: librdkafka is not instrumented, and under ThreadSanitizer
# an instrumented helper crashes inside the TSan runtime.
tests_mockcluster_CFLAGS = -std=gnu11 $(KFK_WARN_CFLAGS) $(RDKAFKA_CFLAGS)
# librdkafka's static library, with its mock's log append wrapped by
# tests/mock_idem.c (the broker's idempotence checks the mock lacks).
tests_mockcluster_LDFLAGS = \
	-Wl,--wrap=rd_kafka_mock_partition_log_append
tests_mockcluster_LDADD = $(RDKAFKA_STATIC_LIB) $(RDKAFKA_STATIC_DEPS)
KFK_MOCK_CPPFLAGS =
else
KFK_MOCK_CPPFLAGS = -DKT_MOCK_UNAVAILABLE=1
endif

# The harness itself, proven without any kfk code.
KFK_C_TESTS += tests/unit/test_mock
tests_unit_test_mock_SOURCES = tests/unit/test_mock.c $(KFK_MOCK_SOURCES)
tests_unit_test_mock_CPPFLAGS = $(AM_CPPFLAGS) $(KFK_MOCK_CPPFLAGS)

# The harness driven by a real client (kcat): skips without kcat.
KFK_SCRIPT_TESTS += tests/integration/mock_kcat.sh
# What the project says of itself (kfk.pc, debug contexts, README status).
KFK_SCRIPT_TESTS += tests/claims.sh
# What a newcomer sees when something is off (issue 18), message by message.
KFK_SCRIPT_TESTS += tests/integration/first_hour.sh

# The batch-level reader (tests/integration/batchread.h): reads a partition
# back with each batch's producer id, epoch and base sequence, for tests of
# the idempotent producer. A test using it adds $(KFK_BATCHREAD_SOURCES).
KFK_BATCHREAD_SOURCES = tests/integration/batchread.c tests/integration/batchread.h
KFK_C_TESTS += tests/integration/test_batchread
tests_integration_test_batchread_SOURCES = tests/integration/test_batchread.c \
	$(KFK_BATCHREAD_SOURCES) $(KFK_MOCK_SOURCES) \
	tests/fakebroker.c tests/fakebroker.h
tests_integration_test_batchread_CPPFLAGS = $(AM_CPPFLAGS) $(KFK_MOCK_CPPFLAGS)
