package manifest

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// document is one YAML document of a file and the 1-based line it starts on.
type document struct {
	body []byte
	line int
}

// splitDocuments cuts data at "---" separator lines. Documents that are empty
// or whitespace only are dropped (a leading "---" is common); comment-only
// documents are kept so that indexes match what a reader counts.
func splitDocuments(data []byte) []document {
	var docs []document
	start, startLine, line := 0, 1, 1
	flush := func(end int) {
		if len(bytes.TrimSpace(data[start:end])) > 0 {
			docs = append(docs, document{body: data[start:end], line: startLine})
		}
	}
	for i := 0; i < len(data); {
		end := bytes.IndexByte(data[i:], '\n')
		next := len(data)
		if end >= 0 {
			next = i + end + 1
		}
		if isSeparator(data[i:next]) {
			flush(i)
			start, startLine = next, line+1
		}
		i = next
		line++
	}
	flush(len(data))
	return docs
}

func isSeparator(line []byte) bool {
	if !bytes.HasPrefix(line, []byte("---")) {
		return false
	}
	rest := bytes.TrimRight(line[3:], " \t\r\n")
	return len(rest) == 0 || rest[0] == '#' || (line[3] == ' ' || line[3] == '\t')
}

// content parses every document of one file.
func (l *loader) content(file string, data []byte) {
	if strings.EqualFold(fileExt(file), ".json") {
		// JSON has no document separators, and "---" may be in a string.
		l.document(file, 0, document{body: data, line: 1})
		return
	}
	for i, d := range splitDocuments(data) {
		l.document(file, i, d)
	}
}

func fileExt(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i:]
	}
	return ""
}

func (l *loader) document(file string, doc int, d document) {
	v, err := decode(d.body)
	if jerr, ok := err.(errJSONDecode); ok {
		l.fail(file, doc, -1, fmt.Errorf("%w (document starts at line %d): %v", ErrInvalidYAML, d.line, jerr.err))
		return
	}
	if err != nil {
		l.fail(file, doc, -1, yamlError(err, d.line, d.body))
		return
	}
	if v == nil {
		return // comments only
	}
	m, ok := v.(map[string]any)
	if !ok {
		l.fail(file, doc, -1, fmt.Errorf("%w: document is a %s, want a mapping with apiVersion, kind and metadata", ErrInvalid, typeName(v)))
		return
	}
	if err := notManifest(file, m); err != nil {
		l.fail(file, doc, -1, err)
		return
	}
	if items, isList := listItems(m); isList {
		l.list(file, doc, items)
		return
	}
	l.object(file, doc, -1, m)
}

// listItems reports whether m is a List kind and returns its items.
func listItems(m map[string]any) ([]any, bool) {
	kind, _ := m["kind"].(string)
	if !strings.HasSuffix(kind, "List") {
		return nil, false
	}
	items, ok := m["items"].([]any)
	if !ok && m["items"] != nil {
		return nil, false
	}
	return items, true
}

func (l *loader) list(file string, doc int, items []any) {
	for i, it := range items {
		m, ok := it.(map[string]any)
		if !ok {
			l.fail(file, doc, i, fmt.Errorf("%w: list item is a %s, want an object", ErrInvalid, typeName(it)))
			continue
		}
		l.object(file, doc, i, m)
	}
}

var kindPattern = regexp.MustCompile(`^[A-Z][A-Za-z0-9]*$`)

func (l *loader) object(file string, doc, item int, m map[string]any) {
	u := &unstructured.Unstructured{Object: m}
	if err := validate(m); err != nil {
		l.fail(file, doc, item, err)
		return
	}
	o := Object{Unstructured: u, File: file, Doc: doc}
	id := o.ID()
	if prev, dup := l.seen[id]; dup {
		l.fail(file, doc, item, fmt.Errorf("%w %s: already defined in %s", ErrDuplicate, id, prev.Location()))
		return
	}
	l.seen[id] = o
	l.objs = append(l.objs, o)
}

// validate checks the fields every object needs and names the first missing
// or malformed one.
func validate(m map[string]any) error {
	av, ok := m["apiVersion"].(string)
	if !ok || av == "" {
		return fmt.Errorf("%w: apiVersion", ErrMissing)
	}
	if _, err := schema.ParseGroupVersion(av); err != nil || strings.Count(av, "/") > 1 {
		return fmt.Errorf("%w: apiVersion %q is not group/version", ErrInvalid, av)
	}
	kind, ok := m["kind"].(string)
	if !ok || kind == "" {
		return fmt.Errorf("%w: kind", ErrMissing)
	}
	if !kindPattern.MatchString(kind) {
		return fmt.Errorf("%w: kind %q must start with an upper-case letter and be alphanumeric", ErrInvalid, kind)
	}
	md, ok := m["metadata"].(map[string]any)
	if !ok {
		return fmt.Errorf("%w: metadata (in %s)", ErrMissing, kind)
	}
	rawName, present := md["name"]
	name, ok := rawName.(string)
	if present && rawName != nil && !ok {
		return fmt.Errorf("%w: metadata.name of a %s is a %s, want a string (quote it)", ErrInvalid, kind, typeName(rawName))
	}
	if name == "" {
		return fmt.Errorf("%w: metadata.name (in %s)", ErrMissing, kind)
	}
	if ns, present := md["namespace"]; present {
		if _, ok := ns.(string); !ok && ns != nil {
			return fmt.Errorf("%w: metadata.namespace of %s/%s is not a string", ErrInvalid, kind, name)
		}
	}
	return validateMetadataMaps(kind, name, md)
}

// validateMetadataMaps rejects labels and annotations that are not string
// maps; unstructured accessors would otherwise silently drop them.
func validateMetadataMaps(kind, name string, md map[string]any) error {
	for _, f := range []string{"labels", "annotations"} {
		v, present := md[f]
		if !present || v == nil {
			continue
		}
		mm, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("%w: metadata.%s of %s/%s is not a map", ErrInvalid, f, kind, name)
		}
		for k, x := range mm {
			if _, ok := x.(string); !ok {
				return fmt.Errorf("%w: metadata.%s[%q] of %s/%s is not a string", ErrInvalid, f, k, kind, name)
			}
		}
	}
	return nil
}

func typeName(v any) string {
	switch v.(type) {
	case []any:
		return "list"
	case string:
		return "string"
	case bool:
		return "boolean"
	case int64, float64:
		return "number"
	}
	return fmt.Sprintf("%T", v)
}
