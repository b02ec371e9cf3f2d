package kafka

// #include "kfkgo.h"
import "C"

import (
	"context"
	"fmt"
	"time"
	"unsafe"
)

// AdminClient is a kfk admin client. Each call submits one kfk admin
// operation and waits for its result, in slices so that ctx's deadline or
// cancellation ends the wait.
type AdminClient struct {
	a *C.kfk_admin
}

// NewAdminClient creates an admin client from conf.
func NewAdminClient(conf *ConfigMap) (*AdminClient, error) {
	cc, err := conf.toC(nil)
	if err != nil {
		return nil, err
	}
	defer C.kfk_conf_destroy(cc)
	var buf [512]C.char
	a := C.kfk_admin_new(cc, &buf[0], C.size_t(len(buf)))
	if a == nil {
		return nil, newError(ErrInvalidArg, C.GoString(&buf[0]))
	}
	return &AdminClient{a: a}, nil
}

// String names the client.
func (a *AdminClient) String() string { return fmt.Sprintf("kfk admin %p", a.a) }

// Close frees the client.
func (a *AdminClient) Close() {
	if a.a != nil {
		C.kfk_admin_destroy(a.a)
		a.a = nil
	}
}

// adminOpts are the options of one request.
type adminOpts struct {
	timeout      time.Duration
	validateOnly bool
}

// AdminOption is an option of admin requests (confluent-kafka-go has one
// interface per request; these aliases keep its names).
type AdminOption interface{ applyAdmin(*adminOpts) }

// The per-request option interfaces of confluent-kafka-go.
type (
	CreateTopicsAdminOption             = AdminOption
	DeleteTopicsAdminOption             = AdminOption
	DescribeConsumerGroupsAdminOption   = AdminOption
	ListConsumerGroupOffsetsAdminOption = AdminOption
)

// AdminOptionOperationTimeout bounds the operation on the brokers.
type AdminOptionOperationTimeout struct{ d time.Duration }

func (o AdminOptionOperationTimeout) applyAdmin(x *adminOpts) { x.timeout = o.d }

// SetAdminOperationTimeout sets how long the operation may take.
func SetAdminOperationTimeout(d time.Duration) AdminOptionOperationTimeout {
	return AdminOptionOperationTimeout{d}
}

// AdminOptionRequestTimeout bounds the whole request.
type AdminOptionRequestTimeout struct{ d time.Duration }

func (o AdminOptionRequestTimeout) applyAdmin(x *adminOpts) { x.timeout = o.d }

// SetAdminRequestTimeout sets how long the request may take.
func SetAdminRequestTimeout(d time.Duration) AdminOptionRequestTimeout {
	return AdminOptionRequestTimeout{d}
}

// AdminOptionValidateOnly asks the broker to check without changing.
type AdminOptionValidateOnly struct{ v bool }

func (o AdminOptionValidateOnly) applyAdmin(x *adminOpts) { x.validateOnly = o.v }

// SetAdminValidateOnly makes create requests only validate.
func SetAdminValidateOnly(v bool) AdminOptionValidateOnly { return AdminOptionValidateOnly{v} }

func optionsOf(ctx context.Context, opts []AdminOption) C.kfk_admin_options {
	var o adminOpts
	for _, op := range opts {
		op.applyAdmin(&o)
	}
	if dl, ok := ctx.Deadline(); ok && (o.timeout == 0 || time.Until(dl) < o.timeout) {
		o.timeout = time.Until(dl)
	}
	var c C.kfk_admin_options
	c.size = C.size_t(unsafe.Sizeof(c))
	if o.timeout > 0 {
		c.timeout_ms = C.int32_t(o.timeout / time.Millisecond)
	}
	c.validate_only = C.bool(o.validateOnly)
	return c
}

// wait returns operation id's result (submitted with e), or ctx's error.
func (a *AdminClient) wait(ctx context.Context, e C.kfk_err, id C.uint64_t) (*C.kfk_admin_result, error) {
	if e != 0 {
		return nil, newErrorFromC(e, nil)
	}
	for {
		if r := C.kfk_admin_wait(a.a, id, 100); r != nil {
			return r, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		default:
		}
	}
}

