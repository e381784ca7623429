package detect

import (
	"strconv"
	"strings"
)

// rubyDetector recognises Ruby apps: Rails, Sinatra, Rack, Jekyll sites
// and Sidekiq workers.
type rubyDetector struct{}

var _ Detector = rubyDetector{}

// Name implements Detector.
func (rubyDetector) Name() string { return "ruby" }

var (
	pumaPortRe    = lazyRegexp(`port\s+ENV\.fetch\(\s*["']PORT["']\s*(?:,\s*(\d{2,5})\s*\)|\)\s*\{\s*(\d{2,5})\s*\})`)
	sinatraPortRe = lazyRegexp(`set\s+:port\s*,\s*(\d{2,5})`)
	railsUpRe     = lazyRegexp(`get\s+["']up["']\s*=>\s*["']rails/health#show["']`)
)

// Detect implements Detector.
func (rubyDetector) Detect(a *App) (*Match, error) {
	b, ok := a.Read("Gemfile")
	if !ok {
		if a.Has("_config.yml") && (a.HasDir("_posts") || a.HasDir("_layouts")) {
			return jekyllMatch(a, &Match{}), nil
		}
		return nil, nil
	}
	g := parseGemfile(a.Path("Gemfile"), b)
	m := &Match{Score: scoreManifest}
	m.Signals = append(m.Signals, g.warnings...)
	m.Language, m.PackageManager, m.Framework = "ruby", "bundler", "ruby"
	locked, lockRuby := gemLock(a.ReadString("Gemfile.lock"))
	rubyFile := strings.TrimPrefix(firstLine(a, ".ruby-version"), "ruby-")
	v, s := pinnedVersionFrom(2, versionSource{".ruby-version", rubyFile, true}, versionSource{"Gemfile ruby", g.ruby, true},
		versionSource{".tool-versions", toolVersions(a, "ruby"), true}, versionSource{"Gemfile.lock RUBY VERSION", lockRuby, false})
	if v != "" {
		m.RuntimeVersion = v
		m.Signals = append(m.Signals, s)
	}
	switch {
	case g.gems["rails"] || g.gems["railties"]:
		railsMatch(a, m, g, locked)
	case g.gems["jekyll"] || g.gems["github-pages"]:
		// github-pages pins Jekyll and the plugins GitHub Pages runs: the
		// Gemfile of most Pages sites names no jekyll gem of its own.
		jekyllMatch(a, m)
	case g.gems["sinatra"]:
		rackMatch(a, m, "sinatra", 4567)
	case g.gems["hanami"]:
		m.Framework, m.Type, m.Port, m.Score, m.Deployable = "hanami", "web", 2300, scoreFramework, true
		m.StartCommand = "bundle exec hanami server --host 0.0.0.0 --port 2300"
		m.Signals = append(m.Signals, "Gemfile depends on hanami")
	case a.Has("config.ru"):
		rackMatch(a, m, "", 9292)
	case g.gems["sidekiq"]:
		m.Framework, m.Type, m.Score, m.Deployable = "sidekiq", "worker", scoreFramework, true
		m.StartCommand = "bundle exec sidekiq" + sidekiqRequire(a)
		m.Signals = append(m.Signals, "Gemfile has sidekiq and no web framework: a worker")
	default:
		m.Signals = append(m.Signals, "Gemfile without a recognised framework or config.ru")
	}
	if m.Deployable && m.Framework != "sidekiq" && g.gems["sidekiq"] {
		m.Extra = append(m.Extra, Service{Name: "worker", Type: "worker", Framework: "sidekiq",
			StartCommand: "bundle exec sidekiq" + sidekiqRequire(a),
			Signals:      []string{"Gemfile has sidekiq: a worker beside the web app"}})
	}
	return m, nil
}

func sidekiqRequire(a *App) string {
	if a.Has("config/sidekiq.yml") {
		return " -C config/sidekiq.yml"
	}
	if a.Has("config/application.rb") {
		return ""
	}
	for _, f := range []string{"worker.rb", "workers.rb", "app.rb", "jobs.rb"} {
		if a.Has(f) {
			return " -r ./" + f
		}
	}
	return ""
}

var railsAPIOnlyRe = lazyRegexp(`(?m)^\s*config\.api_only\s*=\s*true`)

