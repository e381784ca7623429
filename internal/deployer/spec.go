package deployer

import (
	"fmt"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/render"
	"github.com/usecapsule/capsule/internal/servicespec"
)

// SpecOf is the service specification of a stored service revision, with
// image and replicas: the stored configuration is written as a capsule.yaml
// would be and resolved by servicespec, so defaults and checks are the ones
// `capsule render` applies to a file.
func SpecOf(name string, rev *capsule.ServiceRevision, image, strategy string, replicas int) (*servicespec.Spec, error) {
	c := rev.Config
	s := servicespec.Spec{Name: name, Type: rev.Type, Image: image, Start: rev.Source.StartCommand,
		Port: c.Networking.Port, Schedule: c.Schedule, Env: c.Env, Secrets: c.Secrets,
		Resources: servicespec.Resources{Preset: c.Resources.Preset,
			CPU:    servicespec.Pair{Request: c.Resources.CPURequest, Limit: c.Resources.CPULimit},
			Memory: servicespec.Pair{Request: c.Resources.MemoryRequest, Limit: c.Resources.MemoryLimit}},
		Scaling: servicespec.Scaling{MinReplicas: c.Scaling.MinReplicas, MaxReplicas: c.Scaling.MaxReplicas, TargetCPU: c.Scaling.TargetCPUPercent},
		Health:  servicespec.Health{Path: c.Networking.HealthCheckPath},
		Deploy:  servicespec.Deploy{Strategy: c.Strategy.Type, CanaryPercent: c.Strategy.CanaryPercent},
	}
	if strategy != "" {
		s.Deploy.Strategy = strategy
	}
	if replicas > 0 {
		// An explicit count wins over the autoscaler's range.
		s.Scaling.MinReplicas = replicas
		if s.Scaling.MaxReplicas < replicas {
			s.Scaling.MaxReplicas = 0
		}
	}
	if c.Networking.Public && len(c.Networking.Domains) > 0 {
		s.Ingress.Host = c.Networking.Domains[0]
	}
	b, err := servicespec.Marshal(s)
	if err != nil {
		return nil, err
	}
	f, err := servicespec.Parse("service "+name+" revision "+fmt.Sprint(rev.Number), b)
	if err != nil {
		return nil, err
	}
	return f.Resolve("")
}

// Render renders the objects of a service revision in an environment's
// namespace, the Namespace first (the engine creates it before the rest).
func Render(name, env, namespace, partOf string, rev *capsule.ServiceRevision, image, strategy string, replicas int) ([]render.Object, error) {
	spec, err := SpecOf(name, rev, image, strategy, replicas)
	if err != nil {
		return nil, err
	}
	objs, err := render.Render(spec, render.Options{Env: env, Namespace: namespace, Image: image, PartOf: partOf})
	if err != nil {
		return nil, err
	}
	return append([]render.Object{render.Namespace(namespace)}, objs...), nil
}
