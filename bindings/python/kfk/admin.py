"""AdminClient, as confluent_kafka.admin has it: requests return
concurrent.futures.Futures, resolved on the client's own Python thread
(which waits for kfk's results with the GIL released), never on a kfk
thread."""
import concurrent.futures
import enum

from . import _kfk
from ._types import KafkaError, KafkaException


class NewTopic:
    def __init__(self, topic, num_partitions=-1, replication_factor=-1,
                 replica_assignment=None, config=None):
        if replica_assignment:
            raise NotImplementedError("replica_assignment is not supported yet")
        self.topic = topic
        self.num_partitions = num_partitions
        self.replication_factor = replication_factor
        self.replica_assignment = replica_assignment
        self.config = dict(config or {})

    def __repr__(self):
        return "NewTopic(topic=%s,num_partitions=%d)" % (self.topic, self.num_partitions)


class NewPartitions:
    def __init__(self, topic, new_total_count, replica_assignment=None):
        if replica_assignment:
            raise NotImplementedError("replica_assignment is not supported yet")
        self.topic = topic
        self.new_total_count = new_total_count


class ResourceType(enum.IntEnum):
    UNKNOWN = 0
    ANY = 1
    TOPIC = 2
    GROUP = 3
    BROKER = 4


class ConfigSource(enum.IntEnum):
    UNKNOWN_CONFIG = 0
    DYNAMIC_TOPIC_CONFIG = 1
    DYNAMIC_BROKER_CONFIG = 2
    DYNAMIC_DEFAULT_BROKER_CONFIG = 3
    STATIC_BROKER_CONFIG = 4
    DEFAULT_CONFIG = 5
    DYNAMIC_BROKER_LOGGER_CONFIG = 6
    GROUP_CONFIG = 8
    CLIENT_METRICS_CONFIG = 7


class ConfigResource:
    Type = ResourceType

    def __init__(self, restype, name, set_config=None, described_configs=None,
                 error=None):
        if isinstance(restype, str):
            restype = ResourceType[restype.upper()]
        self.restype = ResourceType(restype)
        self.name = name
        self.set_config_dict = dict(set_config or {})
        self.configs = described_configs
        self.error = error

    def __eq__(self, other):
        return (isinstance(other, ConfigResource) and
                (self.restype, self.name) == (other.restype, other.name))

    def __hash__(self):
        return hash((self.restype, self.name))

    def __repr__(self):
        return "ConfigResource(%s,%s)" % (self.restype.name, self.name)


class ConfigEntry:
    def __init__(self, name, value, source=ConfigSource.UNKNOWN_CONFIG,
                 is_read_only=False, is_default=False, is_sensitive=False,
                 is_synonym=False, synonyms=None):
        self.name = name
        self.value = value
        self.source = source
        self.is_read_only = is_read_only
        self.is_default = is_default
        self.is_sensitive = is_sensitive
        self.is_synonym = is_synonym
        self.synonyms = synonyms or {}

    def __repr__(self):
        return "ConfigEntry(%s=\"%s\")" % (self.name, self.value)

    def __str__(self):
        return "%s=\"%s\"" % (self.name, self.value)


class BrokerMetadata:
    def __init__(self, id, host, port):
        self.id, self.host, self.port = id, host, port

    def __repr__(self):
        return "BrokerMetadata(%d, %s:%d)" % (self.id, self.host, self.port)


class PartitionMetadata:
    def __init__(self, id, leader, replicas, isrs, error=None):
        self.id, self.leader, self.replicas, self.isrs, self.error = id, leader, replicas, isrs, error


class TopicMetadata:
    def __init__(self, topic, partitions, error=None):
        self.topic, self.partitions, self.error = topic, partitions, error

    def __repr__(self):
        return "TopicMetadata(%s, %d partitions)" % (self.topic, len(self.partitions))


class ClusterMetadata:
    def __init__(self):
        self.cluster_id = None
        self.controller_id = -1
        self.brokers = {}
        self.topics = {}
        self.orig_broker_id = -1
        self.orig_broker_name = None


class ConsumerGroupState(enum.IntEnum):
    UNKNOWN = 0
    PREPARING_REBALANCING = 1
    COMPLETING_REBALANCING = 2
    STABLE = 3
    DEAD = 4
    EMPTY = 5


_STATES = {"PreparingRebalance": ConsumerGroupState.PREPARING_REBALANCING,
           "CompletingRebalance": ConsumerGroupState.COMPLETING_REBALANCING,
           "Stable": ConsumerGroupState.STABLE, "Dead": ConsumerGroupState.DEAD,
           "Empty": ConsumerGroupState.EMPTY}


class Node:
    def __init__(self, id, host, port, rack=None):
        self.id, self.host, self.port, self.rack = id, host, port, rack
        self.id_string = str(id)


class ConsumerGroupListing:
    def __init__(self, group_id, is_simple_consumer_group, state=None):
        self.group_id = group_id
        self.is_simple_consumer_group = is_simple_consumer_group
        self.state = state


