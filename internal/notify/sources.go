package notify

import (
	"context"
	"log/slog"
	"strings"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/audit"
	"github.com/usecapsule/capsule/internal/database"
	"github.com/usecapsule/capsule/internal/events"
)

// AuditHook routes the audit entries that are notifications (an agent
// marked offline, drift found) inside the entry's own transaction: register it with
// identitystore's OnAuditAppend. Promotion, drift, cost and budget events
// come from their capabilities through Notify.
func AuditHook(ctx context.Context, tx *database.Tx, e audit.Entry) error {
	if e.Outcome != audit.OutcomeSuccess || e.OrganizationID == "" {
		return nil
	}
	switch e.Action {
	case "environment.drifted", "environment.in_sync":
		return driftEvent(ctx, tx, e)
	case "agent.offline":
	default:
		return nil
	}
	path := "/clusters"
	if c := e.After["clusterId"]; c != "" {
		path = "/clusters/" + c
	}
	ev := Event{Kind: EventAgentOffline, Severity: SeverityError, Scope: Scope{OrganizationID: e.OrganizationID}, Time: e.Time,
		Subject: "agent " + e.TargetID, Path: path, Detail: "No heartbeat since " + e.After["lastHeartbeat"] + "."}
	return Notify(ctx, tx, ev, "audit:"+e.Hash)
}

// driftEvent routes the drift monitor's audited finding that an
// environment stopped matching what Capsule deployed (drift found). The
// return to sync is not sent: channels other than PagerDuty would show it
// under the same "Drift found" title. The entry commits with the stored
// check, so the notification does too.
func driftEvent(ctx context.Context, tx *database.Tx, e audit.Entry) error {
	if e.Action != "environment.drifted" {
		return nil
	}
	ev := Event{Kind: EventDriftFound, Severity: SeverityWarning, Scope: Scope{OrganizationID: e.OrganizationID, EnvironmentID: e.TargetID},
		Time: e.Time, Subject: "environment " + e.TargetID, Path: "/environments/" + e.TargetID,
		Detail: e.After["objects"] + " object(s) differ from what Capsule deployed."}
	// A project-scoped rule must see the environment's project, which the
	// entry does not name; the subject reads better with its name.
	var name string
	if tx.QueryRow(ctx, "SELECT project_id, name FROM environments WHERE id = ?", e.TargetID).Scan(&ev.Scope.ProjectID, &name) == nil {
		ev.Subject = "environment " + name
	}
	return Notify(ctx, tx, ev, "audit:"+e.Hash)
}

// ForwardDeployments routes failed and rolled-back deployments from the
// events hub until ctx ends; the key (deployment and outcome) queues each
// once however many replicas receive it.
func ForwardDeployments(ctx context.Context, hub *events.Hub, db *database.DB, log *slog.Logger) {
	sub := hub.Subscribe(func(e events.Event) bool { return e.Type == events.DeploymentFailed })
	defer sub.Close()
	for {
		e, err := sub.Next(ctx)
		if err != nil {
			return
		}
		if e.Type != events.DeploymentFailed || e.Scope.DeploymentID == "" {
			continue
		}
		kind := EventDeploymentFailed
		if strings.HasPrefix(e.Message, capsule.DeploymentRolledBack+":") {
			kind = EventDeploymentRollback
		}
		ev := Event{Kind: kind, Severity: SeverityError, Time: e.Time,
			Scope:   Scope{OrganizationID: e.Scope.OrganizationID, ProjectID: e.Scope.ProjectID, EnvironmentID: e.Scope.EnvironmentID},
			Subject: "deployment " + e.Scope.DeploymentID, Path: "/deployments/" + e.Scope.DeploymentID, Detail: e.Message}
		if err := Notify(database.WithoutTxHook(ctx), db, ev, "deployment:"+e.Scope.DeploymentID+":"+kind); err != nil && ctx.Err() == nil {
			log.Warn("notify: queuing a deployment event failed", "deployment", e.Scope.DeploymentID, "error", err.Error())
		}
	}
}
