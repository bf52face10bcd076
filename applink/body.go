package applink

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/hashicorp/go-retryablehttp"
)

// bodyReader is the body given to [Request.SetBodyReader]. It is prepared
// when the request is first sent: a reader that can read at an offset and
// seek (an *os.File, a *bytes.Reader) is measured from where it stands,
// and every attempt reads its own section of it, so that attempts never
// share a read position; anything else is read into memory once, up to
// maxBufferedBody. Either way every attempt, retry and redirect sends the
// same bytes.
type bodyReader struct {
	r        io.Reader
	prepared bool
	err      error // sticky: a failed read leaves the reader consumed

	at          io.ReaderAt
	start, size int64
	buf         []byte
}

// replay returns a function that yields the body afresh for each attempt.
func (b *bodyReader) replay() (retryablehttp.ReaderFunc, error) {
	if !b.prepared {
		b.prepared = true
		b.err = b.prepare()
	}
	if b.err != nil {
		return nil, b.err
	}
	if b.at == nil {
		buf := b.buf
		return func() (io.Reader, error) { return bytes.NewReader(buf), nil }, nil
	}
	at, start, size := b.at, b.start, b.size
	// *io.SectionReader has Size, not Len: sectionBody tells retryablehttp
	// the length, which becomes the Content-Length.
	return func() (io.Reader, error) { return &sectionBody{io.NewSectionReader(at, start, size)}, nil }, nil
}

// prepare measures a seekable body or reads any other into memory.
func (b *bodyReader) prepare() error {
	if at, ok := b.r.(io.ReaderAt); ok {
		if s, ok := b.r.(io.Seeker); ok {
			if start, err := s.Seek(0, io.SeekCurrent); err == nil {
				end, err := s.Seek(0, io.SeekEnd)
				if err != nil {
					return fmt.Errorf("measuring the request body: %w", err)
				}
				if _, err := s.Seek(start, io.SeekStart); err != nil {
					return fmt.Errorf("measuring the request body: %w", err)
				}
				b.at, b.start, b.size = at, start, max(end-start, 0)
				return nil
			}
			// A pipe or a terminal: it cannot seek, so it is buffered.
		}
	}
	buf, err := io.ReadAll(io.LimitReader(b.r, maxBufferedBody+1))
	if err != nil {
		return fmt.Errorf("reading the request body: %w", err)
	}
	if len(buf) > maxBufferedBody {
		return errors.New("the request body is larger than 32 MiB and cannot seek: " +
			"give SetBodyReader a file (*os.File), which is streamed and read again for a retry, instead of a stream")
	}
	b.buf = buf
	return nil
}

// sectionBody is one attempt's reading of a seekable body.
type sectionBody struct{ *io.SectionReader }

// Len reports the bytes left, as bytes.Reader does (retryablehttp's
// LenReader).
func (s *sectionBody) Len() int {
	cur, _ := s.Seek(0, io.SeekCurrent)
	return int(s.Size() - cur)
}
