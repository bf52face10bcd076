package applink

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestValidatePort(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		rpc     string
		display string
		want    []string // fields refused; nil when valid
	}{
		{"explicit port", "https://jira.example.com:8443/jira", "", nil},
		{"highest port", "http://h:65535", "http://h:1", nil},
		{"IPv6 with port", "http://[::1]:8080", "", nil},
		{"port above 65535", "http://h:99999", "", []string{"rpcUrl"}},
		{"port not a number", "http://h:abc", "", []string{"rpcUrl"}},
		{"port zero", "http://h:0", "", []string{"rpcUrl"}},
		{"IPv6 port zero", "http://[::1]:0", "", []string{"rpcUrl"}},
		{"empty port", "http://h:", "", []string{"rpcUrl"}},
		{"display port above 65535", "https://jira.example.com", "https://jira.example.com:70000", []string{"displayUrl"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := validLink()
			l.RPCURL, l.DisplayURL = tt.rpc, tt.display
			err := l.Validate()
			var fe *FieldError
			if tt.want != nil && !errors.As(err, &fe) {
				t.Fatalf("Validate() = %v, want a *FieldError", err)
			}
			if diff := cmp.Diff(tt.want, fieldsOf(err)); diff != "" {
				t.Errorf("fields (-want +got):\n%s\nerror: %v", diff, err)
			}
			if err == nil {
				return
			}
			if msg := err.Error(); !strings.Contains(msg, "1 to 65535") {
				t.Errorf("error %q does not say which ports are allowed", msg)
			}
		})
	}
}
