package kafka

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"
	"time"
)

// broker is the real Kafka the suite started, or the test is skipped.
func broker(t *testing.T) string {
	bs := os.Getenv("KFK_KAFKA_BOOTSTRAP")
	if bs == "" {
		t.Skip("no real Kafka (KFK_KAFKA_BOOTSTRAP unset)")
	}
	return bs
}

// newTopic creates a topic with kfk's CLI (the Go admin client is not
// what these tests are about).
func newTopic(t *testing.T, bs string, partitions int) string {
	name := fmt.Sprintf("go-%s-%d", t.Name(), time.Now().UnixNano())
	kfk := filepath.Join(os.Getenv("KFK_BUILDDIR"), "tools", "kfk")
	out, err := exec.Command(kfk, "topics", "-b", bs, "--create", "--topic", name,
		"--partitions", fmt.Sprint(partitions), "--replication-factor", "1").CombinedOutput()
	if err != nil {
		t.Fatalf("kfk topics --create: %v: %s", err, out)
	}
	return name
}

func TestTopicPartitionString(t *testing.T) {
	topic := "teste"
	cases := []struct {
		tp   TopicPartition
		want string
	}{
		{TopicPartition{Topic: &topic, Partition: 1, Offset: 3}, "teste[1]@3"},
		{TopicPartition{Topic: &topic, Partition: 0, Offset: OffsetInvalid}, "teste[0]@unset"},
		{TopicPartition{Topic: &topic, Partition: 2, Offset: OffsetBeginning}, "teste[2]@beginning"},
		{TopicPartition{Partition: 0, Offset: OffsetEnd}, "<null>[0]@end"},
		{TopicPartition{Topic: &topic, Partition: 0, Offset: -1,
			Error: newError(ErrMsgTimedOut, "timed out")}, "teste[0]@end(timed out)"},
	}
	for _, c := range cases {
		if got := c.tp.String(); got != c.want {
			t.Errorf("String() = %q, want %q", got, c.want)
		}
	}
}

func TestUnknownPropertyIsAnError(t *testing.T) {
	_, err := NewProducer(&ConfigMap{"bootstrap.servers": "127.0.0.1:1", "linger.msx": 5})
	e, ok := err.(Error)
	if !ok || e.Code() != ErrUnknownProperty {
		t.Fatalf("err = %v, want an Error with ErrUnknownProperty", err)
	}
	if e.IsRetriable() || e.IsFatal() {
		t.Errorf("unknown property: retriable %v fatal %v", e.IsRetriable(), e.IsFatal())
	}
}

func TestErrorCodes(t *testing.T) {
	if ErrPartitionEOF.String() != "_PARTITION_EOF" || ErrTopicAlreadyExists != 36 ||
		ErrUnknownTopicOrPart != 3 {
		t.Fatalf("codes: %v %d %d", ErrPartitionEOF, ErrTopicAlreadyExists, ErrUnknownTopicOrPart)
	}
	if !newError(ErrNotLeaderOrFollower, "").IsRetriable() {
		t.Error("NOT_LEADER_OR_FOLLOWER is retriable")
	}
}

// produce sends n keyed records and returns their delivery reports in
// record order.
func produce(t *testing.T, p *Producer, topic string, n int) []*Message {
	ch := make(chan Event, n)
	for i := 0; i < n; i++ {
		err := p.Produce(&Message{TopicPartition: TopicPartition{Topic: &topic,
			Partition: PartitionAny}, Key: []byte(fmt.Sprintf("k%d", i%7)),
			Value: []byte(fmt.Sprintf("v%d", i)), Opaque: i}, ch)
		if err != nil {
			t.Fatalf("Produce %d: %v", i, err)
		}
	}
	if left := p.Flush(30000); left != 0 {
		t.Fatalf("Flush left %d", left)
	}
	reps := make([]*Message, n)
	for i := 0; i < n; i++ {
		m := (<-ch).(*Message)
		if m.TopicPartition.Error != nil {
			t.Fatalf("report %v: %v", m.Opaque, m.TopicPartition.Error)
		}
		reps[m.Opaque.(int)] = m
	}
	return reps
}

func TestProduceThenConsumeExactly(t *testing.T) {
	bs := broker(t)
	topic := newTopic(t, bs, 3)
	p, err := NewProducer(&ConfigMap{"bootstrap.servers": bs})
	if err != nil {
		t.Fatal(err)
	}
	reps := produce(t, p, topic, 300)
	p.Close()
	// Same key, same partition; per partition offsets 0.. in produce order.
	keyPart := map[string]int32{}
	next := map[int32]Offset{}
	for i, m := range reps {
		k := string(m.Key)
		if q, ok := keyPart[k]; ok && q != m.TopicPartition.Partition {
			t.Fatalf("key %s in partitions %d and %d", k, q, m.TopicPartition.Partition)
		}
		keyPart[k] = m.TopicPartition.Partition
		if m.TopicPartition.Offset != next[m.TopicPartition.Partition] {
			t.Fatalf("record %d at %v, want offset %d", i, m.TopicPartition, next[m.TopicPartition.Partition])
		}
		next[m.TopicPartition.Partition]++
	}
	c, err := NewConsumer(&ConfigMap{"bootstrap.servers": bs, "group.id": topic})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var parts []TopicPartition
	for q := int32(0); q < 3; q++ {
		parts = append(parts, TopicPartition{Topic: &topic, Partition: q, Offset: OffsetBeginning})
	}
	if err := c.Assign(parts); err != nil {
		t.Fatal(err)
	}
	got := map[string]*Message{}
	for len(got) < len(reps) {
		m, err := c.ReadMessage(20 * time.Second)
		if err != nil {
			t.Fatalf("after %d records: %v", len(got), err)
		}
		got[m.TopicPartition.String()] = m
	}
	for i, r := range reps {
		m := got[r.TopicPartition.String()]
		if m == nil || string(m.Key) != string(r.Key) || string(m.Value) != fmt.Sprintf("v%d", i) {
			t.Fatalf("record %d: reported at %v, read %v", i, r.TopicPartition, m)
		}
	}
}

