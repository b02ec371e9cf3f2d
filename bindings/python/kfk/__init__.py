"""kfk: a Kafka client whose Python surface is confluent_kafka's, over
the C library libkfk. Programs written for confluent_kafka switch with
`import kfk as confluent_kafka`."""
from ._types import KafkaError, KafkaException, TopicPartition
from ._kfk import Consumer, Message, Producer
from .admin import (AdminClient, BrokerMetadata, ClusterMetadata, ConfigEntry,
                    ConfigResource, ConfigSource, ConsumerGroupState,
                    ConsumerGroupTopicPartitions, NewPartitions, NewTopic, Node,
                    PartitionMetadata, ResourceType, TopicMetadata)
from . import _kfk

OFFSET_BEGINNING = -2
OFFSET_END = -1
OFFSET_STORED = -1000
OFFSET_INVALID = -1001

TIMESTAMP_NOT_AVAILABLE = 0
TIMESTAMP_CREATE_TIME = 1
TIMESTAMP_LOG_APPEND_TIME = 2


def libversion():
    """(version string, version int) of libkfk."""
    return _kfk.libversion()


def version():
    """(version string, version int) of this binding."""
    return ("0.1.0", 0x000100)


__all__ = ["AdminClient", "Consumer", "KafkaError", "KafkaException", "Message",
           "NewPartitions", "NewTopic", "Producer", "TopicPartition",
           "ConfigResource", "libversion", "version"]
