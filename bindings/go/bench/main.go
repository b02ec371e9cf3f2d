// bench: produce then consume N records of S bytes with one client, and
// print records/s and CPU seconds of each phase as one JSON line. The
// same source is built twice by bench.sh: as it is (kfk) and with the
// import switched to confluent-kafka-go (librdkafka), so both run exactly
// the same Go code.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/kfk-client/kfk/bindings/go/kafka"
)

func cpu() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

type phase struct {
	Rate float64 `json:"rate"`
	CPU  float64 `json:"cpu"`
}

func produce(bs, topic string, n, size int) phase {
	p, err := kafka.NewProducer(&kafka.ConfigMap{"bootstrap.servers": bs,
		// The same batching on both sides (librdkafka batches up to 1 MB by
		// default, kfk as the Java client up to 16 KB).
		"linger.ms": 5, "acks": "all", "enable.idempotence": true,
		"compression.type": "none", "batch.size": 1000000})
	if err != nil {
		fail(err)
	}
	value := make([]byte, size)
	done := make(chan int)
	go func() {
		ok := 0
		for e := range p.Events() {
			if m, is := e.(*kafka.Message); is && m.TopicPartition.Error == nil {
				ok++
				if ok == n {
					break
				}
			}
		}
		done <- ok
	}()
	t0, c0 := time.Now(), cpu()
	for i := 0; i < n; i++ {
		msg := &kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic,
			Partition: kafka.PartitionAny}, Value: value}
		for {
			err := p.Produce(msg, nil)
			if err == nil {
				break
			}
			if err.(kafka.Error).Code() != kafka.ErrQueueFull {
				fail(err)
			}
			p.Flush(10)
		}
	}
	p.Flush(60000)
	ok := <-done
	el, c := time.Since(t0).Seconds(), cpu()-c0
	p.Close()
	if ok != n {
		fail(fmt.Errorf("%d of %d delivered", ok, n))
	}
	return phase{float64(n) / el, c}
}

func consume(bs, topic string, partitions, n int) phase {
	c, err := kafka.NewConsumer(&kafka.ConfigMap{"bootstrap.servers": bs,
		"group.id": topic, "enable.auto.commit": false})
	if err != nil {
		fail(err)
	}
	var parts []kafka.TopicPartition
	for q := 0; q < partitions; q++ {
		parts = append(parts, kafka.TopicPartition{Topic: &topic,
			Partition: int32(q), Offset: kafka.OffsetBeginning})
	}
	c.Assign(parts)
	t0, c0 := time.Now(), cpu()
	bytes := 0
	for got := 0; got < n; {
		m, err := c.ReadMessage(30 * time.Second)
		if err != nil {
			fail(fmt.Errorf("after %d records: %v", got, err))
		}
		bytes += len(m.Value)
		got++
	}
	el, cp := time.Since(t0).Seconds(), cpu()-c0
	c.Close()
	return phase{float64(n) / el, cp}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench:", err)
	os.Exit(1)
}

func main() {
	bs := flag.String("b", "127.0.0.1:9092", "bootstrap servers")
	topic := flag.String("t", "bench", "topic (must exist)")
	parts := flag.Int("p", 3, "the topic's partitions")
	n := flag.Int("n", 1000000, "records")
	size := flag.Int("s", 100, "value bytes")
	flag.Parse()
	out := map[string]phase{"produce": produce(*bs, *topic, *n, *size)}
	out["consume"] = consume(*bs, *topic, *parts, *n)
	json.NewEncoder(os.Stdout).Encode(out)
}
