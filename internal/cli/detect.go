package cli

import (
	"fmt"
	"strconv"
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

// runDetect prints the detection result; members of a monorepo that failed
// are reported on stderr and make the command exit non-zero after the
// services that were detected are printed.
func runDetect(s Streams, root, format string) error {
	res, err := detect.Detect(root, detect.Options{})
	if err != nil {
		return withExitCode(ExitError, err)
	}
	if err := printValue(s.Out, format, res, func(tw *tabwriter.Writer) { detectTable(tw, res) }); err != nil {
		return err
	}
	if len(res.Errors) > 0 {
		for _, e := range res.Errors {
			fmt.Fprintf(s.Err, "%s: %s\n", e.Path, e.Error)
		}
		return withExitCode(ExitError, fmt.Errorf("%d service(s) could not be detected", len(res.Errors)))
	}
	return nil
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
