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
// marked offline) inside the entry's own transaction: register it with
// identitystore's OnAuditAppend. Promotion, drift, cost and budget events
// come from their capabilities through Notify.
func AuditHook(ctx context.Context, tx *database.Tx, e audit.Entry) error {
	if e.Action != "agent.offline" || e.Outcome != audit.OutcomeSuccess || e.OrganizationID == "" {
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
