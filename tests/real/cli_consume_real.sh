#!/usr/bin/env bash
# kfk consume, kfk perf consume and examples/consumer against a real Kafka
# (the broker tests/run-tests starts: KFK_KAFKA_BOOTSTRAP). Records of
# known keys, values, headers, partitions and offsets are written with
# kfk produce -p, then read back and compared byte for byte: kcat's -f
# format, -e, -c, -o beginning / N / -N / s@MS / the default,
# the console consumer's print.* properties, and --json parsed by Python
# (escapes and a non-UTF-8 byte included).
. "$KFK_SRCDIR/tests/kt.sh"
kfk="$KFK_BUILDDIR/tools/kfk"
if [ -z "${KFK_KAFKA_BOOTSTRAP:-}" ]; then
	if [ -n "${KFK_KAFKA_SKIP:-}" ]; then
		kt_skip "kfk consume against a real Kafka" "$KFK_KAFKA_SKIP"
	else
		kt_not_ok "a real Kafka to consume from" \
			"${KFK_KAFKA_ERROR:-run this test through tests/run-tests, which starts one}"
	fi
	kt_done
fi
bs=$KFK_KAFKA_BOOTSTRAP
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Topic names of this run only (the broker is shared by the suite).
t=cli-consume-$$
topic() { bash "$KFK_SRCDIR/tests/kafka/kafka.sh" topic "$1" "$2" 2>"$tmp/topic.err"; }
# produce TOPIC PARTITION [kfk produce options]: stdin's lines, one record
# each, to that partition.
produce() {
	local topic=$1 p=$2
	shift 2
	timeout 60 "$kfk" produce -b "$bs" -t "$topic" -p "$p" -q "$@"
}
# consume ARGS...: kfk consume with a time bound, stdout to $tmp/out,
# stderr to $tmp/err; returns its exit status.
consume() { timeout 60 "$kfk" consume -b "$bs" "$@" >"$tmp/out" 2>"$tmp/err"; }

topic "$t" 3
kt_check "topic $t with 3 partitions is created" test $? -eq 0
printf 'a:zero-0\nb:zero-1\n' | produce "$t" 0 -K:
printf 'c:one-0\nd:one-1\ne:one-2\n' | produce "$t" 1 -K:
printf 'f:two-0\ng:two-1\nh:two-2\ni:two-3\n' | produce "$t" 2 -K: -H h1=x -H h2=y
kt_check "9 records are produced to chosen partitions" test $? -eq 0

# 1. Everything, from the beginning, with kcat's format.
consume -t "$t" --partitions 3 -e -o beginning -f '%p %o %k=%s [%h] %K %S\n'
kt_check "-e -o beginning exits 0" test $? -eq 0
cat >"$tmp/want1" <<'EOF'
0 0 a=zero-0 [] 1 6
0 1 b=zero-1 [] 1 6
1 0 c=one-0 [] 1 5
1 1 d=one-1 [] 1 5
1 2 e=one-2 [] 1 5
2 0 f=two-0 [h1=x,h2=y] 1 5
2 1 g=two-1 [h1=x,h2=y] 1 5
2 2 h=two-2 [h1=x,h2=y] 1 5
2 3 i=two-3 [h1=x,h2=y] 1 5
EOF
sort -k1,1n -k2,2n "$tmp/out" >"$tmp/got1"
kt_check "-f: every record once, with its partition, offset, key, value, headers, lengths" \
	diff "$tmp/want1" "$tmp/got1"
for p in 0 1 2; do
	grep "^$p " "$tmp/out" >"$tmp/order$p"
	grep "^$p " "$tmp/want1" >"$tmp/want_order$p"
	kt_check "partition $p's records come in offset order" \
		diff "$tmp/want_order$p" "$tmp/order$p"
done
kt_check "the summary on stderr counts 9 records and no error" \
	grep -qx 'kfk consume: 9 records, 0 errors' "$tmp/err"
