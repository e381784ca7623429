package cli

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"sigs.k8s.io/yaml"

	"github.com/usecapsule/capsule/internal/apiclient"
)

// resourceSpec describes one API collection for the generic
// list|get|create|delete verbs, so adding a resource is adding a spec.
type resourceSpec struct {
	use      string
	aliases  []string
	singular string
	path     string // collection path under /api/v1
	nameKey  string // the unique human name used to resolve names to IDs
	filters  []filterSpec
	columns  []columnSpec
	// createFlags registers create's flags and returns the body builder.
	createFlags func(cmd *cobra.Command) func(ctx context.Context, c *apiclient.Client, args []string) (path string, body map[string]any, err error)
	// deleteVerb, when set, replaces DELETE with POST {id}/{deleteVerb}.
	deleteVerb string
	// confirmDelete sends confirm=<slug> with DELETE, as the server asks
	// for before deleting a whole organization.
	confirmDelete bool
}

type filterSpec struct{ flag, query, usage, resolve string }

type columnSpec struct {
	header string
	value  func(item map[string]any) string
}

func newResourceCmds(s Streams) []*cobra.Command {
	specs := []resourceSpec{orgSpec(), projectSpec(), envSpec(), serviceSpec(), deploymentSpec()}
	cmds := make([]*cobra.Command, 0, len(specs))
	for _, spec := range specs {
		cmds = append(cmds, newResourceCmd(s, spec))
	}
	return cmds
}

func newResourceCmd(s Streams, spec resourceSpec) *cobra.Command {
	var contextName string
	cmd := &cobra.Command{
		Use:     spec.use,
		Aliases: spec.aliases,
		Short:   fmt.Sprintf("List, get, create and delete %s", spec.use),
	}
	cmd.PersistentFlags().StringVar(&contextName, "context", "", "context from the config file (default: the current one)")
	cmd.AddCommand(newListCmd(s, spec, &contextName), newGetCmd(s, spec, &contextName),
		newCreateCmd(s, spec, &contextName), newDeleteCmd(s, spec, &contextName))
	return cmd
}

func newListCmd(s Streams, spec resourceSpec, contextName *string) *cobra.Command {
	var format string
	var limit int
	var all bool
	values := make([]string, len(spec.filters))
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List " + spec.use,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(format, "table", "json", "yaml"); err != nil {
				return err
			}
			return withClient(cmd.Context(), *contextName, func(c *apiclient.Client) error {
				q := url.Values{}
				if limit > 0 {
					q.Set("limit", fmt.Sprint(limit))
				}
				for i, f := range spec.filters {
					if values[i] == "" {
						continue
					}
					v, err := resolveRef(cmd.Context(), c, f.resolve, values[i])
					if err != nil {
						return err
					}
					q.Set(f.query, v)
				}
				page, err := c.List(cmd.Context(), "/api/v1/"+spec.path, q, all)
				if err != nil {
					return err
				}
				return printValue(s.Out, format, page, func(tw *tabwriter.Writer) { writeTable(tw, spec.columns, page.Items) })
			})
		},
	}
	outputFlag(cmd, &format, "table", "json", "yaml")
	cmd.Flags().IntVar(&limit, "limit", 0, "page size (server default 50)")
	cmd.Flags().BoolVar(&all, "all", false, "follow the cursor through every page")
	for i, f := range spec.filters {
		cmd.Flags().StringVar(&values[i], f.flag, "", f.usage)
	}
	return cmd
}

func newGetCmd(s Streams, spec resourceSpec, contextName *string) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "get ID|NAME",
		Short: "Show one " + spec.singular,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format, "table", "json", "yaml"); err != nil {
				return err
			}
			return withClient(cmd.Context(), *contextName, func(c *apiclient.Client) error {
				id, err := resolveRef(cmd.Context(), c, spec.path, args[0])
				if err != nil {
					return err
				}
				var item map[string]any
				if err := c.Do(cmd.Context(), http.MethodGet, "/api/v1/"+spec.path+"/"+url.PathEscape(id), nil, &item); err != nil {
					return err
				}
				return printValue(s.Out, format, item, func(tw *tabwriter.Writer) {
					writeTable(tw, spec.columns, []map[string]any{item})
				})
			})
		},
	}
	outputFlag(cmd, &format, "table", "json", "yaml")
	return cmd
}

func newCreateCmd(s Streams, spec resourceSpec, contextName *string) *cobra.Command {
	var format, file string
	cmd := &cobra.Command{
		Use:   "create NAME",
		Short: "Create a " + spec.singular,
	}
	build := spec.createFlags(cmd)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := checkFormat(format, "table", "json", "yaml"); err != nil {
			return err
		}
		return withClient(cmd.Context(), *contextName, func(c *apiclient.Client) error {
			path, body, err := build(cmd.Context(), c, args)
			if err != nil {
				return err
			}
			if file != "" {
				if body, err = mergeBodyFile(file, body); err != nil {
					return err
				}
			}
			var item map[string]any
			if err := c.Do(cmd.Context(), http.MethodPost, path, body, &item); err != nil {
				return err
			}
			return printValue(s.Out, format, item, func(tw *tabwriter.Writer) {
				writeTable(tw, spec.columns, []map[string]any{item})
			})
		})
	}
	outputFlag(cmd, &format, "table", "json", "yaml")
	cmd.Flags().StringVarP(&file, "filename", "f", "", "JSON or YAML file with the full request body (flags override its fields)")
	return cmd
}

