package servicespec

import (
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/usecapsule/capsule/internal/quantity"
)

// Size is the requests and limits of a preset.
type Size struct {
	CPURequest, CPULimit, MemoryRequest, MemoryLimit string
}

// Presets are the size presets. Requests are what the
// scheduler reserves (and what cost allocation charges); limits leave
// headroom for bursts: 4x CPU, 2x memory.
var Presets = map[string]Size{
	"dev":    {"100m", "500m", "128Mi", "256Mi"},
	"small":  {"250m", "1", "256Mi", "512Mi"},
	"medium": {"500m", "2", "1Gi", "2Gi"},
	"large":  {"1", "4", "2Gi", "4Gi"},
	"xlarge": {"2", "8", "4Gi", "8Gi"},
}

// DefaultPreset is the preset a service of this type and language gets when
// capsule.yaml names none: static sites and cron jobs are small programs,
// JVM services need room for the heap and JIT.
func DefaultPreset(serviceType, lang string) string {
	switch {
	case serviceType == TypeStatic || serviceType == TypeCron:
		return "dev"
	case lang == "java":
		return "medium"
	}
	return "small"
}

// PresetSize returns the quantities of preset for a service type; static
// sites get half, since a static file server needs little.
func PresetSize(preset, serviceType string) Size {
	s := Presets[preset]
	if serviceType != TypeStatic {
		return s
	}
	return Size{half(s.CPURequest, false), half(s.CPULimit, false), half(s.MemoryRequest, true), half(s.MemoryLimit, true)}
}

func half(q string, binary bool) string {
	v := resource.MustParse(q)
	if binary {
		return resource.NewQuantity(v.Value()/2, resource.BinarySI).String()
	}
	return resource.NewMilliQuantity(v.MilliValue()/2, resource.DecimalSI).String()
}

// applyDefaults fills what the file leaves unset; see the package doc.
func applyDefaults(s *Spec) {
	if Serves(s.Type) && s.Port == 0 {
		s.Port = 8080
	}
	if s.Type != TypeCron {
		if s.Scaling.MinReplicas == 0 {
			s.Scaling.MinReplicas = 1
		}
		if s.Scaling.MaxReplicas == 0 {
			s.Scaling.MaxReplicas = s.Scaling.MinReplicas
		}
		if s.Scaling.Autoscaled() && s.Scaling.TargetCPU == 0 && s.Scaling.TargetMemory == 0 {
			s.Scaling.TargetCPU = 70
		}
	}
	if s.Health.Port == 0 {
		s.Health.Port = s.Port
	}
	if s.Deploy.Strategy == "" {
		s.Deploy.Strategy = StrategyRolling
	}
	if s.Deploy.Strategy == StrategyCanary && s.Deploy.CanaryPercent == 0 {
		s.Deploy.CanaryPercent = 10
	}
	if s.Ingress.Host != "" && s.Ingress.Path == "" {
		s.Ingress.Path = "/"
	}
	if s.Ingress.Issuer != "" {
		s.Ingress.TLS = true
	}
	defaultResources(s)
}

// defaultResources fills unset quantities from the preset, never leaving a
// request above its limit because of the preset.
func defaultResources(s *Spec) {
	if s.Resources.Preset == "" {
		s.Resources.Preset = DefaultPreset(s.Type, s.Language)
	}
	size := PresetSize(s.Resources.Preset, s.Type)
	fillPair(&s.Resources.CPU, size.CPURequest, size.CPULimit)
	fillPair(&s.Resources.Memory, size.MemoryRequest, size.MemoryLimit)
}

func fillPair(p *Pair, req, lim string) {
	switch {
	case p.Request == "" && p.Limit == "":
		p.Request, p.Limit = req, lim
	case p.Limit == "":
		p.Limit = maxQuantity(lim, p.Request)
	case p.Request == "":
		p.Request = minQuantity(req, p.Limit)
	}
}

// maxQuantity and minQuantity compare quantities; an unparsable explicit
// value is kept so that check reports it.
func maxQuantity(preset, explicit string) string {
	e, err := quantity.ParseString(explicit)
	if err != nil || e.Cmp(resource.MustParse(preset)) > 0 {
		return explicit
	}
	return preset
}

func minQuantity(preset, explicit string) string {
	e, err := quantity.ParseString(explicit)
	if err != nil || e.Cmp(resource.MustParse(preset)) < 0 {
		return explicit
	}
	return preset
}
