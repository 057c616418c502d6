package alerts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"sync"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/kuzot/kuzot/classifiers"
	"github.com/kuzot/kuzot/classifiers/exposure"
	"github.com/kuzot/kuzot/classifiers/exposure/watchlist"
	"github.com/kuzot/kuzot/pipeline"
)

// The intake of the alert role: exposure results are decoded, matched against each
// organisation's rule and folded into the members' incident state (KV), which enqueues
// notifications.

// decodeExposing decodes a result the alert role may act on. Only results the exposure
// classifier flagged can alert, so the others (nearly all) are skipped on their
// HeaderFlagged without decoding the body; Handle ignores the empty result returned
// for them. Results without the header are decoded as before.
func decodeExposing(ctx context.Context, msg jetstream.Msg) (classifiers.Classified, error) {
	if h := msg.Headers(); h != nil && h.Get(pipeline.HeaderImage) != "" {
		// A picture's result: decoded even when unflagged, it may be a re-upload.
		return pipeline.DecodeClassified(ctx, msg)
	}
	if flagged, known := pipeline.FlaggedBy(msg, exposure.Name); known && !flagged {
		return classifiers.Classified{}, nil
	}
	return pipeline.DecodeClassified(ctx, msg)
}

// handleLanes is how many results of a batch are handled at once. A new alert costs
// several fsynced JetStream writes (incident state, index, delivery state, outbox), so
// handled one after another, a burst of exposures made the last one wait for all the
// others; different members are independent (compare-and-set guards each one's state).
const handleLanes = 8

