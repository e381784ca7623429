package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/usecapsule/capsule/internal/apiclient"
	"github.com/usecapsule/capsule/internal/servicespec"
)

// deployFlags are the flags deploy, rollback, scale, status and logs share.
type deployFlags struct {
	env, project, contextName string
	wait                      bool
	timeout                   time.Duration
}

func (f *deployFlags) register(cmd *cobra.Command, wait bool) {
	cmd.Flags().StringVar(&f.env, "env", "", "environment name or ID (required)")
	cmd.Flags().StringVar(&f.project, "project", "", "project slug or ID, when the service's name is used in several")
	cmd.Flags().StringVar(&f.contextName, "context", "", "context to use (default: current)")
	if wait {
		cmd.Flags().BoolVar(&f.wait, "wait", false, "follow the deployment until it runs, fails or is rolled back (exit 4 unless it runs)")
		cmd.Flags().DurationVar(&f.timeout, "timeout", 10*time.Minute, "with --wait, how long to follow")
	}
}

// target is a service and one of its project's environments.
type target struct {
	serviceID, serviceName, envID, envName string
}

// resolveTarget finds the service (by ID, or by name in the project or in
// every visible project) and the environment of its project.
func resolveTarget(ctx context.Context, c *apiclient.Client, service string, f deployFlags) (target, error) {
	if f.env == "" {
		return target{}, usageError("--env is required")
	}
	if service == "" {
		// Inside a service's directory its capsule.yaml names it.
		file, err := servicespec.Load("capsule.yaml")
		if err != nil {
			return target{}, usageError("name the service (no capsule.yaml here to take its name from)")
		}
		spec, err := file.Resolve("")
		if err != nil {
			return target{}, withExitCode(ExitError, err)
		}
		service = spec.Name
	}
	q := url.Values{}
	if f.project != "" {
		pid, err := resolveRef(ctx, c, "projects", f.project)
		if err != nil {
			return target{}, err
		}
		q.Set("projectId", pid)
	}
	svc, err := findNamed(ctx, c, "services", service, q)
	if err != nil {
		return target{}, err
	}
	t := target{serviceID: fmt.Sprint(svc["id"]), serviceName: fmt.Sprint(svc["name"])}
	env, err := findNamed(ctx, c, "environments", f.env, url.Values{"projectId": {fmt.Sprint(svc["projectId"])}})
	if err != nil {
		return target{}, err
	}
	t.envID, t.envName = fmt.Sprint(env["id"]), fmt.Sprint(env["name"])
	return t, nil
}

// findNamed returns the one item of collection (filtered by q) whose ID or
// name is ref.
func findNamed(ctx context.Context, c *apiclient.Client, collection, ref string, q url.Values) (map[string]any, error) {
	singular := strings.TrimSuffix(collection, "s")
	if uuidRE.MatchString(ref) {
		var it map[string]any
		err := c.Do(ctx, "GET", "/api/v1/"+collection+"/"+url.PathEscape(ref), nil, &it)
		return it, err
	}
	q.Set("limit", "500")
	page, err := c.List(ctx, "/api/v1/"+collection, q, true)
	if err != nil {
		return nil, err
	}
	var found []map[string]any
	for _, it := range page.Items {
		if fmt.Sprint(it["name"]) == ref {
			found = append(found, it)
		}
	}
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("no %s named %q", singular, ref)
	case 1:
		return found[0], nil
	}
	cands := make([]string, len(found))
	for i, it := range found {
		cands[i] = candidate(it)
	}
	return nil, fmt.Errorf("%q matches %d %s: %s; use --project or an ID", ref, len(found), collection, strings.Join(cands, ", "))
}

// accepted is the answer of deploy, rollback and scale.
type accepted struct {
	deploymentView
	Queued       bool   `json:"queued"`
	QueuedBehind string `json:"queuedBehind"`
}

type deploymentView struct {
	ID       string `json:"id"`
	Revision int    `json:"revision"`
	Version  string `json:"version"`
	Status   string `json:"status"`
	Message  string `json:"message"`
	Replicas struct {
		Desired int `json:"desired"`
		Running int `json:"running"`
		Ready   int `json:"ready"`
	} `json:"replicas"`
	CreatedAt time.Time `json:"createdAt"`
}

