module github.com/go-applinks/applinks

go 1.26.0

require (
	github.com/dghubble/oauth1 v0.7.3
	github.com/google/go-cmp v0.7.0
	github.com/hashicorp/go-retryablehttp v0.7.8
	golang.org/x/crypto v0.59.0
	golang.org/x/oauth2 v0.38.0
)

require (
	github.com/hashicorp/go-cleanhttp v0.5.2 // indirect
	golang.org/x/sys v0.50.0 // indirect
)
