# Shell helpers for the tests of kfk's admin subcommands beside Kafka's
# own tools (cli_topics_real.sh, cli_groups_real.sh, cli_configs_real.sh);
# sourced after tests/kt.sh.

# needs_broker WHAT: skips or fails the test (and ends it) when the suite
# gave no real Kafka; else sets $bs, $kfk, $kafka and $tmp (removed at
# exit).
needs_broker() {
	if [ -z "${KFK_KAFKA_BOOTSTRAP:-}" ]; then
		if [ -n "${KFK_KAFKA_SKIP:-}" ]; then
			kt_skip "$1" "$KFK_KAFKA_SKIP"
		else
			kt_not_ok "a real Kafka for $1" \
				"${KFK_KAFKA_ERROR:-run this test through tests/run-tests, which starts one}"
		fi
		kt_done
	fi
	bs=$KFK_KAFKA_BOOTSTRAP
	kfk="$KFK_BUILDDIR/tools/kfk"
	kafka="$KFK_SRCDIR/tests/kafka/kafka.sh"
	tmp=$(mktemp -d)
}

# same_as TOOL SUBCOMMAND WHAT ARGS...: `kfk SUBCOMMAND -b ... ARGS` and
# Kafka's TOOL with the same ARGS print the same stdout (kept in
# $tmp/kfk.out and $tmp/java.out, stderr beside them); bounded retries, as
# the brokers' views follow a change a moment later.
same_as() {
	local tool=$1 sub=$2 what=$3 end=$((SECONDS + 60))
	shift 3
	while :; do
		"$kfk" "$sub" -b "$bs" "$@" >"$tmp/kfk.out" 2>"$tmp/kfk.err"
		bash "$kafka" tool "$tool" --bootstrap-server "$bs" "$@" \
			>"$tmp/java.out" 2>"$tmp/java.err"
		cmp -s "$tmp/kfk.out" "$tmp/java.out" && [ -s "$tmp/kfk.out" ] &&
			{ kt_ok "$what"; return; }
		[ $SECONDS -lt $end ] || break
	done
	kt_not_ok "$what" "$(diff "$tmp/java.out" "$tmp/kfk.out" | head -n 20)"
}
