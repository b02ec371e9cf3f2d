package kafka

// #include "kfkgo.h"
import "C"

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// reportBatch is how many delivery reports one cgo call moves.
const reportBatch = 1024

// Purge flags, as confluent-kafka-go's.
const (
	PurgeInFlight    = int(C.KFK_PURGE_INFLIGHT)
	PurgeQueue       = int(C.KFK_PURGE_QUEUED)
	PurgeNonBlocking = 1 << 8
)

type pending struct {
	msg *Message
	ch  chan Event
}

// Producer is a kfk producer. Delivery reports reach Go through one
// goroutine that takes them from kfk in batches and sends each to its
// record's delivery channel, or to Events().
type Producer struct {
	p           *C.kfk_producer
	events      chan Event
	produceChan chan *Message
	reports     bool

	mu      sync.Mutex
	table   map[uint64]pending
	nextID  uint64
	topics  map[string]*C.char
	waiting int64 // produced, report not yet handed to a channel
	drained chan struct{}

	stop    chan struct{}
	done    sync.WaitGroup
	closeMu sync.Once
}

// NewProducer creates a producer from conf (Java client property names,
// plus confluent-kafka-go's go.* properties).
func NewProducer(conf *ConfigMap) (*Producer, error) {
	cc, err := conf.toC(nil)
	if err != nil {
		return nil, err
	}
	defer C.kfk_conf_destroy(cc)
	var buf [512]C.char
	kp := C.kfk_producer_new(cc, &buf[0], C.size_t(len(buf)))
	if kp == nil {
		return nil, newError(ErrInvalidArg, C.GoString(&buf[0]))
	}
	p := &Producer{p: kp,
		events:      make(chan Event, conf.intOr("go.events.channel.size", 1000000)),
		produceChan: make(chan *Message, conf.intOr("go.produce.channel.size", 1000000)),
		reports:     conf.boolOr("go.delivery.reports", true),
		table:       make(map[uint64]pending),
		topics:      make(map[string]*C.char),
		drained:     make(chan struct{}, 1),
		stop:        make(chan struct{}),
	}
	p.done.Add(2)
	go p.dispatch()
	go p.produceLoop()
	return p, nil
}

// String names the producer.
func (p *Producer) String() string { return fmt.Sprintf("kfk producer %p", p.p) }

// Events carries delivery reports of records produced without a delivery
// channel, and client errors.
func (p *Producer) Events() chan Event { return p.events }

// ProduceChannel takes messages to produce; their reports go to Events().
func (p *Producer) ProduceChannel() chan *Message { return p.produceChan }

// Len is the number of records produced whose report has not yet been
// handed over, plus what waits in Events() and ProduceChannel().
func (p *Producer) Len() int {
	return int(atomic.LoadInt64(&p.waiting)) + len(p.events) + len(p.produceChan)
}

// cTopic caches one C string per topic: a conversion per record would
// cost an allocation and a copy each time.
func (p *Producer) cTopic(topic string) *C.char {
	ct, ok := p.topics[topic]
	if !ok {
		ct = C.CString(topic)
		p.topics[topic] = ct
	}
	return ct
}

func bytesPtr(b []byte) (unsafe.Pointer, C.size_t, C.int) {
	if b == nil {
		return nil, 0, 1
	}
	if len(b) == 0 {
		return nil, 0, 0
	}
	return unsafe.Pointer(&b[0]), C.size_t(len(b)), 0
}

// Produce queues msg; its report goes to deliveryChan, or to Events()
// when deliveryChan is nil. kfk copies key and value before returning.
func (p *Producer) Produce(msg *Message, deliveryChan chan Event) error {
	if msg == nil || msg.TopicPartition.Topic == nil {
		return newError(ErrInvalidArg, "a message needs TopicPartition.Topic")
	}
	var ts int64
	if !msg.Timestamp.IsZero() {
		ts = msg.Timestamp.UnixMilli()
	}
	hdrs, nh := cHeaders(msg.Headers)
	defer freeHeaders(hdrs, nh)
	kp, kl, kn := bytesPtr(msg.Key)
	vp, vl, vn := bytesPtr(msg.Value)

	p.mu.Lock()
	p.nextID++
	id := p.nextID
	keep := p.reports || deliveryChan != nil
	if keep {
		p.table[id] = pending{msg, deliveryChan}
	}
	ct := p.cTopic(*msg.TopicPartition.Topic)
	atomic.AddInt64(&p.waiting, 1)
	p.mu.Unlock()

	e := C.kfkgo_produce(p.p, ct, C.int32_t(msg.TopicPartition.Partition),
		kp, kl, kn, vp, vl, vn, hdrs, C.size_t(nh), C.int64_t(ts), C.uint64_t(id))
	if e != 0 {
		p.mu.Lock()
		delete(p.table, id)
		p.mu.Unlock()
		p.settle(1)
		return newErrorFromC(e, nil)
	}
	return nil
}

