package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/internal/fileread"
	"github.com/go-applinks/applinks/internal/linkconf"
)

// Config is the content of a config file: the links of an [applink.Service], and
// where their users' tokens are kept. [Open] opens all of it.
//
//	{"links": [{"id": "…", "name": "Jira", "type": "jira", "rpcUrl": "https://jira.internal:8080",
//	            "consumerKey": "automation", "privateKeyFile": "automation.pem", "auth": ["3lo", "2loi"]}]}
type Config struct {
	Links []applink.Link `json:"links"`
	// TokenStore says where the tokens are kept: "" means the file
	// tokens.json beside the config file ([DefaultTokenPath]); a path is a
	// token file (relative to the config file's directory); a URL
	// (scheme://...) is opened by the opener given to [Open] for its scheme
	// with [WithTokenStoreOpener], such as a postgres:// URL for a
	// PostgreSQL store. Never put a password here: take it from the
	// environment.
	TokenStore string `json:"tokenStore,omitempty"`
}

// primaryIndex is the index of the primary link of type t in links (the
// one marked primary, else the first of the type), or -1.
func primaryIndex(links []applink.Link, t applink.Type) int {
	first := -1
	for i, l := range links {
		if l.Type != t {
			continue
		}
		if l.Primary {
			return i
		}
		if first < 0 {
			first = i
		}
	}
	return first
}

// maxConfigSize bounds a config file; Load reads no more.
const maxConfigSize = 8 << 20

// Load reads a config file. A path that is not a regular file (a
// directory, a device such as /dev/zero, a named pipe) is refused before
// anything is read, and a file larger than 8 MiB is refused after reading
// no more than that. Unknown fields are errors; every link is
// validated; relative key and secret file paths are made relative to the
// file's directory. Problems are *[FieldError]s naming the file, the link and
// the field (errors.As), joined when there are several. A file that is not
// JSON is reported with the line and column of the mistake.
//
// As with encoding/json everywhere, field names match case-insensitively
// ("rpcURL" is rpcUrl; of two spellings of one field the last wins), and
// application types and methods are read as [applink.ParseType] and [applink.ParseAuth]
// read them ("Jira", "stash", "3LO"); [Config.Save] writes the canonical
// spellings.
func Load(path string) (*Config, error) {
	data, err := fileread.ReadFile(path, maxConfigSize)
	var notRegular *fileread.NotRegularError
	var tooLarge *fileread.TooLargeError
	switch {
	case errors.As(err, &notRegular):
		return nil, fmt.Errorf("config: reading the config: %w: give the path of a JSON config file", err)
	case errors.As(err, &tooLarge):
		return nil, fmt.Errorf("config: reading the config: %w (a config is a few KiB): is it the right file?", err)
	case err != nil:
		return nil, fmt.Errorf("config: reading the config: %w", err)
	}
	dir := filepath.Dir(path)
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	cfg, err := parseConfig(path, data)
	if err != nil {
		return nil, err
	}
	for i := range cfg.Links {
		cfg.Links[i].Dir = dir
	}
	return cfg, nil
}

