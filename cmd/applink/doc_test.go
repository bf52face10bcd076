package main

import (
	"go/parser"
	"go/token"
	"strings"
	"testing"
)

// TestPackageDocNamesBothProtocols: "go doc ./cmd/applink" tells a reader
// that the command speaks OAuth 2.0 as well as OAuth 1.0a.
func TestPackageDocNamesBothProtocols(t *testing.T) {
	t.Parallel()
	f, err := parser.ParseFile(token.NewFileSet(), "main.go", nil, parser.ParseComments|parser.PackageClauseOnly)
	if err != nil {
		t.Fatal(err)
	}
	doc := f.Doc.Text()
	for _, want := range []string{"OAuth 1.0a", "OAuth 2.0", "applink help"} {
		if !strings.Contains(strings.Join(strings.Fields(doc), " "), want) {
			t.Errorf("package doc does not mention %q:\n%s", want, doc)
		}
	}
}
