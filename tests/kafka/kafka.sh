#!/usr/bin/env bash
# A real Apache Kafka (KRaft) for kfk's tests: obtained with Maven, started
# on 127.0.0.1 on free ports, one combined broker+controller or three.
#
#   kafka.sh fetch                 obtain the jars once per machine
#   kafka.sh start [--brokers N] [--secure]
#                                  start a cluster (N = 1 or 3), print its
#                                  bootstrap list once every broker is in the
#                                  metadata and a controller is elected;
#                                  --secure (1 broker only) adds the SSL and
#                                  SASL listeners described in secure_props
#   kafka.sh secure-env            print the secure listeners' KEY=VALUE list
#                                  ($KFK_KAFKA_DIR/secure.env)
#   kafka.sh stop [--keep]         stop it by PID; --keep keeps the logs
#   kafka.sh kill B                SIGKILL broker B (1..N)
#   kafka.sh restart B             start broker B again, wait until it is back
#   kafka.sh topic NAME PARTITIONS [REPLICATION] [k=v ...]
#   kafka.sh bootstrap             print the running cluster's bootstrap list
#   kafka.sh peer ARGS...          the Java client peer (tests/interop)
#   kafka.sh tool NAME ARGS...     one of Kafka's command-line tools, by its
#                                  script's name (kafka-topics), for tests
#                                  that compare kfk's output with Kafka's
#
# Environment:
#   KFK_KAFKA_DIR    the cluster's directory: its ports, PIDs, data and logs
#                    (default ${TMPDIR:-/tmp}/kfk-kafka); one cluster per dir
#   KFK_KAFKA_CACHE  where the jars go (default ~/.cache/kfk/kafka-VERSION),
#                    outside the source tree so a second run downloads nothing
#   KFK_KAFKA_OWNER  a PID: when that process ends, the cluster is stopped
#                    (the test runner passes its own), so no broker outlives
#                    the run that started it, whether it passed, failed,
#                    crashed or timed out
#   KFK_KAFKA_READY_S  how long start and restart wait (default 120)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
version=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/pom.xml")
cache=${KFK_KAFKA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kfk/kafka-$version}
dir=${KFK_KAFKA_DIR:-${TMPDIR:-/tmp}/kfk-kafka}
ready_s=${KFK_KAFKA_READY_S:-120}
# Small heaps: three brokers must fit beside the test suite on 2 cores.
heap_opts="-Xms128m -Xmx512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20"
secure=0 # start --secure

die() {
	echo "kafka.sh: $*" >&2
	exit 1
}

# ---- obtaining Kafka ------------------------------------------------------

# The jars, copied by Maven into $cache/jars; a stamp holding the pom's hash
# says they are complete, so a second run asks Maven for nothing.
fetch() {
	local stamp="$cache/jars/.complete" sum
	sum=$(sha256sum "$here/pom.xml" | cut -d' ' -f1)
	[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ] && return 0
	command -v mvn >/dev/null || die "mvn not found: install Maven (Debian: maven) to obtain Kafka $version"
	command -v java >/dev/null || die "java not found: Kafka $version needs a JDK 17 or newer"
	rm -rf "$cache/jars"
	mkdir -p "$cache"
	echo "kafka.sh: obtaining Apache Kafka $version with Maven into $cache/jars" >&2
	if ! mvn -B -q -f "$here/pom.xml" dependency:copy-dependencies \
		-DoutputDirectory="$cache/jars" >"$cache/mvn.log" 2>&1; then
		tail -n 30 "$cache/mvn.log" >&2
		die "could not obtain Apache Kafka $version from Maven Central (log: $cache/mvn.log)"
	fi
	echo "$sum" >"$stamp"
}

# The Java peer, compiled once per version of its source.
peer_classes() {
	local src="$here/../interop/KfkPeer.java" sum out
	sum=$(sha256sum "$src" | cut -c1-16)
	out="$cache/peer/$sum"
	if [ ! -f "$out/KfkPeer.class" ]; then
		rm -rf "$out.tmp"
		mkdir -p "$out.tmp"
		javac -Xlint:all -Werror -cp "$cache/jars/*" -d "$out.tmp" "$src" >&2 ||
			die "javac failed on tests/interop/KfkPeer.java"
		rm -rf "$out"
		mv "$out.tmp" "$out"
	fi
	echo "$out"
}

