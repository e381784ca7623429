package dockerfile

import "github.com/usecapsule/capsule/internal/detect"

// jvmFamily builds with Maven or Gradle and runs the jar on a JRE.
type jvmFamily struct{}

func (jvmFamily) Name() string { return "jvm" }

func (jvmFamily) Match(s detect.Service) bool { return s.Language == "java" }

func (jvmFamily) Plan(s detect.Service) Plan {
	tool := "maven"
	if s.PackageManager == "gradle" {
		tool = "gradle"
	}
	cmd := "java -XX:MaxRAMPercentage=75.0 -jar /app/app.jar"
	if s.Framework == "quarkus" {
		cmd = "java -XX:MaxRAMPercentage=75.0 -jar /app/quarkus-run.jar"
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