// startAndFollow posts body to the service's action route and, with
// --wait, follows the deployment to its end. The event stream is opened
// before the request, so no event of the new deployment is missed.
func startAndFollow(cmd *cobra.Command, s Streams, service, action string, f deployFlags, body map[string]any) error {
	ctx := cmd.Context()
	return withClient(ctx, f.contextName, func(c *apiclient.Client) error {
		t, err := resolveTarget(ctx, c, service, f)
		if err != nil {
			return err
		}
		body["environmentId"] = t.envID
		var w *waiter
		if f.wait {
			w = newWaiter(ctx, c, s, t, f.timeout)
			defer w.close()
		}
		var acc accepted
		if err := c.Do(ctx, "POST", "/api/v1/services/"+url.PathEscape(t.serviceID)+"/"+action, body, &acc); err != nil {
			return err
		}
		line := fmt.Sprintf("deployment %s: %s %s revision %d to %s (%s)", acc.ID, action, t.serviceName, acc.Revision, t.envName, acc.Version)
		if acc.Queued {
			line += ", queued behind deployment " + acc.QueuedBehind
		}
		fmt.Fprintln(s.Out, line)
		if w == nil {
			return nil
		}
		return w.follow(acc.ID)
	})
}

func newDeployCmd(s Streams) *cobra.Command {
	var (
		f                 deployFlags
		image, strategy   string
		replicas          int
		replicasRequested bool
	)
	cmd := &cobra.Command{
		Use:   "deploy [SERVICE] --env ENV --image IMAGE",
		Short: "Deploy an image of a service to an environment's cluster",
		Long: `Deploy renders the service's stored configuration with the image and applies
it to the environment's cluster (server-side apply), following the rollout;
a rollout that fails is rolled back to the previous release automatically.
A deploy while another of the service runs in the environment is queued.

SERVICE defaults to the name in ./capsule.yaml. With --wait the command
follows the deployment and exits 0 when it runs, 4 when it failed or was
rolled back.`,
		Example: `  capsule deploy web --env production --image ghcr.io/acme/web:1.4.2 --wait
  capsule deploy api --env staging --image api:2 --strategy canary --replicas 3`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			body := map[string]any{"image": image}
			if strategy != "" {
				body["strategy"] = strategy
			}
			if replicasRequested = cmd.Flags().Changed("replicas"); replicasRequested {
				body["replicas"] = replicas
			}
			return startAndFollow(cmd, s, firstArg(args), "deploy", f, body)
		},
	}
	f.register(cmd, true)
	cmd.Flags().StringVar(&image, "image", "", "image reference (default: the service's source image)")
	cmd.Flags().StringVar(&strategy, "strategy", "", "rolling|recreate|blue-green|canary (default: the service's)")
	cmd.Flags().IntVar(&replicas, "replicas", 0, "replica count (default: the service's minimum)")
	return cmd
}

func newRollbackCmd(s Streams) *cobra.Command {
	var (
		f        deployFlags
		revision int
	)
	cmd := &cobra.Command{
		Use:   "rollback SERVICE --env ENV [--revision N]",
		Short: "Put an earlier release of a service back (default: the previous successful one)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			body := map[string]any{}
			if revision != 0 {
				body["revision"] = revision
			}
			return startAndFollow(cmd, s, args[0], "rollback", f, body)
		},
	}
	f.register(cmd, true)
	cmd.Flags().IntVar(&revision, "revision", 0, "release revision to put back (capsule status lists them)")
	return cmd
}

func newScaleCmd(s Streams) *cobra.Command {
	var (
		f        deployFlags
		replicas int
	)
	cmd := &cobra.Command{
		Use:   "scale SERVICE --env ENV --replicas N",
		Short: "Set the replica count of a service's running release",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("replicas") {
				return usageError("--replicas is required")
			}
			return startAndFollow(cmd, s, args[0], "scale", f, map[string]any{"replicas": replicas})
		},
	}
	f.register(cmd, true)
	cmd.Flags().IntVar(&replicas, "replicas", 0, "replica count")
	return cmd
}