# The peer logs warnings to stderr only: its stdout is data.
peer_log_conf() {
	local f="$cache/peer-log4j2.properties"
	[ -f "$f" ] || cat >"$f" <<-'EOF'
		status = error
		appender.err.type = Console
		appender.err.name = err
		appender.err.target = SYSTEM_ERR
		appender.err.layout.type = PatternLayout
		appender.err.layout.pattern = kfk-peer %p %c{1}: %m%n
		rootLogger.level = WARN
		rootLogger.appenderRef.err.ref = err
	EOF
	echo "$f"
}

peer() {
	local classes conf
	fetch
	classes=$(peer_classes)
	conf=$(peer_log_conf)
	java -Xmx256m -XX:TieredStopAtLevel=1 -Dlog4j2.configurationFile="$conf" \
		-cp "$cache/jars/*:$classes" KfkPeer "$@"
}

# Kafka's own tools run from the same jars, by the name of their script
# in the distribution.
tool() {
	local cls
	[ $# -ge 1 ] || die "usage: kafka.sh tool NAME ARGS..."
	case $1 in
	kafka-topics) cls=org.apache.kafka.tools.TopicCommand ;;
	kafka-consumer-groups) cls=org.apache.kafka.tools.consumer.group.ConsumerGroupCommand ;;
	kafka-configs) cls=org.apache.kafka.tools.ConfigCommand ;;
	kafka-acls) cls=org.apache.kafka.tools.AclCommand ;;
	kafka-console-producer) cls=org.apache.kafka.tools.ConsoleProducer ;;
	kafka-console-consumer) cls=org.apache.kafka.tools.consumer.ConsoleConsumer ;;
	*) die "unknown tool $1 (kafka-topics, kafka-consumer-groups, kafka-configs, kafka-acls, kafka-console-producer, kafka-console-consumer)" ;;
	esac
	shift
	fetch
	# With the cluster's KDC running, a GSSAPI client finds its realm.
	java -Xmx256m -XX:TieredStopAtLevel=1 \
		-Dlog4j2.configurationFile="$(peer_log_conf)" $(krb5_opt) \
		-cp "$cache/jars/*" "$cls" "$@"
}

# A Java client names the broker's Kerberos service after the reverse
# lookup of its address (kafka/localhost for 127.0.0.1), where kfk and
# librdkafka use the advertised host (kafka/127.0.0.1, the broker's
# principal). A hosts file of the JVM's own, where 127.0.0.1's first name
# is 127.0.0.1, makes Java ask for the same principal.
krb5_opt() {
	[ -f "$dir/kdc/pid" ] || return 0
	[ -f "$dir/kdc/java-hosts" ] || echo "127.0.0.1 127.0.0.1 localhost" >"$dir/kdc/java-hosts"
	echo "-Djava.security.krb5.conf=$dir/kdc/krb5.conf -Djdk.net.hosts.file=$dir/kdc/java-hosts"
}

# ---- the cluster's files ---------------------------------------------------

# Free TCP ports on 127.0.0.1, as many as asked; the kernel picks them.
free_ports() {
	python3 - "$1" <<-'EOF'
		import socket, sys
		socks = []
		for _ in range(int(sys.argv[1])):
		    s = socket.socket()
		    s.bind(("127.0.0.1", 0))
		    socks.append(s)
		print(" ".join(str(s.getsockname()[1]) for s in socks))
	EOF
}

brokers() { cat "$dir/brokers"; }
port_of() { sed -n "${1}p" "$dir/ports" | cut -d' ' -f"$2"; }

bootstrap() {
	local n b list=""
	[ -f "$dir/brokers" ] || die "no cluster in $dir"
	n=$(brokers)
	for b in $(seq 1 "$n"); do
		list="$list${list:+,}127.0.0.1:$(port_of "$b" 1)"
	done
	echo "$list"
}

