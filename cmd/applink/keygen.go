package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/go-applinks/applinks/signer"
)

const keygenSynopsis = `[--bits 2048] [--out DIR] [--name NAME] [--force] [--json]

Generates an RSA key pair for a link. Writes the private key to DIR/NAME.pem
(mode 0600) and the public key to DIR/NAME.pub.pem, and prints the public key
on the first line of standard output in the one-line Base64 form Atlassian's
"Incoming Authentication" form (and Jenkins) expect, then a PEM copy.
DIR defaults to the config file's directory. With --json, standard output
is one JSON object: publicKey (the one-line form), publicKeyPem,
privateKeyFile and publicKeyFile.`

const keygenExamples = `  applink keygen
  applink keygen --out ./keys --name jira-automation
  applink link add jira --url https://jira.example.com --type jira --consumer-key automation --private-key ./keys/jira-automation.pem
`

// keygen writes a new key pair and prints the public key.
func (c *cli) keygen(_ context.Context, args []string) error {
	fs := newFlagSet("keygen", keygenSynopsis, keygenExamples, c.stderr)
	config := configFlag(fs)
	bits := fs.Int("bits", 2048, "RSA key size in `bits` (1024 or more; 2048 or more recommended)")
	out := fs.String("out", "", "directory to write the keys to (default the config file's directory)")
	name := fs.String("name", "applink", "file `NAME` of the keys, without extension")
	force := fs.Bool("force", false, "overwrite existing key files")
	asJSON := c.jsonFlag(fs, "print the public key and the files as JSON")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if *bits < signer.MinKeyBits {
		return usagef(fs, "--bits %d is below %d", *bits, signer.MinKeyBits)
	}
	if *name == "" || filepath.Base(*name) != *name {
		return usagef(fs, "--name %q must be a plain file name", *name)
	}
	dir := *out
	if dir == "" {
		p, err := configPath(*config, c.getenv)
		if err != nil {
			return err
		}
		dir = filepath.Dir(p)
	}
	privPath := filepath.Join(dir, *name+".pem")
	pubPath := filepath.Join(dir, *name+".pub.pem")
	if !*force {
		for _, p := range []string{privPath, pubPath} {
			if _, err := os.Stat(p); err == nil {
				return fmt.Errorf("%s already exists: pass --force to replace it (links that use it will stop working), or choose another --name", p)
			}
		}
	}

	key, err := signer.GenerateKey(*bits)
	if err != nil {
		return err
	}
	privPEM, err := signer.EncodePrivateKeyPEM(key)
	if err != nil {
		return err
	}
	pubPEM, err := signer.EncodePublicKeyPEM(&key.PublicKey)
	if err != nil {
		return err
	}
	oneLine, err := signer.EncodePublicKey(&key.PublicKey)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating %s: %v: choose another --out", dir, err)
	}
	if err := writeFileMode(privPath, privPEM, 0o600); err != nil {
		return err
	}
	if err := writeFileMode(pubPath, pubPEM, 0o644); err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(c.stdout, generatedKey{PublicKey: oneLine, PublicKeyPEM: string(pubPEM), PrivateKeyFile: privPath, PublicKeyFile: pubPath})
	}
	fmt.Fprintln(c.stdout, oneLine)
	fmt.Fprintln(c.stdout)
	fmt.Fprint(c.stdout, string(pubPEM))
	fmt.Fprintf(c.stderr, "wrote the private key to %s (mode 0600; keep it secret) and the public key to %s\n", privPath, pubPath)
	fmt.Fprintln(c.stderr, "paste the first line above into the remote's incoming authentication (public key), then run 'applink link add ... --private-key "+shellQuote(privPath)+"'")
	return nil
}

// generatedKey is the output of "keygen --json": never the private key.
type generatedKey struct {
	PublicKey      string `json:"publicKey"` // Base64 SubjectPublicKeyInfo, as Atlassian's forms take it
	PublicKeyPEM   string `json:"publicKeyPem"`
	PrivateKeyFile string `json:"privateKeyFile"`
	PublicKeyFile  string `json:"publicKeyFile"`
}

// writeFileMode writes data to path with exactly mode perm, replacing the
// file if it exists (its old mode does not survive).
func writeFileMode(path string, data []byte, perm fs.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return fmt.Errorf("writing %s: %v: check the directory's permissions", path, err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	err = errors.Join(tmp.Chmod(perm), writeAll(tmp, data), tmp.Sync(), tmp.Close())
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("writing %s: %v: check the directory's permissions and free space", path, err)
	}
	return nil
}

func writeAll(f *os.File, data []byte) error {
	_, err := f.Write(data)
	return err
}
