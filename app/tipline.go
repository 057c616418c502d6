package app

import (
	"context"

	"github.com/kuzot/kuzot/classifiers/exposure"
	"github.com/kuzot/kuzot/collectors/tipline"
	"github.com/kuzot/kuzot/pipeline"
	"github.com/kuzot/kuzot/post"
)

// TiplineConsumer is the durable consumer of the tipline role on the posts stream,
// filtered to posts of source tipline.
const TiplineConsumer = "tipline"

// tiplineRole writes the tipline's merged campaigns (posts of source tipline) to
// tip_campaigns and their bursts to the coordination tables as sms_campaign clusters
// (collectors/tipline.Store). It acks after the writes, like the store role, and is
// idle in deployments without a tipline source.
func tiplineRole() Role {
	return Role{
		Name:            "tipline",
		Summary:         "merge tipline tips into campaigns and sms_campaign clusters",
		NeedsClickHouse: true,
		Run: func(ctx context.Context, a *App) error {
			st := tipline.NewStore(a.CH, exposure.TextRedactor(a.Now))
			return pipeline.RunStage(ctx, a.Bus,
				pipeline.ConsumerSpec{Stream: pipeline.PostsStream, Durable: TiplineConsumer,
					FilterSubject: pipeline.PostsSubject + "." + tipline.Kind},
				a.Metrics, a.Log.With("role", "tipline"), pipeline.StageOptions{Batch: a.batchOptions(TiplineConsumer)},
				pipeline.DecodePost,
				func(ctx context.Context, rows []post.Post) error { return st.Write(ctx, rows) })
		},
	}
}