func newDeleteCmd(s Streams, spec resourceSpec, contextName *string) *cobra.Command {
	short := "Delete a " + spec.singular
	if spec.deleteVerb != "" {
		short = fmt.Sprintf("%s a %s (records are history and are never removed)", titleWord(spec.deleteVerb), spec.singular)
	}
	return &cobra.Command{
		Use:   "delete ID|NAME",
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withClient(cmd.Context(), *contextName, func(c *apiclient.Client) error {
				id, err := resolveRef(cmd.Context(), c, spec.path, args[0])
				if err != nil {
					return err
				}
				target := "/api/v1/" + spec.path + "/" + url.PathEscape(id)
				if spec.deleteVerb != "" {
					if err := c.Do(cmd.Context(), http.MethodPost, target+"/"+spec.deleteVerb, nil, nil); err != nil {
						return err
					}
					_, err = fmt.Fprintf(s.Out, "%s %s: %sled\n", spec.singular, id, spec.deleteVerb)
					return err
				}
				if spec.confirmDelete {
					var o struct{ Slug string }
					if err := c.Do(cmd.Context(), http.MethodGet, target, nil, &o); err != nil {
						return err
					}
					target += "?confirm=" + url.QueryEscape(o.Slug)
				}
				if err := c.Do(cmd.Context(), http.MethodDelete, target, nil, nil); err != nil {
					return err
				}
				_, err = fmt.Fprintf(s.Out, "%s %s deleted\n", spec.singular, id)
				return err
			})
		},
	}
}

// mergeBodyFile reads a JSON or YAML request body and lays the flag-built
// body over it.
func mergeBodyFile(path string, flags map[string]any) (map[string]any, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var body map[string]any
	if err := yaml.Unmarshal(data, &body); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if body == nil {
		body = map[string]any{}
	}
	for k, v := range flags {
		if !isZero(v) {
			body[k] = v
		}
	}
	return body, nil
}

func isZero(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case map[string]any:
		return len(x) == 0
	}
	return false
}

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// nameKeys says which field names a resource collection is addressed by.
var nameKeys = map[string]string{"organizations": "slug", "projects": "slug", "environments": "name", "services": "name"}

// resolveRef turns a name into an ID by listing the collection (kubectl
// users address things by name); IDs pass through. An ambiguous name is an
// error that lists the candidates.
func resolveRef(ctx context.Context, c *apiclient.Client, collection, ref string) (string, error) {
	key := nameKeys[collection]
	if uuidRE.MatchString(ref) || key == "" {
		return ref, nil
	}
	page, err := c.List(ctx, "/api/v1/"+collection, url.Values{"limit": {"500"}}, true)
	if err != nil {
		return "", err
	}
	var ids []string
	for _, it := range page.Items {
		if fmt.Sprint(it[key]) == ref {
			ids = append(ids, fmt.Sprint(it["id"]))
		}
	}
	switch len(ids) {
	case 0:
		return "", fmt.Errorf("no %s named %q", strings.TrimSuffix(collection, "s"), ref)
	case 1:
		return ids[0], nil
	}
	return "", fmt.Errorf("%q names %d %s (%s): use an ID", ref, len(ids), collection, strings.Join(ids, ", "))
}

func writeTable(tw *tabwriter.Writer, cols []columnSpec, items []map[string]any) {
	for i, c := range cols {
		if i > 0 {
			fmt.Fprint(tw, "\t")
		}
		fmt.Fprint(tw, c.header)
	}
	fmt.Fprintln(tw)
	for _, it := range items {
		for i, c := range cols {
			if i > 0 {
				fmt.Fprint(tw, "\t")
			}
			fmt.Fprint(tw, c.value(it))
		}
		fmt.Fprintln(tw)
	}
}

// field returns the value at a dotted path, or "" when absent.
func field(path string) func(map[string]any) string {
	return func(item map[string]any) string {
		var cur any = item
		for _, p := range strings.Split(path, ".") {
			m, ok := cur.(map[string]any)
			if !ok {
				return ""
			}
			cur = m[p]
		}
		if cur == nil {
			return ""
		}
		return fmt.Sprint(cur)
	}
}

func col(header, path string) columnSpec { return columnSpec{header: header, value: field(path)} }

// ageColumn prints the time since createdAt the way kubectl does.
func ageColumn() columnSpec {
	return columnSpec{header: "AGE", value: func(item map[string]any) string {
		t, err := time.Parse(time.RFC3339Nano, field("createdAt")(item))
		if err != nil {
			return ""
		}
		return humanAge(time.Since(t))
	}}
}

func humanAge(d time.Duration) string {
	switch {
	case d < 0:
		return "0s"
	case d < 2*time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < 2*time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	default:
		return fmt.Sprintf("%dd", int(d.Hours()/24))
	}
}

func titleWord(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
