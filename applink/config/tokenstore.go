package config

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/internal/redact"
)

// ErrPasswordInConfig is wrapped by the *[applink.FieldError] that [Load] and
// [Config.Save] return for a tokenStore URL holding a password: a config
// file is read by whoever can read the file and is copied around, so the
// password must come from the environment (APPLINK_POSTGRES_PASSWORD or
// PGPASSWORD for a postgres:// store) or a password file such as ~/.pgpass.
// The same holds for sslpassword, the client key's password (PGSSLPASSWORD).
var ErrPasswordInConfig = errors.New("the token store URL holds a password")

// checkTokenStore refuses a tokenStore URL with a password, in its user
// information or as a password or sslpassword query parameter.
func checkTokenStore(path, location string) error {
	if !strings.Contains(location, "://") {
		return nil // a file path
	}
	u, err := url.Parse(location)
	if err != nil {
		return &applink.FieldError{Path: path, Field: "tokenStore",
			Err: fmt.Errorf("%s is not a URL (%v): write a path or a scheme://host/... URL", redact.URLString(location), errors.Unwrap(err))}
	}
	if _, inUser := u.User.Password(); inUser {
		return &applink.FieldError{Path: path, Field: "tokenStore",
			Err: fmt.Errorf("%s: %w: remove it from the config and set it in the environment (APPLINK_POSTGRES_PASSWORD or PGPASSWORD for postgres://) or in ~/.pgpass", redact.URLString(location), ErrPasswordInConfig)}
	}
	for k := range u.Query() {
		switch {
		case strings.EqualFold(k, "password"):
			return &applink.FieldError{Path: path, Field: "tokenStore",
				Err: fmt.Errorf("%s: %w (parameter %s): remove it from the config and set it in the environment (APPLINK_POSTGRES_PASSWORD or PGPASSWORD for postgres://) or in ~/.pgpass", redact.URLString(location), ErrPasswordInConfig, k)}
		case strings.EqualFold(k, "sslpassword"):
			return &applink.FieldError{Path: path, Field: "tokenStore",
				Err: fmt.Errorf("%s: %w (parameter %s, the client key's password): remove it from the config and set it in the environment (PGSSLPASSWORD for postgres://)", redact.URLString(location), ErrPasswordInConfig, k)}
		}
	}
	return nil
}
