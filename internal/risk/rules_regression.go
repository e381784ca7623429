package risk

// Regression rules: what the change takes away. Their findings are always
// new: they describe the change, not a state.

func init() {
	register(
		changeRule{Meta{"replicas-lowered", "replicas", 5}, compareReplicas},
		changeRule{Meta{"probe-removed", "probes", 6}, compareProbes},
		changeRule{Meta{"resources-removed", "resources", 5}, compareResources},
		changeRule{Meta{"pdb-removed", "pdb", 6}, comparePDBs},
		changeRule{Meta{"image-made-mutable", "image-tag", 6}, compareImages},
	)
}

// changeRule is a ChangeRule written as one function.
type changeRule struct {
	meta    Meta
	compare func(m Meta, c *Change) []Finding
}

// Meta implements Rule.
func (r changeRule) Meta() Meta { return r.meta }

// Compare implements ChangeRule.
func (r changeRule) Compare(c *Change) []Finding { return r.compare(r.meta, c) }

// pairs returns the workloads present in both sets, in key order.
func pairs(c *Change) [][2]*Workload {
	cur := make(map[string]*Workload, len(c.Current.Workloads))
	for _, w := range c.Current.Workloads {
		cur[w.Key] = w
	}
	var out [][2]*Workload
	for _, w := range c.Proposed.Workloads {
		if old, ok := cur[w.Key]; ok {
			out = append(out, [2]*Workload{old, w})
		}
	}
	return out
}

// containerPairs matches containers by name (regular and init).
func containerPairs(old, new *Workload) [][2]Container {
	byName := map[string]Container{}
	for _, c := range old.Pod.AllContainers() {
		byName[c.Name] = c
	}
	var out [][2]Container
	for _, c := range new.Pod.AllContainers() {
		if o, ok := byName[c.Name]; ok {
			out = append(out, [2]Container{o, c})
		}
	}
	return out
}

// compareReplicas uses the HPA's minReplicas where an HPA scales the
// workload. Lowering to one (or zero) is at least 7: no redundancy left.
func compareReplicas(m Meta, c *Change) []Finding {
	var out []Finding
	for _, p := range pairs(c) {
		if !p[1].HasReplicas {
			continue
		}
		before, after := effectiveReplicas(c.Current, p[0]), effectiveReplicas(c.Proposed, p[1])
		if after >= before {
			continue
		}
		f := m.finding(p[1].Key, "/spec/replicas", "%s replicas lowered from %d to %d", p[1].Key, before, after)
		if after <= 1 {
			f.Severity = 7.5
			f.Message += ": no redundancy left"
		}
		out = append(out, f)
	}
	return out
}

func compareProbes(m Meta, c *Change) []Finding {
	var out []Finding
	for _, p := range pairs(c) {
		for _, cp := range containerPairs(p[0], p[1]) {
			o, n := cp[0], cp[1]
			for _, pr := range []struct {
				had, has bool
				field    string
				sev      float64
			}{{o.Readiness, n.Readiness, "readinessProbe", 6}, {o.Liveness, n.Liveness, "livenessProbe", 5}, {o.Startup, n.Startup, "startupProbe", 5}} {
				if pr.had && !pr.has {
					f := m.finding(p[1].Key, n.Path+"/"+pr.field, "%s removed from container %q", pr.field, n.Name)
					f.Severity = pr.sev
					out = append(out, f)
				}
			}
		}
	}
	return out
}

func compareResources(m Meta, c *Change) []Finding {
	var out []Finding
	for _, p := range pairs(c) {
		for _, cp := range containerPairs(p[0], p[1]) {
			o, n := cp[0], cp[1]
			for _, kind := range []struct {
				name     string
				old, new map[string]string
			}{{"requests", o.Requests, n.Requests}, {"limits", o.Limits, n.Limits}} {
				for _, r := range []string{"cpu", "memory"} {
					// A request left to default to an unchanged limit is not removed.
					defaulted := kind.name == "requests" && n.Limits[r] != ""
					if kind.old[r] != "" && kind.new[r] == "" && !defaulted {
						out = append(out, m.finding(p[1].Key, n.Path+"/resources/"+kind.name+"/"+r, "%s %s removed from container %q (was %s)", r, kind.name, n.Name, kind.old[r]))
					}
				}
			}
		}
	}
	return out
}

func comparePDBs(m Meta, c *Change) []Finding {
	var out []Finding
	for _, p := range c.Current.OfKind("PodDisruptionBudget") {
		if c.Proposed.Get(Key(p)) == nil {
			out = append(out, m.finding(Key(p), "", "%s removed: voluntary disruptions may take down every replica at once", Key(p)))
		}
	}
	return out
}

// compareImages: moving to a mutable reference (latest or no tag) is 7;
// giving up a digest pin for a tag is 5.
func compareImages(m Meta, c *Change) []Finding {
	var out []Finding
	for _, p := range pairs(c) {
		for _, cp := range containerPairs(p[0], p[1]) {
			o, n := cp[0], cp[1]
			_, oldDigest := imageTag(o.Image)
			_, newDigest := imageTag(n.Image)
			switch {
			case !mutableImage(o.Image) && mutableImage(n.Image):
				f := m.finding(p[1].Key, n.Path+"/image", "container %q moved from %q to the mutable image %q", n.Name, o.Image, n.Image)
				f.Severity = 7
				out = append(out, f)
			case oldDigest != "" && newDigest == "":
				f := m.finding(p[1].Key, n.Path+"/image", "container %q image is no longer pinned by digest (%q)", n.Name, n.Image)
				f.Severity = 5
				out = append(out, f)
			}
		}
	}
	return out
}
