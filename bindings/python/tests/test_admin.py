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


def test_groups_described_listed_and_their_offsets_moved(bootstrap, admin, new_topic):
    from conftest import produce_all
    from kfk.admin import ConsumerGroupState, ConsumerGroupTopicPartitions
    topic = new_topic(2)
    produce_all(bootstrap, topic, [(None, b"v%d" % i, i % 2) for i in range(10)])
    group = topic + "-g"
    c = kfk.Consumer({"bootstrap.servers": bootstrap, "group.id": group, "client.id": "py-admin",
                      "auto.offset.reset": "earliest", "enable.auto.commit": False})
    c.subscribe([topic])
    got = []
    while len(got) < 7:
        m = c.poll(30)
        assert m is not None
        if m.error() is None:
            got.append(m)
            c.commit(message=m, asynchronous=False)
    last = {}
    for m in got:
        last[m.partition()] = m.offset() + 1
    listed = admin.list_consumer_groups().result(30)
    assert group in [g.group_id for g in listed.valid]
    d = admin.describe_consumer_groups([group])[group].result(30)
    assert d.state == ConsumerGroupState.STABLE and d.coordinator.id == 1
    assert [(m.client_id, sorted(tp.partition for tp in m.assignment.topic_partitions))
            for m in d.members] == [("py-admin", [0, 1])]
    c.close()
    req = ConsumerGroupTopicPartitions(group, [kfk.TopicPartition(topic, 0), kfk.TopicPartition(topic, 1)])
    r = admin.list_consumer_group_offsets([req])[group].result(30)
    assert [(tp.partition, tp.offset) for tp in r.topic_partitions] == \
        [(0, last.get(0, -1001)), (1, last.get(1, -1001))]
    alter = ConsumerGroupTopicPartitions(group, [kfk.TopicPartition(topic, 0, 1),
                                                 kfk.TopicPartition(topic, 1, 2)])
    admin.alter_consumer_group_offsets([alter])[group].result(30)
    r = admin.list_consumer_group_offsets([ConsumerGroupTopicPartitions(group)])[group].result(30)
    assert [(tp.topic, tp.partition, tp.offset) for tp in r.topic_partitions] == \
        [(topic, 0, 1), (topic, 1, 2)]
