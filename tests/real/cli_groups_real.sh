#!/usr/bin/env bash
# kfk groups against the real broker, beside Kafka's kafka-consumer-groups
# (from the suite's jars): --describe prints the same table byte for byte
# (committed and log end offsets, lag, and the member's id, host and
# client id) for a group with no members and for one with a member;
# --list lists the same groups, --describe --all-groups describes them
# all; --reset-offsets prints the same plan for each spec, --dry-run moves
# nothing, --execute moves exactly what was asked, a group with a member
# is refused, a reset of many partitions says how it goes on stderr;
# --delete-offsets prints kafka-consumer-groups' lines and deletes what
# was asked; a group that does not exist and usage errors are said, exit
# 1 and 2.
. "$KFK_SRCDIR/tests/kt.sh"
. "$KFK_SRCDIR/tests/real/admin_lib.sh"
needs_broker "kfk groups against a real Kafka"
# same WHAT ARGS...: kfk groups and kafka-consumer-groups print the same.
same() { same_as kafka-consumer-groups groups "$@"; }
member=
cleanup() { [ -n "$member" ] && kill -9 "$member" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
p=kg-$$
cg() { bash "$kafka" tool kafka-consumer-groups --bootstrap-server "$bs" "$@"; }

# write N: N records to each of the 3 partitions.
write() {
	local q rc=0
	for q in 0 1 2; do
		seq 1 "$1" | "$kfk" produce -b "$bs" -t "$p-t" -p "$q" \
			>/dev/null 2>&1 || rc=1
	done
	return $rc
}
bash "$kafka" topic "$p-t" 3 2>/dev/null
write 10
kt_check "30 records written, 10 to each partition" test $? -eq 0

# A group that read everything and left: no members, lag 0.
"$kfk" consume -b "$bs" -G "$p-done" -t "$p-t" -o beginning -e -q \
	>/dev/null 2>&1
kt_check "a group reads the topic and leaves" test $? -eq 0
same "describe a group without members" --describe --group "$p-done"
grep -q "has no active members" "$tmp/kfk.err"
kt_check "both say it has no active members" test $? -eq 0 -a \
	-n "$(grep "has no active members" "$tmp/java.err")"
write 3
same "describe it with a lag of 9 records" --describe --group "$p-done"
kt_check "the lags add up to 9" test "$(awk 'NR > 2 { s += $6 } END { print s }' \
	"$tmp/kfk.out")" = 9
same "a group without members (--members)" --describe --group "$p-done" \
	--members
same "a group without members (--state)" --describe --group "$p-done" \
	--state

# A group with a member reading.
"$kfk" consume -b "$bs" -G "$p-live" -t "$p-t" -o beginning -q \
	-X client.id=kg-member >/dev/null 2>&1 &
member=$!
same "describe a group with a member" --describe --group "$p-live"
grep -q "kg-member" "$tmp/kfk.out"
kt_check "the member's client id is shown" test $? -eq 0
same "its members (--members)" --describe --group "$p-live" --members
same "its state (--state)" --describe --group "$p-live" --state
"$kfk" groups -b "$bs" --delete --group "$p-live" >/dev/null 2>"$tmp/err"
rc=$?
kt_check "delete a group with a member: exit 1 ($(tail -n 1 "$tmp/err"))" \
	test $rc -eq 1 -a -n "$(grep "'$p-live'.*NON_EMPTY_GROUP" "$tmp/err")"
# A group with a member cannot be reset.
"$kfk" groups -b "$bs" --reset-offsets --group "$p-live" --all-topics \
	--to-earliest --execute >/dev/null 2>"$tmp/err"
rc=$?
kt_check "reset a group with a member: exit 1 ($(cat "$tmp/err"))" \
	test $rc -eq 1 -a -n "$(grep "inactive, but the current state is Stable" "$tmp/err")"
# Nor its offsets deleted while it consumes the topic: Kafka's lines.
same "delete-offsets of a group with a member: Kafka's refusal" \
	--delete-offsets --group "$p-live" --topic "$p-t:2"
kill -TERM "$member"
wait "$member"
member=

# Reset plans: the same as kafka-consumer-groups' (dry runs).
for spec in --to-earliest --to-latest --to-current "--to-offset 5" \
	"--shift-by -4" "--to-datetime 2000-01-01T00:00:00.000" \
	"--to-datetime 2100-01-01T00:00:00.000" "--by-duration P1DT2H"; do
	# shellcheck disable=SC2086
	same "reset plan $spec" --reset-offsets --group "$p-done" \
		--topic "$p-t" $spec
done
same "a reset plan for one partition" --reset-offsets --group "$p-done" \
	--topic "$p-t:1" --to-offset 2
same "dry runs moved nothing" --describe --group "$p-done"
kt_check "still 30 committed" test "$(awk 'NR > 2 { s += $4 } END { print s }' \
	"$tmp/kfk.out")" = 30

# --execute: exactly what was asked.
"$kfk" groups -b "$bs" --reset-offsets --group "$p-done" --topic "$p-t:0" \
	--to-offset 1 --execute >"$tmp/out" 2>&1
kt_check "reset partition 0 to 1: exit 0" test $? -eq 0
same "describe after it" --describe --group "$p-done"
before=$(awk 'NR > 2 && $3 != 0 { print $3, $4 }' "$tmp/kfk.out")
kt_check "partition 0 at 1" test "$(awk 'NR > 2 && $3 == 0 { print $4 }' \
	"$tmp/kfk.out")" = 1
"$kfk" groups -b "$bs" --reset-offsets --group "$p-done" --all-topics \
	--shift-by 2 --execute >/dev/null 2>&1
kt_check "shift every partition by 2: exit 0" test $? -eq 0
same "describe after the shift" --describe --group "$p-done"
kt_check "partition 0 at 3" test "$(awk 'NR > 2 && $3 == 0 { print $4 }' \
	"$tmp/kfk.out")" = 3
kt_check "the others moved by 2, within their logs" test \
	"$(awk 'NR > 2 && $3 != 0 { print $3, ($4 < $5 ? $4 : $5) }' "$tmp/kfk.out")" = \
	"$(echo "$before" | awk '{ print $1, $2 + 2 }' | while read -r q o; do
		e=$(awk -v q="$q" 'NR > 2 && $3 == q { print $5 }' "$tmp/kfk.out")
		[ "$o" -gt "$e" ] && o=$e
		echo "$q $o"
	done)"

