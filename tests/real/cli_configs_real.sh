#!/usr/bin/env bash
# kfk configs against the real broker, beside Kafka's kafka-configs (from
# the suite's jars): --describe prints the same lines (a topic's own
# configs with their synonyms; a broker's; --all), after --alter
# --add-config and --delete-config changed exactly those configs; errors
# (an unknown config, a topic that does not exist, nothing to change)
# are said, exit 1 (2 for usage).
. "$KFK_SRCDIR/tests/kt.sh"
. "$KFK_SRCDIR/tests/real/admin_lib.sh"
needs_broker "kfk configs against a real Kafka"
# same WHAT ARGS...: kfk configs and kafka-configs print the same.
same() { same_as kafka-configs configs "$@"; }
trap 'rm -rf "$tmp"' EXIT
t=kc-$$

"$kfk" topics -b "$bs" --create --topic "$t" --partitions 1 \
	--config retention.ms=1000000 >/dev/null 2>&1
kt_check "a topic with one config set" test $? -eq 0
same "describe its configs" --entity-type topics --entity-name "$t" --describe
kt_check "retention.ms listed with its synonyms" test -n \
	"$(grep "^  retention.ms=1000000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=1000000" "$tmp/kfk.out")"
"$kfk" configs -b "$bs" --topic "$t" --alter \
	--add-config retention.ms=5000,cleanup.policy=[compact,delete] \
	>"$tmp/out" 2>&1
kt_check "alter --add-config: Kafka's words" \
	test "$(cat "$tmp/out")" = "Completed updating config for topic $t."
same "describe after adding" --entity-type topics --entity-name "$t" --describe
kt_check "both set (a list value in brackets)" test -n \
	"$(grep "^  cleanup.policy=compact,delete " "$tmp/kfk.out")" -a -n \
	"$(grep "^  retention.ms=5000 " "$tmp/kfk.out")"
"$kfk" configs -b "$bs" --entity-type topics --entity-name "$t" --alter \
	--delete-config cleanup.policy >/dev/null 2>&1
kt_check "alter --delete-config: exit 0" test $? -eq 0
same "describe after deleting" --topic "$t" --describe
kt_check "cleanup.policy gone, retention.ms kept" test -z \
	"$(grep "cleanup.policy" "$tmp/kfk.out")" -a -n \
	"$(grep "^  retention.ms=5000 " "$tmp/kfk.out")"
same "describe --all" --topic "$t" --describe --all

# A broker's own (dynamic) configs.
"$kfk" configs -b "$bs" --broker 1 --alter \
	--add-config log.cleaner.threads=2 >"$tmp/out" 2>&1
kt_check "a broker config set" \
	test "$(cat "$tmp/out")" = "Completed updating config for broker 1."
same "describe the broker" --entity-type brokers --entity-name 1 --describe
kt_check "log.cleaner.threads=2 listed" test -n \
	"$(grep "^  log.cleaner.threads=2 " "$tmp/kfk.out")"
"$kfk" configs -b "$bs" --broker 1 --alter \
	--delete-config log.cleaner.threads >/dev/null 2>&1
same "describe the broker after deleting it" --broker 1 --describe

# Errors.
"$kfk" configs -b "$bs" --topic "$t" --alter --add-config no.such.config=1 \
	>/dev/null 2>"$tmp/err"
rc=$?
kt_check "an unknown config: exit 1 ($(cat "$tmp/err"))" \
	test $rc -eq 1 -a -n "$(grep "$t" "$tmp/err")"
"$kfk" configs -b "$bs" --topic "$t-none" --describe >/dev/null 2>"$tmp/err"
rc=$?
kt_check "a topic that does not exist: exit 1 ($(cat "$tmp/err"))" \
	test $rc -eq 1 -a -n "$(grep "$t-none" "$tmp/err")"
"$kfk" configs -b "$bs" --topic "$t" --alter >/dev/null 2>"$tmp/err"
rc=$?
kt_check "--alter with nothing to change: exit 2 ($(cat "$tmp/err"))" \
	test $rc -eq 2
"$kfk" topics -b "$bs" --delete --topic "$t" >/dev/null 2>&1
kt_done