func TestGroupCommitsWhatItRead(t *testing.T) {
	bs := broker(t)
	topic := newTopic(t, bs, 2)
	p, _ := NewProducer(&ConfigMap{"bootstrap.servers": bs})
	produce(t, p, topic, 40)
	p.Close()
	conf := ConfigMap{"bootstrap.servers": bs, "group.id": topic + "-g",
		"auto.offset.reset": "earliest", "enable.auto.commit": false}
	c, _ := NewConsumer(&conf)
	if err := c.SubscribeTopics([]string{topic}, nil); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 25; i++ {
		if _, err := c.ReadMessage(30 * time.Second); err != nil {
			t.Fatalf("read %d: %v", i, err)
		}
	}
	committed, err := c.Commit()
	if err != nil {
		t.Fatal(err)
	}
	sum := Offset(0)
	for _, tp := range committed {
		sum += tp.Offset
	}
	if sum != 25 {
		t.Fatalf("committed %v: offsets sum to %d, want 25", committed, sum)
	}
	c.Close()
	// The group resumes at the commit: the other 15 records, no more.
	c2, _ := NewConsumer(&conf)
	defer c2.Close()
	c2.SubscribeTopics([]string{topic}, nil)
	for i := 0; i < 15; i++ {
		if _, err := c2.ReadMessage(30 * time.Second); err != nil {
			t.Fatalf("second member, read %d: %v", i, err)
		}
	}
	if m, err := c2.ReadMessage(2 * time.Second); err == nil {
		t.Fatalf("a 41st record: %v", m)
	} else if !err.(Error).IsTimeout() {
		t.Fatalf("want a timeout, got %v", err)
	}
}

func TestTwoMembersShareTheTopic(t *testing.T) {
	bs := broker(t)
	topic := newTopic(t, bs, 4)
	conf := ConfigMap{"bootstrap.servers": bs, "group.id": topic + "-g",
		"auto.offset.reset": "earliest"}
	assigned := [2][]TopicPartition{}
	var cs [2]*Consumer
	for i := range cs {
		i := i
		cs[i], _ = NewConsumer(&conf)
		defer cs[i].Close()
		cs[i].SubscribeTopics([]string{topic}, func(c *Consumer, ev Event) error {
			switch e := ev.(type) {
			case AssignedPartitions:
				assigned[i] = e.Partitions
				return c.Assign(e.Partitions)
			case RevokedPartitions:
				assigned[i] = nil
				return c.Unassign()
			}
			return nil
		})
	}
	deadline := time.Now().Add(60 * time.Second)
	for len(assigned[0])+len(assigned[1]) != 4 || len(assigned[0]) == 0 || len(assigned[1]) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("assignments %v / %v", assigned[0], assigned[1])
		}
		cs[0].Poll(100)
		cs[1].Poll(100)
	}
	all := append(append([]TopicPartition{}, assigned[0]...), assigned[1]...)
	sort.Sort(TopicPartitions(all))
	for q, tp := range all {
		if tp.Partition != int32(q) {
			t.Fatalf("partitions %v: not 0..3 each once", all)
		}
	}
}

func TestSeekAndPosition(t *testing.T) {
	bs := broker(t)
	topic := newTopic(t, bs, 1)
	p, _ := NewProducer(&ConfigMap{"bootstrap.servers": bs})
	produce(t, p, topic, 20)
	p.Close()
	c, _ := NewConsumer(&ConfigMap{"bootstrap.servers": bs, "group.id": topic})
	defer c.Close()
	c.Assign([]TopicPartition{{Topic: &topic, Partition: 0, Offset: OffsetBeginning}})
	for i := 0; i < 3; i++ {
		m, err := c.ReadMessage(20 * time.Second)
		if err != nil || m.TopicPartition.Offset != Offset(i) {
			t.Fatalf("read %d: %v %v", i, m, err)
		}
	}
	pos, _ := c.Position([]TopicPartition{{Topic: &topic, Partition: 0}})
	if pos[0].Offset != 3 {
		t.Fatalf("position %v, want 3 (the next the application gets)", pos[0])
	}
	if err := c.Seek(TopicPartition{Topic: &topic, Partition: 0, Offset: 11}, 0); err != nil {
		t.Fatal(err)
	}
	m, err := c.ReadMessage(20 * time.Second)
	if err != nil || m.TopicPartition.Offset != 11 || string(m.Value) != "v11" {
		t.Fatalf("after seek to 11: %v %v", m, err)
	}
	low, high, err := c.QueryWatermarkOffsets(topic, 0, 10000)
	if err != nil || low != 0 || high != 20 {
		t.Fatalf("watermarks %d %d %v, want 0 20", low, high, err)
	}
}