// cStrings copies names into C memory (freed by the returned func).
func cStrings(names []string) (**C.char, func()) {
	if len(names) == 0 {
		return nil, func() {}
	}
	arr := (*[1 << 20]*C.char)(C.malloc(C.size_t(len(names)) * C.size_t(unsafe.Sizeof((*C.char)(nil)))))
	for i, n := range names {
		arr[i] = C.CString(n)
	}
	return &arr[0], func() {
		for i := range names {
			C.free(unsafe.Pointer(arr[i]))
		}
		C.free(unsafe.Pointer(arr))
	}
}

// TopicSpecification is a topic to create.
type TopicSpecification struct {
	Topic             string
	NumPartitions     int
	ReplicationFactor int
	ReplicaAssignment [][]int32
	Config            map[string]string
}

// TopicResult is one topic's outcome (Error.Code() is ErrNoError when it
// succeeded).
type TopicResult struct {
	Topic string
	Error Error
}

func (t TopicResult) String() string {
	if t.Error.Code() == ErrNoError {
		return t.Topic
	}
	return fmt.Sprintf("%s (%s, %s)", t.Topic, t.Error.Code(), t.Error)
}

func topicResults(r *C.kfk_admin_result) []TopicResult {
	n := int(C.kfk_admin_result_topic_count(r))
	out := make([]TopicResult, n)
	for i := 0; i < n; i++ {
		t := C.kfk_admin_result_topic(r, C.int(i))
		out[i] = TopicResult{Topic: C.GoString(C.kfk_admin_topic_name(t)),
			Error: newError(ErrorCode(C.kfk_admin_topic_err(t)), C.GoString(C.kfk_admin_topic_errstr(t)))}
	}
	return out
}

// CreateTopics creates topics; each one's outcome is in its TopicResult.
func (a *AdminClient) CreateTopics(ctx context.Context, topics []TopicSpecification, opts ...CreateTopicsAdminOption) ([]TopicResult, error) {
	specs := (*[1 << 16]C.kfk_new_topic)(C.calloc(C.size_t(len(topics)+1), C.size_t(unsafe.Sizeof(C.kfk_new_topic{}))))
	defer C.free(unsafe.Pointer(specs))
	var frees []func()
	defer func() {
		for _, f := range frees {
			f()
		}
	}()
	for i, t := range topics {
		if len(t.ReplicaAssignment) > 0 {
			return nil, newError(ErrNotImplemented, "ReplicaAssignment is not supported yet")
		}
		var kv []string
		for k, v := range t.Config {
			kv = append(kv, k, v)
		}
		name, f1 := cStrings([]string{t.Topic})
		cfg, f2 := cStrings(kv)
		frees = append(frees, f1, f2)
		s := &specs[i]
		s.size = C.size_t(unsafe.Sizeof(*s))
		s.name = *name
		s.partitions = C.int32_t(t.NumPartitions)
		s.replication_factor = C.int16_t(t.ReplicationFactor)
		if t.NumPartitions == 0 {
			s.partitions = -1
		}
		if t.ReplicationFactor == 0 {
			s.replication_factor = -1
		}
		s.configs = cfg
		s.config_cnt = C.int32_t(len(kv) / 2)
	}
	o := optionsOf(ctx, opts)
	var id C.uint64_t
	e := C.kfk_admin_create_topics(a.a, &specs[0], C.int(len(topics)), &o, &id)
	r, err := a.wait(ctx, e, id)
	if err != nil {
		return nil, err
	}
	defer C.kfk_admin_result_destroy(r)
	return topicResults(r), nil
}

// DeleteTopics deletes topics; each one's outcome is in its TopicResult.
func (a *AdminClient) DeleteTopics(ctx context.Context, topics []string, opts ...DeleteTopicsAdminOption) ([]TopicResult, error) {
	names, free := cStrings(topics)
	defer free()
	o := optionsOf(ctx, opts)
	var id C.uint64_t
	e := C.kfk_admin_delete_topics(a.a, names, C.int(len(topics)), &o, &id)
	r, err := a.wait(ctx, e, id)
	if err != nil {
		return nil, err
	}
	defer C.kfk_admin_result_destroy(r)
	return topicResults(r), nil
}
