package diff

// apiDefaults are the API-server defaults of cluster-level kinds that
// platform manifests carry (CRDs, webhooks, APIServices, storage classes,
// RBAC-adjacent objects), found by applying real manifests to a real API
// server and reading them back.
var apiDefaults = map[string][]fieldDefault{
	"apiextensions.k8s.io/CustomResourceDefinition": defaults(
		"spec.conversion.strategy", "None",
		"spec.conversion.webhook.clientConfig.service.port", int64(443),
	),
	"apiregistration.k8s.io/APIService": defaults("spec.service.port", int64(443)),
	"storage.k8s.io/CSIDriver": defaults(
		"spec.attachRequired", true,
		"spec.podInfoOnMount", false,
		"spec.requiresRepublish", false,
		"spec.storageCapacity", false,
		"spec.seLinuxMount", false,
		"spec.fsGroupPolicy", "ReadWriteOnceWithFSType",
	),
	"scheduling.k8s.io/PriorityClass": defaults("preemptionPolicy", "PreemptLowerPriority"),
	"storage.k8s.io/StorageClass": defaults(
		"reclaimPolicy", "Delete",
		"volumeBindingMode", "Immediate",
	),
	"networking.k8s.io/NetworkPolicy": defaults(
		"spec.ingress.*.ports.*.protocol", "TCP",
		"spec.egress.*.ports.*.protocol", "TCP",
	),
	"admissionregistration.k8s.io/ValidatingWebhookConfiguration": webhookDefaults,
	"admissionregistration.k8s.io/MutatingWebhookConfiguration": append(defaults(
		"webhooks.*.reinvocationPolicy", "Never",
	), webhookDefaults...),
}

// webhookDefaults are shared by validating and mutating webhooks.
var webhookDefaults = defaults(
	"webhooks.*.matchPolicy", "Equivalent",
	"webhooks.*.failurePolicy", "Fail",
	"webhooks.*.timeoutSeconds", int64(10),
	"webhooks.*.objectSelector", emptyMap,
	"webhooks.*.namespaceSelector", emptyMap,
	"webhooks.*.rules.*.scope", "*",
	"webhooks.*.clientConfig.service.port", int64(443),
)

// injectedCABundle are the kinds whose caBundle a controller (cert-manager's
// cainjector, the service CA operator, a webhook's own bootstrap) writes into
// the live object after apply.
var injectedCABundle = map[string]bool{
	"admissionregistration.k8s.io/ValidatingWebhookConfiguration": true,
	"admissionregistration.k8s.io/MutatingWebhookConfiguration":   true,
	"apiregistration.k8s.io/APIService":                           true,
	"apiextensions.k8s.io/CustomResourceDefinition":               true,
}

// dropEmptyCABundles deletes `caBundle: ""`, which the server stores as no
// caBundle at all. A caBundle present on one side only is filled from the
// other (see defaulted.dependent): manifests leave it empty for a controller
// to inject, so the injected value is not a change of intent.
func dropEmptyCABundles(v any) {
	switch x := v.(type) {
	case map[string]any:
		if cb, ok := x["caBundle"]; ok && (cb == nil || cb == "") {
			delete(x, "caBundle")
		}
		for k, e := range x {
			if k != "caBundle" {
				dropEmptyCABundles(e)
			}
		}
	case []any:
		for _, e := range x {
			dropEmptyCABundles(e)
		}
	}
}

// namespaceServerFields drops the kubernetes.io/metadata.name label (always
// the namespace's name) and the kubernetes finalizer the server adds.
func namespaceServerFields(m map[string]any) {
	md, _ := m["metadata"].(map[string]any)
	if labels, ok := md["labels"].(map[string]any); ok {
		if labels["kubernetes.io/metadata.name"] == md["name"] {
			delete(labels, "kubernetes.io/metadata.name")
		}
		if len(labels) == 0 {
			delete(md, "labels")
		}
	}
	spec, _ := m["spec"].(map[string]any)
	if f, ok := spec["finalizers"].([]any); ok && len(f) == 1 && f[0] == "kubernetes" {
		delete(spec, "finalizers")
	}
	if spec != nil && len(spec) == 0 {
		delete(m, "spec")
	}
}
