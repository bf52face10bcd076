package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestConfigPath(t *testing.T) {
	t.Parallel()
	userDir, err := os.UserConfigDir()
	if err != nil {
		t.Skipf("no user config dir here: %v", err)
	}
	cwd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, flag, env, want string
	}{
		{"flag wins", "/etc/a.json", "/env/b.json", "/etc/a.json"},
		{"environment", "", "/env/b.json", "/env/b.json"},
		{"relative flag made absolute", "c.json", "", filepath.Join(cwd, "c.json")},
		{"user config dir", "", "", filepath.Join(userDir, "applink", "config.json")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := configPath(tt.flag, func(k string) string {
				if k == configEnv {
					return tt.env
				}
				return ""
			})
			if err != nil || got != tt.want {
				t.Errorf("configPath(%q) with %s=%q = %q, %v; want %q", tt.flag, configEnv, tt.env, got, err, tt.want)
			}
		})
	}
	if got, want := tokensPath("/x/applink/config.json"), "/x/applink/tokens.json"; got != want {
		t.Errorf("tokensPath = %q, want %q", got, want)
	}
}
