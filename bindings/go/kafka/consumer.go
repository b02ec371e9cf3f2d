package kafka

// #include "kfkgo.h"
import "C"

import (
	"fmt"
	"runtime/cgo"
	"time"
	"unsafe"
)

// msgBatch is how many messages one cgo call moves.
const msgBatch = 512

// RebalanceCb is told of AssignedPartitions and RevokedPartitions inside
// Poll / ReadMessage, on the calling goroutine.
type RebalanceCb func(*Consumer, Event) error

// Consumer is a kfk consumer. Messages reach Go in batches: one cgo call
// takes up to msgBatch of them, Poll hands them out one by one. Offsets
// are stored (for commits) only for messages handed to the application.
type Consumer struct {
	c      *C.kfk_consumer
	handle cgo.Handle
	batch  *[msgBatch]C.kfkgo_msg
	n      int // messages in batch
	next   int // the next to hand out
	stored int // [0, stored) have had their offsets stored
	skip   []bool
	store  bool // store offsets of handed messages (enable.auto.offset.store)

	appEvents   bool
	rebalanceCb RebalanceCb
	inRebalance bool
	queued      []Event
	handed      map[tpKey]Offset // next offset per partition, for Commit
	closed      bool
}

type tpKey struct {
	topic     string
	partition int32
}

// NewConsumer creates a consumer from conf (group.id, bootstrap.servers,
// auto.offset.reset, ...).
func NewConsumer(conf *ConfigMap) (*Consumer, error) {
	// kfk would store the offset of every message its poll returns; the
	// binding takes a batch ahead of the application, so it stores each
	// message's offset itself when the application receives it.
	store := conf.boolOr("enable.auto.offset.store", true)
	cc, err := conf.toC(map[string]string{"enable.auto.offset.store": "false"})
	if err != nil {
		return nil, err
	}
	defer C.kfk_conf_destroy(cc)
	var buf [512]C.char
	kc := C.kfk_consumer_new(cc, &buf[0], C.size_t(len(buf)))
	if kc == nil {
		return nil, newError(ErrInvalidArg, C.GoString(&buf[0]))
	}
	c := &Consumer{c: kc, store: store,
		appEvents: conf.boolOr("go.application.rebalance.enable", false),
		batch: (*[msgBatch]C.kfkgo_msg)(C.calloc(msgBatch,
			C.size_t(unsafe.Sizeof(C.kfkgo_msg{})))),
		skip:   make([]bool, msgBatch),
		handed: make(map[tpKey]Offset)}
	c.handle = cgo.NewHandle(c)
	return c, nil
}

// String names the consumer.
func (c *Consumer) String() string { return fmt.Sprintf("kfk consumer %p", c.c) }

// Subscribe joins the group subscribed to one topic (or a regex: "^...").
func (c *Consumer) Subscribe(topic string, cb RebalanceCb) error {
	return c.SubscribeTopics([]string{topic}, cb)
}

// SubscribeTopics joins the group subscribed to topics.
func (c *Consumer) SubscribeTopics(topics []string, cb RebalanceCb) error {
	ct := make([]*C.char, len(topics))
	for i, t := range topics {
		ct[i] = C.CString(t)
	}
	arr := (*[1 << 16]*C.char)(C.malloc(C.size_t(len(topics)+1) *
		C.size_t(unsafe.Sizeof(ct[0]))))
	copy(arr[:len(topics)], ct)
	c.rebalanceCb = cb
	e := C.kfkgo_subscribe(c.c, &arr[0], C.int(len(topics)), C.uintptr_t(c.handle))
	for _, s := range ct {
		C.free(unsafe.Pointer(s))
	}
	C.free(unsafe.Pointer(arr))
	return errOf(e)
}

func errOf(e C.kfk_err) error {
	if e != 0 {
		return newErrorFromC(e, nil)
	}
	return nil
}

// Unsubscribe leaves the group.
func (c *Consumer) Unsubscribe() error {
	c.releaseBatch()
	return errOf(C.kfk_consumer_unsubscribe(c.c))
}

//export kfkgoRebalance
func kfkgoRebalance(h C.uintptr_t, typ C.int, parts *C.kfk_tplist) {
	c := cgo.Handle(h).Value().(*Consumer)
	tps := tplistToGo(parts)
	var ev Event = AssignedPartitions{tps}
	if typ != C.KFK_REBALANCE_ASSIGNED {
		ev = RevokedPartitions{tps}
		for _, p := range tps {
			delete(c.handed, tpKey{*p.Topic, p.Partition})
		}
	}
	switch {
	case c.rebalanceCb != nil:
		// kfk applies the assignment itself; an Assign / Unassign the
		// callback makes (as confluent-kafka-go programs do) is accepted
		// and changes nothing.
		c.inRebalance = true
		_ = c.rebalanceCb(c, ev)
		c.inRebalance = false
	case c.appEvents:
		c.queued = append(c.queued, ev)
	}
}

