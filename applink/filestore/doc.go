// Package filestore is a token store ([token.Store]) that keeps users'
// tokens in one JSON file, the default of the applink command
// (~/.config/applink/tokens.json): [Open] it with the file's path.
//
// The file holds secrets: it is written with mode 0600 and refused when
// other users may read it ([*PermissionError]). Changes are atomic and
// locked, so the processes of one host can share a file as the replicas of
// one application: the store is also a [token.Locker] (one lock file per
// key), a [token.Swapper] and a [token.DanceStore]. A file is at most
// [MaxFileSize] ([*TooLargeError]); beyond tens of thousands of users, use
// applink/pgstore.
//
// It imports applink/token and the module's internal packages only.
//
// # Errors
//
//	s, err := filestore.Open(path)
//	var perm *filestore.PermissionError
//	if errors.As(err, &perm) {
//		// run the chmod the error names
//	}
//
// # Concurrency
//
// A Store is safe for concurrent use, also by several processes on one
// file. Reads need no lock; every write re-reads the file under an
// exclusive lock.
//
// # Testing
//
// applink/storetest's Run and RunReplicas hold it to the store contract.
package filestore
