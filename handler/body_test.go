package handler

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

type consumer struct {
	Key       string `xml:"key"`
	Name      string `xml:"name"`
	PublicKey string `xml:"publicKey"`
}

func TestXML(t *testing.T) {
	t.Parallel()
	const info = `<?xml version="1.0" encoding="UTF-8"?><consumer><key>jira:123</key><name>Jira</name><publicKey>MIIB</publicKey></consumer>`
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		opts        []Option
		want        consumer
		wantErr     any
		wantMsg     string
	}{
		{name: "consumer-info", status: 200, contentType: "application/xml", body: info, want: consumer{"jira:123", "Jira", "MIIB"}},
		{name: "text/xml", status: 200, contentType: "text/xml;charset=UTF-8", body: info, want: consumer{"jira:123", "Jira", "MIIB"}},
		{name: "html refused", status: 200, contentType: "text/html", body: "<html><body>Log in</body></html>",
			wantErr: new(*DecodeError), wantMsg: "got an HTML page, not XML"},
		{name: "not xml", status: 200, contentType: "application/json", body: `{"name":"x"}`,
			wantErr: new(*DecodeError), wantMsg: `no XML element in the body (Content-Type "application/json"); body starts: {"name":"x"}`},
		{name: "truncated", status: 200, contentType: "application/xml", body: info[:60], wantErr: new(*DecodeError)},
		{name: "empty", status: 200, contentType: "application/xml", wantErr: new(*DecodeError), wantMsg: "empty body"},
		{name: "empty allowed", status: 200, contentType: "application/xml", opts: []Option{AllowEmpty()}},
		{name: "204 allowed", status: 204, opts: []Option{AllowEmpty()}},
		{name: "huge", status: 200, contentType: "application/xml", body: "<consumer><name>" + strings.Repeat("n", 5000) + "</name></consumer>",
			opts: []Option{MaxBytes(1000)}, wantErr: new(*TooLargeError)},
		{name: "401 refused", status: 401, contentType: "application/xml", body: info, wantErr: new(*ResponseError), wantMsg: "401 Unauthorized"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := serve(t, reply(tt.status, tt.contentType, tt.body))
			got, err := Handle(get(t, srv, "/plugins/servlet/oauth/consumer-info"), XML[consumer](tt.opts...))
			checkErr(t, err, tt.wantErr, nil, tt.wantMsg)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("result mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStringAndBytes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		status  int
		body    string
		opts    []Option
		accept  []int // AcceptingStatuses(h, accept...) when set
		want    string
		wantErr any
	}{
		{name: "text", status: 200, body: "oauth_token=t&oauth_token_secret=s", want: "oauth_token=t&oauth_token_secret=s"},
		{name: "empty", status: 200, body: "", want: ""},
		{name: "204", status: 204, want: ""},
		{name: "at the limit", status: 200, body: strings.Repeat("x", 100), opts: []Option{MaxBytes(100)}, want: strings.Repeat("x", 100)},
		{name: "over the limit", status: 200, body: strings.Repeat("x", 101), opts: []Option{MaxBytes(100)}, wantErr: new(*TooLargeError)},
		{name: "default limit", status: 200, body: strings.Repeat("x", DefaultMaxBytes+1), wantErr: new(*TooLargeError)},
		{name: "refused", status: 500, body: "boom", wantErr: new(*ResponseError)},
		{name: "accepted", status: 500, body: "boom", accept: []int{500}, want: "boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := serve(t, reply(tt.status, "text/plain", tt.body))
			sh, bh := String(tt.opts...), Bytes(tt.opts...)
			if tt.accept != nil {
				sh, bh = AcceptingStatuses(sh, tt.accept...), AcceptingStatuses(bh, tt.accept...)
			}
			s, err := Handle(get(t, srv, "/"), sh)
			checkErr(t, err, tt.wantErr, nil, "")
			if s != tt.want {
				t.Errorf("String = %.40q (%d bytes), want %.40q", s, len(s), tt.want)
			}
			b, err := Handle(get(t, srv, "/"), bh)
			checkErr(t, err, tt.wantErr, nil, "")
			if string(b) != tt.want {
				t.Errorf("Bytes = %.40q (%d bytes), want %.40q", b, len(b), tt.want)
			}
			if err == nil && b == nil {
				t.Error("Bytes = nil, want a non-nil slice")
			}
		})
	}
}

func TestCopyTo(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		body    string
		opts    []Option
		want    string
		wantErr any
	}{
		{name: "copies", body: "hello world", want: "hello world"},
		{name: "empty", body: "", want: ""},
		{name: "capped keeps what fit", body: strings.Repeat("y", 50), opts: []Option{MaxBytes(20)},
			want: strings.Repeat("y", 20), wantErr: new(*TooLargeError)},
		{name: "uncapped", body: strings.Repeat("z", 3000), opts: []Option{MaxBytes(-1)}, want: strings.Repeat("z", 3000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := serve(t, reply(200, "application/octet-stream", tt.body))
			var buf bytes.Buffer
			n, err := Handle(get(t, srv, "/artifact"), CopyTo(&buf, tt.opts...))
			checkErr(t, err, tt.wantErr, nil, "")
			if buf.String() != tt.want || n != int64(len(tt.want)) {
				t.Errorf("copied %d bytes %.40q, want %d bytes %.40q", n, buf.String(), len(tt.want), tt.want)
			}
		})
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestCopyToWriterErrors(t *testing.T) {
	t.Parallel()
	_, err := Handle(memResponse(t, 200, "", io.NopCloser(strings.NewReader("data"))), CopyTo(failingWriter{}))
	if err == nil || !strings.Contains(err.Error(), "disk full") || !strings.Contains(err.Error(), "oauth_token=REDACTED") {
		t.Errorf("error %v, want the writer's error with the redacted request named", err)
	}
	if _, err := Handle(memResponse(t, 200, "", io.NopCloser(strings.NewReader("data"))), CopyTo(nil)); err == nil {
		t.Error("nil writer: no error")
	}
}

func TestDiscardAndStatus(t *testing.T) {
	t.Parallel()
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/created":
			w.WriteHeader(http.StatusCreated)
		case "/missing":
			http.NotFound(w, r)
		}
	})
	if _, err := Handle(get(t, srv, "/created"), Discard()); err != nil {
		t.Errorf("Discard on 201: %v", err)
	}
	var re *ResponseError
	if _, err := Handle(get(t, srv, "/missing"), Discard()); !errors.As(err, &re) || re.StatusCode != 404 {
		t.Errorf("Discard on 404: %v, want a *ResponseError", err)
	}
	if code, err := Handle(get(t, srv, "/missing"), Status(200, 404)); err != nil || code != 404 {
		t.Errorf("Status(200, 404) on 404 = %d, %v", code, err)
	}
	if _, err := Handle(get(t, srv, "/created"), Status(200)); !errors.As(err, &re) || re.StatusCode != 201 {
		t.Errorf("Status(200) on 201: %v, want a *ResponseError", err)
	}
}
