package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/kuzot/kuzot/coordination"
	"github.com/kuzot/kuzot/coordination/campaigns"
)

// monthResult is one run of the month harness (issue 21): a month of campaign traffic
// from the independent generator through the detector with its defaults, the frozen
// evaluation, the state size and a restart from the saved state.
type monthResult struct {
	Mode      string           `json:"mode"`
	Ablation  string           `json:"ablation,omitempty"`
	MaxPairs  int              `json:"max_pairs"`
	Seed      uint64           `json:"seed"`
	Posts     int              `json:"posts"`
	DetectS   float64          `json:"detect_s"`
	TotalS    float64          `json:"total_s"`
	CPUS      float64          `json:"cpu_s"`
	PeakMB    float64          `json:"peak_mb"`
	HeapMB    float64          `json:"heap_mb"`
	Load      string           `json:"load"`
	Edges     int              `json:"edges"`
	Accounts  int              `json:"accounts"`
	Pruned    int64            `json:"pruned"`
	StateMB   float64          `json:"state_mb"`
	SaveS     float64          `json:"save_s"`
	RestoreS  float64          `json:"restore_s"`
	Horizon   string           `json:"horizon"`
	Restart   bool             `json:"restart"`
	SavedAt   time.Time        `json:"saved_at"`
	SavedMB   float64          `json:"saved_mb"`
	Replayed  int              `json:"replayed"`
	Continued int              `json:"continued"`
	SameAfter bool             `json:"same_after_restart"`
	Differ    int              `json:"clusters_differing"`
	Final     int              `json:"final_clusters"`
	Report    campaigns.Report `json:"report"`
	False     []string         `json:"false_clusters"`
}

// monthOptions are the knobs of one month run.
type monthOptions struct {
	organic  bool          // organic traffic only (no networks)
	ablate   string        // switch off fold, hashtags or both
	maxPairs int           // the detector's MaxPairs (0: default)
	horizon  time.Duration // the detector's Horizon (0: default)
	restart  bool          // run the mid-month restart check
}

// measureMonth generates posts posts over 30 days with seed (organic: no networks) and
// runs the detector with its default parameters (or those of o). With o.restart it
// saves the state in the middle of the month, and after the uninterrupted run restarts
// from that state: load, Rebuild of the short tail before the save (ReplayMargin; the
// resume time), then Observe of the rest of the month, and compares the final clusters
// with those of the uninterrupted run.
func measureMonth(posts int, seed uint64, o monthOptions) (monthResult, error) {
	organic, ablate, maxPairs := o.organic, o.ablate, o.maxPairs
	cfg := campaigns.DefaultConfig(seed, posts)
	mode := "month"
	if organic {
		cfg.Networks = 0
		mode = "organic"
	}
	g, err := campaigns.New(cfg)
	if err != nil {
		return monthResult{}, err
	}
	res := monthResult{Mode: mode, Seed: seed, Load: loadAvg(), Ablation: ablate}
	p := coordination.DefaultParams()
	if maxPairs > 0 {
		p.MaxPairs = maxPairs
	}
	if o.horizon > 0 {
		p.Horizon = o.horizon
	}
	res.Horizon = p.Horizon.String()
	res.Restart = o.restart
	res.MaxPairs = p.MaxPairs
	opts := []coordination.Option{coordination.WithClock(g.End)}
	switch ablate {
	case "":
	case "fold":
		opts = append(opts, coordination.WithoutFolding())
	case "hashtags":
		opts = append(opts, coordination.WithoutHashtags())
	case "both":
		opts = append(opts, coordination.WithoutFolding(), coordination.WithoutHashtags())
	default:
		return monthResult{}, fmt.Errorf("unknown ablation %q (fold, hashtags, both)", ablate)
	}
	d, err := coordination.NewDetector(p, opts...)
	if err != nil {
		return monthResult{}, err
	}
	latest := map[string]coordination.Cluster{}
	keep := func(cs []coordination.Cluster) {
		for _, c := range cs {
			if c.Status == coordination.StatusMerged {
				delete(latest, c.ID)
			} else {
				latest[c.ID] = c
			}
		}
	}
	margin := coordination.ReplayMargin(p)
	mid := g.End().Add(-time.Duration(cfg.Days) * 12 * time.Hour) // the middle of the month
	var saved bytes.Buffer
	savedN := 0 // posts the mid-month state includes
	start := time.Now()
	var spent time.Duration
	var nextFlush, last time.Time
	for {
		it, ok := g.Next()
		if !ok {
			break
		}
		res.Posts++
		obs := coordination.Observation{Post: it.Post}
		t0 := time.Now()
		if err := d.Observe(obs); err != nil {
			return monthResult{}, err
		}
		last = it.Post.PublishedAt
		if last.After(nextFlush) {
			keep(d.Flush(last))
			nextFlush = last.Add(time.Minute)
		}
		spent += time.Since(t0)
		if o.restart && savedN == 0 && !last.Before(mid) {
			// The periodic save of the coordinate role, in the middle of the month.
			t0 = time.Now()
			if err := d.Save(&saved); err != nil {
				return monthResult{}, err
			}
			res.SaveS = time.Since(t0).Seconds()
			savedN, res.SavedAt, res.SavedMB = res.Posts, last, float64(saved.Len())/(1<<20)
		}
	}
	t0 := time.Now()
	keep(d.Flush(last))
	spent += time.Since(t0)
	res.DetectS = spent.Seconds()
	st := d.Stats()
	res.Edges, res.Accounts, res.Pruned = st.Edges, st.Accounts, st.PrunedEdges
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	res.HeapMB = float64(ms.HeapInuse) / (1 << 20)
	var state bytes.Buffer
	if err := d.Save(&state); err != nil {
		return monthResult{}, err
	}
	res.StateMB = float64(state.Len()) / (1 << 20)
	final := d.FlushAll(last)
	res.Final = len(final)
	// Peak memory of the month run, before the restart check allocates a second detector.
	peak, err := peakRSS()
	if err != nil {
		return monthResult{}, err
	}
	res.PeakMB = peak
	res.TotalS = time.Since(start).Seconds()
	if o.restart && savedN > 0 {
		d = nil
		runtime.GC()
		if err := restartFromMid(&res, cfg, &saved, savedN, margin, final, opts); err != nil {
			return monthResult{}, err
		}
	}

	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		res.CPUS = time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
	}
	var clusters [][]string
	for _, c := range latest {
		clusters = append(clusters, c.Accounts)
	}
	res.Report = campaigns.Evaluate(clusters, g.Truth())
	// Describe the false clusters (no network majority): what organic look-alike made
	// them, by behaviour, rhythm and a sample account.
	truth := g.Truth()
	for _, c := range latest {
		inNet := 0
		for _, a := range c.Accounts {
			if _, ok := truth.Member[a]; ok {
				inNet++
			}
		}
		if 2*inNet >= len(c.Accounts) {
			continue
		}
		kind := "-"
		if c.Rhythm != nil {
			kind = fmt.Sprintf("%s/%d bursts", c.Rhythm.Kind, c.Rhythm.Bursts)
		}
		res.False = append(res.False, fmt.Sprintf("%d accounts, %s, %s, e.g. %s", len(c.Accounts), strings.Join(c.Behaviours, "+"), kind, c.Accounts[0]))
	}
	slices.Sort(res.False)
	return res, nil
}

