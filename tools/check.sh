#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what is missing, builds
# in build-check/ with warnings as errors and the address and undefined
# behaviour sanitizers, and runs every test. The last line it prints is
#   N passed, N failed[, N skipped]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
bash tools/deps.sh
# Apache Kafka for the real-broker tests, once per machine: in CI a failure
# here ends the run with Maven's reason (locally the tests report it, or
# KFK_SKIP_REAL_KAFKA skips them; docs/TESTING.md).
if [ -z "${KFK_SKIP_REAL_KAFKA:-}" ] || [ "${CI:-}" = true ]; then
	if ! bash tests/kafka/kafka.sh fetch && [ "${CI:-}" = true ]; then
		echo "check: Apache Kafka could not be obtained (above); the real-broker tests cannot run" >&2
		exit 1
	fi
fi
if [ ! -x configure ]; then
	mkdir -p m4
	autoreconf -fi >autoreconf.log 2>&1 || { cat autoreconf.log; exit 1; }
fi
mkdir -p build-check
cd build-check
[ -f Makefile ] || ../configure --enable-devel >configure.out
make -j"$(nproc)" >make.out 2>&1 || { tail -n 60 make.out; exit 1; }
KFK_TEST_TIMEOUT=${KFK_TEST_TIMEOUT:-1500} make -s check 2>&1 | grep -v '^make'
exit "${PIPESTATUS[0]}"
