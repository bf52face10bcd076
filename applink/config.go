package applink

// Config is the content of a config file: the links of a [Service].
//
//	{"links": [{"id": "…", "name": "Jira", "type": "jira", "rpcUrl": "https://jira.internal:8080",
//	            "consumerKey": "automation", "privateKeyFile": "automation.pem", "auth": ["3lo", "2loi"]}]}
type Config struct {
	Links []Link `json:"links"`
}

// LoadConfig reads a config file. Unknown fields are errors; every link is
// validated; relative key and secret file paths are made relative to the
// file's directory. Problems are *[FieldError]s naming the file, the link and
// the field (errors.As), joined when there are several.
func LoadConfig(path string) (*Config, error) { return nil, errNotImplemented }

// Save writes the config to path atomically with mode 0600, creating its
// directory (0700) if needed. Credentials given in code (WithPrivateKey,
// WithSecret) are never written; a link that has no file or environment
// source for its credentials is an error.
func (c *Config) Save(path string) error { return errNotImplemented }
