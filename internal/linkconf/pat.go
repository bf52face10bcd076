package linkconf

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/go-applinks/applinks/internal/fileread"
)

// PAT is where a link's own personal access token (a bot account's) is
// read from: an environment variable or a file, as its settings name them
// (pat.tokenEnv, pat.tokenFile).
type PAT struct {
	TokenEnv, TokenFile string
}

// Check checks that exactly one source is named. On error, field is the
// setting to blame.
func (p PAT) Check() (field string, err error) {
	switch {
	case p.TokenEnv != "" && p.TokenFile != "":
		return "pat.tokenFile", errors.New("several token sources (tokenEnv, tokenFile): give exactly one")
	case p.TokenEnv == "" && p.TokenFile == "":
		return "pat.tokenEnv", errors.New("no token source: set tokenEnv or tokenFile to where the bot account's personal access token is, or remove pat (users' own tokens are in the token store)")
	}
	return "", nil
}

// Read reads the token from the environment variable, else from the file
// (a secret file: private, regular, bounded; resolve makes its path
// absolute), without the white space around it. On error, field is the
// setting to blame; no error holds the token.
func (p PAT) Read(resolve func(string) string) (tok, field string, err error) {
	if p.TokenEnv != "" {
		env, ok := os.LookupEnv(p.TokenEnv)
		if tok = strings.TrimSpace(env); !ok || tok == "" {
			return "", "pat.tokenEnv", fmt.Errorf("environment variable %s is not set: export it with the bot account's personal access token", p.TokenEnv)
		}
	} else {
		path := resolve(p.TokenFile)
		data, err := fileread.ReadSecret(path, "the personal access token", fileread.MaxSecretSize)
		if err != nil {
			return "", "pat.tokenFile", fmt.Errorf("reading the personal access token: %w", err)
		}
		if tok = strings.TrimSpace(string(data)); tok == "" {
			return "", "pat.tokenFile", fmt.Errorf("%s is empty: put the bot account's personal access token in it", path)
		}
	}
	if strings.ContainsAny(tok, " \t\r\n") {
		return "", "pat", errors.New("the personal access token holds white space: give the token alone")
	}
	return tok, "", nil
}