func firstArg(args []string) string {
	if len(args) == 0 {
		return ""
	}
	return args[0]
}

// latestDeployments lists the newest deployments of the target.
func latestDeployments(ctx context.Context, c *apiclient.Client, t target, n int) ([]deploymentView, error) {
	q := url.Values{"serviceId": {t.serviceID}, "environmentId": {t.envID}, "limit": {fmt.Sprint(n)}}
	var page struct {
		Items []deploymentView `json:"items"`
	}
	if err := c.Do(ctx, "GET", "/api/v1/deployments?"+q.Encode(), nil, &page); err != nil {
		return nil, err
	}
	return page.Items, nil
}

func newStatusCmd(s Streams) *cobra.Command {
	var (
		f      deployFlags
		format string
	)
	cmd := &cobra.Command{
		Use:   "status SERVICE --env ENV",
		Short: "Show a service's latest deployments in an environment",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format, "table", "json"); err != nil {
				return err
			}
			ctx := cmd.Context()
			return withClient(ctx, f.contextName, func(c *apiclient.Client) error {
				t, err := resolveTarget(ctx, c, args[0], f)
				if err != nil {
					return err
				}
				list, err := latestDeployments(ctx, c, t, 10)
				if err != nil {
					return err
				}
				if format == "json" {
					enc := json.NewEncoder(s.Out)
					enc.SetIndent("", "  ")
					return enc.Encode(list)
				}
				if len(list) == 0 {
					fmt.Fprintf(s.Out, "%s has never been deployed to %s\n", t.serviceName, t.envName)
					return nil
				}
				fmt.Fprintf(s.Out, "%s in %s: %s (revision %d, %s, %d/%d ready)\n", t.serviceName, t.envName, list[0].Status,
					list[0].Revision, list[0].Version, list[0].Replicas.Ready, list[0].Replicas.Desired)
				fmt.Fprintf(s.Out, "%-9s %-12s %-40s %-6s %s\n", "REVISION", "STATUS", "VERSION", "READY", "MESSAGE")
				for _, d := range list {
					fmt.Fprintf(s.Out, "%-9d %-12s %-40s %-6s %s\n", d.Revision, d.Status, d.Version,
						fmt.Sprintf("%d/%d", d.Replicas.Ready, d.Replicas.Desired), d.Message)
				}
				return nil
			})
		},
	}
	f.register(cmd, false)
	cmd.Flags().StringVarP(&format, "output", "o", "table", "table|json")
	return cmd
}

func newLogsCmd(s Streams) *cobra.Command {
	var (
		f         deployFlags
		follow    bool
		since     time.Duration
		container string
	)
	cmd := &cobra.Command{
		Use:   "logs SERVICE --env ENV [-f]",
		Short: "Print the logs of a service's pods in an environment, each line prefixed with its pod",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			return withClient(ctx, f.contextName, func(c *apiclient.Client) error {
				t, err := resolveTarget(ctx, c, args[0], f)
				if err != nil {
					return err
				}
				list, err := latestDeployments(ctx, c, t, 1)
				if err != nil {
					return err
				}
				if len(list) == 0 {
					return fmt.Errorf("%s has never been deployed to %s: no pods to show logs of", t.serviceName, t.envName)
				}
				q := url.Values{}
				if follow {
					q.Set("follow", "true")
				}
				if since > 0 {
					q.Set("since", since.String())
				}
				if container != "" {
					q.Set("container", container)
				}
				return c.Stream(ctx, "/api/v1/deployments/"+url.PathEscape(list[0].ID)+"/logs?"+q.Encode(), s.Out)
			})
		},
	}
	f.register(cmd, false)
	cmd.Flags().BoolVarP(&follow, "follow", "f", false, "keep printing new lines")
	cmd.Flags().DurationVar(&since, "since", 0, "only lines newer than this, e.g. 10m")
	cmd.Flags().StringVar(&container, "container", "", "container (default: each pod's first)")
	return cmd
}
