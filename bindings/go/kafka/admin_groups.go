package kafka

// #include "kfkgo.h"
import "C"

import (
	"context"
	"sort"
)

// ConsumerGroupState is a group's state (confluent-kafka-go's values).
type ConsumerGroupState int

// The group states.
const (
	ConsumerGroupStateUnknown             ConsumerGroupState = 0
	ConsumerGroupStatePreparingRebalance  ConsumerGroupState = 1
	ConsumerGroupStateCompletingRebalance ConsumerGroupState = 2
	ConsumerGroupStateStable              ConsumerGroupState = 3
	ConsumerGroupStateDead                ConsumerGroupState = 4
	ConsumerGroupStateEmpty               ConsumerGroupState = 5
)

var groupStates = map[string]ConsumerGroupState{
	"PreparingRebalance":  ConsumerGroupStatePreparingRebalance,
	"CompletingRebalance": ConsumerGroupStateCompletingRebalance,
	"Stable":              ConsumerGroupStateStable, "Dead": ConsumerGroupStateDead,
	"Empty": ConsumerGroupStateEmpty}

func (s ConsumerGroupState) String() string {
	for name, v := range groupStates {
		if v == s {
			return name
		}
	}
	return "Unknown"
}

// Node is a broker.
type Node struct {
	ID   int
	Host string
	Port int
}

// MemberAssignment is a member's partitions.
type MemberAssignment struct {
	TopicPartitions []TopicPartition
}

// MemberDescription is one member of a group.
type MemberDescription struct {
	ClientID        string
	GroupInstanceID string
	ConsumerID      string
	Host            string
	Assignment      MemberAssignment
}

// ConsumerGroupDescription is one group.
type ConsumerGroupDescription struct {
	GroupID               string
	Error                 Error
	IsSimpleConsumerGroup bool
	PartitionAssignor     string
	State                 ConsumerGroupState
	Coordinator           Node
	Members               []MemberDescription
}

// DescribeConsumerGroupsResult holds the groups described.
type DescribeConsumerGroupsResult struct {
	ConsumerGroupDescriptions []ConsumerGroupDescription
}

// ConsumerGroupTopicPartitions is a group and partitions of it.
type ConsumerGroupTopicPartitions struct {
	Group      string
	Partitions []TopicPartition
}

// ListConsumerGroupOffsetsResult holds each group's committed offsets.
type ListConsumerGroupOffsetsResult struct {
	ConsumerGroupsTopicPartitions []ConsumerGroupTopicPartitions
}

// describeGroups runs kfk's describe (with offsets: committed and end
// offsets per partition) and hands each group to f.
func (a *AdminClient) describeGroups(ctx context.Context, groups []string, offsets bool,
	opts []AdminOption, f func(g *C.kfk_admin_group)) error {
	names, free := cStrings(groups)
	defer free()
	o := optionsOf(ctx, opts)
	var id C.uint64_t
	e := C.kfk_admin_describe_groups(a.a, names, C.int(len(groups)), C.bool(offsets), &o, &id)
	r, err := a.wait(ctx, e, id)
	if err != nil {
		return err
	}
	defer C.kfk_admin_result_destroy(r)
	n := int(C.kfk_admin_result_group_count(r))
	if e := C.kfk_admin_result_err(r); e != 0 && n == 0 {
		return newErrorFromC(e, C.kfk_admin_result_errstr(r))
	}
	for i := 0; i < n; i++ {
		f(C.kfk_admin_result_group(r, C.int(i)))
	}
	return nil
}

func memberOf(g *C.kfk_admin_group, i int) MemberDescription {
	var client, host, instance *C.char
	m := MemberDescription{ConsumerID: C.GoString(C.kfk_admin_group_member(g, C.int(i), &client, &host, &instance))}
	m.ClientID, m.Host = C.GoString(client), C.GoString(host)
	if instance != nil {
		m.GroupInstanceID = C.GoString(instance)
	}
	for j := 0; j < int(C.kfk_admin_group_member_assignment_count(g, C.int(i))); j++ {
		var p C.int32_t
		topic := C.GoString(C.kfk_admin_group_member_assignment(g, C.int(i), C.int(j), &p))
		m.Assignment.TopicPartitions = append(m.Assignment.TopicPartitions,
			TopicPartition{Topic: &topic, Partition: int32(p), Offset: OffsetInvalid})
	}
	return m
}

