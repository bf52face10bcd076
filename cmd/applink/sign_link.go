package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/internal/seam"
	"github.com/go-applinks/applinks/signer"
)

// signLinkArgs is what "sign --link" was given.
type signLinkArgs struct {
	json                                bool
	config, link, user, auth, timestamp string
	nonce                               string
	method, path                        string
	headers, forms                      []string
	data                                string
}

// flagSet reports whether the flag name was given.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// errNotSent stops a request at the transport: "sign --link" signs through
// the link as a request would, but sends nothing.
var errNotSent = errors.New("applink: sign: not sent")

// captureTransport keeps the first request it is given (signed by the
// link's transport above it) and sends nothing.
type captureTransport struct{ req *http.Request }

func (t *captureTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.req == nil {
		t.req = req
	}
	return nil, errNotSent
}

// signAsLink signs a request as the link signs it for the user, through
// the same code path as "applink request", and prints the base string and
// the Authorization header.
func (c *cli) signAsLink(ctx context.Context, fs *flag.FlagSet, a signLinkArgs) error {
	var opts []applink.Option
	if a.auth != "auto" {
		auth, err := applink.ParseAuth(a.auth)
		if err != nil {
			return usagef(fs, "--auth: %s", message(err))
		}
		if auth == applink.AuthAnonymous {
			return usagef(fs, "--auth anonymous: an anonymous request is not signed")
		}
		if auth.Impersonating() && a.user == "" {
			return usagef(fs, "--auth %s acts as a user: give --as USER", auth)
		}
		opts = append(opts, applink.WithAuth(auth))
	}
	capture := &captureTransport{}
	sopts := append(c.serviceOptions(), applink.WithHTTPClient(&http.Client{Transport: capture}), applink.WithRetry(applink.RetryPolicy{Max: -1}))
	if a.timestamp != "" {
		ts, err := strconv.ParseInt(a.timestamp, 10, 64)
		if err != nil || ts <= 0 {
			return usagef(fs, "--timestamp %q is not a Unix time in seconds", a.timestamp)
		}
		at := time.Unix(ts, 0)
		sopts = append(sopts, applink.WithClock(func() time.Time { return at }))
	}
	if a.nonce != "" {
		sopts = append(sopts, seam.FixedNonce(a.nonce).(applink.Option))
	}
	path, err := configPath(a.config, c.getenv)
	if err != nil {
		return err
	}
	l, err := c.lookup(ctx, path, a.link, sopts...)
	if err != nil {
		return err
	}
	for _, la := range l.Auth {
		if la == applink.AuthOAuth2 || la == applink.AuthClientCredentials {
			// Its requests carry a bearer token, which is a secret: there
			// is no signature to show.
			return fmt.Errorf("link %q is an OAuth 2.0 link: its requests carry a bearer token, not an OAuth 1.0a signature, so there is nothing to sign: use 'applink request' or 'applink doctor'", l.Name)
		}
	}
	f, err := l.RequestFactory(a.user, opts...)
	if err != nil {
		return err
	}
	auth, err := f.Auth(ctx)
	if err != nil {
		return c.requestErr(err, f, a.link, a.user)
	}
	if auth == applink.AuthAnonymous {
		return fmt.Errorf("link %q sends this request anonymously (unsigned): nothing to sign; give --as USER or --auth 2lo", l.Name)
	}
	req, err := f.NewRequest(a.method, a.path)
	if err != nil {
		return err
	}
	for _, h := range a.headers {
		k, v, ok := splitHeader(h)
		if !ok {
			return usagef(fs, "-H %q is not 'Key: Value'", h)
		}
		if http.CanonicalHeaderKey(k) == "Content-Type" && a.data != "" {
			continue
		}
		req.AddHeader(k, v)
	}
	switch {
	case len(a.forms) > 0:
		for _, p := range a.forms {
			k, v, ok := splitPair(p)
			if !ok {
				return usagef(fs, "--form %q is not k=v", p)
			}
			req.AddForm(k, v)
		}
	case a.data != "":
		ct := "application/x-www-form-urlencoded"
		for _, h := range a.headers {
			if k, v, ok := splitHeader(h); ok && http.CanonicalHeaderKey(k) == "Content-Type" {
				ct = v
			}
		}
		req.SetBody(ct, strings.NewReader(a.data))
	}
	resp, err := req.Do(ctx)
	if resp != nil {
		resp.Body.Close()
	}
	if capture.req == nil {
		if err == nil {
			err = errors.New("the request was not signed")
		}
		return c.requestErr(err, f, a.link, a.user)
	}
	base, err := signer.BaseString(capture.req)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stderr, "signed as link %q signs %s with %s\n", l.Name, who(a.user), auth)
	return c.printSigned(a.json, base, capture.req.Header.Get("Authorization"), auth)
}

// signed is the output of "sign --json".
type signed struct {
	BaseString    string       `json:"baseString"`
	Authorization string       `json:"authorization"`  // the header's value
	Auth          applink.Auth `json:"auth,omitempty"` // with --link: the method the link chose
}

// printSigned prints the base string and the Authorization header, as two
// lines or as JSON.
func (c *cli) printSigned(asJSON bool, base, authorization string, auth applink.Auth) error {
	if asJSON {
		return writeJSON(c.stdout, signed{BaseString: base, Authorization: authorization, Auth: auth})
	}
	fmt.Fprintln(c.stdout, base)
	fmt.Fprintln(c.stdout, "Authorization: "+authorization)
	return nil
}

// who names the user for a message.
func who(user string) string {
	if user == "" {
		return "requests without a user"
	}
	return "requests as " + user
}
