package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/database"
)

// canonicalIDs keeps the valid ids of ids, canonicalized.
func canonicalIDs(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if c, ok := database.CanonicalID(id); ok {
			out = append(out, c)
		}
	}
	return out
}

// rowScanner is *sql.Row or *sql.Rows.
type rowScanner interface{ Scan(dest ...any) error }

// conds collects the WHERE conditions of a list query with their arguments.
// Conditions are fixed SQL text written here; values are always arguments.
type conds struct {
	parts []string
	args  []any
	// empty is set when a filter can match nothing (e.g. an id that is not a
	// UUID, or an empty membership list): the query is then not run at all.
	empty bool
}

func (c *conds) add(cond string, args ...any) {
	for _, a := range args {
		// No stored text holds a NUL byte or invalid UTF-8 (the database
		// layer refuses to write it), so such a filter value matches nothing.
		if s, ok := a.(string); ok && !database.ValidText(s) {
			c.empty = true
		}
	}
	c.parts = append(c.parts, cond)
	c.args = append(c.args, args...)
}

// addID adds cond (with one `?`) for a UUID filter value; a non-UUID
// matches nothing.
func (c *conds) addID(cond, id string) {
	if id == "" {
		return
	}
	cid, ok := database.CanonicalID(id)
	if !ok {
		c.empty = true
		return
	}
	c.add(cond, cid)
}

// addIn adds `expr IN (...)` for a restriction list; nil means no
// restriction, an empty list matches nothing.
func (c *conds) addIn(expr string, ids []string) {
	if ids == nil {
		return
	}
	valid := canonicalIDs(ids)
	if len(valid) == 0 {
		c.empty = true
		return
	}
	args := make([]any, len(valid))
	for i, v := range valid {
		args[i] = v
	}
	c.add(strings.Replace(expr, "(?)", "("+database.Placeholders(len(valid))+")", 1), args...)
}

func (c *conds) where() string {
	if len(c.parts) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(c.parts, " AND ")
}

// encodeCursor and decodeCursor make the opaque page cursor: the base64url
// of the sort key of the last row of a page.
func encodeCursor(key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(key))
}

func decodeCursor(cursor string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil || len(b) == 0 {
		return "", badCursor()
	}
	return string(b), nil
}

func badCursor() error {
	var v capsule.Validation
	v.Add("cursor", "is not a cursor returned by this list")
	return v.Err()
}

// listSpec describes one paginated list query.
type listSpec struct {
	from    string // "SELECT <columns> FROM <table>"
	key     string // the unique sort column, e.g. "id"
	desc    bool   // newest first
	isIDKey bool   // the cursor holds a UUID
}

// list runs a paginated query and returns one page; scan reads one row and
// returns the item and its sort key.
func list[T any](ctx context.Context, q database.Querier, spec listSpec, c conds, p capsule.Page,
	scan func(rowScanner) (T, string, error)) (capsule.List[T], error) {
	out := capsule.List[T]{Items: []T{}}
	p = p.Normalize()
	if p.Cursor != "" {
		key, err := decodeCursor(p.Cursor)
		if err != nil {
			return out, err
		}
		if spec.isIDKey {
			if key, err = cursorID(key); err != nil {
				return out, err
			}
		}
		if spec.desc {
			c.add(spec.key+" < ?", key)
		} else {
			c.add(spec.key+" > ?", key)
		}
	}
	if c.empty {
		return out, nil
	}
	order := " ORDER BY " + spec.key
	if spec.desc {
		order += " DESC"
	}
	rows, err := q.Query(ctx, spec.from+c.where()+order+" LIMIT ?", append(c.args, p.Limit+1)...)
	if err != nil {
		return out, capsule.Internal(err)
	}
	defer rows.Close()
	var last string
	for rows.Next() {
		if len(out.Items) == p.Limit {
			out.NextCursor = encodeCursor(last)
			break
		}
		item, key, err := scan(rows)
		if err != nil {
			return out, capsule.Internal(err)
		}
		out.Items = append(out.Items, item)
		last = key
	}
	if err := rows.Err(); err != nil {
		return out, capsule.Internal(err)
	}
	return out, nil
}

func cursorID(key string) (string, error) {
	id, ok := database.CanonicalID(key)
	if !ok {
		return "", badCursor()
	}
	return id, nil
}

// jsonText marshals v for a JSON column (text in SQLite, jsonb in
// PostgreSQL).
func jsonText(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", capsule.Internal(fmt.Errorf("sqlstore: encode JSON column: %w", err))
	}
	if hasNULEscape(b) {
		return "", database.InvalidText() // PostgreSQL's jsonb cannot hold it
	}
	return string(b), nil
}

// hasNULEscape reports whether JSON text holds the escape \u0000 (and not
// an escaped backslash followed by "u0000").
func hasNULEscape(b []byte) bool {
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' {
			continue
		}
		if bytes.HasPrefix(b[i+1:], []byte("u0000")) {
			return true
		}
		i++ // skip the escaped character
	}
	return false
}

// jsonColumn scans a JSON column into V.
type jsonColumn struct{ V any }

// Scan implements sql.Scanner.
func (j jsonColumn) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case nil:
		return nil
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		return fmt.Errorf("sqlstore: cannot scan %T as JSON", src)
	}
	if string(b) == "{}" || string(b) == "null" {
		return nil // the zero value; callers give empty maps their {} themselves
	}
	return json.Unmarshal(b, j.V)
}

// checkVersion explains an UPDATE ... WHERE id = ? AND version = ? that
// touched no row: the entity is gone (NOT_FOUND) or was changed
// concurrently (VERSION_CONFLICT).
func checkVersion(ctx context.Context, q database.Querier, table, entity, id string, expected int64) error {
	var actual int64
	err := q.QueryRow(ctx, "SELECT version FROM "+table+" WHERE id = ?", id).Scan(&actual)
	if errors.Is(err, sql.ErrNoRows) {
		return capsule.NotFound(entity, id)
	}
	if err != nil {
		return capsule.Internal(err)
	}
	return capsule.VersionConflict(entity, id, expected, actual)
}

// exists reports whether table has a row with id.
func exists(ctx context.Context, q database.Querier, table, id string) (bool, error) {
	var one int
	err := q.QueryRow(ctx, "SELECT 1 FROM "+table+" WHERE id = ?", id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// mustAffect turns a statement that changed no row into notFound.
func mustAffect(res interface{ RowsAffected() (int64, error) }, err error, notFound *capsule.Error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return notFound
	}
	return nil
}
