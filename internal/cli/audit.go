package cli

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/usecapsule/capsule/internal/apiclient"
	"github.com/usecapsule/capsule/internal/audit"
	"github.com/usecapsule/capsule/internal/identitystore"
	"github.com/usecapsule/capsule/internal/server"
	"github.com/usecapsule/capsule/internal/sqlstore"
)

func newAuditCmd(s Streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Inspect and verify the audit log",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newAuditLogsCmd(s), newAuditVerifyCmd(s), newAuditArchiveCmd(s), newAuditCheckpointCmd(s))
	return cmd
}

type auditVerifyOptions struct {
	dataDir, databaseURL, output, contextName string
	remote                                    bool
}

// verification is the output of `capsule audit verify`.
type verification struct {
	OK bool `json:"ok"`
	audit.Result
}

func newAuditVerifyCmd(s Streams) *cobra.Command {
	o := &auditVerifyOptions{}
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check the audit log's hash chain and name the first altered, removed or inserted entry",
		Long: `Check the audit log's SHA-256 hash chain. By default it reads the database directly
(--data-dir or --database-url, as for capsule server), so it works with the server stopped
and does not trust it; --remote asks the server of the current context instead.

Exit status 0 when the chain is intact, 1 when an entry was altered, removed or inserted
(the first one is named). The head hash printed can be recorded elsewhere: a later run
that prints a different hash for the same sequence number means the tail was rewritten.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd.Context(), s) },
	}
	f := cmd.Flags()
	f.StringVar(&o.dataDir, "data-dir", envOr("CAPSULE_DATA_DIR", server.DefaultDataDir), "directory of the SQLite database ($CAPSULE_DATA_DIR)")
	f.StringVar(&o.databaseURL, "database-url", os.Getenv("CAPSULE_DATABASE_URL"), "postgres:// URL ($CAPSULE_DATABASE_URL)")
	f.BoolVar(&o.remote, "remote", false, "ask the server of the current context (GET /api/v1/audit/logs/verify)")
	f.StringVar(&o.contextName, "context", "", "with --remote: the context to use (default: current)")
	outputFlag(cmd, &o.output, "table", "json", "yaml")
	return cmd
}

func (o *auditVerifyOptions) run(ctx context.Context, s Streams) error {
	if err := checkFormat(o.output, "table", "json", "yaml"); err != nil {
		return err
	}
	var v verification
	var err error
	if o.remote {
		err = withClient(ctx, o.contextName, func(c *apiclient.Client) error {
			return c.Do(ctx, "GET", "/api/v1/audit/logs/verify", nil, &v)
		})
	} else {
		v, err = o.verifyLocal(ctx)
	}
	if err != nil {
		return err
	}
	v.OK = v.Finding == nil
	if err := printValue(s.Out, o.output, v, func(tw *tabwriter.Writer) { printVerification(tw, v) }); err != nil {
		return err
	}
	if v.Finding != nil {
		return withExitCode(ExitError, fmt.Errorf("audit log tampered: %s", v.Finding.Error()))
	}
	return nil
}

// open opens the database named by the flags; a missing SQLite file is an
// error rather than a new empty database.
func (o *auditVerifyOptions) open(ctx context.Context) (*sqlstore.Store, error) {
	dsn := sqlstore.DSN(o.databaseURL, o.dataDir)
	if o.databaseURL == "" {
		if _, err := os.Stat(dsn); err != nil {
			return nil, fmt.Errorf("no database at %s: pass --data-dir or --database-url (%w)", dsn, err)
		}
	}
	return sqlstore.Open(ctx, dsn, sqlstore.Options{})
}

func (o *auditVerifyOptions) verifyLocal(ctx context.Context) (verification, error) {
	st, err := o.open(ctx)
	if err != nil {
		return verification{}, err
	}
	defer st.Close()
	ids := identitystore.New(st)
	// With the server's key (its data directory or $CAPSULE_JWT_KEY), the
	// signed checkpoints are checked too, naming deleted newest entries.
	sig, err := server.CheckpointSigner(o.dataDir, os.Getenv("CAPSULE_JWT_KEY"))
	if err != nil {
		return verification{}, err
	}
	if sig != nil {
		ids.SetCheckpointSigner(sig)
	}
	res, err := ids.VerifyAudit(ctx)
	return verification{Result: res}, err
}

func printVerification(tw *tabwriter.Writer, v verification) {
	status := "intact"
	if v.Finding != nil {
		status = "TAMPERED"
	}
	fmt.Fprintf(tw, "STATUS\t%s\n", status)
	fmt.Fprintf(tw, "CHECKED\t%d entries\n", v.Checked)
	fmt.Fprintf(tw, "HEAD\tseq %d %s\n", v.Head.Seq, v.Head.Hash)
	if f := v.Finding; f != nil {
		fmt.Fprintf(tw, "FIRST BREAK\tentry %d %s\n", f.Seq, f.Problem)
		fmt.Fprintf(tw, "DETAIL\t%s\n", f.Detail)
	}
}

type auditArchiveOptions struct {
	dataDir, databaseURL, olderThan, out string
}

func newAuditArchiveCmd(s Streams) *cobra.Command {
	o := &auditArchiveOptions{}
	cmd := &cobra.Command{
		Use:   "archive --older-than 365d --out FILE",
		Short: "Move audit entries older than the retention period to a JSON-lines archive",
		Long: `Apply the audit log's retention: entries older than --older-than are written to
--out (a new file, mode 0600) as JSON lines with their hashes, and only then removed from the
database; the remaining log keeps verifying from the last archived entry (its anchor), and the
archive verifies on its own. Nothing is ever dropped without being written out first.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd.Context(), s) },
	}
	f := cmd.Flags()
	f.StringVar(&o.dataDir, "data-dir", envOr("CAPSULE_DATA_DIR", server.DefaultDataDir), "directory of the SQLite database ($CAPSULE_DATA_DIR)")
	f.StringVar(&o.databaseURL, "database-url", os.Getenv("CAPSULE_DATABASE_URL"), "postgres:// URL ($CAPSULE_DATABASE_URL)")
	f.StringVar(&o.olderThan, "older-than", "", "retention period, e.g. 365d or 720h (required)")
	f.StringVar(&o.out, "out", "", "archive file to create (required; must not exist)")
	return cmd
}

// parseRetention accepts Go durations and whole days ("90d").
func parseRetention(s string) (time.Duration, error) {
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n < 1 {
			return 0, fmt.Errorf("--older-than %q: want a positive number of days like 365d", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("--older-than %q: want a positive duration like 365d or 720h", s)
	}
	return d, nil
}

func (o *auditArchiveOptions) run(ctx context.Context, s Streams) error {
	if o.olderThan == "" || o.out == "" {
		return usageError("--older-than and --out are required")
	}
	age, err := parseRetention(o.olderThan)
	if err != nil {
		return withExitCode(ExitUsage, err)
	}
	v := &auditVerifyOptions{dataDir: o.dataDir, databaseURL: o.databaseURL}
	st, err := v.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := identitystore.New(st).ArchiveAuditToFile(ctx, time.Now().Add(-age), o.out)
	if err != nil {
		return err
	}
	fmt.Fprintf(s.Out, "archived %d entries to %s; the log now starts after seq %d (%s)\n", res.Archived, o.out, res.To.Seq, res.To.Hash)
	return nil
}
