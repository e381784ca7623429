package cli

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/apiclient"
)

// bodyBuilder completes the request body of `create` from the arguments and
// flags and returns the path to POST it to.
type bodyBuilder = func(ctx context.Context, c *apiclient.Client, args []string, b createBody) (string, error)

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

// oneName sets the name from the NAME argument, which a -f file's name
// field may stand in for.
func oneName(args []string, b createBody) (string, error) {
	switch {
	case len(args) == 1:
		b.m["name"] = args[0]
		return args[0], nil
	case len(args) == 0 && b.str("name") != "":
		return b.str("name"), nil
	}
	return "", usageError("create takes exactly one NAME argument (or a -f file with a name)")
}

// parentRef resolves the parent reference at key (projectId,
// organizationId) from the flag when given, else from the file, so a file
// may name its parent by slug or name too.
func parentRef(ctx context.Context, c *apiclient.Client, b createBody, collection, key, flag, ref string) error {
	if !b.flags.Changed(flag) {
		ref = b.str(key)
	}
	if ref == "" {
		return nil
	}
	id, err := resolveRef(ctx, c, collection, ref)
	if err != nil {
		return err
	}
	b.m[key] = id
	return nil
}

// nameInProject checks the NAME and resolves the project (--project or the
// file's projectId), which environments and services both require.
func nameInProject(ctx context.Context, c *apiclient.Client, args []string, b createBody, project string) error {
	if _, err := oneName(args, b); err != nil {
		return err
	}
	if err := parentRef(ctx, c, b, "projects", "projectId", "project", project); err != nil {
		return err
	}
	if b.str("projectId") == "" {
		return usageError("--project is required")
	}
	return nil
}

func orgSpec() resourceSpec {
	return resourceSpec{
		use: "orgs", aliases: []string{"org", "organizations"}, singular: "organization", path: "organizations", confirmDelete: true,
		form:    func() any { return new(capsule.Organization) },
		cascade: countOrgContents,
		columns: []columnSpec{col("ID", "id"), col("NAME", "name"), col("SLUG", "slug"), col("TIER", "subscription.tier"), ageColumn()},
		createFlags: func(cmd *cobra.Command) bodyBuilder {
			var slug string
			cmd.Flags().StringVar(&slug, "slug", "", "URL name (default: derived from NAME)")
			return func(_ context.Context, _ *apiclient.Client, args []string, b createBody) (string, error) {
				name, err := oneName(args, b)
				if err != nil {
					return "", err
				}
				if slug != "" {
					b.m["slug"] = slug
				}
				b.setDefault("slug", slugify(name))
				return "/api/v1/organizations", nil
			}
		},
	}
}

func projectSpec() resourceSpec {
	return resourceSpec{
		use: "projects", aliases: []string{"project", "proj"}, singular: "project", path: "projects",
		form:    func() any { return new(capsule.Project) },
		cascade: countProjectContents,
		filters: []filterSpec{{flag: "org", query: "organizationId", usage: "organization ID or slug", resolve: "organizations"}},
		columns: []columnSpec{col("ID", "id"), col("NAME", "name"), col("SLUG", "slug"), col("REPOSITORY", "repository.url"), ageColumn()},
		createFlags: func(cmd *cobra.Command) bodyBuilder {
			var slug, org, repo, branch string
			cmd.Flags().StringVar(&slug, "slug", "", "URL name (default: derived from NAME)")
			cmd.Flags().StringVar(&org, "org", "", "organization ID or slug (default: your organization)")
			cmd.Flags().StringVar(&repo, "repo", "", "Git repository URL")
			cmd.Flags().StringVar(&branch, "branch", "", "Git branch (default main)")
			return func(ctx context.Context, c *apiclient.Client, args []string, b createBody) (string, error) {
				name, err := oneName(args, b)
				if err != nil {
					return "", err
				}
				if slug != "" {
					b.m["slug"] = slug
				}
				b.setDefault("slug", slugify(name))
				if err := parentRef(ctx, c, b, "organizations", "organizationId", "org", org); err != nil {
					return "", err
				}
				if repo != "" {
					b.m["repository"] = map[string]any{"url": repo, "branch": branch}
				} else if branch != "" {
					setPath(b.m, "repository.branch", branch)
				}
				return "/api/v1/projects", nil
			}
		},
	}
}

