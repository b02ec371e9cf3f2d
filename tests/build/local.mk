# tests/build: tests of the build itself (headers, exports, configure).
KFK_SCRIPT_TESTS += tests/build/headers.sh tests/build/symbols.sh \
	tests/build/configure_missing.sh tests/build/install.sh
KFK_CHECK_DEPS += libkfk.la
