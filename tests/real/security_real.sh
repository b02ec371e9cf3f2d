#!/usr/bin/env bash
# TLS and SASL against a real Kafka's secure listeners (kafka.sh start
# --secure, exported by tests/run-tests as KFK_KAFKA_SSL, ...; files and
# passwords in docs/TESTING.md):
#  - records produced and consumed through SSL (client certificate as PEM,
#    and as a PKCS#12 keystore named the Java way in a -F file), SASL_SSL
#    with SCRAM-SHA-512 (Java's sasl.jaas.config), SASL_PLAINTEXT with
#    PLAIN, SCRAM-SHA-256, OAUTHBEARER (unsecured JWT) and GSSAPI (the
#    suite's KDC), compared byte for byte;
#  - each bad setting fails with its own sentence, logged once and told
#    once to the error callback, and no record is reported delivered (a
#    CRL revoking the broker's certificate and the system CA store among
#    them); TLS 1.2 with one cipher suite by its IANA name;
#  - a CA file and a client certificate replaced on disk are used by the
#    next connection of the same running producer;
#  - a producer re-authenticates on its connection when the broker's
#    session ends (KIP-368);
#  - a debug=all run's whole output holds none of the passwords or key
#    material.
. "$KFK_SRCDIR/tests/kt.sh"
kfk="$KFK_BUILDDIR/tools/kfk"
if [ -z "${KFK_KAFKA_SSL:-}" ]; then
	if [ -n "${KFK_KAFKA_SKIP:-}" ]; then
		kt_skip "TLS and SASL against a real Kafka" "$KFK_KAFKA_SKIP"
	else
		kt_not_ok "a real Kafka with TLS and SASL listeners" \
			"${KFK_KAFKA_ERROR:-run this test through tests/run-tests, which starts one with kafka.sh start --secure}"
	fi
	kt_done
fi
tls=$KFK_KAFKA_TLS_DIR
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
t=sec-$$
ssl=(-X security.protocol=SSL -X "ssl.ca.location=$tls/ca.pem")
mtls=("${ssl[@]}" -X "ssl.certificate.location=$tls/client.pem"
	-X "ssl.key.location=$tls/client.key")
plain=(-X security.protocol=SASL_PLAINTEXT -X sasl.mechanism=PLAIN
	-X sasl.username=alice -X sasl.password=plain-pw-7c1e)

# wait_for FILE TEXT: until FILE holds TEXT, at most 30 s.
wait_for() {
	local i
	for i in $(seq 1 300); do
		grep -qF -- "$2" "$1" 2>/dev/null && return 0
		timeout 0.1 tail -f /dev/null 2>/dev/null
	done
	return 1
}

# wait_lines FILE N: until FILE has N lines, at most 30 s.
wait_lines() {
	local i
	for i in $(seq 1 300); do
		[ "$(wc -l <"$1" 2>/dev/null || echo 0)" -ge "$2" ] && return 0
		timeout 0.1 tail -f /dev/null 2>/dev/null
	done
	return 1
}

# roundtrip NAME BOOTSTRAP ARGS...: 50 keyed records into a topic of
# their own through that listener, read back through it.
roundtrip() {
	local name=$1 bs=$2 topic=$t-$1
	shift 2
	seq 1 50 | sed 's/.*/k&:v&/' >"$tmp/in.$name"
	timeout 60 "$kfk" produce -b "$bs" -t "$topic" -p 0 -K: "$@" \
		<"$tmp/in.$name" >"$tmp/p.$name" 2>&1
	local rc=$?
	kt_check "$name: 50 records produced, exit 0" \
		test $rc -eq 0 -a "$(tail -n 1 "$tmp/p.$name")" = "kfk produce: 50 sent, 50 delivered, 0 failed"
	timeout 60 "$kfk" consume -b "$bs" -t "$topic" -o beginning -e \
		-f '%k:%s\n' "$@" >"$tmp/c.$name" 2>"$tmp/ce.$name"
	kt_check "$name: the same 50 records consumed, in order, exit 0" \
		test $? -eq 0 -a "$(cat "$tmp/in.$name")" = "$(cat "$tmp/c.$name")"
}

