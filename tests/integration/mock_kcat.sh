# mock_kcat: proves the mock cluster harness (tests/mockcluster) with a
# real Kafka client nobody here wrote: Debian's kcat produces 100 keyed
# records into a 3-partition topic and reads exactly them back, also after
# the harness moved a leader and injected produce errors. The orphan guard
# (MOCKCLUSTER_MAX_SECONDS) is checked too. Every wait is bounded: lines are
# read with `read -t`, kcat runs under `timeout`.
. "$KFK_SRCDIR/tests/kt.sh"

mc="$KFK_BUILDDIR/tests/mockcluster"
topic=kfk.harness
wait_s=20   # for one line from the helper
kcat_s=60   # for one kcat run

# Whether configure found librdkafka: tests/local.mk sets KFK_MOCK_CPPFLAGS
# to -DKT_MOCK_UNAVAILABLE=1 in the build's Makefile when it did not.
have_rdkafka() {
	if [ -f "$KFK_BUILDDIR/Makefile" ]; then
		! grep -q '^KFK_MOCK_CPPFLAGS = -DKT_MOCK_UNAVAILABLE' "$KFK_BUILDDIR/Makefile"
	else
		"${PKG_CONFIG:-pkg-config}" --exists rdkafka 2>/dev/null
	fi
}

if [ ! -x "$mc" ]; then
	if have_rdkafka; then
		kt_not_ok "mockcluster is built" "$mc missing though configure found librdkafka (make tests/mockcluster)"
	else
		kt_skip "mock cluster harness" "librdkafka-dev missing at configure time (apt-get install librdkafka-dev)"
	fi
	kt_done
fi

