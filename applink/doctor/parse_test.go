package doctor

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseManifest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		body    string
		want    *remoteManifest
		wantErr bool
	}{
		{"json", `{"id":"abc","name":"Jira","typeId":"jira","version":"9.12.0","buildNumber":9120000,"url":"https://jira.example.com"}`,
			&remoteManifest{ID: "abc", Name: "Jira", TypeID: "jira", Version: "9.12.0", URL: "https://jira.example.com"}, false},
		{"xml", `<?xml version="1.0"?><manifest><id>abc</id><name>Wiki</name><typeId>confluence</typeId><version>8.5</version><url>https://wiki</url></manifest>`,
			&remoteManifest{ID: "abc", Name: "Wiki", TypeID: "confluence", Version: "8.5", URL: "https://wiki"}, false},
		{"html login page", `<html><body>Log in</body></html>`, nil, true},
		{"empty", ``, nil, true},
		{"json without ids", `{"name":"x"}`, nil, true},
		{"text", `Not Found`, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseManifest([]byte(tt.body))
			if (err != nil) != tt.wantErr {
				t.Fatalf("error %v, want error %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(remoteManifest{})); diff != "" {
				t.Errorf("manifest (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseConsumerInfo(t *testing.T) {
	t.Parallel()
	got, err := parseConsumerInfo([]byte(`<?xml version="1.0"?><consumer><key> jira:123 </key><name>Jira</name><publicKey>MIIB</publicKey><description>d</description></consumer>`))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&consumerInfo{Key: "jira:123", Name: "Jira", PublicKey: "MIIB"}, got, cmp.AllowUnexported(consumerInfo{})); diff != "" {
		t.Errorf("consumer-info (-want +got):\n%s", diff)
	}
	for _, bad := range []string{``, `<other><key>k</key></other>`, `<consumer><name>n</name></consumer>`, `{"key":"k"}`} {
		if c, err := parseConsumerInfo([]byte(bad)); err == nil {
			t.Errorf("parseConsumerInfo(%q) = %+v, want an error", bad, c)
		}
	}
}

func FuzzParseManifest(f *testing.F) {
	f.Add([]byte(`{"id":"abc","typeId":"jira"}`))
	f.Add([]byte(`<manifest><id>a</id></manifest>`))
	f.Add([]byte(`<`))
	f.Fuzz(func(t *testing.T, body []byte) {
		m, err := parseManifest(body)
		if err == nil && m.ID == "" && m.TypeID == "" {
			t.Errorf("a manifest without id and typeId was accepted: %q", body)
		}
	})
}

func FuzzParseConsumerInfo(f *testing.F) {
	f.Add([]byte(`<consumer><key>k</key></consumer>`))
	f.Add([]byte(`<consumer>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := parseConsumerInfo(body)
		if err == nil && c.Key == "" {
			t.Errorf("consumer-info without a key was accepted: %q", body)
		}
	})
}
