// Package config reads and writes the config file of the applink command,
// and opens what it describes, so that a program of your own shares the
// command's links and tokens.
//
// A config is a JSON file with the links and where their users' tokens are
// kept:
//
//	{"links": [{"id": "…", "name": "Jira", "type": "jira", "rpcUrl": "https://jira.internal:8080",
//	            "consumerKey": "automation", "privateKeyFile": "automation.pem", "auth": ["3lo", "2loi"]}],
//	 "tokenStore": "postgres://db.internal/applink"}
//
// Keys and secrets stay in their own files or environment variables: the
// config only names them, and [Config.Save] refuses a link whose
// credentials were given in code, and a token store URL with a password.
//
// # Quick start
//
//	svc, err := config.Open(ctx, "", config.WithPrimary(applink.TypeJira),
//		config.WithTokenStoreOpener("postgres", pgstore.Open))
//	if err != nil { ... }
//	defer svc.Close()
//
// [Open] is the one way from a config file to an [applink.Service]; [Load]
// and [Config.Save] read and write the file itself (the applink command's
// link add does). [DefaultPath] and [DefaultTokenPath] are where the
// command keeps them.
//
// # Errors
//
// Problems in a file are *[applink.FieldError]s naming the file, the link
// and the field (errors.As), joined when there are several; a missing file
// wraps fs.ErrNotExist; a password in a tokenStore URL wraps
// [ErrPasswordInConfig].
//
// # Concurrency
//
// A [Config] is a plain value: do not change one while another goroutine
// reads it. [Open] may be called concurrently.
//
// # Security
//
// [Config.Save] writes the file with mode 0600 atomically. Secrets never
// appear in a config, in an error or in fmt output of a [Config].
package config
