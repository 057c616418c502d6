package alerts

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/kuzot/kuzot/config"
)

// Config is the `alerts:` section.
//
//	alerts:
//	  group_window: 30s
//	  channels:
//	    - {name: org-a-hook, kind: webhook, url: "https://…", secret_envs: [KUZOT_ALERT_ORG_A_SECRET]}
//	  orgs:
//	    - {id: org-a, min_severity: high, channels: [org-a-hook], languages: [en, ru]}
type Config struct {
	// GroupWindow is the default quiet window between two messages about one incident:
	// news arriving within it joins one update.
	GroupWindow time.Duration `yaml:"group_window"`
	// FirstDelay holds back the first message of a new incident (default 0: send at once).
	FirstDelay time.Duration `yaml:"first_delay"`
	// MaxAttempts per delivery before it is recorded as failed.
	MaxAttempts int `yaml:"max_attempts"`
	// RetryInitial and RetryMax bound the exponential backoff between attempts.
	RetryInitial time.Duration `yaml:"retry_initial"`
	RetryMax     time.Duration `yaml:"retry_max"`
	// SendTimeout bounds one attempt on a channel.
	SendTimeout time.Duration `yaml:"send_timeout"`
	// AckWait is how long a sender may hold a job before JetStream gives it to another
	// worker: the redelivery delay after a crash (default send_timeout + 30s).
	AckWait time.Duration `yaml:"ack_wait"`
	// DuplicateWindow is the outbox's Nats-Msg-Id deduplication window.
	DuplicateWindow time.Duration `yaml:"duplicate_window"`
	// DeliveryStateTTL is how long per-delivery state is kept in JetStream (ClickHouse
	// keeps the history).
	DeliveryStateTTL time.Duration `yaml:"delivery_state_ttl"`
	Channels         []yaml.Node   `yaml:"channels"`
	Orgs             []OrgConfig   `yaml:"orgs"`
}

// OrgConfig is one organisation's rule as written in the file.
type OrgConfig struct {
	ID          string        `yaml:"id"`
	MinSeverity string        `yaml:"min_severity"`
	Channels    []string      `yaml:"channels"`
	GroupWindow time.Duration `yaml:"group_window"`
	Languages   []string      `yaml:"languages"`
}

// Rule is one organisation's alert rule, from the file or set through the API.
type Rule struct {
	Org         string        `json:"org"`
	MinSeverity Severity      `json:"min_severity"`
	Channels    []string      `json:"channels"`
	GroupWindow time.Duration `json:"group_window"`
	FirstDelay  time.Duration `json:"first_delay"`
	Languages   []string      `json:"languages"`
	// Source is "config" or "api".
	Source string `json:"source"`
}

var nameRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
var orgRe = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// Languages alerts are written in.
var Languages = []string{"en", "ru"}

// Settings is the decoded, validated section.
type Settings struct {
	Config
	Rules    map[string]Rule
	Channels []ChannelConfig
}

// ChannelInfo is a channel's name and the organisations bound to it (Orgs of its
// entry), for listing channels to the users who may pick them.
type ChannelInfo struct {
	Name string   `json:"name"`
	Orgs []string `json:"orgs,omitempty"`
}

