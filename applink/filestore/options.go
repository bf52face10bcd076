package filestore

import "time"

// Option configures [Open].
type Option func(*options)

// options is what Option sets.
type options struct {
	now func() time.Time
	// afterTempWrite is a test hook of the file store, called with the
	// temporary file's path after it is written and synced, before it
	// replaces the token file.
	afterTempWrite func(tmpPath string)
	// maxFileSize is the file store's size limit; tests lower it.
	maxFileSize int64
}

// WithClock sets the clock a token store uses to decide whether a token
// has expired. The default (and what nil means) is [time.Now].
func WithClock(now func() time.Time) Option {
	return func(o *options) { o.now = now }
}

// withAfterTempWrite sets the file store's test hook run between writing the
// temporary file and renaming it over the token file.
func withAfterTempWrite(f func(tmpPath string)) Option {
	return func(o *options) { o.afterTempWrite = f }
}

// withMaxFileSize lowers the file store's size limit (MaxFileSize) so
// that tests reach it quickly.
func withMaxFileSize(n int64) Option {
	return func(o *options) { o.maxFileSize = n }
}

func newOptions(opts []Option) options {
	o := options{maxFileSize: MaxFileSize}
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	if o.now == nil {
		o.now = time.Now
	}
	return o
}
