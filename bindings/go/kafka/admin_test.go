package kafka

import (
	"context"
	"fmt"
	"testing"
	"time"
)

func TestAdminCreateDescribeDelete(t *testing.T) {
	bs := broker(t)
	a, err := NewAdminClient(&ConfigMap{"bootstrap.servers": bs})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	topic := fmt.Sprintf("go-admin-%d", time.Now().UnixNano())
	res, err := a.CreateTopics(ctx, []TopicSpecification{{Topic: topic, NumPartitions: 3,
		ReplicationFactor: 1, Config: map[string]string{"retention.ms": "12345"}}})
	if err != nil || len(res) != 1 || res[0].Error.Code() != ErrNoError {
		t.Fatalf("create: %v %v", res, err)
	}
	res, _ = a.CreateTopics(ctx, []TopicSpecification{{Topic: topic, NumPartitions: 1, ReplicationFactor: 1}})
	if len(res) != 1 || res[0].Error.Code() != ErrTopicAlreadyExists {
		t.Fatalf("create again: %v", res)
	}
	var md *Metadata
	for deadline := time.Now().Add(30 * time.Second); ; {
		md, err = a.GetMetadata(&topic, false, 10000)
		if err == nil && len(md.Topics[topic].Partitions) == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("metadata: %v %v", md, err)
		}
	}
	for _, p := range md.Topics[topic].Partitions {
		if p.Leader != 1 || fmt.Sprint(p.Replicas, p.Isrs) != "[1] [1]" {
			t.Fatalf("partition %+v", p)
		}
	}
	if len(md.Brokers) != 1 || md.Brokers[0].ID != 1 {
		t.Fatalf("brokers %v", md.Brokers)
	}
	res, err = a.DeleteTopics(ctx, []string{topic, topic + "-never"})
	if err != nil || res[0].Error.Code() != ErrNoError || res[1].Error.Code() != ErrUnknownTopicOrPart {
		t.Fatalf("delete: %v %v", res, err)
	}
}

func TestAdminGroupsAndTheirOffsets(t *testing.T) {
	bs := broker(t)
	topic := newTopic(t, bs, 2)
	p, _ := NewProducer(&ConfigMap{"bootstrap.servers": bs})
	reports := make(chan Event, 10)
	for i := 0; i < 10; i++ {
		p.Produce(&Message{TopicPartition: TopicPartition{Topic: &topic, Partition: int32(i % 2)}, Value: []byte("v")}, reports)
	}
	if left := p.Flush(30000); left != 0 {
		t.Fatalf("%d not delivered", left)
	}
	p.Close()
	group := topic + "-g"
	c, _ := NewConsumer(&ConfigMap{"bootstrap.servers": bs, "group.id": group,
		"auto.offset.reset": "earliest", "enable.auto.commit": false, "client.id": "go-admin-test"})
	c.SubscribeTopics([]string{topic}, nil)
	for i := 0; i < 7; i++ {
		if _, err := c.ReadMessage(30 * time.Second); err != nil {
			t.Fatal(err)
		}
	}
	committed, err := c.Commit()
	if err != nil {
		t.Fatal(err)
	}
	want := map[int32]Offset{}
	for _, tp := range committed {
		want[tp.Partition] = tp.Offset
	}
	a, _ := NewAdminClient(&ConfigMap{"bootstrap.servers": bs})
	defer a.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	d, err := a.DescribeConsumerGroups(ctx, []string{group})
	if err != nil || len(d.ConsumerGroupDescriptions) != 1 {
		t.Fatalf("describe: %v %v", d, err)
	}
	g := d.ConsumerGroupDescriptions[0]
	if g.State != ConsumerGroupStateStable || len(g.Members) != 1 || g.Members[0].ClientID != "go-admin-test" ||
		len(g.Members[0].Assignment.TopicPartitions) != 2 || g.Coordinator.ID != 1 {
		t.Fatalf("group %+v", g)
	}
	c.Close()
	l, err := a.ListConsumerGroupOffsets(ctx, []ConsumerGroupTopicPartitions{{Group: group,
		Partitions: []TopicPartition{{Topic: &topic, Partition: 0}, {Topic: &topic, Partition: 1}}}})
	if err != nil {
		t.Fatal(err)
	}
	got := l.ConsumerGroupsTopicPartitions[0].Partitions
	for _, tp := range got {
		w, ok := want[tp.Partition]
		if !ok {
			w = OffsetInvalid
		}
		if tp.Offset != w {
			t.Fatalf("offsets %v, committed %v", got, committed)
		}
	}
}

func TestAdminWaitEndsWithTheContext(t *testing.T) {
	a, err := NewAdminClient(&ConfigMap{"bootstrap.servers": "127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	// A deadline becomes the operation's timeout: kfk answers _TIMED_OUT.
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	t0 := time.Now()
	res, err := a.DeleteTopics(ctx, []string{"x"})
	if err != nil || len(res) != 1 || res[0].Error.Code() != ErrTimedOut || time.Since(t0) > 5*time.Second {
		t.Fatalf("deadline: %v %v after %v", res, err, time.Since(t0))
	}
	// A cancel ends the wait itself.
	ctx2, cancel2 := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel2)
	t0 = time.Now()
	_, err = a.DeleteTopics(ctx2, []string{"x"})
	if err != context.Canceled || time.Since(t0) > 5*time.Second {
		t.Fatalf("cancel: %v after %v", err, time.Since(t0))
	}
}
