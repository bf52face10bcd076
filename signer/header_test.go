package signer

import (
	"errors"
	"net/http"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseAuthorization(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		want    url.Values
		wantErr bool
		noOAuth bool
	}{
		{name: "typical", in: `OAuth realm="Example", oauth_consumer_key="ck", oauth_signature="a%2Bb%3D"`,
			want: url.Values{"realm": {"Example"}, "oauth_consumer_key": {"ck"}, "oauth_signature": {"a+b="}}},
		{name: "scheme in any case, bare values, tabs", in: "oauth\ta=1,\tb=\"2\" ,c=%20",
			want: url.Values{"a": {"1"}, "b": {"2"}, "c": {" "}}},
		{name: "repeated name kept twice", in: `OAuth a="1", a="2"`, want: url.Values{"a": {"1", "2"}}},
		{name: "empty value", in: `OAuth oauth_token=""`, want: url.Values{"oauth_token": {""}}},
		{name: "no parameters", in: "OAuth", want: url.Values{}},
		{name: "stray commas", in: `OAuth , a="1",, `, want: url.Values{"a": {"1"}}},
		{name: "plus stays plus", in: `OAuth a="x+y"`, want: url.Values{"a": {"x+y"}}},
		{name: "Basic", in: "Basic dXNlcjpwYXNz", wantErr: true, noOAuth: true},
		{name: "OAuth2 Bearer", in: "Bearer abc", wantErr: true, noOAuth: true},
		{name: "OAuthx", in: "OAuthx a=1", wantErr: true, noOAuth: true},
		{name: "empty", in: "", wantErr: true, noOAuth: true},
		{name: "unterminated quote", in: `OAuth a="1`, wantErr: true},
		{name: "no value", in: `OAuth a`, wantErr: true},
		{name: "empty name", in: `OAuth ="1"`, wantErr: true},
		{name: "blank name", in: "OAuth \r=", wantErr: true},
		{name: "bad escape", in: `OAuth a="%zz"`, wantErr: true},
		{name: "quote in name", in: `OAuth a"b="1"`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseAuthorization(tt.in)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("ParseAuthorization(%q) = %v, want an error", tt.in, got)
				}
				if errors.Is(err, ErrNoAuthorization) != tt.noOAuth {
					t.Errorf("errors.Is(%v, ErrNoAuthorization) = %v, want %v", err, !tt.noOAuth, tt.noOAuth)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseAuthorization(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestFormatAuthorization(t *testing.T) {
	t.Parallel()
	got := formatAuthorization("https://jira.example.com/", []pair{
		{"oauth_token", ""}, {"oauth_consumer_key", "a b"}, {"oauth_signature", "x+y/z="},
	})
	const want = `OAuth realm="https%3A%2F%2Fjira.example.com%2F", oauth_consumer_key="a%20b", ` +
		`oauth_signature="x%2By%2Fz%3D", oauth_token=""`
	if got != want {
		t.Errorf("formatAuthorization =\n%s\nwant\n%s", got, want)
	}
	if got := formatAuthorization("", nil); got != "OAuth " {
		t.Errorf("formatAuthorization with nothing = %q", got)
	}
}

func TestAuthorizationParamsPicksOAuth(t *testing.T) {
	t.Parallel()
	h := http.Header{}
	h.Add("Authorization", "Basic dXNlcjpwYXNz")
	h.Add("Authorization", `OAuth oauth_consumer_key="ck"`)
	ps, err := authorizationParams(h, RFC5849)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]pair{{"oauth_consumer_key", "ck"}}, ps, cmp.AllowUnexported(pair{})); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := authorizationParams(http.Header{}, RFC5849); !errors.Is(err, ErrNoAuthorization) {
		t.Errorf("no header: %v, want ErrNoAuthorization", err)
	}
}
