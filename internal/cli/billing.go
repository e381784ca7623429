package cli

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/usecapsule/capsule/internal/billing"
)

func newBillingCmd(s Streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "billing",
		Short: "Read cloud billing files: totals, cost per cluster, anomalies",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usageError("missing subcommand (try: capsule billing analyze FILE)")
		},
	}
	cmd.AddCommand(newBillingAnalyzeCmd(s), newBillingImportCmd(s), newBillingAccountsCmd(s)) // accounts: billing uploads and S3 sources
	return cmd
}

type billingAnalyzeOptions struct {
	format string
	output string
}

func newBillingAnalyzeCmd(s Streams) *cobra.Command {
	var o billingAnalyzeOptions
	cmd := &cobra.Command{
		Use:   "analyze FILE",
		Short: "Total a billing file, attribute it to clusters and find anomalies",
		Long: `Analyze reads a cloud billing file offline, one row at a time: FOCUS 1.0-1.2
(CSV or Parquet), AWS CUR 2.0 (or legacy CUR), the GCP billing export (CSV or
newline-delimited JSON) or an Azure cost export; gzip is recognised by its
magic bytes and "-" reads standard input. The format is detected from the
header unless --format names it. It prints the billed and effective totals,
the effective cost of each Kubernetes cluster per day (clusters found by the
providers' own tags: EKS, kubernetes.io/cluster/NAME, GKE, AKS), the
anomalies of each cluster's daily cost, and the rows it could not read.`,
		Example: `  capsule billing analyze focus-2026-11.csv
  capsule billing analyze cur.csv.gz --format aws-cur -o json
  bq extract ... | capsule billing analyze - --format gcp`,
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if err := checkFormat(o.output, "table", "json", "yaml"); err != nil {
				return err
			}
			if o.format != "" {
				if err := checkFormat(o.format, billing.FormatNames()...); err != nil {
					return usageError("unknown --format %q (want %s)", o.format, strings.Join(billing.FormatNames(), "|"))
				}
			}
			return runBillingAnalyze(s, args[0], o)
		},
	}
	cmd.Flags().StringVar(&o.format, "format", "", "file format: "+strings.Join(billing.FormatNames(), "|")+" (detected from the header when absent)")
	outputFlag(cmd, &o.output, "table", "json", "yaml")
	return cmd
}

func runBillingAnalyze(s Streams, path string, o billingAnalyzeOptions) error {
	var in io.Reader = s.In
	name := "<stdin>"
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return withExitCode(ExitError, err)
		}
		defer f.Close()
		in, name = f, path
	}
	r, err := billing.NewReader(in, o.format)
	if err != nil {
		return withExitCode(ExitError, fmt.Errorf("%s: %w", name, err))
	}
	defer r.Close()
	rep, err := billing.Analyze(r, billing.Options{})
	if err != nil {
		return withExitCode(ExitError, fmt.Errorf("%s: %w", name, err))
	}
	return printValue(s.Out, o.output, rep, func(tw *tabwriter.Writer) { billingTable(tw, rep) })
}

func billingTable(tw *tabwriter.Writer, rep *billing.Report) {
	cur := rep.Currency
	if cur == "" {
		cur = strings.Join(rep.Currencies, ",")
	}
	fmt.Fprintf(tw, "FORMAT\t%s\n", rep.Format)
	fmt.Fprintf(tw, "ROWS\t%d (%d rejected)\n", rep.Rows, rep.RowsRejected)
	fmt.Fprintf(tw, "BILLED\t%s %s\n", rep.BilledCostTotal, cur)
	fmt.Fprintf(tw, "EFFECTIVE\t%s %s\n", rep.EffectiveCostTotal, cur)
	fmt.Fprintf(tw, "UNATTRIBUTED\t%s %s\n", rep.Unattributed, cur)
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "CLUSTER\tEFFECTIVE COST\tDAYS\tFIRST DAY\tLAST DAY")
	names := make([]string, 0, len(rep.Clusters))
	for n := range rep.Clusters {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		c := rep.Clusters[n]
		days := make([]string, 0, len(c.Days))
		for d := range c.Days {
			days = append(days, d)
		}
		sort.Strings(days)
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", n, c.EffectiveCost, len(days), days[0], days[len(days)-1])
	}
	if len(names) == 0 {
		fmt.Fprintln(tw, "(no cluster tags found)")
	}
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "ANOMALY\tCLUSTER\tSTARTS\tDAYS\tOBSERVED\tEXPECTED\tDELTA")
	for _, a := range rep.Anomalies {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\n", a.Kind, a.Cluster, a.Starts, a.Days, a.Observed, a.Expected, a.Delta)
	}
	if len(rep.Anomalies) == 0 {
		fmt.Fprintln(tw, "(none)")
	}
	if rep.ErrorsTotal > 0 {
		fmt.Fprintln(tw)
		fmt.Fprintf(tw, "BAD ROWS\t%d\n", rep.ErrorsTotal)
		for _, e := range rep.Errors {
			fmt.Fprintf(tw, "\t%s\n", e.Error())
		}
		if rep.ErrorsTotal > len(rep.Errors) {
			fmt.Fprintf(tw, "\t... and %d more\n", rep.ErrorsTotal-len(rep.Errors))
		}
	}
}
