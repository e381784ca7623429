// Package cli holds the capsule command tree: one file per verb, each verb a
// cobra command whose RunE calls a run function with explicit dependencies.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
)

// Exit codes of the capsule binary.
const (
	ExitOK    = 0
	ExitError = 1
	ExitUsage = 2
	// ExitPolicy is returned by `capsule preview --fail-on` when the risk
	// level reaches the threshold (for CI gates).
	ExitPolicy = 3
)

// ExitError carries a specific exit code out of a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// withExitCode wraps err so that Main exits with code.
func withExitCode(code int, err error) error { return &exitError{code: code, err: err} }

// usageError marks err as a usage error (exit code 2).
func usageError(format string, args ...any) error {
	return withExitCode(ExitUsage, fmt.Errorf(format, args...))
}

// Streams are the standard streams a command reads and writes.
type Streams struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
}

// NewRoot builds the capsule command tree.
func NewRoot(s Streams) *cobra.Command {
	root := &cobra.Command{
		Use:           "capsule",
		Short:         "Capsule: Git-first application platform for Kubernetes",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(s.In)
	root.SetOut(s.Out)
	root.SetErr(s.Err)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return withExitCode(ExitUsage, err)
	})
	root.AddCommand(
		newVersionCmd(s),
		newServerCmd(s),
		newAgentCmd(s),
		newLoginCmd(s),
		newPreviewCmd(s),
		newCostCmd(s),
		newDetectCmd(s),
		newInitCmd(s),
		newDockerfileCmd(s),
		newRenderCmd(s),
		newExportCmd(s),
		newDevCmd(s),
		newAuditCmd(s),
		newUsersCmd(s),
		newSessionsCmd(s),
		newDeployCmd(s),
		newRollbackCmd(s),
		newScaleCmd(s),
		newStatusCmd(s),
		newLogsCmd(s),
		// Promotions (promo).
		newPromoteCmd(s),
		newPromotionsCmd(s),
		// Drift and environment diff.
		newDriftCmd(s),
		newDiffCmd(s),
		// outbound
		newNotifyCmd(s),
		// billing: offline billing file analysis
		newBillingCmd(s),
	)
	resources := newResourceCmds(s)
	addClusterAgentCmds(s, resources)
	root.AddCommand(resources...)
	rejectUnknownSubcommands(root)
	return root
}

// rejectUnknownSubcommands makes every command group below root runnable
// with cobra.NoArgs: cobra never validates the arguments of a group that
// cannot run, so it answered `capsule services bogus` with the group's help
// and exit code 0, where the contract is exit code 2 and an "unknown command"
// line. A bare group still prints its help, as before.
func rejectUnknownSubcommands(root *cobra.Command) {
	for _, sub := range root.Commands() {
		rejectUnknownSubcommands(sub)
		if !sub.HasSubCommands() || sub.Runnable() {
			continue
		}
		if sub.Args == nil {
			sub.Args = cobra.NoArgs
		}
		sub.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
	}
}

// Main runs the command line args and returns the process exit code. Errors
// are printed as one line on stderr.
func Main(ctx context.Context, args []string, in io.Reader, out, errOut io.Writer) int {
	root := NewRoot(Streams{In: in, Out: out, Err: errOut})
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	fmt.Fprintln(errOut, "error: "+singleLine(foldSuggestions(err.Error())))
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	if isCobraUsageError(err) {
		return ExitUsage
	}
	return ExitError
}

// singleLine folds a multi-line error (a driver's per-address dial errors, a
// list of schema violations) into one line, its lines joined by "; ", so a
// script reading stderr sees exactly one error line.
func singleLine(msg string) string {
	var parts []string
	for _, l := range strings.Split(msg, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			parts = append(parts, strings.TrimSuffix(l, ":"))
		}
	}
	return strings.Join(parts, "; ")
}

// foldSuggestions rewrites cobra's "Did you mean this?" block, which is a
// heading followed by one tab-indented line per suggestion, into a clause of
// the error's first line: `unknown command "deplyo" for "capsule" (did you
// mean "deploy"?)`, which reads well on the one line Main prints.
func foldSuggestions(msg string) string {
	head, rest, ok := strings.Cut(msg, "\n\nDid you mean this?\n")
	if !ok {
		return msg
	}
	var names []string
	for _, l := range strings.Split(rest, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			names = append(names, fmt.Sprintf("%q", l))
		}
	}
	if len(names) == 0 {
		return head
	}
	return fmt.Sprintf("%s (did you mean %s?)", strings.TrimSpace(head), strings.Join(names, " or "))
}

// isCobraUsageError recognises the errors cobra returns for unknown commands
// and bad argument counts, which it does not type.
func isCobraUsageError(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand", "accepts ", "requires at least", "requires at most", "invalid argument"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}