class ListConsumerGroupsResult:
    def __init__(self, valid=None, errors=None):
        self.valid = valid or []
        self.errors = errors or []


class MemberAssignment:
    def __init__(self, topic_partitions=None):
        self.topic_partitions = topic_partitions or []


class MemberDescription:
    def __init__(self, member_id, client_id, host, assignment, group_instance_id=None):
        self.member_id, self.client_id, self.host = member_id, client_id, host
        self.assignment, self.group_instance_id = assignment, group_instance_id


class ConsumerGroupDescription:
    def __init__(self, group_id, is_simple_consumer_group, members, partition_assignor,
                 state, coordinator):
        self.group_id = group_id
        self.is_simple_consumer_group = is_simple_consumer_group
        self.members = members
        self.partition_assignor = partition_assignor
        self.state = state
        self.coordinator = coordinator


class ConsumerGroupTopicPartitions:
    def __init__(self, group_id, topic_partitions=None):
        self.group_id = group_id
        self.topic_partitions = topic_partitions


class GroupMember:
    def __init__(self, id, client_id, client_host):
        self.id, self.client_id, self.client_host = id, client_id, client_host


class GroupMetadata:
    def __init__(self, id, broker, state, protocol_type, protocol, members, error=None):
        self.id, self.broker, self.state = id, broker, state
        self.protocol_type, self.protocol, self.members = protocol_type, protocol, members
        self.error = error


def _ms(seconds, default=0):
    if seconds is None or seconds < 0:
        return default
    return int(seconds * 1000)


def _error(code, text):
    return KafkaError(code, text or None) if code else None


