package cli

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/usecapsule/capsule/internal/apiclient"
	"github.com/usecapsule/capsule/internal/audit"
)

type auditLogsOptions struct {
	contextName, org, actor, action, target, outcome, since, output string
	limit                                                           int
}

// auditPage is GET /api/v1/audit/logs.
type auditPage struct {
	Items     []audit.Entry `json:"items"`
	NextAfter int64         `json:"nextAfter,omitempty"`
}

func newAuditLogsCmd(s Streams) *cobra.Command {
	o := &auditLogsOptions{}
	cmd := &cobra.Command{
		Use:   "logs",
		Short: "Search the audit log of an organization (needs audit:view)",
		Example: `  capsule audit logs --action 'secrets.*' --since 24h
  capsule audit logs --outcome denied -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd.Context(), s) },
	}
	f := cmd.Flags()
	f.StringVar(&o.contextName, "context", "", "the context to use (default: current)")
	f.StringVar(&o.org, "organization", "", "organization id (needed when you belong to several)")
	f.StringVar(&o.actor, "actor", "", "only entries by this user or API key id")
	f.StringVar(&o.action, "action", "", "only this action; a trailing * matches a prefix")
	f.StringVar(&o.target, "target", "", "only entries about this target id")
	f.StringVar(&o.outcome, "outcome", "", "success, failure or denied")
	f.StringVar(&o.since, "since", "", "only entries newer than this (e.g. 24h, 7d)")
	f.IntVar(&o.limit, "limit", 100, "at most this many entries (1-1000)")
	outputFlag(cmd, &o.output, "table", "json", "yaml")
	return cmd
}

func (o *auditLogsOptions) query(now time.Time) (url.Values, error) {
	q := url.Values{}
	for k, v := range map[string]string{"organizationId": o.org, "actor": o.actor, "action": o.action, "target": o.target, "outcome": o.outcome} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if o.since != "" {
		d, err := parseRetention(o.since)
		if err != nil {
			return nil, usageError("--since %q: want a duration like 24h or 7d", o.since)
		}
		q.Set("from", now.Add(-d).UTC().Format(time.RFC3339))
	}
	if o.limit < 1 || o.limit > 1000 {
		return nil, usageError("--limit %d: want 1 to 1000", o.limit)
	}
	q.Set("limit", strconv.Itoa(o.limit))
	return q, nil
}

func (o *auditLogsOptions) run(ctx context.Context, s Streams) error {
	if err := checkFormat(o.output, "table", "json", "yaml"); err != nil {
		return err
	}
	q, err := o.query(time.Now())
	if err != nil {
		return err
	}
	var page auditPage
	err = withClient(ctx, o.contextName, func(c *apiclient.Client) error {
		return c.Do(ctx, "GET", "/api/v1/audit/logs?"+q.Encode(), nil, &page)
	})
	if err != nil {
		return err
	}
	return printValue(s.Out, o.output, page, func(tw *tabwriter.Writer) {
		fmt.Fprintln(tw, "SEQ\tTIME\tACTOR\tACTION\tTARGET\tOUTCOME\tIP")
		for _, e := range page.Items {
			fmt.Fprintf(tw, "%d\t%s\t%s:%s\t%s\t%s\t%s\t%s\n", e.Seq, e.Time.UTC().Format(time.RFC3339), e.ActorType, e.ActorID,
				e.Action, e.TargetID, e.Outcome, e.IP)
		}
	})
}
