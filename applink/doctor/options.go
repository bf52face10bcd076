package doctor

import "time"

// defaultProbeTimeout bounds each request and connection a check makes,
// unless [WithProbeTimeout] says otherwise.
const defaultProbeTimeout = 10 * time.Second

// Option configures [Diagnose].
type Option func(*options)

type options struct {
	probeTimeout time.Duration
}

// WithProbeTimeout bounds each request and connection a check makes (DNS,
// TCP, every HTTP request) by d instead of 10 seconds: longer for a slow
// remote or a loaded machine, shorter to give up sooner. A d of zero or
// less keeps the default. The context given to Diagnose still bounds the
// whole run.
func WithProbeTimeout(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.probeTimeout = d
		}
	}
}

// config applies opts over the defaults.
func config(opts []Option) options {
	o := options{probeTimeout: defaultProbeTimeout}
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	return o
}
