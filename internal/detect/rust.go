package detect

import (
	"strings"
)

// rustDetector recognises Cargo binaries and their web frameworks.
type rustDetector struct{}

var _ Detector = rustDetector{}

// Name implements Detector.
func (rustDetector) Name() string { return "rust" }

// cargoToml is the part of Cargo.toml detection reads.
type cargoToml struct {
	Package struct {
		Name        string     `toml:"name"`
		RustVersion tomlString `toml:"rust-version"`
		DefaultRun  string     `toml:"default-run"`
	} `toml:"package"`
	Bin          []struct{ Name string } `toml:"bin"`
	Dependencies map[string]any          `toml:"dependencies"`
	Workspace    *struct {
		Members []string `toml:"members"`
		Exclude []string `toml:"exclude"`
		Package struct {
			RustVersion tomlString `toml:"rust-version"`
		} `toml:"package"`
	} `toml:"workspace"`
}

var rustFrameworks = []struct {
	crate, slug string
	port        int
}{
	{"actix-web", "actix-web", 8080}, {"axum", "axum", 3000}, {"rocket", "rocket", 8000},
	{"warp", "warp", 3030}, {"poem", "poem", 3000}, {"tide", "tide", 8080},
	// Last: web apps also depend on tonic for their gRPC clients.
	{"tonic", "grpc", 50051},
}

var rustPortRules = []portRule{
	rule("a PORT default", `"PORT"\)[^;]*?"(\d{2,5})"`),
	rule("a bind address", `"(?:0\.0\.0\.0|127\.0\.0\.1|\[::\])?:(\d{2,5})"`),
	rule("a bind address", `\(\s*"(?:0\.0\.0\.0|127\.0\.0\.1)"\s*,\s*(\d{2,5})\s*\)`),
	rule("a socket address", `\[\s*0\s*,\s*0\s*,\s*0\s*,\s*0\s*\]\s*,\s*(\d{2,5})`),
	rule("port", `(?m)^port\s*=\s*(\d{2,5})`),
}

var toolchainChannelRe = lazyRegexp(`channel\s*=\s*"([^"]+)"`)

// Detect implements Detector.
func (rustDetector) Detect(a *App) (*Match, error) {
	b, ok, unreadable := a.Manifest("Cargo.toml")
	if !ok {
		return nil, nil
	}
	var c cargoToml
	m := &Match{Score: scoreManifest}
	m.Language, m.PackageManager, m.Framework = "rust", "cargo", "rust"
	if err := parseTOML(a.Path("Cargo.toml"), b, &c); err != nil {
		unreadable = ignoredManifest(err)
	}
	if unreadable != "" {
		// Still a Rust crate: src/main.rs and the toolchain file tell the rest.
		m.Signals = append(m.Signals, unreadable)
		rustVersion(a, &c, m)
		if a.Has("src/main.rs") {
			// Cargo names the binary after the package, which only the
			// broken file declares: the start command stays unknown.
			m.Deployable, m.Score, m.Type, m.BuildCommand = true, scoreRunnable, "worker", "cargo build --release"
			m.Signals = append(m.Signals, "src/main.rs is a binary; its name (the package name) is unknown, so is the start command")
		}
		return m, nil
	}
	m.PackageName = c.Package.Name
	rustVersion(a, &c, m)
	bin := rustBinary(a, &c)
	if bin == "" {
		m.Signals = append(m.Signals, "Cargo.toml has no binary target: a library crate")
		return m, nil
	}
	m.Deployable, m.Score, m.Type = true, scoreRunnable, "worker"
	m.BuildCommand, m.StartCommand = "cargo build --release --bin "+bin, "./target/release/"+bin
	if a.Workspace != nil && a.Workspace.Root != a.Dir {
		m.BuildCommand = "cargo build --release -p " + c.Package.Name + " --bin " + bin
	}
	for _, fw := range rustFrameworks {
		if _, ok := c.Dependencies[fw.crate]; ok {
			m.Framework, m.Score, m.Type, m.Port = fw.slug, scoreFramework, "api", fw.port
			m.Signals = append(m.Signals, "Cargo.toml depends on "+fw.crate)
			break
		}
	}
	if m.Type == "worker" && containsAny(a.ReadString("src/main.rs"), []string{"TcpListener", "hyper::Server", "serve("}) {
		m.Type, m.Port = "api", 8080
	}
	if m.Type == "worker" {
		m.Signals = append(m.Signals, "binary "+bin+" opens no port: a worker")
		return m, nil
	}
	rustServer(a, &c, m)
	m.Signals = append(m.Signals, "binary target "+bin)
	return m, nil
}

