#!/usr/bin/env bash
# The Go binding (bindings/go) against the real broker: its `go test`
# cases, one TAP line each, built against the suite's libkfk (sanitized,
# so the Go programs link the ASan and UBSan runtimes); then the course's
# producer and consumer, written for confluent-kafka-go with only the
# import path changed, built and run twice: on kfk, and with the import
# switched back on confluent-kafka-go (librdkafka), each on its own topic;
# their outputs must be the same lines.
. "$KFK_SRCDIR/tests/kt.sh"
. "$KFK_SRCDIR/tests/real/admin_lib.sh"
. "$KFK_SRCDIR/tests/real/binding_lib.sh"
needs_broker "the Go binding against a real Kafka"
trap 'rm -rf "$tmp"' EXIT
if ! command -v go >/dev/null; then
	kt_not_ok "a Go toolchain" "tools/deps.sh installs golang-go when there is none"
	kt_done
fi
# Confluent's Go client, for the comparison (a served, pinned version).
ckgo=github.com/confluentinc/confluent-kafka-go/v2
ckver=v2.6.1

# A kfk.pc for the build tree: the binding's `#cgo pkg-config: kfk` then
# finds the suite's library as it finds an installed one.
kfk_pc "$tmp/pc"
export PKG_CONFIG_PATH="$tmp/pc"
if grep -q -- '-fsanitize=address' "$KFK_BUILDDIR/Makefile" 2>/dev/null; then
	export CGO_LDFLAGS="-fsanitize=address -fsanitize=undefined"
	# Go's runtime is not LeakSanitizer's to judge; a small quarantine keeps
	# the memory test's RSS about the binding, not ASan's freed-block cache.
	# Last, so that they win over the suite's detect_leaks=1.
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0:quarantine_size_mb=16"
fi
export GOFLAGS=-mod=mod
export KFK_BUILDDIR KFK_KAFKA_BOOTSTRAP
gosrc="$KFK_SRCDIR/bindings/go"

# go test -json: one TAP line per test (pass, fail with its output, skip).
(cd "$gosrc" && timeout 600 go test -count=1 -json ./kafka) >"$tmp/test.json" 2>"$tmp/test.err"
python3 - "$tmp/test.json" >"$tmp/tap" <<'PY'
import json, sys
out = {}
done = []
for line in open(sys.argv[1]):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    t = e.get("Test")
    if not t:
        continue
    if e["Action"] == "output":
        out.setdefault(t, []).append(e["Output"].rstrip("\n"))
    elif e["Action"] in ("pass", "fail", "skip"):
        done.append((t, e["Action"]))
for t, a in done:
    print("%s\t%s" % (a, t))
    if a != "pass":
        for l in out.get(t, [])[-20:]:
            print("#\t" + l)
PY
n=0
while IFS=$'\t' read -r action name; do
	case $action in
	pass) kt_ok "go test: $name"; n=$((n + 1)) ;;
	skip) kt_skip "go test: $name" "skipped by the test"; n=$((n + 1)) ;;
	fail) kt_not_ok "go test: $name" "$(awk -v t="$name" '$0 == "fail\t" t {f=1; next} /^[a-z]/ {f=0} f' "$tmp/tap")"
		n=$((n + 1)) ;;
	esac
done <"$tmp/tap"
[ "$n" -gt 0 ] || kt_not_ok "go test ran" "$(tail -n 30 "$tmp/test.err" "$tmp/test.json")"

