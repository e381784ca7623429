package testenv

import (
	"bytes"
	_ "embed"
	"fmt"
	"strings"
	"text/template"
	"time"
)

//go:embed stages/pods.yaml.tmpl
var podStagesTemplate string

//go:embed stages/nodes.yaml
var nodeStages string

// kwok's tuning for clusters of hundreds of nodes and ten thousand pods on a
// small machine. kwok's client has no rate limit of its own; what bounds it
// is how many stage patches and lease renewals run at once (4 each by
// default), which let pods wait for their Ready patch and, under load, let
// Lease renewals fall behind the node monitor's grace period.
const (
	// nodeLeaseSeconds is a kubelet's default lease duration; kwok renews
	// every quarter of it (10 s), well inside the controller-manager's 50 s
	// grace period even when the API server answers slowly.
	nodeLeaseSeconds        = 40
	nodeLeaseParallelism    = 16
	podStageParallelism     = 16
	nodeStageParallelism    = 8
	kwokConfigurationHeader = `apiVersion: config.kwok.x-k8s.io/v1alpha1
kind: KwokConfiguration
options:
  nodeLeaseDurationSeconds: %d
  nodeLeaseParallelism: %d
  podPlayStageParallelism: %d
  nodePlayStageParallelism: %d
`
)

// kwokConfig renders kwok's configuration file: its options, the node
// stages (initialise, heartbeat) and the pod stages with def as the
// behaviour of pods that choose none.
func kwokConfig(def PodBehaviour) ([]byte, error) {
	def = def.normal()
	sim := func(b string) string {
		if b != def.Kind {
			return fmt.Sprintf("operator: 'In', values: ['%s']", b)
		}
		var others []string
		for _, o := range behaviours {
			if o != def.Kind {
				others = append(others, "'"+o+"'")
			}
		}
		return fmt.Sprintf("operator: 'NotIn', values: [%s]", strings.Join(others, ", "))
	}
	tmpl, err := template.New("pods.yaml").Delims("[[", "]]").Funcs(template.FuncMap{"sim": sim}).Parse(podStagesTemplate)
	if err != nil {
		return nil, fmt.Errorf("testenv: pod stages template: %w", err)
	}
	var buf bytes.Buffer
	fmt.Fprintf(&buf, kwokConfigurationHeader, nodeLeaseSeconds, nodeLeaseParallelism, podStageParallelism, nodeStageParallelism)
	buf.WriteString("---\n")
	buf.WriteString(nodeStages)
	buf.WriteString("---\n")
	err = tmpl.Execute(&buf, map[string]any{
		"Label":                SimLabel,
		"ReadyAfterAnnotation": SimReadyAfterAnnotation,
		"SlowMillis":           slowDelay(def).Milliseconds(),
	})
	if err != nil {
		return nil, fmt.Errorf("testenv: pod stages template: %w", err)
	}
	return buf.Bytes(), nil
}

// slowDelay is how long slow pods without an annotation wait: the cluster's
// delay when slow is its default, else DefaultSlowDelay.
func slowDelay(def PodBehaviour) time.Duration {
	if def.Kind == BehaviourSlow && def.ReadyAfter > 0 {
		return def.ReadyAfter
	}
	return DefaultSlowDelay
}
