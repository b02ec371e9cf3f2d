# src/admin: the admin client (include/kfk/admin.h): topics, partitions,
# configs, on the client core.
libkfk_core_la_SOURCES += src/admin/admin.c src/admin/admin_int.h \
	src/admin/admin_op.c src/admin/admin_result.c \
	src/admin/admin_topics.c src/admin/admin_describe.c \
	src/admin/admin_group.c src/admin/admin_offsets.c \
	src/admin/admin_offsets_del.c src/admin/admin_acls.c \
	src/admin/admin_leaders.c src/admin/admin_txn.c \
	src/admin/admin_coord.c src/admin/admin_configs.c
kfkinclude_HEADERS += include/kfk/admin.h
# The admin client against the mock cluster (faults the real broker does
# not make on demand).
KFK_C_TESTS += tests/integration/test_admin_mock
tests_integration_test_admin_mock_SOURCES = \
	tests/integration/test_admin_mock.c $(KFK_MOCK_SOURCES)
tests_integration_test_admin_mock_CPPFLAGS = $(AM_CPPFLAGS) \
	$(KFK_MOCK_CPPFLAGS)
KFK_TSAN_TESTS += tests/integration/test_admin_mock
