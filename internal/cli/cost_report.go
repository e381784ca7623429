package cli

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/usecapsule/capsule/internal/allocation"
	"github.com/usecapsule/capsule/internal/apiclient"
)

type costReportOptions struct {
	by, window, cluster, organization, output, context string
}

func newCostReportCmd(s Streams) *cobra.Command {
	var o costReportOptions
	cmd := &cobra.Command{
		Use:   "report",
		Short: "What each team, project, service, namespace, cluster or environment cost over a window",
		Long: `Report asks the control plane for the cost allocated from the agents' pictures
over the last --window days (today included): per group, CPU and memory cost
(max(request, usage) × each node's prices), the group's part of the shared
namespaces' cost and its efficiency (usage over allocation, where usage is
known); idle capacity is shown apart. Money is USD.`,
		Example: `  capsule cost report --by team --window 30d
  capsule cost report --by namespace --cluster 0190... -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(o.output, "table", "json", "yaml"); err != nil {
				return err
			}
			if err := checkFormat(o.by, allocation.Groups...); err != nil {
				return usageError("unknown --by %q (want %s)", o.by, strings.Join(allocation.Groups, "|"))
			}
			return runCostReport(cmd.Context(), s, o)
		},
	}
	cmd.Flags().StringVar(&o.by, "by", "team", "group by "+strings.Join(allocation.Groups, "|"))
	cmd.Flags().StringVar(&o.window, "window", "30d", "the last N days, today included (at most 400d)")
	cmd.Flags().StringVar(&o.cluster, "cluster", "", "only this cluster's cost (its id)")
	cmd.Flags().StringVar(&o.organization, "organization", "", "organization id (when you belong to several)")
	cmd.Flags().StringVar(&o.context, "context", "", "CLI context (default: the current one)")
	outputFlag(cmd, &o.output, "table", "json", "yaml")
	return cmd
}

func runCostReport(ctx context.Context, s Streams, o costReportOptions) error {
	q := url.Values{"group": {o.by}, "window": {o.window}}
	if o.cluster != "" {
		q.Set("cluster", o.cluster)
	}
	if o.organization != "" {
		q.Set("organizationId", o.organization)
	}
	var sum allocation.Summary
	err := withClient(ctx, o.context, func(c *apiclient.Client) error {
		return c.Do(ctx, "GET", "/api/v1/costs/summary?"+q.Encode(), nil, &sum)
	})
	if err != nil {
		return withExitCode(ExitError, err)
	}
	return printValue(s.Out, o.output, sum, func(tw *tabwriter.Writer) {
		fmt.Fprintf(tw, "%s\tCPU\tMEMORY\tSHARED\tTOTAL\tEFFICIENCY\n", strings.ToUpper(o.by))
		for _, g := range sum.Groups {
			eff := "-"
			if g.Efficiency != nil {
				eff = fmt.Sprintf("%.0f%%", *g.Efficiency*100)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", g.Name, g.CPUCost, g.MemoryCost, g.SharedCost, g.TotalCost, eff)
		}
		fmt.Fprintf(tw, "\nIDLE\t%s %s\nSHARED\t%s %s\nWINDOW\t%s – %s\n", sum.Idle, sum.Currency, sum.Shared, sum.Currency,
			sum.Window.Start.Format("2006-01-02"), sum.Window.End.Format("2006-01-02"))
	})
}
