package kafka

// #include "kfkgo.h"
import "C"

import (
	"fmt"
	"strings"
	"unsafe"
)

// ConfigValue is a property's value: string, bool, int, int64, float64.
type ConfigValue interface{}

// ConfigMap holds properties with the Java client's (and librdkafka's)
// names, as confluent-kafka-go's does.
type ConfigMap map[string]ConfigValue

// SetKey sets one property.
func (m ConfigMap) SetKey(key string, value ConfigValue) error {
	m[key] = value
	return nil
}

// Set sets one property from "key=value".
func (m ConfigMap) Set(kv string) error {
	i := strings.IndexByte(kv, '=')
	if i < 1 {
		return newError(ErrInvalidArg, fmt.Sprintf("expected key=value, got %q", kv))
	}
	m[kv[:i]] = kv[i+1:]
	return nil
}

// Get returns key's value, or defval when it is not set.
func (m ConfigMap) Get(key string, defval ConfigValue) (ConfigValue, error) {
	if v, ok := m[key]; ok {
		return v, nil
	}
	return defval, nil
}

// goOnly are the properties the binding itself reads.
var goOnly = map[string]bool{
	"go.delivery.reports":             true,
	"go.delivery.report.fields":       true,
	"go.events.channel.enable":        true,
	"go.events.channel.size":          true,
	"go.produce.channel.size":         true,
	"go.logs.channel.enable":          true,
	"go.logs.channel":                 true,
	"go.application.rebalance.enable": true,
}

func valueString(v ConfigValue) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case bool:
		if x {
			return "true", nil
		}
		return "false", nil
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return fmt.Sprintf("%d", x), nil
	case float32, float64:
		return fmt.Sprintf("%g", x), nil
	case fmt.Stringer:
		return x.String(), nil
	}
	return "", fmt.Errorf("unsupported value type %T", v)
}

// toC builds a kfk_conf; unknown properties and bad values are errors
// with kfk's message ("did you mean ...").
func (m ConfigMap) toC(extra map[string]string) (*C.kfk_conf, error) {
	conf := C.kfk_conf_new()
	set := func(k, v string) error {
		ck, cv := C.CString(k), C.CString(v)
		defer C.free(unsafe.Pointer(ck))
		defer C.free(unsafe.Pointer(cv))
		var buf [512]C.char
		if e := C.kfk_conf_set(conf, ck, cv, &buf[0], C.size_t(len(buf))); e != 0 {
			return newError(ErrorCode(e), C.GoString(&buf[0]))
		}
		return nil
	}
	for k, v := range m {
		if goOnly[k] {
			continue
		}
		s, err := valueString(v)
		if err == nil {
			err = set(k, s)
		} else {
			err = newError(ErrInvalidArg, fmt.Sprintf("%s: %v", k, err))
		}
		if err != nil {
			C.kfk_conf_destroy(conf)
			return nil, err
		}
	}
	for k, v := range extra {
		if _, user := m[k]; user {
			continue
		}
		if err := set(k, v); err != nil {
			C.kfk_conf_destroy(conf)
			return nil, err
		}
	}
	return conf, nil
}

func (m ConfigMap) boolOr(key string, def bool) bool {
	v, ok := m[key]
	if !ok {
		return def
	}
	s, _ := valueString(v)
	return s == "true"
}

func (m ConfigMap) intOr(key string, def int) int {
	v, ok := m[key]
	if !ok {
		return def
	}
	var n int
	if s, err := valueString(v); err == nil {
		if _, err := fmt.Sscan(s, &n); err == nil {
			return n
		}
	}
	return def
}
