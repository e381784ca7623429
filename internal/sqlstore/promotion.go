package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/database"
)

var _ capsule.PromotionStore = (*Store)(nil)

const promotionColumns = "id, organization_id, project_id, service_id, source_env_id, target_env_id, cluster_id, " +
	"source_revision, image, git_commit, status, added, removed, modified, risk_level, cost_delta_micros, " +
	"target_fingerprint, source_fingerprint, target_source, previewed_at, requested_by, gates, delivery, conflicts, " +
	"note, version, created_at, updated_at"

// Decisions as promotion_approvals stores them.
const (
	decisionApprove = "approve"
	decisionReject  = "reject"
)

func scanPromotion(r rowScanner) (*capsule.Promotion, error) {
	var (
		p                          capsule.Promotion
		previewed, created, update database.Time
	)
	err := r.Scan(&p.ID, &p.OrganizationID, &p.ProjectID, &p.ServiceID, &p.SourceEnvID, &p.TargetEnvID, &p.ClusterID,
		&p.SourceRevision, &p.Image, &p.GitCommit, &p.Status, &p.Summary.Added, &p.Summary.Removed, &p.Summary.Modified,
		&p.RiskLevel, &p.CostDeltaMicros, &p.TargetFingerprint, &p.SourceFingerprint, &p.TargetSource, &previewed,
		&p.RequestedBy, jsonColumn{&p.Gates}, jsonColumn{&p.Delivery}, jsonColumn{&p.Conflicts}, &p.Note, &p.Version,
		&created, &update)
	if err != nil {
		return nil, err
	}
	p.PreviewedAt, p.CreatedAt, p.UpdatedAt = previewed.Time, created.Time, update.Time
	p.Approvals, p.Rejections = []capsule.PromotionDecision{}, []capsule.PromotionDecision{}
	if p.Conflicts == nil {
		p.Conflicts = []string{}
	}
	return &p, nil
}

// CreatePromotion stores p with a new ID, its artifact in the part tables,
// and marks the open promotions of the same service into the same target
// superseded: only the newest preview can be approved.
func (s *Store) CreatePromotion(ctx context.Context, p *capsule.Promotion, a *capsule.PromotionArtifact) error {
	if err := p.Validate(); err != nil {
		return err
	}
	n := *p
	for _, ref := range []struct {
		entity string
		id     *string
	}{{"organization", &n.OrganizationID}, {"project", &n.ProjectID}, {"service", &n.ServiceID},
		{"environment", &n.SourceEnvID}, {"environment", &n.TargetEnvID}} {
		cid, ok := database.CanonicalID(*ref.id)
		if !ok {
			return capsule.NotFound(ref.entity, *ref.id)
		}
		*ref.id = cid
	}
	n.ID, n.Version = database.NewID(), 1
	n.CreatedAt = database.Now()
	n.UpdatedAt = n.CreatedAt
	if n.PreviewedAt.IsZero() {
		n.PreviewedAt = n.CreatedAt
	}
	database.NoteTarget(ctx, n.ID)
	gates, err1 := jsonText(n.Gates)
	delivery, err2 := jsonText(n.Delivery)
	conflicts, err3 := jsonText(n.Conflicts)
	if err := errors.Join(err1, err2, err3); err != nil {
		return err
	}
	parts := [][]byte{a.Diff, a.EstimatedCost, a.Risks, a.NotAssessed}
	for _, b := range parts {
		if !json.Valid(b) || hasNULEscape(b) {
			return capsule.Errorf(capsule.KindInvalid, capsule.CodeValidation, "promotion artifact parts must be valid JSON text")
		}
	}
	source := ""
	if len(a.ExplanationSource) > 0 {
		source = string(a.ExplanationSource)
	}
	err := s.db.InTx(ctx, func(tx *database.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE workload_promotions SET status = ?, version = version + 1, updated_at = ? "+
			"WHERE service_id = ? AND target_env_id = ? AND status IN (?, ?, ?)",
			capsule.PromotionSuperseded, database.TimeOf(n.CreatedAt), n.ServiceID, n.TargetEnvID,
			capsule.PromotionPending, capsule.PromotionBlocked, capsule.PromotionApproved); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "INSERT INTO workload_promotions ("+promotionColumns+") VALUES "+
			"(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			n.ID, n.OrganizationID, n.ProjectID, n.ServiceID, n.SourceEnvID, n.TargetEnvID, n.ClusterID,
			n.SourceRevision, n.Image, n.GitCommit, n.Status, n.Summary.Added, n.Summary.Removed, n.Summary.Modified,
			n.RiskLevel, n.CostDeltaMicros, n.TargetFingerprint, n.SourceFingerprint, n.TargetSource,
			database.TimeOf(n.PreviewedAt), n.RequestedBy, gates, delivery, conflicts, n.Note, n.Version,
			database.TimeOf(n.CreatedAt), database.TimeOf(n.UpdatedAt))
		if err != nil {
			return err
		}
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{"INSERT INTO workload_diffs (promotion_id, diff) VALUES (?, ?)", []any{n.ID, string(a.Diff)}},
			{"INSERT INTO promotion_costs (promotion_id, estimated_cost) VALUES (?, ?)", []any{n.ID, string(a.EstimatedCost)}},
			{"INSERT INTO promotion_risks (promotion_id, risk_level, risks, not_assessed) VALUES (?, ?, ?, ?)",
				[]any{n.ID, a.RiskLevel, string(a.Risks), string(a.NotAssessed)}},
			{"INSERT INTO llm_explanations (promotion_id, explanation, source) VALUES (?, ?, ?)", []any{n.ID, a.Explanation, source}},
		} {
			if _, err := tx.Exec(ctx, q.sql, q.args...); err != nil {
				return err
			}
		}
		return s.promotionChanged(ctx, tx, &n, "")
	})
	if database.IsForeignKeyViolation(err) {
		return capsule.NotFound("service", p.ServiceID)
	}
	if err := database.DomainError(err, nil); err != nil {
		return err
	}
	*p = n
	return nil
}

