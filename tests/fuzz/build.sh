#!/usr/bin/env bash
# tests/fuzz/build.sh: builds the libFuzzer targets (`make fuzz` runs it).
#
#   build.sh [--seeds] SRCDIR OUT LIB_SOURCES...
# with, in the environment, CLANG (default clang), KFK_FUZZ_INCLUDES (the
# library's -I flags and its dependencies' cflags), KFK_FUZZ_LIBS (their
# link flags) and MAKE.
#
# It finds the response APIs in src/proto/gen/ (every header that declares
# kfk_<api>_response_decode; its API key is named in the header's first
# line), writes what it found where tests/fuzz/fuzz.mk reads it, and runs
# fuzz.mk, which rebuilds only what changed. With --seeds it builds and
# runs the seed generator instead, which rewrites tests/fuzz/corpus/. Exits 77 when clang cannot link
# a libFuzzer program (clang or its runtime, libclang-rt-*-dev, missing).
set -eu
goal=all
if [ "${1:-}" = --seeds ]; then goal=seeds; shift; fi
srcdir=$1 out=$2
shift 2
cc=${CLANG:-clang}
mkdir -p "$out"

# Can this clang build a fuzzer with both sanitizers at all?
probe="$out/probe"
if ! command -v "$cc" >/dev/null 2>&1; then
	echo "build.sh: $cc not found (install clang)" >&2
	exit 77
fi
printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
	'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
	'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' \
	>"$probe.c"
if ! "$cc" -fsanitize=fuzzer,address,undefined -o "$probe" "$probe.c" \
	>"$probe.log" 2>&1; then
	echo "build.sh: $cc cannot link -fsanitize=fuzzer (install libclang-rt-dev):" >&2
	cat "$probe.log" >&2
	exit 77
fi

# Writes stdin to $1 only when it differs, so that make sees no change.
update() {
	local tmp="$1.tmp"
	cat >"$tmp"
	if cmp -s "$tmp" "$1"; then rm -f "$tmp"; else mv "$tmp" "$1"; fi
}

# The response APIs: name (file and function prefix) and API key constant.
apis=()
for h in "$srcdir"/src/proto/gen/*.h; do
	name=$(basename "$h" .h)
	grep -q "^int kfk_${name}_response_decode(" "$h" || continue
	apis+=("$name")
done
if [ "${#apis[@]}" -eq 0 ]; then
	echo "build.sh: no response decoder found in src/proto/gen/" >&2
	exit 1
fi
{
	echo "# Written by tests/fuzz/build.sh from src/proto/gen/*.h"
	echo "FUZZ_APIS = ${apis[*]}"
	for a in "${apis[@]}"; do
		echo "KEY_$a = KFK_APIKEY_$(echo "$a" | tr a-z A-Z)"
	done
} | update "$out/targets.mk"
{
	echo "/* Written by tests/fuzz/build.sh: FUZZ_API_ENTRY(api, key) per"
	echo " * response API of src/proto/gen/. */"
	for a in "${apis[@]}"; do
		echo "FUZZ_API_ENTRY($a, KFK_APIKEY_$(echo "$a" | tr a-z A-Z))"
	done
} | update "$out/fuzz_apis.def"
printf '%s\n' "$@" | update "$out/sources.txt"

exec ${MAKE:-make} --no-print-directory -f "$srcdir/tests/fuzz/fuzz.mk" \
	SRCDIR="$srcdir" OUT="$out" CC="$cc" \
	INCLUDES="${KFK_FUZZ_INCLUDES:-}" LIBS="${KFK_FUZZ_LIBS:-}" \
	LIB_SRCS="$*" "$goal"