roundtrip ssl-pem "$KFK_KAFKA_SSL" "${mtls[@]}"
cat >"$tmp/java-ssl.properties" <<EOF
security.protocol=SSL
ssl.truststore.type=PEM
ssl.truststore.location=$tls/ca.pem
ssl.keystore.type=PKCS12
ssl.keystore.location=$tls/client.p12
ssl.keystore.password=p12-pw-8e0a
EOF
roundtrip ssl-pkcs12-java-names "$KFK_KAFKA_SSL" -F "$tmp/java-ssl.properties"
roundtrip ssl-encrypted-key "$KFK_KAFKA_SSL" "${ssl[@]}" \
	-X "ssl.certificate.location=$tls/client.pem" \
	-X "ssl.key.location=$tls/client-enc.key" -X ssl.key.password=key-pw-5d2f
cat >"$tmp/java-scram.properties" <<EOF
security.protocol=SASL_SSL
ssl.truststore.type=PEM
ssl.truststore.location=$tls/ca.pem
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="scram-pw-93ab";
EOF
roundtrip sasl-ssl-scram-sha-512 "$KFK_KAFKA_SASL_SSL" -F "$tmp/java-scram.properties"
roundtrip sasl-plaintext-plain "$KFK_KAFKA_SASL_PLAINTEXT" "${plain[@]}"
roundtrip sasl-plaintext-scram-sha-256 "$KFK_KAFKA_SASL_PLAINTEXT" \
	-X security.protocol=SASL_PLAINTEXT -X sasl.mechanism=SCRAM-SHA-256 \
	-X sasl.username=alice -X sasl.password=scram-pw-93ab
roundtrip oauthbearer-unsecured-jwt "$KFK_KAFKA_SASL_PLAINTEXT" \
	-X security.protocol=SASL_PLAINTEXT -X sasl.mechanism=OAUTHBEARER \
	-X enable.sasl.oauthbearer.unsecure.jwt=true \
	-X "sasl.oauthbearer.config=principal=alice lifeSeconds=600"
roundtrip oauthbearer-java-jaas "$KFK_KAFKA_SASL_PLAINTEXT" \
	-X security.protocol=SASL_PLAINTEXT -X sasl.mechanism=OAUTHBEARER \
	-X 'sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub="alice";'
if [ -n "${KFK_KAFKA_KRB5_CONFIG:-}" ]; then
	KRB5_CONFIG=$KFK_KAFKA_KRB5_CONFIG KRB5CCNAME="FILE:$tmp/ccache" \
		roundtrip gssapi-keytab "$KFK_KAFKA_SASL_PLAINTEXT" \
		-X security.protocol=SASL_PLAINTEXT -X sasl.mechanism=GSSAPI \
		-X sasl.kerberos.service.name=kafka \
		-X "sasl.kerberos.keytab=$KFK_KAFKA_CLIENT_KEYTAB" \
		-X "sasl.kerberos.principal=$KFK_KAFKA_CLIENT_PRINCIPAL"
	# The ticket renewed every second while a producer waits for input.
	mkfifo "$tmp/fifo.kinit"
	KRB5_CONFIG=$KFK_KAFKA_KRB5_CONFIG KRB5CCNAME="FILE:$tmp/ccache" \
		timeout 60 "$kfk" produce -b "$KFK_KAFKA_SASL_PLAINTEXT" -t "$t-gss" \
		-X security.protocol=SASL_PLAINTEXT -X sasl.mechanism=GSSAPI \
		-X "sasl.kerberos.keytab=$KFK_KAFKA_CLIENT_KEYTAB" \
		-X "sasl.kerberos.principal=$KFK_KAFKA_CLIENT_PRINCIPAL" \
		-X sasl.kerberos.min.time.before.relogin=1000 \
		-X "sasl.kerberos.kinit.cmd=kinit -t \"%{sasl.kerberos.keytab}\" -k %{sasl.kerberos.principal} && echo renewed >>$tmp/renewals" \
		<"$tmp/fifo.kinit" >"$tmp/kinit.out" 2>&1 &
	kpid=$!
	exec 8>"$tmp/fifo.kinit"
	echo before >&8
	wait_lines "$tmp/renewals" 4
	kt_check "gssapi: kinit ran at start and renewed the ticket every second" test $? -eq 0
	echo after >&8
	exec 8>&-
	wait "$kpid"
	kt_check "gssapi: records produced across the renewals" \
		grep -q "2 sent, 2 delivered, 0 failed" "$tmp/kinit.out"
