package dockerfile

import "github.com/usecapsule/capsule/internal/detect"

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
		Extra:   map[string]string{"Tool": tool, "Quarkus": boolString(s.Framework == "quarkus")},
		Ignore:  []string{"target", "build", ".gradle", ".mvn/wrapper/maven-wrapper.jar", "out", "*.iml"},
	}
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return ""
}
