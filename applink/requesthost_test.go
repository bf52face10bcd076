package applink

import (
	"net/http"
	"net/url"
	"testing"
)

// TestRequestHostAsNewRequest checks that requestHost gives the Host
// http.NewRequest gives the same URL, which Request.send no longer parses.
func TestRequestHostAsNewRequest(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{
		"http://jira.example.com/rest", "https://jira.example.com:8443/", "http://jira.example.com:/x",
		"http://127.0.0.1:8080/", "http://[::1]:8080/", "http://[::1]/", "http://[::1]:/", "http://[fe80::1%25eth0]:80/",
		"http://JIRA.Example.COM/", "http://xn--bcher-kva.example/",
	} {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		req, err := http.NewRequest(http.MethodGet, u.String(), nil)
		if err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		if got := requestHost(u.Host); got != req.Host {
			t.Errorf("requestHost(%q) = %q, http.NewRequest's Host %q", u.Host, got, req.Host)
		}
	}
}
