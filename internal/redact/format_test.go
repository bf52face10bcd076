package redact

import (
	"fmt"
	"testing"
)

type formatted struct{ secret string }

func (v formatted) Format(f fmt.State, verb rune) { Format(f, verb, "Desc(x)", "&Desc{x}") }

func TestFormat(t *testing.T) {
	t.Parallel()
	v := formatted{secret: "SECRET"}
	tests := []struct {
		format string
		want   string
	}{
		{"%v", "Desc(x)"},
		{"%+v", "Desc(x)"},
		{"%#v", "&Desc{x}"},
		{"%s", "Desc(x)"},
		{"%q", `"Desc(x)"`},
		{"%d", "Desc(x)"},
		{"%x", "Desc(x)"},
		{"%X", "Desc(x)"},
		{"%t", "Desc(x)"},
		{"%e", "Desc(x)"},
		{"%o", "Desc(x)"},
		{"%.2s", "Desc(x)"},
		{"%10v", "   Desc(x)"},
		{"%-8s|", "Desc(x) |"},
		{"%12q", `   "Desc(x)"`},
		{"%-10d|", "Desc(x)   |"},
		{"%3v", "Desc(x)"},
		{"%012v", "     Desc(x)"},
		{"%*v", "   Desc(x)"},
		{"%#12v", "    &Desc{x}"},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			t.Parallel()
			var got string
			if tt.format == "%*v" {
				got = fmt.Sprintf(tt.format, 10, v)
			} else {
				got = fmt.Sprintf(tt.format, v)
			}
			if got != tt.want {
				t.Errorf("Sprintf(%q) = %q, want %q", tt.format, got, tt.want)
			}
		})
	}
	// As a field and in a slice, the value still prints redacted.
	if got, want := fmt.Sprintf("%d", []formatted{v}), "[Desc(x)]"; got != want {
		t.Errorf("slice = %q, want %q", got, want)
	}
	if got, want := fmt.Sprintf("%x", struct{ F formatted }{v}), "{Desc(x)}"; got != want {
		t.Errorf("struct = %q, want %q", got, want)
	}
}
