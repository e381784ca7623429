package cli

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/spf13/cobra"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/usecapsule/capsule/internal/agent"
	"github.com/usecapsule/capsule/internal/egress"
)

// agentOptions are the flags of `capsule agent`.
type agentOptions struct {
	server, token, kubeconfig, stateFile, egressAllow string
	privacy                                           agent.Privacy
}

func newAgentCmd(s Streams) *cobra.Command {
	o := &agentOptions{}
	cmd := &cobra.Command{
		Use:   "agent --server URL --token JOIN_TOKEN",
		Short: "Run the read-only cluster agent",
		Long: `Run the read-only cluster agent inside a cluster (the capsule-agent Helm chart runs it).

It watches the cluster's workloads, nodes, pods, services, ingresses, autoscalers, disruption
budgets, quotas, limit ranges, network policies, volume claims, ConfigMaps (values hashed unless
--configmap-values), Secrets (names, keys and type only: never values), CRDs (names only), Argo
Rollouts and Helm releases, and streams them to the control plane at --server over outbound
HTTPS. Every request it makes to the Kubernetes API is a GET: anything else is refused inside
the process, whatever its RBAC allows.

It registers with the one-time join token from 'capsule clusters join-token' and keeps the
credential it receives in --state-file (when given) so that a restart resumes as the same agent.
It uses the in-cluster configuration unless --kubeconfig is given.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd.Context(), s) },
	}
	f := cmd.Flags()
	f.StringVar(&o.server, "server", os.Getenv("CAPSULE_SERVER"), "the control plane's URL ($CAPSULE_SERVER)")
	f.StringVar(&o.token, "token", os.Getenv("CAPSULE_AGENT_TOKEN"), "one-time join token ($CAPSULE_AGENT_TOKEN)")
	f.StringVar(&o.kubeconfig, "kubeconfig", "", "kubeconfig file; empty: the in-cluster service account")
	f.StringVar(&o.stateFile, "state-file", os.Getenv("CAPSULE_AGENT_STATE_FILE"), "file keeping the agent's id and credential across restarts ($CAPSULE_AGENT_STATE_FILE)")
	f.StringVar(&o.egressAllow, "egress-allow", os.Getenv("CAPSULE_EGRESS_ALLOW"),
		"CIDRs (comma-separated) the control plane may be reached at although private or loopback, e.g. 10.0.0.0/8 ($CAPSULE_EGRESS_ALLOW)")
	f.BoolVar(&o.privacy.ConfigMapValues, "configmap-values", false, "send ConfigMap values instead of their SHA-256 hashes")
	f.BoolVar(&o.privacy.HelmPayload, "helm-payload", false, "send Helm releases' encoded payload (rendered manifests and values) with their metadata")
	return cmd
}

func (o *agentOptions) restConfig() (*rest.Config, error) {
	if o.kubeconfig != "" {
		cfg, err := clientcmd.BuildConfigFromFlags("", o.kubeconfig)
		if err != nil {
			return nil, fmt.Errorf("--kubeconfig %s: %w", o.kubeconfig, err)
		}
		return cfg, nil
	}
	cfg, err := rest.InClusterConfig()
	if err != nil {
		return nil, fmt.Errorf("no --kubeconfig and not running in a cluster: %w", err)
	}
	return cfg, nil
}

func (o *agentOptions) run(ctx context.Context, s Streams) error {
	if o.server == "" {
		return withExitCode(ExitUsage, fmt.Errorf("--server is required"))
	}
	allow, err := egress.ParseAllow(o.egressAllow)
	if err != nil {
		return withExitCode(ExitUsage, fmt.Errorf("--egress-allow: %w", err))
	}
	kube, err := o.restConfig()
	if err != nil {
		return withExitCode(ExitUsage, err)
	}
	host, _ := os.Hostname()
	a, err := agent.New(agent.Options{Server: o.server, Token: o.token, StateFile: o.stateFile, Kube: kube,
		HTTP: egress.New(egress.Options{Allow: allow}), Privacy: o.privacy, Version: Version(), Hostname: host,
		Logger: slog.New(slog.NewJSONHandler(s.Err, nil))})
	if err != nil {
		return err
	}
	return a.Run(ctx)
}
