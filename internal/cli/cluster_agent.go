package cli

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/usecapsule/capsule/internal/apiclient"
)

// DefaultAgentChart is the Helm chart `clusters join-token` installs.
const DefaultAgentChart = "oci://ghcr.io/usecapsule/charts/capsule-agent"

// joinTokenAnswer is POST /clusters/{id}/join-tokens.
type joinTokenAnswer struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
}

// addClusterAgentCmds adds join-token and status to the clusters group.
func addClusterAgentCmds(s Streams, cmds []*cobra.Command) {
	for _, c := range cmds {
		if c.Name() == "clusters" {
			c.AddCommand(newClusterJoinTokenCmd(s), newClusterStatusCmd(s))
		}
	}
}

func contextFlag(cmd *cobra.Command) string {
	v, _ := cmd.Flags().GetString("context")
	return v
}

func newClusterJoinTokenCmd(s Streams) *cobra.Command {
	var server, chart, namespace, release, format string
	cmd := &cobra.Command{
		Use:   "join-token NAME",
		Short: "Create a one-time agent join token and print the helm install command that uses it",
		Long: `Create a one-time join token for the cluster's agent (valid one hour, stored hashed) and print the
helm install command that installs the read-only agent with it. Registering a new agent revokes
the cluster's previous one.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format, "text", "json", "yaml"); err != nil {
				return err
			}
			return withClient(cmd.Context(), contextFlag(cmd), func(c *apiclient.Client) error {
				id, err := resolveRef(cmd.Context(), c, "clusters", args[0])
				if err != nil {
					return err
				}
				var jt joinTokenAnswer
				if err := c.Do(cmd.Context(), http.MethodPost, "/api/v1/clusters/"+url.PathEscape(id)+"/join-tokens", nil, &jt); err != nil {
					return err
				}
				if format != "text" {
					return printValue(s.Out, format, jt, nil)
				}
				url := server
				if url == "" {
					url = c.BaseURL
				}
				return writeHelmInstall(s.Out, args[0], jt, url, chart, namespace, release)
			})
		},
	}
	outputFlag(cmd, &format, "text", "json", "yaml")
	cmd.Flags().StringVar(&server, "server-url", "", "the control plane URL the agent connects to (default: this context's server)")
	cmd.Flags().StringVar(&chart, "chart", DefaultAgentChart, "the agent's Helm chart")
	cmd.Flags().StringVar(&namespace, "namespace", "capsule-system", "namespace to install the agent in")
	cmd.Flags().StringVar(&release, "release", "capsule-agent", "Helm release name")
	return cmd
}

func writeHelmInstall(w io.Writer, cluster string, jt joinTokenAnswer, server, chart, namespace, release string) error {
	_, err := fmt.Fprintf(w, `# Join token for cluster %s: one use, expires %s.
helm install %s %s \
  --namespace %s --create-namespace \
  --set server=%s \
  --set joinToken=%s
`, cluster, jt.ExpiresAt.UTC().Format(time.RFC3339), release, chart, namespace, shellQuote(server), jt.Token)
	return err
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:@%+=,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// clusterStatus is GET /clusters/{id}/agent-status.
type clusterStatus struct {
	ClusterID     string         `json:"clusterId"`
	Status        string         `json:"status"`
	LastHeartbeat *time.Time     `json:"lastHeartbeat,omitempty"`
	AgentVersion  string         `json:"agentVersion,omitempty"`
	KubeVersion   string         `json:"clusterVersion,omitempty"`
	Counts        map[string]int `json:"counts"`
	ObjectCount   int            `json:"objectCount"`
	Agent         *struct {
		ID       string `json:"id"`
		Hostname string `json:"hostname"`
	} `json:"agent,omitempty"`
}

func newClusterStatusCmd(s Streams) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "status NAME",
		Short: "Show the cluster agent's health, versions, last heartbeat and object counts",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format, "table", "json", "yaml"); err != nil {
				return err
			}
			return withClient(cmd.Context(), contextFlag(cmd), func(c *apiclient.Client) error {
				st, err := fetchClusterStatus(cmd.Context(), c, args[0])
				if err != nil {
					return err
				}
				return printValue(s.Out, format, st, func(tw *tabwriter.Writer) { writeClusterStatus(tw, args[0], st) })
			})
		},
	}
	outputFlag(cmd, &format, "table", "json", "yaml")
	return cmd
}

func fetchClusterStatus(ctx context.Context, c *apiclient.Client, ref string) (*clusterStatus, error) {
	id, err := resolveRef(ctx, c, "clusters", ref)
	if err != nil {
		return nil, err
	}
	var st clusterStatus
	if err := c.Do(ctx, http.MethodGet, "/api/v1/clusters/"+url.PathEscape(id)+"/agent-status", nil, &st); err != nil {
		return nil, err
	}
	return &st, nil
}

func writeClusterStatus(tw *tabwriter.Writer, name string, st *clusterStatus) {
	last := "never"
	if st.LastHeartbeat != nil {
		last = fmt.Sprintf("%s (%s ago)", st.LastHeartbeat.UTC().Format(time.RFC3339), time.Since(*st.LastHeartbeat).Round(time.Second))
	}
	fmt.Fprintf(tw, "CLUSTER\t%s\n", name)
	fmt.Fprintf(tw, "AGENT\t%s\n", st.Status)
	if st.Agent != nil {
		fmt.Fprintf(tw, "AGENT ID\t%s (%s)\n", st.Agent.ID, st.Agent.Hostname)
	}
	fmt.Fprintf(tw, "AGENT VERSION\t%s\n", orDash(st.AgentVersion))
	fmt.Fprintf(tw, "KUBERNETES\t%s\n", orDash(st.KubeVersion))
	fmt.Fprintf(tw, "LAST HEARTBEAT\t%s\n", last)
	fmt.Fprintf(tw, "OBJECTS\t%d\n", st.ObjectCount)
	kinds := make([]string, 0, len(st.Counts))
	for k := range st.Counts {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		fmt.Fprintf(tw, "  %s\t%d\n", k, st.Counts[k])
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
