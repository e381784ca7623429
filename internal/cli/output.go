package cli

import (
	"encoding/json"

	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"sigs.k8s.io/yaml"
)

// outputFlag registers the kubectl-style -o/--output flag with the formats a
// command supports; the first is the default.
func outputFlag(cmd *cobra.Command, target *string, formats ...string) {
	cmd.Flags().StringVarP(target, "output", "o", formats[0], "output format: "+joinFormats(formats))
}

func joinFormats(f []string) string {
	s := ""
	for i, x := range f {
		if i > 0 {
			s += "|"
		}
		s += x
	}
	return s
}

// checkFormat returns a usage error when format is not one of allowed.
func checkFormat(format string, allowed ...string) error {
	for _, a := range allowed {
		if a == format {
			return nil
		}
	}
	return usageError("unknown output format %q (want %s)", format, joinFormats(allowed))
}

// printValue writes v as JSON or YAML, or calls table for the table format.
func printValue(w io.Writer, format string, v any, table func(tw *tabwriter.Writer)) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(v)
	case "yaml":
		b, err := yaml.Marshal(v)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	case "table", "":
		if table == nil {
			return usageError("this command has no table output; use -o json or -o yaml")
		}
		tw := tabwriter.NewWriter(w, 0, 4, 3, ' ', 0)
		table(tw)
		return tw.Flush()
	default:
		return usageError("unknown output format %q (want table|json|yaml)", format)
	}
}
