package servicespec

import (
	"bytes"
	"path"
	"path/filepath"
	"strings"

	"github.com/usecapsule/capsule/internal/detect"
	"gopkg.in/yaml.v3"
)

// FromDetection builds the capsule.yaml of a detected service: what
// detection knows, plus starting overrides for staging and production that
// a team edits (production runs two replicas, autoscaled to five, so that a
// node drain or a rollout never takes it down).
func FromDetection(d detect.Service) Spec {
	s := Spec{
		Name:      d.Name,
		Type:      d.Type,
		Language:  d.Language,
		Framework: d.Framework,
		Build:     Build{Command: d.BuildCommand},
		Start:     d.StartCommand,
		Port:      d.Port,
		Health:    Health{Path: d.HealthCheckPath},
		Resources: Resources{Preset: DefaultPreset(d.Type, d.Language)},
		Deploy:    Deploy{Strategy: StrategyRolling},
	}
	if d.Dockerfile || d.Language != "" {
		s.Build.Dockerfile = "Dockerfile"
	}
	if d.Workspace != "" && path.Clean(d.Workspace) != path.Clean(d.Path) {
		// A monorepo member builds with its workspace root as context.
		if rel, err := filepath.Rel(filepath.FromSlash(d.Path), filepath.FromSlash(d.Workspace)); err == nil {
			s.Build.Context = filepath.ToSlash(rel)
		}
	}
	s.WritablePaths = workdirPaths(d)
	if !Serves(d.Type) {
		s.Port, s.Health = 0, Health{}
	}
	if (d.Type == TypeStatic || d.Language == "php") && !d.Dockerfile {
		// The generated Dockerfile serves these on 8080 (nginx-unprivileged,
		// Apache moved off 80), whatever the detected default was. The
		// repository's own Dockerfile keeps the port detection read from it
		// (an nginx or php-apache image on 80).
		s.Port = 8080
	}
	if d.Type == TypeCron {
		s.Schedule = "0 * * * *"
		return s
	}
	if singleton(d) {
		// A scheduler (Celery beat, a Heroku clock process) must run
		// exactly once: a second replica, or the overlap of a rolling
		// update, fires every job twice.
		s.Deploy.Strategy = StrategyRecreate
		s.Environments = map[string]Spec{
			"staging":    {Scaling: Scaling{MinReplicas: 1}},
			"production": {Scaling: Scaling{MinReplicas: 1}},
		}
		return s
	}
	s.Environments = map[string]Spec{
		"staging":    {Scaling: Scaling{MinReplicas: 1}},
		"production": {Scaling: Scaling{MinReplicas: 2, MaxReplicas: 5, TargetCPU: 70}},
	}
	if s.Resources.Preset != "dev" {
		p := s.Environments["production"]
		p.Resources.Preset = "medium"
		if d.Language == "java" {
			p.Resources.Preset = "large"
		}
		s.Environments["production"] = p
	}
	return s
}

// runtimeDirs are the directories a framework writes at run time, relative
// to the app; render mounts them under /app, where capsule's Dockerfiles
// put the app.
var runtimeDirs = map[string][]string{
	"rails":   {"tmp", "log", "storage"},
	"sinatra": {"tmp"},
	"nextjs":  {".next/cache"},
	"nuxt":    {".nuxt"},
}

// workdirPaths are the run-time directories of a service whose own
// Dockerfile puts the app outside /app (Rails 8's WORKDIR /rails): under a
// read-only root filesystem, Puma's pid file and Bootsnap's cache need
// them writable there.
func workdirPaths(d detect.Service) []string {
	if !d.Dockerfile {
		return nil
	}
	for _, sig := range d.Signals {
		dir, ok := strings.CutPrefix(sig, "Dockerfile WORKDIR ")
		if !ok || dir == "/app" {
			continue
		}
		var out []string
		for _, rel := range runtimeDirs[d.Framework] {
			out = append(out, path.Join(dir, rel))
		}
		return out
	}
	return nil
}

// singleton reports whether a worker schedules jobs and so must run as one
// replica: Celery beat, a Heroku-style clock process, or a process named
// scheduler.
func singleton(d detect.Service) bool {
	if d.Type != TypeWorker {
		return false
	}
	words := strings.Fields(d.StartCommand)
	for i, w := range words {
		if w == "beat" && i > 0 && strings.Contains(d.StartCommand, "celery") {
			return true
		}
		if strings.HasSuffix(w, "clock.py") || strings.HasSuffix(w, "clock.rb") || w == "clockwork" {
			return true
		}
	}
	for _, suffix := range []string{"-beat", "-clock", "-scheduler"} {
		if strings.HasSuffix(d.Name, suffix) {
			return true
		}
	}
	return false
}

// fieldComments explain each top-level key of a written capsule.yaml.
var fieldComments = map[string]string{
	"name":         "DNS-1123 name of the service; Kubernetes objects are named after it.",
	"type":         "web | api | worker | static | cron",
	"language":     "Detected language and framework; they choose writable paths and defaults.",
	"build":        "How the image is built (capsule dockerfile writes the Dockerfile).",
	"start":        "Start command; the Dockerfile's CMD runs it.",
	"port":         "Port the process listens on.",
	"schedule":     "Cron schedule (cron services only).",
	"resources":    "Size preset dev | small | medium | large | xlarge; cpu/memory request and limit override it.",
	"health":       "Probes: HTTP GET on path when set, else a TCP check on the port.",
	"deploy":       "Rollout strategy: rolling | recreate | blue-green | canary (canaryPercent).",
	"environments": "Per-environment overrides; maps merge key by key, lists and values replace.\nAdd ingress: {host: app.example.com, issuer: letsencrypt} to expose a service.",
}

// Marshal writes s as commented YAML, in the order of the Spec fields.
func Marshal(s Spec) ([]byte, error) {
	var doc yaml.Node
	if err := doc.Encode(s); err != nil {
		return nil, err
	}
	for i := 0; i+1 < len(doc.Content); i += 2 {
		if c, ok := fieldComments[doc.Content[i].Value]; ok {
			doc.Content[i].HeadComment = c
		}
	}
	var b bytes.Buffer
	b.WriteString("# capsule.yaml: the definition of this service for Capsule.\n")
	b.WriteString("# capsule render checks it against Capsule's JSON Schema (capsule.schema.json).\n\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return spaceComments(b.Bytes()), nil
}

// spaceComments puts a blank line before each top-level comment block so
// that the sections of the file stand apart.
func spaceComments(b []byte) []byte {
	lines := strings.Split(string(b), "\n")
	out := make([]string, 0, len(lines)+16)
	for i, l := range lines {
		if i > 2 && strings.HasPrefix(l, "# ") && !strings.HasPrefix(lines[i-1], "#") && lines[i-1] != "" {
			out = append(out, "")
		}
		out = append(out, l)
	}
	return []byte(strings.Join(out, "\n"))
}
