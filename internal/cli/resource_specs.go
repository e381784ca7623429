package cli

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/spf13/cobra"

	"github.com/usecapsule/capsule/internal/apiclient"
)

type bodyBuilder = func(ctx context.Context, c *apiclient.Client, args []string) (string, map[string]any, error)

// slugify turns a display name into a DNS-1123 label, the default slug.
func slugify(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.TrimRight(b.String(), "-")
	if len(s) > 63 {
		s = strings.TrimRight(s[:63], "-")
	}
	return s
}

func oneName(args []string) (string, error) {
	if len(args) != 1 {
		return "", usageError("create takes exactly one NAME argument")
	}
	return args[0], nil
}

// nameInProject checks the one NAME argument and resolves --project, which
// environments and services both require.
func nameInProject(ctx context.Context, c *apiclient.Client, args []string, project string) (name, projectID string, err error) {
	if name, err = oneName(args); err != nil {
		return "", "", err
	}
	if project == "" {
		return "", "", usageError("--project is required")
	}
	projectID, err = resolveRef(ctx, c, "projects", project)
	return name, projectID, err
}

func orgSpec() resourceSpec {
	return resourceSpec{
		use: "orgs", aliases: []string{"org", "organizations"}, singular: "organization", path: "organizations", confirmDelete: true,
		columns: []columnSpec{col("ID", "id"), col("NAME", "name"), col("SLUG", "slug"), col("TIER", "subscription.tier"), ageColumn()},
		createFlags: func(cmd *cobra.Command) bodyBuilder {
			var slug string
			cmd.Flags().StringVar(&slug, "slug", "", "URL name (default: derived from NAME)")
			return func(_ context.Context, _ *apiclient.Client, args []string) (string, map[string]any, error) {
				name, err := oneName(args)
				if err != nil {
					return "", nil, err
				}
				if slug == "" {
					slug = slugify(name)
				}
				return "/api/v1/organizations", map[string]any{"name": name, "slug": slug}, nil
			}
		},
	}
}

func projectSpec() resourceSpec {
	return resourceSpec{
		use: "projects", aliases: []string{"project", "proj"}, singular: "project", path: "projects",
		filters: []filterSpec{{flag: "org", query: "organizationId", usage: "organization ID or slug", resolve: "organizations"}},
		columns: []columnSpec{col("ID", "id"), col("NAME", "name"), col("SLUG", "slug"), col("REPOSITORY", "repository.url"), ageColumn()},
		createFlags: func(cmd *cobra.Command) bodyBuilder {
			var slug, org, repo, branch string
			cmd.Flags().StringVar(&slug, "slug", "", "URL name (default: derived from NAME)")
			cmd.Flags().StringVar(&org, "org", "", "organization ID or slug (default: your organization)")
			cmd.Flags().StringVar(&repo, "repo", "", "Git repository URL")
			cmd.Flags().StringVar(&branch, "branch", "", "Git branch (default main)")
			return func(ctx context.Context, c *apiclient.Client, args []string) (string, map[string]any, error) {
				name, err := oneName(args)
				if err != nil {
					return "", nil, err
				}
				if slug == "" {
					slug = slugify(name)
				}
				body := map[string]any{"name": name, "slug": slug}
				if org != "" {
					id, err := resolveRef(ctx, c, "organizations", org)
					if err != nil {
						return "", nil, err
					}
					body["organizationId"] = id
				}
				if repo != "" {
					body["repository"] = map[string]any{"url": repo, "branch": branch}
				}
				return "/api/v1/projects", body, nil
			}
		},
	}
}

func envSpec() resourceSpec {
	return resourceSpec{
		use: "envs", aliases: []string{"env", "environments"}, singular: "environment", path: "environments",
		filters: []filterSpec{
			{flag: "project", query: "projectId", usage: "project ID or slug", resolve: "projects"},
			{flag: "kind", query: "kind", usage: "development|staging|production|preview"},
		},
		columns: []columnSpec{col("ID", "id"), col("NAME", "name"), col("KIND", "kind"), col("NAMESPACE", "namespace"), col("DELIVERY", "deliveryMode"), ageColumn()},
		createFlags: func(cmd *cobra.Command) bodyBuilder {
			var project, kind, namespace, cluster, delivery string
			var approvals int
			cmd.Flags().StringVar(&project, "project", "", "project ID or slug (required)")
			cmd.Flags().StringVar(&kind, "kind", "development", "development|staging|production|preview")
			cmd.Flags().StringVar(&namespace, "namespace", "", "Kubernetes namespace (default: NAME)")
			cmd.Flags().StringVar(&cluster, "cluster", "", "cluster ID")
			cmd.Flags().StringVar(&delivery, "delivery", "", "direct|gitops (default direct)")
			cmd.Flags().IntVar(&approvals, "approvals", 0, "approvals required to promote into it")
			return func(ctx context.Context, c *apiclient.Client, args []string) (string, map[string]any, error) {
				name, pid, err := nameInProject(ctx, c, args, project)
				if err != nil {
					return "", nil, err
				}
				body := map[string]any{"name": name, "projectId": pid, "kind": kind, "namespace": namespace,
					"clusterId": cluster, "deliveryMode": delivery,
					"approvalPolicy": map[string]any{"requiredApprovals": approvals}}
				return "/api/v1/environments", body, nil
			}
		},
	}
}

