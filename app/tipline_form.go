package app

import (
	"context"
	"errors"
	"fmt"

	collectorsall "github.com/kuzot/kuzot/collectors/all"
	"github.com/kuzot/kuzot/collectors/tipline"
	"github.com/kuzot/kuzot/web"
)

// tiplineTips adapts a tipline's form intake (collectors/tipline.FormClient) to the web
// UI's tip form.
type tiplineTips struct{ client *tipline.FormClient }

// Orgs implements web.TipSubmitter.
func (t tiplineTips) Orgs() []string { return t.client.Orgs() }

// Notice implements web.TipSubmitter.
func (t tiplineTips) Notice(lang string) string { return tipline.Notice(lang) }

// SubmitTip implements web.TipSubmitter.
func (t tiplineTips) SubmitTip(ctx context.Context, s web.TipSubmission) (web.TipReceipt, error) {
	r, err := t.client.Submit(ctx, tipline.FormTip{Org: s.Org, Submitter: s.Submitter, Text: s.Text, Link: s.Link,
		SMSSender: s.SMSSender, Forget: s.Forget})
	if errors.Is(err, tipline.ErrRefused) {
		return web.TipReceipt{}, fmt.Errorf("%w: %w", web.ErrTipRefused, err)
	}
	if err != nil {
		return web.TipReceipt{}, err
	}
	return web.TipReceipt{Ref: r.Ref, Repeat: r.Repeat, Kind: r.Kind, Unlinked: r.Unlinked, Withdrawn: r.Withdrawn}, nil
}

// tipFormOf returns the web form's submitter for the first tipline source with a form
// intake, or nil when there is none (the form then says no tipline is configured).
func tipFormOf(a *App) (web.TipSubmitter, error) {
	sources, err := DecodeSources(collectorsall.Registry(), a.Cfg.Sources)
	if err != nil {
		return nil, fmt.Errorf("sources for the tip form: %w", err)
	}
	for _, s := range sources {
		if tc, ok := s.(*tipline.Config); ok && tc.Form != nil {
			return tiplineTips{client: tipline.NewFormClient(tc)}, nil
		}
	}
	return nil, nil
}
