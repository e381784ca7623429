package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	capsule "github.com/usecapsule/capsule"

	"github.com/usecapsule/capsule/internal/apiclient"
	"github.com/usecapsule/capsule/internal/preview"
)

// promotionView is what the CLI shows of a promotion.
type promotionView struct {
	ID        string `json:"id"`
	ServiceID string `json:"serviceId"`
	Status    string `json:"status"`
	RiskLevel string `json:"riskLevel"`
	Summary   struct {
		Added    int `json:"added"`
		Removed  int `json:"removed"`
		Modified int `json:"modified"`
	} `json:"summary"`
	SourceRevision int    `json:"sourceRevision"`
	Image          string `json:"image"`
	Note           string `json:"note"`
	Delivery       struct {
		Mode         string `json:"mode"`
		DeploymentID string `json:"deploymentId"`
		// Git is what a gitops delivery wrote: without it a person
		// approving from the CLI cannot find the branch or pull request.
		Git *capsule.GitDelivered `json:"git,omitempty"`
	} `json:"delivery"`
	Conflicts []string `json:"conflicts,omitempty"`
}

func newPromoteCmd(s Streams) *cobra.Command {
	var (
		from, to, output string
		f                deployFlags
	)
	cmd := &cobra.Command{
		Use:   "promote SERVICE --from ENV --to ENV",
		Short: "Preview and record the promotion of a service from one environment to another",
		Long: `Promote renders the revision the source environment runs for the target
environment and previews it against what the target runs now: semantic diff,
monthly cost change, risks and an explanation. The promotion is recorded and
waits for approval under the target's policy (capsule promotions approve).`,
		Example: `  capsule promote web --from staging --to production
  capsule promote api --from staging --to production --project shop -o markdown`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(output, "text", "json", "markdown"); err != nil {
				return err
			}
			if from == "" || to == "" {
				return usageError("--from and --to are required")
			}
			ctx := cmd.Context()
			return withClient(ctx, f.contextName, func(c *apiclient.Client) error {
				f.env = from
				src, err := resolveTarget(ctx, c, args[0], f)
				if err != nil {
					return err
				}
				f.env = to
				dst, err := resolveTarget(ctx, c, args[0], f)
				if err != nil {
					return err
				}
				var raw json.RawMessage
				body := map[string]string{"serviceId": src.serviceID, "sourceEnvId": src.envID, "targetEnvId": dst.envID}
				if err := c.Do(ctx, "POST", "/api/v1/promotions/preview", body, &raw); err != nil {
					return err
				}
				return printPromotionPreview(s.Out, output, raw)
			})
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "source environment name or ID (required)")
	cmd.Flags().StringVar(&to, "to", "", "target environment name or ID (required)")
	cmd.Flags().StringVar(&f.project, "project", "", "project slug or ID, when the service's name is used in several")
	cmd.Flags().StringVar(&f.contextName, "context", "", "context to use (default: current)")
	outputFlag(cmd, &output, "text", "json", "markdown")
	return cmd
}

// printPromotionPreview writes the API's preview answer as JSON, or its
// artifact as capsule preview renders one, after the promotion's line.
func printPromotionPreview(w io.Writer, format string, raw json.RawMessage) error {
	if format == "json" {
		var buf bytes.Buffer
		if err := json.Indent(&buf, raw, "", "  "); err != nil {
			return err
		}
		_, err := fmt.Fprintln(w, buf.String())
		return err
	}
	var head struct {
		Promotion promotionView `json:"promotion"`
	}
	var p preview.Preview
	if err := json.Unmarshal(raw, &head); err != nil {
		return err
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return err
	}
	pr := head.Promotion
	fmt.Fprintf(w, "promotion %s: %s (revision %d, %s)\n", pr.ID, pr.Status, pr.SourceRevision, pr.Image)
	if pr.Note != "" {
		fmt.Fprintln(w, pr.Note)
	}
	fmt.Fprintln(w)
	if format == "markdown" {
		return p.WriteMarkdown(w)
	}
	return p.WriteText(w)
}

