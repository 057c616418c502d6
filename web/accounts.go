package web

import (
	"context"
	"fmt"
	"time"
)

// Accounts, sessions and the audit log: the tables web owns (users, sessions, audit_log).

// PutUser writes a new version of an account.
func (d *DB) PutUser(ctx context.Context, u User, now time.Time) error {
	if u.CreatedAt.IsZero() {
		u.CreatedAt = now
	}
	b, err := d.Conn.PrepareBatch(ctx, `INSERT INTO users (name, role, org, can_unredact, password_hash, disabled,
		created_at, updated_at, version)`)
	if err != nil {
		return fmt.Errorf("put user %s: %w", u.Name, err)
	}
	defer b.Close()
	if err := b.Append(u.Name, string(u.Role), u.Org, b2u(u.CanUnredact), u.PasswordHash, b2u(u.Disabled),
		u.CreatedAt.UTC(), now.UTC(), uint64(now.UnixNano())); err != nil {
		return fmt.Errorf("put user %s: %w", u.Name, err)
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("put user %s: %w", u.Name, err)
	}
	return nil
}

func b2u(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

const userCols = `name, toString(role), org, can_unredact, password_hash, disabled, created_at, updated_at`

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	var role string
	var unred, dis uint8
	err := row.Scan(&u.Name, &role, &u.Org, &unred, &u.PasswordHash, &dis, &u.CreatedAt, &u.UpdatedAt)
	u.Role, u.CanUnredact, u.Disabled = Role(role), unred == 1, dis == 1
	return u, err
}

// GetUser reads one account (ErrNotFound when absent).
func (d *DB) GetUser(ctx context.Context, name string) (User, error) {
	rows, err := d.Conn.Query(ctx, `SELECT `+userCols+` FROM users FINAL WHERE name = ?`, name)
	if err != nil {
		return User{}, fmt.Errorf("get user: %w", err)
	}
	defer rows.Close()
	if !rows.Next() {
		return User{}, ErrNotFound
	}
	return scanUser(rows)
}

// ListUsers lists every account, by name.
func (d *DB) ListUsers(ctx context.Context) ([]User, error) {
	rows, err := d.Conn.Query(ctx, `SELECT `+userCols+` FROM users FINAL ORDER BY name LIMIT 10000`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// Session is a stored login session.
type Session struct {
	TokenHash string
	User      string
	CreatedAt time.Time
	ExpiresAt time.Time
	IP        string
	Revoked   bool
}

// PutSession writes a new version of a session (create, or revoke with Revoked set).
func (d *DB) PutSession(ctx context.Context, s Session, now time.Time) error {
	b, err := d.Conn.PrepareBatch(ctx, `INSERT INTO sessions (token_hash, user, created_at, expires_at, ip, revoked, version)`)
	if err != nil {
		return fmt.Errorf("put session: %w", err)
	}
	defer b.Close()
	if err := b.Append(s.TokenHash, s.User, s.CreatedAt.UTC(), s.ExpiresAt.UTC(), s.IP, b2u(s.Revoked),
		uint64(now.UnixNano())); err != nil {
		return fmt.Errorf("put session: %w", err)
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("put session: %w", err)
	}
	return nil
}

// GetSession reads a session by token hash (ErrNotFound when absent).
func (d *DB) GetSession(ctx context.Context, tokenHash string) (Session, error) {
	rows, err := d.Conn.Query(ctx, `SELECT token_hash, user, created_at, expires_at, ip, revoked
		FROM sessions FINAL WHERE token_hash = ?`, tokenHash)
	if err != nil {
		return Session{}, fmt.Errorf("get session: %w", err)
	}
	defer rows.Close()
	if !rows.Next() {
		return Session{}, ErrNotFound
	}
	var s Session
	var rev uint8
	if err := rows.Scan(&s.TokenHash, &s.User, &s.CreatedAt, &s.ExpiresAt, &s.IP, &rev); err != nil {
		return Session{}, fmt.Errorf("get session: %w", err)
	}
	s.Revoked = rev == 1
	return s, nil
}

// RevokeUserSessions writes a revoked version of every live session of user (after its
// password, role or organisation changed).
func (d *DB) RevokeUserSessions(ctx context.Context, user string, now time.Time) error {
	if err := d.Conn.Exec(ctx, `INSERT INTO sessions (token_hash, user, created_at, expires_at, ip, revoked, version)
		SELECT token_hash, user, created_at, expires_at, ip, 1, ? FROM sessions FINAL
		WHERE user = ? AND revoked = 0 AND expires_at > ?`, uint64(now.UnixNano()), user, now.UTC()); err != nil {
		return fmt.Errorf("revoke sessions of %s: %w", user, err)
	}
	return nil
}

// DeleteExpiredSessions removes sessions that expired before cutoff, with a mutation
// (applied in the background). On a ClickHouse cluster (d.Layout) sessions is a
// Distributed table, which refuses ALTER ... DELETE (code 48 on 18.16, and on current
// versions too), and TTL clauses do not exist on 18.16: the mutation goes to the
// replicated local table on every server, ALTER TABLE <db>.sessions_local ON CLUSTER <c>
// DELETE, and each shard deletes its own expired rows.
func (d *DB) DeleteExpiredSessions(ctx context.Context, cutoff time.Time) error {
	target, err := d.Layout.MutationTarget("sessions")
	if err != nil {
		return fmt.Errorf("delete expired sessions: %w", err)
	}
	if err := d.Conn.Exec(ctx, "ALTER TABLE "+target+" DELETE WHERE expires_at < ?", cutoff.UTC()); err != nil {
		return fmt.Errorf("delete expired sessions: %w", err)
	}
	return nil
}

// Audit appends one audit_log row.
func (d *DB) Audit(ctx context.Context, e AuditEntry) error {
	b, err := d.Conn.PrepareBatch(ctx, `INSERT INTO audit_log (at, user, role, org, action, object_type, object_id, ip, detail)`)
	if err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	defer b.Close()
	if err := b.Append(e.At.UTC(), e.User, e.Role, e.Org, e.Action, e.ObjectType, e.ObjectID, e.IP, e.Detail); err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	return nil
}

// ListAudit returns the newest audit rows first.
func (d *DB) ListAudit(ctx context.Context, limit int) ([]AuditEntry, error) {
	rows, err := d.Conn.Query(ctx, `SELECT at, user, role, org, action, object_type, object_id, ip, detail
		FROM audit_log ORDER BY at DESC LIMIT ?`, clampLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		if err := rows.Scan(&e.At, &e.User, &e.Role, &e.Org, &e.Action, &e.ObjectType, &e.ObjectID, &e.IP, &e.Detail); err != nil {
			return nil, fmt.Errorf("list audit: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
