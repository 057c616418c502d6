package intake

import (
	"context"
	"errors"
	"fmt"
	"image"
	"net/http"

	"github.com/kuzot/kuzot/collectors"
)

// Fetcher downloads images through the collectors' polite fetcher (robots.txt, per-host
// pacing, retries, netguard's refusal of internal addresses) and decodes them under
// Limits. The collectors.Fetcher behind Client should have MaxBodyBytes no larger than
// Limits.MaxBytes, so an oversized body is refused while it downloads.
type Fetcher struct {
	Client *collectors.Client
	Limits Limits
}

// Image is one fetched and decoded image. The encoded bytes are kept only for the
// time of processing (OCR reads them from memory) and never stored.
type Image struct {
	URL    string
	Format Format
	Image  image.Image
	// Encoded is the downloaded file, for passing to OCR on stdin.
	Encoded []byte
}

// Fetch downloads u and decodes it; errors wrap the Err* values of this package or the
// collectors' (ErrBodyTooLarge is reported as ErrTooManyBytes).
func (f *Fetcher) Fetch(ctx context.Context, u string) (*Image, error) {
	resp, err := f.Client.Do(ctx, collectors.Request{URL: u, Header: http.Header{"Accept": {"image/webp,image/png,image/jpeg,image/gif;q=0.9"}}})
	if err != nil {
		if errors.Is(err, collectors.ErrBodyTooLarge) {
			return nil, fmt.Errorf("intake: fetch %s: %w: %w", u, ErrTooManyBytes, err)
		}
		return nil, fmt.Errorf("intake: fetch %s: %w", u, err)
	}
	if resp.NotModified() {
		return nil, fmt.Errorf("intake: fetch %s: unexpected 304", u)
	}
	img, format, err := Decode(resp.Body, resp.Header.Get("Content-Type"), f.Limits)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", u, err)
	}
	return &Image{URL: u, Format: format, Image: img, Encoded: resp.Body}, nil
}
