package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/usecapsule/capsule/internal/testenv"
)

// newDevCmd groups local development helpers: `capsule dev cluster`.
func newDevCmd(s Streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "dev",
		Short: "Local development helpers (a simulated cluster)",
	}
	cmd.AddCommand(newDevClusterCmd(s))
	return cmd
}

const devClusterLong = `Run a simulated Kubernetes cluster on this machine, with no Docker and no cloud:
a real etcd, kube-apiserver, kube-controller-manager and kube-scheduler, plus kwok
simulating nodes and pods, so Deployments really roll out. Pods never run
containers; they only become Ready.

The first "up" builds the binaries from the Go module proxy, which needs the Go
toolchain on PATH and takes about 15 minutes on two cores; they are cached in
$XDG_CACHE_HOME/capsule/testenv (default ~/.cache/capsule/testenv), so later
runs start in seconds. The cluster is disposable: "down" stops it and the next
"up" starts empty.`

func newDevClusterCmd(s Streams) *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "cluster",
		Short: "Start, stop and inspect a local simulated cluster",
		Long:  devClusterLong,
	}
	cmd.PersistentFlags().StringVar(&dir, "dir", "", "state directory (default $XDG_DATA_HOME/capsule/dev-cluster or ~/.local/share/capsule/dev-cluster)")
	resolve := func() (string, error) {
		if dir != "" {
			return filepath.Abs(dir)
		}
		return testenv.DefaultDevDir()
	}
	cmd.AddCommand(newDevClusterUpCmd(s, resolve), newDevClusterDownCmd(s, resolve), newDevClusterStatusCmd(s, resolve))
	return cmd
}

func newDevClusterUpCmd(s Streams, dir func() (string, error)) *cobra.Command {
	var nodes int
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Start the simulated cluster in the background and write its kubeconfig",
		Long:  devClusterLong,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if nodes < 1 || nodes > 100 {
				return usageError("--nodes must be between 1 and 100, got %d", nodes)
			}
			d, err := dir()
			if err != nil {
				return err
			}
			return runDevClusterUp(cmd.Context(), s, d, nodes)
		},
	}
	cmd.Flags().IntVar(&nodes, "nodes", 3, "number of simulated nodes")
	return cmd
}

func runDevClusterUp(ctx context.Context, s Streams, dir string, nodes int) error {
	c, err := testenv.Up(ctx, dir, nodes, s.Err)
	if err != nil {
		return err
	}
	fmt.Fprintf(s.Out, `Simulated cluster is up: %d nodes, API server %s

Point kubectl and Capsule at it:
  export KUBECONFIG=%s
  alias kubectl=%s      # if kubectl is not installed

Read-only kubeconfig (get/list/watch, as Capsule's agent): %s
Logs: %s
Stop it: capsule dev cluster down
`, len(c.Nodes), c.Config.Host, c.Kubeconfig, c.Binaries.Kubectl(), c.ReadOnlyKubeconfig, filepath.Join(c.Dir, "logs"))
	return nil
}

func newDevClusterDownCmd(s Streams, dir func() (string, error)) *cobra.Command {
	return &cobra.Command{
		Use:   "down",
		Short: "Stop the simulated cluster",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			d, err := dir()
			if err != nil {
				return err
			}
			if err := testenv.StopDetached(d); err != nil {
				if errors.Is(err, testenv.ErrNotRunning) {
					fmt.Fprintln(s.Out, "No dev cluster is running.")
					return nil
				}
				return err
			}
			fmt.Fprintln(s.Out, "Simulated cluster stopped.")
			return nil
		},
	}
}

// devClusterStatus is the -o json/yaml shape of `capsule dev cluster status`.
type devClusterStatus struct {
	Running    bool            `json:"running"`
	Dir        string          `json:"dir"`
	APIServer  string          `json:"apiServer,omitempty"`
	Kubeconfig string          `json:"kubeconfig,omitempty"`
	Started    *time.Time      `json:"started,omitempty"`
	Components map[string]bool `json:"components,omitempty"`
	Health     *testenv.Health `json:"health,omitempty"`
}

func newDevClusterStatusCmd(s Streams, dir func() (string, error)) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Report whether the simulated cluster runs (exit code 1 when it does not)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(format, "table", "json", "yaml"); err != nil {
				return err
			}
			d, err := dir()
			if err != nil {
				return err
			}
			st := devStatus(cmd.Context(), d)
			if err := printValue(s.Out, format, st, func(tw *tabwriter.Writer) { devStatusTable(tw, st) }); err != nil {
				return err
			}
			if !st.Running {
				return withExitCode(ExitError, fmt.Errorf("%w in %s", testenv.ErrNotRunning, d))
			}
			return nil
		},
	}
	outputFlag(cmd, &format, "table", "json", "yaml")
	return cmd
}

func devStatus(ctx context.Context, dir string) devClusterStatus {
	out := devClusterStatus{Dir: dir}
	st, err := testenv.LoadState(dir)
	if err != nil {
		return out
	}
	out.APIServer, out.Kubeconfig, out.Started = st.APIServer, st.Kubeconfig, &st.Started
	out.Components = st.Alive()
	out.Running = st.AnyAlive()
	if out.Running {
		h := testenv.Probe(ctx, st.Kubeconfig)
		out.Health = &h
	}
	return out
}

func devStatusTable(w io.Writer, st devClusterStatus) {
	if st.Components == nil {
		fmt.Fprintf(w, "STATE\tDIR\n%s\t%s\n", "not running", st.Dir)
		return
	}
	names := make([]string, 0, len(st.Components))
	for n := range st.Components {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintln(w, "COMPONENT\tSTATE")
	for _, n := range names {
		state := "stopped"
		if st.Components[n] {
			state = "running"
		}
		fmt.Fprintf(w, "%s\t%s\n", n, state)
	}
	if h := st.Health; h != nil {
		api := "ready"
		if !h.Ready {
			api = "not ready: " + h.Error
		}
		fmt.Fprintf(w, "api-server\t%s (%s)\n", api, st.APIServer)
		fmt.Fprintf(w, "nodes\t%d/%d ready\n", h.ReadyNodes, h.Nodes)
		fmt.Fprintf(w, "kubeconfig\t%s\n", st.Kubeconfig)
	}
}
