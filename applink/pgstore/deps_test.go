package pgstore

import (
	"os/exec"
	"strings"
	"testing"
)

// TestOnlyThisPackageNeedsPgx: a program that uses applink without
// PostgreSQL does not link pgx; only this package (and what uses it: the
// command, examples/fleet) does.
func TestOnlyThisPackageNeedsPgx(t *testing.T) {
	t.Parallel()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH")
	}
	for _, pkg := range []string{"../", "../applinktest", "../storetest", "../../signer", "../../handler"} {
		out, err := exec.CommandContext(t.Context(), goTool, "list", "-deps", "-f", "{{.ImportPath}}", pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			if strings.HasPrefix(dep, "github.com/jackc/") {
				t.Errorf("%s depends on %s", pkg, dep)
			}
		}
	}
}

// TestStoresNeedOnlyTokenPackage: the stores (this one, sealed and
// filestore) and their conformance suite build on applink/token alone. They do not import applink (the client),
// so a program that only keeps tokens links neither golang.org/x/oauth2 nor
// go-retryablehttp.
func TestStoresNeedOnlyTokenPackage(t *testing.T) {
	t.Parallel()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH")
	}
	const client = "github.com/go-applinks/applinks/applink"
	for _, pkg := range []string{".", "../sealed", "../storetest", "../token", "../filestore"} {
		out, err := exec.CommandContext(t.Context(), goTool, "list", "-deps", "-f", "{{.ImportPath}}", pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
		deps := strings.Fields(string(out))
		if len(deps) < 5 {
			t.Fatalf("go list -deps %s listed only %v: is the listing broken?", pkg, deps)
		}
		for _, dep := range deps {
			switch {
			case dep == client:
				t.Errorf("%s imports %s: it must need only applink/token", pkg, client)
			case strings.HasPrefix(dep, "golang.org/x/oauth2"), strings.HasPrefix(dep, "github.com/hashicorp/"):
				t.Errorf("%s depends on %s", pkg, dep)
			}
		}
	}
}
