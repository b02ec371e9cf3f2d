#!/usr/bin/env bash
# kfk perf produce against the mock cluster: the JSON line of a run (every
# record counted, no errors, a rate, p50 <= p99), --rate pacing, a refused
# -X property, and keyed records read back by kcat. The librdkafka twin
# (bench/rdkafka_perf) goes through the same checks when it was built.
. "$KFK_SRCDIR/tests/kt.sh"
kfk="$KFK_BUILDDIR/tools/kfk"
twin="$KFK_BUILDDIR/bench/rdkafka_perf"
mc="$KFK_BUILDDIR/tests/mockcluster"
if [ ! -x "$mc" ]; then
	kt_skip "kfk perf produce against the mock cluster" "needs tests/mockcluster"
	kt_done
fi
tmp=$(mktemp -d)
coproc MC { exec "$mc" -b 1 kfk:4 kfk_rate:4 kfk_keys:4 twin:4 twin_rate:4 twin_keys:4; }
mc_pid=$MC_PID
trap 'kill "$mc_pid" 2>/dev/null; rm -rf "$tmp"' EXIT
read -r -t 20 -u "${MC[0]}" line || line=
bs=${line#BOOTSTRAP }

# jnum KEY FILE: the number KEY has in the JSON line in FILE.
jnum() { grep -o "\"$1\":[^,}]*" "$2" | head -n 1 | cut -d: -f2; }
# fexpr EXPR: true when the awk expression on numbers holds ("1.9 >= 1.8").
fexpr() { awk "BEGIN { exit !($1) }"; }
# one_json FILE: exactly one line, a JSON object.
one_json() { [ "$(wc -l <"$1")" -eq 1 ] && grep -qE '^\{.*\}$' "$1"; }

# checks NAME TOPIC CLIENT BADPROP_MESSAGE COMMAND...: the whole set for
# one program.
checks() {
	local name=$1 topic=$2 client=$3 badmsg=$4 out="$tmp/$2" rc n k
	shift 4
	local prog=("$@")

	timeout 120 "${prog[@]}" -b "$bs" -t "$topic" -c 20000 -s 100 --json -q \
		>"$out.1" 2>"$out.1e"
	kt_check "$name: 20000 records exit 0" test $? -eq 0
	kt_check "$name: one JSON line on stdout" one_json "$out.1"
	grep -q "^{\"client\":\"$client\",\"version\":\"[^\"]\+\"," "$out.1"
	kt_check "$name: the JSON names the client ($client) and its version" test $? -eq 0
	kt_check "$name: records is 20000" test "$(jnum records "$out.1")" = 20000
	kt_check "$name: errors is 0" test "$(jnum errors "$out.1")" = 0
	kt_check "$name: bytes is 20000 x 100" test "$(jnum bytes "$out.1")" = 2000000
	kt_check "$name: records_per_s > 0" fexpr "$(jnum records_per_s "$out.1") > 0"
	kt_check "$name: 0 < lat_p50_ms <= lat_p99_ms <= lat_max_ms" \
		fexpr "0 < $(jnum lat_p50_ms "$out.1") && \
		$(jnum lat_p50_ms "$out.1") <= $(jnum lat_p99_ms "$out.1") && \
		$(jnum lat_p99_ms "$out.1") <= $(jnum lat_max_ms "$out.1")"
	kt_check "$name: cpu and rss are reported" \
		fexpr "$(jnum cpu_user_s "$out.1") + $(jnum cpu_sys_s "$out.1") > 0 && \
		$(jnum max_rss_kb "$out.1") > 0"

	timeout 120 "${prog[@]}" -b "$bs" -t "${topic}_rate" -c 4000 --rate 2000 \
		--json >"$out.2" 2>"$out.2e"
	kt_check "$name: --rate 2000 -c 4000 exits 0" test $? -eq 0
	kt_check "$name: --rate 2000 -c 4000 delivers 4000" test "$(jnum records "$out.2")" = 4000
	kt_check "$name: --rate 2000 -c 4000 takes at least 1.8 s" \
		fexpr "$(jnum elapsed_s "$out.2") >= 1.8"
	n=$(grep -cE '^ +[0-9]+\.[0-9]s +[0-9]+ rec +[0-9]+ rec/s +[0-9.]+ MB/s  in-flight +[0-9]+  lat avg [0-9.]+ p50 [0-9.]+ p99 [0-9.]+ ms  errors 0$' "$out.2e")
	kt_check "$name: a progress line a second on stderr (got $n)" test "$n" -ge 1 -a "$n" -le 3

	timeout 60 "${prog[@]}" -b "$bs" -t "$topic" -c 10 -X lingr.ms=5 >"$out.3" 2>&1
	rc=$?
	kt_check "$name: a bad -X property exits 2" test "$rc" -eq 2
	kt_check "$name: with the library's message" grep -qF "$badmsg" "$out.3"

	if ! command -v kcat >/dev/null 2>&1; then
		kt_skip "$name: kcat reads back keyed records" "needs kcat"
		return
	fi
	timeout 120 "${prog[@]}" -b "$bs" -t "${topic}_keys" -c 20000 -k 10 --json -q \
		>"$out.4" 2>&1
	kt_check "$name: -k 10 exits 0" test $? -eq 0
	kt_check "$name: -k 10 bytes count the keys" test "$(jnum bytes "$out.4")" = 2100000
	timeout 60 kcat -C -b "$bs" -t "${topic}_keys" -e -q -c 20000 -f '%k %s\n' |
		sort >"$tmp/$topic.records"
	uniq -c "$tmp/$topic.records" | awk '{ print $1, $2, length($3) }' |
		awk '{ n[$2] += $1; if ($3 != 100) bad[$2] = 1 }
		     END { for (k in n) print n[k], k, (k in bad) ? "bad" : 100 }' |
		sort -k2 >"$out.4k"
	for k in 0 1 2 3 4 5 6 7 8 9; do echo "2000 key-$k 100"; done >"$out.4w"
	kt_check "$name: kcat reads 20000 records, 2000 of 100 bytes for each of key-0..key-9" \
		diff "$out.4w" "$out.4k"
}

checks "kfk perf produce" kfk kfk "did you mean linger.ms" "$kfk" perf produce
if [ -x "$twin" ]; then
	checks "rdkafka_perf" twin librdkafka 'No such configuration property: "lingr.ms"' "$twin"
	# The payload code is shared: both programs must have sent the same
	# keys and values (record i: key-<i % 10>, the pool at i * 7919).
	if [ -s "$tmp/kfk.records" ] && [ -s "$tmp/twin.records" ]; then
		kt_check "kfk and the twin sent the same 20000 keys and values" \
			cmp "$tmp/kfk.records" "$tmp/twin.records"
	fi
else
	kt_skip "rdkafka_perf" "bench/rdkafka_perf was not built (no librdkafka)"
fi

echo quit >&"${MC[1]}"
timeout 20 tail --pid="$mc_pid" -f /dev/null
kt_done
