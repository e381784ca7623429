package cli

import (
	"bufio"
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/usecapsule/capsule/internal/apiclient"
)

// cascadeCounter counts what deleting the object with the given ID also
// removes, as "2 projects, 3 environments, ...".
type cascadeCounter func(ctx context.Context, c *apiclient.Client, id string) (string, error)

// countOrgContents counts an organization's projects and everything in them.
func countOrgContents(ctx context.Context, c *apiclient.Client, id string) (string, error) {
	projects, err := listAll(ctx, c, "projects", "organizationId", id)
	if err != nil {
		return "", err
	}
	var envs, svcs, deps int
	for _, p := range projects {
		e, s, d, err := projectCounts(ctx, c, fmt.Sprint(p["id"]))
		if err != nil {
			return "", err
		}
		envs, svcs, deps = envs+e, svcs+s, deps+d
	}
	return counted(len(projects), "project", envs, "environment", svcs, "service", deps, "deployment"), nil
}

// countProjectContents counts a project's environments, services and
// deployments.
func countProjectContents(ctx context.Context, c *apiclient.Client, id string) (string, error) {
	e, s, d, err := projectCounts(ctx, c, id)
	if err != nil {
		return "", err
	}
	return counted(e, "environment", s, "service", d, "deployment"), nil
}

// countEnvContents counts an environment's deployment records.
func countEnvContents(ctx context.Context, c *apiclient.Client, id string) (string, error) {
	deps, err := listAll(ctx, c, "deployments", "environmentId", id)
	if err != nil {
		return "", err
	}
	return counted(len(deps), "deployment"), nil
}

func projectCounts(ctx context.Context, c *apiclient.Client, id string) (envs, svcs, deps int, err error) {
	var n [3]int
	for i, coll := range []string{"environments", "services", "deployments"} {
		items, err := listAll(ctx, c, coll, "projectId", id)
		if err != nil {
			return 0, 0, 0, err
		}
		n[i] = len(items)
	}
	return n[0], n[1], n[2], nil
}

func listAll(ctx context.Context, c *apiclient.Client, coll, key, id string) ([]map[string]any, error) {
	page, err := c.List(ctx, "/api/v1/"+coll, url.Values{key: {id}, "limit": {"500"}}, true)
	if err != nil {
		return nil, err
	}
	return page.Items, nil
}

// counted formats count/noun pairs: "1 project, 2 environments".
func counted(pairs ...any) string {
	var parts []string
	for i := 0; i+1 < len(pairs); i += 2 {
		n, noun := pairs[i].(int), pairs[i+1].(string)
		if n != 1 {
			noun += "s"
		}
		parts = append(parts, fmt.Sprintf("%d %s", n, noun))
	}
	return strings.Join(parts, ", ")
}

// confirmCascade says what a cascading delete removes and asks for
// confirmation: a y/N prompt on a terminal; anywhere else (a script, CI)
// the delete needs --yes, since a silent yes there is how whole
// organizations disappear. A refusal is a usage error (exit code 2).
func confirmCascade(s Streams, what, contents string, yes bool) error {
	fmt.Fprintf(s.Err, "Deleting %s also removes %s.\n", what, contents)
	if yes {
		return nil
	}
	f, ok := s.In.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return usageError("refusing to delete %s without confirmation: stdin is not a terminal; pass --yes", what)
	}
	fmt.Fprint(s.Err, "Delete? [y/N] ")
	line, _ := bufio.NewReader(f).ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return nil
	}
	return withExitCode(ExitError, fmt.Errorf("%s not deleted", what))
}
