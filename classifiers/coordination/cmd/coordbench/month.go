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

	"github.com/kuzot/kuzot/classifiers/coordination"
	"github.com/kuzot/kuzot/classifiers/coordination/campaigns"
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
	Replayed  int              `json:"replayed"`
	SameAfter bool             `json:"same_after_restart"`
	Report    campaigns.Report `json:"report"`
	False     []string         `json:"false_clusters"`
}

// measureMonth generates posts posts over 30 days with seed (organic: no networks) and
// runs the detector with its default parameters.
func measureMonth(posts int, seed uint64, organic bool, ablate string, maxPairs int) (monthResult, error) {
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
	// The last ReplayMargin of posts is kept for the restart: the pipeline replays it
	// from JetStream.
	margin := coordination.ReplayMargin(p)
	var tail []coordination.Observation
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
		tail = append(tail, obs)
		if len(tail) > 4096 && tail[0].Post.PublishedAt.Before(last.Add(-margin)) {
			i, _ := slices.BinarySearchFunc(tail, last.Add(-margin), func(o coordination.Observation, t time.Time) int {
				return o.Post.PublishedAt.Compare(t)
			})
			tail = slices.Delete(tail, 0, i)
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

	// Save the state (taken just before the margin, as a periodic snapshot would be),
	// then restart from it with a replay of the margin and compare the clusters.
	var state bytes.Buffer
	t0 = time.Now()
	if err := d.Save(&state); err != nil {
		return monthResult{}, err
	}
	res.SaveS = time.Since(t0).Seconds()
	res.StateMB = float64(state.Len()) / (1 << 20)
	t0 = time.Now()
	d2, err := coordination.Load(&state, coordination.WithClock(g.End))
	if err != nil {
		return monthResult{}, err
	}
	for _, o := range tail {
		if err := d2.Observe(o); err != nil && !isTooLate(err) {
			return monthResult{}, err
		}
		res.Replayed++
	}
	after := d2.FlushAll(last)
	res.RestoreS = time.Since(t0).Seconds()
	res.SameAfter = sameClusters(d.FlushAll(last), after)

	res.TotalS = time.Since(start).Seconds()
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
	peak, err := peakRSS()
	if err != nil {
		return monthResult{}, err
	}
	res.PeakMB = peak
	return res, nil
}

func isTooLate(err error) bool {
	return err != nil && strings.Contains(err.Error(), "later than the allowed")
}

// sameClusters reports whether two full flushes hold the same clusters (ids and
// accounts).
func sameClusters(before, after []coordination.Cluster) bool {
	if len(after) != len(before) {
		return false
	}
	for i := range after {
		if before[i].ID != after[i].ID || before[i].Status != after[i].Status || !slices.Equal(before[i].Accounts, after[i].Accounts) {
			return false
		}
	}
	return true
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
	fmt.Fprintf(w, "state after the month (max pairs %d): %d pairs, %d accounts, %d weak pairs pruned, %.1f MiB saved in %.2f s\n",
		r.MaxPairs, r.Edges, r.Accounts, r.Pruned, r.StateMB, r.SaveS)
	fmt.Fprintf(w, "restart: load + replay of %d posts + flush in %.2f s; same clusters: %v\n\n", r.Replayed, r.RestoreS, r.SameAfter)
	r.Report.Write(w)
	for _, f := range r.False {
		fmt.Fprintf(w, "- false cluster: %s\n", f)
	}
}

// runMonth runs the month harness and its organic twin, each in a child process.
func runMonth(ctx context.Context, size string, seed uint64, organic bool, ablate string, maxPairs int, stdout, stderr io.Writer) error {
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("locate own binary: %w", err)
	}
	modes := []string{"month"}
	if organic {
		modes = append(modes, "organic")
	}
	for _, mode := range modes {
		cmd := exec.CommandContext(ctx, self, "-child", fmt.Sprintf("%s:%s:%d", mode, size, seed), "-ablate", ablate,
			"-max-pairs", fmt.Sprint(maxPairs))
		cmd.Stderr = stderr
		out, err := cmd.Output()
		if err != nil {
			return fmt.Errorf("run %s: %w", mode, err)
		}
		var r monthResult
		if err := json.Unmarshal(out, &r); err != nil {
			return fmt.Errorf("run %s: bad output %q: %w", mode, out, err)
		}
		writeMonth(stdout, r)
		fmt.Fprintln(stdout)
	}
	return nil
}
