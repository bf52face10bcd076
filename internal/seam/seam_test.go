package seam

import (
	"errors"
	"strings"
	"testing"
)

// TestViewRegistration: before package applink registers its functions,
// View says so instead of panicking; after, it calls what was registered.
// (Not parallel: it sets the package's registration.)
func TestViewRegistration(t *testing.T) {
	if _, err := View("a link"); err == nil || !strings.Contains(err.Error(), "registered no link view") {
		t.Fatalf("View before Register: %v, want the missing registration named", err)
	}
	unbound := errors.New("not bound")
	want := &Link{UserAgent: "test"}
	Register(Funcs{Link: func(link any) (*Link, error) {
		if link == "bound" {
			return want, nil
		}
		return nil, unbound
	}})
	t.Cleanup(func() { Register(Funcs{}) })
	if got, err := View("bound"); err != nil || got != want {
		t.Errorf("View(bound) = %v, %v; want the registered view", got, err)
	}
	if _, err := View("other"); !errors.Is(err, unbound) {
		t.Errorf("View(other) = %v, want the registered function's error", err)
	}
}
