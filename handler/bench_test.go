package handler

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

type issue struct {
	ID     string `json:"id"`
	Key    string `json:"key"`
	Self   string `json:"self"`
	Fields struct {
		Summary     string   `json:"summary"`
		Description string   `json:"description"`
		Labels      []string `json:"labels"`
		Status      struct {
			Name string `json:"name"`
		} `json:"status"`
	} `json:"fields"`
}

// body1KiB is a Jira-like issue of exactly 1 KiB.
func body1KiB(tb testing.TB) []byte {
	tb.Helper()
	head := `{"id":"10001","key":"ABC-1","self":"https://jira.example.com/rest/api/2/issue/10001","fields":{"summary":"A summary","labels":["a","b","c"],"status":{"name":"Open"},"description":"`
	tail := `"}}`
	b := []byte(head + strings.Repeat("d", 1024-len(head)-len(tail)) + tail)
	var v issue
	if err := json.Unmarshal(b, &v); err != nil || len(b) != 1024 {
		tb.Fatalf("bad fixture: %d bytes, %v", len(b), err)
	}
	return b
}

// BenchmarkJSON1KiB compares Handle(JSON[T]) on an in-memory 1 KiB response
// with encoding/json.NewDecoder on the same bytes: the difference is what
// this package adds (status check, caps, prefix, drain and close).
func BenchmarkJSON1KiB(b *testing.B) {
	data := body1KiB(b)
	b.Run("encoding_json", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		r := bytes.NewReader(data)
		for b.Loop() {
			r.Reset(data)
			var v issue
			if err := json.NewDecoder(r).Decode(&v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("handler", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		h := JSON[issue]()
		r := bytes.NewReader(data)
		resp := &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}}
		for b.Loop() {
			r.Reset(data)
			resp.Body = io.NopCloser(r)
			if _, err := Handle(resp, h); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestJSON1KiBOverhead keeps the benchmark's fixture honest and checks that
// the handler decodes it as encoding/json does.
func TestJSON1KiBOverhead(t *testing.T) {
	t.Parallel()
	data := body1KiB(t)
	var want issue
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	resp := &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(bytes.NewReader(data))}
	got, err := Handle(resp, JSON[issue]())
	if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Handle = %+v, %v; want %+v", got, err, want)
	}
}

// TestJSON1KiBAllocOverhead is the benchmark's promise made checkable: on a
// 1 KiB body, Handle(JSON[T]) allocates at most a small constant more than
// encoding/json's decoder itself. Not parallel: AllocsPerRun counts every
// allocation in the process.
func TestJSON1KiBAllocOverhead(t *testing.T) {
	const maxExtra = 8
	data := body1KiB(t)
	r := bytes.NewReader(data)
	base := testing.AllocsPerRun(50, func() {
		r.Reset(data)
		var v issue
		if err := json.NewDecoder(r).Decode(&v); err != nil {
			t.Fatal(err)
		}
	})
	h := JSON[issue]()
	resp := &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}}
	got := testing.AllocsPerRun(50, func() {
		r.Reset(data)
		resp.Body = io.NopCloser(r)
		if _, err := Handle(resp, h); err != nil {
			t.Fatal(err)
		}
	})
	if got > base+maxExtra {
		t.Errorf("Handle(JSON) allocates %.0f times per 1 KiB body, encoding/json %.0f: more than %d extra", got, base, maxExtra)
	}
}
