#!/usr/bin/env bash
# tests/fuzz/run_fuzz.sh: builds the libFuzzer targets (`make fuzz`), runs
# each for KFK_FUZZ_SECONDS seconds (default 3) from its committed seeds
# (tests/fuzz/corpus/<target>/) and then replays every input under
# tests/fuzz/regressions/<target>/. One case for the build, one per target.
# KFK_FUZZ_SECONDS=0 runs each seed once instead of fuzzing.
#
# What the fuzzer finds (a crash, a leak, a broken property, a time-out)
# is written to $KFK_BUILDDIR/fuzz/findings/<target>/ and fails the case
# with the file's name: add that file to regressions/<target>/ once fixed.
# Inputs the fuzzer found interesting are kept in $KFK_BUILDDIR/fuzz/work/,
# so later runs start from further on. Skips without clang or libFuzzer.
. "$KFK_SRCDIR/tests/kt.sh"
secs=${KFK_FUZZ_SECONDS:-3}
case $secs in ''|*[!0-9]*) secs=3 ;; esac
clang=${CLANG:-clang}
out="$KFK_BUILDDIR/fuzz"
corpus="$KFK_SRCDIR/tests/fuzz/corpus"
regress="$KFK_SRCDIR/tests/fuzz/regressions"
mkdir -p "$out"

if ! command -v "$clang" >/dev/null 2>&1; then
	kt_skip "fuzz targets build" "$clang not found (Debian: clang)"
	kt_done
fi
# The build is a make of its own; no job server of the caller to share.
log="$out/build.log"
env -u MAKEFLAGS -u MFLAGS make -s -C "$KFK_BUILDDIR" -j2 CLANG="$clang" \
	fuzz >"$log" 2>&1
rc=$?
if [ "$rc" -ne 0 ] && grep -q "cannot link -fsanitize=fuzzer" "$log"; then
	kt_skip "fuzz targets build" "no libFuzzer runtime for $clang (Debian: libclang-rt-dev)"
	kt_done
elif [ "$rc" -ne 0 ]; then
	kt_not_ok "fuzz targets build" "make fuzz failed, see $log:" \
		"$(tail -n 20 "$log")"
	kt_done
fi
targets=$(cat "$out/targets.txt")
kt_ok "fuzz targets build ($(echo $targets | wc -w) targets)"

# One target: fuzz from the seeds, then replay the regressions.
run_target() {
	local t=$1 bin="$out/$1" work="$out/work/$1" found="$out/findings/$1"
	local log="$out/logs/$1.log" runs reg=() n_reg=0 seeds=()
	mkdir -p "$work" "$found" "$out/logs"
	rm -f "$found"/*
	[ -d "$corpus/$t" ] && seeds=("$corpus/$t")
	if [ "$secs" -gt 0 ]; then
		"$bin" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
			-print_final_stats=1 -artifact_prefix="$found/" \
			"$work" "${seeds[@]}" >"$log" 2>&1
	else # only run the seeds once
		"$bin" -runs=0 -rss_limit_mb=2048 -timeout=10 \
			-print_final_stats=1 -artifact_prefix="$found/" \
			"${seeds[@]}" >"$log" 2>&1
	fi
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	if [ -d "$regress/$t" ]; then
		for f in "$regress/$t"/*; do [ -f "$f" ] && reg+=("$f"); done
		n_reg=${#reg[@]}
	fi
	if [ "$rc" -eq 0 ] && [ "$n_reg" -gt 0 ]; then
		"$bin" -rss_limit_mb=2048 -timeout=10 \
			-artifact_prefix="$found/" "${reg[@]}" >>"$log" 2>&1
		rc=$?
	fi
	if [ "$rc" -eq 0 ]; then
		kt_ok "fuzz $t $secs s, ${runs:-0} runs, $n_reg regressions, no finding"
	else
		kt_not_ok "fuzz $t" \
			"finding: $(ls "$found" 2>/dev/null | sed "s|^|$found/|" | tr '\n' ' ')" \
			"last input run: $(sed -n 's/^Running: //p' "$log" | tail -n 1)" \
			"log: $log" "$(grep -E 'ERROR|SUMMARY|property broken|runtime error' "$log" | head -n 5)"
	fi
}

for t in $targets; do
	run_target "$t"
done
kt_done
