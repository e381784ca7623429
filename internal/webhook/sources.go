package webhook

import (
	"context"
	"log/slog"

	"github.com/usecapsule/capsule/internal/audit"
	"github.com/usecapsule/capsule/internal/database"
	"github.com/usecapsule/capsule/internal/events"
)

// domainEvent is the event type subscribers know an audit action by
// (besides audit.<action>) when the action is an event of its own.
func domainEvent(action string) (string, bool) {
	switch action {
	case "agent.offline":
		return "agent.offline", true
	case "environment.drifted", "environment.in_sync":
		// Drift found and resolved: data.inSync tells them apart.
		return "environment.drift", true
	}
	return "", false
}

// AuditHook queues "audit.<action>" (and, for the actions in domainEvents,
// the domain event) for every audit entry of an organization, inside the
// entry's own transaction: register it with identitystore's OnAuditAppend.
// Every audited change of the API and the system's audited actions (an
// agent marked offline) therefore reach webhooks exactly when they commit.
func AuditHook(ctx context.Context, tx *database.Tx, e audit.Entry) error {
	if e.OrganizationID == "" {
		return nil
	}
	data := map[string]any{"seq": e.Seq, "time": e.Time, "actorType": e.ActorType, "actorId": e.ActorID,
		"action": e.Action, "targetType": e.TargetType, "targetId": e.TargetID, "organizationId": e.OrganizationID,
		"requestId": e.RequestID, "outcome": e.Outcome, "hash": e.Hash}
	if len(e.Before) > 0 {
		data["before"] = e.Before
	}
	if len(e.After) > 0 {
		data["after"] = e.After
	}
	// The entry's hash names it uniquely, so a retried transaction does not
	// queue the message twice.
	if err := EmitKeyed(ctx, tx, e.OrganizationID, "audit."+e.Action, "audit:"+e.Hash, data); err != nil {
		return err
	}
	if typ, ok := domainEvent(e.Action); ok && e.Outcome == audit.OutcomeSuccess {
		d := map[string]any{"organizationId": e.OrganizationID, "time": e.Time, e.TargetType + "Id": e.TargetID}
		for k, v := range e.After {
			d[k] = v
		}
		return EmitKeyed(ctx, tx, e.OrganizationID, typ, typ+":"+e.Hash, d)
	}
	return nil
}

// deploymentEvent reports the live events forwarded to webhooks. Progress
// reports are not: there are many per deployment and they are live only.
func deploymentEvent(t events.Type) bool {
	return t == events.DeploymentStarted || t == events.DeploymentCompleted || t == events.DeploymentFailed
}

// ForwardDeployments queues deployment.started, .completed and .failed from
// the events hub until ctx ends. With several replicas every replica
// receives every event through the relay; the message id derives from the
// deployment and the type, so each subscription gets one message. An event
// the hub dropped (this subscriber lagged) or that happened while no
// replica ran is not sent: the deployment record stays the source of truth.
func ForwardDeployments(ctx context.Context, hub *events.Hub, db *database.DB, log *slog.Logger) {
	sub := hub.Subscribe(func(e events.Event) bool { return deploymentEvent(e.Type) })
	defer sub.Close()
	for {
		e, err := sub.Next(ctx)
		if err != nil {
			return
		}
		if !deploymentEvent(e.Type) || e.Scope.DeploymentID == "" {
			continue
		}
		data := map[string]any{"deploymentId": e.Scope.DeploymentID, "serviceId": e.Scope.ServiceID,
			"environmentId": e.Scope.EnvironmentID, "projectId": e.Scope.ProjectID, "organizationId": e.Scope.OrganizationID,
			"time": e.Time, "message": e.Message}
		key := "deployment:" + e.Scope.DeploymentID + ":" + string(e.Type)
		if err := EmitKeyed(database.WithoutTxHook(ctx), db, e.Scope.OrganizationID, string(e.Type), key, data); err != nil && ctx.Err() == nil {
			log.Warn("webhook: queuing a deployment event failed", "deployment", e.Scope.DeploymentID, "type", string(e.Type), "error", err.Error())
		}
	}
}
