package cli

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/usecapsule/capsule/internal/apiclient"
	"github.com/usecapsule/capsule/internal/kube"
)

// clusterForm is the file form of `clusters add`: the body of
// POST /api/v1/clusters.
type clusterForm struct {
	OrganizationID string            `json:"organization_id,omitempty"`
	Name           string            `json:"name"`
	CloudProvider  string            `json:"cloud_provider,omitempty"`
	Region         string            `json:"region,omitempty"`
	Metadata       map[string]string `json:"metadata,omitempty"`
	Credential     *kube.Credential  `json:"credential,omitempty"`
}

// clusterSpec is `capsule clusters add|list|get|delete`. add reads the
// kubeconfig here and sends only the chosen context, its cluster and user,
// with every referenced file inlined: the other contexts' credentials
// never leave the machine, and a kubeconfig that points at certificate
// files (minikube, kubeadm) works. Exec plugins and auth providers cannot
// be inlined; the server names them when it refuses them.
func clusterSpec() resourceSpec {
	return resourceSpec{
		use: "clusters", aliases: []string{"cluster"}, singular: "cluster", path: "clusters", createVerb: "add",
		form:    func() any { return new(clusterForm) },
		cascade: countClusterContents,
		filters: []filterSpec{{flag: "org", query: "organizationId", usage: "organization ID or slug", resolve: "organizations"}},
		columns: []columnSpec{col("ID", "id"), col("NAME", "name"), col("PROVIDER", "cloud_provider"), col("REGION", "region"),
			col("STATUS", "status"), col("AGENT", "agent_status"), col("VERSION", "server_version"), ageColumnOf("created_at")},
		createFlags: func(cmd *cobra.Command) bodyBuilder {
			var kubeconfig, kubeContext, provider, region, org string
			var meta []string
			cmd.Use = "add NAME --kubeconfig FILE [--context C]"
			cmd.Short = "Register a cluster; with --kubeconfig its write credential is checked (reachable, and every permission deploys need) and stored encrypted"
			cmd.Flags().StringVar(&kubeconfig, "kubeconfig", "", "kubeconfig file with the write credential")
			// On add, --context is the kubeconfig's context (as kubectl
			// spells it); it shadows the group's config-file --context,
			// so add uses the current Capsule context.
			cmd.Flags().StringVar(&kubeContext, "context", "", "context of the kubeconfig (default: its current-context)")
			cmd.Flags().StringVar(&provider, "cloud-provider", "", "aws|gcp|azure|digitalocean|hetzner|on-premises|other")
			cmd.Flags().StringVar(&region, "region", "", "region or location")
			cmd.Flags().StringVar(&org, "org", "", "organization ID or slug (default: your organization)")
			cmd.Flags().StringArrayVar(&meta, "metadata", nil, "metadata KEY=VALUE (repeatable)")
			return func(ctx context.Context, c *apiclient.Client, args []string, b createBody) (string, error) {
				if _, err := oneName(args, b); err != nil {
					return "", err
				}
				b.set("cloud-provider", "cloud_provider", provider)
				b.set("region", "region", region)
				for _, kv := range meta {
					k, v, ok := strings.Cut(kv, "=")
					if !ok {
						return "", usageError("--metadata %q: want KEY=VALUE", kv)
					}
					setPath(b.m, "metadata."+k, v)
				}
				if err := parentRef(ctx, c, b, "organizations", "organization_id", "org", org); err != nil {
					return "", err
				}
				if kubeconfig != "" {
					cred, err := readKubeconfig(kubeconfig, kubeContext)
					if err != nil {
						return "", withExitCode(ExitUsage, err)
					}
					b.m["credential"] = map[string]any{"kubeconfig": cred}
				} else if kubeContext != "" {
					return "", usageError("--context needs --kubeconfig")
				}
				return "/api/v1/clusters", nil
			}
		},
	}
}

// readKubeconfig returns the kubeconfig at path reduced to one context
// (kubeContext, else the current one) with its files inlined.
func readKubeconfig(path, kubeContext string) (string, error) {
	kc, err := clientcmd.LoadFromFile(path)
	if err != nil {
		return "", fmt.Errorf("--kubeconfig %s: %w", path, err)
	}
	if kubeContext != "" {
		if _, ok := kc.Contexts[kubeContext]; !ok {
			return "", fmt.Errorf("--context %q: %s has no such context (it has %s)", kubeContext, path, strings.Join(contextNames(kc), ", "))
		}
		kc.CurrentContext = kubeContext
	}
	if err := clientcmdapi.MinifyConfig(kc); err != nil {
		return "", fmt.Errorf("--kubeconfig %s: %w", path, err)
	}
	if err := clientcmdapi.FlattenConfig(kc); err != nil {
		return "", fmt.Errorf("--kubeconfig %s: inlining its files: %w", path, err)
	}
	out, err := clientcmd.Write(*kc)
	if err != nil {
		return "", fmt.Errorf("--kubeconfig %s: %w", path, err)
	}
	return string(out), nil
}

// countClusterContents names what deleting a cluster removes with it.
func countClusterContents(ctx context.Context, c *apiclient.Client, id string) (string, error) {
	var cl struct {
		HasCredential bool `json:"has_credential"`
	}
	if err := c.Do(ctx, http.MethodGet, "/api/v1/clusters/"+url.PathEscape(id), nil, &cl); err != nil {
		return "", err
	}
	if cl.HasCredential {
		return "its stored write credential", nil
	}
	return "nothing else (it holds no credential)", nil
}

func contextNames(kc *clientcmdapi.Config) []string {
	names := make([]string, 0, len(kc.Contexts))
	for n := range kc.Contexts {
		names = append(names, fmt.Sprintf("%q", n))
	}
	slices.Sort(names)
	return names
}
