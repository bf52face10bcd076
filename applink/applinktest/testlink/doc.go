// Package testlink links an [applink.Service] to an [applinktest.Server] in
// one call: it makes a key (an RSA key pair for the Atlassian shape, a
// shared secret for the Jenkins shape), registers the matching consumer at
// the server, and returns a link pointed at the server that signs with the
// same key. With the server's [applinktest.Server.Approver] and
// [applinktest.Server.Browser], a test plays the 3-legged dance in one call
// too:
//
//	srv := applinktest.NewServer(t, applinktest.WithUsers("alice"))
//	jira := testlink.Bound(t, srv, "Jira", testlink.WithAuth(applink.Auth3LO, applink.Auth2LOi))
//	f, err := jira.RequestFactory("alice")
//	...
//	err = authorize.OutOfBand(t.Context(), f, srv.Approver("alice"))
//
// [New] returns the link unbound, for an [applink.Service] of several links
// or with options of your own; [Bound] returns it bound to a service of its
// own that reaches the server through [applinktest.Server.Client] and keeps
// tokens in memory.
//
// # Why a package of its own
//
// Package applinktest knows nothing about package applink (it is a provider,
// like the real products, and applink's own tests use it), so a method
// returning an [applink.Link] cannot live on [applinktest.Server]; this
// package, which imports both, holds it.
//
// # Errors
//
// [New] returns the server's error for a consumer key already in use
// (choose another with [WithConsumerKey]) and applink's *[applink.FieldError]s
// for a link that does not validate (a 2-legged method on a Jenkins link).
// [Bound] fails the test with them.
//
// # Security
//
// The keys and secrets made here are for tests: they live in memory, and in
// the file [WithCredentialsFile] names (mode 0600) when asked, and never
// print (see [applink.Link]).
package testlink
