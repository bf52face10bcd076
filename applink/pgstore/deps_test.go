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