func newPromotionsCmd(s Streams) *cobra.Command {
	cmd := &cobra.Command{Use: "promotions", Short: "List, show, approve and reject promotions"}
	var contextName string
	cmd.PersistentFlags().StringVar(&contextName, "context", "", "context to use (default: current)")
	var output, status, project string
	list := &cobra.Command{
		Use:   "list",
		Short: "List promotions, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(output, "table", "json", "yaml"); err != nil {
				return err
			}
			ctx := cmd.Context()
			return withClient(ctx, contextName, func(c *apiclient.Client) error {
				q := url.Values{}
				if status != "" {
					q.Set("status", status)
				}
				if project != "" {
					pid, err := resolveRef(ctx, c, "projects", project)
					if err != nil {
						return err
					}
					q.Set("projectId", pid)
				}
				var l struct {
					Items []promotionView `json:"items"`
				}
				if err := c.Do(ctx, "GET", "/api/v1/promotions?"+q.Encode(), nil, &l); err != nil {
					return err
				}
				return printValue(s.Out, output, l.Items, func(tw *tabwriter.Writer) {
					fmt.Fprintln(tw, "ID\tSTATUS\tRISK\tCHANGES\tIMAGE")
					for _, p := range l.Items {
						fmt.Fprintf(tw, "%s\t%s\t%s\t+%d -%d ~%d\t%s\n", p.ID, p.Status, p.RiskLevel, p.Summary.Added, p.Summary.Removed, p.Summary.Modified, p.Image)
					}
				})
			})
		},
	}
	outputFlag(list, &output, "table", "json", "yaml")
	list.Flags().StringVar(&status, "status", "", "only promotions in this status")
	list.Flags().StringVar(&project, "project", "", "only this project's promotions")
	var getOutput string
	get := &cobra.Command{
		Use:   "get ID",
		Short: "Show a promotion with its preview",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(getOutput, "text", "json", "markdown"); err != nil {
				return err
			}
			ctx := cmd.Context()
			return withClient(ctx, contextName, func(c *apiclient.Client) error {
				var raw json.RawMessage
				if err := c.Do(ctx, "GET", "/api/v1/promotions/"+url.PathEscape(args[0])+"/preview", nil, &raw); err != nil {
					return err
				}
				return printPromotionPreview(s.Out, getOutput, raw)
			})
		},
	}
	outputFlag(get, &getOutput, "text", "json", "markdown")
	cmd.AddCommand(list, get, decideCmd(s, &contextName, "approve"), decideCmd(s, &contextName, "reject"))
	return cmd
}

func decideCmd(s Streams, contextName *string, verb string) *cobra.Command {
	var comment, override, output string
	cmd := &cobra.Command{
		Use:   verb + " ID",
		Short: map[string]string{"approve": "Approve a promotion (the last required approval delivers it)", "reject": "Reject a promotion"}[verb],
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(output, "table", "json", "yaml"); err != nil {
				return err
			}
			ctx := cmd.Context()
			return withClient(ctx, *contextName, func(c *apiclient.Client) error {
				body := map[string]string{"comment": comment}
				if override != "" {
					body["override_reason"] = override
				}
				var p promotionView
				if err := c.Do(ctx, "POST", "/api/v1/promotions/"+url.PathEscape(args[0])+"/"+verb, body, &p); err != nil {
					return err
				}
				return printValue(s.Out, output, p, func(tw *tabwriter.Writer) {
					line := fmt.Sprintf("promotion %s: %s", p.ID, p.Status)
					if p.Delivery.DeploymentID != "" {
						line += ", deployment " + p.Delivery.DeploymentID
					}
					if g := p.Delivery.Git; g != nil {
						line += ", branch " + g.Branch
						if g.PRURL != "" {
							line += ", pull request " + g.PRURL
						}
					}
					if len(p.Conflicts) > 0 {
						line += ", conflicts: " + strings.Join(p.Conflicts, ", ")
					}
					if p.Note != "" {
						line += " (" + p.Note + ")"
					}
					fmt.Fprintln(tw, line)
				})
			})
		},
	}
	cmd.Flags().StringVar(&comment, "comment", "", "why")
	if verb == "approve" {
		cmd.Flags().StringVar(&override, "override-reason", "", "approve a promotion a policy gate blocks, saying why")
	}
	outputFlag(cmd, &output, "table", "json", "yaml")
	return cmd
}
