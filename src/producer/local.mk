# src/producer: sources and tests of this area (included by Makefile.am).
# Partitioners (producer/partitioner.h) and the key hashes they use.
libkfk_core_la_SOURCES += src/producer/partitioner.c src/producer/partitioner.h \
	src/producer/hash.c src/producer/hash.h
KFK_C_TESTS += tests/unit/test_partitioner
# The producer's delivery-report queue.
libkfk_core_la_SOURCES += src/producer/reports.c src/producer/reports.h
KFK_C_TESTS += tests/unit/test_reports
# The record accumulator: batches, topics and partitions, pending records.
libkfk_core_la_SOURCES += src/producer/batch.c src/producer/batch.h \
	src/producer/batch_pool.c src/producer/batch_pool.h \
	src/producer/topic.c src/producer/topic.h \
	src/producer/accumulator.c src/producer/accumulator.h \
	src/producer/accumulator_int.h src/producer/accumulator_pending.c
KFK_C_TESTS += tests/unit/test_accumulator
KFK_C_TESTS += tests/unit/test_batch_pool
# The sender and the producer itself (the public API, include/kfk/producer.h).
libkfk_core_la_SOURCES += src/producer/sender.c src/producer/sender.h \
	src/producer/sender_req.c src/producer/producer.c \
	src/producer/idempotence.c src/producer/idempotence.h \
	src/producer/pid.c src/producer/pid.h
kfkinclude_HEADERS += include/kfk/producer.h
# The ProduceRequest version against the broker's ApiVersions (zstd needs
# v7), on the mock cluster.
KFK_C_TESTS += tests/unit/test_producer_versions
tests_unit_test_producer_versions_SOURCES = \
	tests/unit/test_producer_versions.c $(KFK_MOCK_SOURCES)
tests_unit_test_producer_versions_CPPFLAGS = $(AM_CPPFLAGS) \
	$(KFK_MOCK_CPPFLAGS)
# Integration tests of the producer against the mock cluster; records are
# read back with python3-kafka (tests/integration/readback.py) and kcat.
EXTRA_DIST += tests/integration/readback.py
KFK_PRODUCER_IT_SOURCES = tests/integration/test_producer_util.c \
	tests/integration/test_producer_util.h $(KFK_MOCK_SOURCES)
KFK_C_TESTS += tests/integration/test_producer_basic
tests_integration_test_producer_basic_SOURCES = \
	tests/integration/test_producer_basic.c $(KFK_PRODUCER_IT_SOURCES)
tests_integration_test_producer_basic_CPPFLAGS = $(AM_CPPFLAGS) \
	$(KFK_MOCK_CPPFLAGS)
KFK_C_TESTS += tests/integration/test_producer_bulk
tests_integration_test_producer_bulk_SOURCES = \
	tests/integration/test_producer_bulk.c $(KFK_PRODUCER_IT_SOURCES)
tests_integration_test_producer_bulk_CPPFLAGS = $(AM_CPPFLAGS) \
	$(KFK_MOCK_CPPFLAGS)
# The size-first public structs against older and newer programs.
KFK_C_TESTS += tests/integration/test_producer_abi
tests_integration_test_producer_abi_SOURCES = \
	tests/integration/test_producer_abi.c $(KFK_MOCK_SOURCES)
tests_integration_test_producer_abi_CPPFLAGS = $(AM_CPPFLAGS) \
	$(KFK_MOCK_CPPFLAGS)
KFK_C_TESTS += tests/integration/test_producer_down
tests_integration_test_producer_down_SOURCES = \
	tests/integration/test_producer_down.c $(KFK_PRODUCER_IT_SOURCES)
tests_integration_test_producer_down_CPPFLAGS = $(AM_CPPFLAGS) \
	$(KFK_MOCK_CPPFLAGS)
# The idempotent producer against the mock cluster, read back batch by
# batch (tests/integration/batchread.h) to check its sequence numbers.
KFK_C_TESTS += tests/integration/test_producer_idem
tests_integration_test_producer_idem_SOURCES = \
	tests/integration/test_producer_idem.c $(KFK_PRODUCER_IT_SOURCES) \
	$(KFK_BATCHREAD_SOURCES)
tests_integration_test_producer_idem_CPPFLAGS = $(AM_CPPFLAGS) \
	$(KFK_MOCK_CPPFLAGS)
KFK_TSAN_TESTS += tests/integration/test_producer_idem
