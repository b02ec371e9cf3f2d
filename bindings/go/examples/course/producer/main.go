// The course's producer, written for confluent-kafka-go: only the import
// path is kfk's. It sends keyed messages to the topic "teste" and prints
// each delivery as "Sent message: teste[1]@2". BOOTSTRAP and TOPIC
// override the broker and the topic.
package main

import (
	"fmt"
	"log"
	"os"
	"sync"

	"github.com/kfk-client/kfk/bindings/go/kafka"
)

func main() {
	deliveryChan := make(chan kafka.Event)
	producer := NewKafkaProducer()
	defer producer.Close()

	var wg sync.WaitGroup
	keys := []string{"transfer", "payment", "refund", "transfer", "payment", "transfer"}
	wg.Add(len(keys))
	go DeliveryReport(deliveryChan, &wg)
	for i, key := range keys {
		msg := fmt.Sprintf("message %d", i)
		if err := Publish(msg, env("TOPIC", "teste"), producer, []byte(key), deliveryChan); err != nil {
			log.Fatal(err)
		}
	}
	producer.Flush(15000)
	wg.Wait()
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func NewKafkaProducer() *kafka.Producer {
	configMap := &kafka.ConfigMap{
		"bootstrap.servers":  env("BOOTSTRAP", "localhost:9092"),
		"acks":               "all",
		"enable.idempotence": "true",
		// The Java client's key hashing, in both librdkafka and kfk.
		"partitioner": "murmur2_random",
	}
	p, err := kafka.NewProducer(configMap)
	if err != nil {
		log.Fatal(err.Error())
	}
	return p
}

func Publish(msg string, topic string, producer *kafka.Producer, key []byte, deliveryChan chan kafka.Event) error {
	message := &kafka.Message{
		Value:          []byte(msg),
		TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: kafka.PartitionAny},
		Key:            key,
	}
	return producer.Produce(message, deliveryChan)
}

func DeliveryReport(deliveryChan chan kafka.Event, wg *sync.WaitGroup) {
	for e := range deliveryChan {
		switch ev := e.(type) {
		case *kafka.Message:
			if ev.TopicPartition.Error != nil {
				fmt.Println("Failed to send:", ev.TopicPartition.Error)
			} else {
				fmt.Println("Sent message:", ev.TopicPartition)
			}
			wg.Done()
		}
	}
}
