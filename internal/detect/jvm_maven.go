package detect

import (
	"encoding/xml"
	"errors"
	"path"
	"strconv"
	"strings"
)

// pom is the part of a Maven pom.xml detection reads.
type pom struct {
	XMLName    xml.Name `xml:"project"`
	GroupID    string   `xml:"groupId"`
	ArtifactID string   `xml:"artifactId"`
	Version    string   `xml:"version"`
	Packaging  string   `xml:"packaging"`
	Parent     struct {
		GroupID    string `xml:"groupId"`
		ArtifactID string `xml:"artifactId"`
		Version    string `xml:"version"`
	} `xml:"parent"`
	Properties struct {
		Entries []struct {
			XMLName xml.Name
			Value   string `xml:",chardata"`
		} `xml:",any"`
	} `xml:"properties"`
	Dependencies []pomArtifact `xml:"dependencies>dependency"`
	Plugins      []pomArtifact `xml:"build>plugins>plugin"`
	FinalName    string        `xml:"build>finalName"`
	Modules      []string      `xml:"modules>module"`
}

type pomArtifact struct {
	GroupID    string `xml:"groupId"`
	ArtifactID string `xml:"artifactId"`
}

// parsePom parses pom.xml content; errors name the line.
func parsePom(file string, b []byte) (*pom, error) {
	var p pom
	err := xml.Unmarshal(b, &p)
	if err == nil {
		return &p, nil
	}
	var syn *xml.SyntaxError
	if errors.As(err, &syn) {
		return nil, &ManifestError{File: file, Line: syn.Line, Err: errors.New("invalid XML: " + syn.Msg)}
	}
	return nil, &ManifestError{File: file, Err: err}
}

func (p *pom) property(name string) string {
	for _, e := range p.Properties.Entries {
		if e.XMLName.Local == name {
			return strings.TrimSpace(e.Value)
		}
	}
	return ""
}

// uses reports whether a dependency, plugin or the parent has the groupId
// prefix or artifactId.
func (p *pom) uses(id string) bool {
	all := append(append([]pomArtifact{{p.Parent.GroupID, p.Parent.ArtifactID}}, p.Dependencies...), p.Plugins...)
	for _, d := range all {
		if d.ArtifactID == id || d.GroupID == id || strings.HasPrefix(d.GroupID, id+".") {
			return true
		}
	}
	return false
}

var pomPropRe = lazyRegexp(`\$\{([\w.-]+)\}`)

// resolve expands ${project.version}-style references and properties
// (${revision}, the CI-friendly version Maven 3.5+ allows) in a pom value;
// an unknown property is left as written.
func (p *pom) resolve(s string) string {
	for range 3 { // a property may name another one
		s = pomPropRe.ReplaceAllStringFunc(s, func(ref string) string {
			name := ref[2 : len(ref)-1]
			switch name {
			case "project.artifactId", "artifactId":
				return p.ArtifactID
			case "project.version", "version":
				return p.version()
			}
			if v := p.property(name); v != "" {
				return v
			}
			return ref
		})
		if !strings.Contains(s, "${") {
			break
		}
	}
	return s
}

func (p *pom) version() string {
	if p.Version != "" {
		return p.Version
	}
	return p.Parent.Version
}

