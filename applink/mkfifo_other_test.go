//go:build !unix

package applink

import "errors"

// mkfifo fails: the platform has no named pipes in the file system.
func mkfifo(string) error { return errors.New("no named pipes on this platform") }
