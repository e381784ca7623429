package detect

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// elixirDetector recognises Mix projects, Phoenix above all.
type elixirDetector struct{}

var _ Detector = elixirDetector{}

// Name implements Detector.
func (elixirDetector) Name() string { return "elixir" }

var (
	mixAppRe     = lazyRegexp(`app:\s*:(\w+)`)
	mixElixirRe  = lazyRegexp(`elixir:\s*"([^"]+)"`)
	mixModRe     = lazyRegexp(`mod:\s*\{`)
	exPortRe     = lazyRegexp(`get_env\(\s*"[A-Z0-9_]*PORT"\s*\)\s*\|\|\s*"(\d{2,5})"`)
	exPortOptRe  = lazyRegexp(`get_env\(\s*"[A-Z0-9_]*PORT"\s*,\s*"(\d{2,5})"`)
	exHTTPPortRe = lazyRegexp(`http:\s*\[[^\]]*port:\s*(\d{2,5})`)
	// exRequiredEnvRe matches the variables config/runtime.exs cannot start
	// without: `System.get_env("X") || raise` and `System.fetch_env!("X")`.
	exRequiredEnvRe = lazyRegexp(`System\.(?:get_env\(\s*"(\w+)"\s*\)\s*\|\|\s*raise|fetch_env!\(\s*"(\w+)"\s*\))`)
)

// Detect implements Detector.
func (elixirDetector) Detect(a *App) (*Match, error) {
	src, ok := a.Read("mix.exs")
	if !ok {
		return nil, nil
	}
	mix := string(src)
	m := &Match{Score: scoreManifest}
	m.Language, m.PackageManager, m.Framework = "elixir", "mix", "elixir"
	app := a.base()
	if x := mixAppRe.FindStringSubmatch(mix); x != nil {
		app = x[1]
	}
	m.PackageName = app
	m.Signals = append(m.Signals, "mix.exs app :"+app)
	constraint := ""
	if x := mixElixirRe.FindStringSubmatch(mix); x != nil {
		constraint = x[1]
	}
	v, s := versionFrom(2, [2]string{".tool-versions", toolVersions(a, "elixir")},
		[2]string{".elixir-version", firstLine(a, ".elixir-version")}, [2]string{"mix.exs elixir", constraint})
	if v != "" {
		m.RuntimeVersion = v
		m.Signals = append(m.Signals, s)
	}
	m.BuildCommand = "MIX_ENV=prod mix release"
	rel := "_build/prod/rel/" + app + "/bin/"
	m.StartCommand = rel + app + " start"
	switch {
	case strings.Contains(mix, ":phoenix,"):
		m.Framework, m.Type, m.Port = "phoenix", "web", 4000
		m.Signals = append(m.Signals, "mix.exs depends on phoenix")
		if a.Has("rel/overlays/bin/server") {
			m.StartCommand = rel + "server"
		} else {
			// Without the phx.gen.release server script the endpoint only
			// serves when PHX_SERVER is set.
			m.StartCommand = "PHX_SERVER=true " + m.StartCommand
			m.Signals = append(m.Signals, "no rel/overlays/bin/server: PHX_SERVER=true starts the endpoint")
		}
		if strings.Contains(mix, `"assets.deploy"`) {
			m.BuildCommand = "MIX_ENV=prod mix assets.deploy && MIX_ENV=prod mix release"
		}
		phoenixRuntimeEnv(a, m)
	case containsAny(mix, []string{":plug_cowboy", ":bandit"}):
		m.Framework, m.Type, m.Port = "plug", "api", 4000
		m.Signals = append(m.Signals, "mix.exs depends on plug_cowboy/bandit")
	case mixModRe.MatchString(mix):
		m.Type = "worker"
		m.Signals = append(m.Signals, "OTP application without an HTTP server: a worker")
	default:
		m.BuildCommand, m.StartCommand = "", ""
		m.Signals = append(m.Signals, "no application module: a library")
		return m, nil
	}
	m.Deployable, m.Score = true, scoreFramework
	if m.Framework == "elixir" {
		m.Score = scoreRunnable
	}
	if m.Port != 0 {
		files := []string{"config/runtime.exs", "config/prod.exs", "lib/" + app + "/application.ex"}
		if p, sig := scanPort(a, files,
			[]portRule{{re: exPortRe, what: "a PORT default"}, {re: exPortOptRe, what: "a PORT default"}, {re: exHTTPPortRe, what: "http port"}}); p != 0 {
			m.Port = p
			m.Signals = append(m.Signals, sig)
		} else if p, f := exPortOption(a, files); p != 0 {
			m.Port = p
			m.Signals = append(m.Signals, fmt.Sprintf("a port option in %s sets port %d", a.Path(f), p))
		}
	}
	return m, nil
}

// phoenixRuntimeEnv names what config/runtime.exs needs at boot: the
// variables it raises without (SECRET_KEY_BASE, DATABASE_URL in the
// generated app), else the release crash-loops; and PHX_HOST, which sets
// the endpoint's url host and so the origin LiveView's websocket accepts
// (the generated default, example.com, rejects every real domain).
func phoenixRuntimeEnv(a *App, m *Match) {
	src := a.ReadString("config/runtime.exs")
	var need []string
	for _, x := range exRequiredEnvRe.FindAllStringSubmatchIndex(src, -1) {
		if inComment(src, x[0]) {
			continue
		}
		v := src[max(x[2], x[4]):max(x[3], x[5])]
		if !slices.Contains(need, v) {
			need = append(need, v)
		}
	}
	if len(need) > 0 {
		m.Signals = append(m.Signals, "config/runtime.exs raises without "+strings.Join(need, ", ")+": set them in capsule.yaml secrets")
	}
	if i := strings.Index(src, `"PHX_HOST"`); i >= 0 && !inComment(src, i) {
		m.Signals = append(m.Signals, "config/runtime.exs reads PHX_HOST: set it to the public host in capsule.yaml env, or LiveView's websocket is refused (check_origin)")
	}
}

var exPortOptionRe = lazyRegexp(`\bport:\s*(\d{2,5})`)

// exPortOption finds a `port: 4001` option (a Bandit child spec, an
// endpoint's http: [...]), skipping url: [host: ..., port: 443] lines:
// that is the public URL's port behind a proxy, not where the app listens.
func exPortOption(a *App, files []string) (int, string) {
	for _, f := range files {
		for _, line := range strings.Split(a.Source(f), "\n") {
			if strings.Contains(line, "url:") {
				continue
			}
			if m := exPortOptionRe.FindStringSubmatch(line); m != nil {
				if p, _ := strconv.Atoi(m[1]); validPort(p) != 0 {
					return p, f
				}
			}
		}
	}
	return 0, ""
}