consume -t "$t" --partitions 3 -e --from-beginning -f '%p %o %k=%s [%h] %K %S\n' -q
sort -k1,1n -k2,2n "$tmp/out" >"$tmp/got1b"
kt_check "--from-beginning reads the same as -o beginning" diff "$tmp/want1" "$tmp/got1b"
kt_check "-q prints nothing on stderr" test ! -s "$tmp/err"
consume -t "$t" -e --from-beginning -f '%p %o %k=%s [%h] %K %S\n' -q
sort -k1,1n -k2,2n "$tmp/out" >"$tmp/got1d"
kt_check "without -p or --partitions every partition is read" diff "$tmp/want1" "$tmp/got1d"
consume -t "$t" -p 7 -e -o beginning -q
kt_check "a partition the topic lacks is an error, not a wait" \
	grep -qx "kfk consume: $t \[7\]: topic $t has 3 partitions" "$tmp/err"
consume -t "$t" -p 2 -p 0 -e -o beginning -f '%t|%p|%o\n' -q
printf '%s\n' "$t|0|0" "$t|0|1" "$t|2|0" "$t|2|1" "$t|2|2" "$t|2|3" >"$tmp/want1c"
sort "$tmp/out" >"$tmp/got1c"
kt_check "-p 2 -p 0 reads those partitions only; %t is the topic" diff "$tmp/want1c" "$tmp/got1c"
consume -t "$t" --partitions 3 -e -o beginning -f 'v=%s\t|\\\n' -q
kt_check "\\t and \\\\ in a format" grep -qx "$(printf 'v=zero-0\t|\\\\')" "$tmp/out"

# 2. -c stops after that many records.
consume -t "$t" --partitions 3 -o beginning -c 4 -f '%k\n'
kt_check "-c 4 exits 0 without -e" test $? -eq 0
kt_check "-c 4 prints 4 records" test "$(wc -l <"$tmp/out")" -eq 4
kt_check "-c 4: the summary counts 4" grep -qx 'kfk consume: 4 records, 0 errors' "$tmp/err"
consume -t "$t" -p 1 -o beginning -c 2 -f '%k\n' -e
kt_check "-c 2 on partition 1 gives its first 2 records" diff <(printf 'c\nd\n') "$tmp/out"
consume -t "$t" -p 0 -o beginning -c 100 -e -f '%k\n'
kt_check "-c 100 -e stops at the end with the 2 records there" diff <(printf 'a\nb\n') "$tmp/out"

# 3. -o -N (the last N of each partition), -o N, the default.
consume -t "$t" -p 1 -p 2 -e -o -2 -f '%p %o %s\n' -q
printf '%s\n' '1 1 one-1' '1 2 one-2' '2 2 two-2' '2 3 two-3' >"$tmp/want3"
sort "$tmp/out" >"$tmp/got3"
kt_check "-o -2 reads the last 2 records of each partition" diff "$tmp/want3" "$tmp/got3"
consume -t "$t" -p 2 -e -o 3 -f '%o %s\n' -q
kt_check "-o 3 starts at offset 3" diff <(printf '3 two-3\n') "$tmp/out"
consume -t "$t" --partitions 3 -e -o end -f '%s\n'
kt_check "-o end -e exits 0 with nothing printed" test $? -eq 0 -a ! -s "$tmp/out"
consume -t "$t" --partitions 3 -e -f '%s\n' -q
kt_check "by default (auto.offset.reset=latest) -e reads nothing" test ! -s "$tmp/out"
consume -t "$t" --partitions 3 -e -f '%s\n' -q -X auto.offset.reset=earliest
kt_check "by default with -X auto.offset.reset=earliest -e reads all 9" \
	test "$(wc -l <"$tmp/out")" -eq 9

# 4. The console consumer's properties.
consume -t "$t" -p 0 -e -o beginning -q --property print.key=true \
	--property print.partition=true --property print.offset=true
