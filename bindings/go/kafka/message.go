package kafka

import (
	"fmt"
	"time"
)

// Event is what Poll and the Events channels carry: *Message, Error,
// AssignedPartitions, RevokedPartitions, PartitionEOF.
type Event interface {
	String() string
}

// TimestampType says what a Message's Timestamp is.
type TimestampType int

// The timestamp types (kfk's and confluent-kafka-go's values).
const (
	TimestampNotAvailable  TimestampType = 0
	TimestampCreateTime    TimestampType = 1
	TimestampLogAppendTime TimestampType = 2
)

func (t TimestampType) String() string {
	switch t {
	case TimestampCreateTime:
		return "CreateTime"
	case TimestampLogAppendTime:
		return "LogAppendTime"
	}
	return "NotAvailable"
}

// Header is one record header; a nil Value is a null value.
type Header struct {
	Key   string
	Value []byte
}

func (h Header) String() string {
	if h.Value == nil {
		return fmt.Sprintf("%s=nil", h.Key)
	}
	return fmt.Sprintf("%s=%q", h.Key, h.Value)
}

// Message is a record: to produce, consumed, or delivered (with its
// partition and offset, or the error of its delivery in
// TopicPartition.Error).
type Message struct {
	TopicPartition TopicPartition
	Value          []byte
	Key            []byte
	Timestamp      time.Time
	TimestampType  TimestampType
	Opaque         interface{}
	Headers        []Header
	LeaderEpoch    *int32
}

func (m *Message) String() string {
	return fmt.Sprintf("%s: %s", m.TopicPartition, m.Value)
}

// AssignedPartitions: the group gave this consumer partitions.
type AssignedPartitions struct{ Partitions []TopicPartition }

func (e AssignedPartitions) String() string {
	return fmt.Sprintf("AssignedPartitions: %v", e.Partitions)
}

// RevokedPartitions: the group took partitions away.
type RevokedPartitions struct{ Partitions []TopicPartition }

func (e RevokedPartitions) String() string {
	return fmt.Sprintf("RevokedPartitions: %v", e.Partitions)
}

// PartitionEOF: the consumer reached a partition's end
// (enable.partition.eof=true).
type PartitionEOF TopicPartition

func (p PartitionEOF) String() string {
	return fmt.Sprintf("EOF at %s", TopicPartition(p))
}

// OffsetsCommitted: an asynchronous commit's outcome.
type OffsetsCommitted struct {
	Error   error
	Offsets []TopicPartition
}

func (o OffsetsCommitted) String() string {
	return fmt.Sprintf("OffsetsCommitted (%v, %v)", o.Error, o.Offsets)
}
