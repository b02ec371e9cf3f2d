# A consumer loop written for confluent_kafka: a group from the earliest
# offset, a synchronous commit per message; then a second member of the
# same group finds nothing left. argv: bootstrap topic group count
import sys

from confluent_kafka import Consumer, KafkaError

bootstrap, topic, group, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
conf = {"bootstrap.servers": bootstrap, "group.id": group,
        "auto.offset.reset": "earliest", "enable.auto.commit": False}
c = Consumer(conf)
c.subscribe([topic])
lines = []
while len(lines) < count:
    msg = c.poll(30.0)
    if msg is None:
        print("timed out")
        break
    if msg.error():
        if msg.error().code() == KafkaError._PARTITION_EOF:
            continue
        print("error:", msg.error())
        break
    lines.append("%s %s %s[%d]@%d" % (msg.value().decode(), msg.key().decode(),
                                      msg.topic(), msg.partition(), msg.offset()))
    c.commit(message=msg, asynchronous=False)
c.close()
for line in sorted(lines):
    print(line)
c = Consumer(conf)
c.subscribe([topic])
msg = c.poll(5.0)
print("second member:", "nothing left" if msg is None else msg.value())
c.close()