// restartFromMid is the restart check: a new detector loads the state saved after
// savedN posts (at res.SavedAt), rebuilds the window state from the posts of the last
// margin before the save (the resume time: load + rebuild), then observes the rest of
// the month; its final clusters are compared with those of the uninterrupted run.
func restartFromMid(res *monthResult, cfg campaigns.Config, saved *bytes.Buffer, savedN int, margin time.Duration, final []coordination.Cluster, opts []coordination.Option) error {
	g, err := campaigns.New(cfg)
	if err != nil {
		return err
	}
	from := res.SavedAt.Add(-margin)
	var tail []coordination.Observation
	for n := 1; n <= savedN; n++ { // the stream up to the save, as JetStream holds it
		it, ok := g.Next()
		if !ok {
			return fmt.Errorf("restart: stream ended at %d of %d posts", n, savedN)
		}
		if !it.Post.PublishedAt.Before(from) {
			tail = append(tail, coordination.Observation{Post: it.Post})
		}
	}
	t0 := time.Now()
	d, err := coordination.Load(saved, opts...) // the same clock and ablation as the month run
	if err != nil {
		return err
	}
	for _, o := range tail {
		if err := d.Rebuild(o); err != nil && !isTooLate(err) {
			return err
		}
		res.Replayed++
	}
	d.Flush(res.SavedAt)
	res.RestoreS = time.Since(t0).Seconds()
	var last, nextFlush time.Time
	for {
		it, ok := g.Next()
		if !ok {
			break
		}
		if err := d.Observe(coordination.Observation{Post: it.Post}); err != nil && !isTooLate(err) {
			return err
		}
		res.Continued++
		last = it.Post.PublishedAt
		if last.After(nextFlush) {
			d.Flush(last)
			nextFlush = last.Add(time.Minute)
		}
	}
	after := d.FlushAll(last)
	res.Differ = differing(final, after)
	res.SameAfter = res.Differ == 0
	return nil
}

func isTooLate(err error) bool {
	return err != nil && strings.Contains(err.Error(), "later than the allowed")
}

// differing counts the clusters of a full flush that the other full flush does not
// hold with the same id and accounts (in either direction).
func differing(a, b []coordination.Cluster) int {
	key := func(c coordination.Cluster) string { return c.ID + "\x00" + strings.Join(c.Accounts, ",") }
	in := map[string]int{}
	for _, c := range a {
		in[key(c)]++
	}
	n := 0
	for _, c := range b {
		if in[key(c)] > 0 {
			in[key(c)]--
		} else {
			n++
		}
	}
	for _, v := range in {
		n += v
	}
	return n
}

