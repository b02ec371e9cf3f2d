# src/codec: sources and tests of this area (included by Makefile.am).
libkfk_core_la_SOURCES += src/codec/codec.c src/codec/codec.h \
	src/codec/codec_impl.h src/codec/gzip.c src/codec/snappy.c \
	src/codec/lz4.c src/codec/zstd.c
KFK_C_TESTS += tests/unit/test_codec
