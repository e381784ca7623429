package cli

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/usecapsule/capsule/internal/apiclient"
)

func newBillingAccountsCmd(s Streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "accounts",
		Short: "Billing accounts of the control plane: create, list",
		RunE: func(cmd *cobra.Command, args []string) error {
			return usageError("missing subcommand (try: capsule billing accounts list)")
		},
	}
	cmd.AddCommand(newBillingAccountsCreateCmd(s), newBillingAccountsListCmd(s))
	return cmd
}

// billingAccount is the server's account, as much as the CLI shows.
type billingAccount struct {
	ID             string `json:"id"`
	OrganizationID string `json:"organizationId"`
	Name           string `json:"name"`
	Provider       string `json:"provider"`
	Format         string `json:"format,omitempty"`
	Source         *struct {
		S3 *billingS3 `json:"s3,omitempty"`
	} `json:"source,omitempty"`
}

type billingS3 struct {
	Endpoint        string `json:"endpoint"`
	Region          string `json:"region,omitempty"`
	Bucket          string `json:"bucket"`
	Prefix          string `json:"prefix,omitempty"`
	AccessKeyID     string `json:"access_key_id"`
	SecretAccessKey string `json:"secret_access_key,omitempty"`
}

func (a billingAccount) sourceText() string {
	if a.Source == nil || a.Source.S3 == nil {
		return "-"
	}
	return "s3://" + a.Source.S3.Bucket + "/" + a.Source.S3.Prefix
}

type billingAccountsCreateOptions struct {
	name, provider, format, organization, output, context string
	s3                                                    billingS3
}

func newBillingAccountsCreateCmd(s Streams) *cobra.Command {
	var o billingAccountsCreateOptions
	cmd := &cobra.Command{
		Use:   "create NAME --provider aws|gcp|azure|other",
		Short: "Create a billing account, optionally with an S3 source imported on a schedule",
		Long: `Create makes a billing account of the organization. With --s3-bucket the
control plane lists the bucket's prefix on a schedule and imports each month's
export when it is new or changed; the secret access key is read from
$CAPSULE_S3_SECRET_ACCESS_KEY (never a flag, so it stays out of shell history)
and stored sealed.`,
		Example: `  capsule billing accounts create aws-payer --provider aws
  CAPSULE_S3_SECRET_ACCESS_KEY=... capsule billing accounts create aws-s3 --provider aws \
    --s3-endpoint https://s3.eu-west-1.amazonaws.com --s3-region eu-west-1 \
    --s3-bucket acme-billing --s3-prefix exports/focus/ --s3-access-key-id AKIA...`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(o.output, "table", "json", "yaml"); err != nil {
				return err
			}
			if o.provider == "" {
				return usageError("--provider is required (aws, gcp, azure or other)")
			}
			o.name = args[0]
			return runBillingAccountsCreate(cmd.Context(), s, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.provider, "provider", "", "aws, gcp, azure or other (required)")
	f.StringVar(&o.format, "format", "", "file format of its imports (default: detected per file)")
	f.StringVar(&o.organization, "organization", "", "organization id (when you belong to several)")
	f.StringVar(&o.s3.Endpoint, "s3-endpoint", "", "S3 endpoint URL of the export bucket")
	f.StringVar(&o.s3.Region, "s3-region", "", "the bucket's region")
	f.StringVar(&o.s3.Bucket, "s3-bucket", "", "the bucket the cloud exports into (turns on scheduled imports)")
	f.StringVar(&o.s3.Prefix, "s3-prefix", "", "the exports' key prefix")
	f.StringVar(&o.s3.AccessKeyID, "s3-access-key-id", "", "access key id (the secret: $CAPSULE_S3_SECRET_ACCESS_KEY)")
	f.StringVar(&o.context, "context", "", "CLI context (default: the current one)")
	outputFlag(cmd, &o.output, "table", "json", "yaml")
	return cmd
}

func runBillingAccountsCreate(ctx context.Context, s Streams, o billingAccountsCreateOptions) error {
	body := map[string]any{"name": o.name, "provider": o.provider}
	if o.format != "" {
		body["format"] = o.format
	}
	if o.organization != "" {
		body["organizationId"] = o.organization
	}
	if o.s3.Bucket != "" {
		o.s3.SecretAccessKey = os.Getenv("CAPSULE_S3_SECRET_ACCESS_KEY")
		if o.s3.SecretAccessKey == "" {
			return usageError("--s3-bucket needs the secret access key in $CAPSULE_S3_SECRET_ACCESS_KEY")
		}
		body["source"] = map[string]any{"s3": o.s3}
	}
	var acct billingAccount
	err := withClient(ctx, o.context, func(c *apiclient.Client) error {
		return c.Do(ctx, "POST", "/api/v1/billing/accounts", body, &acct)
	})
	if err != nil {
		return withExitCode(ExitError, err)
	}
	return printValue(s.Out, o.output, acct, func(tw *tabwriter.Writer) {
		fmt.Fprintf(tw, "ID\t%s\nNAME\t%s\nPROVIDER\t%s\nSOURCE\t%s\n", acct.ID, acct.Name, acct.Provider, acct.sourceText())
	})
}

func newBillingAccountsListCmd(s Streams) *cobra.Command {
	var organization, output, contextName string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the organization's billing accounts",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(output, "table", "json", "yaml"); err != nil {
				return err
			}
			path := "/api/v1/billing/accounts"
			if organization != "" {
				path += "?" + url.Values{"organizationId": {organization}}.Encode()
			}
			var list struct {
				Items []billingAccount `json:"items"`
			}
			ctx := cmd.Context()
			if err := withClient(ctx, contextName, func(c *apiclient.Client) error { return c.Do(ctx, "GET", path, nil, &list) }); err != nil {
				return withExitCode(ExitError, err)
			}
			return printValue(s.Out, output, list, func(tw *tabwriter.Writer) {
				fmt.Fprintln(tw, "ID\tNAME\tPROVIDER\tFORMAT\tSOURCE")
				for _, a := range list.Items {
					format := a.Format
					if format == "" {
						format = "-"
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", a.ID, a.Name, a.Provider, format, a.sourceText())
				}
			})
		},
	}
	cmd.Flags().StringVar(&organization, "organization", "", "organization id (when you belong to several)")
	cmd.Flags().StringVar(&contextName, "context", "", "CLI context (default: the current one)")
	outputFlag(cmd, &output, "table", "json", "yaml")
	return cmd
}
