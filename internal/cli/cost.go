package cli

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/usecapsule/capsule/internal/clusterstate"
	"github.com/usecapsule/capsule/internal/cost"
	"github.com/usecapsule/capsule/internal/manifest"
)

func newCostCmd(s Streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cost",
		Short: "Estimate the monthly cost of Kubernetes manifests",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usageError("missing subcommand (try: capsule cost estimate FILES...)")
		},
	}
	cmd.AddCommand(newCostEstimateCmd(s), newCostReportCmd(s))
	return cmd
}

// costEstimateOptions are the flags of `capsule cost estimate`.
type costEstimateOptions struct {
	clusterState   string
	pricing        string
	daemonSetNodes int
	format         string
}

func newCostEstimateCmd(s Streams) *cobra.Command {
	var o costEstimateOptions
	cmd := &cobra.Command{
		Use:   "estimate FILES...",
		Short: "Print the monthly cost of a set of manifests",
		Long: `Estimate prices the workloads, volume claims and LoadBalancer Services in
YAML/JSON manifests (files or directories, multi-document) for one month of
730 hours. Without other knowledge it uses the OpenCost default prices; with
--cluster-state (a directory of kubectl get nodes,limitranges -o yaml output)
it prices CPU and memory from the nodes' instance types using the shipped
AWS, GCP and Azure catalogue; --pricing overrides unit and instance prices.
Figures built on estimated inputs carry a low–high range.`,
		Example: `  capsule cost estimate ./k8s
  helm template ./chart | capsule cost estimate -
  capsule cost estimate deploy.yaml svc.yaml --cluster-state ./prod-state -o json
  capsule cost estimate ./k8s --pricing prices.yaml`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if err := checkFormat(o.format, "table", "json", "yaml"); err != nil {
				return err
			}
			return runCostEstimate(s, args, o)
		},
	}
	cmd.Flags().StringVar(&o.clusterState, "cluster-state", "", "directory or file with the target cluster's Nodes and LimitRanges")
	cmd.Flags().StringVar(&o.pricing, "pricing", "", "YAML/JSON file overriding unit prices (cpu, memory, gpu, storage, load_balancer) and instance prices")
	cmd.Flags().IntVar(&o.daemonSetNodes, "daemonset-nodes", 3, "node count for DaemonSets when no cluster state is given")
	outputFlag(cmd, &o.format, "table", "json", "yaml")
	return cmd
}

func runCostEstimate(s Streams, files []string, o costEstimateOptions) error {
	objs, err := loadManifests(s, files)
	if err != nil {
		return withExitCode(ExitError, err)
	}
	var st *clusterstate.State
	if o.clusterState != "" {
		if st, err = clusterstate.Load(o.clusterState); err != nil {
			return withExitCode(ExitError, fmt.Errorf("cluster state: %w", err))
		}
	}
	p, err := loadPricing(o.pricing)
	if err != nil {
		return withExitCode(ExitError, err)
	}
	rep, err := cost.Estimate(objs, st, p, cost.Options{DaemonSetNodes: o.daemonSetNodes})
	if err != nil {
		return withExitCode(ExitError, err)
	}
	return printValue(s.Out, o.format, rep, func(tw *tabwriter.Writer) { costTable(tw, rep) })
}

// loadManifests reads files and directories, or standard input for "-"
// (e.g. `helm template . | capsule cost estimate -`).
func loadManifests(s Streams, files []string) ([]manifest.Object, error) {
	if len(files) != 1 || files[0] != "-" {
		return manifest.Load(files...)
	}
	data, err := io.ReadAll(io.LimitReader(s.In, manifest.MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("<stdin>: %w", err)
	}
	if len(data) > manifest.MaxFileSize {
		return nil, fmt.Errorf("<stdin>: %w", manifest.ErrTooLarge)
	}
	return manifest.Parse("<stdin>", data)
}

// loadPricing reads a --pricing file, or returns the defaults with the
// shipped catalogue when path is empty.
func loadPricing(path string) (cost.Pricing, error) {
	if path == "" {
		return cost.DefaultPricing(), nil
	}
	info, err := os.Stat(path)
	if err != nil {
		return cost.Pricing{}, fmt.Errorf("pricing: %w", err)
	}
	if info.Size() > manifest.MaxFileSize {
		return cost.Pricing{}, fmt.Errorf("pricing: %s: %w", path, manifest.ErrTooLarge)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return cost.Pricing{}, fmt.Errorf("pricing: %w", err)
	}
	return cost.ParsePricing(path, data)
}

func costTable(tw *tabwriter.Writer, rep *cost.Report) {
	fmt.Fprintln(tw, "RESOURCE\tNAMESPACE\tREPLICAS\tCPU\tMEMORY\tSTORAGE\tGPU\tLB\tMONTHLY\tRANGE")
	for _, it := range rep.Items {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", it.Resource, dashIfEmpty(it.Namespace), costReplicas(it),
			it.Components.CPU, it.Components.Memory, it.Components.Storage, it.Components.GPU, it.Components.LoadBalancer,
			it.Monthly, costRange(it.Confidence))
	}
	c := rep.Components
	fmt.Fprintf(tw, "TOTAL (USD/month)\t\t\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.CPU, c.Memory, c.Storage, c.GPU, c.LoadBalancer, rep.Monthly, costRange(rep.Confidence))
	if rep.Max != rep.Monthly {
		fmt.Fprintf(tw, "AT HPA MAX\t\t\t\t\t\t\t\t%s\t\n", rep.Max)
	}
	fmt.Fprintf(tw, "\nPrices (%s): CPU %s $/vCPU-h, memory %s $/GiB-h, GPU %s $/h, storage %s $/GiB-month, LoadBalancer %s $/h\n",
		rep.Rates.Source, rep.Rates.CPU, rep.Rates.Memory, rep.Rates.GPU, rep.Rates.Storage, rep.Rates.LoadBalancer)
	if rep.Confidence != nil {
		fmt.Fprintln(tw, "Estimated inputs:")
		for _, r := range rep.Confidence.Reasons {
			fmt.Fprintf(tw, "  - %s\n", r)
		}
	}
	for _, n := range rep.Notes {
		fmt.Fprintf(tw, "Note: %s\n", n)
	}
}

func costReplicas(it cost.Item) string {
	if it.Replicas == 0 && it.Usage.CPUMillicores == 0 && it.Usage.MemoryBytes == 0 {
		return "-"
	}
	s := strconv.FormatInt(it.Replicas, 10)
	if it.Max != nil {
		s += " (max " + strconv.FormatInt(it.Max.Replicas, 10) + ")"
	}
	return s
}

func costRange(b *cost.Band) string {
	if b == nil {
		return "-"
	}
	return b.Low.String() + "–" + b.High.String()
}

func dashIfEmpty(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