// Poll returns the next message, or another event, waiting up to
// timeoutMs (-1: forever); nil when nothing came.
func (c *Consumer) Poll(timeoutMs int) Event {
	if ev := c.nextEvent(); ev != nil {
		return ev
	}
	c.releaseBatch()
	n := int(C.kfkgo_poll_batch(c.c, &c.batch[0], msgBatch, C.int(timeoutMs)))
	c.n, c.next, c.stored = n, 0, 0
	for i := 0; i < n; i++ {
		c.skip[i] = false
	}
	return c.nextEvent()
}

// nextEvent hands out the next queued event or buffered message.
func (c *Consumer) nextEvent() Event {
	if len(c.queued) > 0 {
		ev := c.queued[0]
		c.queued = c.queued[1:]
		return ev
	}
	for c.next < c.n {
		i := c.next
		c.next++
		if c.skip[i] {
			continue
		}
		return c.convert(&c.batch[i])
	}
	return nil
}

// convert copies one kfk message into Go memory.
func (c *Consumer) convert(g *C.kfkgo_msg) Event {
	topic := C.GoString(g.topic)
	tp := TopicPartition{Topic: &topic, Partition: int32(g.partition),
		Offset: Offset(g.offset)}
	if g.err != 0 {
		if ErrorCode(g.err) == ErrPartitionEOF {
			return PartitionEOF(tp)
		}
		return newErrorFromC(C.kfk_err(g.err), g.errstr)
	}
	m := &Message{TopicPartition: tp, TimestampType: TimestampType(g.tstype)}
	if g.key_null == 0 {
		m.Key = C.GoBytes(g.key, C.int(g.key_len))
	}
	if g.value_null == 0 {
		m.Value = C.GoBytes(g.value, C.int(g.value_len))
	}
	if g.tstype != 0 {
		m.Timestamp = time.UnixMilli(int64(g.timestamp))
	}
	if g.header_cnt > 0 {
		m.Headers = headersOf(g.m, int(g.header_cnt))
	}
	c.handed[tpKey{topic, tp.Partition}] = tp.Offset + 1
	return m
}

func headersOf(m *C.kfk_message, n int) []Header {
	hs := make([]Header, 0, n)
	for i := 0; i < n; i++ {
		var k *C.char
		var kl, vl C.size_t
		var v unsafe.Pointer
		if C.kfk_message_header(m, C.size_t(i), &k, &kl, &v, &vl) != 0 {
			break
		}
		h := Header{Key: C.GoStringN(k, C.int(kl))}
		if v != nil {
			h.Value = C.GoBytes(v, C.int(vl))
		}
		hs = append(hs, h)
	}
	return hs
}

// storeHanded stores the offsets of the messages handed out so far.
func (c *Consumer) storeHanded() {
	if c.store && c.next > c.stored {
		C.kfkgo_store(c.c, &c.batch[0], C.int(c.stored), C.int(c.next))
	}
	if c.next > c.stored {
		c.stored = c.next
	}
}

// releaseBatch gives the batch's messages back to kfk.
func (c *Consumer) releaseBatch() {
	if c.n == 0 {
		return
	}
	c.storeHanded()
	C.kfkgo_release(c.c, &c.batch[0], 0, C.int(c.n), 0)
	c.n, c.next, c.stored = 0, 0, 0
}

// ReadMessage returns the next message, waiting up to timeout (negative:
// forever). A timeout is an Error with code ErrTimedOut.
func (c *Consumer) ReadMessage(timeout time.Duration) (*Message, error) {
	var deadline time.Time
	if timeout >= 0 {
		deadline = time.Now().Add(timeout)
	}
	for {
		ms := -1
		if timeout >= 0 {
			ms = int(time.Until(deadline) / time.Millisecond)
			if ms < 0 {
				return nil, newError(ErrTimedOut, "")
			}
		}
		switch ev := c.Poll(ms).(type) {
		case *Message:
			return ev, nil
		case Error:
			return nil, ev
		case nil:
			if timeout >= 0 && !time.Now().Before(deadline) {
				return nil, newError(ErrTimedOut, "")
			}
		}
	}
}

