"""KafkaError, KafkaException and TopicPartition as confluent_kafka has
them. Python classes: they are not per record, so C buys nothing here."""
from . import _kfk


class KafkaError(Exception):
    """An error: code(), name(), str(), fatal(), retriable(). Codes are
    kfk's: Kafka's protocol errors at their numbers, kfk's own negative
    (not librdkafka's numbers: compare with the named constants)."""

    def __init__(self, code, reason=None, fatal=False, retriable=None,
                 txn_requires_abort=False):
        super().__init__(code, reason)
        name, text, can_retry = _kfk.err_info(int(code))
        self._code = int(code)
        self._name = name
        self._str = reason if reason else text
        self._fatal = bool(fatal)
        self._retriable = can_retry if retriable is None else bool(retriable)
        self._abort = bool(txn_requires_abort)

    def code(self):
        return self._code

    def name(self):
        return self._name

    def str(self):
        return self._str

    def fatal(self):
        return self._fatal

    def retriable(self):
        return self._retriable

    def txn_requires_abort(self):
        return self._abort

    def __str__(self):
        return self._str

    def __repr__(self):
        return "KafkaError{code=%s,val=%d,str=\"%s\"}" % (self._name, self._code, self._str)

    def __eq__(self, other):
        if isinstance(other, KafkaError):
            return self._code == other._code
        if isinstance(other, int):
            return self._code == other
        return NotImplemented

    def __hash__(self):
        return hash(self._code)


# KafkaError.<NAME> constants, by kfk's names (librdkafka's where they
# differ are aliases below).
for _name, _code in _kfk.err_codes().items():
    setattr(KafkaError, _name, _code)
KafkaError.UNKNOWN_TOPIC_OR_PART = KafkaError.UNKNOWN_TOPIC_OR_PARTITION
KafkaError.NO_ERROR = 0


class KafkaException(Exception):
    """Raised with a KafkaError as args[0]."""

    def __init__(self, kafka_error=None, *args, **kwargs):
        if not isinstance(kafka_error, KafkaError) and kafka_error is not None:
            kafka_error = KafkaError(kafka_error, *args, **kwargs)
        super().__init__(kafka_error)

    def __str__(self):
        return str(self.args[0])


class TopicPartition:
    """A partition, with an offset, metadata and an error where given."""

    __slots__ = ("topic", "partition", "offset", "metadata", "leader_epoch", "error")

    def __init__(self, topic, partition=-1, offset=-1001, metadata=None,
                 leader_epoch=None):
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.metadata = metadata
        self.leader_epoch = leader_epoch
        self.error = None

    def _key(self):
        return (self.topic, self.partition)

    def __eq__(self, other):
        return isinstance(other, TopicPartition) and self._key() == other._key()

    def __lt__(self, other):
        return self._key() < other._key()

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        return ("TopicPartition{topic=%s,partition=%d,offset=%d,leader_epoch=%s,error=%s}"
                % (self.topic, self.partition, self.offset, self.leader_epoch,
                   self.error))

    __str__ = __repr__


_kfk._setup(KafkaError, KafkaException, TopicPartition)
