package detect

import (
	"strings"
)

var (
	gradleToolchainRe = lazyRegexp(`(?:JavaLanguageVersion\.of|jvmToolchain)\(\s*(\d+)`)
	gradleSourceRe    = lazyRegexp(`sourceCompatibility\s*=\s*(?:JavaVersion\.VERSION_|JavaVersion\.toVersion\(\s*['"]?|['"])([\d_.]+)`)
	gradleVersionRe   = lazyRegexp(`(?m)^version\s*=\s*['"]([^'"]+)['"]`)
	gradleNameRe      = lazyRegexp(`rootProject\.name\s*=\s*['"]([^'"]+)['"]`)
	gradleWrapperRe   = lazyRegexp(`distributionUrl=.*gradle-(\d+)\.[\w.-]*-(?:bin|all)\.zip`)
)

// gradleApp fills a JVM match from build.gradle(.kts), read as text: the
// Groovy and Kotlin DSLs are programs, and the conventional lines are
// enough to recognise plugins, toolchain and version.
func gradleApp(a *App, j *jvmApp) {
	file := a.First("build.gradle.kts", "build.gradle")
	src := a.ReadString(file)
	j.m.PackageManager = "gradle"
	j.m.Signals = append(j.m.Signals, file+" present")
	name := a.base()
	if a.Dir == "." {
		name = ""
	}
	settings := a.ReadString(a.First("settings.gradle.kts", "settings.gradle"))
	if m := gradleNameRe.FindStringSubmatch(settings); m != nil && !j.member() {
		name = m[1]
	}
	j.m.PackageName = name
	if m := gradleToolchainRe.FindStringSubmatch(src); m != nil {
		j.javaVersion, j.versionSource = m[1], "Gradle toolchain"
	} else if m := gradleSourceRe.FindStringSubmatch(src); m != nil {
		j.javaVersion, j.versionSource = strings.ReplaceAll(m[1], "_", "."), "Gradle sourceCompatibility"
	}
	gradleFramework(src, j)
	gradle := "gradle"
	if a.Has("gradlew") || j.rootHas("gradlew") {
		gradle = "./gradlew"
	}
	gradleWrapper(a, j)
	if a.Has("gradle/libs.versions.toml") {
		// The build scripts resolve libs.* from it: the Dockerfile's
		// dependency step needs it beside the build files.
		j.m.Signals = append(j.m.Signals, "Gradle version catalog gradle/libs.versions.toml")
	}
	task, prefix := "build", ""
	if j.member() {
		prefix = ":" + strings.ReplaceAll(a.Dir, "/", ":") + ":"
	}
	libs := a.Path("build/libs/")
	if !j.member() {
		libs = "build/libs/"
	}
	ver := ""
	if m := gradleVersionRe.FindStringSubmatch(src); m != nil {
		ver = "-" + m[1]
	}
	jarName := orDefault(name, "app")
	fw := j.framework
	if (fw == "micronaut" || fw == "javalin") && !strings.Contains(src, "shadow") {
		// Without the Shadow plugin there is no shadowJar task: the
		// application plugin's distribution is the runnable form.
		fw = ""
	}
	switch fw {
	case "spring-boot":
		task, j.jar = "bootJar", libs+jarName+ver+".jar"
	case "quarkus":
		j.jar = strings.TrimSuffix(libs, "libs/") + "quarkus-app/quarkus-run.jar"
	case "micronaut", "javalin":
		task, j.jar = "shadowJar", libs+jarName+ver+"-all.jar"
	case "ktor":
		task, j.jar = "buildFatJar", libs+jarName+"-all.jar"
	default:
		if strings.Contains(src, "application") && strings.Contains(src, "mainClass") {
			task = "installDist"
			j.startCustom = "./" + strings.TrimSuffix(libs, "libs/") + "install/" + jarName + "/bin/" + jarName
			j.runnable = true
			j.m.Signals = append(j.m.Signals, "Gradle application plugin with a mainClass")
		}
	}
	j.m.BuildCommand = gradle + " " + prefix + task + " -x test"
	if j.framework != "" {
		j.runnable = true
	}
}

// gradleFramework recognises the framework from the plugins and
// dependencies named in the build script.
func gradleFramework(src string, j *jvmApp) {
	switch {
	case strings.Contains(src, "org.springframework.boot"):
		j.framework = "spring-boot"
		j.web = containsAny(src, []string{"spring-boot-starter-web", "spring-boot-starter-jersey"})
		if !j.web && containsAny(src, []string{"spring-grpc-spring-boot-starter", "spring-grpc-server", "grpc-server-spring-boot-starter"}) {
			// Spring gRPC serves on 9090; the app stays a Spring Boot jar.
			j.web, j.port = true, 9090
		}
		j.actuator = strings.Contains(src, "spring-boot-starter-actuator")
	case strings.Contains(src, "io.quarkus"):
		j.framework, j.web = "quarkus", true
	case strings.Contains(src, "io.micronaut"):
		j.framework, j.web = "micronaut", true
	case strings.Contains(src, "io.ktor"):
		j.framework, j.web = "ktor", true
	case strings.Contains(src, "io.javalin"):
		j.framework, j.web, j.port = "javalin", true, 7070
	}
}

