package applinktest

import (
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"

	"github.com/go-applinks/applinks/internal/redact"
	"github.com/go-applinks/applinks/signer"
)

// Consumer is a consumer the provider knows: an incoming link, as Atlassian's
// "incoming authentication" form or the Jenkins plugin's consumer page
// configure it. Give it an RSA public key (RSA-SHA1, what Atlassian products
// use) or a shared secret (HMAC-SHA1, what the Jenkins plugin uses).
//
// The zero flags allow nothing: set ThreeLO, TwoLO and Impersonation to what
// the test needs. A Consumer never prints its secret: String, GoString,
// Format, LogValue and MarshalJSON redact it.
type Consumer struct {
	// Key is the consumer key (oauth_consumer_key). Required.
	Key string
	// Name is a display name; "" means Key.
	Name string
	// PublicKey checks RSA-SHA1 signatures; nil for an HMAC-SHA1 consumer.
	// The Jenkins shape refuses it.
	PublicKey *rsa.PublicKey
	// Secret is the shared secret that checks HMAC-SHA1 signatures; "" for
	// an RSA-SHA1 consumer. It is a secret: it never prints.
	Secret string
	// ThreeLO allows the 3-legged dance (request token, authorization,
	// access token) and requests made with its access tokens.
	ThreeLO bool
	// TwoLO allows 2-legged requests (oauth_token="") without
	// xoauth_requestor_id; they run as TwoLOUser. Refused by the Jenkins
	// shape, as the plugin refuses them.
	TwoLO bool
	// TwoLOUser is the user 2-legged requests execute as; "" means
	// anonymous.
	TwoLOUser string
	// Impersonation allows 2-legged requests with xoauth_requestor_id
	// (2LOi), executed as the named user. Refused by the Jenkins shape.
	Impersonation bool
}

// String describes the consumer: its key, its kind and its flags, never its
// secret.
func (c Consumer) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "applinktest.Consumer(%q", c.Key)
	switch {
	case c.PublicKey != nil && c.Secret != "":
		b.WriteString(", RSA public key and shared secret (redacted)")
	case c.PublicKey != nil:
		b.WriteString(", RSA public key")
	case c.Secret != "":
		b.WriteString(", shared secret (redacted)")
	default:
		b.WriteString(", no credentials")
	}
	var flags []string
	if c.ThreeLO {
		flags = append(flags, "3LO")
	}
	if c.TwoLO {
		f := "2LO"
		if c.TwoLOUser != "" {
			f += " as " + strconvQuote(c.TwoLOUser)
		}
		flags = append(flags, f)
	}
	if c.Impersonation {
		flags = append(flags, "2LOi")
	}
	if len(flags) > 0 {
		b.WriteString(", ")
		b.WriteString(strings.Join(flags, "+"))
	}
	b.WriteString(")")
	return b.String()
}

// GoString is [Consumer.String]: %#v never shows the secret either.
func (c Consumer) GoString() string { return c.String() }

// Format prints [Consumer.String] for every verb (%q quotes it, %10v pads
// it), so that no verb (%d, %x, %+v) can reach the secret field.
func (c Consumer) Format(f fmt.State, verb rune) { redact.Format(f, verb, c.String(), c.GoString()) }

// LogValue keeps the secret out of slog output.
func (c Consumer) LogValue() slog.Value { return slog.StringValue(c.String()) }

// MarshalJSON encodes the consumer with its secret redacted ("REDACTED"
// when set) and its public key as Base64 SubjectPublicKeyInfo, the form
// Atlassian's incoming-link form shows.
func (c Consumer) MarshalJSON() ([]byte, error) {
	out := struct {
		Key           string `json:"key"`
		Name          string `json:"name,omitempty"`
		PublicKey     string `json:"public_key,omitempty"`
		Secret        string `json:"secret,omitempty"`
		ThreeLO       bool   `json:"three_lo"`
		TwoLO         bool   `json:"two_lo"`
		TwoLOUser     string `json:"two_lo_user,omitempty"`
		Impersonation bool   `json:"impersonation"`
	}{Key: c.Key, Name: c.Name, ThreeLO: c.ThreeLO, TwoLO: c.TwoLO, TwoLOUser: c.TwoLOUser, Impersonation: c.Impersonation}
	if c.PublicKey != nil {
		pub, err := signer.EncodePublicKey(c.PublicKey)
		if err != nil {
			return nil, fmt.Errorf("applinktest: consumer %q: %w", c.Key, err)
		}
		out.PublicKey = pub
	}
	if c.Secret != "" {
		out.Secret = redact.Mask
	}
	return json.Marshal(out)
}

func strconvQuote(s string) string { return fmt.Sprintf("%q", s) }
