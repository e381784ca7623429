package servicespec

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"
)

// The embedded schema is checked by this small validator of the keywords
// capsule.schema.json uses (type, enum, properties, additionalProperties,
// propertyNames, required, items, uniqueItems, minimum, maximum, minLength,
// maxLength, pattern and local $ref), worded as JSON Schema validators word
// their errors. A general JSON Schema library compiles the metaschemas of
// every draft in its package init, which every capsule command, `capsule
// version` included, paid at start; TestSchemaKeywordsSupported keeps the
// schema within this subset and the tests compare the verdicts with a full
// validator.

// schemaNode is one (sub)schema, decoded from JSON.
type schemaNode = map[string]any

// violation is one failing leaf: the instance path, the message, and for a
// bad mapping key (propertyNames) the key; unknown lists the fields an
// additionalProperties: false refused.
type violation struct {
	path    []string
	key     string
	msg     string
	unknown []string
}

type compiled struct {
	root     schemaNode
	patterns map[string]*regexp.Regexp
}

// supportedKeywords are the keywords the validator implements; the
// annotations beside them change nothing.
var supportedKeywords = map[string]bool{"$schema": true, "$id": true, "$defs": true, "$ref": true, "title": true,
	"description": true, "type": true, "enum": true, "properties": true, "additionalProperties": true,
	"propertyNames": true, "required": true, "items": true, "uniqueItems": true, "minimum": true,
	"maximum": true, "minLength": true, "maxLength": true, "pattern": true}

// compiledSchema decodes the embedded schema and compiles its patterns
// once, on first use.
var compiledSchema = sync.OnceValues(func() (*compiled, error) {
	var root schemaNode
	if err := json.Unmarshal(SchemaJSON, &root); err != nil {
		return nil, err
	}
	c := &compiled{root: root, patterns: map[string]*regexp.Regexp{}}
	if err := c.prepare(root); err != nil {
		return nil, err
	}
	return c, nil
})

// prepare checks that every keyword is supported and compiles patterns.
func (c *compiled) prepare(s schemaNode) error {
	for k, v := range s {
		if !supportedKeywords[k] {
			return fmt.Errorf("schema keyword %q is not supported", k)
		}
		switch k {
		case "pattern":
			re, err := regexp.Compile(v.(string))
			if err != nil {
				return err
			}
			c.patterns[v.(string)] = re
		case "properties", "$defs":
			for _, sub := range v.(map[string]any) {
				if err := c.prepare(sub.(schemaNode)); err != nil {
					return err
				}
			}
		case "additionalProperties", "propertyNames", "items":
			if sub, ok := v.(schemaNode); ok {
				if err := c.prepare(sub); err != nil {
					return err
				}
			}
		case "$ref":
			if _, err := c.ref(v.(string)); err != nil {
				return err
			}
		}
	}
	return nil
}

// ref resolves a local JSON pointer reference such as
// "#/$defs/overlay/properties/language".
func (c *compiled) ref(r string) (schemaNode, error) {
	ptr, ok := strings.CutPrefix(r, "#")
	var cur any = c.root
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		if !ok || ptr == "" {
			break
		}
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, isMap := cur.(map[string]any)
		if !isMap {
			return nil, fmt.Errorf("schema reference %q does not resolve", r)
		}
		cur = m[tok]
	}
	sub, found := cur.(schemaNode)
	if !ok || !found {
		return nil, fmt.Errorf("schema reference %q is not a local schema", r)
	}
	return sub, nil
}

// validate reports every failing leaf of v against the schema.
func (c *compiled) validate(v any) []violation {
	var out []violation
	c.check(c.root, v, nil, "", &out)
	return out
}

