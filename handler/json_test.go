package handler

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

type user struct {
	Name   string `json:"name"`
	Active bool   `json:"active"`
}

func TestJSON(t *testing.T) {
	t.Parallel()
	huge := `{"name":"` + strings.Repeat("x", 2000) + `"}`
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		opts        []Option
		accept      []int // AcceptingStatuses(h, accept...) when set
		all         bool  // AcceptingAllStatuses(h)
		want        user
		wantErr     any    // pointer to the error type errors.As must find; nil: no error
		wantIs      error  // errors.Is target, when set
		wantMsg     string // substring of the message, when set
	}{
		{name: "ok", status: 200, contentType: "application/json", body: `{"name":"bob","active":true}`, want: user{"bob", true}},
		{name: "charset", status: 200, contentType: "application/json; charset=UTF-8", body: `{"name":"bob"}`, want: user{Name: "bob"}},
		{name: "plus json", status: 200, contentType: "application/vnd.api+json", body: `{"name":"bob"}`, want: user{Name: "bob"}},
		{name: "no content type", status: 200, body: `{"name":"bob"}`, want: user{Name: "bob"}},
		{name: "unknown field lenient", status: 200, contentType: "application/json", body: `{"name":"bob","extra":1}`, want: user{Name: "bob"}},
		{name: "unknown field strict", status: 200, contentType: "application/json", body: `{"name":"bob","extra":1}`,
			opts: []Option{Strict()}, wantErr: new(*DecodeError), wantMsg: `unknown field "extra"`},
		{name: "html refused", status: 200, contentType: "text/html; charset=utf-8", body: "<html><title>Log in</title></html>",
			wantErr: new(*DecodeError), wantMsg: "got an HTML page"},
		{name: "html body start shown", status: 200, contentType: "text/html", body: "<html>\n\n<title>Log in</title></html>",
			wantErr: new(*DecodeError), wantMsg: "body starts: <html> <title>Log in</title></html>"},
		{name: "not json", status: 200, contentType: "text/plain", body: "Service Unavailable",
			wantErr: new(*DecodeError), wantMsg: "body starts: Service Unavailable"},
		{name: "secret in body start redacted", status: 200, contentType: "text/plain", body: "oauth_token=t&oauth_token_secret=s3cr3t",
			wantErr: new(*DecodeError), wantMsg: "oauth_token_secret=REDACTED"},
		{name: "truncated", status: 200, contentType: "application/json", body: `{"name":"bo`,
			wantErr: new(*DecodeError), wantIs: io.ErrUnexpectedEOF, wantMsg: "truncated body"},
		{name: "trailing data", status: 200, contentType: "application/json", body: `{"name":"bob"} {"name":"eve"}`,
			wantErr: new(*DecodeError), wantMsg: "data after the JSON value"},
		{name: "trailing garbage", status: 200, contentType: "application/json", body: `{"name":"bob"}<`,
			wantErr: new(*DecodeError)},
		{name: "trailing space", status: 200, contentType: "application/json", body: "{\"name\":\"bob\"}\n\n", want: user{Name: "bob"}},
		{name: "empty", status: 200, contentType: "application/json", body: "", wantErr: new(*DecodeError), wantMsg: "handler.AllowEmpty()"},
		{name: "blank", status: 200, contentType: "application/json", body: "  \n", wantErr: new(*DecodeError), wantMsg: "empty body"},
		{name: "empty allowed", status: 200, contentType: "application/json", body: "", opts: []Option{AllowEmpty()}},
		{name: "204", status: 204, wantErr: new(*DecodeError), wantMsg: "empty body"},
		{name: "204 allowed", status: 204, opts: []Option{AllowEmpty()}},
		{name: "huge", status: 200, contentType: "application/json", body: huge, opts: []Option{MaxBytes(1024)},
			wantErr: new(*TooLargeError), wantMsg: "1024 bytes"},
		{name: "exactly the limit", status: 200, contentType: "application/json", body: `{"name":"bob"}`,
			opts: []Option{MaxBytes(int64(len(`{"name":"bob"}`)))}, want: user{Name: "bob"}},
		{name: "no limit", status: 200, contentType: "application/json", body: huge, opts: []Option{MaxBytes(0)},
			want: user{Name: strings.Repeat("x", 2000)}},
		{name: "404 refused", status: 404, contentType: "application/json", body: `{"errorMessages":["nope"]}`,
			wantErr: new(*ResponseError), wantMsg: "404 Not Found"},
		{name: "404 accepted", status: 404, contentType: "application/json", body: `{"name":"ghost"}`,
			accept: []int{200, 404}, want: user{Name: "ghost"}},
		{name: "200 not in accepted codes", status: 200, contentType: "application/json", body: `{"name":"bob"}`,
			accept: []int{201}, wantErr: new(*ResponseError)},
		{name: "500 all statuses", status: 500, contentType: "application/json", body: `{"name":"x"}`,
			all: true, want: user{Name: "x"}},
		{name: "nil option ignored", status: 200, contentType: "application/json", body: `{"name":"bob"}`,
			opts: []Option{nil}, want: user{Name: "bob"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := serve(t, reply(tt.status, tt.contentType, tt.body))
			h := JSON[user](tt.opts...)
			if tt.all {
				h = AcceptingAllStatuses(h)
			} else if tt.accept != nil {
				h = AcceptingStatuses(h, tt.accept...)
			}
			got, err := Handle(get(t, srv, "/rest/api/2/myself"), h)
			checkErr(t, err, tt.wantErr, tt.wantIs, tt.wantMsg)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("result mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// checkErr checks err against the expectations of a table case: wantErr a
// pointer to the error type errors.As must find (nil: err must be nil),
// wantIs an errors.Is target, wantMsg a substring of the message.
func checkErr(t *testing.T, err error, wantErr any, wantIs error, wantMsg string) {
	t.Helper()
	if wantErr == nil {
		if err != nil {
			t.Fatalf("error: %v, want none", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("no error, want %T", wantErr)
	}
	if !errors.As(err, wantErr) {
		t.Errorf("error %q (%T) is not a %T", err, err, wantErr)
	}
	if wantIs != nil && !errors.Is(err, wantIs) {
		t.Errorf("error %q is not %v", err, wantIs)
	}
	if !strings.Contains(err.Error(), wantMsg) {
		t.Errorf("error %q does not say %q", err, wantMsg)
	}
	if strings.Contains(err.Error(), "oauth_token=tok") || strings.Contains(err.Error(), "s3cr3t") {
		t.Errorf("error %q leaks a secret", err)
	}
	if strings.ContainsAny(err.Error(), "\n\r") {
		t.Errorf("error %q is not one line", err)
	}
}

func TestJSONDecodeErrorFields(t *testing.T) {
	t.Parallel()
	srv := serve(t, reply(200, "text/html", "<html>login</html>"))
	_, err := Handle(get(t, srv, "/x?oauth_token=tok"), JSON[user]())
	var de *DecodeError
	if !errors.As(err, &de) {
		t.Fatalf("error %v is not a *DecodeError", err)
	}
	want := &DecodeError{
		Format: "JSON", Method: http.MethodGet, URL: srv.URL + "/x?oauth_token=REDACTED",
		StatusCode: 200, ContentType: "text/html", Prefix: []byte("<html>login</html>"),
	}
	if diff := cmp.Diff(want, de, cmp.AllowUnexported(DecodeError{}), cmp.FilterPath(func(p cmp.Path) bool {
		return p.Last().String() == ".reason"
	}, cmp.Ignore())); diff != "" {
		t.Errorf("DecodeError mismatch (-want +got):\n%s", diff)
	}
	if de.Unwrap() != nil {
		t.Errorf("Unwrap = %v, want nil for a refused content type", de.Unwrap())
	}
	if got := (&DecodeError{Format: "JSON"}).GoString(); strings.Contains(got, "Prefix") {
		t.Errorf("GoString = %q shows fields", got)
	}
}

// A handler called directly, not through Handle, still refuses statuses it
// does not accept.
func TestBuiltinsCheckStatusDirectly(t *testing.T) {
	t.Parallel()
	handlers := map[string]func(*http.Response) error{
		"JSON":    func(r *http.Response) error { _, err := JSON[user]().Handle(r); return err },
		"XML":     func(r *http.Response) error { _, err := XML[user]().Handle(r); return err },
		"String":  func(r *http.Response) error { _, err := String().Handle(r); return err },
		"Bytes":   func(r *http.Response) error { _, err := Bytes().Handle(r); return err },
		"Discard": func(r *http.Response) error { _, err := Discard().Handle(r); return err },
		"CopyTo":  func(r *http.Response) error { _, err := CopyTo(io.Discard).Handle(r); return err },
		"Status":  func(r *http.Response) error { _, err := Status(200).Handle(r); return err },
	}
	for name, h := range handlers {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			err := h(memResponse(t, 500, "text/plain", io.NopCloser(strings.NewReader("boom"))))
			var re *ResponseError
			if !errors.As(err, &re) || re.StatusCode != 500 {
				t.Errorf("error %v, want a *ResponseError with status 500", err)
			}
			if err := h(nil); err == nil {
				t.Error("nil response: no error")
			}
		})
	}
}