func railsMatch(a *App, m *Match, g *gemfile, locked map[string]string) {
	m.Framework, m.Type, m.Port, m.Score, m.Deployable = "rails", "web", 3000, scoreFramework, true
	m.Signals = append(m.Signals, "Gemfile depends on rails")
	if v := locked["rails"]; v != "" {
		m.Signals = append(m.Signals, "Gemfile.lock locks rails "+v)
	}
	if a.Has("config/puma.rb") {
		m.StartCommand = "bundle exec puma -C config/puma.rb"
		if p := pumaPort(a.ReadString("config/puma.rb")); p != 0 {
			m.Port = p
			m.Signals = append(m.Signals, "config/puma.rb listens on "+strconv.Itoa(p))
		}
	} else {
		m.StartCommand = "bundle exec rails server -b 0.0.0.0 -p 3000"
	}
	if railsAPIOnlyRe.MatchString(a.ReadString("config/application.rb")) && !a.HasDir("app/views/layouts") {
		// `rails new --api`: no views, no asset pipeline, JSON only.
		m.Type = "api"
		m.Signals = append(m.Signals, "config/application.rb sets config.api_only: an API")
	}
	if a.HasDir("app/assets") || a.HasDir("app/javascript") {
		m.BuildCommand = "bundle exec rails assets:precompile"
	}
	// jsbundling-rails / cssbundling-rails run package.json's build inside
	// assets:precompile, so the build needs Node.js.
	frontendAssets(a, m)
	// Rails 7.1 generates GET /up (rails/health#show); older apps use "/".
	if railsUpRe.MatchString(a.ReadString("config/routes.rb")) {
		m.HealthCheckPath = "/up"
		m.Signals = append(m.Signals, "config/routes.rb routes /up to rails/health#show")
	} else if railsAtLeast(locked["rails"], 7, 1) {
		m.HealthCheckPath = "/up"
		m.Signals = append(m.Signals, "Rails 7.1+: health check /up")
	}
	m.Signals = append(m.Signals, "run bin/rails db:prepare as a release step")
}

func pumaPort(src string) int {
	m := pumaPortRe.FindStringSubmatch(src)
	if m == nil {
		return 0
	}
	p, _ := strconv.Atoi(orDefault(m[1], m[2]))
	return validPort(p)
}

func railsAtLeast(v string, major, minor int) bool {
	parts := strings.Split(v, ".")
	if len(parts) < 2 {
		return false
	}
	ma, _ := strconv.Atoi(parts[0])
	mi, _ := strconv.Atoi(parts[1])
	return ma > major || ma == major && mi >= minor
}

// rackMatch serves a Rack app (Sinatra or plain) with rackup.
func rackMatch(a *App, m *Match, framework string, port int) {
	m.Framework, m.Type, m.Score, m.Deployable = orDefault(framework, "ruby"), "web", scoreFramework, true
	if framework == "" {
		m.Score = scoreRunnable
	}
	if p, sig := scanPort(a, []string{"app.rb", "config.ru", "server.rb"}, []portRule{{re: sinatraPortRe, what: "set :port"}}); p != 0 {
		port = p
		m.Signals = append(m.Signals, sig)
	}
	m.Port = port
	if a.Has("config.ru") {
		m.StartCommand = "bundle exec rackup config.ru -o 0.0.0.0 -p " + strconv.Itoa(port)
		m.Signals = append(m.Signals, "config.ru: a Rack app")
	} else {
		entry := orDefault(a.First("app.rb", "server.rb", "main.rb"), "app.rb")
		m.StartCommand = "bundle exec ruby " + entry + " -o 0.0.0.0 -p " + strconv.Itoa(port)
	}
	if framework != "" {
		m.Signals = append(m.Signals, "Gemfile depends on "+framework)
	}
}

var jekyllDestRe = lazyRegexp(`(?m)^destination:\s*['"]?([\w./-]+)`)

func jekyllMatch(a *App, m *Match) *Match {
	m.Language, m.Framework, m.Type, m.Score, m.Deployable = "ruby", "jekyll", "static", scoreFramework, true
	m.OutputDir, m.Port = "_site", 8080
	if d := jekyllDestRe.FindStringSubmatch(a.ReadString("_config.yml")); d != nil {
		m.OutputDir = d[1]
	}
	if a.Has("Gemfile") {
		m.BuildCommand = "bundle exec jekyll build"
	} else {
		m.BuildCommand = "jekyll build"
	}
	m.Signals = append(m.Signals, "Jekyll site (_config.yml): static")
	return m
}
