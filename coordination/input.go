package coordination

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
	"unicode/utf8"

	"github.com/kuzot/kuzot/post"
)

// MaxLineBytes caps one JSON line of `kuzot coordinate` input: a post's text is capped
// at post.MaxTextBytes, so a longer line is not a post.
const MaxLineBytes = 1 << 20

// ErrBadLine marks an input line that is not a usable post.
var ErrBadLine = errors.New("bad input line")

// Limits on the frames list of one input line.
const (
	maxFrames     = 32
	maxFrameBytes = 64
)

// inputLine is one line of `kuzot coordinate` input: a post in the common schema with
// two optional extras, the narrative frames found in it and its author's account
// creation time (for exports of tools that know them).
type inputLine struct {
	post.Post
	Frames           []string   `json:"frames"`
	AccountCreatedAt *time.Time `json:"account_created_at"`
}

// DecodeObservation parses one JSON line into an Observation. It requires id, author
// or channel, and published_at (RFC 3339), and repairs what post.Normalize repairs
// (invalid UTF-8, over-long text). Errors wrap ErrBadLine and say which field is wrong.
func DecodeObservation(line []byte) (Observation, error) {
	if len(line) > MaxLineBytes {
		return Observation{}, fmt.Errorf("%w: %d bytes exceeds %d", ErrBadLine, len(line), MaxLineBytes)
	}
	line = bytes.TrimSpace(line)
	if len(line) == 0 {
		return Observation{}, fmt.Errorf("%w: empty line", ErrBadLine)
	}
	var in inputLine
	dec := json.NewDecoder(bytes.NewReader(line))
	if err := dec.Decode(&in); err != nil {
		return Observation{}, fmt.Errorf("%w: %w", ErrBadLine, err)
	}
	if dec.More() {
		return Observation{}, fmt.Errorf("%w: trailing data after the JSON object", ErrBadLine)
	}
	p := in.Post
	switch {
	case p.ID == "":
		return Observation{}, fmt.Errorf("%w: missing id", ErrBadLine)
	case p.Author == "" && p.Channel == "":
		return Observation{}, fmt.Errorf("%w: %s: missing author and channel", ErrBadLine, p.ID)
	case p.PublishedAt.IsZero():
		return Observation{}, fmt.Errorf("%w: %s: missing published_at", ErrBadLine, p.ID)
	case len(in.Frames) > maxFrames:
		return Observation{}, fmt.Errorf("%w: %s: %d frames exceeds %d", ErrBadLine, p.ID, len(in.Frames), maxFrames)
	}
	for _, f := range in.Frames {
		if f == "" || len(f) > maxFrameBytes || !utf8.ValidString(f) {
			return Observation{}, fmt.Errorf("%w: %s: bad frame %q", ErrBadLine, p.ID, f)
		}
	}
	p.Normalize()
	p.ID = truncateBytes(p.ID, 1024)
	o := Observation{Post: p, Frames: in.Frames}
	if in.AccountCreatedAt != nil {
		o.AccountCreatedAt = *in.AccountCreatedAt
	}
	return o, nil
}

// truncateBytes cuts s to at most n bytes on a rune boundary, repairing invalid UTF-8.
func truncateBytes(s string, n int) string {
	s = string(bytes.ToValidUTF8([]byte(s), []byte("\uFFFD")))
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// lineReader reads newline-separated lines of at most MaxLineBytes; a longer line is
// skipped whole and reported, instead of aborting the stream like bufio.Scanner does.
type lineReader struct {
	r    *bufio.Reader
	buf  []byte
	line int
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{r: bufio.NewReaderSize(r, 64<<10)}
}

// next returns the next line (without the newline) and its 1-based number. tooLong is
// set for an over-long line, whose content is dropped. err is io.EOF at the end.
func (lr *lineReader) next() (line []byte, n int, tooLong bool, err error) {
	lr.buf = lr.buf[:0]
	for {
		chunk, err := lr.r.ReadSlice('\n')
		if !tooLong {
			if len(lr.buf)+len(chunk) > MaxLineBytes+1 {
				tooLong, lr.buf = true, lr.buf[:0]
			} else {
				lr.buf = append(lr.buf, chunk...)
			}
		}
		switch {
		case err == bufio.ErrBufferFull:
			continue
		case err == io.EOF:
			if len(lr.buf) == 0 && !tooLong && len(chunk) == 0 {
				return nil, lr.line, false, io.EOF
			}
			lr.line++
			return bytes.TrimRight(lr.buf, "\r\n"), lr.line, tooLong, nil
		case err != nil:
			return nil, lr.line, false, fmt.Errorf("read line %d: %w", lr.line+1, err)
		}
		lr.line++
		return bytes.TrimRight(lr.buf, "\r\n"), lr.line, tooLong, nil
	}
}
