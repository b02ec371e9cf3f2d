#!/usr/bin/env bash
# kfk consume and kfk perf consume, their command lines alone: no broker
# is reached, since every case here is refused (or answered) before the
# consumer connects. Each refusal names the program and exits 2. What the
# records look like is proven against a real broker (tests/real/cli_consume_real.sh).
. "$KFK_SRCDIR/tests/kt.sh"
kfk="$KFK_BUILDDIR/tools/kfk"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# An address nothing listens on: a case that got as far as connecting
# would hang and time out instead of passing.
bs=127.0.0.1:1

# refused NAME PATTERN ARGS...: kfk ARGS exits 2 and its stderr matches
# PATTERN (grep -E) on a line of its own starting with the program name.
refused() {
	local name=$1 pattern=$2 rc
	shift 2
	timeout 20 "$kfk" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -ne 2 ]; then
		kt_not_ok "$name" "exit status $rc, not 2" "$(cat "$tmp/err")"
	elif [ -s "$tmp/out" ]; then
		kt_not_ok "$name" "printed on stdout: $(head -c 200 "$tmp/out")"
	elif ! grep -qE "$pattern" "$tmp/err"; then
		kt_not_ok "$name" "stderr does not match '$pattern':" "$(cat "$tmp/err")"
	else
		kt_ok "$name"
	fi
}

"$kfk" help >"$tmp/help" 2>&1
kt_check "kfk help lists consume" grep -qE '^  consume +' "$tmp/help"
"$kfk" consume --help >"$tmp/chelp" 2>"$tmp/cherr"
kt_check "kfk consume --help exits 0" test $? -eq 0
kt_check "--help prints the usage on stdout" grep -q '^usage: kfk consume ' "$tmp/chelp"
kt_check "--help names every offset form" grep -q 'beginning, end, stored' "$tmp/chelp"

# Options and their values.
refused "no --topic" '^kfk consume: --topic is required$' consume -b "$bs"
refused "an unknown long option" \
	"^kfk consume: unknown option '--bogus'$" consume -b "$bs" -t x --bogus
kt_check "an unknown option points at --help" grep -q 'kfk consume --help' "$tmp/err"
refused "an unknown short option" "^kfk consume: unknown option '-Z'$" \
	consume -b "$bs" -t x -Z
refused "an option without its value" "^kfk consume: option '-t' needs a value$" \
	consume -b "$bs" -t
refused "a stray argument" "^kfk consume: unexpected argument 'extra'$" \
	consume -b "$bs" -t x -p 0 extra
refused "a negative partition" "^kfk consume: bad partition '-1'$" \
	consume -b "$bs" -t x -p -1
refused "a partition given twice" '^kfk consume: partition 3 given twice$' \
	consume -b "$bs" -t x -p 3 -p 3
refused "-p with --partitions" '^kfk consume: -p and --partitions exclude each other$' \
	consume -b "$bs" -t x -p 0 --partitions 2
refused "--partitions 0" "^kfk consume: bad partition count '0'$" \
	consume -b "$bs" -t x --partitions 0
refused "-c 0" "^kfk consume: bad message count '0'$" \
	consume -b "$bs" -t x -p 0 -c 0
refused "-c with letters" "^kfk consume: bad message count '5x'$" \
	consume -b "$bs" -t x -p 0 -c 5x

# -o: every form kcat takes is accepted (the command then stops at the
# partition given twice, a later check), every other word is refused.
for o in beginning end stored 0 42 -1 -100 s@0 s@1700000000000; do
	refused "-o $o is accepted" '^kfk consume: partition 3 given twice$' \
		consume -b "$bs" -t x -o "$o" -p 3 -p 3
done
for o in middle -0 -x 12x s@ s@-5 s@abc "" 99999999999999999999; do
	refused "-o '$o' is refused" "^kfk consume: bad offset '$o' \(beginning, end, stored, N, -N or s@MS\)$" \
		consume -b "$bs" -t x -p 0 -o "$o"
done

# -f, --property, --json.
refused "an unknown format token" "^kfk consume: unknown format token '%x'" \
	consume -b "$bs" -t x -p 0 -f '%x\n'
refused "a format ending in %" "^kfk consume: unknown format token '%'" \
	consume -b "$bs" -t x -p 0 -f 'value %'
refused "a format too long" '^kfk consume: format too long$' \
	consume -b "$bs" -t x -p 0 -f "$(printf '%%s%.0s' $(seq 1 100))"
refused "--json with -f" '^kfk consume: --json, -f and --property exclude each other$' \
	consume -b "$bs" -t x -p 0 --json -f '%s\n'
refused "-f with --property" '^kfk consume: --json, -f and --property exclude each other$' \
	consume -b "$bs" -t x -p 0 -f '%s\n' --property print.key=true
refused "an unknown --property" "^kfk consume: bad --property 'print.kye=true'$" \
	consume -b "$bs" -t x -p 0 --property print.kye=true
refused "a print.* value other than true or false" \
	"^kfk consume: bad --property 'print.key=yes'$" \
	consume -b "$bs" -t x -p 0 --property print.key=yes
refused "an empty key.separator" "^kfk consume: bad --property 'key.separator='$" \
	consume -b "$bs" -t x -p 0 --property key.separator=

# Properties: the library's checks, with its suggestion.
refused "a mistyped -X property" 'did you mean bootstrap.servers' \
	consume -t x -p 0 -X bootstrap.server=localhost:9092
refused "a missing -F file" '^kfk consume: .*nonexistent' \
	consume -b "$bs" -t x -p 0 -F "$tmp/nonexistent.properties"

# kfk perf consume.
"$kfk" perf consume --help >"$tmp/phelp" 2>&1
kt_check "kfk perf consume --help exits 0" test $? -eq 0
kt_check "kfk perf consume --help shows its own options" \
	grep -q -- '--partitions N' "$tmp/phelp"
refused "perf consume without --partitions" '^kfk perf consume: --partitions is required$' \
	perf consume -b "$bs" -t x
refused "perf consume refuses the producer's -s" '^usage: kfk perf consume ' \
	perf consume -b "$bs" -t x --partitions 1 -s 100
refused "perf consume refuses --rate" '^usage: kfk perf consume ' \
	perf consume -b "$bs" -t x --partitions 1 --rate 10
refused "perf produce refuses --partitions" '^usage: kfk perf produce ' \
	perf produce -b "$bs" -t x --partitions 1
refused "kfk perf with an unknown benchmark" '^usage: kfk perf produce' perf fetch
kt_done