// mavenApp fills a JVM match from pom.xml.
func mavenApp(a *App, j *jvmApp) error {
	b, _ := a.Read("pom.xml")
	p, err := parsePom(a.Path("pom.xml"), b)
	if err != nil {
		// Still a Maven build; the artifact, Java version and
		// dependencies are unknown.
		p = &pom{}
		j.m.Signals = append(j.m.Signals, ignoredManifest(err))
	}
	j.m.PackageManager, j.m.PackageName = "maven", p.ArtifactID
	if p.ArtifactID != "" {
		j.m.Signals = append(j.m.Signals, "pom.xml artifact "+p.ArtifactID)
	}
	j.javaVersion = firstNonEmpty(p.property("java.version"), p.property("maven.compiler.release"),
		p.property("maven.compiler.source"), p.property("maven.compiler.target"), p.property("kotlin.compiler.jvmTarget"))
	j.versionSource = "pom.xml properties"
	switch {
	case p.uses("org.springframework.boot"):
		j.framework = "spring-boot"
		// Spring Boot 4 renamed the servlet starter spring-boot-starter-webmvc.
		j.web = p.uses("spring-boot-starter-web") || p.uses("spring-boot-starter-webflux") ||
			p.uses("spring-boot-starter-webmvc") || p.uses("spring-boot-starter-jersey")
		if !j.web && (p.uses("spring-grpc-spring-boot-starter") || p.uses("spring-grpc-server-spring-boot-starter") || p.uses("grpc-server-spring-boot-starter")) {
			// Spring gRPC serves on 9090; the app stays a Spring Boot jar.
			j.web, j.port = true, 9090
		}
		j.actuator = p.uses("spring-boot-starter-actuator")
	case p.uses("io.quarkus") || p.uses("io.quarkus.platform"):
		j.framework, j.web = "quarkus", true
	case p.uses("io.micronaut") || p.uses("io.micronaut.platform"):
		j.framework, j.web = "micronaut", true
	case p.uses("io.ktor"):
		j.framework, j.web = "ktor", true
	case p.uses("io.javalin"):
		j.framework, j.web, j.port = "javalin", true, 7070
	}
	mvn := "mvn"
	if a.Has("mvnw") || j.rootHas("mvnw") {
		mvn = "./mvnw"
	}
	jar := p.resolve(orDefault(p.FinalName, p.ArtifactID+"-"+p.version()))
	target := "target/"
	if j.member() {
		j.m.BuildCommand = mvn + " -B -pl " + a.Dir + " -am -DskipTests package"
		target = a.Dir + "/target/"
	} else {
		j.m.BuildCommand = mvn + " -B -DskipTests package"
	}
	j.jar = target + jar + ".jar"
	if j.framework == "quarkus" {
		j.jar = target + "quarkus-app/quarkus-run.jar"
	}
	if p.Packaging == "war" {
		j.m.Signals = append(j.m.Signals, "packaging war: deploy to a servlet container or switch to jar")
	}
	j.runnable = j.framework != "" || p.uses("maven-shade-plugin") || p.uses("maven-assembly-plugin")
	if !j.runnable && p.Packaging != "pom" && p.Packaging != "war" {
		if main, from := mavenMainClass(a, p, string(b)); main != "" {
			// The plain jar holds neither its dependencies nor, unless the
			// jar plugin says so, a Main-Class: the build copies the
			// runtime dependencies beside it and runs the class on that
			// classpath, which works whatever the manifest says.
			j.runnable = true
			j.m.BuildCommand += " dependency:copy-dependencies -DincludeScope=runtime"
			j.startCustom = "java -cp " + j.jar + ":" + target + "dependency/* " + main
			j.m.Signals = append(j.m.Signals, "main class "+main+" from "+from+": a runnable application")
			jvmPlainServer(a, j)
		}
	}
	return nil
}

var (
	pomMainClassRe = lazyRegexp(`<(?:mainClass|exec\.mainClass|main\.class|start-class)>\s*([\w.$]+|\$\{[\w.-]+\})\s*</`)
	javaPackageRe  = lazyRegexp(`(?m)^\s*package\s+([\w.]+)\s*;`)
	javaMainRe     = lazyRegexp(`public\s+static\s+void\s+main\s*\(`)
)

// mavenMainClass finds the class a plain Maven application runs: the
// mainClass the jar, exec or assembly plugin configuration or a property
// names, else the one class under src/main/java that declares
// `public static void main` (several mains name no single entry point).
func mavenMainClass(a *App, p *pom, src string) (string, string) {
	if m := pomMainClassRe.FindStringSubmatch(src); m != nil {
		v := m[1]
		if name, ok := strings.CutPrefix(v, "${"); ok {
			v = p.property(strings.TrimSuffix(name, "}"))
		}
		if v != "" && !strings.Contains(v, "$") {
			return v, "pom.xml"
		}
	}
	found := ""
	for _, f := range a.FilesWithExt("src/main/java", 200, ".java") {
		body := a.Source(f)
		if !javaMainRe.MatchString(body) {
			continue
		}
		if found != "" {
			return "", ""
		}
		cls := strings.TrimSuffix(path.Base(f), ".java")
		if m := javaPackageRe.FindStringSubmatch(body); m != nil {
			cls = m[1] + "." + cls
		}
		found = cls
	}
	return found, "src/main/java"
}

// jvmPlainServer types a framework-less application that opens an HTTP
// server itself (the JDK's HttpServer, Jetty, a ServerSocket) as web on the
// port it binds; anything else is a worker.
func jvmPlainServer(a *App, j *jvmApp) {
	for _, f := range a.FilesWithExt("src/main/java", 200, ".java") {
		body := a.Source(f)
		if !containsAny(body, []string{"HttpServer.create(", "new ServerSocket(", "new Server("}) {
			continue
		}
		j.web, j.port = true, 8080
		if m := jvmListenPortRe.FindStringSubmatch(body); m != nil {
			if n, _ := strconv.Atoi(m[1]); validPort(n) != 0 {
				j.port = n
			}
		}
		j.m.Signals = append(j.m.Signals, a.Path(f)+" opens an HTTP server")
		return
	}
}

var jvmListenPortRe = lazyRegexp(`(?:InetSocketAddress|ServerSocket|new Server)\(\s*(?:"[^"]*"\s*,\s*)?(\d{2,5})\s*[,)]`)

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
