package dockerfile

import (
	"encoding/json"
	"path"
	"strings"

	"github.com/usecapsule/capsule/internal/detect"
)

// goFamily compiles a static binary and runs it on distroless.
type goFamily struct{}

func (goFamily) Name() string { return "go" }

func (goFamily) Match(s detect.Service) bool { return s.Language == "go" }

func (goFamily) Plan(s detect.Service) Plan {
	copies := diskCopies(s, "/src")
	return Plan{
		Service: s,
		Version: version(s.RuntimeVersion, "1.23"),
		Port:    s.Port,
		Cmd:     binaryCmd(s.StartCommand),
		Extra:   map[string]string{"Package": goPackage(s.BuildCommand), "Member": boolString(member(s)), "Cgo": boolString(hasSignal(s, "which needs cgo")), "Copies": copies},
		Ignore:  []string{"bin", "vendor", "*.test", "coverage.out"},
	}
}

// goPackage takes the package argument of a detected `go build` command
// ("./cmd/api"), else the module root.
func goPackage(build string) string {
	f := strings.Fields(build)
	if len(f) > 2 && f[0] == "go" && f[1] == "build" {
		if last := f[len(f)-1]; strings.HasPrefix(last, "./") || last == "." {
			return last
		}
	}
	return "."
}

// binaryCmd runs the compiled binary, installed as /app/server, with the
// arguments of the detected start command ("./bin/api serve" -> serve).
// The distroless runtime has no shell, so a start command that needs one
// keeps only the binary.
func binaryCmd(start string) string {
	words := Words(start)
	if len(words) < 2 || words[0] == "sh" {
		return ExecForm("/app/server")
	}
	b, _ := json.Marshal(append([]string{"/app/server"}, words[1:]...))
	return strings.ReplaceAll(string(b), `","`, `", "`)
}

// rustFamily builds a release binary and runs it on distroless cc (glibc).
type rustFamily struct{}

func (rustFamily) Name() string { return "rust" }

func (rustFamily) Match(s detect.Service) bool { return s.Language == "rust" }

func (rustFamily) Plan(s detect.Service) Plan {
	return Plan{
		Service: s,
		Version: rustVersion(s),
		Port:    s.Port,
		Cmd:     binaryCmd(s.StartCommand),
		Extra: map[string]string{"Bin": rustBin(s), "Copies": diskCopies(s, "/src"), "Rocket": boolString(s.Framework == "rocket"),
			// The root package of a Cargo workspace needs its members'
			// manifests too: it copies the whole workspace like a member.
			"Member":  boolString(member(s) || hasSignal(s, "the root package of the cargo workspace")),
			"Package": cargoPackage(s.BuildCommand)},
		Ignore: []string{"target"},
	}
}

// rustBin is the binary detection names (cargo build --bin X, or the
// start command's target/release/X), or "" to take the one built.
func rustBin(s detect.Service) string {
	f := strings.Fields(s.BuildCommand)
	for i := 0; i+1 < len(f); i++ {
		if f[i] == "--bin" {
			return f[i+1]
		}
	}
	if w := strings.Fields(s.StartCommand); len(w) > 0 && strings.Contains(w[0], "target/release/") {
		return path.Base(w[0])
	}
	return ""
}

// cargoPackage is the -p argument of a detected cargo build (a member of a
// Cargo workspace), or "".
func cargoPackage(build string) string {
	f := strings.Fields(build)
	for i := 0; i+1 < len(f); i++ {
		if f[i] == "-p" || f[i] == "--package" {
			return f[i+1]
		}
	}
	return ""
}

// dotnetFamily publishes with the SDK and runs on the ASP.NET runtime.
type dotnetFamily struct{}

func (dotnetFamily) Name() string { return "dotnet" }

func (dotnetFamily) Match(s detect.Service) bool { return s.Language == "dotnet" }

func (dotnetFamily) Plan(s detect.Service) Plan {
	v := minor(version(s.RuntimeVersion, "8.0"))
	if !strings.Contains(v, ".") {
		v += ".0"
	}
	project := dotnetProject(s.BuildCommand)
	return Plan{
		Service: s,
		Version: v,
		Port:    s.Port,
		Cmd:     ExecForm("dotnet " + dotnetEntry(s, project)),
		Extra:   map[string]string{"Project": project, "Member": boolString(member(s))},
		Ignore:  []string{"bin", "obj", "out", "*.user", "TestResults"},
	}
}

// dotnetProject is the project file a detected `dotnet publish X.csproj`
// builds, or "" for the one project in the directory.
func dotnetProject(build string) string {
	for _, w := range strings.Fields(build) {
		if strings.HasSuffix(w, ".csproj") || strings.HasSuffix(w, ".fsproj") || strings.HasSuffix(w, ".vbproj") {
			return w
		}
	}
	return ""
}

// dotnetEntry is the entry assembly: the .dll of the detected start command
// (published to the working directory here), else the project's name.
func dotnetEntry(s detect.Service, project string) string {
	for _, w := range strings.Fields(s.StartCommand) {
		if strings.HasSuffix(w, ".dll") {
			return path.Base(w)
		}
	}
	if project != "" {
		return strings.TrimSuffix(path.Base(project), path.Ext(project)) + ".dll"
	}
	return s.Name + ".dll"
}

// diskCopies are the COPY lines bringing the directories detection says
// the server reads from disk ("reads templates/, static/ from disk at run
// time") from the build stage's root next to the binary in /app.
func diskCopies(s detect.Service, root string) string {
	var copies []string
	for _, sig := range s.Signals {
		list, ok := strings.CutPrefix(sig, "reads ")
		if !ok {
			continue
		}
		if list, ok = strings.CutSuffix(list, " from disk at run time"); !ok {
			continue
		}
		for _, d := range strings.Split(list, ", ") {
			d = strings.TrimSuffix(d, "/")
			src := path.Join(root, d)
			if member(s) {
				src = path.Join(root, memberDir(s), d)
			}
			copies = append(copies, "COPY --from=build "+src+" /app/"+d)
		}
	}
	return strings.Join(copies, "\n")
}

// rustVersion is the rust image tag: the toolchain a rust-toolchain file or
// .tool-versions pins, else "1", the latest stable. Cargo.toml's
// rust-version is a minimum (MSRV), not a toolchain: the dependencies
// Cargo.lock resolves often need a newer compiler (edition 2024 crates
// need 1.85), and a newer rustc still builds the crate.
func rustVersion(s detect.Service) string {
	for _, sig := range s.Signals {
		if strings.HasPrefix(sig, "runtime version ") && strings.HasSuffix(sig, " from Cargo.toml rust-version") {
			return "1"
		}
	}
	return version(s.RuntimeVersion, "1")
}