// Commit commits the offsets of the messages handed out (synchronously)
// and returns them.
func (c *Consumer) Commit() ([]TopicPartition, error) {
	c.storeHanded()
	parts := make([]TopicPartition, 0, len(c.handed))
	for k, off := range c.handed {
		topic := k.topic
		parts = append(parts, TopicPartition{Topic: &topic, Partition: k.partition, Offset: off})
	}
	if len(parts) == 0 {
		return nil, newError(ErrNoent, "no offset to commit: no message handed out yet")
	}
	return c.CommitOffsets(parts)
}

// CommitMessage commits the offset after m.
func (c *Consumer) CommitMessage(m *Message) ([]TopicPartition, error) {
	tp := m.TopicPartition
	tp.Offset++
	tp.Error = nil
	return c.CommitOffsets([]TopicPartition{tp})
}

// CommitOffsets commits offsets (each the next offset to read).
func (c *Consumer) CommitOffsets(offsets []TopicPartition) ([]TopicPartition, error) {
	l := tplistToC(offsets)
	defer C.kfk_tplist_destroy(l)
	e := C.kfk_consumer_commit(c.c, l, -1)
	return tplistToGo(l), errOf(e)
}

// StoreOffsets stores offsets for the next commit.
func (c *Consumer) StoreOffsets(offsets []TopicPartition) ([]TopicPartition, error) {
	l := tplistToC(offsets)
	defer C.kfk_tplist_destroy(l)
	e := C.kfk_consumer_store_offsets(c.c, l)
	return tplistToGo(l), errOf(e)
}

// StoreMessage stores the offset after m.
func (c *Consumer) StoreMessage(m *Message) ([]TopicPartition, error) {
	tp := m.TopicPartition
	tp.Offset++
	return c.StoreOffsets([]TopicPartition{tp})
}

func (c *Consumer) withList(parts []TopicPartition, f func(*C.kfk_tplist) C.kfk_err) ([]TopicPartition, error) {
	l := tplistToC(parts)
	defer C.kfk_tplist_destroy(l)
	e := f(l)
	return tplistToGo(l), errOf(e)
}

// Assign replaces the assignment (inside a rebalance callback kfk has
// applied the group's assignment already, and this changes nothing).
func (c *Consumer) Assign(parts []TopicPartition) error {
	if c.inRebalance {
		return nil
	}
	c.releaseBatch()
	_, err := c.withList(parts, func(l *C.kfk_tplist) C.kfk_err { return C.kfk_consumer_assign(c.c, l) })
	return err
}

// Unassign empties the assignment.
func (c *Consumer) Unassign() error {
	if c.inRebalance {
		return nil
	}
	c.releaseBatch()
	return errOf(C.kfk_consumer_unassign(c.c))
}

// IncrementalAssign adds partitions.
func (c *Consumer) IncrementalAssign(parts []TopicPartition) error {
	if c.inRebalance {
		return nil
	}
	_, err := c.withList(parts, func(l *C.kfk_tplist) C.kfk_err { return C.kfk_consumer_incremental_assign(c.c, l) })
	return err
}

// IncrementalUnassign removes partitions.
func (c *Consumer) IncrementalUnassign(parts []TopicPartition) error {
	if c.inRebalance {
		return nil
	}
	c.skipBuffered(parts)
	_, err := c.withList(parts, func(l *C.kfk_tplist) C.kfk_err { return C.kfk_consumer_incremental_unassign(c.c, l) })
	return err
}

// Assignment is the current assignment.
func (c *Consumer) Assignment() ([]TopicPartition, error) {
	var l *C.kfk_tplist
	if e := C.kfk_consumer_assignment(c.c, &l); e != 0 {
		return nil, errOf(e)
	}
	defer C.kfk_tplist_destroy(l)
	return tplistToGo(l), nil
}

// skipBuffered drops buffered messages of parts (after a seek or pause,
// the application must not see what was fetched before).
func (c *Consumer) skipBuffered(parts []TopicPartition) {
	for i := c.next; i < c.n; i++ {
		g := &c.batch[i]
		for _, p := range parts {
			if p.Topic != nil && int32(g.partition) == p.Partition &&
				C.GoString(g.topic) == *p.Topic {
				c.skip[i] = true
			}
		}
	}
}

// Seek moves an assigned partition's position.
func (c *Consumer) Seek(p TopicPartition, ignoredTimeoutMs int) error {
	if p.Topic == nil {
		return newError(ErrInvalidArg, "Seek needs a topic")
	}
	c.skipBuffered([]TopicPartition{p})
	ct := C.CString(*p.Topic)
	defer C.free(unsafe.Pointer(ct))
	return errOf(C.kfk_consumer_seek(c.c, ct, C.int32_t(p.Partition), C.int64_t(p.Offset)))
}

