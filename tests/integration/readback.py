#!/usr/bin/python3
"""Reads a topic back with Debian's python3-kafka (a Kafka client nobody
here wrote), for the producer's interop tests.

Usage: readback.py BOOTSTRAP TOPIC PARTITIONS [TIMEOUT_S]

Reads partitions 0..PARTITIONS-1 from their first offset to the end offset
found at start and prints one line per record, partitions in order:
    partition offset timestamp key value headers
key and value are hex, or '-' for null ('' hex is written as '=');
headers are key_hex:value_hex pairs joined by ',' (value '-' when null),
or '-' when there are none. Exit status: 0 when every partition was read
to its end, 2 when the time ran out, 3 when python3-kafka is missing.
"""
import sys
import time

try:
    from kafka import KafkaConsumer, TopicPartition
except ImportError:
    sys.exit(3)


def hx(b):
    if b is None:
        return '-'
    return b.hex() if len(b) else '='


def main():
    bootstrap, topic, nparts = sys.argv[1], sys.argv[2], int(sys.argv[3])
    limit = float(sys.argv[4]) if len(sys.argv) > 4 else 60.0
    deadline = time.monotonic() + limit
    c = KafkaConsumer(bootstrap_servers=bootstrap.split(','),
                      api_version=(2, 0, 0), enable_auto_commit=False,
                      request_timeout_ms=30000, consumer_timeout_ms=1000)
    tps = [TopicPartition(topic, p) for p in range(nparts)]
    c.assign(tps)
    c.seek_to_beginning(*tps)
    end = c.end_offsets(tps)
    out = {tp.partition: [] for tp in tps}
    left = {tp for tp in tps if c.position(tp) < end[tp]}
    while left and time.monotonic() < deadline:
        for tp, recs in c.poll(timeout_ms=500).items():
            for r in recs:
                if r.offset >= end[tp]:
                    continue
                hdrs = ','.join('%s:%s' % (k.encode().hex() or '=', hx(v))
                                for k, v in r.headers) or '-'
                out[tp.partition].append('%d %d %d %s %s %s' % (
                    tp.partition, r.offset, r.timestamp, hx(r.key),
                    hx(r.value), hdrs))
        left = {tp for tp in left if c.position(tp) < end[tp]}
    c.close()
    w = sys.stdout.write
    for p in range(nparts):
        for line in out[p]:
            w(line + '\n')
    return 2 if left else 0


if __name__ == '__main__':
    sys.exit(main())
