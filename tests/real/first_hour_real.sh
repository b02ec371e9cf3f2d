#!/usr/bin/env bash
# The first hour against a real Kafka: a topic that does not exist, with
# auto-creation off, is told once to the error callback with what to do,
# and its record is counted as failed for that reason.
. "$KFK_SRCDIR/tests/kt.sh"
kfk="$KFK_BUILDDIR/tools/kfk"
if [ -z "${KFK_KAFKA_BOOTSTRAP:-}" ]; then
	if [ -n "${KFK_KAFKA_SKIP:-}" ]; then
		kt_skip "the first hour against a real Kafka" "$KFK_KAFKA_SKIP"
	else
		kt_not_ok "a real Kafka" "${KFK_KAFKA_ERROR:-run this test through tests/run-tests}"
	fi
	kt_done
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
t=no-such-topic-$$
printf 'x\ny\n' | timeout 60 "$kfk" produce -b "$KFK_KAFKA_BOOTSTRAP" -t "$t" \
	-X allow.auto.create.topics=false -X topic.metadata.propagation.max.ms=2000 \
	>/dev/null 2>"$tmp/e"
rc=$?
kt_check "unknown topic: exit 1" test "$rc" -eq 1
kt_check "unknown topic: the error callback's warning, once, with the fix" test \
	"$(grep -cxF "kfk produce: warning: topic $t does not exist and was not created (allow.auto.create.topics, or the broker's auto.create.topics.enable, is false): create it first (kfk topics --create --topic $t)" "$tmp/e")" -eq 1
kt_check "unknown topic: both records failed for that reason" \
	test "$(tail -n 1 "$tmp/e")" = "kfk produce: 2 sent, 0 delivered, 2 failed (unknown topic: 2)"
kt_done
