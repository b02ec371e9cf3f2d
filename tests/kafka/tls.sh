#!/usr/bin/env bash
# tls.sh DIR: the certificates of the real Kafka's TLS listeners, made with
# the openssl command into DIR (EC P-256: fast, and every TLS stack has it).
#
#   ca.pem ca.key                  the test CA
#   broker.pem broker.key          broker certificate: subjectAltName
#                                  IP:127.0.0.1 only and CN=kfk-broker, so a
#                                  client connecting as "localhost" sees a
#                                  host-name mismatch
#   broker.p12 broker.pass         the broker's keystore and its password
#   client.pem client.key          client certificate CN=kfk-client and its
#                                  key, unencrypted PKCS#8 PEM
#   client-enc.key                 the same key, encrypted PKCS#8 (key-pw-5d2f)
#   client.p12                     client key + cert + CA (p12-pw-8e0a)
#   rogue-ca.pem rogue-ca.key      a CA the broker does not trust, and
#   rogue-client.pem rogue-client.key  a client certificate it signed
#   expired-broker.pem expired-broker.key expired-broker.p12
#                                  a broker certificate of the test CA whose
#                                  validity ended in 2021 (password broker.pass)
set -eu
[ $# -eq 1 ] || { echo "usage: tls.sh DIR" >&2; exit 2; }
out=$1
mkdir -p "$out"
cd "$out"
umask 077

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }

# A self-signed CA.
ca() {
	key "$1.key"
	openssl req -x509 -new -key "$1.key" -subj "/CN=$2" -days 3650 -out "$1.pem" \
		-addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign
}

# leaf NAME CA SUBJECT EXTENSIONS: a key and a certificate signed by CA,
# valid from now on for ten years.
leaf() {
	key "$1.key"
	openssl req -new -key "$1.key" -subj "$3" -out "$1.csr"
	printf '%s\n' "$4" >"$1.ext"
	openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -CAcreateserial \
		-days 3650 -extfile "$1.ext" -out "$1.pem" 2>/dev/null
	rm -f "$1.csr" "$1.ext"
}

server_ext='basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1'
client_ext='basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth'

# The expired broker certificate: openssl x509 cannot date a certificate
# in the past, openssl ca can, with a minimal CA of its own files.
expired() {
	key expired-broker.key
	openssl req -new -key expired-broker.key -subj /CN=kfk-broker -out expired-broker.csr
	mkdir -p ca.db
	: >ca.db/index.txt
	cat >ca.db/ca.cnf <<-EOF
		[ca]
		default_ca = test
		[test]
		database = $PWD/ca.db/index.txt
		new_certs_dir = $PWD/ca.db
		serial = $PWD/ca.db/serial
		default_md = sha256
		policy = any
		copy_extensions = none
		[any]
		commonName = supplied
		[ext]
		$server_ext
	EOF
	openssl rand -hex 16 >ca.db/serial
	openssl ca -batch -notext -config ca.db/ca.cnf -cert ca.pem -keyfile ca.key \
		-startdate 20200101000000Z -enddate 20210101000000Z -extensions ext \
		-in expired-broker.csr -out expired-broker.pem 2>/dev/null
	rm -rf ca.db expired-broker.csr
}

# Java reads PKCS#12 made by OpenSSL 3 (AES-256, PBKDF2) since JDK 11.0.12.
# No PKCS#12 truststore: OpenSSL 3.0 cannot mark a certificate as trusted
# for Java (-jdktrust is 3.2), and Kafka reads ca.pem as ssl.truststore.type
# PEM anyway.
p12() {
	openssl pkcs12 -export -inkey "$1.key" -in "$1.pem" -certfile ca.pem \
		-name "$1" -passout "pass:$2" -out "$1.p12"
}

ca ca kfk-test-ca
ca rogue-ca kfk-rogue-ca
leaf broker ca /CN=kfk-broker "$server_ext"
leaf client ca /CN=kfk-client "$client_ext"
leaf rogue-client rogue-ca /CN=kfk-client "$client_ext"
expired
openssl pkcs8 -topk8 -in client.key -v2 aes-256-cbc -passout pass:key-pw-5d2f -out client-enc.key
echo broker-pw-41d7 >broker.pass
p12 broker broker-pw-41d7
p12 expired-broker broker-pw-41d7
p12 client p12-pw-8e0a
rm -f ./*.srl
# Readable by the tests (the keys are test keys, the directory is private).
chmod 644 ./*