// HandleBatch handles a batch of results: results about different members in parallel
// lanes, results whose first member is the same in batch order in one lane (so reposts
// of one leak do not contend for its state). It returns after every lane finished, with
// the first error; the stage then retries the whole batch, which is safe because Handle
// is idempotent.
func (s *Service) HandleBatch(ctx context.Context, rows []classifiers.Classified) error {
	var lanes [handleLanes][]int
	for i := range rows {
		lane := 0
		if e, err := exposure.DecodeResult(rows[i].Results[exposure.Name]); err == nil {
			if ms := e.Members(); len(ms) > 0 {
				h := fnv.New32a()
				h.Write([]byte(memberKey(ms[0].Org, ms[0].Member)))
				lane = int(h.Sum32() % handleLanes)
			}
		}
		lanes[lane] = append(lanes[lane], i)
	}
	errs := make(chan error, handleLanes)
	var wg sync.WaitGroup
	for _, idx := range lanes {
		if len(idx) == 0 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, i := range idx {
				if err := s.Handle(ctx, &rows[i]); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// Handle processes one classified post: for every watch-listed member it exposes, it
// updates the member's incidents and enqueues what must be sent. It is idempotent, so a
// redelivered result enqueues nothing new (the outbox drops the repeated jobs).
func (s *Service) Handle(ctx context.Context, c *classifiers.Classified) error {
	e, err := exposure.DecodeResult(c.Results[exposure.Name])
	if errors.Is(err, exposure.ErrNoResult) {
		return nil
	}
	if err != nil {
		// A malformed result can never be handled: log without content and skip it.
		s.log.Warn("skipping a result with a malformed exposure section", "post", c.Post.ID, "err", err)
		s.m.Observations.WithLabelValues("malformed").Inc()
		return nil
	}
	// Who this result is about: the members the exposure classifier found exposed and,
	// for a picture, the members of incidents holding a picture it re-uploads (joined
	// even when the caption differs or this copy's text names nobody).
	type target struct {
		ref      watchlist.Ref
		severity Severity
		reupload bool
	}
	var targets []target
	members := e.Members()
	severity := severityOf(e)
	var refs []MemberRef
	if len(members) > 0 && (e.Exposed || e.Outing || e.Threat) && severity != SeverityNone {
		for _, m := range members {
			targets = append(targets, target{ref: m, severity: severity})
			refs = append(refs, MemberRef{Org: m.Org, Member: m.Member})
		}
	}
	prints := ImagePrints(c)
	for _, r := range s.reuploadTargets(prints, refs) {
		targets = append(targets, target{ref: watchlist.Ref{Org: r.Org, Member: r.Member}, severity: max(severity, r.Severity),
			reupload: true})
	}
	if len(targets) == 0 {
		return nil
	}
	evidence, rerr := exposure.Redact(c.Post.Text, e.Entities, exposure.AudienceAlert)
	if rerr != nil {
		s.log.Warn("evidence withheld: entity offsets do not fit the post text", "post", c.Post.ID, "err", rerr)
		evidence = ""
	}
	fp := FingerprintPost(&c.Post)
	fp.Images = prints
	// A post without a collection time (an import, a replay) counts from when it was
	// classified, not from year 1: otherwise it could never alert.
	collected := c.Post.CollectedAt
	if collected.IsZero() {
		collected = c.ClassifiedAt
	}
	for _, tg := range targets {
		m := MemberRef{Org: tg.ref.Org, Member: tg.ref.Member}
		obs := Observation{
			Sighting: Sighting{PostID: c.Post.ID, Platform: c.Post.Source, Channel: c.Post.Channel, URL: c.Post.URL,
				PublishedAt: c.Post.PublishedAt, CollectedAt: c.Post.CollectedAt, Views: c.Post.Views},
			Severity: tg.severity, Categories: Categories(e), Evidence: truncateRunes(evidence, maxEvidenceBytes),
			Fingerprint: fp,
		}
		rule, ok, err := s.Rule(ctx, m.Org)
		if err != nil {
			return err
		}
		if !ok {
			s.m.Observations.WithLabelValues("unknown_org").Inc()
			continue
		}
		if tg.severity < rule.MinSeverity {
			s.m.Observations.WithLabelValues("below_threshold").Inc()
			continue
		}
		from, err := s.notifiable(ctx, tg.ref)
		if err != nil {
			return err
		}
		if collected.Before(from.Add(-JoinClockSkew)) {
			// Collected before the organisation or the member joined: never an alert
			// (an organisation that wants the past asks for a digest, see Backfill).
			s.m.Observations.WithLabelValues("before_join").Inc()
			continue
		}
		if tg.reupload {
			s.m.Observations.WithLabelValues("reupload").Inc()
		}
		if err := s.observe(ctx, m, &obs, &rule); err != nil {
			return fmt.Errorf("alerts: post %s: %w", c.Post.ID, err)
		}
	}
	return nil
}

func (s *Service) observe(ctx context.Context, m MemberRef, o *Observation, rule *Rule) error {
	var out Outcome
	err := s.updateMember(ctx, m, func(st *MemberState) (bool, error) {
		out = Apply(st, o, rule, s.now().UTC())
		return !out.Duplicate, nil
	})
	if err != nil {
		return err
	}
	outcome := "joined"
	switch {
	case out.Created:
		outcome = "new_incident"
	case out.Duplicate:
		outcome = "duplicate"
	case out.Suppressed:
		outcome = "suppressed"
	case out.Coalesced:
		outcome = "coalesced"
	case out.Schedule != nil:
		outcome = "update"
	}
	s.m.Observations.WithLabelValues(outcome).Inc()
	if len(o.Fingerprint.Images) > 0 && !out.Duplicate {
		// The picture is now one of the incident's: its re-uploads join it.
		if err := s.recordPrints(ctx, out.Incident, o.Fingerprint.Images); err != nil {
			return err
		}
	}
	if out.Created || out.Duplicate {
		ref, _ := json.Marshal(m)
		if _, err := s.inc.Create(ctx, indexKey(out.Incident.ID), ref); err != nil && !errors.Is(err, jetstream.ErrKeyExists) {
			return fmt.Errorf("incident index: %w", err)
		}
	}
	var todo []Notification
	if out.Schedule != nil {
		todo = append(todo, *out.Schedule)
	}
	todo = append(todo, out.Republish...)
	for i := range todo {
		if err := s.enqueue(ctx, out.Incident, &todo[i]); err != nil {
			return err
		}
	}
	return nil
}

// updateMember runs fn on the member's state and stores the result with compare-and-set,
// retrying on conflicts with other workers. fn returns false to leave the state as is.
func (s *Service) updateMember(ctx context.Context, m MemberRef, fn func(*MemberState) (bool, error)) error {
	key := memberKey(m.Org, m.Member)
	for range maxCASRetries {
		st := &MemberState{Org: m.Org, Member: m.Member}
		var rev uint64
		e, err := s.inc.Get(ctx, key)
		switch {
		case errors.Is(err, jetstream.ErrKeyNotFound):
		case err != nil:
			return fmt.Errorf("incident state get: %w", err)
		default:
			rev = e.Revision()
			if err := json.Unmarshal(e.Value(), st); err != nil {
				return fmt.Errorf("incident state of %s/%s is corrupt: %w", m.Org, m.Member, err)
			}
		}
		changed, err := fn(st)
		if err != nil || !changed {
			return err
		}
		data, err := json.Marshal(st)
		if err != nil {
			return fmt.Errorf("incident state encode: %w", err)
		}
		if rev == 0 {
			_, err = s.inc.Create(ctx, key, data)
		} else {
			_, err = s.inc.Update(ctx, key, data, rev)
		}
		if errors.Is(err, jetstream.ErrKeyExists) {
			s.m.Conflicts.Inc()
			continue
		}
		if err != nil {
			return fmt.Errorf("incident state put: %w", err)
		}
		return nil
	}
	return fmt.Errorf("incident state of %s/%s: %d compare-and-set conflicts in a row", m.Org, m.Member, maxCASRetries)
}

// member loads a member's state.
func (s *Service) member(ctx context.Context, org, member string) (*MemberState, error) {
	st := &MemberState{Org: org, Member: member}
	e, err := s.inc.Get(ctx, memberKey(org, member))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return st, nil
	}
	if err != nil {
		return nil, fmt.Errorf("incident state get: %w", err)
	}
	if err := json.Unmarshal(e.Value(), st); err != nil {
		return nil, fmt.Errorf("incident state of %s/%s is corrupt: %w", org, member, err)
	}
	return st, nil
}
