package dockerfile

import (
	"strings"

	"github.com/usecapsule/capsule/internal/detect"
)

// jvmFamily builds with Maven, Gradle, Leiningen or sbt and runs the
// result on a JRE.
type jvmFamily struct{}

func (jvmFamily) Name() string { return "jvm" }

func (jvmFamily) Match(s detect.Service) bool { return s.Language == "java" }

func (jvmFamily) Plan(s detect.Service) Plan {
	tool := "maven"
	switch s.PackageManager {
	case "gradle", "leiningen", "sbt":
		tool = s.PackageManager
	}
	cmd := "java -XX:MaxRAMPercentage=75.0 -jar /app/app.jar"
	switch {
	case s.Framework == "quarkus":
		cmd = "java -XX:MaxRAMPercentage=75.0 -jar /app/quarkus-run.jar"
	case tool == "sbt":
		// sbt stage writes a start script named after the project.
		cmd = "/app/bin/" + s.Name
	}
	return Plan{
		Service: s,
		Version: major(version(s.RuntimeVersion, "21")),
		Port:    s.Port,
		Cmd:     ExecForm(cmd),
		Extra:   jvmExtra(s, tool),
		Ignore:  []string{"target", "build", ".gradle", ".mvn/wrapper/maven-wrapper.jar", "out", "*.iml"},
	}
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return ""
}

// jvmExtra holds the build tool and, for a module of a multi-module build
// (built from the workspace root), the module's directory as Maven and
// Gradle name it.
func jvmExtra(s detect.Service, tool string) map[string]string {
	e := map[string]string{"Tool": tool, "Quarkus": boolString(s.Framework == "quarkus"), "Dir": "."}
	if member(s) && (tool == "maven" || tool == "gradle") {
		dir := memberDir(s)
		e["Module"], e["Dir"] = dir, dir
		e["GradleModule"] = ":" + strings.ReplaceAll(dir, "/", ":")
	}
	return e
}
