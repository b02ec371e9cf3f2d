#!/usr/bin/env bash
# At-least-once across faults, with kfk consume -G as the group's members
# (each a process, so one can be killed outright), against a real Kafka:
#  1. 1,000,000 records on 6 partitions; three members read and print
#     "partition offset" per record; one is killed with SIGKILL mid-way
#     and another member started; at the end every record was printed at
#     least once, and every duplicate is a record the killed member
#     printed after its last commit (a contiguous tail per partition).
#  2. The same with a clean stop (SIGTERM: commit, leave): no duplicate.
# Members flush what they print before their next poll, which is what lets
# the consumer commit it, so a killed member never loses a record.
. "$KFK_SRCDIR/tests/kt.sh"
kfk="$KFK_BUILDDIR/tools/kfk"
if [ -z "${KFK_KAFKA_BOOTSTRAP:-}" ]; then
	if [ -n "${KFK_KAFKA_SKIP:-}" ]; then
		kt_skip "consumer groups across faults against a real Kafka" "$KFK_KAFKA_SKIP"
	else
		kt_not_ok "a real Kafka to consume from" \
			"${KFK_KAFKA_ERROR:-run this test through tests/run-tests, which starts one}"
	fi
	kt_done
fi
bs=$KFK_KAFKA_BOOTSTRAP
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT

# member NAME GROUP TOPIC: a member in the background, printing to
# $tmp/NAME.out; small fetches keep it slow enough to be caught mid-way.
member() {
	# Not under timeout(1): the signals below must reach kfk itself; the
	# waits are bounded and the exit trap kills what is left.
	"$kfk" consume -b "$bs" -G "$2" -t "$3" -o beginning -q \
		-f '%p %o\n' -X auto.commit.interval.ms=500 \
		-X max.partition.fetch.bytes=1024 -X session.timeout.ms=6000 \
		-X heartbeat.interval.ms=500 >"$tmp/$1.out" 2>"$tmp/$1.err" &
	pids+=($!)
	eval "pid_$1=$!"
}
# lines FILES...: records printed so far, all members together.
lines() { cat "$@" 2>/dev/null | wc -l; }
unique() { cat "$@" 2>/dev/null | sort -u | wc -l; }
# wait_lines N FILES...: until the members printed N lines (bounded).
wait_lines() {
	local want=$1 end=$((SECONDS + 120))
	shift
	while [ "$(lines "$@")" -lt "$want" ]; do
		[ $SECONDS -lt $end ] || return 1
		sleep 0.02
	done
}
# wait_for N FILES...: until the members printed N distinct records
# (bounded: 180 s). Lines are counted often, distinct ones only once
# there are enough lines.
wait_for() {
	local want=$1 end=$((SECONDS + 180))
	shift
	while [ "$(lines "$@")" -lt "$want" ] ||
	      [ "$(unique "$@")" -lt "$want" ]; do
		[ $SECONDS -lt $end ] || return 1
		sleep 0.05
	done
}

t=cli-group-$$
bash "$KFK_SRCDIR/tests/kafka/kafka.sh" topic "$t" 6 2>"$tmp/topic.err"
kt_check "topic $t with 6 partitions is created" test $? -eq 0
# Small batches: with max.partition.fetch.bytes=1024 a member fetches a
# batch at a time, slow enough to be killed mid-way.
timeout 120 "$kfk" perf produce -b "$bs" -t "$t" -c 1000000 -s 20 -q \
	-X batch.size=1024 >/dev/null
kt_check "1,000,000 records are produced" test $? -eq 0

member a g1-$$ "$t"
member b g1-$$ "$t"
member c g1-$$ "$t"
wait_lines 150000 "$tmp"/[abc].out
kt_check "three members read 150,000 records" test $? -eq 0
kill -9 "$pid_a"
wait "$pid_a" 2>/dev/null
at_kill=$(lines "$tmp"/[abc].out)
kt_check "member a is killed (SIGKILL) before the end ($at_kill read)" \
	test "$at_kill" -lt 700000
wait_lines $((at_kill + 100000)) "$tmp"/[abc].out
kt_check "the two left read on after the kill" test $? -eq 0
member d g1-$$ "$t"
wait_for 1000000 "$tmp"/[abcd].out
kt_check "after the kill and a new member, all 1,000,000 records were read" test $? -eq 0
for p in $pid_b $pid_c $pid_d; do kill -TERM "$p"; done
for p in $pid_b $pid_c $pid_d; do wait "$p"; done
kt_check "the others stop cleanly on SIGTERM" test $? -eq 0

total=$(lines "$tmp"/[abcd].out)
dups=$((total - 1000000))
echo "# $total lines, $dups duplicates"
sort "$tmp"/[abcd].out | uniq -d >"$tmp/dups"
# Every duplicate is one member a printed, and per partition they are the
# last offsets a printed of it: the window it had not committed.
sort -u "$tmp/a.out" >"$tmp/a.sorted"
kt_check "every duplicate ($dups) was printed by the killed member" \
	test -z "$(comm -23 "$tmp/dups" "$tmp/a.sorted")"
python3 - "$tmp/a.out" "$tmp/dups" <<'PY'
import sys, collections
a = collections.defaultdict(list)
for line in open(sys.argv[1]):
    p, o = line.split(); a[int(p)].append(int(o))
d = collections.defaultdict(set)
for line in open(sys.argv[2]):
    p, o = line.split(); d[int(p)].add(int(o))
for p, offs in d.items():
    tail = a[p][-len(offs):]
    if set(tail) != offs:
        sys.exit("partition %d: duplicates are not a's last %d records" % (p, len(offs)))
PY
kt_check "per partition the duplicates are the killed member's uncommitted tail" test $? -eq 0

# 2. A clean stop: no duplicates.
t2=cli-group2-$$
bash "$KFK_SRCDIR/tests/kafka/kafka.sh" topic "$t2" 6 2>"$tmp/topic.err"
timeout 120 "$kfk" perf produce -b "$bs" -t "$t2" -c 200000 -s 20 -q >/dev/null
kt_check "200,000 more records are produced" test $? -eq 0
member x g2-$$ "$t2"
member y g2-$$ "$t2"
wait_lines 50000 "$tmp"/[xy].out
kill -TERM "$pid_x"
wait "$pid_x"
kt_check "member x stops cleanly on SIGTERM mid-way" test $? -eq 0
wait_for 200000 "$tmp"/[xy].out
kt_check "member y reads the rest" test $? -eq 0
kill -TERM "$pid_y"
wait "$pid_y"
kt_check "with a clean stop: 200,000 records, no duplicate" \
	test "$(lines "$tmp"/[xy].out)" -eq 200000
kt_done
