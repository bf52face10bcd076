package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-applinks/applinks/internal/fileread"
	"github.com/go-applinks/applinks/signer"
)

const signSynopsis = `--consumer-key K (--key FILE | --secret-env VAR) [--token T] [--token-secret-env VAR]
       [--callback C] [--verifier V] [--nonce N] [--timestamp TS] [-H 'K: V']... [-d DATA] [--form k=v]... METHOD URL
   or: applink sign --link NAME [--as USER] [--auth auto|3lo|2loi|2lo] [--nonce N] [--timestamp TS] [-H 'K: V']... [-d DATA] [--form k=v]... METHOD PATH

Prints the signature base string alone on the first line and the Authorization
header on the second, to compare with what a provider echoes
(oauth_signature_base_string on signature_invalid). Nothing is sent.
Without --token no oauth_token is sent (the request-token step); --token ""
sends an empty one (2LO). With --nonce and --timestamp the output is
deterministic. --json prints one JSON object instead: baseString,
authorization (the header's value) and, with --link, auth.

With --link, the request is signed as that link signs it when it acts as
USER: its consumer key, its private key or shared secret, the method
'applink request' would choose (or --auth), and the user's stored token
(whose secret is used, never printed); PATH is relative to the link's RPC
URL. Diff the base string with the one the remote echoes on
signature_invalid. With --nonce and --timestamp its output is deterministic
too.`

const signExamples = `  applink sign --consumer-key jenkins --secret-env JENKINS_SECRET --callback oob POST https://ci.example.com/bitbucket/oauth/request-token
  applink sign --consumer-key automation --key automation.pem --token "" GET 'https://jira.example.com/rest/api/2/myself?xoauth_requestor_id=alice'
  applink sign --consumer-key k --secret-env S --token t --token-secret-env TS --nonce abc --timestamp 1700000000 -d 'a=1' POST https://example.com/x
  applink sign --link jira --as alice GET /rest/api/2/myself
  applink sign --link jira --as alice --nonce abc --timestamp 1700000000 GET /rest/api/2/myself
`

