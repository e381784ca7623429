package cli

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/usecapsule/capsule/internal/apiclient"
)

// resourceSpec describes one API collection for the generic
// list|get|create|delete verbs, so adding a resource is adding a spec.
type resourceSpec struct {
	use      string
	aliases  []string
	singular string
	path     string // collection path under /api/v1
	filters  []filterSpec
	columns  []columnSpec
	// createFlags registers create's flags and returns the body builder.
	createFlags func(cmd *cobra.Command) bodyBuilder
	// form returns a pointer to the type the API decodes a create body
	// into; a -f file is checked strictly against it.
	form func() any
	// deleteVerb, when set, replaces DELETE with POST {id}/{deleteVerb}.
	deleteVerb string
	// cascade, when set, counts what deleting one also removes; such
	// deletes are confirmed first (see confirmCascade).
	cascade cascadeCounter
	// confirmDelete sends confirm=<slug> with DELETE, as the server asks
	// for before deleting a whole organization.
	confirmDelete bool
	// createVerb, when set, names the create verb ("add"); create stays
	// an alias.
	createVerb string
}

type filterSpec struct{ flag, query, usage, resolve string }

type columnSpec struct {
	header string
	value  func(item map[string]any) string
}

func newResourceCmds(s Streams) []*cobra.Command {
	specs := []resourceSpec{orgSpec(), projectSpec(), envSpec(), serviceSpec(), deploymentSpec(), clusterSpec()}
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
		Short: "Create " + article(spec.singular) + " " + spec.singular,
	}
	build := spec.createFlags(cmd)
	if spec.createVerb != "" {
		cmd.Aliases = append(cmd.Aliases, "create")
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := checkFormat(format, "table", "json", "yaml"); err != nil {
			return err
		}
		b := createBody{m: map[string]any{}, file: file != "", flags: cmd.Flags()}
		if file != "" {
			var err error
			if b.m, err = readBodyFile(file, spec.form()); err != nil {
				return withExitCode(ExitUsage, err)
			}
		}
		return withClient(cmd.Context(), *contextName, func(c *apiclient.Client) error {
			path, err := build(cmd.Context(), c, args, b)
			if err != nil {
				return err
			}
			var item map[string]any
			if err := c.Do(cmd.Context(), http.MethodPost, path, b.m, &item); err != nil {
				return err
			}
			return printValue(s.Out, format, item, func(tw *tabwriter.Writer) {
				writeTable(tw, spec.columns, []map[string]any{item})
			})
		})
	}
	outputFlag(cmd, &format, "table", "json", "yaml")
	cmd.Flags().StringVarP(&file, "filename", "f", "", "JSON or YAML file with the "+spec.singular+" (every field is applied; flags given override its fields)")
	return cmd
}

func newDeleteCmd(s Streams, spec resourceSpec, contextName *string) *cobra.Command {
	short := "Delete " + article(spec.singular) + " " + spec.singular
	if spec.deleteVerb != "" {
		short = fmt.Sprintf("%s %s %s (records are history and are never removed)", titleWord(spec.deleteVerb), article(spec.singular), spec.singular)
	}
	var yes bool
	use, aliases := "delete ID|NAME", []string(nil)
	if spec.deleteVerb != "" {
		// Records that are cancelled, not removed: the verb is the command
		// (capsule deployments cancel ID); delete stays as an alias.
		use, aliases = spec.deleteVerb+" ID", []string{"delete"}
	}
	cmd := &cobra.Command{
		Use:     use,
		Aliases: aliases,
		Short:   short,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withClient(cmd.Context(), *contextName, func(c *apiclient.Client) error {
				id, err := resolveRef(cmd.Context(), c, spec.path, args[0])
				if err != nil {
					return err
				}
				if spec.cascade != nil {
					contents, err := spec.cascade(cmd.Context(), c, id)
					if err != nil {
						return err
					}
					what := fmt.Sprintf("%s %q (%s)", spec.singular, args[0], id)
					if err := confirmCascade(s, what, contents, yes); err != nil {
						return err
					}
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
	if spec.cascade != nil {
		cmd.Flags().BoolVarP(&yes, "yes", "y", false, "delete without asking (needed when stdin is not a terminal)")
		cmd.Short += " and everything in it (asks first)"
	}
	return cmd
}

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// refKeys are the fields a collection's members are addressed by besides
// their ID, in the order they are tried: a slug is exact and unique, a name
// is what people type ("Shop Front").
var refKeys = map[string][]string{"organizations": {"slug", "name"}, "projects": {"slug", "name"},
	"environments": {"name"}, "services": {"name"}, "clusters": {"name"}}

// resolveRef turns a reference into an ID by listing the collection
// (kubectl users address things by name); IDs pass through. The reference
// is matched against the slug, then the exact name, then the name ignoring
// case; the first of these that matches anything decides, and more than one
// match there is an error that lists the candidates.
func resolveRef(ctx context.Context, c *apiclient.Client, collection, ref string) (string, error) {
	keys := refKeys[collection]
	if uuidRE.MatchString(ref) || len(keys) == 0 {
		return ref, nil
	}
	page, err := c.List(ctx, "/api/v1/"+collection, url.Values{"limit": {"500"}}, true)
	if err != nil {
		return "", err
	}
	singular := strings.TrimSuffix(collection, "s")
	tiers := make([]func(map[string]any) bool, 0, len(keys)+1)
	for _, k := range keys {
		tiers = append(tiers, func(it map[string]any) bool { return fmt.Sprint(it[k]) == ref })
	}
	tiers = append(tiers, func(it map[string]any) bool { return strings.EqualFold(fmt.Sprint(it["name"]), ref) })
	for _, match := range tiers {
		var found []map[string]any
		for _, it := range page.Items {
			if match(it) {
				found = append(found, it)
			}
		}
		switch len(found) {
		case 0:
			continue
		case 1:
			return fmt.Sprint(found[0]["id"]), nil
		}
		cands := make([]string, len(found))
		for i, it := range found {
			cands[i] = candidate(it)
		}
		return "", fmt.Errorf("%q matches %d %s: %s; use an ID", ref, len(found), collection, strings.Join(cands, ", "))
	}
	return "", fmt.Errorf("no %s with ID, slug or name %q", singular, ref)
}

// candidate describes one match of an ambiguous reference so the user can
// pick its ID: name, slug or parent, and ID.
func candidate(it map[string]any) string {
	var where []string
	for _, k := range []string{"slug", "projectId", "organizationId"} {
		if v, ok := it[k]; ok && v != "" {
			where = append(where, k+" "+fmt.Sprint(v))
			break
		}
	}
	where = append(where, "id "+fmt.Sprint(it["id"]))
	return fmt.Sprintf("%q (%s)", fmt.Sprint(it["name"]), strings.Join(where, ", "))
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
func ageColumn() columnSpec { return ageColumnOf("createdAt") }

// ageColumnOf is ageColumn over another creation-time field.
func ageColumnOf(key string) columnSpec {
	return columnSpec{header: "AGE", value: func(item map[string]any) string {
		t, err := time.Parse(time.RFC3339Nano, field(key)(item))
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

// article is the indefinite article of a noun: "an organization".
func article(noun string) string {
	if noun != "" && strings.ContainsRune("aeiou", rune(noun[0])) {
		return "an"
	}
	return "a"
}
