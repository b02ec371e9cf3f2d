#!/usr/bin/env bash
# The threaded tests again, built with ThreadSanitizer (which cannot be
# combined with the AddressSanitizer of the main build): a second build in
# $KFK_BUILDDIR/tsan-build, then each test listed in KFK_TSAN_TESTS, its
# cases reported again as "tsan <program>: <case>". A data race, a lock
# order inversion or any other TSan report fails the program.
. "$KFK_SRCDIR/tests/kt.sh"
dir="$KFK_BUILDDIR/tsan-build"
# Only the words that are paths: a make that regenerates its Makefile first
# also prints "make[2]: ..." lines.
list() {
	make -s --no-print-directory -C "$KFK_BUILDDIR" "$1" | tr ' ' '\n' |
		grep -E '^tests/'
}
tests=$(list print-tsan-tests)
helpers=$(list print-test-helpers)
mkdir -p "$dir"
cd "$dir" || exit 1
if { [ -f Makefile ] || "$KFK_SRCDIR/configure" -q --enable-tsan CFLAGS="-O1 -g" >configure.out 2>&1; } &&
	make -j"$(nproc)" $tests $helpers >make.out 2>&1; then
	kt_ok "ThreadSanitizer build of the threaded tests"
else
	kt_not_ok "ThreadSanitizer build of the threaded tests" "$(tail -n 30 make.out configure.out 2>/dev/null)"
	kt_done
fi
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 ${TSAN_OPTIONS:-}"
for t in $tests; do
	prog=$(basename "$t")
	out=$(KFK_BUILDDIR="$dir" timeout -k 5 600 "./$t" 2>&1)
	rc=$?
	failed=0
	diag=()
	while IFS= read -r line; do
		case "$line" in
		"ok "*"# SKIP"*) kt_skip "tsan $prog: $(echo "$line" | sed -E 's/^ok [0-9]+ - //; s/ # SKIP.*//')" "${line##*# SKIP }"; diag=() ;;
		"ok "*) kt_ok "tsan $prog: ${line#ok * - }"; diag=() ;;
		# A failed case keeps the diagnostics its program printed for it.
		"not ok "*) failed=1; kt_not_ok "tsan $prog: ${line#not ok * - }" "${diag[@]}"; diag=() ;;
		"# "*) diag+=("${line#\# }") ;;
		esac
	done <<<"$out"
	if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
		kt_not_ok "tsan $prog exits cleanly" "exit $rc" "$(echo "$out" | grep -v '^ok ' | tail -n 40)"
	fi
done
kt_done
