# src/producer: sources and tests of this area (included by Makefile.am).
# Partitioners (producer/partitioner.h) and the key hashes they use.
libkfk_core_la_SOURCES += src/producer/partitioner.c src/producer/partitioner.h \
	src/producer/hash.c src/producer/hash.h
KFK_C_TESTS += tests/unit/test_partitioner
# The producer's delivery-report queue.
libkfk_core_la_SOURCES += src/producer/reports.c src/producer/reports.h
KFK_C_TESTS += tests/unit/test_reports
