package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-applinks/applinks/signer"
	"github.com/google/go-cmp/cmp"
)

func TestSignKnownAnswer(t *testing.T) {
	t.Parallel()
	secrets := map[string]string{"CS": "j49sk3j29djd", "TS": "dh893hdasih9"}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{
			// RFC 5849 §3.4.1.1's request and base string, plus the
			// oauth_version=1.0 we always send (sorted last). The signature
			// is HMAC-SHA1 with key "j49sk3j29djd&dh893hdasih9" over that
			// base string, computed independently (Python's hmac module).
			name: "RFC 5849 3.4.1.1",
			args: []string{"sign", "--consumer-key", "9djdj82h48djs9d2", "--secret-env", "CS",
				"--token", "kkk9d7dh3k39sjv7", "--token-secret-env", "TS",
				"--nonce", "7d8f3e4a", "--timestamp", "137131201",
				"POST", "http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b",
				"-d", "c2&a3=2+q"},
			want: "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7%26oauth_version%3D1.0\n" +
				`Authorization: OAuth oauth_consumer_key="9djdj82h48djs9d2", oauth_nonce="7d8f3e4a", oauth_signature="OB33pYjWAnf%2BxtOHN4Gmbdil168%3D", oauth_signature_method="HMAC-SHA1", oauth_timestamp="137131201", oauth_token="kkk9d7dh3k39sjv7", oauth_version="1.0"` + "\n",
		},
		{
			// The request-token step: no --token, so no oauth_token at all.
			// HMAC-SHA1 key "j49sk3j29djd&" (no token secret); the host is
			// lower-cased and the default port dropped.
			name: "request token without oauth_token",
			args: []string{"sign", "GET", "http://EXAMPLE.com:80/x", "--consumer-key", "k", "--secret-env", "CS",
				"--callback", "oob", "--nonce", "n", "--timestamp", "1700000000"},
			want: "GET&http%3A%2F%2Fexample.com%2Fx&oauth_callback%3Doob%26oauth_consumer_key%3Dk%26oauth_nonce%3Dn%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1700000000%26oauth_version%3D1.0\n" +
				`Authorization: OAuth oauth_callback="oob", oauth_consumer_key="k", oauth_nonce="n", oauth_signature="jyQ8%2Fb7Ml5f%2FKeXQosK%2BXJgeGro%3D", oauth_signature_method="HMAC-SHA1", oauth_timestamp="1700000000", oauth_version="1.0"` + "\n",
		},
		{
			// 2LO: --token "" sends oauth_token="".
			name: "2LO with an empty token",
			args: []string{"sign", "--consumer-key", "k", "--secret-env", "CS", "--token", "",
				"--nonce", "n", "--timestamp", "1700000000", "GET", "https://example.com/a?xoauth_requestor_id=alice"},
			want: "GET&https%3A%2F%2Fexample.com%2Fa&oauth_consumer_key%3Dk%26oauth_nonce%3Dn%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1700000000%26oauth_token%3D%26oauth_version%3D1.0%26xoauth_requestor_id%3Dalice\n" +
				`Authorization: OAuth oauth_consumer_key="k", oauth_nonce="n", oauth_signature="wHiv%2FVhf0LRCUnJCROuAow8saM8%3D", oauth_signature_method="HMAC-SHA1", oauth_timestamp="1700000000", oauth_token="", oauth_version="1.0"` + "\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runCLITest(t, "", secrets, "", tt.args...)
			if r.code != 0 {
				t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
			}
			if diff := cmp.Diff(tt.want, r.stdout); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want string // in the message, if not ""
	}{
		{"sign without arguments", []string{"sign", "--consumer-key", "k", "--secret-env", "CS"}, ""},
		{"sign without a key", []string{"sign", "--consumer-key", "k", "GET", "http://x/"}, ""},
		{"sign with both keys", []string{"sign", "--consumer-key", "k", "--key", "f", "--secret-env", "CS", "GET", "http://x/"}, ""},
		{"sign with a bad URL", []string{"sign", "--consumer-key", "k", "--secret-env", "CS", "GET", "/relative"}, ""},
		{"sign with a bad timestamp", []string{"sign", "--consumer-key", "k", "--secret-env", "CS", "--timestamp", "yesterday", "GET", "http://x/"}, ""},
		{"sign with an unset secret variable", []string{"sign", "--consumer-key", "k", "--secret-env", "UNSET", "GET", "http://x/"}, ""},
		{"sign with a bad header", []string{"sign", "--consumer-key", "k", "--secret-env", "CS", "-H", "nocolon", "GET", "http://x/"}, ""},
		{"unknown flag", []string{"request", "--nope"}, ""},
		{"request without link", []string{"request", "GET", "/x"}, ""},
		{"request without path", []string{"request", "--link", "jira", "GET"}, "got 1 argument:"},
		{"request with an unknown method", []string{"request", "--link", "jira", "FETCH", "/x"}, `METHOD "FETCH" is not one of GET,`},
		{"request with a bad auth", []string{"request", "--link", "jira", "--auth", "basic", "GET", "/x"}, ""},
		{"request 3lo without user", []string{"request", "--link", "jira", "--auth", "3lo", "GET", "/x"}, ""},
		{"request with -d and --form", []string{"request", "--link", "jira", "-d", "a", "--form", "b=c", "POST", "/x"}, ""},
		{"authorize without user", []string{"authorize", "--link", "jira"}, ""},
		{"authorize with request token but no oob", []string{"authorize", "--link", "jira", "--user", "a", "--request-token", "t"}, ""},
		{"keygen with too few bits", []string{"keygen", "--bits", "512"}, ""},
		{"keygen with an argument", []string{"keygen", "extra"}, ""},
		{"link without subcommand", []string{"link"}, ""},
		{"link with unknown subcommand", []string{"link", "frob"}, ""},
		{"link add without url", []string{"link", "add", "jira", "--type", "jira", "--consumer-key", "k"}, ""},
		{"link add with a bad type", []string{"link", "add", "jira", "--url", "http://x", "--type", "svn", "--consumer-key", "k"}, ""},
		{"link add jira without a key", []string{"link", "add", "j", "--url", "http://x", "--type", "jira", "--consumer-key", "k"}, "give --private-key FILE"},
		{"link add jenkins without a secret", []string{"link", "add", "ci", "--url", "http://x", "--type", "jenkins", "--consumer-key", "k"}, "give --secret-env VAR or --secret-file FILE"},
		{"link show without name", []string{"link", "show"}, "got 0 arguments"},
		{"link remove with two names", []string{"link", "remove", "a", "b"}, "want one NAME (or id), got 2 arguments"},
		{"link add with two names", []string{"link", "add", "a", "b", "--url", "http://x", "--consumer-key", "k"}, "got 2 arguments"},
		{"tokens revoke without user", []string{"tokens", "revoke", "--link", "jira"}, ""},
		{"tokens with unknown subcommand", []string{"tokens", "frob"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			config := t.TempDir() + "/config.json"
			r := runCLITest(t, config, map[string]string{"CS": "secret"}, "", tt.args...)
			checkOneLineError(t, r, exitUsage)
			if !strings.Contains(r.stderr, tt.want) {
				t.Errorf("stderr %q lacks %q", r.stderr, tt.want)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	t.Parallel()
	for _, cmd := range []string{"keygen", "sign", "authorize", "request", "link", "tokens", "testserver"} {
		t.Run(cmd, func(t *testing.T) {
			t.Parallel()
			r := runCLITest(t, "", nil, "", cmd, "-h")
			if r.code != 0 {
				t.Errorf("exit %d, want 0", r.code)
			}
			for _, want := range []string{"usage: applink " + cmd, "examples:", "applink " + cmd + " "} {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("help lacks %q:\n%s", want, r.stderr)
				}
			}
		})
	}
}

func TestSignRSA(t *testing.T) {
	t.Parallel()
	keyFile := filepath.Join("..", "..", "signer", "testdata", "keys-rsa1024-TEST-ONLY.pem")
	pem, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	key, err := signer.ParsePrivateKey(pem)
	if err != nil {
		t.Fatal(err)
	}
	r := runCLITest(t, "", nil, "", "sign", "--consumer-key", "automation", "--key", keyFile, "--token", "",
		"--nonce", "n", "--timestamp", "1700000000", "GET", "https://jira.example.com/rest/api/2/myself?xoauth_requestor_id=bob")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 lines, got %q", r.stdout)
	}
	wantBase := "GET&https%3A%2F%2Fjira.example.com%2Frest%2Fapi%2F2%2Fmyself&oauth_consumer_key%3Dautomation%26oauth_nonce%3Dn%26oauth_signature_method%3DRSA-SHA1%26oauth_timestamp%3D1700000000%26oauth_token%3D%26oauth_version%3D1.0%26xoauth_requestor_id%3Dbob"
	if diff := cmp.Diff(wantBase, lines[0]); diff != "" {
		t.Errorf("base string (-want +got):\n%s", diff)
	}
	header, ok := strings.CutPrefix(lines[1], "Authorization: ")
	if !ok {
		t.Fatalf("second line %q is not the Authorization header", lines[1])
	}
	params, err := signer.ParseAuthorization(header)
	if err != nil {
		t.Fatal(err)
	}
	if err := signer.VerifyRSASHA1(&key.PublicKey, lines[0], params.Get("oauth_signature")); err != nil {
		t.Errorf("the signature does not verify with the key's public half: %v", err)
	}
}

func FuzzParseArgs(f *testing.F) {
	f.Add("request\x00--link\x00jira\x00GET\x00/x\x00-H\x00A: b\x00--\x00-v")
	f.Add("--as\x00\x00--json\x00-d\x00@-")
	f.Fuzz(func(t *testing.T, joined string) {
		args := strings.Split(joined, "\x00")
		fs := newFlagSet("fuzz", "", "", io.Discard)
		fs.String("link", "", "")
		fs.Bool("v", false, "")
		var hs listFlag
		fs.Var(&hs, "H", "")
		pos, err := parseArgs(fs, args)
		if err != nil {
			return
		}
		// Every positional argument came from the input, in order.
		i := 0
		for _, p := range pos {
			for i < len(args) && args[i] != p {
				i++
			}
			if i == len(args) {
				t.Fatalf("positional %q is not among the arguments %q in order", p, args)
			}
			i++
		}
		for _, h := range hs {
			if k, v, ok := splitHeader(h); ok && (k == "" || strings.ContainsAny(k, " \t\r\n") || v != strings.TrimSpace(v)) {
				t.Fatalf("splitHeader(%q) = %q, %q", h, k, v)
			}
		}
	})
}

func FuzzShellQuote(f *testing.F) {
	f.Add("alice")
	f.Add("o'brien & co")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		q := shellQuote(s)
		if q == s {
			if s == "" || strings.ContainsAny(s, " '\"$`\\;&|<>()*?!#~\t\n") {
				t.Fatalf("shellQuote(%q) left it unquoted", s)
			}
			return
		}
		// Undo POSIX single quoting: '...' with ' written as '\''.
		inner, prefixed := strings.CutPrefix(q, "'")
		inner, suffixed := strings.CutSuffix(inner, "'")
		if !prefixed || !suffixed {
			t.Fatalf("shellQuote(%q) = %q is not single-quoted", s, q)
		}
		if got := strings.ReplaceAll(inner, `'\''`, "'"); got != s {
			t.Fatalf("shellQuote(%q) = %q unquotes to %q", s, q, got)
		}
	})
}