// ChannelInfos lists the configured channels by name.
func (s *Settings) ChannelInfos() []ChannelInfo {
	out := make([]ChannelInfo, 0, len(s.Channels))
	for _, cc := range s.Channels {
		c := cc.Common()
		out = append(out, ChannelInfo{Name: c.Name, Orgs: slices.Clone(c.Orgs)})
	}
	slices.SortFunc(out, func(a, b ChannelInfo) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// CheckBinding refuses a rule of one organisation that routes to a channel bound to
// other organisations (see ChannelCommon.Orgs).
func (s *Settings) CheckBinding(r Rule) error {
	var errs []error
	for _, ch := range r.Channels {
		if !ChannelAllowed(s.Channels, ch, r.Org) {
			errs = append(errs, fmt.Errorf("channel %q belongs to other organisations (its orgs do not list %s)", ch, r.Org))
		}
	}
	return errors.Join(errs...)
}

// ChannelAllowed reports whether org's alerts may go to the channel named name: a
// channel bound to organisations takes only theirs; an unbound or unknown one is left
// to the other checks (an unknown channel is refused by Rule.Validate).
func ChannelAllowed(channels []ChannelConfig, name, org string) bool {
	for _, cc := range channels {
		if c := cc.Common(); c.Name == name {
			return len(c.Orgs) == 0 || slices.Contains(c.Orgs, org)
		}
	}
	return true
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{GroupWindow: 30 * time.Second, MaxAttempts: 12, RetryInitial: 2 * time.Second, RetryMax: 10 * time.Minute,
		SendTimeout: 15 * time.Second, DuplicateWindow: time.Hour, DeliveryStateTTL: 30 * 24 * time.Hour}
}

// Decode strictly decodes and validates the `alerts:` section, reporting every problem.
func Decode(node *yaml.Node, reg *Registry) (*Settings, error) {
	c := DefaultConfig()
	if err := config.DecodeSection(node, "alerts", &c); err != nil {
		return nil, err
	}
	return c.Settings(reg)
}

// Settings validates c and decodes its channels with reg.
func (c Config) Settings(reg *Registry) (*Settings, error) {
	var errs []error
	bad := func(f string, a ...any) { errs = append(errs, fmt.Errorf("alerts: "+f, a...)) }
	if c.GroupWindow < 0 || c.FirstDelay < 0 {
		bad("group_window and first_delay must not be negative")
	}
	if c.MaxAttempts < 1 {
		bad("max_attempts: %d, must be at least 1", c.MaxAttempts)
	}
	if c.RetryInitial <= 0 || c.RetryMax < c.RetryInitial {
		bad("retry_initial (%s) must be positive and at most retry_max (%s)", c.RetryInitial, c.RetryMax)
	}
	if c.SendTimeout <= 0 {
		bad("send_timeout must be positive")
	}
	if c.AckWait != 0 && c.AckWait <= c.SendTimeout {
		bad("ack_wait (%s) must be longer than send_timeout (%s)", c.AckWait, c.SendTimeout)
	}
	if c.DuplicateWindow < time.Minute {
		bad("duplicate_window: %s, must be at least 1m", c.DuplicateWindow)
	}
	s := &Settings{Config: c, Rules: map[string]Rule{}}
	names := map[string]bool{}
	for i := range c.Channels {
		cc, err := reg.DecodeAt(&c.Channels[i], fmt.Sprintf("alerts.channels[%d]", i))
		if err != nil {
			errs = append(errs, fmt.Errorf("alerts: channels: %w", err))
			continue
		}
		if names[cc.Common().Name] {
			bad("channels: name %q used twice", cc.Common().Name)
			continue
		}
		names[cc.Common().Name] = true
		s.Channels = append(s.Channels, cc)
	}
	for i, o := range c.Orgs {
		r, err := c.rule(o, names)
		if err != nil {
			bad("orgs[%d] (%s): %v", i, o.ID, err)
			continue
		}
		if err := s.CheckBinding(r); err != nil {
			bad("orgs[%d] (%s): %v", i, o.ID, err)
			continue
		}
		if _, dup := s.Rules[r.Org]; dup {
			bad("orgs[%d]: org %q configured twice", i, o.ID)
			continue
		}
		s.Rules[r.Org] = r
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return s, nil
}

func (c Config) rule(o OrgConfig, channels map[string]bool) (Rule, error) {
	r := Rule{Org: o.ID, Channels: o.Channels, GroupWindow: o.GroupWindow, FirstDelay: c.FirstDelay,
		Languages: o.Languages, Source: "config", MinSeverity: SeverityHigh}
	if r.GroupWindow == 0 {
		r.GroupWindow = c.GroupWindow
	}
	if o.MinSeverity != "" {
		sev, err := ParseSeverity(o.MinSeverity)
		if err != nil {
			return r, fmt.Errorf("min_severity: %w", err)
		}
		r.MinSeverity = sev
	}
	if len(r.Languages) == 0 {
		r.Languages = slices.Clone(Languages)
	}
	return r, r.Validate(channels)
}

// Validate checks a rule against the configured channel names (nil skips that check).
func (r *Rule) Validate(channels map[string]bool) error {
	var errs []error
	if !orgRe.MatchString(r.Org) {
		errs = append(errs, fmt.Errorf("org id %q: want 1-64 of [A-Za-z0-9._-]", r.Org))
	}
	if r.MinSeverity < SeverityLow || r.MinSeverity > SeverityCritical {
		errs = append(errs, fmt.Errorf("min_severity %s: want low..critical", r.MinSeverity))
	}
	if len(r.Channels) == 0 {
		errs = append(errs, errors.New("no channels: the organisation would never be told"))
	}
	for _, ch := range r.Channels {
		if channels != nil && !channels[ch] {
			errs = append(errs, fmt.Errorf("channel %q is not defined under alerts.channels", ch))
		}
	}
	if r.GroupWindow < 0 || r.GroupWindow > 24*time.Hour {
		errs = append(errs, fmt.Errorf("group_window %s: want 0..24h", r.GroupWindow))
	}
	for _, l := range r.Languages {
		if !slices.Contains(Languages, l) {
			errs = append(errs, fmt.Errorf("language %q: want one of %v", l, Languages))
		}
	}
	if len(r.Languages) == 0 {
		errs = append(errs, errors.New("no languages"))
	}
	return errors.Join(errs...)
}

type ruleJSON struct {
	Org         string   `json:"org"`
	MinSeverity Severity `json:"min_severity"`
	Channels    []string `json:"channels"`
	GroupWindow string   `json:"group_window"`
	FirstDelay  string   `json:"first_delay"`
	Languages   []string `json:"languages"`
	Source      string   `json:"source"`
}

// MarshalJSON writes durations as Go duration strings ("30s"), as in the config file,
// so the API and the file read alike.
func (r Rule) MarshalJSON() ([]byte, error) {
	return json.Marshal(ruleJSON{Org: r.Org, MinSeverity: r.MinSeverity, Channels: r.Channels,
		GroupWindow: r.GroupWindow.String(), FirstDelay: r.FirstDelay.String(), Languages: r.Languages, Source: r.Source})
}

// UnmarshalJSON reads durations as strings ("30s", "2m"); empty means zero.
func (r *Rule) UnmarshalJSON(b []byte) error {
	var j ruleJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	parse := func(s, what string) (time.Duration, error) {
		if s == "" {
			return 0, nil
		}
		d, err := time.ParseDuration(s)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", what, err)
		}
		return d, nil
	}
	gw, err := parse(j.GroupWindow, "group_window")
	if err != nil {
		return err
	}
	fd, err := parse(j.FirstDelay, "first_delay")
	if err != nil {
		return err
	}
	*r = Rule{Org: j.Org, MinSeverity: j.MinSeverity, Channels: j.Channels, GroupWindow: gw, FirstDelay: fd,
		Languages: j.Languages, Source: j.Source}
	return nil
}