else
	kt_skip "gssapi-keytab" "no Kerberos KDC (krb5-kdc not installed)"
fi

# refused NAME MESSAGE BOOTSTRAP ARGS...: three records sent with a 4 s
# delivery timeout fail; MESSAGE is logged exactly once (repeats go to
# the debug log) and nothing is reported delivered.
refused() {
	local name=$1 msg=$2 bs=$3
	shift 3
	printf 'a\nb\nc\n' | timeout 60 "$kfk" produce -b "$bs" -t "$t-refused" \
		-T 4000 "$@" >"$tmp/r.$name" 2>&1
	kt_check "$name: logs \"$msg\" once" \
		test "$(grep "INFO FAIL" "$tmp/r.$name" | grep -cF -- "$msg")" -eq 1
	# A hang-up is a transport error, retried without a notice: the
	# broker cannot say why it hung up.
	[ "$name" = plaintext-to-sasl ] ||
		kt_check "$name: the error callback tells it once (a warning of kfk produce)" \
			test "$(grep "^kfk produce: warning: " "$tmp/r.$name" | grep -cF -- "$msg")" -eq 1
	kt_check "$name: no record reported delivered" \
		grep -q "3 sent, 0 delivered" "$tmp/r.$name"
}

refused untrusted-ca "the broker's certificate is not trusted (self-signed certificate in certificate chain): set ssl.ca.location to the CA that signed it" \
	"$KFK_KAFKA_SSL" -X security.protocol=SSL -X "ssl.ca.location=$tls/rogue-ca.pem"
refused host-name-mismatch "localhost:${KFK_KAFKA_SSL##*:}/bootstrap: the broker's certificate does not name the host connected to (hostname mismatch)" \
	"localhost:${KFK_KAFKA_SSL##*:}" "${mtls[@]}"
refused expired-certificate "the broker's certificate has expired on Jan  1 00:00:00 2021 GMT: the broker needs a new certificate" \
	"$KFK_KAFKA_EXPIRED_SSL" "${mtls[@]}"
refused client-certificate-refused "the broker refused our certificate" \
	"$KFK_KAFKA_SSL" "${ssl[@]}" -X "ssl.certificate.location=$tls/rogue-client.pem" \
	-X "ssl.key.location=$tls/rogue-client.key"
refused wrong-password "SASL authentication failed (SCRAM-SHA-512 as alice): Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512: check sasl.username and sasl.password" \
	"$KFK_KAFKA_SASL_PLAINTEXT" -X security.protocol=SASL_PLAINTEXT \
	-X sasl.mechanism=SCRAM-SHA-512 -X sasl.username=alice -X sasl.password=not-it
refused mechanism-not-enabled "SASL authentication failed (OAUTHBEARER): the broker does not enable OAUTHBEARER on this listener (it enables: " \
	"$KFK_KAFKA_SASL_SSL" "${ssl[@]}" -X security.protocol=SASL_SSL \
	-X sasl.mechanism=OAUTHBEARER -X enable.sasl.oauthbearer.unsecure.jwt=true \
	-X sasl.oauthbearer.config=principal=alice
refused plaintext-to-ssl "the broker answered with TLS: this is an SSL or SASL_SSL listener; set security.protocol to SSL or SASL_SSL" \
	"$KFK_KAFKA_SSL"
refused ssl-to-plaintext "the broker closed the connection during the TLS handshake: is this an SSL or SASL_SSL listener? check security.protocol" \
	"$KFK_KAFKA_BOOTSTRAP" "${ssl[@]}"
refused plaintext-to-sasl "connection closed by the peer right after ApiVersions: the listener may require SASL authentication (check security.protocol and sasl.mechanism)" \
	"$KFK_KAFKA_SASL_PLAINTEXT"

refused system-ca-store "the broker's certificate is not trusted (self-signed certificate in certificate chain): set ssl.ca.location to the CA that signed it" \
	"$KFK_KAFKA_SSL" -X security.protocol=SSL \
	-X "ssl.certificate.location=$tls/client.pem" -X "ssl.key.location=$tls/client.key"