tmp=$(mktemp -d)
mc_pid=
cleanup() {
	[ -n "$mc_pid" ] && kill "$mc_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# mc_start ARGS...: runs mockcluster as a coprocess; its stdin is fd
# $mc_in, its stdout fd $mc_out. These are copies, the coproc's own fds are
# closed: bash drops those once the child exits, and we still read its
# output to the end then; closing $mc_in must be the child's end of input.
mc_start() {
	coproc MC { exec "$mc" "$@"; }
	mc_pid=$MC_PID
	exec {mc_in}>&"${MC[1]}" {mc_out}<&"${MC[0]}"
	exec {MC[1]}>&- {MC[0]}<&-
}

# mc_cmd COMMAND...: one command; true when the answer is "ok".
mc_cmd() {
	local reply
	printf '%s\n' "$*" >&"$mc_in" || return 1
	read -t "$wait_s" -r reply <&"$mc_out" || { echo "no answer to: $*"; return 1; }
	[ "$reply" = ok ] || { echo "$*: $reply"; return 1; }
}

# mc_wait_exit [keep-stdin]: closes the helper's stdin (or keeps it open
# until the helper quits by itself); true when its output then ends within
# the bound (else it is killed); its exit status is then in mc_status.
# Leaves both fds closed.
mc_wait_exit() {
	local line rc
	mc_status=
	[ "${1:-}" = keep-stdin ] || exec {mc_in}>&-
	while :; do
		read -t "$wait_s" -r line <&"$mc_out"
		rc=$?
		[ "$rc" -eq 0 ] || break
	done
	exec {mc_out}<&-
	[ "${1:-}" = keep-stdin ] && exec {mc_in}>&-
	if [ "$rc" -gt 128 ]; then
		kill -9 "$mc_pid" 2>/dev/null
		wait "$mc_pid" 2>/dev/null
		mc_pid=
		return 1
	fi
	# The output ended; the exit itself is bounded too (a hung teardown
	# inside librdkafka must not hold the suite until the runner's limit).
	if ! timeout "$wait_s" tail --pid="$mc_pid" -f /dev/null; then
		echo "# mockcluster did not exit ${wait_s} s after its output ended; killed"
		kill -9 "$mc_pid" 2>/dev/null
		wait "$mc_pid" 2>/dev/null
		mc_pid=
		return 1
	fi
	wait "$mc_pid"
	mc_status=$?
	mc_pid=
}

# --- the orphan guard: with stdin left open it still exits, status 3.
MOCKCLUSTER_MAX_SECONDS=1 mc_start -b 1
if read -t "$wait_s" -r line <&"$mc_out" && [ "${line%% *}" = BOOTSTRAP ]; then
	kt_ok "mockcluster prints BOOTSTRAP first"
else
	kt_not_ok "mockcluster prints BOOTSTRAP first" "got: ${line:-nothing}"
fi
start=$(date +%s)
if mc_wait_exit keep-stdin && [ "$mc_status" -eq 3 ]; then
	kt_ok "mockcluster exits with status 3 after MOCKCLUSTER_MAX_SECONDS"
else
	kt_not_ok "mockcluster exits with status 3 after MOCKCLUSTER_MAX_SECONDS" \
		"status ${mc_status:-none} after $(( $(date +%s) - start )) s"
fi

if ! command -v kcat >/dev/null 2>&1; then
	kt_skip "kcat round trip through the mock cluster" "kcat not installed (apt-get install kcat)"
	kt_done
fi

# --- a 3-broker cluster with a 3-partition topic, replicated 3 times.
mc_start -b 3 "$topic:3:3"
bootstrap=
if read -t "$wait_s" -r line <&"$mc_out"; then bootstrap=${line#BOOTSTRAP }; fi
addr='127\.0\.0\.1:[0-9]+'
if [[ $line =~ ^BOOTSTRAP\ $addr,$addr,$addr$ ]]; then
	kt_ok "bootstrap lists 3 brokers on 127.0.0.1"
else
	kt_not_ok "bootstrap lists 3 brokers on 127.0.0.1" "got: ${line:-nothing}"
fi

# produce ROUND FILE: 100 distinct keyed records written to FILE, then
# produced with kcat; true when kcat succeeds.
produce() {
	local i
	for i in $(seq 1 100); do
		printf 'r%s-key%03d:value %s/%d %s\n' "$1" "$i" "$1" "$i" "$RANDOM"
	done >"$2"
	timeout "$kcat_s" kcat -P -b "$bootstrap" -t "$topic" -K: -q <"$2"
}

# consume FILE: everything in the topic, as "partition offset key:value".
consume() {
	timeout "$kcat_s" kcat -C -b "$bootstrap" -t "$topic" -e -q \
		-o beginning -f '%p %o %k:%s\n' >"$1"
}

# same_records A B: the key:value records of consumed file B are exactly
# those of produced file A (as a multiset: duplicates would show).
same_records() {
	diff <(sort "$1") <(cut -d' ' -f3- "$2" | sort)
}

# in_order PRODUCED CONSUMED: within each partition, offsets run 0..n-1
# and records come in the order they were produced.
in_order() {
	awk 'NR == FNR { pos[$0] = NR; next }
	     { rec = substr($0, length($1 " " $2 " ") + 1) }
	     $2 != next_off[$1] + 0 { print "partition " $1 ": offset " $2 " after " next_off[$1] - 1; bad = 1 }
	     { next_off[$1] = $2 + 1 }
	     (rec in pos) && pos[rec] < last[$1] { print "partition " $1 ": " rec " out of order"; bad = 1 }
	     { if (rec in pos) last[$1] = pos[rec]; parts[$1] = 1 }
	     END { n = 0; for (p in parts) n++; if (n < 2) { print "only " n " partition(s) used"; bad = 1 }; exit bad }' "$1" "$2"
}

kt_check "kcat produces 100 records" produce 1 "$tmp/sent1"
kt_check "kcat consumes the topic to its end" consume "$tmp/got1"
n=$(wc -l <"$tmp/got1")
if [ "$n" -eq 100 ]; then kt_ok "100 records come back"; else kt_not_ok "100 records come back" "got $n"; fi
kt_check "the records that come back are exactly those sent" same_records "$tmp/sent1" "$tmp/got1"
kt_check "each partition keeps offsets 0..n-1 in send order, over >1 partition" in_order "$tmp/sent1" "$tmp/got1"

# --- the harness changes the cluster under a running client's feet.
kt_check "harness moves partition 0's leader to broker 2" mc_cmd leader "$topic" 0 2
kt_check "harness moves partition 1's leader to broker 3" mc_cmd leader "$topic" 1 3
kt_check "harness injects 2 NOT_LEADER_FOR_PARTITION on Produce" mc_cmd err Produce 6 2
kt_check "kcat produces 100 more records through the errors" produce 2 "$tmp/sent2"
kt_check "kcat consumes again after the leader moves" consume "$tmp/got2"
cat "$tmp/sent1" "$tmp/sent2" >"$tmp/sent12"
kt_check "exactly the 200 records sent come back" same_records "$tmp/sent12" "$tmp/got2"
printf 'bogus\n' >&"$mc_in"
if read -t "$wait_s" -r line <&"$mc_out" && [ "$line" = "error unknown command bogus" ]; then
	kt_ok "unknown command answers 'error unknown command bogus'"
else
	kt_not_ok "unknown command answers 'error unknown command bogus'" "got: ${line:-nothing}"
fi

# --- closing stdin stops it, promptly and cleanly.
if mc_wait_exit && [ "$mc_status" -eq 0 ]; then
	kt_ok "mockcluster exits with status 0 when its stdin closes"
else
	kt_not_ok "mockcluster exits with status 0 when its stdin closes" "status ${mc_status:-none (killed)}"
fi
kt_done
