"""Python binding benchmark: kfk and confluent_kafka on the same broker in
one run. Each side, in its own process, produces N records of 100 B (a
delivery callback per record, the same batching on both sides) to a fresh
3-partition topic, then consumes them with poll(); ROUNDS rounds
alternating sides; prints the medians of records/s and CPU seconds and
the ratios kfk / confluent.

    python bench.py BOOTSTRAP [N] [ROUNDS]

kfk must be importable (built on a libkfk without sanitizers), and
confluent_kafka installed (pip install confluent-kafka)."""
import json
import os
import resource
import statistics
import subprocess
import sys
import time


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def one(side, bootstrap, topic, n):
    if side == "kfk":
        import kfk as ck
        from kfk.admin import AdminClient, NewTopic
    else:
        import confluent_kafka as ck
        from confluent_kafka.admin import AdminClient, NewTopic
    a = AdminClient({"bootstrap.servers": bootstrap})
    a.create_topics([NewTopic(topic, 3, 1)])[topic].result(30)
    p = ck.Producer({"bootstrap.servers": bootstrap, "linger.ms": 5, "acks": "all",
                     "enable.idempotence": True, "batch.size": 1000000,
                     "compression.type": "none"})
    ok = [0]

    def dr(err, msg):
        if err is None:
            ok[0] += 1
    value = b"x" * 100
    t0, c0 = time.monotonic(), cpu()
    for _ in range(n):
        while True:
            try:
                p.produce(topic, value, on_delivery=dr)
                break
            except BufferError:
                p.poll(0.01)
    p.flush(60)
    produce = {"rate": n / (time.monotonic() - t0), "cpu": cpu() - c0}
    assert ok[0] == n, "%d of %d delivered" % (ok[0], n)
    c = ck.Consumer({"bootstrap.servers": bootstrap, "group.id": topic,
                     "enable.auto.commit": False})
    c.assign([ck.TopicPartition(topic, q, ck.OFFSET_BEGINNING) for q in range(3)])
    t0, c0 = time.monotonic(), cpu()
    got = 0
    while got < n:
        m = c.poll(30)
        assert m is not None, "after %d records, nothing" % got
        if m.error() is None:
            got += 1
    consume = {"rate": n / (time.monotonic() - t0), "cpu": cpu() - c0}
    c.close()
    a.delete_topics([topic])[topic].result(30)
    print(json.dumps({"produce": produce, "consume": consume}))


def main():
    if sys.argv[1] == "--one":
        return one(*sys.argv[2:5], int(sys.argv[5]))
    bootstrap = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1000000
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    res = {}
    for r in range(rounds):
        for side in ("kfk", "confluent"):
            topic = "pybench-%s-%d-%d" % (side, r, os.getpid())
            out = subprocess.run([sys.executable, __file__, "--one", side, bootstrap,
                                  topic, str(n)], check=True, capture_output=True,
                                 text=True).stdout
            print(side, out.strip(), flush=True)
            for phase, v in json.loads(out).items():
                res.setdefault((side, phase), []).append(v)
    for phase in ("produce", "consume"):
        k = [statistics.median(x[f] for x in res[("kfk", phase)]) for f in ("rate", "cpu")]
        c = [statistics.median(x[f] for x in res[("confluent", phase)]) for f in ("rate", "cpu")]
        print("%-8s kfk %9.0f rec/s %6.2f cpu-s | confluent-kafka %9.0f rec/s %6.2f cpu-s"
              " | rate x%.2f cpu x%.2f" % (phase, k[0], k[1], c[0], c[1], k[0] / c[0], k[1] / c[1]))


if __name__ == "__main__":
    main()
