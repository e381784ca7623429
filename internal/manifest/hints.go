package manifest

import (
	"bytes"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// yamlLine finds the "yaml: line N:" of a YAML parser error, which counts
// from the start of the document, not the file.
var yamlLine = regexp.MustCompile(`(?:error converting YAML to JSON: )?yaml: line (\d+): `)

// yamlError rewrites a YAML parser error of a document starting at
// startLine so that its line number is the file's, and adds a hint when the
// document is an unrendered template.
func yamlError(err error, startLine int, body []byte) error {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatchIndex(msg); m != nil {
		n, _ := strconv.Atoi(msg[m[2]:m[3]])
		msg = msg[:m[0]] + fmt.Sprintf("line %d: ", n+startLine-1) + msg[m[1]:]
	} else {
		msg = fmt.Sprintf("document starting at line %d: %s", startLine, msg)
	}
	return fmt.Errorf("%w: %s%s", ErrInvalidYAML, msg, templateHint(body))
}

// templateHint explains template syntax left in a document: Helm charts and
// other templates must be rendered before Capsule can read them.
func templateHint(body []byte) string {
	if bytes.Contains(body, []byte("{{")) {
		return " (the document contains template syntax {{ }}: render it first, e.g. with helm template)"
	}
	return ""
}

// notManifest names files that sit next to manifests but are inputs of a
// tool, not Kubernetes objects, with what to do instead.
func notManifest(file string, m map[string]any) error {
	base := strings.ToLower(filepath.Base(file))
	_, hasKind := m["kind"]
	switch {
	case base == "kustomization.yaml" || base == "kustomization.yml" || (m["kind"] == "Kustomization" && m["apiVersion"] != nil && strings.HasPrefix(fmt.Sprint(m["apiVersion"]), "kustomize.config.k8s.io/")):
		return fmt.Errorf("%w: this is a kustomization, not a Kubernetes object: render it with `kubectl kustomize DIR` and preview the output", ErrInvalid)
	case base == "chart.yaml" && !hasKind:
		return fmt.Errorf("%w: this is a Helm chart's Chart.yaml: render the chart with `helm template` and preview the output", ErrInvalid)
	case (base == "values.yaml" || base == "values.yml") && !hasKind:
		return fmt.Errorf("%w: this is a Helm values file: render the chart with `helm template` and preview the output", ErrInvalid)
	}
	return nil
}