var (
	sbtNameRe    = lazyRegexp(`(?m)^name\s*:=\s*"+([^"]+)"+`)
	sbtScalaRe   = lazyRegexp(`scalaVersion\s*:=\s*"([^"]+)"`)
	leinMainRe   = lazyRegexp(`:main\s+\^?[:\w{} ]*?([\w.-]+)`)
	leinHeaderRe = lazyRegexp(`\(defproject\s+([\w./-]+)\s+"([^"]+)"`)
)

// sbtApp recognises Scala builds; Play apps (sbt-plugin) are staged with
// sbt-native-packager and run on 9000.
func sbtApp(a *App, j *jvmApp) {
	src := a.ReadString("build.sbt")
	plugins := a.ReadString("project/plugins.sbt")
	j.m.PackageManager = "sbt"
	name := a.base()
	if m := sbtNameRe.FindStringSubmatch(src); m != nil {
		name = m[1]
	}
	j.m.PackageName = name
	j.m.Signals = append(j.m.Signals, "build.sbt present (Scala)")
	if m := sbtScalaRe.FindStringSubmatch(src); m != nil {
		j.m.Signals = append(j.m.Signals, "scalaVersion "+m[1])
	}
	switch {
	case strings.Contains(plugins, "sbt-plugin") && containsAny(plugins, []string{"com.typesafe.play", "org.playframework"}):
		j.framework, j.web, j.runnable, j.port = "play", true, true, 9000
		j.m.BuildCommand = "sbt stage"
		j.startCustom = "target/universal/stage/bin/" + name + " -Dhttp.port=9000"
	case strings.Contains(plugins, "sbt-assembly"):
		j.runnable, j.web = true, false
		j.m.BuildCommand = "sbt assembly"
		j.startCustom = "java -jar target/scala-" + scalaBinary(src) + "/" + name + "-assembly-" + sbtVersion(src) + ".jar"
	}
}

var sbtVersionRe = lazyRegexp(`(?m)version\s*:=\s*"([^"]+)"`)

func sbtVersion(src string) string {
	if m := sbtVersionRe.FindStringSubmatch(src); m != nil {
		return m[1]
	}
	return "0.1.0-SNAPSHOT"
}

func scalaBinary(src string) string {
	m := sbtScalaRe.FindStringSubmatch(src)
	if m == nil {
		return "3"
	}
	if strings.HasPrefix(m[1], "3") {
		return m[1]
	}
	return normalizeVersion(m[1], 2)
}

// clojureApp recognises Leiningen (runnable with :main, as an uberjar)
// and tools.deps projects (recognised only).
func clojureApp(a *App, j *jvmApp) {
	if !a.Has("project.clj") {
		j.m.PackageManager = "clojure"
		j.m.Signals = append(j.m.Signals, "deps.edn present (Clojure tools.deps)")
		return
	}
	src := a.ReadString("project.clj")
	j.m.PackageManager = "leiningen"
	j.m.Signals = append(j.m.Signals, "project.clj present (Clojure, Leiningen)")
	h := leinHeaderRe.FindStringSubmatch(src)
	if h == nil || !leinMainRe.MatchString(src) {
		return
	}
	name := h[1]
	if i := strings.LastIndex(name, "/"); i >= 0 {
		name = name[i+1:]
	}
	j.m.PackageName = name
	j.runnable, j.web = true, strings.Contains(src, "ring")
	j.m.BuildCommand = "lein uberjar"
	j.jar = "target/uberjar/" + name + "-" + h[2] + "-standalone.jar"
	if j.web {
		j.port = 3000
	} else {
		j.web = false
	}
}

// gradleWrapper names the Gradle major version the wrapper pins, read by
// the Dockerfile generator to pick the matching gradle image: a build
// written for Gradle 9 may not run on Gradle 8, nor the reverse.
func gradleWrapper(a *App, j *jvmApp) {
	props := "gradle/wrapper/gradle-wrapper.properties"
	src := a.ReadString(props)
	if src == "" && j.member() {
		src = a.ix.ReadString(join(j.a.Workspace.Root, props))
	}
	if m := gradleWrapperRe.FindStringSubmatch(src); m != nil {
		j.m.Signals = append(j.m.Signals, "Gradle wrapper "+m[1]+" from "+props)
	}
}

// hoistGradleApp reports the one application of a Gradle multi-project
// build at the repository root, named for rootProject.name, when it is the
// subproject app/: `gradle init` lays an application out that way beside
// library subprojects, the build (./gradlew :app:installDist) starts at the
// root, and "app" names nothing, so the repository is the service (as
// Railpack deploys it). A subproject with a name of its own
// (accounts-service/) stays a named member.
func (r *runner) hoistGradleApp(res *Result) {
	if len(res.Services) != 1 || len(res.Errors) > 0 {
		return
	}
	s := &res.Services[0]
	if s.PackageManager != "gradle" || s.Workspace != "." || s.Path != "app" ||
		r.ix.Has("build.gradle") && strings.Contains(r.ix.ReadString("build.gradle"), "application") ||
		r.ix.Has("build.gradle.kts") && strings.Contains(r.ix.ReadString("build.gradle.kts"), "application") {
		return
	}
	s.Signals = append(s.Signals, "the only application of the Gradle build is project :"+
		strings.ReplaceAll(s.Path, "/", ":")+": deployed from the repository root")
	s.Path, s.Workspace = ".", ""
	name := r.opts.Name
	if m := gradleNameRe.FindStringSubmatch(r.ix.ReadString("settings.gradle.kts") + r.ix.ReadString("settings.gradle")); name == "" && m != nil {
		name = m[1]
	}
	if name != "" {
		s.Name = name
	}
}
