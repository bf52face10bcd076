package applink

import (
	"strings"
	"testing"
)

func TestMemoryTokenStoreString(t *testing.T) {
	t.Parallel()
	s := NewMemoryTokenStore()
	if err := s.PutAccessToken(t.Context(), TokenKey{"l", "u"}, NewAccessToken("t", "s")); err != nil {
		t.Fatal(err)
	}
	if got, want := s.String(), "MemoryTokenStore(1 access tokens, 0 request tokens)"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got := s.GoString(); !strings.HasPrefix(got, "MemoryTokenStore(") {
		t.Errorf("GoString() = %q", got)
	}
}