printf 'Partition:0\tOffset:0\ta\tzero-0\nPartition:0\tOffset:1\tb\tzero-1\n' >"$tmp/want4"
kt_check "print.partition, print.offset, print.key with the default separator" \
	diff "$tmp/want4" "$tmp/out"
consume -t "$t" -p 2 -e -o 3 -q --property print.headers=true \
	--property print.key=true --property key.separator=' | '
kt_check "print.headers (k:v,k:v) and key.separator" \
	diff <(printf 'h1:x,h2:y | i | two-3\n') "$tmp/out"
consume -t "$t" -p 0 -e -o 1 -q --property print.headers=true
kt_check "print.headers without headers prints NO_HEADERS" \
	diff <(printf 'NO_HEADERS\tzero-1\n') "$tmp/out"
consume -t "$t" -p 0 -e -o 1 -q --property print.timestamp=true
kt_check "print.timestamp prints CreateTime:<ms>" \
	grep -qxE "CreateTime:[0-9]{13}$(printf '\t')zero-1" "$tmp/out"
consume -t "$t" -p 1 -e -o beginning -q
kt_check "without -f nor --property: the values, one a line" \
	diff <(printf 'one-0\none-1\none-2\n') "$tmp/out"

# 5. --json, parsed by Python: escapes, UTF-8, a non-UTF-8 byte, a null key.
tj=$t-json
topic "$tj" 1
{
	printf 'k1:plain\n'
	printf 'q"k:a "quote" and a \\ backslash\ttab\n'
	printf 'utf:caf\xc3\xa9 \xe2\x98\x95\n'
	printf 'bin:bad\xff\xc3(byte\n'
	printf 'ctl:bell\x07\x1f\n'
} | produce "$tj" 0 -K: -H src=json -H 'w=a"b'
printf 'no key\n' | produce "$tj" 0
consume -t "$tj" -p 0 -e -o beginning --json -q
kt_check "--json exits 0" test $? -eq 0
cat >"$tmp/check5.py" <<'EOF'
import json, sys
want = [
    (b"k1", b"plain"),
    (b'q"k', b'a "quote" and a \\ backslash\ttab'),
    (b"utf", "café ☕".encode()),
    (b"bin", b"bad\xff\xc3(byte"),
    (b"ctl", b"bell\x07\x1f"),
    (None, b"no key"),
]
raw = open(sys.argv[1], "rb").read()
lines = raw.split(b"\n")
assert lines[-1] == b"", "the output ends with a newline"
lines = lines[:-1]
assert len(lines) == len(want), "%d lines, want %d" % (len(lines), len(want))
def b(s):
    return None if s is None else s.encode("utf-8", "surrogateescape")
for i, (line, (key, value)) in enumerate(zip(lines, want)):
    o = json.loads(line)
    assert set(o) == {"topic", "partition", "offset", "timestamp", "key",
                      "value", "headers"}, sorted(o)
    assert o["topic"] == sys.argv[2], o["topic"]
    assert o["partition"] == 0 and o["offset"] == i, (o["partition"], o["offset"])
    assert isinstance(o["timestamp"], int) and o["timestamp"] > 1.6e12, o["timestamp"]
    assert b(o["key"]) == key, (o["key"], key)
    assert b(o["value"]) == value, (o["value"], value)
    hdrs = [{"key": "src", "value": "json"}, {"key": "w", "value": 'a"b'}]
    assert o["headers"] == (hdrs if key is not None else []), o["headers"]
# Raw bytes that are not UTF-8 never reach the output: it is valid UTF-8.
raw.decode("utf-8")
print("ok")
EOF
python3 "$tmp/check5.py" "$tmp/out" "$tj" >"$tmp/py5" 2>&1
kt_check "--json: one object per record with every field; the exact bytes come back" \
	grep -qx ok "$tmp/py5"
