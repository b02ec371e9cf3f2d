# tests/build: tests of the build itself (headers, exports, configure,
# install) and the ThreadSanitizer pass over the threaded tests.
KFK_SCRIPT_TESTS += tests/build/headers.sh tests/build/symbols.sh \
	tests/build/configure_missing.sh tests/build/install.sh \
	tests/build/tsan.sh
KFK_CHECK_DEPS += libkfk.la

# Threaded tests: tests/build/tsan.sh runs these again under TSan.
KFK_TSAN_TESTS += tests/unit/test_log tests/unit/test_mpsc \
	tests/unit/test_loop tests/unit/test_pool tests/unit/test_conn \
	tests/unit/test_broker tests/unit/test_broker_mock \
	tests/unit/test_metadata tests/integration/test_client_mock \
	tests/unit/test_partitioner tests/unit/test_reports tests/unit/test_events \
	tests/unit/test_accumulator tests/integration/test_producer_basic \
	tests/integration/test_producer_bulk

print-tsan-tests:
	@echo $(KFK_TSAN_TESTS)
print-test-helpers:
	@echo $(KFK_TEST_HELPERS)
.PHONY: print-tsan-tests print-test-helpers
