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
	src/producer/topic.c src/producer/topic.h \
	src/producer/accumulator.c src/producer/accumulator.h \
	src/producer/accumulator_int.h src/producer/accumulator_pending.c
KFK_C_TESTS += tests/unit/test_accumulator
