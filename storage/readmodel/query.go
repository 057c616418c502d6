package readmodel

import (
	"context"
	"fmt"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// each runs the query sql with args and calls fn for every row; errors name the read
// (what).
func each(ctx context.Context, conn driver.Conn, what, sql string, fn func(driver.Rows) error, args ...any) error {
	rows, err := conn.Query(ctx, sql, args...)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// all runs the query sql with args and scans every row into a T with scan.
func all[T any](ctx context.Context, conn driver.Conn, what, sql string, scan func(driver.Rows, *T) error, args ...any) ([]T, error) {
	var out []T
	err := each(ctx, conn, what, sql, func(rows driver.Rows) error {
		var x T
		if err := scan(rows, &x); err != nil {
			return err
		}
		out = append(out, x)
		return nil
	}, args...)
	if err != nil {
		return nil, err
	}
	return out, nil
}
