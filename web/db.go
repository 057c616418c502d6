package web

import (
	"errors"
	"sync"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/kuzot/kuzot/classifiers/exposure"
)

// ErrNotFound is returned for a missing object, and also for an object outside the
// caller's scope, so that an organisation user cannot learn that another
// organisation's incident exists.
var ErrNotFound = errors.New("not found")

// DB is the web UI's ClickHouse access: every read the pages and the API make, with the
// caller's Scope applied in the SQL of every incident and alert query.
type DB struct {
	Conn driver.Conn

	// recog masks identifiers in texts without a current exposure verdict (built on
	// first use).
	recogOnce sync.Once
	recog     *exposure.Analyzer
}

// maxRows caps every list so that one request cannot pull a whole table.
const maxRows = 500

// set binds a list for `x IN ?` (a plain slice would bind as an array literal).
func set(vs []string) clickhouse.GroupSet {
	g := clickhouse.GroupSet{Value: make([]any, len(vs))}
	for i, v := range vs {
		g.Value[i] = v
	}
	return g
}

func clampLimit(n int) int {
	if n <= 0 || n > maxRows {
		return maxRows
	}
	return n
}
