#!/usr/bin/env bash
# kfk topics against the real broker, beside Kafka's own kafka-topics (the
# same jars the suite runs the broker from): the course's commands with
# `kafka-topics` replaced by `kfk topics` print what kafka-topics prints
# for the same cluster state (describe: byte for byte, configs in Java's
# order; list); create, alter and delete change the cluster as asked (seen
# by kafka-topics); both flag forms (--opt value, --opt=value); the errors
# (an existing topic, a missing one, a second delete, too few partitions,
# usage) name the topic, exit 1 (2 for usage) and change nothing.
. "$KFK_SRCDIR/tests/kt.sh"
. "$KFK_SRCDIR/tests/real/admin_lib.sh"
needs_broker "kfk topics against a real Kafka"
trap 'rm -rf "$tmp"' EXIT
p=kt-$$
kt() { bash "$kafka" tool kafka-topics --bootstrap-server "$bs" "$@"; }

# same WHAT ARGS...: kfk topics and kafka-topics print the same.
same() { same_as kafka-topics topics "$@"; }

# The course's first steps.
"$kfk" topics --bootstrap-server "$bs" --create --topic "$p-teste" \
	--partitions 3 --replication-factor 1 >"$tmp/out" 2>&1
kt_check "create prints what kafka-topics prints" \
	test "$(cat "$tmp/out")" = "Created topic $p-teste."
"$kfk" topics --bootstrap-server="$bs" --create --topic="$p-cfg" \
	--partitions=2 --config retention.ms=1000000 \
	--config=cleanup.policy=compact >/dev/null 2>"$tmp/err"
kt_check "create with --opt=value and configs" test $? -eq 0
same "describe one topic" --describe --topic "$p-teste"
same "describe a topic with configs (Java's order)" --describe --topic "$p-cfg"
same "describe by regular expression" --describe --topic "$p-.*"
same "list by regular expression" --list --topic "$p-.*"

# Alter: kafka-topics sees 5 partitions.
"$kfk" topics -b "$bs" --alter --topic "$p-teste" --partitions 5 >"$tmp/out" 2>&1
kt_check "alter --partitions 5 succeeds silently" test $? -eq 0 -a ! -s "$tmp/out"
same "describe after alter" --describe --topic "$p-teste"
grep -q "PartitionCount: 5" "$tmp/java.out"
kt_check "kafka-topics sees 5 partitions" test $? -eq 0

# Errors: each exit 1, naming the topic; nothing changed.
"$kfk" topics -b "$bs" --create --topic "$p-teste" --partitions 1 \
	>"$tmp/out" 2>"$tmp/err"
rc=$?
kt_check "create an existing topic: exit 1, says so ($(cat "$tmp/err"))" \
	test $rc -eq 1 -a -n "$(grep "'$p-teste'" "$tmp/err" | grep 'already exists')"
"$kfk" topics -b "$bs" --create --topic "$p-teste" --if-not-exists >/dev/null 2>&1
kt_check "--if-not-exists: exit 0" test $? -eq 0
"$kfk" topics -b "$bs" --alter --topic "$p-teste" --partitions 2 \
	>/dev/null 2>"$tmp/err"
rc=$?
kt_check "fewer partitions: exit 1 ($(cat "$tmp/err"))" \
	test $rc -eq 1 -a -n "$(grep "'$p-teste'" "$tmp/err")"
"$kfk" topics -b "$bs" --describe --topic "$p-none" >/dev/null 2>"$tmp/err"
rc=$?
kt_check "describe a missing topic: exit 1 ($(cat "$tmp/err"))" \
	test $rc -eq 1 -a -n "$(grep "'$p-none' does not exist" "$tmp/err")"
same "nothing changed" --describe --topic "$p-teste"
grep -q "PartitionCount: 5" "$tmp/java.out"
kt_check "still 5 partitions" test $? -eq 0

