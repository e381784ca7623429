package detect

import (
	"strconv"
	"strings"
)

// gRPC servers are recognised by the call that starts one, not by the
// dependency: HTTP apps depend on gRPC libraries for their clients
// (OpenTelemetry exporters, cloud SDKs). A gRPC server is typed api,
// framework grpc, on the port its code binds, else 50051.

const grpcDefaultPort = 50051

var (
	nodeGRPCServerRe   = lazyRegexp(`new\s+(?:grpc\.)?Server\s*\(|\.bindAsync\s*\(`)
	pyGRPCServerRe     = lazyRegexp(`grpc\.(?:aio\.)?server\s*\(`)
	pyGRPCPortRe       = lazyRegexp(`add_(?:insecure|secure)_port\(\s*f?['"][^'"]*:(\d{2,5})['"]`)
	javaGRPCServerRe   = lazyRegexp(`(?:Netty)?ServerBuilder\s*\.\s*forPort\s*\(|Grpc\.newServerBuilderForPort\s*\(`)
	javaGRPCPortRe     = lazyRegexp(`(?:forPort|newServerBuilderForPort)\s*\(\s*(\d{2,5})\b`)
	javaPortDefaultRe  = lazyRegexp(`getenv\(\)\.getOrDefault\(\s*"PORT"\s*,\s*"(\d{2,5})"|(?i)\bint\s+port\s*=\s*(\d{2,5})\s*;|(?i)\bPORT\s*=\s*(\d{2,5})\s*;`)
	nodeGRPCPortRules  = []portRule{rule("a bindAsync address", `bindAsync\(\s*['"\x60][^'"\x60]*:(\d{2,5})['"\x60]`)}
	grpcJavaBuildMarks = []string{"io.grpc", "grpc-netty", "grpc-spring", "spring-grpc"}
)

// nodeGRPC types a Node entry point that starts a @grpc/grpc-js server.
func nodeGRPC(m *Match, a *App, pkg *packageJSON, entry string) bool {
	if entry == "" || !pkg.has("@grpc/grpc-js", "grpc") || !nodeGRPCServerRe.MatchString(a.Source(entry)) {
		return false
	}
	m.Framework, m.Type = "grpc", "api"
	m.Signals = append(m.Signals, a.Path(entry)+" starts a gRPC server")
	if p, sig := scanPort(a, []string{entry}, nodeGRPCPortRules); p != 0 {
		m.Port = p
		m.Signals = append(m.Signals, sig)
		return true
	}
	m.Port = nodePort(m, a, pkg, entry, grpcDefaultPort)
	return true
}

// pyGRPC detects a grpcio server script: it runs as `python <file>`.
func pyGRPC(p *pyApp) bool {
	for _, f := range pyFiles(p.a) {
		src := p.a.Source(f)
		if !pyGRPCServerRe.MatchString(src) {
			continue
		}
		p.m.Type, p.m.StartCommand = "api", "python "+f
		p.m.Port = pyPort(p, f, grpcDefaultPort)
		if m := pyGRPCPortRe.FindStringSubmatch(src); m != nil {
			if n, _ := strconv.Atoi(m[1]); validPort(n) != 0 {
				p.m.Port = n
			}
		}
		p.m.Signals = append(p.m.Signals, "depends on grpcio", p.a.Path(f)+" starts a gRPC server")
		return true
	}
	return false
}

// jvmGRPC types a runnable JVM application without a web framework that
// builds a grpc-java server.
func jvmGRPC(a *App, j *jvmApp) {
	if j.framework != "" || !j.runnable {
		return
	}
	build := a.ReadString("pom.xml") + a.ReadString("build.gradle") + a.ReadString("build.gradle.kts")
	if !containsAny(build, grpcJavaBuildMarks) {
		return
	}
	for _, f := range a.FilesWithExt("src/main", 200, ".java", ".kt") {
		src := a.Source(f)
		if !javaGRPCServerRe.MatchString(src) {
			continue
		}
		j.framework, j.web, j.port = "grpc", true, grpcDefaultPort
		if m := javaGRPCPortRe.FindStringSubmatch(src); m != nil {
			j.port, _ = strconv.Atoi(m[1])
		} else if m := javaPortDefaultRe.FindStringSubmatch(src); m != nil {
			j.port, _ = strconv.Atoi(strings.Join(m[1:], ""))
		}
		j.m.Signals = append(j.m.Signals, a.Path(f)+" starts a gRPC server")
		return
	}
}
