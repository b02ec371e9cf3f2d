#!/usr/bin/env bash
# --json of the subcommands against the real broker: kfk produce --json
# (a report per record), kfk topics --list / --describe, kfk metadata -J,
# kfk groups --list / --describe and kfk configs --describe each print
# one JSON document that python3 parses,
# holding exactly the cluster's state: a topic's partitions, leader,
# replicas and the config set on it, the broker at the bootstrap address,
# a group's committed and end offsets and lag per partition.
. "$KFK_SRCDIR/tests/kt.sh"
. "$KFK_SRCDIR/tests/real/admin_lib.sh"
needs_broker "kfk --json against a real Kafka"
trap 'rm -rf "$tmp"' EXIT
p=kj-$$

# py EXPR FILE: EXPR evaluated with d the JSON document of FILE.
py() { python3 -c "import json,sys; d=json.load(open(sys.argv[2])); print($1)" "$1" "$2" 2>&1; }

"$kfk" topics -b "$bs" --create --topic "$p-t" --partitions 2 \
	--replication-factor 1 --config retention.ms=12345 >/dev/null
kt_check "a topic with 2 partitions and retention.ms=12345" test $? -eq 0
for q in 0 0 0 1; do echo "v" | "$kfk" produce -b "$bs" -t "$p-t" -p "$q" -q; done
printf 'k:v\n' | "$kfk" produce -b "$bs" -t "$p-t" -p 1 -K: --json -q >"$tmp/p.json"
kt_check "produce --json: the record's report, at partition 1 offset 1" \
	test "$(py "(d['line'], d['topic'], d['partition'], d['offset'], d['error'], d['timestamp'] > 0)" "$tmp/p.json")" = \
	"(1, '$p-t', 1, 1, None, True)"

"$kfk" topics -b "$bs" --list --json >"$tmp/list.json"
kt_check "topics --list --json: the topic is listed" \
	test "$(py "'$p-t' in d" "$tmp/list.json")" = True

"$kfk" topics -b "$bs" --describe --topic "$p-t" --json >"$tmp/desc.json"
kt_check "topics --describe --json: one topic, 2 partitions, each led and held by broker 1" \
	test "$(py "[(t['topic'], [(x['partition'], x['leader'], x['replicas'], x['isr']) for x in t['partitions']]) for t in d]" "$tmp/desc.json")" = \
	"[('$p-t', [(0, 1, [1], [1]), (1, 1, [1], [1])])]"
kt_check "topics --describe --json: its configs say retention.ms=12345" \
	test "$(py "d[0]['configs']['retention.ms']" "$tmp/desc.json")" = 12345

"$kfk" metadata -b "$bs" -t "$p-t" -J >"$tmp/md.json"
kt_check "metadata -J: one broker, at the bootstrap address, the controller" \
	test "$(py "[(b['host'] + ':' + str(b['port']), b['id'] == d['controller']) for b in d['brokers']]" "$tmp/md.json")" = \
	"[('$bs', True)]"
kt_check "metadata -J: the cluster id of 22 characters, the topic" \
	test "$(py "(len(d['cluster_id']), [t['topic'] for t in d['topics']])" "$tmp/md.json")" = \
	"(22, ['$p-t'])"

"$kfk" consume -b "$bs" -G "$p-g" -t "$p-t" -o beginning -e -q >/dev/null 2>&1
"$kfk" groups -b "$bs" --describe --group "$p-g" --json >"$tmp/g.json"
kt_check "groups --describe --json: Empty, offsets 3 and 2 committed, lag 0" \
	test "$(py "[(g['group'], g['state'], [(o['partition'], o['committed'], o['end'], o['lag']) for o in g['offsets']]) for g in d]" "$tmp/g.json")" = \
	"[('$p-g', 'Empty', [(0, 3, 3, 0), (1, 2, 2, 0)])]"
"$kfk" groups -b "$bs" --list --json >"$tmp/gl.json"
kt_check "groups --list --json: the group, Empty, a consumer group" \
	test "$(py "[(g['state'], g['protocol_type']) for g in d if g['group'] == '$p-g']" "$tmp/gl.json")" = \
	"[('Empty', 'consumer')]"

"$kfk" configs -b "$bs" --describe --topic "$p-t" --json >"$tmp/c.json"
kt_check "configs --describe --json: retention.ms 12345, set on the topic (source 1)" \
	test "$(py "[(c['value'], c['source'], c['read_only']) for c in d['configs'] if c['name'] == 'retention.ms']" "$tmp/c.json")" = \
	"[('12345', 1, False)]"
"$kfk" groups -b "$bs" --describe --group "$p-none" --json >"$tmp/n.json" 2>/dev/null
rc=$?
kt_check "groups --describe --json of a group that does not exist: exit 1, valid JSON" \
	test $rc -eq 1 -a "$(py "len(d)" "$tmp/n.json")" = 1
kt_done
