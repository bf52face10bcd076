package linkconf

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPAT: exactly one source; the token is read from the environment or a
// private file without the white space around it, and refused with white
// space inside; errors blame the setting and never hold the token.
func TestPAT(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		return name
	}
	resolve := func(p string) string { return filepath.Join(dir, p) }
	t.Setenv("LINKCONF_TEST_PAT", " pat-TEST-ONLY\n")
	t.Setenv("LINKCONF_TEST_BLANK", " ")
	for _, tt := range []struct {
		name      string
		p         PAT
		check     string // the field Check blames, "" for none
		want      string
		readField string
	}{
		{"both", PAT{TokenEnv: "X", TokenFile: "f"}, "pat.tokenFile", "", ""},
		{"none", PAT{}, "pat.tokenEnv", "", ""},
		{"env", PAT{TokenEnv: "LINKCONF_TEST_PAT"}, "", "pat-TEST-ONLY", ""},
		{"blank env", PAT{TokenEnv: "LINKCONF_TEST_BLANK"}, "", "", "pat.tokenEnv"},
		{"file", PAT{TokenFile: write("pat", "pat-TEST-ONLY\n")}, "", "pat-TEST-ONLY", ""},
		{"empty file", PAT{TokenFile: write("empty", "\n")}, "", "", "pat.tokenFile"},
		{"white space inside", PAT{TokenFile: write("two", "pat-TEST ONLY")}, "", "", "pat"},
	} {
		if field, err := tt.p.Check(); field != tt.check || (err != nil) != (tt.check != "") {
			t.Errorf("%s: Check = %q, %v; want %q", tt.name, field, err, tt.check)
		}
		if tt.check != "" {
			continue
		}
		tok, field, err := tt.p.Read(resolve)
		if tok != tt.want || field != tt.readField || (err != nil) != (tt.readField != "") {
			t.Errorf("%s: Read = %q, %q, %v; want %q, %q", tt.name, tok, field, err, tt.want, tt.readField)
		}
		if err != nil && strings.Contains(err.Error(), "pat-TEST") {
			t.Errorf("%s: error %q holds the token", tt.name, err)
		}
	}
}
