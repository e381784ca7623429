package dockerfile

import (
	"regexp"
	"slices"
	"strconv"
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
	extra := jvmExtra(s, tool)
	if extra["MainClass"] != "" {
		// java expands the lib/* classpath wildcard itself: no shell needed.
		cmd = "java -XX:MaxRAMPercentage=75.0 -cp /app/app.jar:/app/lib/* " + extra["MainClass"]
	}
	if extra["Dist"] != "" {
		cmd = "/app/bin/" + extra["Dist"]
	}
	return Plan{
		Service: s,
		Version: major(version(s.RuntimeVersion, "21")),
		Port:    s.Port,
		Cmd:     ExecForm(cmd),
		Extra:   extra,
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
	e := map[string]string{"Tool": tool, "Quarkus": boolString(s.Framework == "quarkus"), "Dir": ".", "GradleMajor": gradleMajor(s)}
	if member(s) && (tool == "maven" || tool == "gradle") {
		dir := memberDir(s)
		e["Module"], e["Dir"] = dir, dir
		e["GradleModule"] = ":" + strings.ReplaceAll(dir, "/", ":")
	} else if m := gradleProjectTaskRe.FindStringSubmatch(s.BuildCommand); tool == "gradle" && m != nil {
		// The application is a subproject built from the root
		// (./gradlew :app:installDist, as `gradle init` lays it out).
		e["GradleModule"] = ":" + m[1]
		e["Module"] = strings.ReplaceAll(m[1], ":", "/")
		e["Dir"] = e["Module"]
	}
	e["GradleTask"] = "build"
	if slices.Contains(s.Signals, "Gradle version catalog gradle/libs.versions.toml") {
		e["Catalog"] = "true"
	}
	if m := gradleDistRe.FindStringSubmatch(s.StartCommand); tool == "gradle" && m != nil {
		// The application plugin's start script and lib/: a plain jar has
		// no Main-Class and none of the dependencies.
		e["GradleTask"], e["Dist"] = "installDist", m[1]
	}
	if m := mavenMainRe.FindStringSubmatch(s.StartCommand); tool == "maven" && m != nil {
		e["MainClass"] = m[1]
	}
	return e
}

var (
	gradleProjectTaskRe = regexp.MustCompile(`(?:gradlew|gradle)\s+:([\w.:-]+):\w+`)
	gradleDistRe        = regexp.MustCompile(`build/install/([\w.-]+)/bin/[\w.-]+$`)
	// mavenMainRe reads the main class of detection's classpath start
	// command (java -cp target/app.jar:target/dependency/* com.acme.Main).
	mavenMainRe = regexp.MustCompile(`^java -cp \S+ ([\w.$]+)$`)
)

// gradleMajor is the Gradle major version of the build image: the one the
// wrapper pins (detection's "Gradle wrapper N" signal) from 8 on, else 8:
// Gradle 8 still builds most Gradle 7 projects, and gradle:7 images stop
// before Java 21.
func gradleMajor(s detect.Service) string {
	for _, sig := range s.Signals {
		rest, ok := strings.CutPrefix(sig, "Gradle wrapper ")
		if !ok {
			continue
		}
		v, _, _ := strings.Cut(rest, " ")
		if n, err := strconv.Atoi(v); err == nil && n >= 8 {
			return v
		}
	}
	return "8"
}
