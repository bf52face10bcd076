package testnet

import (
	"net"
	"net/url"
	"testing"
)

// TestLoopbackCallbackURL: the URL is a /callback on 127.0.0.1 whose port
// can be listened on once the function has returned.
func TestLoopbackCallbackURL(t *testing.T) {
	t.Parallel()
	u, err := url.Parse(LoopbackCallbackURL(t))
	if err != nil {
		t.Fatal(err)
	}
	if u.Scheme != "http" || u.Hostname() != "127.0.0.1" || u.Port() == "" || u.Port() == "0" || u.Path != "/callback" {
		t.Fatalf("LoopbackCallbackURL() = %s, want http://127.0.0.1:PORT/callback", u)
	}
	ln, err := net.Listen("tcp", u.Host)
	if err != nil {
		t.Fatalf("the port of %s is not free: %v", u, err)
	}
	_ = ln.Close()
}
