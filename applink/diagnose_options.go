package applink

import "time"

// defaultProbeTimeout bounds each request and connection a check makes,
// unless [WithProbeTimeout] says otherwise.
const defaultProbeTimeout = 10 * time.Second

// DiagnoseOption configures [Diagnose].
type DiagnoseOption func(*diagnoseOptions)

type diagnoseOptions struct {
	probeTimeout time.Duration
}

// WithProbeTimeout bounds each request and connection a check makes (DNS,
// TCP, every HTTP request) by d instead of 10 seconds: longer for a slow
// remote or a loaded machine, shorter to give up sooner. A d of zero or
// less keeps the default. The context given to Diagnose still bounds the
// whole run.
func WithProbeTimeout(d time.Duration) DiagnoseOption {
	return func(o *diagnoseOptions) {
		if d > 0 {
			o.probeTimeout = d
		}
	}
}

// diagnoseConfig applies opts over the defaults.
func diagnoseConfig(opts []DiagnoseOption) diagnoseOptions {
	o := diagnoseOptions{probeTimeout: defaultProbeTimeout}
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	return o
}
