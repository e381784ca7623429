package render

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Annotation keys of the pod template.
const (
	AnnotationConfigChecksum = "checksum/config"
	AnnotationSecretChecksum = "checksum/secret"
)

func (r *renderer) configMapName() string { return r.spec.Name + "-env" }
func (r *renderer) secretName() string    { return r.spec.Name + "-secrets" }

func (r *renderer) serviceAccount() Object {
	return &corev1.ServiceAccount{
		TypeMeta:                     metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
		ObjectMeta:                   r.meta(r.spec.Name),
		AutomountServiceAccountToken: ptr(false),
	}
}

// configMap holds the spec's env; nil when there is none.
func (r *renderer) configMap() Object {
	if len(r.spec.Env) == 0 {
		return nil
	}
	data := make(map[string]string, len(r.spec.Env))
	for k, v := range r.spec.Env {
		data[k] = v
	}
	return &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: r.meta(r.configMapName()),
		Data:       data,
	}
}

// envFrom references the ConfigMap and the Secret.
func (r *renderer) envFrom() []corev1.EnvFromSource {
	var out []corev1.EnvFromSource
	if len(r.spec.Env) > 0 {
		out = append(out, corev1.EnvFromSource{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: r.configMapName()}}})
	}
	if len(r.spec.Secrets) > 0 {
		out = append(out, corev1.EnvFromSource{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: r.secretName()}}})
	}
	return out
}

// checksums are the pod-template annotations that change when the
// configuration does, so that Kubernetes rolls the pods.
func (r *renderer) checksums() map[string]string {
	a := map[string]string{}
	if len(r.spec.Env) > 0 {
		a[AnnotationConfigChecksum] = checksum(r.spec.Env, nil)
	}
	if len(r.spec.Secrets) > 0 {
		a[AnnotationSecretChecksum] = checksum(r.opts.SecretData, r.spec.Secrets)
	}
	if len(a) == 0 {
		return nil
	}
	return a
}

// checksum hashes the sorted key=value pairs of data, plus the names in
// keys (whose values may be unknown), unambiguously.
func checksum(data map[string]string, keys []string) string {
	names := make([]string, 0, len(data)+len(keys))
	seen := map[string]bool{}
	for k := range data {
		names, seen[k] = append(names, k), true
	}
	for _, k := range keys {
		if !seen[k] {
			names, seen[k] = append(names, k), true
		}
	}
	sort.Strings(names)
	h := sha256.New()
	for _, k := range names {
		// Length prefixes keep "a"="bc" and "ab"="c" apart.
		v, ok := data[k]
		fmt.Fprintf(h, "%d:%s", len(k), k)
		if ok {
			fmt.Fprintf(h, "=%d:%s", len(v), v)
		}
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))
}
