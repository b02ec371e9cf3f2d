#!/usr/bin/env bash
# At-least-once across faults, with kfk consume -G as the group's members
# (each a process, so one can be killed outright), against a real Kafka:
#  1. Three members read and print "partition offset" per record of a
#     topic with 6 partitions while 1,000,000 records are written; one is
#     killed with SIGKILL mid-way and another member started; at the end
#     every record was printed at least once, and every duplicate is a
#     record the killed member printed after its last commit (a contiguous
#     tail per partition).
#  2. The same with a clean stop (SIGTERM: commit, leave): no duplicate.
# The members read as fast as the records are written, so "mid-way" is
# while the writer is still writing, whatever the machine's speed.
# Members flush what they print before their next poll, which is what lets
# the consumer commit it, so a killed member never loses a record.
. "$KFK_SRCDIR/tests/kt.sh"
. "$KFK_SRCDIR/tests/real/group_lib.sh"
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
# $tmp/NAME.out.
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
# 1. Three members form a group, then read 1,000,000 more records as they
#    are written; one is killed mid-way (the writer is still at it) and
#    another starts.
t=cli-group-$$
bash "$KFK_SRCDIR/tests/kafka/kafka.sh" topic "$t" 6 2>"$tmp/topic.err"
kt_check "topic $t with 6 partitions is created" test $? -eq 0
member a g1-$$ "$t"
member b g1-$$ "$t"
member c g1-$$ "$t"
written=0
files=("$tmp"/{a,b,c}.out)
feed "$t" "${files[*]}" "${files[@]}"
kt_check "three members form a group ($written records read, each some)" \
	test $? -eq 0
first=$written
produce "$t" 1000000 &
writer=$!
wait_lines $((first + 30000)) "$tmp"/{a,b,c}.out
kill -9 "$pid_a"
wait "$pid_a" 2>/dev/null
at_kill=$(unique "$tmp"/{a,b,c}.out)
member d g1-$$ "$t"
wait "$writer"
kt_check "1,000,000 more records are produced" test $? -eq 0
all=$((first + 1000000))
kt_check "member a is killed (SIGKILL) before the end ($at_kill of $all read)" \
	test "$at_kill" -lt "$all"
wait_for "$all" "$tmp"/{a,b,c,d}.out
kt_check "after the kill and a new member, all $all records were read" test $? -eq 0
for p in $pid_b $pid_c $pid_d; do kill -TERM "$p"; done
for p in $pid_b $pid_c $pid_d; do wait "$p"; done
kt_check "the others stop cleanly on SIGTERM" test $? -eq 0

total=$(lines "$tmp"/{a,b,c,d}.out)
dups=$((total - all))
echo "# $total lines, $dups duplicates"
sort "$tmp"/{a,b,c,d}.out | uniq -d >"$tmp/dups"
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

# 2. The same with a clean stop (SIGTERM: commit, leave): no duplicate.
t2=cli-group2-$$
bash "$KFK_SRCDIR/tests/kafka/kafka.sh" topic "$t2" 6 2>"$tmp/topic.err"
member x g2-$$ "$t2"
member y g2-$$ "$t2"
written=0
files=("$tmp"/{x,y}.out)
feed "$t2" "${files[*]}" "${files[@]}"
kt_check "two members form a group ($written records read, each some)" \
	test $? -eq 0
all=$((written + 100000))
produce "$t2" 100000 &
writer=$!
wait_lines $((written + 20000)) "$tmp"/{x,y}.out
kill -TERM "$pid_x"
wait "$pid_x"
kt_check "member x stops cleanly on SIGTERM mid-way" test $? -eq 0
wait "$writer"
kt_check "100,000 more records are produced" test $? -eq 0
wait_for "$all" "$tmp"/{x,y}.out
kt_check "member y reads the rest" test $? -eq 0
kill -TERM "$pid_y"
wait "$pid_y"
kt_check "with a clean stop: $all records, no duplicate" \
	test "$(lines "$tmp"/{x,y}.out)" -eq "$all"
kt_done
