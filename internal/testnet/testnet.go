// Package testnet holds the network helpers the module's tests share.
package testnet

import (
	"net"
	"testing"
)

// LoopbackCallbackURL returns http://127.0.0.1:PORT/callback on a port
// that is free now: a redirect URL for an OAuth client whose loopback
// flow will listen there. The port is only free when LoopbackCallbackURL
// returns; another listener may take it before the flow does, which on a
// test machine is rare enough not to matter. It fails t when no port can
// be had.
func LoopbackCallbackURL(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testnet: no free loopback port: %v", err)
	}
	defer func() { _ = ln.Close() }()
	return "http://" + ln.Addr().String() + "/callback"
}