// FindPromotion returns the promotion with id and its decisions.
func (s *Store) FindPromotion(ctx context.Context, id string) (*capsule.Promotion, error) {
	cid, ok := database.CanonicalID(id)
	if !ok {
		return nil, capsule.NotFound("promotion", id)
	}
	p, err := scanPromotion(s.db.QueryRow(ctx, "SELECT "+promotionColumns+" FROM workload_promotions WHERE id = ?", cid))
	if err != nil {
		return nil, database.DomainError(err, capsule.NotFound("promotion", id))
	}
	return p, s.loadDecisions(ctx, s.db, p)
}

func (s *Store) loadDecisions(ctx context.Context, q database.Querier, p *capsule.Promotion) error {
	rows, err := q.Query(ctx, "SELECT decision, decided_by, comment, override_reason, created_at FROM promotion_approvals "+
		"WHERE promotion_id = ? ORDER BY id", p.ID)
	if err != nil {
		return database.DomainError(err, nil)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			kind string
			d    capsule.PromotionDecision
			at   database.Time
		)
		if err := rows.Scan(&kind, &d.By, &d.Comment, &d.OverrideReason, &at); err != nil {
			return database.DomainError(err, nil)
		}
		d.At = at.Time
		if kind == decisionReject {
			p.Rejections = append(p.Rejections, d)
		} else {
			p.Approvals = append(p.Approvals, d)
		}
	}
	return database.DomainError(rows.Err(), nil)
}

// FindPromotionArtifact returns the stored preview of promotion id.
func (s *Store) FindPromotionArtifact(ctx context.Context, id string) (*capsule.PromotionArtifact, error) {
	cid, ok := database.CanonicalID(id)
	if !ok {
		return nil, capsule.NotFound("promotion", id)
	}
	var (
		a                              capsule.PromotionArtifact
		diff, cost, risks, notAssessed string
		source                         string
	)
	err := s.db.QueryRow(ctx, "SELECT d.diff, c.estimated_cost, r.risk_level, r.risks, r.not_assessed, e.explanation, e.source "+
		"FROM workload_diffs d JOIN promotion_costs c ON c.promotion_id = d.promotion_id "+
		"JOIN promotion_risks r ON r.promotion_id = d.promotion_id JOIN llm_explanations e ON e.promotion_id = d.promotion_id "+
		"WHERE d.promotion_id = ?", cid).Scan(&diff, &cost, &a.RiskLevel, &risks, &notAssessed, &a.Explanation, &source)
	if err != nil {
		return nil, database.DomainError(err, capsule.NotFound("promotion", id))
	}
	a.Diff, a.EstimatedCost, a.Risks, a.NotAssessed = json.RawMessage(diff), json.RawMessage(cost), json.RawMessage(risks), json.RawMessage(notAssessed)
	if source != "" {
		a.ExplanationSource = json.RawMessage(source)
	}
	return &a, nil
}

