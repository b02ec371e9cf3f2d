package kafka

// #include "kfkgo.h"
import "C"

// ErrorCode is a kfk_err: Kafka's protocol errors at their protocol
// numbers, kfk's own (negative) below. The names are confluent-kafka-go's;
// the negative values are kfk's, not librdkafka's.
type ErrorCode int

// String is the code's name, as kfk_err_name gives it.
func (c ErrorCode) String() string {
	return C.GoString(C.kfk_err_name(C.kfk_err(c)))
}

// Error is a kfk error; it is also an Event (client-level errors reach
// Events() and Poll as Errors).
type Error struct {
	code      ErrorCode
	str       string
	fatal     bool
	retriable bool
	abortTxn  bool
}

func newError(code ErrorCode, msg string) Error {
	if msg == "" {
		msg = C.GoString(C.kfk_err_str(C.kfk_err(code)))
	}
	return Error{code: code, str: msg,
		retriable: C.kfk_err_is_retriable(C.kfk_err(code)) != 0}
}

// newErrorFromK copies a kfk_error (fatal and abort flags included).
func newErrorFromK(k *C.kfk_error) Error {
	e := newErrorFromC(C.kfk_error_code(k), C.kfk_error_string(k))
	e.fatal = C.kfk_error_is_fatal(k) != 0
	e.retriable = C.kfk_error_is_retriable(k) != 0
	e.abortTxn = C.kfk_error_txn_requires_abort(k) != 0
	return e
}

func newErrorFromC(code C.kfk_err, msg *C.char) Error {
	s := ""
	if msg != nil {
		s = C.GoString(msg)
	}
	return newError(ErrorCode(code), s)
}

// Error is the message.
func (e Error) Error() string { return e.str }

// String is the message.
func (e Error) String() string { return e.str }

// Code is the error's code.
func (e Error) Code() ErrorCode { return e.code }

// IsFatal: the client cannot go on (an idempotence violation, a fence).
func (e Error) IsFatal() bool { return e.fatal }

// IsRetriable: the operation may succeed when retried.
func (e Error) IsRetriable() bool { return e.retriable }

// IsTimeout: the operation timed out.
func (e Error) IsTimeout() bool {
	return e.code == ErrTimedOut || e.code == ErrRequestTimedOut ||
		e.code == ErrMsgTimedOut
}

// TxnRequiresAbort: the transaction must be aborted.
func (e Error) TxnRequiresAbort() bool { return e.abortTxn }
