// Package handler turns HTTP responses into Go values, safely: the Go form of
// the Java ApplicationLinkResponseHandler (handle and credentialsRequired).
// It knows nothing about links; applink runs its handlers on the responses
// of link requests, and they work as well on any *http.Response.
//
// A [Handler] turns a response into a T. Ready-made ones decode [JSON] or
// [XML] into a T, read a [String] or [Bytes], [Discard] the body, [CopyTo] a
// writer, or check the [Status]; [Func] adapts a function. [Handle] runs one
// and does what every caller would otherwise get wrong:
//
//   - a status the handler does not accept (by default anything but 2xx)
//     becomes a [*ResponseError] before the handler runs, with the method,
//     the redacted URL, the status, the start of the body and the OAuth
//     problem the provider reported, if any;
//   - every read is capped ([MaxBytes], default 10 MiB): a longer body is a
//     [*TooLargeError], never an out-of-memory;
//   - whatever happens, the body is drained (up to [DrainLimit]) and closed,
//     so the connection is reused; a handler never has to.
//
// Words used here: a response's status is accepted by a handler when the
// handler wants to see it (any 2xx unless it says otherwise); a body is
// drained when what is left of it is read and thrown away, which lets
// net/http put the connection back in its pool; the limit (or cap) is how
// many bytes of a body a handler reads at most.
//
// # Quick start
//
//	type myself struct {
//		Name        string `json:"name"`
//		DisplayName string `json:"displayName"`
//	}
//	resp, err := client.Do(req)
//	if err != nil {
//		return err
//	}
//	me, err := handler.Handle(resp, handler.JSON[myself]())
//
// Options tune the ready-made handlers: [Strict] rejects unknown JSON fields,
// [AllowEmpty] takes an empty body (204) as the zero T. Any handler, built
// in or a [Func], sees other statuses than 2xx through [AcceptingStatuses]
// or [AcceptingAllStatuses]. [WithCredentialsRequired]
// adds the second method ([CredentialsHandler]) that applink calls when the
// user must authorize first: no token yet, or one the remote rejected.
//
// # Errors
//
// Errors are typed; use errors.As:
//
//	v, err := handler.Handle(resp, handler.JSON[T]())
//	var respErr *handler.ResponseError
//	var problem *signer.ProblemError
//	var decodeErr *handler.DecodeError
//	var tooLarge *handler.TooLargeError
//	switch {
//	case errors.As(err, &problem):
//		// The provider refused the OAuth request: problem.Problem is
//		// "token_expired", "signature_invalid", ... (respErr holds it too).
//	case errors.As(err, &respErr):
//		// Another non-2xx status: respErr.StatusCode, respErr.Body.
//	case errors.As(err, &decodeErr):
//		// Not JSON (an HTML login page?), truncated, or empty.
//	case errors.As(err, &tooLarge):
//		// Raise the limit with handler.MaxBytes.
//	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
//		// The request's context ended while the body was read.
//	}
//
// When the request's context is done, Handle and the handlers return its
// error (context.Canceled, context.DeadlineExceeded) as is.
//
// # Concurrency
//
// Handlers built by this package hold only their options: they are
// immutable and safe for concurrent use, and one value can serve many
// requests (except that [CopyTo]'s writer is shared: give each request its
// own unless the writer is itself safe). [Handle] uses only its arguments.
//
// # Security
//
// Error messages never carry credentials: URLs pass through one redaction
// helper (query values named like tokens, signatures, verifiers or keys, and
// user info passwords, are replaced by REDACTED, fragments dropped), headers
// kept in a [*ResponseError] are a redacted copy (Authorization, cookies,
// tokens, crumbs), and the body excerpt in a message has token-like JSON
// members and form values (oauth_token_secret=...) redacted.
// [ResponseError.Body] and [DecodeError.Prefix], though, hold the body as
// sent, for programs to inspect: do not log them as they are.
//
// # Testing
//
// Handlers take a plain *http.Response: test them with httptest servers or
// with a response built in memory (Body: io.NopCloser(strings.NewReader(...))).
package handler
