package cli

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/apiclient"
	"github.com/usecapsule/capsule/internal/export"
	"github.com/usecapsule/capsule/internal/httpapi"
	"github.com/usecapsule/capsule/internal/identity"
)

// sealSecrets reads the values of the project's service secrets (the most
// specific scope wins: environment, then project, then organization) and
// writes them encrypted to --age-recipient. Values travel from the server
// to this process only; a key with no value is named on stderr.
func sealSecrets(ctx context.Context, s Streams, c *apiclient.Client, projectID string, o exportOptions) (int, error) {
	in, err := fetchInput(ctx, c, projectID)
	if err != nil {
		return 0, err
	}
	var secrets []identity.Secret
	seen := map[string]bool{}
	for _, q := range []string{"projectId=" + url.QueryEscape(in.Project.ID), "organizationId=" + url.QueryEscape(in.Project.OrganizationID)} {
		var l httpapi.SecretList
		if err := c.Do(ctx, http.MethodGet, "/api/v1/secrets?"+q, nil, &l); err != nil {
			return 0, err
		}
		for _, x := range l.Items {
			if !seen[x.ID] {
				seen[x.ID] = true
				secrets = append(secrets, x)
			}
		}
	}
	envIDs := map[string]string{}
	for _, e := range in.Environments {
		envIDs[e.Name] = e.ID
	}
	var lookupErr error
	lookup := func(env, _, key string) (string, bool) {
		best, rank := "", 0
		for _, x := range secrets {
			if x.Name != key {
				continue
			}
			r := 0
			switch {
			case x.EnvironmentID != "" && x.EnvironmentID == envIDs[env]:
				r = 3
			case x.EnvironmentID == "" && x.ProjectID == in.Project.ID:
				r = 2
			case x.EnvironmentID == "" && x.ProjectID == "":
				r = 1
			}
			if r > rank {
				best, rank = x.ID, r
			}
		}
		if best == "" {
			return "", false
		}
		var v httpapi.SecretValue
		if err := c.Do(ctx, http.MethodGet, "/api/v1/secrets/"+url.PathEscape(best)+"/value", nil, &v); err != nil {
			lookupErr = err
			return "", false
		}
		return v.Value, true
	}
	files, missing, err := export.SealedSecrets(in, o.ageRecipient, lookup)
	if err != nil {
		return 0, withExitCode(ExitError, err)
	}
	if lookupErr != nil {
		return 0, lookupErr
	}
	for _, name := range export.Paths(files) {
		p := filepath.Join(o.out, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			return 0, err
		}
		if err := os.WriteFile(p, files[name], 0o600); err != nil {
			return 0, err
		}
	}
	if len(missing) > 0 {
		fmt.Fprintf(s.Err, "warning: no value in the secret store for %s (written as KEY= in the encrypted files)\n", strings.Join(missing, ", "))
	}
	return len(files), nil
}

// fetchInput reads the project, its environments and its services.
func fetchInput(ctx context.Context, c *apiclient.Client, projectID string) (export.Input, error) {
	var in export.Input
	if err := c.Do(ctx, http.MethodGet, "/api/v1/projects/"+url.PathEscape(projectID), nil, &in.Project); err != nil {
		return in, err
	}
	q := "?limit=500&projectId=" + url.QueryEscape(projectID)
	var envs capsule.List[capsule.Environment]
	if err := c.Do(ctx, http.MethodGet, "/api/v1/environments"+q, nil, &envs); err != nil {
		return in, err
	}
	var svcs capsule.List[capsule.Service]
	if err := c.Do(ctx, http.MethodGet, "/api/v1/services"+q, nil, &svcs); err != nil {
		return in, err
	}
	if envs.NextCursor != "" || svcs.NextCursor != "" {
		return in, fmt.Errorf("the project has more than 500 environments or services; --age-recipient does not page yet")
	}
	in.Environments, in.Services = envs.Items, svcs.Items
	return in, nil
}
