package detect

import (
	"strconv"
	"strings"

	"sigs.k8s.io/yaml"
)

// jvmDetector recognises JVM apps (Java, Kotlin, Scala, Clojure): Maven,
// Gradle, sbt and Leiningen builds. The language is always "java".
type jvmDetector struct{}

var _ Detector = jvmDetector{}

// Name implements Detector.
func (jvmDetector) Name() string { return "jvm" }

// jvmApp collects what the build file says before it becomes a match.
type jvmApp struct {
	a                          *App
	m                          *Match
	framework                  string
	web, actuator, runnable    bool
	jar, javaVersion           string
	versionSource, startCustom string
	port                       int
}

func (j *jvmApp) member() bool { return j.a.Workspace != nil && j.a.Workspace.Root != j.a.Dir }

func (j *jvmApp) rootHas(f string) bool { return j.member() && j.a.ix.Has(join(j.a.Workspace.Root, f)) }

// Detect implements Detector.
func (jvmDetector) Detect(a *App) (*Match, error) {
	j := &jvmApp{a: a, m: &Match{Score: scoreManifest}}
	j.m.Language = "java"
	var err error
	switch {
	case a.Has("pom.xml"):
		err = mavenApp(a, j)
		if g := a.First("build.gradle", "build.gradle.kts"); g != "" {
			// spring-petclinic ships both builds; say which one is used.
			j.m.Signals = append(j.m.Signals, "also found "+g+"; chose Maven (pom.xml comes first)")
		}
	case a.Has("build.gradle") || a.Has("build.gradle.kts"):
		gradleApp(a, j)
	case a.Has("build.sbt"):
		sbtApp(a, j)
	case a.Has("project.clj") || a.Has("deps.edn"):
		clojureApp(a, j)
	default:
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	jvmGRPC(a, j)
	j.finish()
	return j.m, nil
}

func (j *jvmApp) finish() {
	a, m := j.a, j.m
	m.Framework = orDefault(j.framework, "java")
	v, s := versionFrom(1, [2]string{j.versionSource, strings.TrimPrefix(j.javaVersion, "1.")},
		[2]string{".java-version", firstLine(a, ".java-version")},
		[2]string{".sdkmanrc", strings.TrimPrefix(sdkmanJava(a), "java=")},
		[2]string{".tool-versions", toolVersions(a, "java")},
		[2]string{"system.properties", javaRuntimeProp(a)})
	if v != "" {
		m.RuntimeVersion = v
		m.Signals = append(m.Signals, s)
	}
	if !j.runnable {
		m.Signals = append(m.Signals, "no application plugin or framework: a library build")
		return
	}
	m.Deployable, m.Score = true, scoreRunnable
	if j.framework != "" {
		m.Score = scoreFramework
		m.Signals = append(m.Signals, "framework "+j.framework)
	}
	m.StartCommand = orDefault(j.startCustom, "java -jar "+j.jar)
	if !j.web {
		m.Type = "worker"
		if j.framework == "spring-boot" {
			m.Signals = append(m.Signals, "no spring-boot-starter-web/webflux: a worker")
		} else {
			m.Signals = append(m.Signals, "no web framework found: a worker")
		}
		return
	}
	m.Type, m.Port = jvmWebType(a, j, m), orPort(j.port, 8080)
	if p, sig := jvmConfigPort(a); p != 0 {
		m.Port = p
		m.Signals = append(m.Signals, sig)
	}
	switch {
	case j.actuator:
		m.HealthCheckPath = "/actuator/health"
		m.Signals = append(m.Signals, "spring-boot-starter-actuator: /actuator/health")
	case j.framework == "quarkus" && strings.Contains(a.ReadString("pom.xml")+a.ReadString("build.gradle")+a.ReadString("build.gradle.kts"), "smallrye-health"):
		m.HealthCheckPath = "/q/health"
		m.Signals = append(m.Signals, "quarkus-smallrye-health: /q/health")
	case j.framework == "micronaut" && strings.Contains(a.ReadString("pom.xml")+a.ReadString("build.gradle")+a.ReadString("build.gradle.kts"), "micronaut-management"):
		m.HealthCheckPath = "/health"
		m.Signals = append(m.Signals, "micronaut-management: /health")
	}
}

var sdkmanRe = lazyRegexp(`(?m)^java=([\w.-]+)`)

func sdkmanJava(a *App) string {
	if m := sdkmanRe.FindStringSubmatch(a.ReadString(".sdkmanrc")); m != nil {
		return m[1]
	}
	return ""
}

var javaPropRe = lazyRegexp(`(?m)^java\.runtime\.version\s*=\s*([\w.]+)`)

func javaRuntimeProp(a *App) string {
	if m := javaPropRe.FindStringSubmatch(a.ReadString("system.properties")); m != nil {
		return strings.TrimPrefix(m[1], "1.")
	}
	return ""
}

var (
	propsPortRe = lazyRegexp(`(?m)^\s*(?:server\.port|quarkus\.http\.port|micronaut\.server\.port)\s*[=:]\s*(?:\$\{\w+:)?(\d{2,5})`)
)

// jvmConfigPort reads server.port (and the Quarkus/Micronaut equivalents)
// from application.properties or application.yml; "${PORT:8081}" yields
// its default.
func jvmConfigPort(a *App) (int, string) {
	for _, f := range []string{"src/main/resources/application.properties", "src/main/resources/application.yml", "src/main/resources/application.yaml"} {
		src, ok := a.Read(f)
		if !ok {
			continue
		}
		if strings.HasSuffix(f, ".properties") {
			if m := propsPortRe.FindSubmatch(src); m != nil {
				p, _ := strconv.Atoi(string(m[1]))
				return validPort(p), a.Path(f) + " sets the server port"
			}
			continue
		}
		var y map[string]any
		if yaml.Unmarshal(src, &y) != nil {
			continue
		}
		for _, k := range []string{"server", "micronaut.server", "quarkus.http"} {
			if p := yamlPort(y, strings.Split(k, ".")); p != 0 {
				return p, a.Path(f) + " sets the server port"
			}
		}
	}
	return 0, ""
}

var placeholderPortRe = lazyRegexp(`^\$\{\w+:(\d{2,5})\}$`)

func yamlPort(y map[string]any, keys []string) int {
	cur := y
	for _, k := range keys {
		next, ok := cur[k].(map[string]any)
		if !ok {
			return 0
		}
		cur = next
	}
	switch v := cur["port"].(type) {
	case float64:
		return validPort(int(v))
	case string:
		if m := placeholderPortRe.FindStringSubmatch(v); m != nil {
			p, _ := strconv.Atoi(m[1])
			return validPort(p)
		}
	}
	return 0
}

// jvmUIMarks in a build file are server-side view technologies.
var jvmUIMarks = []string{"thymeleaf", "freemarker", "mustache", "groovy-templates", "jte", "vaadin", "jstl", "tomcat-embed-jasper", "qute", "views-"}

// jvmWebType tells a Spring Boot, Quarkus or Micronaut web app (views, or
// an index.html among the static resources: probed on "/") from a REST API
// (controllers under /api only, where "/" answers 404 and an HTTP probe
// on it would keep every pod unready: probed over TCP unless a health
// endpoint is known).
func jvmWebType(a *App, j *jvmApp, m *Match) string {
	if j.framework == "grpc" {
		return "api"
	}
	if j.framework != "spring-boot" && j.framework != "quarkus" && j.framework != "micronaut" {
		return "web"
	}
	build := strings.ToLower(a.ReadString("pom.xml") + a.ReadString("build.gradle") + a.ReadString("build.gradle.kts"))
	for _, mark := range jvmUIMarks {
		if strings.Contains(build, mark) {
			m.Signals = append(m.Signals, "the build uses "+strings.TrimSuffix(mark, "-")+": a web app")
			return "web"
		}
	}
	for _, f := range []string{"src/main/resources/static/index.html", "src/main/resources/public/index.html", "src/main/resources/META-INF/resources/index.html"} {
		if a.Has(f) {
			m.Signals = append(m.Signals, f+": a web app")
			return "web"
		}
	}
	if a.HasDir("src/main/resources/templates") || a.HasDir("src/main/webapp") {
		m.Signals = append(m.Signals, "server-side templates: a web app")
		return "web"
	}
	for _, f := range a.FilesWithExt("src/main", 200, ".java", ".kt") {
		if containsAny(a.Source(f), []string{`Mapping("/")`, `Mapping(value = "/")`, `@Path("/")`, `@Get("/")`}) {
			m.Signals = append(m.Signals, a.Path(f)+" maps \"/\": a web app")
			return "web"
		}
	}
	m.Signals = append(m.Signals, "no views or index.html: an API")
	return "api"
}
