// Package kafka is kfk's Go binding: cgo over libkfk with the surface of
// confluent-kafka-go v2's package kafka, so that a program written for
// github.com/confluentinc/confluent-kafka-go/v2/kafka builds against it
// with only its import path changed. All client logic stays in libkfk;
// this package converts values and moves reports and messages to Go in
// batches (one cgo call per batch, not per record).
package kafka

// #cgo pkg-config: kfk
// #include "kfkgo.h"
import "C"
