package exposure

import (
	"bufio"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/kuzot/kuzot/classifiers/exposure/watchlist"
)

func TestZZDebug(t *testing.T) {
	f := os.Getenv("DBG")
	if f == "" {
		t.Skip()
	}
	ix, _ := evalIndex(embeddedWatchlist, embeddedIndependentWatchlist, embeddedIndependent2Watchlist)
	a := NewAnalyzer(func() time.Time { return evalNow })
	fh, _ := os.Open(f)
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		text := sc.Text()
		dumpSpans(a, text, ix)
	}
}

func dumpSpans(a *Analyzer, text string, ix *watchlist.Index) {
	s := &scan{text: text, now: a.now().UTC()}
	s.toks = tokenize(text, nil)
	s.used = make([]bool, len(s.toks))
	skels := make([][]byte, len(s.toks))
	var buf []byte
	for k, tk := range s.toks {
		if tk.digits {
			continue
		}
		st := len(buf)
		buf = watchlist.Skeleton(buf, tk.lower)
		skels[k] = buf[st:len(buf):len(buf)]
	}
	s.dates(); s.plates(); s.digitGroups(); s.atSigns(); s.links(); s.addresses()
	s.persons(a.given, skels); s.dropNamesInAddresses(); s.promoteDates(); s.sogi()
	s.sogiExtra(a.given, skels); s.quasi()
	s.matchWatchlist(ix, skels)
	s.kin(); s.attach(); s.attachLoose(); s.authorSelf("", ix); s.lists()
	c := s.cues()
	fmt.Printf("=== %s\ncues %+v\n", text, c)
	for i, sp := range s.spans {
		fmt.Printf("  %d %s %q sub=%s person=%d self=%v gen=%v grp=%v pub=%v kin=%v listed=%v hc=%v quasi=%v mem=%v\n", i, sp.Type, text[sp.Start:sp.End], sp.sub, sp.person, sp.self, sp.generic, sp.group, sp.public, sp.kin, sp.listed, sp.headerClaim, sp.quasi, sp.members)
	}
	res, _ := a.Analyze(text, "", ix)
	fmt.Printf("  => exp=%v out=%v thr=%v wl=%v men=%v trace=%v\n", res.Exposed, res.Outing, res.Threat, res.Watchlist, res.Mentions, res.Trace)
}
