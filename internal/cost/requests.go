package cost

import (
	"fmt"
	"math/big"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
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

// podUsage is the resources of one pod replica: firm (from requests or
// limits) and defaulted (estimated) parts in exact units.
type podUsage struct {
	cpu, mem, gpu          *big.Rat // cores, GiB, devices
	cpuEst, memEst, gpuEst *big.Rat // the defaulted share of each
	reasons                []string
}

func newPodUsage() *podUsage {
	return &podUsage{cpu: new(big.Rat), mem: new(big.Rat), gpu: new(big.Rat),
		cpuEst: new(big.Rat), memEst: new(big.Rat), gpuEst: new(big.Rat)}
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
	u := newPodUsage()
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
			q, err := quantity(v)
			if err != nil {
				*errs = append(*errs, fmt.Sprintf("%s.%s.%s: quantity %v does not parse", path, kind, name, v))
				continue
			}
			if q.Sign() < 0 || q.Cmp(maxQuantity) > 0 {
				*errs = append(*errs, fmt.Sprintf("%s.%s.%s: quantity %v is out of range (0 to 1Pi)", path, kind, name, v))
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
	cores := scaleDec(cpu, 1)
	gib := scaleDec(mem, 1<<30)
	u.cpu.Add(u.cpu, cores)
	u.mem.Add(u.mem, gib)
	if cpuDefaulted != "" {
		u.cpuEst.Add(u.cpuEst, cores)
		u.reasons = append(u.reasons, fmt.Sprintf("container %s has no CPU request; %s assumed (%s)", name, cpu.String(), cpuDefaulted))
	}
	if memDefaulted != "" {
		u.memEst.Add(u.memEst, gib)
		u.reasons = append(u.reasons, fmt.Sprintf("container %s has no memory request; %s assumed (%s)", name, mem.String(), memDefaulted))
	}
	for rn, q := range res {
		if isGPU(rn) {
			u.gpu.Add(u.gpu, big.NewRat(q.Value(), 1))
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

// scaleDec returns q / unit exactly (q in base units, e.g. bytes).
func scaleDec(q resource.Quantity, unit int64) *big.Rat {
	d := q.AsDec() // exact decimal: unscaled × 10^-scale
	r := new(big.Rat).SetInt(d.UnscaledBig())
	scale := d.Scale()
	pow := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(abs(int(scale)))), nil)
	if scale > 0 {
		r.Quo(r, new(big.Rat).SetInt(pow))
	} else {
		r.Mul(r, new(big.Rat).SetInt(pow))
	}
	return r.Quo(r, big.NewRat(unit, 1))
}

func abs(i int) int {
	if i < 0 {
		return -i
	}
	return i
}
