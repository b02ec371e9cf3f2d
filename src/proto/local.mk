# src/proto: sources and tests of this area (included by Makefile.am).
libkfk_core_la_SOURCES += src/proto/record_batch.h src/proto/record_encode.c \
	src/proto/record_decode.c src/proto/msgset_legacy.h src/proto/msgset_legacy.c
KFK_C_TESTS += tests/unit/test_record_batch
tests_unit_test_record_batch_SOURCES = tests/unit/test_record_batch.c \
	tests/unit/vectors_record_batches.h
KFK_C_TESTS += tests/unit/test_msgset_legacy
# Wire primitives, decode arena, headers, API table (proto/buf.h, arena.h,
# header.h, api.h) and the codecs tools/gen_proto.py generates.
libkfk_core_la_SOURCES += src/proto/buf.c src/proto/buf.h \
	src/proto/arena.c src/proto/arena.h \
	src/proto/header.c src/proto/header.h src/proto/api.h
include $(top_srcdir)/src/proto/gen/files.mk
EXTRA_DIST += tools/gen_proto.py
KFK_C_TESTS += tests/unit/test_proto_buf
KFK_C_TESTS += tests/unit/test_proto_header
KFK_C_TESTS += tests/unit/test_proto_golden
KFK_C_TESTS += tests/unit/test_proto_roundtrip
# Hand-written: what forged counts may cost the generated decoders.
KFK_C_TESTS += tests/unit/test_proto_bounds
