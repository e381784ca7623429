package export

import (
	"fmt"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/servicespec"
)

// SpecOf is the resolved service spec of a stored service: its
// configuration written as a capsule.yaml and read back, so it gets the
// same defaults and checks as a file. A public service with domains gets an
// Ingress on the first domain, with TLS (secret <name>-tls) because a public
// host is served over HTTPS; the other domains are not rendered.
func SpecOf(sv capsule.Service) (*servicespec.Spec, error) {
	c := sv.Config
	s := servicespec.Spec{
		Name:     sv.Name,
		Type:     sv.Type,
		Image:    sv.Source.Image,
		Build:    servicespec.Build{Command: sv.Source.BuildCommand},
		Start:    sv.Source.StartCommand,
		Port:     c.Networking.Port,
		Schedule: c.Schedule,
		Env:      c.Env,
		Secrets:  c.Secrets,
		Resources: servicespec.Resources{
			Preset: c.Resources.Preset,
			CPU:    servicespec.Pair{Request: c.Resources.CPURequest, Limit: c.Resources.CPULimit},
			Memory: servicespec.Pair{Request: c.Resources.MemoryRequest, Limit: c.Resources.MemoryLimit},
		},
		Scaling: servicespec.Scaling{MinReplicas: c.Scaling.MinReplicas, MaxReplicas: c.Scaling.MaxReplicas, TargetCPU: c.Scaling.TargetCPUPercent},
		Health:  servicespec.Health{Path: c.Networking.HealthCheckPath},
		Deploy:  servicespec.Deploy{Strategy: c.Strategy.Type, CanaryPercent: c.Strategy.CanaryPercent},
	}
	if c.Networking.Public && len(c.Networking.Domains) > 0 && servicespec.Serves(sv.Type) {
		s.Ingress = servicespec.Ingress{Host: c.Networking.Domains[0], TLS: true}
	}
	b, err := servicespec.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("export: service %s: %w", sv.Name, err)
	}
	f, err := servicespec.Parse("service "+sv.Name, b)
	if err != nil {
		return nil, fmt.Errorf("export: service %s: %w", sv.Name, err)
	}
	return f.Resolve("")
}
