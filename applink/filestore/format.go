package filestore

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/go-applinks/applinks/applink/token"
	"maps"
	"slices"
	"time"
)

// tokenFileVersion is the version of the token file format written and read.
const tokenFileVersion = 1

// tokenFile is the token file:
//
//	{"version":1,"generation":"...","accessTokens":[...],"requestTokens":[...],"dances":[...]}
//
// Times are RFC 3339 strings in UTC, omitted when zero. Unknown fields are
// ignored, so later versions of this format may add some.
type tokenFile struct {
	Version int `json:"version"`
	// Generation is a random value that changes with every write, so that
	// a store can tell that the file is the one it cached without parsing
	// it; it comes right after the version, where load looks for it.
	// Omitted by older versions, whose files are then always parsed.
	Generation    string             `json:"generation,omitempty"`
	AccessTokens  []fileAccessToken  `json:"accessTokens"`
	RequestTokens []fileRequestToken `json:"requestTokens"`
	// Dances are the pending dances of the web dance handler (token.DanceStore),
	// omitted when there are none.
	Dances []fileDance `json:"dances,omitempty"`
}

// fileDance is a [token.PendingDance].
type fileDance struct {
	State        string `json:"state"`
	User         string `json:"user"`
	LinkID       string `json:"linkId"`
	RequestToken string `json:"requestToken,omitempty"`
	Redirect     string `json:"redirect,omitempty"`
	ExpiresAt    string `json:"expiresAt,omitempty"`
	CreatedAt    string `json:"createdAt,omitempty"`
}

// fileAccessToken is an [token.AccessToken] with its key, secret included.
type fileAccessToken struct {
	LinkID                 string   `json:"linkId"`
	User                   string   `json:"user"`
	Kind                   string   `json:"kind,omitempty"`
	Token                  string   `json:"token"`
	Secret                 string   `json:"secret"`
	RefreshToken           string   `json:"refreshToken,omitempty"`
	ExpiresAt              string   `json:"expiresAt,omitempty"`
	SessionHandle          string   `json:"sessionHandle,omitempty"`
	AuthorizationExpiresAt string   `json:"authorizationExpiresAt,omitempty"`
	Scopes                 []string `json:"scopes,omitempty"`
	CreatedAt              string   `json:"createdAt,omitempty"`
}

// fileRequestToken is a [token.RequestToken], secret included.
type fileRequestToken struct {
	Token     string `json:"token"`
	Secret    string `json:"secret"`
	LinkID    string `json:"linkId,omitempty"`
	User      string `json:"user,omitempty"`
	Callback  string `json:"callback,omitempty"`
	ExpiresAt string `json:"expiresAt,omitempty"`
	CreatedAt string `json:"createdAt,omitempty"`
}

