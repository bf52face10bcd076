//go:build unix

package fileread

import "syscall"

// openFlags makes opening a named pipe return at once instead of waiting
// for a writer; it changes nothing for a regular file.
const openFlags = syscall.O_NONBLOCK
