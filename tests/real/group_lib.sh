# Shell helpers for the group tests that run members as processes
# (cli_group_real.sh, group_java_real.sh); sourced, with $kfk and $bs set.
# Members print "partition offset" per record into files named by the
# caller (named, never globbed: a member started in the background may not
# have created its file yet).

# lines FILES...: records printed so far, all members together.
lines() { cat "$@" 2>/dev/null | wc -l; }
# unique FILES...: distinct records printed so far.
unique() { cat "$@" 2>/dev/null | sort -u | wc -l; }

# wait_lines N FILES...: until the members printed N lines (60 s).
wait_lines() {
	local want=$1 end=$((SECONDS + 60))
	shift
	while [ "$(lines "$@")" -lt "$want" ]; do
		[ $SECONDS -lt $end ] || return 1
		sleep 0.02
	done
}

# wait_for N FILES...: until the members printed N distinct records
# (90 s). Lines are counted often, distinct ones only once there are
# enough lines.
wait_for() {
	local want=$1 end=$((SECONDS + 90))
	shift
	while [ "$(lines "$@")" -lt "$want" ] ||
	      [ "$(unique "$@")" -lt "$want" ]; do
		[ $SECONDS -lt $end ] || return 1
		sleep 0.05
	done
}

# produce TOPIC N: N records of 20 bytes in small batches (bounded).
produce() {
	timeout 120 "$kfk" perf produce -b "$bs" -t "$1" -c "$2" -s 20 -q \
		-X batch.size=1024 >/dev/null
}

# feed TOPIC "WATCHED..." FILES...: 1,000 records at a time until each of
# WATCHED printed some and FILES hold every record written; $written
# counts the records (the caller sets it first). Once every member printed
# some, all of them took part in the last rebalance: the group is formed.
# 1 after 40 rounds.
feed() {
	local topic=$1 watched=$2 round f ok
	shift 2
	for round in $(seq 40); do
		produce "$topic" 1000 || return 1
		written=$((written + 1000))
		wait_for "$written" "$@" || return 1
		ok=1
		for f in $watched; do
			[ -s "$f" ] || ok=0
		done
		[ $ok = 1 ] && return 0
	done
	return 1
}
