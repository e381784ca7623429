package servicespec

import (
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/usecapsule/capsule/internal/quantity"
)

// check records what the schema cannot express.
func check(s *Spec, p *problems) {
	checkScaling(s, p)
	checkSchedule(s, p)
	checkIngress(s, p)
	checkStorage(s, p)
	checkPair(p, "resources.cpu", s.Resources.CPU)
	checkPair(p, "resources.memory", s.Resources.Memory)
}

func checkScaling(s *Spec, p *problems) {
	if s.Type == TypeCron {
		if s.Scaling != (Scaling{}) {
			p.add("scaling", "cron services run one job per schedule and do not scale; remove scaling")
		}
		return
	}
	if s.Scaling.MaxReplicas < s.Scaling.MinReplicas {
		p.add("scaling.maxReplicas", "must be at least minReplicas (%d), is %d", s.Scaling.MinReplicas, s.Scaling.MaxReplicas)
	}
}

// cronMacros are the shorthands Kubernetes CronJobs accept.
var cronMacros = map[string]bool{"@yearly": true, "@annually": true, "@monthly": true, "@weekly": true, "@daily": true, "@midnight": true, "@hourly": true}

func checkSchedule(s *Spec, p *problems) {
	if s.Type != TypeCron {
		if s.Schedule != "" {
			p.add("schedule", "only cron services have a schedule (type is %s)", s.Type)
		}
		return
	}
	switch {
	case s.Schedule == "":
		p.add("schedule", "is required for cron services (e.g. \"*/15 * * * *\" or @daily)")
	case strings.HasPrefix(s.Schedule, "@"):
		if !cronMacros[s.Schedule] {
			p.add("schedule", "%q is not one of @yearly, @monthly, @weekly, @daily, @hourly", s.Schedule)
		}
	case len(strings.Fields(s.Schedule)) != 5:
		p.add("schedule", "%q must have five fields: minute hour day-of-month month day-of-week", s.Schedule)
	case strings.ContainsFunc(s.Schedule, func(r rune) bool {
		return !strings.ContainsRune("0123456789*,-/? \tABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", r)
	}):
		p.add("schedule", "%q holds characters a cron schedule cannot have", s.Schedule)
	}
}

func checkIngress(s *Spec, p *problems) {
	in := s.Ingress
	if in == (Ingress{}) {
		return
	}
	if !Serves(s.Type) {
		p.add("ingress", "%s services take no traffic; remove ingress", s.Type)
		return
	}
	if in.Host == "" {
		p.add("ingress.host", "is required when ingress is configured")
		return
	}
	host := strings.TrimPrefix(in.Host, "*.")
	for _, msg := range validation.IsDNS1123Subdomain(host) {
		p.add("ingress.host", "%q: %s", in.Host, msg)
	}
}

func checkStorage(s *Spec, p *problems) {
	if s.Storage == nil {
		return
	}
	if s.Type == TypeStatic || s.Type == TypeCron {
		p.add("storage", "%s services cannot have persistent storage", s.Type)
	}
	if s.Deploy.Strategy == StrategyBlueGreen || s.Deploy.Strategy == StrategyCanary {
		p.add("storage", "a service with storage (a StatefulSet) cannot use the %s strategy; use rolling or recreate", s.Deploy.Strategy)
	}
	if s.Storage.MountPath == "" {
		p.add("storage.mountPath", "is required (where the volume is mounted, e.g. /data)")
	}
	q, err := quantity.ParseString(s.Storage.Size)
	if err != nil || q.Sign() <= 0 {
		p.add("storage.size", "%q is not a positive quantity such as 10Gi", s.Storage.Size)
	}
}

func checkPair(p *problems, field string, pair Pair) {
	req, err1 := quantity.ParseString(pair.Request)
	switch {
	case err1 == quantity.ErrOutOfRange:
		p.add(field+".request", "%q is out of range: a quantity is below 10^40 (e.g. 250m, 1, 512Mi)", pair.Request)
	case err1 != nil:
		p.add(field+".request", "%q is not a Kubernetes quantity (e.g. 250m, 1, 512Mi)", pair.Request)
	}
	lim, err2 := quantity.ParseString(pair.Limit)
	switch {
	case err2 == quantity.ErrOutOfRange:
		p.add(field+".limit", "%q is out of range: a quantity is below 10^40 (e.g. 500m, 2, 1Gi)", pair.Limit)
	case err2 != nil:
		p.add(field+".limit", "%q is not a Kubernetes quantity (e.g. 500m, 2, 1Gi)", pair.Limit)
	}
	if err1 == nil && err2 == nil {
		if req.Sign() <= 0 {
			p.add(field+".request", "must be more than zero")
		}
		if req.Cmp(lim) > 0 {
			p.add(field+".request", "%s is more than the limit %s", pair.Request, pair.Limit)
		}
	}
}
