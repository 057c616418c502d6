package tipline

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/kuzot/kuzot/collectors"
	"github.com/kuzot/kuzot/post"
)

// State keys shared by every intake of a deployment, so that a bot and a mailbox
// merge the same campaign. They hold no reporter identity: reporters appear only as
// keyed hashes, per organisation.
const (
	indexKey       = "tipline/index"
	campaignPrefix = "tipline/campaign/"
	reporterPrefix = "tipline/reporter/"
	// maxCampaigns bounds the live campaigns kept in the state (and searched for
	// near-duplicates); the least recently active beyond it are forgotten.
	maxCampaigns = 3000
)

// reporterShard lists, for the reporters of one organisation whose keyed hash starts
// with the same two hex digits, the campaigns each contributed to, so that /forget can
// find them. Sharding keeps the hash out of the state's keys: /forget deletes the
// reporter's entry and nothing of it is left (the KV bucket keeps one revision).
type reporterShard struct {
	Reporters map[string][]string `json:"reporters"`
}

func shardKey(org, hash string) string { return org + "/" + hash[:2] }

// intake is one poll's view of the tipline state: campaigns, reporters and the
// near-duplicate index, loaded on demand and written by commit.
type intake struct {
	st     collectors.State
	opt    *Config
	index  *nearIndex
	camps  map[string]*Campaign
	shards map[string]*reporterShard
	dirty  map[string]bool // campaigns whose post must be (re)published
	// linked are the public posts tips of this batch link to, published before the tips.
	linked   []post.Post
	repDirty map[string]bool // shards to save
}

func newIntake(st collectors.State, opt *Config) *intake {
	return &intake{st: st, opt: opt, camps: map[string]*Campaign{}, shards: map[string]*reporterShard{},
		dirty: map[string]bool{}, repDirty: map[string]bool{}}
}

func (in *intake) loadIndex(ctx context.Context) error {
	if in.index != nil {
		return nil
	}
	in.index = &nearIndex{}
	_, err := collectors.LoadJSON(ctx, in.st, indexKey, in.index)
	return err
}

func (in *intake) campaign(ctx context.Context, fp string) (*Campaign, bool, error) {
	if c, ok := in.camps[fp]; ok {
		return c, true, nil
	}
	c := &Campaign{}
	found, err := collectors.LoadJSON(ctx, in.st, campaignPrefix+fp, c)
	if err != nil {
		return nil, false, err
	}
	if !found || c.Fingerprint == "" {
		return nil, false, nil
	}
	in.camps[fp] = c
	return c, true, nil
}

func (in *intake) shard(ctx context.Context, key string) (*reporterShard, error) {
	if sh, ok := in.shards[key]; ok {
		return sh, nil
	}
	sh := &reporterShard{}
	if _, err := collectors.LoadJSON(ctx, in.st, reporterPrefix+key, sh); err != nil {
		return nil, err
	}
	if sh.Reporters == nil {
		sh.Reporters = map[string][]string{}
	}
	in.shards[key] = sh
	return sh, nil
}

// submit adds a tip by reporter (the keyed hash) of org to its campaign: the exact
// match first, then, for texts, the most similar indexed campaign, else a new one. It
// returns the campaign fingerprint and whether the submission counted (false for a
// repeat by the same reporter).
func (in *intake) submit(ctx context.Context, t Tip, org, reporterHash string) (string, bool, error) {
	if err := in.loadIndex(ctx); err != nil {
		return "", false, err
	}
	fp := Fingerprint(t.ExactKey())
	c, ok, err := in.campaign(ctx, fp)
	if err != nil {
		return "", false, err
	}
	var words []uint32
	if t.textual() {
		words = sketch(Words(t.Text))
	}
	if !ok && words != nil {
		if near, found := in.index.match(words, in.opt.NearDuplicate); found {
			if c, ok, err = in.campaign(ctx, near); err != nil {
				return "", false, err
			}
			if ok {
				fp = near
			}
		}
	}
	if !ok {
		c = &Campaign{Fingerprint: fp, Kind: t.Kind, Text: t.Text, Links: t.Links, OriginChannel: t.OriginChannel,
			OriginTitle: t.OriginTitle, OriginURL: t.OriginURL, OriginDate: t.OriginDate}
		in.camps[fp] = c
	}
	if c.Withdrawn {
		// Its only reporter withdrew it; a new report brings the content back.
		c.Withdrawn, c.Text, c.Links = false, t.Text, t.Links
	}
	rep := org + "/" + reporterHash
	counted := c.Add(t, org, rep)
	if counted {
		in.dirty[fp] = true
		key := shardKey(org, reporterHash)
		sh, err := in.shard(ctx, key)
		if err != nil {
			return "", false, err
		}
		if !slices.Contains(sh.Reporters[reporterHash], fp) {
			sh.Reporters[reporterHash] = append(sh.Reporters[reporterHash], fp)
			in.repDirty[key] = true
		}
	}
	in.index.touch(fp, words, t.At)
	return fp, counted, nil
}

