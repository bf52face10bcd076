package filestore

// The file store's read cache: the tokens of the file as last read or
// written, used again while the file is provably the same.

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"github.com/go-applinks/applinks/applink/token"
	"io/fs"
	"sync"
)

// fileStamp identifies one version of the token file by what its
// directory entry and inode say: size, modification time, and where the
// platform reports them inode, device and change time. A writer replaces
// the file by rename, so each write makes a new inode.
type fileStamp struct {
	size       int64
	modNanos   int64
	ino, dev   uint64
	ctimeNanos int64
}

// stampOf returns the stamp of fi.
func stampOf(fi fs.FileInfo) fileStamp {
	st := fileStamp{size: fi.Size(), modNanos: fi.ModTime().UnixNano()}
	st.ino, st.dev, st.ctimeNanos = sysStamp(fi)
	return st
}

// generationHeadLen is how much of the file load reads to find the
// generation; encodeTokenFile puts it within the first 60 bytes.
const generationHeadLen = 128

// generationPrefix is how a file written by encodeTokenFile begins, up to
// the generation's value.
var generationPrefix = []byte("{\n  \"version\": 1,\n  \"generation\": \"")

// newGeneration returns a fresh random generation: 128 bits in hex.
func newGeneration() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}

// parseGeneration returns the generation at the start of a token file
// written by encodeTokenFile, or "" (a file from an older version, or
// edited by hand: it is then parsed every time until the next write).
func parseGeneration(head []byte) string {
	rest, ok := bytes.CutPrefix(head, generationPrefix)
	if !ok || len(rest) < 33 || rest[32] != '"' {
		return ""
	}
	for _, c := range rest[:32] {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return ""
		}
	}
	return string(rest[:32])
}

// tokenCache is the tokens of the token file as last read or written,
// with the file's stamp and generation then. The set is never changed once
// cached: readers share it, writers clone it. The zero value is empty.
type tokenCache struct {
	mu    sync.Mutex
	stamp fileStamp
	gen   string
	set   *token.Set
}

// lookup returns the cached set if stamp and gen are those of the file it
// came from, else nil. A file without a generation never matches.
func (c *tokenCache) lookup(stamp fileStamp, gen string) *token.Set {
	if gen == "" {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.set == nil || c.gen != gen || c.stamp != stamp {
		return nil
	}
	return c.set
}

// store caches set as the tokens of the file with stamp and gen; a nil set
// or an empty gen empties the cache.
func (c *tokenCache) store(stamp fileStamp, gen string, set *token.Set) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if set == nil || gen == "" {
		c.stamp, c.gen, c.set = fileStamp{}, "", nil
		return
	}
	c.stamp, c.gen, c.set = stamp, gen, set
}
