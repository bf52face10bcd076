// Package fileread opens and reads files that must be regular files of a
// bounded size: config, key, secret and token files. It never blocks on a
// named pipe (FIFO) or a device, and never reads more than a limit, so a
// mistaken path (/dev/zero, a FIFO, a directory) fails at once with an
// error naming the file, instead of hanging or exhausting memory.
package fileread

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"strings"
)

// MaxKeySize bounds a key or secret file: a PEM RSA key of 16384 bits
// is under 13 KiB.
const MaxKeySize = 1 << 20

// NotRegularError reports a path that is not a regular file.
type NotRegularError struct {
	// Path is the file.
	Path string
	// Mode is its type and permission bits.
	Mode fs.FileMode
}

// Error names the file and what it is.
func (e *NotRegularError) Error() string {
	return fmt.Sprintf("%s is %s, not a regular file", e.Path, Describe(e.Mode))
}

// TooLargeError reports a file larger than a reader accepts.
type TooLargeError struct {
	// Path is the file.
	Path string
	// Limit is the largest size accepted, in bytes.
	Limit int64
}

// Error names the file and the limit.
func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s is larger than %s", e.Path, Size(e.Limit))
}

// Describe says what kind of file a mode is: "a directory", "a named pipe
// (FIFO)", ...
func Describe(m fs.FileMode) string {
	switch t := m.Type(); {
	case t == 0:
		return "a regular file"
	case t&fs.ModeDir != 0:
		return "a directory"
	case t&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case t&fs.ModeSocket != 0:
		return "a socket"
	case t&fs.ModeCharDevice != 0:
		return "a character device"
	case t&fs.ModeDevice != 0:
		return "a device"
	case t&fs.ModeSymlink != 0:
		return "a symbolic link"
	default:
		return "a special file (mode " + m.String() + ")"
	}
}

// Size writes n bytes in MiB or KiB when it is a whole number of them.
func Size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	default:
		return fmt.Sprintf("%d bytes", n)
	}
}

// Open opens path for reading if it is a regular file, and returns the file
// with its information (from the open file, so it describes what was
// opened). The type is checked before opening, and the file is opened in
// non-blocking mode where the platform has one, so a named pipe put in its
// place meanwhile cannot make the open hang; it is then checked again on
// the open file. Errors from the file system wrap the fs error (errors.Is
// finds fs.ErrNotExist); a path that is not a regular file is a
// *NotRegularError.
func Open(path string) (*os.File, fs.FileInfo, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, nil, &NotRegularError{Path: path, Mode: fi.Mode()}
	}
	return openRegular(path)
}

// openRegular is Open without the check before opening: the file is
// opened without blocking and checked on the open file.
func openRegular(path string) (*os.File, fs.FileInfo, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|openFlags, 0)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, nil, &NotRegularError{Path: path, Mode: fi.Mode()}
	}
	return f, fi, nil
}

// ReadFile reads the regular file at path, refusing with a *TooLargeError
// one larger than limit bytes (it reads at most limit+1 bytes to tell), and
// with a *NotRegularError anything that is not a regular file.
func ReadFile(path string, limit int64) ([]byte, error) {
	f, fi, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Read(f, fi, path, limit)
}

// Read reads the file f opened by [Open], at most limit bytes, refusing a
// larger one with a *TooLargeError.
func Read(f *os.File, fi fs.FileInfo, path string, limit int64) ([]byte, error) {
	if fi.Size() > limit {
		return nil, &TooLargeError{Path: path, Limit: limit}
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, &TooLargeError{Path: path, Limit: limit}
	}
	return data, nil
}

// ShellQuote quotes s for a POSIX shell if it needs quoting, for the
// commands an error message tells the user to run (chmod 600 'my file').
func ShellQuote(s string) string {
	safe := s != ""
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-+=:,@%", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// MaxSecretSize bounds a file holding one secret (a client secret, a
// personal access token, a keyring): a secret is a few dozen bytes.
const MaxSecretSize = 64 << 10

// ReadSecret reads a file holding a secret (what names it for messages:
// "the client secret"), as [ReadFile] reads it with limit, and refuses,
// outside Windows, one that other users can access: mode 0600 or stricter,
// the rule of token and keyring files. Its errors say what to do and never
// quote the file.
func ReadSecret(path, what string, limit int64) ([]byte, error) {
	f, fi, err := Open(path)
	if err != nil {
		var nr *NotRegularError
		if errors.As(err, &nr) {
			return nil, fmt.Errorf("%w: put %s in a regular file", err, what)
		}
		return nil, err
	}
	defer f.Close()
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%s has mode %04o, so other users may read %s; run: chmod 600 %s",
			path, uint32(fi.Mode().Perm()), what, ShellQuote(path))
	}
	data, err := Read(f, fi, path, limit)
	var tooLarge *TooLargeError
	if errors.As(err, &tooLarge) {
		return nil, fmt.Errorf("%w: it should hold %s alone", err, what)
	}
	return data, err
}
