package allocationstore

import (
	"context"
	"encoding/json"
	"time"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/allocation"
	"github.com/usecapsule/capsule/internal/database"
)

// CreateBudget stores b with a new ID; one budget per organization, scope
// and name. The audit unit in ctx commits with it.
func (s *Store) CreateBudget(ctx context.Context, b *allocation.Budget) error {
	if err := b.Validate(); err != nil {
		return capsule.Errorf(capsule.KindInvalid, capsule.CodeValidation, "budget: %s", err.Error())
	}
	if !database.ValidText(b.Name) {
		return capsule.Errorf(capsule.KindInvalid, capsule.CodeValidation, "budget: name is not valid text")
	}
	org, ok := database.CanonicalID(b.OrganizationID)
	if !ok {
		return capsule.NotFound("organization", b.OrganizationID)
	}
	b.OrganizationID, b.ID, b.CreatedAt = org, database.NewID(), database.Now()
	th, _ := json.Marshal(b.Thresholds)
	database.NoteTarget(ctx, b.ID)
	err := s.db.InTx(ctx, func(tx *database.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO cost_budgets (id, organization_id, scope, name, monthly_amount, thresholds, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?)`, b.ID, b.OrganizationID, b.Scope, b.Name, b.MonthlyAmount, string(th), database.TimeOf(b.CreatedAt))
		return err
	})
	switch {
	case database.IsUniqueViolation(err):
		return capsule.AlreadyExists("budget", "name", b.Name)
	case database.IsForeignKeyViolation(err):
		return capsule.NotFound("organization", b.OrganizationID)
	}
	return database.DomainError(err, nil)
}

// Budgets lists an organization's budgets by scope and name.
func (s *Store) Budgets(ctx context.Context, org string) ([]allocation.Budget, error) {
	out := []allocation.Budget{}
	cid, ok := database.CanonicalID(org)
	if !ok {
		return out, nil
	}
	rows, err := s.db.Query(ctx, `SELECT id, organization_id, scope, name, monthly_amount, thresholds, created_at
FROM cost_budgets WHERE organization_id = ? ORDER BY scope, name`, cid)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var b allocation.Budget
		var th string
		var at database.Time
		if err := rows.Scan(&b.ID, &b.OrganizationID, &b.Scope, &b.Name, &b.MonthlyAmount, &th, &at); err != nil {
			return nil, err
		}
		_ = json.Unmarshal([]byte(th), &b.Thresholds)
		b.CreatedAt = at.Time
		out = append(out, b)
	}
	return out, rows.Err()
}

// BudgetStatuses judges each budget against its scope's month to date and
// forecast (allocation.Forecast over the last five weeks of days).
func (s *Store) BudgetStatuses(ctx context.Context, org string, now time.Time) ([]allocation.BudgetStatus, error) {
	budgets, err := s.Budgets(ctx, org)
	if err != nil {
		return nil, err
	}
	today := now.UTC().Truncate(24 * time.Hour)
	first := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -35)
	n := int(today.Sub(first).Hours()/24) + 1
	out := make([]allocation.BudgetStatus, 0, len(budgets))
	for _, b := range budgets {
		col := groupColumns[b.Scope]
		rows, err := s.db.Query(ctx, `SELECT day, SUM(cpu_cost + memory_cost) FROM cost_allocation_groups
WHERE organization_id = ? AND day >= ? AND day <= ? AND idle = 0 AND `+col+` = ? GROUP BY day`,
			b.OrganizationID, first.Format("2006-01-02"), today.Format("2006-01-02"), b.Name)
		if err != nil {
			return nil, err
		}
		days := make([]int64, n)
		for rows.Next() {
			var day string
			var v int64
			if err := rows.Scan(&day, &v); err != nil {
				rows.Close()
				return nil, err
			}
			if d, err := time.Parse("2006-01-02", day); err == nil {
				if i := int(d.Sub(first).Hours() / 24); i >= 0 && i < n {
					days[i] = v
				}
			}
		}
		rows.Close()
		mtd, fc := allocation.Forecast(first, days, today)
		out = append(out, b.Status(today.Format("2006-01"), mtd, fc))
	}
	return out, nil
}
