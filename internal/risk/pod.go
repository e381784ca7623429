package risk

import "strconv"

// Pod is what rules need to know of a pod template, read from the maps.
type Pod struct {
	Path           string // JSON pointer of the pod spec
	HostNetwork    bool
	HostPID        bool
	HostIPC        bool
	RunAsNonRoot   *bool
	RunAsUser      *int64
	HostProcess    bool // Windows HostProcess pod: every container runs as a process of the node
	Containers     []Container
	InitContainers []Container
	Volumes        []Volume
	all            []Container // init containers then containers
}

// Container is one container of a pod template.
type Container struct {
	Name            string
	Image           string
	Path            string // JSON pointer of the container
	Requests        map[string]string
	Limits          map[string]string
	Readiness       bool
	Liveness        bool
	Startup         bool
	Privileged      *bool
	AllowEscalation *bool
	RunAsNonRoot    *bool
	RunAsUser       *int64
	ReadOnlyRootFS  *bool
	HostProcess     bool
	ProcMount       string
	CapAdd          []string
	CapDrop         []string
	HostPorts       []HostPort
	Env             []EnvVar
	EnvFrom         []Reference
	// raw is the container as written, for rules that read fields only
	// they need (probes, ports): parsing them for every rule would cost
	// the preview budget.
	raw map[string]any
}

// HostPort is a container port bound on the node.
type HostPort struct {
	Path string
	Port int64
}

// EnvVar is one environment variable; Ref is set for valueFrom references.
type EnvVar struct {
	Name     string
	Value    string
	HasValue bool
	Path     string
	Ref      *Reference
}

// Reference is a use of a ConfigMap or Secret by name.
type Reference struct {
	Kind     string // ConfigMap or Secret
	Name     string
	Optional bool
	Path     string
}

// Volume is one pod volume.
type Volume struct {
	Name     string
	Path     string
	HostPath string
	IsHost   bool
	Refs     []Reference
}

func parsePod(spec map[string]any, path string) Pod {
	p := Pod{Path: path}
	p.HostNetwork = isTrue(boolAt(spec, "hostNetwork"))
	p.HostPID = isTrue(boolAt(spec, "hostPID"))
	p.HostIPC = isTrue(boolAt(spec, "hostIPC"))
	p.RunAsNonRoot = boolAt(spec, "securityContext", "runAsNonRoot")
	if n, ok := intAt(spec, "securityContext", "runAsUser"); ok {
		p.RunAsUser = &n
	}
	p.HostProcess = isTrue(boolAt(spec, "securityContext", "windowsOptions", "hostProcess"))
	p.Containers = parseContainers(sliceAt(spec, "containers"), path+"/containers")
	p.InitContainers = parseContainers(sliceAt(spec, "initContainers"), path+"/initContainers")
	p.all = append(append(make([]Container, 0, len(p.InitContainers)+len(p.Containers)), p.InitContainers...), p.Containers...)
	for i, v := range sliceAt(spec, "volumes") {
		if m, ok := v.(map[string]any); ok {
			p.Volumes = append(p.Volumes, parseVolume(m, path+"/volumes/"+strconv.Itoa(i)))
		}
	}
	return p
}

func parseContainers(list []any, path string) []Container {
	out := make([]Container, 0, len(list))
	for i, v := range list {
		m, ok := v.(map[string]any)
		if !ok {
			continue
		}
		out = append(out, parseContainer(m, path+"/"+strconv.Itoa(i)))
	}
	return out
}