# A CRL revoking the broker's certificate (made with openssl ca).
mkdir "$tmp/crl" && : >"$tmp/crl/index.txt" && echo 1000 >"$tmp/crl/crlnumber"
printf '[ca]\ndefault_ca = test\n[test]\ndatabase = %s\ncrlnumber = %s\ndefault_md = sha256\ndefault_crl_days = 30\n' \
	"$tmp/crl/index.txt" "$tmp/crl/crlnumber" >"$tmp/crl/ca.cnf"
openssl ca -batch -config "$tmp/crl/ca.cnf" -cert "$tls/ca.pem" -keyfile "$tls/ca.key" \
	-revoke "$tls/broker.pem" >/dev/null 2>&1 &&
	openssl ca -batch -config "$tmp/crl/ca.cnf" -cert "$tls/ca.pem" \
		-keyfile "$tls/ca.key" -gencrl -out "$tmp/crl/crl.pem" >/dev/null 2>&1
kt_check "a CRL revoking the broker's certificate is made" test -s "$tmp/crl/crl.pem"
refused revoked-certificate "the broker's certificate is revoked (ssl.crl.location)" \
	"$KFK_KAFKA_SSL" "${mtls[@]}" -X "ssl.crl.location=$tmp/crl/crl.pem"

# TLS 1.2 with one cipher suite, named as the Java client names it.
printf 'c\n' | timeout 60 "$kfk" produce -b "$KFK_KAFKA_SSL" -t "$t-cipher" "${mtls[@]}" \
	-X ssl.enabled.protocols=TLSv1.2 \
	-X ssl.cipher.suites=TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 \
	-X debug=security >"$tmp/cipher" 2>&1
kt_check "ssl.enabled.protocols and ssl.cipher.suites (IANA name): the handshake used them" \
	grep -q "TLS handshake done: TLSv1.2 ECDHE-ECDSA-AES128-GCM-SHA256" "$tmp/cipher"
kt_check "... and the record was delivered" \
	test "$(tail -n 1 "$tmp/cipher")" = "kfk produce: 1 sent, 1 delivered, 0 failed"
"$kfk" produce -b "$KFK_KAFKA_SSL" -t "$t" "${mtls[@]}" -X ssl.cipher.suites=TLS_NOPE \
	</dev/null >"$tmp/nope" 2>&1
kt_check "an unknown cipher suite fails the creation, named" \
	grep -qF "ssl.cipher.suites: unknown cipher suite TLS_NOPE" "$tmp/nope"

# A mechanism kfk does not know is refused when it is set.
"$kfk" produce -b "$KFK_KAFKA_SASL_PLAINTEXT" -t "$t" -X sasl.mechanism=SCRAM-SHA-1 \
	</dev/null >"$tmp/m.out" 2>&1
kt_check "an unknown mechanism fails at once, naming the allowed ones" \
	grep -q "sasl.mechanism.*GSSAPI, PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER" "$tmp/m.out"
# A wrong key password fails the creation, naming the property.
"$kfk" produce -b "$KFK_KAFKA_SSL" -t "$t" "${ssl[@]}" \
	-X "ssl.certificate.location=$tls/client.pem" \
	-X "ssl.key.location=$tls/client-enc.key" -X ssl.key.password=nope \
	</dev/null >"$tmp/k.out" 2>&1
kt_check "a wrong ssl.key.password fails at creation, naming it" \
	grep -q "ssl.key.location: cannot read the private key (is ssl.key.password right?)" "$tmp/k.out"

# reload NAME FILES-BEFORE FILES-AFTER ARGS...: one running producer first
# fails with the files as they are, then delivers once they are replaced.
reload() {
	local name=$1 bs=$2 msg=$3
	shift 3
	mkfifo "$tmp/fifo.$name"
	timeout 90 "$kfk" produce -b "$bs" -t "$t-reload" -T 60000 "$@" \
		-X reconnect.backoff.max.ms=500 <"$tmp/fifo.$name" >"$tmp/l.$name" 2>&1 &
	local pid=$!
	exec 7>"$tmp/fifo.$name"
	echo "first" >&7
	wait_for "$tmp/l.$name" "$msg"
	kt_check "$name: refused with the files as they were" test $? -eq 0
	"$name"_swap
	echo "second" >&7
	exec 7>&-
	wait "$pid"
	kt_check "$name: the same producer delivers both records once the files are replaced" \
		grep -q "2 sent, 2 delivered, 0 failed" "$tmp/l.$name"
	kt_check "$name: the reload is logged" grep -q "certificate files changed: reloaded" "$tmp/l.$name"
}
ca_swap() { cp "$tls/ca.pem" "$tmp/ca.new" && mv "$tmp/ca.new" "$tmp/ca.pem"; }
cp "$tls/rogue-ca.pem" "$tmp/ca.pem"
reload ca "$KFK_KAFKA_SASL_SSL" "the broker's certificate is not trusted" \
	-X security.protocol=SASL_SSL -X "ssl.ca.location=$tmp/ca.pem" \
	-X sasl.mechanism=SCRAM-SHA-512 -X sasl.username=alice -X sasl.password=scram-pw-93ab
