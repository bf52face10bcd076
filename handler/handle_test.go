package handler

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"strings"
	"testing"
)

// Whatever happens, Handle drains the body (up to DrainLimit) and closes it.
func TestHandleDrainsAndCloses(t *testing.T) {
	t.Parallel()
	small := `{"name":"bob"}` + strings.Repeat(" ", 1000)
	tests := []struct {
		name     string
		status   int
		ct       string
		body     string
		h        func(*http.Response) error
		wantRead int // bytes read in all
		wantErr  bool
	}{
		{"JSON ok", 200, "application/json", small, handleJSON, len(small), false},
		{"JSON html", 200, "text/html", "<html>" + strings.Repeat("x", 5000), handleJSON, 5006, true},
		{"JSON garbage", 200, "application/json", "{{" + strings.Repeat("x", 5000), handleJSON, 5002, true},
		{"JSON too large", 200, "application/json", `{"name":"` + strings.Repeat("x", 3000), func(r *http.Response) error {
			_, err := Handle(r, JSON[user](MaxBytes(100)))
			return err
		}, 3009, true},
		{"status refused", 503, "text/plain", strings.Repeat("busy ", 1000), handleJSON, 5000, true},
		{"discard", 200, "text/plain", strings.Repeat("x", 10000), func(r *http.Response) error {
			_, err := Handle(r, Discard())
			return err
		}, 10000, false},
		{"func reads nothing", 200, "text/plain", "abc", func(r *http.Response) error {
			_, err := Handle(r, Func[int](func(*http.Response) (int, error) { return 1, nil }))
			return err
		}, 3, false},
		{"func fails", 200, "text/plain", "abc", func(r *http.Response) error {
			_, err := Handle(r, Func[int](func(*http.Response) (int, error) { return 0, errors.New("no") }))
			return err
		}, 3, true},
		{"nil handler", 200, "text/plain", "abc", func(r *http.Response) error {
			_, err := Handle[int](r, nil)
			return err
		}, 3, true},
		{"longer than DrainLimit", 200, "text/plain", strings.Repeat("x", DrainLimit+10000), func(r *http.Response) error {
			_, err := Handle(r, Discard())
			return err
		}, DrainLimit, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body := newCountingBody(tt.body)
			err := tt.h(memResponse(t, tt.status, tt.ct, body))
			if (err != nil) != tt.wantErr {
				t.Errorf("error %v, want error: %v", err, tt.wantErr)
			}
			read, closed := body.state()
			if read != tt.wantRead || !closed {
				t.Errorf("read %d of %d bytes, closed %v; want %d read and closed", read, len(tt.body), closed, tt.wantRead)
			}
		})
	}
}

func handleJSON(r *http.Response) error {
	_, err := Handle(r, JSON[user]())
	return err
}

func TestHandleNilResponse(t *testing.T) {
	t.Parallel()
	if _, err := Handle(nil, Discard()); err == nil {
		t.Error("nil response: no error")
	}
}

// Handle drains what a failing handler left, so the next request reuses
// the connection.
func TestHandleConnectionReused(t *testing.T) {
	t.Parallel()
	handlers := map[string]func(*http.Response) error{
		"JSON refuses html": handleJSON,
		"status refused": func(r *http.Response) error {
			_, err := Handle(r, Status(http.StatusCreated))
			return err
		},
		"func ignores body": func(r *http.Response) error {
			_, err := Handle(r, Func[int](func(*http.Response) (int, error) { return 0, nil }))
			return err
		},
		"discard": func(r *http.Response) error {
			_, err := Handle(r, Discard())
			return err
		},
	}
	page := "<html>" + strings.Repeat("login ", 20000) + "</html>" // 120 KB: more than any read buffer
	for name, h := range handlers {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := serve(t, reply(200, "text/html", page))
			client := srv.Client()
			for i := range 3 {
				reused := false
				trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) { reused = info.Reused }}
				req, err := http.NewRequestWithContext(httptrace.WithClientTrace(t.Context(), trace), http.MethodGet, srv.URL, nil)
				if err != nil {
					t.Fatal(err)
				}
				resp, err := client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				_ = h(resp)
				if i > 0 && !reused {
					t.Errorf("request %d: connection not reused", i+1)
				}
			}
		})
	}
}

