"""Fixtures of the binding's tests: the real broker the suite started
(KFK_KAFKA_BOOTSTRAP; the tests skip without one) and fresh topics."""
import itertools
import os
import time

import pytest

import kfk
from kfk.admin import AdminClient, NewTopic

_seq = itertools.count()


@pytest.fixture(scope="session")
def bootstrap():
    bs = os.environ.get("KFK_KAFKA_BOOTSTRAP")
    if not bs:
        pytest.skip("no real Kafka (KFK_KAFKA_BOOTSTRAP unset)")
    return bs


@pytest.fixture(scope="session")
def admin(bootstrap):
    a = AdminClient({"bootstrap.servers": bootstrap})
    yield a
    a.close()


@pytest.fixture
def new_topic(admin, request):
    """new_topic(partitions) -> the name of a topic just created."""
    def make(partitions=1, config=None):
        name = "py-%s-%d-%d" % (request.node.name[:40], os.getpid(), next(_seq))
        name = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in name)
        fs = admin.create_topics([NewTopic(name, partitions, 1, config=config)])
        fs[name].result(60)
        # A broker learns of a new topic a moment after the controller.
        deadline = time.monotonic() + 30
        while len(admin.list_topics(name, 10).topics[name].partitions) != partitions:
            assert time.monotonic() < deadline, "topic %s never showed" % name
        return name
    return make


def produce_all(bootstrap, topic, records, **conf):
    """Produces (key, value, partition) records; returns their reports as
    (err, partition, offset, key, value) in produce order."""
    p = kfk.Producer(dict({"bootstrap.servers": bootstrap}, **conf))
    reports = [None] * len(records)

    def report(i):
        return lambda err, msg: reports.__setitem__(
            i, (err, msg.partition(), msg.offset(), msg.key(), msg.value()))
    for i, (key, value, part) in enumerate(records):
        p.produce(topic, value=value, key=key, partition=part, on_delivery=report(i))
    assert p.flush(60) == 0
    return reports