// parseConfig decodes and validates a config file's content.
func parseConfig(path string, data []byte) (*Config, error) {
	var top struct {
		Links      []json.RawMessage `json:"links"`
		TokenStore string            `json:"tokenStore"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&top); err != nil {
		return nil, decodeError(path, "", data, 0, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &applink.FieldError{Path: path, Field: "(file)", Err: errors.New("more content after the top-level object: a config is one JSON object")}
	}
	cfg := &Config{Links: make([]applink.Link, 0, len(top.Links)), TokenStore: top.TokenStore}
	var errs []error
	if err := checkTokenStore(path, top.TokenStore); err != nil {
		errs = append(errs, err)
	}
	var unique linkconf.Unique
	for i, raw := range top.Links {
		label := "#" + strconv.Itoa(i+1)
		start := bytes.Index(data, raw)
		var l applink.Link
		d := json.NewDecoder(bytes.NewReader(raw))
		d.DisallowUnknownFields()
		if err := d.Decode(&l); err != nil {
			var named struct {
				Name string `json:"name"`
			}
			if json.Unmarshal(raw, &named) == nil && named.Name != "" {
				label = strconv.Quote(named.Name)
			}
			errs = append(errs, decodeError(path, label, data, start, err))
			continue
		}
		if err := l.Validate(); err != nil {
			errs = append(errs, relabel(err, path, l, label))
		}
		if l.ID != "" {
			if err := unique.ID(l.ID, linkLabel(l, label)); err != nil {
				errs = append(errs, &applink.FieldError{Path: path, Link: linkLabel(l, label), Field: "id", Err: err})
			}
		}
		if l.Primary {
			if err := unique.Primary(string(l.Type), linkLabel(l, label)); err != nil {
				errs = append(errs, &applink.FieldError{Path: path, Link: linkLabel(l, label), Field: "primary", Err: err})
			}
		}
		cfg.Links = append(cfg.Links, l)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return cfg, nil
}

func linkLabel(l applink.Link, position string) string {
	if s := label(l); s != "" {
		return s
	}
	return position
}

// relabel puts the file path (and a position for a link without name or id)
// into Validate's FieldErrors.
func relabel(err error, path string, l applink.Link, position string) error {
	var list []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		list = j.Unwrap()
	} else {
		list = []error{err}
	}
	out := make([]error, 0, len(list))
	for _, e := range list {
		var fe *applink.FieldError
		if errors.As(e, &fe) {
			c := *fe
			c.Path = path
			c.Link = linkLabel(l, position)
			out = append(out, &c)
			continue
		}
		out = append(out, e)
	}
	return errors.Join(out...)
}

// decodeError turns a JSON decoding error into a *FieldError with the
// line and column of the mistake; start is where the decoded value began
// in data.
func decodeError(path, link string, data []byte, start int, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		line, col := lineCol(data, start+int(syn.Offset))
		return &applink.FieldError{Path: path, Link: link, Field: "(syntax)",
			Err: fmt.Errorf("line %d, column %d: %v: the file is not valid JSON", line, col, syn)}
	case errors.As(err, &typ):
		line, col := lineCol(data, start+int(typ.Offset))
		field := typ.Field
		if field == "" {
			field = "(value)"
		}
		return &applink.FieldError{Path: path, Link: link, Field: field,
			Err: fmt.Errorf("line %d, column %d: a JSON %s cannot be a %s", line, col, typ.Value, jsonKind(typ.Type.Kind().String()))}
	case errors.Is(err, io.EOF):
		return &applink.FieldError{Path: path, Link: link, Field: "(file)", Err: errors.New(`the file is empty: write {"links": []}`)}
	case errors.Is(err, io.ErrUnexpectedEOF):
		line, col := lineCol(data, len(data))
		return &applink.FieldError{Path: path, Link: link, Field: "(syntax)",
			Err: fmt.Errorf("line %d, column %d: the file ends in the middle of a value", line, col)}
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		field, _ := strconv.Unquote(name)
		if field == "" {
			field = name
		}
		known := "links, tokenStore"
		if link != "" {
			known = "id, name, type, displayUrl, rpcUrl, primary, consumerKey, privateKeyFile, privateKeyEnv, secretEnv, secretFile, auth, endpoints, signatureDialect"
		}
		return &applink.FieldError{Path: path, Link: link, Field: field,
			Err: fmt.Errorf("unknown field: check its spelling (the fields are %s)", known)}
	}
	return &applink.FieldError{Path: path, Link: link, Field: "(file)", Err: err}
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "slice", "array":
		return "list"
	case "struct", "map":
		return "object"
	case "bool":
		return "boolean"
	}
	return goKind
}

// lineCol returns the 1-based line and column of byte offset off.
func lineCol(data []byte, off int) (line, col int) {
	off = min(max(off, 0), len(data))
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = off - bytes.LastIndexByte(before, '\n')
	return line, col
}

// Save writes the config to path atomically with mode 0600, creating its
// directory (0700) if needed. Credentials given in code (Link.PrivateKey,
// Link.Secret, OAuth2Client.ClientSecret) are never written; a link that
// has no file or environment source for its credentials is an error.
func (c *Config) Save(path string) error {
	links := c.Links
	if links == nil {
		links = []applink.Link{}
	}
	for _, l := range links {
		if l.PrivateKeyFile != "" || l.PrivateKeyEnv != "" || l.SecretEnv != "" || l.SecretFile != "" {
			continue
		}
		if usesOAuth2(l) {
			if l.OAuth2 == nil || (l.OAuth2.ClientSecretEnv == "" && l.OAuth2.ClientSecretFile == "") {
				return &applink.FieldError{Path: path, Link: label(l), Field: "oauth2.clientSecretEnv",
					Err: errors.New("the client secret was given in code and is never written to a config: set oauth2.clientSecretEnv or oauth2.clientSecretFile")}
			}
			continue
		}
		for _, a := range auths(l) {
			if a != applink.AuthAnonymous && a != applink.AuthPAT { // a PAT, like anonymous, needs no key
				return &applink.FieldError{Path: path, Link: label(l), Field: "privateKeyFile",
					Err: errors.New("the link's credentials were given in code and are never written to a config: set privateKeyFile, privateKeyEnv, secretEnv or secretFile")}
			}
		}
	}
	if err := checkTokenStore(path, c.TokenStore); err != nil {
		return err
	}
	data, err := json.MarshalIndent(Config{Links: canonical(links), TokenStore: c.TokenStore}, "", "  ")
	if err != nil {
		return fmt.Errorf("config: encoding the config: %w", err)
	}
	data = append(data, '\n')
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("config: creating the config directory: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("config: writing the config: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(0o600); err != nil {
		return fmt.Errorf("config: writing the config: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("config: writing the config: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("config: writing the config: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("config: writing the config: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("config: replacing the config: %w", err)
	}
	ok = true
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// label names a link in messages: its name, else its id.
func label(l applink.Link) string {
	if l.Name != "" {
		return strconv.Quote(l.Name)
	}
	return l.ID
}

// auths is the link's methods, 3lo when it names none.
func auths(l applink.Link) []applink.Auth {
	if len(l.Auth) == 0 {
		return []applink.Auth{applink.Auth3LO}
	}
	return l.Auth
}

// usesOAuth2 reports whether the link lists an OAuth 2.0 method.
func usesOAuth2(l applink.Link) bool {
	return slices.ContainsFunc(auths(l), func(a applink.Auth) bool {
		return a == applink.AuthOAuth2 || a == applink.AuthClientCredentials
	})
}

// canonical returns a copy of links with each type and authentication
// method written by its canonical name, as applink.ParseType and
// applink.ParseAuth read it ("Jira" and "stash" are jira and bitbucket,
// "3LO" and "oauth" are 3lo); an unknown name is kept as written.
func canonical(links []applink.Link) []applink.Link {
	out := slices.Clone(links)
	for i := range out {
		l := &out[i]
		if t, err := applink.ParseType(string(l.Type)); err == nil {
			l.Type = t
		}
		if l.Auth == nil {
			continue
		}
		auth := make([]applink.Auth, len(l.Auth))
		for j, a := range l.Auth {
			if c, err := applink.ParseAuth(string(a)); err == nil {
				a = c
			}
			auth[j] = a
		}
		l.Auth = auth
	}
	return out
}