# server.properties of broker b: combined broker and controller, a static
# quorum of every node, internal topics replicated as widely as the
# cluster allows. An authorizer, so that ACLs can be created, listed and
# deleted; every client is ANONYMOUS on PLAINTEXT, a super user, so
# nothing is refused. Nothing expires by time: tests write records with fixed
# timestamps years old, which the default 7-day retention would delete
# within minutes.
write_props() {
	local b=$1 n voters="" i rf
	n=$(brokers)
	for i in $(seq 1 "$n"); do
		voters="$voters${voters:+,}$i@127.0.0.1:$(port_of "$i" 2)"
	done
	rf=$n
	cat >"$dir/node$b/server.properties" <<-EOF
		process.roles=broker,controller
		node.id=$b
		controller.quorum.voters=$voters
		listeners=PLAINTEXT://127.0.0.1:$(port_of "$b" 1),CONTROLLER://127.0.0.1:$(port_of "$b" 2)
		advertised.listeners=PLAINTEXT://127.0.0.1:$(port_of "$b" 1)
		controller.listener.names=CONTROLLER
		inter.broker.listener.name=PLAINTEXT
		listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
		log.dirs=$dir/node$b/data
		num.partitions=1
		default.replication.factor=1
		auto.create.topics.enable=true
		offsets.topic.replication.factor=$rf
		offsets.topic.num.partitions=3
		transaction.state.log.replication.factor=$rf
		transaction.state.log.min.isr=1
		transaction.state.log.num.partitions=3
		share.coordinator.state.topic.replication.factor=$rf
		share.coordinator.state.topic.min.isr=1
		group.initial.rebalance.delay.ms=0
		log.segment.bytes=16777216
		log.retention.ms=-1
		num.network.threads=2
		num.io.threads=2
		background.threads=2
		num.recovery.threads.per.data.dir=1
		log.cleaner.threads=1
		log.cleaner.dedupe.buffer.size=4194304
		authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
		super.users=User:ANONYMOUS
	EOF
	[ "$secure" -eq 1 ] && secure_props >>"$dir/node$b/server.properties"
	cat >"$dir/node$b/log4j2.properties" <<-EOF
		status = error
		appender.file.type = File
		appender.file.name = file
		appender.file.fileName = $dir/node$b/server.log
		appender.file.layout.type = PatternLayout
		appender.file.layout.pattern = [%d] %p %m (%c)%n
		rootLogger.level = INFO
		rootLogger.appenderRef.file.ref = file
		logger.request.name = kafka.request.logger
		logger.request.level = WARN
	EOF
}

kafka_java() {
	local b=$1
	shift
	java $heap_opts -Djava.awt.headless=true \
		-Dlog4j2.configurationFile="$dir/node$b/log4j2.properties" \
		-cp "$cache/jars/*" "$@"
}

# Formats broker b's storage with the cluster id (the same on every node).
# --secure: the SCRAM credentials go into the metadata here.
format() {
	local b=$1 scram=()
	[ "$secure" -eq 1 ] && scram=(
		--add-scram "SCRAM-SHA-256=[name=alice,password=scram-pw-93ab]"
		--add-scram "SCRAM-SHA-512=[name=alice,password=scram-pw-93ab]")
	kafka_java "$b" kafka.tools.StorageTool format -t "$(cat "$dir/cluster-id")" \
		-c "$dir/node$b/server.properties" "${scram[@]}" >"$dir/node$b/format.log" 2>&1 ||
		{ cat "$dir/node$b/format.log" >&2; die "formatting broker $b failed"; }
}

# Starts broker b in its own session (so a signal to the test's process
# group does not reach it half-way) and records its PID.
launch() {
	local b=$1
	setsid bash -c 'exec "$@"' kafka "$(command -v java)" $heap_opts \
		-Djava.awt.headless=true $(cat "$dir/node$b/jvm.opts" 2>/dev/null) \
		-Dlog4j2.configurationFile="$dir/node$b/log4j2.properties" \
		-cp "$cache/jars/*" kafka.Kafka "$dir/node$b/server.properties" \
		</dev/null >>"$dir/node$b/console.log" 2>&1 &
	echo $! >"$dir/node$b/pid"
}

alive() {
	local pid
	pid=$(cat "$dir/node$1/pid" 2>/dev/null) || return 1
	kill -0 "$pid" 2>/dev/null
}

# The last lines of every broker's logs, for an error message.
log_tails() {
	local b
	for b in $(seq 1 "$(brokers)"); do
		echo "---- broker $b ($dir/node$b): last lines of server.log and console.log ----"
		tail -n 25 "$dir/node$b/server.log" 2>/dev/null
		tail -n 10 "$dir/node$b/console.log" 2>/dev/null
	done
}