// A slow body whose request context is canceled mid-read ends the handler
// promptly with the context's error.
func TestHandleSlowBodyCanceled(t *testing.T) {
	t.Parallel()
	handlers := map[string]func(*http.Response) error{
		"JSON": handleJSON,
		"XML": func(r *http.Response) error {
			_, err := Handle(r, XML[user]())
			return err
		},
		"String": func(r *http.Response) error {
			_, err := Handle(r, String())
			return err
		},
		"Bytes": func(r *http.Response) error {
			_, err := Handle(r, Bytes())
			return err
		},
		"CopyTo": func(r *http.Response) error {
			_, err := Handle(r, CopyTo(io.Discard))
			return err
		},
	}
	for name, h := range handlers {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			wrote := make(chan struct{})
			srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = io.WriteString(w, `{"name":`)
				w.(http.Flusher).Flush()
				close(wrote)
				<-r.Context().Done() // the rest never comes
			})
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			go func() {
				<-wrote
				cancel()
			}()
			if err := h(resp); !errors.Is(err, context.Canceled) {
				t.Errorf("error %v, want context.Canceled", err)
			}
		})
	}
}

// A response whose context is already done is not handled.
func TestHandleContextDone(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	resp := memResponse(t, 200, "application/json", newCountingBody(`{}`))
	resp.Request = resp.Request.WithContext(ctx)
	called := false
	_, err := Handle(resp, Func[int](func(*http.Response) (int, error) { called = true; return 0, nil }))
	if !errors.Is(err, context.Canceled) || called {
		t.Errorf("error %v, handler called %v; want context.Canceled and no call", err, called)
	}
}

func TestAcceptingStatuses(t *testing.T) {
	t.Parallel()
	statusOf := Func[int](func(r *http.Response) (int, error) { return r.StatusCode, nil })
	tests := []struct {
		name    string
		h       Handler[int]
		status  int
		want    int
		wantErr bool
	}{
		{"func default 2xx", statusOf, 204, 204, false},
		{"func default refuses 404", statusOf, 404, 0, true},
		{"accepting 404", AcceptingStatuses[int](statusOf, 404), 404, 404, false},
		{"accepting 404 refuses 200", AcceptingStatuses[int](statusOf, 404), 200, 0, true},
		{"accepting nothing is 2xx", AcceptingStatuses[int](statusOf), 200, 200, false},
		{"accepting all", AcceptingAllStatuses[int](statusOf), 500, 500, false},
		{"credentials wrapper keeps statuses", WithCredentialsRequired(AcceptingStatuses[int](statusOf, 409), nil), 409, 409, false},
		{"credentials wrapper on accepting", WithCredentialsRequired(AcceptingAllStatuses[int](statusOf),
			func(error) (int, error) { return -1, nil }), 502, 502, false},
		{"credentials wrapper on built-in", WithCredentialsRequired(Status(202), func(error) (int, error) { return -1, nil }),
			202, 202, false},
		{"credentials wrapper on built-in refuses", WithCredentialsRequired(Status(202), func(error) (int, error) { return -1, nil }),
			200, 0, true},
		{"status any 2xx", Status(), 299, 299, false},
		{"status codes", Status(200, 404), 404, 404, false},
		{"status refuses", Status(200, 404), 500, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Handle(memResponse(t, tt.status, "", newCountingBody("")), tt.h)
			var re *ResponseError
			if tt.wantErr != errors.As(err, &re) {
				t.Fatalf("error %v, want a *ResponseError: %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("got %d, want %d", got, tt.want)
			}
		})
	}
}

