package scan

import (
	"context"

	"github.com/kuzot/kuzot/media/intake"
	"github.com/kuzot/kuzot/post"
)

// MediaKinds are the media kinds whose URL is an image worth reading: photos and the
// previews of videos and links.
var MediaKinds = map[string]bool{"photo": true, "video": true, "round_video": true, "link_preview": true, "sticker": false}

// MaxImagesPerPost bounds the images read of one post (an album of 10 is Telegram's
// limit).
const MaxImagesPerPost = 10

// MediaResult is the outcome for one media item of a post: a finding, or the reason
// there is none (fetch or decode refused: bomb, truncated, wrong type, too large). An
// error never stops the post's text from being classified.
type MediaResult struct {
	MediaIndex int      `json:"media_index"`
	Finding    *Finding `json:"finding,omitempty"`
	Error      string   `json:"error,omitempty"`
}

// Post reads the images of p: each is fetched under the intake limits, judged, and
// dropped. The results hold no pixels and no plain OCR text once marshalled.
func (s *Scanner) Post(ctx context.Context, f *intake.Fetcher, p *post.Post) []MediaResult {
	var out []MediaResult
	for i, m := range p.Media {
		if !MediaKinds[m.Kind] || m.URL == "" {
			continue
		}
		if len(out) >= MaxImagesPerPost || ctx.Err() != nil {
			break
		}
		r := MediaResult{MediaIndex: i}
		img, err := f.Fetch(ctx, m.URL)
		if err == nil {
			r.Finding, err = s.Scan(ctx, i, img.Image, p.Author)
		}
		if err != nil {
			r.Error = err.Error()
		}
		out = append(out, r)
	}
	return out
}
