package sqlstore

import (
	"context"
	"strconv"
	"time"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/database"
)

// revisionSnapshot is the JSON stored in service_revisions.snapshot.
type revisionSnapshot struct {
	Type   string                `json:"type"`
	Source capsule.ServiceSource `json:"source"`
	Config capsule.ServiceConfig `json:"configuration"`
}

const revisionColumns = "service_id, number, snapshot, created_by, created_at"

func insertRevision(ctx context.Context, tx *database.Tx, serviceID string, number int, snapshot, actor string, at time.Time) error {
	_, err := tx.Exec(ctx, "INSERT INTO service_revisions ("+revisionColumns+") VALUES (?, ?, ?, ?, ?)",
		serviceID, number, snapshot, actor, database.TimeOf(at))
	if database.IsUniqueViolation(err) {
		// Only a concurrent writer that bypassed the version check could
		// get here; report it as the conflict it is.
		return capsule.Errorf(capsule.KindConflict, capsule.CodeVersionConflict,
			"service %q revision %d was written concurrently", serviceID, number)
	}
	return err
}

func scanRevision(r rowScanner) (*capsule.ServiceRevision, error) {
	var (
		rev     capsule.ServiceRevision
		snap    revisionSnapshot
		created database.Time
	)
	if err := r.Scan(&rev.ServiceID, &rev.Number, jsonColumn{&snap}, &rev.CreatedBy, &created); err != nil {
		return nil, err
	}
	rev.Type, rev.Source, rev.Config, rev.CreatedAt = snap.Type, snap.Source, snap.Config, created.Time
	return &rev, nil
}

func revisionNotFound(serviceID string, number int) *capsule.Error {
	e := capsule.NotFound("revision", strconv.Itoa(number))
	e.Message = "service " + serviceID + " has no revision " + strconv.Itoa(number)
	return e
}

// ListServiceRevisions returns a service's revisions, oldest first (like
// `kubectl rollout history` and `helm history`). An unknown service is
// SERVICE_NOT_FOUND rather than an empty list.
func (s *Store) ListServiceRevisions(ctx context.Context, serviceID string, p capsule.Page) (capsule.List[capsule.ServiceRevision], error) {
	empty := capsule.List[capsule.ServiceRevision]{Items: []capsule.ServiceRevision{}}
	sid, ok := database.CanonicalID(serviceID)
	if !ok {
		return empty, capsule.NotFound("service", serviceID)
	}
	found, err := exists(ctx, s.db, "services", sid)
	if err != nil {
		return empty, capsule.Internal(err)
	}
	if !found {
		return empty, capsule.NotFound("service", serviceID)
	}
	p = p.Normalize()
	after := 0
	if p.Cursor != "" {
		key, err := decodeCursor(p.Cursor)
		if err != nil {
			return empty, err
		}
		if after, err = strconv.Atoi(key); err != nil || after < 0 {
			return empty, badCursor()
		}
	}
	rows, err := s.db.Query(ctx, "SELECT "+revisionColumns+" FROM service_revisions WHERE service_id = ? AND number > ? ORDER BY number LIMIT ?",
		sid, after, p.Limit+1)
	if err != nil {
		return empty, capsule.Internal(err)
	}
	defer rows.Close()
	out := empty
	for rows.Next() {
		if len(out.Items) == p.Limit {
			out.NextCursor = encodeCursor(strconv.Itoa(out.Items[len(out.Items)-1].Number))
			break
		}
		rev, err := scanRevision(rows)
		if err != nil {
			return empty, capsule.Internal(err)
		}
		out.Items = append(out.Items, *rev)
	}
	return out, database.DomainError(rows.Err(), nil)
}

// FindServiceRevision returns revision number of a service.
func (s *Store) FindServiceRevision(ctx context.Context, serviceID string, number int) (*capsule.ServiceRevision, error) {
	sid, ok := database.CanonicalID(serviceID)
	if !ok {
		return nil, capsule.NotFound("service", serviceID)
	}
	rev, err := scanRevision(s.db.QueryRow(ctx, "SELECT "+revisionColumns+" FROM service_revisions WHERE service_id = ? AND number = ?", sid, number))
	return rev, database.DomainError(err, revisionNotFound(serviceID, number))
}