# Waits until every broker is in the metadata and a controller is elected
# (asked of the Java admin client, bounded by ready_s); a broker process
# that dies meanwhile ends the wait at once.
wait_ready() {
	local want=$1 b out
	for b in $(seq 1 "$(brokers)"); do
		[ -f "$dir/node$b/down" ] || alive "$b" || {
			log_tails >&2
			die "broker $b exited during start-up (logs above)"
		}
	done
	if ! out=$(peer ready --bootstrap "$(bootstrap)" --brokers "$want" \
		--timeout-ms $((ready_s * 1000)) 2>&1); then
		echo "$out" >&2
		log_tails >&2
		die "cluster not ready within ${ready_s} s (logs kept in $dir)"
	fi
}

# When the owner process ends, stop the cluster: a guardian in its own
# session that waits on the owner (tail --pid) and then runs stop.
guard() {
	local owner=${KFK_KAFKA_OWNER:-}
	[ -n "$owner" ] || return 0
	[ -f "$dir/guard.pid" ] && return 0 # --secure starts it before the KDC
	KFK_KAFKA_DIR=$dir setsid bash -c \
		'tail --pid="$1" -f /dev/null; exec bash "$2" stop --keep' \
		guard "$owner" "$here/kafka.sh" </dev/null >/dev/null 2>&1 &
	echo $! >"$dir/guard.pid"
}

# ---- commands --------------------------------------------------------------

start() {
	local n=1 b
	while [ $# -gt 0 ]; do
		case $1 in
		--brokers) n=$2; shift 2 ;;
		--secure) secure=1; shift ;;
		*) die "start: unknown argument $1" ;;
		esac
	done
	case $n in 1 | 3) ;; *) die "start: --brokers is 1 or 3" ;; esac
	[ "$secure" -eq 0 ] || [ "$n" -eq 1 ] || die "start: --secure is for --brokers 1 only"
	if [ -f "$dir/brokers" ]; then
		for b in $(seq 1 "$(brokers)"); do
			alive "$b" && die "a cluster already runs in $dir (kafka.sh stop first)"
		done
	fi
	fetch
	peer_classes >/dev/null
	# A KDC left by a cluster whose brokers died would outlive its files.
	bash "$here/kdc.sh" stop "$dir/kdc"
	rm -rf "$dir"
	mkdir -p "$dir"
	echo "$n" >"$dir/brokers"
	# --secure: five more ports for broker 1 (columns 3..7, see secure_props).
	for b in $(seq 1 "$n"); do free_ports $((2 + 5 * secure)); done >"$dir/ports"
	[ "$secure" -eq 1 ] && secure_setup
	# A cluster id as StorageTool random-uuid makes one (16 random bytes,
	# URL-safe base64, never starting with '-', which would read as an
	# option), without a JVM start.
	python3 -c '
import base64, uuid
while True:
    s = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
    if not s.startswith("-"):
        print(s)
        break' >"$dir/cluster-id"
	for b in $(seq 1 "$n"); do
		mkdir -p "$dir/node$b"
		write_props "$b"
		format "$b"
	done
	guard
	for b in $(seq 1 "$n"); do launch "$b"; done
	wait_ready "$n"
	[ "$secure" -eq 1 ] && secure_ready
	bootstrap
}

# SIGTERM, then SIGKILL after a bounded wait (tail --pid returns when the
# process is gone).
stop_pid() {
	local pid=$1
	kill -TERM "$pid" 2>/dev/null || return 0
	timeout 20 tail --pid="$pid" -f /dev/null || kill -KILL "$pid" 2>/dev/null || true
}

stop() {
	local keep=0 b pids=""
	[ "${1:-}" = "--keep" ] && keep=1
	[ -f "$dir/brokers" ] || return 0
	for b in $(seq 1 "$(brokers)"); do
		alive "$b" && pids="$pids $(cat "$dir/node$b/pid")"
	done
	for b in $pids; do stop_pid "$b" & done
	wait
	bash "$here/kdc.sh" stop "$dir/kdc"
	if [ -f "$dir/guard.pid" ]; then
		# The guardian runs stop itself: never kill the caller's own group.
		b=$(cat "$dir/guard.pid")
		rm -f "$dir/guard.pid"
		[ "$b" != "$$" ] && kill -- "-$b" 2>/dev/null
	fi
	if [ "$keep" -eq 1 ]; then
		rm -rf "$dir"/node*/data
	else
		rm -rf "$dir"
	fi
	return 0
}

