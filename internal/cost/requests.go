package cost

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/usecapsule/capsule/internal/quantity"
)

// Default requests assumed for a container that sets neither requests nor
// limits and has no LimitRange default: the values most LimitRange examples
// and Helm charts use. Estimates built on them carry a confidence band.
var (
	DefaultCPURequest    = resource.MustParse("100m")
	DefaultMemoryRequest = resource.MustParse("128Mi")
)

// maxQuantity bounds every quantity (1Pi): larger values are typos, and
// bounding them keeps monthly sums far from overflowing Money.
var maxQuantity = resource.MustParse("1Pi")

// maxCPU bounds CPU quantities (a million cores), so nanocores fit int64.
var maxCPU = resource.MustParse("1M")

func maxFor(name string) string {
	if name == "cpu" {
		return maxCPU.String()
	}
	return maxQuantity.String()
}

// podUsage is the resources of one pod replica in integer base units
// (nanocores, bytes, devices): firm (from requests or limits) plus the
// defaulted (estimated) share of each.
type podUsage struct {
	cpu, mem, gpu          int64
	cpuEst, memEst, gpuEst int64
	reasons                []string
}

// isGPU reports whether an extended resource is a GPU (nvidia.com/gpu,
// amd.com/gpu, gpu.intel.com/i915, nvidia.com/mig-1g.5gb, ...).
func isGPU(name string) bool {
	if !strings.Contains(name, "/") {
		return false
	}
	n := strings.ToLower(name)
	return strings.Contains(n, "gpu") || strings.HasPrefix(n, "nvidia.com/mig-")
}

// containerDefaults are LimitRange defaults for containers of a namespace.
type containerDefaults struct {
	request, limit corev1.ResourceList
}

// podUsageOf sums the regular containers of a pod spec (init containers do
// not run alongside them and are not counted). Each resource takes the
// request, else the limit (as the API server defaults it), else the
// namespace's LimitRange default, else the package default.
func podUsageOf(spec map[string]any, specPath string, lr containerDefaults) (*podUsage, error) {
	u := &podUsage{}
	containers, _ := spec["containers"].([]any)
	var errs []string
	for i, c := range containers {
		cm, _ := c.(map[string]any)
		path := fmt.Sprintf("%s.containers[%d].resources", specPath, i)
		res := effectiveResources(cm, path, &errs)
		name, _ := cm["name"].(string)
		u.addContainer(name, res, lr)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return u, nil
}

// effectiveResources merges limits under requests, parsing every quantity.
func effectiveResources(c map[string]any, path string, errs *[]string) map[string]resource.Quantity {
	out := map[string]resource.Quantity{}
	for _, kind := range []string{"limits", "requests"} {
		m, _ := nested(c, "resources", kind).(map[string]any)
		for name, v := range m {
			q, err := quantity.Parse(v)
			if err != nil {
				*errs = append(*errs, fmt.Sprintf("%s.%s.%s: quantity %v does not parse", path, kind, name, v))
				continue
			}
			if q.Sign() < 0 || q.Cmp(maxQuantity) > 0 || (name == "cpu" && q.Cmp(maxCPU) > 0) {
				*errs = append(*errs, fmt.Sprintf("%s.%s.%s: quantity %v is out of range (0 to %s)", path, kind, name, v, maxFor(name)))
				continue
			}
			out[name] = q
		}
	}
	return out
}

func (u *podUsage) addContainer(name string, res map[string]resource.Quantity, lr containerDefaults) {
	cpu, cpuDefaulted := pick(res, lr, corev1.ResourceCPU, DefaultCPURequest)
	mem, memDefaulted := pick(res, lr, corev1.ResourceMemory, DefaultMemoryRequest)
	nano, bytes := cpu.ScaledValue(resource.Nano), mem.Value()
	u.cpu += nano
	u.mem += bytes
	if cpuDefaulted != "" {
		u.cpuEst += nano
		u.reasons = append(u.reasons, fmt.Sprintf("container %s has no CPU request; %s assumed (%s)", name, cpu.String(), cpuDefaulted))
	}
	if memDefaulted != "" {
		u.memEst += bytes
		u.reasons = append(u.reasons, fmt.Sprintf("container %s has no memory request; %s assumed (%s)", name, mem.String(), memDefaulted))
	}
	for rn, q := range res {
		if isGPU(rn) {
			u.gpu += q.Value()
		}
	}
}

// pick returns the quantity of a resource and, when it had to be assumed,
// where the assumption came from.
func pick(res map[string]resource.Quantity, lr containerDefaults, name corev1.ResourceName, def resource.Quantity) (resource.Quantity, string) {
	if q, ok := res[string(name)]; ok {
		return q, ""
	}
	if q, ok := lr.request[name]; ok {
		return q, "LimitRange defaultRequest"
	}
	if q, ok := lr.limit[name]; ok {
		return q, "LimitRange default"
	}
	return def, "Capsule default"
}