[ "$(cat "$tmp/py5")" = ok ] || cat "$tmp/py5"
consume -t "$tj" -p 0 -e -o 5 -f '[%k] %K %S\n' -q
kt_check "a null key prints as nothing with %k and -1 with %K" \
	diff <(printf '[] -1 6\n') "$tmp/out"

# 6. -o s@MS: the first record at or after a time.
tt=$t-time
topic "$tt" 1
printf 'early-1\nearly-2\n' | produce "$tt" 0
sleep 1.2
ms=$(($(date +%s%N) / 1000000))
sleep 0.2
printf 'late-1\nlate-2\n' | produce "$tt" 0
consume -t "$tt" -p 0 -e -o "s@$ms" -f '%o %s\n' -q
kt_check "-o s@MS starts at the first record at or after MS" \
	diff <(printf '2 late-1\n3 late-2\n') "$tmp/out"
consume -t "$tt" -p 0 -e -o "s@$ms" -f '%T\n' -q
ts_ok=1
while read -r ts; do [ "$ts" -ge "$ms" ] || ts_ok=0; done <"$tmp/out"
kt_check "%T is each record's timestamp in ms (at or after MS here)" test "$ts_ok" -eq 1 -a -s "$tmp/out"

# 7. kfk perf consume: COUNT records from the beginning, or what there is.
tp=$t-perf
topic "$tp" 2
timeout 120 "$kfk" perf produce -b "$bs" -t "$tp" -c 3000 -s 100 -q >/dev/null 2>&1
kt_check "kfk perf produce writes 3000 records" test $? -eq 0
jnum() { grep -o "\"$1\":[^,}]*" "$2" | head -n 1 | cut -d: -f2; }
timeout 120 "$kfk" perf consume -b "$bs" -t "$tp" --partitions 2 -c 3000 --json -q \
	>"$tmp/perf1" 2>"$tmp/perf1e"
kt_check "perf consume -c 3000 exits 0" test $? -eq 0
kt_check "perf consume prints one JSON line" \
	python3 -c 'import json,sys; l=open(sys.argv[1]).read().splitlines(); assert len(l)==1; json.loads(l[0])' "$tmp/perf1"
kt_check "perf consume: records 3000, errors 0, bytes 300000" \
	test "$(jnum records "$tmp/perf1")/$(jnum errors "$tmp/perf1")/$(jnum bytes "$tmp/perf1")" = 3000/0/300000
kt_check "perf consume: rate, cpu per record and rss are reported" \
	awk "BEGIN { exit !($(jnum records_per_s "$tmp/perf1") > 0 && \
		$(jnum us_per_record "$tmp/perf1") > 0 && $(jnum max_rss_kb "$tmp/perf1") > 0) }"
timeout 120 "$kfk" perf consume -b "$bs" -t "$tp" --partitions 2 -c 5000 \
	>"$tmp/perf2" 2>"$tmp/perf2e"
kt_check "perf consume -c 5000 of 3000 stops at the end, exit 0" test $? -eq 0
kt_check "perf consume says where it stopped" \
	grep -qx 'kfk perf consume: every partition ended after 3000 records' "$tmp/perf2e"
kt_check "perf consume's summary counts 3000 consumed" \
	grep -qE '^kfk [^ ]+: 3000 records consumed, 0 errors, ' "$tmp/perf2"

# 8. examples/consumer prints every record and stops at the end.
timeout 60 "$KFK_BUILDDIR/examples/consumer" "$bs" "$t" 3 >"$tmp/ex" 2>&1
kt_check "examples/consumer exits 0" test $? -eq 0
kt_check "examples/consumer prints the 9 records" \
	test "$(grep -c '^partition [0-2] offset [0-3]: key=[a-i] value=' "$tmp/ex")" -eq 9
kt_check "examples/consumer prints key and value" \
	grep -qx 'partition 1 offset 2: key=e value=one-2' "$tmp/ex"
kt_done
