//go:build !unix

package fileread

// openFlags is empty where there is no O_NONBLOCK; Open's type check
// before opening is what keeps it from blocking there.
const openFlags = 0