// sign prints the base string and Authorization header of a request.
func (c *cli) sign(ctx context.Context, args []string) error {
	fs := newFlagSet("sign", signSynopsis, signExamples, c.stderr)
	config := configFlag(fs)
	linkName := fs.String("link", "", "sign as the link `NAME` (or id) signs, instead of --consumer-key and --key or --secret-env")
	user := fs.String("as", "", "with --link: act as `USER` (their stored token for 3LO; 2LOi names them)")
	authName := fs.String("auth", "auto", "with --link: `auto`, 3lo, 2loi or 2lo")
	asJSON := c.jsonFlag(fs, "print baseString and authorization (and with --link auth) as JSON")
	keyFile := fs.String("key", "", "RSA private key `FILE` (PEM or OpenSSH): RSA-SHA1")
	secretEnv := fs.String("secret-env", "", "environment `VAR` holding the consumer secret: HMAC-SHA1")
	consumerKey := fs.String("consumer-key", "", "the consumer `KEY` (required)")
	var token optionalString
	fs.Var(&token, "token", "the oauth_token `T` (\"\" for 2LO; absent for the request-token step)")
	tokenSecretEnv := fs.String("token-secret-env", "", "environment `VAR` holding the token secret")
	callback := fs.String("callback", "", "oauth_callback `URL` (or oob)")
	verifier := fs.String("verifier", "", "oauth_verifier `V`")
	nonce := fs.String("nonce", "", "oauth_nonce `N` (default random)")
	timestamp := fs.String("timestamp", "", "oauth_timestamp `TS` in Unix seconds (default now)")
	var headers, forms listFlag
	fs.Var(&headers, "H", "header `'K: V'` (repeatable)")
	data := fs.String("d", "", "request body `DATA` (form-encoded unless -H sets a Content-Type)")
	fs.Var(&forms, "form", "form parameter `k=v` (repeatable; signed)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return usagef(fs, "want METHOD URL, got %s", plural(len(pos), "argument"))
	}
	if *linkName != "" {
		for _, f := range []string{"key", "secret-env", "consumer-key", "token", "token-secret-env", "callback", "verifier"} {
			if flagSet(fs, f) {
				return usagef(fs, "--%s does not go with --link: the link's own credentials and the user's stored token are used", f)
			}
		}
		if *data != "" && len(forms) > 0 {
			return usagef(fs, "give -d or --form, not both")
		}
		return c.signAsLink(ctx, fs, signLinkArgs{json: *asJSON, config: *config, link: *linkName, user: *user, auth: *authName, timestamp: *timestamp, nonce: *nonce,
			method: strings.ToUpper(pos[0]), path: pos[1], headers: headers, data: *data, forms: forms})
	}
	if flagSet(fs, "as") || flagSet(fs, "auth") {
		return usagef(fs, "--as and --auth need --link")
	}
	if *consumerKey == "" {
		return usagef(fs, "--consumer-key is required")
	}
	if (*keyFile == "") == (*secretEnv == "") {
		return usagef(fs, "give exactly one of --key FILE (RSA-SHA1) and --secret-env VAR (HMAC-SHA1)")
	}
	if *data != "" && len(forms) > 0 {
		return usagef(fs, "give -d or --form, not both")
	}
	u, err := url.Parse(pos[1])
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usagef(fs, "URL %q is not an absolute http(s) URL", pos[1])
	}
	method := strings.ToUpper(pos[0])

	var m signer.Method
	if *keyFile != "" {
		pem, err := fileread.ReadFile(*keyFile, fileread.MaxKeySize)
		if err != nil {
			return fmt.Errorf("reading the private key: %v: check the --key path", err)
		}
		key, err := signer.ParsePrivateKey(pem)
		if err != nil {
			return fmt.Errorf("private key %s: %w", *keyFile, err)
		}
		if m, err = signer.NewRSASHA1(key); err != nil {
			return err
		}
	} else {
		secret, err := c.secretFromEnv(fs, "--secret-env", *secretEnv)
		if err != nil {
			return err
		}
		if m, err = signer.NewHMACSHA1(secret); err != nil {
			return err
		}
	}
	s, err := signer.New(*consumerKey, m)
	if err != nil {
		return err
	}

	p := signer.Params{OmitToken: !token.set, Callback: *callback, Verifier: signer.NewSecret(*verifier), Nonce: *nonce}
	if token.set {
		tokenSecret := ""
		if *tokenSecretEnv != "" {
			if tokenSecret, err = c.secretFromEnv(fs, "--token-secret-env", *tokenSecretEnv); err != nil {
				return err
			}
		}
		p.Token = signer.NewToken(token.value, tokenSecret)
	} else if *tokenSecretEnv != "" {
		return usagef(fs, "--token-secret-env needs --token")
	}
	if *timestamp != "" {
		ts, err := strconv.ParseInt(*timestamp, 10, 64)
		if err != nil || ts <= 0 {
			return usagef(fs, "--timestamp %q is not a Unix time in seconds", *timestamp)
		}
		p.Timestamp = time.Unix(ts, 0)
	}

	req, err := buildRequest(fs, method, u, headers, *data, forms)
	if err != nil {
		return err
	}
	if err := s.Sign(req, p); err != nil {
		return err
	}
	base, err := signer.BaseString(req)
	if err != nil {
		return err
	}
	return c.printSigned(*asJSON, base, req.Header.Get("Authorization"), "")
}

// buildRequest makes an unsent request with headers and a body (-d data or
// --form pairs; form-encoded unless a Content-Type header says otherwise).
func buildRequest(fs flagSetNamer, method string, u *url.URL, headers []string, data string, forms []string) (*http.Request, error) {
	body := data
	if len(forms) > 0 {
		v := url.Values{}
		for _, f := range forms {
			k, val, ok := splitPair(f)
			if !ok {
				return nil, &usageError{cmd: fs.Name(), msg: fmt.Sprintf("--form %q is not k=v", f)}
			}
			v.Add(k, val)
		}
		body = v.Encode()
	}
	req, err := http.NewRequest(method, u.String(), strings.NewReader(body))
	if err != nil {
		return nil, &usageError{cmd: fs.Name(), msg: fmt.Sprintf("method %q: %v", method, err)}
	}
	for _, h := range headers {
		k, v, ok := splitHeader(h)
		if !ok {
			return nil, &usageError{cmd: fs.Name(), msg: fmt.Sprintf("-H %q is not 'Key: Value'", h)}
		}
		req.Header.Add(k, v)
	}
	if body != "" && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return req, nil
}

// flagSetNamer is what buildRequest needs of a flag set.
type flagSetNamer interface{ Name() string }

// secretFromEnv reads a secret from the environment variable named by flag.
func (c *cli) secretFromEnv(fs flagSetNamer, flag, name string) (string, error) {
	v := c.getenv(name)
	if v == "" {
		return "", &usageError{cmd: fs.Name(), msg: fmt.Sprintf("%s %s: the environment variable is empty or unset: export it first", flag, name)}
	}
	return v, nil
}
