package applink

import "time"

// StoreOption configures [OpenFileTokenStore].
type StoreOption func(*storeOptions)

// storeOptions is what StoreOption sets.
type storeOptions struct {
	now func() time.Time
	// afterTempWrite is a test hook of the file store, called with the
	// temporary file's path after it is written and synced, before it
	// replaces the token file.
	afterTempWrite func(tmpPath string)
	// maxFileSize is the file store's size limit; tests lower it.
	maxFileSize int64
}

// WithStoreClock sets the clock a token store uses to decide whether a token
// has expired. The default (and what nil means) is [time.Now].
func WithStoreClock(now func() time.Time) StoreOption {
	return func(o *storeOptions) { o.now = now }
}

// withAfterTempWrite sets the file store's test hook run between writing the
// temporary file and renaming it over the token file.
func withAfterTempWrite(f func(tmpPath string)) StoreOption {
	return func(o *storeOptions) { o.afterTempWrite = f }
}

// withMaxFileSize lowers the file store's size limit (MaxTokenFileSize) so
// that tests reach it quickly.
func withMaxFileSize(n int64) StoreOption {
	return func(o *storeOptions) { o.maxFileSize = n }
}

func newStoreOptions(opts []StoreOption) storeOptions {
	o := storeOptions{maxFileSize: MaxTokenFileSize}
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
