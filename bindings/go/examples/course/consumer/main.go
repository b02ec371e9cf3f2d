// The course's consumer, written for confluent-kafka-go: only the import
// path is kfk's. It reads "teste" in a group from the earliest offset and
// prints each message with its partition and offset. BOOTSTRAP, TOPIC and
// GROUP override the defaults; MAX_MESSAGES makes it stop after that many.
package main

import (
	"fmt"
	"log"
	"os"
	"strconv"

	"github.com/kfk-client/kfk/bindings/go/kafka"
)

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func main() {
	configMap := &kafka.ConfigMap{
		"bootstrap.servers": env("BOOTSTRAP", "localhost:9092"),
		"client.id":         "goapp-consumer",
		"group.id":          env("GROUP", "goapp-group"),
		"auto.offset.reset": "earliest",
	}
	c, err := kafka.NewConsumer(configMap)
	if err != nil {
		log.Fatal("error consumer", err.Error())
	}
	defer c.Close()
	topics := []string{env("TOPIC", "teste")}
	c.SubscribeTopics(topics, nil)
	max, _ := strconv.Atoi(env("MAX_MESSAGES", "0"))
	for n := 0; max == 0 || n < max; {
		msg, err := c.ReadMessage(-1)
		if err == nil {
			fmt.Println(string(msg.Value), string(msg.Key), msg.TopicPartition)
			n++
		}
	}
}
