# src/consumer: sources and tests of this area (included by Makefile.am).
# The consumer (include/kfk/consumer.h): partitions, fetching, offsets,
# messages and topic-partition lists.
libkfk_core_la_SOURCES += src/consumer/consumer.c src/consumer/consumer_int.h \
	src/consumer/consumer_poll.c src/consumer/cpart.c \
	src/consumer/fetcher.c src/consumer/fetcher.h \
	src/consumer/fetch_session.c src/consumer/fetch_decode.c \
	src/consumer/fetch_decode.h src/consumer/offsets.c src/consumer/validate.c \
	src/consumer/message.c src/consumer/tplist.c src/consumer/tplist.h
# Consumer groups (classic protocol): membership, rebalances, commits.
libkfk_core_la_SOURCES += src/consumer/group.c src/consumer/group.h \
	src/consumer/group_coord.c src/consumer/group_join.c \
	src/consumer/group_hb.c src/consumer/group_ops.c \
	src/consumer/group_commit.c
# Partition assignors, wire-compatible with the Java client's.
libkfk_core_la_SOURCES += src/consumer/assignor.c src/consumer/assignor.h \
	src/consumer/assignor_int.h src/consumer/assignor_protocol.c \
	src/consumer/assignor_range.c src/consumer/assignor_roundrobin.c \
	src/consumer/assignor_sticky.c src/consumer/assignor_sticky.h \
	src/consumer/assignor_sticky_balance.c
kfkinclude_HEADERS += include/kfk/consumer.h
# Against the mock cluster: faults, leader moves, the memory bound.
KFK_C_TESTS += tests/integration/test_consumer_mock
tests_integration_test_consumer_mock_SOURCES = \
	tests/integration/test_consumer_mock.c $(KFK_PRODUCER_IT_SOURCES)
tests_integration_test_consumer_mock_CPPFLAGS = $(AM_CPPFLAGS) \
	$(KFK_MOCK_CPPFLAGS)
KFK_TSAN_TESTS += tests/integration/test_consumer_mock
# The record-set decoder alone: legacy sets, transactions, CRC failures.
KFK_C_TESTS += tests/unit/test_fetch_decode
# Against the in-test fake broker: a log truncated under the consumer.
KFK_C_TESTS += tests/integration/test_consumer_fake
tests_integration_test_consumer_fake_SOURCES = \
	tests/integration/test_consumer_fake.c tests/fakebroker.c \
	tests/fakebroker.h
KFK_TSAN_TESTS += tests/integration/test_consumer_fake
# The group member against the mock: coordinator errors, commits.
KFK_C_TESTS += tests/integration/test_group_mock
tests_integration_test_group_mock_SOURCES = \
	tests/integration/test_group_mock.c $(KFK_PRODUCER_IT_SOURCES)
tests_integration_test_group_mock_CPPFLAGS = $(AM_CPPFLAGS) \
	$(KFK_MOCK_CPPFLAGS)
KFK_TSAN_TESTS += tests/integration/test_group_mock
# The assignors and the ConsumerProtocol bytes, alone.
KFK_C_TESTS += tests/unit/test_assignor
# What an incremental fetch session sends and forgets.
KFK_C_TESTS += tests/unit/test_fetch_session
