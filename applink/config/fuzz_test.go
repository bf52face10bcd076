package config

import (
	"errors"
	"testing"

	"github.com/go-applinks/applinks/applink"
)

// FuzzParseConfigCore feeds parseConfig arbitrary files: it must not panic,
// and every error must be (or join) *FieldErrors naming the file.
func FuzzParseConfigCore(f *testing.F) {
	f.Add([]byte(`{"links": [` + goodLinkJSON + `]}`))
	f.Add([]byte(`{"links": [{"name": "x", "auth": ["3lo", 5]}]}`))
	f.Add([]byte("{\n\"links\": [}"))
	f.Add([]byte(`{"links": null}`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := parseConfig("config.json", data)
		if err == nil {
			if cfg == nil {
				t.Fatal("nil config without error")
			}
			for _, l := range cfg.Links {
				if err := l.Validate(); err != nil {
					t.Fatalf("accepted an invalid link: %v", err)
				}
			}
			return
		}
		var fe *applink.FieldError
		if !errors.As(err, &fe) || fe.Path != "config.json" {
			t.Fatalf("error %v is not a *FieldError naming the file", err)
		}
	})
}
