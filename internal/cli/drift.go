package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/usecapsule/capsule/internal/apiclient"
	"github.com/usecapsule/capsule/internal/drift"
	"github.com/usecapsule/capsule/internal/envdiff"
)

// ExitDrift is returned by `capsule drift` when the environment has
// drifted from what Capsule deployed (3 is taken by preview's --fail-on,
// 4 by a failed deploy).
const ExitDrift = 5

// envFlags are the flags drift and diff share.
type envFlags struct {
	project, contextName, format string
}

func (f *envFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.project, "project", "", "project slug or ID, when the environment's name is used in several")
	cmd.Flags().StringVar(&f.contextName, "context", "", "context to use (default: current)")
	cmd.Flags().StringVarP(&f.format, "output", "o", "text", "text|json")
}

// findEnvironment returns the environment named (or with ID) ref, in the
// project --project names when given.
func findEnvironment(ctx context.Context, c *apiclient.Client, ref string, f envFlags) (map[string]any, error) {
	q := url.Values{}
	if f.project != "" {
		pid, err := resolveRef(ctx, c, "projects", f.project)
		if err != nil {
			return nil, err
		}
		q.Set("projectId", pid)
	}
	return findNamed(ctx, c, "environments", ref, q)
}

func newDriftCmd(s Streams) *cobra.Command {
	var f envFlags
	cmd := &cobra.Command{
		Use:   "drift ENV",
		Short: "Compare what runs in an environment with what Capsule deployed there (exit 5 when it drifted)",
		Long: "Compare what runs in an environment (its cluster agent's picture) with what Capsule deployed there.\n" +
			"Only real drift is reported: a field changed by hand (kubectl edit, scale, set image), an object deleted,\n" +
			"or an object Capsule applied that is no longer desired. Secrets are compared by their key names only:\n" +
			"the agent never keeps Secret values. Exit codes: 0 in sync, 5 drifted, 1 error.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(f.format, "text", "json"); err != nil {
				return err
			}
			ctx := cmd.Context()
			return withClient(ctx, f.contextName, func(c *apiclient.Client) error {
				env, err := findEnvironment(ctx, c, args[0], f)
				if err != nil {
					return err
				}
				var res drift.Result
				if err := c.Do(ctx, "GET", "/api/v1/environments/"+url.PathEscape(fmt.Sprint(env["id"]))+"/drift", nil, &res); err != nil {
					return err
				}
				name := fmt.Sprint(env["name"])
				if f.format == "json" {
					if err := printValue(s.Out, "json", res, nil); err != nil {
						return err
					}
				} else {
					printDrift(s.Out, name, &res)
				}
				if !res.InSync {
					return withExitCode(ExitDrift, fmt.Errorf("environment %s has drifted: %d object(s) differ from what Capsule deployed", name, len(res.Objects)))
				}
				return nil
			})
		},
	}
	f.register(cmd)
	return cmd
}

// printDrift writes a drift result as text: one line per object, then one
// indented line per changed field.
func printDrift(w io.Writer, env string, r *drift.Result) {
	when := r.CheckedAt.Format("2006-01-02 15:04:05Z07:00")
	if r.InSync {
		fmt.Fprintf(w, "environment %s is in sync with what Capsule deployed (desired: %s, live: %s, checked %s)\n", env, r.DesiredSource, r.LiveSource, when)
		return
	}
	fmt.Fprintf(w, "environment %s has drifted: %d object(s) (desired: %s, live: %s, checked %s)\n", env, len(r.Objects), r.DesiredSource, r.LiveSource, when)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "STATUS\tKIND\tNAME\tFIELD\tDESIRED\tLIVE")
	for _, o := range r.Objects {
		if len(o.Changes) == 0 {
			fmt.Fprintf(tw, "%s\t%s\t%s\t\t\t\n", o.Status, o.Kind, o.Name)
			continue
		}
		for i, c := range o.Changes {
			status, kind, name := string(o.Status), o.Kind, o.Name
			if i > 0 {
				status, kind, name = "", "", ""
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", status, kind, name, c.Path, shortValue(c.Desired), shortValue(c.Live))
		}
	}
	tw.Flush()
}

// shortValue renders a field's value on one line: absent as "-", strings
// as they are, anything else as compact JSON, cut at 60 characters.
func shortValue(v any) string {
	var s string
	switch x := v.(type) {
	case nil:
		return "-"
	case string:
		s = x
	default:
		b, _ := json.Marshal(x)
		s = string(b)
	}
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 60 {
		s = string(r[:59]) + "…"
	}
	return s
}

func newDiffCmd(s Streams) *cobra.Command {
	var (
		f       envFlags
		service string
	)
	cmd := &cobra.Command{
		Use:   "diff ENV_A ENV_B",
		Short: "Show what differs between two environments' deployed services",
		Long: "Compare what Capsule deployed to two environments of one project (each service's last successful\n" +
			"deployment), ignoring what naturally differs between them: the namespace, the environment label,\n" +
			"and the environment's name or namespace inside names and values.",
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(f.format, "text", "json"); err != nil {
				return err
			}
			ctx := cmd.Context()
			return withClient(ctx, f.contextName, func(c *apiclient.Client) error {
				from, err := findEnvironment(ctx, c, args[0], f)
				if err != nil {
					return err
				}
				pid := fmt.Sprint(from["projectId"])
				q := url.Values{"from": {fmt.Sprint(from["id"])}, "to": {args[1]}}
				if service != "" {
					q.Set("service", service)
				}
				var res envdiff.Result
				if err := c.Do(ctx, "GET", "/api/v1/projects/"+url.PathEscape(pid)+"/diff?"+q.Encode(), nil, &res); err != nil {
					return err
				}
				if f.format == "json" {
					return printValue(s.Out, "json", res, nil)
				}
				printEnvDiff(s.Out, &res)
				return nil
			})
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&service, "service", "", "only this service (name or ID)")
	return cmd
}

// printEnvDiff writes an environment diff as text: "+" for objects only
// the second environment has, "-" for those only the first has, "~" with
// each changed field for the others.
func printEnvDiff(w io.Writer, r *envdiff.Result) {
	if r.Identical {
		fmt.Fprintf(w, "%s and %s run the same objects (apart from their own names)\n", r.From.Environment, r.To.Environment)
		return
	}
	d := r.Diff
	fmt.Fprintf(w, "%s → %s: %d added, %d removed, %d modified\n", r.From.Environment, r.To.Environment, len(d.Added), len(d.Removed), len(d.Modified))
	for _, k := range d.Removed {
		fmt.Fprintf(w, "- %s (only in %s)\n", k, r.From.Environment)
	}
	for _, k := range d.Added {
		fmt.Fprintf(w, "+ %s (only in %s)\n", k, r.To.Environment)
	}
	for _, k := range d.Modified {
		fmt.Fprintf(w, "~ %s\n", k)
		for _, c := range d.Changes {
			if c.Resource == k {
				fmt.Fprintf(w, "    %s: %s → %s\n", c.Path, shortValue(c.From), shortValue(c.To))
			}
		}
	}
}