func rustVersion(a *App, c *cargoToml, m *Match) {
	channel := rustToolchainChannel(a.ReadString("rust-toolchain.toml"))
	if channel == "" {
		channel = rustToolchainChannel(a.ReadString("rust-toolchain"))
	}
	rv, rvFrom := string(c.Package.RustVersion), "Cargo.toml rust-version"
	if ws := a.Workspace; ws != nil && ws.Kind == cargoWorkspaceKind {
		// A member (or the root package) builds with the workspace's
		// toolchain file, and inherits rust-version from
		// [workspace.package] when it says so.
		if channel == "" {
			channel = rustToolchainChannel(a.ix.ReadString(join(ws.Root, "rust-toolchain.toml")))
		}
		if channel == "" {
			channel = rustToolchainChannel(a.ix.ReadString(join(ws.Root, "rust-toolchain")))
		}
		if rv == "" {
			rv, rvFrom = ws.rustVersion, "the workspace's Cargo.toml rust-version"
		}
	}
	v, s := pinnedVersionFrom(2, versionSource{"rust-toolchain", channel, true},
		versionSource{".tool-versions", toolVersions(a, "rust"), true},
		versionSource{rvFrom, rv, false})
	if v != "" {
		m.RuntimeVersion = v
		m.Signals = append(m.Signals, s)
	}
}

// rustBinary names the binary to run: default-run, the first [[bin]], or
// the package itself when src/main.rs exists.
func rustBinary(a *App, c *cargoToml) string {
	switch {
	case c.Package.DefaultRun != "":
		return c.Package.DefaultRun
	case len(c.Bin) > 0:
		return c.Bin[0].Name
	case a.Has("src/main.rs"):
		return c.Package.Name
	}
	return ""
}

// rustServer refines a server binary: templates make it a web app, and
// the port comes from Rocket.toml or the source.
func rustServer(a *App, c *cargoToml, m *Match) {
	for _, t := range []string{"askama", "rinja", "tera", "maud", "minijinja", "handlebars", "leptos", "leptos_axum", "dioxus"} {
		if _, ok := c.Dependencies[t]; ok {
			m.Type = "web"
		}
	}
	files := append([]string{"src/main.rs"}, a.FilesWithExt("src", 20, ".rs")...)
	if m.Framework == "rocket" {
		files = append([]string{"Rocket.toml"}, files...)
		if !strings.Contains(a.ReadString("Rocket.toml"), `"0.0.0.0"`) {
			m.Signals = append(m.Signals, "Rocket binds 127.0.0.1 by default: set ROCKET_ADDRESS=0.0.0.0")
		}
	}
	if p, sig := scanPort(a, files, rustPortRules); p != 0 {
		m.Port = p
		m.Signals = append(m.Signals, sig)
	}
	// rust-embed's #[folder = "static/"] compiles the files in.
	if dirs := diskDirs(a, files, "folder ="); len(dirs) > 0 {
		m.Signals = append(m.Signals, "reads "+strings.Join(dirs, ", ")+" from disk at run time")
	}
}

// rustToolchainChannel reads the release a rustup toolchain file pins: the
// TOML form's `channel = "1.79.0"` or the legacy one-line form ("1.79.0").
// Named channels (stable, beta, nightly-2024-05-01) name no release an
// image is tagged with, so they yield "".
func rustToolchainChannel(s string) string {
	channel := ""
	if x := toolchainChannelRe.FindStringSubmatch(s); x != nil {
		channel = x[1]
	} else {
		for _, line := range strings.Split(s, "\n") {
			if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
				channel = line
				break
			}
		}
	}
	if channel == "" || channel[0] < '0' || channel[0] > '9' {
		return ""
	}
	return channel
}

// tomlString is a manifest string that may instead be inherited from the
// workspace (`rust-version.workspace = true`, `rust-version = { workspace =
// true }`): an inherited value reads as "", not as a decoding error.
type tomlString string

// UnmarshalTOML implements toml.Unmarshaler.
func (t *tomlString) UnmarshalTOML(v any) error {
	if s, ok := v.(string); ok {
		*t = tomlString(s)
	}
	return nil
}
