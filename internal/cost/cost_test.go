package cost

import (
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/usecapsule/capsule/internal/manifest"
)

func parse(t *testing.T, s string) []manifest.Object {
	t.Helper()
	objs, err := manifest.Parse("t.yaml", []byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

func TestMoney(t *testing.T) {
	for _, c := range []struct {
		m    Money
		want string
	}{{125_400_000, "125.40"}, {4_999, "0.00"}, {5_000, "0.01"}, {-5_000, "-0.01"}, {-17_204_999, "-17.20"}, {0, "0.00"}} {
		if got := c.m.String(); got != c.want {
			t.Errorf("Money(%d) = %s, want %s", c.m, got, c.want)
		}
	}
	js, _ := json.Marshal(struct{ A Money }{125_400_000})
	if string(js) != `{"A":125.40}` {
		t.Errorf("json = %s", js)
	}
	var m Money
	if err := json.Unmarshal([]byte("17.2"), &m); err != nil || m != 17_200_000 {
		t.Errorf("unmarshal = %d, %v", m, err)
	}
}

// TestNoFloatDrift adds a cent-fraction price many times: a float sum
// would drift, the exact one must not.
func TestNoFloatDrift(t *testing.T) {
	objs := parse(t, strings.Repeat("", 0)+`apiVersion: apps/v1
kind: Deployment
metadata: {name: w}
spec:
  replicas: 1000
  template: {spec: {containers: [{name: c, resources: {requests: {cpu: 1m, memory: "0"}}}]}}
`)
	rep, err := Estimate(objs, nil, DefaultPricing(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	// 1000 × 0.001 vCPU × 0.031611 $/h × 730 h = 23.07603 $
	if rep.Items[0].Components.CPU != 23_076_030 {
		t.Fatalf("cpu = %d µ$, want 23076030", rep.Items[0].Components.CPU)
	}
}

func TestBadQuantitiesListed(t *testing.T) {
	objs := parse(t, `apiVersion: apps/v1
kind: Deployment
metadata: {name: a}
spec: {template: {spec: {containers: [{name: c, resources: {requests: {cpu: lots}}}]}}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: b}
spec: {resources: {requests: {storage: 10Gigs}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: c}
spec: {replicas: -1, template: {spec: {containers: [{name: c}]}}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: h}
spec: {scaleTargetRef: {kind: Deployment, name: a}, maxReplicas: many}
`)
	_, err := Estimate(objs, nil, DefaultPricing(), Options{})
	var le manifest.LoadErrors
	if !errors.As(err, &le) || len(le) != 4 {
		t.Fatalf("want 4 errors, got %v", err)
	}
	for i, want := range []string{
		"t.yaml: document 3: HorizontalPodAutoscaler/h: spec.maxReplicas: many is not an integer from 0 to 100000",
		"t.yaml: document 0: Deployment/a: spec.template.spec.containers[0].resources.requests.cpu: quantity lots does not parse",
		"t.yaml: document 1: PersistentVolumeClaim/b: spec.resources.requests.storage: quantity 10Gigs does not parse",
		"t.yaml: document 2: Deployment/c: spec.replicas: -1 is not an integer from 0 to 100000",
	} {
		if le[i].Error() != want {
			t.Errorf("error %d = %q, want %q", i, le[i].Error(), want)
		}
	}
}

func TestParsePricingErrors(t *testing.T) {
	for in, want := range map[string]string{
		"cpu: -1\n":                       "negative",
		"cpus: 1\n":                       "unknown field",
		"cpu: [\n":                        "invalid YAML",
		"instances: [{type: m5.large}]\n": "instances[0]: m5.large: hourly price is required",
		"memory: abc\n":                   "not a decimal",
	} {
		_, err := ParsePricing("p.yaml", []byte(in))
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "p.yaml") {
			t.Errorf("%q: err = %v, want %q", in, err, want)
		}
	}
}

func TestShippedCatalog(t *testing.T) {
	c := ShippedCatalog()
	providers := map[string]bool{}
	for _, in := range c.Instances() {
		providers[in.Provider] = true
		if in.Source == "" || in.AsOf == "" {
			t.Errorf("%s/%s/%s has no source or date", in.Provider, in.Region, in.Type)
		}
		// The split rates must add back up to the instance price.
		cpu, ram, gpu := splitRates(in, big.NewRat(95, 100))
		sum := new(big.Rat).Mul(cpu, in.VCPU.Rat())
		sum.Add(sum, new(big.Rat).Mul(ram, in.MemoryGiB.Rat()))
		sum.Add(sum, new(big.Rat).Mul(gpu, big.NewRat(in.GPU, 1)))
		if sum.Cmp(in.Hourly.Rat()) != 0 {
			t.Errorf("%s: split rates sum to %s, want %s", in.Type, sum.FloatString(6), in.Hourly)
		}
	}
	for _, p := range []string{"aws", "gcp", "azure"} {
		if !providers[p] {
			t.Errorf("catalogue has no %s prices", p)
		}
	}
	if _, exact, ok := c.Lookup("aws", "us-east-1", "m5.xlarge"); !ok || !exact {
		t.Error("m5.xlarge in us-east-1 not found")
	}
	if _, exact, ok := c.Lookup("", "nowhere-1", "m5.xlarge"); !ok || exact {
		t.Error("m5.xlarge elsewhere should match inexactly")
	}
}

func TestResourcesSummary(t *testing.T) {
	got := resourcesSummary(Usage{CPUMillicores: 1000, MemoryBytes: 2 << 30}, Usage{CPUMillicores: 3000, MemoryBytes: 10 << 30, GPUs: 1})
	if got["cpu"] != "+2 vCPU" || got["memory"] != "+8 GiB" || got["gpu"] != "+1 GPU" || len(got) != 3 {
		t.Errorf("got %v", got)
	}
	if s := signed(big.NewRat(-1, 2), 3); s != "-0.5" {
		t.Errorf("signed = %s", s)
	}
}

func TestPricingFileInstanceOverrides(t *testing.T) {
	p, err := ParsePricing("p.yaml", []byte("instances:\n- {type: m5.xlarge, vcpu: 4, memory_gib: 16, hourly: \"0.5\"}\n"))
	if err != nil {
		t.Fatal(err)
	}
	cat := p.Catalog.merged(p.Instances)
	in, exact, ok := cat.Lookup("aws", "us-east-1", "m5.xlarge")
	if !ok || !exact || in.Hourly.String() != "0.5" {
		t.Fatalf("got %+v exact=%v ok=%v, want the pricing file's 0.5", in, exact, ok)
	}
	if in, _, _ := ShippedCatalog().Lookup("aws", "us-east-1", "m5.xlarge"); in.Hourly.String() != "0.192" {
		t.Fatalf("shipped catalogue changed: %s", in.Hourly)
	}
}

func TestControlledObjectsNotCountedTwice(t *testing.T) {
	objs := parse(t, `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, uid: d1}
spec: {replicas: 2, template: {spec: {containers: [{name: c, resources: {requests: {cpu: "1"}}}]}}}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: web-5d9c
  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: d1, controller: true}]
spec: {replicas: 2, template: {spec: {containers: [{name: c, resources: {requests: {cpu: "1"}}}]}}}
---
apiVersion: v1
kind: Pod
metadata:
  name: web-5d9c-abcde
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-5d9c, uid: r1, controller: true}]
spec: {containers: [{name: c, resources: {requests: {cpu: "1"}}}]}
`)
	rep, err := Estimate(objs, nil, DefaultPricing(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Items) != 1 || rep.Usage.CPUMillicores != 2000 || len(rep.Notes) != 1 {
		t.Fatalf("items %d, cpu %dm, notes %v", len(rep.Items), rep.Usage.CPUMillicores, rep.Notes)
	}
}

func TestRolloutWorkloadRef(t *testing.T) {
	objs := parse(t, `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: api}
spec:
  replicas: 3
  workloadRef: {apiVersion: apps/v1, kind: Deployment, name: api-template}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api-template}
spec:
  replicas: 0
  template: {spec: {containers: [{name: c, resources: {requests: {cpu: "1", memory: 1Gi}}}]}}
`)
	rep, err := Estimate(objs, nil, DefaultPricing(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var rollout Item
	for _, it := range rep.Items {
		if it.Resource == "Rollout/api" {
			rollout = it
		}
	}
	// The Rollout runs 3 pods of the referenced template; the Deployment
	// itself is scaled to 0, as Argo Rollouts requires.
	if rollout.Usage.CPUMillicores != 3000 || rep.Usage.CPUMillicores != 3000 {
		t.Fatalf("rollout %+v, total cpu %dm", rollout.Usage, rep.Usage.CPUMillicores)
	}
}

func TestMoney64MatchesBig(t *testing.T) {
	e := &estimator{rates: resolveRates(DefaultPricing(), nil)}
	e.prepareRates()
	for _, c := range []struct{ amount, count int64 }{{1, 1}, {250_000_000, 3}, {999_999_999_999, 7}, {1 << 40, 1000}, {123_456_789, 99_999}} {
		for _, f := range []frac{{1, 1}, {1, 2}, {13, 10}, {0, 1}} {
			fast, ok := money64(c.amount, c.count, f, frac{1, 1}, e.memRate)
			x := new(big.Int).SetInt64(c.amount)
			x.Mul(x, big.NewInt(c.count*f.num))
			x.Mul(x, e.memRate.num)
			y := new(big.Int).Mul(big.NewInt(f.den), e.memRate.den)
			slow := moneyFromQuo(x, y)
			if ok && fast != slow {
				t.Errorf("%+v %v: int64 %d, big %d", c, f, fast, slow)
			}
		}
	}
}

// TestShownDeltaAddsUp checks the printed delta against the printed
// baseline and projected figures (found on a real preview: $29.12 -> $81.31
// was printed as +$52.18).
func TestShownDeltaAddsUp(t *testing.T) {
	from, to := Money(29_124_999), Money(81_305_000)
	if got := shownDelta(from, to).String(); got != "52.19" {
		t.Fatalf("delta = %s, want 52.19 (81.31 - 29.12)", got)
	}
	if got := (to - from).String(); got != "52.18" {
		t.Fatalf("precondition: the exact difference rounds to %s", got)
	}
}
