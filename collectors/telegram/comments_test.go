package telegram

import (
	"testing"

	"github.com/kuzot/kuzot/collectors/collectortest"
)

func TestScratch(t *testing.T) {
	env := collectortest.NewEnv(t, nil)
	c := newCollector(t, env, "kg_demo_patriot", func(c *Config) { c.Comments.Enabled = true; c.Comments.PageSize = 2 })
	got, err := collectortest.Collect(t, c)
	for _, p := range got {
		if p.Kind != "post" {
			t.Logf("%s %s parent=%s %q ctx=%.30q", p.ID, p.Kind, p.ParentID, p.Text, p.Context)
		}
	}
	t.Log(err)
}