kill_broker() {
	local b=$1
	alive "$b" || die "broker $b is not running"
	kill -KILL "$(cat "$dir/node$b/pid")"
	timeout 20 tail --pid="$(cat "$dir/node$b/pid")" -f /dev/null || true
	touch "$dir/node$b/down"
	echo "kafka.sh: broker $b (127.0.0.1:$(port_of "$b" 1)) killed with SIGKILL" >&2
}

restart_broker() {
	local b=$1
	alive "$b" && die "broker $b is running"
	rm -f "$dir/node$b/down"
	launch "$b"
	wait_ready "$(brokers)"
	echo "kafka.sh: broker $b (127.0.0.1:$(port_of "$b" 1)) is back" >&2
}

topic() {
	[ $# -ge 2 ] || die "usage: kafka.sh topic NAME PARTITIONS [REPLICATION] [k=v ...]"
	local name=$1 parts=$2 rf=1 args=()
	shift 2
	if [ $# -gt 0 ] && [ "${1#*=}" = "$1" ]; then
		rf=$1
		shift
	fi
	for kv in "$@"; do args+=(--config "$kv"); done
	peer topic --bootstrap "$(bootstrap)" --topic "$name" --partitions "$parts" \
		--replication "$rf" "${args[@]}" >&2
}

# ---- start --secure: TLS and SASL listeners on broker 1 -------------------

# The certificates (tls.sh) and, when its programs are installed, a KDC
# (kdc.sh). The guardian starts first, so that the KDC never outlives the
# owner either.
secure_setup() {
	local rc=0
	bash "$here/tls.sh" "$dir/tls" >"$dir/tls.log" 2>&1 ||
		{ cat "$dir/tls.log" >&2; die "tls.sh could not make the certificates"; }
	guard
	bash "$here/kdc.sh" start "$dir/kdc" 2>"$dir/kdc.log" || rc=$?
	case $rc in
	0)
		# The broker's Kerberos login reads this realm, not /etc/krb5.conf.
		mkdir -p "$dir/node1"
		echo "-Djava.security.krb5.conf=$dir/kdc/krb5.conf" >"$dir/node1/jvm.opts"
		;;
	3) echo "kafka.sh: no Kerberos KDC installed: --secure without GSSAPI ($(cat "$dir/kdc.log"))" >&2 ;;
	*) cat "$dir/kdc.log" >&2; die "the KDC did not start" ;;
	esac
}

have_kdc() { [ -f "$dir/kdc/pid" ]; }

# The listeners --secure adds to broker 1, by column of its line in ports.
secure_listeners() {
	echo "SSL:SSL:3 SASL_SSL:SASL_SSL:4 SASL_PLAINTEXT:SASL_PLAINTEXT:5 EXPIRED:SSL:6 REAUTH:SASL_PLAINTEXT:7"
}

# The --secure part of server.properties, after write_props' own lines (a
# key given twice takes its last value). Every setting has its listener's
# prefix, so the listeners differ only where they mean to. User:alice is
# the PLAIN, SCRAM and OAuth user; User:CN=kfk-client the client
# certificate's subject as Kafka's default principal builder formats it;
# User:kfk-client the Kerberos principal kfk-client@KFK.TEST shortened by
# the default rule (realm = the default realm).
secure_props() {
	local l name proto col lst="" map=""
	for l in $(secure_listeners); do
		IFS=: read -r name proto col <<<"$l"
		lst="$lst,$name://127.0.0.1:$(port_of 1 "$col")"
		map="$map,$name:$proto"
	done
	cat <<-EOF
		listeners=PLAINTEXT://127.0.0.1:$(port_of 1 1),CONTROLLER://127.0.0.1:$(port_of 1 2)$lst
		advertised.listeners=PLAINTEXT://127.0.0.1:$(port_of 1 1)$lst
		listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT$map
		super.users=User:ANONYMOUS;User:alice;User:CN=kfk-client;User:kfk-client
	EOF
	ssl_props ssl broker required
	ssl_props sasl_ssl broker none
	ssl_props expired expired-broker none
	sasl_props sasl_ssl PLAIN,SCRAM-SHA-256,SCRAM-SHA-512
	sasl_props sasl_plaintext "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512,OAUTHBEARER$(have_kdc && echo ,GSSAPI)"
	sasl_props reauth PLAIN
	echo "listener.name.reauth.connections.max.reauth.ms=5000"
}

