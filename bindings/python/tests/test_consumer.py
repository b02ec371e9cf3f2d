import time

import kfk
from conftest import produce_all


def read(c, n, timeout=30):
    out = []
    deadline = time.monotonic() + timeout
    while len(out) < n and time.monotonic() < deadline:
        m = c.poll(1)
        if m is not None and m.error() is None:
            out.append(m)
    return out


def test_a_group_commits_what_it_read_and_resumes_there(bootstrap, new_topic):
    topic = new_topic(2)
    produce_all(bootstrap, topic, [(None, "v%d" % i, i % 2) for i in range(30)])
    conf = {"bootstrap.servers": bootstrap, "group.id": topic + "-g",
            "auto.offset.reset": "earliest", "enable.auto.commit": False}
    c = kfk.Consumer(conf)
    c.subscribe([topic])
    got = read(c, 20)
    assert len(got) == 20
    for m in got:
        c.commit(message=m, asynchronous=False)
    committed = c.committed([kfk.TopicPartition(topic, 0), kfk.TopicPartition(topic, 1)], 10)
    last = {}
    for m in got:
        last[m.partition()] = m.offset() + 1
    assert {tp.partition: tp.offset for tp in committed} == {0: last.get(0, -1001), 1: last.get(1, -1001)}
    c.close()
    c2 = kfk.Consumer(conf)
    c2.subscribe([topic])
    rest = read(c2, 10)
    assert sorted(m.value() for m in got + rest) == sorted(b"v%d" % i for i in range(30))
    assert c2.poll(2) is None
    c2.close()


def test_async_commit_reports_through_on_commit(bootstrap, new_topic):
    topic = new_topic(1)
    produce_all(bootstrap, topic, [(None, "v%d" % i, 0) for i in range(5)])
    seen = []
    c = kfk.Consumer({"bootstrap.servers": bootstrap, "group.id": topic,
                      "auto.offset.reset": "earliest", "enable.auto.commit": False,
                      "on_commit": lambda err, parts: seen.append((err, [(p.partition, p.offset) for p in parts]))})
    c.subscribe([topic])
    assert len(read(c, 5)) == 5
    c.commit(offsets=[kfk.TopicPartition(topic, 0, 5)])
    deadline = time.monotonic() + 30
    while not seen and time.monotonic() < deadline:
        c.poll(0.2)
    c.close()
    assert seen == [(None, [(0, 5)])]


def test_two_members_split_the_partitions(bootstrap, new_topic):
    topic = new_topic(4)
    conf = {"bootstrap.servers": bootstrap, "group.id": topic + "-g"}
    assigned = [[], []]
    cs = [kfk.Consumer(conf), kfk.Consumer(conf)]
    for i, c in enumerate(cs):
        def on_assign(consumer, parts, i=i):
            assigned[i] = [p.partition for p in parts]
            consumer.assign(parts)

        def on_revoke(consumer, parts, i=i):
            assigned[i] = []
        c.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke)
    deadline = time.monotonic() + 60
    while not (assigned[0] and assigned[1] and len(assigned[0]) + len(assigned[1]) == 4):
        assert time.monotonic() < deadline, assigned
        for c in cs:
            c.poll(0.1)
    assert sorted(assigned[0] + assigned[1]) == [0, 1, 2, 3]
    for c in cs:
        c.close()


def test_seek_position_watermarks_pause(bootstrap, new_topic):
    topic = new_topic(1)
    produce_all(bootstrap, topic, [(None, "v%d" % i, 0) for i in range(20)])
    c = kfk.Consumer({"bootstrap.servers": bootstrap, "group.id": topic})
    tp = kfk.TopicPartition(topic, 0, kfk.OFFSET_BEGINNING)
    c.assign([tp])
    assert [m.offset() for m in read(c, 3)] == [0, 1, 2]
    c.seek(kfk.TopicPartition(topic, 0, 15))
    m = read(c, 1)[0]
    assert (m.offset(), m.value()) == (15, b"v15")
    assert c.position([kfk.TopicPartition(topic, 0)])[0].offset == 16
    assert c.get_watermark_offsets(kfk.TopicPartition(topic, 0), 10) == (0, 20)
    c.pause([kfk.TopicPartition(topic, 0)])
    c.seek(kfk.TopicPartition(topic, 0, 17))
    assert c.poll(1) is None
    c.resume([kfk.TopicPartition(topic, 0)])
    assert read(c, 1)[0].offset() == 17
    c.close()


def test_consume_returns_a_batch_in_order(bootstrap, new_topic):
    topic = new_topic(1)
    produce_all(bootstrap, topic, [(b"k", b"v%d" % i, 0) for i in range(50)])
    c = kfk.Consumer({"bootstrap.servers": bootstrap, "group.id": topic})
    c.assign([kfk.TopicPartition(topic, 0, kfk.OFFSET_BEGINNING)])
    got = []
    deadline = time.monotonic() + 30
    while len(got) < 50 and time.monotonic() < deadline:
        got += [m for m in c.consume(num_messages=100, timeout=1) if m.error() is None]
    c.close()
    assert [m.offset() for m in got] == list(range(50))
    assert [m.value() for m in got] == [b"v%d" % i for i in range(50)]


def test_offsets_for_times(bootstrap, new_topic):
    topic = new_topic(1)
    p = kfk.Producer({"bootstrap.servers": bootstrap})
    for i in range(10):
        p.produce(topic, b"x", timestamp=1700000000000 + i * 1000)
    assert p.flush(30) == 0
    c = kfk.Consumer({"bootstrap.servers": bootstrap, "group.id": topic})
    r = c.offsets_for_times([kfk.TopicPartition(topic, 0, 1700000004500)], 10)
    c.close()
    assert r[0].offset == 5


def test_partition_eof_is_a_message_with_an_error(bootstrap, new_topic):
    topic = new_topic(1)
    produce_all(bootstrap, topic, [(None, b"only", 0)])
    c = kfk.Consumer({"bootstrap.servers": bootstrap, "group.id": topic,
                      "enable.partition.eof": True})
    c.assign([kfk.TopicPartition(topic, 0, kfk.OFFSET_BEGINNING)])
    codes = []
    deadline = time.monotonic() + 30
    while len(codes) < 2 and time.monotonic() < deadline:
        m = c.poll(1)
        if m is not None:
            codes.append(m.error().code() if m.error() else m.value())
    c.close()
    assert codes == [b"only", kfk.KafkaError._PARTITION_EOF]


def test_incremental_assign_and_unassign(bootstrap, new_topic):
    topic = new_topic(2)
    produce_all(bootstrap, topic, [(None, b"p%d" % q, q) for q in (0, 1)])
    c = kfk.Consumer({"bootstrap.servers": bootstrap, "group.id": topic})
    c.incremental_assign([kfk.TopicPartition(topic, 0, kfk.OFFSET_BEGINNING)])
    c.incremental_assign([kfk.TopicPartition(topic, 1, kfk.OFFSET_BEGINNING)])
    assert sorted(tp.partition for tp in c.assignment()) == [0, 1]
    assert sorted(m.value() for m in read(c, 2)) == [b"p0", b"p1"]
    c.incremental_unassign([kfk.TopicPartition(topic, 0)])
    assert [tp.partition for tp in c.assignment()] == [1]
    c.close()
