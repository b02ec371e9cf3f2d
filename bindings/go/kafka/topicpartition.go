package kafka

// #include "kfkgo.h"
import "C"

import (
	"fmt"
	"strconv"
	"unsafe"
)

// Offset is a partition's offset, or one of the logical offsets below.
type Offset int64

// The logical offsets (confluent-kafka-go's values, which are kfk's too).
const (
	OffsetBeginning = Offset(C.KFK_OFFSET_BEGINNING)
	OffsetEnd       = Offset(C.KFK_OFFSET_END)
	OffsetInvalid   = Offset(C.KFK_OFFSET_INVALID)
	OffsetStored    = Offset(C.KFK_OFFSET_STORED)
)

// PartitionAny lets the partitioner choose.
const PartitionAny = int32(C.KFK_PARTITION_ANY)

// String prints logical offsets by name, as confluent-kafka-go does.
func (o Offset) String() string {
	switch o {
	case OffsetBeginning:
		return "beginning"
	case OffsetEnd:
		return "end"
	case OffsetInvalid:
		return "unset"
	case OffsetStored:
		return "stored"
	}
	return strconv.FormatInt(int64(o), 10)
}

// Set parses "beginning", "earliest", "end", "latest", "unset", "stored"
// or a number.
func (o *Offset) Set(s string) error {
	switch s {
	case "beginning", "earliest", "smallest":
		*o = OffsetBeginning
	case "end", "latest", "largest":
		*o = OffsetEnd
	case "unset", "invalid":
		*o = OffsetInvalid
	case "stored":
		*o = OffsetStored
	default:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return newError(ErrInvalidArg, fmt.Sprintf("invalid offset %q", s))
		}
		*o = Offset(n)
	}
	return nil
}

// NewOffset parses an Offset from a string or an integer.
func NewOffset(v interface{}) (Offset, error) {
	switch x := v.(type) {
	case string:
		var o Offset
		err := o.Set(x)
		return o, err
	case int:
		return Offset(x), nil
	case int64:
		return Offset(x), nil
	case Offset:
		return x, nil
	}
	return OffsetInvalid, newError(ErrInvalidArg, fmt.Sprintf("invalid offset %v", v))
}

// OffsetTail is the offset n records before the end.
func OffsetTail(n Offset) Offset { return Offset(C.KFK_OFFSET_TAIL_BASE) - n }

// TopicPartition names a partition, with an offset and an error where the
// operation gives them.
type TopicPartition struct {
	Topic       *string
	Partition   int32
	Offset      Offset
	Metadata    *string
	Error       error
	LeaderEpoch *int32
}

// String prints "topic[partition]@offset", and the error in parentheses
// when there is one, as confluent-kafka-go does.
func (p TopicPartition) String() string {
	topic := "<null>"
	if p.Topic != nil {
		topic = *p.Topic
	}
	if p.Error != nil {
		return fmt.Sprintf("%s[%d]@%s(%s)", topic, p.Partition, p.Offset, p.Error)
	}
	return fmt.Sprintf("%s[%d]@%s", topic, p.Partition, p.Offset)
}

// TopicPartitions sorts by topic, then partition.
type TopicPartitions []TopicPartition

func (t TopicPartitions) Len() int      { return len(t) }
func (t TopicPartitions) Swap(i, j int) { t[i], t[j] = t[j], t[i] }
func (t TopicPartitions) Less(i, j int) bool {
	a, b := "", ""
	if t[i].Topic != nil {
		a = *t[i].Topic
	}
	if t[j].Topic != nil {
		b = *t[j].Topic
	}
	if a != b {
		return a < b
	}
	return t[i].Partition < t[j].Partition
}

func tplistToC(parts []TopicPartition) *C.kfk_tplist {
	l := C.kfk_tplist_new(C.int(len(parts)))
	for _, p := range parts {
		topic := ""
		if p.Topic != nil {
			topic = *p.Topic
		}
		ct := C.CString(topic)
		i := C.kfk_tplist_add(l, ct, C.int32_t(p.Partition), C.int64_t(p.Offset))
		C.free(unsafe.Pointer(ct))
		if i < 0 {
			continue
		}
		if p.LeaderEpoch != nil {
			C.kfk_tplist_set_leader_epoch(l, i, C.int32_t(*p.LeaderEpoch))
		}
		if p.Metadata != nil {
			cm := C.CString(*p.Metadata)
			C.kfk_tplist_set_metadata(l, i, cm)
			C.free(unsafe.Pointer(cm))
		}
	}
	return l
}

func tplistToGo(l *C.kfk_tplist) []TopicPartition {
	n := int(C.kfk_tplist_count(l))
	parts := make([]TopicPartition, n)
	for i := 0; i < n; i++ {
		ci := C.int(i)
		topic := C.GoString(C.kfk_tplist_topic(l, ci))
		p := TopicPartition{Topic: &topic,
			Partition: int32(C.kfk_tplist_partition(l, ci)),
			Offset:    Offset(C.kfk_tplist_offset(l, ci))}
		if e := C.kfk_tplist_err(l, ci); e != 0 {
			p.Error = newErrorFromC(e, nil)
		}
		if m := C.kfk_tplist_metadata(l, ci); m != nil {
			s := C.GoString(m)
			p.Metadata = &s
		}
		if ep := int32(C.kfk_tplist_leader_epoch(l, ci)); ep >= 0 {
			p.LeaderEpoch = &ep
		}
		parts[i] = p
	}
	return parts
}