func serviceSpec() resourceSpec {
	return resourceSpec{
		use: "services", aliases: []string{"service", "svc"}, singular: "service", path: "services",
		filters: []filterSpec{
			{flag: "project", query: "projectId", usage: "project ID or slug", resolve: "projects"},
			{flag: "type", query: "type", usage: "web|api|worker|static|cron"},
			{flag: "status", query: "status", usage: "service status"},
		},
		columns: []columnSpec{col("ID", "id"), col("NAME", "name"), col("TYPE", "type"), col("STATUS", "status"), col("REVISION", "revision"), ageColumn()},
		createFlags: func(cmd *cobra.Command) bodyBuilder {
			var project, typ, repo, path, build, start, image, strategy, schedule string
			var port, minR, maxR int
			var env []string
			cmd.Flags().StringVar(&project, "project", "", "project ID or slug (required)")
			cmd.Flags().StringVar(&typ, "type", "web", "web|api|worker|static|cron")
			cmd.Flags().StringVar(&repo, "repo", "", "source repository URL")
			cmd.Flags().StringVar(&path, "path", "", "path of the service in a monorepo")
			cmd.Flags().StringVar(&build, "build", "", "build command")
			cmd.Flags().StringVar(&start, "start", "", "start command")
			cmd.Flags().StringVar(&image, "image", "", "prebuilt image instead of building")
			cmd.Flags().IntVar(&port, "port", 0, "container port")
			cmd.Flags().IntVar(&minR, "min-replicas", 0, "minimum replicas (default 1)")
			cmd.Flags().IntVar(&maxR, "max-replicas", 0, "maximum replicas (autoscaling when above min)")
			cmd.Flags().StringVar(&strategy, "strategy", "", "rolling|recreate|blue-green|canary")
			cmd.Flags().StringVar(&schedule, "schedule", "", "cron schedule (cron services)")
			cmd.Flags().StringArrayVar(&env, "env", nil, "environment variable KEY=VALUE (repeatable)")
			return func(ctx context.Context, c *apiclient.Client, args []string) (string, map[string]any, error) {
				name, pid, err := nameInProject(ctx, c, args, project)
				if err != nil {
					return "", nil, err
				}
				envMap := map[string]any{}
				for _, kv := range env {
					k, v, ok := strings.Cut(kv, "=")
					if !ok {
						return "", nil, usageError("--env %q: want KEY=VALUE", kv)
					}
					envMap[k] = v
				}
				body := map[string]any{
					"name": name, "projectId": pid, "type": typ,
					"source": map[string]any{"repository": repo, "path": path, "buildCommand": build, "startCommand": start, "image": image},
					"configuration": map[string]any{
						"env":        envMap,
						"scaling":    map[string]any{"minReplicas": minR, "maxReplicas": maxR},
						"networking": map[string]any{"port": port},
						"strategy":   map[string]any{"type": strategy},
						"schedule":   schedule,
					},
				}
				return "/api/v1/services", body, nil
			}
		},
	}
}

func deploymentSpec() resourceSpec {
	return resourceSpec{
		use: "deployments", aliases: []string{"deployment", "deploy"}, singular: "deployment", path: "deployments",
		deleteVerb: "cancel",
		filters: []filterSpec{
			{flag: "service", query: "serviceId", usage: "service ID or name", resolve: "services"},
			{flag: "env", query: "environmentId", usage: "environment ID or name", resolve: "environments"},
			{flag: "project", query: "projectId", usage: "project ID or slug", resolve: "projects"},
			{flag: "status", query: "status", usage: "pending|building|deploying|running|failed|cancelled|rolled_back"},
		},
		columns: []columnSpec{col("ID", "id"), col("SERVICE", "serviceId"), col("ENVIRONMENT", "environmentId"),
			col("VERSION", "version"), col("STATUS", "status"),
			{header: "READY", value: func(it map[string]any) string {
				return fmt.Sprintf("%s/%s", field("replicas.ready")(it), field("replicas.desired")(it))
			}}, ageColumn()},
		createFlags: func(cmd *cobra.Command) bodyBuilder {
			var service, env, version string
			cmd.Use = "create --service S --env E --version V"
			cmd.Short = "Deploy a service revision to an environment"
			cmd.Flags().StringVar(&service, "service", "", "service ID or name (required)")
			cmd.Flags().StringVar(&env, "env", "", "environment ID or name (required)")
			cmd.Flags().StringVar(&version, "version", "", "image tag or release label")
			return func(ctx context.Context, c *apiclient.Client, args []string) (string, map[string]any, error) {
				if len(args) != 0 {
					return "", nil, usageError("deployments create takes no arguments")
				}
				if service == "" || env == "" {
					return "", nil, usageError("--service and --env are required")
				}
				sid, err := resolveRef(ctx, c, "services", service)
				if err != nil {
					return "", nil, err
				}
				eid, err := resolveRef(ctx, c, "environments", env)
				if err != nil {
					return "", nil, err
				}
				return "/api/v1/services/" + url.PathEscape(sid) + "/deploy",
					map[string]any{"environmentId": eid, "version": version}, nil
			}
		},
	}
}
