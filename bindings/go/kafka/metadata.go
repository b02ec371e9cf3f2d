package kafka

// #include "kfkgo.h"
import "C"

import (
	"context"
	"time"
	"unsafe"
)

// BrokerMetadata is one broker.
type BrokerMetadata struct {
	ID   int32
	Host string
	Port int
}

// PartitionMetadata is one partition's leader and replicas.
type PartitionMetadata struct {
	ID       int32
	Error    Error
	Leader   int32
	Replicas []int32
	Isrs     []int32
}

// TopicMetadata is one topic's partitions.
type TopicMetadata struct {
	Topic      string
	Partitions []PartitionMetadata
	Error      Error
}

// Metadata is the cluster's brokers and topics.
type Metadata struct {
	Brokers           []BrokerMetadata
	Topics            map[string]TopicMetadata
	OriginatingBroker BrokerMetadata
}

func int32s(n C.int, ids *C.int32_t) []int32 {
	out := make([]int32, int(n))
	if n > 0 {
		for i, v := range unsafe.Slice(ids, int(n)) {
			out[i] = int32(v)
		}
	}
	return out
}

func topicMetadata(t *C.kfk_admin_topic) TopicMetadata {
	tm := TopicMetadata{Topic: C.GoString(C.kfk_admin_topic_name(t)),
		Error: newError(ErrorCode(C.kfk_admin_topic_err(t)), C.GoString(C.kfk_admin_topic_errstr(t)))}
	np := int(C.kfk_admin_topic_partition_count(t))
	for p := 0; p < np; p++ {
		var rep, isr *C.int32_t
		nr := C.kfk_admin_topic_partition_replicas(t, C.int(p), &rep)
		ni := C.kfk_admin_topic_partition_isr(t, C.int(p), &isr)
		tm.Partitions = append(tm.Partitions, PartitionMetadata{ID: int32(p),
			Error: newError(ErrNoError, ""), Leader: int32(C.kfk_admin_topic_partition_leader(t, C.int(p))),
			Replicas: int32s(nr, rep), Isrs: int32s(ni, isr)})
	}
	return tm
}

// GetMetadata describes topic (nil: every topic, when allTopics) and the
// brokers.
func (a *AdminClient) GetMetadata(topic *string, allTopics bool, timeoutMs int) (*Metadata, error) {
	var names []string
	if topic != nil {
		names = []string{*topic}
	} else if !allTopics {
		names = []string{}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(timeoutMs)*time.Millisecond)
	defer cancel()
	cn, free := cStrings(names)
	defer free()
	o := optionsOf(ctx, nil)
	var id C.uint64_t
	e := C.kfk_admin_describe_topics(a.a, cn, C.int(len(names)), &o, &id)
	r, err := a.wait(ctx, e, id)
	if err != nil {
		return nil, err
	}
	defer C.kfk_admin_result_destroy(r)
	if e := C.kfk_admin_result_err(r); e != 0 && C.kfk_admin_result_topic_count(r) == 0 {
		return nil, newErrorFromC(e, C.kfk_admin_result_errstr(r))
	}
	md := &Metadata{Topics: map[string]TopicMetadata{}}
	for i := 0; i < int(C.kfk_admin_result_broker_count(r)); i++ {
		var host *C.char
		var port C.int32_t
		bid := C.kfk_admin_result_broker(r, C.int(i), &host, &port, nil)
		md.Brokers = append(md.Brokers, BrokerMetadata{ID: int32(bid), Host: C.GoString(host), Port: int(port)})
	}
	if len(md.Brokers) > 0 {
		md.OriginatingBroker = md.Brokers[0]
	}
	for i := 0; i < int(C.kfk_admin_result_topic_count(r)); i++ {
		tm := topicMetadata(C.kfk_admin_result_topic(r, C.int(i)))
		md.Topics[tm.Topic] = tm
	}
	return md, nil
}