func parseContainer(m map[string]any, path string) Container {
	c := Container{Name: stringAt(m, "name"), Image: stringAt(m, "image"), Path: path, raw: m}
	c.Requests = stringMap(mapAt(m, "resources", "requests"))
	c.Limits = stringMap(mapAt(m, "resources", "limits"))
	c.Readiness = mapAt(m, "readinessProbe") != nil
	c.Liveness = mapAt(m, "livenessProbe") != nil
	c.Startup = mapAt(m, "startupProbe") != nil
	sc := mapAt(m, "securityContext")
	c.Privileged = boolAt(sc, "privileged")
	c.AllowEscalation = boolAt(sc, "allowPrivilegeEscalation")
	c.RunAsNonRoot = boolAt(sc, "runAsNonRoot")
	if n, ok := intAt(sc, "runAsUser"); ok {
		c.RunAsUser = &n
	}
	c.ReadOnlyRootFS = boolAt(sc, "readOnlyRootFilesystem")
	c.HostProcess = isTrue(boolAt(sc, "windowsOptions", "hostProcess"))
	c.ProcMount = stringAt(sc, "procMount")
	c.CapAdd = stringList(sliceAt(sc, "capabilities", "add"))
	c.CapDrop = stringList(sliceAt(sc, "capabilities", "drop"))
	for i, v := range sliceAt(m, "ports") {
		pm, _ := v.(map[string]any)
		if hp, ok := intAt(pm, "hostPort"); ok && hp != 0 {
			c.HostPorts = append(c.HostPorts, HostPort{Path: path + "/ports/" + strconv.Itoa(i) + "/hostPort", Port: hp})
		}
	}
	c.Env = parseEnv(sliceAt(m, "env"), path+"/env")
	for i, v := range sliceAt(m, "envFrom") {
		em, _ := v.(map[string]any)
		p := path + "/envFrom/" + strconv.Itoa(i)
		if r, ok := namedRef(mapAt(em, "configMapRef"), "ConfigMap", p+"/configMapRef"); ok {
			c.EnvFrom = append(c.EnvFrom, r)
		}
		if r, ok := namedRef(mapAt(em, "secretRef"), "Secret", p+"/secretRef"); ok {
			c.EnvFrom = append(c.EnvFrom, r)
		}
	}
	return c
}

func parseEnv(list []any, path string) []EnvVar {
	var out []EnvVar
	for i, v := range list {
		m, ok := v.(map[string]any)
		if !ok {
			continue
		}
		p := path + "/" + strconv.Itoa(i)
		e := EnvVar{Name: stringAt(m, "name"), Path: p}
		if s, ok := m["value"].(string); ok {
			e.Value, e.HasValue = s, true
		}
		if r, ok := namedRef(mapAt(m, "valueFrom", "configMapKeyRef"), "ConfigMap", p+"/valueFrom/configMapKeyRef"); ok {
			e.Ref = &r
		}
		if r, ok := namedRef(mapAt(m, "valueFrom", "secretKeyRef"), "Secret", p+"/valueFrom/secretKeyRef"); ok {
			e.Ref = &r
		}
		out = append(out, e)
	}
	return out
}

// namedRef reads {name, optional} (configMapRef, secretKeyRef, ...); the
// Secret volume source names its object "secretName" instead.
func namedRef(m map[string]any, kind, path string) (Reference, bool) {
	if m == nil {
		return Reference{}, false
	}
	name := stringAt(m, "name")
	if name == "" {
		name = stringAt(m, "secretName")
	}
	if name == "" {
		return Reference{}, false
	}
	return Reference{Kind: kind, Name: name, Optional: isTrue(boolAt(m, "optional")), Path: path}, true
}

func parseVolume(m map[string]any, path string) Volume {
	v := Volume{Name: stringAt(m, "name"), Path: path}
	if hp := mapAt(m, "hostPath"); hp != nil {
		v.IsHost, v.HostPath = true, stringAt(hp, "path")
	}
	if r, ok := namedRef(mapAt(m, "configMap"), "ConfigMap", path+"/configMap"); ok {
		v.Refs = append(v.Refs, r)
	}
	if r, ok := namedRef(mapAt(m, "secret"), "Secret", path+"/secret"); ok {
		v.Refs = append(v.Refs, r)
	}
	for i, s := range sliceAt(m, "projected", "sources") {
		sm, _ := s.(map[string]any)
		p := path + "/projected/sources/" + strconv.Itoa(i)
		if r, ok := namedRef(mapAt(sm, "configMap"), "ConfigMap", p+"/configMap"); ok {
			v.Refs = append(v.Refs, r)
		}
		if r, ok := namedRef(mapAt(sm, "secret"), "Secret", p+"/secret"); ok {
			v.Refs = append(v.Refs, r)
		}
	}
	return v
}

func stringList(list []any) []string {
	var out []string
	for _, v := range list {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// AllContainers returns init containers then containers (shared: do not
// modify).
func (p Pod) AllContainers() []Container { return p.all }