// cHeaders copies headers into C memory: C may not hold Go pointers.
func cHeaders(hs []Header) (*C.kfk_header, int) {
	if len(hs) == 0 {
		return nil, 0
	}
	arr := (*[1 << 20]C.kfk_header)(C.malloc(C.size_t(len(hs)) *
		C.size_t(unsafe.Sizeof(C.kfk_header{}))))[:len(hs):len(hs)]
	for i, h := range hs {
		arr[i].key = C.CString(h.Key)
		arr[i].value = nil
		arr[i].value_len = 0
		if h.Value != nil {
			arr[i].value = C.CBytes(h.Value)
			arr[i].value_len = C.size_t(len(h.Value))
		}
	}
	return &arr[0], len(hs)
}

func freeHeaders(h *C.kfk_header, n int) {
	if h == nil {
		return
	}
	arr := (*[1 << 20]C.kfk_header)(unsafe.Pointer(h))[:n:n]
	for i := range arr {
		C.free(unsafe.Pointer(arr[i].key))
		C.free(arr[i].value)
	}
	C.free(unsafe.Pointer(h))
}

// settle counts n reports handed over, and wakes Flush when none wait.
func (p *Producer) settle(n int) {
	if atomic.AddInt64(&p.waiting, int64(-n)) == 0 {
		select {
		case p.drained <- struct{}{}:
		default:
		}
	}
}

// dispatch takes reports from kfk, many per cgo call, until Close.
func (p *Producer) dispatch() {
	defer p.done.Done()
	reps := (*[reportBatch]C.kfk_delivery)(C.malloc(C.size_t(reportBatch) *
		C.size_t(unsafe.Sizeof(C.kfk_delivery{}))))
	ids := (*[reportBatch]C.uint64_t)(C.malloc(C.size_t(reportBatch) * 8))
	defer C.free(unsafe.Pointer(reps))
	defer C.free(unsafe.Pointer(ids))
	got := make([]pending, reportBatch)
	for {
		select {
		case <-p.stop:
			return
		default:
		}
		n := int(C.kfkgo_poll_reports(p.p, &reps[0], reportBatch, 100, &ids[0]))
		if n <= 0 {
			continue
		}
		p.mu.Lock()
		for i := 0; i < n; i++ {
			id := uint64(ids[i])
			got[i] = p.table[id]
			delete(p.table, id)
		}
		p.mu.Unlock()
		for i := 0; i < n; i++ {
			p.deliver(got[i], &reps[i])
			got[i] = pending{}
		}
		p.settle(n)
	}
}

func (p *Producer) deliver(pd pending, d *C.kfk_delivery) {
	if pd.msg == nil {
		return
	}
	m := pd.msg
	m.TopicPartition.Partition = int32(d.partition)
	m.TopicPartition.Offset = Offset(d.offset)
	m.TopicPartition.Error = nil
	if d.err != 0 {
		m.TopicPartition.Error = newErrorFromC(d.err, nil)
	}
	if d.timestamp >= 0 {
		m.Timestamp = time.UnixMilli(int64(d.timestamp))
		m.TimestampType = TimestampCreateTime
	}
	ch := pd.ch
	if ch == nil {
		ch = p.events
	}
	select {
	case ch <- m:
	case <-p.stop:
	}
}

func (p *Producer) produceLoop() {
	defer p.done.Done()
	for {
		select {
		case m := <-p.produceChan:
			if err := p.Produce(m, nil); err != nil {
				m.TopicPartition.Error = err
				p.events <- m
			}
		case <-p.stop:
			return
		}
	}
}

// Flush sends every queued record now and waits up to timeoutMs until
// every report has been handed over. Returns the number still waiting.
func (p *Producer) Flush(timeoutMs int) int {
	deadline := time.Now().Add(time.Duration(timeoutMs) * time.Millisecond)
	C.kfk_producer_flush(p.p, C.int(timeoutMs))
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for p.Len() > 0 {
		left := time.Until(deadline)
		if left <= 0 {
			break
		}
		timer := time.NewTimer(left)
		select {
		case <-p.drained:
		case <-tick.C: // Events() and ProduceChannel() drain unsignalled
		case <-timer.C:
		}
		timer.Stop()
	}
	return p.Len()
}

// Purge fails queued (PurgeQueue) and in-flight (PurgeInFlight) records
// with ErrPurged reports.
func (p *Producer) Purge(flags int) error {
	C.kfk_producer_purge(p.p, C.int(flags&(PurgeQueue|PurgeInFlight)))
	return nil
}

// Close stops the report goroutine and destroys the producer: records
// without a report are dropped (Flush first). Events() is closed.
func (p *Producer) Close() {
	p.closeMu.Do(func() {
		close(p.stop)
		p.done.Wait()
		C.kfk_producer_destroy(p.p)
		p.p = nil
		for _, ct := range p.topics {
			C.free(unsafe.Pointer(ct))
		}
		close(p.events)
	})
}
