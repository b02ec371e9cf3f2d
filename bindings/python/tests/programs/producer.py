# A producer written for confluent_kafka: keyed messages, a delivery
# callback printing where each landed. argv: bootstrap topic
import sys

import confluent_kafka

bootstrap, topic = sys.argv[1], sys.argv[2]
lines = []


def delivery_report(err, msg):
    if err is not None:
        lines.append("Delivery failed: %s" % err)
    else:
        lines.append("Sent message: %s[%d]@%d key=%s value=%s" % (
            msg.topic(), msg.partition(), msg.offset(), msg.key().decode(),
            msg.value().decode()))


p = confluent_kafka.Producer({"bootstrap.servers": bootstrap,
                              "partitioner": "murmur2_random"})
for i, key in enumerate(["transfer", "payment", "refund"] * 3):
    p.produce(topic, value="message %d" % i, key=key, on_delivery=delivery_report)
    p.poll(0)
left = p.flush(30)
for line in sorted(lines):
    print(line)
print("left in queue:", left)
