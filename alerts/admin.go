package alerts

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/nats-io/nats.go/jetstream"
)

// The admin side of the alert role: acknowledgements, incident lookups, per-organisation
// rules and channel listings, used by the web UI and the CLI.

// Acknowledge marks an incident of org acknowledged by a user: updates not yet sent are
// cancelled and later copies no longer produce messages. An incident of another
// organisation is ErrNotFound, so one organisation cannot probe another's incidents.
func (s *Service) Acknowledge(ctx context.Context, org, incidentID, by string) error {
	ref, err := s.incidentRef(ctx, incidentID)
	if err != nil {
		return err
	}
	if ref.Org != org {
		return fmt.Errorf("incident %s: %w", incidentID, ErrNotFound)
	}
	found := false
	err = s.updateMember(ctx, ref, func(st *MemberState) (bool, error) {
		in, ok := st.Incident(incidentID)
		if !ok {
			return false, nil
		}
		found = true
		return in.Acknowledge(by, s.now().UTC()), nil
	})
	if err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("incident %s: %w", incidentID, ErrNotFound)
	}
	s.log.Info("incident acknowledged", "org", org, "incident", incidentID)
	return nil
}

// Incident returns an incident of org.
func (s *Service) Incident(ctx context.Context, org, incidentID string) (*Incident, error) {
	ref, err := s.incidentRef(ctx, incidentID)
	if err != nil {
		return nil, err
	}
	if ref.Org != org {
		return nil, fmt.Errorf("incident %s: %w", incidentID, ErrNotFound)
	}
	st, err := s.member(ctx, ref.Org, ref.Member)
	if err != nil {
		return nil, err
	}
	in, ok := st.Incident(incidentID)
	if !ok {
		return nil, fmt.Errorf("incident %s: %w", incidentID, ErrNotFound)
	}
	return in, nil
}

func (s *Service) incidentRef(ctx context.Context, incidentID string) (MemberRef, error) {
	var ref MemberRef
	if !strings.HasPrefix(incidentID, "inc_") || len(incidentID) > 64 {
		return ref, fmt.Errorf("incident %q: %w", incidentID, ErrNotFound)
	}
	e, err := s.inc.Get(ctx, indexKey(incidentID))
	if errors.Is(err, jetstream.ErrKeyNotFound) || errors.Is(err, jetstream.ErrInvalidKey) {
		return ref, fmt.Errorf("incident %s: %w", incidentID, ErrNotFound)
	}
	if err != nil {
		return ref, fmt.Errorf("incident index: %w", err)
	}
	if err := json.Unmarshal(e.Value(), &ref); err != nil {
		return ref, fmt.Errorf("incident index %s is corrupt: %w", incidentID, err)
	}
	return ref, nil
}

// Rule returns the org's rule: one set through the API (stored in JetStream, shared by
// every worker) wins over the configuration file.
func (s *Service) Rule(ctx context.Context, org string) (Rule, bool, error) {
	e, err := s.inc.Get(ctx, ruleKey(org))
	switch {
	case errors.Is(err, jetstream.ErrKeyNotFound):
		r, ok := s.set.Rules[org]
		return r, ok, nil
	case err != nil:
		return Rule{}, false, fmt.Errorf("rule of %s: %w", org, err)
	}
	var r Rule
	if err := json.Unmarshal(e.Value(), &r); err != nil {
		return Rule{}, false, fmt.Errorf("rule of %s is corrupt: %w", org, err)
	}
	return r, true, nil
}

// Rules lists every org's effective rule, sorted by org.
func (s *Service) Rules(ctx context.Context) ([]Rule, error) {
	orgs := map[string]bool{}
	for org := range s.set.Rules {
		orgs[org] = true
	}
	lister, err := s.inc.ListKeysFiltered(ctx, "r.>")
	if err != nil && !errors.Is(err, jetstream.ErrNoKeysFound) {
		return nil, fmt.Errorf("list rules: %w", err)
	}
	if lister != nil {
		for k := range lister.Keys() {
			if org, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(k, "r.")); err == nil {
				orgs[string(org)] = true
			}
		}
	}
	var out []Rule
	for org := range orgs {
		r, ok, err := s.Rule(ctx, org)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b Rule) int { return strings.Compare(a.Org, b.Org) })
	return out, nil
}

// SetRule validates and stores an org's rule (from the API); it applies at once on every
// worker.
func (s *Service) SetRule(ctx context.Context, r Rule) error {
	if len(r.Languages) == 0 {
		r.Languages = slices.Clone(Languages)
	}
	if r.GroupWindow == 0 {
		r.GroupWindow = s.set.GroupWindow
	}
	r.Source = "api"
	if err := errors.Join(r.Validate(s.names), s.set.CheckBinding(r)); err != nil {
		return fmt.Errorf("rule of %s: %w", r.Org, err)
	}
	data, _ := json.Marshal(r)
	if _, err := s.inc.Put(ctx, ruleKey(r.Org), data); err != nil {
		return fmt.Errorf("store rule of %s: %w", r.Org, err)
	}
	// A new organisation joins now: it is alerted about posts collected from now on.
	if _, err := s.Joined(ctx, r.Org); err != nil {
		return err
	}
	return nil
}

// ResetRule drops an API-set rule so the configuration file's rule applies again.
func (s *Service) ResetRule(ctx context.Context, org string) error {
	if err := s.inc.Purge(ctx, ruleKey(org)); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		return fmt.Errorf("reset rule of %s: %w", org, err)
	}
	return nil
}

// Channels lists the configured channels with the organisations bound to them.
func (s *Service) Channels() []ChannelInfo { return s.set.ChannelInfos() }

// ChannelNames lists the configured channels.
func (s *Service) ChannelNames() []string {
	out := make([]string, 0, len(s.names))
	for n := range s.names {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}