# --list: the same groups (kafka-consumer-groups lists them in the
# broker's order, kfk sorted).
"$kfk" groups -b "$bs" --list >"$tmp/kfk.out" 2>"$tmp/kfk.err"
rc=$?
cg --list | sort >"$tmp/java.out"
kt_check "list: exit 0, the same groups" test $rc -eq 0 -a -n \
	"$(grep -x "$p-live" "$tmp/kfk.out")"
comm -3 "$tmp/kfk.out" "$tmp/java.out" | grep "$p-" >"$tmp/diff"
kt_check "list: ours in both" test ! -s "$tmp/diff"

# Every consumer group of the cluster, in kafka-consumer-groups' order.
same "describe --all-groups" --describe --all-groups
grep -q "^$p-done " "$tmp/kfk.out"
kt_check "--all-groups has this script's group" test $? -eq 0

# Delete offsets: kfk for partition 0, kafka-consumer-groups for 1, the
# same lines; then neither has a committed offset, 2 still has.
"$kfk" groups -b "$bs" --delete-offsets --group "$p-done" --topic "$p-t:0" \
	>"$tmp/kfk.out" 2>&1
rc=$?
cg --delete-offsets --group "$p-done" --topic "$p-t:1" 2>/dev/null |
	sed "s/^\($p-t  *\)1 /\10 /" >"$tmp/java.out"
kt_check "delete-offsets of one partition: exit 0, kafka-consumer-groups' lines" \
	test $rc -eq 0 -a -s "$tmp/kfk.out" -a \
	"$(diff "$tmp/java.out" "$tmp/kfk.out")" = ""
same "describe after both deleted a partition's offset" \
	--describe --group "$p-done"
# (Without members only committed partitions are listed.)
awk -v t="$p-t" '$2 == t { print $3 ":" $4 }' "$tmp/kfk.out" | sort |
	tr '\n' ' ' | grep -Eq '^2:[0-9]+ $'
kt_check "partitions 0 and 1 have no committed offset, 2 has" test $? -eq 0
"$kfk" groups -b "$bs" --delete-offsets --group "$p-none" --topic "$p-t" \
	>"$tmp/kfk.out" 2>&1
rc=$?
kt_check "delete-offsets of a group that does not exist: exit 1, Kafka's line" \
	test $rc -eq 1 -a -n "$(grep "^Error: The group id does not exist." "$tmp/kfk.out")"

# Long work says how it goes, on stderr: a reset of 150 partitions.
bash "$kafka" topic "$p-wide" 150 2>/dev/null
"$kfk" groups -b "$bs" --reset-offsets --group "$p-wide-g" --topic "$p-wide" \
	--to-earliest --execute >"$tmp/out" 2>"$tmp/err"
rc=$?
kt_check "a reset of 150 partitions: exit 0, the plan's 150 rows on stdout" \
	test $rc -eq 0 -a "$(grep -c "^$p-wide-g " "$tmp/out")" -eq 150
kt_check "and its progress on stderr ($(tail -n 1 "$tmp/err"))" test \
	"$(sed 's/in [0-9]* ms/in N ms/' "$tmp/err")" = \
	"kfk groups: group $p-wide-g: finding the offsets of 150 partitions...
kfk groups: group $p-wide-g: committing 150 partitions...
kfk groups: group $p-wide-g: committed the offsets of 150 partitions in N ms"

# Delete: Kafka's line; then it is gone, and a second delete says so.
"$kfk" groups -b "$bs" --delete --group "$p-done" >"$tmp/out" 2>&1
rc=$?
kt_check "delete a group without members: exit 0, Kafka's words" \
	test $rc -eq 0 -a "$(cat "$tmp/out")" = \
	"Deletion of requested consumer groups ('$p-done') was successful."
"$kfk" groups -b "$bs" --describe --group "$p-done" >/dev/null 2>"$tmp/err"
kt_check "it no longer exists" test $? -eq 1
"$kfk" groups -b "$bs" --delete --group "$p-done" >/dev/null 2>"$tmp/err"
rc=$?
kt_check "delete it again: exit 1 ($(tail -n 1 "$tmp/err"))" \
	test $rc -eq 1 -a -n "$(grep "'$p-done'.*GROUP_ID_NOT_FOUND" "$tmp/err")"

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