# Delete, then again.
"$kfk" topics -b "$bs" --delete --topic "$p-cfg" >"$tmp/out" 2>&1
kt_check "delete succeeds silently" test $? -eq 0 -a ! -s "$tmp/out"
end=$((SECONDS + 30))
until ! kt --describe --topic "$p-cfg" >/dev/null 2>&1; do
	[ $SECONDS -lt $end ] || break
done
kt --describe --topic "$p-cfg" >/dev/null 2>&1
kt_check "kafka-topics no longer finds it" test $? -eq 1
"$kfk" topics -b "$bs" --delete --topic "$p-cfg" >/dev/null 2>"$tmp/err"
rc=$?
kt_check "delete it again: exit 1 ($(cat "$tmp/err"))" \
	test $rc -eq 1 -a -n "$(grep "'$p-cfg' does not exist" "$tmp/err")"
"$kfk" topics -b "$bs" --delete --topic "$p-cfg" --if-exists >/dev/null 2>&1
kt_check "--if-exists: exit 0" test $? -eq 0

# Usage errors: exit 2, before any connection.
"$kfk" topics -b "$bs" --create >/dev/null 2>"$tmp/err"
rc=$?
kt_check "--create without --topic: exit 2 ($(head -n 1 "$tmp/err"))" \
	test $rc -eq 2
"$kfk" topics -b "$bs" --list --describe >/dev/null 2>"$tmp/err"
kt_check "two actions: exit 2" test $? -eq 2
"$kfk" topics -b "$bs" --lst >/dev/null 2>"$tmp/err"
rc=$?
kt_check "an unknown flag: exit 2, named ($(head -n 1 "$tmp/err"))" \
	test $rc -eq 2 -a -n "$(grep -e '--lst' "$tmp/err")"
"$kfk" topics --help >"$tmp/out"
kt_check "--help: exit 0, the actions listed" \
	test $? -eq 0 -a -n "$(grep -e '--describe' "$tmp/out")"
# examples/admin: creates, describes, shows a group's lag.
"$KFK_BUILDDIR/examples/admin" "$bs" "$p-ex" 3 "$p-nogroup" >"$tmp/out" 2>&1
kt_check "examples/admin: exit 0, the topic created" test $? -eq 0 -a \
	"$(head -n 1 "$tmp/out")" = "created topic $p-ex with 3 partitions"
kt_check "examples/admin: its 3 partitions described" \
	test "$(grep -c "^$p-ex \[[0-2]\]: leader [0-9]*, 1 in sync$" "$tmp/out")" = 3
same "kafka-topics sees what examples/admin created" --describe --topic "$p-ex"
# kfk metadata: kcat -L's layout (all but the first line, which names
# the broker librdkafka asked).
"$kfk" metadata -b "$bs" -t "$p-ex" >"$tmp/kfk.out" 2>&1
kt_check "kfk metadata: exit 0" test $? -eq 0
if command -v kcat >/dev/null; then
	timeout 30 kcat -L -b "$bs" -t "$p-ex" >"$tmp/kcat.out" 2>&1
	kt_check "kfk metadata prints what kcat -L prints" \
		test "$(tail -n +2 "$tmp/kfk.out")" = "$(tail -n +2 "$tmp/kcat.out")"
else
	kt_not_ok "kcat to compare kfk metadata with" "tools/deps.sh installs it"
fi

# The console tools' names: the same commands.
printf 'a:1\nb:2\n' | "$kfk" console-producer --bootstrap-server "$bs" \
	--topic "$p-ex" --property parse.key=true --property key.separator=: \
	>/dev/null 2>&1
kt_check "console-producer takes kafka-console-producer's flags" test $? -eq 0
"$kfk" console-consumer --bootstrap-server "$bs" --topic "$p-ex" \
	--from-beginning --max-messages 2 --property print.key=true \
	>"$tmp/out" 2>/dev/null
kt_check "console-consumer prints the 2 records with their keys" \
	test "$(sort "$tmp/out" | tr '\t' ' ')" = "$(printf 'a 1\nb 2')"
"$kfk" topics -b "$bs" --delete --topic "$p-.*" >/dev/null 2>&1
kt_done