func (c *compiled) check(s schemaNode, v any, path []string, key string, out *[]violation) {
	fail := func(format string, args ...any) {
		*out = append(*out, violation{path: path, key: key, msg: printer.Sprintf(format, args...)})
	}
	if r, ok := s["$ref"].(string); ok {
		sub, _ := c.ref(r)
		c.check(sub, v, path, key, out)
	}
	if want, ok := s["type"]; ok {
		if got := typeName(v); !typeMatches(want, got, v) {
			if got == "integer" {
				got = "number" // validators name the JSON type of a value, and 1 is a number
			}
			fail("got %s, want %s", got, strings.Join(typeList(want), " or "))
			return
		}
	}
	if enum, ok := s["enum"].([]any); ok && !inEnum(enum, v) {
		want := make([]string, len(enum))
		for i, e := range enum {
			want[i] = display(e)
		}
		if len(want) == 1 {
			fail("value must be %s", want[0])
		} else {
			fail("value must be one of %s", strings.Join(want, ", "))
		}
		return
	}
	switch x := v.(type) {
	case map[string]any:
		c.checkObject(s, x, path, key, out)
	case []any:
		if items, ok := s["items"].(schemaNode); ok {
			for i, e := range x {
				c.check(items, e, append(clonePath(path), fmt.Sprint(i)), key, out)
			}
		}
		if u, _ := s["uniqueItems"].(bool); u {
			for i := range x {
				for j := i + 1; j < len(x); j++ {
					if reflect.DeepEqual(normalNumber(x[i]), normalNumber(x[j])) {
						fail("items at %d and %d are equal", i, j)
						return
					}
				}
			}
		}
	case string:
		n := utf8.RuneCountInString(x)
		if m, ok := s["minLength"].(float64); ok && float64(n) < m {
			fail("minLength: got %d, want %d", n, int(m))
		}
		if m, ok := s["maxLength"].(float64); ok && float64(n) > m {
			fail("maxLength: got %d, want %d", n, int(m))
		}
		if p, ok := s["pattern"].(string); ok && !c.patterns[p].MatchString(x) {
			fail("%s does not match pattern %s", quote(x), quote(p))
		}
	case int64, float64:
		f := normalNumber(x).(float64)
		if m, ok := s["minimum"].(float64); ok && f < m {
			fail("minimum: got %v, want %v", f, m)
		}
		if m, ok := s["maximum"].(float64); ok && f > m {
			fail("maximum: got %v, want %v", f, m)
		}
	}
}

func (c *compiled) checkObject(s schemaNode, m map[string]any, path []string, key string, out *[]violation) {
	props, _ := s["properties"].(map[string]any)
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	if pn, ok := s["propertyNames"].(schemaNode); ok {
		for _, k := range names {
			c.check(pn, k, path, k, out)
		}
	}
	var unknown []string
	for _, k := range names {
		p := append(clonePath(path), k)
		if sub, ok := props[k].(schemaNode); ok {
			c.check(sub, m[k], p, key, out)
			continue
		}
		switch ap := s["additionalProperties"].(type) {
		case bool:
			if !ap {
				unknown = append(unknown, k)
			}
		case schemaNode:
			c.check(ap, m[k], p, key, out)
		}
	}
	if len(unknown) > 0 {
		*out = append(*out, violation{path: path, key: key, unknown: unknown})
	}
	if req, ok := s["required"].([]any); ok {
		var missing []string
		for _, r := range req {
			if _, ok := m[r.(string)]; !ok {
				missing = append(missing, r.(string))
			}
		}
		switch len(missing) {
		case 0:
		case 1:
			*out = append(*out, violation{path: path, key: key, msg: printer.Sprintf("missing property %s", quote(missing[0]))})
		default:
			q := make([]string, len(missing))
			for i, r := range missing {
				q[i] = quote(r)
			}
			*out = append(*out, violation{path: path, key: key, msg: printer.Sprintf("missing properties %s", strings.Join(q, ", "))})
		}
	}
}

// typeName is the JSON Schema type of a value decoded from YAML.
func typeName(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case int64:
		return "integer"
	case float64:
		if x == math.Trunc(x) && !math.IsInf(x, 0) {
			return "integer"
		}
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// typeOrder is the order in which validators list the wanted types.
var typeOrder = []string{"null", "boolean", "number", "integer", "string", "array", "object"}

// typeList is a type keyword's value as a list, in typeOrder.
func typeList(want any) []string {
	var types []string
	switch w := want.(type) {
	case string:
		types = []string{w}
	case []any:
		for _, t := range typeOrder {
			if slices.Contains(w, any(t)) {
				types = append(types, t)
			}
		}
	}
	return types
}

func typeMatches(want any, got string, v any) bool {
	for _, t := range typeList(want) {
		if t == got || t == "number" && got == "integer" {
			return true
		}
	}
	return false
}

func inEnum(enum []any, v any) bool {
	for _, e := range enum {
		if reflect.DeepEqual(normalNumber(e), normalNumber(v)) {
			return true
		}
	}
	return false
}

// normalNumber makes int64 and float64 compare as numbers.
func normalNumber(v any) any {
	if i, ok := v.(int64); ok {
		return float64(i)
	}
	return v
}

func clonePath(p []string) []string { return append([]string(nil), p...) }

// quote words a string as JSON Schema validators do: single quotes.
func quote(s string) string {
	s = fmt.Sprintf("%q", s)
	s = strings.ReplaceAll(s, `\"`, `"`)
	s = strings.ReplaceAll(s, `'`, `\'`)
	return "'" + s[1:len(s)-1] + "'"
}

// display words an enum value.
func display(v any) string {
	if s, ok := v.(string); ok {
		return quote(s)
	}
	return fmt.Sprint(v)
}
