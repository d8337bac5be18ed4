// Package failure gives errors a kind (bad input, not found, unavailable, ...)
// so that the edges (the HTTP server, the CLI) can map every error to a status
// in one place, without string matching.
package failure

import (
	"errors"
	"fmt"
)

// Kind classifies an error by what the caller should do about it.
type Kind int

const (
	Internal      Kind = iota // a bug or an I/O failure; details are logged, not shown
	BadInput                  // the request is wrong; the message says how (400)
	NotFound                  // the thing asked for does not exist (404)
	Forbidden                 // wrong or missing credentials (403)
	TooLarge                  // the input exceeds a documented limit (413)
	Unprocessable             // well-formed but cannot be used, e.g. an unparsable record (422)
	Unavailable               // try again later: index building, data dir held by another process (503)
	Conflict                  // the state does not allow it (409)
)

// Error is an error with a kind and a message meant for a person.
type Error struct {
	Kind Kind
	// Param names the request parameter at fault, when there is one.
	Param string
	Msg   string
	Err   error // the cause, for logs; may be nil
}

func (e *Error) Error() string {
	if e.Err != nil && e.Msg == "" {
		return e.Err.Error()
	}
	return e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an error of kind k with a formatted message.
func New(k Kind, format string, args ...any) error {
	return &Error{Kind: k, Msg: fmt.Sprintf(format, args...)}
}

// Param returns a BadInput error about request parameter p.
func Param(p, format string, args ...any) error {
	return &Error{Kind: BadInput, Param: p, Msg: fmt.Sprintf(format, args...)}
}

// Wrap returns err with kind k and message msg.
func Wrap(k Kind, err error, msg string) error {
	return &Error{Kind: k, Msg: msg, Err: err}
}

// KindOf returns the kind of the first *Error in err's chain, or Internal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// Message returns the person-readable message of err's *Error, or "" when
// err carries none (an internal error: do not show its text).
func Message(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Error()
	}
	return ""
}
