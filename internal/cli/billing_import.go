package cli

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/usecapsule/capsule/internal/apiclient"
	"github.com/usecapsule/capsule/internal/billing"
)

type billingImportOptions struct {
	account, period, organization, format, output, context string
}

func newBillingImportCmd(s Streams) *cobra.Command {
	var o billingImportOptions
	cmd := &cobra.Command{
		Use:   "import FILE",
		Short: "Import a billing file as an account's billing month on the control plane",
		Long: `Import uploads a billing file ("-" for standard input) to the control plane as
the billing month --period of the billing account --account (its id). Importing a
month again replaces it. The server reads the file as capsule billing analyze
does and answers the rows it kept and the ones it could not read.`,
		Example: `  capsule billing import cur-2026-11.csv.gz --account 0190... --period 2026-11`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(o.output, "table", "json", "yaml"); err != nil {
				return err
			}
			if o.account == "" || o.period == "" {
				return usageError("--account and --period are required")
			}
			if o.format != "" {
				if err := checkFormat(o.format, billing.FormatNames()...); err != nil {
					return usageError("unknown --format %q", o.format)
				}
			}
			return runBillingImport(cmd.Context(), s, args[0], o)
		},
	}
	cmd.Flags().StringVar(&o.account, "account", "", "billing account id (required)")
	cmd.Flags().StringVar(&o.period, "period", "", "billing month YYYY-MM (required)")
	cmd.Flags().StringVar(&o.organization, "organization", "", "organization id (when you belong to several)")
	cmd.Flags().StringVar(&o.format, "format", "", "file format (default: the account's, else detected)")
	cmd.Flags().StringVar(&o.context, "context", "", "CLI context (default: the current one)")
	outputFlag(cmd, &o.output, "table", "json", "yaml")
	return cmd
}

// billingImportResult is the server's answer, as much as the CLI shows.
type billingImportResult struct {
	ID             string             `json:"id"`
	Period         string             `json:"period"`
	Format         string             `json:"format"`
	Rows           int                `json:"rows"`
	Rejected       int                `json:"rowsRejected"`
	BilledTotal    string             `json:"billedCostTotal"`
	EffectiveTotal string             `json:"effectiveCostTotal"`
	Currency       string             `json:"currency,omitempty"`
	Errors         []billing.RowError `json:"errors"`
}

func runBillingImport(ctx context.Context, s Streams, path string, o billingImportOptions) error {
	var in io.Reader = s.In
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return withExitCode(ExitError, err)
		}
		defer f.Close()
		in = f
	}
	q := url.Values{"accountId": {o.account}, "period": {o.period}}
	if o.organization != "" {
		q.Set("organizationId", o.organization)
	}
	if o.format != "" {
		q.Set("format", o.format)
	}
	var res billingImportResult
	err := withClient(ctx, o.context, func(c *apiclient.Client) error {
		return c.Upload(ctx, "/api/v1/billing/imports?"+q.Encode(), "application/octet-stream", in, &res)
	})
	if err != nil {
		return withExitCode(ExitError, err)
	}
	return printValue(s.Out, o.output, res, func(tw *tabwriter.Writer) {
		fmt.Fprintf(tw, "IMPORT\t%s\nPERIOD\t%s\nFORMAT\t%s\nROWS\t%d (%d rejected)\nBILLED\t%s %s\nEFFECTIVE\t%s %s\n",
			res.ID, res.Period, res.Format, res.Rows, res.Rejected, res.BilledTotal, res.Currency, res.EffectiveTotal, res.Currency)
		for _, e := range res.Errors {
			fmt.Fprintf(tw, "\t%s\n", e.Error())
		}
	})
}
