#!/usr/bin/env bash
# Go binding benchmark: kfk's binding and confluent-kafka-go on the same
# broker in one run, the same Go program built twice (the import switched
# with sed). Each side produces then consumes N records of 100 B on a
# fresh 3-partition topic, ROUNDS times alternating; prints the medians of
# records/s and CPU seconds and the ratios kfk / confluent.
#   bench.sh BOOTSTRAP KFK_BUILD_DIR [N] [ROUNDS]
# KFK_BUILD_DIR: a kfk build tree configured without sanitizers (-O2).
set -eu
bs=$1 build=$(cd "$2" && pwd) n=${3:-1000000} rounds=${4:-3}
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/pc" "$tmp/ck"
cat >"$tmp/pc/kfk.pc" <<PC
Name: kfk
Description: kfk from its build tree
Version: 0
Libs: -L$build/.libs -Wl,-rpath,$build/.libs -lkfk
Cflags: -I$src/include -I$build/include
PC
export PKG_CONFIG_PATH="$tmp/pc" GOFLAGS=-mod=mod
(cd "$here" && go build -o "$tmp/bench-kfk" .)
sed 's#"github.com/kfk-client/kfk/bindings/go/kafka"#"github.com/confluentinc/confluent-kafka-go/v2/kafka"#' \
	"$here/main.go" >"$tmp/ck/main.go"
printf 'module bench\n\ngo 1.21\n\nrequire github.com/confluentinc/confluent-kafka-go/v2 v2.6.1\n' >"$tmp/ck/go.mod"
(cd "$tmp/ck" && go build -o "$tmp/bench-ck" .)
for r in $(seq "$rounds"); do
	for side in kfk ck; do
		topic="gobench-$side-$r-$$"
		"$build/tools/kfk" topics -b "$bs" --create --topic "$topic" \
			--partitions 3 --replication-factor 1 >/dev/null
		"$tmp/bench-$side" -b "$bs" -t "$topic" -n "$n" | sed "s/^/$side /" | tee -a "$tmp/results"
		"$build/tools/kfk" topics -b "$bs" --delete --topic "$topic" >/dev/null
	done
done
python3 - "$tmp/results" <<'PY'
import json, statistics, sys
res = {}
for line in open(sys.argv[1]):
    side, doc = line.split(" ", 1)
    for phase, v in json.loads(doc).items():
        res.setdefault((side, phase), []).append(v)
for phase in ("produce", "consume"):
    k = [statistics.median(x["rate"] for x in res[("kfk", phase)]),
         statistics.median(x["cpu"] for x in res[("kfk", phase)])]
    c = [statistics.median(x["rate"] for x in res[("ck", phase)]),
         statistics.median(x["cpu"] for x in res[("ck", phase)])]
    print("%-8s kfk %10.0f rec/s %6.2f cpu-s | confluent-kafka-go %10.0f rec/s %6.2f cpu-s | rate x%.2f cpu x%.2f"
          % (phase, k[0], k[1], c[0], c[1], k[0] / c[0], k[1] / c[1]))
PY