// ListPromotions returns promotions newest first (without their decisions;
// FindPromotion has them).
func (s *Store) ListPromotions(ctx context.Context, f capsule.PromotionFilter) (capsule.List[capsule.Promotion], error) {
	var c conds
	c.addID("project_id = ?", f.ProjectID)
	c.addID("service_id = ?", f.ServiceID)
	if f.EnvironmentID != "" {
		if id, ok := database.CanonicalID(f.EnvironmentID); ok {
			c.add("(source_env_id = ? OR target_env_id = ?)", id, id)
		} else {
			c.addID("target_env_id = ?", f.EnvironmentID)
		}
	}
	if f.Status != "" {
		c.add("status = ?", f.Status)
	}
	c.addIn("organization_id IN (?)", f.OrganizationIDs)
	spec := listSpec{from: "SELECT " + promotionColumns + " FROM workload_promotions", key: "id", desc: true, isIDKey: true}
	return list(ctx, s.db, spec, c, f.Page, func(r rowScanner) (capsule.Promotion, string, error) {
		p, err := scanPromotion(r)
		if err != nil {
			return capsule.Promotion{}, "", err
		}
		return *p, p.ID, nil
	})
}

// UpdatePromotion applies u when the stored version is version, with the
// decision it records, in one transaction (the request's audit entry
// joins it).
func (s *Store) UpdatePromotion(ctx context.Context, id string, version int64, u capsule.PromotionUpdate) (*capsule.Promotion, error) {
	cid, ok := database.CanonicalID(id)
	if !ok {
		return nil, capsule.NotFound("promotion", id)
	}
	var v capsule.Validation
	if !capsule.PromotionKnownStatus(u.Status) {
		v.Add("status", "%q is not a promotion status", u.Status)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if u.Conflicts == nil {
		u.Conflicts = []string{}
	}
	delivery, err1 := jsonText(u.Delivery)
	conflicts, err2 := jsonText(u.Conflicts)
	if err := errors.Join(err1, err2); err != nil {
		return nil, err
	}
	now := database.Now()
	var p *capsule.Promotion
	hooks := len(s.promotionHooks()) > 0
	err := s.db.InTx(ctx, func(tx *database.Tx) error {
		from := ""
		if hooks {
			// The hooks report transitions, so they need the status this
			// update replaces; no row is the version conflict below.
			_ = tx.QueryRow(ctx, "SELECT status FROM workload_promotions WHERE id = ? AND version = ?", cid, version).Scan(&from)
		}
		var err error
		p, err = scanPromotion(tx.QueryRow(ctx, "UPDATE workload_promotions SET status = ?, note = ?, delivery = ?, conflicts = ?, "+
			"version = version + 1, updated_at = ? WHERE id = ? AND version = ? RETURNING "+promotionColumns,
			u.Status, u.Note, delivery, conflicts, database.TimeOf(now), cid, version))
		if errors.Is(err, sql.ErrNoRows) {
			var cur int64
			if err := tx.QueryRow(ctx, "SELECT version FROM workload_promotions WHERE id = ?", cid).Scan(&cur); err != nil {
				return database.DomainError(err, capsule.NotFound("promotion", id))
			}
			return capsule.Errorf(capsule.KindConflict, capsule.CodeVersionConflict,
				"promotion %s changed while this request was decided (version %d, not %d); read it again", id, cur, version)
		}
		if err != nil {
			return err
		}
		if d := u.Decision; d != nil {
			kind := decisionApprove
			if u.Reject {
				kind = decisionReject
			}
			if _, err := tx.Exec(ctx, "INSERT INTO promotion_approvals (id, promotion_id, decision, decided_by, comment, override_reason, created_at) "+
				"VALUES (?, ?, ?, ?, ?, ?, ?)", database.NewID(), cid, kind, d.By, d.Comment, d.OverrideReason, database.TimeOf(now)); err != nil {
				return err
			}
		}
		if err := s.loadDecisions(ctx, tx, p); err != nil {
			return err
		}
		return s.promotionChanged(ctx, tx, p, from)
	})
	if err != nil {
		return nil, database.DomainError(err, nil)
	}
	return p, nil
}
