"""The course's producer in Python: keyed messages to "teste", one line
per delivery as "Sent message: teste[1]@3".

    python producer.py [bootstrap] [topic]
"""
import sys

from kfk import Producer

bootstrap = sys.argv[1] if len(sys.argv) > 1 else "localhost:9092"
topic = sys.argv[2] if len(sys.argv) > 2 else "teste"
failed = []


def delivery_report(err, msg):
    if err is not None:
        failed.append(err)
        print("Failed to send:", err)
    else:
        print("Sent message: %s[%d]@%d" % (msg.topic(), msg.partition(), msg.offset()))


p = Producer({"bootstrap.servers": bootstrap})
for i, key in enumerate(["transfer", "payment", "refund", "transfer", "payment"]):
    p.produce(topic, value="message %d" % i, key=key, on_delivery=delivery_report)
left = p.flush(15)
sys.exit(1 if left or failed else 0)
