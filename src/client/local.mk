# src/client: sources and tests of this area (included by Makefile.am).
# Change notifications: metadata swapped, broker state changed.
libkfk_core_la_SOURCES += src/client/notify.c src/client/notify.h
KFK_C_TESTS += tests/unit/test_notify
KFK_TSAN_TESTS += tests/unit/test_notify
# TLS and SASL settings of a client, built at its creation.
libkfk_core_la_SOURCES += src/client/notices.c src/client/notices.h \
	src/client/oauthbearer.c src/client/oauthbearer.h \
	src/client/kinit.c src/client/kinit.h
libkfk_core_la_SOURCES += src/client/security.c src/client/security.h \
	src/client/jaas.c src/client/jaas.h
# The rich error object (kfk_error); the codes themselves are util/errors.
libkfk_core_la_SOURCES += src/client/error.c src/client/error.h
# The event queue towards the application (typed events, an fd, the fast
# empty poll): the producer's delivery reports ride it.
libkfk_core_la_SOURCES += src/client/events.c src/client/events.h
KFK_C_TESTS += tests/unit/test_events
# Configuration: the property table (props.c), kfk_conf, value parsing,
# did-you-mean suggestions and .properties files.
libkfk_core_la_SOURCES += src/client/props.c src/client/props.h \
	src/client/conf.c src/client/conf.h src/client/conf_parse.c \
	src/client/conf_suggest.c src/client/conf_file.c
KFK_C_TESTS += tests/unit/test_conf
KFK_C_TESTS += tests/unit/test_conf_file
KFK_C_TESTS += tests/unit/test_conf_table
# The public header must compile alone as strict C99 (the other C tests
# build as gnu11); the per-target CFLAGS replace AM_CFLAGS.
KFK_C_TESTS += tests/unit/test_conf_header
tests_unit_test_conf_header_CFLAGS = -std=c99 -pedantic-errors \
	$(KFK_WARN_CFLAGS) $(KFK_SAN_FLAGS)
# The shared client: broker registry, control loop, metadata snapshots
# and their refresh cycle with its early-refresh backoff.
libkfk_core_la_SOURCES += src/client/client.c src/client/client.h \
	src/client/client_int.h src/client/client_registry.c \
	src/client/metadata.c src/client/metadata.h \
	src/client/metadata_backoff.c src/client/metadata_backoff.h \
	src/client/metadata_refresh.c
KFK_C_TESTS += tests/unit/test_metadata
KFK_C_TESTS += tests/integration/test_client_mock
tests_integration_test_client_mock_SOURCES = \
	tests/integration/test_client_mock.c $(KFK_MOCK_SOURCES)
tests_integration_test_client_mock_CPPFLAGS = $(AM_CPPFLAGS) \
	$(KFK_MOCK_CPPFLAGS)