# ssl_props LISTENER KEYSTORE CLIENT_AUTH: the broker's keystore, and the
# test CA as a PEM truststore (Kafka reads PEM itself, no keytool needed).
ssl_props() {
	local p=listener.name.$1.ssl
	cat <<-EOF
		$p.keystore.type=PKCS12
		$p.keystore.location=$dir/tls/$2.p12
		$p.keystore.password=$(cat "$dir/tls/broker.pass")
		$p.key.password=$(cat "$dir/tls/broker.pass")
		$p.truststore.type=PEM
		$p.truststore.location=$dir/tls/ca.pem
		$p.client.auth=$3
	EOF
}

# sasl_props LISTENER MECHANISMS: each mechanism's JAAS login module. PLAIN
# checks the user_<name> options; SCRAM the credentials StorageTool put in
# the metadata (format); OAUTHBEARER the default unsecured validator
# (tokens with alg "none"), its login options only for the broker's own
# token, which it never uses here; GSSAPI the broker's keytab.
sasl_props() {
	local p=listener.name.$1 m j=org.apache.kafka.common.security
	echo "$p.sasl.enabled.mechanisms=$2"
	for m in ${2//,/ }; do
		case $m in
		PLAIN) echo "$p.plain.sasl.jaas.config=$j.plain.PlainLoginModule required user_alice=\"plain-pw-7c1e\";" ;;
		SCRAM-*) echo "$p.${m,,}.sasl.jaas.config=$j.scram.ScramLoginModule required;" ;;
		OAUTHBEARER) echo "$p.oauthbearer.sasl.jaas.config=$j.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub=\"kafka-broker\";" ;;
		GSSAPI)
			echo "$p.gssapi.sasl.jaas.config=com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true storeKey=true keyTab=\"$dir/kdc/kafka.keytab\" principal=\"kafka/127.0.0.1@KFK.TEST\";"
			echo "$p.sasl.kerberos.service.name=kafka"
			;;
		esac
	done
}

# Waits until 127.0.0.1:PORT accepts a connection, for at most 10 s.
wait_port() {
	local i
	for i in $(seq 1 100); do
		timeout 1 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$2" 2>/dev/null && return 0
		timeout 0.05 tail -f /dev/null || true # a bounded pause between polls
	done
	die "listener $1 (127.0.0.1:$2) does not accept connections"
}

# The broker opens every listener at once, so ready on PLAINTEXT means ready
# on all; a bounded connect to each says so before secure.env does.
secure_ready() {
	local l name proto col
	for l in $(secure_listeners); do
		IFS=: read -r name proto col <<<"$l"
		wait_port "$name" "$(port_of 1 "$col")"
	done
	secure_env >"$dir/secure.env.tmp"
	mv "$dir/secure.env.tmp" "$dir/secure.env"
}

# KEY=VALUE lines for the tests (docs/TESTING.md), no quoting needed.
secure_env() {
	local l name proto col
	for l in $(secure_listeners); do
		IFS=: read -r name proto col <<<"$l"
		[ "$name" = EXPIRED ] && name=EXPIRED_SSL
		echo "KFK_KAFKA_$name=127.0.0.1:$(port_of 1 "$col")"
	done
	echo "KFK_KAFKA_TLS_DIR=$dir/tls"
	have_kdc || return 0
	echo "KFK_KAFKA_KRB5_CONFIG=$dir/kdc/krb5.conf"
	echo "KFK_KAFKA_CLIENT_KEYTAB=$dir/kdc/client.keytab"
	echo "KFK_KAFKA_CLIENT_PRINCIPAL=kfk-client@KFK.TEST"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case $cmd in
fetch) fetch ;;
start) start "$@" ;;
stop) stop "$@" ;;
kill) kill_broker "$@" ;;
restart) restart_broker "$@" ;;
topic) topic "$@" ;;
bootstrap) bootstrap ;;
peer) peer "$@" ;;
tool) tool "$@" ;;
secure-env) cat "$dir/secure.env" 2>/dev/null || die "no secure cluster in $dir (kafka.sh start --secure)" ;;
*) sed -n '2,33s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
esac
