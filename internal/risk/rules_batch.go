package risk

// Batch workloads: CronJobs that stop scheduling or overlap, and Jobs that
// stay behind after they finish, all low: they degrade operations rather
// than break the promotion. And the restart policy a controller rejects,
// which does break it.

func init() {
	register(
		setRule{Meta{"cronjob-missing-deadline", "batch", 2}, checkCronDeadline},
		setRule{Meta{"cronjob-concurrent-runs", "batch", 2}, checkCronConcurrency},
		setRule{Meta{"job-missing-ttl", "batch", 1}, checkJobTTL},
		setRule{Meta{"invalid-restart-policy", "spec-validity", 8}, checkRestartPolicy},
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

// checkRestartPolicy flags a pod template whose restartPolicy its
// controller does not accept: a Job's pods must be OnFailure or Never (an
// unset policy means Always, which the API server rejects for a Job), and
// a long-running workload's must be Always.
func checkRestartPolicy(m Meta, ctx *Context) []Finding {
	var out []Finding
	for _, w := range ctx.Set.Workloads {
		if w.Kind == "Pod" || w.TemplatePath == workloadRefPath || w.Spec == nil {
			continue
		}
		policy := stringAt(w.Spec, "restartPolicy")
		path := w.TemplatePath + "/spec/restartPolicy"
		switch {
		case (w.Kind == "Job" || w.Kind == "CronJob") && policy != "OnFailure" && policy != "Never":
			shown := policy
			if shown == "" {
				shown = "unset, so Always"
			}
			out = append(out, m.finding(w.Key, path, "%s's pods have restartPolicy %s: a Job needs OnFailure or Never, so the API server will reject it", w.Key, shown))
		case w.Kind != "Job" && w.Kind != "CronJob" && policy != "" && policy != "Always":
			out = append(out, m.finding(w.Key, path, "%s's pods have restartPolicy %s: a %s accepts only Always, so the API server will reject it", w.Key, policy, w.Kind))
		}
	}
	return out
}
