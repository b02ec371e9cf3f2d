# Admin create / describe / delete written for confluent_kafka.
# argv: bootstrap topic
import sys
import time

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic

bootstrap, topic = sys.argv[1], sys.argv[2]
a = AdminClient({"bootstrap.servers": bootstrap})
for t, f in a.create_topics([NewTopic(topic, num_partitions=2, replication_factor=1,
                                      config={"retention.ms": "3600000"})]).items():
    f.result()
    print("created", t)
deadline = time.time() + 30
while True:
    md = a.list_topics(topic=topic, timeout=10)
    parts = md.topics[topic].partitions
    if len(parts) == 2 or time.time() > deadline:
        break
print("partitions", sorted(parts), "leaders", sorted(p.leader for p in parts.values()))
res = ConfigResource("topic", topic)
for r, f in a.describe_configs([res]).items():
    cfg = f.result()
    print("retention.ms", cfg["retention.ms"].value, "cleanup.policy", cfg["cleanup.policy"].value)
for t, f in a.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)]).items():
    try:
        f.result()
        print("created again?", t)
    except KafkaException as e:
        print("create again:", e.args[0].name())
for t, f in a.delete_topics([topic], operation_timeout=30).items():
    f.result()
    print("deleted", t)
