#!/usr/bin/env bash
# What a newcomer meets when something is off, each message exact:
#  - no broker at the address: one "all brokers down" warning from the
#    error callback while kfk produce waits, the record counted as failed
#    with its reason, exit 1; and when a broker appears there, one
#    "reachable again" and the record delivered;
#  - examples/producer and examples/consumer exit 1 when they could not do
#    their job;
#  - acks=0 against librdkafka's mock (which answers, unlike a broker):
#    no error line;
#  - an empty topic name, a record over message.max.bytes and a mistyped
#    option each named, with the program name first;
#  - --report-format with the key and the input line of every record.
. "$KFK_SRCDIR/tests/kt.sh"
kfk="$KFK_BUILDDIR/tools/kfk"
mc="$KFK_BUILDDIR/tests/mockcluster"
tmp=$(mktemp -d)
mc_pid=
trap '[ -n "$mc_pid" ] && kill "$mc_pid" 2>/dev/null; rm -rf "$tmp"' EXIT

# A port nothing listens on: bound, then closed again.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
down=127.0.0.1:$port

echo x | timeout 60 "$kfk" produce -b "$down" -t t1 -T 3000 >"$tmp/o1" 2>"$tmp/e1"
rc=$?
kt_check "unreachable broker: exit 1" test "$rc" -eq 1
kt_check "unreachable broker: the error callback's warning, once" test \
	"$(grep -cxF "kfk produce: warning: all 1 known brokers are down (the last to fail: $down/bootstrap): check bootstrap.servers, that the brokers run and security.protocol; retrying with backoff" "$tmp/e1")" -eq 1
kt_check "unreachable broker: what -T gave up on is said" \
	grep -qxF "kfk produce: 1 records not delivered within -T 3000 ms: given up (raise -T, or check the warnings above)" "$tmp/e1"
kt_check "unreachable broker: the record counts as failed, timed out" \
	test "$(tail -n 1 "$tmp/e1")" = "kfk produce: 1 sent, 0 delivered, 1 failed (timed out: 1)"

timeout 60 "$KFK_BUILDDIR/examples/producer" "$down" t1 >/dev/null 2>"$tmp/e2"
rc=$?
kt_check "examples/producer exits 1 when nothing was delivered" test "$rc" -eq 1
kt_check "examples/producer says why" \
	grep -qxF "5 messages not delivered in 10 s: is a broker running at $down?" "$tmp/e2"
timeout 60 "$KFK_BUILDDIR/examples/consumer" "$down" t1 >/dev/null 2>"$tmp/e3"
rc=$?
kt_check "examples/consumer stops with exit 1 when every broker is down" test "$rc" -eq 1

timeout 60 "$kfk" consume -b "$down" -t t1 -e >/dev/null 2>"$tmp/e10"
rc=$?
kt_check "kfk consume, unreachable broker: the warning while it waits, then why it gives up, exit 1" \
	test "$rc" -eq 1 -a "$(grep -c "^kfk consume: warning: all 1 known brokers are down" "$tmp/e10")" -eq 1 \
	-a "$(tail -n 1 "$tmp/e10")" = "kfk consume: topic t1: no metadata about it within 30 s: check bootstrap.servers (and the warnings above)"

"$kfk" produce -b "$down" -t "" </dev/null >/dev/null 2>"$tmp/e4"
rc=$?
kt_check "an empty topic name is refused at once, exit 2" test "$rc" -eq 2
kt_check "... and named" \
	test "$(cat "$tmp/e4")" = "kfk produce: the topic name is empty: give -t TOPIC"
"$kfk" produce --reprt -t x </dev/null >/dev/null 2>"$tmp/e5"
rc=$?
kt_check "a mistyped option: exit 2, the program name first" \
	test "$rc" -eq 2 -a "$(head -n 1 "$tmp/e5")" = "kfk produce: unrecognized option '--reprt'"

