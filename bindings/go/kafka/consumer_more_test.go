package kafka

import (
	"testing"
	"time"
)

// Pause drops what was buffered for the partition and fetches nothing
// until Resume; Committed gives back what CommitOffsets stored.
func TestPauseResumeAndCommitted(t *testing.T) {
	bs := broker(t)
	topic := newTopic(t, bs, 1)
	p, _ := NewProducer(&ConfigMap{"bootstrap.servers": bs})
	produce(t, p, topic, 10)
	p.Close()
	c, _ := NewConsumer(&ConfigMap{"bootstrap.servers": bs, "group.id": topic})
	defer c.Close()
	tp := TopicPartition{Topic: &topic, Partition: 0}
	start := tp
	start.Offset = OffsetBeginning
	c.Assign([]TopicPartition{start})
	m, err := c.ReadMessage(20 * time.Second)
	if err != nil || m.TopicPartition.Offset != 0 {
		t.Fatalf("first read: %v %v", m, err)
	}
	if err := c.Pause([]TopicPartition{tp}); err != nil {
		t.Fatal(err)
	}
	if m, err := c.ReadMessage(1500 * time.Millisecond); err == nil {
		t.Fatalf("read %v while paused", m.TopicPartition)
	}
	if err := c.Resume([]TopicPartition{tp}); err != nil {
		t.Fatal(err)
	}
	m, err = c.ReadMessage(20 * time.Second)
	if err != nil || m.TopicPartition.Offset != 1 {
		t.Fatalf("after resume: %v %v (want offset 1: nothing skipped)", m, err)
	}
	commit := tp
	commit.Offset = 2
	if _, err := c.CommitOffsets([]TopicPartition{commit}); err != nil {
		t.Fatal(err)
	}
	got, err := c.Committed([]TopicPartition{tp}, 10000)
	if err != nil || len(got) != 1 || got[0].Offset != 2 {
		t.Fatalf("committed %v %v", got, err)
	}
}

// ProduceChannel's records report through Events().
func TestProduceChannelReportsToEvents(t *testing.T) {
	bs := broker(t)
	topic := newTopic(t, bs, 1)
	p, _ := NewProducer(&ConfigMap{"bootstrap.servers": bs})
	defer p.Close()
	for i := 0; i < 5; i++ {
		p.ProduceChannel() <- &Message{TopicPartition: TopicPartition{Topic: &topic,
			Partition: 0}, Value: []byte{byte('a' + i)}}
	}
	for i := 0; i < 5; i++ {
		select {
		case ev := <-p.Events():
			m := ev.(*Message)
			if m.TopicPartition.Error != nil || m.TopicPartition.Offset != Offset(i) ||
				string(m.Value) != string(rune('a'+i)) {
				t.Fatalf("report %d: %v %q", i, m.TopicPartition, m.Value)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("report %d never came", i)
		}
	}
}