// DescribeConsumerGroups describes groups: state, assignor, coordinator,
// members and their partitions.
func (a *AdminClient) DescribeConsumerGroups(ctx context.Context, groups []string,
	opts ...DescribeConsumerGroupsAdminOption) (DescribeConsumerGroupsResult, error) {
	var res DescribeConsumerGroupsResult
	err := a.describeGroups(ctx, groups, false, opts, func(g *C.kfk_admin_group) {
		var host *C.char
		var port C.int32_t
		coord := C.kfk_admin_group_coordinator(g, &host, &port)
		d := ConsumerGroupDescription{GroupID: C.GoString(C.kfk_admin_group_name(g)),
			Error:                 newError(ErrorCode(C.kfk_admin_group_err(g)), C.GoString(C.kfk_admin_group_errstr(g))),
			IsSimpleConsumerGroup: C.GoString(C.kfk_admin_group_protocol_type(g)) == "",
			PartitionAssignor:     C.GoString(C.kfk_admin_group_protocol(g)),
			State:                 groupStates[C.GoString(C.kfk_admin_group_state(g))],
			Coordinator:           Node{ID: int(coord), Host: C.GoString(host), Port: int(port)}}
		for i := 0; i < int(C.kfk_admin_group_member_count(g)); i++ {
			d.Members = append(d.Members, memberOf(g, i))
		}
		res.ConsumerGroupDescriptions = append(res.ConsumerGroupDescriptions, d)
	})
	return res, err
}

// ListConsumerGroupOffsets gives each group's committed offsets: of the
// partitions asked (OffsetInvalid where none is committed), or of every
// partition it committed when Partitions is nil.
func (a *AdminClient) ListConsumerGroupOffsets(ctx context.Context, groups []ConsumerGroupTopicPartitions,
	opts ...ListConsumerGroupOffsetsAdminOption) (ListConsumerGroupOffsetsResult, error) {
	var res ListConsumerGroupOffsetsResult
	names := make([]string, len(groups))
	for i, g := range groups {
		names[i] = g.Group
	}
	committed := map[string]map[tpKey]Offset{}
	err := a.describeGroups(ctx, names, true, opts, func(g *C.kfk_admin_group) {
		m := map[tpKey]Offset{}
		for i := 0; i < int(C.kfk_admin_group_offset_count(g)); i++ {
			var p C.int32_t
			var c, end C.int64_t
			var member C.int
			topic := C.GoString(C.kfk_admin_group_offset(g, C.int(i), &p, &c, &end, &member))
			if c >= 0 {
				m[tpKey{topic, int32(p)}] = Offset(c)
			}
		}
		committed[C.GoString(C.kfk_admin_group_name(g))] = m
	})
	if err != nil {
		return res, err
	}
	for _, g := range groups {
		out := ConsumerGroupTopicPartitions{Group: g.Group}
		if g.Partitions == nil {
			for k, off := range committed[g.Group] {
				topic := k.topic
				out.Partitions = append(out.Partitions, TopicPartition{Topic: &topic, Partition: k.partition, Offset: off})
			}
			sort.Sort(TopicPartitions(out.Partitions))
		} else {
			for _, tp := range g.Partitions {
				tp.Offset = OffsetInvalid
				if off, ok := committed[g.Group][tpKey{*tp.Topic, tp.Partition}]; ok {
					tp.Offset = off
				}
				out.Partitions = append(out.Partitions, tp)
			}
		}
		res.ConsumerGroupsTopicPartitions = append(res.ConsumerGroupsTopicPartitions, out)
	}
	return res, nil
}
