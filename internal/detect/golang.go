package detect

import (
	"errors"
	"strings"

	"golang.org/x/mod/modfile"
)

// goDetector recognises Go modules and their main packages.
type goDetector struct{}

var _ Detector = goDetector{}

// Name implements Detector.
func (goDetector) Name() string { return "go" }

// goFrameworks maps module paths (prefixes) to framework slugs, in order.
var goFrameworks = []struct{ module, slug string }{
	{"github.com/gin-gonic/gin", "gin"},
	{"github.com/labstack/echo", "echo"},
	{"github.com/gofiber/fiber", "fiber"},
	{"github.com/go-chi/chi", "chi"},
	{"github.com/gorilla/mux", "gorilla"},
	{"github.com/beego/beego", "beego"},
	{"github.com/gobuffalo/buffalo", "buffalo"},
	{"connectrpc.com/connect", "connect"},
	{"google.golang.org/grpc", "grpc"},
}

// goCgoModules only work with cgo (mattn/go-sqlite3 built without it
// returns "requires cgo to work" on the first query).
var goCgoModules = []string{"github.com/mattn/go-sqlite3", "github.com/confluentinc/confluent-kafka-go", "github.com/DataDog/zstd"}

// parseGoMod parses go.mod content; errors name the line.
func parseGoMod(file string, b []byte) (*modfile.File, error) {
	f, err := modfile.Parse(file, b, nil)
	if err != nil {
		var list modfile.ErrorList
		if errors.As(err, &list) && len(list) > 0 {
			return nil, &ManifestError{File: file, Line: list[0].Pos.Line, Col: list[0].Pos.LineRune, Err: list[0].Err}
		}
		return nil, &ManifestError{File: file, Err: err}
	}
	return f, nil
}

// Detect implements Detector.
func (goDetector) Detect(a *App) (*Match, error) {
	b, ok, unreadable := a.Manifest("go.mod")
	if !ok {
		return nil, nil
	}
	m := &Match{Score: scoreManifest}
	mf, err := parseGoMod(a.Path("go.mod"), b)
	switch {
	case unreadable != "":
		mf = &modfile.File{}
		m.Signals = append(m.Signals, unreadable)
	case err != nil:
		// Still a Go module: its main packages and entry points are found
		// from the sources; the module path and requirements are unknown.
		mf = &modfile.File{}
		m.Signals = append(m.Signals, ignoredManifest(err))
	}
	m.Language, m.PackageManager, m.Framework = "go", "go", "go"
	if mf.Module != nil {
		// The service is named for the module's last element, skipping a
		// major-version suffix: github.com/acme/api/v2 is "api", not "v2".
		m.PackageName = goName(mf.Module.Mod.Path)
		m.Signals = append(m.Signals, "go.mod module "+mf.Module.Mod.Path)
	}
	goVersion(a, mf, m)
	for _, fw := range goFrameworks {
		if !goRequires(mf, fw.module) {
			continue
		}
		if fw.slug == "grpc" && !goServesGRPC(a) {
			// HTTP apps require grpc directly for their clients (an
			// OpenTelemetry OTLP exporter, etcd): only a grpc.NewServer
			// makes the app a gRPC service on 50051.
			m.Signals = append(m.Signals, "go.mod requires "+fw.module+" but no grpc.NewServer: a gRPC client, not a gRPC service")
			continue
		}
		m.Framework = fw.slug
		m.Signals = append(m.Signals, "go.mod requires "+fw.module)
		break
	}
	for _, c := range goCgoModules {
		if goRequires(mf, c) {
			// A CGO_ENABLED=0 build of these compiles but fails at run time.
			m.Signals = append(m.Signals, "go.mod requires "+c+", which needs cgo")
			break
		}
	}
	modPath := ""
	if mf.Module != nil {
		modPath = mf.Module.Mod.Path
	}
	mains := findGoMains(a, modPath)
	goServices(a, m, mains)
	return m, nil
}

func goRequires(mf *modfile.File, prefix string) bool {
	for _, r := range mf.Require {
		// An indirect requirement is a dependency of a dependency, not the
		// framework the app is written with.
		if r.Indirect {
			continue
		}
		if r.Mod.Path == prefix || strings.HasPrefix(r.Mod.Path, prefix+"/") {
			return true
		}
	}
	return false
}

// goVersion prefers the toolchain line (what the project builds with)
// over the go line (the minimum language version).
func goVersion(a *App, mf *modfile.File, m *Match) {
	var tc, gov string
	if mf.Toolchain != nil {
		tc = strings.TrimPrefix(mf.Toolchain.Name, "go")
	}
	if mf.Go != nil {
		gov = mf.Go.Version
	}
	v, s := versionFrom(2, [2]string{"go.mod toolchain", tc}, [2]string{"go.mod go directive", gov},
		[2]string{".go-version", firstLine(a, ".go-version")}, [2]string{".tool-versions", toolVersions(a, "golang", "go")})
	if v != "" {
		m.RuntimeVersion = v
		m.Signals = append(m.Signals, s)
	}
}

// goServesGRPC reports whether a Go file of the module (the first 300)
// creates a gRPC server.
func goServesGRPC(a *App) bool {
	found, n := false, 0
	a.ix.Walk(a.Dir, []string{".go"}, func(p string) bool {
		n++
		if !strings.HasSuffix(p, "_test.go") && strings.Contains(a.ix.Source(p), "grpc.NewServer(") {
			found = true
			return false
		}
		return n < 300
	})
	return found
}
