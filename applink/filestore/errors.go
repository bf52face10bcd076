package filestore

import (
	"fmt"
	"io/fs"

	"github.com/go-applinks/applinks/internal/fileread"
)

// PermissionError is returned by [Store] when the token file
// may be read or written by users other than its owner. The file holds
// token secrets, so the store refuses it; the message gives the chmod
// command to run.
type PermissionError struct {
	// Path is the token file.
	Path string
	// Mode is its permission bits.
	Mode fs.FileMode
}

// Error says what is wrong and how to fix it.
func (e *PermissionError) Error() string {
	return fmt.Sprintf("applink: token file %s has mode %04o, so other users may access the token secrets in it; run: chmod 600 %s",
		e.Path, uint32(e.Mode.Perm()), fileread.ShellQuote(e.Path))
}

// TooLargeError is returned by [Store] when a change would
// make the token file larger than the store can read back
// ([MaxFileSize]), and when the file found on disk already is (written
// by hand or by an older version). The change is not made and the file is
// left as it was, so no stored token is lost. The file store has reached
// its scale: move the tokens to a database token store such as
// applink/pgstore (PostgreSQL).
type TooLargeError struct {
	// Path is the token file.
	Path string
	// Size is the size in bytes the file would have had (Write) or has.
	Size int64
	// Limit is the largest file the store reads and writes, in bytes.
	Limit int64
	// Write reports that a change was refused; otherwise the file on disk
	// is too large to read.
	Write bool
}

// Error names the file, the limit and what to do.
func (e *TooLargeError) Error() string {
	if e.Write {
		return fmt.Sprintf("applink: token file %s would grow to %d bytes, more than the file token store's limit of %s, so the change was not saved (the stored tokens are unchanged); use a database token store such as applink/pgstore (PostgreSQL) for this many tokens",
			e.Path, e.Size, fileread.Size(e.Limit))
	}
	return fmt.Sprintf("applink: token file %s is %d bytes, more than the file token store's limit of %s; it was left untouched: move its tokens to a database token store such as applink/pgstore (PostgreSQL)",
		e.Path, e.Size, fileread.Size(e.Limit))
}

// CorruptError is returned by [Store] when the token file
// cannot be parsed. The store leaves the file as it is; move it aside or
// delete it (its tokens are then lost and users authorize again).
type CorruptError struct {
	// Path is the token file.
	Path string
	// Err says what is wrong, never with a token or secret in it.
	Err error
}

// Error names the file and what to do.
func (e *CorruptError) Error() string {
	return fmt.Sprintf("applink: token file %s is corrupt (%v); it was left untouched: move it aside or delete it", e.Path, e.Err)
}

// Unwrap returns Err.
func (e *CorruptError) Unwrap() error { return e.Err }
