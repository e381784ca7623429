package risk

// Batch workloads: CronJobs that stop scheduling or overlap, and Jobs that
// stay behind after they finish. All low: they degrade operations rather
// than break the promotion.

func init() {
	register(
		setRule{Meta{"cronjob-missing-deadline", "batch", 2}, checkCronDeadline},
		setRule{Meta{"cronjob-concurrent-runs", "batch", 2}, checkCronConcurrency},
		setRule{Meta{"job-missing-ttl", "batch", 1}, checkJobTTL},
	)
}

// checkCronDeadline: without startingDeadlineSeconds, a controller that
// missed more than 100 schedules (downtime, a long suspension) stops
// scheduling the CronJob for good.
func checkCronDeadline(m Meta, ctx *Context) []Finding {
	var out []Finding
	for _, cj := range ctx.Set.OfKind("CronJob") {
		if _, ok := intAt(cj.Object, "spec", "startingDeadlineSeconds"); ok {
			continue
		}
		out = append(out, m.finding(Key(cj), "/spec/startingDeadlineSeconds", "%s has no startingDeadlineSeconds: after more than 100 missed schedules it is never started again", Key(cj)))
	}
	return out
}

// checkCronConcurrency: the default concurrencyPolicy (Allow) starts a run
// while the previous one still runs, so slow runs pile up.
func checkCronConcurrency(m Meta, ctx *Context) []Finding {
	var out []Finding
	for _, cj := range ctx.Set.OfKind("CronJob") {
		if p := stringAt(cj.Object, "spec", "concurrencyPolicy"); p == "Forbid" || p == "Replace" {
			continue
		}
		out = append(out, m.finding(Key(cj), "/spec/concurrencyPolicy", "%s allows concurrent runs (concurrencyPolicy Allow): slow runs overlap and pile up", Key(cj)))
	}
	return out
}

// checkJobTTL: a finished Job and its pods stay until deleted. Jobs a
// CronJob created are cleaned by its history limits and are skipped.
func checkJobTTL(m Meta, ctx *Context) []Finding {
	var out []Finding
	for _, j := range ctx.Set.OfKind("Job") {
		if _, ok := intAt(j.Object, "spec", "ttlSecondsAfterFinished"); ok {
			continue
		}
		owned := false
		for _, r := range j.GetOwnerReferences() {
			owned = owned || r.Kind == "CronJob"
		}
		if owned {
			continue
		}
		out = append(out, m.finding(Key(j), "/spec/ttlSecondsAfterFinished", "%s has no ttlSecondsAfterFinished: it and its pods stay after it finishes", Key(j)))
	}
	return out
}
