package notify

import (
	"context"
	"encoding/json"
	"time"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/database"
)

// Rule routes events to a channel: events of the listed kinds (all when
// empty) in the organization, narrowed to a project or an environment when
// set, at MinSeverity or above.
type Rule struct {
	ID             string    `json:"id"`
	OrganizationID string    `json:"organizationId"`
	ChannelID      string    `json:"channelId"`
	Events         []string  `json:"events"`
	ProjectID      string    `json:"projectId,omitempty"`
	EnvironmentID  string    `json:"environmentId,omitempty"`
	MinSeverity    string    `json:"minSeverity"`
	CreatedBy      string    `json:"createdBy,omitempty"`
	CreatedAt      time.Time `json:"createdAt"`
}

// Matches reports whether the rule routes e.
func (r *Rule) Matches(e Event) bool {
	if r.OrganizationID != e.Scope.OrganizationID || SeverityRank(e.Severity) < SeverityRank(r.MinSeverity) {
		return false
	}
	if r.ProjectID != "" && r.ProjectID != e.Scope.ProjectID || r.EnvironmentID != "" && r.EnvironmentID != e.Scope.EnvironmentID {
		return false
	}
	if len(r.Events) == 0 {
		return true
	}
	for _, k := range r.Events {
		if k == e.Kind {
			return true
		}
	}
	return false
}

const channelCols = `id, organization_id, name, kind, config, secret_id, quiet_hours, window_seconds, created_by, created_at, updated_at`

func scanChannel(r interface{ Scan(...any) error }) (*Channel, error) {
	var (
		c                Channel
		config, quiet    string
		created, updated database.Time
	)
	if err := r.Scan(&c.ID, &c.OrganizationID, &c.Name, &c.Kind, &config, &c.SecretID, &quiet, &c.GroupWindowSeconds,
		&c.CreatedBy, &created, &updated); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(config), &c.Config); err != nil {
		return nil, err
	}
	if quiet != "" {
		c.QuietHours = &QuietSpec{}
		if err := json.Unmarshal([]byte(quiet), c.QuietHours); err != nil {
			return nil, err
		}
	}
	c.CreatedAt, c.UpdatedAt = created.Time, updated.Time
	return &c, nil
}

func (s *Service) insertChannel(ctx context.Context, c *Channel) error {
	config, _ := json.Marshal(c.Config)
	quiet := ""
	if c.QuietHours != nil {
		b, _ := json.Marshal(c.QuietHours)
		quiet = string(b)
	}
	database.NoteTarget(ctx, c.ID)
	return database.DomainError(s.DB.InTx(ctx, func(tx *database.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO notification_channels (`+channelCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ID, c.OrganizationID, c.Name, c.Kind, string(config), c.SecretID, quiet, c.GroupWindowSeconds, c.CreatedBy,
			database.TimeOf(c.CreatedAt), database.TimeOf(c.UpdatedAt))
		if database.IsForeignKeyViolation(err) {
			return capsule.NotFound("organization", c.OrganizationID)
		}
		return err
	}), nil)
}

// FindChannel returns one channel.
func (s *Service) FindChannel(ctx context.Context, id string) (*Channel, error) {
	nf := capsule.NotFound("notification channel", id)
	if !database.IsID(id) {
		return nil, nf
	}
	c, err := scanChannel(s.DB.QueryRow(ctx, `SELECT `+channelCols+` FROM notification_channels WHERE id = ?`, id))
	return c, database.DomainError(err, nf)
}

// ListChannels returns an organization's channels, oldest first.
func (s *Service) ListChannels(ctx context.Context, orgID string) ([]Channel, error) {
	rows, err := s.DB.Query(ctx, `SELECT `+channelCols+` FROM notification_channels WHERE organization_id = ? ORDER BY id`, orgID)
	if err != nil {
		return nil, database.DomainError(err, nil)
	}
	defer rows.Close()
	out := []Channel{}
	for rows.Next() {
		c, err := scanChannel(rows)
		if err != nil {
			return nil, database.DomainError(err, nil)
		}
		out = append(out, *c)
	}
	return out, database.DomainError(rows.Err(), nil)
}

const ruleCols = `id, organization_id, channel_id, events, project_id, environment_id, min_severity, created_by, created_at`

func scanRule(r interface{ Scan(...any) error }) (*Rule, error) {
	var (
		ru      Rule
		events  string
		created database.Time
	)
	if err := r.Scan(&ru.ID, &ru.OrganizationID, &ru.ChannelID, &events, &ru.ProjectID, &ru.EnvironmentID, &ru.MinSeverity,
		&ru.CreatedBy, &created); err != nil {
		return nil, err
	}
	ru.CreatedAt = created.Time
	return &ru, json.Unmarshal([]byte(events), &ru.Events)
}

// FindRule returns one rule.
func (s *Service) FindRule(ctx context.Context, id string) (*Rule, error) {
	nf := capsule.NotFound("notification rule", id)
	if !database.IsID(id) {
		return nil, nf
	}
	r, err := scanRule(s.DB.QueryRow(ctx, `SELECT `+ruleCols+` FROM notification_rules WHERE id = ?`, id))
	return r, database.DomainError(err, nf)
}

// ListRules returns an organization's rules, oldest first.
func (s *Service) ListRules(ctx context.Context, orgID string) ([]Rule, error) {
	return rulesWhere(ctx, s.DB, `organization_id = ?`, orgID)
}

func rulesWhere(ctx context.Context, q database.Querier, where string, args ...any) ([]Rule, error) {
	rows, err := q.Query(ctx, `SELECT `+ruleCols+` FROM notification_rules WHERE `+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, database.DomainError(err, nil)
	}
	defer rows.Close()
	out := []Rule{}
	for rows.Next() {
		r, err := scanRule(rows)
		if err != nil {
			return nil, database.DomainError(err, nil)
		}
		out = append(out, *r)
	}
	return out, database.DomainError(rows.Err(), nil)
}

func (s *Service) deleteRow(ctx context.Context, table, entity, id string) error {
	return database.DomainError(s.DB.InTx(ctx, func(tx *database.Tx) error {
		res, err := tx.Exec(ctx, `DELETE FROM `+table+` WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return capsule.NotFound(entity, id)
		}
		return nil
	}), nil)
}
