#!/usr/bin/env bash
# The demo, from a fresh clone: installs what is missing, builds kfk in
# build-demo/, prints the library version, starts a real Apache Kafka
# (4.4, KRaft, one broker on 127.0.0.1; its jars come from Maven Central
# once per machine, as for the tests) and walks a newcomer's first hour
# with kfk alone: create the topic teste with 3 partitions, produce keyed
# records with a delivery report each, consume them in a group from the
# beginning, see the group's lag, produce more and see it grow, reset the
# group's offsets; then stops the broker.
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
make -s examples/hello examples/producer tools/kfk >>make.out 2>&1
echo "== the library"
./examples/hello
echo "== a local Kafka broker (the first run downloads Kafka's jars)"
export KFK_KAFKA_DIR="$top/build-demo/kafka"
kafka() { bash "$top/tests/kafka/kafka.sh" "$@"; }
kafka fetch >kafka-fetch.log 2>&1 || { tail -n 20 kafka-fetch.log; exit 1; }
trap 'kafka stop >/dev/null 2>&1 || true' EXIT
bs=$(kafka start 2>kafka-start.log) || { tail -n 20 kafka-start.log; exit 1; }
echo "started: $bs"
kfk() { echo "\$ kfk $*" | sed "s|$bs|\$BS|g"; ./tools/kfk "$@"; }
echo "== a topic with 3 partitions"
kfk topics --bootstrap-server "$bs" --create --topic teste --partitions 3 \
	--replication-factor 1
echo "== examples/producer: keyed messages, acks=all, one report per message"
./examples/producer "$bs" teste
echo "== the topic, described once its records are in"
kfk topics --bootstrap-server "$bs" --describe --topic teste
echo "== kfk produce: key:value lines, a report per record (topic[partition]@offset)"
printf 'ana:uno\nbeto:dos\nana:tres\n' |
	kfk produce -b "$bs" -t teste -K: --report -q
echo "== a consumer group reads from the beginning (each key in one partition)"
kfk console-consumer --bootstrap-server "$bs" --topic teste --group grupo \
	--from-beginning --max-messages 8 --property print.key=true 2>/dev/null |
	sort
echo "== the group's lag: 0, it read everything"
kfk groups --bootstrap-server "$bs" --describe --group grupo 2>&1
printf 'carla:cuatro\ndiego:cinco\n' | kfk produce -b "$bs" -t teste -K: -q
echo "== two records later: a lag of 2"
kfk groups --bootstrap-server "$bs" --describe --group grupo 2>&1
echo "== reset the group to the beginning (a dry run, then for real)"
kfk groups --bootstrap-server "$bs" --reset-offsets --group grupo \
	--topic teste --to-earliest
kfk groups --bootstrap-server "$bs" --reset-offsets --group grupo \
	--topic teste --to-earliest --execute >/dev/null
kfk groups --bootstrap-server "$bs" --describe --group grupo 2>&1
kafka stop >/dev/null 2>&1
trap - EXIT
echo "stopped the broker"
