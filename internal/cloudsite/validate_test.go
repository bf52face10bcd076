package cloudsite

import (
	"slices"
	"testing"
)

func TestValidate(t *testing.T) {
	t.Parallel()
	ok := Settings{Type: "jira", OAuth2Only: true}
	for _, tt := range []struct {
		name   string
		edit   func(*Settings)
		fields []string
	}{
		{"ok", func(*Settings) {}, nil},
		{"confluence with test bases", func(s *Settings) {
			s.Type, s.AuthBase, s.APIBase = "confluence", "http://127.0.0.1:1", "https://api.example.com"
		}, nil},
		{"bitbucket", func(s *Settings) { s.Type = "bitbucket" }, []string{"type"}},
		{"2loi", func(s *Settings) { s.OAuth2Only = false }, []string{"auth"}},
		{"endpoint paths", func(s *Settings) { s.EndpointPaths = true }, []string{"oauth2.tokenPath"}},
		{"basic", func(s *Settings) { s.BasicAuth = true }, []string{"oauth2.clientAuth"}},
		{"bad bases", func(s *Settings) { s.AuthBase, s.APIBase = "ftp://x", "https://api.example.com/?q" }, []string{"cloud.authBase", "cloud.apiBase"}},
		{"plain http", func(s *Settings) { s.APIBase = "http://api.example.com" }, []string{"cloud.apiBase"}},
		{"plain http allowed", func(s *Settings) { s.APIBase, s.AllowInsecureHTTP = "http://api.example.com", true }, nil},
	} {
		s := ok
		tt.edit(&s)
		var fields []string
		Validate(s, func(field, _ string, _ ...any) { fields = append(fields, field) })
		if !slices.Equal(fields, tt.fields) {
			t.Errorf("%s: fields %q, want %q", tt.name, fields, tt.fields)
		}
	}
}
