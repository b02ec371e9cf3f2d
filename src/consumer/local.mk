# src/consumer: sources and tests of this area (included by Makefile.am).
# The consumer (include/kfk/consumer.h): partitions, fetching, offsets,
# messages and topic-partition lists.
libkfk_core_la_SOURCES += src/consumer/consumer.c src/consumer/consumer_int.h \
	src/consumer/consumer_poll.c src/consumer/cpart.c \
	src/consumer/fetcher.c src/consumer/fetcher.h \
	src/consumer/fetch_session.c src/consumer/fetch_decode.c \
	src/consumer/fetch_decode.h src/consumer/offsets.c \
	src/consumer/message.c src/consumer/tplist.c src/consumer/tplist.h
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
