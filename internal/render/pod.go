package render

import (
	"sort"
	"strconv"
	"strings"

	"github.com/usecapsule/capsule/internal/dockerfile"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// UID and GID the containers run as: the USER of capsule's Dockerfiles.
const runAsID = 10001

// frameworkPaths are the directories a framework writes to at run time,
// which need an emptyDir under a read-only root filesystem.
var frameworkPaths = map[string][]string{
	"nextjs":  {"/app/.next/cache"},
	"nuxt":    {"/app/.nuxt"},
	"rails":   {"/app/tmp", "/app/log"},
	"sinatra": {"/app/tmp"},
	"laravel": {"/var/www/html/storage/framework/cache", "/var/www/html/storage/framework/sessions", "/var/www/html/storage/framework/views", "/var/www/html/storage/logs", "/var/www/html/bootstrap/cache"},
	"symfony": {"/var/www/html/var"},
}

// typePaths are the run-time directories of a service type's server.
var typePaths = map[string][]string{
	// nginx's cache, and /run for the pid file of the official nginx image
	// when a repository's own Dockerfile serves with it.
	"static": {"/var/cache/nginx", "/run"},
}

// podTemplate is the pod of the service, with extra labels (slot, track)
// and the given image.
func (r *renderer) podTemplate(extra map[string]string, image string) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: with(r.labels(), flatten(extra)...), Annotations: r.checksums()},
		Spec:       r.podSpec(image),
	}
}

func (r *renderer) podSpec(image string) corev1.PodSpec {
	vols, mounts := r.volumes()
	spec := corev1.PodSpec{
		ServiceAccountName:           r.spec.Name,
		AutomountServiceAccountToken: ptr(false),
		SecurityContext: &corev1.PodSecurityContext{
			RunAsNonRoot:   ptr(true),
			RunAsUser:      ptr(int64(runAsID)),
			RunAsGroup:     ptr(int64(runAsID)),
			FSGroup:        ptr(int64(runAsID)),
			SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
		},
		Containers: []corev1.Container{r.container(image, mounts)},
		Volumes:    vols,
	}
	if p := r.spec.Port; p > 0 && p < 1024 {
		// A repository's own image on port 80 (nginx, httpd, Thruster) runs
		// as UID 10001 here: let the pod bind low ports without root or
		// NET_BIND_SERVICE. The sysctl is namespaced and in the restricted
		// profile's safe set.
		spec.SecurityContext.Sysctls = []corev1.Sysctl{{Name: "net.ipv4.ip_unprivileged_port_start", Value: "0"}}
	}
	if r.spec.Scaling.MaxReplicas > 1 {
		// Spread replicas over nodes when possible, so one node failure
		// does not take every replica.
		spec.TopologySpreadConstraints = []corev1.TopologySpreadConstraint{{
			MaxSkew:           1,
			TopologyKey:       "kubernetes.io/hostname",
			WhenUnsatisfiable: corev1.ScheduleAnyway,
			LabelSelector:     &metav1.LabelSelector{MatchLabels: r.selector()},
		}}
	}
	return spec
}

func (r *renderer) container(image string, mounts []corev1.VolumeMount) corev1.Container {
	s := r.spec
	c := corev1.Container{
		Name:            "app",
		Image:           image,
		ImagePullPolicy: corev1.PullIfNotPresent,
		EnvFrom:         r.envFrom(),
		Resources:       r.resources(),
		VolumeMounts:    mounts,
		SecurityContext: &corev1.SecurityContext{
			RunAsNonRoot:             ptr(true),
			AllowPrivilegeEscalation: ptr(false),
			ReadOnlyRootFilesystem:   ptr(s.ReadOnlyRootFilesystem == nil || *s.ReadOnlyRootFilesystem),
			Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
		},
	}
	if s.Port > 0 {
		c.Ports = []corev1.ContainerPort{{Name: "http", ContainerPort: int32(s.Port), Protocol: corev1.ProtocolTCP}}
		c.Env = []corev1.EnvVar{{Name: "PORT", Value: strconv.Itoa(s.Port)}}
	}
	if !r.serves() && strings.TrimSpace(s.Start) != "" {
		c.Command = dockerfile.Words(s.Start)
	}
	if r.serves() {
		c.StartupProbe, c.ReadinessProbe, c.LivenessProbe = r.probes()
	}
	return c
}

func (r *renderer) resources() corev1.ResourceRequirements {
	res := r.spec.Resources
	return corev1.ResourceRequirements{
		Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(res.CPU.Request), corev1.ResourceMemory: resource.MustParse(res.Memory.Request)},
		Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(res.CPU.Limit), corev1.ResourceMemory: resource.MustParse(res.Memory.Limit)},
	}
}

// probes returns the startup, readiness and liveness probes.
func (r *renderer) probes() (startup, readiness, liveness *corev1.Probe) {
	h := r.spec.Health
	port := h.Port
	if port == 0 {
		port = r.spec.Port
	}
	handler := corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(int32(port))}}
	if h.Path != "" {
		handler = corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: h.Path, Port: intstr.FromInt32(int32(port)), Scheme: corev1.URISchemeHTTP}}
	}
	startup = &corev1.Probe{ProbeHandler: handler, InitialDelaySeconds: int32(h.InitialDelaySeconds), PeriodSeconds: 5, TimeoutSeconds: 3, FailureThreshold: 30, SuccessThreshold: 1}
	readiness = &corev1.Probe{ProbeHandler: handler, PeriodSeconds: 10, TimeoutSeconds: 3, FailureThreshold: 3, SuccessThreshold: 1}
	liveness = &corev1.Probe{ProbeHandler: handler, PeriodSeconds: 20, TimeoutSeconds: 5, FailureThreshold: 3, SuccessThreshold: 1}
	return startup, readiness, liveness
}

// volumes returns the emptyDir volumes for /tmp and every writable path,
// and their mounts, plus the StatefulSet's data mount.
func (r *renderer) volumes() ([]corev1.Volume, []corev1.VolumeMount) {
	paths := []string{"/tmp"}
	paths = append(paths, typePaths[r.spec.Type]...)
	paths = append(paths, frameworkPaths[r.spec.Framework]...)
	paths = append(paths, r.spec.WritablePaths...)
	var vols []corev1.Volume
	var mounts []corev1.VolumeMount
	used := map[string]bool{}
	for _, p := range paths {
		name := volumeName(p)
		if used[name] {
			continue
		}
		used[name] = true
		vols = append(vols, corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}})
		mounts = append(mounts, corev1.VolumeMount{Name: name, MountPath: p})
	}
	if st := r.spec.Storage; st != nil {
		mounts = append(mounts, corev1.VolumeMount{Name: "data", MountPath: st.MountPath})
	}
	sort.SliceStable(mounts, func(i, j int) bool { return mounts[i].MountPath < mounts[j].MountPath })
	return vols, mounts
}

// volumeName derives a DNS label from a path: /app/.next/cache -> app-next-cache.
func volumeName(path string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(path) {
		if (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') {
			b.WriteRune(c)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	name := strings.Trim(b.String(), "-")
	if len(name) > 50 {
		name = strings.Trim(name[len(name)-50:], "-")
	}
	if name == "" || name == "data" {
		name = "w-" + name
	}
	return strings.Trim(name, "-")
}

// flatten turns a map into sorted key, value pairs.
func flatten(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, 0, 2*len(keys))
	for _, k := range keys {
		out = append(out, k, m[k])
	}
	return out
}
