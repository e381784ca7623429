package risk

// Keys a pod reads from a ConfigMap or Secret of the set that the object
// does not hold. The kubelet refuses to start the container
// (CreateContainerConfigError) or to mount the volume, so the rollout
// stalls. Only objects the set holds are judged: the keys of one managed
// elsewhere are unknown. An object with no keys at all is a placeholder that
// a controller or operator fills (a service-account token Secret, a
// certificate), so it is not judged either. Optional references are exempt.

func init() {
	register(setRule{Meta{"config-key-missing", "config-reference", 8}, checkConfigKeys})
}

// keyRef is one key read from a ConfigMap or Secret.
type keyRef struct {
	kind, name, key, path string
}

func checkConfigKeys(m Meta, ctx *Context) []Finding {
	var out []Finding
	for _, w := range ctx.Set.Workloads {
		ns := w.Obj.GetNamespace()
		for _, r := range podKeyRefs(w) {
			o := inSet(ctx.Set, r.kind, r.name, ns)
			if o == nil {
				continue // missing-config-reference speaks for a missing object
			}
			if judged, has := hasKey(o.Object, r.key); !judged || has {
				continue
			}
			out = append(out, m.finding(w.Key, r.path, "%s reads key %q of %s/%s, which has no such key: its pods will not start", w.Key, r.key, r.kind, r.name))
		}
	}
	return out
}

// hasKey looks key up in a ConfigMap's or Secret's data, binaryData and
// stringData. judged is false when the object has no key at all (a
// placeholder) or is a token Secret the control plane fills.
func hasKey(o map[string]any, key string) (judged, has bool) {
	if stringAt(o, "type") == "kubernetes.io/service-account-token" {
		return false, false
	}
	for _, field := range []string{"data", "binaryData", "stringData"} {
		m := mapAt(o, field)
		if _, ok := m[key]; ok {
			return true, true
		}
		judged = judged || len(m) > 0
	}
	return judged, false
}

// podKeyRefs returns the non-optional key references of env valueFrom and
// of volume items (plain and projected), read at the paths the pod parser
// recorded.
func podKeyRefs(w *Workload) []keyRef {
	var out []keyRef
	for _, c := range w.Pod.AllContainers() {
		for _, e := range c.Env {
			if e.Ref == nil || e.Ref.Optional {
				continue
			}
			ref, _ := atPointer(w.Obj.Object, e.Ref.Path).(map[string]any)
			if key := stringAt(ref, "key"); key != "" {
				out = append(out, keyRef{e.Ref.Kind, e.Ref.Name, key, e.Ref.Path + "/key"})
			}
		}
	}
	for _, v := range w.Pod.Volumes {
		for _, r := range v.Refs {
			if r.Optional {
				continue
			}
			src, _ := atPointer(w.Obj.Object, r.Path).(map[string]any)
			for i, it := range sliceAt(src, "items") {
				im, _ := it.(map[string]any)
				if key := stringAt(im, "key"); key != "" {
					out = append(out, keyRef{r.Kind, r.Name, key, r.Path + "/items/" + itoa(int64(i)) + "/key"})
				}
			}
		}
	}
	return out
}
