#!/usr/bin/env bash
# The demo, from a fresh clone: installs what is missing, builds kfk in
# build-demo/, prints the library version, starts a local 3-broker mock
# Kafka cluster (Debian's librdkafka mock), runs examples/producer against
# it (one delivery report per message), shows the records with kcat, reads
# a topic twice in a consumer group with kfk consume -G (the second run
# starts at the offsets the first committed), and stops the cluster.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
bash tools/deps.sh
if [ ! -x configure ]; then
	mkdir -p m4
	autoreconf -fi >autoreconf.log 2>&1 || { cat autoreconf.log; exit 1; }
fi
mkdir -p build-demo
cd build-demo
[ -f Makefile ] || ../configure -q
make -j"$(nproc)" -s >make.out 2>&1 || { tail -n 40 make.out; exit 1; }
make -s examples/hello examples/producer tests/mockcluster tools/kfk >>make.out 2>&1
echo "== the library"
./examples/hello
echo "== a local mock cluster"
coproc MOCK { exec ./tests/mockcluster -b 3 teste:3:1 groupdemo:1:1; }
read -r -t 30 -u "${MOCK[0]}" first || { echo "mock cluster did not start" >&2; exit 1; }
bootstrap=${first#BOOTSTRAP }
echo "started: $bootstrap"
echo "== examples/producer: keyed messages, acks=all, one report per message"
./examples/producer "$bootstrap" teste
echo "== what kcat reads back (topic[partition]@offset key=value)"
timeout 30 kcat -C -b "$bootstrap" -t teste -e -q -f '%t[%p]@%o %k=%s\n'
echo "== kfk consume -G: a consumer group reads and commits; the next run"
echo "   starts where the last one stopped"
# A short session: the mock keeps a member that left until its session
# expires, and the second run's join waits for that.
group() {
	timeout 60 ./tools/kfk consume -b "$bootstrap" -G demo -t groupdemo \
		-o beginning -e -q -X session.timeout.ms=6000 -f "$1"
}
printf 'one\ntwo\nthree\n' | ./tools/kfk produce -b "$bootstrap" -t groupdemo -q
group 'first run:  %t[%p]@%o %s\n'
printf 'four\n' | ./tools/kfk produce -b "$bootstrap" -t groupdemo -q
group 'second run: %t[%p]@%o %s\n'
echo quit >&"${MOCK[1]}"
read -r -t 30 -u "${MOCK[0]}" answer || answer="(no answer)"
wait "$MOCK_PID" 2>/dev/null || true
echo "stopped: $answer"
