"""A consumer in a group, from the earliest offset, committing as it goes.

    python consumer.py [bootstrap] [topic] [group]
"""
import sys

from kfk import Consumer, KafkaError

bootstrap = sys.argv[1] if len(sys.argv) > 1 else "localhost:9092"
topic = sys.argv[2] if len(sys.argv) > 2 else "teste"
group = sys.argv[3] if len(sys.argv) > 3 else "goapp-group"

c = Consumer({"bootstrap.servers": bootstrap, "group.id": group,
              "auto.offset.reset": "earliest"})
c.subscribe([topic], on_assign=lambda c, parts: print("assigned:", [p.partition for p in parts]))
try:
    while True:
        msg = c.poll(1.0)
        if msg is None:
            continue
        if msg.error():
            if msg.error().code() != KafkaError._PARTITION_EOF:
                print("error:", msg.error())
            continue
        print(msg.value().decode(), "%s[%d]@%d" % (msg.topic(), msg.partition(), msg.offset()))
except KeyboardInterrupt:
    pass
finally:
    c.close()
