package servicespec

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"gopkg.in/yaml.v3"
)

// SchemaJSON is the JSON Schema of capsule.yaml (draft 2020-12).
//
//go:embed capsule.schema.json
var SchemaJSON []byte

// FileName is the conventional name of the service definition.
const FileName = "capsule.yaml"

// ProcessFileName is the file describing another process of a directory
// whose first service owns capsule.yaml (a Procfile worker or scheduler
// next to its web process): capsule.<name>.yaml.
func ProcessFileName(name string) string { return "capsule." + name + ".yaml" }

// MaxFileSize bounds what Load reads; a service definition is a few KiB.
const MaxFileSize = 1 << 20

// File is a parsed and checked capsule.yaml.
type File struct {
	// Name is the file name used in error messages.
	Name string
	base *yaml.Node
	envs map[string]*yaml.Node
}

// Load reads and parses the file at path.
func Load(path string) (*File, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Size() > MaxFileSize {
		return nil, &Error{File: path, Problems: []Problem{{Message: fmt.Sprintf("is %d bytes, more than the %d a service definition may have", st.Size(), MaxFileSize)}}}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Parse parses data, checks it against the schema and checks the base
// configuration and every environment; name is used in error messages.
func Parse(name string, data []byte) (*File, error) {
	root, err := parseYAML(name, data)
	if err != nil {
		return nil, err
	}
	if err := checkSchema(name, root); err != nil {
		return nil, err
	}
	f := &File{Name: name, base: without(root, "environments"), envs: map[string]*yaml.Node{}}
	if i := findKey(root, "environments"); i >= 0 {
		envs := deref(root.Content[i+1])
		for j := 0; j+1 < len(envs.Content); j += 2 {
			f.envs[deref(envs.Content[j]).Value] = envs.Content[j+1]
		}
	}
	if _, err := f.Resolve(""); err != nil {
		return nil, err
	}
	for _, env := range f.Environments() {
		if _, err := f.Resolve(env); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// Environments returns the names of the environments the file overrides,
// sorted.
func (f *File) Environments() []string {
	names := make([]string, 0, len(f.envs))
	for n := range f.envs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// HasEnvironment reports whether the file has overrides for env.
func (f *File) HasEnvironment(env string) bool {
	_, ok := f.envs[env]
	return ok
}

// Resolve returns the configuration of env: the base with env's overrides
// merged in, defaults filled and checked. An env the file does not name
// (and "") gives the base configuration.
func (f *File) Resolve(env string) (*Spec, error) {
	budget := maxNodes
	node := f.base
	if over, ok := f.envs[env]; ok {
		node = merge(f.base, over, &budget)
	}
	p := &problems{lines: map[string]int{"": node.Line}}
	indexLines(node, "", p.lines, &budget)
	if budget < 0 {
		return nil, &Error{File: f.Name, Problems: []Problem{{Line: node.Line, Message: errTooComplex.Error()}}}
	}
	var s Spec
	if err := node.Decode(&s); err != nil {
		return nil, &Error{File: f.Name, Problems: yamlProblems(err)}
	}
	s.Environments = nil
	applyDefaults(&s)
	check(&s, p)
	if len(p.list) > 0 {
		if env != "" && f.HasEnvironment(env) {
			for i := range p.list {
				p.list[i].Message += " (environment " + env + ")"
			}
		}
		return nil, &Error{File: f.Name, Problems: sortProblems(p.list)}
	}
	return &s, nil
}

// parseYAML reads exactly one YAML document whose root is a mapping.
func parseYAML(name string, data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	err := dec.Decode(&doc)
	if errors.Is(err, io.EOF) {
		return nil, &Error{File: name, Problems: []Problem{{Message: "is empty; it needs at least name and type"}}}
	}
	if err != nil {
		return nil, &Error{File: name, Problems: yamlProblems(err)}
	}
	var next yaml.Node
	if err := dec.Decode(&next); !errors.Is(err, io.EOF) {
		return nil, &Error{File: name, Problems: []Problem{{Line: next.Line, Message: "holds more than one YAML document; a service definition is one"}}}
	}
	root := deref(doc.Content[0])
	if root == nil || root.Kind != yaml.MappingNode {
		return nil, &Error{File: name, Problems: []Problem{{Line: doc.Line, Message: "must be a mapping with at least name and type"}}}
	}
	return root, nil
}

var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// yamlProblems turns a yaml.v3 error into Problems with their lines.
func yamlProblems(err error) []Problem {
	var msgs []string
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	} else {
		msgs = []string{err.Error()}
	}
	out := make([]Problem, 0, len(msgs))
	for _, m := range msgs {
		if g := yamlLine.FindStringSubmatch(m); g != nil {
			line, _ := strconv.Atoi(g[1])
			out = append(out, Problem{Line: line, Message: g[2]})
			continue
		}
		out = append(out, Problem{Message: strings.TrimPrefix(m, "yaml: ")})
	}
	return out
}

var printer = message.NewPrinter(language.English)

// checkSchema validates root against the embedded JSON Schema and reports
// each failing leaf with its line.
func checkSchema(name string, root *yaml.Node) error {
	budget := maxNodes
	v, err := toValue(root, &budget)
	if err != nil {
		return &Error{File: name, Problems: []Problem{{Line: root.Line, Message: err.Error()}}}
	}
	sch, err := compiledSchema()
	if err != nil {
		return fmt.Errorf("servicespec: embedded schema: %w", err)
	}
	found := sch.validate(v)
	if len(found) == 0 {
		return nil
	}
	p := &problems{lines: map[string]int{"": root.Line}}
	budget = maxNodes
	indexLines(root, "", p.lines, &budget)
	for _, l := range found {
		field := strings.Join(l.path, ".")
		if l.key != "" {
			field = keyPath(p.lines, l.key)
		}
		if len(l.unknown) > 0 {
			// Report each unknown field on its own line.
			for _, name := range l.unknown {
				p.add(join(field, name), "is not a known field (see capsule.schema.json)")
			}
			continue
		}
		msg := l.msg
		if l.key != "" {
			msg = "is not a valid name: " + msg
		}
		p.add(field, "%s", msg)
	}
	list := slices.CompactFunc(sortProblems(p.list), func(a, b Problem) bool { return a == b })
	return &Error{File: name, Problems: list}
}

func sortProblems(list []Problem) []Problem {
	sort.SliceStable(list, func(i, j int) bool {
		if list[i].Line != list[j].Line {
			return list[i].Line < list[j].Line
		}
		if list[i].Field != list[j].Field {
			return list[i].Field < list[j].Field
		}
		return list[i].Message < list[j].Message
	})
	return list
}

// keyPath finds the field path of a bad mapping key from the line index:
// the first path, in sorted order, that ends with the key.
func keyPath(lines map[string]int, key string) string {
	var found []string
	for p := range lines {
		if p == key || strings.HasSuffix(p, "."+key) {
			found = append(found, p)
		}
	}
	if len(found) == 0 {
		return ""
	}
	sort.Strings(found)
	return found[0]
}