# The course programs, on kfk and on confluent-kafka-go.
course="$gosrc/examples/course"
build_course() { # DIR IMPORT: a copy of the course with that import path
	local dir=$1 import=$2
	mkdir -p "$dir/producer" "$dir/consumer"
	for f in producer/main.go consumer/main.go; do
		sed "s#\"github.com/kfk-client/kfk/bindings/go/kafka\"#\"$import\"#" \
			"$course/$f" >"$dir/$f"
	done
}
build_course "$tmp/kfk" github.com/kfk-client/kfk/bindings/go/kafka
sed "s#=> ../..#=> $gosrc#" "$course/go.mod" >"$tmp/kfk/go.mod"
build_course "$tmp/ck" "$ckgo/kafka"
printf 'module course\n\ngo 1.21\n\nrequire %s %s\n' "$ckgo" "$ckver" >"$tmp/ck/go.mod"
for side in kfk ck; do
	for prog in producer consumer; do
		(cd "$tmp/$side" && timeout 300 go build -o "bin-$prog" "./$prog") \
			>"$tmp/$side-$prog.build" 2>&1
	done
done
kt_check "the course's producer and consumer build on kfk with only the import changed" \
	test -x "$tmp/kfk/bin-producer" -a -x "$tmp/kfk/bin-consumer"
if [ ! -x "$tmp/ck/bin-producer" ] || [ ! -x "$tmp/ck/bin-consumer" ]; then
	kt_not_ok "the same sources build on confluent-kafka-go $ckver" \
		"$(tail -n 20 "$tmp"/ck-*.build)"
else
	kt_ok "the same sources build on confluent-kafka-go $ckver"
fi
cat "$tmp"/kfk-*.build | head -n 20
for side in kfk ck; do
	topic="go-course-$side-$$"
	"$kfk" topics -b "$bs" --create --topic "$topic" --partitions 3 \
		--replication-factor 1 >/dev/null 2>&1
	[ -x "$tmp/$side/bin-producer" ] || continue
	BOOTSTRAP=$bs TOPIC=$topic timeout 60 "$tmp/$side/bin-producer" 2>"$tmp/$side-p.err" |
		sed "s/$topic/teste/" | sort >"$tmp/$side-p.out"
	BOOTSTRAP=$bs TOPIC=$topic GROUP="$topic-g" MAX_MESSAGES=6 timeout 60 \
		"$tmp/$side/bin-consumer" 2>"$tmp/$side-c.err" | sed "s/$topic/teste/" |
		sort >"$tmp/$side-c.out"
done
want_p='Sent message: teste[1]@0
Sent message: teste[1]@1
Sent message: teste[1]@2
Sent message: teste[2]@0
Sent message: teste[2]@1
Sent message: teste[2]@2'
want_c='message 0 transfer teste[1]@0
message 1 payment teste[2]@0
message 2 refund teste[2]@1
message 3 transfer teste[1]@1
message 4 payment teste[2]@2
message 5 transfer teste[1]@2'
got=$(cat "$tmp/kfk-p.out" 2>/dev/null)
[ "$got" = "$want_p" ] && kt_ok "the course's producer on kfk prints a line per delivery, as teste[1]@2" ||
	kt_not_ok "the course's producer on kfk prints a line per delivery, as teste[1]@2" \
		"got:" "$got" "stderr: $(tail -n 5 "$tmp/kfk-p.err" 2>/dev/null)"
got=$(cat "$tmp/kfk-c.out" 2>/dev/null)
[ "$got" = "$want_c" ] && kt_ok "the course's consumer on kfk reads the 6 records in its group from the earliest" ||
	kt_not_ok "the course's consumer on kfk reads the 6 records in its group from the earliest" \
		"got:" "$got" "stderr: $(tail -n 5 "$tmp/kfk-c.err" 2>/dev/null)"
for prog in p c; do
	if [ -s "$tmp/kfk-$prog.out" ] && cmp -s "$tmp/kfk-$prog.out" "$tmp/ck-$prog.out"; then
		kt_ok "the course's $([ $prog = p ] && echo producer || echo consumer) prints the same on kfk and on confluent-kafka-go"
	else
		kt_not_ok "the course's $([ $prog = p ] && echo producer || echo consumer) prints the same on kfk and on confluent-kafka-go" \
			"$(diff "$tmp/kfk-$prog.out" "$tmp/ck-$prog.out" 2>&1)" "librdkafka's stderr: $(tail -n 5 "$tmp/ck-$prog.err" 2>/dev/null)"
	fi
done
kt_done
