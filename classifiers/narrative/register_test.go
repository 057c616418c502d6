package narrative

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.yaml.in/yaml/v3"

	"github.com/kuzot/kuzot/classifiers"
	"github.com/kuzot/kuzot/post"
)

func TestRegisterAndClassifyPost(t *testing.T) {
	r := classifiers.NewRegistry()
	Register(r)
	var cfg yaml.Node
	if err := yaml.Unmarshal([]byte("threshold: 0.5\n"), &cfg); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	cs, err := r.Build(context.Background(), []string{Name}, func(string) classifiers.Deps {
		return classifiers.Deps{Registerer: reg, Config: cfg.Content[0]}
	})
	if err != nil {
		t.Fatal(err)
	}
	c := cs[0]
	if c.Name() != "narrative" || c.Version() == "" {
		t.Fatalf("name %q version %q", c.Name(), c.Version())
	}
	p := &post.Post{ID: "telegram:1", Source: "telegram", Text: "Геев надо выгнать из страны!", PublishedAt: time.Unix(0, 0)}
	res, err := c.Classify(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Flagged() || res.Score() < 0.5 || len(res.Labels()) == 0 || res.Labels()[0] != string(FrameViolenceThreat) {
		t.Errorf("result %+v", res)
	}
	b, _ := json.Marshal(res)
	var back Result
	if err := json.Unmarshal(b, &back); err != nil || !back.Homophobic || len(back.Evidence) == 0 {
		t.Errorf("round trip %s: %v", b, err)
	}
	if got := testutil.ToFloat64(c.(*Classifier).metrics.posts.WithLabelValues("true")); got != 1 {
		t.Errorf("posts counter %v", got)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Classify(ctx, p); err == nil {
		t.Error("cancelled context ignored")
	}
	if _, err := c.Classify(context.Background(), nil); err == nil {
		t.Error("nil post accepted")
	}
}
