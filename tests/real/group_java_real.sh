#!/usr/bin/env bash
# kfk and Java consumers in one group, against a real Kafka, for each of
# range, roundrobin and cooperative-sticky: two kfk consume -G members and
# one Java member (KfkPeer group-member) form a group over 12 partitions,
# one more of each joins, then one of each leaves, all while records are
# written; then the rest stop cleanly. After each step every partition is
# owned by exactly one member (from the members' rebalance events, kfk
# consume's and the Java listener's); every record is read exactly once
# across the five (each commits what it printed, and on revoke, before
# another takes the partition); the joiners get partitions; with
# cooperative-sticky no member ever gives up all it holds at once, only
# what moves (eager: all of it, every time).
. "$KFK_SRCDIR/tests/kt.sh"
. "$KFK_SRCDIR/tests/real/group_lib.sh"
kfk="$KFK_BUILDDIR/tools/kfk"
if [ -z "${KFK_KAFKA_BOOTSTRAP:-}" ]; then
	if [ -n "${KFK_KAFKA_SKIP:-}" ]; then
		kt_skip "kfk and Java consumers in one group" "$KFK_KAFKA_SKIP"
	else
		kt_not_ok "a real Kafka to consume from" \
			"${KFK_KAFKA_ERROR:-run this test through tests/run-tests, which starts one}"
	fi
	kt_done
fi
bs=$KFK_KAFKA_BOOTSTRAP
kafka="$KFK_SRCDIR/tests/kafka/kafka.sh"
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT

# kmember NAME GROUP TOPIC STRATEGY: kfk consume -G in the background.
kmember() {
	"$kfk" consume -b "$bs" -G "$2" -t "$3" -o beginning -f '%p %o\n' \
		-X partition.assignment.strategy="$4" \
		-X auto.commit.interval.ms=500 -X session.timeout.ms=6000 \
		-X heartbeat.interval.ms=500 >"$tmp/$1.out" 2>"$tmp/$1.err" &
	pids+=($!)
	eval "pid_$1=$!"
}
# jmember NAME GROUP TOPIC STRATEGY: the Java member in the background;
# it stops once $tmp/NAME.stop exists.
jmember() {
	bash "$kafka" peer group-member --bootstrap "$bs" --group "$2" \
		--topic "$3" --strategy "$4" --stop-file "$tmp/$1.stop" \
		--timeout-ms 240000 >"$tmp/$1.out" 2>"$tmp/$1.err" &
	pids+=($!)
	eval "pid_$1=$!"
}
events="$KFK_SRCDIR/tests/real/group_events.py"
# owners STRATEGY LOG...: until the members' rebalance events say each of
# the 12 partitions is owned by exactly one of them (30 s: a cooperative
# rebalance hands withheld partitions over in a second round).
owners() {
	local s=$1 end=$((SECONDS + 30))
	shift
	until python3 "$events" owners "$s" 12 "$@" >"$tmp/owners"; do
		[ $SECONDS -lt $end ] || { sed 's/^/# /' "$tmp/owners"; return 1; }
		sleep 0.2
	done
}
# revokes STRATEGY LOG...: each member's revocations (group_events.py).
revokes() {
	local s=$1 f rc=0
	shift
	for f in "$@"; do
		python3 "$events" revokes "$s" "$f" >"$tmp/revokes" ||
			{ rc=1; sed "s|^|# ${f##*/}: |" "$tmp/revokes"; }
	done
	return $rc
}

for s in range roundrobin cooperative-sticky; do
	t=group-java-$s-$$
	g=gj-$s-$$
	bash "$kafka" topic "$t" 12 2>"$tmp/topic.err" >/dev/null
	kt_check "$s: topic $t with 12 partitions is created" test $? -eq 0
	rm -f "$tmp"/*.out "$tmp"/*.stop
	kmember k1 "$g" "$t" "$s"
	kmember k2 "$g" "$t" "$s"
	jmember j1 "$g" "$t" "$s"
	written=0
	outs=("$tmp"/{k1,k2,j1}.out)
	feed "$t" "${outs[*]}" "${outs[@]}"
	kt_check "$s: two kfk members and a Java one share the group ($written records)" \
		test $? -eq 0
	kt_check "$s: each partition owned by one member" \
		owners "$s" "$tmp"/{k1,k2,j1}.err
	kmember k3 "$g" "$t" "$s"
	jmember j2 "$g" "$t" "$s"
	outs=("$tmp"/{k1,k2,j1,k3,j2}.out)
	feed "$t" "$tmp/k3.out $tmp/j2.out" "${outs[@]}"
	kt_check "$s: a kfk and a Java member join and get partitions ($written records)" \
		test $? -eq 0
	kt_check "$s: after the joins each partition owned by one member" \
		owners "$s" "$tmp"/{k1,k2,j1,k3,j2}.err
	# A kfk member and then a Java one leave while records come.
	kill -TERM "$pid_k1"
	wait "$pid_k1"
	rc=$?
	touch "$tmp/j1.stop"
	wait "$pid_j1"
	kt_check "$s: a kfk and a Java member leave cleanly" test $rc -eq 0 -a $? -eq 0
	before=$written
	feed "$t" "" "${outs[@]}"
	kt_check "$s: the others read on ($((written - before)) more)" test $? -eq 0
	kt_check "$s: after the leaves each partition owned by one member" \
		owners "$s" "$tmp"/{k2,k3,j2}.err
	kill -TERM "$pid_k2" "$pid_k3"
	touch "$tmp/j2.stop"
	rc=0
	for p in $pid_k2 $pid_k3 $pid_j2; do
		wait "$p" || rc=1
	done
	kt_check "$s: the last three stop cleanly" test $rc -eq 0
	kt_check "$s: $written records, each read exactly once ($(lines "${outs[@]}") lines)" \
		test "$(lines "${outs[@]}")" -eq "$written" -a \
		"$(unique "${outs[@]}")" -eq "$written"
	kt_check "$s: every member's revocations are $( [ $s = cooperative-sticky ] && echo "part of what it holds" || echo "all it holds")" \
		revokes "$s" "$tmp"/{k1,k2,k3,j1,j2}.err
	grep -hv '^assigned\|^revoked\|^lost\|^kfk consume: ' "$tmp"/*.err | head -n 5 |
		sed 's/^/# /'
done
kt_done
