import pytest

import kfk
from kfk.admin import ConfigResource, NewPartitions, NewTopic


def test_create_describe_grow_delete(admin, new_topic):
    topic = new_topic(3, config={"retention.ms": "12345"})
    md = admin.list_topics(topic, 10)
    parts = md.topics[topic].partitions
    assert sorted(parts) == [0, 1, 2]
    assert all(p.leader == 1 and p.replicas == [1] and p.isrs == [1] for p in parts.values())
    assert sorted(md.brokers) == [1] and md.controller_id == 1
    res = ConfigResource("topic", topic)
    cfg = admin.describe_configs([res])[res].result(30)
    assert cfg["retention.ms"].value == "12345"
    assert cfg["retention.ms"].source == kfk.admin.ConfigSource.DYNAMIC_TOPIC_CONFIG
    assert cfg["cleanup.policy"].is_default
    assert admin.create_partitions([NewPartitions(topic, 5)])[topic].result(30) is None
    assert admin.delete_topics([topic])[topic].result(30) is None


def test_errors_are_per_topic(admin, new_topic):
    topic = new_topic(1)
    fs = admin.create_topics([NewTopic(topic, 1, 1), NewTopic(topic + "-new", 1, 1)])
    with pytest.raises(kfk.KafkaException) as e:
        fs[topic].result(30)
    assert e.value.args[0].code() == kfk.KafkaError.TOPIC_ALREADY_EXISTS
    assert fs[topic + "-new"].result(30) is None
    fs = admin.delete_topics([topic + "-new", topic + "-never"])
    assert fs[topic + "-new"].result(30) is None
    with pytest.raises(kfk.KafkaException) as e:
        fs[topic + "-never"].result(30)
    assert e.value.args[0].code() == kfk.KafkaError.UNKNOWN_TOPIC_OR_PARTITION