class AdminClient:
    """AdminClient(conf: dict)."""

    def __init__(self, conf):
        self._admin = _kfk._Admin(conf)
        self._pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="kfk-admin")

    def _request(self, keys, call, resolve):
        """Futures for keys, resolved from call()'s result on the client's
        thread: resolve(result) -> {key: (value, error)}."""
        futures = {k: concurrent.futures.Future() for k in keys}

        def run():
            try:
                outcome = resolve(call())
            except Exception as e:  # the whole request failed
                for f in futures.values():
                    f.set_exception(e)
                return
            for k, f in futures.items():
                value, err = outcome.get(k, (None, KafkaError(KafkaError._FAIL, "no result")))
                if err is not None:
                    f.set_exception(KafkaException(err))
                else:
                    f.set_result(value)

        self._pool.submit(run)
        return futures

    @staticmethod
    def _by_name(items):
        return {name: (None, _error(code, text)) for name, code, text in items}

    def create_topics(self, new_topics, operation_timeout=0, request_timeout=None,
                      validate_only=False):
        spec = [(t.topic, t.num_partitions, t.replication_factor,
                 {str(k): str(v) for k, v in t.config.items()}) for t in new_topics]
        ms = _ms(request_timeout, _ms(operation_timeout))
        return self._request([t.topic for t in new_topics],
                             lambda: self._admin.create_topics(spec, ms, validate_only),
                             self._by_name)

    def delete_topics(self, topics, operation_timeout=0, request_timeout=None):
        ms = _ms(request_timeout, _ms(operation_timeout))
        return self._request(list(topics),
                             lambda: self._admin.delete_topics(list(topics), ms),
                             self._by_name)

    def create_partitions(self, new_partitions, operation_timeout=0,
                          request_timeout=None, validate_only=False):
        spec = [(p.topic, p.new_total_count) for p in new_partitions]
        ms = _ms(request_timeout, _ms(operation_timeout))
        return self._request([p.topic for p in new_partitions],
                             lambda: self._admin.create_partitions(spec, ms, validate_only),
                             self._by_name)

    def list_topics(self, topic=None, timeout=-1):
        """ClusterMetadata, synchronously (as confluent_kafka)."""
        cid, controller, brokers, topics = self._admin.describe_topics(
            None if topic is None else [topic], _ms(timeout))
        md = ClusterMetadata()
        md.cluster_id, md.controller_id = cid, controller
        for bid, host, port in brokers:
            md.brokers[bid] = BrokerMetadata(bid, host, port)
        if brokers:
            md.orig_broker_id = brokers[0][0]
            md.orig_broker_name = "%s:%d/%d" % (brokers[0][1], brokers[0][2], brokers[0][0])
        for name, code, text, _internal, parts in topics:
            pm = {p: PartitionMetadata(p, leader, reps, isrs)
                  for p, leader, reps, isrs in parts}
            md.topics[name] = TopicMetadata(name, pm, _error(code, text))
        return md

    def describe_configs(self, resources, request_timeout=None):
        resources = list(resources)
        for r in resources[1:]:
            if r.restype != resources[0].restype:
                raise ValueError("describe_configs: one resource type per call in kfk")
        restype = int(resources[0].restype) if resources else 2

        def resolve(items):
            out = {}
            for name, code, text, cfgs in items:
                entries = {}
                for cname, value, source, ro, sens, syns in cfgs:
                    synonyms = {s: ConfigEntry(s, v, ConfigSource(src), is_synonym=True)
                                for s, v, src in syns}
                    entries[cname] = ConfigEntry(
                        cname, value, ConfigSource(source), is_read_only=ro,
                        is_default=source == ConfigSource.DEFAULT_CONFIG,
                        is_sensitive=sens, synonyms=synonyms)
                out[ConfigResource(restype, name)] = (entries, _error(code, text))
            return out

        return self._request(resources,
                             lambda: self._admin.describe_configs(
                                 restype, [r.name for r in resources], _ms(request_timeout)),
                             resolve)

    def list_consumer_groups(self, request_timeout=None, states=None):
        """A Future of ListConsumerGroupsResult (every broker asked)."""
        wanted = set(states or [])
        f = concurrent.futures.Future()

        def run():
            try:
                groups = self._admin.list_groups(_ms(request_timeout))
            except Exception as e:
                f.set_exception(e)
                return
            valid = [ConsumerGroupListing(name, ptype == "", _STATES.get(state, ConsumerGroupState.UNKNOWN))
                     for name, state, ptype in groups]
            f.set_result(ListConsumerGroupsResult(
                [g for g in valid if not wanted or g.state in wanted]))
        self._pool.submit(run)
        return f

    def list_groups(self, group=None, timeout=-1):
        """[GroupMetadata], synchronously (confluent_kafka's older call)."""
        names = [group] if group else [n for n, _, _ in self._admin.list_groups(_ms(timeout))]
        return [GroupMetadata(name, BrokerMetadata(coord[0], coord[1], coord[2]), state, ptype,
                              proto, [GroupMember(m[0], m[1], m[2]) for m in members],
                              _error(code, text))
                for name, code, text, state, ptype, proto, coord, members, _
                in self._admin.describe_groups(names, False, _ms(timeout))]

    def _describe_groups(self, names, offsets, ms):
        return {g[0]: g for g in self._admin.describe_groups(names, offsets, ms)}

    def describe_consumer_groups(self, group_ids, request_timeout=None):
        """{group: Future of ConsumerGroupDescription}."""
        from ._types import TopicPartition

        def resolve(groups):
            out = {}
            for name, (_, code, text, state, ptype, proto, coord, members, _o) in groups.items():
                mds = [MemberDescription(mid, client, host, MemberAssignment(
                    [TopicPartition(t, p) for t, p in parts]), instance)
                    for mid, client, host, instance, parts in members]
                out[name] = (ConsumerGroupDescription(
                    name, ptype == "", mds, proto, _STATES.get(state, ConsumerGroupState.UNKNOWN),
                    Node(coord[0], coord[1], coord[2])), _error(code, text))
            return out
        ids = list(group_ids)
        return self._request(ids, lambda: self._describe_groups(ids, False, _ms(request_timeout)),
                             resolve)

    def list_consumer_group_offsets(self, list_consumer_group_offsets_request,
                                    request_timeout=None, require_stable=False):
        """{group: Future of ConsumerGroupTopicPartitions}: the committed
        offsets of the partitions asked (OFFSET_INVALID where none), or of
        every partition the group committed."""
        from ._types import TopicPartition
        reqs = {r.group_id: r for r in list_consumer_group_offsets_request}

        def resolve(groups):
            out = {}
            for name, g in groups.items():
                committed = {(t, p): c for t, p, c, _end in g[8] if c >= 0}
                asked = reqs[name].topic_partitions
                if asked is None:
                    tps = [TopicPartition(t, p, c) for (t, p), c in sorted(committed.items())]
                else:
                    tps = [TopicPartition(tp.topic, tp.partition,
                                          committed.get((tp.topic, tp.partition), -1001))
                           for tp in asked]
                out[name] = (ConsumerGroupTopicPartitions(name, tps), _error(g[1], g[2]))
            return out
        return self._request(list(reqs), lambda: self._describe_groups(
            list(reqs), True, _ms(request_timeout)), resolve)

    def alter_consumer_group_offsets(self, alter_consumer_group_offsets_request,
                                     request_timeout=None):
        """{group: Future of ConsumerGroupTopicPartitions} with each
        partition's outcome in its error (the group must have no members)."""
        reqs = {r.group_id: r for r in alter_consumer_group_offsets_request}

        def call():
            return {g: self._admin.alter_group_offsets(g, list(r.topic_partitions),
                                                       _ms(request_timeout))
                    for g, r in reqs.items()}

        def resolve(results):
            out = {}
            for g, tps in results.items():
                bad = [tp.error for tp in tps if tp.error is not None]
                out[g] = (ConsumerGroupTopicPartitions(g, tps), bad[0] if bad else None)
            return out
        return self._request(list(reqs), call, resolve)

    def close(self):
        self._pool.shutdown(wait=True)
