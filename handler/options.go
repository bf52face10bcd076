package handler

import "slices"

// DefaultMaxBytes is how much of a body the built-in handlers read unless
// [MaxBytes] says otherwise: 10 MiB.
const DefaultMaxBytes = 10 << 20

// Option configures a built-in handler. Options that do not apply to a
// handler are ignored by it (Strict only affects [JSON]).
type Option func(*options)

type options struct {
	maxBytes   int64 // <= 0: no limit
	strict     bool
	allowEmpty bool
	accept     statusSet
}

func newOptions(opts []Option) options {
	o := options{maxBytes: DefaultMaxBytes}
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	return o
}

// MaxBytes caps how much of the body a handler reads (default
// [DefaultMaxBytes]); a longer body is a [*TooLargeError]. n <= 0 removes the
// cap: sensible only with [CopyTo] to a destination that can take anything.
func MaxBytes(n int64) Option {
	return func(o *options) { o.maxBytes = n }
}

// Strict makes [JSON] reject objects with fields that T does not have
// (json.Decoder.DisallowUnknownFields).
func Strict() Option {
	return func(o *options) { o.strict = true }
}

// AllowEmpty makes [JSON] and [XML] return the zero T for an empty body (a
// 204 No Content, say) instead of an error.
func AllowEmpty() Option {
	return func(o *options) { o.allowEmpty = true }
}

// statusSet is which statuses a handler accepts: all, exactly codes, or (the
// zero value) any 2xx.
type statusSet struct {
	all   bool
	codes []int
}

func (s statusSet) accepts(code int) bool {
	switch {
	case s.all:
		return true
	case len(s.codes) == 0:
		return is2xx(code)
	}
	return slices.Contains(s.codes, code)
}
