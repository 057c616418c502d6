//go:build !chaos

package chaos

import "time"

// The short suite runs in `make test`: one fault of each kind, a few thousand posts.
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
}{posts: 4000, rate: 800, kills: 1, chOutage: 5 * time.Second, cutDuration: 3 * time.Second, drainTimeout: 2 * time.Minute, clusterPosts: 3000, clusterRate: 500, clusterAll: false}