func TestWithCredentialsRequired(t *testing.T) {
	t.Parallel()
	base := String()
	errNeed := errors.New("credentials required")
	fallback := func(err error) (string, error) {
		if err != errNeed {
			t.Errorf("CredentialsRequired got %v, want the error it was called with", err)
		}
		return "please log in", nil
	}
	h := WithCredentialsRequired(base, fallback)
	ch, ok := h.(CredentialsHandler[string])
	if !ok {
		t.Fatal("WithCredentialsRequired result is not a CredentialsHandler")
	}
	if got, err := ch.CredentialsRequired(errNeed); err != nil || got != "please log in" {
		t.Errorf("CredentialsRequired = %q, %v", got, err)
	}
	if got, err := Handle(memResponse(t, 200, "text/plain", newCountingBody("hi")), h); err != nil || got != "hi" {
		t.Errorf("Handle = %q, %v", got, err)
	}
	// AcceptingStatuses keeps the second method; a plain handler has none.
	if _, ok := AcceptingStatuses(h, 200).(CredentialsHandler[string]); !ok {
		t.Error("AcceptingStatuses dropped CredentialsRequired")
	}
	if _, ok := AcceptingAllStatuses(base).(CredentialsHandler[string]); ok {
		t.Error("AcceptingAllStatuses added CredentialsRequired to a handler without it")
	}
	if WithCredentialsRequired(base, nil) != base {
		t.Error("WithCredentialsRequired(h, nil) is not h")
	}
}

// One handler value serves concurrent requests.
func TestHandlerConcurrentUse(t *testing.T) {
	t.Parallel()
	srv := serve(t, reply(200, "application/json", `{"name":"bob","active":true}`))
	h := JSON[user](Strict(), MaxBytes(1024))
	errs := make(chan error, 16)
	for range cap(errs) {
		go func() {
			resp, err := srv.Client().Get(srv.URL) // not get: no t.Fatal off the test goroutine
			if err != nil {
				errs <- err
				return
			}
			u, err := Handle(resp, h)
			if err == nil && u.Name != "bob" {
				err = errors.New("wrong user " + u.Name)
			}
			errs <- err
		}()
	}
	for range cap(errs) {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// TestAcceptingStatusesOnBuiltIns: the built-in handlers check the status
// themselves when they run, so AcceptingStatuses and AcceptingAllStatuses
// must set what they accept, not only what Handle lets through: a 404 they
// were told to accept is read like a 200, behind WithCredentialsRequired
// too, and one they were not told to accept is still a *ResponseError.
func TestAcceptingStatusesOnBuiltIns(t *testing.T) {
	t.Parallel()
	const body = `{"name":"ghost"}`
	var sink bytes.Buffer
	read := map[string]func(h any, resp *http.Response) (string, error){
		"JSON": func(h any, resp *http.Response) (string, error) {
			u, err := Handle(resp, h.(Handler[user]))
			return u.Name, err
		},
		"String": func(h any, resp *http.Response) (string, error) { return Handle(resp, h.(Handler[string])) },
		"Discard": func(h any, resp *http.Response) (string, error) {
			_, err := Handle(resp, h.(Handler[struct{}]))
			return "", err
		},
		"CopyTo": func(h any, resp *http.Response) (string, error) {
			n, err := Handle(resp, h.(Handler[int64]))
			return strconv.FormatInt(n, 10), err
		},
	}
	for _, tt := range []struct {
		name, kind string
		h          any
		want       string // "" with wantErr
		wantErr    bool
	}{
		{"JSON accepting 404", "JSON", AcceptingStatuses(JSON[user](), 404), "ghost", false},
		{"JSON accepting all", "JSON", AcceptingAllStatuses(JSON[user]()), "ghost", false},
		{"JSON accepting 409 refuses 404", "JSON", AcceptingStatuses(JSON[user](), 409), "", true},
		{"JSON behind credentials", "JSON", AcceptingStatuses(WithCredentialsRequired(JSON[user](),
			func(error) (user, error) { return user{}, nil }), 404), "ghost", false},
		{"String accepting 404", "String", AcceptingStatuses(String(), 404), body, false},
		{"Discard accepting 404", "Discard", AcceptingStatuses(Discard(), 404), "", false},
		{"Discard default refuses 404", "Discard", Discard(), "", true},
		{"CopyTo accepting all", "CopyTo", AcceptingAllStatuses(CopyTo(&sink)), strconv.Itoa(len(body)), false},
	} {
		got, err := read[tt.kind](tt.h, memResponse(t, http.StatusNotFound, "application/json", newCountingBody(body)))
		var re *ResponseError
		if tt.wantErr != errors.As(err, &re) || (!tt.wantErr && err != nil) {
			t.Errorf("%s: error %v, want a *ResponseError: %v", tt.name, err, tt.wantErr)
			continue
		}
		if !tt.wantErr && got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}
