package risk

// Admission webhooks: a promotion that adds or changes one puts a service
// of its own in the path of every matching API request. A mutating webhook
// can rewrite the objects (inject containers, change images); a validating
// one can refuse them. With failurePolicy Fail (the default) and no
// namespace or object selector, the webhook being down makes every
// matching request fail, kube-system's included: a cluster outage.

func init() {
	register(setRule{Meta{"admission-webhook", "admission", 5}, checkWebhooks})
}

func checkWebhooks(m Meta, ctx *Context) []Finding {
	var out []Finding
	for _, kind := range []string{"MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"} {
		for _, o := range ctx.Set.OfKind(kind) {
			if clusterOwned(kind, o.GetName()) {
				continue
			}
			for i, h := range sliceAt(o.Object, "webhooks") {
				hm, _ := h.(map[string]any)
				f := m.finding(Key(o), "/webhooks/"+itoa(int64(i)), "%s's webhook %q sees every matching API request and can %s it", Key(o), stringAt(hm, "name"),
					map[string]string{"MutatingWebhookConfiguration": "rewrite", "ValidatingWebhookConfiguration": "refuse"}[kind])
				if kind == "ValidatingWebhookConfiguration" {
					f.Severity = 3
				}
				if fails := stringAt(hm, "failurePolicy"); (fails == "" || fails == "Fail") && hm["namespaceSelector"] == nil && hm["objectSelector"] == nil {
					f.Severity = 7
					f.Message += "; with failurePolicy Fail and no namespace or object selector, its outage blocks those requests in every namespace, kube-system included"
				}
				out = append(out, f)
			}
		}
	}
	return out
}
