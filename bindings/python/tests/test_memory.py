"""Memory: one producer and one consumer, rounds of 100,000 records
produced (with a delivery callback, so the binding keeps each record's
key and value until its report) and consumed. After the first two rounds
have sized the pools and buffers, the process's RSS stays flat: a reference
the binding leaked per record would add megabytes a round."""
import gc

import kfk


def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def test_memory_is_flat_over_rounds_of_100000(bootstrap, new_topic):
    topic = new_topic(2)
    rounds, per = 5, 100000
    p = kfk.Producer({"bootstrap.servers": bootstrap, "batch.size": 262144})
    c = kfk.Consumer({"bootstrap.servers": bootstrap, "group.id": topic})
    c.assign([kfk.TopicPartition(topic, 0, kfk.OFFSET_BEGINNING),
              kfk.TopicPartition(topic, 1, kfk.OFFSET_BEGINNING)])
    value = bytes(100)
    delivered = [0]

    def dr(err, msg):
        assert err is None
        delivered[0] += 1
    sizes = []
    for r in range(rounds):
        for i in range(per):
            while True:
                try:
                    # A new value object per record: a kept reference shows.
                    p.produce(topic, bytes(100), key=b"k%d" % (i % 10), partition=i % 2,
                              on_delivery=dr)
                    break
                except BufferError:
                    p.poll(0.1)
        assert p.flush(60) == 0
        got = 0
        while got < per:
            batch = c.consume(num_messages=1000, timeout=30)
            assert batch, "round %d: %d of %d consumed" % (r, got, per)
            for m in batch:
                assert m.error() is None and m.value() == value
            got += len(batch)
        gc.collect()
        sizes.append(rss())
        print("after round %d (%d records each way): RSS %.1f MB"
              % (r + 1, (r + 1) * per, sizes[-1] / 1e6))
    c.close()
    assert delivered[0] == rounds * per
    # Two rounds to warm up (pools, buffers, ASan's 16 MB quarantine).
    assert sizes[-1] - sizes[1] < 12 << 20, sizes
