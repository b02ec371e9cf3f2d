# src/proto: sources and tests of this area (included by Makefile.am).
libkfk_core_la_SOURCES += src/proto/record_batch.h src/proto/record_encode.c \
	src/proto/record_decode.c src/proto/msgset_legacy.h src/proto/msgset_legacy.c
KFK_C_TESTS += tests/unit/test_record_batch
tests_unit_test_record_batch_SOURCES = tests/unit/test_record_batch.c \
	tests/unit/vectors_record_batches.h
KFK_C_TESTS += tests/unit/test_msgset_legacy