if [ ! -x "$mc" ]; then
	kt_skip "the mock cluster cases" "tests/mockcluster is not built"
	kt_done
fi
coproc MC { exec "$mc" -b 1 fh:1:1; }
mc_pid=$MC_PID
read -r -t 20 -u "${MC[0]}" line || line=
bs=${line#BOOTSTRAP }

head -c 10000000 /dev/zero | tr '\0' a | timeout 60 "$kfk" produce -b "$bs" -t fh \
	>/dev/null 2>"$tmp/e6"
kt_check "a 10 MB record: message.max.bytes and its value named, with the fix" \
	grep -qxF "kfk produce: line 1: the record (10000000 bytes of key and value) is larger than message.max.bytes (1000000): raise it with -X message.max.bytes=N (the topic's max.message.bytes bounds it on the broker)" "$tmp/e6"
kt_check "... and counted as too large" \
	test "$(tail -n 1 "$tmp/e6")" = "kfk produce: 0 sent, 0 delivered, 1 failed (too large: 1)"

printf 'a\nb\nc\n' | timeout 60 "$kfk" produce -b "$bs" -t fh -X acks=0 \
	>/dev/null 2>"$tmp/e7"
rc=$?
kt_check "acks=0 against the mock: exit 0, no error logged" \
	test "$rc" -eq 0 -a "$(grep -c "ERR\|FAIL" "$tmp/e7")" -eq 0

# Brokers back: the producer started while nothing listened at $down; a
# forwarder to the mock then opens there.
mkfifo "$tmp/fifo"
timeout 60 "$kfk" produce -b "$down" -t fh -T 30000 <"$tmp/fifo" >/dev/null 2>"$tmp/e9" &
ppid=$!
exec 7>"$tmp/fifo"
echo back >&7
exec 7>&- # kfk produce now waits in its flush, where notices are served
for i in $(seq 1 300); do
	grep -q "all 1 known brokers are down" "$tmp/e9" && break
	timeout 0.1 tail -f /dev/null
done
python3 - "$port" "${bs%%,*}" <<'PY' &
import socket, sys, threading
port, (host, tport) = int(sys.argv[1]), sys.argv[2].rsplit(":", 1)
ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", port)); ls.listen(8); ls.settimeout(30)
def pump(a, b):
    try:
        while (d := a.recv(65536)):
            b.sendall(d)
    except OSError:
        pass
    for s in (a, b):
        try: s.shutdown(socket.SHUT_RDWR)
        except OSError: pass
while True:
    try: c, _ = ls.accept()
    except OSError: break
    u = socket.create_connection((host, int(tport)))
    for x, y in ((c, u), (u, c)):
        threading.Thread(target=pump, args=(x, y), daemon=True).start()
PY
fwd=$!
wait "$ppid"
kill "$fwd" 2>/dev/null
kt_check "brokers back: 'all brokers down' told once, then 'reachable again' once" \
	test "$(grep -c "^kfk produce: warning: all 1 known brokers are down" "$tmp/e9")" -eq 1 \
	-a "$(grep -cxF "kfk produce: $down/bootstrap is up: brokers reachable again" "$tmp/e9")" -eq 1
kt_check "brokers back: the record waiting meanwhile is delivered" \
	test "$(tail -n 1 "$tmp/e9")" = "kfk produce: 1 sent, 1 delivered, 0 failed"
[ "$kt_failed" -gt 0 ] && sed 's/^/# /' "$tmp/e9"

printf 'k1:v1\nk2:v2\nk3:v3\n' | timeout 60 "$kfk" produce -b "$bs" -t fh -K: -p 0 \
	--report-format '%l %k %t[%p] %E\n' >"$tmp/o8" 2>/dev/null
sort "$tmp/o8" >"$tmp/got8"
kt_check "--report-format: the input line and key of every record" \
	diff <(printf '1 k1 fh[0] NONE\n2 k2 fh[0] NONE\n3 k3 fh[0] NONE\n') "$tmp/got8"
kt_done
