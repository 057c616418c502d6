package collectors

import (
	"bufio"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Decompression is ours, never colly's or net/http's, so that MaxBodyBytes bounds what a
// body decodes to and not only what crossed the wire (issue 19, item 1). colly v2.3.0
// applies MaxBodySize to the compressed stream and then gunzips without any limit whenever
// Content-Encoding says gzip, the Content-Type mentions gzip or the path ends in .xml.gz:
// 200 KB of hostile gzip allocated 516 MiB against a 1 MiB cap. So every response passes
// through decodeBody in originTransport, before colly sees it:
//
//   - the request advertises exactly acceptEncoding, which also stops net/http from
//     decoding gzip transparently (it only does so when it chose the header itself);
//   - Content-Encoding gzip, x-gzip, deflate (zlib, or raw deflate as some servers send)
//     and identity are decoded here through a reader that fails with ErrBodyTooLarge as
//     soon as the decoded size passes the cap; any other coding (br, zstd, compress,
//     stacked codings) is refused, since we never asked for it;
//   - a body that is itself a gzip file (Content-Type naming gzip, or a path ending in
//     .gz, the two cases colly would gunzip) is gunzipped here through the same bound;
//   - the compressed stream is bounded by the cap as well, so a stream that decodes to
//     nothing (empty gzip members, forever) cannot hold the poll until the timeout;
//   - the response is marked Uncompressed with Content-Encoding removed, which is what
//     makes colly leave the body alone.

// acceptEncoding is the Accept-Encoding of every request: the codings decodeBody handles.
const acceptEncoding = "gzip, deflate"

// ErrBadEncoding means the response used a content coding we did not ask for, or a body
// declared compressed did not start like one. It is final: a retry would get the same.
var ErrBadEncoding = errors.New("refused content encoding")

// decodeBody replaces resp.Body with its decoded form, bounded to limit decoded bytes
// (ErrBodyTooLarge past it), and marks resp so that colly does not decode it again.
func decodeBody(resp *http.Response, limit int64) error {
	raw := &boundedReader{r: resp.Body, limit: limit, what: "compressed body"}
	var body io.Reader = raw
	coding := strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding")))
	if resp.Uncompressed {
		coding = "" // the transport decoded it already; colly's own cap bounds the result
	}
	layer := ""
	switch coding {
	case "", "identity":
	case "gzip", "x-gzip":
		layer = "gzip"
	case "deflate":
		layer = "deflate"
	default:
		return fmt.Errorf("%w %q (we accept %s)", ErrBadEncoding, coding, acceptEncoding)
	}
	if layer == "" && isGzipFile(resp) {
		layer = "gzip file"
	}
	if layer == "" {
		raw.what = "body" // nothing to decode: the cap bounds the body as sent
	}
	var err error
	switch layer {
	case "gzip", "gzip file":
		body, err = gzip.NewReader(bufio.NewReader(raw))
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("%w: %s body: %w", ErrBadEncoding, layer, err)
		}
		if errors.Is(err, io.EOF) {
			body = strings.NewReader("") // an empty body declared as gzip
		}
	case "deflate":
		body = newDeflateReader(raw)
	}
	if layer != "" {
		body = &boundedReader{r: body, limit: limit, what: "decoded " + layer + " body"}
		resp.Header.Del("Content-Encoding")
		resp.Header.Del("Content-Length")
		resp.ContentLength = -1
	}
	resp.Body = readCloser{Reader: body, Closer: resp.Body}
	resp.Uncompressed = true
	return nil
}

// isGzipFile reports a body colly v2.3.0 would gunzip although no Content-Encoding was
// declared: a Content-Type that mentions gzip, or a request path ending in .gz.
func isGzipFile(resp *http.Response) bool {
	if strings.Contains(strings.ToLower(resp.Header.Get("Content-Type")), "gzip") {
		return true
	}
	return resp.Request != nil && resp.Request.URL != nil && strings.HasSuffix(strings.ToLower(resp.Request.URL.Path), ".gz")
}

// newDeflateReader reads "deflate" as RFC 9110 defines it (a zlib stream) and falls back
// to a raw deflate stream, which some servers send instead.
func newDeflateReader(r io.Reader) io.Reader {
	br := bufio.NewReader(r)
	head, _ := br.Peek(2)
	if len(head) == 2 && head[0]&0x0f == 8 && (uint16(head[0])<<8|uint16(head[1]))%31 == 0 {
		zr, err := zlib.NewReader(br)
		if err != nil {
			return errReader{fmt.Errorf("%w: deflate body: %w", ErrBadEncoding, err)}
		}
		return zr
	}
	return flate.NewReader(br)
}

// boundedReader passes at most limit bytes through and fails with ErrBodyTooLarge as soon
// as the stream holds more, without reading (or decoding) any further.
type boundedReader struct {
	r     io.Reader
	limit int64
	read  int64
	what  string
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.read > b.limit {
		return 0, b.tooLarge()
	}
	if room := b.limit + 1 - b.read; int64(len(p)) > room {
		p = p[:room]
	}
	n, err := b.r.Read(p)
	b.read += int64(n)
	if b.read > b.limit {
		return n, b.tooLarge()
	}
	return n, err
}

func (b *boundedReader) tooLarge() error {
	return fmt.Errorf("%w: %s passes %d bytes", ErrBodyTooLarge, b.what, b.limit)
}

type readCloser struct {
	io.Reader
	io.Closer
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
