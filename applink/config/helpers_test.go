package config

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"sync"
	"testing"

	"github.com/go-applinks/applinks/applink"
)

// validLink is a link whose config passes validation.
func validLink() applink.Link {
	return applink.Link{ID: "0b6f3a3e-6f1e-4d53-9a43-2f4a5d0e9c11", Name: "Jira", Type: applink.TypeJira,
		RPCURL: "https://jira.example.com", ConsumerKey: "app", PrivateKeyFile: "app.pem", Auth: []applink.Auth{applink.Auth3LO, applink.Auth2LOi}}
}

// fieldsOf returns the fields of the *applink.FieldErrors joined in err.
func fieldsOf(err error) []string {
	if err == nil {
		return nil
	}
	var list []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		list = j.Unwrap()
	} else {
		list = []error{err}
	}
	var out []string
	for _, e := range list {
		var fe *applink.FieldError
		if errors.As(e, &fe) {
			out = append(out, fe.Field)
		} else {
			out = append(out, "not a FieldError: "+e.Error())
		}
	}
	return out
}

var coreKeys = sync.OnceValues(func() (*rsa.PrivateKey, error) {
	data, err := os.ReadFile("../../signer/testdata/sign-rsa2048-TEST-ONLY.pem")
	if err != nil {
		return nil, err
	}
	b, _ := pem.Decode(data)
	if b == nil {
		return nil, errors.New("no PEM block")
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		return nil, err
	}
	return k.(*rsa.PrivateKey), nil
})

// coreKey returns the RSA test key.
func coreKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	k, err := coreKeys()
	if err != nil {
		t.Fatalf("test key: %v", err)
	}
	return k
}
