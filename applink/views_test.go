package applink

import (
	"errors"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/token"
)

// TestNewViewsRefused: the rule of the package doc for the token source's
// views of personal access tokens and Cloud tokens: which answers delete
// the token, and which keep it.
func TestNewViewsRefused(t *testing.T) {
	t.Parallel()
	cloud := cloudTokens{oauth2Tokens{}}
	for _, tt := range []struct {
		name          string
		err           error
		pat, cloudRef bool
	}{
		{"PAT 401", &resourceRefusal{&PATRefusedError{LinkName: "dc", User: "alice", Status: 401}}, true, true},
		{"invalid_grant", &OAuth2Error{Step: "refreshing the access token", Status: 403, Code: "invalid_grant", Description: "Unknown or invalid refresh token."}, false, true},
		{"403 unauthorized_client refresh_token is invalid", &OAuth2Error{Status: 403, Code: "unauthorized_client", Description: "refresh_token is invalid"}, false, true},
		{"unauthorized_client, a misconfigured client", &OAuth2Error{Status: 401, Code: "unauthorized_client", Description: "client is not allowed this grant"}, false, false},
		{"invalid_client", &OAuth2Error{Status: 401, Code: "invalid_client"}, false, false},
		{"a 503", errors.New("the token endpoint answered 503"), false, false},
	} {
		if got := (patTokens{}).Refused(tt.err); got != tt.pat {
			t.Errorf("%s: patTokens.Refused = %v, want %v", tt.name, got, tt.pat)
		}
		if got := cloud.Refused(tt.err); got != tt.cloudRef {
			t.Errorf("%s: cloudTokens.Refused = %v, want %v", tt.name, got, tt.cloudRef)
		}
	}
	now := time.Now()
	pat := token.NewPATAccessToken("p")
	if (patTokens{}).Renewable(pat, nil, now) || pat.Renewable(now) {
		t.Error("a PAT is renewable")
	}
	pat.ExpiresAt = now.Add(-time.Second)
	if !(patTokens{}).Expired(pat, now) {
		t.Error("a PAT past the expiry its owner set is not expired")
	}
	if _, err := (patTokens{}).Renew(t.Context(), pat); err == nil {
		t.Error("renewing a PAT succeeded")
	}
}
