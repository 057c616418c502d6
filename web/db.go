package web

import (
	"errors"
	"sync"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/kuzot/kuzot/classifiers/exposure"
	"github.com/kuzot/kuzot/storage"
)

// ErrNotFound is returned for a missing object, and also for an object outside the
// caller's scope, so that an organisation user cannot learn that another
// organisation's incident exists.
var ErrNotFound = errors.New("not found")

// DB is the web UI's ClickHouse access: every read the pages and the API make, with the
// caller's Scope applied in the SQL of every incident and alert query.
type DB struct {
	Conn driver.Conn
	// Layout is the ClickHouse layout (storage.LayoutOf the configuration); only
	// statements a Distributed table refuses (DeleteExpiredSessions) look at it.
	Layout storage.Layout

	// recog masks identifiers in texts without a current exposure verdict (built on
	// first use).
	recogOnce sync.Once
	recog     *exposure.Analyzer
}

// maxRows caps every list so that one request cannot pull a whole table.
const maxRows = 500

func clampLimit(n int) int {
	if n <= 0 || n > maxRows {
		return maxRows
	}
	return n
}
