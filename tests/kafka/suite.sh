# tests/kafka/suite.sh: sourced by tests/run-tests. One real Kafka broker
# for every test under tests/real/, started in the background while the
# other tests run, and stopped when the run ends (by its guardian if the
# runner itself is killed). Its start is reported as a case of its own
# ("kafka-start") in the run's count.
#
# KFK_SKIP_REAL_KAFKA=<reason> skips the real-broker tests on a developer's
# machine, each printing the reason. CI (CI=true) does not honour it: there
# the real broker must start or the run fails saying why.

kafka_suite_begin() {
	kafka_log=$1/kafka-start.log
	kafka_status=$1/kafka-start.status
	kafka_bootstrap_file=$1/kafka-bootstrap
	export KFK_KAFKA_DIR="$1/kafka"
	rm -f "$kafka_status" "$kafka_bootstrap_file"
	: >"$kafka_log"
	kafka_skip=""
	if [ -n "${KFK_SKIP_REAL_KAFKA:-}" ]; then
		if [ "${CI:-}" = true ]; then
			echo "# KFK_SKIP_REAL_KAFKA is not honoured in CI: starting Kafka" >>"$kafka_log"
		else
			kafka_skip=$KFK_SKIP_REAL_KAFKA
			return 0
		fi
	fi
	kafka_t0=$(date +%s)
	(
		KFK_KAFKA_OWNER=$$ bash "$KFK_SRCDIR/tests/kafka/kafka.sh" start \
			--brokers 1 --secure >"$kafka_bootstrap_file" 2>>"$kafka_log"
		echo $? >"$kafka_status"
	) &
	kafka_pid=$!
}

# Waits for the start (kafka.sh bounds it) and passes the broker on to the
# tests through the environment.
kafka_suite_ready() {
	local version rc
	version=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' \
		"$KFK_SRCDIR/tests/kafka/pom.xml")
	if [ -n "$kafka_skip" ]; then
		export KFK_KAFKA_SKIP="$kafka_skip"
		echo "ok 1 - Apache Kafka $version # SKIP $kafka_skip (KFK_SKIP_REAL_KAFKA)" >>"$kafka_log"
		echo 0 >"$kafka_log.rc"
		return 0
	fi
	# The job may already have been reaped by the runner's wait -n; its
	# status is in the file either way.
	wait "$kafka_pid" 2>/dev/null
	rc=$(cat "$kafka_status" 2>/dev/null || echo 1)
	if [ "$rc" -eq 0 ] && [ -s "$kafka_bootstrap_file" ]; then
		export KFK_KAFKA_BOOTSTRAP="$(cat "$kafka_bootstrap_file")"
		kafka_suite_secure_env
		echo "ok 1 - Apache Kafka $version (KRaft, 1 broker) ready at $KFK_KAFKA_BOOTSTRAP after $(($(date +%s) - kafka_t0)) s" >>"$kafka_log"
	else
		export KFK_KAFKA_ERROR="Apache Kafka $version did not start: see tests/logs/kafka-start.log"
		echo "not ok 1 - Apache Kafka $version starts (tests/kafka/kafka.sh start)" >>"$kafka_log"
	fi
	echo "$rc" >"$kafka_log.rc"
}

# The TLS and SASL listeners of start --secure, one KFK_KAFKA_*=VALUE a
# line in secure.env (docs/TESTING.md), exported as they are.
kafka_suite_secure_env() {
	local k v
	while IFS='=' read -r k v; do
		case $k in KFK_KAFKA_[A-Z]*) export "$k=$v" ;; esac
	done <"$KFK_KAFKA_DIR/secure.env"
}

# Stops the broker; keeps its logs when anything failed.
kafka_suite_end() {
	[ -n "$kafka_skip" ] && return 0
	if [ "$1" -gt 0 ]; then
		bash "$KFK_SRCDIR/tests/kafka/kafka.sh" stop --keep
		echo "the real Kafka's logs are kept in $KFK_KAFKA_DIR"
	else
		bash "$KFK_SRCDIR/tests/kafka/kafka.sh" stop
	fi
}
