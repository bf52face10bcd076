//go:build darwin || freebsd || netbsd

package filestore

import (
	"io/fs"
	"syscall"
)

// sysStamp returns the inode, device and change time of fi.
func sysStamp(fi fs.FileInfo) (ino, dev uint64, ctimeNanos int64) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, 0
	}
	return uint64(st.Ino), uint64(st.Dev), st.Ctimespec.Nano()
}
