#!/usr/bin/env bash
# kfk produce and examples/producer against the mock cluster, read back
# with kcat: keys (kcat's -K and the console producer's properties),
# headers, --report lines, the Java client's partition for each key, a
# record that fails alone with a non-zero exit, and a mistyped property.
. "$KFK_SRCDIR/tests/kt.sh"
kfk="$KFK_BUILDDIR/tools/kfk"
mc="$KFK_BUILDDIR/tests/mockcluster"
if ! command -v kcat >/dev/null 2>&1 || [ ! -x "$mc" ]; then
	kt_skip "kfk produce against the mock cluster" "needs kcat and tests/mockcluster"
	kt_done
fi
tmp=$(mktemp -d)
coproc MC { exec "$mc" -b 3 cli:3:1 props:3:1 big:1:1 ex:2:1; }
mc_pid=$MC_PID
trap 'kill "$mc_pid" 2>/dev/null; rm -rf "$tmp"' EXIT
read -r -t 20 -u "${MC[0]}" line || line=
bs=${line#BOOTSTRAP }
consume() { # topic count -> "partition key=value [headers]" lines, sorted
	timeout 60 kcat -C -b "$bs" -t "$1" -e -q -c "$2" -f '%p %k=%s [%h]\n' | sort
}

# 1. kcat-style keys and a static header, with --report. The partitions
#    are the Java client's for 3 partitions (murmur2 test vectors:
#    "a" -> 1, "ab" -> 2, "abc" -> 0).
printf 'a:one\nab:two\nabc:three\na:four\n' >"$tmp/in1"
timeout 60 "$kfk" produce -b "$bs" -t cli -K: -H src=cli --report \
	"$tmp/in1" >"$tmp/out1" 2>"$tmp/err1"
kt_check "kfk produce exits 0 when every record is delivered" test $? -eq 0
n=$(grep -cE '^cli\[[0-2]\]@[0-9]+$' "$tmp/out1")
kt_check "--report prints topic[partition]@offset for each of the 4 records" test "$n" -eq 4
grep -q '^kfk produce: 4 sent, 4 delivered, 0 failed$' "$tmp/err1"
kt_check "the summary counts 4 sent and delivered" test $? -eq 0
consume cli 4 >"$tmp/got1"
printf '%s\n' '0 abc=three [src=cli]' '1 a=one [src=cli]' '1 a=four [src=cli]' \
	'2 ab=two [src=cli]' | sort >"$tmp/want1"
kt_check "kcat reads back the records, keys, header and Java partitions" diff "$tmp/want1" "$tmp/got1"
grep '^1 ' "$tmp/got1" >/dev/null &&
	timeout 60 kcat -C -b "$bs" -t cli -p 1 -e -q -f '%s\n' >"$tmp/order1"
kt_check "records of one key keep their order" diff <(printf 'one\nfour\n') "$tmp/order1"

# 2. The console producer's properties: headers, then key, then value.
printf 'h1:x,h2:y\tk1=v1\nh1:z\tk2=v2\n' |
	timeout 60 "$kfk" produce -b "$bs" -t props --property parse.key=true \
		--property key.separator== --property parse.headers=true -q
kt_check "kfk produce with parse.key and parse.headers exits 0" test $? -eq 0
consume props 2 | sed 's/^[0-9] //' | sort >"$tmp/got2"
printf '%s\n' 'k1=v1 [h1=x,h2=y]' 'k2=v2 [h1=z]' >"$tmp/want2"
kt_check "console-producer keys and headers arrive" diff "$tmp/want2" "$tmp/got2"

# 3. One record over message.max.bytes fails alone; the rest arrive.
{ echo small-1; head -c 3000 /dev/zero | tr '\0' x; echo; echo small-2; } >"$tmp/in3"
timeout 60 "$kfk" produce -b "$bs" -t big -X message.max.bytes=2000 "$tmp/in3" \
	>/dev/null 2>"$tmp/err3"
rc=$?
kt_check "kfk produce exits 1 when a record fails" test "$rc" -eq 1
grep -q 'line 2' "$tmp/err3"
kt_check "the failure names the line of the failed record" test $? -eq 0
consume big 2 | sed 's/^0 =//; s/ \[\]$//' >"$tmp/got3"
kt_check "the other records arrive" diff <(printf 'small-1\nsmall-2\n') "$tmp/got3"

# 4. A mistyped property is refused with a suggestion, exit status 2.
echo x | timeout 60 "$kfk" produce -b "$bs" -t cli -X lingr.ms=5 2>"$tmp/err4"
rc=$?
kt_check "a mistyped -X property exits 2" test "$rc" -eq 2
grep -q 'did you mean linger.ms' "$tmp/err4"
kt_check "the error suggests linger.ms" test $? -eq 0

# 5. examples/producer: a report per message as topic[partition]@offset.
timeout 60 "$KFK_BUILDDIR/examples/producer" "$bs" ex >"$tmp/out5" 2>&1
kt_check "examples/producer exits 0" test $? -eq 0
n=$(grep -cE '^ex\[[01]\]@[0-9]+$' "$tmp/out5")
kt_check "examples/producer prints 5 reports like ex[1]@3" test "$n" -eq 5

echo quit >&"${MC[1]}"
timeout 20 tail --pid="$mc_pid" -f /dev/null
kt_done
