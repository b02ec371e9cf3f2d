package kafka

import (
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"
)

// rss is the process's resident set in bytes (/proc/self/statm).
func rss(t *testing.T) int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(b))
	pages, _ := strconv.ParseInt(f[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

// One producer and one consumer, rounds of 100,000 records produced and
// consumed: after the first two rounds (pools and buffers at their size)
// the process's memory stays flat. A record the binding kept (the delivery
// table, a message not given back to kfk) would add megabytes a round.
func TestMemoryIsFlatOverRoundsOf100000(t *testing.T) {
	bs := broker(t)
	topic := newTopic(t, bs, 2)
	const rounds, per = 5, 100000
	p, err := NewProducer(&ConfigMap{"bootstrap.servers": bs, "batch.size": 262144})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c, _ := NewConsumer(&ConfigMap{"bootstrap.servers": bs, "group.id": topic})
	defer c.Close()
	c.Assign([]TopicPartition{{Topic: &topic, Partition: 0, Offset: OffsetBeginning},
		{Topic: &topic, Partition: 1, Offset: OffsetBeginning}})
	value := make([]byte, 100)
	var sizes []int64
	for r := 0; r < rounds; r++ {
		ch := make(chan Event, 4096)
		go func() {
			for i := 0; i < per; i++ {
				if m := (<-ch).(*Message); m.TopicPartition.Error != nil {
					t.Errorf("report: %v", m.TopicPartition)
				}
			}
		}()
		for i := 0; i < per; i++ {
			for p.Produce(&Message{TopicPartition: TopicPartition{Topic: &topic,
				Partition: int32(i % 2)}, Value: value}, ch) != nil {
				p.Flush(10)
			}
		}
		if left := p.Flush(60000); left != 0 {
			t.Fatalf("round %d: %d not delivered", r, left)
		}
		for i := 0; i < per; i++ {
			m, err := c.ReadMessage(30 * time.Second)
			if err != nil {
				t.Fatalf("round %d, record %d: %v", r, i, err)
			}
			if want := Offset(r*per/2 + i/2); m.TopicPartition.Offset < Offset(r*per/2) || m.TopicPartition.Offset >= Offset((r+1)*per/2) {
				t.Fatalf("round %d: read %v, want offsets from %d", r, m.TopicPartition, want)
			}
		}
		runtime.GC()
		debug.FreeOSMemory()
		sizes = append(sizes, rss(t))
		t.Logf("after round %d (%d records each way): RSS %.1f MB", r+1, (r+1)*per, float64(sizes[r])/1e6)
	}
	// Two rounds to warm up: pools, buffers and, under ASan, its 16 MB
	// quarantine of freed blocks fill in the first rounds.
	if grew := sizes[rounds-1] - sizes[1]; grew > 12<<20 {
		t.Fatalf("RSS grew %.1f MB from round 2 to round %d: %v", float64(grew)/1e6, rounds, sizes)
	}
}
