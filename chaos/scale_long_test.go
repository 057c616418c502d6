//go:build chaos

package chaos

import "time"

// The long suite (`make chaos`, build tag chaos): more posts, several kills at random
// moments, and ClickHouse down for the 30 s the issue asks for.
var scale = struct {
	posts        uint64
	rate         float64
	kills        int
	chOutage     time.Duration
	cutDuration  time.Duration
	drainTimeout time.Duration
	// clusterPosts at clusterRate posts/s are the load of the cluster scenarios.
	clusterPosts uint64
	clusterRate  float64
	// clusterAll runs every cluster scenario, not only the JetStream node loss.
	clusterAll bool
}{posts: 20000, rate: 1000, kills: 4, chOutage: 30 * time.Second, cutDuration: 10 * time.Second, drainTimeout: 5 * time.Minute, clusterPosts: 12000, clusterRate: 800, clusterAll: true}