cert_swap() {
	cp "$tls/client.key" "$tmp/key.new" && mv "$tmp/key.new" "$tmp/client.key"
	cp "$tls/client.pem" "$tmp/cert.new" && mv "$tmp/cert.new" "$tmp/client.pem"
}
cp "$tls/rogue-client.pem" "$tmp/client.pem"
cp "$tls/rogue-client.key" "$tmp/client.key"
reload cert "$KFK_KAFKA_SSL" "the broker refused our certificate" "${ssl[@]}" \
	-X "ssl.certificate.location=$tmp/client.pem" -X "ssl.key.location=$tmp/client.key"

# KIP-368: the REAUTH listener ends sessions after 5 s; one producer
# re-authenticates on its connection and keeps delivering.
mkfifo "$tmp/fifo.reauth"
timeout 60 "$kfk" produce -b "$KFK_KAFKA_REAUTH" -t "$t-reauth" "${plain[@]}" \
	-X debug=security <"$tmp/fifo.reauth" >"$tmp/reauth.out" 2>&1 &
rpid=$!
exec 9>"$tmp/fifo.reauth"
echo one >&9
wait_for "$tmp/reauth.out" "re-authenticated (PLAIN as alice), session lifetime"
kt_check "reauth: the producer re-authenticated before the broker's 5 s session ended" test $? -eq 0
echo two >&9
exec 9>&-
wait "$rpid"
kt_check "reauth: both records delivered, on one connection" \
	test "$(tail -n 1 "$tmp/reauth.out")" = "kfk produce: 2 sent, 2 delivered, 0 failed" \
	-a "$(grep -c "INFO FAIL" "$tmp/reauth.out")" -eq 0

# debug=all through TLS with a client key and SCRAM: no secret anywhere.
printf 'x\ny\n' | timeout 60 "$kfk" produce -b "$KFK_KAFKA_SASL_SSL" -t "$t-dbg" \
	-X security.protocol=SASL_SSL -X "ssl.ca.location=$tls/ca.pem" \
	-X "ssl.key.pem=$(cat "$tls/client.key")" -X ssl.key.password=key-pw-5d2f \
	-X "ssl.certificate.location=$tls/client.pem" \
	-X sasl.mechanism=SCRAM-SHA-512 -X sasl.username=alice \
	-X sasl.password=scram-pw-93ab -X debug=all >"$tmp/dbg" 2>&1
timeout 60 "$kfk" consume -b "$KFK_KAFKA_SASL_PLAINTEXT" -t "$t-dbg" -o beginning -e \
	-X security.protocol=SASL_PLAINTEXT -X sasl.mechanism=PLAIN \
	-X 'sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="plain-pw-7c1e";' \
	-X debug=all >>"$tmp/dbg" 2>&1
kt_check "debug=all: both runs worked and logged much" \
	test "$(grep -c "2 sent, 2 delivered\|2 records" "$tmp/dbg")" -eq 2 -a "$(wc -l <"$tmp/dbg")" -gt 100
kt_check "debug=all: the set secrets are dumped as [hidden]" \
	test "$(grep -c "= \[hidden\]" "$tmp/dbg")" -ge 4
for secret in scram-pw-93ab plain-pw-7c1e key-pw-5d2f p12-pw-8e0a \
	"$(sed -n 2p "$tls/client.key")" "$(sed -n 2p "$tls/client.key" | cut -c1-24)"; do
	kt_check "debug=all: no trace of secret ${secret:0:6}..." \
		bash -c '! grep -qF -- "$1" "$2"' _ "$secret" "$tmp/dbg"
done
kt_done
