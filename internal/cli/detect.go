package cli

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/usecapsule/capsule/internal/detect"
)

func newDetectCmd(s Streams) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "detect [PATH]",
		Short: "Detect the deployable services in a repository",
		Long: `Detect walks a repository (default: the current directory) and prints the
deployable services it finds: language, framework, type, package manager,
runtime version, build and start commands, port and health-check path, with
the signals behind each choice. It needs no server and no cluster.`,
		Example: `  capsule detect
  capsule detect ./my-monorepo -o json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if err := checkFormat(format, "table", "json", "yaml"); err != nil {
				return err
			}
			root := "."
			if len(args) == 1 {
				root = args[0]
			}
			return runDetect(s, root, format)
		},
	}
	outputFlag(cmd, &format, "table", "json", "yaml")
	return cmd
}

// runDetect prints the detection result. Detection never fails on a
// readable tree: a manifest that cannot be parsed, a monorepo member that
// could not be detected, even a repository with nothing deployable are
// warnings (on stderr, and in the result's "warnings" for -o json/yaml),
// and the command exits 0 with what was found. Only a path that does not
// exist or cannot be read is an error.
func runDetect(s Streams, root, format string) error {
	res, err := detect.Detect(root, detect.Options{})
	var none *detect.NotDetectedError
	switch {
	case errors.As(err, &none):
		res = &detect.Result{Services: []detect.Service{}, Warnings: []string{"warning: " + none.Error()}}
	case err != nil:
		return withExitCode(ExitError, err)
	}
	if err := printValue(s.Out, format, res, func(tw *tabwriter.Writer) { detectTable(tw, res) }); err != nil {
		return err
	}
	for _, w := range detectWarnings(res) {
		fmt.Fprintln(s.Err, w)
	}
	return nil
}

// detectWarnings lists every warning of a detection, prefixed "warning: ":
// the result's own, the services' (among their signals, which the table
// does not show) and the monorepo members that could not be detected.
func detectWarnings(res *detect.Result) []string {
	out := append([]string{}, res.Warnings...)
	for _, sv := range res.Services {
		for _, sig := range sv.Signals {
			if strings.HasPrefix(sig, "warning: ") {
				out = append(out, sig)
			}
		}
	}
	for _, e := range res.Errors {
		out = append(out, "warning: "+e.Path+": "+e.Error)
	}
	return out
}

func detectTable(tw *tabwriter.Writer, res *detect.Result) {
	fmt.Fprintln(tw, "NAME\tPATH\tLANGUAGE\tFRAMEWORK\tTYPE\tPORT\tPACKAGE MANAGER\tRUNTIME\tDOCKERFILE")
	for _, sv := range res.Services {
		port := "-"
		if sv.Port != 0 {
			port = strconv.Itoa(sv.Port)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%t\n", sv.Name, sv.Path, detectDash(sv.Language),
			detectDash(sv.Framework), sv.Type, port, detectDash(sv.PackageManager), detectDash(sv.RuntimeVersion), sv.Dockerfile)
	}
}

func detectDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