// loadAvg is the 1-minute load average of the machine, to state next to wall times.
func loadAvg() string {
	var si syscall.Sysinfo_t
	if err := syscall.Sysinfo(&si); err != nil {
		return "?"
	}
	return fmt.Sprintf("%.2f", float64(si.Loads[0])/65536)
}

// writeMonth prints a month result.
func writeMonth(w io.Writer, r monthResult) {
	if r.Ablation != "" {
		fmt.Fprintf(w, "ablation: without %s\n", r.Ablation)
	}
	fmt.Fprintf(w, "%s: seed %d, %d posts over 30 days: detect %.1f s (total %.1f s, cpu %.1f s, load %s), peak RSS %.0f MiB, heap %.0f MiB\n",
		r.Mode, r.Seed, r.Posts, r.DetectS, r.TotalS, r.CPUS, r.Load, r.PeakMB, r.HeapMB)
	fmt.Fprintf(w, "state after the month (horizon %s, max pairs %d): %d pairs, %d accounts, %d weak pairs pruned, %.1f MiB saved\n",
		r.Horizon, r.MaxPairs, r.Edges, r.Accounts, r.Pruned, r.StateMB)
	if r.Restart {
		fmt.Fprintf(w, "restart from the state saved at %s (%.1f MiB, saved in %.2f s): resume (load + rebuild of %d posts + flush) %.2f s, then %d more posts; final clusters %d, differing from the uninterrupted run: %d (same: %v)\n",
			r.SavedAt.Format(time.RFC3339), r.SavedMB, r.SaveS, r.Replayed, r.RestoreS, r.Continued, r.Final, r.Differ, r.SameAfter)
	}
	fmt.Fprintln(w)
	r.Report.Write(w)
	for _, f := range r.False {
		fmt.Fprintf(w, "- false cluster: %s\n", f)
	}
}

// runMonth runs the month harness and its organic twin, each in a child process.
func runMonth(ctx context.Context, size string, seed uint64, organic bool, ablate string, maxPairs int, stdout, stderr io.Writer) error {
	modes := []string{"month"}
	if organic {
		modes = append(modes, "organic")
	}
	for _, mode := range modes {
		r, err := runMonthChild(ctx, mode, size, seed, ablate, maxPairs, 0, mode == "month", stderr)
		if err != nil {
			return err
		}
		writeMonth(stdout, r)
		fmt.Fprintln(stdout)
	}
	return nil
}

// runMonthChild runs one month measurement in a child process.
func runMonthChild(ctx context.Context, mode, size string, seed uint64, ablate string, maxPairs int, horizon time.Duration, restart bool, stderr io.Writer) (monthResult, error) {
	self, err := os.Executable()
	if err != nil {
		return monthResult{}, fmt.Errorf("locate own binary: %w", err)
	}
	cmd := exec.CommandContext(ctx, self, "-child", fmt.Sprintf("%s:%s:%d", mode, size, seed), "-ablate", ablate,
		"-max-pairs", fmt.Sprint(maxPairs), "-horizon", horizon.String(), fmt.Sprintf("-restart=%v", restart))
	cmd.Stderr = stderr
	out, err := cmd.Output()
	if err != nil {
		return monthResult{}, fmt.Errorf("run %s: %w", mode, err)
	}
	var r monthResult
	if err := json.Unmarshal(out, &r); err != nil {
		return monthResult{}, fmt.Errorf("run %s: bad output %q: %w", mode, out, err)
	}
	return r, nil
}

// runHorizons is the horizon ablation: the month with each horizon (no organic twin,
// no restart check), one line each, to show what weeks of memory add.
func runHorizons(ctx context.Context, size string, seed uint64, horizons string, stdout, stderr io.Writer) error {
	fmt.Fprintf(stdout, "horizon ablation: seed %d, %s posts over 30 days\n\n", seed, size)
	fmt.Fprintf(stdout, "| horizon | networks found | precision | recall | hourly | daily | weekly | cross-platform | translated | false clusters | pairs | peak MiB | detect s |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, h := range strings.Split(horizons, ",") {
		hd, err := time.ParseDuration(strings.TrimSpace(h))
		if err != nil {
			return fmt.Errorf("horizon %q: %w", h, err)
		}
		r, err := runMonthChild(ctx, "month", size, seed, "", 0, hd, false, stderr)
		if err != nil {
			return err
		}
		rep := r.Report
		fmt.Fprintf(stdout, "| %s | %d/%d | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %d | %d | %.0f | %.1f |\n", r.Horizon,
			rep.All.NetworksFound, rep.All.Networks, rep.All.Precision(), rep.All.Recall(),
			rep.ByRhythm[campaigns.RhythmHourly].Recall(), rep.ByRhythm[campaigns.RhythmDaily].Recall(), rep.ByRhythm[campaigns.RhythmWeekly].Recall(),
			rep.ByKind[campaigns.KindCrossPlatform].Recall(), rep.ByKind[campaigns.KindTranslated].Recall(),
			rep.FalseClusters, r.Edges, r.PeakMB, r.DetectS)
	}
	return nil
}