func envSpec() resourceSpec {
	return resourceSpec{
		use: "envs", aliases: []string{"env", "environments"}, singular: "environment", path: "environments",
		form:    func() any { return new(capsule.Environment) },
		cascade: countEnvContents,
		filters: []filterSpec{
			{flag: "project", query: "projectId", usage: "project ID or slug", resolve: "projects"},
			{flag: "kind", query: "kind", usage: "development|staging|production|preview"},
		},
		columns: []columnSpec{col("ID", "id"), col("NAME", "name"), col("KIND", "kind"), col("NAMESPACE", "namespace"), col("DELIVERY", "deliveryMode"),
			// Git events: the tracked branch, and a pull-request environment's number, URL and time left.
			col("BRANCH", "branch"), col("PR", "preview.pullRequest"), col("URL", "preview.url"), ttlColumn(), ageColumn()},
		createFlags: func(cmd *cobra.Command) bodyBuilder {
			var project, kind, namespace, cluster, delivery, branch string
			var approvals int
			cmd.Flags().StringVar(&project, "project", "", "project ID or slug (required)")
			cmd.Flags().StringVar(&kind, "kind", "development", "development|staging|production|preview")
			cmd.Flags().StringVar(&namespace, "namespace", "", "Kubernetes namespace (default: NAME)")
			cmd.Flags().StringVar(&cluster, "cluster", "", "cluster ID or name (of the project's organization)")
			cmd.Flags().StringVar(&delivery, "delivery", "", "direct|gitops (default direct)")
			cmd.Flags().IntVar(&approvals, "approvals", 0, "approvals required to promote into it")
			cmd.Flags().StringVar(&branch, "branch", "", "Git branch whose pushes deploy the project here (and whose pull requests get preview environments on its cluster)")
			return func(ctx context.Context, c *apiclient.Client, args []string, b createBody) (string, error) {
				b.set("branch", "branch", branch)
				if err := nameInProject(ctx, c, args, b, project); err != nil {
					return "", err
				}
				b.set("kind", "kind", kind)
				b.setDefault("kind", kind)
				b.set("namespace", "namespace", namespace)
				if err := parentRef(ctx, c, b, "clusters", "clusterId", "cluster", cluster); err != nil {
					return "", err
				}
				b.set("delivery", "deliveryMode", delivery)
				b.set("approvals", "approvalPolicy.requiredApprovals", approvals)
				return "/api/v1/environments", nil
			}
		},
	}
}

func serviceSpec() resourceSpec {
	return resourceSpec{
		use: "services", aliases: []string{"service", "svc"}, singular: "service", path: "services",
		form: func() any { return new(capsule.Service) },
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
			return func(ctx context.Context, c *apiclient.Client, args []string, b createBody) (string, error) {
				if err := nameInProject(ctx, c, args, b, project); err != nil {
					return "", err
				}
				for _, kv := range env {
					k, v, ok := strings.Cut(kv, "=")
					if !ok {
						return "", usageError("--env %q: want KEY=VALUE", kv)
					}
					// Each --env adds to (or overrides one key of) the file's env.
					setPath(b.m, "configuration.env."+k, v)
				}
				b.set("type", "type", typ)
				b.setDefault("type", typ)
				for _, f := range []struct{ flag, path, v string }{{"repo", "source.repository", repo}, {"path", "source.path", path},
					{"build", "source.buildCommand", build}, {"start", "source.startCommand", start}, {"image", "source.image", image},
					{"strategy", "configuration.strategy.type", strategy}, {"schedule", "configuration.schedule", schedule}} {
					b.set(f.flag, f.path, f.v)
				}
				b.set("min-replicas", "configuration.scaling.minReplicas", minR)
				b.set("max-replicas", "configuration.scaling.maxReplicas", maxR)
				b.set("port", "configuration.networking.port", port)
				return "/api/v1/services", nil
			}
		},
	}
}

// deployRequest is the file form of `deployments create`: the body of
// POST /services/{id}/deploy.
type deployRequest struct {
	EnvironmentID string `json:"environmentId"`
	Image         string `json:"image"`
	Strategy      string `json:"strategy,omitempty"`
	Replicas      *int   `json:"replicas,omitempty"`
}

func deploymentSpec() resourceSpec {
	return resourceSpec{
		use: "deployments", aliases: []string{"deployment"}, singular: "deployment", path: "deployments",
		deleteVerb: "cancel",
		form:       func() any { return new(deployRequest) },
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
			var service, env, image string
			cmd.Use = "create --service S --env E --image IMAGE"
			cmd.Short = "Deploy an image of a service to an environment (capsule deploy also follows it)"
			cmd.Flags().StringVar(&service, "service", "", "service ID or name (required)")
			cmd.Flags().StringVar(&env, "env", "", "environment ID or name (required)")
			cmd.Flags().StringVar(&image, "image", "", "image reference (default: the service's source image)")
			return func(ctx context.Context, c *apiclient.Client, args []string, b createBody) (string, error) {
				if len(args) != 0 {
					return "", usageError("deployments create takes no arguments")
				}
				if service == "" {
					return "", usageError("--service and --env are required")
				}
				sid, err := resolveRef(ctx, c, "services", service)
				if err != nil {
					return "", err
				}
				if err := parentRef(ctx, c, b, "environments", "environmentId", "env", env); err != nil {
					return "", err
				}
				if b.str("environmentId") == "" {
					return "", usageError("--service and --env are required")
				}
				b.set("image", "image", image)
				return "/api/v1/services/" + url.PathEscape(sid) + "/deploy", nil
			}
		},
	}
}

// ttlColumn is the time a pull-request environment has left before the
// sweep removes it.
func ttlColumn() columnSpec {
	return columnSpec{header: "TTL", value: func(item map[string]any) string {
		t, err := time.Parse(time.RFC3339Nano, field("preview.expiresAt")(item))
		if err != nil {
			return ""
		}
		if d := time.Until(t); d > 0 {
			return humanAge(d)
		}
		return "expired"
	}}
}
