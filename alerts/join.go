package alerts

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kuzot/kuzot/classifiers/exposure/watchlist"
	"github.com/kuzot/kuzot/pipeline"
	"github.com/nats-io/nats.go/jetstream"
)

// JoinClockSkew is how much earlier than an organisation's or member's join time a post
// may have been collected and still alert: collectors and alert workers run on
// different hosts (pipeline.HostClockSkew).
const JoinClockSkew = pipeline.HostClockSkew

// joinKeyPrefix names the incidents-bucket keys that hold when an organisation joined:
// "joined.<org>" = RFC 3339 time. The bucket is shared by every alert worker.
const joinKeyPrefix = "joined."

// Joined returns when org joined alerting: the first time any alert worker or the API
// knew it (RecordJoins, SetRule) or, failing that, now, recorded once with
// compare-and-set so that every worker agrees. Posts collected before it never alert
// (a backfill is an explicit digest, see Backfill).
func (s *Service) Joined(ctx context.Context, org string) (time.Time, error) {
	s.joinMu.RLock()
	t, ok := s.joined[org]
	s.joinMu.RUnlock()
	if ok {
		return t, nil
	}
	key := joinKeyPrefix + org
	for attempt := 0; attempt < 3; attempt++ {
		e, err := s.inc.Get(ctx, key)
		if err == nil {
			t, perr := time.Parse(time.RFC3339Nano, string(e.Value()))
			if perr != nil {
				return time.Time{}, fmt.Errorf("alerts: join time of %s: %w", org, perr)
			}
			s.remember(org, t)
			return t, nil
		}
		if !errors.Is(err, jetstream.ErrKeyNotFound) {
			return time.Time{}, fmt.Errorf("alerts: join time of %s: %w", org, err)
		}
		now := s.now().UTC()
		if _, err := s.inc.Create(ctx, key, []byte(now.Format(time.RFC3339Nano))); err == nil {
			s.log.Info("organisation joined alerting: posts collected before now do not alert", "org", org, "joined", now)
			s.remember(org, now)
			return now, nil
		} else if !errors.Is(err, jetstream.ErrKeyExists) {
			return time.Time{}, fmt.Errorf("alerts: record join time of %s: %w", org, err)
		}
		// Another worker recorded it first: read theirs.
	}
	return time.Time{}, fmt.Errorf("alerts: join time of %s: gave up after concurrent updates", org)
}

func (s *Service) remember(org string, t time.Time) {
	s.joinMu.Lock()
	if s.joined == nil {
		s.joined = map[string]time.Time{}
	}
	s.joined[org] = t
	s.joinMu.Unlock()
}

// RecordJoins records the join time of every organisation with a rule (from the file or
// the API) that has none yet, and returns the earliest join time (the zero time when
// there is no organisation). The alert role calls it before any role starts, so that
// posts collected by the same process after start-up alert and older ones do not.
func (s *Service) RecordJoins(ctx context.Context) (time.Time, error) {
	rules, err := s.Rules(ctx)
	if err != nil {
		return time.Time{}, err
	}
	var earliest time.Time
	for _, r := range rules {
		t, err := s.Joined(ctx, r.Org)
		if err != nil {
			return time.Time{}, err
		}
		if earliest.IsZero() || t.Before(earliest) {
			earliest = t
		}
	}
	return earliest, nil
}

// notifiable is when a post about member m of org must have been collected at the
// latest to alert: the later of the organisation's and the member's join times.
func (s *Service) notifiable(ctx context.Context, m watchlist.Ref) (time.Time, error) {
	t, err := s.Joined(ctx, m.Org)
	if err != nil {
		return time.Time{}, err
	}
	if m.Since > 0 {
		if since := time.Unix(m.Since, 0).UTC(); since.After(t) {
			t = since
		}
	}
	return t, nil
}
