#!/usr/bin/env bash
# kfk's assignors against the Java client's on the same problems (no broker
# needed, only the Java client's jars): 120 problems from fixed seeds, with
# equal and unequal subscriptions, static members, a topic nobody
# subscribes to, and for cooperative-sticky the partitions members owned
# and their generations (members joining, leaving, coming back).
#  - range and roundrobin: kfk's assignment is Java's, member by member.
#  - cooperative-sticky (the Java algorithm breaks ties its own way): two
#    rounds, as a group runs them (the first withholds what moves, the
#    second gives it); tests/real/assignor_check.py says what must hold:
#    nothing lost or doubled, balance as good as Java's, and at least as
#    many owned partitions kept as Java keeps.
. "$KFK_SRCDIR/tests/kt.sh"
asg="$KFK_BUILDDIR/bench/assignor"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! bash "$KFK_SRCDIR/tests/kafka/kafka.sh" fetch >"$tmp/fetch.log" 2>&1; then
	if [ -n "${KFK_KAFKA_SKIP:-}" ]; then
		kt_skip "the Java client's assignors" "$KFK_KAFKA_SKIP"
	else
		kt_not_ok "the Java client's jars" "$(tail -n 3 "$tmp/fetch.log")"
	fi
	kt_done
fi

# problems STICKY: the problems on stdout. With STICKY, members own
# partitions (what a previous round gave them, with some moved, lost or
# claimed twice by an older generation) as a cooperative group would.
problems() {
	for seed in 1234 5 7; do
		python3 "$KFK_SRCDIR/tests/real/assignor_problems.py" "$seed" "$1"
	done
}

for s in range roundrobin cooperative-sticky; do
	sticky=0
	[ "$s" = cooperative-sticky ] && sticky=1
	problems "$sticky" >"$tmp/$s.in"
	bash "$KFK_SRCDIR/tests/kafka/kafka.sh" peer assign --strategy "$s" \
		<"$tmp/$s.in" >"$tmp/$s.java" 2>"$tmp/$s.java.err"
	kt_check "the Java client assigns the $s problems" test $? -eq 0 \
		-a "$(grep -c '^end$' "$tmp/$s.java")" -eq 120
	"$asg" solve "$s" <"$tmp/$s.in" >"$tmp/$s.kfk" 2>"$tmp/$s.kfk.err"
	kt_check "kfk assigns the $s problems" test $? -eq 0 \
		-a "$(grep -c '^end$' "$tmp/$s.kfk")" -eq 120
done

for s in range roundrobin; do
	diff "$tmp/$s.java" "$tmp/$s.kfk" >"$tmp/$s.diff"
	kt_check "$s: kfk's 120 assignments are the Java client's" \
		test $? -eq 0
	[ -s "$tmp/$s.diff" ] && head -n 20 "$tmp/$s.diff" | sed 's/^/# /'
done

# Cooperative-sticky: each client's group runs its second round (members
# owning what the first gave them), then the checks, problem by problem.
s=cooperative-sticky
gen="$KFK_SRCDIR/tests/real/assignor_problems.py"
python3 "$gen" --next "$tmp/$s.in" "$tmp/$s.java" >"$tmp/$s.java.in2"
python3 "$gen" --next "$tmp/$s.in" "$tmp/$s.kfk" >"$tmp/$s.kfk.in2"
bash "$KFK_SRCDIR/tests/kafka/kafka.sh" peer assign --strategy "$s" \
	<"$tmp/$s.java.in2" >"$tmp/$s.java2" 2>>"$tmp/$s.java.err"
"$asg" solve "$s" <"$tmp/$s.kfk.in2" >"$tmp/$s.kfk2" 2>>"$tmp/$s.kfk.err"
python3 "$KFK_SRCDIR/tests/real/assignor_check.py" "$tmp/$s.in" \
	"$tmp/$s.java" "$tmp/$s.kfk" "$tmp/$s.java.in2" "$tmp/$s.java2" \
	"$tmp/$s.kfk.in2" "$tmp/$s.kfk2" >"$tmp/sticky.out" 2>&1
rc=$?
sed 's/^/# /' "$tmp/sticky.out"
kt_check "cooperative-sticky: two rounds complete, balanced, as sticky as Java (120 problems)" \
	test $rc -eq 0 -a "$(grep -c '^120 problems' "$tmp/sticky.out")" -eq 1
kt_done
