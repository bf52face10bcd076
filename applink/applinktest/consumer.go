package applinktest

import (
	"crypto/rsa"

	"github.com/go-applinks/applinks/signer"
)

// Consumer is a consumer the provider knows: an incoming link, as Atlassian's
// "incoming authentication" form or the Jenkins plugin's consumer page
// configure it. Give it an RSA public key (RSA-SHA1, what Atlassian products
// use) or a shared secret (HMAC-SHA1, what the Jenkins plugin uses).
//
// The zero flags allow nothing: set ThreeLO, TwoLO and Impersonation to what
// the test needs. A Consumer never prints its secret, a [signer.Secret].
type Consumer struct {
	// Key is the consumer key (oauth_consumer_key). Required.
	Key string `json:"key"`
	// Name is a display name; "" means Key.
	Name string `json:"name,omitempty"`
	// PublicKey checks RSA-SHA1 signatures; nil for an HMAC-SHA1 consumer.
	// The Jenkins shape refuses it.
	PublicKey *rsa.PublicKey `json:"public_key,omitempty"`
	// Secret is the shared secret that checks HMAC-SHA1 signatures; zero
	// for an RSA-SHA1 consumer. It is a [signer.Secret]: it never prints
	// (make it with signer.NewSecret).
	Secret signer.Secret `json:"secret,omitzero"`
	// ThreeLO allows the 3-legged dance (request token, authorization,
	// access token) and requests made with its access tokens.
	ThreeLO bool `json:"three_lo"`
	// TwoLO allows 2-legged requests (oauth_token="") without
	// xoauth_requestor_id; they run as TwoLOUser. Refused by the Jenkins
	// shape, as the plugin refuses them.
	TwoLO bool `json:"two_lo"`
	// TwoLOUser is the user 2-legged requests execute as; "" means
	// anonymous.
	TwoLOUser string `json:"two_lo_user,omitempty"`
	// Impersonation allows 2-legged requests with xoauth_requestor_id
	// (2LOi), executed as the named user. Refused by the Jenkins shape.
	Impersonation bool `json:"impersonation"`
}
