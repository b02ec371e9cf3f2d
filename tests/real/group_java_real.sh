#!/usr/bin/env bash
# kfk and Java consumers in one group, against a real Kafka, for each of
# range, roundrobin and cooperative-sticky: two kfk consume -G members and
# one Java member (KfkPeer group-member) form a group over 12 partitions,
# then one more of each joins while records are written, then all stop
# cleanly. Every record is read exactly once across the five (each commits
# what it printed, and on revoke, before another takes the partition),
# the late joiners get partitions, and with cooperative-sticky the first
# Java member only ever gives up some of what it holds (eager: all of it).
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
	"$kfk" consume -b "$bs" -G "$2" -t "$3" -o beginning -q -f '%p %o\n' \
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
# The first Java member's rebalances: cooperative revokes are strictly
# part of what it holds and assignments add to it; eager ones revoke all.
# Its last line, everything revoked as it closes, is left out.
check_revokes() {
	python3 - "$1" "$2" <<-'PY'
		import sys
		owned, coop, bad = set(), sys.argv[2] == "cooperative-sticky", []
		events = [l.split() for l in open(sys.argv[1])]
		events = [w for w in events if len(w) == 2 and w[0] in ("assigned", "revoked", "lost")]
		for w in events[:-1]:
		    ps = set() if w[1] == "-" else {int(p) for p in w[1].split(",")}
		    if w[0] == "assigned":
		        owned = owned | ps if coop else ps
		    elif coop and ps and not ps < owned:
		        bad.append("revoked %s of %s" % (sorted(ps), sorted(owned)))
		    elif not coop and w[0] == "revoked" and ps != owned:
		        bad.append("eager revoked %s of %s" % (sorted(ps), sorted(owned)))
		    else:
		        owned -= ps
		print("; ".join(bad))
		sys.exit(1 if bad else 0)
	PY
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
	kmember k3 "$g" "$t" "$s"
	jmember j2 "$g" "$t" "$s"
	outs=("$tmp"/{k1,k2,j1,k3,j2}.out)
	feed "$t" "$tmp/k3.out $tmp/j2.out" "${outs[@]}"
	kt_check "$s: a kfk and a Java member join and get partitions ($written records)" \
		test $? -eq 0
	kill -TERM "$pid_k1" "$pid_k2" "$pid_k3"
	touch "$tmp/j1.stop" "$tmp/j2.stop"
	rc=0
	for p in $pid_k1 $pid_k2 $pid_k3 $pid_j1 $pid_j2; do
		wait "$p" || rc=1
	done
	kt_check "$s: all five stop cleanly" test $rc -eq 0
	kt_check "$s: $written records, each read exactly once ($(lines "${outs[@]}") lines)" \
		test "$(lines "${outs[@]}")" -eq "$written" -a \
		"$(unique "${outs[@]}")" -eq "$written"
	kt_check "$s: the first Java member's revocations" \
		check_revokes "$tmp/j1.err" "$s"
	grep -v '^assigned\|^revoked\|^lost' "$tmp/j1.err" "$tmp/j2.err" | head -n 5 |
		sed 's/^/# /'
done
kt_done
