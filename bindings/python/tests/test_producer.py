import threading

import pytest

import kfk
from conftest import produce_all


def test_reports_carry_partition_offset_key_and_value(bootstrap, new_topic):
    topic = new_topic(3)
    recs = [("k%d" % (i % 4), "v%d" % i, -1) for i in range(40)]
    reps = produce_all(bootstrap, topic, recs)
    next_offset = {}
    key_part = {}
    for (key, value, _), (err, part, off, rkey, rvalue) in zip(recs, reps):
        assert err is None
        assert (rkey, rvalue) == (key.encode(), value.encode())
        assert key_part.setdefault(key, part) == part
        assert off == next_offset.get(part, 0)
        next_offset[part] = off + 1
    assert sum(next_offset.values()) == 40


def test_callbacks_run_on_the_thread_that_polls(bootstrap, new_topic):
    topic = new_topic(1)
    p = kfk.Producer({"bootstrap.servers": bootstrap})
    threads = []
    for i in range(5):
        p.produce(topic, b"x", on_delivery=lambda e, m: threads.append(threading.get_ident()))
    assert len(p) == 5
    served = 0
    while served < 5:
        n = p.poll(10)
        assert n > 0
        served += n
    assert threads == [threading.get_ident()] * 5
    assert len(p) == 0


def test_a_full_queue_raises_buffer_error(bootstrap, new_topic):
    topic = new_topic(1)
    p = kfk.Producer({"bootstrap.servers": bootstrap, "linger.ms": 60000,
                      "queue.buffering.max.messages": 10})
    for i in range(10):
        p.produce(topic, b"x")
    with pytest.raises(BufferError):
        p.produce(topic, b"one too many")
    assert p.flush(30) == 0


def test_headers_and_timestamp_reach_the_consumer(bootstrap, new_topic):
    topic = new_topic(1)
    p = kfk.Producer({"bootstrap.servers": bootstrap})
    p.produce(topic, b"v", key=b"k", headers={"h1": b"a", "h2": None},
              timestamp=1700000000123)
    assert p.flush(30) == 0
    c = kfk.Consumer({"bootstrap.servers": bootstrap, "group.id": topic})
    c.assign([kfk.TopicPartition(topic, 0, kfk.OFFSET_BEGINNING)])
    m = c.poll(30)
    c.close()
    assert m is not None and m.error() is None
    assert (m.key(), m.value(), m.offset()) == (b"k", b"v", 0)
    assert sorted(m.headers()) == [("h1", b"a"), ("h2", None)]
    assert m.timestamp() == (kfk.TIMESTAMP_CREATE_TIME, 1700000000123)


def test_an_unknown_property_is_a_kafka_exception():
    with pytest.raises(kfk.KafkaException) as e:
        kfk.Producer({"bootstrap.servers": "127.0.0.1:1", "linger.msx": 5})
    err = e.value.args[0]
    assert err.code() == kfk.KafkaError._UNKNOWN_PROPERTY
    assert err.name() == "_UNKNOWN_PROPERTY"
    assert "linger.ms" in err.str()
    assert not err.retriable() and not err.fatal()


def test_kafka_error_compares_with_codes():
    e = kfk.KafkaError(kfk.KafkaError.NOT_LEADER_OR_FOLLOWER)
    assert e == 6 and e.retriable() and e.name() == "NOT_LEADER_OR_FOLLOWER"
    assert kfk.KafkaError.UNKNOWN_TOPIC_OR_PART == 3


def test_purge_fails_queued_records_with_purged_reports(bootstrap, new_topic):
    topic = new_topic(1)
    p = kfk.Producer({"bootstrap.servers": bootstrap, "linger.ms": 60000})
    errs = []
    for i in range(3):
        p.produce(topic, b"x", on_delivery=lambda e, m: errs.append(e.code() if e else None))
    p.purge(in_queue=True, in_flight=False)
    assert p.flush(10) == 0
    assert errs == [kfk.KafkaError._PURGED] * 3