// forget removes every link between a reporter and their tips: the reporter's record
// is emptied and their hash leaves every campaign; a campaign they alone reported is
// withdrawn (its post is republished without content). Counts stay: they are anonymous.
func (in *intake) forget(ctx context.Context, org, reporterHash string) (unlinked, withdrawn int, err error) {
	rep := org + "/" + reporterHash
	key := shardKey(org, reporterHash)
	sh, err := in.shard(ctx, key)
	if err != nil {
		return 0, 0, err
	}
	for _, fp := range sh.Reporters[reporterHash] {
		c, ok, err := in.campaign(ctx, fp)
		if err != nil {
			return 0, 0, err
		}
		if !ok {
			continue
		}
		i := slices.Index(c.Reporters, rep)
		if i < 0 {
			continue
		}
		c.Reporters = slices.Delete(c.Reporters, i, i+1)
		unlinked++
		if c.Submissions <= 1 && len(c.Reporters) == 0 {
			c.Withdrawn = true
			c.Text, c.Links, c.Media, c.SMSSender, c.LinkedPost = "", nil, nil, "", ""
			withdrawn++
			in.dirty[fp] = true
		}
		in.markCampaign(fp)
	}
	delete(sh.Reporters, reporterHash)
	in.repDirty[key] = true
	return unlinked, withdrawn, nil
}

// link records that campaign fp's tips point at the collected public post p: p is
// published with the batch, before the campaign's post that names it.
func (in *intake) link(fp string, p post.Post) {
	in.linked = append(in.linked, p)
	in.camps[fp].LinkedPost = p.ID
	in.dirty[fp] = true
}

// markCampaign saves a campaign without republishing its post.
func (in *intake) markCampaign(fp string) {
	if _, ok := in.dirty[fp]; !ok {
		in.dirty[fp] = false
	}
}

// commit publishes the post of every changed campaign, then saves campaigns,
// reporters and the index. The caller saves its own offset afterwards, so a crash
// anywhere before that replays the poll, and replays change nothing (a reporter is
// counted once per campaign).
func (in *intake) commit(ctx context.Context, emit collectors.Emit, now time.Time, detect func(string) string) (int, error) {
	fps := make([]string, 0, len(in.dirty))
	for fp := range in.dirty {
		fps = append(fps, fp)
	}
	sort.Strings(fps)
	emitted := 0
	for _, p := range in.linked {
		if err := emit(ctx, p); err != nil {
			return emitted, fmt.Errorf("emit linked post %s: %w", p.ID, err)
		}
		emitted++
	}
	for _, fp := range fps {
		if !in.dirty[fp] {
			continue
		}
		p := in.camps[fp].Post(now, in.opt.BurstWindow, in.opt.BurstMin, detect)
		if err := emit(ctx, p); err != nil {
			return emitted, fmt.Errorf("emit %s: %w", p.ID, err)
		}
		emitted++
	}
	for _, fp := range fps {
		if err := collectors.SaveJSON(ctx, in.st, campaignPrefix+fp, in.camps[fp]); err != nil {
			return emitted, err
		}
	}
	// Campaigns inactive for longer than keep_for (or beyond maxCampaigns) are forgotten:
	// their record is emptied and reporters' lists drop them when their shard is written.
	if err := in.loadIndex(ctx); err != nil {
		return emitted, err
	}
	for _, fp := range in.index.prune(now.Add(-in.opt.KeepFor), maxCampaigns) {
		if err := in.st.Put(ctx, campaignPrefix+fp, []byte("{}")); err != nil {
			return emitted, fmt.Errorf("expire campaign %s: %w", fp, err)
		}
		delete(in.camps, fp)
	}
	live := make(map[string]bool, len(in.index.Entries))
	for _, e := range in.index.Entries {
		live[e.Fingerprint] = true
	}
	for k := range in.repDirty {
		sh := in.shards[k]
		for h, fps := range sh.Reporters {
			fps = slices.DeleteFunc(fps, func(fp string) bool { return !live[fp] })
			if len(fps) == 0 {
				delete(sh.Reporters, h)
			} else {
				sh.Reporters[h] = fps
			}
		}
	}
	reps := make([]string, 0, len(in.repDirty))
	for k := range in.repDirty {
		reps = append(reps, k)
	}
	sort.Strings(reps)
	for _, k := range reps {
		if err := collectors.SaveJSON(ctx, in.st, reporterPrefix+k, in.shards[k]); err != nil {
			return emitted, err
		}
	}
	// commit runs only for a non-empty batch, which always changes the index.
	if err := collectors.SaveJSON(ctx, in.st, indexKey, in.index); err != nil {
		return emitted, err
	}
	return emitted, nil
}