// encodeTokenFile renders set as the token file, sorted so that the file is
// stable and diffable.
func encodeTokenFile(set *token.Set, generation string) ([]byte, error) {
	f := tokenFile{
		Version:       tokenFileVersion,
		Generation:    generation,
		AccessTokens:  make([]fileAccessToken, 0, len(set.Access)),
		RequestTokens: make([]fileRequestToken, 0, len(set.Requests)),
	}
	for _, k := range slices.SortedFunc(maps.Keys(set.Access), token.Key.Compare) {
		t := set.Access[k]
		f.AccessTokens = append(f.AccessTokens, fileAccessToken{
			LinkID:                 k.LinkID,
			User:                   k.User,
			Kind:                   fileTokenKind(t.Kind),
			Token:                  t.Token,
			Secret:                 t.Secret.Reveal(),
			RefreshToken:           t.RefreshToken.Reveal(),
			ExpiresAt:              formatFileTime(t.ExpiresAt),
			SessionHandle:          t.SessionHandle.Reveal(),
			AuthorizationExpiresAt: formatFileTime(t.AuthorizationExpiresAt),
			Scopes:                 t.Scopes,
			CreatedAt:              formatFileTime(t.CreatedAt),
		})
	}
	for _, k := range slices.Sorted(maps.Keys(set.Requests)) {
		t := set.Requests[k]
		f.RequestTokens = append(f.RequestTokens, fileRequestToken{
			Token:     t.Token,
			Secret:    t.Secret.Reveal(),
			LinkID:    t.LinkID,
			User:      t.User,
			Callback:  t.Callback,
			ExpiresAt: formatFileTime(t.ExpiresAt),
			CreatedAt: formatFileTime(t.CreatedAt),
		})
	}
	for _, k := range slices.Sorted(maps.Keys(set.Dances)) {
		d := set.Dances[k]
		f.Dances = append(f.Dances, fileDance{
			State:        d.State.Reveal(),
			User:         d.User,
			LinkID:       d.LinkID,
			RequestToken: d.RequestToken,
			Redirect:     d.Redirect,
			ExpiresAt:    formatFileTime(d.ExpiresAt),
			CreatedAt:    formatFileTime(d.CreatedAt),
		})
	}
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// decodeTokenFile parses a token file. Its errors name the entry and field
// at fault but never quote the file, which holds secrets. An empty file is
// an empty store.
func decodeTokenFile(data []byte) (*token.Set, error) {
	set := token.NewSet()
	if len(data) == 0 {
		return set, nil
	}
	var f tokenFile
	if err := json.Unmarshal(data, &f); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			return nil, fmt.Errorf("not valid JSON: syntax error at byte %d", syn.Offset)
		case errors.As(err, &typ) && typ.Field != "":
			return nil, fmt.Errorf("field %s is not a %s", typ.Field, typ.Type)
		case errors.As(err, &typ):
			return nil, errors.New("not a JSON object")
		default:
			return nil, errors.New("not a valid token file")
		}
	}
	if f.Version != tokenFileVersion {
		return nil, fmt.Errorf("version %d is not supported (this program reads version %d; a newer program may have written it)", f.Version, tokenFileVersion)
	}
	for i, ft := range f.AccessTokens {
		where := fmt.Sprintf("accessTokens[%d]", i)
		key := token.Key{LinkID: ft.LinkID, User: ft.User}
		switch {
		case ft.LinkID == "":
			return nil, fmt.Errorf("%s has no linkId", where)
		case ft.User == "":
			return nil, fmt.Errorf("%s has no user", where)
		case ft.Token == "":
			return nil, fmt.Errorf("%s has no token", where)
		}
		if _, dup := set.Access[key]; dup {
			return nil, fmt.Errorf("%s repeats the token of link %q, user %q", where, ft.LinkID, ft.User)
		}
		kind := token.Kind(ft.Kind)
		switch kind {
		case "":
			kind = token.KindOAuth1
		case token.KindOAuth1, token.KindOAuth2, token.KindPAT:
		default:
			return nil, fmt.Errorf("%s.kind %q is not %q, %q or %q", where, ft.Kind, token.KindOAuth1, token.KindOAuth2, token.KindPAT)
		}
		t := &token.AccessToken{Kind: kind, Token: ft.Token, Secret: token.NewSecret(ft.Secret), RefreshToken: token.NewSecret(ft.RefreshToken),
			SessionHandle: token.NewSecret(ft.SessionHandle), Scopes: ft.Scopes}
		var err error
		if t.ExpiresAt, err = parseFileTime(where+".expiresAt", ft.ExpiresAt); err != nil {
			return nil, err
		}
		if t.AuthorizationExpiresAt, err = parseFileTime(where+".authorizationExpiresAt", ft.AuthorizationExpiresAt); err != nil {
			return nil, err
		}
		if t.CreatedAt, err = parseFileTime(where+".createdAt", ft.CreatedAt); err != nil {
			return nil, err
		}
		set.Access[key] = t
	}
	for i, ft := range f.RequestTokens {
		where := fmt.Sprintf("requestTokens[%d]", i)
		if ft.Token == "" {
			return nil, fmt.Errorf("%s has no token", where)
		}
		if _, dup := set.Requests[ft.Token]; dup {
			return nil, fmt.Errorf("%s repeats an earlier request token", where)
		}
		t := &token.RequestToken{Token: ft.Token, Secret: token.NewSecret(ft.Secret), LinkID: ft.LinkID, User: ft.User, Callback: ft.Callback}
		var err error
		if t.ExpiresAt, err = parseFileTime(where+".expiresAt", ft.ExpiresAt); err != nil {
			return nil, err
		}
		if t.CreatedAt, err = parseFileTime(where+".createdAt", ft.CreatedAt); err != nil {
			return nil, err
		}
		set.Requests[ft.Token] = t
	}
	for i, fd := range f.Dances {
		where := fmt.Sprintf("dances[%d]", i)
		switch {
		case fd.State == "":
			return nil, fmt.Errorf("%s has no state", where)
		case fd.User == "":
			return nil, fmt.Errorf("%s has no user", where)
		case fd.LinkID == "":
			return nil, fmt.Errorf("%s has no linkId", where)
		}
		if _, dup := set.Dances[fd.State]; dup {
			return nil, fmt.Errorf("%s repeats an earlier state", where)
		}
		d := &token.PendingDance{State: token.NewSecret(fd.State), User: fd.User, LinkID: fd.LinkID, RequestToken: fd.RequestToken, Redirect: fd.Redirect}
		var err error
		if d.ExpiresAt, err = parseFileTime(where+".expiresAt", fd.ExpiresAt); err != nil {
			return nil, err
		}
		if d.CreatedAt, err = parseFileTime(where+".createdAt", fd.CreatedAt); err != nil {
			return nil, err
		}
		set.Dances[fd.State] = d
	}
	return set, nil
}

// formatFileTime writes t in UTC, "" for the zero time.
func formatFileTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// parseFileTime reads a time written by formatFileTime; field names it in
// errors, which never quote the value.
func parseFileTime(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s is not an RFC 3339 time", field)
	}
	if err := token.ValidateTime(t); err != nil {
		return time.Time{}, fmt.Errorf("%s: %w", field, err)
	}
	return t, nil
}

// fileTokenKind is the kind field of a token file entry: omitted for OAuth
// 1.0a, so files holding only OAuth 1.0a tokens read as before.
func fileTokenKind(k token.Kind) string {
	if k == token.KindOAuth2 || k == token.KindPAT {
		return string(k)
	}
	return ""
}
