#!/usr/bin/env bash
# kfk groups against the real broker, beside Kafka's kafka-consumer-groups
# (from the suite's jars): --describe prints the same table byte for byte
# (committed and log end offsets, lag, and the member's id, host and
# client id) for a group with no members and for one with a member;
# --list lists the same groups; a group that does not exist and usage
# errors are said, exit 1 and 2.
. "$KFK_SRCDIR/tests/kt.sh"
kfk="$KFK_BUILDDIR/tools/kfk"
if [ -z "${KFK_KAFKA_BOOTSTRAP:-}" ]; then
	if [ -n "${KFK_KAFKA_SKIP:-}" ]; then
		kt_skip "kfk groups against a real Kafka" "$KFK_KAFKA_SKIP"
	else
		kt_not_ok "a real Kafka for kfk groups" \
			"${KFK_KAFKA_ERROR:-run this test through tests/run-tests, which starts one}"
	fi
	kt_done
fi
bs=$KFK_KAFKA_BOOTSTRAP
kafka="$KFK_SRCDIR/tests/kafka/kafka.sh"
tmp=$(mktemp -d)
member=
cleanup() { [ -n "$member" ] && kill -9 "$member" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
p=kg-$$
cg() { bash "$kafka" tool kafka-consumer-groups --bootstrap-server "$bs" "$@"; }

# same WHAT ARGS...: the same stdout from both (bounded retries: a member
# joining settles a moment later).
same() {
	local what=$1 end=$((SECONDS + 60))
	shift
	while :; do
		"$kfk" groups -b "$bs" "$@" >"$tmp/kfk.out" 2>"$tmp/kfk.err"
		cg "$@" >"$tmp/java.out" 2>"$tmp/java.err"
		cmp -s "$tmp/kfk.out" "$tmp/java.out" && [ -s "$tmp/kfk.out" ] &&
			{ kt_ok "$what"; return; }
		[ $SECONDS -lt $end ] || break
	done
	kt_not_ok "$what" "$(diff "$tmp/java.out" "$tmp/kfk.out" | head -n 20)"
}

bash "$kafka" topic "$p-t" 3 2>/dev/null
seq 1 30 | sed 's/^/k&:v/' | "$kfk" produce -b "$bs" -t "$p-t" -K : \
	>/dev/null 2>&1
kt_check "30 records written" test $? -eq 0

# A group that read everything and left: no members, lag 0.
"$kfk" consume -b "$bs" -G "$p-done" -t "$p-t" -o beginning -e -q \
	>/dev/null 2>&1
kt_check "a group reads the topic and leaves" test $? -eq 0
same "describe a group without members" --describe --group "$p-done"
grep -q "has no active members" "$tmp/kfk.err"
kt_check "both say it has no active members" test $? -eq 0 -a \
	-n "$(grep "has no active members" "$tmp/java.err")"
seq 31 39 | sed 's/^/k&:v/' | "$kfk" produce -b "$bs" -t "$p-t" -K : \
	>/dev/null 2>&1
same "describe it with a lag of 9 records" --describe --group "$p-done"
kt_check "the lags add up to 9" test "$(awk 'NR > 2 { s += $6 } END { print s }' \
	"$tmp/kfk.out")" = 9

# A group with a member reading.
"$kfk" consume -b "$bs" -G "$p-live" -t "$p-t" -o beginning -q \
	-X client.id=kg-member >/dev/null 2>&1 &
member=$!
same "describe a group with a member" --describe --group "$p-live"
grep -q "kg-member" "$tmp/kfk.out"
kt_check "the member's client id is shown" test $? -eq 0
kill -TERM "$member"
wait "$member"
member=

# --list: the same groups (kafka-consumer-groups lists them in the
# broker's order, kfk sorted).
"$kfk" groups -b "$bs" --list >"$tmp/kfk.out" 2>"$tmp/kfk.err"
rc=$?
cg --list | sort >"$tmp/java.out"
kt_check "list: exit 0, the same groups" test $rc -eq 0 -a -n \
	"$(grep -x "$p-live" "$tmp/kfk.out")"
comm -3 "$tmp/kfk.out" "$tmp/java.out" | grep "$p-" >"$tmp/diff"
kt_check "list: ours in both" test ! -s "$tmp/diff"

# Errors.
"$kfk" groups -b "$bs" --describe --group "$p-none" >/dev/null 2>"$tmp/err"
rc=$?
kt_check "a group that does not exist: exit 1 ($(cat "$tmp/err"))" \
	test $rc -eq 1 -a -n "$(grep "'$p-none' does not exist" "$tmp/err")"
"$kfk" groups -b "$bs" --describe >/dev/null 2>"$tmp/err"
rc=$?
kt_check "--describe without --group: exit 2 ($(head -n 1 "$tmp/err"))" \
	test $rc -eq 2
"$kfk" consumer-groups -b "$bs" --list >/dev/null 2>&1
kt_check "consumer-groups is the same command" test $? -eq 0
kt_done
