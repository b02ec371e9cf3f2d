#!/usr/bin/env bash
# kdc.sh: a throw-away MIT Kerberos KDC for the real Kafka's GSSAPI
# listener, run as the current user on a free 127.0.0.1 port, realm KFK.TEST.
#
#   kdc.sh start DIR   create DIR/{kdc.conf,krb5.conf}, the database, the
#                      principals kafka/127.0.0.1 and kfk-client with their
#                      keytabs DIR/kafka.keytab and DIR/client.keytab, start
#                      krb5kdc (PID in DIR/pid) and wait until it answers
#   kdc.sh stop DIR    stop it (SIGTERM, then SIGKILL after a bounded wait)
#
# Exit status 3 from start: the KDC programs are not installed.
# Everything a Kerberos client needs is in DIR/krb5.conf (KRB5_CONFIG; Java:
# -Djava.security.krb5.conf): no DNS, no reverse DNS, TCP only.
set -eu
realm=KFK.TEST
sbin=/usr/sbin

die() {
	echo "kdc.sh: $*" >&2
	exit 1
}

have_kdc() {
	[ -x $sbin/krb5kdc ] && [ -x $sbin/kdb5_util ] && [ -x $sbin/kadmin.local ]
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The KDC's profile (its database in DIR) and the clients' krb5.conf. The
# enctypes are the AES-SHA1 ones, which both MIT and Java 17 have.
write_conf() {
	local d=$1 port=$2
	cat >"$d/kdc.conf" <<-EOF
		[kdcdefaults]
		    kdc_listen = 127.0.0.1:$port
		    kdc_tcp_listen = 127.0.0.1:$port
		[realms]
		    $realm = {
		        database_name = $d/principal
		        key_stash_file = $d/stash
		        acl_file = $d/kadm5.acl
		        kdc_listen = 127.0.0.1:$port
		        kdc_tcp_listen = 127.0.0.1:$port
		        max_life = 1d
		        max_renewable_life = 2d
		        supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal
		    }
		[logging]
		    kdc = FILE:$d/kdc.log
		    admin_server = FILE:$d/kadmin.log
		    default = FILE:$d/kdc.log
	EOF
	: >"$d/kadm5.acl"
	cat >"$d/krb5.conf" <<-EOF
		[libdefaults]
		    default_realm = $realm
		    dns_lookup_kdc = false
		    dns_lookup_realm = false
		    dns_canonicalize_hostname = false
		    rdns = false
		    udp_preference_limit = 1
		    ignore_acceptor_hostname = false
		    default_ccache_name = FILE:$d/ccache
		    permitted_enctypes = aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96
		    default_tkt_enctypes = aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96
		    default_tgs_enctypes = aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96
		[realms]
		    $realm = {
		        kdc = 127.0.0.1:$port
		    }
		[domain_realm]
		    127.0.0.1 = $realm
		    localhost = $realm
	EOF
	echo "$port" >"$d/port"
}

# The database (a random master key, stashed) and the two principals.
make_db() {
	local d=$1
	kdb5_util create -s -r $realm -P "$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')" \
		>"$d/kdb5_util.log" 2>&1 || { cat "$d/kdb5_util.log" >&2; die "kdb5_util create failed"; }
	kadmin.local -r $realm -q "addprinc -randkey kafka/127.0.0.1@$realm" >"$d/kadmin.log" 2>&1 &&
		kadmin.local -r $realm -q "addprinc -randkey kfk-client@$realm" >>"$d/kadmin.log" 2>&1 &&
		kadmin.local -r $realm -q "ktadd -k $d/kafka.keytab kafka/127.0.0.1@$realm" >>"$d/kadmin.log" 2>&1 &&
		kadmin.local -r $realm -q "ktadd -k $d/client.keytab kfk-client@$realm" >>"$d/kadmin.log" 2>&1 ||
		{ cat "$d/kadmin.log" >&2; die "kadmin.local failed"; }
}

# Ready when a TCP connection to the port succeeds, polled for at most 10 s;
# a krb5kdc that exits ends the wait at once. Returns 1 (the caller stops
# the KDC) rather than exiting.
wait_port() {
	local d=$1 pid=$2 port i
	port=$(cat "$d/port")
	for i in $(seq 1 200); do
		kill -0 "$pid" 2>/dev/null || {
			tail -n 20 "$d/kdc.log" "$d/console.log" >&2
			echo "kdc.sh: krb5kdc exited" >&2
			return 1
		}
		timeout 1 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$port" 2>/dev/null && return 0
		timeout 0.05 tail -f /dev/null || true # a bounded 50 ms pause between polls
	done
	echo "kdc.sh: krb5kdc not listening on 127.0.0.1:$port after 10 s" >&2
	return 1
}

start() {
	local d
	[ $# -eq 1 ] || die "usage: kdc.sh start DIR"
	have_kdc || { echo "kdc.sh: krb5kdc, kdb5_util or kadmin.local not found (Debian: krb5-kdc krb5-admin-server)" >&2; exit 3; }
	mkdir -p "$1"
	d=$(cd "$1" && pwd)
	[ -f "$d/pid" ] && kill -0 "$(cat "$d/pid")" 2>/dev/null && die "a KDC already runs in $d"
	export KRB5_CONFIG=$d/krb5.conf KRB5_KDC_PROFILE=$d/kdc.conf PATH=$sbin:$PATH
	write_conf "$d" "$(free_port)"
	make_db "$d"
	# In the foreground (-n) in its own session, so that its PID is ours to
	# stop and a signal to the caller's process group does not reach it.
	setsid krb5kdc -n -r $realm </dev/null >"$d/console.log" 2>&1 &
	echo $! >"$d/pid"
	wait_port "$d" "$(cat "$d/pid")" || { stop "$d"; exit 1; }
}

# Only a krb5kdc: the PID in a stale file may be another process's by now.
stop() {
	local d=$1 pid
	pid=$(cat "$d/pid" 2>/dev/null) || return 0
	rm -f "$d/pid"
	[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = krb5kdc ] || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	timeout 10 tail -s 0.1 --pid="$pid" -f /dev/null || kill -KILL "$pid" 2>/dev/null || true
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case $cmd in
start) start "$@" ;;
stop) [ $# -eq 1 ] || die "usage: kdc.sh stop DIR"; stop "$1" ;;
*) sed -n '2,13s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
esac