// SeekPartitions seeks each partition; per-partition errors in the result.
func (c *Consumer) SeekPartitions(parts []TopicPartition) ([]TopicPartition, error) {
	out := make([]TopicPartition, len(parts))
	for i, p := range parts {
		out[i] = p
		out[i].Error = c.Seek(p, 0)
	}
	return out, nil
}

// Pause stops fetching parts; what was buffered for them is dropped and
// fetched again after Resume.
func (c *Consumer) Pause(parts []TopicPartition) error {
	pos, err := c.Position(parts)
	if err != nil {
		return err
	}
	_, err = c.withList(parts, func(l *C.kfk_tplist) C.kfk_err { return C.kfk_consumer_pause(c.c, l) })
	if err == nil {
		c.rewind(pos)
	}
	return err
}

// rewind seeks partitions with messages still buffered back to the first
// of them, and drops them.
func (c *Consumer) rewind(pos []TopicPartition) {
	for _, p := range pos {
		if p.Error == nil && p.Offset >= 0 {
			c.Seek(p, 0)
		}
	}
}

// Resume restarts fetching parts.
func (c *Consumer) Resume(parts []TopicPartition) error {
	_, err := c.withList(parts, func(l *C.kfk_tplist) C.kfk_err { return C.kfk_consumer_resume(c.c, l) })
	return err
}

// Committed returns the group's committed offsets of parts.
func (c *Consumer) Committed(parts []TopicPartition, timeoutMs int) ([]TopicPartition, error) {
	return c.withList(parts, func(l *C.kfk_tplist) C.kfk_err { return C.kfk_consumer_committed(c.c, l, C.int(timeoutMs)) })
}

// Position returns the offset of the next message the application gets
// for each of parts.
func (c *Consumer) Position(parts []TopicPartition) ([]TopicPartition, error) {
	pos, err := c.withList(parts, func(l *C.kfk_tplist) C.kfk_err { return C.kfk_consumer_position(c.c, l) })
	// kfk's position is past the whole batch the binding took; the
	// application's is at the first message it has not been handed.
	for i := range pos {
		for j := c.next; j < c.n; j++ {
			g := &c.batch[j]
			if !c.skip[j] && g.err == 0 && int32(g.partition) == pos[i].Partition &&
				C.GoString(g.topic) == *pos[i].Topic {
				pos[i].Offset = Offset(g.offset)
				break
			}
		}
	}
	return pos, err
}

// GetWatermarkOffsets returns the low and high watermarks as of the last
// fetch of an assigned partition.
func (c *Consumer) GetWatermarkOffsets(topic string, partition int32) (low, high int64, err error) {
	ct := C.CString(topic)
	defer C.free(unsafe.Pointer(ct))
	var l, h C.int64_t
	e := C.kfk_consumer_get_watermarks(c.c, ct, C.int32_t(partition), &l, &h)
	return int64(l), int64(h), errOf(e)
}

// QueryWatermarkOffsets asks the partition's leader for its watermarks.
func (c *Consumer) QueryWatermarkOffsets(topic string, partition int32, timeoutMs int) (low, high int64, err error) {
	ct := C.CString(topic)
	defer C.free(unsafe.Pointer(ct))
	var l, h C.int64_t
	e := C.kfk_consumer_query_watermarks(c.c, ct, C.int32_t(partition), &l, &h, C.int(timeoutMs))
	return int64(l), int64(h), errOf(e)
}

// OffsetsForTimes looks up, per partition, the first offset whose
// timestamp is at or after the entry's Offset (a time in ms).
func (c *Consumer) OffsetsForTimes(times []TopicPartition, timeoutMs int) ([]TopicPartition, error) {
	return c.withList(times, func(l *C.kfk_tplist) C.kfk_err { return C.kfk_consumer_offsets_for_times(c.c, l, C.int(timeoutMs)) })
}

// IsClosed: Close was called.
func (c *Consumer) IsClosed() bool { return c.closed }

// Close leaves the group (committing with enable.auto.commit, only what
// the application was handed) and frees the consumer.
func (c *Consumer) Close() error {
	if c.closed {
		return newError(ErrState, "consumer already closed")
	}
	c.releaseBatch()
	e := C.kfk_consumer_close(c.c)
	C.kfk_consumer_destroy(c.c)
	C.free(unsafe.Pointer(c.batch))
	c.handle.Delete()
	c.closed = true
	return errOf(e)
}
