package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"
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
toolchain on PATH and takes about 15-30 minutes on two cores (it prints which
component it builds and the elapsed time); they are cached in
$XDG_CACHE_HOME/capsule/testenv (default ~/.cache/capsule/testenv), so later
runs start in seconds. The cluster is disposable: "down" stops it and the next
"up" starts empty.

Nodes stay Ready for as long as the cluster runs (kwok renews a Lease per node,
as a kubelet does). Every node has the same shape (--node-cpu, --node-memory,
--node-pods, --node-instance-type) and nodes are spread over --node-zones;
"scale --nodes N" adds or removes nodes of that shape.

Pods become Ready at once unless told otherwise: a pod labelled
capsule.dev/sim=never-ready runs but is never Ready, =crashloop waits in
CrashLoopBackOff, =slow becomes Ready after its capsule.dev/sim-ready-after
annotation (e.g. 45s; default 30s), =ready is Ready at once. --pod-stages sets
what pods without the label do.`

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
	cmd.AddCommand(newDevClusterUpCmd(s, resolve), newDevClusterDownCmd(s, resolve), newDevClusterStatusCmd(s, resolve),
		newDevClusterScaleCmd(s, resolve))
	return cmd
}

// maxDevNodes bounds --nodes: a two-core machine holds a few hundred fake
// nodes; thousands are a typo.
const maxDevNodes = 1000

func newDevClusterUpCmd(s Streams, dir func() (string, error)) *cobra.Command {
	var (
		opt    testenv.UpOptions
		stages string
	)
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Start the simulated cluster in the background and write its kubeconfig",
		Long:  devClusterLong,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opt.Nodes < 1 || opt.Nodes > maxDevNodes {
				return usageError("--nodes must be between 1 and %d, got %d", maxDevNodes, opt.Nodes)
			}
			b, err := testenv.ParsePodBehaviour(stages)
			if err != nil {
				return usageError("--pod-stages: %v", err)
			}
			opt.PodBehaviour = b
			if err := testenv.CheckNodeShape(opt.NodeShape); err != nil {
				return usageError("%v", err)
			}
			d, err := dir()
			if err != nil {
				return err
			}
			opt.Log = s.Err
			return runDevClusterUp(cmd.Context(), s, d, opt)
		},
	}
	f := cmd.Flags()
	f.IntVar(&opt.Nodes, "nodes", 3, "number of simulated nodes")
	f.StringVar(&opt.NodeShape.CPU, "node-cpu", "4", "CPU capacity of each node (a Kubernetes quantity)")
	f.StringVar(&opt.NodeShape.Memory, "node-memory", "16Gi", "memory capacity of each node")
	f.StringVar(&opt.NodeShape.Pods, "node-pods", "110", "pod capacity of each node")
	f.StringVar(&opt.NodeShape.InstanceType, "node-instance-type", "", "node.kubernetes.io/instance-type label (default: the AWS m5/c5/r5 type of that CPU and memory)")
	f.StringSliceVar(&opt.NodeShape.Zones, "node-zones", testenv.NodeZones, "zones the nodes are spread over, round robin (the region is the zone without its letter)")
	f.StringVar(&stages, "pod-stages", "ready", "what pods without a capsule.dev/sim label do: ready, never-ready, crashloop, slow or slow:<duration>")
	return cmd
}

func runDevClusterUp(ctx context.Context, s Streams, dir string, opt testenv.UpOptions) error {
	c, err := testenv.Up(ctx, dir, opt)
	if err != nil {
		return err
	}
	sh := c.NodeShape
	fmt.Fprintf(s.Out, `Simulated cluster is up: %d nodes, API server %s
  each node: %s CPU, %s memory, %s pods, %s, zones %s
  pods without a %s label: %s
  memory in use: %s (etcd, API server, controller-manager, scheduler, kwok)

Point kubectl and Capsule at it:
  export KUBECONFIG=%s
  alias kubectl=%s      # if kubectl is not installed

Read-only kubeconfig (get/list/watch, as Capsule's agent): %s
Logs: %s
Resize it: capsule dev cluster scale --nodes N
Stop it: capsule dev cluster down
`, len(c.Nodes), c.Config.Host, sh.CPU, sh.Memory, sh.Pods, sh.InstanceType, strings.Join(sh.Zones, ","),
		testenv.SimLabel, c.PodBehaviour, formatBytes(c.ResidentBytes()),
		c.Kubeconfig, c.Binaries.Kubectl(), c.ReadOnlyKubeconfig, filepath.Join(c.Dir, "logs"))
	return nil
}

// formatBytes renders a byte count in MiB or GiB for people.
func formatBytes(n int64) string {
	if n >= 1<<30 {
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	}
	return fmt.Sprintf("%d MiB", n>>20)
}

func newDevClusterScaleCmd(s Streams, dir func() (string, error)) *cobra.Command {
	var nodes int
	cmd := &cobra.Command{
		Use:   "scale --nodes N",
		Short: "Add or remove simulated nodes (of the shape given to up) on the running cluster",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !cmd.Flags().Changed("nodes") {
				return usageError("--nodes is required")
			}
			if nodes < 1 || nodes > maxDevNodes {
				return usageError("--nodes must be between 1 and %d, got %d", maxDevNodes, nodes)
			}
			d, err := dir()
			if err != nil {
				return err
			}
			names, err := testenv.ScaleDetached(cmd.Context(), d, nodes)
			if err != nil {
				if errors.Is(err, testenv.ErrNotRunning) {
					return withExitCode(ExitError, fmt.Errorf("%w; start one with `capsule dev cluster up`", err))
				}
				return err
			}
			fmt.Fprintf(s.Out, "Simulated cluster has %d nodes, all Ready.\n", len(names))
			return nil
		},
	}
	cmd.Flags().IntVar(&nodes, "nodes", 0, "number of nodes the cluster should have")
	return cmd
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
	// MemoryBytes is the resident memory of the running components.
	MemoryBytes  int64              `json:"memoryBytes,omitempty"`
	NodeShape    *testenv.NodeShape `json:"nodeShape,omitempty"`
	PodBehaviour string             `json:"podBehaviour,omitempty"`
	Health       *testenv.Health    `json:"health,omitempty"`
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
	out.NodeShape, out.PodBehaviour = &st.NodeShape, st.PodBehaviour
	if out.Running {
		out.MemoryBytes = st.ResidentBytes()
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
		fmt.Fprintf(w, "nodes\t%d Ready, %d NotReady\n", h.ReadyNodes, h.NotReadyNodes)
		fmt.Fprintf(w, "pods\t%s\n", podSummary(h))
		fmt.Fprintf(w, "memory\t%s\n", formatBytes(st.MemoryBytes))
		fmt.Fprintf(w, "kubeconfig\t%s\n", st.Kubeconfig)
	}
}

// podSummary is "5000 Ready, Pending 0, Running 5000": Pending and Running
// always, the other phases when they have pods.
func podSummary(h *testenv.Health) string {
	parts := []string{fmt.Sprintf("%d Ready", h.ReadyPods)}
	for _, phase := range []string{"Pending", "Running", "Succeeded", "Failed", "Unknown"} {
		if n := h.Pods[phase]; n > 0 || phase == "Running" || phase == "Pending" {
			parts = append(parts, fmt.Sprintf("%s %d", phase, n))
		}
	}
	return strings.Join(parts, ", ")
}
