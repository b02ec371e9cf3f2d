#!/usr/bin/env bash
# Installs the Debian packages kfk needs to build and test, when any is
# missing. Safe to run again: it installs nothing when all are present.
set -eu
pkgs="build-essential autoconf automake libtool pkg-config clang
      libssl-dev libsasl2-dev zlib1g-dev liblz4-dev libzstd-dev libsnappy-dev
      libcjson-dev librdkafka-dev kcat python3 python3-kafka binutils
      libclang-rt-14-dev python3-snappy python3-lz4 python3-zstandard
      python3-dev python3-venv
      krb5-kdc krb5-admin-server krb5-user libsasl2-modules-gssapi-mit"
# The real Kafka of the tests (tests/kafka/kafka.sh) comes from Maven
# Central and needs a JDK 17 or newer; a machine that has them from
# elsewhere keeps its own.
command -v mvn >/dev/null || pkgs="$pkgs maven"
command -v javac >/dev/null || pkgs="$pkgs openjdk-17-jdk-headless"
# The Go binding's tests need a Go toolchain (cgo); a machine with a newer
# Go of its own keeps it.
command -v go >/dev/null || pkgs="$pkgs golang-go"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing >&2
