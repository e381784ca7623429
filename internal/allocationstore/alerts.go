package allocationstore

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/usecapsule/capsule/internal/allocation"
	"github.com/usecapsule/capsule/internal/audit"
	"github.com/usecapsule/capsule/internal/database"
	"github.com/usecapsule/capsule/internal/events"
	"github.com/usecapsule/capsule/internal/webhook"
)

// Budget alert kinds.
const (
	AlertBreach   = "breach"
	AlertForecast = "forecast"
)

// BudgetAlerts reports each budget threshold the month to date reached,
// or the forecast reaches, once per month: a system audit entry
// (cost.budget_breach or cost.budget_forecast), a queued
// cost.budget_breach webhook, both committed with the mark, then a
// cost.budget event on the hub.
type BudgetAlerts struct {
	Store *Store
	// Audit returns ctx carrying an audit unit for e (identitystore).
	Audit func(ctx context.Context, e audit.Entry) context.Context
	// Publish sends an event on the hub; nil publishes nothing.
	Publish func(ctx context.Context, e events.Event) error
}

// Check judges every organization's budgets at now and returns how many
// alerts it raised.
func (b *BudgetAlerts) Check(ctx context.Context, now time.Time) (int, error) {
	rows, err := b.Store.db.Query(ctx, `SELECT DISTINCT organization_id FROM cost_budgets`)
	if err != nil {
		return 0, err
	}
	var orgs []string
	for rows.Next() {
		var o string
		if err := rows.Scan(&o); err != nil {
			rows.Close()
			return 0, err
		}
		orgs = append(orgs, o)
	}
	rows.Close()
	n := 0
	for _, org := range orgs {
		sts, err := b.Store.BudgetStatuses(ctx, org, now)
		if err != nil {
			return n, err
		}
		for _, st := range sts {
			for _, t := range st.Breached {
				if ok, err := b.raise(ctx, st, t, AlertBreach); err != nil {
					return n, err
				} else if ok {
					n++
				}
			}
			for _, t := range st.ForecastBreached {
				if ok, err := b.raise(ctx, st, t, AlertForecast); err != nil {
					return n, err
				} else if ok {
					n++
				}
			}
		}
	}
	return n, nil
}

func (b *BudgetAlerts) raise(ctx context.Context, st allocation.BudgetStatus, threshold int, kind string) (bool, error) {
	data := map[string]any{"budgetId": st.ID, "scope": st.Scope, "name": st.Name, "month": st.Month, "kind": kind,
		"threshold": threshold, "monthlyAmount": st.MonthlyAmount, "monthToDate": st.MonthToDate, "forecast": st.Forecast}
	action := "cost.budget_breach"
	if kind == AlertForecast {
		action = "cost.budget_forecast"
	}
	actx := ctx
	if b.Audit != nil {
		actx = b.Audit(ctx, audit.Entry{ActorType: audit.ActorSystem, Action: action, TargetType: "budget", TargetID: st.ID,
			OrganizationID: st.OrganizationID, Outcome: audit.OutcomeSuccess,
			After: map[string]string{"threshold": strconv.Itoa(threshold), "month": st.Month, "monthToDate": st.MonthToDate,
				"forecast": st.Forecast, "monthlyAmount": st.MonthlyAmount}})
	}
	raised := false
	err := b.Store.db.InTx(actx, func(tx *database.Tx) error {
		res, err := tx.Exec(actx, `INSERT INTO cost_budget_alerts (budget_id, month, threshold, kind) VALUES (?, ?, ?, ?)
ON CONFLICT (budget_id, month, threshold, kind) DO NOTHING`, st.ID, st.Month, threshold, kind)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			// Already reported this month: nothing to commit, the audit
			// unit included.
			return errAlreadyRaised
		}
		raised = true
		key := fmt.Sprintf("budget:%s:%s:%d:%s", st.ID, st.Month, threshold, kind)
		return webhook.EmitKeyed(actx, tx, st.OrganizationID, "cost.budget_breach", key, data)
	})
	if err == errAlreadyRaised {
		return false, nil
	}
	if err != nil || !raised {
		return false, err
	}
	if b.Publish != nil {
		msg := fmt.Sprintf("budget %s %s: %s of %s USD this month (forecast %s), %s at %d%%", st.Scope, st.Name,
			st.MonthToDate, st.MonthlyAmount, st.Forecast, kind, threshold)
		_ = b.Publish(ctx, events.Event{Type: events.CostBudget, Scope: events.Scope{OrganizationID: st.OrganizationID}, Message: msg})
	}
	return true, nil
}

// errAlreadyRaised rolls back a transaction that found the mark present.
var errAlreadyRaised = fmt.Errorf("budget alert already raised")
