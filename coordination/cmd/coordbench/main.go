// Command coordbench is the scaling harness of the coordination detector (issue 7):
// it clusters synthetic traffic of several sizes and runs the naive all-pairs baseline,
// each in a fresh child process so that peak memory (VmHWM) belongs to one run, and
// prints time, throughput, peak memory and recovery quality per run.
//
//	go run ./coordination/cmd/coordbench                 # 100k,300k,1M + naive 20k,40k
//	go run ./coordination/cmd/coordbench -sizes 100k -naive 0
//
// Posts are generated as a stream (100k posts per day, the synth defaults; the baseline
// comparison uses one day of 20k posts so that networks are detectable in it) and fed to
// the detector as they are generated, as the pipeline would; "detect s" counts only the
// wall time spent in Observe and Flush, "total s" includes generation, and "cpu s" is
// the process's CPU time (user+system, all threads, generation included): on a shared
// machine it shows the cost when wall times are inflated by other load.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/kuzot/kuzot/coordination"
	"github.com/kuzot/kuzot/coordination/campaigns"
	"github.com/kuzot/kuzot/coordination/synth"
)

// result is one run's measurements, passed from child to parent as JSON.
type result struct {
	Mode      string  `json:"mode"`
	Posts     int     `json:"posts"`
	DetectS   float64 `json:"detect_s"`
	FlushS    float64 `json:"flush_s"`
	TotalS    float64 `json:"total_s"`
	CPUS      float64 `json:"cpu_s"`
	PeakMB    float64 `json:"peak_mb"`
	Clusters  int     `json:"clusters"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	Edges     int     `json:"edges"`
	Hot       int64   `json:"hot_objects"`
}

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "coordbench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("coordbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sizes := fs.String("sizes", "100k,300k,1M", "comma-separated post counts for the detector (k and M suffixes)")
	perDay := fs.Int("per-day", 100_000, "synthetic traffic rate for the detector runs, posts per day")
	naive := fs.String("naive", "20k,40k", "comma-separated post counts for the naive all-pairs baseline, each next to the detector on the same posts (0 to skip)")
	naivePerDay := fs.Int("naive-per-day", 20_000, "traffic rate of the baseline comparison (one day of 20k posts by default)")
	month := fs.String("month", "", "run the month harness of issue 21 instead: this many posts over 30 days from the campaigns generator (frozen seed), then the same size of organic traffic")
	seed := fs.Uint64("seed", campaigns.TuningSeed, "campaigns generator seed for -month (the tuning seed by default; the frozen evaluation is -seed 20261205, run by make bench)")
	organic := fs.Bool("organic", true, "with -month: also run organic traffic of the same size (false clusters)")
	ablate := fs.String("ablate", "", "with -month: switch off fold (transliteration folding), hashtags (hashtag synchrony) or both, to measure what they catch")
	maxPairs := fs.Int("max-pairs", 0, "with -month: the detector's MaxPairs (0 = default)")
	horizons := fs.String("horizons", "", "with -month: run the horizon ablation instead, one month run per horizon (for example 24h,168h,720h)")
	horizon := fs.Duration("horizon", 0, "internal: the detector's Horizon for a -child month run (0 = default)")
	restart := fs.Bool("restart", true, "internal: run the mid-month restart check in a -child month run")
	cpuProfile := fs.String("cpuprofile", "", "with -child: write a CPU profile of the run to this file")
	child := fs.String("child", "", "internal: run one measurement, mode:posts:per-day")
	// make bench passes -clickhouse to every harness; this one needs no database.
	_ = fs.String("clickhouse", "", "ignored: accepted so make bench can pass it to every harness")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *child != "" {
		if *cpuProfile != "" {
			f, err := os.Create(*cpuProfile)
			if err != nil {
				return fmt.Errorf("cpu profile: %w", err)
			}
			defer f.Close()
			if err := pprof.StartCPUProfile(f); err != nil {
				return fmt.Errorf("cpu profile: %w", err)
			}
			defer pprof.StopCPUProfile()
		}
		parts := strings.Split(*child, ":")
		if len(parts) != 3 {
			return fmt.Errorf("bad -child %q", *child)
		}
		posts, err := parseCount(parts[1])
		if err != nil {
			return err
		}
		if parts[0] == "month" || parts[0] == "organic" {
			sd, err := strconv.ParseUint(parts[2], 10, 64)
			if err != nil {
				return fmt.Errorf("bad -child seed %q", parts[2])
			}
			r, err := measureMonth(posts, sd, monthOptions{organic: parts[0] == "organic", ablate: *ablate, maxPairs: *maxPairs,
				horizon: *horizon, restart: *restart})
			if err != nil {
				return err
			}
			return json.NewEncoder(stdout).Encode(r)
		}
		rate, err := strconv.Atoi(parts[2])
		if err != nil || rate <= 0 {
			return fmt.Errorf("bad -child rate %q", parts[2])
		}
		r, err := measure(parts[0], posts, rate)
		if err != nil {
			return err
		}
		return json.NewEncoder(stdout).Encode(r)
	}

	if *month != "" && *horizons != "" {
		return runHorizons(ctx, *month, *seed, *horizons, stdout, stderr)
	}
	if *month != "" {
		return runMonth(ctx, *month, *seed, *organic, *ablate, *maxPairs, stdout, stderr)
	}
	type run struct{ spec, group string }
	var runs []run
	for _, sz := range strings.Split(*sizes, ",") {
		if sz = strings.TrimSpace(sz); sz != "" {
			runs = append(runs, run{fmt.Sprintf("detect:%s:%d", sz, *perDay), "scale"})
		}
	}
	if *naive != "" && *naive != "0" {
		for _, sz := range strings.Split(*naive, ",") {
			if sz = strings.TrimSpace(sz); sz != "" {
				runs = append(runs, run{fmt.Sprintf("detect:%s:%d", sz, *naivePerDay), "pair"},
					run{fmt.Sprintf("naive:%s:%d", sz, *naivePerDay), "pair"})
			}
		}
	}
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("locate own binary: %w", err)
	}
	fmt.Fprintf(stdout, "%-8s %9s %9s %9s %9s %10s %9s %9s %7s %9s\n", "mode", "posts", "detect s", "total s", "cpu s", "posts/s", "peak MB", "clusters", "prec", "recall")
	var scale, pairs []result
	for _, r := range runs {
		cmd := exec.CommandContext(ctx, self, "-child", r.spec)
		cmd.Stderr = stderr
		out, err := cmd.Output()
		if err != nil {
			return fmt.Errorf("run %s: %w", r.spec, err)
		}
		var res result
		if err := json.Unmarshal(out, &res); err != nil {
			return fmt.Errorf("run %s: bad output %q: %w", r.spec, out, err)
		}
		if r.group == "scale" {
			scale = append(scale, res)
		} else {
			pairs = append(pairs, res)
		}
		fmt.Fprintf(stdout, "%-8s %9d %9.2f %9.2f %9.2f %10.0f %9.0f %9d %7.3f %9.3f\n", res.Mode, res.Posts, res.DetectS, res.TotalS, res.CPUS,
			float64(res.Posts)/res.DetectS, res.PeakMB, res.Clusters, res.Precision, res.Recall)
	}
	for i := 1; i < len(scale); i++ {
		b, r := scale[0], scale[i]
		fmt.Fprintf(stdout, "detector growth %d -> %d posts: %.1fx posts, %.1fx wall time, %.1fx cpu time\n", b.Posts, r.Posts,
			float64(r.Posts)/float64(b.Posts), r.DetectS/b.DetectS, r.CPUS/b.CPUS)
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		d, n := pairs[i], pairs[i+1]
		if d.DetectS > 0 {
			fmt.Fprintf(stdout, "naive all-pairs vs streaming detector on %d posts: %.1fx the time\n", n.Posts, n.DetectS/d.DetectS)
		}
		if i >= 2 {
			n0 := pairs[1]
			fmt.Fprintf(stdout, "naive growth %d -> %d posts: %.1fx posts, %.1fx time\n", n0.Posts, n.Posts,
				float64(n.Posts)/float64(n0.Posts), n.DetectS/n0.DetectS)
		}
	}
	return nil
}

// parseCount reads 20000, 20k or 1M.
func parseCount(s string) (int, error) {
	mult := 1
	switch {
	case strings.HasSuffix(s, "k"), strings.HasSuffix(s, "K"):
		mult, s = 1000, s[:len(s)-1]
	case strings.HasSuffix(s, "M"), strings.HasSuffix(s, "m"):
		mult, s = 1_000_000, s[:len(s)-1]
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("bad post count %q", s)
	}
	return n * mult, nil
}

// measure runs one detector or baseline measurement in this process.
func measure(mode string, posts, perDay int) (result, error) {
	cfg := synth.DefaultConfig(posts)
	cfg.PostsPerDay = perDay
	g, err := synth.New(cfg)
	if err != nil {
		return result{}, err
	}
	p := coordination.DefaultParams()
	res := result{Mode: mode}
	start := time.Now()
	var clusters [][]string
	switch mode {
	case "detect":
		d, err := coordination.NewDetector(p, coordination.WithClock(g.End))
		if err != nil {
			return result{}, err
		}
		latest := map[string][]string{}
		keep := func(cs []coordination.Cluster) {
			for _, c := range cs {
				if c.Status == coordination.StatusMerged {
					delete(latest, c.ID)
				} else {
					latest[c.ID] = c.Accounts
				}
			}
		}
		var spent, flushed time.Duration
		var nextFlush, last time.Time
		for {
			it, ok := g.Next()
			if !ok {
				break
			}
			res.Posts++
			t0 := time.Now()
			if err := d.Observe(coordination.Observation{Post: it.Post, Frames: it.Frames, AccountCreatedAt: it.AccountCreatedAt}); err != nil {
				return result{}, err
			}
			last = it.Post.PublishedAt
			if last.After(nextFlush) {
				t1 := time.Now()
				keep(d.Flush(last))
				flushed += time.Since(t1)
				nextFlush = last.Add(time.Minute)
			}
			spent += time.Since(t0)
		}
		t0 := time.Now()
		keep(d.Flush(last))
		spent += time.Since(t0)
		res.DetectS, res.FlushS = spent.Seconds(), flushed.Seconds()
		for _, c := range latest {
			clusters = append(clusters, c)
		}
		st := d.Stats()
		res.Edges, res.Hot = st.Edges, st.HotObjects
	case "naive":
		var obs []coordination.Observation
		for {
			it, ok := g.Next()
			if !ok {
				break
			}
			obs = append(obs, coordination.Observation{Post: it.Post})
		}
		res.Posts = len(obs)
		t0 := time.Now()
		clusters, err = coordination.NaiveAllPairs(obs, p)
		if err != nil {
			return result{}, err
		}
		res.DetectS = time.Since(t0).Seconds()
	default:
		return result{}, fmt.Errorf("unknown mode %q", mode)
	}
	res.TotalS = time.Since(start).Seconds()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		res.CPUS = time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
	}
	q := synth.Evaluate(clusters, g.Truth())
	res.Clusters, res.Precision, res.Recall = len(clusters), q.Precision, q.Recall
	peak, err := peakRSS()
	if err != nil {
		return result{}, err
	}
	res.PeakMB = peak
	return res, nil
}

// peakRSS reads the process's peak resident set size (VmHWM) in MiB.
func peakRSS() (float64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, fmt.Errorf("peak memory: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			if err != nil {
				return 0, fmt.Errorf("peak memory: %w", err)
			}
			return float64(kb) / 1024, nil
		}
	}
	return 0, errors.New("peak memory: no VmHWM in /proc/self/status")
}
