# src/net: sources and tests of this area (included by Makefile.am).
libkfk_core_la_SOURCES += src/net/loop.c src/net/loop.h \
	src/net/pool.c src/net/pool.h
KFK_C_TESTS += tests/unit/test_loop
KFK_C_TESTS += tests/unit/test_pool
