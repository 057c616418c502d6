package testenv

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/pipeline"
)

// Cluster is an embedded JetStream cluster on loopback for one test: Nodes[i] runs node
// i (kill one with Nodes[i].Close), ClientConfig connects to all of them.
type Cluster struct {
	// Configs are the nodes' configurations (restart node i with BusAt(t, Configs[i])).
	Configs []config.NATS
	Nodes   []*pipeline.Bus
	// URL lists every node's client URL, comma-separated.
	URL string
}

// FreePorts returns n distinct free TCP ports on 127.0.0.1 (free when asked; a test that
// binds them at once rarely races with another process).
func FreePorts(t testing.TB, n int) []int {
	t.Helper()
	var lns []net.Listener
	var ports []int
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("free port: %v", err)
		}
		lns = append(lns, ln)
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	for _, ln := range lns {
		ln.Close()
	}
	return ports
}

// ClusterConfigs returns the configurations of an n-node embedded JetStream cluster on
// loopback: free client and route ports, a store directory each under t.TempDir(), one
// shared password, and replicas for every stream and bucket.
func ClusterConfigs(t testing.TB, n, replicas int) []config.NATS {
	t.Helper()
	ports := FreePorts(t, 2*n)
	var routes []string
	for i := range n {
		routes = append(routes, fmt.Sprintf("nats-route://127.0.0.1:%d", ports[n+i]))
	}
	password := "cluster-" + randomHex(16)
	dir := t.TempDir()
	out := make([]config.NATS, n)
	for i := range n {
		c := config.Default().NATS
		c.Password = config.Secret(password)
		c.Replicas = replicas
		c.Embedded.Port = ports[i]
		c.Embedded.ServerName = fmt.Sprintf("kuzot-n%d", i+1)
		c.Embedded.StoreDir = filepath.Join(dir, fmt.Sprintf("n%d", i+1))
		c.Embedded.Cluster = config.Cluster{Name: "kuzot-test", Host: "127.0.0.1", Port: ports[n+i], Routes: routes}
		out[i] = c
	}
	return out
}

// StartCluster starts an n-node cluster (see ClusterConfigs) and waits until every node
// has declared kuzot's streams with the given replicas. The nodes stop when the test ends.
func StartCluster(t testing.TB, n, replicas int) *Cluster {
	t.Helper()
	return StartClusterFrom(t, ClusterConfigs(t, n, replicas))
}

// StartClusterFrom starts the nodes of cfgs (from ClusterConfigs, possibly changed).
func StartClusterFrom(t testing.TB, cfgs []config.NATS) *Cluster {
	t.Helper()
	n := len(cfgs)
	c := &Cluster{Configs: cfgs, Nodes: make([]*pipeline.Bus, n)}
	var urls []string
	for _, cfg := range cfgs {
		urls = append(urls, fmt.Sprintf("nats://127.0.0.1:%d", cfg.Embedded.Port))
	}
	c.URL = strings.Join(urls, ",")
	// A node's Connect waits for the cluster's quorum: start them together.
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i, cfg := range cfgs {
		wg.Go(func() {
			b, err := pipeline.Connect(ctx, cfg, Logger(t))
			c.Nodes[i], errs[i] = b, err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			for _, b := range c.Nodes {
				if b != nil {
					b.Close()
				}
			}
			t.Fatalf("start cluster node %d: %v", i+1, err)
		}
	}
	t.Cleanup(func() {
		for _, b := range c.Nodes {
			b.Close()
		}
	})
	return c
}

// ClientConfig is the configuration of a client of the cluster (nats.url lists every
// node).
func (c *Cluster) ClientConfig() config.NATS {
	cfg := c.Configs[0]
	cfg.URL = c.URL
	return cfg
}

// Client connects a client bus to the cluster, closed when the test ends.
func (c *Cluster) Client(t testing.TB) *pipeline.Bus {
	t.Helper()
	return BusAt(t, c.ClientConfig())
}

// Kill stops node i abruptly (its clients are disconnected and reconnect elsewhere).
func (c *Cluster) Kill(i int) {
	c.Nodes[i].Close()
}

// NodeIndex returns the index of the node whose server name is name (-1 if none).
func (c *Cluster) NodeIndex(name string) int {
	for i, cfg := range c.Configs {
		if cfg.Embedded.ServerName == name {
			return i
		}
	}
	return -1
}
