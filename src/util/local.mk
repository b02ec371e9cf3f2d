# src/util: sources and tests of this area (included by Makefile.am).
KFK_C_TESTS += tests/unit/test_varint
libkfk_core_la_SOURCES += src/util/crc32c.c src/util/crc32c.h
KFK_C_TESTS += tests/unit/test_crc32c
# Logging (util/log.h): the stderr sink and the dispatch to a user callback.
libkfk_core_la_SOURCES += src/util/log.c src/util/log.h
KFK_C_TESTS += tests/unit/test_log
libkfk_core_la_SOURCES += src/util/mpsc.c src/util/mpsc.h \
	src/util/timerheap.c src/util/timerheap.h src/util/time.h
KFK_C_TESTS += tests/unit/test_mpsc
KFK_C_TESTS += tests/unit/test_timerheap
# Exponential backoff with jitter: reconnects, produce and init retries.
libkfk_core_la_SOURCES += src/util/backoff.c src/util/backoff.h
# The logged state change of every state machine.
libkfk_core_la_SOURCES += src/util/state.c src/util/state.h
KFK_C_TESTS += tests/unit/test_state
KFK_C_TESTS += tests/unit/test_backoff
