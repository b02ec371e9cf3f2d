# src/net: sources and tests of this area (included by Makefile.am).
libkfk_core_la_SOURCES += src/net/loop.c src/net/loop.h \
	src/net/pool.c src/net/pool.h
KFK_C_TESTS += tests/unit/test_loop
KFK_C_TESTS += tests/unit/test_pool
# Connection layer: addresses, resolver, TCP framing, the broker.
libkfk_core_la_SOURCES += src/net/addr.c src/net/addr.h \
	src/net/resolve.c src/net/resolve.h \
	src/net/conn.c src/net/conn.h src/net/frame.c src/net/frame.h \
	src/net/tls.c src/net/tls.h src/net/tls_ctx.c src/net/tls_int.h \
	src/net/broker.c src/net/broker.h src/net/broker_int.h \
	src/net/broker_req.c src/net/broker_apiversions.c \
	src/net/broker_sasl.c src/net/sasl.c src/net/sasl.h \
	src/net/sasl_scram.c src/net/sasl_oauthbearer.c src/net/sasl_gssapi.c
KFK_C_TESTS += tests/unit/test_addr
KFK_C_TESTS += tests/unit/test_conn
KFK_C_TESTS += tests/unit/test_sasl
KFK_C_TESTS += tests/unit/test_broker
tests_unit_test_broker_SOURCES = tests/unit/test_broker.c \
	tests/fakebroker.c tests/fakebroker.h
KFK_C_TESTS += tests/unit/test_broker_mock
tests_unit_test_broker_mock_SOURCES = tests/unit/test_broker_mock.c \
	tests/fakebroker.c tests/fakebroker.h $(KFK_MOCK_SOURCES)
tests_unit_test_broker_mock_CPPFLAGS = $(AM_CPPFLAGS) $(KFK_MOCK_CPPFLAGS)
